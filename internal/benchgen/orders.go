package benchgen

import (
	"fmt"
	"strconv"
	"strings"
)

// rng is splitmix64: tiny and stable across Go versions (math/rand's streams
// are not a promise to depend on for reproducible files).
type rng struct{ s uint64 }

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func (r *rng) intn(n int) int          { return int(r.next() % uint64(n)) }
func (r *rng) pick(xs []string) string { return xs[r.intn(len(xs))] }

func (r *rng) digits(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + r.intn(10))
	}
	return string(b)
}

// The vocabularies. Upper-case ASCII only, short fields: the shape of typical
// retail 850s, not a stress test of the character set.
var (
	companies = []string{"ACME DISTRIBUTION", "NORTHWIND TRADERS", "CONTOSO RETAIL", "GLOBEX SUPPLY", "INITECH STORES",
		"UMBRELLA FOODS", "STARK HARDWARE", "WAYNE OUTFITTERS", "HOOLI MARKETS", "VANDELAY IMPORTS", "BLUTH HOME CENTER",
		"PIED PIPER GROCERY", "SOYLENT WHOLESALE", "TYRELL ELECTRONICS", "OCEANIC GARDEN SUPPLY"}
	suffixes = []string{"INC", "LLC", "CORP", "CO", "DC 1", "DC 2", "STORE 104", "WAREHOUSE"}
	streets  = []string{"MAIN ST", "INDUSTRIAL PKWY", "COMMERCE DR", "HARBOR BLVD", "LOGISTICS WAY", "MARKET ST",
		"RIVER RD", "AIRPORT RD", "EXPRESSWAY 9", "DISTRIBUTION CTR DR"}
	cities = []struct{ city, state, zip string }{
		{"CHICAGO", "IL", "606"}, {"DALLAS", "TX", "752"}, {"ATLANTA", "GA", "303"}, {"COLUMBUS", "OH", "432"},
		{"RENO", "NV", "895"}, {"MEMPHIS", "TN", "381"}, {"ALLENTOWN", "PA", "181"}, {"ONTARIO", "CA", "917"},
		{"KANSAS CITY", "MO", "641"}, {"LOUISVILLE", "KY", "402"}, {"DENVER", "CO", "802"}, {"SEATTLE", "WA", "981"}}
	adjectives = []string{"STAINLESS", "ORGANIC", "HEAVY DUTY", "COMPACT", "PREMIUM", "ECONOMY", "WIRELESS", "INSULATED",
		"FOLDING", "REUSABLE", "GALVANIZED", "LED", "COTTON", "CERAMIC"}
	nouns = []string{"WIDGET", "STORAGE BIN", "COFFEE BEANS 1LB", "WORK GLOVES", "EXTENSION CORD 25FT", "WATER BOTTLE",
		"SHELF BRACKET", "PAPER TOWELS 12PK", "HAND TRUCK", "DESK LAMP", "T-SHIRT XL", "MIXING BOWL SET", "GARDEN HOSE",
		"BATTERY AA 24PK", "SAFETY GOGGLES"}
	uoms  = []string{"EA", "EA", "EA", "CS", "BX", "PK"}
	depts = []string{"HARDWARE", "GROCERY", "APPAREL", "ELECTRONICS", "HOME", "GARDEN", "OFFICE"}
)

type party struct{ code, id, name, street, city, state, zip string }

type line struct {
	qty        int
	uom        string
	priceCents int
	upc, vp    string
	desc       string
}

type order struct {
	po, date, reqDate, dept string
	parties                 []party
	lines                   []line
}

// day is 2025-01-01 + offset days, kept simple: 28-day months are enough for
// synthetic data.
func day(offset int) string {
	m := 1 + (offset/28)%12
	d := 1 + offset%28
	return fmt.Sprintf("2025%02d%02d", m, d)
}

