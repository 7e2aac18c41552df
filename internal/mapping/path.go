package mapping

import (
	"strings"

	"github.com/antchfx/xpath"

	"github.com/b2bgw/b2bgw/internal/doctree"
)

// The fast path. The architecture notes measured ~1.2 µs per antchfx/xpath
// query, which caps translation near 12 MB/s; nearly every expression in a
// real mapping is a chain of child steps with an equality predicate on an
// element value (REF[REF01='DP']/REF02) or a position (N1Loop[2]). Those are
// compiled here into a few steps that walk a Tree directly; anything else
// is left to antchfx/xpath. Both are always compiled, and a differential
// test checks they agree.

// maxPreds bounds the predicates per step on the fast path so the
// position counters live on the stack.
const maxPreds = 4

type fastPath struct {
	steps []fastStep
	// simple: no step has predicates (BEG/BEG03, N1/N102), so a value is
	// the first child chain that reaches a leaf: see firstTextSimple.
	simple bool
	// edi is the path's form for EDIFACT trees, when it has one.
	edi *ediPath
	// x12 is the path's form for X12 trees, when it has one.
	x12 *x12Path
	// kids, for one plain step (foreach: SG25, LIN), is that step as an
	// EDIFACT group step: its first child is remembered (see ediMemo).
	kids *ediSel
}

type fastStep struct {
	name  string        // an element name, "*" (any element) or "." (the context)
	nm    *doctree.Name // name compiled for NameTree lookups; nil for * and .
	preds []fastPred
}

// special reports whether the step is * or . rather than a name: those
// walk with firstElem/nextElem and never take a leaf shortcut.
func (st *fastStep) special() bool { return st.name == "*" || st.name == "." }

// fastPred is [n] (pos > 0), [path='lit'] or, with or set,
// [p1='l1' or p2='l2' …] (or holds every alternative).
type fastPred struct {
	pos  int
	path *fastPath
	lit  string
	or   []fastPred
}

// holds reports whether a path or or predicate holds for c.
func (pr *fastPred) holds(v *treeView, c Node) bool {
	if pr.or == nil {
		return pr.path.anyEquals(v, c, pr.lit)
	}
	for k := range pr.or {
		if pr.or[k].path.anyEquals(v, c, pr.or[k].lit) {
			return true
		}
	}
	return false
}

// compileFast returns the fast form of expr, or nil when expr is outside
// the subset: relative child steps of plain names, * (any element) or .
// (the context), each named or * step with up to maxPreds predicates that
// are a positive integer, or a relative path compared with = to a quoted
// string literal, or several of those joined by or.
func compileFast(expr string) *fastPath {
	p := &pathParser{s: expr}
	fp := p.path()
	p.space()
	if fp == nil || p.i != len(p.s) {
		return nil
	}
	return fp
}

// setSimple marks p (and its predicates' paths) simple where they are.
func (p *fastPath) setSimple() {
	p.simple = true
	for i := range p.steps {
		if p.steps[i].special() {
			p.simple = false
		}
		for _, pr := range p.steps[i].preds {
			p.simple = false
			if pr.path != nil {
				pr.path.setSimple()
			}
			for _, alt := range pr.or {
				alt.path.setSimple()
			}
		}
	}
}

type pathParser struct {
	s string
	i int
}

func (p *pathParser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == '\r') {
		p.i++
	}
}

func (p *pathParser) path() *fastPath {
	fp := &fastPath{}
	p.space()
	// A leading "./" is the same relative path.
	if strings.HasPrefix(p.s[p.i:], "./") {
		p.i += 2
	}
	for {
		p.space()
		name := p.name()
		if name == "" {
			return nil
		}
		st := fastStep{name: name}
		if !st.special() {
			st.nm = doctree.CompileName(name)
		}
		for {
			p.space()
			if p.i >= len(p.s) || p.s[p.i] != '[' {
				break
			}
			if name == "." {
				return nil // .[…] is not XPath 1.0
			}
			p.i++
			pr, ok := p.pred()
			if !ok || len(st.preds) == maxPreds {
				return nil
			}
			st.preds = append(st.preds, pr)
		}
		fp.steps = append(fp.steps, st)
		p.space()
		if p.i < len(p.s) && p.s[p.i] == '/' {
			if p.i+1 < len(p.s) && p.s[p.i+1] == '/' {
				return nil // descendant axis
			}
			p.i++
			continue
		}
		fp.setSimple()
		fp.edi = compileEDI(fp)
		fp.x12 = compileX12(fp)
		if len(fp.steps) == 1 && fp.simple {
			fp.kids = internKids(fp.steps[0].nm)
		}
		return fp
	}
}

