package mapping

import (
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/antchfx/xpath"

	"github.com/b2bgw/b2bgw/internal/doctree"
	"github.com/b2bgw/b2bgw/internal/jsonenc"
)

// Mapping is a compiled mapping file: every XPath compiled, every code list
// loaded, every extends merged. It is immutable and safe for concurrent use
// by any number of goroutines.
type Mapping struct {
	ID          string
	File        string
	Description string
	Source      Source
	Target      string

	loc    *time.Location
	fields []*field

	rt *runtime // shared by copies of the Mapping
}

// runtime is what evaluation reuses between documents.
type runtime struct {
	evals sync.Pool // *evaluator, with its scratch buffers
	hint  arenaHint // block sizes for Translate's arena
}

// Source says what documents a mapping reads (or a template writes).
type Source struct {
	Standard string `json:"standard"`
	Version  string `json:"version,omitempty"`
	Set      string `json:"set,omitempty"`
}

// Timezone returns the partner's zone, or nil when the mapping sets none.
func (m *Mapping) Timezone() *time.Location { return m.loc }

// Load reads and compiles the mapping file at path (and the files it
// extends and the code lists it names, relative to it). Every problem is
// reported, as LoadErrors of file:line:col: message.
func Load(path string) (*Mapping, error) {
	return loadMapping(osFiles(), path)
}

// LoadFS is Load over a file system, for embedded mappings.
func LoadFS(fsys fs.FS, name string) (*Mapping, error) {
	return loadMapping(fsFiles(fsys), name)
}

func loadMapping(f files, name string) (*Mapping, error) {
	l := newLoader(f)
	raw := l.readRaw(name, nil)
	if raw == nil {
		return nil, l.d.err()
	}
	m := l.compileMapping(raw)
	if err := l.d.err(); err != nil {
		return nil, err
	}
	return m, nil
}

// scope is what field compilation needs from the file around it.
type scope struct {
	codelists map[string]*codeList
	loc       *time.Location
	outbound  bool // templates: datetime values carry their own offset
	edifact   bool // the mapping reads EDIFACT: its fields get their EDIFACT forms
}

func (l *loader) compileMapping(raw *rawMapping) *Mapping {
	m := &Mapping{File: raw.file, rt: &runtime{}}
	d := &l.d
	sc := &scope{codelists: map[string]*codeList{}}
	for _, e := range raw.top {
		switch e.key {
		case "mapping":
			m.ID, _ = e.text(d)
		case "description":
			m.Description, _ = e.text(d)
		case "target":
			m.Target, _ = e.text(d)
		case "source":
			m.Source = l.source(e)
		case "timezone":
			if s, ok := e.text(d); ok {
				loc, err := time.LoadLocation(s)
				if err != nil || s == "" || s == "Local" {
					d.at(e.file, e.val, "timezone %q is not an IANA zone name such as America/Chicago", s)
				} else {
					m.loc, sc.loc = loc, loc
				}
			}
		}
	}
	if m.ID == "" && get(raw.top, "mapping") == nil {
		d.errs = append(d.errs, &LoadError{File: raw.file, Line: 1, Column: 1, Msg: "missing mapping: <id> (a mapping that extends another needs its own id)"})
	}
	if get(raw.top, "source") == nil {
		d.errs = append(d.errs, &LoadError{File: raw.file, Line: 1, Column: 1, Msg: "missing source: {standard: …}"})
	}
	if raw.fields == nil {
		d.errs = append(d.errs, &LoadError{File: raw.file, Line: 1, Column: 1, Msg: "missing fields:"})
	}
	for _, e := range raw.codelists {
		if cl := l.codeListRef(e); cl != nil {
			sc.codelists[e.key] = cl
		}
	}
	sc.edifact = m.Source.Standard == "edifact"
	m.fields = l.compileFields(raw.fields, sc)
	if sc.edifact {
		planEDI(m.fields)
	}
	return m
}

