package mapping

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/b2bgw/b2bgw/internal/doctree"
)

// ediPath is the EDIFACT form of a fast path that ends in a segment's
// element or component: groups, a segment step with equality predicates
// on its own elements, then the value (SG28/PRI[PRI01/PRI01_01='AAA']/
// PRI01/PRI01_02, QTY[QTY01/QTY01_01='21']/QTY01/QTY01_03, LIN/LIN03/
// LIN03_01, PIA/*[*[2]='SA']/*[1]). The element and component names are
// resolved to positions against the segment step's tag when the mapping
// is loaded, so a lookup is a scan of the segment's bytes with no name
// resolved, no walk and no handle per step. A node the segment step
// selects that is not a segment (a group of the same name: never in the
// built-in directories) sends the whole path back to the general walk.
type ediPath struct {
	gen    *fastPath // the path itself, for that fallback
	groups []*ediSel // the plain steps before the segment step (group)
	sel    *ediSel   // the segment step
	// The value: element el, or its component comp when comp > 0; or,
	// with pick, *[*[k]='lit']/*[j]; or, with kids, el/* (a foreach's
	// nodes, such as the street lines of NAD/NAD05/*).
	el, comp int
	pick     *ediPick
	kids     bool
	// segs: the path ends at the segment step, which has predicates (a
	// foreach of DTM[DTM01/DTM01_03='102' or DTM01/DTM01_03='203']).
	segs bool
	slot uint32 // the path's entry in an evaluator's memo
	// memo: some mapping asks this path more than once of one object
	// (see markRepeats); only then is its text remembered.
	memo atomic.Bool
}

// ediSel is a segment step and its predicates (QTY[QTY01/QTY01_01='21']),
// or, with group, a plain step above it (SG28 of SG28/PRI/PRI01). Steps
// are interned like paths, so that the first node one selects in a
// context is found once per document for all the paths that take it
// (see ediMemo.first): an object's fields mostly read the same few
// segments of their loop.
type ediSel struct {
	seg   *doctree.Name
	preds []ediPred // each must hold
	group bool
	slot  uint32 // the step's entry in an evaluator's memo
}

// ediPred is one predicate: its alternatives, joined by or.
type ediPred []ediCmp

// ediCmp is el = 'lit' (comp 0) or el/comp = 'lit' on the segment, for
// any of lits: alternatives on one element or component are answered in
// one pass (DTM01/DTM01_03='102' or DTM01/DTM01_03='203').
type ediCmp struct {
	el, comp int
	lits     []string
}

// ediPick is *[*[k]='lit']/*[j].
type ediPick struct {
	k, j int
	lit  string
}

// ediMemo remembers, for one document, the last text each memoized
// EDIFACT path gave in which context: a mapping may ask the same path of
// the same loop several times (the GTIN's condition and value read
// LIN/LIN03/LIN03_01 four times per line). Paths are interned when
// compiled, so equal ones in different expressions share a slot; two on
// one slot only cost each other a lookup.
//
// It also remembers, per step, the first node the step selects in a
// context (ediMemo.first): the tree does not change while a document is
// mapped, so that answer holds for the whole document.
type ediMemo struct {
	used  bool // an entry was set since the memo was last cleared
	texts [ediMemoSlots]struct {
		p   *ediPath
		ctx Node
		ok  bool
		txt []byte
	}
	steps [ediStepSlots]ediStepEntry
}

// ediStepEntry is the first node step sel selects in ctx.
type ediStepEntry struct {
	sel        *ediSel
	ctx, first Node
	bad        bool
}

const (
	ediMemoSlots = 32
	ediStepSlots = 64
)

// ediInterned holds the EDIFACT paths compiled so far, by what they
// select (their keys); it grows with the distinct paths of the mappings
// loaded, never with input.
var ediInterned = struct {
	sync.Mutex
	paths map[string]*ediPath
	steps map[string]*ediSel
}{paths: map[string]*ediPath{}, steps: map[string]*ediSel{}}

// intern returns the path equal to p compiled first, giving p a memo slot
// when p is the first, and its steps those equal to them compiled first.
func (p *ediPath) intern() *ediPath {
	key := p.key(p.sel.key())
	ediInterned.Lock()
	defer ediInterned.Unlock()
	if q, ok := ediInterned.paths[key]; ok {
		return q
	}
	p.slot = uint32(len(ediInterned.paths)) % ediMemoSlots
	ediInterned.paths[key] = p
	p.sel = p.sel.intern()
	for i, g := range p.groups {
		p.groups[i] = g.intern()
	}
	return p
}