// name reads an XML name without a prefix. Names that XPath would read as
// something else (a function call, an axis, a node test) make the caller
// fall back: the next byte decides.
func (p *pathParser) name() string {
	start := p.i
	if p.i < len(p.s) && (p.s[p.i] == '*' || p.s[p.i] == '.') {
		// * is any element, . the context node; ** , *:x, .. and .5
		// are something else.
		if p.i+1 < len(p.s) {
			switch c := p.s[p.i+1]; {
			case c == '*' || c == '.' || c == ':' || c == '(' || c >= '0' && c <= '9' ||
				c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '_' || c == '-':
				return ""
			}
		}
		p.i++
		return p.s[start:p.i]
	}
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '_' ||
			p.i > start && (c >= '0' && c <= '9' || c == '-' || c == '.') {
			p.i++
			continue
		}
		break
	}
	name := p.s[start:p.i]
	if name == "" {
		return ""
	}
	// XPath operator names are only operators between operands; as a step
	// they are plain names, but "and"/"or"/"div"/"mod" after a step make
	// the whole thing an expression that this parser rejects anyway when
	// it finds trailing input.
	rest := p.s[p.i:]
	rest = strings.TrimLeft(rest, " \t\r\n")
	if strings.HasPrefix(rest, "(") || strings.HasPrefix(rest, "::") || strings.HasPrefix(rest, ":") {
		return ""
	}
	return name
}

func (p *pathParser) pred() (fastPred, bool) {
	p.space()
	if p.i < len(p.s) && p.s[p.i] >= '1' && p.s[p.i] <= '9' {
		n := 0
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			n = n*10 + int(p.s[p.i]-'0')
			if n > 1<<20 {
				return fastPred{}, false
			}
			p.i++
		}
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != ']' {
			return fastPred{}, false
		}
		p.i++
		return fastPred{pos: n}, true
	}
	first, ok := p.equality()
	if !ok {
		return fastPred{}, false
	}
	pr := first
	for {
		p.space()
		if !p.keyword("or") {
			break
		}
		alt, ok := p.equality()
		if !ok {
			return fastPred{}, false
		}
		if pr.or == nil {
			pr = fastPred{or: []fastPred{first}}
		}
		pr.or = append(pr.or, alt)
	}
	p.space()
	if p.i >= len(p.s) || p.s[p.i] != ']' {
		return fastPred{}, false
	}
	p.i++
	return pr, true
}

// equality reads path = 'lit'.
func (p *pathParser) equality() (fastPred, bool) {
	sub := p.path()
	if sub == nil {
		return fastPred{}, false
	}
	p.space()
	if p.i >= len(p.s) || p.s[p.i] != '=' {
		return fastPred{}, false
	}
	p.i++
	p.space()
	lit, ok := p.literal()
	if !ok {
		return fastPred{}, false // numeric comparison: XPath compares as numbers
	}
	return fastPred{path: sub, lit: lit}, true
}

// literal reads a quoted string.
func (p *pathParser) literal() (string, bool) {
	if p.i >= len(p.s) || (p.s[p.i] != '\'' && p.s[p.i] != '"') {
		return "", false
	}
	q := p.s[p.i]
	end := strings.IndexByte(p.s[p.i+1:], q)
	if end < 0 {
		return "", false
	}
	lit := p.s[p.i+1 : p.i+1+end]
	p.i += end + 2
	return lit, true
}

// keyword consumes the operator name kw (and, or) when it stands alone
// here: followed by white space, a quote or a parenthesis, not by more of
// a name.
func (p *pathParser) keyword(kw string) bool {
	if !strings.HasPrefix(p.s[p.i:], kw) {
		return false
	}
	j := p.i + len(kw)
	if j < len(p.s) {
		switch c := p.s[j]; c {
		case ' ', '\t', '\r', '\n', '(', '\'', '"':
		default:
			return false
		}
	} else {
		return false
	}
	p.i = j
	return true
}

