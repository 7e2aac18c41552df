package doctree

import (
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/b2bgw/b2bgw/internal/x12"
	"github.com/b2bgw/b2bgw/internal/x12/spec"
)

// oneSpec is a SpecSource with one spec for every set.
type oneSpec struct{ ts *spec.TransactionSet }

func (o oneSpec) Set(string, string) (*spec.TransactionSet, bool) { return o.ts, o.ts != nil }

// placedTree validates set against shape's spec, recording where each
// segment went, and builds the tree from that placement. It reports
// whether the placement was used (the tree walked the spec otherwise).
func placedTree(set *x12.Set, shape *Shape) (*Tree, bool) {
	var p x12.Placement
	var ts *spec.TransactionSet
	if shape != nil {
		ts = shape.Spec()
	}
	x12.NewValidator(oneSpec{ts}).ValidatePlaced(set, &p)
	return ReusePlaced(nil, set, shape, &p), p.For(set, ts)
}

// sameTrees fails unless a and b are the same tree, node for node. Names
// compare by what they name: a tag the shared cache does not keep gets new
// names per tree, whose component names fill in as they are used.
func sameTrees(t testing.TB, a, b *Tree) {
	t.Helper()
	same := len(a.nodes) == len(b.nodes)
	for i := 0; same && i < len(a.nodes); i++ {
		x, y := a.nodes[i], b.nodes[i]
		if (x.names == nil) != (y.names == nil) ||
			x.names != nil && (x.names.tag != y.names.tag || !reflect.DeepEqual(x.names.elems, y.names.elems)) {
			same = false
		}
		x.names, y.names = nil, nil
		same = same && reflect.DeepEqual(x, y)
	}
	if !same {
		t.Fatalf("trees differ:\n%s\nwant:\n%s", dump(a.Root()), dump(b.Root()))
	}
}

// checkLater fails unless every node's later flag is what markLater sets:
// the X12 builder keeps them as it adds nodes instead.
func checkLater(t testing.TB, tr *Tree) {
	t.Helper()
	want := &Tree{nodes: slices.Clone(tr.nodes)}
	want.markLater()
	for i := range tr.nodes {
		if got, w := tr.nodes[i].later, want.nodes[i].later; got != w {
			t.Fatalf("node %d (%s %q): later = %v, markLater says %v; tree:\n%s", i, tr.nodes[i].kind, tr.nodes[i].name, got, w, dump(tr.Root()))
		}
	}
}

// TestLaterFlags checks the later flags addChild keeps against markLater
// on sibling names that repeat, interleave, share a Bloom bit and have no
// symbol (every bit).
func TestLaterFlags(t *testing.T) {
	noSym := int32(0)
	a, b := intern("LaterTestA"), intern("LaterTestB")
	collide := a + 64 // the same bit as a, another name
	cases := []struct {
		name string
		syms []int32
	}{
		{"distinct", []int32{a, b}},
		{"repeat", []int32{a, a, a}},
		{"interleaved", []int32{a, b, a, b, b, a}},
		{"shared bit", []int32{a, collide, b, a}},
		{"no symbol last", []int32{a, b, a, noSym}},
		{"no symbol first", []int32{noSym, a, b}},
		{"no symbols between", []int32{a, noSym, b, noSym, a, b}},
		{"no symbol twice", []int32{a, b, noSym, noSym}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr := &Tree{format: FormatX12}
			tr.add("", 0, KindDocument, none)
			root := tr.add(X12RootName, symX12Root, KindRoot, none)
			tr.appendChild(0, root)
			for i, sym := range c.syms {
				tr.addChild(root, fmt.Sprint("n", i), nil, nil, sym, KindLoop, none)
			}
			checkLater(t, tr)
		})
	}
}

// TestReusePlaced checks that the tree built from the validator's
// placement is the tree of the tree's own walk, and that the placement is
// taken only where it applies.
func TestReusePlaced(t *testing.T) {
	stray := append(append([]string(nil), body850[:4]...), append([]string{"BSN*00*X"}, body850[4:]...)...)
	cases := []struct {
		name   string
		set    *x12.Set
		shape  *Shape
		placed bool
	}{
		{"850", oneSet(t, isa4010, "004010", "850", body850), Compile(spec850), true},
		{"850, the registry's spec", oneSet(t, isa4010, "004010", "850", body850), realShape(t, "004010", "850"), true},
		{"856 nested by HL02", oneSet(t, isa4010, "004010", "856", body856), Compile(spec856), true},
		{"856, the registry's spec", oneSet(t, isa4010, "004010", "856", body856), realShape(t, "004010", "856"), true},
		{"005010 composites", oneSet(t, isa5010, "005010", "850", body850), Compile(spec850v5), true},
		{"a segment placed nowhere", oneSet(t, isa4010, "004010", "850", stray), Compile(spec850), false},
		{"no spec", oneSet(t, isa4010, "004010", "850", body850), nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, placed := placedTree(c.set, c.shape)
			if placed != c.placed {
				t.Fatalf("placement used: %v, want %v", placed, c.placed)
			}
			sameTrees(t, got, FromSet(c.set, c.shape))
			checkLater(t, got)
			checkTree(t, got)
		})
	}
}

// TestReusePlacedOtherSpec checks that a placement recorded against one
// spec is not applied to a shape compiled from another.
func TestReusePlacedOtherSpec(t *testing.T) {
	set := oneSet(t, isa4010, "004010", "850", body850)
	var p x12.Placement
	x12.NewValidator(oneSpec{spec850}).ValidatePlaced(set, &p)
	if !p.For(set, spec850) {
		t.Fatal("no placement against the spec validated with")
	}
	real := realShape(t, "004010", "850")
	sameTrees(t, ReusePlaced(nil, set, real, &p), FromSet(set, real))
}
