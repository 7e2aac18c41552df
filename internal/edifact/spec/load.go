package spec

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/goccy/go-yaml/ast"
)

// The data tree is embedded so that the binary validates without any file
// on disk; data/README.md documents the format.
//
//go:embed data
var builtinFS embed.FS

// Registry holds the directories and messages. It is read-only after
// loading and safe for concurrent use.
//
// The built-in registry loads each directory on first use (with the
// service directory it depends on): a run that reads D96A never pays for
// parsing D01B.
type Registry struct {
	fsys fs.FS
	root string
	ids  []string // directory ids, sorted
	dirs map[string]*lazyDir
}

type lazyDir struct {
	once sync.Once
	dir  *Directory
	msgs map[string]*Message
	err  error
}

var builtin struct {
	once sync.Once
	reg  *Registry
	err  error
}

// Builtin returns the registry of the embedded spec data, shared by all
// callers. Directories are parsed on first use; LoadAll parses them all
// and reports any error. The shipped data is checked by this package's
// tests, so a broken directory is a build defect, not a runtime condition.
func Builtin() (*Registry, error) {
	builtin.once.Do(func() {
		builtin.reg, builtin.err = newRegistry(builtinFS, "data")
	})
	return builtin.reg, builtin.err
}

// LoadFS loads every directory folder under root (root/D96A/..., root/S3/...)
// now, and returns all problems found together, each as a *LoadError naming
// file:line:column. A folder without .yaml files is skipped.
func LoadFS(fsys fs.FS, root string) (*Registry, error) {
	r, err := newRegistry(fsys, root)
	if err != nil {
		return nil, err
	}
	if err := r.LoadAll(); err != nil {
		return nil, err
	}
	return r, nil
}

