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

	"github.com/b2bgw/b2bgw/internal/yamlpos"
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
// D01B. It decodes a directory from its snapshot (snapshot.go: a few
// milliseconds) when that was made from the embedded YAML, else parses the
// YAML (~0.1 s of CPU for D96A).
type Registry struct {
	fsys  fs.FS
	root  string
	snaps fs.FS    // snapshots of the directories under root (see snapshot.go), or nil
	ids   []string // directory ids, sorted
	dirs  map[string]*lazyDir
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
		builtin.reg, builtin.err = newRegistry(builtinFS, "data", snapshotFS)
	})
	return builtin.reg, builtin.err
}

// LoadFS loads every directory folder under root (root/D96A/..., root/S3/...)
// now, and returns all problems found together, each as a *LoadError naming
// file:line:column. A folder without .yaml files is skipped.
func LoadFS(fsys fs.FS, root string) (*Registry, error) {
	r, err := newRegistry(fsys, root, nil)
	if err != nil {
		return nil, err
	}
	if err := r.LoadAll(); err != nil {
		return nil, err
	}
	return r, nil
}

// newRegistry lists the directory folders under root without loading
// them. A directory is decoded from its snapshot in snaps (nil: none) when
// that was made from the same YAML.
func newRegistry(fsys fs.FS, root string, snaps fs.FS) (*Registry, error) {
	entries, err := fs.ReadDir(fsys, root)
	if err != nil {
		return nil, fmt.Errorf("spec: reading %s: %w", root, err)
	}
	r := &Registry{fsys: fsys, root: root, snaps: snaps, dirs: map[string]*lazyDir{}}
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
		if d, msgs, ok := r.loadSnapshot(id); ok {
			ld.dir, ld.msgs = d, msgs
			return
		}
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
			data, err := fs.ReadFile(r.fsys, path.Join(dir, name))
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
	fl := f.Fields(body, what, "id", "syntax", "sources")
	if id := f.required(fl, "id", what, body); id != "" && id != d.ID {
		f.Errorf(fl["id"].Value, "id %q does not match the folder name %s", id, d.ID)
	}
	if v, ok := fl["syntax"]; ok {
		n, ok := f.Integer(v.Value, "syntax")
		switch {
		case !ok:
		case n < 1 || n > 9:
			f.Errorf(v.Value, "syntax %d: a syntax version is 1..9 (UNB S001 0002)", n)
		case isSyntaxID(d.ID) && SyntaxID(n) != d.ID:
			f.Errorf(v.Value, "service directory %s must have syntax %c", d.ID, d.ID[1])
		default:
			d.Syntax = n
		}
	} else {
		f.Errorf(body, "syntax is missing (the syntax version: of a service directory, or the default of a UN directory)")
	}
	d.Sources = f.readSources(fl, body)
	if isSyntaxID(d.ID) || d.Syntax == 0 {
		return
	}
	sid := SyntaxID(d.Syntax)
	if r.dirs[sid] == nil {
		f.Errorf(fl["syntax"].Value, "syntax %d: there is no service directory %s", d.Syntax, sid)
		return
	}
	svc, _, err := r.load(sid)
	if err != nil {
		f.Errorf(fl["syntax"].Value, "syntax %d: service directory %s does not load (its own errors are reported with it)", d.Syntax, sid)
		return
	}
	d.Service = svc
}

func (f *fileReader) readSources(fl map[string]pair, at ast.Node) []string {
	var out []string
	if v, ok := fl["sources"]; ok {
		for _, n := range f.Sequence(v.Value, "sources") {
			if s, ok := f.Scalar(n, "a source"); ok {
				out = append(out, s)
			}
		}
	}
	if len(out) == 0 {
		f.Errorf(at, "sources is missing or empty: name where the facts were read")
	}
	return out
}

