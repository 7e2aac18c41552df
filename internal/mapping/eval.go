package mapping

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/antchfx/xpath"

	"github.com/b2bgw/b2bgw/internal/doctree"
	"github.com/b2bgw/b2bgw/internal/errclass"
)

// FieldError is a value a document could not be mapped with: a required
// field missing, a code with no translation, a date that is not a date.
// The document is rejected; nothing is ever silently left empty. Positions
// are fields so the CLI, the API and the trace can show them their way.
type FieldError struct {
	File   string    // mapping file that defines the field
	Line   int       // of the field's key in File
	Column int       // of the field's key in File
	Field  string    // output path, e.g. lines[3].quantity (indexes from 0)
	Expr   string    // the expression evaluated, "" for const
	Source SourcePos // where in the input the value (or, when missing, its context) is
	Raw    string    // the raw value as found, "" when missing
	Err    error     // ErrRequired, ErrUnknownCode, ErrNotDate …
}

func (e *FieldError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:%d:%d: %s", e.File, e.Line, e.Column, e.Field)
	if e.Expr != "" {
		fmt.Fprintf(&b, " (%s)", e.Expr)
	}
	if e.Raw != "" {
		fmt.Fprintf(&b, " = %q", e.Raw)
	}
	if e.Source != (SourcePos{}) {
		fmt.Fprintf(&b, " at %s", e.Source)
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *FieldError) Unwrap() error { return e.Err }

// Class: a value that cannot be mapped rejects its transaction set (or
// document) only; the rest of the file goes on.
func (e *FieldError) Class() errclass.Class { return errclass.RejectsSet }

// FieldErrors is every field error of one document (up to maxFieldErrors),
// so an analyst fixing a mapping sees them all at once.
type FieldErrors []*FieldError

func (es FieldErrors) Error() string {
	var b strings.Builder
	for i, e := range es {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

func (es FieldErrors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// Class: see FieldError.Class.
func (es FieldErrors) Class() errclass.Class { return errclass.RejectsSet }

// maxFieldErrors stops a hopeless document (the wrong mapping for it)
// from producing one error per field per line.
const maxFieldErrors = 50

// Translate maps one document. On any field error it returns a
// FieldErrors and no value: the document is rejected.
//
// The value's strings, objects and arrays are carved out of a few blocks
// allocated per translation (an arena owned by the value), so a document
// costs a handful of allocations however many fields it has. The value
// does not refer to t: it stays valid after the tree and its input bytes
// are gone.
func (m *Mapping) Translate(t Tree) (Value, error) {
	e := m.getEvaluator(t)
	defer m.putEvaluator(e)
	e.arena = &arena{hint: &e.rt.hint}
	v := e.object(m.fields, t.Root())
	e.arena.done()
	if len(e.errs) > 0 {
		return Value{}, e.takeErrs()
	}
	return v, nil
}

// TranslateJSON maps one document and appends its compact JSON to dst:
// exactly Translate(t) followed by Value.AppendJSON, written while the
// mapping is evaluated, with no Value tree in between (the pipeline's
// path when it only needs JSON). On any field error it returns dst
// unchanged (its original length) and a FieldErrors.
func (m *Mapping) TranslateJSON(t Tree, dst []byte) ([]byte, error) {
	e := m.getEvaluator(t)
	defer m.putEvaluator(e)
	start := len(dst)
	e.stream, e.out = true, dst
	e.view() // objectJSON tells an EDIFACT tree by it
	e.objectJSON(m.fields, t.Root())
	out := e.out
	e.out = nil
	if len(e.errs) > 0 {
		return out[:start], e.takeErrs()
	}
	return out, nil
}

// TranslateTrace maps one document recording, for every output value, the
// mapping line, the expression, where in the input it matched and the raw
// value (the CLI's --trace). Unlike Translate it returns the partial value
// along with the errors, so the trace shows what did map.
func (m *Mapping) TranslateTrace(t Tree) (Value, *Trace, error) {
	tr := &Trace{}
	e := evaluator{loc: m.loc, t: t, trace: tr}
	v := e.object(m.fields, t.Root())
	if len(e.errs) > 0 {
		return v, tr, e.errs
	}
	return v, tr, nil
}

// getEvaluator takes a pooled evaluator (its scratch buffers survive
// between documents) set up for t.
func (m *Mapping) getEvaluator(t Tree) *evaluator {
	rt := m.rt
	if rt == nil {
		rt = &runtime{} // a Mapping not made by Load: nothing to reuse
	}
	e, _ := rt.evals.Get().(*evaluator)
	if e == nil {
		e = &evaluator{}
	}
	e.rt, e.loc, e.t = rt, m.loc, t
	e.first.nm = nil // a pooled evaluator's memos are another tree's
	e.pairs.first = 0
	return e
}

func (m *Mapping) putEvaluator(e *evaluator) {
	e.t, e.arena, e.errs, e.stream, e.out = nil, nil, nil, false, nil
	e.tv = treeView{}
	if e.memo.used {
		// The next document's paths start afresh, and this one's input
		// is not kept alive by the pool.
		e.memo = ediMemo{}
	}
	if e.pairs.first != 0 {
		e.pairs = pairMemo{} // nor by the pairs' views of it
	}
	if e.pickRun != nil {
		clear(e.picked) // nor by the texts of picks
		e.pickRun = nil
	}
	e.first = firstMemo{}
	e.path, e.nodes, e.segs, e.scratch = e.path[:0], e.nodes[:0], e.segs[:0], e.scratch[:0]
	if cap(e.scratch) > 1<<16 || cap(e.nodes) > 1<<16 {
		return // a huge document: let its buffers go
	}
	e.rt.evals.Put(e)
}

func (e *evaluator) takeErrs() FieldErrors {
	errs := e.errs
	e.errs = nil
	return errs
}

type pathElem struct {
	name  string
	index int // -1 when not an array item
	// fields, when set, names the element instead: fields[at].name, at
	// set by resolveAt (see objectJSON).
	fields []*field
	at     int
}

// resolveAt sets at on each element of e.path that has fields, for an
// error in field f: at the innermost, f; above it, the field whose fields
// are those of the element below (an object, or the objects of an
// array).
func (e *evaluator) resolveAt(f *field) {
	var inner []*field
	for k := len(e.path) - 1; k >= 0; k-- {
		p := &e.path[k]
		if p.fields == nil {
			continue
		}
		for i, g := range p.fields {
			if inner == nil && g == f || inner != nil && len(g.fields) > 0 && &g.fields[0] == &inner[0] {
				p.at = i
				break
			}
		}
		inner = p.fields
	}
}

type evaluator struct {
	rt       *runtime
	loc      *time.Location
	outbound bool // templates: canonical values to EDI text
	t        Tree
	errs     FieldErrors
	trace    *Trace
	path     []pathElem
	segs     []Node   // scratch for pair
	tv       treeView // t's lookups (see view), made on first use
	memo     ediMemo  // tv's memo of EDIFACT paths, for one document
	// first is the last lookup of firstChild, for t only.
	first firstMemo
	pairs pairMemo // the pairs of the last segment a pair pick read
	// picked: the texts of pickRun pickRun in pickCtx (see picks).
	picked            [][]byte
	pickDone, pickBad uint32
	pickRun           *pickRun
	pickCtx           Node

	// nodes is a stack of foreach results: each array takes the nodes it
	// appends and gives them back when done.
	nodes []Node
	// scratch holds the text of the value being evaluated when it is not
	// a slice of the input (a string function's result). Texts are
	// borrowed views of the input or of scratch, valid until the next
	// value; keep copies what a Value keeps.
	scratch []byte
	// arena, in Translate, owns the output's strings and slices.
	arena *arena
	// stream: TranslateJSON, writing JSON to out as fields are evaluated.
	stream bool
	out    []byte
}

func (e *evaluator) fieldPath() string {
	var b strings.Builder
	for i, p := range e.path {
		if p.index >= 0 {
			fmt.Fprintf(&b, "[%d]", p.index)
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		if p.fields != nil {
			b.WriteString(p.fields[p.at].name)
		} else {
			b.WriteString(p.name)
		}
	}
	return b.String()
}

func (e *evaluator) fail(f *field, x *expr, at Node, raw string, err error) {
	if len(e.errs) >= maxFieldErrors {
		return
	}
	raw = strings.Clone(raw) // raw may be a borrowed view of the input
	e.resolveAt(f)
	fe := &FieldError{File: f.file, Line: f.line, Column: f.col, Field: e.fieldPath(),
		Source: locate(e.t, at), Raw: raw, Err: err}
	if x != nil {
		fe.Expr = x.src
	}
	e.errs = append(e.errs, fe)
	if e.trace != nil {
		e.trace.add(TraceEntry{Field: fe.Field, File: f.file, Line: f.line, Expr: fe.Expr, Source: fe.Source, Raw: raw, Note: "error: " + err.Error()})
	}
}

func (e *evaluator) object(fields []*field, ctx Node) Value {
	var members []Member
	if e.arena != nil {
		members = e.arena.members(len(fields))
	} else {
		members = make([]Member, 0, len(fields))
	}
	for _, f := range fields {
		e.path = append(e.path, pathElem{name: f.name, index: -1})
		if v, ok := e.field(f, ctx); ok {
			members = append(members, Member{Key: f.name, Value: v})
		}
		e.path = e.path[:len(e.path)-1]
	}
	return Obj(members...)
}

func (e *evaluator) field(f *field, ctx Node) (Value, bool) {
	if f.when != nil && !e.cond(f.when, ctx) {
		if e.trace != nil {
			e.trace.add(TraceEntry{Field: e.fieldPath(), File: f.file, Line: f.line, Expr: f.when.src, Source: locate(e.t, ctx), Note: "when is false"})
		}
		return Value{}, false
	}
	switch f.kind {
	case objectField:
		v := e.object(f.fields, ctx)
		if len(v.members) == 0 {
			if f.required {
				e.fail(f, nil, ctx, "", ErrRequired)
			}
			return Value{}, false
		}
		return v, true
	case arrayField:
		base := len(e.nodes)
		e.nodes = e.selectAppend(f.foreach, ctx, e.nodes)
		nodes := e.nodes[base:]
		defer func() { e.nodes = e.nodes[:base] }()
		var items []Value
		if e.arena != nil {
			items = e.arena.items(len(nodes))
		} else {
			items = make([]Value, 0, len(nodes))
		}
		for i, n := range nodes {
			e.path = append(e.path, pathElem{index: i})
			if f.hasValue() {
				if v, ok := e.value(f, n); ok {
					items = append(items, v)
				}
			} else {
				// An item whose fields all came out empty is kept: one
				// item per loop keeps indexes in errors and traces aligned
				// with the loops in the input.
				items = append(items, e.object(f.fields, n))
			}
			e.path = e.path[:len(e.path)-1]
		}
		if len(items) == 0 {
			if f.required {
				e.fail(f, f.foreach, ctx, "", ErrRequired)
			}
			return Value{}, false
		}
		return Arr(items...), true
	}
	return e.value(f, ctx)
}

// value evaluates a value field in ctx.
func (e *evaluator) value(f *field, ctx Node) (Value, bool) {
	if f.constV != nil {
		if e.trace != nil {
			e.trace.add(TraceEntry{Field: e.fieldPath(), File: f.file, Line: f.line, Value: f.constV.String(), Note: "const"})
		}
		return *f.constV, true
	}
	raw, x, at := e.fetch(f, ctx)
	return e.finish(f, x, ctx, at, raw)
}

// fetch finds a value field's raw text in ctx (trimmed when the field
// trims): x is the expression it came from, at its node when known.
func (e *evaluator) fetch(f *field, ctx Node) (raw string, x *expr, at Node) {
	e.scratch = e.scratch[:0]
	x = f.from
	var found bool
	if f.pair != nil {
		x = f.pair.label
		at = NoNode
		raw, found = e.pickPair(f.pair, ctx)
	} else if p := f.from.fast; p != nil && e.tv.x12 != nil && (p.x12 != nil || p.simple && len(p.steps) == 1) {
		// text's first cases, without its dispatch: most values.
		var txt []byte
		if p.x12 != nil {
			txt, found = p.x12.firstText(&e.tv, ctx)
		} else {
			txt, found = e.tv.x12.ChildTextName(ctx, p.steps[0].nm)
		}
		raw, at = view(txt), NoNode // found again only for an error (where)
	} else {
		raw, at, found = e.text(f.from, ctx)
	}
	if found && f.trim && len(raw) > 0 && (spaceOrWide(raw[0]) || spaceOrWide(raw[len(raw)-1])) {
		raw = strings.TrimSpace(raw)
	}
	return raw, x, at
}

// spaceOrWide reports whether c may begin or end white space that
// strings.TrimSpace removes: an ASCII control or space, or a byte of a
// multi-byte character (U+00A0 and friends). Most values have neither
// end, and skip the call.
func spaceOrWide(c byte) bool { return c <= ' ' || c >= 0x80 }

// finish is the rest of value once fetch found raw: default, required,
// code list, conversion.
func (e *evaluator) finish(f *field, x *expr, ctx, at Node, raw string) (Value, bool) {
	if e.trace != nil {
		at = e.where(x, ctx, at)
	}
	if raw == "" {
		if f.def != nil {
			if e.trace != nil {
				e.trace.add(TraceEntry{Field: e.fieldPath(), File: f.file, Line: f.line, Expr: x.src, Source: locate(e.t, at), Value: f.def.String(), Note: "default"})
			}
			return *f.def, true
		}
		if f.required {
			e.fail(f, x, e.where(x, ctx, at), "", ErrRequired)
		} else if e.trace != nil {
			e.trace.add(TraceEntry{Field: e.fieldPath(), File: f.file, Line: f.line, Expr: x.src, Source: locate(e.t, at), Note: "absent"})
		}
		return Value{}, false
	}
	text := raw
	if f.codes != nil {
		v, ok := f.codes.lookup(raw)
		if !ok {
			e.fail(f, x, e.where(x, ctx, at), raw, fmt.Errorf("%w in code list %s", ErrUnknownCode, f.codes.name))
			return Value{}, false
		}
		if v.kind != String && !e.outbound {
			// A code translated to a number, a boolean or null (~: leave
			// the field out) is the final value.
			e.traceValue(f, x, at, raw, v)
			return v, v.kind != Null
		}
		if v.kind == Null {
			return Value{}, false
		}
		text = v.Text()
	}
	if e.outbound {
		s, err := f.conv.outbound(text, e.loc)
		if err != nil {
			e.fail(f, x, e.where(x, ctx, at), raw, err)
			return Value{}, false
		}
		v := e.keep(Str(s))
		e.traceValue(f, x, at, raw, v)
		return v, true
	}
	var clock string
	if f.clock != nil {
		clock, _, _ = e.text(f.clock, ctx)
		clock = strings.TrimSpace(clock)
	}
	switch f.quick {
	case quickString:
		return e.done(f, x, at, raw, Str(text))
	case quickDecimal:
		if n, ok := jsonNumber(text); ok {
			return e.done(f, x, at, raw, Num(n))
		}
	}
	start := len(e.scratch)
	if b, ok := f.conv.appendFastDate(e.scratch, text, clock, e.loc); ok {
		e.scratch = b
		v := Str(view(b[start:]))
		if !e.stream {
			v = e.keep(v)
		}
		if e.trace != nil {
			e.traceValue(f, x, at, raw, v)
		}
		return v, true
	}
	v, err := f.conv.inbound(text, clock, e.loc)
	if err != nil {
		e.fail(f, x, e.where(x, ctx, at), raw, err)
		return Value{}, false
	}
	if !e.stream {
		v = e.keep(v)
	}
	if e.trace != nil {
		e.traceValue(f, x, at, raw, v)
	}
	return v, true
}

// done is the end of value for a converted v.
func (e *evaluator) done(f *field, x *expr, at Node, raw string, v Value) (Value, bool) {
	if !e.stream {
		v = e.keep(v)
	}
	if e.trace != nil {
		e.traceValue(f, x, at, raw, v)
	}
	return v, true
}

// keep makes a converted value's text the Value's own: in TranslateJSON
// it is written out at once and may stay a borrowed view; otherwise it is
// copied (into the arena, in Translate).
func (e *evaluator) keep(v Value) Value {
	if e.stream || v.kind != String && v.kind != Number {
		return v
	}
	if e.arena != nil {
		v.s = e.arena.string(v.s)
	} else {
		v.s = strings.Clone(v.s)
	}
	return v
}

func (e *evaluator) traceValue(f *field, x *expr, at Node, raw string, v Value) {
	if e.trace == nil {
		return
	}
	te := TraceEntry{Field: e.fieldPath(), File: f.file, Line: f.line, Source: locate(e.t, at), Raw: strings.Clone(raw), Value: v.String()}
	if x != nil {
		te.Expr = x.src
		te.Fast = x.fast != nil || x.fn != nil
	}
	e.trace.add(te)
}

// where finds the node a value came from, for an error or a trace: the
// fast path does not keep it (see fastPath.firstText), so it is looked up
// again here, off the hot path. When nothing matched it is the context,
// the loop or document the value was missing from.
func (e *evaluator) where(x *expr, ctx, at Node) Node {
	if at != NoNode {
		return at
	}
	if x != nil && x.fast != nil {
		if x.pair != nil {
			if _, n, ok := e.pickPairNode(x.pair, ctx); ok {
				return n
			}
		} else if n := x.fast.selectFirst(e.view(), ctx); n != NoNode {
			return n
		}
	}
	return ctx
}

// text evaluates x in ctx as a string: the string-value of the first node
// selected, or the expression's string, number or boolean result.
func (e *evaluator) text(x *expr, ctx Node) (string, Node, bool) {
	if p := x.fast; p != nil {
		v := e.view()
		var txt []byte
		var ok bool
		// The one- and two-step paths most fields are (REF02, BEG/BEG03)
		// are asked of the tree here: two calls fewer than firstText.
		switch {
		case p.x12 != nil && v.x12 != nil:
			txt, ok = p.x12.firstText(v, ctx)
		case p.edi.texts() && v.edi != nil:
			txt, ok = p.edi.firstText(v, ctx)
		case p.simple && len(p.steps) == 1 && v.nt != nil:
			txt, ok = v.nt.ChildTextName(ctx, p.steps[0].nm)
		case p.simple && len(p.steps) == 2 && v.x12 != nil:
			txt, ok = e.childText2(v.x12, ctx, p.steps[0].nm, p.steps[1].nm)
		case p.simple && len(p.steps) == 2 && v.n2 != nil:
			txt, ok = v.n2.ChildText2Name(ctx, p.steps[0].nm, p.steps[1].nm)
		default:
			txt, ok = p.firstText(v, ctx)
		}
		if !ok {
			return "", NoNode, false
		}
		// The node is found again only for an error or a trace (where).
		return view(txt), NoNode, true
	}
	if x.fn != nil {
		start := len(e.scratch)
		e.scratch = x.fn.eval(e.view(), ctx, e.scratch)
		r := view(e.scratch[start:])
		return r, NoNode, r != ""
	}
	xe := x.pool.Get().(*xpath.Expr)
	defer x.pool.Put(xe)
	switch r := xe.Evaluate(e.t.Navigator(ctx)).(type) {
	case *xpath.NodeIterator:
		if !r.MoveNext() {
			return "", NoNode, false
		}
		cur := r.Current()
		return cur.Value(), e.t.NodeOf(cur), true
	case string:
		return r, NoNode, r != ""
	case float64:
		if math.IsNaN(r) || math.IsInf(r, 0) {
			return "", NoNode, false
		}
		return strconv.FormatFloat(r, 'f', -1, 64), NoNode, true
	case bool:
		return strconv.FormatBool(r), NoNode, true
	}
	return "", NoNode, false
}

// childText2 is exactly h.ChildText2Name(parent, nm1, nm2), with the
// first nm1 child remembered: a loop's fields read one segment in turn
// (PO1/PO101 ... PO1/PO105, BEG/BEG01 ...), and all but the first skip
// finding it again.
func (e *evaluator) childText2(h *doctree.Handles, parent Node, nm1, nm2 *doctree.Name) ([]byte, bool) {
	for c := e.firstChild(h, parent, nm1); c != NoNode; c = h.NextNamed(c) {
		if txt, ok := h.ChildTextName(c, nm2); ok {
			return txt, true
		}
	}
	return nil, false
}

// firstChild is h.FirstChildName(parent, nm), remembered for the next
// call.
func (e *evaluator) firstChild(h *doctree.Handles, parent Node, nm *doctree.Name) Node {
	m := &e.first
	if m.parent != parent || m.nm != nm {
		m.set(h, parent, nm)
	}
	return m.child
}

// selectAll returns the nodes x selects from ctx, in document order.
func (e *evaluator) selectAll(x *expr, ctx Node) []Node {
	if x.fast != nil {
		return x.fast.selectAll(e.view(), ctx, nil)
	}
	xe := x.pool.Get().(*xpath.Expr)
	defer x.pool.Put(xe)
	var out []Node
	it := xe.Select(e.t.Navigator(ctx))
	for it.MoveNext() {
		out = append(out, e.t.NodeOf(it.Current()))
	}
	return out
}

// selectAppend appends the nodes x selects from ctx to out.
func (e *evaluator) selectAppend(x *expr, ctx Node, out []Node) []Node {
	if x.fast != nil {
		return x.fast.selectAll(e.view(), ctx, out)
	}
	xe := x.pool.Get().(*xpath.Expr)
	defer x.pool.Put(xe)
	it := xe.Select(e.t.Navigator(ctx))
	for it.MoveNext() {
		out = append(out, e.t.NodeOf(it.Current()))
	}
	return out
}

// cond evaluates x in ctx as an XPath boolean.
func (e *evaluator) cond(x *expr, ctx Node) bool {
	if e.tv.edi != nil && x.edi != nil {
		return e.ediCond(x.edi, ctx)
	}
	if c := x.cond; c != nil {
		if p := c.path; p != nil && p.x12 != nil && e.tv.x12 != nil {
			// N1/N103 = 'UL', PO1/PO107: eval's cases, without its
			// dispatch.
			switch c.op {
			case '=':
				return p.x12.anyEquals(&e.tv, ctx, c.lit)
			case 0:
				_, ok := p.x12.firstText(&e.tv, ctx)
				return ok
			}
		}
		return c.eval(e.view(), ctx)
	}
	xe := x.pool.Get().(*xpath.Expr)
	defer x.pool.Put(xe)
	switch r := xe.Evaluate(e.t.Navigator(ctx)).(type) {
	case *xpath.NodeIterator:
		return r.MoveNext()
	case string:
		return r != ""
	case float64:
		return r != 0 && !math.IsNaN(r)
	case bool:
		return r
	}
	return false
}

// view returns e.t's lookups, found once per document. It is asked for
// every value, so the finding is kept out of line (view inlines).
func (e *evaluator) view() *treeView {
	if e.tv.t == nil {
		e.makeView()
	}
	return &e.tv
}

func (e *evaluator) makeView() {
	e.tv = makeView(e.t)
	if e.tv.edi != nil {
		e.tv.memo = &e.memo
	}
	if e.tv.x12 != nil {
		e.tv.first = &e.first
	}
}

// pickPair finds the value next to the first qualifier, in the order of
// preference written, among the pairs of the selected segments.
func (e *evaluator) pickPair(p *pairSpec, ctx Node) (string, bool) {
	tv := e.view()
	if f := p.seg.fast; p.byPos && tv.x12 != nil && f.simple && len(f.steps) == 1 {
		if v, ok, done := e.pickPairChain(tv.x12, p, f.steps[0].nm, ctx); done {
			return v, ok
		}
	}
	e.segs = p.seg.fast.selectAll(tv, ctx, e.segs[:0])
	best, bestRank := []byte(nil), len(p.quals)
	var x12 *doctree.Handles
	if p.byPos {
		x12, _ = e.t.(*doctree.Handles)
	}
	for _, s := range e.segs {
		if x12 != nil {
			// An X12 segment: the pairs read by position, in one pass.
			if v, rank, isSeg := pickPairX12(x12, p, s, bestRank); isSeg {
				if rank < bestRank {
					best, bestRank = v, rank
					if rank == 0 {
						return view(best), true
					}
				}
				continue
			}
		}
		for j, nm := range p.nms {
			q, ok := e.leaf(tv, s, nm[0], p.names[j][0])
			if !ok {
				continue
			}
			rank := -1
			for k, qual := range p.quals[:bestRank] {
				if string(q) == qual {
					rank = k
					break
				}
			}
			if rank < 0 {
				continue
			}
			if v, ok := e.leaf(tv, s, nm[1], p.names[j][1]); ok && len(v) > 0 {
				best, bestRank = v, rank
				if rank == 0 {
					return view(best), true
				}
			}
		}
	}
	return view(best), best != nil
}

// pickPairChain is pickPair for a segment step of one name on an X12
// tree: the segments are its chain of same-named children (what the
// path selects), the first remembered (the pairs of a line read its PO1
// in turn), so nothing is collected. done is false when a node of the
// chain is not a segment (a CSV cell): pickPair's general search then
// answers.
func (e *evaluator) pickPairChain(h *doctree.Handles, p *pairSpec, nm *doctree.Name, ctx Node) (v string, ok, done bool) {
	best, bestRank := []byte(nil), len(p.quals)
	for s := e.firstChild(h, ctx, nm); s != NoNode; s = h.NextNamed(s) {
		b, rank, isSeg := e.pairs.pick(h, p, s, bestRank)
		if !isSeg {
			return "", false, false
		}
		if rank < bestRank {
			best, bestRank = b, rank
			if rank == 0 {
				break
			}
		}
	}
	return view(best), best != nil, true
}

// pickPairX12 is pickPair's search of one X12 segment s: the value of its
// best-ranked qualifier (of rank below bestRank), or rank bestRank when
// none is found. isSeg is false when s is not a segment. Pairs beyond the
// segment's last element are not looked at: most of PO106..PO125 is.
func pickPairX12(t *doctree.Handles, p *pairSpec, s Node, bestRank int) (best []byte, rank int, isSeg bool) {
	seg, n := t.SegmentElems(s)
	if n < 0 {
		return nil, bestRank, false
	}
	rank = bestRank
	for j := range p.nms {
		el := p.first + 2*j
		if el > n {
			break
		}
		q, ok := seg.Elem(el)
		if !ok {
			continue
		}
		r := -1
		for k, qual := range p.quals[:rank] {
			if string(q) == qual {
				r = k
				break
			}
		}
		if r < 0 {
			continue
		}
		if v, ok := seg.Elem(el + 1); ok && len(v) > 0 {
			best, rank = v, r
			if r == 0 {
				break
			}
		}
	}
	return best, rank, true
}

// pickPairNode is pickPair returning the value's node, for positions.
func (e *evaluator) pickPairNode(p *pairSpec, ctx Node) (string, Node, bool) {
	segs := p.seg.fast.selectAll(e.view(), ctx, nil)
	for _, q := range p.quals {
		for _, s := range segs {
			for _, nm := range p.names {
				qn := e.t.FirstChild(s, nm[0])
				if qn == NoNode || string(e.t.Text(qn)) != q {
					continue
				}
				if vn := e.t.FirstChild(s, nm[1]); vn != NoNode && len(e.t.Text(vn)) > 0 {
					return string(e.t.Text(vn)), vn, true
				}
			}
		}
	}
	return "", NoNode, false
}

// leaf returns the text of parent's first child named name (nm
// compiled).
func (e *evaluator) leaf(tv *treeView, parent Node, nm *doctree.Name, name string) ([]byte, bool) {
	if tv.nt != nil {
		return tv.nt.ChildTextName(parent, nm)
	}
	if tv.lt != nil {
		return tv.lt.ChildText(parent, name)
	}
	n := e.t.FirstChild(parent, name)
	if n == NoNode {
		return nil, false
	}
	return e.t.Text(n), true
}
