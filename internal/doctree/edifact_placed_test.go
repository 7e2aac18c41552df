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
// sets: addChild keeps them as it adds nodes instead.
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

const (
	unbUNOC = "UNA:+.? 'UNB+UNOC:3+S:14+R:14+251126:1200+1'"
	unbUNOA = "UNA:+.? 'UNB+UNOA:3+S:14+R:14+251126:1200+1'"
)

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
	cases := []struct {
		name   string
		in     []byte
		flat   bool // no shape
		placed bool
	}{
		{"ORDERS sample: nested, repeated groups", read("orders-d96a.edi"), false, true},
		{"DESADV sample: CPS nesting", read("desadv-d96a.edi"), false, true},
		{"Latin-1 ORDERS", read("orders-latin.edi"), false, true},
		{"repeated groups, group in a group", orders(unbUNOC, order...), false, true},
		{"unknown segment: the innermost group keeps it", orders(unbUNOC, slices.Insert(slices.Clone(order), 4, "ZZZ+x")...), false, true},
		{"segment out of order: placed nowhere", orders(unbUNOC, append(slices.Clone(order[:7]), append([]string{"BGM+220+PO2+9"}, order[7:]...)...)...), false, true},
		{"mandatory segment missing", orders(unbUNOC, order[1:]...), false, true},
		{"a bad tag the decoder reports", orders(unbUNOC, slices.Insert(slices.Clone(order), 2, "bgm+1")...), false, false},
		{"a tag outside the repertoire", orders(unbUNOA, slices.Insert(slices.Clone(order), 6, "Z\xe9Z")...), false, false},
		{"a tag element outside the repertoire", orders(unbUNOA, slices.Insert(slices.Clone(order), 6, "FTX:\xe9")...), false, false},
		{"a value outside the repertoire", orders(unbUNOA, slices.Insert(slices.Clone(order), 6, "FTX+AAA+++\xe9")...), false, true},
		{"no spec", orders(unbUNOC, order...), true, false},
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
				if !c.flat {
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
