package mappings

import (
	"errors"
	"io/fs"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/b2bgw/b2bgw/internal/mapping"
)

// TestIndexAgreesWithLoad checks the lazy index against compiling every
// built-in file: each mapping and template is indexed, its header is read
// without compiling it (the quick read follows every built-in file), and
// reads as the compiler reads it; For and Template return what Load holds.
func TestIndexAgreesWithLoad(t *testing.T) {
	set, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	files, err := builtin()
	if err != nil {
		t.Fatal(err)
	}
	if want := len(set.Mappings) + len(set.Templates); len(files) != want || want == 0 {
		t.Fatalf("index has %d files, Load compiled %d mappings and templates", len(files), want)
	}
	var mi, ti int // Load keeps the index's order
	for _, f := range files {
		data, err := fs.ReadFile(FS, f.name)
		if err != nil {
			t.Fatal(err)
		}
		std, doc, ok := header(f.kind, data)
		if !ok {
			t.Errorf("%s: the header is not read without compiling the file; write source: and target: as the other built-in files do", f.name)
		}
		switch f.kind {
		case "mapping":
			m := set.Mappings[mi]
			mi++
			if m.File != f.name || m.Source != std || doc != "" {
				t.Errorf("%s: header reads source %+v, the compiled %s reads %+v", f.name, std, m.File, m.Source)
			}
			got, err := For(std.Standard, std.Version, std.Set)
			if err != nil || got != set.For(std.Standard, std.Version, std.Set) {
				t.Errorf("For(%+v) = %v, %v; want Load's %s", std, got, err, m.File)
			}
		case "template":
			tm := set.Templates[ti]
			ti++
			if tm.File != f.name || tm.Target != std || tm.Source != doc {
				t.Errorf("%s: header reads %s -> %+v, the compiled %s reads %s -> %+v", f.name, doc, std, tm.File, tm.Source, tm.Target)
			}
			got, err := Template(doc, std.Standard)
			if err != nil || got != set.Template(doc, std.Standard) {
				t.Errorf("Template(%s, %s) = %v, %v; want Load's %s", doc, std.Standard, got, err, tm.File)
			}
		default:
			t.Errorf("%s: indexed as %q", f.name, f.kind)
		}
	}
}

// TestFor looks up the built-in files as the translator and the ATP
// commands do.
func TestFor(t *testing.T) {
	for _, tc := range []struct{ std, version, set, file string }{
		{"x12", "004010", "850", "x12-004010-850.yaml"},
		{"x12", "004010VICS", "850", "x12-004010-850.yaml"},
		{"x12", "004010", "856", "x12-004010-856.yaml"},
		{"x12", "004010", "945", "x12-004010-945.yaml"},
		{"edifact", "D96A", "ORDERS", "edifact-d96a-orders.yaml"},
		{"edifact", "D96A", "DESADV", "edifact-d96a-desadv.yaml"},
		{"csv", "", "", "csv-catalog.yaml"},
		{"x12", "005010", "850", ""},          // no 005010 mapping: not the 004010 one
		{"edifact", "D96AVICS", "ORDERS", ""}, // suffixes are X12's only
		{"x12", "004010", "846", ""},          // a template, not a mapping
	} {
		m, err := For(tc.std, tc.version, tc.set)
		if err != nil {
			t.Fatal(err)
		}
		if got := fileOf(m); got != tc.file {
			t.Errorf("For(%s, %s, %s) = %q, want %q", tc.std, tc.version, tc.set, got, tc.file)
		}
	}
	for _, tc := range []struct{ source, std, file string }{
		{"InventoryAdvice", "x12", "x12-004010-846.yaml"},
		{"InventoryAdvice", "edifact", "edifact-d96a-invrpt.yaml"},
		{"InventoryAdvice", "csv", "csv-inventory.yaml"},
		{"Order", "x12", ""},
	} {
		tm, err := Template(tc.source, tc.std)
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if tm != nil {
			got = tm.File
		}
		if got != tc.file {
			t.Errorf("Template(%s, %s) = %q, want %q", tc.source, tc.std, got, tc.file)
		}
	}
}