// walker runs a fastPath over a Tree. Three modes share one walk: collect
// every match (foreach), stop at the first (a field value), or stop at the
// first whose text equals lit (a predicate). Matches come out in document
// order because each step only moves to children.
type walker struct {
	*treeView
	out   []Node
	first bool
	match bool
	lit   string
	found Node
	// textOnly: the caller wants the first value's text, not its node;
	// found is then the leaf's parent and text the value.
	textOnly bool
	text     []byte
}

// treeView is a Tree with its optional lookups found once, so that walks,
// predicates and conditions do no interface assertions per step. The
// evaluator makes one per document.
type treeView struct {
	t   Tree
	lt  LeafTree             // t's leaf lookups, when it has them
	l2  Leaf2Tree            // t's two-step leaf lookups, when it has them
	nt  NameTree             // t's lookups by compiled name, when it has them
	n2  Name2Tree            // t's two-step lookups by compiled name, when it has them
	x12 *doctree.Handles     // t itself when it is an X12 (or CSV) document tree
	edi *doctree.EDIFACTTree // t itself when it is an EDIFACT message tree
	// memo is the evaluator's memo of EDIFACT paths for this document
	// (see ediMemo), set whenever edi is.
	memo *ediMemo
	// first, when set, is the evaluator's memo of the last X12 segment
	// step (see firstMemo).
	first *firstMemo
	et    ElemTree    // t's * step, when it has one
	ne    NthElemTree // t's *[n] ending a value or a predicate, when it has one
}

// makeView returns t's view: the document trees by their concrete types,
// other trees by assertion.
func makeView(t Tree) treeView {
	v := treeView{t: t}
	switch tt := t.(type) {
	case *doctree.Handles:
		v.lt, v.nt, v.n2, v.x12 = tt, tt, tt, tt
	case *doctree.EDIFACTTree:
		v.lt, v.l2, v.nt, v.n2, v.et, v.ne, v.edi = tt, tt, tt, tt, tt, tt, tt
	default:
		v.lt, _ = t.(LeafTree)
		if v.lt != nil {
			v.l2, _ = t.(Leaf2Tree)
		}
		v.et, _ = t.(ElemTree)
		v.ne, _ = t.(NthElemTree)
	}
	return v
}

// viewOf returns t's view as a pointer, for callers without one at hand
// (with a memo of its own for an EDIFACT tree: see treeView.memo).
func viewOf(t Tree) *treeView {
	v := makeView(t)
	if v.edi != nil {
		v.memo = &ediMemo{}
	}
	return &v
}

// selectAll appends every node p selects from ctx to out.
func (p *fastPath) selectAll(v *treeView, ctx Node, out []Node) []Node {
	if v.edi != nil {
		if p.edi != nil && (p.edi.kids || p.edi.segs) {
			return p.edi.selectKids(v, ctx, out)
		}
		if p.kids != nil {
			// One plain step (foreach: SG25, LIN): the named children.
			c, _ := v.memo.first(v.edi, p.kids, ctx)
			for ; c != NoNode; c = v.edi.NextNamed(c) {
				out = append(out, c)
			}
			return out
		}
	}
	if v.x12 != nil && len(p.steps) == 1 && p.simple && !p.steps[0].special() {
		// One plain step (foreach: PO1Loop, DTM): the named children, as
		// the walk finds them.
		for c := v.x12.FirstChildName(ctx, p.steps[0].nm); c != NoNode; c = v.x12.NextNamed(c) {
			out = append(out, c)
		}
		return out
	}
	return p.selectAllWalk(v, ctx, out)
}

// selectAllWalk is selectAll by the general walk.
func (p *fastPath) selectAllWalk(v *treeView, ctx Node, out []Node) []Node {
	w := walker{treeView: v, out: out, found: NoNode}
	w.walk(p, 0, ctx)
	return w.out
}

// selectFirst returns the first node p selects from ctx, or NoNode.
func (p *fastPath) selectFirst(v *treeView, ctx Node) Node {
	w := walker{treeView: v, first: true, found: NoNode}
	w.walk(p, 0, ctx)
	return w.found
}

