package translate

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/b2bgw/b2bgw/internal/benchgen"
)

// BenchmarkTranslate850File translates a file of generated 850s (the
// benchmark file's first orders: 2,000 orders, ~2.7 MB) through the whole
// pipeline: decode, validate, tree, built-in mapping, meta, canonical
// check, JSON. B2BGW_BENCH_FILE names another file (the 50 MB one).
func BenchmarkTranslate850File(b *testing.B) {
	path := os.Getenv("B2BGW_BENCH_FILE")
	if path == "" {
		path = filepath.Join(b.TempDir(), "po.edi")
		if err := os.WriteFile(path, benchgen.X12(2000, true), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	tr, err := New(Options{ReuseOutput: true}) // as the CLI: emit writes and forgets
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
