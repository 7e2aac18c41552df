package canonical

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// sameVerdict fails t unless the fast checker agrees with the strict path
// on doc: it never accepts what the strict path rejects, and Check returns
// the strict path's very error.
func sameVerdict(t *testing.T, k DocumentKind, name string, doc []byte) (strictOK bool) {
	t.Helper()
	strict := checkStrict(k, doc)
	if fastValid(k, doc) && strict != nil {
		t.Errorf("%s: fast accepts, strict rejects: %v\n%s", name, strict, doc)
	}
	if got := Check(k, doc); (got == nil) != (strict == nil) || (got != nil && got.Error() != strict.Error()) {
		t.Errorf("%s: Check = %v, strict = %v", name, got, strict)
	}
	return strict == nil
}

// TestCheckEveryField puts each kind of wrong value in every member of
// every valid golden document of the kinds the fast checker validates
// itself, and deletes every member, holding Check to the strict path.
// Unlike TestCheckEquivalence's mutations it samples nothing.
func TestCheckEveryField(t *testing.T) {
	wrong := []struct {
		name  string
		value string // "" deletes the member
	}{
		{"missing", ""},
		{"null", `null`},
		{"wrong type object", `{}`},
		{"wrong type array", `[]`},
		{"wrong type bool", `true`},
		{"wrong type number", `7`},
		{"wrong type string", `"7"`},
		{"blank", `" "`},
		{"bad enum", `"not_a_code"`},
		{"enum in upper case", `"ORIGINAL"`},
		{"bad date", `"2025-02-30"`},
		{"date without zero padding", `"2025-2-01"`},
		{"date-time as date", `"2025-01-31T10:00:00Z"`},
		{"bad date-time", `"2025-01-31T25:00:00Z"`},
		{"negative decimal", `-1.5`},
		{"zero decimal", `0.00`},
		{"decimal with exponent", `2.5e1`},
		{"decimal too long", `1234567890.1234567890`},
		{"decimal as string", `"12.50"`},
		{"bad decimal string", `"1,5"`},
		{"leading zero", `01`},
		{"escaped string", `"\u0041B"`},
		{"non-ASCII string", `"café"`},
		{"control byte", "\"a\tb\""},
		{"bad GTIN", `"00012345678906"`},
		{"bad SSCC", `"000000000000000001"`},
	}
	kinds := map[DocumentKind]bool{KindOrder: true, KindShipmentNotice: true, KindWarehouseShippingAdvice: true, KindInventoryAdvice: true}
	files, _ := filepath.Glob("testdata/*.json")
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		doc := compact(t, raw)
		k := kindOfDoc(doc)
		if !kinds[k] {
			continue
		}
		t.Run(filepath.Base(f), func(t *testing.T) {
			if !sameVerdict(t, k, "original", doc) {
				t.Fatalf("the golden document does not validate")
			}
			dec := json.NewDecoder(bytes.NewReader(doc))
			dec.UseNumber()
			root := parseNode(dec)
			count := len(root.all(nil))
			cases := 0
			for idx := range count {
				if n := root.all(nil)[idx]; n.array || n.isLeaf() {
					continue
				}
				for m := range root.all(nil)[idx].members {
					for _, w := range wrong {
						r := root.clone()
						obj := r.all(nil)[idx]
						key := obj.keys[m]
						if w.value == "" {
							obj.keys = append(obj.keys[:m:m], obj.keys[m+1:]...)
							obj.members = append(obj.members[:m:m], obj.members[m+1:]...)
						} else {
							obj.members[m] = &node{raw: w.value}
						}
						var b bytes.Buffer
						r.write(&b)
						sameVerdict(t, k, "node "+strconv.Itoa(idx)+" ."+key+": "+w.name, b.Bytes())
						cases++
					}
				}
			}
			t.Logf("%d documents", cases)
		})
	}
}