// firstText returns the text of the first node p selects from ctx without
// materializing the leaf's handle when the tree can avoid it; the node
// itself, for positions in errors and traces, is found again with
// selectFirst only when needed.
func (p *fastPath) firstText(v *treeView, ctx Node) ([]byte, bool) {
	if p.x12 != nil && v.x12 != nil {
		return p.x12.firstText(v, ctx)
	}
	if p.edi.texts() && v.edi != nil {
		return p.edi.firstText(v, ctx)
	}
	return p.firstTextWalk(v, ctx)
}

// firstTextWalk is firstText by the general walk.
func (p *fastPath) firstTextWalk(v *treeView, ctx Node) ([]byte, bool) {
	if p.simple && v.lt != nil {
		return v.firstTextSimple(p.steps, ctx)
	}
	w := walker{treeView: v, first: true, textOnly: true, found: NoNode}
	w.walk(p, 0, ctx)
	if w.found == NoNode {
		return nil, false
	}
	if w.text == nil {
		w.text = v.t.Text(w.found)
	}
	return w.text, true
}

// firstTextSimple is the walk of firstText for a path without
// predicates: depth first over the named children, the last step a leaf
// lookup.
func (v *treeView) firstTextSimple(steps []fastStep, ctx Node) ([]byte, bool) {
	if len(steps) == 1 {
		if v.nt != nil {
			return v.nt.ChildTextName(ctx, steps[0].nm)
		}
		return v.lt.ChildText(ctx, steps[0].name)
	}
	if len(steps) == 2 {
		if v.n2 != nil {
			return v.n2.ChildText2Name(ctx, steps[0].nm, steps[1].nm)
		}
		if v.l2 != nil {
			return v.l2.ChildText2(ctx, steps[0].name, steps[1].name)
		}
	}
	for c := v.stepFirst(&steps[0], ctx); c != NoNode; c = v.t.NextNamed(c) {
		if txt, ok := v.firstTextSimple(steps[1:], c); ok {
			return txt, true
		}
	}
	return nil, false
}

// anyEquals reports whether some node p selects from ctx has text lit:
// XPath's node-set = string comparison.
func (p *fastPath) anyEquals(v *treeView, ctx Node, lit string) bool {
	if p.x12 != nil && v.x12 != nil {
		return p.x12.anyEquals(v, ctx, lit)
	}
	if p.edi.texts() && p.edi.pick == nil && v.edi != nil {
		return p.edi.anyEquals(v, ctx, lit)
	}
	return p.anyEqualsWalk(v, ctx, lit)
}

// anyEqualsWalk is anyEquals by the general walk.
func (p *fastPath) anyEqualsWalk(v *treeView, ctx Node, lit string) bool {
	if p.simple {
		// One or two plain steps (REF01, DTM01/DTM01_01), the common
		// predicate: one tree call, no walk.
		switch {
		case len(p.steps) == 1 && v.nt != nil:
			return v.nt.ChildEqualsName(ctx, p.steps[0].nm, lit)
		case len(p.steps) == 2 && v.n2 != nil:
			return v.n2.ChildEquals2Name(ctx, p.steps[0].nm, p.steps[1].nm, lit)
		}
	}
	w := walker{treeView: v, first: true, match: true, lit: lit, found: NoNode}
	w.walk(p, 0, ctx)
	return w.found != NoNode
}

