package doctree

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/b2bgw/b2bgw/internal/x12"
	"github.com/b2bgw/b2bgw/internal/x12/spec"
)

// Interchange headers: 004010 has no repetition separator (ISA11 "U"),
// 005010 uses '^'. Both use '>' for components and '~' after each segment,
// with a newline so that line numbers differ per segment.
const (
	isa4010 = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *251126*1200*U*00401*000000001*0*P*>~\n"
	isa5010 = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *251126*1200*^*00501*000000001*0*P*>~\n"
)

// interchange wraps transaction set bodies (segments between ST and SE,
// without terminators) in ISA/GS/ST..SE/GE/IEA with correct counts.
func interchange(isa, gsVersion, setID string, bodies ...[]string) string {
	var b strings.Builder
	b.WriteString(isa)
	fmt.Fprintf(&b, "GS*XX*SENDER*RECEIVER*20251126*1200*1*X*%s~\n", gsVersion)
	for i, body := range bodies {
		ctl := fmt.Sprintf("%04d", i+1)
		fmt.Fprintf(&b, "ST*%s*%s~\n", setID, ctl)
		for _, s := range body {
			b.WriteString(s + "~\n")
		}
		fmt.Fprintf(&b, "SE*%d*%s~\n", len(body)+2, ctl)
	}
	fmt.Fprintf(&b, "GE*%d*1~\nIEA*1*000000001~\n", len(bodies))
	return b.String()
}

// decodeSets returns the transaction sets of an interchange.
func decodeSets(t testing.TB, in string) []*x12.Set {
	t.Helper()
	d := x12.NewDecoderBytes([]byte(in))
	var sets []*x12.Set
	for {
		ev, err := d.Next()
		if errors.Is(err, io.EOF) {
			return sets
		}
		if err != nil {
			t.Fatalf("decoding: %v", err)
		}
		if ev.Kind == x12.EventSet {
			sets = append(sets, ev.Set)
		}
	}
}

// oneSet decodes a single set built from body.
func oneSet(t testing.TB, isa, version, id string, body []string) *x12.Set {
	t.Helper()
	sets := decodeSets(t, interchange(isa, version, id, body))
	if len(sets) != 1 {
		t.Fatalf("decoded %d sets, want 1", len(sets))
	}
	return sets[0]
}

// Hand-written structures, in the standard's order, of the parts of the
// 004010 850 and 856 the tests use. They stand in for the spec registry so
// that this package's tests do not depend on the data files; the tests in
// realspec_test.go run the same documents against the registry.
func seg(id string) spec.Node { return spec.Node{Segment: id} }

func loop(id string, body ...spec.Node) spec.Node { return spec.Node{Loop: id, Body: body} }

var spec850 = &spec.TransactionSet{ID: "850", Version: "004010", Structure: []spec.Node{
	seg("ST"), seg("BEG"), seg("CUR"), seg("REF"), seg("PER"), seg("TAX"), seg("FOB"), seg("CTP"),
	seg("ITD"), seg("DIS"), seg("DTM"), seg("TD5"),
	loop("N9", seg("N9"), seg("DTM"), seg("MSG")),
	loop("N1", seg("N1"), seg("N2"), seg("N3"), seg("N4"), seg("REF"), seg("PER")),
	loop("PO1", seg("PO1"), seg("LIN"), seg("SI"), seg("CUR"), seg("CTP"), seg("PO3"),
		loop("PID", seg("PID"), seg("MEA")),
		seg("PO4"), seg("REF"), seg("PER"), seg("SAC"), seg("IT8"), seg("DTM"), seg("TD5"),
		loop("SCH", seg("SCH"), seg("TD1")),
		loop("N1", seg("N1"), seg("N2"), seg("N3"), seg("N4"), seg("REF"))),
	loop("CTT", seg("CTT"), seg("AMT")),
	seg("SE"),
}}

var spec856 = &spec.TransactionSet{ID: "856", Version: "004010", Structure: []spec.Node{
	seg("ST"), seg("BSN"), seg("DTM"),
	loop("HL", seg("HL"), seg("LIN"), seg("SN1"), seg("SLN"), seg("PRF"), seg("PO4"), seg("PID"),
		seg("MEA"), seg("PWK"), seg("PKG"), seg("TD1"), seg("TD5"), seg("TD3"), seg("TD4"), seg("REF"),
		seg("PER"), seg("MAN"), seg("DTM"), seg("FOB"),
		loop("N1", seg("N1"), seg("N2"), seg("N3"), seg("N4"), seg("REF"), seg("PER"))),
	seg("CTT"), seg("SE"),
}}

