// Package mappings holds the built-in mapping files, outbound templates and
// code lists (the YAML beside this file), embedded so that the b2bgw binary
// carries them. Each file has its tests beside it (<name>.test.yaml with
// fixtures in testdata/), run by `b2bgw test mappings/`.
//
// A mapping is found by what it reads: the standard, version and set of its
// source: key (X12 004010 850 → x12-004010-850.yaml). Adding a mapping file
// here registers it; no Go code names it.
package mappings

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/b2bgw/b2bgw/internal/mapping"
)

// FS is the embedded mapping folder: mappings, templates, code lists, and
// the tests with their fixtures.
//
//go:embed *.yaml codelists/*.yaml testdata
var FS embed.FS

// Set is everything built in, loaded once.
type Set struct {
	Mappings  []*mapping.Mapping
	Templates []*mapping.Template
}

// Load compiles every built-in mapping and template (once; the result is
// shared and immutable). An error means a built-in file is broken, which
// the package's tests catch before a release.
var Load = sync.OnceValues(func() (*Set, error) {
	names, err := fs.Glob(FS, "*.yaml")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	s := &Set{}
	for _, name := range names {
		if strings.HasSuffix(name, ".test.yaml") {
			continue
		}
		kind, err := Kind(FS, name)
		if err != nil {
			return nil, err
		}
		switch kind {
		case "mapping":
			m, err := mapping.LoadFS(FS, name)
			if err != nil {
				return nil, err
			}
			s.Mappings = append(s.Mappings, m)
		case "template":
			t, err := mapping.LoadTemplateFS(FS, name)
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
	if len(version) > 6 && standard == "x12" {
		version = version[:6]
	}
	for _, m := range s.Mappings {
		if m.Source.Standard == standard && m.Source.Version == version && m.Source.Set == set {
			return m
		}
	}
	return nil
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
	for _, line := range strings.Split(string(data), "\n") {
		if line == "" || line[0] == ' ' || line[0] == '\t' || line[0] == '#' || line[0] == '-' {
			continue
		}
		key, _, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		switch key = strings.TrimSpace(key); key {
		case "mapping", "template", "codelist":
			return key
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