// walk reports true when the walk should stop.
func (w *walker) walk(p *fastPath, i int, ctx Node) bool {
	st := &p.steps[i]
	if (w.l2 != nil || w.n2 != nil) && i == len(p.steps)-2 && (w.match || w.textOnly) && len(st.preds) == 0 && !st.special() {
		if nx := &p.steps[i+1]; len(nx.preds) == 0 && !nx.special() {
			// The last two steps of a value or a predicate: an element
			// and its component, looked up together.
			if w.match {
				var eq bool
				if w.n2 != nil {
					eq = w.n2.ChildEquals2Name(ctx, st.nm, nx.nm, w.lit)
				} else {
					eq = w.l2.ChildEquals2(ctx, st.name, nx.name, w.lit)
				}
				if eq {
					w.found = ctx
					return true
				}
				return false
			}
			var txt []byte
			var ok bool
			if w.n2 != nil {
				txt, ok = w.n2.ChildText2Name(ctx, st.nm, nx.nm)
			} else {
				txt, ok = w.l2.ChildText2(ctx, st.name, nx.name)
			}
			if ok {
				w.found, w.text = ctx, txt
				return true
			}
			return false
		}
	}
	if w.lt != nil && i == len(p.steps)-1 && len(st.preds) == 0 && (w.match || w.textOnly) && !st.special() {
		// The last step of a value or a predicate: ask the tree for the
		// leaf directly.
		if w.match {
			var eq bool
			if w.nt != nil {
				eq = w.nt.ChildEqualsName(ctx, st.nm, w.lit)
			} else {
				eq = w.lt.ChildEquals(ctx, st.name, w.lit)
			}
			if eq {
				w.found = ctx
				return true
			}
			return false
		}
		var txt []byte
		var ok bool
		if w.nt != nil {
			txt, ok = w.nt.ChildTextName(ctx, st.nm)
		} else {
			txt, ok = w.lt.ChildText(ctx, st.name)
		}
		if ok {
			w.found, w.text = ctx, txt
			return true
		}
		return false
	}
	if w.ne != nil && i == len(p.steps)-1 && (w.match || w.textOnly) && st.name == "*" && len(st.preds) == 1 && st.preds[0].pos > 0 {
		// The last step is *[n] (a composite read by position): the tree
		// finds the nth child's text in one pass.
		txt, ok := w.ne.NthElemText(ctx, st.preds[0].pos)
		if !ok || w.match && string(txt) != w.lit {
			return false
		}
		if txt == nil {
			txt = noText // found, but empty: not "not found"
		}
		w.found, w.text = ctx, txt
		return true
	}
	var count [maxPreds]int
	for c := w.stepFirst(st, ctx); c != NoNode; c = w.stepNext(st, c) {
		ok := true
		for k := range st.preds {
			pr := &st.preds[k]
			count[k]++
			if pr.pos > 0 {
				ok = count[k] == pr.pos
			} else {
				ok = pr.holds(w.treeView, c)
			}
			if !ok {
				break
			}
		}
		if !ok {
			continue
		}
		if i+1 < len(p.steps) {
			if w.walk(p, i+1, c) {
				return true
			}
			continue
		}
		if w.match && string(w.t.Text(c)) != w.lit {
			continue
		}
		if w.first {
			w.found = c
			if w.textOnly {
				w.text = w.t.Text(c)
			}
			return true
		}
		w.out = append(w.out, c)
	}
	return false
}

// noText is the text of a node found whose text is empty.
var noText = []byte{}

// lastName is the local name the path ends in.
func (p *fastPath) lastName() string { return p.steps[len(p.steps)-1].name }

// stepFirst returns the first node step st selects from ctx.
func (v *treeView) stepFirst(st *fastStep, ctx Node) Node {
	if st.nm == nil {
		if st.name == "." {
			return ctx
		}
		return v.firstElem(ctx) // *
	}
	if v.nt != nil {
		return v.nt.FirstChildName(ctx, st.nm)
	}
	return v.t.FirstChild(ctx, st.name)
}

// stepNext returns the node after c that step st selects.
func (v *treeView) stepNext(st *fastStep, c Node) Node {
	switch st.name {
	case ".":
		return NoNode
	case "*":
		return v.nextElem(c)
	}
	return v.t.NextNamed(c)
}

// ElemTree is an optional Tree extension for the * step: a tree's child
// elements of any name, in document order. Trees without it are walked
// through their navigators, as antchfx/xpath walks them.
type ElemTree interface {
	// FirstElem returns parent's first child element, or NoNode.
	FirstElem(parent Node) Node
	// NextElem returns the next sibling element of n, or NoNode.
	NextElem(n Node) Node
}

func (v *treeView) firstElem(parent Node) Node {
	if v.et != nil {
		return v.et.FirstElem(parent)
	}
	t := v.t
	if parent == NoNode {
		return NoNode
	}
	nav := t.Navigator(parent)
	if !nav.MoveToChild() {
		return NoNode
	}
	for {
		if nav.NodeType() == xpath.ElementNode {
			return t.NodeOf(nav)
		}
		if !nav.MoveToNext() {
			return NoNode
		}
	}
}

func (v *treeView) nextElem(n Node) Node {
	if v.et != nil {
		return v.et.NextElem(n)
	}
	t := v.t
	if n == NoNode {
		return NoNode
	}
	nav := t.Navigator(n)
	for nav.MoveToNext() {
		if nav.NodeType() == xpath.ElementNode {
			return t.NodeOf(nav)
		}
	}
	return NoNode
}
