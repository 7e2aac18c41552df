package spec

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/goccy/go-yaml/ast"

	"github.com/b2bgw/b2bgw/internal/yamlpos"
)

// The data tree is embedded so that the binary validates without any file
// on disk; data/README.md documents the format.
//
//go:embed data
var builtinFS embed.FS

// Registry holds the loaded dictionaries and transaction sets of every
// version. It is read-only after loading and safe for concurrent use.
//
// The built-in registry loads each version on first use, from its
// snapshot (snapshot.go: well under a millisecond) when that was made from
// the embedded YAML, else by parsing the YAML (~50 ms of CPU per version).
type Registry struct {
	dicts    map[string]*Dictionary
	sets     map[string]map[string]*TransactionSet // version -> set id -> set
	versions []string

	lazy map[string]*lazyVersion // built-in registry only
}

// lazyVersion is one version of the built-in data, loaded once on demand.
type lazyVersion struct {
	once  sync.Once
	fsys  fs.FS
	snaps fs.FS // snapshots of the versions in fsys (see snapshot.go), or nil
	dir   string
	dict  *Dictionary
	sets  map[string]*TransactionSet
	err   error
}

func (lv *lazyVersion) load(version string) {
	lv.once.Do(func() {
		if dict, sets, ok := loadSnapshot(lv.snaps, lv.fsys, lv.dir, version); ok {
			lv.dict, lv.sets = dict, sets
			return
		}
		dict, sets, errs := loadVersion(lv.fsys, lv.dir, version)
		if len(errs) > 0 {
			lv.err = errors.Join(errs...)
			return
		}
		lv.dict, lv.sets = dict, sets
	})
}

var builtin struct {
	once sync.Once
	reg  *Registry
	err  error
}

// Builtin returns the registry of the embedded spec data, shared by all
// callers. Versions are parsed on first use; LoadAll parses them all and
// reports any error. The shipped data is checked by this package's tests,
// so a broken version is a build defect, not a runtime condition.
func Builtin() (*Registry, error) {
	builtin.once.Do(func() {
		builtin.reg, builtin.err = lazyFS(builtinFS, "data", snapshotFS)
	})
	return builtin.reg, builtin.err
}

// lazyFS lists the version folders under root without parsing them. A
// version is read from its snapshot in snaps (nil: none) when that was made
// from the same YAML.
func lazyFS(fsys fs.FS, root string, snaps fs.FS) (*Registry, error) {
	entries, err := fs.ReadDir(fsys, root)
	if err != nil {
		return nil, fmt.Errorf("spec: reading %s: %w", root, err)
	}
	reg := &Registry{lazy: map[string]*lazyVersion{}}
	for _, e := range entries {
		if !e.IsDir() || !isVersionName(e.Name()) {
			continue
		}
		dir := path.Join(root, e.Name())
		files, err := fs.Glob(fsys, dir+"/*.yaml")
		if err != nil || len(files) == 0 {
			continue
		}
		reg.lazy[e.Name()] = &lazyVersion{fsys: fsys, snaps: snaps, dir: dir}
		reg.versions = append(reg.versions, e.Name())
	}
	sort.Strings(reg.versions)
	return reg, nil
}

// LoadAll parses every version now and returns the errors of any that do
// not load. It is a no-op for registries made by LoadFS, which parse
// everything up front.
func (r *Registry) LoadAll() error {
	var errs []error
	for _, v := range r.versions {
		if lv := r.lazy[v]; lv != nil {
			lv.load(v)
			if lv.err != nil {
				errs = append(errs, lv.err)
			}
		}
	}
	return errors.Join(errs...)
}

// version returns a version's dictionary and sets, loading it if needed.
func (r *Registry) version(v string) (*Dictionary, map[string]*TransactionSet) {
	if r.lazy != nil {
		lv := r.lazy[v]
		if lv == nil {
			return nil, nil
		}
		lv.load(v)
		return lv.dict, lv.sets
	}
	return r.dicts[v], r.sets[v]
}

// Set returns a transaction set's structure, e.g. Set("004010", "850").
func (r *Registry) Set(version, id string) (*TransactionSet, bool) {
	_, sets := r.version(version)
	ts, ok := sets[id]
	return ts, ok
}