func (l *loader) source(e *entry) Source {
	var s Source
	es, _ := entries(&l.d, e.file, e.val, "source", sourceKeys)
	for _, se := range es {
		v, ok := l.enumText(se, sourceKeys)
		if !ok {
			continue
		}
		switch se.key {
		case "standard":
			s.Standard = v
		case "version":
			s.Version = v
		case "set":
			s.Set = v
		}
	}
	if s.Standard == "" && len(es) > 0 {
		l.d.at(e.file, e.val, "source needs standard: one of %s", strings.Join(standards, ", "))
	}
	return s
}

// enumText reads a text entry and checks it against its declaration's enum.
func (l *loader) enumText(e *entry, decls []keyDecl) (string, bool) {
	s, ok := e.text(&l.d)
	if !ok {
		return "", false
	}
	if decl := findDecl(decls, e.key); decl != nil && decl.enum != nil && !slices.Contains(decl.enum, s) {
		msg := fmt.Sprintf("%s %q is not one of %s", e.key, s, strings.Join(decl.enum, ", "))
		if sg := suggest(s, decl.enum); sg != "" {
			msg += fmt.Sprintf("; did you mean %q?", sg)
		}
		l.d.at(e.file, e.val, "%s", msg)
		return "", false
	}
	return s, true
}

type fieldKind uint8

const (
	valueField  fieldKind = iota // one value
	objectField                  // fields: without foreach
	arrayField                   // foreach:
)

// field is one compiled output field.
type field struct {
	name    string
	keyJSON []byte // a comma, name as a JSON string and a colon: see prefix
	// key32 is keyJSON without and with its comma, padded to 32 bytes
	// when it fits (keyFits): objectEDI writes a key as one array store.
	key32     [2][32]byte
	keyFits   bool
	file      string
	line, col int
	kind      fieldKind

	// value source: exactly one of from, constV, pair
	from   *expr
	constV *Value
	pair   *pairSpec
	// from's EDIFACT forms, asked directly by evaluator.ediRaw: the path
	// when it answers a text, a substring of one, or (bindSegment) the
	// value of a segment context of a known tag.
	edi  *ediPath
	sub  *ediSub
	self *ediSelf
	// constJSON is constV as JSON, written as it is by TranslateJSON.
	constJSON []byte
	// vk tells valueJSON's cases apart in one test: vkConst (constV),
	// vkEDI (an EDIFACT mapping's field with edi, sub or self), or 0.
	vk uint8
	// op is how objectEDI finds the value (see planEDI).
	op uint8
	// run: with op opPick, the picks this field shares a pass with, its
	// literal the run's lits[pickIdx] (see planPicks).
	run     *pickRun
	pickIdx uint8

	clock    *expr // time: for datetime
	conv     conversion
	quick    quickConv // conv's common cases, decided at load time
	codes    *codeList
	def      *Value
	required bool
	trim     bool
	when     *expr

	foreach *expr
	fields  []*field // objectField, and arrayField of objects
}

// Values of field.vk.
const (
	vkConst = 1 + iota
	vkEDI
)

// quickConv marks conversions the evaluator does inline.
type quickConv uint8

const (
	quickNone    quickConv = iota
	quickString            // text as it is
	quickDecimal           // jsonNumber; inbound reports a bad one
)

// hasValue reports whether an arrayField produces scalars rather than
// objects.
func (f *field) hasValue() bool { return f.from != nil || f.constV != nil || f.pair != nil }

func (l *loader) compileFields(raws []*rawField, sc *scope) []*field {
	out := make([]*field, 0, len(raws))
	for _, rf := range raws {
		if f := l.compileField(rf, sc); f != nil {
			out = append(out, f)
		}
	}
	markRepeats(out)
	shareSteps(out)
	return out
}

