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

// BenchmarkDecoderDeferred: the decoder as translate runs it, the serial
// stage of a parallel run: the repertoire check is left to the workers
// (WithDeferredRepertoire).
func BenchmarkDecoderDeferred(b *testing.B) {
	in := benchInput()
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		d := NewDecoderBytes(in, WithReusedMessages(), WithDeferredRepertoire())
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

// benchMessages decodes the bench input once and keeps its messages, for
// benchmarks of the validator alone.
var benchMessages = sync.OnceValues(func() ([]*Message, error) {
	d := NewDecoderBytes(benchInput())
	var msgs []*Message
	for {
		ev, err := d.Next()
		if err == io.EOF {
			return msgs, nil
		}
		if err != nil {
			return nil, err
		}
		if ev.Kind == EventMessage {
			msgs = append(msgs, ev.Message)
		}
	}
})

// BenchmarkValidateOnly: the validator alone over messages decoded
// beforehand, without an overlay (every message then has a finding: the
// generated RFF+DP is not on the D96A list of 1153) and with the overlay
// of the benchmark file, which adds DP (no findings). "all" validates
// every message of the bench input in turn (~14 MB of messages: each
// comes from main memory); "hot" the first 32 again and again (they stay
// in the cache, as a message does that was just decoded).
//
//	go test ./internal/edifact -run '^$' -bench ValidateOnly -benchmem -cpu 1 -count 5
func BenchmarkValidateOnly(b *testing.B) {
	reg, err := spec.Builtin()
	if err != nil {
		b.Skip(err)
	}
	if _, ok := reg.Message("D96A", "ORDERS"); !ok {
		b.Skip("no D96A ORDERS in the built-in specs yet")
	}
	ov, err := spec.LoadOverlayFile("../../testdata/edifact/overlay-dp.yaml")
	if err != nil {
		b.Fatal(err)
	}
	all, err := benchMessages()
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name     string
		v        *Validator
		accepted bool
	}{
		{"plain", NewValidator(reg), false},
		{"overlay", NewValidator(reg, WithOverlay(ov)), true},
	} {
		for _, set := range []struct {
			name string
			msgs []*Message
		}{{"all", all}, {"hot", all[:32]}} {
			b.Run(c.name+"/"+set.name, func(b *testing.B) {
				if r := c.v.Validate(set.msgs[0]); (r.Status == Accepted) != c.accepted {
					b.Fatalf("status %s, findings %+v", r.Status, r.Segments)
				}
				size := 0
				for _, m := range set.msgs {
					for i := range m.Segments {
						size += len(m.Segments[i].raw) + 1
					}
				}
				b.SetBytes(int64(size))
				b.ReportAllocs()
				for b.Loop() {
					for _, m := range set.msgs {
						c.v.Validate(m)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(set.msgs)), "ns/message")
			})
		}
	}
}
