package doctree

import (
	"bytes"
	"iter"
	"strconv"
	"strings"

	"github.com/b2bgw/b2bgw/internal/x12"
)

// Node is a position in a Tree: a small value (no pointer to allocate) that
// the mapping engine's fast path walks directly, without XPath. The zero
// Node is "no node": navigation methods return it when there is nothing
// there, so chains like n.Child("N1", 1).Child("N102", 1).Value() need no
// checks in between.
//
// Stored nodes (document, root, loops, segments, rows) are addressed by
// index; elements, repetitions, components, cells, text and attributes are
// addressed inside their segment or row, and found by scanning the
// segment's bytes. No Node method allocates except Value on an X12 node
// (use Bytes or Equal there) and the iterators' closures where the
// compiler cannot keep them on the stack.
type Node struct {
	t    *Tree
	n    int32 // stored node: the node itself, or the segment / row / attribute owner
	kind Kind
	// X12: element position, repetition and component (1-based; comp 0 on
	// the element itself). CSV: el is the column.
	el, rep, comp int32
	attr          int32 // attribute index, for KindAttribute
}

// IsZero reports whether n is the zero Node (no node).
func (n Node) IsZero() bool { return n.t == nil }

// Kind returns the node's kind; KindInvalid for the zero Node.
func (n Node) Kind() Kind { return n.kind }

// Tree returns the tree the node belongs to.
func (n Node) Tree() *Tree { return n.t }

// Name returns the node's XPath name: "TransactionSet", "N1Loop", "N1",
// "N102", "PO103_01", a CSV column's normalized header, an attribute's
// name; "" for the document and text nodes.
func (n Node) Name() string {
	switch n.kind {
	case KindDocument, KindRoot, KindLoop, KindSegment, KindRow:
		return n.t.nodes[n.n].name
	case KindElement:
		return n.t.nodes[n.n].names.elem(int(n.el))
	case KindComponent:
		return n.t.nodes[n.n].names.comp(int(n.el), int(n.comp))
	case KindCell:
		return n.t.csv.names[n.el-1]
	case KindAttribute:
		return n.t.attrName(n.n, int(n.attr))
	}
	return ""
}

// Segment returns the X12 segment the node is or lies in (a segment, its
// elements, components and text), or nil.
func (n Node) Segment() *x12.Segment {
	if n.t == nil || n.t.format != FormatX12 {
		return nil
	}
	switch n.kind {
	case KindSegment, KindElement, KindComponent, KindText:
		return n.t.segment(n.n)
	}
	return nil
}

// Index returns the node's position inside its segment: element position,
// repetition and component, 1-based (comp 0 on an element; all 0 on a
// segment). For a CSV cell el is the column.
func (n Node) Index() (el, rep, comp int) { return int(n.el), int(n.rep), int(n.comp) }

// Bytes returns the node's value. For X12 elements, components and their
// text it is a slice of the segment's bytes (do not modify it) and costs
// nothing; for other nodes it is Value converted.
func (n Node) Bytes() []byte {
	if n.t != nil && n.t.format == FormatX12 {
		switch n.kind {
		case KindElement, KindComponent, KindText:
			return n.x12Leaf()
		case KindSegment:
			return n.t.segment(n.n).Raw()
		}
	}
	return []byte(n.Value())
}

// Equal reports whether the node's value is s, without allocating for
// elements, components, cells and text: the test behind the common
// predicate [REF01='DP'].
func (n Node) Equal(s string) bool {
	switch n.kind {
	case KindElement, KindComponent, KindText:
		if n.t.format == FormatX12 {
			return string(n.x12Leaf()) == s
		}
		return n.t.csvCell(n.n, int(n.el)) == s
	case KindCell:
		return n.t.csvCell(n.n, int(n.el)) == s
	case KindInvalid:
		return false
	}
	return n.Value() == s
}

