package mapping

import (
	"fmt"
	"strings"
	"testing"

	"github.com/b2bgw/b2bgw/internal/doctree"
	"github.com/b2bgw/b2bgw/internal/x12"
)

// bench850 is a 12-line 850 like the one the architecture notes measured.
func bench850(lines int) []byte {
	var b strings.Builder
	b.WriteString("ISA*00*          *00*          *ZZ*ACMERETAIL     *ZZ*B2BGWDIST      *251126*1200*U*00401*000000101*0*P*>~\n")
	b.WriteString("GS*PO*ACMERETAIL*B2BGWDIST*20251126*1200*101*X*004010~\n")
	b.WriteString("ST*850*0001~\nBEG*00*SA*PO4500001**20251126~\nCUR*BY*USD~\nREF*DP*HARDWARE~\nREF*IA*V-77~\n")
	b.WriteString("DTM*002*20251205*1430~\nDTM*037*20251201~\n")
	b.WriteString("N1*ST*ACME DC 1*92*0001234~\nN3*100 MAIN ST~\nN4*CHICAGO*IL*60601*US~\nN1*BT*ACME RETAIL INC*92*0000001~\nN1*BY*ACME*92*42~\n")
	for i := 1; i <= lines; i++ {
		fmt.Fprintf(&b, "PO1*%d*%d*EA*12.5**BP*B-%d*UP*0123456789%02d*VN*V-%d~\nPID*F****ITEM NUMBER %d~\n", i, i*3, i, i, i, i)
	}
	fmt.Fprintf(&b, "CTT*%d~\nSE*%d*0001~\nGE*1*101~\nIEA*1*000000101~\n", lines, 12+2*lines+1)
	return []byte(b.String())
}

func BenchmarkTranslate850(b *testing.B) {
	data := bench850(12)
	m, err := Load("testdata/850/base-850.yaml")
	if err != nil {
		b.Fatal(err)
	}
	dec := x12.NewDecoderBytes(data)
	var set *x12.Set
	for set == nil {
		ev, err := dec.Next()
		if err != nil {
			b.Fatal(err)
		}
		set = ev.Set
	}
	reg, err := builtinSpecs()
	if err != nil {
		b.Fatal(err)
	}
	ts, _ := reg.Set("004010", "850")
	shape := doctree.Compile(ts)
	// Bytes of the set (ST..SE), the input this step translates.
	n := 0
	for i := range set.Segments {
		n += len(set.Segments[i].Raw()) + 2
	}
	b.Run("fast+tree", func(b *testing.B) {
		b.SetBytes(int64(n))
		b.ReportAllocs()
		var out []byte
		for b.Loop() {
			v, err := m.Translate(DocTree(doctree.FromSet(set, shape)))
			if err != nil {
				b.Fatal(err)
			}
			out = v.AppendJSON(out[:0])
		}
	})
	b.Run("json", func(b *testing.B) {
		// TranslateJSON: the pipeline's path, JSON written while mapping.
		b.SetBytes(int64(n))
		b.ReportAllocs()
		var out []byte
		for b.Loop() {
			var err error
			out, err = m.TranslateJSON(DocTree(doctree.FromSet(set, shape)), out[:0])
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("xpath-only", func(b *testing.B) {
		// The same mapping with the fast path switched off: what every
		// expression would cost through antchfx/xpath.
		slow := withoutFastPath(m)
		b.SetBytes(int64(n))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := slow.Translate(DocTree(doctree.FromSet(set, shape))); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// withoutFastPath copies a mapping with every expression forced onto
// antchfx/xpath, for the benchmark and for checking that both paths give
// the same document.
func withoutFastPath(m *Mapping) *Mapping {
	c := *m
	c.fields = slowFields(m.fields)
	return &c
}

func slowFields(fs []*field) []*field {
	out := make([]*field, len(fs))
	for i, f := range fs {
		g := *f
		for _, x := range []**expr{&g.from, &g.foreach, &g.when, &g.clock} {
			if *x != nil {
				e := **x
				e.fast, e.cond, e.fn, e.edi = nil, nil, nil, nil
				*x = &e
			}
		}
		g.edi, g.sub, g.self = nil, nil, nil
		if g.vk == vkEDI {
			g.vk = 0
		}
		g.fields = slowFields(f.fields)
		out[i] = &g
	}
	return out
}

// TestSlowPathSameDocument maps the benchmark document with and without
// the fast path: the outputs must be identical.
func TestSlowPathSameDocument(t *testing.T) {
	t.Parallel()
	m, err := Load("testdata/850/base-850.yaml")
	if err != nil {
		t.Fatal(err)
	}
	trees, err := ParseX12(bench850(12))
	if err != nil {
		t.Fatal(err)
	}
	fast, err := m.Translate(trees[0])
	if err != nil {
		t.Fatal(err)
	}
	slow, err := withoutFastPath(m).Translate(trees[0])
	if err != nil {
		t.Fatal(err)
	}
	if !fast.Equal(slow) {
		t.Errorf("fast and xpath-only outputs differ:\n%s", Diff(string(indent(t, slow)), string(indent(t, fast))))
	}
}
