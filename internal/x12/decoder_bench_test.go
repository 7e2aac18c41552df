package x12

import (
	"errors"
	"io"
	"os"
	"testing"
)

// benchDecoderInput is the 50 MB file of the benchmark harness when
// B2BGW_BENCH_FILE names it, else the generated ~5 MB input of the reader
// benchmarks (the same generator, fewer orders).
func benchDecoderInput(b *testing.B) []byte {
	if name := os.Getenv("B2BGW_BENCH_FILE"); name != "" {
		data, err := os.ReadFile(name)
		if err != nil {
			b.Fatal(err)
		}
		return data
	}
	return benchInputs()["x12"]
}

// BenchmarkDecoderFile measures the serial stage of translate: decoding
// every set of a file, without validating it. "fresh" keeps no set (each
// gets new memory), "reuse" gives every set back as soon as it is seen.
//
//	B2BGW_BENCH_FILE=/tmp/b2bgw-bench/data/po-50m-x12.edi go test ./internal/x12 -run '^$' -bench DecoderFile -benchmem -cpu 1 -count 5
func BenchmarkDecoderFile(b *testing.B) {
	in := benchDecoderInput(b)
	for _, reuse := range []bool{false, true} {
		name := "fresh"
		if reuse {
			name = "reuse"
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			sets := 0
			for b.Loop() {
				d := NewDecoderBytes(in)
				for {
					ev, err := d.Next()
					if errors.Is(err, io.EOF) {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					if ev.Kind == EventSet {
						sets++
						if reuse {
							d.Reuse(ev.Set)
						}
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(sets), "ns/set")
			b.ReportMetric(float64(sets)/float64(b.N), "sets/op")
		})
	}
}