// TestCheckStateReuse decodes a stream of documents into one reused state
// per kind, valid ones between broken ones that fail halfway, and holds
// every decoded document to encoding/json's: the state is never reset, so
// nothing of an earlier document may survive into a later one.
func TestCheckStateReuse(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	byKind := map[DocumentKind][][]byte{}
	for _, doc := range goldenDocs(t) {
		k := kindOfDoc(doc)
		byKind[k] = append(byKind[k], doc)
		for _, m := range mutations(t, doc, rng) {
			if rng.IntN(16) == 0 {
				byKind[k] = append(byKind[k], m.doc)
			}
		}
	}
	for _, k := range documentKinds {
		docs := byKind[k]
		if len(docs) == 0 {
			continue
		}
		d := New(k)
		rv := reflect.ValueOf(d)
		st := &fstate{doc: d, p: planOf(rv.Type().Elem()), ptr: rv.UnsafePointer()}
		decoded := 0
		for i := range 3 * len(docs) {
			doc := docs[rng.IntN(len(docs))]
			if !st.decode(k, doc) {
				continue
			}
			decoded++
			want := New(k)
			dec := json.NewDecoder(bytes.NewReader(doc))
			dec.DisallowUnknownFields()
			if err := dec.Decode(want); err != nil {
				t.Fatalf("%s, document %d: the reused state decodes, encoding/json fails: %v\n%s", k, i, err, doc)
			}
			if !sameValue(reflect.ValueOf(st.doc), reflect.ValueOf(want)) {
				a, _ := json.Marshal(st.doc)
				b, _ := json.Marshal(want)
				t.Fatalf("%s, document %d: the reused state decoded\n%s\nencoding/json\n%s", k, i, a, b)
			}
			if fastValidate(st.doc) != (want.Validate() == nil) {
				t.Fatalf("%s, document %d: fast validation %v, Validate %v", k, i, fastValidate(st.doc), want.Validate())
			}
		}
		if decoded < len(docs)/4 {
			t.Errorf("%s: only %d of %d decoded", k, decoded, 3*len(docs))
		}
	}
}