func (l *loader) compileField(rf *rawField, sc *scope) *field {
	d := &l.d
	line, col := nodePos(rf.keyN)
	f := &field{name: rf.name, file: rf.file, line: line, col: col, trim: true}
	f.keyJSON = append(jsonenc.AppendStr([]byte{','}, f.name), ':')
	if f.keyFits = len(f.keyJSON) <= 32; f.keyFits {
		copy(f.key32[0][:], f.keyJSON[1:])
		copy(f.key32[1][:], f.keyJSON)
	}
	bad := false
	var formatE, decimalsE, timeE, typeE *entry
	var sources []string
	for _, e := range rf.es {
		switch e.key {
		case "from":
			sources = append(sources, e.key)
			f.from = l.expr(e)
		case "const":
			sources = append(sources, e.key)
			if v, ok := scalarValue(d, e, e.val); ok {
				f.constV = &v
			}
		case "pair":
			sources = append(sources, e.key)
			f.pair = l.pair(e)
		case "foreach":
			f.foreach = l.expr(e)
		case "when":
			f.when = l.expr(e)
		case "time":
			timeE = e
			f.clock = l.expr(e)
		case "type":
			typeE = e
			f.conv.typ, _ = l.enumText(e, fieldKeys)
		case "decimals":
			decimalsE = e
			if n, ok := e.integer(d); ok {
				if n < 0 || n > maxDigits {
					d.at(e.file, e.val, "decimals must be 0 to %d", maxDigits)
				}
				f.conv.decimals = n
			}
		case "format":
			formatE = e
			if s, ok := e.text(d); ok {
				layout, clock, err := formatLayout(s)
				if err != nil {
					d.at(e.file, e.val, "%v", err)
				}
				f.conv.layout, f.conv.hasClock = layout, clock
			}
		case "codes":
			f.codes = l.fieldCodes(e, sc)
		case "default":
			if v, ok := scalarValue(d, e, e.val); ok {
				f.def = &v
			}
		case "required":
			f.required, _ = e.boolean(d)
		case "trim":
			f.trim, _ = e.boolean(d)
		case "remove":
			if b, ok := e.boolean(d); ok && b {
				d.at(e.file, e.keyN, "remove: only drops a field inherited through extends; this mapping extends nothing")
			}
		}
	}
	if len(sources) > 1 {
		d.at(rf.file, rf.keyN, "field %q has %s: write only one of from, const and pair", rf.name, strings.Join(sources, " and "))
		bad = true
	}
	switch {
	case f.foreach != nil:
		f.kind = arrayField
		if rf.hasFields && len(sources) > 0 {
			d.at(rf.file, rf.keyN, "field %q: foreach makes either objects (fields:) or values (from/const/pair), not both", rf.name)
			bad = true
		}
		if !rf.hasFields && len(sources) == 0 {
			d.at(rf.file, rf.keyN, "field %q: foreach needs fields: (an array of objects) or from:/const:/pair: (an array of values)", rf.name)
			bad = true
		}
	case rf.hasFields:
		f.kind = objectField
		if len(sources) > 0 {
			d.at(rf.file, rf.keyN, "field %q has fields: and %s; an object's values come from its fields", rf.name, sources[0])
			bad = true
		}
	default:
		if len(sources) == 0 {
			d.at(rf.file, rf.keyN, "field %q needs one of from, const, pair (a value), fields (an object) or foreach (an array)", rf.name)
			bad = true
		}
	}
	// Keys that mean nothing in the combination written are errors, not
	// silently ignored: an analyst who wrote them expected an effect.
	valueOnly := []*entry{typeE, formatE, decimalsE, timeE, get(rf.es, "codes"), get(rf.es, "default"), get(rf.es, "trim")}
	if f.kind != valueField && !(f.kind == arrayField && !rf.hasFields) {
		for _, e := range valueOnly {
			if e != nil {
				d.at(e.file, e.keyN, "%s has no effect on field %q, which is an object or an array of objects", e.key, rf.name)
				bad = true
			}
		}
	}
	if f.constV != nil {
		for _, e := range valueOnly {
			if e != nil && e.key != "trim" {
				d.at(e.file, e.keyN, "%s has no effect with const: a constant is written as it is", e.key)
				bad = true
			}
		}
	}
	t := f.conv.typ
	if decimalsE != nil && t != "implied" {
		d.at(decimalsE.file, decimalsE.keyN, "decimals only applies to type: implied")
	}
	if t == "implied" && decimalsE == nil {
		d.at(typeE.file, typeE.val, "type: implied needs decimals: (the n of X12 Nn)")
	}
	if formatE != nil && t != "date" && t != "datetime" && t != "time" {
		d.at(formatE.file, formatE.keyN, "format only applies to type: date, datetime or time")
	}
	if timeE != nil && t != "datetime" {
		d.at(timeE.file, timeE.keyN, "time: only applies to type: datetime (a date alone has no time of day)")
	}
	if t == "datetime" && sc.loc == nil && !sc.outbound {
		d.at(typeE.file, typeE.val, "type: datetime needs the mapping's timezone: (the partner's zone for local times)")
	}
	switch t {
	case "", "string":
		f.quick = quickString
	case "decimal":
		f.quick = quickDecimal
	}
	if f.from != nil && f.from.fast != nil && f.from.fast.edi.texts() {
		f.edi = f.from.fast.edi
	}
	if f.constV != nil {
		f.constJSON = f.constV.AppendJSON(nil)
	}
	if f.from != nil {
		f.sub = subOf(f.from.fn)
	}
	switch {
	case f.constV != nil:
		f.vk = vkConst
	case sc.edifact && (f.edi != nil || f.sub != nil):
		f.vk = vkEDI
	}
	if rf.hasFields {
		f.fields = l.compileFields(rf.fields, sc)
		if fe := f.foreach; sc.edifact && fe != nil && fe.fast != nil {
			if last := &fe.fast.steps[len(fe.fast.steps)-1]; !last.special() {
				bindSegment(f.fields, last.name)
			}
		}
	}
	if bad {
		return nil
	}
	return f
}

