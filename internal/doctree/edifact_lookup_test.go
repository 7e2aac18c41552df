package doctree_test

import (
	"slices"
	"testing"

	"github.com/b2bgw/b2bgw/internal/doctree"
)

// TestEDIFACTNthElemText checks NthElemText, the one-pass * step with a
// position, against stepping through the same children with FirstElem
// and NextElem and reading each with Text, for every node of the trees
// (document, root, groups, segments, element repetitions, components) and
// every position up to one past the last child.
func TestEDIFACTNthElemText(t *testing.T) {
	tests := []struct {
		name   string
		tree   func(t *testing.T) *doctree.EDIFACTTree
		minSeg int // nodes checked, so a broken walk cannot pass empty
	}{
		{"orders", func(t *testing.T) *doctree.EDIFACTTree {
			return edifactTree(t, sampleDir+"orders-d96a.edi", true)
		}, 20},
		{"desadv flat", func(t *testing.T) *doctree.EDIFACTTree {
			return edifactTree(t, sampleDir+"desadv-d96a.edi", false)
		}, 20},
		{"repetitions, release characters, empty parts", func(t *testing.T) *doctree.EDIFACTTree {
			in := "UNA:+.?*'UNB+UNOC:4+S:14+R:14+20251126:1200+1'UNH+1+ORDERS:D:96A:UN'BGM+220+PO?+1+9'" +
				"NAD+BY+1::9++:?:b:+x*:y*+*z'PIA+1+:SA+X?:1:IN*Y::SA'FTX+AAA+++a*b??c*:d?*e'UNT+6+1'UNZ+1+1'"
			return edifactTreeBytes(t, []byte(in), true)
		}, 15},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := tt.tree(t)
			checked := 0
			var visit func(x int32)
			visit = func(x int32) {
				checked++
				var kids []int32
				for c := tr.FirstElem(x); c != doctree.NoHandle; c = tr.NextElem(c) {
					kids = append(kids, c)
				}
				for n := 1; n <= len(kids)+1; n++ {
					got, ok := tr.NthElemText(x, n)
					gotS := string(got) // Text may reuse an unescape buffer
					want, wantOK := "", n <= len(kids)
					if wantOK {
						want = string(tr.Text(kids[n-1]))
					}
					if ok != wantOK || gotS != want {
						t.Errorf("NthElemText(%s, %d) = %q, %v; want %q, %v", tr.Node(x).Name(), n, gotS, ok, want, wantOK)
					}
				}
				for _, c := range kids {
					visit(c)
				}
			}
			visit(0)
			if checked < tt.minSeg {
				t.Fatalf("checked %d nodes, want at least %d", checked, tt.minSeg)
			}
			if _, ok := tr.NthElemText(doctree.NoHandle, 1); ok {
				t.Error("NthElemText(NoHandle, 1) found a node")
			}
		})
	}
}

// TestEDIFACTChildText2 checks the two-step lookups ChildText2Name and
// ChildEquals2Name (an element then its component from a segment, a
// segment then its element from a group) against the nodes ENode's
// FirstNamed and NextNamed reach, for every stored node and every element
// and component position, on segments with and without a directory
// entry, a component separator inside an element the directory makes
// simple, repetitions and release characters.
func TestEDIFACTChildText2(t *testing.T) {
	in := "UNA:+.?*'UNB+UNOC:4+S:14+R:14+20251126:1200+1'UNH+1+ORDERS:D:96A:UN'BGM+220+PO:1+9'" +
		"DTM+137:20251126:102'DTM+2::203*:x:y'NAD+BY+1::9++:?:b:+x*:y*+*z'ZZZ+a:b+c*d:e+f?:g'" +
		"LIN+1++4000862141404:EN'PIA+1+:SA+X?:1:IN*Y::SA'UNT+9+1'UNZ+1+1'"
	tr := edifactTreeBytes(t, []byte(in), true)
	pos := func(i int) string { return string(rune('0'+i/10)) + string(rune('0'+i%10)) }
	type pair struct{ n1, n2 string }
	checked := 0
	check := func(x int32, p pair) {
		checked++
		var all []string
		for c := tr.Node(x).FirstNamed(p.n1); !c.IsZero(); c = c.NextNamed() {
			for d := c.FirstNamed(p.n2); !d.IsZero(); d = d.NextNamed() {
				all = append(all, string(d.Bytes()))
			}
		}
		n1, n2 := doctree.CompileName(p.n1), doctree.CompileName(p.n2)
		got, ok := tr.ChildText2Name(x, n1, n2)
		if want := len(all) > 0; ok != want || want && string(got) != all[0] {
			t.Errorf("%s: ChildText2Name(%s, %s) = %q, %v; nodes %q", tr.Node(x).Name(), p.n1, p.n2, got, ok, all)
		}
		for _, lit := range append(all, "nope", "") {
			want := lit != "" && lit != "nope"
			if got := tr.ChildEquals2Name(x, n1, n2, lit); got != want {
				t.Errorf("%s: ChildEquals2Name(%s, %s, %q) = %v; nodes %q", tr.Node(x).Name(), p.n1, p.n2, lit, got, all)
			}
		}
	}
	var visit func(x int32)
	visit = func(x int32) {
		nd := tr.Node(x)
		for c := tr.FirstElem(x); c != doctree.NoHandle; c = tr.NextElem(c) {
			seg := tr.Node(c)
			if seg.Kind() != doctree.KindSegment {
				continue
			}
			for el := 1; el <= 6; el++ {
				e := seg.Name() + pos(el)
				check(x, pair{seg.Name(), e}) // group or root: segment, element
				for comp := 1; comp <= 4; comp++ {
					check(c, pair{e, e + "_" + pos(comp)}) // segment: element, component
				}
			}
		}
		if nd.Kind() != doctree.KindSegment {
			for c := tr.FirstElem(x); c != doctree.NoHandle; c = tr.NextElem(c) {
				if tr.Node(c).Kind() != doctree.KindSegment {
					visit(c)
				}
			}
		}
	}
	visit(tr.Root())
	if checked < 200 {
		t.Fatalf("checked %d lookups, want at least 200", checked)
	}
}

// TestEDIFACTNamedSymbolless checks FirstChildName and NextNamed among
// siblings whose names have no symbol (a damaged tag such as "bgm" is
// kept out of the symbol table), which are compared by text: the names
// asked for have symbols, so each lookup passes children of both kinds.
func TestEDIFACTNamedSymbolless(t *testing.T) {
	in := "UNA:+.? 'UNB+UNOC:3+S:14+R:14+251126:1200+1'UNH+1+ORDERS:D:96A:UN'" +
		"bgm+1'BGM+220+PO1+9'bgm+2'DTM+137:20251126:102'bgm+3'UNT+7+1'UNZ+1+1'"
	for _, shaped := range []bool{false, true} {
		tr := edifactTreeBytes(t, []byte(in), shaped)
		tests := []struct {
			name string
			want []string // the segments' texts, in order
		}{
			{"bgm", []string{"bgm+1", "bgm+2", "bgm+3"}},
			{"BGM", []string{"BGM+220+PO1+9"}},
			{"DTM", []string{"DTM+137:20251126:102"}},
			{"FTX", nil},
		}
		for _, tt := range tests {
			var got []string
			for c := tr.FirstChildName(tr.Root(), doctree.CompileName(tt.name)); c != doctree.NoHandle; c = tr.NextNamed(c) {
				got = append(got, string(tr.Text(c)))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("shaped %v: %s = %q, want %q", shaped, tt.name, got, tt.want)
			}
		}
	}
}