// spec850v5 is a 005010 850 whose REF04 and MEA04 are composites (C040,
// C001), as in the standard, so the tree knows them as composites even
// when a partner sends a single component without a separator.
var spec850v5 = func() *spec.TransactionSet {
	c040 := &spec.Composite{ID: "C040"}
	c001 := &spec.Composite{ID: "C001"}
	simple := spec.ElementRef{}
	ref := &spec.Segment{ID: "REF", Elements: []spec.ElementRef{simple, simple, simple, {Ref: "C040", Composite: c040}}}
	mea := &spec.Segment{ID: "MEA", Elements: []spec.ElementRef{simple, simple, simple, {Ref: "C001", Composite: c001}}}
	return &spec.TransactionSet{ID: "850", Version: "005010", Structure: []spec.Node{
		seg("ST"), seg("BEG"), {Segment: "REF", Def: ref}, seg("DTM"),
		loop("N1", seg("N1"), seg("N3"), seg("N4")),
		loop("PO1", seg("PO1"), loop("PID", seg("PID"), spec.Node{Segment: "MEA", Def: mea}), spec.Node{Segment: "REF", Def: ref}),
		loop("CTT", seg("CTT")),
		seg("SE"),
	}}
}()

// dump renders the stored nodes under n, one per line, indented by depth:
// loops and the root by name, segments as their raw text.
func dump(n Node) string {
	var b strings.Builder
	var walk func(n Node, depth int)
	walk = func(n Node, depth int) {
		b.WriteString(strings.Repeat("  ", depth))
		if n.Kind() == KindSegment || n.Kind() == KindRow {
			b.WriteString(n.Value())
		} else {
			b.WriteString(n.Name())
		}
		b.WriteByte('\n')
		if n.Kind() == KindSegment || n.Kind() == KindRow {
			return
		}
		for c := range n.Children() {
			walk(c, depth+1)
		}
	}
	walk(n, 0)
	return b.String()
}

// checkTree walks every node of the tree (attributes and text included)
// through the Node API and the navigator and checks that the links agree:
// each child's parent is the node, MoveToPrevious undoes MoveToNext,
// MoveToFirst returns to the first child, FirstNamed/NextNamed find
// exactly the children Children lists under that name, and every value is
// non-empty (rows excepted: a record may be all empty). It returns the
// number of nodes visited.
func checkTree(t testing.TB, tr *Tree) int {
	t.Helper()
	count := 0
	var walk func(n Node)
	walk = func(n Node) {
		count++
		if n.Kind() != KindDocument && n.Kind() != KindRoot && n.Kind() != KindLoop && n.Kind() != KindRow && n.Value() == "" {
			t.Errorf("%s %q at %v has an empty value", n.Kind(), n.Name(), n.Source())
		}
		var kids []Node
		for c := range n.Children() {
			kids = append(kids, c)
		}
		for i, c := range kids {
			if p := c.Parent(); p != n {
				t.Errorf("parent of %s %q is %s %q, want %s %q", c.Kind(), c.Name(), p.Kind(), p.Name(), n.Kind(), n.Name())
			}
			var prev Node
			if i > 0 {
				prev = kids[i-1]
			}
			if got := c.PrevSibling(); got != prev {
				t.Errorf("previous sibling of %s %q (child %d of %q) is %q, want %q", c.Kind(), c.Name(), i+1, n.Name(), got.Name(), prev.Name())
			}
			nav := c.Navigator()
			if moved := nav.MoveToFirst(); moved != (i > 0) || nav.Current() != kids[0] {
				t.Errorf("MoveToFirst from child %d of %q: moved %v, at %q", i+1, n.Name(), moved, nav.Current().Name())
			}
		}
		// The named lookups must agree with a plain filter of Children.
		seen := map[string]bool{}
		for _, c := range kids {
			name := c.Name()
			if name == "" || seen[name] {
				continue
			}
			seen[name] = true
			var want, got []Node
			for _, k := range kids {
				if k.Name() == name {
					want = append(want, k)
				}
			}
			for k := range n.ChildrenNamed(name) {
				got = append(got, k)
			}
			if !slices.Equal(got, want) {
				t.Errorf("ChildrenNamed(%q) under %q gives %d nodes, want %d", name, n.Name(), len(got), len(want))
			}
		}
		// Attributes through the navigator.
		nav := n.Navigator()
		for nav.MoveToNextAttribute() {
			count++
			a := nav.Current()
			if v, ok := n.Attr(a.Name()); !ok || v != a.Value() {
				t.Errorf("attribute %q of %q: Attr gives %q, %v; navigator %q", a.Name(), n.Name(), v, ok, a.Value())
			}
			if a.Parent() != n {
				t.Errorf("attribute %q's parent is not %q", a.Name(), n.Name())
			}
		}
		for _, c := range kids {
			walk(c)
		}
	}
	walk(tr.Document())
	return count
}
