// Package doctree presents a parsed X12 transaction set, a CSV file or an
// XML document as a read-only tree that XPath (github.com/antchfx/xpath)
// evaluates over, so that mappings are written in one language whatever
// the partner sends.
//
// The X12 tree is not a copy: a TreeNavigator walks the set's parsed
// segments directly. Only the document, root, loop and segment nodes are
// stored (one array per set); elements, repetitions and components are
// found in the segment's bytes when a step reaches them.
//
// # Tree shape (the contract mappings are written against)
//
//		TransactionSet  @id @control @version   (ST01, ST02, GS08 base version)
//		├── ST
//		├── BEG
//		│   ├── BEG01 … BEG05                   element = tag + 2-digit position
//		├── N1Loop                              loop = spec loop id + "Loop"
//		│   ├── N1 ── N101, N102 …
//		│   └── N3, N4 …
//		├── PO1Loop
//		│   ├── PO1 ── PO101 … PO103 ── PO103_01, PO103_02   composite components
//		│   └── PIDLoop ── PID …
//		├── CTTLoop …
//		└── SE
//
//	  - Loops come from the spec (spec.TransactionSet.Structure), assigned by
//	    the validator's forward walk; see FromSet. Without a spec the tree is
//	    flat: every segment under the root.
//	  - HL loops are nested by HL02 (the parent's HL01), not by order: an
//	    HLLoop holds its own segments, then the HLLoops that name it as parent.
//	    An HL whose parent is missing stays at the top level.
//	  - Empty or absent elements and components have no node: BEG04 does not
//	    exist in BEG*00*SA*PO1**20251126, so not(BEG/BEG04) is true.
//	  - A composite element (it holds the component separator, or the spec
//	    says the position is a composite) has children PO103_01, PO103_02 …;
//	    its string value is the raw element text ("EA>6").
//	  - A repeated element (005010 repetition separator) is several sibling
//	    elements with the same name, one per non-empty repetition.
//	  - Simple elements, components and CSV cells have a text child, so
//	    BEG03/text() works as it does in XML.
//	  - String values: leaves are their text; a segment is its raw text
//	    without terminator; loops and the root are their segments' text.
//
// CSV files (FromCSV) become Rows/Row elements with one child per
// non-empty field, named by the normalized column header; XML documents
// (FromXML) are antchfx/xmlquery trees. All three give a Navigator (an
// xpath.NodeNavigator with Source), so the mapping engine treats them
// alike, and every node can say where it came from (Source: segment
// position, element and component; CSV line and column; XML line).
//
// # Direct API (the mapping compiler's fast path)
//
// Most mapping expressions are simple child steps, equality predicates on
// an element value and positional picks. The mapping compiler can
// translate those into calls on Node, which cost no allocation:
//
//	// N1Loop[N1/N101='ST']/N1/N102
//	for l := root.FirstNamed("N1Loop"); !l.IsZero(); l = l.NextNamed() {
//		n1 := l.FirstNamed("N1")
//		if n1.FirstNamed("N101").Equal("ST") {
//			name := n1.FirstNamed("N102").Bytes()
//			...
//		}
//	}
//	// PO1Loop[2]/PO1/PO107
//	root.Child("PO1Loop", 2).FirstNamed("PO1").Elem(7)
//
// A missing step yields the zero Node, and every method of the zero Node
// returns another zero Node or an empty value, so chains need no checks.
// On a segment, FirstNamed("PO102") jumps to element 2 without scanning
// its siblings. Node.Navigator hands a node to XPath for the rest.
package doctree
