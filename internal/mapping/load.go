package mapping

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"

	"github.com/goccy/go-yaml/ast"
)

// files abstracts where mapping files come from: the OS for the CLI and
// the gateway, an fs.FS for embedded mappings and tests.
type files struct {
	read func(name string) ([]byte, error)
	join func(base, rel string) string // rel is relative to base's directory
}

func osFiles() files {
	return files{
		read: os.ReadFile,
		join: func(base, rel string) string {
			if filepath.IsAbs(rel) {
				return rel
			}
			return filepath.Join(filepath.Dir(base), filepath.FromSlash(rel))
		},
	}
}

func fsFiles(fsys fs.FS) files {
	return files{
		read: func(name string) ([]byte, error) { return fs.ReadFile(fsys, name) },
		join: func(base, rel string) string { return path.Join(path.Dir(base), rel) },
	}
}

// loader holds the state of one Load: every error, the code lists read so
// far (a list used by several fields is read once) and the extends chain.
type loader struct {
	d         diag
	fs        files
	codelists map[string]*codeList // by resolved path
	chain     []string             // files being loaded, for cycle detection
}

func newLoader(f files) *loader {
	return &loader{fs: f, codelists: map[string]*codeList{}}
}

// rawField is a field as written, before extends are merged and before
// compiling. Each entry keeps its own file.
type rawField struct {
	name      string
	keyN      ast.Node
	file      string
	es        []*entry
	fields    []*rawField
	hasFields bool
}

// rawMapping is one mapping file with its parents merged in.
type rawMapping struct {
	file      string
	top       []*entry // keys other than fields and codelists
	codelists []*entry
	fields    []*rawField
}

// readRaw reads path and, through extends, every file it builds on.
// from is the extends entry that named path (nil for the first file).
func (l *loader) readRaw(p string, from *entry) *rawMapping {
	for i, c := range l.chain {
		if c == p {
			cycle := strings.Join(append(append([]string{}, l.chain[i:]...), p), " → ")
			l.d.at(from.file, from.val, "extends makes a cycle: %s", cycle)
			return nil
		}
	}
	data, err := l.fs.read(p)
	if err != nil {
		if from != nil {
			l.d.at(from.file, from.val, "cannot read the mapping it extends: %v", err)
		} else {
			l.d.errs = append(l.d.errs, &LoadError{File: p, Msg: err.Error()})
		}
		return nil
	}
	l.chain = append(l.chain, p)
	defer func() { l.chain = l.chain[:len(l.chain)-1] }()

	body, ok := parseYAML(&l.d, p, data)
	if !ok {
		return nil
	}
	es, ok := entries(&l.d, p, body, "the mapping", mappingKeys)
	if !ok {
		return nil
	}
	raw := &rawMapping{file: p}
	var parent *rawMapping
	for _, e := range es {
		switch e.key {
		case "fields":
			raw.fields = l.rawFields(p, e.val)
		case "codelists":
			raw.codelists, _ = entries(&l.d, p, e.val, "codelists", nil)
		case "extends":
			if s, ok := e.text(&l.d); ok {
				parent = l.readRaw(l.fs.join(p, s), e)
			}
		default:
			raw.top = append(raw.top, e)
		}
	}
	if parent == nil {
		return raw
	}
	return mergeMappings(&l.d, parent, raw)
}

// rawFields reads a fields: block. A field written as a plain value is
// shorthand for {from: value}.
func (l *loader) rawFields(file string, n ast.Node) []*rawField {
	es, ok := entries(&l.d, file, n, "fields", nil)
	if !ok {
		return nil
	}
	out := make([]*rawField, 0, len(es))
	for _, e := range es {
		f := &rawField{name: e.key, keyN: e.keyN, file: file}
		if _, ok := scalarText(e.val); ok {
			f.es = []*entry{{key: "from", keyN: e.keyN, val: e.val, file: file}}
			out = append(out, f)
			continue
		}
		fes, ok := entries(&l.d, file, e.val, "field "+e.key, fieldKeys)
		if !ok {
			continue
		}
		for _, fe := range fes {
			if fe.key == "fields" {
				f.hasFields = true
				f.fields = l.rawFields(file, fe.val)
				continue
			}
			f.es = append(f.es, fe)
		}
		out = append(out, f)
	}
	return out
}

// sourceKeysOfField are the keys that say where a value comes from; a
// partner override that sets one replaces all of the base's.
var sourceKeysOfField = map[string]bool{"from": true, "const": true, "pair": true}

