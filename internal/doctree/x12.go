package doctree

import (
	"bytes"
	"slices"

	"github.com/b2bgw/b2bgw/internal/x12"
	"github.com/b2bgw/b2bgw/internal/x12/spec"
)

// Root element names of the trees.
const (
	X12RootName = "TransactionSet"
	CSVRootName = "Rows"
	CSVRowName  = "Row"
)

// x12Attrs are the root element's attributes, in order.
var x12Attrs = [...]string{"id", "control", "version"}

// FromSet builds the tree of a transaction set. With a nil shape (no spec
// for the set) the tree is flat: every segment directly under the root.
//
// Segments are assigned to loops by the same forward walk the validator
// uses: from the current position, search forward in the innermost open
// loop, then in each enclosing loop; a match on a loop's beginning segment
// starts a new iteration. A segment found nowhere stays in the innermost
// open loop, in order: the tree never drops data (the validator reports
// the misplacement). HL loops are then nested by HL02.
//
// The tree costs two allocations (the Tree and one node array sized from
// a count of loop-beginning segments) plus one scratch array when the set
// has HL loops; it is O(segments), plus O(h log h) for h HL segments.
func FromSet(set *x12.Set, shape *Shape) *Tree {
	return ReuseSet(nil, set, shape)
}

// ReuseSet is FromSet building into t's storage (a new tree when t is
// nil or not an X12 tree), for callers that translate one set after
// another and are done with t: every handle and Node of t becomes
// invalid.
func ReuseSet(t *Tree, set *x12.Set, shape *Shape) *Tree {
	return ReusePlaced(t, set, shape, nil)
}

// ReusePlaced is ReuseSet taking each segment's loop from p, where a
// validation of set placed it (x12.Validator.ValidatePlaced), instead of
// walking the spec again: the same walk, so the same tree. It walks as
// ReuseSet does when p is nil or does not hold a placement of every
// segment of set against the spec shape was compiled from.
func ReusePlaced(t *Tree, set *x12.Set, shape *Shape, p *x12.Placement) *Tree {
	segs := set.Segments
	// A tree has the document, the root, the segments and at most one
	// loop node per segment. A reused tree with room for that bound skips
	// counting the loops; a new one is sized exactly, or to the bound
	// when it replaces a tree (it will be reused) and the bound is small.
	bound := 2 + 2*len(segs)
	reuse := t != nil && t.format == FormatX12 && cap(t.nodes) <= 1<<16
	if !reuse || cap(t.nodes) < bound {
		n := bound
		if t == nil || n > 1<<16 {
			n = 2 + len(segs) + countLoops(segs, shape)
		}
		t = &Tree{format: FormatX12, nodes: make([]node, 0, n)}
	} else {
		t.nodes = t.nodes[:0]
		t.leaves = nil
	}
	t.set, t.version = set, set.Version()
	t.add("", 0, KindDocument, none)
	root := t.add(X12RootName, symX12Root, KindRoot, none)
	t.appendChild(0, root)
	if shape == nil {
		for i := range segs {
			t.addSegment(root, int32(i), nil)
		}
		return t // addChild kept the later flags
	}

	// Sets rarely nest more than 4 deep, so the stack of open loops lives
	// in the array below and does not allocate.
	var stackArr [8]frame
	stack := append(stackArr[:0], frame{loop: &shape.root, tn: root})
	placed := p.For(set, shape.ts)
	hls := 0
	for i := range segs {
		var d, k int
		if placed {
			d, k = p.Step(i)
		} else {
			d, k = locate(stack, segs[i].IDBytes())
		}
		if d < 0 {
			t.addSegment(stack[len(stack)-1].tn, int32(i), nil)
			continue
		}
		f := &stack[d]
		sn := &f.loop.nodes[k]
		stack = stack[:d+1]
		f.pos = k
		if sn.loop == nil {
			t.addSegment(f.tn, int32(i), sn)
			continue
		}
		ln := t.addChild(f.tn, sn.loop.name, nil, nil, sn.loop.sym, KindLoop, none)
		if sn.loop.id == hlLoopID {
			hls++
		}
		stack = append(stack, frame{loop: sn.loop, tn: ln})
		t.addSegment(ln, int32(i), sn)
	}
	if hls > 0 {
		t.nestHL(hls)
		t.markLater() // the HL loops moved; addChild kept the flags until then
	}
	return t
}

