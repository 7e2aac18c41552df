package mapping

import (
	"strings"

	"github.com/antchfx/xpath"
)

// ValueTree presents a JSON value (a canonical document) as a Tree, so
// outbound templates use the same XPath language over canonical JSON that
// inbound mappings use over EDI: an object's members are child elements
// named by their keys, an array is the same element repeated (lines is
// every line, lines[2] the second), null is absent. The root object's
// members are children of the root node, so po_number and /po_number both
// work.
func ValueTree(v Value) Tree {
	t := &valueTree{}
	t.nodes = append(t.nodes, vnode{parent: NoNode, first: NoNode, next: NoNode, prev: NoNode, nextNamed: NoNode})
	t.children(0, "item", v)
	return t
}

type vnode struct {
	name                  string
	text                  string
	scalar                bool
	parent, first         Node
	next, prev, nextNamed Node
	lastChild             Node
}

type valueTree struct {
	nodes []vnode
}

var _ Tree = (*valueTree)(nil)

// children adds the content of v under parent; name is the element name
// for array items at the top.
func (t *valueTree) children(parent Node, name string, v Value) {
	switch v.kind {
	case Object:
		for _, m := range v.members {
			t.add(parent, m.Key, m.Value)
		}
	case Array:
		for _, it := range v.items {
			t.add(parent, name, it)
		}
	default:
		t.add(parent, name, v)
	}
}

// add appends an element named name for v under parent (several for an
// array, none for null).
func (t *valueTree) add(parent Node, name string, v Value) {
	switch v.kind {
	case Null:
		return
	case Array:
		for _, it := range v.items {
			t.add(parent, name, it)
		}
		return
	}
	n := Node(len(t.nodes))
	vn := vnode{name: name, parent: parent, first: NoNode, next: NoNode, prev: NoNode, nextNamed: NoNode, lastChild: NoNode}
	if v.kind != Object {
		vn.scalar, vn.text = true, v.Text()
	}
	p := &t.nodes[parent]
	if p.first == NoNode {
		p.first = n
	} else {
		vn.prev = p.lastChild
		t.nodes[p.lastChild].next = n
		// link the previous sibling with the same name
		for s := p.lastChild; s != NoNode; s = t.nodes[s].prev {
			if t.nodes[s].name == name {
				t.nodes[s].nextNamed = n
				break
			}
		}
	}
	p.lastChild = n
	t.nodes = append(t.nodes, vn)
	if v.kind == Object {
		for _, m := range v.members {
			t.add(n, m.Key, m.Value)
		}
	}
}

func (t *valueTree) Root() Node { return 0 }

func (t *valueTree) FirstChild(parent Node, name string) Node {
	for c := t.nodes[parent].first; c != NoNode; c = t.nodes[c].next {
		if t.nodes[c].name == name {
			return c
		}
	}
	return NoNode
}

func (t *valueTree) NextNamed(n Node) Node { return t.nodes[n].nextNamed }

func (t *valueTree) Text(n Node) []byte { return []byte(t.text(n)) }

func (t *valueTree) text(n Node) string {
	vn := &t.nodes[n]
	if vn.scalar {
		return vn.text
	}
	var b strings.Builder
	for c := vn.first; c != NoNode; c = t.nodes[c].next {
		b.WriteString(t.text(c))
	}
	return b.String()
}

func (t *valueTree) Navigator(n Node) xpath.NodeNavigator { return &valueNav{t: t, cur: n} }

func (t *valueTree) NodeOf(nav xpath.NodeNavigator) Node {
	if v, ok := nav.(*valueNav); ok && v.t == t {
		return v.cur
	}
	return NoNode
}

// valueNav is the xpath.NodeNavigator over a valueTree.
type valueNav struct {
	t   *valueTree
	cur Node
}

var _ xpath.NodeNavigator = (*valueNav)(nil)

func (v *valueNav) NodeType() xpath.NodeType {
	if v.cur == 0 {
		return xpath.RootNode
	}
	return xpath.ElementNode
}
func (v *valueNav) LocalName() string         { return v.t.nodes[v.cur].name }
func (v *valueNav) Prefix() string            { return "" }
func (v *valueNav) Value() string             { return v.t.text(v.cur) }
func (v *valueNav) Copy() xpath.NodeNavigator { c := *v; return &c }
func (v *valueNav) MoveToRoot()               { v.cur = 0 }
func (v *valueNav) MoveToNextAttribute() bool { return false }

func (v *valueNav) MoveToParent() bool { return v.move(v.t.nodes[v.cur].parent) }
func (v *valueNav) MoveToChild() bool  { return v.move(v.t.nodes[v.cur].first) }
func (v *valueNav) MoveToNext() bool   { return v.move(v.t.nodes[v.cur].next) }
func (v *valueNav) MoveToPrevious() bool {
	return v.move(v.t.nodes[v.cur].prev)
}

func (v *valueNav) MoveToFirst() bool {
	p := v.t.nodes[v.cur].parent
	if p == NoNode {
		return false
	}
	return v.move(v.t.nodes[p].first)
}

func (v *valueNav) MoveTo(other xpath.NodeNavigator) bool {
	o, ok := other.(*valueNav)
	if !ok || o.t != v.t {
		return false
	}
	v.cur = o.cur
	return true
}

func (v *valueNav) move(n Node) bool {
	if n == NoNode {
		return false
	}
	v.cur = n
	return true
}