func (l *loader) fieldCodes(e *entry, sc *scope) *codeList {
	if name, ok := scalarText(e.val); ok {
		if cl, ok := sc.codelists[name]; ok {
			return cl
		}
		names := make([]string, 0, len(sc.codelists))
		for n := range sc.codelists {
			names = append(names, n)
		}
		slices.Sort(names)
		msg := fmt.Sprintf("no code list %q in codelists:", name)
		if s := suggest(name, names); s != "" {
			msg += fmt.Sprintf("; did you mean %q?", s)
		} else if len(names) > 0 {
			msg += " (have " + strings.Join(names, ", ") + ")"
		}
		l.d.at(e.file, e.val, "%s", msg)
		return nil
	}
	cl := &codeList{name: "inline", file: e.file, codes: map[string]Value{}}
	l.codeEntries(e, cl)
	return cl
}

// pairSpec picks a value out of qualifier/value element pairs.
type pairSpec struct {
	seg   *expr
	label *expr // how errors and traces show the pick, e.g. PO1 06..25 [UP EN]
	quals []string
	names [][2]string // qualifier and value element names per pair
	nms   [][2]*doctree.Name
	first int // position of the first qualifier: names[k] are first+2k, first+2k+1
	// byPos: the segment step is a name (not * or .), so a segment it
	// selects has the names[k] elements at those positions.
	byPos bool
}

func (l *loader) pair(e *entry) *pairSpec {
	d := &l.d
	es, ok := entries(d, e.file, e.val, "pair", pairKeys)
	if !ok {
		return nil
	}
	p := &pairSpec{}
	first, last := 0, 0
	var firstE, lastE *entry
	for _, pe := range es {
		switch pe.key {
		case "segment":
			p.seg = l.expr(pe)
			if p.seg != nil && p.seg.fast == nil {
				d.at(pe.file, pe.val, "pair segment must be a plain path of names such as PO1 or LIN (the element names are built from its last step)")
				p.seg = nil
			}
		case "first":
			firstE = pe
			first, _ = pe.integer(d)
		case "last":
			lastE = pe
			last, _ = pe.integer(d)
		case "qualifier":
			p.quals, _ = pe.texts(d)
		}
	}
	for _, k := range []string{"segment", "first", "last", "qualifier"} {
		if get(es, k) == nil {
			d.at(e.file, e.val, "pair needs %s:", k)
			return nil
		}
	}
	switch {
	case first < 1 || first > 98:
		d.at(firstE.file, firstE.val, "pair first must be an element position from 1 to 98")
		return nil
	case last <= first || last > 99:
		d.at(lastE.file, lastE.val, "pair last (%d) must be after first (%d) and at most 99", last, first)
		return nil
	case (last-first)%2 == 0:
		d.at(lastE.file, lastE.val, "pair %d..%d is an odd number of elements; qualifier/value pairs start at first and end with a value at last (e.g. 6..25 for PO106..PO125)", first, last)
		return nil
	}
	if p.seg == nil {
		return nil
	}
	tag := p.seg.fast.lastName()
	p.first = first
	p.byPos = !p.seg.fast.steps[len(p.seg.fast.steps)-1].special()
	p.label = &expr{src: fmt.Sprintf("%s %02d..%02d %v", p.seg.src, first, last, p.quals), fast: p.seg.fast, pair: p}
	for i := first; i < last; i += 2 {
		q, v := fmt.Sprintf("%s%02d", tag, i), fmt.Sprintf("%s%02d", tag, i+1)
		p.names = append(p.names, [2]string{q, v})
		p.nms = append(p.nms, [2]*doctree.Name{doctree.CompileName(q), doctree.CompileName(v)})
	}
	return p
}

