package doctree

import (
	"errors"
	"io"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/b2bgw/b2bgw/internal/edifact"
	espec "github.com/b2bgw/b2bgw/internal/edifact/spec"
)

// oneMessage is an EDIFACT SpecSource with one spec for every message.
type oneMessage struct{ ms *espec.Message }

func (o oneMessage) Message(string, string) (*espec.Message, bool) { return o.ms, o.ms != nil }

func builtinEDIFACT(t testing.TB) *espec.Registry {
	t.Helper()
	reg, err := espec.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

// decodeMessages returns every message of in, read as translate reads
// them: the repertoire check left to the validator.
func decodeMessages(t testing.TB, in []byte) []*edifact.Message {
	t.Helper()
	d := edifact.NewDecoderBytes(in, edifact.WithDeferredRepertoire())
	var out []*edifact.Message
	for {
		ev, err := d.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if ev.Kind == edifact.EventMessage {
			out = append(out, ev.Message)
		}
	}
}

// builtinShape compiles the built-in spec of m's directory and type.
func builtinShape(t testing.TB, m *edifact.Message) *EDIFACTShape {
	t.Helper()
	ms, ok := builtinEDIFACT(t).Message(m.Directory(), m.Type)
	if !ok {
		t.Fatalf("no built-in spec for %s %s", m.Directory(), m.Type)
	}
	return CompileEDIFACT(ms)
}

// placedMessageTree validates m against src, recording where each segment
// went, and builds m's tree from that placement with shape. It reports
// whether the placement was used (the tree walked the groups otherwise).
func placedMessageTree(m *edifact.Message, src edifact.SpecSource, shape *EDIFACTShape) (*EDIFACTTree, bool) {
	var p edifact.Placement
	edifact.NewValidator(src).ValidatePlaced(m, &p)
	var ms *espec.Message
	if shape != nil {
		ms = shape.Spec()
	}
	return ReuseMessagePlaced(nil, m, shape, &p), p.For(m, ms)
}

// sameETrees fails unless a and b are the same tree, node for node. Names
// compare by what they name (see sameTrees).
func sameETrees(t testing.TB, a, b *EDIFACTTree) {
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
		t.Fatalf("trees differ:\n%s\nwant:\n%s", eoutline(a), eoutline(b))
	}
}

// eoutline renders a tree's stored nodes for a failure message.
func eoutline(tr *EDIFACTTree) string {
	var b strings.Builder
	var walk func(n int32, depth int)
	walk = func(n int32, depth int) {
		for c := tr.nodes[n].first; c != none; c = tr.nodes[c].next {
			b.WriteString(strings.Repeat("  ", depth) + tr.nodes[c].name)
			if s := tr.nodes[c].seg; s >= 0 {
				b.WriteString(" #" + strconv.Itoa(int(s)))
			}
			if tr.nodes[c].later {
				b.WriteString(" (later)")
			}
			b.WriteByte('\n')
			walk(c, depth+1)
		}
	}
	walk(0, 0)
	return b.String()
}

// checkELater fails unless every node's later flag is what markLater
// sets: linkChild and buildPlaced keep them as they add nodes instead.
func checkELater(t testing.TB, tr *EDIFACTTree) {
	t.Helper()
	want := &EDIFACTTree{nodes: slices.Clone(tr.nodes)}
	want.markLater()
	for i := range tr.nodes {
		if got, w := tr.nodes[i].later, want.nodes[i].later; got != w {
			t.Fatalf("node %d (%s %q): later = %v, markLater says %v; tree:\n%s", i, tr.nodes[i].kind, tr.nodes[i].name, got, w, eoutline(tr))
		}
	}
}

