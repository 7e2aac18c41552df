package doctree_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/b2bgw/b2bgw/internal/doctree"
)

// TestEDIFACTSegLookups checks the lookups by position (SegElemText,
// SegElemEquals, SegCompText, SegCompEquals, SegElemKids, SegPickText)
// against the named lookups and the * steps they stand for, on every
// segment of messages with and without directory entries, repetitions,
// release characters and empty parts, for every element and component
// position up to past the last.
func TestEDIFACTSegLookups(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		shaped   bool
	}{
		{"repetitions, release characters, empty parts", "UNA:+.?*'UNB+UNOC:4+S:14+R:14+20251126:1200+1'UNH+1+ORDERS:D:96A:UN'BGM+220+PO:1+9'" +
			"DTM+137:20251126:102'DTM+2::203*:x:y'NAD+BY+1::9++:?:b:+x*:y*+*z'ZZZ+a:b+c*d:e+f?:g'" +
			"LIN+1++4000862141404:EN'PIA+1+:SA+X?:1:IN*Y::SA*SA:SA'QTY+21:5*12:6'UNT+10+1'UNZ+1+1'", true},
		{"no repetition separator, nothing released", "UNA:+.? 'UNB+UNOC:3+S:14+R:14+20251126:1200+1'UNH+1+ORDERS:D:96A:UN'BGM+220:x+PO:1+9'" +
			"DTM+137:20251126:102'NAD+BY+1::9++:b:+x+:z'ZZZ+a:b+c::d'LIN+1++4000862141404:EN'PIA+1+:SA+X:1:IN+::'QTY+21:5'UNT+9+1'UNZ+1+1'", true},
		{"flat, no repetition separator", "UNA:+.? 'UNB+UNOC:3+S:14+R:14+20251126:1200+1'UNH+1+ORDERS:D:96A:UN'" +
			"PIA+5+VP-1:SA+BUY?:1:IN'IMD+F++:::Wid?'get'NAD+DP+8712345000011::92++DC+:only second'UNT+5+1'UNZ+1+1'", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := edifactTreeBytes(t, []byte(tt.in), tt.shaped)
			checked := 0
			var segs []int32
			var visit func(x int32)
			visit = func(x int32) {
				for c := tr.FirstElem(x); c != doctree.NoHandle; c = tr.NextElem(c) {
					if k := tr.Node(c).Kind(); k == doctree.KindSegment {
						segs = append(segs, c)
					} else if k == doctree.KindLoop {
						visit(c)
					}
				}
			}
			visit(tr.Root())
			for _, x := range segs {
				if !tr.IsSegment(x) {
					t.Fatalf("%s is not a segment", tr.Node(x).Name())
				}
				tag := tr.Node(x).Name()
				for el := 1; el <= 7; el++ {
					checked++
					e := fmt.Sprintf("%s%02d", tag, el)
					en := doctree.CompileName(e)
					var reps []int32
					for c := tr.FirstChildName(x, en); c != doctree.NoHandle; c = tr.NextNamed(c) {
						reps = append(reps, c)
					}
					got, ok := tr.SegElemText(x, el)
					want, wantOK := tr.ChildTextName(x, en)
					if ok != wantOK || string(got) != string(want) {
						t.Errorf("SegElemText(%s, %d) = %q, %v; ChildTextName %q, %v", tag, el, got, ok, want, wantOK)
					}
					var all []string
					var kids []string
					for _, r := range reps {
						all = append(all, string(tr.Text(r)))
						for k := tr.FirstElem(r); k != doctree.NoHandle; k = tr.NextElem(k) {
							kids = append(kids, tr.Node(k).Name()+"="+string(tr.Text(k)))
						}
					}
					for _, lit := range append(all, "nope", "") {
						if got, want := tr.SegElemEquals(x, el, "nope", lit), slices.Contains(all, lit); got != want {
							t.Errorf("SegElemEquals(%s, %d, %q) = %v; nodes %q", tag, el, lit, got, all)
						}
					}
					var gotKids []string
					for _, k := range tr.SegElemKids(x, el, nil) {
						gotKids = append(gotKids, tr.Node(k).Name()+"="+string(tr.Text(k)))
					}
					if !slices.Equal(gotKids, kids) {
						t.Errorf("SegElemKids(%s, %d) = %q; the * step gives %q", tag, el, gotKids, kids)
					}
					for c := 1; c <= 5; c++ {
						cn := doctree.CompileName(fmt.Sprintf("%s_%02d", e, c))
						got, ok := tr.SegCompText(x, el, c)
						want, wantOK := tr.ChildText2Name(x, en, cn)
						if ok != wantOK || string(got) != string(want) {
							t.Errorf("SegCompText(%s, %d, %d) = %q, %v; ChildText2Name %q, %v", tag, el, c, got, ok, want, wantOK)
						}
						var comps []string
						for _, r := range reps {
							for d := tr.FirstChildName(r, cn); d != doctree.NoHandle; d = tr.NextNamed(d) {
								comps = append(comps, string(tr.Text(d)))
							}
						}
						for _, lit := range append(comps, "nope", "") {
							if got, want := tr.SegCompEquals(x, el, c, lit, "nope"), slices.Contains(comps, lit); got != want {
								t.Errorf("SegCompEquals(%s, %d, %d, %q) = %v; nodes %q", tag, el, c, lit, got, comps)
							}
						}
					}
				}
				// *[*[k]='lit']/*[j] by handles: the element children in
				// order, each asked for its kth and jth child.
				for k := 1; k <= 3; k++ {
					for j := 1; j <= 3; j++ {
						for _, lit := range []string{"SA", "IN", "X:1", "x", "9", ""} {
							want, wantOK := "", false
							for r := tr.FirstElem(x); r != doctree.NoHandle && !wantOK; r = tr.NextElem(r) {
								if q, ok := tr.NthElemText(r, k); !ok || string(q) != lit {
									continue
								}
								if v, ok := tr.NthElemText(r, j); ok {
									want, wantOK = string(v), true
								}
							}
							got, ok := tr.SegPickText(x, k, lit, j)
							if ok != wantOK || string(got) != want {
								t.Errorf("SegPickText(%s, %d, %q, %d) = %q, %v; want %q, %v", tag, k, lit, j, got, ok, want, wantOK)
							}
						}
					}
				}
			}
			if checked < 5*7 {
				t.Fatalf("checked %d elements, want at least 35", checked)
			}
		})
	}
}