// expr is one compiled XPath expression with its fast form when it has
// one.
type expr struct {
	src  string
	fast *fastPath
	// cond is the fast form of a condition: path (exists) or path = 'lit'
	// or path != 'lit'.
	cond *fastCond
	// pool holds *xpath.Expr instances. An antchfx Expr keeps iteration
	// state inside its query objects (antchfx/xpath#43,
	// antchfx/xmlquery#97), so sharing one across goroutines races; each
	// evaluation takes its own instance.
	pool *sync.Pool
	// pair is set on a pair's label so positions can be found again.
	pair *pairSpec
	// fn is the fast form of a string-function call (normalize-space,
	// string, concat over fast paths), when the expression is one.
	fn *fastFunc
	// edi is cond's form for EDIFACT trees, when it has one.
	edi *ediCond
}

func (l *loader) expr(e *entry) *expr {
	src, ok := e.text(&l.d)
	if !ok {
		return nil
	}
	x, err := compileXPath(src)
	if err != nil {
		l.d.at(e.file, e.val, "%s: XPath %q does not compile: %v", e.key, src, err)
		return nil
	}
	return newExpr(src, x)
}

func newExpr(src string, first *xpath.Expr) *expr {
	ex := &expr{src: src, fast: compileFast(src), cond: compileFastCond(src)}
	if ex.fast == nil {
		ex.fn = compileFastFunc(src)
	}
	if ex.cond != nil {
		if c := compileEDICond(ex.cond, ""); c.op != 'x' {
			ex.edi = c
		}
	}
	ex.pool = &sync.Pool{New: func() any { x, _ := compileXPath(src); return x }}
	ex.pool.Put(first)
	return ex
}

// compileXPath guards against panics inside the XPath compiler on odd
// input: a mapping file must produce an error, never crash the gateway.
func compileXPath(src string) (x *xpath.Expr, err error) {
	defer func() {
		if r := recover(); r != nil {
			x, err = nil, fmt.Errorf("%v", r)
		}
	}()
	if strings.TrimSpace(src) == "" {
		return nil, fmt.Errorf("empty expression")
	}
	return xpath.Compile(src)
}

// fastCond is a condition the fast path can decide: path (exists), path
// = 'lit', path != 'lit', a comparison of integer expressions
// (string-length(path) <= 14), or and/or of conditions.
type fastCond struct {
	path *fastPath
	op   byte // 0: exists, '=': equals, '!': not equals, '&': and, '|': or, 'n': numbers
	lit  string
	kids []*fastCond // and, or
	// numbers: a cmp b, cmp one of < <= > >= = !=
	a, b *fastNum
	cmp  string
	// in, for an or of equalities of one EDIFACT path (LIN/LIN03/LIN03_02
	// = 'EN' or LIN/LIN03/LIN03_02 = 'SRV'): that path and the literals,
	// compared in one pass on an EDIFACT tree.
	in   *ediPath
	lits []string
}

func compileFastCond(src string) *fastCond {
	p := &pathParser{s: src}
	c := p.condOr()
	p.space()
	if c == nil || p.i != len(p.s) {
		return nil
	}
	return c
}

