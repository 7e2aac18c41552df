package mapping

import (
	"encoding/csv"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/goccy/go-yaml/ast"

	"github.com/b2bgw/b2bgw/internal/x12"
)

// Template is a compiled outbound template: canonical JSON to X12
// segments or CSV rows, in the same language as inbound mappings (XPath
// over the document, foreach, when, codes, types). Immutable and safe for
// concurrent use.
type Template struct {
	ID          string
	File        string
	Description string
	Source      string // canonical document read, e.g. Acknowledgment
	Target      Source

	loc      *time.Location
	segments []*segTmpl
	csv      *csvTmpl
}

// segTmpl is one segment, or a group of segments repeated by foreach or
// guarded by when.
type segTmpl struct {
	tag      string
	file     string
	line     int
	elements []*elemTmpl // position-1; nil is an empty element
	foreach  *expr
	when     *expr
	children []*segTmpl
}

type elemTmpl struct {
	value      *field
	components []*field // composite; nil entries are empty components
}

type csvTmpl struct {
	foreach *expr
	header  bool
	comma   rune
	columns []*field
	names   []string
}

// LoadTemplate reads and compiles a template file and its code lists.
func LoadTemplate(path string) (*Template, error) { return loadTemplate(osFiles(), path) }

// LoadTemplateFS is LoadTemplate over a file system.
func LoadTemplateFS(fsys fs.FS, name string) (*Template, error) {
	return loadTemplate(fsFiles(fsys), name)
}

func loadTemplate(f files, name string) (*Template, error) {
	l := newLoader(f)
	data, err := f.read(name)
	if err != nil {
		return nil, LoadErrors{{File: name, Msg: err.Error()}}
	}
	body, ok := parseYAML(&l.d, name, data)
	if !ok {
		return nil, l.d.err()
	}
	es, _ := entries(&l.d, name, body, "the template", templateKeys)
	t := &Template{File: name}
	sc := &scope{codelists: map[string]*codeList{}, outbound: true}
	// Code lists and the zone first: segments refer to them.
	for _, e := range es {
		switch e.key {
		case "codelists":
			cls, _ := entries(&l.d, name, e.val, "codelists", nil)
			for _, ce := range cls {
				if cl := l.codeListRef(ce); cl != nil {
					sc.codelists[ce.key] = cl
				}
			}
		case "timezone":
			if s, ok := e.text(&l.d); ok {
				loc, err := time.LoadLocation(s)
				if err != nil || s == "" || s == "Local" {
					l.d.at(e.file, e.val, "timezone %q is not an IANA zone name such as America/Chicago", s)
				} else {
					t.loc, sc.loc = loc, loc
				}
			}
		}
	}
	for _, e := range es {
		switch e.key {
		case "template":
			t.ID, _ = e.text(&l.d)
		case "description":
			t.Description, _ = e.text(&l.d)
		case "source":
			t.Source, _ = e.text(&l.d)
		case "target":
			t.Target = l.source(e)
		case "segments":
			t.segments = l.segments(e, sc)
		case "csv":
			t.csv = l.csvTemplate(e, sc)
		}
	}
	if get(es, "template") == nil {
		l.d.errs = append(l.d.errs, &LoadError{File: name, Line: 1, Column: 1, Msg: "missing template: <id>"})
	}
	if (get(es, "segments") == nil) == (get(es, "csv") == nil) {
		l.d.errs = append(l.d.errs, &LoadError{File: name, Line: 1, Column: 1, Msg: "a template has either segments: (X12) or csv:, exactly one"})
	}
	if get(es, "segments") != nil && t.Target.Set == "" {
		l.d.errs = append(l.d.errs, &LoadError{File: name, Line: 1, Column: 1, Msg: "an X12 template needs target: {standard: x12, set: …} for ST01"})
	}
	if err := l.d.err(); err != nil {
		return nil, err
	}
	return t, nil
}

func (l *loader) segments(e *entry, sc *scope) []*segTmpl {
	seq, ok := unwrap(e.val).(*ast.SequenceNode)
	if !ok {
		l.d.at(e.file, e.val, "%s must be a list of segments", e.key)
		return nil
	}
	var out []*segTmpl
	for _, item := range seq.Values {
		es, ok := entries(&l.d, e.file, item, "a segment", segmentKeys)
		if !ok {
			continue
		}
		line, _ := nodePos(item)
		s := &segTmpl{file: e.file, line: line}
		for _, se := range es {
			switch se.key {
			case "segment":
				if tag, ok := se.text(&l.d); ok {
					if !validTag(tag) {
						l.d.at(se.file, se.val, "segment tag %q must be 2 or 3 upper-case letters or digits starting with a letter", tag)
					}
					s.tag = tag
				}
			case "elements":
				s.elements = l.elements(se, sc)
			case "foreach":
				s.foreach = l.expr(se)
			case "when":
				s.when = l.expr(se)
			case "segments":
				s.children = l.segments(se, sc)
			}
		}
		hasTag, hasKids := get(es, "segment") != nil, get(es, "segments") != nil
		switch {
		case hasTag == hasKids:
			l.d.at(e.file, item, "write either segment: (with elements:) or segments: (with foreach: or when:)")
		case hasTag && get(es, "foreach") != nil:
			l.d.at(e.file, item, "foreach repeats a group: put segment %s inside segments:", s.tag)
		case hasKids && get(es, "elements") != nil:
			l.d.at(e.file, item, "elements: belongs to a segment:, not to a group of segments")
		}
		out = append(out, s)
	}
	return out
}