// Value returns the node's string value, the text it was read from:
//   - element, component, cell, text, attribute: its value ("" never
//     occurs: empty values have no node);
//   - composite element: its raw text, separators included ("EA>6");
//   - segment: its raw text without the terminator ("N1*ST*ACME");
//   - loop, root, document: the segments it covers, each followed by the
//     segment terminator; CSV rows: the fields joined by the delimiter,
//     rows by newlines.
//
// The structural values are for messages and debugging (XPath's
// concatenation of text would run the elements together).
func (n Node) Value() string {
	switch n.kind {
	case KindInvalid:
		return ""
	case KindAttribute:
		return n.t.attrValue(n.n, int(n.attr))
	}
	if n.t.format == FormatCSV {
		return n.t.csvValue(n)
	}
	switch n.kind {
	case KindElement, KindComponent, KindText, KindSegment:
		return string(n.Bytes())
	}
	var b strings.Builder
	term := byte('~')
	if len(n.t.set.Segments) > 0 {
		term = n.t.set.Segments[0].Delimiters().Segment
	}
	n.t.walkSegments(n.n, func(seg *x12.Segment) {
		b.Write(seg.Raw())
		b.WriteByte(term)
	})
	return b.String()
}

// walkSegments calls fn for each segment under stored node i, in tree order.
func (t *Tree) walkSegments(i int32, fn func(*x12.Segment)) {
	nd := &t.nodes[i]
	if nd.kind == KindSegment {
		fn(t.segment(i))
		return
	}
	for c := nd.first; c != none; c = t.nodes[c].next {
		t.walkSegments(c, fn)
	}
}

// Parent returns the node's parent; the zero Node for the document.
func (n Node) Parent() Node {
	if n.toParent() {
		return n
	}
	return Node{}
}

// FirstChild returns the node's first child, or the zero Node.
func (n Node) FirstChild() Node {
	if n.toFirstChild() {
		return n
	}
	return Node{}
}

// NextSibling returns the node's next sibling, or the zero Node.
func (n Node) NextSibling() Node {
	if n.toNext() {
		return n
	}
	return Node{}
}

// PrevSibling returns the node's previous sibling, or the zero Node.
func (n Node) PrevSibling() Node {
	if n.toPrev() {
		return n
	}
	return Node{}
}

// stored returns the Node of stored node i (zero for none).
func (t *Tree) stored(i int32) Node {
	if i == none {
		return Node{}
	}
	return Node{t: t, n: i, kind: t.nodes[i].kind}
}

// The to* methods move n in place and report whether there was somewhere
// to go; on false n is unchanged. The navigator steps with them directly:
// XPath takes many steps, and moving in place avoids copying Nodes in and
// out of every call.

// toStored moves n to stored node i.
func (n *Node) toStored(i int32) bool {
	if i == none {
		return false
	}
	n.n, n.kind, n.el, n.rep, n.comp, n.attr = i, n.t.nodes[i].kind, 0, 0, 0, 0
	return true
}

func (n *Node) toParent() bool {
	switch n.kind {
	case KindElement, KindCell, KindAttribute:
		return n.toStored(n.n)
	case KindComponent:
		n.kind, n.comp = KindElement, 0
		return true
	case KindText:
		switch {
		case n.t.format == FormatCSV:
			n.kind = KindCell
		case n.comp > 0:
			n.kind = KindComponent
		default:
			n.kind = KindElement
		}
		return true
	case KindInvalid:
		return false
	}
	return n.toStored(n.t.nodes[n.n].parent)
}

func (n *Node) toFirstChild() bool {
	switch n.kind {
	case KindDocument, KindRoot, KindLoop:
		return n.toStored(n.t.nodes[n.n].first)
	case KindSegment:
		if el, rep := nextElem(n.t.segment(n.n), 1, 0); el != 0 {
			n.kind, n.el, n.rep, n.comp = KindElement, int32(el), int32(rep), 0
			return true
		}
	case KindElement:
		if n.t.format == FormatCSV {
			return false
		}
		v := n.x12Leaf()
		if n.t.composite(n.n, int(n.el), v) {
			if c := nextPart(v, n.t.segment(n.n).Delimiters().Component, 0); c != 0 {
				n.kind, n.comp = KindComponent, int32(c)
				return true
			}
			return false
		}
		n.kind = KindText
		return true
	case KindComponent, KindCell:
		n.kind = KindText
		return true
	case KindRow:
		if c := n.t.nextCell(n.n, 0); c != 0 {
			n.kind, n.el = KindCell, int32(c)
			return true
		}
	}
	return false
}