// TestELaterFlags checks the later flags linkChild (markEarlier) keeps
// against markLater on sibling names that repeat, interleave, share a
// Bloom bit and have no symbol (every bit).
func TestELaterFlags(t *testing.T) {
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
			tr := &EDIFACTTree{nodes: make([]enode, 2+len(c.syms))}
			tr.nodes[0] = enode{parent: none, first: none, last: none, prev: none, next: none, seg: none}
			linkChild(tr.nodes, 0, 1, symEDIFACTRoot)
			for i, sym := range c.syms {
				linkChild(tr.nodes, 1, int32(2+i), sym)
			}
			checkELater(t, tr)
		})
	}
}

const (
	unbUNOC = "UNA:+.? 'UNB+UNOC:3+S:14+R:14+251126:1200+1'"
	unbUNOA = "UNA:+.? 'UNB+UNOA:3+S:14+R:14+251126:1200+1'"
	unbRep  = "UNA:+.?*'UNB+UNOC:4+S:14+R:14+20251126:1200+1'" // syntax 4: a repetition separator
)

// deepOrders is ORDERS D96A cut down to UNH, BGM, depth groups each in
// the one before (SG1 triggered by LIN, SG2 by QTY, and so on through
// deepTags) and UNT: a structure nested as deep as a test needs.
func deepOrders(t testing.TB, depth int) *espec.Message {
	t.Helper()
	ms, ok := builtinEDIFACT(t).Message("D96A", "ORDERS")
	if !ok {
		t.Fatal("no D96A ORDERS spec")
	}
	defs := map[string]*espec.Segment{}
	var collect func(body []espec.Node)
	collect = func(body []espec.Node) {
		for i := range body {
			if n := &body[i]; n.IsGroup() {
				collect(n.Body)
			} else {
				defs[n.Segment] = n.Def
			}
		}
	}
	collect(ms.Structure)
	seg := func(tag string) espec.Node {
		return espec.Node{Segment: tag, Status: espec.Mandatory, Max: 1, Def: defs[tag]}
	}
	var body []espec.Node
	for d := depth - 1; d >= 0; d-- {
		body = []espec.Node{{Group: "SG" + strconv.Itoa(d+1), Status: espec.Conditional, Max: 99,
			Body: append([]espec.Node{seg(deepTags[d])}, body...)}}
	}
	deep := *ms
	deep.Structure = append(append([]espec.Node{seg("UNH"), seg("BGM")}, body...), seg("UNT"))
	return &deep
}

var deepTags = []string{"LIN", "QTY", "PRI", "RFF", "DTM", "MOA", "FTX", "TAX", "ALC", "PCD"}

// deepBody is a body for deepOrders(depth): every group opened twice,
// the second time from the top.
func deepBody(depth int) []string {
	body := []string{"BGM+220+PO1+9"}
	for range 2 {
		for _, tag := range deepTags[:depth] {
			body = append(body, tag+"+1")
		}
	}
	return body
}

// TestCompileEDIFACTDepth checks the depth a shape records, which decides
// whether buildPlaced (with its fixed stack of open groups) may build
// the tree.
func TestCompileEDIFACTDepth(t *testing.T) {
	cases := []struct {
		name   string
		groups int
		want   int
	}{
		{"no groups", 0, 1},
		{"one group", 1, 2},
		{"as deep as buildPlaced goes", maxPlacedDepth - 1, maxPlacedDepth},
		{"deeper", maxPlacedDepth + 1, maxPlacedDepth + 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := CompileEDIFACT(deepOrders(t, c.groups)).depth; got != c.want {
				t.Errorf("depth = %d, want %d", got, c.want)
			}
		})
	}
}

// orders wraps the body segments in UNH/UNT of an ORDERS D96A message of
// interchange header unb.
func orders(unb string, body ...string) []byte {
	segs := append(append([]string{"UNH+1+ORDERS:D:96A:UN"}, body...), "UNT+"+strconv.Itoa(len(body)+2)+"+1")
	return []byte(unb + strings.Join(segs, "'") + "'UNZ+1+1'")
}

