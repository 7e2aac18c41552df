package x12

import (
	"strings"
	"testing"

	"github.com/b2bgw/b2bgw/internal/x12/spec"
)

// The fixtures below are small specs written as Go literals: an 850-like
// purchase order with a nested loop (PO1 > PID) and an 856-like ship notice
// with the HL loop. They follow 004010's facts for the segments they use,
// trimmed to what the tests need, so every test states its spec in plain
// sight and does not move when the shipped data files are refined.

type fixtureSource map[string]*spec.TransactionSet

func (f fixtureSource) Set(version, id string) (*spec.TransactionSet, bool) {
	ts, ok := f[version+"/"+id]
	return ts, ok
}

func mustRules(t testing.TB, rules ...string) []spec.Rule {
	out := make([]spec.Rule, len(rules))
	for i, r := range rules {
		var err error
		if out[i], err = spec.ParseRule(r); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// testDictionary is a 004010-like dictionary. Element refs are written as
// "id:usage[:repeat]".
func testDictionary(t testing.TB) *spec.Dictionary {
	d := &spec.Dictionary{
		Version:    "004010",
		Elements:   map[string]*spec.Element{},
		Composites: map[string]*spec.Composite{},
		Segments:   map[string]*spec.Segment{},
		Codes:      map[string]map[string]string{},
	}
	el := func(id, name, typ string, min, max int) {
		d.Elements[id] = &spec.Element{ID: id, Name: name, Type: typ, Min: min, Max: max}
	}
	el("143", "Transaction Set Identifier Code", "ID", 3, 3)
	el("329", "Transaction Set Control Number", "AN", 4, 9)
	el("353", "Transaction Set Purpose Code", "ID", 2, 2)
	el("92", "Purchase Order Type Code", "ID", 2, 2)
	el("324", "Purchase Order Number", "AN", 1, 22)
	el("328", "Release Number", "AN", 1, 30)
	el("373", "Date", "DT", 8, 8)
	el("337", "Time", "TM", 4, 8)
	el("374", "Date/Time Qualifier", "ID", 3, 3)
	el("100", "Currency Code", "ID", 3, 3)
	el("98", "Entity Identifier Code", "ID", 2, 3)
	el("93", "Name", "AN", 1, 60)
	el("66", "Identification Code Qualifier", "ID", 1, 2)
	el("67", "Identification Code", "AN", 2, 80)
	el("166", "Address Information", "AN", 1, 55)
	el("19", "City Name", "AN", 2, 30)
	el("156", "State or Province Code", "ID", 2, 2)
	el("116", "Postal Code", "ID", 3, 15)
	el("128", "Reference Identification Qualifier", "ID", 2, 3)
	el("127", "Reference Identification", "AN", 1, 30)
	el("352", "Description", "AN", 1, 80)
	el("350", "Assigned Identification", "AN", 1, 20)
	el("330", "Quantity Ordered", "R", 1, 15)
	el("355", "Unit or Basis for Measurement Code", "ID", 2, 2)
	el("212", "Unit Price", "R", 1, 17)
	el("639", "Basis of Unit Price Code", "ID", 2, 2)
	el("235", "Product/Service ID Qualifier", "ID", 2, 2)
	el("234", "Product/Service ID", "AN", 1, 48)
	el("349", "Item Description Type", "ID", 1, 1)
	el("354", "Number of Line Items", "N0", 1, 6)
	el("347", "Hash Total", "R", 1, 10)
	el("96", "Number of Included Segments", "N0", 1, 10)
	el("1705", "Implementation Convention Reference", "AN", 1, 35)
	el("396", "Shipment Identification", "AN", 2, 30)
	el("628", "Hierarchical ID Number", "AN", 1, 12)
	el("734", "Hierarchical Parent ID Number", "AN", 1, 12)
	el("735", "Hierarchical Level Code", "ID", 1, 2)
	el("736", "Hierarchical Child Code", "ID", 1, 1)
	el("382", "Number of Units Shipped", "R", 1, 10)
	el("1270", "Code List Qualifier Code", "ID", 1, 3)
	el("1271", "Industry Code", "AN", 1, 30)
	el("554", "Assigned Number", "N0", 1, 6)
	el("522", "Amount Qualifier Code", "ID", 1, 3)
	el("782", "Monetary Amount", "R", 1, 18)
	el("933", "Free-Form Message Text", "AN", 1, 264)

	codes := func(id string, cs ...string) {
		m := map[string]string{}
		for _, c := range cs {
			m[c] = c
		}
		d.Codes[id] = m
	}
	codes("143", "850", "856", "997", "837", "TS1")
	codes("353", "00", "01", "05", "06")
	codes("92", "SA", "NE", "KN", "RL")
	codes("374", "002", "010", "011")
	codes("100", "USD", "CAD", "EUR")
	codes("98", "ST", "BT", "BY", "VN", "SF")
	codes("66", "1", "9", "92")
	codes("128", "DP", "IA", "VR", "PO")
	codes("355", "EA", "CA", "DZ", "PK")
	codes("639", "PE", "CP")
	codes("235", "UP", "VN", "BP", "VP")
	codes("349", "F", "S")
	codes("735", "S", "O", "P", "I")
	codes("736", "0", "1")
	codes("1270", "ABF", "ABK")

	refs := func(spec_ ...string) []spec.ElementRef {
		out := make([]spec.ElementRef, len(spec_))
		for i, s := range spec_ {
			parts := strings.Split(s, ":")
			out[i] = spec.ElementRef{Ref: parts[0], Usage: spec.Usage(parts[1])}
			if len(parts) > 2 {
				out[i].Repeat = int(parts[2][0] - '0')
			}
		}
		return out
	}
	d.Composites["C040"] = &spec.Composite{ID: "C040", Name: "Reference Identifier",
		Components: refs("128:M", "127:M", "128:X", "127:X", "128:X", "127:X"),
		Rules:      mustRules(t, "P0304", "P0506")}
	d.Composites["C022"] = &spec.Composite{ID: "C022", Name: "Health Care Code Information",
		Components: refs("1270:M", "1271:M")}
	seg := func(id, name string, elems []spec.ElementRef, rules ...string) {
		d.Segments[id] = &spec.Segment{ID: id, Name: name, Elements: elems, Rules: mustRules(t, rules...)}
	}
	seg("ST", "Transaction Set Header", refs("143:M", "329:M", "1705:O"))
	seg("SE", "Transaction Set Trailer", refs("96:M", "329:M"))
	seg("BEG", "Beginning Segment for Purchase Order", refs("353:M", "92:M", "324:M", "328:O", "373:M"))
	seg("CUR", "Currency", refs("98:M", "100:M"))
	seg("REF", "Reference Identification", refs("128:M", "127:X", "352:X", "C040:O"), "R0203")
	seg("DTM", "Date/Time Reference", refs("374:M", "373:X", "337:X"), "R0203", "C0302")
	seg("N1", "Name", refs("98:M", "93:X", "66:X", "67:X"), "R0203", "P0304")
	seg("N3", "Address Information", refs("166:M", "166:O"))
	seg("N4", "Geographic Location", refs("19:O", "156:O", "116:O"))
	seg("PO1", "Baseline Item Data", refs("350:O", "330:X", "355:O", "212:X", "639:O", "235:X", "234:X"), "C0302", "C0504", "P0607")
	seg("PID", "Product/Item Description", refs("349:M", "352:X"))
	seg("CTT", "Transaction Totals", refs("354:M", "347:O"))
	seg("BSN", "Beginning Segment for Ship Notice", refs("353:M", "396:M", "373:M", "337:M"))
	seg("HL", "Hierarchical Level", refs("628:M", "734:O", "735:M", "736:O"))
	seg("LIN", "Item Identification", refs("350:O", "235:M", "234:M"))
	seg("SN1", "Item Detail (Shipment)", refs("350:O", "382:M", "355:M"))
	// HI repeats its composite (005010-style repetition), for the
	// repetition tests.
	seg("HI", "Health Care Information Codes", refs("C022:M:3"))
	seg("LX", "Assigned Number", refs("554:M"))
	seg("AMT", "Monetary Amount", refs("522:M", "782:M"))
	seg("N9", "Reference Identification", refs("128:M", "127:X", "352:X"), "R0203")
	seg("MSG", "Message Text", refs("933:M"))
	// XE1 is synthetic: 004010 has few exclusion notes on common
	// segments, and the E rule needs a test.
	seg("XE1", "Synthetic Exclusion Test", refs("127:O", "352:O", "93:O"), "E010203")
	// TD5 is in the directory but not in our 850: "not in defined set".
	seg("TD5", "Carrier Details (Routing Sequence/Transit Time)", refs("133:O"))
	return d
}

func sn(id string, usage spec.Usage, max int) spec.Node {
	return spec.Node{Segment: id, Usage: usage, Max: max}
}

func ln(id string, usage spec.Usage, max int, body ...spec.Node) spec.Node {
	return spec.Node{Loop: id, Usage: usage, Max: max, Body: body}
}

// testSpecs returns an 850, an 856 and a small "HI" set (for repetitions)
// over one dictionary.
func testSpecs(t testing.TB) fixtureSource {
	d := testDictionary(t)
	po := &spec.TransactionSet{ID: "850", Name: "Purchase Order", FunctionalGroup: "PO", Version: "004010", Dict: d,
		Structure: []spec.Node{
			sn("ST", spec.Mandatory, 1),
			sn("BEG", spec.Mandatory, 1),
			sn("CUR", spec.Optional, 1),
			sn("REF", spec.Optional, 3),
			sn("DTM", spec.Optional, 10),
			ln("N1", spec.Optional, 200,
				sn("N1", spec.Mandatory, 1),
				sn("N3", spec.Optional, 2),
				sn("N4", spec.Optional, 1),
				sn("REF", spec.Optional, 12)),
			ln("PO1", spec.Mandatory, 5,
				sn("PO1", spec.Mandatory, 1),
				sn("CUR", spec.Optional, 1),
				ln("PID", spec.Optional, 2,
					sn("PID", spec.Mandatory, 1)),
				sn("DTM", spec.Optional, 10)),
			ln("CTT", spec.Optional, 1,
				sn("CTT", spec.Mandatory, 1)),
			sn("SE", spec.Mandatory, 1),
		}}
	asn := &spec.TransactionSet{ID: "856", Name: "Ship Notice/Manifest", FunctionalGroup: "SH", Version: "004010", Dict: d,
		Structure: []spec.Node{
			sn("ST", spec.Mandatory, 1),
			sn("BSN", spec.Mandatory, 1),
			ln("HL", spec.Mandatory, 0,
				sn("HL", spec.Mandatory, 1),
				sn("LIN", spec.Optional, 1),
				sn("SN1", spec.Optional, 1),
				sn("REF", spec.Optional, 0)),
			ln("CTT", spec.Optional, 1, sn("CTT", spec.Mandatory, 1)),
			sn("SE", spec.Mandatory, 1),
		}}
	hi := &spec.TransactionSet{ID: "837", Name: "test set with repeating composites", Version: "005010", Dict: d,
		Structure: []spec.Node{
			sn("ST", spec.Mandatory, 1),
			sn("HI", spec.Mandatory, 2),
			sn("SE", spec.Mandatory, 1),
		}}
	// TS1 exercises loops whose mandatory segments are not the beginning
	// one, nested, closed by a new iteration and by the trailer.
	ts1 := &spec.TransactionSet{ID: "TS1", Name: "loop test set", Version: "004010", Dict: d,
		Structure: []spec.Node{
			sn("ST", spec.Mandatory, 1),
			ln("LX", spec.Mandatory, 0,
				sn("LX", spec.Mandatory, 1),
				sn("AMT", spec.Mandatory, 1),
				sn("XE1", spec.Optional, 1),
				ln("N9", spec.Optional, 0,
					sn("N9", spec.Mandatory, 1),
					sn("MSG", spec.Mandatory, 2))),
			sn("SE", spec.Mandatory, 1),
		}}
	return fixtureSource{"004010/850": po, "004010/856": asn, "005010/837": hi, "004010/TS1": ts1}
}

// buildSet reads X12 text (segments separated by "~", optional line
// breaks) and builds a Set by hand from the Reader, the way the decoder
// does: ST..SE kept, trailer facts recorded. version is the GS08.
func buildSet(t testing.TB, version, body string) *Set {
	t.Helper()
	s, err := buildSetErr(version, body)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func isaFor(version string) string {
	rep := "U"
	ver := "00401"
	if version >= "005010" {
		rep, ver = "^", "00501"
	}
	return "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240115*1200*" + rep + "*" + ver + "*000000001*0*P*>~\n"
}

func buildSetErr(version, body string) (*Set, error) {
	in := isaFor(version) + "GS*PO*S*R*20240115*1200*1*X*" + version + "~\n" + body
	r := NewReaderBytes([]byte(in))
	g := &Group{Version: version}
	var s *Set
	for {
		seg, err := r.Next()
		if err != nil && (Fatal(err) || seg == nil) {
			if s == nil {
				return nil, err
			}
			return s, nil
		}
		switch {
		case seg.Is("ISA"), seg.Is("GS"):
			continue
		case seg.Is("ST") && s == nil:
			s = &Set{ID: seg.String(1), Control: seg.String(2), ImplementationRef: seg.String(3), Group: g, Pos: seg.Pos}
		case s == nil:
			continue
		}
		s.Segments = append(s.Segments, seg.Clone())
		if seg.Is("SE") {
			s.HasTrailer = true
			s.TrailerCount, s.TrailerControl = seg.String(1), seg.String(2)
			return s, nil
		}
	}
}

// seg joins segments given one per argument, for readable test tables.
func segs(ss ...string) string { return strings.Join(ss, "~\n") + "~\n" }