func validTag(s string) bool {
	ok := (len(s) == 2 || len(s) == 3) && s[0] >= 'A' && s[0] <= 'Z'
	for i := 1; ok && i < len(s); i++ {
		ok = s[i] >= 'A' && s[i] <= 'Z' || s[i] >= '0' && s[i] <= '9'
	}
	return ok
}

// elements reads {1: …, 2: …}; keys are element positions.
func (l *loader) elements(e *entry, sc *scope) []*elemTmpl {
	es, _ := entries(&l.d, e.file, e.val, "elements", nil)
	var out []*elemTmpl
	for _, ee := range es {
		pos, err := strconv.Atoi(ee.key)
		if err != nil || pos < 1 || pos > 99 {
			l.d.at(ee.file, ee.keyN, "element key %q must be a position from 1 to 99", ee.key)
			continue
		}
		for len(out) < pos {
			out = append(out, nil)
		}
		el := &elemTmpl{}
		if mv, ok := unwrap(ee.val).(*ast.MappingNode); ok {
			if c := findComponents(mv); c != nil {
				ces, _ := entries(&l.d, ee.file, ee.val, "element "+ee.key, []keyDecl{{name: "components"}})
				if len(ces) == 1 {
					el.components = l.valueList(ces[0], sc)
				}
				out[pos-1] = el
				continue
			}
		}
		el.value = l.valueSpec(ee, "element "+ee.key, sc)
		out[pos-1] = el
	}
	return out
}

func findComponents(m *ast.MappingNode) ast.Node {
	for _, v := range m.Values {
		if k, ok := scalarText(v.Key); ok && k == "components" {
			return v.Value
		}
	}
	return nil
}

// valueList reads a list of value specs (composite components).
func (l *loader) valueList(e *entry, sc *scope) []*field {
	seq, ok := unwrap(e.val).(*ast.SequenceNode)
	if !ok {
		l.d.at(e.file, e.val, "components must be a list")
		return nil
	}
	out := make([]*field, len(seq.Values))
	for i, it := range seq.Values {
		if _, null := unwrap(it).(*ast.NullNode); null {
			continue // an empty component
		}
		ce := &entry{key: strconv.Itoa(i + 1), keyN: it, val: it, file: e.file}
		out[i] = l.valueSpec(ce, "component "+ce.key, sc)
	}
	return out
}

// valueSpec compiles one value (an element, component or CSV column):
// the field language without foreach and fields.
func (l *loader) valueSpec(e *entry, what string, sc *scope) *field {
	rf := &rawField{name: what, keyN: e.keyN, file: e.file}
	if _, ok := scalarText(e.val); ok {
		rf.es = []*entry{{key: "from", keyN: e.keyN, val: e.val, file: e.file}}
	} else {
		es, ok := entries(&l.d, e.file, e.val, what, valueKeys())
		if !ok {
			return nil
		}
		rf.es = es
	}
	return l.compileField(rf, sc)
}

func (l *loader) csvTemplate(e *entry, sc *scope) *csvTmpl {
	es, ok := entries(&l.d, e.file, e.val, "csv", csvKeys)
	if !ok {
		return nil
	}
	c := &csvTmpl{header: true, comma: ','}
	for _, ce := range es {
		switch ce.key {
		case "foreach":
			c.foreach = l.expr(ce)
		case "header":
			c.header, _ = ce.boolean(&l.d)
		case "delimiter":
			if s, ok := ce.text(&l.d); ok {
				r, size := utf8.DecodeRuneInString(s)
				if size != len(s) || s == "" || r == '"' || r == '\r' || r == '\n' {
					l.d.at(ce.file, ce.val, "delimiter must be one character other than a quote or line break")
				} else {
					c.comma = r
				}
			}
		case "columns":
			seq, ok := unwrap(ce.val).(*ast.SequenceNode)
			if !ok {
				l.d.at(ce.file, ce.val, "columns must be a list")
				continue
			}
			for _, it := range seq.Values {
				ces, ok := entries(&l.d, ce.file, it, "a column", columnKeys)
				if !ok {
					continue
				}
				name := ""
				if ne := get(ces, "name"); ne != nil {
					name, _ = ne.text(&l.d)
				} else {
					l.d.at(ce.file, it, "a column needs name:")
				}
				rf := &rawField{name: name, keyN: it, file: ce.file, es: dropKey(ces, "name")}
				if f := l.compileField(rf, sc); f != nil {
					c.columns = append(c.columns, f)
					c.names = append(c.names, name)
				}
			}
		}
	}
	if c.foreach == nil {
		l.d.at(e.file, e.val, "csv needs foreach: (the nodes that become rows)")
	}
	return c
}

