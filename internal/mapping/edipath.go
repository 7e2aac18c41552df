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
	gen    *fastPath       // the path itself, for that fallback
	groups []*doctree.Name // the plain steps before the segment step
	sel    ediSel          // the segment step
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

// ediSel is a segment step and its predicates (QTY[QTY01/QTY01_01='21']).
type ediSel struct {
	seg   *doctree.Name
	preds []ediPred // each must hold
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
type ediMemo struct {
	used  bool // an entry was set since the memo was last cleared
	texts [ediMemoSlots]struct {
		p   *ediPath
		ctx Node
		ok  bool
		txt []byte
	}
}

const ediMemoSlots = 32

// ediInterned holds the EDIFACT paths compiled so far, by what they
// select (their keys); it grows with the distinct paths of the mappings
// loaded, never with input.
var ediInterned struct {
	sync.Mutex
	paths map[string]*ediPath
}

// intern returns the path equal to p compiled first, giving p a memo slot
// when p is the first.
func (p *ediPath) intern() *ediPath {
	key := p.key(p.sel.key())
	ediInterned.Lock()
	defer ediInterned.Unlock()
	if q, ok := ediInterned.paths[key]; ok {
		return q
	}
	if ediInterned.paths == nil {
		ediInterned.paths = map[string]*ediPath{}
	}
	p.slot = uint32(len(ediInterned.paths)) % ediMemoSlots
	ediInterned.paths[key] = p
	return p
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
		b.WriteString(g.String())
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
	ep := &ediPath{gen: p, sel: ediSel{seg: sst.nm}}
	for i := range s {
		ep.groups = append(ep.groups, p.steps[i].nm)
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
	m := v.memo
	if m != nil && !p.memo.Load() {
		m = nil
	}
	if m != nil {
		if e := &m.texts[p.slot]; e.p == p && e.ctx == ctx {
			return e.txt, e.ok
		}
	}
	txt, ok, bad := p.textIn(v.edi, ctx, 0)
	if bad {
		txt, ok = p.gen.firstTextWalk(v, ctx)
	}
	if m != nil {
		e := &m.texts[p.slot]
		e.p, e.ctx, e.ok, e.txt = p, ctx, ok, txt
		m.used = true
	}
	return txt, ok
}

// textIn is firstText below group step g; bad reports a node of the
// segment step's name that is not a segment, when the path's answer is
// the walk's.
func (p *ediPath) textIn(t *doctree.EDIFACTTree, ctx Node, g int) (txt []byte, ok, bad bool) {
	if g < len(p.groups) {
		for c := t.FirstChildName(ctx, p.groups[g]); c != NoNode; c = t.NextNamed(c) {
			if txt, ok, bad = p.textIn(t, c, g+1); ok || bad {
				return txt, ok, bad
			}
		}
		return nil, false, false
	}
	sel := &p.sel
	for s := t.FirstChildName(ctx, sel.seg); s != NoNode; s = t.NextNamed(s) {
		if !t.IsSegment(s) {
			return nil, false, true
		}
		if len(sel.preds) > 0 && !sel.holds(t, s) {
			continue
		}
		if txt, ok = p.leaf(t, s); ok {
			return txt, true, false
		}
	}
	return nil, false, false
}

// leaf returns p's value in segment s.
func (p *ediPath) leaf(t *doctree.EDIFACTTree, s Node) ([]byte, bool) {
	switch {
	case p.comp > 0:
		return t.SegCompText(s, p.el, p.comp)
	case p.pick != nil:
		return t.SegPickText(s, p.pick.k, p.pick.lit, p.pick.j)
	}
	return t.SegElemText(s, p.el)
}

// anyEquals is fastPath.anyEquals for p on v's EDIFACT tree (a pick is
// left to the walk), for any of lits: p = 'a' or p = 'b' in one pass.
func (p *ediPath) anyEquals(v *treeView, ctx Node, lits ...string) bool {
	eq, bad := p.equalsIn(v.edi, ctx, 0, lits)
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

func (p *ediPath) equalsIn(t *doctree.EDIFACTTree, ctx Node, g int, lits []string) (eq, bad bool) {
	if g < len(p.groups) {
		for c := t.FirstChildName(ctx, p.groups[g]); c != NoNode; c = t.NextNamed(c) {
			if eq, bad = p.equalsIn(t, c, g+1, lits); eq || bad {
				return eq, bad
			}
		}
		return false, false
	}
	sel := &p.sel
	for s := t.FirstChildName(ctx, sel.seg); s != NoNode; s = t.NextNamed(s) {
		if !t.IsSegment(s) {
			return false, true
		}
		if len(sel.preds) > 0 && !sel.holds(t, s) {
			continue
		}
		if p.comp > 0 && t.SegCompEquals(s, p.el, p.comp, lits...) || p.comp == 0 && t.SegElemEquals(s, p.el, lits...) {
			return true, false
		}
	}
	return false, false
}

// selectKids is fastPath.selectAll for p, of kids or segs, on v's
// EDIFACT tree.
func (p *ediPath) selectKids(v *treeView, ctx Node, out []Node) []Node {
	base := len(out)
	out, bad := p.kidsIn(v.edi, ctx, 0, out)
	if bad {
		return p.gen.selectAllWalk(v, ctx, out[:base])
	}
	return out
}

func (p *ediPath) kidsIn(t *doctree.EDIFACTTree, ctx Node, g int, out []Node) ([]Node, bool) {
	if g < len(p.groups) {
		for c := t.FirstChildName(ctx, p.groups[g]); c != NoNode; c = t.NextNamed(c) {
			var bad bool
			if out, bad = p.kidsIn(t, c, g+1, out); bad {
				return out, true
			}
		}
		return out, false
	}
	sel := &p.sel
	for s := t.FirstChildName(ctx, sel.seg); s != NoNode; s = t.NextNamed(s) {
		if !t.IsSegment(s) {
			return out, true
		}
		switch {
		case len(sel.preds) > 0 && !sel.holds(t, s):
		case p.segs:
			out = append(out, s)
		default:
			out = t.SegElemKids(s, p.el, out)
		}
	}
	return out, false
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
