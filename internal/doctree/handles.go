package doctree

import (
	"bytes"
	"unsafe"

	"github.com/antchfx/xpath"

	"github.com/b2bgw/b2bgw/internal/x12"
)

// Handles is a Tree seen through int32 node handles: the interface the
// mapping engine's fast path walks (mapping.Tree, mapping.LeafTree and
// mapping.Locator are satisfied structurally; this package does not import
// the mapping package). It is the same memory as the Tree (convert with
// Tree.Handles, which costs nothing), so a mapping walk needs no handle
// table and no allocation per step.
//
// A Tree cannot carry these methods itself: its Root and Navigator already
// mean the Node-valued direct API.
//
// Handle encoding (NoHandle, -1, is "no node"):
//   - h >= 0: stored node h (document, root, loop, segment, CSV row): a
//     step between stored nodes is an array lookup;
//   - h <= -2: a leaf (element repetition, component, text, cell,
//     attribute) inside stored node n, packed in c = -h-2 (see packLeaf);
//     leaves whose coordinates do not fit the packing (very large sets,
//     repetitions beyond the first, text and attribute nodes) are kept in a
//     per-tree table, under a lock, deduplicated.
//
// Like the Tree, Handles is safe for concurrent reads.
type Handles Tree

// NoHandle is the handle of no node (mapping.NoNode).
const NoHandle int32 = -1

// Handles returns the tree's handle view.
func (t *Tree) Handles() *Handles { return (*Handles)(t) }

// Tree returns the tree itself.
func (h *Handles) Tree() *Tree { return (*Tree)(h) }

// Leaf packing: c = tag<<28 | payload.
const (
	leafTagBits  = 2
	leafPayload  = 28
	leafTagElem  = 0 // X12 element, repetition 1: n<<7 | el
	leafTagComp  = 1 // X12 component of repetition 1: n<<13 | el<<6 | comp
	leafTagCell  = 2 // CSV cell: n<<8 | col
	leafTagTable = 3 // index into the overflow table
	payloadMask  = 1<<leafPayload - 1
)

// leafKey is an unpacked leaf.
type leafKey struct {
	n                   int32
	kind                Kind
	el, rep, comp, attr int32
}

// leafTable holds the leaves that do not pack.
type leafTable struct {
	keys  []leafKey
	index map[leafKey]int32
}

// packLeaf returns the handle of a leaf, or false when it does not pack.
func packLeaf(k leafKey) (int32, bool) {
	var c uint32
	switch {
	case k.kind == KindElement && k.rep == 1 && k.el < 1<<7 && k.n < 1<<(leafPayload-7):
		c = leafTagElem<<leafPayload | uint32(k.n)<<7 | uint32(k.el)
	case k.kind == KindComponent && k.rep == 1 && k.el < 1<<7 && k.comp < 1<<6 && k.n < 1<<(leafPayload-13):
		c = leafTagComp<<leafPayload | uint32(k.n)<<13 | uint32(k.el)<<6 | uint32(k.comp)
	case k.kind == KindCell && k.el < 1<<8 && k.n < 1<<(leafPayload-8):
		c = leafTagCell<<leafPayload | uint32(k.n)<<8 | uint32(k.el)
	default:
		return 0, false
	}
	return -int32(c) - 2, true
}

// handle returns the handle of n.
func (h *Handles) handle(n Node) int32 {
	switch n.kind {
	case KindInvalid:
		return NoHandle
	case KindDocument, KindRoot, KindLoop, KindSegment, KindRow:
		return n.n
	}
	k := leafKey{n: n.n, kind: n.kind, el: n.el, rep: n.rep, comp: n.comp, attr: n.attr}
	if p, ok := packLeaf(k); ok {
		return p
	}
	h.leafMu.Lock()
	defer h.leafMu.Unlock()
	if h.leaves == nil {
		h.leaves = &leafTable{index: map[leafKey]int32{}}
	}
	i, ok := h.leaves.index[k]
	if !ok {
		if len(h.leaves.keys) > payloadMask {
			panic("doctree: too many leaf handles")
		}
		i = int32(len(h.leaves.keys))
		h.leaves.keys = append(h.leaves.keys, k)
		h.leaves.index[k] = i
	}
	return -int32(leafTagTable<<leafPayload|uint32(i)) - 2
}

// Node returns the node of handle x (the zero Node for NoHandle).
func (h *Handles) Node(x int32) Node {
	t := (*Tree)(h)
	if x >= 0 {
		return Node{t: t, n: x, kind: t.nodes[x].kind}
	}
	if x == NoHandle {
		return Node{}
	}
	c := uint32(-(x + 2))
	p := int32(c & payloadMask)
	switch c >> leafPayload {
	case leafTagElem:
		return Node{t: t, n: p >> 7, kind: KindElement, el: p & (1<<7 - 1), rep: 1}
	case leafTagComp:
		return Node{t: t, n: p >> 13, kind: KindComponent, el: p >> 6 & (1<<7 - 1), rep: 1, comp: p & (1<<6 - 1)}
	case leafTagCell:
		return Node{t: t, n: p >> 8, kind: KindCell, el: p & (1<<8 - 1)}
	}
	h.leafMu.Lock()
	k := h.leaves.keys[p]
	h.leafMu.Unlock()
	return Node{t: t, n: k.n, kind: k.kind, el: k.el, rep: k.rep, comp: k.comp, attr: k.attr}
}