func fileOf(m *mapping.Mapping) string {
	if m == nil {
		return ""
	}
	return m.File
}

// TestForConcurrent asks for one mapping from many goroutines at once: it
// is compiled once and every caller gets the same one (run with -race).
func TestForConcurrent(t *testing.T) {
	files, err := readIndex(FS) // a fresh index: nothing compiled yet
	if err != nil {
		t.Fatal(err)
	}
	var f *file
	for _, c := range files {
		if c.name == "x12-004010-856.yaml" {
			f = c
		}
	}
	got := make([]*mapping.Mapping, 8)
	var wg sync.WaitGroup
	for i := range got {
		wg.Go(func() {
			m, err := f.mapping()
			if err != nil {
				t.Error(err)
			}
			got[i] = m
		})
	}
	wg.Wait()
	for i, m := range got {
		if m == nil || m != got[0] {
			t.Fatalf("goroutine %d got %p, goroutine 0 got %p", i, m, got[0])
		}
	}
}

// TestHeader reads source: and target: as the compiler would, or says it
// cannot (the compiler then reads the file).
func TestHeader(t *testing.T) {
	x12 := mapping.Source{Standard: "x12", Version: "004010", Set: "850"}
	tests := []struct {
		name, kind, yaml string
		std              mapping.Source
		doc              string
		ok               bool
	}{
		{"flow", "mapping", "mapping: m\nsource: {standard: x12, version: \"004010\", set: \"850\"}\ntarget: Order\nfields:\n  a: b\n", x12, "", true},
		{"block", "mapping", "# comment\nmapping: m\nsource:\n  standard: x12\n  # between\n  version: '004010'\n\n  set: \"850\"\nfields:\n  source: {standard: csv}\n", x12, "", true},
		{"numbers as written", "mapping", "source: {standard: x12, version: 004010, set: 850}\n", x12, "", true},
		{"csv", "mapping", "source: {standard: csv}\r\ntarget: CatalogItem\r\n", mapping.Source{Standard: "csv"}, "", true},
		{"template", "template", "template: t\nsource: InventoryAdvice\ntarget: {standard: x12, version: \"004010\", set: \"846\"}\n",
			mapping.Source{Standard: "x12", Version: "004010", Set: "846"}, "InventoryAdvice", true},
		{"no source", "mapping", "mapping: m\ntarget: Order\n", mapping.Source{}, "", false},
		{"no standard", "mapping", "source: {set: \"850\"}\n", mapping.Source{}, "", false},
		{"unknown key", "mapping", "source: {standard: x12, sets: \"850\"}\n", mapping.Source{}, "", false},
		{"duplicate", "mapping", "source: {standard: x12}\nsource: {standard: csv}\n", mapping.Source{}, "", false},
		{"a list", "mapping", "source: [x12]\n", mapping.Source{}, "", false},
		{"template without target", "template", "source: InventoryAdvice\n", mapping.Source{}, "", false},
		{"flow continued at column 0", "mapping", "source: {standard: x12,\nset: \"850\"}\n", mapping.Source{}, "", false},
		{"not YAML", "mapping", "source: {standard: x12\n", mapping.Source{}, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			std, doc, ok := header(tc.kind, []byte(tc.yaml))
			if ok != tc.ok || (ok && (std != tc.std || doc != tc.doc)) {
				t.Errorf("header = %+v, %q, %v; want %+v, %q, %v", std, doc, ok, tc.std, tc.doc, tc.ok)
			}
		})
	}
}

