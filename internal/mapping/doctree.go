package mapping

import (
	"github.com/antchfx/xpath"

	"github.com/b2bgw/b2bgw/internal/doctree"
)

// FromDocument adapts a parsed input from internal/doctree: X12 sets and
// CSV files get the direct adapter below, XML documents the navigator
// adapter.
func FromDocument(doc doctree.Document) Tree {
	if t, ok := doc.(*doctree.Tree); ok {
		return DocTree(t)
	}
	return FromNavigator(doc.Navigator())
}

// DocTree adapts an X12 or CSV document tree. doctree.Node is a small value
// (a tree pointer and a few indexes), so a Node handle here is an index
// into a table of the doctree nodes the walk has reached: appending to it
// is the only cost of a step, and X12 leaf values are read as slices of
// the segment bytes, with no copy.
func DocTree(t *doctree.Tree) Tree {
	d := &docTree{nodes: make([]doctree.Node, 1, 64)}
	d.nodes[0] = t.Root()
	return d
}

type docTree struct {
	nodes []doctree.Node
}

var (
	_ Tree     = (*docTree)(nil)
	_ LeafTree = (*docTree)(nil)
	_ Locator  = (*docTree)(nil)
)

func (d *docTree) add(n doctree.Node) Node {
	if n.IsZero() {
		return NoNode
	}
	d.nodes = append(d.nodes, n)
	return Node(len(d.nodes) - 1)
}

func (d *docTree) Root() Node { return 0 }

func (d *docTree) FirstChild(parent Node, name string) Node {
	return d.add(d.nodes[parent].FirstNamed(name))
}

func (d *docTree) NextNamed(n Node) Node { return d.add(d.nodes[n].NextNamed()) }

func (d *docTree) Text(n Node) []byte { return d.nodes[n].Bytes() }

func (d *docTree) Navigator(n Node) xpath.NodeNavigator { return d.nodes[n].Navigator() }

func (d *docTree) NodeOf(nav xpath.NodeNavigator) Node {
	if tn, ok := nav.(*doctree.TreeNavigator); ok {
		return d.add(tn.Current())
	}
	return NoNode
}

func (d *docTree) ChildText(parent Node, name string) ([]byte, bool) {
	c := d.nodes[parent].FirstNamed(name)
	if c.IsZero() {
		return nil, false
	}
	return c.Bytes(), true
}

func (d *docTree) ChildEquals(parent Node, name, lit string) bool {
	for c := d.nodes[parent].FirstNamed(name); !c.IsZero(); c = c.NextNamed() {
		if c.Equal(lit) {
			return true
		}
	}
	return false
}

func (d *docTree) Locate(n Node) (line, segment, element int) {
	return sourcePos(d.nodes[n].Source())
}

func sourcePos(s doctree.Source) (line, segment, element int) {
	if s.Format == doctree.FormatCSV {
		return s.Line, 0, s.ColumnIndex
	}
	return s.Line, s.SegmentIndex, s.Element
}