// TestReuseMessagePlaced checks that the tree built from the validator's
// placement is the tree of the tree's own walk, and that the placement is
// taken only where it applies.
func TestReuseMessagePlaced(t *testing.T) {
	read := func(name string) []byte {
		b, err := os.ReadFile("../../testdata/edifact/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	order := []string{"BGM+220+PO1+9", "DTM+137:20251126:102", "NAD+BY+1::9", "NAD+SU+2::9", "CTA+PD+:Jo",
		"LIN+1++A:EN", "QTY+21:1", "PRI+AAA:1.5", "LIN+2++B:EN", "QTY+21:2", "UNS+S"}
	longDTM := slices.Clone(order)
	// DTM has one element; more than the shared cache keeps (and so more
	// than any compiled shape holds names for) whatever ran before.
	longDTM[1] = "DTM+137:20251126:102" + strings.Repeat("+X:Y", maxCachedElems+1)
	cases := []struct {
		name   string
		in     []byte
		flat   bool           // no shape
		ms     *espec.Message // the spec, when not the built-in one
		placed bool
	}{
		{"ORDERS sample: nested, repeated groups", read("orders-d96a.edi"), false, nil, true},
		{"DESADV sample: CPS nesting", read("desadv-d96a.edi"), false, nil, true},
		{"Latin-1 ORDERS", read("orders-latin.edi"), false, nil, true},
		{"repeated groups, group in a group", orders(unbUNOC, order...), false, nil, true},
		{"unknown segment: the innermost group keeps it", orders(unbUNOC, slices.Insert(slices.Clone(order), 4, "ZZZ+x")...), false, nil, true},
		{"segment out of order: placed nowhere", orders(unbUNOC, append(slices.Clone(order[:7]), append([]string{"BGM+220+PO2+9"}, order[7:]...)...)...), false, nil, true},
		{"mandatory segment missing", orders(unbUNOC, order[1:]...), false, nil, true},
		{"a bad tag the decoder reports", orders(unbUNOC, slices.Insert(slices.Clone(order), 2, "bgm+1")...), false, nil, false},
		{"a tag outside the repertoire", orders(unbUNOA, slices.Insert(slices.Clone(order), 6, "Z\xe9Z")...), false, nil, false},
		{"a tag element outside the repertoire", orders(unbUNOA, slices.Insert(slices.Clone(order), 6, "FTX:\xe9")...), false, nil, false},
		{"a value outside the repertoire", orders(unbUNOA, slices.Insert(slices.Clone(order), 6, "FTX+AAA+++\xe9")...), false, nil, true},
		{"no spec", orders(unbUNOC, order...), true, nil, false},
		{"a segment longer than its spec", orders(unbUNOC, longDTM...), false, nil, true},
		{"released characters", orders(unbUNOC, slices.Insert(slices.Clone(order), 5, "FTX+AAA+++a?+b?:c", "FTX+AAA+++d")...), false, nil, true},
		{"a repetition separator", orders(unbRep, slices.Insert(slices.Clone(order), 5, "FTX+AAA+++a*b")...), false, nil, true},
		{"groups as deep as buildPlaced goes", orders(unbUNOC, deepBody(maxPlacedDepth-1)...), false, deepOrders(t, maxPlacedDepth-1), true},
		{"groups deeper than buildPlaced goes", orders(unbUNOC, deepBody(maxPlacedDepth+1)...), false, deepOrders(t, maxPlacedDepth+1), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			msgs := decodeMessages(t, c.in)
			if len(msgs) == 0 {
				t.Fatal("no message")
			}
			for _, m := range msgs {
				var shape *EDIFACTShape
				src := oneMessage{}
				switch {
				case c.ms != nil:
					shape = CompileEDIFACT(c.ms)
					src.ms = c.ms
				case !c.flat:
					shape = builtinShape(t, m)
					src.ms = shape.Spec()
				}
				got, placed := placedMessageTree(m, src, shape)
				if placed != c.placed {
					t.Fatalf("placement used: %v, want %v", placed, c.placed)
				}
				want := FromMessage(m, shape)
				want.markLater() // the flags of the self-walked tree as markLater sets them
				sameETrees(t, got, want)
				checkELater(t, got)
			}
		})
	}
}