func newRegistry(fsys fs.FS, root string) (*Registry, error) {
	entries, err := fs.ReadDir(fsys, root)
	if err != nil {
		return nil, fmt.Errorf("spec: reading %s: %w", root, err)
	}
	r := &Registry{fsys: fsys, root: root, dirs: map[string]*lazyDir{}}
	var errs []error
	for _, e := range entries {
		if !e.IsDir() {
			continue // README.md
		}
		files, _ := fs.Glob(fsys, path.Join(root, e.Name(), "*.yaml"))
		if len(files) == 0 {
			continue
		}
		if !isDirectoryID(e.Name()) && !isSyntaxID(e.Name()) {
			errs = append(errs, &LoadError{File: path.Join(root, e.Name()), Msg: "folder is not a directory: name UN directories like D96A (version and release) and service directories S3, S4 (syntax version)"})
			continue
		}
		r.dirs[e.Name()] = &lazyDir{}
		r.ids = append(r.ids, e.Name())
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	sort.Strings(r.ids)
	return r, nil
}

// LoadAll parses every directory now and returns the errors of any that
// do not load.
func (r *Registry) LoadAll() error {
	var errs []error
	for _, id := range r.ids {
		if _, _, err := r.load(id); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// load returns a directory and its messages, loading them on first use.
func (r *Registry) load(id string) (*Directory, map[string]*Message, error) {
	ld := r.dirs[id]
	if ld == nil {
		return nil, nil, nil
	}
	ld.once.Do(func() {
		d, msgs, errs := r.loadDir(id)
		if len(errs) > 0 {
			ld.err = errors.Join(errs...)
			return
		}
		ld.dir, ld.msgs = d, msgs
	})
	return ld.dir, ld.msgs, ld.err
}

// Directories returns the ids of the directories, sorted: UN directories
// ("D01B", "D96A") and service directories ("S3", "S4").
func (r *Registry) Directories() []string { return append([]string(nil), r.ids...) }

// Directory returns a directory's elements, composites, segments and codes.
// id is "D96A" (see DirectoryID) or a service directory "S3", "S4".
func (r *Registry) Directory(id string) (*Directory, bool) {
	d, _, _ := r.load(id)
	return d, d != nil
}

// Syntax returns the service directory of a syntax version (UNB S001
// 0002): 3 or 4. Versions 1 and 2 are not shipped; callers may fall back
// to 3, which is a superset of them for the service segments used here.
func (r *Registry) Syntax(version int) (*Directory, bool) {
	return r.Directory(SyntaxID(version))
}

// Message returns a message's structure, e.g. Message("D96A", "ORDERS").
// A service message (CONTRL) is looked up in the directory first, then in
// the directory's default service directory; Message("S4", "CONTRL")
// names a syntax version directly.
func (r *Registry) Message(directory, typ string) (*Message, bool) {
	d, msgs, _ := r.load(directory)
	if m, ok := msgs[typ]; ok {
		return m, true
	}
	if d != nil && d.Service != nil {
		return r.Message(d.Service.ID, typ)
	}
	return nil, false
}

// Messages returns the message types defined in a directory, sorted (not
// counting those found through its service directory).
func (r *Registry) Messages(directory string) []string {
	_, msgs, _ := r.load(directory)
	out := make([]string, 0, len(msgs))
	for t := range msgs {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// DirectoryID names a UN directory from UNH S009's version (0052) and
// release (0054): DirectoryID("D", "96A") is "D96A".
func DirectoryID(version, release string) string {
	return strings.ToUpper(version + release)
}

// SyntaxID names the service directory of a syntax version: "S3", "S4".
func SyntaxID(version int) string { return "S" + strconv.Itoa(version) }

func isDirectoryID(s string) bool {
	// D96A, D01B, S93A: a letter, two digits and a letter.
	return len(s) == 4 && s[0] >= 'A' && s[0] <= 'Z' && isDigit(s[1]) && isDigit(s[2]) && s[3] >= 'A' && s[3] <= 'Z'
}

func isSyntaxID(s string) bool { return len(s) == 2 && s[0] == 'S' && s[1] >= '1' && s[1] <= '9' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// dictionary file names; every other .yaml file in a directory is a message.
const (
	directoryFile  = "directory.yaml"
	elementsFile   = "elements.yaml"
	compositesFile = "composites.yaml"
	segmentsFile   = "segments.yaml"
	codesFile      = "codes.yaml"
)

func (r *Registry) loadDir(id string) (*Directory, map[string]*Message, []error) {
	dir := path.Join(r.root, id)
	entries, err := fs.ReadDir(r.fsys, dir)
	if err != nil {
		return nil, nil, []error{fmt.Errorf("spec: reading %s: %w", dir, err)}
	}
	have := map[string]bool{}
	var msgFiles []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".yaml") {
			continue
		}
		have[name] = true
		switch name {
		case directoryFile, elementsFile, compositesFile, segmentsFile, codesFile:
		default:
			msgFiles = append(msgFiles, name)
		}
	}
	var errs []error
	for _, req := range []string{directoryFile, elementsFile, segmentsFile} {
		if !have[req] {
			errs = append(errs, &LoadError{File: path.Join(dir, req), Msg: "missing: a directory folder needs " + directoryFile + ", " + elementsFile + " and " + segmentsFile})
		}
	}
	if len(errs) > 0 {
		return nil, nil, errs
	}

	// Parse every file at once (parsing is most of the cost), then resolve
	// in order: each file references only what the previous ones defined.
	type parsed struct {
		f    *fileReader
		errs []error
		body ast.Node
		ok   bool
	}
	files := map[string]*parsed{}
	var wg sync.WaitGroup
	for name := range have {
		p := &parsed{}
		p.f = &fileReader{name: path.Join(dir, name), errs: &p.errs}
		files[name] = p
		wg.Add(1)
		go func() {
			defer wg.Done()
			data, err := fs.ReadFile(r.fsys, path.Join(dir, name))
			if err != nil {
				p.errs = append(p.errs, &LoadError{File: p.f.name, Msg: err.Error()})
				return
			}
			p.body, p.ok = p.f.parse(data)
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
		errs = append(errs, p.errs...)
	}

	d := &Directory{
		ID:         id,
		Elements:   map[string]*Element{},
		Composites: map[string]*Composite{},
		Segments:   map[string]*Segment{},
		Codes:      map[string]*CodeList{},
	}
	read(directoryFile, func(f *fileReader, body ast.Node) { r.readDirectory(f, body, d) })
	if len(errs) > 0 {
		return nil, nil, errs
	}
	read(elementsFile, d.readElements)
	read(compositesFile, d.readComposites)
	read(segmentsFile, d.readSegments)
	read(codesFile, d.readCodes)

	sort.Strings(msgFiles)
	msgs := map[string]*Message{}
	for _, name := range msgFiles {
		read(name, func(f *fileReader, body ast.Node) {
			if m := d.readMessage(f, body, strings.TrimSuffix(name, ".yaml")); m != nil {
				msgs[m.Type] = m
			}
		})
	}
	return d, msgs, errs
}

func (r *Registry) readDirectory(f *fileReader, body ast.Node, d *Directory) {
	const what = "the directory"
	fl := f.fields(body, what, "id", "syntax", "sources")
	if id := f.required(fl, "id", what, body); id != "" && id != d.ID {
		f.errorf(fl["id"].value, "id %q does not match the folder name %s", id, d.ID)
	}
	if v, ok := fl["syntax"]; ok {
		n, ok := f.integer(v.value, "syntax")
		switch {
		case !ok:
		case n < 1 || n > 9:
			f.errorf(v.value, "syntax %d: a syntax version is 1..9 (UNB S001 0002)", n)
		case isSyntaxID(d.ID) && SyntaxID(n) != d.ID:
			f.errorf(v.value, "service directory %s must have syntax %c", d.ID, d.ID[1])
		default:
			d.Syntax = n
		}
	} else {
		f.errorf(body, "syntax is missing (the syntax version: of a service directory, or the default of a UN directory)")
	}
	d.Sources = f.readSources(fl, body)
	if isSyntaxID(d.ID) || d.Syntax == 0 {
		return
	}
	sid := SyntaxID(d.Syntax)
	if r.dirs[sid] == nil {
		f.errorf(fl["syntax"].value, "syntax %d: there is no service directory %s", d.Syntax, sid)
		return
	}
	svc, _, err := r.load(sid)
	if err != nil {
		f.errorf(fl["syntax"].value, "syntax %d: service directory %s does not load (its own errors are reported with it)", d.Syntax, sid)
		return
	}
	d.Service = svc
}

func (f *fileReader) readSources(fl map[string]pair, at ast.Node) []string {
	var out []string
	if v, ok := fl["sources"]; ok {
		for _, n := range f.sequence(v.value, "sources") {
			if s, ok := f.scalar(n, "a source"); ok {
				out = append(out, s)
			}
		}
	}
	if len(out) == 0 {
		f.errorf(at, "sources is missing or empty: name where the facts were read")
	}
	return out
}

func (d *Directory) readElements(f *fileReader, body ast.Node) {
	for _, p := range f.mapping(body, "the element dictionary") {
		what := "element " + p.key
		if len(p.key) != 4 || !isDigits(p.key) {
			f.errorf(p.keyNode, "element id %q must be the standard's four digits, quoted (\"1225\", \"0062\")", p.key)
			continue
		}
		if d.Service != nil {
			if _, dup := d.Service.Elements[p.key]; dup {
				f.errorf(p.keyNode, "element %s is a service element of %s; do not redefine it here", p.key, d.Service.ID)
				continue
			}
		}
		fl := f.fields(p.value, what, "name", "format")
		el := &Element{ID: p.key}
		el.Name = f.required(fl, "name", what, p.keyNode)
		if s := f.required(fl, "format", what, p.keyNode); s != "" {
			fm, err := ParseFormat(s)
			if err != nil {
				f.errorf(fl["format"].value, "%s: %v", what, err)
			}
			el.Format = fm
		}
		d.Elements[el.ID] = el
	}
}

func (d *Directory) readComposites(f *fileReader, body ast.Node) {
	for _, p := range f.mapping(body, "the composite dictionary") {
		what := "composite " + p.key
		if !isCompositeID(p.key) {
			f.errorf(p.keyNode, "composite id %q must be a letter and three digits (C002, S009)", p.key)
			continue
		}
		fl := f.fields(p.value, what, "name", "components")
		c := &Composite{ID: p.key}
		c.Name = f.required(fl, "name", what, p.keyNode)
		if v, ok := fl["components"]; ok {
			var last string
			for i, n := range f.sequence(v.value, what+" components") {
				cw := fmt.Sprintf("%s component %d", what, i+1)
				rf := f.fields(n, cw, "pos", "ref", "status")
				var cr ComponentRef
				cr.Pos = f.readPos(rf, cw, n, &last)
				if ref := f.required(rf, "ref", cw, n); ref != "" {
					cr.Ref = ref
					if el, ok := d.Element(ref); ok {
						cr.Element = el
					} else if _, ok := d.Composite(ref); ok {
						f.errorf(rf["ref"].value, "%s: %s is a composite; a composite holds simple elements only", cw, ref)
					} else {
						f.errorf(rf["ref"].value, "%s: unknown element %q (define it in %s)", cw, ref, elementsFile)
					}
				}
				cr.Status = f.readStatus(rf, cw, n)
				c.Components = append(c.Components, cr) // kept even when bad: positions stay right
			}
		}
		if len(c.Components) == 0 {
			f.errorf(p.keyNode, "%s has no components", what)
		}
		d.Composites[c.ID] = c
	}
}

func (d *Directory) readSegments(f *fileReader, body ast.Node) {
	for _, p := range f.mapping(body, "the segment directory") {
		what := "segment " + p.key
		if !isSegmentTag(p.key) {
			f.errorf(p.keyNode, "segment tag %q must be three upper-case letters", p.key)
			continue
		}
		if d.Service != nil {
			if _, dup := d.Service.Segments[p.key]; dup {
				f.errorf(p.keyNode, "segment %s is a service segment of %s; do not redefine it here", p.key, d.Service.ID)
				continue
			}
		}
		fl := f.fields(p.value, what, "name", "elements")
		s := &Segment{ID: p.key, Service: isSyntaxID(d.ID)}
		s.Name = f.required(fl, "name", what, p.keyNode)
		if v, ok := fl["elements"]; ok {
			var last string
			for i, n := range f.sequence(v.value, what+" elements") {
				ew := fmt.Sprintf("%s position %d", what, i+1)
				rf := f.fields(n, ew, "pos", "ref", "status", "repeat")
				var er ElementRef
				er.Pos = f.readPos(rf, ew, n, &last)
				if ref := f.required(rf, "ref", ew, n); ref != "" {
					er.Ref = ref
					if el, ok := d.Element(ref); ok {
						er.Element = el
					} else if c, ok := d.Composite(ref); ok {
						er.Composite = c
					} else {
						f.errorf(rf["ref"].value, "%s: unknown element or composite %q (define it in %s or %s)", ew, ref, elementsFile, compositesFile)
					}
				}
				er.Status = f.readStatus(rf, ew, n)
				er.Repeat = 1
				if rv, ok := rf["repeat"]; ok {
					if v, ok := f.integer(rv.value, ew+" repeat"); ok {
						if v < 1 {
							f.errorf(rv.value, "%s: repeat must be at least 1", ew)
						} else {
							er.Repeat = v
						}
					}
				}
				s.Elements = append(s.Elements, er)
			}
		}
		if len(s.Elements) == 0 {
			f.errorf(p.keyNode, "%s has no elements", what)
		}
		d.Segments[s.ID] = s
	}
}

// readPos reads a three-digit position ("010") that must be greater than
// the previous one.
func (f *fileReader) readPos(fl map[string]pair, what string, at ast.Node, last *string) string {
	s := f.required(fl, "pos", what, at)
	if s == "" {
		return ""
	}
	if len(s) != 3 || !isDigits(s) {
		f.errorf(fl["pos"].value, "%s: pos %q must be the standard's three-digit position, quoted (\"010\")", what, s)
		return s
	}
	want := "010"
	if *last != "" {
		n, _ := strconv.Atoi(*last)
		want = fmt.Sprintf("%03d", n+10)
	}
	if s != want {
		f.errorf(fl["pos"].value, "%s: pos %s where %s was expected: list every position, in order (position n is the n-th entry)", what, s, want)
	}
	*last = s
	return s
}

func (f *fileReader) readStatus(fl map[string]pair, what string, at ast.Node) Status {
	switch s := f.required(fl, "status", what, at); Status(s) {
	case Mandatory, Conditional:
		return Status(s)
	case "":
	default:
		f.errorf(fl["status"].value, "%s: unknown status %q (use M or C)", what, s)
	}
	return ""
}

func (d *Directory) readCodes(f *fileReader, body ast.Node) {
	for _, p := range f.mapping(body, "the code lists") {
		el, ok := d.Element(p.key)
		if !ok {
			f.errorf(p.keyNode, "code list for unknown element %q (define it in %s)", p.key, elementsFile)
			continue
		}
		what := "code list " + p.key
		fl := f.fields(p.value, what, "complete", "note", "codes")
		cl := &CodeList{Element: p.key, Codes: map[string]string{}}
		if v, ok := fl["complete"]; ok {
			s, _ := f.scalar(v.value, what+" complete")
			switch s {
			case "true":
				cl.Complete = true
			case "false":
			default:
				f.errorf(v.value, "%s: complete must be true or false", what)
			}
		} else {
			f.errorf(p.keyNode, "%s: complete is missing (true: the standard's full list; false: a deliberate subset)", what)
		}
		if v, ok := fl["note"]; ok {
			cl.Note, _ = f.scalar(v.value, what+" note")
		}
		if v, ok := fl["codes"]; ok {
			for _, c := range f.mapping(v.value, what) {
				desc, ok := f.scalar(c.value, fmt.Sprintf("name of code %q of element %s", c.key, p.key))
				if !ok {
					continue
				}
				if n := len(c.key); n < el.Format.Min || n > el.Format.Max {
					f.errorf(c.keyNode, "code %q of element %s (%s) has length %d, outside the element's format %s", c.key, p.key, el.Name, n, el.Format)
					continue
				}
				cl.Codes[c.key] = desc
			}
		}
		if len(cl.Codes) == 0 {
			f.errorf(p.keyNode, "%s is empty; remove it (an element without a list accepts any value)", what)
			continue
		}
		d.Codes[p.key] = cl
	}
}

func (d *Directory) readMessage(f *fileReader, body ast.Node, stem string) *Message {
	const what = "the message"
	fl := f.fields(body, what, "type", "name", "version", "release", "agency", "sources", "structure")
	m := &Message{Directory: d.ID, Dict: d}
	m.Type = f.required(fl, "type", what, body)
	if m.Type != "" && m.Type != stem {
		f.errorf(fl["type"].value, "type %q does not match the file name %s.yaml; name the file after the message type", m.Type, stem)
	}
	m.Name = f.required(fl, "name", what, body)
	m.Version = f.required(fl, "version", what, body)
	m.Release = f.required(fl, "release", what, body)
	m.Agency = f.required(fl, "agency", what, body)
	if !isSyntaxID(d.ID) && m.Version != "" && m.Release != "" && DirectoryID(m.Version, m.Release) != d.ID {
		f.errorf(fl["version"].value, "version %s release %s do not name directory %s", m.Version, m.Release, d.ID)
	}
	m.Sources = f.readSources(fl, body)
	v, ok := fl["structure"]
	if !ok {
		f.errorf(body, "structure is missing")
		return nil
	}
	groups := map[string]bool{}
	m.Structure = d.readNodes(f, v.value, "structure", groups)
	st := m.Structure
	if len(st) < 2 {
		f.errorf(v.value, "structure must hold at least UNH and UNT")
		return nil
	}
	if st[0].Segment != "UNH" {
		f.errorf(v.value, "structure must start with segment UNH")
	}
	if st[len(st)-1].Segment != "UNT" {
		f.errorf(v.value, "structure must end with segment UNT")
	}
	return m
}

func (d *Directory) readNodes(f *fileReader, n ast.Node, what string, groups map[string]bool) []Node {
	var nodes []Node
	for _, item := range f.sequence(n, what) {
		fl := f.fields(item, "a structure entry", "segment", "group", "status", "max", "body")
		var nd Node
		_, isSeg := fl["segment"]
		_, isGroup := fl["group"]
		switch {
		case isSeg && isGroup:
			f.errorf(item, "an entry is either a segment or a group, not both")
			continue
		case isSeg:
			nd.Segment, _ = f.scalar(fl["segment"].value, "segment")
			if def, ok := d.Segment(nd.Segment); ok {
				nd.Def = def
			} else if nd.Segment != "" {
				f.errorf(fl["segment"].value, "unknown segment %q (define it in %s)", nd.Segment, segmentsFile)
			}
			if b, ok := fl["body"]; ok {
				f.errorf(b.keyNode, "segment %s has a body; only groups have one", nd.Segment)
			}
		case isGroup:
			nd.Group, _ = f.scalar(fl["group"].value, "group")
			if !isGroupID(nd.Group) {
				f.errorf(fl["group"].value, "group id %q must be SG and a number (SG1, SG25)", nd.Group)
			} else if groups[nd.Group] {
				f.errorf(fl["group"].value, "group %s is defined twice in the message", nd.Group)
			}
			groups[nd.Group] = true
		default:
			f.errorf(item, "an entry needs segment: or group:")
			continue
		}
		name := nd.Segment
		if nd.IsGroup() {
			name = "group " + nd.Group
		}
		nd.Status = f.readStatus(fl, name, item)
		if mv, ok := fl["max"]; ok {
			if v, ok := f.integer(mv.value, name+" max"); ok {
				if v < 1 {
					f.errorf(mv.value, "%s: max must be at least 1", name)
				}
				nd.Max = v
			}
		} else {
			f.errorf(item, "%s: max is missing", name)
		}
		if nd.IsGroup() {
			bv, ok := fl["body"]
			if !ok {
				f.errorf(item, "%s has no body", name)
				continue
			}
			nd.Body = d.readNodes(f, bv.value, name+" body", groups)
			first := bv.value
			if seq, ok := unwrap(bv.value).(*ast.SequenceNode); ok && len(seq.Values) > 0 {
				first = seq.Values[0]
			}
			switch {
			case len(nd.Body) == 0:
				f.errorf(bv.value, "%s: body is empty", name)
			case nd.Body[0].IsGroup():
				f.errorf(first, "%s: the first entry of a group must be its trigger segment, found group %s", name, nd.Body[0].Group)
			case nd.Body[0].Status != Mandatory || nd.Body[0].Max != 1:
				f.errorf(first, "%s: the trigger segment of a group has status M and max 1 (the group's max counts its repeats)", name)
			}
		}
		nodes = append(nodes, nd)
	}
	return nodes
}

// required returns a field's scalar value, reporting it when absent.
func (f *fileReader) required(fl map[string]pair, key, what string, at ast.Node) string {
	p, ok := fl[key]
	if !ok {
		f.errorf(at, "%s: %s is missing", what, key)
		return ""
	}
	s, _ := f.scalar(p.value, what+" "+key)
	return s
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func isSegmentTag(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

func isCompositeID(s string) bool {
	return len(s) == 4 && s[0] >= 'A' && s[0] <= 'Z' && isDigits(s[1:])
}

func isGroupID(s string) bool { return len(s) > 2 && s[:2] == "SG" && isDigits(s[2:]) && s[2] != '0' }
