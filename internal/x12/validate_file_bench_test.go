package x12

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"

	"github.com/b2bgw/b2bgw/internal/x12/spec"
)

// benchX12File is the generated 50 MB 850 file of the benchmark harness
// (bench/gen); B2BGW_BENCH_X12 overrides it. Benchmarks skip without it.
func benchX12File(b *testing.B) []byte {
	name := os.Getenv("B2BGW_BENCH_X12")
	if name == "" {
		name = "/tmp/b2bgw-bench/data/po-50m-x12.edi"
	}
	data, err := os.ReadFile(name)
	if err != nil {
		b.Skipf("no benchmark input: %v", err)
	}
	return data
}

// BenchmarkValidateBuiltinFile validates the first 2,000 sets of the
// benchmark file against the shipped 004010 850 spec: the real spec's loop
// sizes and code lists, the generator's element mix.
func BenchmarkValidateBuiltinFile(b *testing.B) {
	data := benchX12File(b)
	// cut after the 2000th SE so the decoder does not read the whole file
	cut, n := 0, 0
	for n < 2000 {
		i := bytes.Index(data[cut:], []byte("\nSE*"))
		if i < 0 {
			break
		}
		cut += i + 1
		n++
	}
	if j := bytes.IndexByte(data[cut:], '~'); j >= 0 {
		cut += j + 1
	}
	d := NewDecoderBytes(data[:cut])
	var sets []*Set
	size := 0
	for {
		ev, err := d.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		if ev.Kind == EventSet {
			sets = append(sets, ev.Set)
			for i := range ev.Set.Segments {
				size += len(ev.Set.Segments[i].Raw()) + 1
			}
		}
	}
	reg, err := spec.Builtin()
	if err != nil {
		b.Fatal(err)
	}
	v := NewValidator(reg)
	for _, s := range sets {
		if r := v.Validate(s); r.Status != Accepted {
			b.Fatalf("set %s is not clean:\n%s", s.Control, render(r))
		}
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, s := range sets {
			v.Validate(s)
		}
	}
}
