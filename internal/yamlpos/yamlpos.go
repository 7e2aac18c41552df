// Package yamlpos reads YAML files through goccy/go-yaml's AST rather than
// yaml.Unmarshal so that every value keeps the line and column it was
// written at: a wrong reference found long after decoding (while resolving
// a spec, checking an overlay against a directory) must still point the
// analyst at the exact place in the file.
//
// A Reader collects every problem of one file, as *Error values of the form
// file:line:col: message, so that an analyst sees all of them in one run
// instead of fixing them one at a time.
package yamlpos

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// Error is one problem in a YAML file, at a position.
type Error struct {
	File   string // the file's name as the caller knows it, e.g. "004010/segments.yaml"
	Line   int    // 1-based; 0 when the problem concerns the whole file
	Column int    // 1-based; 0 when unknown
	Msg    string // what is wrong and, where it helps, what to do
}

func (e *Error) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
}

// Pos is a line and column (1-based; zero when unknown).
type Pos struct{ Line, Column int }

// PosOf returns where a node is written. A block mapping's position is that
// of its first key (the parser's own token for it is the ':' of the first
// entry), and a key: value entry's is that of its key.
func PosOf(n ast.Node) Pos {
	switch t := n.(type) {
	case nil:
		return Pos{}
	case *ast.MappingNode:
		if len(t.Values) > 0 && !t.IsFlowStyle {
			return PosOf(t.Values[0].Key)
		}
	case *ast.MappingValueNode:
		return PosOf(t.Key)
	}
	if tk := n.GetToken(); tk != nil && tk.Position != nil {
		return Pos{tk.Position.Line, tk.Position.Column}
	}
	return Pos{}
}

// SyntaxError splits an error from goccy/go-yaml's parser or decoder into
// its message and the position it names; an error of another kind is its
// whole text at no position.
func SyntaxError(err error) (msg string, p Pos) {
	var ye yaml.Error
	if errors.As(err, &ye) {
		msg = ye.GetMessage()
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			p = Pos{tk.Position.Line, tk.Position.Column}
		}
		return msg, p
	}
	return err.Error(), Pos{}
}

// Unwrap looks through tags and anchors, which carry no meaning here.
func Unwrap(n ast.Node) ast.Node {
	for {
		switch t := n.(type) {
		case *ast.TagNode:
			n = t.Value
		case *ast.AnchorNode:
			n = t.Value
		default:
			return n
		}
	}
}

// Pair is one key: value entry of a mapping.
type Pair struct {
	Key     string   // the key as written (quotes removed)
	KeyNode ast.Node // where the key is written
	Value   ast.Node
}

// Reader reads the nodes of one file and collects its problems. The zero
// value with File set is ready to use.
type Reader struct {
	File string  // names the file in every Error
	Errs []error // the problems found so far (*Error), in the order found
}

// Errorf records a problem at node n (at no position when n is nil).
func (r *Reader) Errorf(n ast.Node, format string, args ...any) {
	r.ErrorAt(PosOf(n), format, args...)
}

// ErrorAt records a problem at a position.
func (r *Reader) ErrorAt(p Pos, format string, args ...any) {
	r.Errs = append(r.Errs, &Error{File: r.File, Line: p.Line, Column: p.Column, Msg: fmt.Sprintf(format, args...)})
}

// Parse returns the body of the file's single document (nil for an empty
// file), and false (with an error recorded) when the file is not YAML or
// holds more than one document.
func (r *Reader) Parse(data []byte) (ast.Node, bool) {
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		msg, p := SyntaxError(err)
		r.ErrorAt(p, "not valid YAML: %s", msg)
		return nil, false
	}
	switch len(file.Docs) {
	case 0:
		return nil, true
	case 1:
		return Unwrap(file.Docs[0].Body), true
	}
	r.ErrorAt(Pos{}, "holds %d YAML documents; write exactly one", len(file.Docs))
	return nil, false
}

// Mapping returns the entries of a mapping node in file order. A null or
// absent node is an empty mapping. Duplicate keys are errors: YAML readers
// disagree on which one wins. what names the node in messages.
func (r *Reader) Mapping(n ast.Node, what string) []Pair {
	n = Unwrap(n)
	var values []*ast.MappingValueNode
	switch t := n.(type) {
	case nil, *ast.NullNode:
		return nil
	case *ast.MappingNode:
		values = t.Values
	case *ast.MappingValueNode:
		values = []*ast.MappingValueNode{t}
	default:
		r.Errorf(n, "%s must be a mapping (key: value), found %s", what, n.Type())
		return nil
	}
	seen := make(map[string]bool, len(values))
	out := make([]Pair, 0, len(values))
	for _, mv := range values {
		k, ok := r.Scalar(mv.Key, "a key of "+what)
		if !ok {
			continue
		}
		if seen[k] {
			r.Errorf(mv.Key, "duplicate key %q in %s", k, what)
			continue
		}
		seen[k] = true
		out = append(out, Pair{Key: k, KeyNode: mv.Key, Value: mv.Value})
	}
	return out
}

// Sequence returns the items of a sequence node; null is empty.
func (r *Reader) Sequence(n ast.Node, what string) []ast.Node {
	n = Unwrap(n)
	switch t := n.(type) {
	case nil, *ast.NullNode:
		return nil
	case *ast.SequenceNode:
		return t.Values
	default:
		r.Errorf(n, "%s must be a list, found %s", what, n.Type())
		return nil
	}
}

// Scalar returns a scalar exactly as written (quotes removed): ids and codes
// such as 00 or 010 must not pass through YAML's number typing.
func (r *Reader) Scalar(n ast.Node, what string) (string, bool) {
	n = Unwrap(n)
	switch t := n.(type) {
	case *ast.StringNode:
		return t.Value, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		return t.GetToken().Value, true
	case nil:
		r.Errorf(nil, "%s is missing", what)
	case *ast.NullNode:
		r.Errorf(n, "%s is empty", what)
	default:
		r.Errorf(n, "%s must be a single value, found %s", what, n.Type())
	}
	return "", false
}

// Integer reads a non-negative decimal integer.
func (r *Reader) Integer(n ast.Node, what string) (int, bool) {
	s, ok := r.Scalar(n, what)
	if !ok {
		return 0, false
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < 0 {
		r.Errorf(n, "%s must be a non-negative integer, found %q", what, s)
		return 0, false
	}
	return v, true
}

// Fields returns a mapping's entries by key, checking the keys against the
// allowed ones so that a typo such as "usgae" is reported rather than
// silently ignored.
func (r *Reader) Fields(n ast.Node, what string, allowed ...string) map[string]Pair {
	out := make(map[string]Pair)
	for _, p := range r.Mapping(n, what) {
		known := false
		for _, a := range allowed {
			if p.Key == a {
				known = true
				break
			}
		}
		if !known {
			r.Errorf(p.KeyNode, "unknown key %q in %s (allowed: %v)", p.Key, what, allowed)
			continue
		}
		out[p.Key] = p
	}
	return out
}
