package translate

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/b2bgw/b2bgw/internal/benchgen"
	"github.com/b2bgw/b2bgw/internal/edifact"
	espec "github.com/b2bgw/b2bgw/internal/edifact/spec"
	"github.com/b2bgw/b2bgw/internal/mapping"
)

// BenchmarkTranslateORDERSFile translates generated EDIFACT ORDERS (1,500
// messages, or B2BGW_BENCH_EDIFACT) with the benchmark's mapping and
// overlay (testdata/edifact), as `b2bgw translate --jsonl` does.
func BenchmarkTranslateORDERSFile(b *testing.B) {
	path := os.Getenv("B2BGW_BENCH_EDIFACT")
	if path == "" {
		path = filepath.Join(b.TempDir(), "orders.edi")
		if err := os.WriteFile(path, benchgen.Edifact(1500), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	m, err := mapping.Load("../../testdata/edifact/bench-orders.yaml")
	if err != nil {
		b.Fatal(err)
	}
	reg, err := espec.Builtin()
	if err != nil {
		b.Fatal(err)
	}
	ov, err := espec.LoadOverlayFile("../../testdata/edifact/overlay-dp.yaml")
	if err != nil {
		b.Fatal(err)
	}
	tr, err := New(Options{Mapping: m, EDIFACTValidator: edifact.NewValidator(reg, edifact.WithOverlay(ov))})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(st.Size())
	b.ReportAllocs()
	for b.Loop() {
		sum, err := tr.File(path, func(r *Result) error { return nil })
		if err != nil {
			b.Fatal(err)
		}
		if !sum.OK() {
			b.Fatalf("%+v", sum)
		}
	}
}
