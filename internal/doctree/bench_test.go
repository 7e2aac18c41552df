package doctree

import (
	"fmt"
	"strings"
	"testing"

	"github.com/antchfx/xpath"
)

// bench850 is a 20-line purchase order: heading, two N1 loops, 20 PO1
// loops with a PID each, CTT.
func bench850(tb testing.TB) *Tree {
	body := append([]string(nil), body850[:10]...) // BEG .. the BT N1 loop
	for i := 1; i <= 20; i++ {
		body = append(body,
			fmt.Sprintf("PO1*%d*%d*EA*%d.25**UP*0123456789%02d*VN*SKU-%d", i, i, i, i, i),
			fmt.Sprintf("PID*F****ITEM %d DESCRIPTION", i))
	}
	body = append(body, "CTT*20")
	return FromSet(oneSet(tb, isa4010, "004010", "850", body), Compile(spec850))
}

// benchExprs are 30 expressions of the kind an 850 mapping uses: header
// fields, qualified loops, line fields over all lines, aggregates and a
// descendant search.
var benchExprs = []string{
	"BEG/BEG01", "BEG/BEG02", "BEG/BEG03", "BEG/BEG05",
	"REF[REF01='DP']/REF02", "REF[REF01='IA']/REF02", "DTM[DTM01='002']/DTM02",
	"N1Loop[N1/N101='ST']/N1/N102", "N1Loop[N1/N101='ST']/N1/N104", "N1Loop[N1/N101='ST']/N3/N301",
	"N1Loop[N1/N101='ST']/N4/N401", "N1Loop[N1/N101='ST']/N4/N402", "N1Loop[N1/N101='ST']/N4/N403",
	"N1Loop[N1/N101='BT']/N1/N102", "N1Loop[N1/N101='BT']/N1/N104",
	"count(PO1Loop)", "sum(PO1Loop/PO1/PO102)", "CTTLoop/CTT/CTT01", "@control",
	"PO1Loop/PO1/PO101", "PO1Loop/PO1/PO102", "PO1Loop/PO1/PO103", "PO1Loop/PO1/PO104",
	"PO1Loop/PO1[PO106='UP']/PO107", "PO1Loop/PO1[PO108='VN']/PO109", "PO1Loop/PIDLoop/PID[PID01='F']/PID05",
	"PO1Loop[1]/PO1/PO107", "PO1Loop[last()]/PO1/PO101", "//PID[PID05='ITEM 7 DESCRIPTION']/PID05", "count(//REF)",
}

// evalAll evaluates every expression and reads every value, as a mapping
// does; it returns the number of values read.
func evalAll(exprs []*xpath.Expr, nav Navigator) int {
	n := 0
	for _, e := range exprs {
		switch v := e.Evaluate(nav.Copy()).(type) {
		case *xpath.NodeIterator:
			for v.MoveNext() {
				_ = v.Current().Value()
				n++
			}
		default:
			n++
		}
	}
	return n
}

func compileAll(tb testing.TB) []*xpath.Expr {
	exprs := make([]*xpath.Expr, len(benchExprs))
	for i, s := range benchExprs {
		e, err := xpath.Compile(s)
		if err != nil {
			tb.Fatalf("%s: %v", s, err)
		}
		exprs[i] = e
	}
	return exprs
}

func BenchmarkFromSet850(b *testing.B) {
	tr := bench850(b)
	set, shape := tr.Set(), Compile(spec850)
	b.ReportAllocs()
	for b.Loop() {
		FromSet(set, shape)
	}
}

func BenchmarkXPath850(b *testing.B) {
	exprs := compileAll(b)
	nav := bench850(b).Navigator()
	if n := evalAll(exprs, nav); n != 163 {
		b.Fatalf("read %d values, want 163", n)
	}
	b.ReportAllocs()
	for b.Loop() {
		evalAll(exprs, nav)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(exprs)), "ns/expr")
}

// BenchmarkXPath850XMLQuery is the same work over the same document as an
// antchfx/xmlquery tree: the baseline the navigator replaces.
func BenchmarkXPath850XMLQuery(b *testing.B) {
	exprs := compileAll(b)
	tr := bench850(b)
	doc, err := FromXML(strings.NewReader(toXML(tr.Document())))
	if err != nil {
		b.Fatal(err)
	}
	nav := doc.Navigator()
	if n := evalAll(exprs, nav); n != 163 {
		b.Fatalf("read %d values, want 163", n)
	}
	b.ReportAllocs()
	for b.Loop() {
		evalAll(exprs, nav)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(exprs)), "ns/expr")
}

