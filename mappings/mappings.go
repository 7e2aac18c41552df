// Package mappings holds the built-in mapping files, outbound templates and
// code lists (the YAML beside this file), embedded so that the b2bgw binary
// carries them. Each file has its tests beside it (<name>.test.yaml with
// fixtures in testdata/), run by `b2bgw test mappings/`.
//
// A mapping is found by what it reads: the standard, version and set of its
// source: key (X12 004010 850 → x12-004010-850.yaml). Adding a mapping file
// here registers it; no Go code names it.
//
// For and Template compile only the file they return, on first use: a run
// that translates one kind of document does not pay for compiling every
// built-in file. Load compiles them all, for the commands that list or
// check every one.
package mappings

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"sync"

	"github.com/b2bgw/b2bgw/internal/mapping"
)

// FS is the embedded mapping folder: mappings, templates, code lists, and
// the tests with their fixtures.
//
//go:embed *.yaml codelists/*.yaml testdata
var FS embed.FS

// builtin is the index of FS, read once.
var builtin = sync.OnceValues(func() ([]*file, error) { return readIndex(FS) })

// For returns the built-in mapping that reads documents of standard,
// version and set (set and version empty for CSV), or nil when none does.
// It compiles that one file the first time it is asked for (once; the
// result is shared and immutable, and For is safe for concurrent use). An
// error means a built-in file is broken, which the package's tests catch
// before a release.
func For(standard, version, set string) (*mapping.Mapping, error) {
	files, err := builtin()
	if err != nil {
		return nil, err
	}
	if f := reads(files, standard, version, set); f != nil {
		return f.mapping()
	}
	return nil, nil
}

// reads returns the first of files that is a mapping of documents of
// standard, version and set, or nil.
func reads(files []*file, standard, version, set string) *file {
	want := mapping.Source{Standard: standard, Version: baseVersion(standard, version), Set: set}
	for _, f := range files {
		if f.kind == "mapping" && f.std == want {
			return f
		}
	}
	return nil
}

// Template returns the built-in template that writes source documents
// (InventoryAdvice …) to standard ("x12", "csv"), or nil when none does;
// compiled on first use, as For.
func Template(source, standard string) (*mapping.Template, error) {
	files, err := builtin()
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if f.kind == "template" && f.doc == source && f.std.Standard == standard {
			return f.template()
		}
	}
	return nil, nil
}

// Set is everything built in, loaded once.
type Set struct {
	Mappings  []*mapping.Mapping
	Templates []*mapping.Template
}

// Load compiles every built-in mapping and template (once; the result is
// shared and immutable, and holds the same values For and Template
// return). An error means a built-in file is broken, which the package's
// tests catch before a release.
var Load = sync.OnceValues(func() (*Set, error) {
	files, err := builtin()
	if err != nil {
		return nil, err
	}
	s := &Set{}
	for _, f := range files {
		switch f.kind {
		case "mapping":
			m, err := f.mapping()
			if err != nil {
				return nil, err
			}
			s.Mappings = append(s.Mappings, m)
		case "template":
			t, err := f.template()
			if err != nil {
				return nil, err
			}
			s.Templates = append(s.Templates, t)
		}
	}
	return s, nil
})

// For returns the built-in mapping that reads documents of standard,
// version and set (set and version empty for CSV), or nil. An X12 version
// with an industry suffix (004010VICS) matches its base version.
func (s *Set) For(standard, version, set string) *mapping.Mapping {
	version = baseVersion(standard, version)
	for _, m := range s.Mappings {
		if m.Source.Standard == standard && m.Source.Version == version && m.Source.Set == set {
			return m
		}
	}
	return nil
}

// baseVersion drops an X12 version's industry suffix (004010VICS is read
// as 004010): built-in mappings are written for the base version.
func baseVersion(standard, version string) string {
	if len(version) > 6 && standard == "x12" {
		return version[:6]
	}
	return version
}

// Template returns the built-in template that writes source documents
// (InventoryAdvice …) to standard ("x12", "csv"), or nil.
func (s *Set) Template(source, standard string) *mapping.Template {
	for _, t := range s.Templates {
		if t.Source == source && t.Target.Standard == standard {
			return t
		}
	}
	return nil
}

// Kind tells what a YAML file of the mapping language is from its first
// top-level key: "mapping", "template", "codelist", "test" (a .test.yaml)
// or "" when it is none of them.
func Kind(fsys fs.FS, name string) (string, error) {
	if strings.HasSuffix(name, ".test.yaml") {
		return "test", nil
	}
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return "", err
	}
	return KindOf(data), nil
}

// KindOf is Kind over a file's bytes: the first top-level key that is one
// of mapping:, template:, codelist:.
func KindOf(data []byte) string {
	for line := range bytes.Lines(data) {
		if c := line[0]; c == ' ' || c == '\t' || c == '#' || c == '-' {
			continue
		}
		key, _, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		key = bytes.TrimSpace(key)
		for _, kind := range [...]string{"mapping", "template", "codelist"} {
			if string(key) == kind {
				return kind
			}
		}
	}
	return ""
}

// Describe lists what is built in, one line each, for `b2bgw translate
// --help` and error messages.
func (s *Set) Describe() string {
	var b strings.Builder
	for _, m := range s.Mappings {
		src := m.Source.Standard
		if m.Source.Version != "" || m.Source.Set != "" {
			src += " " + m.Source.Version + " " + m.Source.Set
		}
		fmt.Fprintf(&b, "  %-28s %-18s -> %s\n", path.Base(m.File), src, m.Target)
	}
	for _, t := range s.Templates {
		dst := t.Target.Standard
		if t.Target.Set != "" {
			dst += " " + t.Target.Version + " " + t.Target.Set
		}
		fmt.Fprintf(&b, "  %-28s %-18s -> %s\n", path.Base(t.File), t.Source, dst)
	}
	return b.String()
}
