package doctree

import (
	"slices"

	"github.com/b2bgw/b2bgw/internal/edifact"
	espec "github.com/b2bgw/b2bgw/internal/edifact/spec"
)

// ReuseMessagePlaced is ReuseMessage taking each segment's place in the
// segment groups from p, where a validation of m put it
// (edifact.Validator.ValidatePlaced), instead of walking the structure
// again. The validator walks the node lists of the same spec.Message,
// index for index, by the same rule (search forward from the current
// node in the innermost open group, then in each enclosing one; a
// group's trigger opens its next occurrence; a segment found nowhere
// leaves the groups as they are), so the tree is the same. It walks as
// ReuseMessage does when p is nil or does not hold a placement of every
// segment of m against the spec shape was compiled from.
func ReuseMessagePlaced(t *EDIFACTTree, m *edifact.Message, shape *EDIFACTShape, p *edifact.Placement) *EDIFACTTree {
	segs := m.Segments
	if n := 2 + len(segs) + len(segs)/2; t == nil || cap(t.nodes) < n || cap(t.nodes) > 1<<16 {
		t = &EDIFACTTree{nodes: make([]enode, 0, n)}
	} else {
		t.nodes = t.nodes[:0]
		t.leaves = nil
	}
	t.msg = m
	t.add("", 0, KindDocument, none)
	root := t.add(EDIFACTRootName, symEDIFACTRoot, KindRoot, none)
	t.link(0, root)
	if shape == nil {
		for i := range segs {
			t.addSegment(root, &segs[i], int32(i), nil)
		}
		return t // addChild kept the later flags
	}
	// Messages rarely nest more than a few groups deep, so the stack of
	// open groups lives in the array below and does not allocate.
	var arr [8]eframe
	stack := append(arr[:0], eframe{g: &shape.root, tn: root})
	placed := p.For(m, shape.ms)
	for i := range segs {
		var d, k int
		ok := false
		if placed {
			d, k, ok = p.Step(i)
		} else {
			d, k, ok = elocate(stack, segs[i].IDBytes())
		}
		if !ok {
			t.addSegment(stack[len(stack)-1].tn, &segs[i], int32(i), nil)
			continue
		}
		f := &stack[d]
		sn := &f.g.nodes[k]
		stack = stack[:d+1]
		f.pos = k
		if sn.group == nil {
			t.addSegment(f.tn, &segs[i], int32(i), sn)
			continue
		}
		gn := t.addChild(f.tn, sn.group.id, nil, nil, sn.group.sym, KindLoop, none, nil, 0)
		stack = append(stack, eframe{g: sn.group, tn: gn})
		t.addSegment(gn, &segs[i], int32(i), &sn.group.nodes[0])
	}
	if shape.cps {
		t.nestCPS()
		t.markLater() // groups moved; addChild kept the flags until then
	}
	return t
}

// eframe is one open group of a message's walk: where the walk stands in
// it and the tree node of its current occurrence.
type eframe struct {
	g   *eGroup
	pos int
	tn  int32
}

// elocate finds the place of a segment tag from the walk's open groups:
// the frame (its depth in stack) and the index of the node it matches,
// or ok false when it matches none.
func elocate(stack []eframe, tag []byte) (d, k int, ok bool) {
	for d := len(stack) - 1; d >= 0; d-- {
		f := &stack[d]
		start := f.pos
		if d > 0 && start == 0 {
			start = 1 // a group's trigger starts its next occurrence, matched above
		}
		for k := start; k < len(f.g.nodes); k++ {
			if f.g.nodes[k].tag == string(tag) {
				return d, k, true
			}
		}
	}
	return 0, 0, false
}

// addSegment adds seg, segment i of the message, under parent. sn is the
// shape node it matched, nil when it matched none.
func (t *EDIFACTTree) addSegment(parent int32, seg *edifact.Segment, i int32, sn *eShapeNode) {
	n := seg.Len()
	var names *tagNames
	if sn != nil {
		names = sn.names
	}
	if names == nil || len(names.elems) < n {
		// Unknown segment, or one longer than its spec: the shared cache
		// has (or makes) names for it.
		names = namesFor(seg.IDBytes(), n)
	}
	var def *espec.Segment
	if sn != nil {
		def = sn.def
	}
	var psep byte
	if d := seg.Delimiters(); d.Repetition == 0 && !seg.HasRelease() {
		psep = d.Component // 0 (absurd, but possible) leaves it not plain
	}
	t.addChild(parent, names.tag, names, def, names.sym, KindSegment, i, seg, psep)
}

// addChild adds a node as the last child of p: add and link in one,
// filling the new node in place (a node literal appended and then
// patched costs a copy of the whole node). It keeps the later flags of
// p's children as markLater would set them, so a tree built with
// addChild alone needs no markLater pass (Tree.addChild does the same
// for X12 trees).
func (t *EDIFACTTree) addChild(p int32, name string, names *tagNames, def *espec.Segment, sym int32, kind Kind, seg int32, sp *edifact.Segment, psep byte) int32 {
	c := int32(len(t.nodes))
	if len(t.nodes) == cap(t.nodes) {
		t.nodes = slices.Grow(t.nodes, 1)
	}
	t.nodes = t.nodes[:c+1]
	pn, cn := &t.nodes[p], &t.nodes[c]
	cn.name, cn.names, cn.def, cn.sp, cn.kids = name, names, def, sp, 0
	cn.parent, cn.first, cn.last, cn.prev, cn.next = p, none, none, pn.last, none
	cn.seg, cn.sym, cn.kind, cn.later, cn.psep = seg, sym, kind, false, psep
	b := symBit(sym)
	if pn.kids&b != 0 {
		// An earlier sibling may share the name: it now has a later one.
		// Walking back, the first sibling that shares a bit with b is
		// marked; every one before it that shares b was marked when that
		// sibling came, unless b is every bit (a name without a symbol),
		// which all earlier siblings share: those are marked up to the
		// last such name, which marked all before it.
		for s := pn.last; s != none; s = t.nodes[s].prev {
			sn := &t.nodes[s]
			sb := symBit(sn.sym)
			if sb&b == 0 {
				continue
			}
			sn.later = true
			if b != ^uint64(0) || sb == ^uint64(0) {
				break
			}
		}
	}
	pn.kids |= b
	if pn.last == none {
		pn.first = c
	} else {
		t.nodes[pn.last].next = c
	}
	pn.last = c
	return c
}
