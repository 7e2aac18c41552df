package translate

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/b2bgw/b2bgw/internal/benchgen"
	"github.com/b2bgw/b2bgw/internal/edifact"
	espec "github.com/b2bgw/b2bgw/internal/edifact/spec"
	"github.com/b2bgw/b2bgw/internal/mapping"
)

// TestFastPathSameOutput translates the same files through the fast path
// (TranslateJSON, spliced meta, canonical.Check) and the Value path
// (Translate, meta Value, strict check) and wants the same results, byte
// for byte, document by document.
func TestFastPathSameOutput(t *testing.T) {
	dir := t.TempDir()
	gen := filepath.Join(dir, "po.edi")
	if err := os.WriteFile(gen, benchgen.X12(300, true), 0o644); err != nil {
		t.Fatal(err)
	}
	// The benchmark's ORDERS with its mapping and overlay: accepted, so
	// their messages go back to the decoder while later ones are read.
	genEDI := filepath.Join(dir, "orders.edi")
	if err := os.WriteFile(genEDI, benchgen.Edifact(300), 0o644); err != nil {
		t.Fatal(err)
	}
	ediMapping, err := mapping.Load("../../testdata/edifact/bench-orders.yaml")
	if err != nil {
		t.Fatal(err)
	}
	reg, err := espec.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	ov, err := espec.LoadOverlayFile("../../testdata/edifact/overlay-dp.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ediOpts := Options{Mapping: ediMapping, EDIFACTValidator: edifact.NewValidator(reg, edifact.WithOverlay(ov))}
	files := []string{gen, genEDI}
	if f := os.Getenv("B2BGW_BENCH_FILE"); f != "" { // the 50 MB file, on request
		files = append(files, f)
	}
	m, _ := filepath.Glob("../../mappings/testdata/*.x12")
	files = append(files, m...)
	m, _ = filepath.Glob("testdata/*.x12")
	files = append(files, m...)
	// reuse: ReuseOutput, with an emit that copies what it keeps (as the
	// CLI writes it out): later documents must not overwrite earlier ones.
	run := func(noFast, reuse bool, partner, path string) []Result {
		opts := Options{Partner: partner, ReuseOutput: reuse}
		if path == genEDI {
			opts.Mapping, opts.EDIFACTValidator = ediOpts.Mapping, ediOpts.EDIFACTValidator
		}
		tr, err := New(opts)
		if err != nil {
			t.Fatal(err)
		}
		tr.noFast = noFast
		var out []Result
		if _, err := tr.File(path, func(r *Result) error {
			c := *r
			if reuse {
				c.JSON = bytes.Clone(r.JSON)
			}
			out = append(out, c)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	docs, accepted := 0, 0
	for _, f := range files {
		// A long partner id: meta of over 1 KiB in front of every
		// document (withMeta copies a worker's first one and makes room
		// for the rest).
		for _, partner := range []string{"", "acme", strings.Repeat("long-partner-", 100)} {
			fast, reused, slow := run(false, false, partner, f), run(false, true, partner, f), run(true, false, partner, f)
			if len(fast) != len(slow) || len(reused) != len(slow) {
				t.Fatalf("%s: %d results fast, %d fast reusing output, %d slow", f, len(fast), len(reused), len(slow))
			}
			for i := range fast {
				if a, b := reused[i], slow[i]; !bytes.Equal(a.JSON, b.JSON) {
					t.Errorf("%s #%d differs with ReuseOutput:\nfast: %s\nslow: %s", f, i, a.JSON, b.JSON)
				}
				a, b := fast[i], slow[i]
				docs++
				if a.Err == nil {
					accepted++
				}
				if !bytes.Equal(a.JSON, b.JSON) || a.Number != b.Number || a.Kind != b.Kind || (a.Err == nil) != (b.Err == nil) ||
					(a.Err != nil && a.Err.Error() != b.Err.Error()) {
					t.Errorf("%s #%d differs:\nfast: %s %q %v\nslow: %s %q %v", f, i, a.JSON, a.Number, a.Err, b.JSON, b.Number, b.Err)
				}
			}
		}
	}
	t.Logf("%d documents compared, %d accepted", docs, accepted)
	if accepted < 1200 { // 2 x (300 X12 + 300 EDIFACT) generated orders at least
		t.Errorf("only %d documents accepted: the comparison must cover the fast path's documents", accepted)
	}
}

// TestWithMeta puts meta in front of a mapping's object: in the room left
// before it when that suffices, in a buffer of its own when not, and
// grows the room for the next document.
func TestWithMeta(t *testing.T) {
	for _, c := range []struct {
		name     string
		reserve  int
		pre, obj string
		inPlace  bool
	}{
		{"room to spare", 200, `{"meta":{}},`, `{"a":1}`, true},
		{"exact room", 12, `{"meta":{}},`, `{"a":1}`, true},
		{"no members", 16, `{"meta":{}}`, `{}`, true},
		{"meta longer than the room", 4, `{"meta":{"partner_id":"x"}},`, `{"a":[1,2]}`, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr := &Translator{}
			r := &room{reserve: c.reserve, pre: []byte(c.pre)}
			out := append(bytes.Repeat([]byte{'#'}, c.reserve), c.obj...)
			doc, base := tr.withMeta(r, out)
			if want := c.pre + c.obj[1:]; string(doc) != want {
				t.Errorf("doc = %s, want %s", doc, want)
			}
			if got := &base[0] == &out[0]; got != c.inPlace {
				t.Errorf("in place = %v, want %v", got, c.inPlace)
			}
			if &base[len(base)-1] != &doc[len(doc)-1] {
				t.Error("doc does not end where its buffer does")
			}
			// the same meta fits next time, with room for a longer number
			if r.reserve < c.reserve || r.reserve < len(c.pre)+roomSlack {
				t.Errorf("reserve = %d after %d for %d bytes of meta", r.reserve, c.reserve, len(c.pre))
			}
			if r.size != len(c.obj)-1 {
				t.Errorf("size = %d, want %d", r.size, len(c.obj)-1)
			}
		})
	}
}
