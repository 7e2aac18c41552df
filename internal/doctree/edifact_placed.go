package doctree

import (
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
	// Every segment is one node and opens at most one group (with its
	// trigger), so the nodes fit in n: the loop below stores into them
	// without growing or reslicing t.nodes.
	n := 2 + 2*len(segs)
	if t == nil || cap(t.nodes) < n || cap(t.nodes) > 1<<16 {
		t = &EDIFACTTree{nodes: make([]enode, 0, n)}
	} else {
		t.nodes = t.nodes[:0]
		t.leaves = nil
	}
	t.msg = m
	t.add("", 0, KindDocument, none)
	root := t.add(EDIFACTRootName, symEDIFACTRoot, KindRoot, none)
	t.link(0, root)
	nodes := t.nodes[:n]
	c := int32(2) // the next free node
	if shape == nil {
		for i := range segs {
			addSegment(nodes, root, c, &segs[i], int32(i), nil)
			c++
		}
		t.nodes = nodes[:c]
		return t // addSegment kept the later flags
	}
	placed := p.For(m, shape.ms)
	if placed && shape.depth <= maxPlacedDepth {
		c = buildPlaced(nodes, c, root, &shape.root, segs, p)
	} else {
		// Messages rarely nest more than a few groups deep, so the stack
		// of open groups lives in the array below and does not allocate.
		var arr [8]eframe
		stack := append(arr[:0], eframe{g: &shape.root, tn: root})
		for i := range segs {
			var d, k int
			ok := false
			if placed {
				d, k, ok = p.Step(i)
			} else {
				d, k, ok = elocate(stack, segs[i].IDBytes())
			}
			if !ok {
				addSegment(nodes, stack[len(stack)-1].tn, c, &segs[i], int32(i), nil)
				c++
				continue
			}
			f := &stack[d]
			sn := &f.g.nodes[k]
			stack = stack[:d+1]
			f.pos = k
			parent := f.tn
			if g := sn.group; g != nil {
				gn := linkChild(nodes, parent, c, g.sym)
				gn.name, gn.names, gn.def, gn.sp = g.id, nil, nil, nil
				gn.seg, gn.kind, gn.psep = none, KindLoop, 0
				stack = append(stack, eframe{g: g, tn: c})
				parent = c
				c++
				sn = &g.nodes[0]
			}
			addSegment(nodes, parent, c, &segs[i], int32(i), sn)
			c++
		}
	}
	t.nodes = nodes[:c]
	if shape.cps {
		t.nestCPS()
		t.markLater() // groups moved; linkChild kept the flags until then
	}
	return t
}

// maxPlacedDepth bounds the nesting of groups (the message's top level
// is 1) that buildPlaced handles, with its stack of open groups in a
// fixed array. The built-in directories nest 7 deep at most (D01B
// INVRPT); a shape that nests deeper is built by the general walk.
const maxPlacedDepth = 8

