package mapping

import (
	"os"
	"strings"
	"testing"
)

// fuzzMappings are the mappings the fuzzer runs over random documents:
// the real 850 mappings plus one that exercises every field form.
var fuzzMappings = []string{
	"testdata/850/base-850.yaml",
	"testdata/850/partner-850.yaml",
}

const fuzzAllForms = head + `timezone: UTC
fields:
  a: X/Y
  b: {from: "X[Y='1'][2]/Z", type: decimal, default: 0}
  c: {from: "X/Y", type: implied, decimals: 3}
  d: {from: X/D, type: datetime, time: X/T}
  e: {from: X/D, type: date, format: MM/DD/CCYY}
  f: {from: X/B, type: boolean, codes: {a: "1", b: ~}}
  g: {pair: {segment: X, first: 1, last: 4, qualifier: [A, B]}}
  h: {foreach: "X[Y != '']", fields: {i: {from: "normalize-space(.)", type: time}, j: {const: 1}}}
  k: {foreach: "//Y", from: ., when: "count(../*) > 1"}
  l: {fields: {m: {from: "X[1]/Y", type: integer}}}
`

// FuzzTranslate feeds random small XML documents to known mappings: the
// evaluator must return a value or field errors, never panic. For random
// fast-path expressions it also checks the fast path against antchfx/xpath.
func FuzzTranslate(f *testing.F) {
	sample, err := os.ReadFile(sampleXML)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(sample), uint8(0), "PO1Loop/PO1/PO102")
	f.Add("<T><X><Y>1</Y><Z>2.5</Z><D>20240101</D><T>1200</T></X><X><Y>1</Y><Z>x</Z></X></T>", uint8(2), "X[Y='1'][2]/Z")
	f.Add("<T><X><X01>A</X01><X02>v</X02><B>a</B></X></T>", uint8(2), "X/X01")
	f.Add("<T/>", uint8(1), "A[B='']")
	var maps []*Mapping
	for _, p := range fuzzMappings {
		m, err := Load(p)
		if err != nil {
			f.Fatal(err)
		}
		maps = append(maps, m)
	}
	maps = append(maps, loadString(f, fuzzAllForms))

	f.Fuzz(func(t *testing.T, doc string, which uint8, expr string) {
		tr, err := ParseXML(strings.NewReader(doc))
		if err != nil {
			return
		}
		m := maps[int(which)%len(maps)]
		v, err := m.Translate(tr)
		if err == nil {
			// The output is always valid JSON.
			if _, err := ParseJSON(v.AppendJSON(nil)); err != nil {
				t.Fatalf("invalid JSON output %s: %v", v.AppendJSON(nil), err)
			}
		}
		if _, _, err2 := m.TranslateTrace(tr); (err == nil) != (err2 == nil) {
			t.Fatalf("Translate and TranslateTrace disagree: %v / %v", err, err2)
		}

		fp := compileFast(expr)
		if fp == nil || positionAfterPredicate(fp) {
			return
		}
		x, err := compileXPath(expr)
		if err != nil {
			t.Fatalf("%q is on the fast path but does not compile as XPath: %v", expr, err)
		}
		fast := texts(tr, fp.selectAll(viewOf(tr), tr.Root(), nil))
		var slow []string
		it := x.Select(tr.Navigator(tr.Root()))
		for it.MoveNext() {
			slow = append(slow, it.Current().Value())
		}
		if strings.Join(fast, "\x00") != strings.Join(slow, "\x00") {
			t.Fatalf("%q: fast %q, xpath %q", expr, fast, slow)
		}
	})
}

// positionAfterPredicate reports a [n] after another predicate, where
// antchfx/xpath departs from XPath 1.0 (see TestPositionAfterPredicate).
func positionAfterPredicate(p *fastPath) bool {
	for _, st := range p.steps {
		for i, pr := range st.preds {
			if pr.pos > 0 && i > 0 {
				return true
			}
			if pr.path != nil && positionAfterPredicate(pr.path) {
				return true
			}
		}
	}
	return false
}
