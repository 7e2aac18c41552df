package doctree_test

import (
	"testing"

	"github.com/b2bgw/b2bgw/internal/doctree"
)

// TestSegPicks checks SegPicks against SegPickText for each of its
// literals, on every segment of the messages of TestEDIFACTSegLookups
// (repetitions, release characters, empty parts, with and without
// directory entries) and of plain segments with empty and leading or
// trailing components: every k and j up to past the last component,
// literals that repeat, are empty or match nothing, and answers already
// found (done bits) left as they are.
func TestSegPicks(t *testing.T) {
	t.Parallel()
	cases := append(segLookupCases[:len(segLookupCases):len(segLookupCases)], struct {
		name, in string
		shaped   bool
	}{"plain composites", "UNA:+.? 'UNB+UNOC:3+S:14+R:14+20251126:1200+1'UNH+1+ORDERS:D:96A:UN'" +
		"PIA+1+VP-469095:VP+::SA+SA::IN:+IN:X+:+SA'PIA+5+long-part-number-0123456789:SA:x+a:b:c:d'UNT+4+1'UNZ+1+1'", false})
	litSets := [][]string{{"SA", "IN"}, {"IN", "SA", "VP"}, {"SA", "SA"}, {"", "x", "X:1"}, {"9", "b", "c", "d", "a", "long-part-number-0123456789"}}
	checked := 0
	for _, tt := range cases {
		tr := edifactTreeBytes(t, []byte(tt.in), tt.shaped)
		var visit func(x int32)
		visit = func(x int32) {
			for s := tr.FirstElem(x); s != doctree.NoHandle; s = tr.NextElem(s) {
				if tr.Node(s).Kind() == doctree.KindLoop {
					visit(s)
					continue
				}
				if !tr.IsSegment(s) {
					continue
				}
				for k := 0; k <= 5; k++ {
					for j := 0; j <= 5; j++ {
						for _, lits := range litSets {
							for _, done := range []uint32{0, 1} {
								out := make([][]byte, len(lits))
								out[0] = []byte("kept")
								got := tr.SegPicks(s, k, lits, j, out, done)
								for x, lit := range lits {
									want, ok := tr.SegPickText(s, k, lit, j)
									if done&(1<<x) != 0 {
										want, ok = []byte("kept"), true
									} else if x == 0 && !ok {
										want = []byte("kept") // untouched
									}
									if got&(1<<x) != 0 != ok || string(out[x]) != string(want) {
										t.Errorf("%s: SegPicks(%s, %d, %q, %d, done %b) lit %q: %q, bit %v; want %q, %v",
											tt.name, tr.Node(s).Name(), k, lits, j, done, lit, out[x], got&(1<<x) != 0, want, ok)
									}
									checked++
								}
							}
						}
					}
				}
			}
		}
		visit(tr.Root())
	}
	if checked < 10000 {
		t.Fatalf("checked %d answers, want at least 10000", checked)
	}
}
