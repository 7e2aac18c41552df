package option

import (
	"fmt"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/b2bgw/b2bgw/internal/yamlpos"
)

// nodeKind is the shape of a YAML value.
type nodeKind int

const (
	nullNode nodeKind = iota
	scalarNode
	mapNode
	seqNode
)

// node is a YAML value with its position, independent of the parser's AST
// types. Scalars keep their text exactly as written (quotes removed).
type node struct {
	kind      nodeKind
	text      string
	line, col int
	keys      []*node // mapNode: keys (scalars), parallel to vals
	vals      []*node
	items     []*node // seqNode
}

func (n *node) describe() string {
	switch n.kind {
	case nullNode:
		return "nothing"
	case mapNode:
		return "a mapping"
	case seqNode:
		return "a list"
	}
	return fmt.Sprintf("%q", n.text)
}

// parse reads a single-document YAML file into a node tree. A file that is
// empty or only comments is an empty mapping.
func parse(file string, data []byte) (*node, Problems) {
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		msg, p := yamlpos.SyntaxError(err)
		return nil, Problems{{File: file, Line: p.Line, Col: p.Column, Msg: "not valid YAML: " + msg}}
	}
	var docs []*ast.DocumentNode
	for _, d := range f.Docs {
		if d != nil && d.Body != nil {
			docs = append(docs, d)
		}
	}
	switch len(docs) {
	case 0:
		return &node{kind: mapNode, line: 1, col: 1}, nil
	case 1:
	default:
		return nil, Problems{{File: file, Line: 1, Col: 1, Msg: fmt.Sprintf("holds %d YAML documents (--- separators); write one file per document", len(docs))}}
	}
	c := converter{file: file}
	n := c.convert(docs[0].Body)
	return n, c.probs
}

type converter struct {
	file  string
	probs Problems
}

func pos(n ast.Node) (int, int) {
	if n == nil {
		return 0, 0
	}
	if tk := n.GetToken(); tk != nil && tk.Position != nil {
		return tk.Position.Line, tk.Position.Column
	}
	return 0, 0
}

func (c *converter) convert(n ast.Node) *node {
	line, col := pos(n)
	switch t := n.(type) {
	case nil:
		return &node{kind: nullNode}
	case *ast.NullNode:
		return &node{kind: nullNode, line: line, col: col}
	case *ast.TagNode:
		return c.convert(t.Value)
	case *ast.AnchorNode:
		return c.convert(t.Value)
	case *ast.AliasNode:
		c.probs = append(c.probs, Problem{File: c.file, Line: line, Col: col,
			Msg: "YAML aliases (*name) are not supported here; write the value out"})
		return &node{kind: nullNode, line: line, col: col}
	case *ast.StringNode:
		return &node{kind: scalarNode, text: t.Value, line: line, col: col}
	case *ast.LiteralNode:
		return &node{kind: scalarNode, text: t.Value.Value, line: line, col: col}
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		return &node{kind: scalarNode, text: t.GetToken().Value, line: line, col: col}
	case *ast.MappingNode:
		out := &node{kind: mapNode, line: line, col: col}
		if len(t.Values) > 0 && !t.IsFlowStyle {
			out.line, out.col = pos(t.Values[0].Key)
		}
		for _, mv := range t.Values {
			c.pair(out, mv)
		}
		return out
	case *ast.MappingValueNode:
		out := &node{kind: mapNode}
		out.line, out.col = pos(t.Key)
		c.pair(out, t)
		return out
	case *ast.SequenceNode:
		out := &node{kind: seqNode, line: line, col: col}
		if len(t.Values) > 0 && !t.IsFlowStyle {
			out.line, out.col = pos(t.Values[0])
		}
		for _, v := range t.Values {
			out.items = append(out.items, c.convert(v))
		}
		return out
	}
	c.probs = append(c.probs, Problem{File: c.file, Line: line, Col: col,
		Msg: fmt.Sprintf("unsupported YAML construct %s", n.Type())})
	return &node{kind: nullNode, line: line, col: col}
}

func (c *converter) pair(out *node, mv *ast.MappingValueNode) {
	line, col := pos(mv.Key)
	var key *node
	switch k := mv.Key.(type) {
	case *ast.MergeKeyNode:
		c.probs = append(c.probs, Problem{File: c.file, Line: line, Col: col,
			Msg: "YAML merge keys (<<) are not supported here; write the keys out"})
		return
	case *ast.MappingKeyNode:
		c.probs = append(c.probs, Problem{File: c.file, Line: line, Col: col,
			Msg: "complex keys (? key) are not supported; write a plain key"})
		return
	default:
		key = c.convert(k)
	}
	if key.kind != scalarNode {
		c.probs = append(c.probs, Problem{File: c.file, Line: line, Col: col,
			Msg: fmt.Sprintf("a key must be a plain value, not %s", key.describe())})
		return
	}
	for _, prev := range out.keys {
		if prev.text == key.text {
			c.probs = append(c.probs, Problem{File: c.file, Line: line, Col: col,
				Msg: fmt.Sprintf("key %q is repeated (first at line %d); keep one", key.text, prev.line)})
			return
		}
	}
	val := c.convert(mv.Value)
	if val.kind == nullNode && val.line == 0 {
		val.line, val.col = line, col
	}
	out.keys = append(out.keys, key)
	out.vals = append(out.vals, val)
}
