package mapping

import (
	"github.com/b2bgw/b2bgw/internal/doctree"
)

// x12Path is the X12 form of a fast path that ends in a segment's
// element: loops, a segment step with equality predicates on its own
// elements, then the element (BEG/BEG03, N1/N104, DTM[DTM01='002']/DTM02,
// PIDLoop/PID[PID01='F']/PID05, CTTLoop/CTT/CTT01). The element names are
// resolved to positions against the segment step's tag when the mapping
// is loaded, so a lookup reads the segment's elements by position with no
// name resolved and no walk. A node the segment step selects that is not
// a segment (a CSV row of a column named like an element) sends the whole
// path back to the general walk, whose answer it is.
type x12Path struct {
	gen    *fastPath       // the path itself, for that fallback
	groups []*doctree.Name // the plain steps before the segment step
	seg    *doctree.Name
	preds  []x12Pred // each must hold
	el     int       // the value's element position
}

// x12Pred is one predicate: its alternatives, joined by or.
type x12Pred []x12Cmp

// x12Cmp is element el = 'lit'.
type x12Cmp struct {
	el  int
	lit string
}

// compileX12 returns p's X12 form, or nil when p has not that shape.
func compileX12(p *fastPath) *x12Path {
	n := len(p.steps)
	if n < 2 {
		return nil // one step: the element is named against the context's tag
	}
	for i := range p.steps[:n-2] {
		if st := &p.steps[i]; st.special() || len(st.preds) > 0 {
			return nil
		}
	}
	sst, last := &p.steps[n-2], &p.steps[n-1]
	if sst.special() || last.special() || len(last.preds) > 0 {
		return nil
	}
	tag := sst.name
	xp := &x12Path{gen: p, seg: sst.nm, el: doctree.ElemPos(tag, last.name)}
	if xp.el == 0 {
		return nil
	}
	for _, pr := range sst.preds {
		alts := pr.or
		if alts == nil {
			alts = []fastPred{pr}
		}
		var xpr x12Pred
		for _, a := range alts {
			if a.pos > 0 || a.path == nil || len(a.path.steps) != 1 {
				return nil // a position counts segments: the walk's
			}
			st := &a.path.steps[0]
			el := 0
			if !st.special() && len(st.preds) == 0 {
				el = doctree.ElemPos(tag, st.name)
			}
			if el == 0 {
				return nil
			}
			xpr = append(xpr, x12Cmp{el: el, lit: a.lit})
		}
		xp.preds = append(xp.preds, xpr)
	}
	for i := range p.steps[:n-2] {
		xp.groups = append(xp.groups, p.steps[i].nm)
	}
	return xp
}