// frame is one open loop of a set's walk: where the walk stands in it and
// the tree node of its current iteration.
type frame struct {
	loop *shapeLoop
	pos  int
	tn   int32
}

// locate finds the place of a segment tag from the walk's open loops: the
// frame (its depth in stack) and the index of the node it matches, or -1,
// -1 when it matches none.
func locate(stack []frame, tag []byte) (int, int) {
	key := tagKey(tag)
	for d := len(stack) - 1; d >= 0; d-- {
		f := &stack[d]
		start := f.pos
		if d > 0 && start == 0 {
			// Inside a loop its own beginning segment starts the next
			// iteration, which the enclosing frame matches.
			start = 1
		}
		if start > 0 && f.loop.tail&keyBit(key) == 0 {
			continue
		}
		keys := f.loop.keys
		for k := start; k < len(keys); k++ {
			if keys[k] == key && (key != 0 || f.loop.nodes[k].tag == string(tag)) {
				return d, k
			}
		}
	}
	return -1, -1
}

// countLoops returns how many of segs begin a loop of shape.
func countLoops(segs []x12.Segment, shape *Shape) int {
	if shape == nil {
		return 0
	}
	loops := 0
	for i := range segs {
		tag := segs[i].IDBytes()
		if shape.beginsLoop(tag, tagKey(tag)) {
			loops++
		}
	}
	return loops
}

// addSegment adds segment i under parent. sn is the spec node it matched,
// nil when it matched none.
func (t *Tree) addSegment(parent, i int32, sn *shapeNode) {
	seg := &t.set.Segments[i]
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
	var def *spec.Segment
	if sn != nil {
		def = sn.def
	}
	t.addChild(parent, names.tag, names, def, names.sym, KindSegment, i)
}

// nestHL re-parents the HL loops by HL02: each HLLoop moves, in document
// order, to the end of the HLLoop whose HL01 its HL02 names, after that
// loop's own segments. An HL whose parent is missing, is itself, or closes
// a cycle stays where the walk put it (the top level of the HL loops).
// When HL01 repeats, the first occurrence is the parent.
func (t *Tree) nestHL(count int) {
	// One scratch array: hl (tree node of each HL loop, document order),
	// order (hl indices sorted by HL01), parent (hl index of the parent or
	// none), state (cycle search).
	scratch := make([]int32, 4*count)
	hl, order, parent, state := scratch[:0:count], scratch[count:2*count], scratch[2*count:3*count], scratch[3*count:]
	hlName := hlLoopID + LoopSuffix
	for i := range t.nodes {
		n := &t.nodes[i]
		if n.kind == KindLoop && n.name == hlName && n.first != none && t.nodes[n.first].kind == KindSegment {
			hl = append(hl, int32(i))
		}
	}
	order, parent, state = order[:len(hl)], parent[:len(hl)], state[:len(hl)]
	id := func(k int32, el int) []byte { return t.segment(t.nodes[hl[k]].first).Element(el) }
	for k := range order {
		order[k] = int32(k)
	}
	slices.SortStableFunc(order, func(a, b int32) int { return bytes.Compare(id(a, 1), id(b, 1)) })
	for k := range hl {
		parent[k] = none
		want := id(int32(k), 2)
		if len(want) == 0 {
			continue
		}
		at, found := slices.BinarySearchFunc(order, want, func(o int32, w []byte) int { return bytes.Compare(id(o, 1), w) })
		if found && order[at] != int32(k) {
			parent[k] = order[at]
		}
	}
	// Break cycles: follow parent links from each HL not yet seen; meeting
	// a loop of the current path means a cycle, which is cut above its
	// first member in document order.
	const (
		unseen int32 = iota
		onPath
		done
	)
	for k := range hl {
		x := int32(k)
		for x != none && state[x] == unseen {
			state[x] = onPath
			x = parent[x]
		}
		if x != none && state[x] == onPath {
			first := x
			state[x] = done
			for y := parent[x]; y != x; y = parent[y] {
				first = min(first, y)
				state[y] = done
			}
			parent[first] = none
		}
		// The rest of the path (the part before any cycle) is settled too.
		for y := int32(k); y != none && state[y] == onPath; y = parent[y] {
			state[y] = done
		}
	}
	for k := range hl {
		if p := parent[k]; p != none {
			t.detach(hl[k])
			t.appendChild(hl[p], hl[k])
		}
	}
}
