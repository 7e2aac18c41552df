package mapping

import (
	"github.com/b2bgw/b2bgw/internal/doctree"
)

// FromDocument adapts a parsed input from internal/doctree: X12 sets and
// CSV files get the tree's own handle view, XML documents the navigator
// adapter.
func FromDocument(doc doctree.Document) Tree {
	if t, ok := doc.(*doctree.Tree); ok {
		return DocTree(t)
	}
	return FromNavigator(doc.Navigator())
}

// DocTree returns an X12 or CSV document tree as a Tree. It costs nothing:
// *doctree.Handles is the tree itself seen through int32 handles (stored
// node indexes for loops, segments and rows; element, component and cell
// coordinates packed into the handle), so a fast-path step is an array
// lookup and X12 leaf values are read as slices of the segment bytes, with
// no copy and no allocation.
func DocTree(t *doctree.Tree) Tree { return t.Handles() }

// *doctree.Handles implements the fast path's interfaces without importing
// this package: Node is an alias of int32.
var (
	_ Tree      = (*doctree.Handles)(nil)
	_ LeafTree  = (*doctree.Handles)(nil)
	_ Locator   = (*doctree.Handles)(nil)
	_ NameTree  = (*doctree.Handles)(nil)
	_ Name2Tree = (*doctree.Handles)(nil)
)

func sourcePos(s doctree.Source) (line, segment, element int) {
	if s.Format == doctree.FormatCSV {
		return s.Line, 0, s.ColumnIndex
	}
	return s.Line, s.SegmentIndex, s.Element
}
