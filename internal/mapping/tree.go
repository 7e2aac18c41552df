package mapping

import (
	"io"
	"strconv"

	"github.com/antchfx/xmlquery"
	"github.com/antchfx/xpath"

	"github.com/b2bgw/b2bgw/internal/doctree"
)

// Node is a handle to an element of a Tree. Its meaning belongs to the
// tree (an index into a segment table, a slot in a cache); NoNode means
// "none". Node is an alias of int32 so that a tree implementation (the X12
// document tree) satisfies Tree without importing this package.
type Node = int32

// NoNode is returned when there is no such node.
const NoNode Node = -1

// Tree is what the evaluator's fast path walks: the handful of moves that
// the common mapping expressions (child steps, [X='lit'] predicates, [n]
// positions) need, without the per-step allocation and interface traffic of
// a full XPath engine. Everything else goes to antchfx/xpath through
// Navigator, so a Tree must also be able to hand out an
// xpath.NodeNavigator for any node, and take one back.
//
// The X12 document tree implements Tree directly. FromNavigator adapts any
// xpath.NodeNavigator (xmlquery documents, for partners' XML), and
// ValueTree serves canonical JSON to outbound templates.
//
// A Tree is used by one goroutine at a time; node handles are valid for the
// life of the tree.
type Tree interface {
	// Root returns the node that top-level mapping fields are evaluated
	// against: the document element (TransactionSet, Rows, the XML root
	// element), or the root node for JSON.
	Root() Node
	// FirstChild returns the first child element of parent whose local
	// name is name, or NoNode.
	FirstChild(parent Node, name string) Node
	// NextNamed returns the next sibling element of n with the same local
	// name as n, or NoNode.
	NextNamed(n Node) Node
	// Text returns the XPath string-value of n. The caller does not keep
	// or modify the slice.
	Text(n Node) []byte
	// Navigator returns a fresh navigator positioned at n; the evaluator
	// may move it freely.
	Navigator(n Node) xpath.NodeNavigator
	// NodeOf returns the node a navigator is positioned at. It must not
	// keep nav, which the XPath engine reuses.
	NodeOf(nav xpath.NodeNavigator) Node
}

// LeafTree is an optional Tree extension for trees that can look up a
// leaf value without handing out a node for it. Most steps of a mapping end
// in a leaf (BEG/BEG03, the REF01 in [REF01='DP'], the pairs of PO1), so a
// tree whose handles cost something (the document tree keeps a table of
// them) implements these to skip that cost.
type LeafTree interface {
	// ChildText returns the text of parent's first child element named
	// name, and whether there is one.
	ChildText(parent Node, name string) ([]byte, bool)
	// ChildEquals reports whether some child element of parent named name
	// has text lit.
	ChildEquals(parent Node, name, lit string) bool
}

// Leaf2Tree is an optional extension of LeafTree for the two-step leaf
// paths EDIFACT mappings are made of (DTM01/DTM01_02: an element, then its
// component), answered without a handle for the element.
type Leaf2Tree interface {
	// ChildText2 returns the text of the first name2 child of a name1
	// child of parent, in document order, and whether there is one.
	ChildText2(parent Node, name1, name2 string) ([]byte, bool)
	// ChildEquals2 reports whether some name2 child of a name1 child of
	// parent has text lit.
	ChildEquals2(parent Node, name1, name2, lit string) bool
}

// NameTree is an optional Tree extension for trees that look child steps
// up by a name compiled once (doctree.CompileName, when the mapping is
// loaded): names compared as integer symbols, element names resolved to
// positions without parsing. The document trees of internal/doctree
// implement it; the methods mean FirstChild, ChildText and ChildEquals.
type NameTree interface {
	FirstChildName(parent Node, name *doctree.Name) Node
	ChildTextName(parent Node, name *doctree.Name) ([]byte, bool)
	ChildEqualsName(parent Node, name *doctree.Name, lit string) bool
}

// Name2Tree is Leaf2Tree with compiled names.
type Name2Tree interface {
	ChildText2Name(parent Node, name1, name2 *doctree.Name) ([]byte, bool)
	ChildEquals2Name(parent Node, name1, name2 *doctree.Name, lit string) bool
}

// NthElemTree is an optional Tree extension for a * step with a position
// that ends a value or a predicate (the *[2] and *[1] of
// PIA/*[*[2]='SA']/*[1]): EDIFACT mappings read composites by position
// this way, and stepping through the children one handle at a time
// re-scans the element's bytes for each.
type NthElemTree interface {
	// NthElemText returns the text of parent's nth child element of any
	// name (n >= 1, document order), and whether there is one.
	NthElemText(parent Node, n int) ([]byte, bool)
}