// internKids returns the group step of name nm (a plain name: nil for
// * and .), interned.
func internKids(nm *doctree.Name) *ediSel {
	if nm == nil {
		return nil
	}
	ediInterned.Lock()
	defer ediInterned.Unlock()
	return (&ediSel{seg: nm, group: true}).intern()
}

// intern is ediPath.intern for a step, under its lock.
func (s *ediSel) intern() *ediSel {
	key := s.key()
	if s.group {
		key = "group " + key // a group step never checks for a segment
	}
	if q, ok := ediInterned.steps[key]; ok {
		return q
	}
	s.slot = uint32(len(ediInterned.steps)) % ediStepSlots
	ediInterned.steps[key] = s
	return s
}

// key spells what s selects: two steps with equal keys select the same
// segments of any parent.
func (s *ediSel) key() string {
	var b strings.Builder
	b.WriteString(s.seg.String())
	for _, pr := range s.preds {
		b.WriteByte('[')
		for k, c := range pr {
			if k > 0 {
				b.WriteString(" or ")
			}
			fmt.Fprintf(&b, "%d.%d=%q", c.el, c.comp, c.lits)
		}
		b.WriteByte(']')
	}
	return b.String()
}

// key spells what p selects, its step's key given.
func (p *ediPath) key(selKey string) string {
	var b strings.Builder
	for _, g := range p.groups {
		b.WriteString(g.seg.String())
		b.WriteByte('/')
	}
	b.WriteString(selKey)
	switch {
	case p.pick != nil:
		fmt.Fprintf(&b, "/*[*[%d]=%q]/*[%d]", p.pick.k, p.pick.lit, p.pick.j)
	case p.kids:
		fmt.Fprintf(&b, "/%d/*", p.el)
	case p.segs:
	default:
		fmt.Fprintf(&b, "/%d.%d", p.el, p.comp)
	}
	return b.String()
}

// compileEDI returns p's EDIFACT form, or nil when p has not that shape.
func compileEDI(p *fastPath) *ediPath {
	n := len(p.steps)
	// The value is one step (an element) or two (a component, the pick,
	// el/*) after the segment step, or none.
	for _, tail := range []int{2, 1, 0} {
		if s := n - 1 - tail; s >= 0 {
			if ep := compileEDIAt(p, s); ep != nil {
				return ep
			}
		}
	}
	return nil
}

// compileEDIAt tries steps[s] as the segment step.
func compileEDIAt(p *fastPath, s int) *ediPath {
	for i := range s {
		if st := &p.steps[i]; st.special() || len(st.preds) > 0 {
			return nil
		}
	}
	sst := &p.steps[s]
	if sst.special() {
		return nil
	}
	tag := sst.name
	ep := &ediPath{gen: p, sel: &ediSel{seg: sst.nm}}
	for i := range s {
		ep.groups = append(ep.groups, &ediSel{seg: p.steps[i].nm, group: true})
	}
	for _, pr := range sst.preds {
		alts := pr.or
		if alts == nil {
			alts = []fastPred{pr}
		}
		var ed ediPred
		for _, a := range alts {
			if a.pos > 0 || a.path == nil {
				return nil // a position counts segments: the walk's
			}
			el, comp, ok := leafPos(tag, a.path.steps)
			if !ok {
				return nil
			}
			if k := slices.IndexFunc(ed, func(c ediCmp) bool { return c.el == el && c.comp == comp }); k >= 0 {
				ed[k].lits = append(ed[k].lits, a.lit)
				continue
			}
			ed = append(ed, ediCmp{el: el, comp: comp, lits: []string{a.lit}})
		}
		ep.sel.preds = append(ep.sel.preds, ed)
	}
	tail := p.steps[s+1:]
	if len(tail) == 0 {
		if len(ep.sel.preds) == 0 {
			return nil // a plain step: selectAll's loop is as direct
		}
		ep.segs = true
		return ep.intern()
	}
	if el, comp, ok := leafPos(tag, tail); ok {
		ep.el, ep.comp = el, comp
		return ep.intern()
	}
	if pk := pickOf(tail); pk != nil {
		ep.pick = pk
		return ep.intern()
	}
	if len(tail) == 2 && tail[1].name == "*" && len(tail[1].preds) == 0 {
		if el, _, ok := leafPos(tag, tail[:1]); ok {
			ep.el, ep.kids = el, true
			return ep.intern()
		}
	}
	return nil
}