// Root returns the root element's handle.
func (h *Handles) Root() int32 { return 1 }

// FirstChild returns the first child element of parent named name.
func (h *Handles) FirstChild(parent int32, name string) int32 {
	return h.FirstChildName(parent, &Name{s: name})
}

// FirstChildName is FirstChild with a compiled name: loops and segments
// are matched by symbol, an element name goes straight to its position.
func (h *Handles) FirstChildName(parent int32, name *Name) int32 {
	t := (*Tree)(h)
	if parent >= 0 {
		nd := &t.nodes[parent]
		switch nd.kind {
		case KindDocument, KindRoot, KindLoop:
			if !mayHave(nd.kids, name) {
				return NoHandle
			}
			for c := nd.first; c != none; c = t.nodes[c].next {
				if sameName(t.nodes[c].sym, name.sym, t.nodes[c].name, name.s) {
					return c
				}
			}
			return NoHandle
		case KindSegment:
			seg := t.segment(parent)
			el := name.elemIn(nd.names)
			if el == 0 {
				return NoHandle
			}
			if r := nextPart(seg.Element(el), seg.Delimiters().Repetition, 0); r != 0 {
				return h.handle(Node{t: t, n: parent, kind: KindElement, el: int32(el), rep: int32(r)})
			}
			return NoHandle
		}
	}
	if parent == NoHandle {
		return NoHandle
	}
	return h.handle(h.Node(parent).FirstNamed(name.s))
}

// NextNamed returns the next sibling of x with the same name.
func (h *Handles) NextNamed(x int32) int32 {
	t := (*Tree)(h)
	if x >= 0 {
		nd := &t.nodes[x]
		if nd.kind == KindDocument || !nd.later {
			return NoHandle
		}
		for c := nd.next; c != none; c = t.nodes[c].next {
			if sameName(t.nodes[c].sym, nd.sym, t.nodes[c].name, nd.name) {
				return c
			}
		}
		return NoHandle
	}
	if x == NoHandle {
		return NoHandle
	}
	return h.handle(h.Node(x).NextNamed())
}

// Text returns the string-value of x. For X12 leaves and segments it is a
// slice of the segment's bytes, for CSV cells the cell's bytes: do not
// modify or keep it.
func (h *Handles) Text(x int32) []byte {
	t := (*Tree)(h)
	if x >= 0 && t.nodes[x].kind == KindSegment {
		return t.segment(x).Raw()
	}
	n := h.Node(x)
	if n.kind == KindCell {
		return stringBytes(t.csvCell(n.n, int(n.el)))
	}
	return n.Bytes()
}

// Navigator returns a new XPath navigator on x.
func (h *Handles) Navigator(x int32) xpath.NodeNavigator { return &TreeNavigator{cur: h.Node(x)} }

// NodeOf returns the handle of the node an XPath navigator over this tree
// stands on, NoHandle for other navigators.
func (h *Handles) NodeOf(nav xpath.NodeNavigator) int32 {
	if tn, ok := nav.(*TreeNavigator); ok {
		return h.handle(tn.cur)
	}
	return NoHandle
}

// ChildText returns the text of parent's first child element named name,
// and whether there is one: on a segment, its element's first non-empty
// repetition, read in place.
func (h *Handles) ChildText(parent int32, name string) ([]byte, bool) {
	return h.ChildTextName(parent, &Name{s: name})
}

// ChildTextName is ChildText with a compiled name.
func (h *Handles) ChildTextName(parent int32, name *Name) ([]byte, bool) {
	t := (*Tree)(h)
	if parent >= 0 {
		nd := &t.nodes[parent]
		switch nd.kind {
		case KindSegment:
			el := name.elemIn(nd.names)
			if el == 0 {
				return nil, false
			}
			seg := t.segment(parent)
			v := seg.Element(el)
			rs := seg.Delimiters().Repetition
			if rs == 0 || bytes.IndexByte(v, rs) < 0 {
				return v, len(v) > 0
			}
			r := nextPart(v, rs, 0)
			if r == 0 {
				return nil, false
			}
			return part(v, rs, r), true
		case KindRow:
			col, ok := t.csv.index[name.s]
			if !ok {
				return nil, false
			}
			s := t.csvCell(parent, col)
			return stringBytes(s), s != ""
		}
	}
	c := h.FirstChildName(parent, name)
	if c == NoHandle {
		return nil, false
	}
	return h.Text(c), true
}

// ChildEquals reports whether some child element of parent named name has
// text lit.
func (h *Handles) ChildEquals(parent int32, name, lit string) bool {
	return h.ChildEqualsName(parent, &Name{s: name}, lit)
}