func (n *Node) toNext() bool {
	switch n.kind {
	case KindDocument, KindRoot, KindLoop, KindSegment, KindRow:
		return n.toStored(n.t.nodes[n.n].next)
	case KindElement:
		if el, rep := nextElem(n.t.segment(n.n), int(n.el), int(n.rep)); el != 0 {
			n.el, n.rep = int32(el), int32(rep)
			return true
		}
	case KindComponent:
		seg := n.t.segment(n.n)
		v := repetition(seg, int(n.el), int(n.rep))
		if c := nextPart(v, seg.Delimiters().Component, int(n.comp)); c != 0 {
			n.comp = int32(c)
			return true
		}
	case KindCell:
		if c := n.t.nextCell(n.n, int(n.el)); c != 0 {
			n.el = int32(c)
			return true
		}
	}
	return false
}

func (n *Node) toPrev() bool {
	switch n.kind {
	case KindDocument, KindRoot, KindLoop, KindSegment, KindRow:
		return n.toStored(n.t.nodes[n.n].prev)
	case KindElement:
		if el, rep := prevElem(n.t.segment(n.n), int(n.el), int(n.rep)); el != 0 {
			n.el, n.rep = int32(el), int32(rep)
			return true
		}
	case KindComponent:
		seg := n.t.segment(n.n)
		v := repetition(seg, int(n.el), int(n.rep))
		if c := prevPart(v, seg.Delimiters().Component, int(n.comp)); c != 0 {
			n.comp = int32(c)
			return true
		}
	case KindCell:
		if c := n.t.prevCell(n.n, int(n.el)); c != 0 {
			n.el = int32(c)
			return true
		}
	}
	return false
}

// Children iterates over the node's children in document order.
func (n Node) Children() iter.Seq[Node] {
	return func(yield func(Node) bool) {
		for c := n.FirstChild(); !c.IsZero(); c = c.NextSibling() {
			if !yield(c) {
				return
			}
		}
	}
}

// ChildrenNamed iterates over the node's children named name, in document
// order. On a segment, an element name goes straight to that element's
// repetitions; on a row, a column name straight to its cell; on a
// composite, a component name straight to the component: no scan of the
// siblings.
func (n Node) ChildrenNamed(name string) iter.Seq[Node] {
	return func(yield func(Node) bool) {
		for c := n.FirstNamed(name); !c.IsZero(); c = c.NextNamed() {
			if !yield(c) {
				return
			}
		}
	}
}

// FirstNamed returns the node's first child named name, or the zero Node.
func (n Node) FirstNamed(name string) Node {
	switch n.kind {
	case KindSegment:
		seg := n.t.segment(n.n)
		el := n.t.nodes[n.n].names.elemIndex(name)
		if el == 0 {
			return Node{}
		}
		if r := nextPart(seg.Element(el), seg.Delimiters().Repetition, 0); r != 0 {
			return Node{t: n.t, n: n.n, kind: KindElement, el: int32(el), rep: int32(r)}
		}
		return Node{}
	case KindElement:
		if n.t.format == FormatCSV {
			return Node{}
		}
		c := n.t.nodes[n.n].names.compIndex(int(n.el), name)
		if c == 0 {
			return Node{}
		}
		v := n.x12Leaf()
		if !n.t.composite(n.n, int(n.el), v) || len(part(v, n.t.segment(n.n).Delimiters().Component, c)) == 0 {
			return Node{}
		}
		n.kind, n.comp = KindComponent, int32(c)
		return n
	case KindRow:
		col, ok := n.t.csv.index[name]
		if !ok || n.t.csvCell(n.n, col) == "" {
			return Node{}
		}
		return Node{t: n.t, n: n.n, kind: KindCell, el: int32(col)}
	}
	for c := n.FirstChild(); !c.IsZero(); c = c.NextSibling() {
		if c.Name() == name {
			return c
		}
	}
	return Node{}
}

// NextNamed returns the next sibling with the same name, or the zero Node:
// the next repetition of an element, the next N1Loop after an N1Loop.
func (n Node) NextNamed() Node {
	switch n.kind {
	case KindElement:
		if n.t.format == FormatX12 {
			seg := n.t.segment(n.n)
			if r := nextPart(seg.Element(int(n.el)), seg.Delimiters().Repetition, int(n.rep)); r != 0 {
				n.rep = int32(r)
				return n
			}
		}
		return Node{}
	case KindComponent, KindCell, KindText, KindAttribute, KindDocument, KindInvalid:
		return Node{} // names are unique among these siblings
	}
	name := n.t.nodes[n.n].name
	for c := n.t.nodes[n.n].next; c != none; c = n.t.nodes[c].next {
		if n.t.nodes[c].name == name {
			return n.t.stored(c)
		}
	}
	return Node{}
}

