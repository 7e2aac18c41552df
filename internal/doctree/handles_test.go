package doctree

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// checkHandles walks every node of tr (attributes and text included) and
// checks that the handle view agrees with the Node API: round trips,
// named children, next siblings, text, leaf lookups and positions. It
// returns the number of nodes checked.
func checkHandles(t testing.TB, tr *Tree) int {
	t.Helper()
	h := tr.Handles()
	count := 0
	var walk func(n Node)
	walk = func(n Node) {
		count++
		x := h.handle(n)
		if back := h.Node(x); back != n {
			t.Fatalf("%s: handle %d gives %+v, want %+v", n.Name(), x, back, n)
		}
		if !bytes.Equal(h.Text(x), n.Bytes()) {
			t.Errorf("%s: Text %q, want %q", n.Name(), h.Text(x), n.Bytes())
		}
		if got, want := h.NextNamed(x), h.handle(n.NextNamed()); got != want {
			t.Errorf("%s: NextNamed %d, want %d", n.Name(), got, want)
		}
		l, s, e := h.Locate(x)
		src := n.Source()
		if src.Format == FormatCSV {
			if l != src.Line || s != 0 || e != src.ColumnIndex {
				t.Errorf("%s: Locate %d %d %d, source %+v", n.Name(), l, s, e, src)
			}
		} else if l != src.Line || s != src.SegmentIndex || e != src.Element {
			t.Errorf("%s: Locate %d %d %d, source %+v", n.Name(), l, s, e, src)
		}
		if nav, ok := h.Navigator(x).(*TreeNavigator); !ok || nav.Current() != n || h.NodeOf(nav) != x {
			t.Errorf("%s: Navigator/NodeOf do not round-trip", n.Name())
		}
		// Elements by position agree with ChildText by name, up to two
		// positions beyond the segment's end.
		elems, n12 := h.SegmentElems(x)
		if n12 != h.SegmentLen(x) {
			t.Errorf("%s: SegmentElems gives %d elements, SegmentLen %d", n.Name(), n12, h.SegmentLen(x))
		}
		for el := 1; n12 >= 0 && el <= n12+2; el++ {
			got, gok := elems.Elem(el)
			want, wok := h.ChildText(x, fmt.Sprintf("%s%02d", n.Name(), el))
			if gok != wok || !bytes.Equal(got, want) {
				t.Errorf("%s: element %d by position %q %v, by name %q %v", n.Name(), el, got, gok, want, wok)
			}
		}
		// Every child name, and some that are no child, from here.
		names := map[string]bool{"": true, "X": true, "PO1": true, "N1Loop": true, "REF01": true, "REF04_01": true, "SKU": true}
		for c := range n.Children() {
			if c.kind == KindText {
				continue
			}
			names[c.Name()] = true
			if c.kind == KindElement || c.kind == KindSegment {
				// Neighbouring positions, empty or beyond the end.
				nm := c.Name()
				names[nm+"9"] = true
				if len(nm) > 2 {
					names[nm[:len(nm)-1]+"9"] = true
				}
			}
		}
		for name := range names {
			first := n.FirstNamed(name)
			if got, want := h.FirstChild(x, name), h.handle(first); got != want {
				t.Errorf("%s: FirstChild(%q) = %d, want %d", n.Name(), name, got, want)
			}
			txt, ok := h.ChildText(x, name)
			if ok != !first.IsZero() || ok && !bytes.Equal(txt, first.Bytes()) {
				t.Errorf("%s: ChildText(%q) = %q %v, want %q %v", n.Name(), name, txt, ok, first.Bytes(), !first.IsZero())
			}
			for _, lit := range []string{"", "ST", "DP", "A", "B", "C>>D", "12", "A-1", string(first.Bytes())} {
				want := false
				for c := first; !c.IsZero(); c = c.NextNamed() {
					want = want || c.Equal(lit)
				}
				if got := h.ChildEquals(x, name, lit); got != want {
					t.Errorf("%s: ChildEquals(%q, %q) = %v, want %v", n.Name(), name, lit, got, want)
				}
			}
		}
		if n.kind == KindRoot || n.kind == KindRow {
			nav := n.Navigator()
			for ok := nav.MoveToNextAttribute(); ok; ok = nav.MoveToNextAttribute() {
				a := nav.Current()
				if back := h.Node(h.handle(a)); back != a {
					t.Errorf("attribute %s does not round-trip", a.Name())
				}
			}
		}
		for c := range n.Children() {
			walk(c)
		}
	}
	walk(tr.Document())
	if h.Root() != h.handle(tr.Root()) || h.Tree() != tr {
		t.Errorf("Root/Tree disagree")
	}
	if h.FirstChild(NoHandle, "X") != NoHandle || h.NextNamed(NoHandle) != NoHandle || !h.Node(NoHandle).IsZero() {
		t.Errorf("NoHandle is not no node")
	}
	return count
}