func (p *pathParser) condOr() *fastCond {
	c := p.condAnd()
	if c == nil {
		return nil
	}
	for {
		p.space()
		if !p.keyword("or") {
			return c
		}
		d := p.condAnd()
		if d == nil {
			return nil
		}
		if c.op != '|' {
			c = &fastCond{op: '|', kids: []*fastCond{c}}
		}
		c.kids = append(c.kids, d)
		c.sameIn()
	}
}

// sameIn sets in and lits when every alternative of or-cond c is an
// equality of the same EDIFACT path.
func (c *fastCond) sameIn() {
	c.in, c.lits = nil, nil
	var in *ediPath
	var lits []string
	for _, k := range c.kids {
		if k.op != '=' || !k.path.edi.texts() || k.path.edi.pick != nil ||
			in != nil && k.path.edi != in {
			return
		}
		in = k.path.edi
		lits = append(lits, k.lit)
	}
	c.in, c.lits = in, lits
}

func (p *pathParser) condAnd() *fastCond {
	c := p.condAtom()
	if c == nil {
		return nil
	}
	for {
		p.space()
		if !p.keyword("and") {
			return c
		}
		d := p.condAtom()
		if d == nil {
			return nil
		}
		if c.op != '&' {
			c = &fastCond{op: '&', kids: []*fastCond{c}}
		}
		c.kids = append(c.kids, d)
	}
}

// condAtom reads ( cond ), a number comparison, or path [= | != 'lit'].
func (p *pathParser) condAtom() *fastCond {
	p.space()
	if p.i >= len(p.s) {
		return nil
	}
	if p.s[p.i] == '(' {
		p.i++
		c := p.condOr()
		p.space()
		if c == nil || p.i >= len(p.s) || p.s[p.i] != ')' {
			return nil
		}
		p.i++
		return c
	}
	if ch := p.s[p.i]; ch >= '0' && ch <= '9' || strings.HasPrefix(p.s[p.i:], "string-length") {
		a := p.num()
		if a == nil {
			return nil
		}
		p.space()
		var cmp string
		for _, op := range []string{"<=", ">=", "!=", "<", ">", "="} {
			if strings.HasPrefix(p.s[p.i:], op) {
				cmp = op
				break
			}
		}
		if cmp == "" {
			return nil
		}
		p.i += len(cmp)
		b := p.num()
		if b == nil {
			return nil
		}
		return &fastCond{op: 'n', a: a, b: b, cmp: cmp}
	}
	path := p.path()
	if path == nil {
		return nil
	}
	p.space()
	op := byte(0)
	switch {
	case strings.HasPrefix(p.s[p.i:], "!="):
		op = '!'
		p.i += 2
	case strings.HasPrefix(p.s[p.i:], "="):
		op = '='
		p.i++
	default:
		return &fastCond{path: path}
	}
	p.space()
	lit, ok := p.literal()
	if !ok {
		return nil // a number or a path on the right: XPath's other comparisons
	}
	return &fastCond{path: path, op: op, lit: lit}
}

// eval decides c in ctx as XPath does.
func (c *fastCond) eval(v *treeView, ctx Node) bool {
	switch c.op {
	case '=':
		return c.path.anyEquals(v, ctx, c.lit)
	case '!':
		for _, n := range c.path.selectAll(v, ctx, nil) {
			if string(v.t.Text(n)) != c.lit {
				return true
			}
		}
		return false
	case '&':
		for _, k := range c.kids {
			if !k.eval(v, ctx) {
				return false
			}
		}
		return true
	case '|':
		if c.in != nil && v.edi != nil {
			return c.in.anyEquals(v, ctx, c.lits...)
		}
		for _, k := range c.kids {
			if k.eval(v, ctx) {
				return true
			}
		}
		return false
	case 'n':
		var scratch [64]byte
		a, b := c.a.eval(v, ctx, scratch[:0]), c.b.eval(v, ctx, scratch[:0])
		switch c.cmp {
		case "<":
			return a < b
		case "<=":
			return a <= b
		case ">":
			return a > b
		case ">=":
			return a >= b
		case "=":
			return a == b
		}
		return a != b
	}
	// A node exists exactly when firstText finds one, and firstText
	// hands out no handle for a leaf.
	_, ok := c.path.firstText(v, ctx)
	return ok
}
