package mapping

import (
	"os"
	"strings"
	"testing"

	"github.com/antchfx/xpath"
)

func x12Trees(t testing.TB, path string) []Tree {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	trees, err := ParseX12(data)
	if err != nil {
		t.Fatal(err)
	}
	return trees
}

// TestX12Golden maps real X12 through the document tree: the same base
// mapping that the XML-shaped tests use, since the tree shape is the
// contract.
func TestX12Golden(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ input, golden string }{
		{"../../testdata/x12/850-4010-basic.x12", "850-4010-basic.json"},
		{"../../testdata/x12/850-4010-pipe-crlf.x12", "850-4010-pipe-crlf.json"},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			t.Parallel()
			m, err := Load("testdata/850/base-850.yaml")
			if err != nil {
				t.Fatal(err)
			}
			var out []byte
			for _, tr := range x12Trees(t, tc.input) {
				v, err := m.Translate(tr)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, indent(t, v)...)
			}
			golden(t, tc.golden, out)
		})
	}
}

// TestX12FastPathAgreesWithXPath repeats the differential test over the
// X12 document tree, where Text comes from segment bytes.
func TestX12FastPathAgreesWithXPath(t *testing.T) {
	t.Parallel()
	tr := x12Trees(t, "../../testdata/x12/850-4010-basic.x12")[0]
	for _, src := range []string{
		"BEG/BEG03", "REF[REF01='DP']/REF02", "N1Loop[N1/N101='BT']/N1/N102", "N1Loop[1]/N4/N401",
		"PO1Loop/PO1/PO107", "PO1Loop[2]/PIDLoop/PID/PID05", "PO1Loop[PO1/PO103='CS']/PO1/PO101",
		"DTM[DTM01='002']/DTM02", "CTTLoop/CTT/CTT02", "N1Loop/N3/N301",
	} {
		fp := compileFast(src)
		if fp == nil {
			t.Fatalf("%s: not on the fast path", src)
		}
		fast := texts(tr, fp.selectAll(viewOf(tr), tr.Root(), nil))
		var slow []string
		it := xpath.MustCompile(src).Select(tr.Navigator(tr.Root()))
		for it.MoveNext() {
			slow = append(slow, it.Current().Value())
		}
		if len(slow) == 0 || strings.Join(fast, "|") != strings.Join(slow, "|") {
			t.Errorf("%s: fast %q, xpath %q", src, fast, slow)
		}
	}
}

// TestX12FieldErrorPosition checks that a rejected X12 value names its
// segment, element and line.
func TestX12FieldErrorPosition(t *testing.T) {
	t.Parallel()
	m := loadString(t, head+"fields:\n  l: {foreach: PO1Loop, fields: {q: {from: PO1/PO103, type: decimal}}}\n")
	_, err := m.Translate(x12Trees(t, "../../testdata/x12/850-4010-basic.x12")[0])
	want := `m.yaml:4:34: l[0].q (PO1/PO103) = "EA" at line 11, segment 9, element 3: not a number: want digits with an optional leading minus and one decimal point, at most 18 digits`
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("got  %v\nwant %s", err, want)
	}
}

// TestPositionAfterPredicate pins a place where antchfx/xpath v1.3.9 and
// the XPath 1.0 recommendation (section 2.4: a position counts within each
// context node's children) disagree: for PO1Loop/PO1[PO106='UP'][1]/PO107
// antchfx returns only the first match in the whole document. The fast
// path follows the recommendation, which is also what an analyst means:
// the first UP line item of every loop.
func TestPositionAfterPredicate(t *testing.T) {
	t.Parallel()
	tr := x12Trees(t, "../../testdata/x12/850-4010-basic.x12")[0]
	fp := compileFast("PO1Loop/PO1[PO106='UP'][1]/PO107")
	got := strings.Join(texts(tr, fp.selectAll(viewOf(tr), tr.Root(), nil)), "|")
	if want := "012345678905|012345678912"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
