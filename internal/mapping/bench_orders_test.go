package mapping

import (
	"errors"
	"io"
	"testing"

	"github.com/b2bgw/b2bgw/internal/benchgen"
	"github.com/b2bgw/b2bgw/internal/doctree"
	"github.com/b2bgw/b2bgw/internal/edifact"
	"github.com/b2bgw/b2bgw/internal/x12"
)

// benchOrders is how many generated orders the per-order benchmarks map:
// the same generator (and so the same order shapes) as the 50 MB benchmark
// files.
const benchOrders = 300

// BenchmarkOrders measures, per generated benchmark order, the two steps
// of the translate pipeline this package and internal/doctree own: the
// tree build (ReuseSet, ReuseMessage) and TranslateJSON with the built-in
// 850 mapping and the EDIFACT benchmark mapping. ns/op is per order;
// cpu-ns/op is the process CPU time per order, the figure to compare on a
// busy machine.
func BenchmarkOrders(b *testing.B) {
	b.Run("x12", func(b *testing.B) {
		m, err := Load("../../mappings/x12-004010-850.yaml")
		if err != nil {
			b.Fatal(err)
		}
		reg, err := builtinSpecs()
		if err != nil {
			b.Fatal(err)
		}
		ts, _ := reg.Set("004010", "850")
		shape := doctree.Compile(ts)
		var sets []*x12.Set
		dec := x12.NewDecoderBytes(benchgen.X12(benchOrders, true))
		for {
			ev, err := dec.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			if ev.Kind == x12.EventSet {
				sets = append(sets, ev.Set)
			}
		}
		trees := make([]*doctree.Tree, len(sets))
		for i, s := range sets {
			trees[i] = doctree.FromSet(s, shape)
		}
		b.Run("tree", func(b *testing.B) {
			b.ReportAllocs()
			defer reportCPU(b)()
			var t *doctree.Tree
			i := 0
			for b.Loop() {
				t = doctree.ReuseSet(t, sets[i%len(sets)], shape)
				i++
			}
		})
		b.Run("json", func(b *testing.B) {
			b.ReportAllocs()
			defer reportCPU(b)()
			var out []byte
			i := 0
			for b.Loop() {
				out, err = m.TranslateJSON(DocTree(trees[i%len(trees)]), out[:0])
				if err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	})
	b.Run("edifact", func(b *testing.B) {
		m, err := Load("../../testdata/edifact/bench-orders.yaml")
		if err != nil {
			b.Fatal(err)
		}
		var msgs []*edifact.Message
		dec := edifact.NewDecoderBytes(benchgen.Edifact(benchOrders))
		for {
			ev, err := dec.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			if ev.Kind == edifact.EventMessage {
				msgs = append(msgs, ev.Message)
			}
		}
		shape := EDIFACTShape(msgs[0].Directory(), msgs[0].Type)
		trees := make([]*doctree.EDIFACTTree, len(msgs))
		for i, msg := range msgs {
			trees[i] = doctree.FromMessage(msg, shape)
		}
		b.Run("tree", func(b *testing.B) {
			b.ReportAllocs()
			defer reportCPU(b)()
			var t *doctree.EDIFACTTree
			i := 0
			for b.Loop() {
				t = doctree.ReuseMessage(t, msgs[i%len(msgs)], shape)
				i++
			}
		})
		b.Run("json", func(b *testing.B) {
			b.ReportAllocs()
			defer reportCPU(b)()
			var out []byte
			i := 0
			for b.Loop() {
				out, err = m.TranslateJSON(trees[i%len(trees)], out[:0])
				if err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	})
}

// reportCPU starts measuring process CPU time; the function it returns
// reports it per op.
func reportCPU(b *testing.B) func() {
	start := processCPU()
	return func() {
		b.ReportMetric(float64(processCPU()-start)/float64(b.N), "cpu-ns/op")
	}
}