// buildPlaced is the walk of ReuseMessagePlaced taking each segment's
// place from p, which holds the placement of every segment of segs,
// for a shape at most maxPlacedDepth deep: it adds the nodes from
// nodes[c] on, under root for the top level, and returns the next free
// node. It is addSegment and linkChild written out, so that the loop
// makes no call for a segment that its spec knows, and a group's trigger
// becomes the new group node's only child without linking it as one;
// the general walk (and the tests) check it against them.
func buildPlaced(nodes []enode, c, root int32, top *eGroup, segs []edifact.Segment, p *edifact.Placement) int32 {
	// The open groups: frames[0] is the message's top level, frames[open]
	// the innermost. The placement needs no position in them.
	type frame struct {
		g  *eGroup
		tn int32
	}
	var frames [maxPlacedDepth]frame
	frames[0] = frame{g: top, tn: root}
	open := 0
	for i := range segs {
		seg := &segs[i]
		var names *tagNames
		var def *espec.Segment
		var g *eGroup // the group seg opens an occurrence of, if any
		if d, k, ok := p.Step(i); !ok {
			names = namesFor(seg.IDBytes(), seg.Len()) // placed nowhere: under the innermost group
		} else {
			open = d
			sn := &frames[d].g.nodes[k]
			if g = sn.group; g != nil {
				sn = &g.nodes[0]
			}
			names, def = sn.names, sn.def
			if seg.Len() > sn.elems {
				// Longer than its spec: the shared cache has (or makes)
				// names for it.
				names = namesFor(seg.IDBytes(), seg.Len())
			}
		}
		// The new node (g's, else the segment's) is the last child of
		// the innermost group.
		parent, n, sym := frames[open].tn, c, names.sym
		if g != nil {
			sym = g.sym
		}
		pn, b := &nodes[parent], symBit(sym)
		prev := pn.last
		if pn.kids&b != 0 {
			markEarlier(nodes, prev, b)
		}
		pn.kids |= b
		if prev == none {
			pn.first = n
		} else {
			nodes[prev].next = n
		}
		pn.last = n
		if g != nil {
			// A new occurrence of g, whose first child is seg.
			gn := &nodes[n]
			gn.kids, gn.sym, gn.first, gn.next, gn.seg = symBit(names.sym), g.sym, n+1, none, none
			gn.kind, gn.later, gn.psep = KindLoop, false, 0
			gn.parent, gn.last, gn.prev = parent, n+1, prev
			gn.sp, gn.names, gn.def, gn.name = nil, nil, nil, g.id
			open++ // within the depth the shape was checked for
			frames[open] = frame{g: g, tn: n}
			parent, prev = n, none
			n++
		}
		var psep byte
		if d := seg.Delimiters(); d.Repetition == 0 && !seg.HasRelease() {
			psep = d.Component // 0 (absurd, but possible) leaves it not plain
		}
		cn := &nodes[n]
		cn.kids, cn.sym, cn.first, cn.next, cn.seg = 0, names.sym, none, none, int32(i)
		cn.kind, cn.later, cn.psep = KindSegment, false, psep
		cn.parent, cn.last, cn.prev = parent, none, prev
		cn.sp, cn.names, cn.def, cn.name = seg, names, def, names.tag // the pointers together: one write barrier check
		c = n + 1
	}
	return c
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

// addSegment makes nodes[c] the node of seg, segment i of the message,
// and the last child of parent. sn is the shape node it matched, nil
// when it matched none.
func addSegment(nodes []enode, parent, c int32, seg *edifact.Segment, i int32, sn *eShapeNode) {
	var names *tagNames
	var def *espec.Segment
	if sn != nil {
		names, def = sn.names, sn.def
	}
	if names == nil || len(names.elems) < seg.Len() {
		// Unknown segment, or one longer than its spec: the shared cache
		// has (or makes) names for it.
		names = namesFor(seg.IDBytes(), seg.Len())
	}
	var psep byte
	if d := seg.Delimiters(); d.Repetition == 0 && !seg.HasRelease() {
		psep = d.Component // 0 (absurd, but possible) leaves it not plain
	}
	cn := linkChild(nodes, parent, c, names.sym)
	cn.name, cn.names, cn.def, cn.sp = names.tag, names, def, seg
	cn.seg, cn.kind, cn.psep = i, KindSegment, psep
}

// linkChild makes nodes[c] the last child of p, with symbol sym and no
// children, and returns it for the caller to fill in the rest (name,
// names, def, sp, seg, kind, psep) in place: a node literal stored whole
// costs more. It keeps the later flags of p's children as markLater
// would set them, so a tree built with linkChild alone needs no
// markLater pass (Tree.addChild does the same for X12 trees).
func linkChild(nodes []enode, p, c, sym int32) *enode {
	pn, cn := &nodes[p], &nodes[c]
	cn.kids, cn.sym, cn.later = 0, sym, false
	cn.parent, cn.first, cn.last, cn.prev, cn.next = p, none, none, pn.last, none
	b := symBit(sym)
	if pn.kids&b != 0 {
		markEarlier(nodes, pn.last, b)
	}
	pn.kids |= b
	if pn.last == none {
		pn.first = c
	} else {
		nodes[pn.last].next = c
	}
	pn.last = c
	return cn
}

// markEarlier sets the later flag of the siblings from s back that a new
// last sibling of bit b makes true. Walking back, the first sibling that
// shares a bit with b is marked; every one before it that shares b was
// marked when that sibling came, unless b is every bit (a name without a
// symbol), which all earlier siblings share: those are marked up to the
// last such name, which marked all before it.
func markEarlier(nodes []enode, s int32, b uint64) {
	for ; s != none; s = nodes[s].prev {
		sn := &nodes[s]
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