// sameValue is reflect.DeepEqual but for nil and empty slices, which a
// reused state holds where encoding/json has nil (no rule tells them
// apart), and unexported fields of time.Time, compared with Equal and the
// offset.
func sameValue(a, b reflect.Value) bool {
	if a.Type() != b.Type() {
		return false
	}
	switch a.Kind() {
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return sameValue(a.Elem(), b.Elem())
	case reflect.Slice:
		if a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !sameValue(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Struct:
		if a.Type() == reflect.TypeFor[DateTime]() {
			x, y := a.Interface().(DateTime), b.Interface().(DateTime)
			return x.String() == y.String() && x.Time().Equal(y.Time())
		}
		for i := range a.NumField() {
			if !sameValue(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	}
	return a.Equal(b)
}

// FuzzCheck holds the fast checker to the strict path on any bytes, for
// every kind: never a document accepted that the strict path rejects,
// always the strict path's error, and a fast decoding equal to
// encoding/json's. Run it with a short -fuzzminimizetime (2s): the seeds
// are whole documents, and minimizing each new input for the default
// minute leaves little time for fuzzing.
func FuzzCheck(f *testing.F) {
	for _, doc := range goldenDocs(f) {
		f.Add(doc)
	}
	for _, name := range []string{"orders-x12.jsonl", "orders-edifact.jsonl"} {
		data, err := os.ReadFile(filepath.Join("testdata", "bench", name))
		if err != nil {
			f.Fatal(err)
		}
		for _, doc := range bytes.SplitN(data, []byte("\n"), 3)[:2] {
			f.Add(doc)
		}
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		for _, k := range documentKinds {
			sameVerdict(t, k, string(k), doc)
			fd, ok := fastDecode(k, doc)
			if !ok {
				continue
			}
			want := New(k)
			dec := json.NewDecoder(bytes.NewReader(doc))
			dec.DisallowUnknownFields()
			if err := dec.Decode(want); err != nil {
				t.Fatalf("%s: fast decodes, encoding/json fails: %v", k, err)
			}
			if !reflect.DeepEqual(fd, want) {
				t.Fatalf("%s: decoded differently", k)
			}
		}
	})
}

// TestPlanFieldLookup checks that every struct of every document kind
// finds each field by name through its perfect hash and by expect, and
// finds nothing for near misses.
func TestPlanFieldLookup(t *testing.T) {
	seen := map[*plan]bool{}
	var walk func(p *plan)
	walk = func(p *plan) {
		if p == nil || seen[p] {
			return
		}
		seen[p] = true
		walk(p.elem)
		if p.kind != pStruct {
			return
		}
		if p.byName == nil {
			t.Errorf("%s: no perfect hash of its field names", p.t)
		}
		for i := range p.fieldList {
			f := &p.fieldList[i]
			walk(f.p)
			name := f.name()
			if got := p.field([]byte(name)); got != f {
				t.Errorf("%s: field(%q) = %v", p.t, name, got)
			}
			for _, miss := range []string{name[:len(name)-1], name + "x", "x" + name[1:], strings.ToUpper(name), name[1:]} {
				if got := p.field([]byte(miss)); got != nil && got.name() != miss {
					t.Errorf("%s: field(%q) = %q", p.t, miss, got.quoted)
				}
			}
			// expect: the key in place, followed by what a document has there
			for _, rest := range []string{f.quoted, f.quoted + `"some value",`, f.quoted + `1}`, f.quoted + ` {"a":1}`} {
				if got := p.expect([]byte(rest), 0); got != f {
					t.Errorf("%s: expect(%q) = %v", p.t, rest, got)
				}
				if got := p.expect([]byte(rest), i); got != f {
					t.Errorf("%s: expect(%q) from its own index = %v", p.t, rest, got)
				}
				if got := p.expect([]byte(rest), i+1); got != nil {
					t.Errorf("%s: expect(%q) after its own index = %v", p.t, rest, got)
				}
			}
			// a space before the colon is left to the lookup by name
			for _, rest := range []string{name + `x":1,"a":"bcdefghijklmnop"`, strings.ToUpper(f.quoted) + `1,"a":1`, name, name + `"`, name + `" :1,"a":"bcdefghijklmnop"`, name + `"1:,"a":"bcdefghijklmnop"`, name + `\u0041":1,"a":1`} {
				if got := p.expect([]byte(rest), 0); got != nil && !strings.HasPrefix(rest, got.quoted) {
					t.Errorf("%s: expect(%q) = %q", p.t, rest, got.quoted)
				}
			}
		}
	}
	for _, d := range documentTypes {
		walk(planOf(d.typ))
	}
	if len(seen) < 30 {
		t.Errorf("only %d plans walked", len(seen))
	}
}

// TestPlainPrefix holds the eight-bytes-at-a-time scan to a byte loop for
// every byte value at every position of strings around a word's length.
func TestPlainPrefix(t *testing.T) {
	naive := func(b []byte) int {
		for i, c := range b {
			if c == '"' || c == '\\' || c < 0x20 || c >= 0x80 {
				return i
			}
		}
		return len(b)
	}
	for n := range 20 {
		for pos := range n {
			for c := range 256 {
				b := bytes.Repeat([]byte{'a'}, n)
				b[pos] = byte(c)
				if got, want := plainPrefix(b), naive(b); got != want {
					t.Fatalf("plainPrefix(%q) = %d, want %d", b, got, want)
				}
				if pos+1 < n { // a special byte after the first one
					b[pos+1] = 0x80
					if got, want := plainPrefix(b), naive(b); got != want {
						t.Fatalf("plainPrefix(%q) = %d, want %d", b, got, want)
					}
				}
			}
		}
	}
}

// TestFastLeaves holds the in-place readers of dates and decimals to the
// parsers they stand in for.
func TestFastLeaves(t *testing.T) {
	dates := []string{"2024-02-29", "2025-02-29", "2025-12-31", "2025-13-01", "2025-00-10", "0000-01-01", "0001-01-01",
		"9999-12-31", "2025-04-31", "2025-1a-01", "2025/01/01", "2025-01-3:", "2025-01-3/", "2025-01-0" + "\x80", " 2025-01-01"}
	for y := 0; y < 10000; y += 97 {
		dates = append(dates, strconv.Itoa(10000 + y)[1:]+"-02-29")
	}
	for _, s := range dates {
		got, ok := quickDate([]byte(`"` + s + `"`))
		want, err := ParseDate(s)
		if ok && (err != nil || got != want) {
			t.Errorf("quickDate(%q) = %v, ParseDate = %v, %v", s, got, want, err)
		}
		if !ok && err == nil && len(s) == 10 && want.Year >= 1 {
			t.Errorf("quickDate(%q) refuses what ParseDate reads as %v", s, want)
		}
	}

	numbers := []string{"0", "-0", "7", "-7", "12.50", "0.000", "-0.001", "123456789012345678", "1234567890123456789",
		"0.123456789012345678", "0.0000000000000000001", "1.", "-", "01", "1e2", "1E+2", "2.5e-1", ".5", "1.5.5", "99999999999999999999",
		// around the in-place limit of 18 digits, leading zeros counted
		"0.00000000000000001", "0.000000000000000012", "-1234567890.1234567", "-1234567890.12345678", "1.00000000000000000",
		"1.000000000000000000", "00.5", "-01.5", "0.", "-.5", "9223372036854775807", "18446744073709551616"}
	for _, s := range numbers {
		for _, after := range []string{"", ",", "}", "]", " ", "x"} {
			d := fdecoder{data: []byte(s + after)}
			got, ok := d.decimal()
			want, err := parseDecimal(s, '.', true)
			var grammar fdecoder
			grammar.data = []byte(s + after)
			if ok != (err == nil && grammar.number() && grammar.i == len(s)) || (ok && got != want) {
				t.Errorf("decimal(%q) = %v, %v; parseDecimal = %v, %v", s+after, got, ok, want, err)
			}
			if ok && d.i != len(s) {
				t.Errorf("decimal(%q) stops at %d, want %d", s+after, d.i, len(s))
			}
		}
	}
}

// TestRepeatChecks holds the allocation-free repeat checks of the fast
// validators to Validate on the cases their shortcuts must get right.
func TestRepeatChecks(t *testing.T) {
	lines := func(ns ...string) []OrderLine {
		var ls []OrderLine
		for _, n := range ns {
			ls = append(ls, OrderLine{LineNumber: n})
		}
		return ls
	}
	many := func(last string) []string {
		var ns []string
		for i := 1; i <= 70; i++ {
			ns = append(ns, strconv.Itoa(i))
		}
		return append(ns, last)
	}
	for _, c := range []struct {
		name  string
		lines []OrderLine
		dup   bool
	}{
		{"none", nil, false},
		{"counting up", lines("1", "2", "10"), false},
		{"repeat after counting up", lines("1", "2", "2"), true},
		{"same number, different text", lines("1", "01"), false},
		{"same text with leading zero", lines("01", "1", "01"), true},
		{"counting down", lines("3", "2", "1"), false},
		{"empty ones are no repeats", lines("", "1", ""), false},
		{"text", lines("A", "B", "A"), true},
		{"long, counting up", lines(many("71")...), false},
		{"long, repeat at the end", lines(many("7")...), true},
		{"long, text repeat", lines(append(many("x"), "x")...), true},
	} {
		if got := hasDupLineNumbers(c.lines); got != c.dup {
			t.Errorf("%s: hasDupLineNumbers = %v, want %v", c.name, got, c.dup)
		}
	}

	item := func(p ProductRef, wh string) InventoryItem { return InventoryItem{Product: p, Warehouse: wh} }
	ids := func(q, v string) ProductRef { return ProductRef{IDs: []Identifier{{Qualifier: q, Value: v}}} }
	for _, c := range []struct {
		name  string
		items []InventoryItem
	}{
		{"same GTIN", []InventoryItem{item(ProductRef{GTIN: "1"}, "A"), item(ProductRef{GTIN: "1"}, "A")}},
		{"same GTIN, other warehouse", []InventoryItem{item(ProductRef{GTIN: "1"}, "A"), item(ProductRef{GTIN: "1"}, "B")}},
		{"GTIN and vendor part", []InventoryItem{item(ProductRef{GTIN: "1"}, ""), item(ProductRef{VendorPartNumber: "1"}, "")}},
		{"id that spells a GTIN key", []InventoryItem{item(ProductRef{GTIN: "1"}, ""), item(ids("gtin", "1"), "")}},
		{"ids that join alike", []InventoryItem{item(ids("a:b", "c"), ""), item(ids("a", "b:c"), "")}},
		{"ids that differ", []InventoryItem{item(ids("a", "b"), ""), item(ids("a", "c"), "")}},
		{"no product", []InventoryItem{item(ProductRef{}, ""), item(ProductRef{}, "")}},
	} {
		want := false
		seen := map[[2]string]bool{}
		for _, it := range c.items {
			k := [2]string{productKey(it.Product), it.Warehouse}
			want = want || (seen[k] && k[0] != "")
			seen[k] = true
		}
		if got := hasDupInventoryItems(c.items); got != want {
			t.Errorf("%s: hasDupInventoryItems = %v, want %v", c.name, got, want)
		}
		long := append([]InventoryItem(nil), c.items...)
		for i := range 40 {
			long = append([]InventoryItem{item(ProductRef{GTIN: "pad" + strconv.Itoa(i)}, "")}, long...)
		}
		if got := hasDupInventoryItems(long); got != want {
			t.Errorf("%s, after 40 other items: hasDupInventoryItems = %v, want %v", c.name, got, want)
		}
	}

	var set stringSet
	for i := range 40 {
		if !set.add(strconv.Itoa(i)) {
			t.Fatalf("stringSet: %d is not new", i)
		}
	}
	for _, s := range []string{"0", "15", "16", "39"} {
		if set.add(s) {
			t.Errorf("stringSet: %s is new a second time", s)
		}
	}
}

// TestCheckKeySpacing holds the fast checker to the strict path on valid
// documents whose keys are not followed by a bare colon, which expect
// does not match: those keys are found by name, and the documents must
// still be proved valid without the strict path.
func TestCheckKeySpacing(t *testing.T) {
	spacings := []struct {
		name     string
		from, to string
	}{
		{"compact", `":`, `":`},
		{"space after the colon", `":`, `": `},
		{"space before the colon", `":`, `" :`},
		{"newline and tab around the colon", `":`, "\"\n:\t"},
	}
	orders := 0
	for _, doc := range goldenDocs(t) {
		k := kindOfDoc(doc)
		if k != KindOrder || checkStrict(k, doc) != nil {
			continue
		}
		orders++
		for _, sp := range spacings {
			// golden orders have no `":` inside a string value, so this
			// only touches keys
			spaced := bytes.ReplaceAll(doc, []byte(sp.from), []byte(sp.to))
			if !sameVerdict(t, k, sp.name, spaced) {
				t.Fatalf("%s: the spaced golden order does not validate:\n%s", sp.name, spaced)
			}
			if !fastValid(k, spaced) {
				t.Errorf("%s: the fast checker does not prove a valid order valid:\n%s", sp.name, spaced)
			}
			fd, ok := fastDecode(k, spaced)
			if !ok {
				t.Fatalf("%s: fastDecode refuses", sp.name)
			}
			want, _ := fastDecode(k, doc)
			if !reflect.DeepEqual(fd, want) {
				t.Errorf("%s: decoded differently from the compact order", sp.name)
			}
		}
	}
	if orders == 0 {
		t.Fatal("no valid golden order")
	}
}

// TestCheckEnvelopeMemo decodes a sequence of orders into one reused
// state, each from a buffer that is overwritten once the next one is
// decoded, as a caller that reuses its buffer does: the file, interchange and group
// objects a document repeats from the one before are not decoded again
// (fstate.memos), and must still hold what encoding/json decodes, also
// after documents without them, with other ones, or broken inside them.
func TestCheckEnvelopeMemo(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "bench", "orders-x12.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	order := string(bytes.SplitN(data, []byte("\n"), 2)[0])
	file := order[strings.Index(order, `"file":{`):]
	file = file[:strings.IndexByte(file, '}')+2] // with its comma
	group := order[strings.Index(order, `"group":{`):]
	group = group[:strings.IndexByte(group, '}')+2]
	otherFile := strings.Replace(file, `"sha256":"e`, `"sha256":"f`, 1)
	if otherFile == file {
		t.Fatal("the order's file has no sha256 to change")
	}
	steps := []struct {
		name    string
		doc     string
		decodes bool
	}{
		{"first", order, true},
		{"same envelope", order, true},
		{"without file", strings.Replace(order, file, "", 1), true},
		{"file back", order, true},
		{"another file", strings.Replace(order, file, otherFile, 1), true},
		{"file back again", order, true},
		{"file spaced", strings.Replace(order, `"file":{"name":`, `"file": { "name" :`, 1), true},
		{"file back after spaces", order, true},
		{"broken inside file", strings.Replace(order, `"size":`, `"size":"`, 1), false},
		{"file back after a failure", order, true},
		{"broken after the envelope", strings.Replace(order, `"purpose":`, `"purpose":null,"x":`, 1), false},
		{"same envelope after a failure", order, true},
		{"group left out", strings.Replace(order, group, "", 1), true},
		{"group back", order, true},
		{"file moved to the end", strings.Replace(strings.Replace(order, file, "", 1), `,"set":`, ","+strings.TrimSuffix(file, ",")+`,"set":`, 1), true},
		{"file with a bad sha256", strings.Replace(order, `"sha256":"e`, `"sha256":"E`, 1), true},
		{"file back after a bad one", order, true},
	}
	d := New(KindOrder)
	rv := reflect.ValueOf(d)
	st := &fstate{doc: d, p: planOf(rv.Type().Elem()), ptr: rv.UnsafePointer()}
	var prev []byte
	for _, s := range steps {
		buf := []byte(s.doc)
		ok := st.decode(KindOrder, buf)
		for i := range prev {
			prev[i] = 'x' // what the caller does to the document before
		}
		prev = buf
		if ok != s.decodes {
			t.Fatalf("%s: decodes %v, want %v", s.name, ok, s.decodes)
		}
		if !ok {
			continue
		}
		want := New(KindOrder)
		if err := json.Unmarshal([]byte(s.doc), want); err != nil {
			t.Fatalf("%s: encoding/json: %v", s.name, err)
		}
		if !sameValue(reflect.ValueOf(st.doc), reflect.ValueOf(want)) {
			a, _ := json.Marshal(st.doc)
			b, _ := json.Marshal(want)
			t.Fatalf("%s: the reused state decoded\n%s\nencoding/json\n%s", s.name, a, b)
		}
		if fastValidate(st.doc) != (want.Validate() == nil) {
			t.Fatalf("%s: fast validation %v, Validate %v", s.name, fastValidate(st.doc), want.Validate())
		}
	}
}

// TestLowerHex64 holds the eight-bytes-at-a-time sha256 test to the
// pattern, byte by byte: every byte value at every position of a word.
func TestLowerHex64(t *testing.T) {
	valid := strings.Repeat("0123456789abcdef", 4)
	cases := []struct {
		name string
		s    string
		want bool
	}{
		{"valid", valid, true},
		{"short", valid[:63], false},
		{"long", valid + "0", false},
		{"upper case", strings.ToUpper(valid), false},
		{"empty", "", false},
	}
	for _, c := range cases {
		if got := lowerHex64(c.s); got != c.want {
			t.Errorf("%s: lowerHex64(%q) = %v, want %v", c.name, c.s, got, c.want)
		}
	}
	for pos := range 9 { // each position of the first word, and the second word's first
		for v := range 256 {
			b := []byte(valid)
			b[pos] = byte(v)
			want := okChars(string(b), 64, 64, "09af")
			if got := lowerHex64(string(b)); got != want {
				t.Errorf("byte %#x at %d: lowerHex64 = %v, okChars = %v", v, pos, got, want)
			}
		}
	}
}
