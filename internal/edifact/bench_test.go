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
	msgs := 0
	cpu := processCPU()
	for b.Loop() {
		d := NewDecoderBytes(in, WithReusedMessages(), WithDeferredRepertoire())
		msgs = 0
		for {
			ev, err := d.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			if ev.Kind == EventMessage {
				msgs++
			}
		}
	}
	reportPerMessage(b, msgs, cpu)
}

// reportPerMessage reports ns/message and cpu-ns/message (the process
// CPU time since cpu, the figure to compare on a busy machine) for b.N
// rounds of msgs messages.
func reportPerMessage(b *testing.B, msgs int, cpu int64) {
	n := float64(b.N) * float64(msgs)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/message")
	b.ReportMetric(float64(processCPU()-cpu)/n, "cpu-ns/message")
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
var benchMessages = sync.OnceValues(func() ([]*Message, error) { return decodeBench() })

// benchDeferred: the same, decoded WithDeferredRepertoire (as translate
// decodes), with the repertoire check each message carries.
var benchDeferred = sync.OnceValues(func() ([]*Message, error) { return decodeBench(WithDeferredRepertoire()) })

func decodeBench(opts ...DecoderOption) ([]*Message, error) {
	d := NewDecoderBytes(benchInput(), opts...)
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
}

// BenchmarkValidateOnly: the validator alone over messages decoded
// beforehand, without an overlay (every message then has a finding: the
// generated RFF+DP is not on the D96A list of 1153) and with the overlay
// of the benchmark file, which adds DP (no findings); "chars" is the
// latter over messages that carry their repertoire check (decoded
// WithDeferredRepertoire, as translate decodes). "all" validates
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
	checked, err := benchMessages()
	if err != nil {
		b.Fatal(err)
	}
	deferred, err := benchDeferred()
	if err != nil {
		b.Fatal(err)
	}
	// Validate runs a message's repertoire check once: it is given back
	// before every round.
	chars := make([]*charCheck, len(deferred))
	for i, m := range deferred {
		chars[i] = m.chars
	}
	for _, c := range []struct {
		name     string
		v        *Validator
		all      []*Message
		accepted bool
	}{
		{"plain", NewValidator(reg), checked, false},
		{"overlay", NewValidator(reg, WithOverlay(ov)), checked, true},
		{"chars", NewValidator(reg, WithOverlay(ov)), deferred, true},
	} {
		for _, set := range []struct {
			name string
			msgs []*Message
		}{{"all", c.all}, {"hot", c.all[:32]}} {
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
				cpu := processCPU()
				for b.Loop() {
					for i, m := range set.msgs {
						if c.name == "chars" {
							m.chars = chars[i]
						}
						c.v.Validate(m)
					}
				}
				reportPerMessage(b, len(set.msgs), cpu)
			})
		}
	}
}

// BenchmarkDecodeValidate: what translate spends per message before the
// mapping, on one goroutine: the deferred decoder (its serial stage), then
// the repertoire check and the validation with the overlay of the
// benchmark file (every message accepted).
//
//	go test ./internal/edifact -run '^$' -bench DecodeValidate -benchmem -cpu 1 -count 5
func BenchmarkDecodeValidate(b *testing.B) {
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
	v := NewValidator(reg, WithOverlay(ov))
	in := benchInput()
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	msgs := 0
	cpu := processCPU()
	for b.Loop() {
		d := NewDecoderBytes(in, WithReusedMessages(), WithDeferredRepertoire())
		msgs = 0
		for {
			ev, err := d.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			if ev.Kind == EventMessage {
				if r := v.Validate(ev.Message); r.Status != Accepted {
					b.Fatalf("message %s: status %s, findings %+v", ev.Message.Ref, r.Status, r.Segments)
				}
				msgs++
			}
		}
	}
	reportPerMessage(b, msgs, cpu)
}