// Sets returns the ids of a version's transaction sets, sorted.
func (r *Registry) Sets(version string) []string {
	_, sets := r.version(version)
	ids := make([]string, 0, len(sets))
	for id := range sets {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Dictionary returns a version's elements, composites, segments and codes.
func (r *Registry) Dictionary(version string) (*Dictionary, bool) {
	d, _ := r.version(version)
	return d, d != nil
}

// Versions returns the loaded versions, sorted ("004010", "005010").
func (r *Registry) Versions() []string { return append([]string(nil), r.versions...) }

// LoadFS loads every version folder under root (root/004010/...). A folder
// without .yaml files is skipped, so a version can be prepared without
// breaking the others; any error in a folder that has files fails the load.
// All problems found are returned together, each as a *LoadError naming
// file:line:column.
func LoadFS(fsys fs.FS, root string) (*Registry, error) {
	entries, err := fs.ReadDir(fsys, root)
	if err != nil {
		return nil, fmt.Errorf("spec: reading %s: %w", root, err)
	}
	reg := &Registry{dicts: map[string]*Dictionary{}, sets: map[string]map[string]*TransactionSet{}}
	var errs []error
	for _, e := range entries {
		if !e.IsDir() {
			continue // README.md and the like
		}
		version := e.Name()
		if !isVersionName(version) {
			errs = append(errs, &LoadError{File: path.Join(root, version), Msg: "folder is not a version: name version folders with the six digits of GS08 without the industry suffix (004010, 005010)"})
			continue
		}
		dict, sets, verrs := loadVersion(fsys, path.Join(root, version), version)
		errs = append(errs, verrs...)
		if dict == nil || len(verrs) > 0 {
			continue
		}
		reg.dicts[version] = dict
		reg.sets[version] = sets
		reg.versions = append(reg.versions, version)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	sort.Strings(reg.versions)
	return reg, nil
}

func isVersionName(s string) bool {
	if len(s) != 6 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// dictionary file names; every other .yaml file in a version is a set.
const (
	elementsFile   = "elements.yaml"
	compositesFile = "composites.yaml"
	segmentsFile   = "segments.yaml"
	codesFile      = "codes.yaml"
)

// loadVersion reads one version folder. It returns a nil dictionary and no
// errors for a folder without .yaml files.
func loadVersion(fsys fs.FS, dir, version string) (*Dictionary, map[string]*TransactionSet, []error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, nil, []error{fmt.Errorf("spec: reading %s: %w", dir, err)}
	}
	var setFiles []string
	have := map[string]bool{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".yaml") {
			continue
		}
		have[name] = true
		switch name {
		case elementsFile, compositesFile, segmentsFile, codesFile:
		default:
			setFiles = append(setFiles, name)
		}
	}
	if len(have) == 0 {
		return nil, nil, nil
	}
	var errs []error
	for _, req := range []string{elementsFile, segmentsFile} {
		if !have[req] {
			errs = append(errs, &LoadError{File: path.Join(dir, req), Msg: "missing: a version folder with spec files needs " + elementsFile + " and " + segmentsFile})
		}
	}
	if len(errs) > 0 {
		return nil, nil, errs
	}

	d := &Dictionary{
		Version:    version,
		Elements:   map[string]*Element{},
		Composites: map[string]*Composite{},
		Segments:   map[string]*Segment{},
		Codes:      map[string]map[string]string{},
	}
	// Order matters: each file may only reference what the previous ones
	// defined, so every reference is checked where it is written.
	//
	// Parsing the YAML is most of the cost of loading (the CLI pays it on
	// every run), and files parse independently: parse them all at once,
	// then resolve in order.
	type parsed struct {
		f    *fileReader
		body ast.Node
		ok   bool
	}
	files := map[string]*parsed{}
	var wg sync.WaitGroup
	for name := range have {
		p := &parsed{f: &fileReader{yamlpos.Reader{File: path.Join(dir, name)}}}
		files[name] = p
		wg.Add(1)
		go func() {
			defer wg.Done()
			data, err := fs.ReadFile(fsys, path.Join(dir, name))
			if err != nil {
				p.f.Errs = append(p.f.Errs, &LoadError{File: p.f.File, Msg: err.Error()})
				return
			}
			p.body, p.ok = p.f.Parse(data)
		}()
	}
	wg.Wait()
	read := func(name string, fn func(*fileReader, ast.Node)) {
		p := files[name]
		if p == nil {
			return
		}
		if p.ok {
			fn(p.f, p.body)
		}
		errs = append(errs, p.f.Errs...)
	}
	read(elementsFile, d.readElements)
	read(compositesFile, d.readComposites)
	read(segmentsFile, d.readSegments)
	read(codesFile, d.readCodes)

	sort.Strings(setFiles)
	sets := map[string]*TransactionSet{}
	for _, name := range setFiles {
		read(name, func(f *fileReader, body ast.Node) {
			ts := d.readSet(f, body, strings.TrimSuffix(name, ".yaml"))
			if ts != nil {
				sets[ts.ID] = ts
			}
		})
	}
	return d, sets, errs
}

func (d *Dictionary) readElements(f *fileReader, body ast.Node) {
	for _, p := range f.Mapping(body, "the element dictionary") {
		what := "element " + p.Key
		if !isDigits(p.Key) {
			f.Errorf(p.KeyNode, "element id %q must be the standard's number (digits only, quoted: \"353\")", p.Key)
			continue
		}
		fl := f.Fields(p.Value, what, "name", "type", "min", "max")
		el := &Element{ID: p.Key}
		el.Name = f.required(fl, "name", what, p.KeyNode)
		el.Type = f.required(fl, "type", what, p.KeyNode)
		if el.Type != "" && !validType(el.Type) {
			f.Errorf(fl["type"].Value, "%s: type %q is not one of AN, ID, DT, TM, R, B, N0..N9", what, el.Type)
		}
		minOK, maxOK := false, false
		if v, ok := fl["min"]; ok {
			el.Min, minOK = f.Integer(v.Value, what+" min")
		} else {
			f.Errorf(p.KeyNode, "%s: min is missing", what)
		}
		if v, ok := fl["max"]; ok {
			el.Max, maxOK = f.Integer(v.Value, what+" max")
		} else {
			f.Errorf(p.KeyNode, "%s: max is missing", what)
		}
		if minOK && maxOK {
			switch {
			case el.Min < 1:
				f.Errorf(fl["min"].Value, "%s: min %d must be at least 1", what, el.Min)
			case el.Min > el.Max:
				f.Errorf(fl["min"].Value, "%s: min %d is greater than max %d", what, el.Min, el.Max)
			}
		}
		d.Elements[el.ID] = el
	}
}

func (d *Dictionary) readComposites(f *fileReader, body ast.Node) {
	for _, p := range f.Mapping(body, "the composite dictionary") {
		what := "composite " + p.Key
		fl := f.Fields(p.Value, what, "name", "components", "rules")
		c := &Composite{ID: p.Key}
		c.Name = f.required(fl, "name", what, p.KeyNode)
		if v, ok := fl["components"]; ok {
			for i, n := range f.Sequence(v.Value, what+" components") {
				// A bad ref is kept (unresolved) so that the positions of
				// the following components, and the rules naming them,
				// stay right; the load fails on the error anyway.
				ref, _ := d.readRef(f, n, fmt.Sprintf("%s component %d", what, i+1), false)
				c.Components = append(c.Components, ref)
			}
		}
		if len(c.Components) == 0 {
			f.Errorf(p.KeyNode, "%s has no components", what)
		}
		c.Rules = f.readRules(fl, what, len(c.Components), "component")
		d.Composites[c.ID] = c
	}
}

func (d *Dictionary) readSegments(f *fileReader, body ast.Node) {
	for _, p := range f.Mapping(body, "the segment directory") {
		what := "segment " + p.Key
		if !isSegmentTag(p.Key) {
			f.Errorf(p.KeyNode, "segment id %q must be 2 or 3 upper-case letters or digits, starting with a letter", p.Key)
			continue
		}
		fl := f.Fields(p.Value, what, "name", "elements", "rules")
		s := &Segment{ID: p.Key}
		s.Name = f.required(fl, "name", what, p.KeyNode)
		if v, ok := fl["elements"]; ok {
			for i, n := range f.Sequence(v.Value, what+" elements") {
				ref, _ := d.readRef(f, n, fmt.Sprintf("%s%02d", p.Key, i+1), true)
				s.Elements = append(s.Elements, ref) // kept even when bad: see readComposites
			}
		}
		if len(s.Elements) == 0 {
			f.Errorf(p.KeyNode, "%s has no elements", what)
		}
		s.Rules = f.readRules(fl, what, len(s.Elements), "element")
		d.Segments[s.ID] = s
	}
}

// readRef decodes {ref, usage, repeat} and resolves ref.
func (d *Dictionary) readRef(f *fileReader, n ast.Node, what string, allowComposite bool) (ElementRef, bool) {
	fl := f.Fields(n, what, "ref", "usage", "repeat")
	var r ElementRef
	ok := true
	v, has := fl["ref"]
	if !has {
		f.Errorf(n, "%s: ref is missing", what)
		return r, false
	}
	r.Ref, ok = f.Scalar(v.Value, what+" ref")
	if ok {
		if el, found := d.Elements[r.Ref]; found {
			r.Element = el
		} else if c, found := d.Composites[r.Ref]; found && allowComposite {
			r.Composite = c
		} else if found {
			f.Errorf(v.Value, "%s: %s is a composite; a composite cannot hold another composite", what, r.Ref)
			ok = false
		} else {
			f.Errorf(v.Value, "%s: unknown element or composite %q (define it in %s or %s)", what, r.Ref, elementsFile, compositesFile)
			ok = false
		}
	}
	u := f.required(fl, "usage", what, n)
	switch Usage(u) {
	case Mandatory, Optional, NotUsed:
		r.Usage = Usage(u)
	case "":
		ok = false
	case "C":
		f.Errorf(fl["usage"].Value, "%s: usage %q: write a conditional element as O and its relation as a syntax rule", what, u)
		ok = false
	default:
		f.Errorf(fl["usage"].Value, "%s: unknown usage %q (use M, O or X)", what, u)
		ok = false
	}
	if rv, has := fl["repeat"]; has {
		if r.Repeat, has = f.Integer(rv.Value, what+" repeat"); has && r.Repeat < 1 {
			f.Errorf(rv.Value, "%s: repeat must be at least 1", what)
		}
	}
	return r, ok
}

func (f *fileReader) readRules(fl map[string]pair, what string, n int, unit string) []Rule {
	v, ok := fl["rules"]
	if !ok {
		return nil
	}
	var rules []Rule
	for _, rn := range f.Sequence(v.Value, what+" rules") {
		s, ok := f.Scalar(rn, what+" rule")
		if !ok {
			continue
		}
		r, err := ParseRule(s)
		if err != nil {
			f.Errorf(rn, "%s: %v", what, err)
			continue
		}
		if last := slices.Max(r.Positions); last > n {
			f.Errorf(rn, "%s: syntax rule %s names position %02d, but the %s has only %d %ss", what, s, last, strings.Fields(what)[0], n, unit)
			continue
		}
		rules = append(rules, r)
	}
	return rules
}

func (d *Dictionary) readCodes(f *fileReader, body ast.Node) {
	for _, p := range f.Mapping(body, "the code lists") {
		el, ok := d.Elements[p.Key]
		if !ok {
			f.Errorf(p.KeyNode, "code list for unknown element %q (define it in %s)", p.Key, elementsFile)
			continue
		}
		codes := map[string]string{}
		for _, c := range f.Mapping(p.Value, "code list "+p.Key) {
			desc, ok := f.Scalar(c.Value, fmt.Sprintf("description of code %q of element %s", c.Key, p.Key))
			if !ok {
				continue
			}
			if n := len(c.Key); n < el.Min || n > el.Max {
				f.Errorf(c.KeyNode, "code %q of element %s (%s) has length %d, outside the element's %d..%d", c.Key, p.Key, el.Name, n, el.Min, el.Max)
				continue
			}
			codes[c.Key] = desc
		}
		if len(codes) == 0 {
			f.Errorf(p.KeyNode, "code list for element %s is empty; remove it (an element without a list accepts any value)", p.Key)
			continue
		}
		d.Codes[p.Key] = codes
	}
}

func (d *Dictionary) readSet(f *fileReader, body ast.Node, stem string) *TransactionSet {
	fl := f.Fields(body, "the transaction set", "id", "name", "functional_group", "sources", "structure")
	ts := &TransactionSet{Version: d.Version, Dict: d}
	ts.ID = f.required(fl, "id", "the transaction set", body)
	if ts.ID != "" && ts.ID != stem {
		f.Errorf(fl["id"].Value, "id %q does not match the file name %s.yaml; name the file after the set id", ts.ID, stem)
	}
	ts.Name = f.required(fl, "name", "the transaction set", body)
	ts.FunctionalGroup = f.required(fl, "functional_group", "the transaction set", body)
	if g := ts.FunctionalGroup; g != "" && (len(g) != 2 || !isSegmentTag(g)) {
		f.Errorf(fl["functional_group"].Value, "functional_group %q must be the two-letter GS01 code (e.g. PO)", g)
	}
	if v, ok := fl["sources"]; ok {
		for _, n := range f.Sequence(v.Value, "sources") {
			if s, ok := f.Scalar(n, "a source"); ok {
				ts.Sources = append(ts.Sources, s)
			}
		}
	}
	if len(ts.Sources) == 0 {
		f.Errorf(body, "sources is missing or empty: name where the facts were read")
	}
	v, ok := fl["structure"]
	if !ok {
		f.Errorf(body, "structure is missing")
		return nil
	}
	ts.Structure = d.readNodes(f, v.Value, "structure")
	st := ts.Structure
	if len(st) == 0 {
		f.Errorf(v.Value, "structure is empty")
		return nil
	}
	if st[0].Segment != "ST" {
		f.Errorf(v.Value, "structure must start with segment ST")
	}
	if last := st[len(st)-1]; last.Segment != "SE" || len(st) < 2 {
		f.Errorf(v.Value, "structure must end with segment SE")
	}
	return ts
}

func (d *Dictionary) readNodes(f *fileReader, n ast.Node, what string) []Node {
	var nodes []Node
	for _, item := range f.Sequence(n, what) {
		fl := f.Fields(item, "a structure entry", "segment", "loop", "usage", "max", "pos", "body")
		var nd Node
		_, isSeg := fl["segment"]
		_, isLoop := fl["loop"]
		switch {
		case isSeg && isLoop:
			f.Errorf(item, "an entry is either a segment or a loop, not both")
			continue
		case isSeg:
			nd.Segment, _ = f.Scalar(fl["segment"].Value, "segment")
			if def, ok := d.Segments[nd.Segment]; ok {
				nd.Def = def
			} else if nd.Segment != "" {
				f.Errorf(fl["segment"].Value, "unknown segment %q (define it in %s)", nd.Segment, segmentsFile)
			}
			if b, ok := fl["body"]; ok {
				f.Errorf(b.KeyNode, "segment %s has a body; only loops have one", nd.Segment)
			}
		case isLoop:
			nd.Loop, _ = f.Scalar(fl["loop"].Value, "loop")
		default:
			f.Errorf(item, "an entry needs segment: or loop:")
			continue
		}
		name := nd.Segment + nd.Loop
		if nd.IsLoop() {
			name = "loop " + nd.Loop
		}
		switch u := f.required(fl, "usage", name, item); Usage(u) {
		case Mandatory, Optional:
			nd.Usage = Usage(u)
		case "":
		default:
			f.Errorf(fl["usage"].Value, "%s: unknown usage %q (use M or O)", name, u)
		}
		if mv, ok := fl["max"]; ok {
			nd.Max = f.readMax(mv.Value, name)
		} else {
			f.Errorf(item, "%s: max is missing (a number, or \">1\" for unbounded)", name)
		}
		if pv, ok := fl["pos"]; ok {
			nd.Pos, _ = f.Scalar(pv.Value, name+" pos")
		}
		if nd.IsLoop() {
			bv, ok := fl["body"]
			if !ok {
				f.Errorf(item, "%s has no body", name)
				continue
			}
			nd.Body = d.readNodes(f, bv.Value, name+" body")
			first := bv.Value // where to point at when the body is wrong
			if seq, ok := yamlpos.Unwrap(bv.Value).(*ast.SequenceNode); ok && len(seq.Values) > 0 {
				first = seq.Values[0]
			}
			switch {
			case len(nd.Body) == 0:
				f.Errorf(bv.Value, "%s: body is empty", name)
			case nd.Body[0].IsLoop():
				f.Errorf(first, "%s: the first entry of a loop's body must be a segment (the loop's beginning segment), found loop %s", name, nd.Body[0].Loop)
			case nd.Body[0].Def != nil && nd.Body[0].Segment != nd.Loop:
				f.Errorf(first, "%s begins with segment %s; name a loop after its beginning segment", name, nd.Body[0].Segment)
			case nd.Body[0].Usage != Mandatory || nd.Body[0].Max != 1:
				f.Errorf(first, "%s: the beginning segment of a loop has usage M and max 1 (the loop's max counts its repeats)", name)
			}
		}
		nodes = append(nodes, nd)
	}
	return nodes
}

// readMax reads a max use or loop repeat: a positive integer, or ">1"
// (unbounded, stored as 0).
func (f *fileReader) readMax(n ast.Node, name string) int {
	s, ok := f.Scalar(n, name+" max")
	if !ok {
		return 0
	}
	if s == ">1" {
		return 0
	}
	v, ok := f.Integer(n, name+" max")
	if ok && v < 1 {
		f.Errorf(n, "%s: max must be at least 1, or \">1\" for unbounded", name)
	}
	return v
}

// required returns a field's scalar value, reporting it when absent.
func (f *fileReader) required(fl map[string]pair, key, what string, at ast.Node) string {
	p, ok := fl[key]
	if !ok {
		f.Errorf(at, "%s: %s is missing", what, key)
		return ""
	}
	s, _ := f.Scalar(p.Value, what+" "+key)
	return s
}

func validType(t string) bool {
	switch t {
	case "AN", "ID", "DT", "TM", "R", "B":
		return true
	}
	return len(t) == 2 && t[0] == 'N' && t[1] >= '0' && t[1] <= '9'
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func isSegmentTag(s string) bool {
	if len(s) < 2 || len(s) > 3 || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	for _, c := range s {
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}
