package doctree

import (
	"slices"
	"sync"

	"github.com/b2bgw/b2bgw/internal/x12"
	"github.com/b2bgw/b2bgw/internal/x12/spec"
)

// Kind is the kind of a tree node.
type Kind uint8

const (
	KindInvalid   Kind = iota // the zero Node
	KindDocument              // the document node above the root element (XPath's root, "/")
	KindRoot                  // the root element: TransactionSet, Rows
	KindLoop                  // an X12 loop: N1Loop, PO1Loop, HLLoop
	KindSegment               // an X12 segment: BEG, N1, PO1
	KindElement               // an X12 data element (one repetition of it): BEG03, PO103
	KindComponent             // a component of a composite element: PO103_01
	KindRow                   // a CSV record
	KindCell                  // a CSV field, named by its column
	KindText                  // the text of an element, component or cell (XPath text())
	KindAttribute             // an attribute: @id, @control, @version, @line
)

var kindNames = [...]string{"invalid", "document", "root", "loop", "segment", "element", "component", "row", "cell", "text", "attribute"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// Format says what a tree was built from.
type Format uint8

const (
	FormatX12 Format = iota + 1
	FormatCSV
	FormatXML
)

func (f Format) String() string {
	switch f {
	case FormatX12:
		return "x12"
	case FormatCSV:
		return "csv"
	case FormatXML:
		return "xml"
	}
	return "unknown"
}

// Tree is a read-only document tree over a parsed X12 transaction set or a
// CSV file. It is safe for concurrent reads. An X12 tree keeps a reference
// to its Set and reads element values from the set's segments: the set
// must not be modified (or reused by a decoder) while the tree is in use.
type Tree struct {
	nodes  []node
	format Format

	// X12
	set     *x12.Set
	version string
	// CSV
	csv *csvData

	// leaf handles that do not pack (see Handles)
	leafMu sync.Mutex
	leaves *leafTable
}

// none marks an absent link between nodes.
const none = -1

// node is a stored node: the document, the root, a loop, a segment or a
// CSV row. Elements, components, cells, text and attributes are not
// stored: a Node addresses them inside their segment or row.
type node struct {
	name                            string
	names                           *tagNames
	def                             *spec.Segment
	kids                            uint64 // symBit of every child ever appended
	parent, first, last, prev, next int32
	src                             int32 // segment index in the set, record index in the CSV; -1 for others
	sym                             int32 // symbol of name (see symbols.go), 0 for none
	kind                            Kind
	// later: a later sibling may have the same name (see markLater);
	// false is certain once the tree is built.
	later bool
}

// Format returns what the tree was built from.
func (t *Tree) Format() Format { return t.format }

// Set returns the transaction set of an X12 tree (nil for CSV).
func (t *Tree) Set() *x12.Set { return t.set }

// Document returns the document node, the parent of the root element.
func (t *Tree) Document() Node { return Node{t: t, n: 0, kind: KindDocument} }

// Root returns the root element: TransactionSet or Rows.
func (t *Tree) Root() Node { return Node{t: t, n: 1, kind: KindRoot} }

// Len returns the number of stored nodes (document, root, loops, segments
// or rows); for tests and capacity planning.
func (t *Tree) Len() int { return len(t.nodes) }

func (t *Tree) add(name string, sym int32, kind Kind, src int32) int32 {
	t.nodes = append(t.nodes, node{name: name, sym: sym, kind: kind, parent: none, first: none, last: none, prev: none, next: none, src: src})
	return int32(len(t.nodes) - 1)
}

// addChild adds a node as the last child of p: add and appendChild in
// one, filling the new node in place field by field (the X12 builders add
// one per segment and loop, and a node literal appended and then patched
// costs a copy of the whole node). It keeps the later flags of p's
// children as markLater would set them, so a tree built with addChild
// alone needs no markLater pass.
func (t *Tree) addChild(p int32, name string, names *tagNames, def *spec.Segment, sym int32, kind Kind, src int32) int32 {
	c := int32(len(t.nodes))
	if len(t.nodes) == cap(t.nodes) {
		t.nodes = slices.Grow(t.nodes, 1)
	}
	t.nodes = t.nodes[:c+1]
	pn, cn := &t.nodes[p], &t.nodes[c]
	cn.name, cn.names, cn.def, cn.kids = name, names, def, 0
	cn.parent, cn.first, cn.last, cn.prev, cn.next = p, none, none, pn.last, none
	cn.src, cn.sym, cn.kind, cn.later = src, sym, kind, false
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

// appendChild makes c the last child of p. c must be detached.
func (t *Tree) appendChild(p, c int32) {
	pn, cn := &t.nodes[p], &t.nodes[c]
	cn.parent, cn.prev, cn.next = p, pn.last, none
	pn.kids |= symBit(cn.sym)
	if pn.last == none {
		pn.first = c
	} else {
		t.nodes[pn.last].next = c
	}
	pn.last = c
}

// markLater sets each stored node's later flag, in one backward pass over
// every parent's children with a Bloom mask of the names seen so far:
// NextNamed from the last DTM of a message then answers at once instead
// of scanning every line group after it. Builders that link nodes with
// appendChild call it last, once the tree's shape is final.
func (t *Tree) markLater() {
	for i := range t.nodes {
		var seen uint64
		for c := t.nodes[i].last; c != none; c = t.nodes[c].prev {
			b := symBit(t.nodes[c].sym)
			t.nodes[c].later = seen&b != 0
			seen |= b
		}
	}
}

// detach removes c from its parent's children.
func (t *Tree) detach(c int32) {
	cn := &t.nodes[c]
	if cn.parent == none {
		return
	}
	pn := &t.nodes[cn.parent]
	if cn.prev == none {
		pn.first = cn.next
	} else {
		t.nodes[cn.prev].next = cn.next
	}
	if cn.next == none {
		pn.last = cn.prev
	} else {
		t.nodes[cn.next].prev = cn.prev
	}
	cn.parent, cn.prev, cn.next = none, none, none
}

// segment returns the X12 segment of stored node n.
func (t *Tree) segment(n int32) *x12.Segment { return &t.set.Segments[t.nodes[n].src] }
