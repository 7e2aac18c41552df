package mapping

import (
	"bytes"
	"testing"

	"github.com/b2bgw/b2bgw/internal/benchgen"
	"github.com/b2bgw/b2bgw/internal/doctree"
)

// TestChildText2Memo checks the evaluator's remembered first child
// against the tree's own two-step lookup: from every stored node, for
// pairs of names read in runs (the memo hits) and across them (it
// misses), present and absent, repeating segments included.
func TestChildText2Memo(t *testing.T) {
	bench, err := ParseX12(benchgen.X12(3, true))
	if err != nil {
		t.Fatal(err)
	}
	inputs := map[string][]Tree{
		"850-4010-basic": x12Trees(t, "../../testdata/x12/850-4010-basic.x12"),
		"850-5010-nonl":  x12Trees(t, "../../testdata/x12/850-5010-nonl.x12"),
		"benchgen":       bench,
	}
	pairs := [][2]string{
		{"PO1", "PO101"}, {"PO1", "PO102"}, {"PO1", "PO125"},
		{"BEG", "BEG03"}, {"BEG", "BEG05"},
		{"REF", "REF02"}, {"REF", "REF01"}, {"DTM", "DTM02"},
		{"N1", "N102"}, {"N4", "N401"}, {"PO4", "PO401"},
		{"PIDLoop", "PID"}, {"CTTLoop", "CTT"}, {"N1Loop", "N1"},
		{"ZZZ", "ZZZ01"}, {"PO1", "BEG03"},
	}
	names := make([][2]*doctree.Name, len(pairs))
	for i, p := range pairs {
		names[i] = [2]*doctree.Name{doctree.CompileName(p[0]), doctree.CompileName(p[1])}
	}
	for input, trees := range inputs {
		for k, tr := range trees {
			h, ok := tr.(*doctree.Handles)
			if !ok {
				t.Fatalf("%s: tree %d is a %T, not X12 handles", input, k, tr)
			}
			e := &evaluator{t: tr}
			for parent := range Node(h.Tree().Len()) {
				for _, nm := range names {
					got, gok := e.childText2(h, parent, nm[0], nm[1])
					want, wok := h.ChildText2Name(parent, nm[0], nm[1])
					if gok != wok || !bytes.Equal(got, want) {
						t.Errorf("%s tree %d, node %d, %s/%s: %q %v, want %q %v", input, k, parent, nm[0], nm[1], got, gok, want, wok)
					}
				}
			}
		}
	}
}

// TestPairChain checks pair picks over a chain of same-named segments
// (the X12 tree's own lookups) against plainTree and against the values
// x12Lookups holds: the best rank in a later segment, a repeated
// qualifier (the first wins), none at all, and the memo shared with the
// two-step lookups of the same segments.
func TestPairChain(t *testing.T) {
	t.Parallel()
	trees, err := ParseX12([]byte(x12Lookups))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, fields, want string }{
		{"first rank in the first segment", "  p: {pair: {segment: REF, first: 1, last: 2, qualifier: [DP, IA]}}\n", `{"p":"HARDWARE"}`},
		{"first rank in a later segment", "  p: {pair: {segment: REF, first: 1, last: 2, qualifier: [IA, DP]}}\n", `{"p":"V-77"}`},
		{"a lower rank kept when the first is absent", "  p: {pair: {segment: REF, first: 1, last: 2, qualifier: [ZZ, DP]}}\n", `{"p":"HARDWARE"}`},
		{"none", "  p: {pair: {segment: REF, first: 1, last: 2, qualifier: [ZZ]}}\n", `{}`},
		{"after a two-step lookup of the same segment", "  a: REF/REF02\n  p: {pair: {segment: REF, first: 1, last: 2, qualifier: [IA]}}\n  b: REF/REF01\n", `{"a":"HARDWARE","p":"V-77","b":"DP"}`},
		{"dates by qualifier", "  p: {pair: {segment: DTM, first: 1, last: 2, qualifier: ['037', '002']}}\n", `{"p":"20251201"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := loadString(t, head+"fields:\n"+tc.fields)
			got, err := m.TranslateJSON(trees[0], nil)
			if err != nil {
				t.Fatal(err)
			}
			want, err := m.TranslateJSON(plainTree{trees[0]}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want || string(want) != tc.want {
				t.Errorf("got %s, plain tree %s, want %s", got, want, tc.want)
			}
		})
	}
}
