package translate

import (
	"github.com/antchfx/xpath"

	"github.com/b2bgw/b2bgw/internal/mapping"
)

// recordTree presents one record of a file (a CSV row) as a document: the
// mapping's top-level fields are evaluated with the record as the context
// node, so a catalog mapping says item_code, not Row/item_code. Everything
// else is the file's tree.
type recordTree struct {
	mapping.Tree
	root mapping.Node
}

func (r recordTree) Root() mapping.Node { return r.root }

// ChildText and ChildEquals keep the file tree's leaf shortcut (or give the
// plain answer when it has none).
func (r recordTree) ChildText(parent mapping.Node, name string) ([]byte, bool) {
	if lt, ok := r.Tree.(mapping.LeafTree); ok {
		return lt.ChildText(parent, name)
	}
	n := r.Tree.FirstChild(parent, name)
	if n == mapping.NoNode {
		return nil, false
	}
	return r.Tree.Text(n), true
}

func (r recordTree) ChildEquals(parent mapping.Node, name, lit string) bool {
	if lt, ok := r.Tree.(mapping.LeafTree); ok {
		return lt.ChildEquals(parent, name, lit)
	}
	for n := r.Tree.FirstChild(parent, name); n != mapping.NoNode; n = r.Tree.NextNamed(n) {
		if string(r.Tree.Text(n)) == lit {
			return true
		}
	}
	return false
}

// Locate keeps error and trace positions (the row's line, the column).
func (r recordTree) Locate(n mapping.Node) (line, segment, element int) {
	if l, ok := r.Tree.(mapping.Locator); ok {
		return l.Locate(n)
	}
	return 0, 0, 0
}

func (r recordTree) Navigator(n mapping.Node) xpath.NodeNavigator { return r.Tree.Navigator(n) }

// records splits a CSV tree (Rows/Row) into one tree per row.
func records(t mapping.Tree) []mapping.Tree {
	var out []mapping.Tree
	for n := t.FirstChild(t.Root(), "Row"); n != mapping.NoNode; n = t.NextNamed(n) {
		out = append(out, recordTree{Tree: t, root: n})
	}
	return out
}

// perRecord reports whether documents of target are one per record of a
// file rather than one per file. A supplier catalog is a list of items,
// each its own CatalogItem; a CSV order file is one order.
func perRecord(target string) bool { return target == "CatalogItem" }

// ParseRecords is a mapping.Parser for CSV inputs whose mapping makes one
// document per row: the tests of such mappings use it.
func ParseRecords(_ string, data []byte) ([]mapping.Tree, error) {
	t, err := mapping.ParseCSV(data)
	if err != nil {
		return nil, err
	}
	return records(t), nil
}