// ChildEqualsName is ChildEquals with a compiled name.
func (h *Handles) ChildEqualsName(parent int32, name *Name, lit string) bool {
	t := (*Tree)(h)
	if parent >= 0 {
		nd := &t.nodes[parent]
		switch nd.kind {
		case KindSegment:
			el := name.elemIn(nd.names)
			if el == 0 || lit == "" {
				return false // empty repetitions are no nodes
			}
			seg := t.segment(parent)
			v := seg.Element(el)
			rs := seg.Delimiters().Repetition
			if rs == 0 || bytes.IndexByte(v, rs) < 0 {
				return string(v) == lit
			}
			for {
				i := bytes.IndexByte(v, rs)
				if i < 0 {
					return string(v) == lit
				}
				if string(v[:i]) == lit {
					return true
				}
				v = v[i+1:]
			}
		case KindRow:
			col, ok := t.csv.index[name.s]
			return ok && lit != "" && t.csvCell(parent, col) == lit
		}
	}
	for c := h.FirstChildName(parent, name); c != NoHandle; c = h.NextNamed(c) {
		if h.Node(c).Equal(lit) {
			return true
		}
	}
	return false
}

// Locate returns where x is in the input: for X12 the segment's line, its
// 1-based index in the set and the element position; for CSV the row's
// line and the column (as element).
func (h *Handles) Locate(x int32) (line, segment, element int) {
	if x == NoHandle {
		return 0, 0, 0
	}
	s := h.Node(x).Source()
	if s.Format == FormatCSV {
		return s.Line, 0, s.ColumnIndex
	}
	return s.Line, s.SegmentIndex, s.Element
}

// stringBytes views s as bytes without copying; callers must not modify
// the result.
func stringBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// ChildText2Name returns the text of the first name2 child of a name1
// child of parent (PO1/PO102 from a PO1 loop), in document order
// (mapping.Name2Tree): one call for the last two steps of most values.
func (h *Handles) ChildText2Name(parent int32, name1, name2 *Name) ([]byte, bool) {
	for c := h.FirstChildName(parent, name1); c != NoHandle; c = h.NextNamed(c) {
		if txt, ok := h.ChildTextName(c, name2); ok {
			return txt, true
		}
	}
	return nil, false
}

// ChildEquals2Name reports whether some name2 child of a name1 child of
// parent has text lit (mapping.Name2Tree).
func (h *Handles) ChildEquals2Name(parent int32, name1, name2 *Name, lit string) bool {
	for c := h.FirstChildName(parent, name1); c != NoHandle; c = h.NextNamed(c) {
		if h.ChildEqualsName(c, name2, lit) {
			return true
		}
	}
	return false
}

// SegmentLen returns the number of elements of x when x is a stored
// segment (x12.Segment.Len: element positions beyond it name no node),
// and -1 for any other node.
func (h *Handles) SegmentLen(x int32) int {
	t := (*Tree)(h)
	if x < 0 || t.nodes[x].kind != KindSegment {
		return -1
	}
	return t.segment(x).Len()
}

// SegmentElem returns the text of element el (1-based) of stored segment
// x: exactly ChildText(x, TAGnn) for the segment's tag, read by position.
// x must be a segment (SegmentLen(x) >= 0).
func (h *Handles) SegmentElem(x int32, el int) ([]byte, bool) {
	e, _ := h.SegmentElems(x)
	return e.Elem(el)
}

// SegElems reads one stored X12 segment's elements by position.
type SegElems struct {
	seg *x12.Segment
	rs  byte // repetition separator, 0 for none
}

// SegmentElems returns a reader of stored segment x's elements and the
// number of elements (x12.Segment.Len), or n = -1 when x is not a stored
// segment: how a mapping's pair pick (PO106..PO125) walks a segment,
// finding it once for all its pairs.
func (h *Handles) SegmentElems(x int32) (e SegElems, n int) {
	t := (*Tree)(h)
	if x < 0 || t.nodes[x].kind != KindSegment {
		return SegElems{}, -1
	}
	seg := t.segment(x)
	return SegElems{seg: seg, rs: seg.Delimiters().Repetition}, seg.Len()
}

// Elem returns the text of element el (1-based): its first non-empty
// repetition, as SegmentElem.
func (e SegElems) Elem(el int) ([]byte, bool) {
	v := e.seg.Element(el)
	if e.rs == 0 || bytes.IndexByte(v, e.rs) < 0 {
		return v, len(v) > 0
	}
	r := nextPart(v, e.rs, 0)
	if r == 0 {
		return nil, false
	}
	return part(v, e.rs, r), true
}

// ElemEquals reports whether some repetition of element el (1-based) is
// lit: exactly ChildEqualsName(x, TAGnn, lit) for the segment's tag, read
// by position (the predicate of REF[REF01='DP'], the condition N1/N103 =
// 'UL').
func (e SegElems) ElemEquals(el int, lit string) bool {
	if lit == "" {
		return false // empty repetitions are no nodes
	}
	v := e.seg.Element(el)
	if e.rs == 0 {
		return string(v) == lit
	}
	for {
		i := bytes.IndexByte(v, e.rs)
		if i < 0 {
			return string(v) == lit
		}
		if string(v[:i]) == lit {
			return true
		}
		v = v[i+1:]
	}
}