// holds reports whether segment s satisfies every predicate.
func (p *x12Path) holds(s doctree.SegElems) bool {
	for _, pr := range p.preds {
		ok := false
		for k := range pr {
			if ok = s.ElemEquals(pr[k].el, pr[k].lit); ok {
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// firstText is fastPath.firstText for p on v's X12 tree.
func (p *x12Path) firstText(v *treeView, ctx Node) ([]byte, bool) {
	var txt []byte
	var ok, bad bool
	if len(p.groups) == 0 {
		txt, ok, bad = p.segText(v, ctx) // most paths: one call fewer
	} else {
		txt, ok, bad = p.textIn(v, ctx, 0)
	}
	if bad {
		return p.gen.firstTextWalk(v, ctx)
	}
	return txt, ok
}

// textIn is firstText below group step g; bad reports a node of the
// segment step's name that is not a segment.
func (p *x12Path) textIn(v *treeView, ctx Node, g int) (txt []byte, ok, bad bool) {
	h := v.x12
	if g < len(p.groups) {
		for c := h.FirstChildName(ctx, p.groups[g]); c != NoNode; c = h.NextNamed(c) {
			if txt, ok, bad = p.textIn(v, c, g+1); ok || bad {
				return txt, ok, bad
			}
		}
		return nil, false, false
	}
	return p.segText(v, ctx)
}

// segText is textIn below the last group step.
func (p *x12Path) segText(v *treeView, ctx Node) (txt []byte, ok, bad bool) {
	h := v.x12
	s, seg, n := v.firstSeg(ctx, p.seg)
	for s != NoNode {
		if n < 0 {
			return nil, false, true
		}
		if len(p.preds) == 0 || p.holds(seg) {
			if txt, ok = seg.Elem(p.el); ok {
				return txt, true, false
			}
		}
		s = h.NextNamed(s)
		seg, n = h.SegmentElems(s)
	}
	return nil, false, false
}

// anyEquals is fastPath.anyEquals for p on v's X12 tree.
func (p *x12Path) anyEquals(v *treeView, ctx Node, lit string) bool {
	eq, bad := p.equalsIn(v, ctx, 0, lit)
	if bad {
		return p.gen.anyEqualsWalk(v, ctx, lit)
	}
	return eq
}

func (p *x12Path) equalsIn(v *treeView, ctx Node, g int, lit string) (eq, bad bool) {
	h := v.x12
	if g < len(p.groups) {
		for c := h.FirstChildName(ctx, p.groups[g]); c != NoNode; c = h.NextNamed(c) {
			if eq, bad = p.equalsIn(v, c, g+1, lit); eq || bad {
				return eq, bad
			}
		}
		return false, false
	}
	s, seg, n := v.firstSeg(ctx, p.seg)
	for s != NoNode {
		if n < 0 {
			return false, true
		}
		if (len(p.preds) == 0 || p.holds(seg)) && seg.ElemEquals(p.el, lit) {
			return true, false
		}
		s = h.NextNamed(s)
		seg, n = h.SegmentElems(s)
	}
	return false, false
}

// firstMemo is the last FirstChildName lookup on an X12 (or CSV) tree:
// the fields of a loop read one segment in turn (PO1/PO101 ...
// PO1/PO105, the pair picks of the same PO1), and all but the first skip
// finding it again. Names are compiled once per name (doctree.CompileName),
// so the pointer identifies the name.
type firstMemo struct {
	parent Node
	nm     *doctree.Name
	child  Node
	// seg and n are h.SegmentElems(child), for firstSeg.
	seg doctree.SegElems
	n   int
}

// firstSeg is v.x12.FirstChildName(parent, nm) with its SegmentElems,
// remembered in v's memo when it has one.
func (v *treeView) firstSeg(parent Node, nm *doctree.Name) (Node, doctree.SegElems, int) {
	m := v.first
	if m == nil {
		c := v.x12.FirstChildName(parent, nm)
		seg, n := v.x12.SegmentElems(c)
		return c, seg, n
	}
	if m.parent != parent || m.nm != nm {
		m.set(v.x12, parent, nm)
	}
	return m.child, m.seg, m.n
}

func (m *firstMemo) set(h *doctree.Handles, parent Node, nm *doctree.Name) {
	m.parent, m.nm, m.child = parent, nm, h.FirstChildName(parent, nm)
	m.seg, m.n = h.SegmentElems(m.child)
}

// pairMemo holds the qualifier/value pairs of the last X12 segment a pair
// pick read: a line's picks (gtin, vendor and buyer part numbers) read
// the same PO106..PO125 in turn, and all but the first skip reading the
// elements again.
type pairMemo struct {
	seg   Node
	first int // the first qualifier's position; 0: nothing held
	n     int // pairs held: those of first+2k <= the segment's length
	q, v  [maxMemoPairs]memoElem
}

// maxMemoPairs is how many pairs the memo holds (PO106..PO125 are ten);
// a pick of more is read directly.
const maxMemoPairs = 10

type memoElem struct {
	txt []byte
	ok  bool
}

// pick is pickPairX12, reading s's pairs from the memo (filled on the
// first pick of s).
func (m *pairMemo) pick(t *doctree.Handles, p *pairSpec, s Node, bestRank int) (best []byte, rank int, isSeg bool) {
	if len(p.nms) > maxMemoPairs {
		return pickPairX12(t, p, s, bestRank)
	}
	if m.seg != s || m.first != p.first {
		seg, n := t.SegmentElems(s)
		if n < 0 {
			return nil, bestRank, false
		}
		m.seg, m.first, m.n = s, p.first, 0
		for j := range maxMemoPairs {
			el := p.first + 2*j
			if el > n {
				break
			}
			m.q[j].txt, m.q[j].ok = seg.Elem(el)
			m.v[j].txt, m.v[j].ok = seg.Elem(el + 1)
			m.n++
		}
	}
	rank = bestRank
	for j := range min(len(p.nms), m.n) {
		q := &m.q[j]
		if !q.ok {
			continue
		}
		r := -1
		for k, qual := range p.quals[:rank] {
			if equalShort(q.txt, qual) {
				r = k
				break
			}
		}
		if r < 0 {
			continue
		}
		if v := &m.v[j]; v.ok && len(v.txt) > 0 {
			best, rank = v.txt, r
			if r == 0 {
				break
			}
		}
	}
	return best, rank, true
}

// equalShort is string(b) == s, compared in line: qualifiers are two or
// three letters, for which the runtime's memequal call costs more than
// the comparison.
func equalShort(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		if b[i] != s[i] {
			return false
		}
	}
	return true
}