// mergeMappings applies child on top of parent. The rules, documented in
// docs/mappings.md: top-level keys written in the child win; code lists
// merge by name; fields merge by name recursively, key by key, except that
// setting any of from/const/pair replaces the base's source; remove: true
// drops an inherited field; new fields are appended in the child's order.
func mergeMappings(d *diag, parent, child *rawMapping) *rawMapping {
	out := &rawMapping{file: child.file}
	out.top = mergeEntries(parent.top, child.top, nil)
	// The child's identity is its own: its id is not inherited.
	if get(child.top, "mapping") == nil {
		out.top = dropKey(out.top, "mapping")
	}
	out.codelists = mergeEntries(parent.codelists, child.codelists, nil)
	out.fields = mergeFields(d, parent.fields, child.fields)
	return out
}

func dropKey(es []*entry, key string) []*entry {
	out := es[:0:0]
	for _, e := range es {
		if e.key != key {
			out = append(out, e)
		}
	}
	return out
}

// mergeEntries overlays child entries on parent ones, keeping the
// parent's order and appending new keys. drop removes parent keys first.
func mergeEntries(parent, child []*entry, drop map[string]bool) []*entry {
	out := make([]*entry, 0, len(parent)+len(child))
	for _, p := range parent {
		if drop[p.key] {
			continue
		}
		if c := get(child, p.key); c != nil {
			out = append(out, c)
			continue
		}
		out = append(out, p)
	}
	for _, c := range child {
		if get(out, c.key) == nil {
			out = append(out, c)
		}
	}
	return out
}

func mergeFields(d *diag, parent, child []*rawField) []*rawField {
	byName := func(fs []*rawField, name string) *rawField {
		for _, f := range fs {
			if f.name == name {
				return f
			}
		}
		return nil
	}
	out := make([]*rawField, 0, len(parent)+len(child))
	for _, p := range parent {
		c := byName(child, p.name)
		if c == nil {
			out = append(out, p)
			continue
		}
		if isRemove(c) {
			continue
		}
		var drop map[string]bool
		for _, e := range c.es {
			if sourceKeysOfField[e.key] {
				drop = sourceKeysOfField
			}
		}
		m := &rawField{name: p.name, keyN: c.keyN, file: c.file, es: mergeEntries(p.es, c.es, drop)}
		m.hasFields = p.hasFields || c.hasFields
		m.fields = mergeFields(d, p.fields, c.fields)
		out = append(out, m)
	}
	for _, c := range child {
		if byName(parent, c.name) != nil {
			continue
		}
		if isRemove(c) {
			d.at(c.file, c.keyN, "remove: the mapping this one extends has no field %q", c.name)
			continue
		}
		out = append(out, c)
	}
	return out
}

func isRemove(f *rawField) bool {
	e := get(f.es, "remove")
	if e == nil {
		return false
	}
	b, ok := unwrap(e.val).(*ast.BoolNode)
	return ok && b.Value
}

// codeList is a translation table.
type codeList struct {
	name  string
	file  string
	codes map[string]Value
	def   *Value

	// short is codes as a table keyed by the packed bytes of the codes of
	// 1 to 7 bytes (nearly all EDI codes), built on first lookup once
	// loading is done: a lookup is one or two probes, no string hashing.
	once  sync.Once
	short codeTable
}

func (c *codeList) lookup(code string) (Value, bool) {
	if k := packCode(code); k != 0 {
		c.once.Do(c.buildShort)
		if v := c.short.get(k); v != nil {
			return *v, true
		}
	} else if v, ok := c.codes[code]; ok {
		return v, true
	}
	if c.def != nil {
		return *c.def, true
	}
	return Value{}, false
}

// lookupString is lookup for a code translated to a string: ok is false
// for a code not in the list (with no default) and for one translated to
// another kind, both for finish to report or convert.
func (c *codeList) lookupString(code string) (string, bool) {
	if k := packCode(code); k != 0 {
		c.once.Do(c.buildShort)
		if v := c.short.get(k); v != nil {
			return v.s, v.kind == String
		}
	} else if v, ok := c.codes[code]; ok {
		return v.s, v.kind == String
	}
	if c.def != nil {
		return c.def.s, c.def.kind == String
	}
	return "", false
}

func (c *codeList) buildShort() {
	n := 0
	for k := range c.codes {
		if packCode(k) != 0 {
			n++
		}
	}
	size := 4
	for size < 2*n {
		size *= 2
	}
	c.short = codeTable{keys: make([]uint64, size), vals: make([]Value, size), mask: uint64(size - 1)}
	for k, v := range c.codes {
		if p := packCode(k); p != 0 {
			c.short.put(p, v)
		}
	}
}