// Child returns the i-th (1-based) child named name, or the zero Node:
// the positional pick PO1Loop[2].
func (n Node) Child(name string, i int) Node {
	if i < 1 {
		return Node{}
	}
	c := n.FirstNamed(name)
	for ; i > 1 && !c.IsZero(); i-- {
		c = c.NextNamed()
	}
	return c
}

// Elem returns the first (non-empty) repetition of element i of a segment,
// or the zero Node: Elem(2) on an N1 is N102.
func (n Node) Elem(i int) Node {
	if n.kind != KindSegment {
		return Node{}
	}
	seg := n.t.segment(n.n)
	if r := nextPart(seg.Element(i), seg.Delimiters().Repetition, 0); r != 0 {
		return Node{t: n.t, n: n.n, kind: KindElement, el: int32(i), rep: int32(r)}
	}
	return Node{}
}

// Attr returns the value of the node's attribute name.
func (n Node) Attr(name string) (string, bool) {
	if n.kind != KindRoot && n.kind != KindRow {
		return "", false
	}
	for a := range n.t.attrCount(n.n) {
		if n.t.attrName(n.n, a) == name {
			return n.t.attrValue(n.n, a), true
		}
	}
	return "", false
}

// x12Leaf returns the bytes of an X12 element repetition or component.
func (n Node) x12Leaf() []byte {
	seg := n.t.segment(n.n)
	v := repetition(seg, int(n.el), int(n.rep))
	if n.comp > 0 {
		v = part(v, seg.Delimiters().Component, int(n.comp))
	}
	return v
}

// composite reports whether element el of stored segment i is a composite:
// its value holds the component separator, or the spec says the position
// is a composite (so REF04_01 is there even when the partner sent only the
// first component, without a separator).
func (t *Tree) composite(i int32, el int, v []byte) bool {
	seg := t.segment(i)
	if bytes.IndexByte(v, seg.Delimiters().Component) >= 0 {
		return true
	}
	def := t.nodes[i].def
	return def != nil && el <= len(def.Elements) && def.Elements[el-1].Composite != nil
}

// attrCount returns the number of attributes of stored node i.
func (t *Tree) attrCount(i int32) int {
	switch t.nodes[i].kind {
	case KindRoot:
		if t.format == FormatX12 {
			return len(x12Attrs)
		}
	case KindRow:
		return 1
	}
	return 0
}

func (t *Tree) attrName(i int32, a int) string {
	if t.nodes[i].kind == KindRow {
		return "line"
	}
	return x12Attrs[a]
}

func (t *Tree) attrValue(i int32, a int) string {
	if t.nodes[i].kind == KindRow {
		return strconv.Itoa(t.csv.lines[t.nodes[i].src])
	}
	switch a {
	case 0:
		return t.set.ID
	case 1:
		return t.set.Control
	}
	return t.version
}

// elemIndex returns the element position that name denotes for this tag
// ("PO102" -> 2), or 0 when name is not one of the tag's element names.
func (tn *tagNames) elemIndex(name string) int {
	if len(name) < len(tn.tag)+2 || name[:len(tn.tag)] != tn.tag {
		return 0
	}
	return position(name[len(tn.tag):])
}

// compIndex returns the component position that name denotes for element
// el ("PO103_02" -> 2), or 0.
func (tn *tagNames) compIndex(el int, name string) int {
	e := tn.elem(el)
	if len(name) < len(e)+3 || name[:len(e)] != e || name[len(e)] != '_' {
		return 0
	}
	return position(name[len(e)+1:])
}

// position parses the position digits of an element or component name as
// names spell them: two digits, or more without a leading zero. It returns
// 0 for anything else ("002", "2", "+2"), which names no node.
func position(s string) int {
	if len(s) < 2 || (len(s) > 2 && s[0] == '0') || len(s) > 6 {
		return 0
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + int(c-'0')
	}
	return n
}
