package doctree

import (
	"io"

	"github.com/antchfx/xmlquery"
	"github.com/antchfx/xpath"
)

// XMLDocument is a partner's XML document, parsed by antchfx/xmlquery with
// line numbers. The mapping engine evaluates the same XPath over it as over
// X12 and CSV trees; the direct Node API does not apply to XML.
type XMLDocument struct {
	root *xmlquery.Node
}

var (
	_ Navigator = (*XMLNavigator)(nil)
	_ Document  = (*XMLDocument)(nil)
)

// FromXML parses an XML document.
func FromXML(r io.Reader) (*XMLDocument, error) {
	root, err := xmlquery.ParseWithOptions(r, xmlquery.ParserOptions{WithLineNumbers: true})
	if err != nil {
		return nil, err
	}
	return &XMLDocument{root: root}, nil
}

// NewXMLDocument wraps a document the caller has already parsed (its
// document node, or any node to use as the root).
func NewXMLDocument(root *xmlquery.Node) *XMLDocument { return &XMLDocument{root: root} }

// Root returns the xmlquery document node.
func (d *XMLDocument) Root() *xmlquery.Node { return d.root }

// Format returns FormatXML.
func (d *XMLDocument) Format() Format { return FormatXML }

// Navigator returns a navigator on the document's root element, like the
// trees' navigators, so relative expressions are written the same way for
// every format (Order/Number rather than /Order/Number). A document
// without an element leaves it on the document node.
func (d *XMLDocument) Navigator() Navigator {
	nav := &XMLNavigator{nav: xmlquery.CreateXPathNavigator(d.root)}
	start := nav.nav.Copy()
	for ok := start.MoveToChild(); ok; ok = start.MoveToNext() {
		if start.NodeType() == xpath.ElementNode {
			nav.nav.MoveTo(start)
			break
		}
	}
	return nav
}

// XMLNavigator is xmlquery's navigator with Source added. It wraps rather
// than embeds so that Copy and MoveTo keep working with the wrapper
// (xpath hands Copy's results back to MoveTo).
type XMLNavigator struct {
	nav *xmlquery.NodeNavigator
}

// Current returns the xmlquery node the navigator is on.
func (x *XMLNavigator) Current() *xmlquery.Node { return x.nav.Current() }

// Source returns the current node's name and line (the line where the
// element starts; its owner element's line for an attribute or text).
func (x *XMLNavigator) Source() Source {
	s := Source{Format: FormatXML, Name: x.nav.LocalName()}
	if x.nav.NodeType() == xpath.TextNode || x.nav.NodeType() == xpath.RootNode {
		s.Name = ""
	}
	for n := x.nav.Current(); n != nil && s.Line == 0; n = n.Parent {
		s.Line = n.LineNumber
	}
	return s
}

// The methods below implement xpath.NodeNavigator by delegation;
// NamespaceURL lets xpath match namespace-qualified names.

func (x *XMLNavigator) NodeType() xpath.NodeType  { return x.nav.NodeType() }
func (x *XMLNavigator) LocalName() string         { return x.nav.LocalName() }
func (x *XMLNavigator) Prefix() string            { return x.nav.Prefix() }
func (x *XMLNavigator) NamespaceURL() string      { return x.nav.NamespaceURL() }
func (x *XMLNavigator) Value() string             { return x.nav.Value() }
func (x *XMLNavigator) MoveToRoot()               { x.nav.MoveToRoot() }
func (x *XMLNavigator) MoveToParent() bool        { return x.nav.MoveToParent() }
func (x *XMLNavigator) MoveToNextAttribute() bool { return x.nav.MoveToNextAttribute() }
func (x *XMLNavigator) MoveToChild() bool         { return x.nav.MoveToChild() }
func (x *XMLNavigator) MoveToFirst() bool         { return x.nav.MoveToFirst() }
func (x *XMLNavigator) MoveToNext() bool          { return x.nav.MoveToNext() }
func (x *XMLNavigator) MoveToPrevious() bool      { return x.nav.MoveToPrevious() }
func (x *XMLNavigator) String() string            { return x.nav.Value() }
func (x *XMLNavigator) Copy() xpath.NodeNavigator {
	return &XMLNavigator{nav: x.nav.Copy().(*xmlquery.NodeNavigator)}
}
func (x *XMLNavigator) MoveTo(o xpath.NodeNavigator) bool {
	if w, ok := o.(*XMLNavigator); ok {
		return x.nav.MoveTo(w.nav)
	}
	return false
}