// BenchmarkDirect850 does the same lookups as BenchmarkXPath850 through the
// Node API, as the mapping compiler's fast path would.
func BenchmarkDirect850(b *testing.B) {
	root := bench850(b).Root()
	if n := direct(root); n != 163 {
		b.Fatalf("read %d values, want 163", n)
	}
	b.ReportAllocs()
	for b.Loop() {
		direct(root)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(benchExprs)), "ns/expr")
}

// sink keeps the compiler from dropping the reads.
var sink int

func direct(root Node) int {
	n := 0
	read := func(v Node) {
		if !v.IsZero() {
			sink += len(v.Bytes())
			n++
		}
	}
	beg := root.FirstNamed("BEG")
	for _, el := range []int{1, 2, 3, 5} {
		read(beg.Elem(el))
	}
	// seg[seg01='value']/seg0<el>
	qualified := func(parent Node, seg, value string, el int) {
		for s := parent.FirstNamed(seg); !s.IsZero(); s = s.NextNamed() {
			if s.Elem(1).Equal(value) {
				read(s.Elem(el))
			}
		}
	}
	qualified(root, "REF", "DP", 2)
	qualified(root, "REF", "IA", 2)
	qualified(root, "DTM", "002", 2)
	loop := func(qual string) Node {
		for l := root.FirstNamed("N1Loop"); !l.IsZero(); l = l.NextNamed() {
			if l.FirstNamed("N1").Elem(1).Equal(qual) {
				return l
			}
		}
		return Node{}
	}
	st, bt := loop("ST"), loop("BT")
	read(st.FirstNamed("N1").Elem(2))
	read(st.FirstNamed("N1").Elem(4))
	read(st.FirstNamed("N3").Elem(1))
	for _, el := range []int{1, 2, 3} {
		read(st.FirstNamed("N4").Elem(el))
	}
	read(bt.FirstNamed("N1").Elem(2))
	read(bt.FirstNamed("N1").Elem(4))
	count, sum := 0, 0
	for l := root.FirstNamed("PO1Loop"); !l.IsZero(); l = l.NextNamed() {
		count++
		sum += len(l.FirstNamed("PO1").Elem(2).Bytes()) // stands in for a number conversion
	}
	n += 2
	read(root.FirstNamed("CTTLoop").FirstNamed("CTT").Elem(1))
	n++ // @control
	for _, el := range []int{1, 2, 3, 4} {
		for l := root.FirstNamed("PO1Loop"); !l.IsZero(); l = l.NextNamed() {
			read(l.FirstNamed("PO1").Elem(el))
		}
	}
	for l := root.FirstNamed("PO1Loop"); !l.IsZero(); l = l.NextNamed() {
		po1 := l.FirstNamed("PO1")
		if po1.Elem(6).Equal("UP") {
			read(po1.Elem(7))
		}
	}
	for l := root.FirstNamed("PO1Loop"); !l.IsZero(); l = l.NextNamed() {
		po1 := l.FirstNamed("PO1")
		if po1.Elem(8).Equal("VN") {
			read(po1.Elem(9))
		}
	}
	for l := root.FirstNamed("PO1Loop"); !l.IsZero(); l = l.NextNamed() {
		for p := l.FirstNamed("PIDLoop"); !p.IsZero(); p = p.NextNamed() {
			if pid := p.FirstNamed("PID"); pid.Elem(1).Equal("F") {
				read(pid.Elem(5))
			}
		}
	}
	read(root.Child("PO1Loop", 1).FirstNamed("PO1").Elem(7))
	var last Node
	for l := root.FirstNamed("PO1Loop"); !l.IsZero(); l = l.NextNamed() {
		last = l
	}
	read(last.FirstNamed("PO1").Elem(1))
	for l := root.FirstNamed("PO1Loop"); !l.IsZero(); l = l.NextNamed() {
		for p := l.FirstNamed("PIDLoop"); !p.IsZero(); p = p.NextNamed() {
			if v := p.FirstNamed("PID").Elem(5); v.Equal("ITEM 7 DESCRIPTION") {
				read(v)
			}
		}
	}
	refs := 0
	for s := root.FirstNamed("REF"); !s.IsZero(); s = s.NextNamed() {
		refs++
	}
	n++
	sink += count + sum + refs
	return n
}

// BenchmarkChildrenNamedIterator checks that the range-over-func form of
// the direct API does not allocate either.
func BenchmarkChildrenNamedIterator(b *testing.B) {
	root := bench850(b).Root()
	b.ReportAllocs()
	for b.Loop() {
		for l := range root.ChildrenNamed("PO1Loop") {
			for e := range l.FirstNamed("PO1").ChildrenNamed("PO102") {
				sink += len(e.Bytes())
			}
		}
	}
}