// Locator is implemented by trees that know where a node came from, so a
// FieldError and a trace can point at the source bytes. For X12, line is
// the line of the segment, segment its 1-based index in the input and
// element its 1-based element position (0 for a segment or loop); XML
// trees report only a line; CSV trees report the row's line and the column
// as element.
type Locator interface {
	Locate(n Node) (line, segment, element int)
}

// SourcePos is where in the input a value was found. Zero fields are
// unknown.
type SourcePos struct {
	Line    int `json:"line,omitempty"`
	Segment int `json:"segment,omitempty"`
	Element int `json:"element,omitempty"`
}

func (p SourcePos) String() string {
	s := ""
	add := func(name string, v int) {
		if v == 0 {
			return
		}
		if s != "" {
			s += ", "
		}
		s += name + " " + strconv.Itoa(v)
	}
	add("line", p.Line)
	add("segment", p.Segment)
	add("element", p.Element)
	if s == "" {
		return "unknown position"
	}
	return s
}

func locate(t Tree, n Node) SourcePos {
	if n == NoNode {
		return SourcePos{}
	}
	if l, ok := t.(Locator); ok {
		line, seg, el := l.Locate(n)
		return SourcePos{Line: line, Segment: seg, Element: el}
	}
	return SourcePos{}
}

// FromNavigator adapts any xpath.NodeNavigator to a Tree. Each node the
// fast path visits costs one navigator copy, so this is the compatible
// path, not the fast one; trees that matter for throughput implement Tree
// themselves. If nav's underlying tree already implements Tree, it is
// returned unchanged.
func FromNavigator(nav xpath.NodeNavigator) Tree {
	if t, ok := nav.(Tree); ok {
		return t
	}
	root := nav.Copy()
	if root.NodeType() == xpath.RootNode {
		// Field paths are relative to the document element, the way an
		// analyst reads the document (<TransactionSet> is the context, not
		// the invisible document node above it). Absolute paths still
		// work: XPath moves to the root itself.
		c := root.Copy()
		if c.MoveToChild() {
			for {
				if c.NodeType() == xpath.ElementNode {
					root = c
					break
				}
				if !c.MoveToNext() {
					break
				}
			}
		}
	}
	return &navTree{navs: []xpath.NodeNavigator{root}}
}

// ParseXML reads an XML document (a partner's XML order) into a Tree with
// line numbers for error messages.
func ParseXML(r io.Reader) (Tree, error) {
	doc, err := xmlquery.ParseWithOptions(r, xmlquery.ParserOptions{WithLineNumbers: true})
	if err != nil {
		return nil, err
	}
	return FromNavigator(xmlquery.CreateXPathNavigator(doc)), nil
}

// navTree keeps one navigator copy per node handed out.
type navTree struct {
	navs []xpath.NodeNavigator
}

var _ Tree = (*navTree)(nil)
var _ Locator = (*navTree)(nil)

func (t *navTree) add(nav xpath.NodeNavigator) Node {
	t.navs = append(t.navs, nav)
	return Node(len(t.navs) - 1)
}

func (t *navTree) Root() Node { return 0 }

func (t *navTree) FirstChild(parent Node, name string) Node {
	c := t.navs[parent].Copy()
	if !c.MoveToChild() {
		return NoNode
	}
	for {
		if c.NodeType() == xpath.ElementNode && c.LocalName() == name {
			return t.add(c)
		}
		if !c.MoveToNext() {
			return NoNode
		}
	}
}

func (t *navTree) NextNamed(n Node) Node {
	c := t.navs[n].Copy()
	name := c.LocalName()
	for c.MoveToNext() {
		if c.NodeType() == xpath.ElementNode && c.LocalName() == name {
			return t.add(c)
		}
	}
	return NoNode
}

func (t *navTree) Text(n Node) []byte { return []byte(t.navs[n].Value()) }

func (t *navTree) Navigator(n Node) xpath.NodeNavigator { return t.navs[n].Copy() }

func (t *navTree) NodeOf(nav xpath.NodeNavigator) Node { return t.add(nav.Copy()) }

// navLocator is implemented by navigators that know their position.
type navLocator interface {
	Locate() (line, segment, element int)
}

func (t *navTree) Locate(n Node) (line, segment, element int) {
	switch nav := t.navs[n].(type) {
	case doctree.Navigator:
		return sourcePos(nav.Source())
	case navLocator:
		return nav.Locate()
	case *xmlquery.NodeNavigator:
		return nav.Current().GetLineNumber(), 0, 0
	}
	return 0, 0, 0
}
