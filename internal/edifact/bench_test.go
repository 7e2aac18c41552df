package edifact

import (
	"bytes"
	"io"
	"os"
	"sync"
	"testing"

	"github.com/b2bgw/b2bgw/internal/benchgen"
	"github.com/b2bgw/b2bgw/internal/edifact/spec"
)

// benchSize: ~6 MB of D96A ORDERS, the same orders as x12's 5 MB input.
const benchSize = 5_000_000

var benchInput = sync.OnceValue(func() []byte { return benchgen.EdifactSize(benchSize) })

// BenchmarkReaderBytes measures the tokenizer over an input in memory.
//
//	go test ./internal/edifact -run '^$' -bench Reader -benchmem -count 5
//
// B2BGW_EDIFACT_FILE=/tmp/b2bgw-bench/data/po-50m-edifact.edi runs it on
// that file instead.
func BenchmarkReaderBytes(b *testing.B) {
	in := benchInput()
	if f := os.Getenv("B2BGW_EDIFACT_FILE"); f != "" {
		var err error
		if in, err = os.ReadFile(f); err != nil {
			b.Fatal(err)
		}
	}
	benchReader(b, in, func(in []byte) *Reader { return NewReaderBytes(in) })
}

// BenchmarkReaderStream: the same through NewReader (buffer refills).
func BenchmarkReaderStream(b *testing.B) {
	benchReader(b, benchInput(), func(in []byte) *Reader { return NewReader(bytes.NewReader(in)) })
}

func benchReader(b *testing.B, in []byte, open func([]byte) *Reader) {
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	segs := 0
	b.ResetTimer()
	for b.Loop() {
		r := open(in)
		segs = 0
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			segs++
		}
	}
	b.ReportMetric(float64(segs), "segments/op")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(segs), "ns/segment")
}

// BenchmarkDecoder: envelope, counts and repertoire check (UNOA) per message.
func BenchmarkDecoder(b *testing.B) {
	in := benchInput()
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		d := NewDecoderBytes(in, WithReusedMessages())
		for {
			_, err := d.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkValidate: decode and validate against the built-in D96A ORDERS
// (skipped while the spec data is not there).
func BenchmarkValidate(b *testing.B) {
	reg, err := spec.Builtin()
	if err != nil {
		b.Skip(err)
	}
	if _, ok := reg.Message("D96A", "ORDERS"); !ok {
		b.Skip("no D96A ORDERS in the built-in specs yet")
	}
	v := NewValidator(reg)
	in := benchInput()
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if err := Process(NewDecoderBytes(in, WithReusedMessages()), v.Validate, func(*InterchangeResult) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}
