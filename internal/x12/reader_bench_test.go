package x12

import (
	"bytes"
	"io"
	"runtime"
	"sync"
	"testing"

	"github.com/b2bgw/b2bgw/internal/benchgen"
)

// benchSize is the input of the tokenizer benchmarks (~5 MB, 142,019
// segments): large enough that the per-file work (the ISA, the buffer) is
// noise and that the input does not sit in L2 like a toy file would.
const benchSize = 5_000_000

var benchInputs = sync.OnceValue(func() map[string][]byte {
	return map[string][]byte{
		"x12":      benchgen.X12Size(benchSize, true),
		"x12-nonl": benchgen.X12Size(benchSize, false),
	}
})

// BenchmarkReaderBytes measures the tokenizer over an input in memory
// (NewReaderBytes: segments alias the input, nothing is copied).
//
//	go test ./internal/x12 -run '^$' -bench 'Reader(Bytes|Stream)' -benchmem -count 5
func BenchmarkReaderBytes(b *testing.B) {
	for _, name := range []string{"x12", "x12-nonl"} {
		b.Run(name, func(b *testing.B) {
			benchReader(b, benchInputs()[name], func(in []byte) *Reader { return NewReaderBytes(in) })
		})
	}
}

// BenchmarkReaderStream measures the same input through NewReader, i.e. with
// the buffer refills and copies of the streaming path.
func BenchmarkReaderStream(b *testing.B) {
	for _, name := range []string{"x12", "x12-nonl"} {
		b.Run(name, func(b *testing.B) {
			benchReader(b, benchInputs()[name], func(in []byte) *Reader { return NewReader(bytes.NewReader(in)) })
		})
	}
}

func benchReader(b *testing.B, in []byte, open func([]byte) *Reader) {
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	segs, elems := 0, 0
	b.ResetTimer()
	for b.Loop() {
		r := open(in)
		for {
			s, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			segs++
			elems += s.Len()
		}
	}
	b.StopTimer()
	runtime.ReadMemStats(&ms1)
	n := float64(b.N)
	perOp := float64(segs) / n
	b.ReportMetric(perOp, "segments/op")
	b.ReportMetric(float64(elems)/n, "elements/op")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(segs), "ns/segment")
	b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/float64(segs), "allocs/segment")
}