func TestHandles(t *testing.T) {
	t.Parallel()
	// 005010 with repetitions and composites (leaves that pack and leaves
	// that go to the table), 004010, a flat tree, an 856 HL tree and CSV.
	body5 := []string{
		"BEG*00*SA*PO-1**20251126",
		"REF*ZZ*A>B^C>>D^^E*X^^Y*>Q",
		"REF*DP*^^DP^DP",
		"N1*ST*ACME",
		"PO1*1*2*EA^CA*3**UP*12",
		"PID*F****ONE",
		"MEA*PD*WT*3*LB>KG",
		"CTT*1",
	}
	trees := []*Tree{
		FromSet(oneSet(t, isa5010, "005010", "850", body5), Compile(spec850v5)),
		FromSet(oneSet(t, isa4010, "004010", "850", body850), Compile(spec850)),
		FromSet(oneSet(t, isa4010, "004010", "850", body850), nil),
		FromSet(oneSet(t, isa4010, "004010", "856", body856), Compile(spec856)),
	}
	csvTree, err := FromCSV(strings.NewReader(ordersCSV), CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	trees = append(trees, csvTree)
	for i, tr := range trees {
		if n := checkHandles(t, tr); n < 10 {
			t.Errorf("tree %d: only %d nodes checked", i, n)
		}
	}
}

// TestHandlesPacking checks leaf handles at the packing limits: they must
// round-trip whether they pack or go to the table.
func TestHandlesPacking(t *testing.T) {
	t.Parallel()
	tr := FromSet(oneSet(t, isa5010, "005010", "850", body850), Compile(spec850))
	h := tr.Handles()
	for _, k := range []leafKey{
		{n: 1<<21 - 1, kind: KindElement, el: 127, rep: 1},
		{n: 1 << 21, kind: KindElement, el: 1, rep: 1},
		{n: 5, kind: KindElement, el: 128, rep: 1},
		{n: 5, kind: KindElement, el: 3, rep: 2},
		{n: 1<<15 - 1, kind: KindComponent, el: 127, rep: 1, comp: 63},
		{n: 1 << 15, kind: KindComponent, el: 1, rep: 1, comp: 1},
		{n: 7, kind: KindComponent, el: 1, rep: 1, comp: 64},
		{n: 1<<20 - 1, kind: KindCell, el: 255},
		{n: 1 << 20, kind: KindCell, el: 1},
		{n: 3, kind: KindCell, el: 256},
		{n: 3, kind: KindText, el: 2, rep: 1},
		{n: 1, kind: KindAttribute, attr: 2},
	} {
		n := Node{t: tr, n: k.n, kind: k.kind, el: k.el, rep: k.rep, comp: k.comp, attr: k.attr}
		x := h.handle(n)
		if x >= NoHandle {
			t.Errorf("%+v: leaf handle %d is not negative", k, x)
		}
		if back := h.Node(x); back != n {
			t.Errorf("%+v: round trip gives %+v", k, back)
		}
		if again := h.handle(n); again != x {
			t.Errorf("%+v: handle %d then %d", k, x, again)
		}
	}
}