// TestReuseMessagePlacedNotFor checks that a placement is not applied to
// a shape of another spec, nor to another message.
func TestReuseMessagePlacedNotFor(t *testing.T) {
	a := decodeMessages(t, orders(unbUNOC, "BGM+220+PO1+9", "NAD+BY+1::9", "LIN+1++A:EN", "UNS+S"))[0]
	b := decodeMessages(t, orders(unbUNOC, "BGM+220+PO2+9", "LIN+1++A:EN", "QTY+21:1", "NAD+BY+1::9", "UNS+S"))[0]
	shape := builtinShape(t, a)
	var p edifact.Placement
	edifact.NewValidator(oneMessage{shape.Spec()}).ValidatePlaced(a, &p)
	if !p.For(a, shape.Spec()) {
		t.Fatal("no placement against the spec validated with")
	}
	if p.For(b, shape.Spec()) {
		t.Error("the placement of one message is taken for another")
	}
	sameETrees(t, ReuseMessagePlaced(nil, b, shape, &p), FromMessage(b, shape))
	copied := *shape.Spec()
	other := CompileEDIFACT(&copied)
	if p.For(a, other.Spec()) {
		t.Error("the placement is taken for a shape of another spec")
	}
	sameETrees(t, ReuseMessagePlaced(nil, a, other, &p), FromMessage(a, other))
}

// FuzzReuseMessagePlaced holds the tree built from the validator's
// placement to the tree's own walk, and the validator's findings to those
// it finds without recording a placement, on any input the decoder reads,
// with the repertoire checked by the decoder or (as translate has it)
// left to the validator.
func FuzzReuseMessagePlaced(f *testing.F) {
	for _, name := range []string{"orders-d96a.edi", "desadv-d96a.edi", "orders-latin.edi"} {
		b, err := os.ReadFile("../../testdata/edifact/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, true)
	}
	f.Add(orders(unbUNOC, "BGM+220+PO1+9", "NAD+BY+1::9", "ZZZ+x", "LIN+1++A:EN", "QTY+21:1", "BGM+1", "LIN+2", "UNS+S"), true)
	f.Add(orders(unbUNOA, "BGM+220+PO1+9", "Z\xe9Z", "bgm+1", "LIN+1++A:EN", "FTX:\xe9", "FTX+AAA+++\xe9", "UNS+S"), true)
	f.Add(orders(unbUNOA, "BGM+220+PO1+9", "Z\xe9Z", "bgm+1", "LIN+1++A:EN", "FTX:\xe9", "FTX+AAA+++\xe9", "UNS+S"), false)
	reg := builtinEDIFACT(f)
	v := edifact.NewValidator(reg)
	f.Fuzz(func(t *testing.T, in []byte, deferred bool) {
		var opts []edifact.DecoderOption
		if deferred {
			opts = append(opts, edifact.WithDeferredRepertoire())
		}
		// The same messages again, validated without a placement: the
		// findings must not depend on recording one.
		d, plain := edifact.NewDecoderBytes(in, opts...), edifact.NewDecoderBytes(in, opts...)
		var p edifact.Placement
		var reused *EDIFACTTree
		for {
			ev, err := d.Next()
			pev, perr := plain.Next()
			if err != nil || perr != nil {
				return
			}
			if ev.Kind != edifact.EventMessage {
				continue
			}
			m := ev.Message
			got, want := v.ValidatePlaced(m, &p), v.Validate(pev.Message)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("findings with a placement recorded:\n%+v\nwithout:\n%+v", got, want)
			}
			var shape *EDIFACTShape
			if ms, ok := reg.Message(m.Directory(), m.Type); ok {
				shape = CompileEDIFACT(ms)
			}
			walked := FromMessage(m, shape)
			walked.markLater()
			reused = ReuseMessagePlaced(reused, m, shape, &p)
			sameETrees(t, reused, walked)
			checkELater(t, reused)
		}
	})
}