// packCode packs a code of 1 to 7 bytes and its length into a non-zero
// integer, one to one; 0 for any other code.
func packCode(s string) uint64 {
	if len(s) == 0 || len(s) > 7 {
		return 0
	}
	k := uint64(len(s)) << 56
	for i := 0; i < len(s); i++ {
		k |= uint64(s[i]) << (8 * i)
	}
	return k
}

// codeTable is an open-addressing table from packed codes to values.
type codeTable struct {
	keys []uint64 // 0: empty
	vals []Value
	mask uint64
}

func (t *codeTable) slot(k uint64) uint64 { return (k * 0x9E3779B97F4A7C15) >> 40 & t.mask }

func (t *codeTable) put(k uint64, v Value) {
	i := t.slot(k)
	for t.keys[i] != 0 {
		i = (i + 1) & t.mask
	}
	t.keys[i], t.vals[i] = k, v
}

func (t *codeTable) get(k uint64) *Value {
	for i := t.slot(k); t.keys[i] != 0; i = (i + 1) & t.mask {
		if t.keys[i] == k {
			return &t.vals[i]
		}
	}
	return nil
}

// readCodeList reads a code-list file, overlaying any it extends.
func (l *loader) readCodeList(p string, from *entry, chain []string) *codeList {
	if cl, ok := l.codelists[p]; ok {
		return cl
	}
	for i, c := range chain {
		if c == p {
			l.d.at(from.file, from.val, "code list extends makes a cycle: %s", strings.Join(append(append([]string{}, chain[i:]...), p), " → "))
			return nil
		}
	}
	data, err := l.fs.read(p)
	if err != nil {
		l.d.at(from.file, from.val, "cannot read code list: %v", err)
		return nil
	}
	body, ok := parseYAML(&l.d, p, data)
	if !ok {
		return nil
	}
	es, ok := entries(&l.d, p, body, "the code list", codelistKeys)
	if !ok {
		return nil
	}
	cl := &codeList{name: p, file: p, codes: map[string]Value{}}
	if e := get(es, "extends"); e != nil {
		if s, ok := e.text(&l.d); ok {
			if base := l.readCodeList(l.fs.join(p, s), e, append(chain, p)); base != nil {
				for k, v := range base.codes {
					cl.codes[k] = v
				}
				cl.def = base.def
			}
		}
	}
	if e := get(es, "codelist"); e != nil {
		cl.name, _ = e.text(&l.d)
	}
	if e := get(es, "default"); e != nil {
		if v, ok := scalarValue(&l.d, e, e.val); ok {
			cl.def = &v
		}
	}
	e := get(es, "codes")
	if e == nil {
		l.d.at(p, body, "a code list needs codes: {code: translation, …}")
	} else {
		l.codeEntries(e, cl)
	}
	l.codelists[p] = cl
	return cl
}

// codeEntries reads a {code: translation} map into cl.
func (l *loader) codeEntries(e *entry, cl *codeList) {
	ces, _ := entries(&l.d, e.file, e.val, "codes", nil)
	for _, ce := range ces {
		if v, ok := scalarValue(&l.d, ce, ce.val); ok {
			cl.codes[ce.key] = v
		}
	}
}

// codeListRef resolves one entry of a codelists: block: a path or an
// inline code list.
func (l *loader) codeListRef(e *entry) *codeList {
	if s, ok := scalarText(e.val); ok {
		return l.readCodeList(l.fs.join(e.file, s), e, nil)
	}
	es, ok := entries(&l.d, e.file, e.val, "code list "+e.key, codelistKeys)
	if !ok {
		return nil
	}
	cl := &codeList{name: e.key, file: e.file, codes: map[string]Value{}}
	for _, ce := range es {
		switch ce.key {
		case "codes":
			l.codeEntries(ce, cl)
		case "default":
			if v, ok := scalarValue(&l.d, ce, ce.val); ok {
				cl.def = &v
			}
		case "extends":
			if s, ok := ce.text(&l.d); ok {
				if base := l.readCodeList(l.fs.join(e.file, s), ce, nil); base != nil {
					for k, v := range base.codes {
						if _, set := cl.codes[k]; !set {
							cl.codes[k] = v
						}
					}
					if cl.def == nil {
						cl.def = base.def
					}
				}
			}
		}
	}
	return cl
}
