package doctree

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"

	"github.com/b2bgw/b2bgw/internal/x12"
	"github.com/b2bgw/b2bgw/internal/x12/spec"
)

// BenchmarkX12PerSet measures what translate's X12 side costs per set on
// the benchmark file's first 4,000 orders: decoding, then validating, then
// building the mapping's tree, each stage added to the one before, sets
// given back to the decoder and the tree built from the validator's
// placement as translate does. cpu-ns/set (the process's
// CPU time: wall time means little on a shared machine) of "tree" minus
// that of "validate" is the tree's share. Skips without the file
// (B2BGW_BENCH_X12 overrides /tmp/b2bgw-bench/data/po-50m-x12.edi).
//
//	go test ./internal/doctree -run '^$' -bench X12PerSet -benchmem -cpu 1 -count 5
func BenchmarkX12PerSet(b *testing.B) {
	name := os.Getenv("B2BGW_BENCH_X12")
	if name == "" {
		name = "/tmp/b2bgw-bench/data/po-50m-x12.edi"
	}
	data, err := os.ReadFile(name)
	if err != nil {
		b.Skipf("no benchmark input: %v", err)
	}
	// cut after the 4000th SE; the decoder reports the missing GE and IEA,
	// which costs nothing measurable
	cut := 0
	for n := 0; n < 4000; n++ {
		i := bytes.Index(data[cut:], []byte("\nSE*"))
		if i < 0 {
			break
		}
		cut += i + 1
	}
	cut += bytes.IndexByte(data[cut:], '~') + 1
	in := data[:cut]
	reg, err := spec.Builtin()
	if err != nil {
		b.Fatal(err)
	}
	ts, ok := reg.Set("004010", "850")
	if !ok {
		b.Fatal("no 004010 850 spec")
	}
	shape := Compile(ts)
	v := x12.NewValidator(reg)
	for _, stage := range []string{"decode", "validate", "tree"} {
		b.Run(stage, func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			var tree *Tree
			var placed x12.Placement
			sets := 0
			cpu := processCPU()
			for b.Loop() {
				d := x12.NewDecoderBytes(in)
				for {
					ev, err := d.Next()
					if errors.Is(err, io.EOF) {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					if ev.Kind != x12.EventSet {
						continue
					}
					sets++
					if stage != "decode" {
						if r := v.ValidatePlaced(ev.Set, &placed); r.Status != x12.Accepted {
							b.Fatalf("set %s is not clean: %v", ev.Set.Control, r.Segments)
						}
					}
					if stage == "tree" {
						tree = ReusePlaced(tree, ev.Set, shape, &placed)
					}
					d.Reuse(ev.Set)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(sets), "ns/set")
			b.ReportMetric(float64(processCPU()-cpu)/float64(sets), "cpu-ns/set")
		})
	}
}
