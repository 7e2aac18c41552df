package doctree

import (
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
// of scanning every line group after it. Builders call it last, once the
// tree's shape is final.
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