// TestReadIndex covers files the quick read does not follow (compiled
// while indexing) and broken files (compiled, and their errors reported,
// only when asked for).
func TestReadIndex(t *testing.T) {
	const fields = "target: Order\nfields:\n  po_number: BEG/BEG03\n"
	good := "mapping: good\nsource: {standard: x12, version: \"004010\", set: \"850\"}\n" + fields
	tests := []struct {
		name    string
		files   fstest.MapFS
		wantErr string // from readIndex, with the file's line
		// For(x12 004010 850): the file it returns, or the error it says
		forFile, forErr string
	}{
		{"quick read", fstest.MapFS{"a.yaml": {Data: []byte(good)}}, "", "a.yaml", ""},
		{"compiled to index", fstest.MapFS{"a.yaml": {Data: []byte("mapping: q\n\"source\": {standard: x12, version: \"004010\", set: \"850\"}\n" + fields)}}, "", "a.yaml", ""},
		{"broken header", fstest.MapFS{"a.yaml": {Data: []byte("mapping: b\nsource: {standard: x12, sets: \"850\"}\n" + fields)}}, `a.yaml:2:`, "", ""},
		{"first by name", fstest.MapFS{"b.yaml": {Data: []byte(good)}, "a.yaml": {Data: []byte(strings.Replace(good, "good", "first", 1))}}, "", "a.yaml", ""},
		{"broken body compiled when asked", fstest.MapFS{"a.yaml": {Data: []byte(good + "  total: {from: BEG/BEG03, type: nonsense}\n")}}, "", "", "a.yaml:"},
		{"broken file not asked for", fstest.MapFS{
			"a.yaml":      {Data: []byte(good)},
			"b.yaml":      {Data: []byte("mapping: csv\nsource: {standard: csv}\n" + fields + "  total: {from: x, type: nonsense}\n")},
			"c.yaml":      {Data: []byte("codelist: c\ncodes: {}\n")},
			"a.test.yaml": {Data: []byte("mapping: not indexed\n")},
		}, "", "a.yaml", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			files, err := readIndex(tc.files)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("readIndex: %v, want an error at %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var m *mapping.Mapping
			if f := reads(files, "x12", "004010VICS", "850"); f != nil {
				m, err = f.mapping()
			}
			if tc.forErr != "" {
				var le *mapping.LoadError
				if !errors.As(err, &le) || !strings.Contains(err.Error(), tc.forErr) {
					t.Fatalf("compiling: %v, want a LoadError in %s", err, tc.forErr)
				}
				return
			}
			if err != nil || fileOf(m) != tc.forFile {
				t.Fatalf("got %q, %v; want %s", fileOf(m), err, tc.forFile)
			}
		})
	}
}

// The start-up cost of the built-in files: the index alone, the index and
// the one mapping a run of 850s needs, and every file (what each run paid
// before mappings were compiled on first use).
func BenchmarkStartup(b *testing.B) {
	for _, bc := range []struct {
		name    string
		compile func(*file) bool
	}{
		{"index", func(*file) bool { return false }},
		{"850", func(f *file) bool { return f.name == "x12-004010-850.yaml" }},
		{"all", func(*file) bool { return true }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				files, err := readIndex(FS)
				if err != nil {
					b.Fatal(err)
				}
				for _, f := range files {
					if bc.compile(f) {
						if err := f.fromCompiled(); err != nil {
							b.Fatal(err)
						}
					}
				}
			}
		})
	}
}

// TestKindOf reads a file's kind from its first top-level key of the
// mapping language, whatever comes before it.
func TestKindOf(t *testing.T) {
	for _, tc := range []struct{ name, yaml, want string }{
		{"mapping", "mapping: m\nsource: {standard: csv}\n", "mapping"},
		{"template after a comment", "# template: no\ntemplate: t\n", "template"},
		{"codelist without a final newline", "description: d\ncodelist: c", "codelist"},
		{"CRLF", "\r\nmapping : m\r\n", "mapping"},
		{"indented keys are not top-level", "fields:\n  mapping: x\n  template: y\n", ""},
		{"a list item", "- mapping: m\n", ""},
		{"a later kind key does not win", "codelist: c\nmapping: m\n", "codelist"},
		{"none", "name: x\n", ""},
		{"empty", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := KindOf([]byte(tc.yaml)); got != tc.want {
				t.Errorf("KindOf(%q) = %q, want %q", tc.yaml, got, tc.want)
			}
		})
	}
}