func (d *Directory) readElements(f *fileReader, body ast.Node) {
	for _, p := range f.Mapping(body, "the element dictionary") {
		what := "element " + p.Key
		if len(p.Key) != 4 || !isDigits(p.Key) {
			f.Errorf(p.KeyNode, "element id %q must be the standard's four digits, quoted (\"1225\", \"0062\")", p.Key)
			continue
		}
		if d.Service != nil {
			if _, dup := d.Service.Elements[p.Key]; dup {
				f.Errorf(p.KeyNode, "element %s is a service element of %s; do not redefine it here", p.Key, d.Service.ID)
				continue
			}
		}
		fl := f.Fields(p.Value, what, "name", "format")
		el := &Element{ID: p.Key}
		el.Name = f.required(fl, "name", what, p.KeyNode)
		if s := f.required(fl, "format", what, p.KeyNode); s != "" {
			fm, err := ParseFormat(s)
			if err != nil {
				f.Errorf(fl["format"].Value, "%s: %v", what, err)
			}
			el.Format = fm
		}
		d.Elements[el.ID] = el
	}
}

func (d *Directory) readComposites(f *fileReader, body ast.Node) {
	for _, p := range f.Mapping(body, "the composite dictionary") {
		what := "composite " + p.Key
		if !isCompositeID(p.Key) {
			f.Errorf(p.KeyNode, "composite id %q must be a letter and three digits (C002, S009)", p.Key)
			continue
		}
		fl := f.Fields(p.Value, what, "name", "components")
		c := &Composite{ID: p.Key}
		c.Name = f.required(fl, "name", what, p.KeyNode)
		if v, ok := fl["components"]; ok {
			var last string
			for i, n := range f.Sequence(v.Value, what+" components") {
				cw := fmt.Sprintf("%s component %d", what, i+1)
				rf := f.Fields(n, cw, "pos", "ref", "status")
				var cr ComponentRef
				cr.Pos = f.readPos(rf, cw, n, &last)
				if ref := f.required(rf, "ref", cw, n); ref != "" {
					cr.Ref = ref
					if el, ok := d.Element(ref); ok {
						cr.Element = el
					} else if _, ok := d.Composite(ref); ok {
						f.Errorf(rf["ref"].Value, "%s: %s is a composite; a composite holds simple elements only", cw, ref)
					} else {
						f.Errorf(rf["ref"].Value, "%s: unknown element %q (define it in %s)", cw, ref, elementsFile)
					}
				}
				cr.Status = f.readStatus(rf, cw, n)
				c.Components = append(c.Components, cr) // kept even when bad: positions stay right
			}
		}
		if len(c.Components) == 0 {
			f.Errorf(p.KeyNode, "%s has no components", what)
		}
		d.Composites[c.ID] = c
	}
}