// segOut is one evaluated segment, kept until the whole document has
// evaluated without error so a failed document writes nothing.
type segOut struct {
	tag    string
	values []x12.Value
}

// WriteX12 writes doc (a canonical document as a ValueTree) as one
// transaction set: ST with ST01 from target.set and ST02 control, the
// template's segments, and SE with the count the writer keeps. The caller
// opens and closes the interchange and group. Nothing is written when any
// value fails; the error is a FieldErrors.
func (t *Template) WriteX12(w *x12.Writer, doc Tree, control string) error {
	segs, err := t.evalSegments(doc)
	if err != nil {
		return err
	}
	if err := w.BeginSet(t.Target.Set, control); err != nil {
		return err
	}
	if err := writeSegs(w, segs); err != nil {
		return err
	}
	return w.EndSet()
}

// WriteSegments writes only the template's segments, for callers that
// manage ST/SE themselves.
func (t *Template) WriteSegments(w *x12.Writer, doc Tree) error {
	segs, err := t.evalSegments(doc)
	if err != nil {
		return err
	}
	return writeSegs(w, segs)
}

func writeSegs(w *x12.Writer, segs []segOut) error {
	for _, s := range segs {
		if err := w.WriteValues(s.tag, s.values...); err != nil {
			return err
		}
	}
	return nil
}

func (t *Template) evalSegments(doc Tree) ([]segOut, error) {
	if t.segments == nil {
		return nil, fmt.Errorf("template %s writes CSV, not X12", t.ID)
	}
	e := evaluator{loc: t.loc, outbound: true, t: doc}
	var out []segOut
	e.segs2(t.segments, doc.Root(), &out)
	if len(e.errs) > 0 {
		return nil, e.errs
	}
	return out, nil
}

func (e *evaluator) segs2(ts []*segTmpl, ctx Node, out *[]segOut) {
	for _, s := range ts {
		if s.when != nil && !e.cond(s.when, ctx) {
			continue
		}
		if s.children != nil {
			if s.foreach == nil {
				e.segs2(s.children, ctx, out)
				continue
			}
			for i, n := range e.selectAll(s.foreach, ctx) {
				e.path = append(e.path, pathElem{name: s.foreach.src, index: -1}, pathElem{index: i})
				e.segs2(s.children, n, out)
				e.path = e.path[:len(e.path)-2]
			}
			continue
		}
		e.path = append(e.path, pathElem{name: s.tag, index: -1})
		vals := make([]x12.Value, len(s.elements))
		empty := true
		for i, el := range s.elements {
			if el == nil {
				continue
			}
			if el.components != nil {
				parts := make([]string, len(el.components))
				for c, f := range el.components {
					if f != nil {
						parts[c] = e.elementText(f, fmt.Sprintf("%s%02d-%d", s.tag, i+1, c+1), ctx)
					}
				}
				vals[i] = x12.Composite(parts...)
				for _, p := range parts {
					empty = empty && p == ""
				}
				continue
			}
			txt := e.elementText(el.value, fmt.Sprintf("%s%02d", s.tag, i+1), ctx)
			vals[i] = x12.Simple(txt)
			empty = empty && txt == ""
		}
		e.path = e.path[:len(e.path)-1]
		// A segment with no data at all is not valid X12; an optional
		// segment whose values are all absent is simply not written.
		if !empty {
			*out = append(*out, segOut{tag: s.tag, values: vals})
		}
	}
}

func (e *evaluator) elementText(f *field, name string, ctx Node) string {
	e.path = append(e.path, pathElem{name: name, index: -1})
	defer func() { e.path = e.path[:len(e.path)-1] }()
	if f.when != nil && !e.cond(f.when, ctx) {
		return ""
	}
	v, ok := e.value(f, ctx)
	if !ok {
		return ""
	}
	return v.Text()
}

// WriteCSV writes one row per foreach node, with a header row unless
// header: false. Nothing is written when any value fails.
func (t *Template) WriteCSV(w io.Writer, doc Tree) error {
	c := t.csv
	if c == nil {
		return fmt.Errorf("template %s writes X12, not CSV", t.ID)
	}
	e := evaluator{loc: t.loc, outbound: true, t: doc}
	var rows [][]string
	if c.header {
		rows = append(rows, c.names)
	}
	for i, n := range e.selectAll(c.foreach, doc.Root()) {
		e.path = append(e.path, pathElem{name: "rows", index: -1}, pathElem{index: i})
		row := make([]string, len(c.columns))
		for j, f := range c.columns {
			row[j] = e.elementText(f, c.names[j], n)
		}
		rows = append(rows, row)
		e.path = e.path[:len(e.path)-2]
	}
	if len(e.errs) > 0 {
		return e.errs
	}
	cw := csv.NewWriter(w)
	cw.Comma = c.comma
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	return nil
}