// leafPos resolves an element step, or an element and a component step,
// without predicates, against a segment tagged tag.
func leafPos(tag string, steps []fastStep) (el, comp int, ok bool) {
	if len(steps) < 1 || len(steps) > 2 {
		return 0, 0, false
	}
	for i := range steps {
		if steps[i].special() || len(steps[i].preds) > 0 {
			return 0, 0, false
		}
	}
	if el = doctree.ElemPos(tag, steps[0].name); el == 0 {
		return 0, 0, false
	}
	if len(steps) == 2 {
		if comp = doctree.CompPos(tag, el, steps[1].name); comp == 0 {
			return 0, 0, false
		}
	}
	return el, comp, true
}

// pickOf returns the pick of steps *[*[k]='lit'] and *[j], or nil.
func pickOf(steps []fastStep) *ediPick {
	if len(steps) != 2 || steps[0].name != "*" || steps[1].name != "*" ||
		len(steps[0].preds) != 1 || len(steps[1].preds) != 1 || steps[1].preds[0].pos == 0 {
		return nil
	}
	pr := &steps[0].preds[0]
	if pr.or != nil || pr.path == nil || len(pr.path.steps) != 1 {
		return nil
	}
	st := &pr.path.steps[0]
	if st.name != "*" || len(st.preds) != 1 || st.preds[0].pos == 0 {
		return nil
	}
	return &ediPick{k: st.preds[0].pos, j: steps[1].preds[0].pos, lit: pr.lit}
}

// texts reports whether p (nil: no EDIFACT form) answers firstText, and
// anyEquals unless it is a pick; the other forms only select nodes.
func (p *ediPath) texts() bool { return p != nil && !p.kids && !p.segs }

