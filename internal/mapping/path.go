package mapping

import "strings"

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
}

type fastStep struct {
	name  string
	preds []fastPred
}

// fastPred is [n] (pos > 0) or [path='lit'].
type fastPred struct {
	pos  int
	path *fastPath
	lit  string
}

// compileFast returns the fast form of expr, or nil when expr is outside
// the subset: relative child steps of plain names, each with up to
// maxPreds predicates that are a positive integer or a relative path
// compared with = to a quoted string literal.
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
		for _, pr := range p.steps[i].preds {
			p.simple = false
			if pr.path != nil {
				pr.path.setSimple()
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
		for {
			p.space()
			if p.i >= len(p.s) || p.s[p.i] != '[' {
				break
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
		return fp
	}
}

// name reads an XML name without a prefix. Names that XPath would read as
// something else (a function call, an axis, a node test) make the caller
// fall back: the next byte decides.
func (p *pathParser) name() string {
	start := p.i
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
	if p.i >= len(p.s) || (p.s[p.i] != '\'' && p.s[p.i] != '"') {
		return fastPred{}, false // numeric comparison: XPath compares as numbers
	}
	q := p.s[p.i]
	end := strings.IndexByte(p.s[p.i+1:], q)
	if end < 0 {
		return fastPred{}, false
	}
	lit := p.s[p.i+1 : p.i+1+end]
	p.i += end + 2
	p.space()
	if p.i >= len(p.s) || p.s[p.i] != ']' {
		return fastPred{}, false
	}
	p.i++
	return fastPred{path: sub, lit: lit}, true
}

// walker runs a fastPath over a Tree. Three modes share one walk: collect
// every match (foreach), stop at the first (a field value), or stop at the
// first whose text equals lit (a predicate). Matches come out in document
// order because each step only moves to children.
type walker struct {
	t     Tree
	lt    LeafTree // t's leaf lookups, when it has them
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

// selectAll appends every node p selects from ctx to out.
func (p *fastPath) selectAll(t Tree, ctx Node, out []Node) []Node {
	w := walker{t: t, out: out, found: NoNode}
	w.walk(p, 0, ctx)
	return w.out
}

// selectFirst returns the first node p selects from ctx, or NoNode.
func (p *fastPath) selectFirst(t Tree, ctx Node) Node {
	w := walker{t: t, first: true, found: NoNode}
	w.walk(p, 0, ctx)
	return w.found
}

// firstText returns the text of the first node p selects from ctx without
// materializing the leaf's handle when the tree can avoid it; the node
// itself, for positions in errors and traces, is found again with
// selectFirst only when needed.
func (p *fastPath) firstText(t Tree, ctx Node) ([]byte, bool) {
	lt, _ := t.(LeafTree)
	return p.firstTextLT(t, lt, ctx)
}

// firstTextLT is firstText with t's LeafTree (nil when it has none)
// already looked up.
func (p *fastPath) firstTextLT(t Tree, lt LeafTree, ctx Node) ([]byte, bool) {
	if p.simple && lt != nil {
		return firstTextSimple(t, lt, p.steps, ctx)
	}
	w := walker{t: t, lt: lt, first: true, textOnly: true, found: NoNode}
	w.walk(p, 0, ctx)
	if w.found == NoNode {
		return nil, false
	}
	if w.text == nil {
		w.text = t.Text(w.found)
	}
	return w.text, true
}

// firstTextSimple is the walk of firstText for a path without
// predicates: depth first over the named children, the last step a leaf
// lookup.
func firstTextSimple(t Tree, lt LeafTree, steps []fastStep, ctx Node) ([]byte, bool) {
	if len(steps) == 1 {
		return lt.ChildText(ctx, steps[0].name)
	}
	for c := t.FirstChild(ctx, steps[0].name); c != NoNode; c = t.NextNamed(c) {
		if txt, ok := firstTextSimple(t, lt, steps[1:], c); ok {
			return txt, true
		}
	}
	return nil, false
}

// anyEquals reports whether some node p selects from ctx has text lit:
// XPath's node-set = string comparison.
func (p *fastPath) anyEquals(t Tree, ctx Node, lit string) bool {
	w := walker{t: t, first: true, match: true, lit: lit, found: NoNode}
	w.lt, _ = t.(LeafTree)
	w.walk(p, 0, ctx)
	return w.found != NoNode
}

// walk reports true when the walk should stop.
func (w *walker) walk(p *fastPath, i int, ctx Node) bool {
	st := &p.steps[i]
	if w.lt != nil && i == len(p.steps)-1 && len(st.preds) == 0 && (w.match || w.textOnly) {
		// The last step of a value or a predicate: ask the tree for the
		// leaf directly.
		if w.match {
			if w.lt.ChildEquals(ctx, st.name, w.lit) {
				w.found = ctx
				return true
			}
			return false
		}
		if txt, ok := w.lt.ChildText(ctx, st.name); ok {
			w.found, w.text = ctx, txt
			return true
		}
		return false
	}
	var count [maxPreds]int
	for c := w.t.FirstChild(ctx, st.name); c != NoNode; c = w.t.NextNamed(c) {
		ok := true
		for k := range st.preds {
			pr := &st.preds[k]
			count[k]++
			if pr.pos > 0 {
				ok = count[k] == pr.pos
			} else {
				ok = pr.path.anyEquals(w.t, c, pr.lit)
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

// lastName is the local name the path ends in.
func (p *fastPath) lastName() string { return p.steps[len(p.steps)-1].name }