// makeOrder draws order i. The order of the draws is part of the format:
// reordering them changes every file.
func makeOrder(seed uint64, i int) order {
	r := &rng{s: seed ^ (uint64(i+1) * 0x2545f4914f6cdd1d)}
	o := order{
		po:   "PO" + strconv.Itoa(4500000+i),
		dept: r.pick(depts),
	}
	d := r.intn(300)
	o.date, o.reqDate = day(d), day(d+3+r.intn(21))
	codes := []string{"ST", "BT", "VN"}
	np := 2 + r.intn(2)
	for p := 0; p < np; p++ {
		c := cities[r.intn(len(cities))]
		o.parties = append(o.parties, party{
			code:   codes[p],
			id:     r.digits(7),
			name:   r.pick(companies) + " " + r.pick(suffixes),
			street: strconv.Itoa(100+r.intn(9800)) + " " + r.pick(streets),
			city:   c.city, state: c.state, zip: c.zip + r.digits(2),
		})
	}
	nl := 5 + r.intn(16) // 5..20 lines
	for l := 0; l < nl; l++ {
		o.lines = append(o.lines, line{
			qty:        1 + r.intn(500),
			uom:        r.pick(uoms),
			priceCents: 99 + r.intn(49900),
			upc:        "0" + r.digits(11),
			vp:         "VP-" + r.digits(6),
			desc:       r.pick(adjectives) + " " + r.pick(nouns),
		})
	}
	return o
}

// price formats cents without trailing zeros: 1250 -> "12.5", 1200 -> "12".
func price(c int) string {
	s := strconv.Itoa(c/100) + "." + fmt.Sprintf("%02d", c%100)
	return strings.TrimSuffix(strings.TrimSuffix(s, "0"), ".0")
}

func writeX12Order(w *emitter, o order, ctl string) {
	start := w.segments
	w.seg("ST", "850", ctl)
	w.seg("BEG", "00", "SA", o.po, "", o.date)
	w.seg("REF", "DP", o.dept)
	w.seg("DTM", "002", o.reqDate)
	for _, p := range o.parties {
		w.seg("N1", p.code, p.name, "92", p.id)
		w.seg("N3", p.street)
		w.seg("N4", p.city, p.state, p.zip, "US")
	}
	sum := 0
	for i, l := range o.lines {
		sum += l.qty
		w.seg("PO1", strconv.Itoa(i+1), strconv.Itoa(l.qty), l.uom, price(l.priceCents), "", "UP", l.upc, "VP", l.vp)
		w.seg("PID", "F", "", "", "", l.desc)
	}
	w.seg("CTT", strconv.Itoa(len(o.lines)), strconv.Itoa(sum))
	w.seg("SE", strconv.Itoa(w.segments-start+1), ctl)
}

func writeEdifactOrder(w *emitter, o order, ref string) {
	start := w.segments
	w.seg("UNH", ref, "ORDERS:D:96A:UN")
	w.seg("BGM", "220", o.po, "9")
	w.seg("DTM", "137:"+o.date+":102")
	w.seg("DTM", "2:"+o.reqDate+":102")
	w.seg("RFF", "DP:"+o.dept)
	for _, p := range o.parties {
		w.seg("NAD", p.code, p.id+"::92", "", p.name, p.street, p.city, p.state, p.zip, "US")
	}
	for i, l := range o.lines {
		w.seg("LIN", strconv.Itoa(i+1), "", l.upc+":UP")
		w.seg("PIA", "1", l.vp+":VP")
		w.seg("IMD", "F", "", ":::"+l.desc)
		w.seg("QTY", "21:"+strconv.Itoa(l.qty)+":"+l.uom)
		w.seg("PRI", "AAA:"+price(l.priceCents))
	}
	w.seg("UNS", "S")
	w.seg("CNT", "2:"+strconv.Itoa(len(o.lines)))
	w.seg("UNT", strconv.Itoa(w.segments-start+1), ref)
}