// holds reports whether segment s satisfies every predicate.
func (s *ediSel) holds(t *doctree.EDIFACTTree, seg Node) bool {
	for _, pr := range s.preds {
		ok := false
		for k := range pr {
			c := &pr[k]
			if c.comp > 0 {
				ok = t.SegCompEquals(seg, c.el, c.comp, c.lits...)
			} else {
				ok = t.SegElemEquals(seg, c.el, c.lits...)
			}
			if ok {
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// firstText is fastPath.firstText for p on v's EDIFACT tree.
func (p *ediPath) firstText(v *treeView, ctx Node) ([]byte, bool) {
	if p.memo.Load() {
		return p.memoText(v, ctx)
	}
	if len(p.groups) == 0 {
		// find's common case, one call fewer (conditions on absent
		// segments are most of a line's tests).
		if txt, ok, bad := p.segText(v.edi, v.memo, ctx); !bad {
			return txt, ok
		}
		return p.gen.firstTextWalk(v, ctx)
	}
	return p.find(v, ctx)
}

// memoText is firstText through v's memo of texts.
func (p *ediPath) memoText(v *treeView, ctx Node) ([]byte, bool) {
	e := &v.memo.texts[p.slot%ediMemoSlots]
	if e.p == p && e.ctx == ctx {
		return e.txt, e.ok
	}
	var txt []byte
	var ok, bad bool
	if len(p.groups) == 0 { // find, inline
		txt, ok, bad = p.segText(v.edi, v.memo, ctx)
	} else {
		txt, ok, bad = p.textIn(v.edi, v.memo, ctx, 0)
	}
	if bad {
		txt, ok = p.gen.firstTextWalk(v, ctx)
	}
	e.p, e.ctx, e.ok, e.txt = p, ctx, ok, txt
	v.memo.used = true
	return txt, ok
}

// find is firstText without the memo of texts.
func (p *ediPath) find(v *treeView, ctx Node) ([]byte, bool) {
	var txt []byte
	var ok, bad bool
	if len(p.groups) == 0 {
		txt, ok, bad = p.segText(v.edi, v.memo, ctx)
	} else {
		txt, ok, bad = p.textIn(v.edi, v.memo, ctx, 0)
	}
	if bad {
		return p.gen.firstTextWalk(v, ctx)
	}
	return txt, ok
}

// textIn is firstText below group step g; bad reports a node of the
// segment step's name that is not a segment, when the path's answer is
// the walk's. m remembers the steps' first nodes.
func (p *ediPath) textIn(t *doctree.EDIFACTTree, m *ediMemo, ctx Node, g int) (txt []byte, ok, bad bool) {
	if g == len(p.groups) {
		return p.segText(t, m, ctx)
	}
	c, _ := m.first(t, p.groups[g], ctx)
	for ; c != NoNode; c = t.NextNamed(c) {
		if txt, ok, bad = p.textIn(t, m, c, g+1); ok || bad {
			return txt, ok, bad
		}
	}
	return nil, false, false
}

// segText is textIn below the last group step: the step's first segment,
// then the value in it or in a later one.
func (p *ediPath) segText(t *doctree.EDIFACTTree, m *ediMemo, ctx Node) (txt []byte, ok, bad bool) {
	sel := p.sel
	var s Node
	if e := &m.steps[sel.slot%ediStepSlots]; e.sel == sel && e.ctx == ctx {
		s, bad = e.first, e.bad // first, inline: the hottest call
	} else {
		s, bad = m.firstMiss(t, sel, ctx)
	}
	for s != NoNode {
		switch {
		case p.comp > 0:
			txt, ok = t.SegCompText(s, p.el, p.comp)
		case p.pick != nil:
			txt, ok = t.SegPickText(s, p.pick.k, p.pick.lit, p.pick.j)
		default:
			txt, ok = t.SegElemText(s, p.el)
		}
		if ok {
			return txt, true, false
		}
		s, bad = sel.seek(t, t.NextNamed(s))
	}
	return nil, false, bad
}

// first returns the first node step sel selects in ctx, remembered in m
// for the document: for a group step the first child of its name; for a
// segment step the first such child that satisfies its predicates, or
// bad when a child of its name that is not a segment comes first.
func (m *ediMemo) first(t *doctree.EDIFACTTree, sel *ediSel, ctx Node) (Node, bool) {
	if e := &m.steps[sel.slot%ediStepSlots]; e.sel == sel && e.ctx == ctx {
		return e.first, e.bad
	}
	return m.firstMiss(t, sel, ctx)
}

// firstMiss is first for a step not remembered in ctx.
func (m *ediMemo) firstMiss(t *doctree.EDIFACTTree, sel *ediSel, ctx Node) (s Node, bad bool) {
	s = t.FirstChildName(ctx, sel.seg)
	if !sel.group && (len(sel.preds) > 0 || !t.IsSegment(s)) {
		s, bad = sel.seek(t, s) // a plain step's segment needs no call
	}
	e := &m.steps[sel.slot%ediStepSlots]
	e.sel, e.ctx, e.first, e.bad = sel, ctx, s, bad
	m.used = true
	return s, bad
}

// seek returns the first segment from s on (s and its later namesakes)
// that satisfies sel's predicates, or bad when a node that is not a
// segment comes first.
func (sel *ediSel) seek(t *doctree.EDIFACTTree, s Node) (Node, bool) {
	for ; s != NoNode; s = t.NextNamed(s) {
		if !t.IsSegment(s) {
			return NoNode, true
		}
		if len(sel.preds) == 0 || sel.holds(t, s) {
			return s, false
		}
	}
	return NoNode, false
}

// anyEquals is fastPath.anyEquals for p on v's EDIFACT tree (a pick is
// left to the walk), for any of lits: p = 'a' or p = 'b' in one pass.
func (p *ediPath) anyEquals(v *treeView, ctx Node, lits ...string) bool {
	eq, bad := p.equalsIn(v.edi, v.memo, ctx, 0, lits)
	if bad {
		for _, lit := range lits {
			if p.gen.anyEqualsWalk(v, ctx, lit) {
				return true
			}
		}
		return false
	}
	return eq
}

func (p *ediPath) equalsIn(t *doctree.EDIFACTTree, m *ediMemo, ctx Node, g int, lits []string) (eq, bad bool) {
	if g < len(p.groups) {
		c, _ := m.first(t, p.groups[g], ctx)
		for ; c != NoNode; c = t.NextNamed(c) {
			if eq, bad = p.equalsIn(t, m, c, g+1, lits); eq || bad {
				return eq, bad
			}
		}
		return false, false
	}
	sel := p.sel
	s, bad := m.first(t, sel, ctx)
	for ; s != NoNode; s, bad = sel.seek(t, t.NextNamed(s)) {
		if p.comp > 0 && t.SegCompEquals(s, p.el, p.comp, lits...) || p.comp == 0 && t.SegElemEquals(s, p.el, lits...) {
			return true, false
		}
	}
	return false, bad
}

// selIn reports whether step sel, in place of p's segment step, selects
// a segment below group step g: p = 'lit' asked as p's segment step with
// the predicate [p's value = 'lit'] (see shareSteps), bad as equalsIn.
func (p *ediPath) selIn(t *doctree.EDIFACTTree, m *ediMemo, ctx Node, g int, sel *ediSel) (found, bad bool) {
	if g < len(p.groups) {
		c, _ := m.first(t, p.groups[g], ctx)
		for ; c != NoNode; c = t.NextNamed(c) {
			if found, bad = p.selIn(t, m, c, g+1, sel); found || bad {
				return found, bad
			}
		}
		return false, false
	}
	s, bad := m.first(t, sel, ctx)
	return s != NoNode, bad
}

// selectKids is fastPath.selectAll for p, of kids or segs, on v's
// EDIFACT tree.
func (p *ediPath) selectKids(v *treeView, ctx Node, out []Node) []Node {
	base := len(out)
	out, bad := p.kidsIn(v.edi, v.memo, ctx, 0, out)
	if bad {
		return p.gen.selectAllWalk(v, ctx, out[:base])
	}
	return out
}

func (p *ediPath) kidsIn(t *doctree.EDIFACTTree, m *ediMemo, ctx Node, g int, out []Node) ([]Node, bool) {
	if g < len(p.groups) {
		c, _ := m.first(t, p.groups[g], ctx)
		for ; c != NoNode; c = t.NextNamed(c) {
			var bad bool
			if out, bad = p.kidsIn(t, m, c, g+1, out); bad {
				return out, true
			}
		}
		return out, false
	}
	sel := p.sel
	s, bad := m.first(t, sel, ctx)
	for ; s != NoNode; s, bad = sel.seek(t, t.NextNamed(s)) {
		if p.segs {
			out = append(out, s)
		} else {
			out = t.SegElemKids(s, p.el, out)
		}
	}
	return out, bad
}

// markRepeats sets memo on each EDIFACT path that the values and
// conditions of fields (one object's, so one context) ask more than once.
func markRepeats(fields []*field) {
	seen := map[*ediPath]int{}
	count := func(p *ediPath) { seen[p]++ }
	for _, f := range fields {
		for _, x := range []*expr{f.from, f.clock} {
			if x != nil {
				x.textEDI(count)
			}
		}
		if f.when != nil && f.when.cond != nil {
			f.when.cond.eachEDI(count)
		}
	}
	for p, n := range seen {
		if n > 1 {
			p.memo.Store(true)
		}
	}
}

// textEDI calls fn for every EDIFACT path that evaluating x as a value
// asks (evaluator.text: the path, else the function).
func (x *expr) textEDI(fn func(*ediPath)) {
	if x.fast != nil {
		x.fast.eachEDI(fn)
	} else if x.fn != nil {
		x.fn.eachEDI(fn)
	}
}

func (p *fastPath) eachEDI(fn func(*ediPath)) {
	if p != nil && p.edi != nil {
		fn(p.edi)
	}
}

func (c *fastCond) eachEDI(fn func(*ediPath)) {
	if c.in != nil {
		fn(c.in) // asked once for all its alternatives
		return
	}
	c.path.eachEDI(fn)
	for _, k := range c.kids {
		k.eachEDI(fn)
	}
	c.a.eachEDI(fn)
	c.b.eachEDI(fn)
}

func (f *fastFunc) eachEDI(fn func(*ediPath)) {
	for i := range f.args {
		f.args[i].eachEDI(fn)
	}
	f.start.eachEDI(fn)
	f.length.eachEDI(fn)
}

func (a *fastArg) eachEDI(fn func(*ediPath)) {
	a.path.eachEDI(fn)
	if a.fn != nil {
		a.fn.eachEDI(fn)
	}
}

func (n *fastNum) eachEDI(fn func(*ediPath)) {
	if n == nil {
		return
	}
	if n.arg != nil {
		n.arg.eachEDI(fn)
	}
	n.a.eachEDI(fn)
	n.b.eachEDI(fn)
}

// ediCond is a condition's form for EDIFACT trees: the EDIFACT paths it
// tests asked directly, without fastCond.eval's dispatch per atom (a
// line's when conditions are most of its tests).
type ediCond struct {
	// 0: path exists, '=': path equals one of lits, 'E': the same
	// asked as step sel (see shareSteps), '&': and of kids, 'S': self
	// exists, 's': self equals one of lits (on a segment context; gen
	// otherwise), 'x': gen decides.
	op   byte
	path *ediPath
	sel  *ediSel
	self ediSelf
	lits []string
	kids []*ediCond
	gen  *fastCond
}

// compileEDICond returns c's EDIFACT form; op 'x' when it has none. With
// a tag, c is evaluated in segments of that tag (see bindSegment).
func compileEDICond(c *fastCond, tag string) *ediCond {
	ec := &ediCond{op: 'x', gen: c}
	switch {
	case (c.op == 0 || c.op == '=' && c.lit != "") && tag != "" && c.path.selfOf(tag, &ec.self):
		ec.op, ec.lits = 'S', nil
		if c.op == '=' {
			ec.op, ec.lits = 's', []string{c.lit}
		}
	case c.op == 0 && c.path.edi.texts():
		ec.op, ec.path = 0, c.path.edi
	case c.op == '=' && c.path.edi.texts() && c.path.edi.pick == nil:
		ec.op, ec.path, ec.lits = '=', c.path.edi, []string{c.lit}
	case c.op == '|' && c.in != nil:
		ec.op, ec.path, ec.lits = '=', c.in, c.lits
	case c.op == '&':
		ec.op = '&'
		for _, k := range c.kids {
			ec.kids = append(ec.kids, compileEDICond(k, tag))
		}
	}
	return ec
}

// ediCond decides c in ctx on the evaluator's EDIFACT tree, exactly as
// c.gen.eval does.
func (e *evaluator) ediCond(c *ediCond, ctx Node) bool {
	switch c.op {
	case 0:
		_, ok := c.path.firstText(&e.tv, ctx)
		return ok
	case '=':
		// anyEquals, one call fewer.
		if eq, bad := c.path.equalsIn(e.tv.edi, e.tv.memo, ctx, 0, c.lits); !bad {
			return eq
		}
		return c.path.anyEquals(&e.tv, ctx, c.lits...) // the walk's answer
	case 'E':
		found, bad := c.path.selIn(e.tv.edi, e.tv.memo, ctx, 0, c.sel)
		if bad {
			return c.path.anyEquals(&e.tv, ctx, c.lits...) // the walk's answer
		}
		return found
	case '&':
		for _, k := range c.kids {
			if !e.ediCond(k, ctx) {
				return false
			}
		}
		return true
	case 'S':
		if t := e.tv.edi; t.IsSegment(ctx) {
			_, ok := c.self.text(t, ctx)
			return ok
		}
	case 's':
		if t := e.tv.edi; t.IsSegment(ctx) {
			return c.self.equals(t, ctx, c.lits)
		}
	}
	return c.gen.eval(&e.tv, ctx)
}

// ediSelf is a value of the context itself when the context is a segment
// of a tag known when the mapping is loaded (the items of foreach: LIN
// are LIN segments): element el, or its component comp when comp > 0
// (LIN03/LIN03_02), resolved then, where ChildText2Name resolves the
// names on every call.
type ediSelf struct{ el, comp int }

// selfOf sets s to p's form on segments tagged tag and reports whether
// p has one: one element step, or an element and a component step.
func (p *fastPath) selfOf(tag string, s *ediSelf) bool {
	if p == nil || !p.simple || len(p.steps) > 2 {
		return false
	}
	el, comp, ok := leafPos(tag, p.steps)
	if ok {
		*s = ediSelf{el: el, comp: comp}
	}
	return ok
}

// text is ChildTextName or ChildText2Name of the names s was resolved
// from, on segment seg.
func (s *ediSelf) text(t *doctree.EDIFACTTree, seg Node) ([]byte, bool) {
	if s.comp > 0 {
		return t.SegCompText(seg, s.el, s.comp)
	}
	return t.SegElemText(seg, s.el)
}

// equals is ChildEqualsName or ChildEquals2Name, for any of lits.
func (s *ediSelf) equals(t *doctree.EDIFACTTree, seg Node, lits []string) bool {
	if s.comp > 0 {
		return t.SegCompEquals(seg, s.el, s.comp, lits...)
	}
	return t.SegElemEquals(seg, s.el, lits...)
}

// bindSegment gives the fields of the items of a foreach whose nodes are
// named tag (its last step), and their conditions, their forms on
// segments of that tag; an item that is not a segment (a group of that
// name) is evaluated as before. Objects nested in an item share its
// context; arrays nested in it take theirs from their own foreach, but
// their when is decided in the item.
func bindSegment(fields []*field, tag string) {
	for _, f := range fields {
		if f.when != nil && f.when.cond != nil {
			if c := compileEDICond(f.when.cond, tag); c.op != 'x' {
				f.when.edi = c
			}
		}
		switch f.kind {
		case valueField:
			var s ediSelf
			if f.from != nil && f.from.fast.selfOf(tag, &s) {
				f.self = &s
				if f.vk == 0 {
					f.vk = vkEDI
				}
			}
		case objectField:
			bindSegment(f.fields, tag)
		}
	}
	shareSteps(fields) // for the conditions compiled again above
}

// shareSteps asks a condition p = 'lit' of fields (one object's, so one
// context) as the step p's segment step with the predicate [p's value =
// 'lit'] when a value of fields selects with that very step: the step's
// first segment is then found once for both (price_basis's SG28/PRI/
// PRI01/PRI01_01 = 'AAA' and unit_price's SG28/PRI[PRI01/PRI01_01='AAA']/
// PRI01/PRI01_02). The two agree: some PRI01_01 of some PRI is AAA
// exactly when some PRI has a PRI01_01 that is AAA.
func shareSteps(fields []*field) {
	steps := map[*ediSel]bool{}
	for _, f := range fields {
		if f.edi != nil {
			steps[f.edi.sel] = true
		}
		if f.sub != nil {
			steps[f.sub.path.sel] = true
		}
	}
	if len(steps) == 0 {
		return
	}
	for _, f := range fields {
		if f.when != nil && f.when.edi != nil {
			f.when.edi.shareSteps(steps)
		}
	}
}

// shareSteps is shareSteps for condition c and its kids, steps those of
// the values beside it.
func (c *ediCond) shareSteps(steps map[*ediSel]bool) {
	switch c.op {
	case '=':
		if sel := c.path.sel.withCmp(c.path.el, c.path.comp, c.lits); sel != nil && steps[sel] {
			c.op, c.sel = 'E', sel
		}
	case '&':
		for _, k := range c.kids {
			k.shareSteps(steps)
		}
	}
}

// withCmp returns the interned step s with the predicate el/comp = one
// of lits added last, or nil when no path has been compiled with it.
func (s *ediSel) withCmp(el, comp int, lits []string) *ediSel {
	w := ediSel{seg: s.seg, preds: append(slices.Clip(s.preds), ediPred{{el: el, comp: comp, lits: lits}})}
	ediInterned.Lock()
	defer ediInterned.Unlock()
	return ediInterned.steps[w.key()]
}

// ediSub is substring(path, start, length) with integer literals, of an
// EDIFACT path (the dates: substring(DTM[…]/DTM01/DTM01_02, 1, 8)).
type ediSub struct {
	path          *ediPath
	start, length int
}

// text is the substring of s's path in ctx, in e's scratch, as
// fastFunc.eval makes it.
func (s *ediSub) text(e *evaluator, ctx Node) ([]byte, bool) {
	e.scratch = e.scratch[:0]
	if txt, _ := s.path.firstText(&e.tv, ctx); len(txt) > 0 {
		e.scratch = appendSubstring(e.scratch, txt, s.start, s.length, true)
	}
	return e.scratch, len(e.scratch) > 0
}

// subOf returns fn's ediSub form, or nil.
func subOf(fn *fastFunc) *ediSub {
	if fn == nil || fn.op != 'u' || fn.args[0].path == nil || !fn.args[0].path.edi.texts() ||
		fn.start.op != 'l' || fn.length == nil || fn.length.op != 'l' {
		return nil
	}
	return &ediSub{path: fn.args[0].path.edi, start: fn.start.n, length: fn.length.n}
}
