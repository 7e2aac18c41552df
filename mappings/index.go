package mappings

import (
	"bytes"
	"io/fs"
	"sort"
	"strings"
	"sync"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/b2bgw/b2bgw/internal/mapping"
)

// file is one built-in mapping or template, known by its header before it
// is compiled. Compiling every built-in file (YAML, XPath, code lists)
// costs a one-order run more than translating its order; reading the
// headers costs almost nothing.
type file struct {
	name string
	kind string         // "mapping" or "template"
	std  mapping.Source // a mapping's source: (what it reads), a template's target: (what it writes)
	doc  string         // a template's source: the canonical document it writes out

	// The kind's compile, run once on first call.
	mapping  func() (*mapping.Mapping, error)
	template func() (*mapping.Template, error)
}

// readIndex lists the mappings and templates of fsys in name order (the
// order Load and For have always used), each by its header.
func readIndex(fsys fs.FS) ([]*file, error) {
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var files []*file
	for _, name := range names {
		if strings.HasSuffix(name, ".test.yaml") {
			continue
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		f := &file{name: name, kind: KindOf(data)}
		switch f.kind {
		case "mapping":
			f.mapping = sync.OnceValues(func() (*mapping.Mapping, error) { return mapping.LoadFS(fsys, name) })
		case "template":
			f.template = sync.OnceValues(func() (*mapping.Template, error) { return mapping.LoadTemplateFS(fsys, name) })
		default:
			continue // code lists, other YAML
		}
		var ok bool
		if f.std, f.doc, ok = header(f.kind, data); !ok {
			// A header written in a form the quick read does not follow,
			// or a broken one: the compiler reads it, or says what is
			// wrong with its line and column.
			if err := f.fromCompiled(); err != nil {
				return nil, err
			}
		}
		files = append(files, f)
	}
	return files, nil
}

// fromCompiled takes std and doc from the compiled file.
func (f *file) fromCompiled() error {
	if f.kind == "mapping" {
		m, err := f.mapping()
		if err != nil {
			return err
		}
		f.std = m.Source
		return nil
	}
	t, err := f.template()
	if err != nil {
		return err
	}
	f.std, f.doc = t.Target, t.Source
	return nil
}

// header reads what a mapping reads, or what a template writes and from
// which canonical document, from the file's top-level source: and target:
// alone: only their lines are parsed. ok is false when they are missing or
// not written as plain values and a {standard, version, set} mapping (the
// compiler then reads the file); the package's tests check that every
// built-in file is read here, and read as the compiler reads it.
func header(kind string, data []byte) (std mapping.Source, doc string, ok bool) {
	var frag []byte
	keep := false
	for line := range bytes.Lines(data) {
		if c := line[0]; c != ' ' && c != '\t' && c != '#' && c != '\r' && c != '\n' {
			// A top-level key: keep its lines and the indented ones
			// that continue its value.
			key, _, _ := bytes.Cut(line, []byte(":"))
			k := string(bytes.TrimSpace(key))
			keep = k == "source" || k == "target"
		}
		if keep {
			frag = append(frag, line...)
		}
	}
	f, err := parser.ParseBytes(frag, 0)
	if err != nil || len(f.Docs) != 1 {
		return std, "", false
	}
	// (The parser refuses a key written twice.)
	top := map[string]ast.Node{}
	if !eachKey(f.Docs[0].Body, func(k string, v ast.Node) bool { top[k] = v; return true }) {
		return std, "", false
	}
	switch kind {
	case "mapping":
		std, ok = source(top["source"])
	case "template":
		if doc, ok = plain(top["source"]); ok {
			std, ok = source(top["target"])
		}
	}
	return std, doc, ok
}

// source reads {standard, version, set}, each a plain value.
func source(n ast.Node) (s mapping.Source, ok bool) {
	ok = eachKey(n, func(k string, v ast.Node) bool {
		text, ok := plain(v)
		switch k {
		case "standard":
			s.Standard = text
		case "version":
			s.Version = text
		case "set":
			s.Set = text
		default:
			return false // an unknown key, for the compiler to report
		}
		return ok
	})
	return s, ok && s.Standard != ""
}

// eachKey calls fn for each key and value of a YAML mapping with plain
// keys, while it returns true; false when n is no such mapping or fn said
// stop.
func eachKey(n ast.Node, fn func(key string, val ast.Node) bool) bool {
	var values []*ast.MappingValueNode
	switch t := n.(type) {
	case *ast.MappingNode:
		values = t.Values
	case *ast.MappingValueNode:
		values = []*ast.MappingValueNode{t}
	default:
		return false
	}
	for _, mv := range values {
		k, ok := plain(mv.Key)
		if !ok || !fn(k, mv.Value) {
			return false
		}
	}
	return true
}

// plain is a scalar's text as the mapping compiler reads it: a number or
// a boolean as written (version: 004010 is "004010").
func plain(n ast.Node) (string, bool) {
	switch t := n.(type) {
	case *ast.StringNode:
		return t.Value, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode:
		return t.GetToken().Value, true
	}
	return "", false
}
