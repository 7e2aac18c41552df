package doctree

import "github.com/antchfx/xpath"

// Navigator is what the mapping engine evaluates XPath over: an
// xpath.NodeNavigator that can also say where its current node came from.
// X12 and CSV trees (*TreeNavigator) and XML documents (*XMLNavigator)
// implement it, so the engine handles every source alike.
type Navigator interface {
	xpath.NodeNavigator
	// Source locates the current node in its input, for --trace output and
	// error messages.
	Source() Source
}

// Document is a parsed input the mapping engine maps from.
type Document interface {
	// Navigator returns a new navigator on the root element (so relative
	// expressions such as N1Loop/N1/N102 work as written; absolute ones
	// start at the document node above it).
	Navigator() Navigator
	Format() Format
}

var (
	_ Navigator = (*TreeNavigator)(nil)
	_ Document  = (*Tree)(nil)
)

// TreeNavigator implements xpath.NodeNavigator over a Tree. It is a cursor:
// the Move methods change it; Copy makes another. A navigator is not safe
// for concurrent use, but any number of navigators can walk one tree.
type TreeNavigator struct {
	cur Node
}

// Navigator returns a navigator on the tree's root element.
func (t *Tree) Navigator() Navigator { return &TreeNavigator{cur: t.Root()} }

// Navigator returns a navigator on n, to evaluate XPath relative to a node
// the fast path has reached.
func (n Node) Navigator() *TreeNavigator { return &TreeNavigator{cur: n} }

// Current returns the navigator's node, for the direct API.
func (nav *TreeNavigator) Current() Node { return nav.cur }

// Source locates the current node; see Node.Source.
func (nav *TreeNavigator) Source() Source { return nav.cur.Source() }

// NodeType implements xpath.NodeNavigator.
func (nav *TreeNavigator) NodeType() xpath.NodeType {
	switch nav.cur.kind {
	case KindDocument:
		return xpath.RootNode
	case KindText:
		return xpath.TextNode
	case KindAttribute:
		return xpath.AttributeNode
	}
	return xpath.ElementNode
}

// LocalName implements xpath.NodeNavigator.
func (nav *TreeNavigator) LocalName() string { return nav.cur.Name() }

// Prefix implements xpath.NodeNavigator: trees have no namespaces.
func (nav *TreeNavigator) Prefix() string { return "" }

// Value implements xpath.NodeNavigator; see Node.Value.
func (nav *TreeNavigator) Value() string { return nav.cur.Value() }

// Copy implements xpath.NodeNavigator.
func (nav *TreeNavigator) Copy() xpath.NodeNavigator {
	c := *nav
	return &c
}

// MoveToRoot implements xpath.NodeNavigator: it moves to the document node.
func (nav *TreeNavigator) MoveToRoot() { nav.move(nav.cur.t.Document()) }

// MoveToParent implements xpath.NodeNavigator.
func (nav *TreeNavigator) MoveToParent() bool { return nav.cur.toParent() }

// MoveToNextAttribute implements xpath.NodeNavigator.
func (nav *TreeNavigator) MoveToNextAttribute() bool {
	c := nav.cur
	if c.kind == KindAttribute {
		if int(c.attr)+1 >= c.t.attrCount(c.n) {
			return false
		}
		nav.cur.attr++
		return true
	}
	if c.kind != KindRoot && c.kind != KindRow || c.t.attrCount(c.n) == 0 {
		return false
	}
	return nav.move(Node{t: c.t, n: c.n, kind: KindAttribute})
}

// MoveToChild implements xpath.NodeNavigator.
func (nav *TreeNavigator) MoveToChild() bool {
	if nav.cur.kind == KindAttribute {
		return false
	}
	return nav.cur.toFirstChild()
}

// MoveToFirst implements xpath.NodeNavigator: it moves to the first
// sibling and reports false when already there.
func (nav *TreeNavigator) MoveToFirst() bool {
	if nav.cur.kind == KindAttribute || nav.cur.PrevSibling().IsZero() {
		return false
	}
	return nav.move(nav.cur.Parent().FirstChild())
}

// MoveToNext implements xpath.NodeNavigator.
func (nav *TreeNavigator) MoveToNext() bool {
	if nav.cur.kind == KindAttribute {
		return false
	}
	return nav.cur.toNext()
}

// MoveToPrevious implements xpath.NodeNavigator.
func (nav *TreeNavigator) MoveToPrevious() bool {
	if nav.cur.kind == KindAttribute {
		return false
	}
	return nav.cur.toPrev()
}

// MoveTo implements xpath.NodeNavigator: it succeeds for a navigator over
// the same tree.
func (nav *TreeNavigator) MoveTo(other xpath.NodeNavigator) bool {
	o, ok := other.(*TreeNavigator)
	if !ok || o.cur.t != nav.cur.t {
		return false
	}
	return nav.move(o.cur)
}

// move sets the position to n's. Nodes of one tree share the tree
// pointer, so only the position fields are copied: copying the whole Node
// would cost a GC write barrier per step while a collection runs, and
// XPath steps a lot.
func (nav *TreeNavigator) move(n Node) bool {
	if n.IsZero() {
		return false
	}
	c := &nav.cur
	c.n, c.kind, c.el, c.rep, c.comp, c.attr = n.n, n.kind, n.el, n.rep, n.comp, n.attr
	return true
}

// String returns the current node's value (as xmlquery's navigator does).
func (nav *TreeNavigator) String() string { return nav.cur.Value() }