func (d *Directory) readSegments(f *fileReader, body ast.Node) {
	for _, p := range f.Mapping(body, "the segment directory") {
		what := "segment " + p.Key
		if !isSegmentTag(p.Key) {
			f.Errorf(p.KeyNode, "segment tag %q must be three upper-case letters", p.Key)
			continue
		}
		if d.Service != nil {
			if _, dup := d.Service.Segments[p.Key]; dup {
				f.Errorf(p.KeyNode, "segment %s is a service segment of %s; do not redefine it here", p.Key, d.Service.ID)
				continue
			}
		}
		fl := f.Fields(p.Value, what, "name", "elements")
		s := &Segment{ID: p.Key, Service: isSyntaxID(d.ID)}
		s.Name = f.required(fl, "name", what, p.KeyNode)
		if v, ok := fl["elements"]; ok {
			var last string
			for i, n := range f.Sequence(v.Value, what+" elements") {
				ew := fmt.Sprintf("%s position %d", what, i+1)
				rf := f.Fields(n, ew, "pos", "ref", "status", "repeat")
				var er ElementRef
				er.Pos = f.readPos(rf, ew, n, &last)
				if ref := f.required(rf, "ref", ew, n); ref != "" {
					er.Ref = ref
					if el, ok := d.Element(ref); ok {
						er.Element = el
					} else if c, ok := d.Composite(ref); ok {
						er.Composite = c
					} else {
						f.Errorf(rf["ref"].Value, "%s: unknown element or composite %q (define it in %s or %s)", ew, ref, elementsFile, compositesFile)
					}
				}
				er.Status = f.readStatus(rf, ew, n)
				er.Repeat = 1
				if rv, ok := rf["repeat"]; ok {
					if v, ok := f.Integer(rv.Value, ew+" repeat"); ok {
						if v < 1 {
							f.Errorf(rv.Value, "%s: repeat must be at least 1", ew)
						} else {
							er.Repeat = v
						}
					}
				}
				s.Elements = append(s.Elements, er)
			}
		}
		if len(s.Elements) == 0 {
			f.Errorf(p.KeyNode, "%s has no elements", what)
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
		f.Errorf(fl["pos"].Value, "%s: pos %q must be the standard's three-digit position, quoted (\"010\")", what, s)
		return s
	}
	want := "010"
	if *last != "" {
		n, _ := strconv.Atoi(*last)
		want = fmt.Sprintf("%03d", n+10)
	}
	if s != want {
		f.Errorf(fl["pos"].Value, "%s: pos %s where %s was expected: list every position, in order (position n is the n-th entry)", what, s, want)
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
		f.Errorf(fl["status"].Value, "%s: unknown status %q (use M or C)", what, s)
	}
	return ""
}

func (d *Directory) readCodes(f *fileReader, body ast.Node) {
	for _, p := range f.Mapping(body, "the code lists") {
		el, ok := d.Element(p.Key)
		if !ok {
			f.Errorf(p.KeyNode, "code list for unknown element %q (define it in %s)", p.Key, elementsFile)
			continue
		}
		what := "code list " + p.Key
		fl := f.Fields(p.Value, what, "complete", "note", "codes")
		cl := &CodeList{Element: p.Key, Codes: map[string]string{}}
		if v, ok := fl["complete"]; ok {
			s, _ := f.Scalar(v.Value, what+" complete")
			switch s {
			case "true":
				cl.Complete = true
			case "false":
			default:
				f.Errorf(v.Value, "%s: complete must be true or false", what)
			}
		} else {
			f.Errorf(p.KeyNode, "%s: complete is missing (true: the standard's full list; false: a deliberate subset)", what)
		}
		if v, ok := fl["note"]; ok {
			cl.Note, _ = f.Scalar(v.Value, what+" note")
		}
		if v, ok := fl["codes"]; ok {
			for _, c := range f.Mapping(v.Value, what) {
				desc, ok := f.Scalar(c.Value, fmt.Sprintf("name of code %q of element %s", c.Key, p.Key))
				if !ok {
					continue
				}
				if n := len(c.Key); n < el.Format.Min || n > el.Format.Max {
					f.Errorf(c.KeyNode, "code %q of element %s (%s) has length %d, outside the element's format %s", c.Key, p.Key, el.Name, n, el.Format)
					continue
				}
				cl.Codes[c.Key] = desc
			}
		}
		if len(cl.Codes) == 0 {
			f.Errorf(p.KeyNode, "%s is empty; remove it (an element without a list accepts any value)", what)
			continue
		}
		d.Codes[p.Key] = cl
	}
}

func (d *Directory) readMessage(f *fileReader, body ast.Node, stem string) *Message {
	const what = "the message"
	fl := f.Fields(body, what, "type", "name", "version", "release", "agency", "sources", "structure")
	m := &Message{Directory: d.ID, Dict: d}
	m.Type = f.required(fl, "type", what, body)
	if m.Type != "" && m.Type != stem {
		f.Errorf(fl["type"].Value, "type %q does not match the file name %s.yaml; name the file after the message type", m.Type, stem)
	}
	m.Name = f.required(fl, "name", what, body)
	m.Version = f.required(fl, "version", what, body)
	m.Release = f.required(fl, "release", what, body)
	m.Agency = f.required(fl, "agency", what, body)
	if !isSyntaxID(d.ID) && m.Version != "" && m.Release != "" && DirectoryID(m.Version, m.Release) != d.ID {
		f.Errorf(fl["version"].Value, "version %s release %s do not name directory %s", m.Version, m.Release, d.ID)
	}
	m.Sources = f.readSources(fl, body)
	v, ok := fl["structure"]
	if !ok {
		f.Errorf(body, "structure is missing")
		return nil
	}
	groups := map[string]bool{}
	m.Structure = d.readNodes(f, v.Value, "structure", groups)
	st := m.Structure
	if len(st) < 2 {
		f.Errorf(v.Value, "structure must hold at least UNH and UNT")
		return nil
	}
	if st[0].Segment != "UNH" {
		f.Errorf(v.Value, "structure must start with segment UNH")
	}
	if st[len(st)-1].Segment != "UNT" {
		f.Errorf(v.Value, "structure must end with segment UNT")
	}
	return m
}

func (d *Directory) readNodes(f *fileReader, n ast.Node, what string, groups map[string]bool) []Node {
	var nodes []Node
	for _, item := range f.Sequence(n, what) {
		fl := f.Fields(item, "a structure entry", "segment", "group", "status", "max", "body")
		var nd Node
		_, isSeg := fl["segment"]
		_, isGroup := fl["group"]
		switch {
		case isSeg && isGroup:
			f.Errorf(item, "an entry is either a segment or a group, not both")
			continue
		case isSeg:
			nd.Segment, _ = f.Scalar(fl["segment"].Value, "segment")
			if def, ok := d.Segment(nd.Segment); ok {
				nd.Def = def
			} else if nd.Segment != "" {
				f.Errorf(fl["segment"].Value, "unknown segment %q (define it in %s)", nd.Segment, segmentsFile)
			}
			if b, ok := fl["body"]; ok {
				f.Errorf(b.KeyNode, "segment %s has a body; only groups have one", nd.Segment)
			}
		case isGroup:
			nd.Group, _ = f.Scalar(fl["group"].Value, "group")
			if !isGroupID(nd.Group) {
				f.Errorf(fl["group"].Value, "group id %q must be SG and a number (SG1, SG25)", nd.Group)
			} else if groups[nd.Group] {
				f.Errorf(fl["group"].Value, "group %s is defined twice in the message", nd.Group)
			}
			groups[nd.Group] = true
		default:
			f.Errorf(item, "an entry needs segment: or group:")
			continue
		}
		name := nd.Segment
		if nd.IsGroup() {
			name = "group " + nd.Group
		}
		nd.Status = f.readStatus(fl, name, item)
		if mv, ok := fl["max"]; ok {
			if v, ok := f.Integer(mv.Value, name+" max"); ok {
				if v < 1 {
					f.Errorf(mv.Value, "%s: max must be at least 1", name)
				}
				nd.Max = v
			}
		} else {
			f.Errorf(item, "%s: max is missing", name)
		}
		if nd.IsGroup() {
			bv, ok := fl["body"]
			if !ok {
				f.Errorf(item, "%s has no body", name)
				continue
			}
			nd.Body = d.readNodes(f, bv.Value, name+" body", groups)
			first := bv.Value
			if seq, ok := yamlpos.Unwrap(bv.Value).(*ast.SequenceNode); ok && len(seq.Values) > 0 {
				first = seq.Values[0]
			}
			switch {
			case len(nd.Body) == 0:
				f.Errorf(bv.Value, "%s: body is empty", name)
			case nd.Body[0].IsGroup():
				f.Errorf(first, "%s: the first entry of a group must be its trigger segment, found group %s", name, nd.Body[0].Group)
			case nd.Body[0].Status != Mandatory || nd.Body[0].Max != 1:
				f.Errorf(first, "%s: the trigger segment of a group has status M and max 1 (the group's max counts its repeats)", name)
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
		f.Errorf(at, "%s: %s is missing", what, key)
		return ""
	}
	s, _ := f.Scalar(p.Value, what+" "+key)
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
