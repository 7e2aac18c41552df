package spec

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// The spec files are read through goccy/go-yaml's AST rather than
// yaml.Unmarshal so that every fact keeps the line and column it was written
// at: a wrong reference found while resolving (long after decoding) must
// still point the analyst at the exact place in the file.

// LoadError is one problem in a spec file, at a position.
type LoadError struct {
	File   string // path within the loaded fs.FS, e.g. "D96A/segments.yaml"
	Line   int    // 1-based; 0 when the problem concerns the whole file
	Column int    // 1-based; 0 when unknown
	Msg    string // what is wrong and, where it helps, what to do
}

func (e *LoadError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
}

// fileReader collects the errors of one file so that an analyst sees all of
// them in one run instead of fixing them one at a time.
type fileReader struct {
	name string
	errs *[]error
}

func (f *fileReader) errorf(n ast.Node, format string, args ...any) {
	p := posOf(n)
	*f.errs = append(*f.errs, &LoadError{File: f.name, Line: p.line, Column: p.col, Msg: fmt.Sprintf(format, args...)})
}

// parse returns the body of the file's single document (nil for an empty
// file), and false (with an error recorded) when the file is not YAML.
func (f *fileReader) parse(data []byte) (ast.Node, bool) {
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		e := &LoadError{File: f.name, Msg: "not valid YAML: " + err.Error()}
		var yerr yaml.Error
		if errors.As(err, &yerr) {
			e.Msg = "not valid YAML: " + yerr.GetMessage()
			if tk := yerr.GetToken(); tk != nil && tk.Position != nil {
				e.Line, e.Column = tk.Position.Line, tk.Position.Column
			}
		}
		*f.errs = append(*f.errs, e)
		return nil, false
	}
	switch len(file.Docs) {
	case 0:
		return nil, true
	case 1:
		return unwrap(file.Docs[0].Body), true
	}
	*f.errs = append(*f.errs, &LoadError{File: f.name, Msg: fmt.Sprintf("holds %d YAML documents; write exactly one", len(file.Docs))})
	return nil, false
}

// unwrap looks through tags and anchors, which carry no meaning here.
func unwrap(n ast.Node) ast.Node {
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

// pair is one key: value entry of a mapping.
type pair struct {
	key     string
	keyNode ast.Node
	value   ast.Node
}

// mapping returns the entries of a mapping node in file order. A null or
// absent node is an empty mapping. Duplicate keys are errors: YAML readers
// disagree on which one wins.
func (f *fileReader) mapping(n ast.Node, what string) []pair {
	n = unwrap(n)
	var values []*ast.MappingValueNode
	switch t := n.(type) {
	case nil, *ast.NullNode:
		return nil
	case *ast.MappingNode:
		values = t.Values
	case *ast.MappingValueNode:
		values = []*ast.MappingValueNode{t}
	default:
		f.errorf(n, "%s must be a mapping (key: value), found %s", what, n.Type())
		return nil
	}
	seen := make(map[string]bool, len(values))
	out := make([]pair, 0, len(values))
	for _, mv := range values {
		k, ok := f.scalar(mv.Key, "a key of "+what)
		if !ok {
			continue
		}
		if seen[k] {
			f.errorf(mv.Key, "duplicate key %q in %s", k, what)
			continue
		}
		seen[k] = true
		out = append(out, pair{key: k, keyNode: mv.Key, value: mv.Value})
	}
	return out
}

// sequence returns the items of a sequence node; null is empty.
func (f *fileReader) sequence(n ast.Node, what string) []ast.Node {
	n = unwrap(n)
	switch t := n.(type) {
	case nil, *ast.NullNode:
		return nil
	case *ast.SequenceNode:
		return t.Values
	default:
		f.errorf(n, "%s must be a list, found %s", what, n.Type())
		return nil
	}
}

// scalar returns a scalar exactly as written (quotes removed): ids and codes
// such as 00 or 010 must not pass through YAML's number typing.
func (f *fileReader) scalar(n ast.Node, what string) (string, bool) {
	n = unwrap(n)
	switch t := n.(type) {
	case *ast.StringNode:
		return t.Value, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		return t.GetToken().Value, true
	case nil:
		f.errorf(nil, "%s is missing", what)
	case *ast.NullNode:
		f.errorf(n, "%s is empty", what)
	default:
		f.errorf(n, "%s must be a single value, found %s", what, n.Type())
	}
	return "", false
}

// integer reads a non-negative decimal integer.
func (f *fileReader) integer(n ast.Node, what string) (int, bool) {
	s, ok := f.scalar(n, what)
	if !ok {
		return 0, false
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < 0 {
		f.errorf(n, "%s must be a non-negative integer, found %q", what, s)
		return 0, false
	}
	return v, true
}

// fields checks a mapping's keys against the allowed ones, so that a typo
// such as "usgae" is reported rather than silently ignored.
func (f *fileReader) fields(n ast.Node, what string, allowed ...string) map[string]pair {
	out := make(map[string]pair)
	for _, p := range f.mapping(n, what) {
		known := false
		for _, a := range allowed {
			if p.key == a {
				known = true
				break
			}
		}
		if !known {
			f.errorf(p.keyNode, "unknown key %q in %s (allowed: %v)", p.key, what, allowed)
			continue
		}
		out[p.key] = p
	}
	return out
}

// srcPos is a node's line and column (1-based; zero when unknown).
type srcPos struct{ line, col int }

func posOf(n ast.Node) srcPos {
	// A block mapping's own token is the ':' of its first entry; the
	// analyst expects the start of the entry, i.e. its first key.
	switch t := n.(type) {
	case nil:
		return srcPos{}
	case *ast.MappingNode:
		if len(t.Values) > 0 && !t.IsFlowStyle {
			return posOf(t.Values[0].Key)
		}
	case *ast.MappingValueNode:
		return posOf(t.Key)
	}
	if tk := n.GetToken(); tk != nil && tk.Position != nil {
		return srcPos{tk.Position.Line, tk.Position.Column}
	}
	return srcPos{}
}

func (f *fileReader) errorAt(p srcPos, format string, args ...any) {
	*f.errs = append(*f.errs, &LoadError{File: f.name, Line: p.line, Column: p.col, Msg: fmt.Sprintf(format, args...)})
}
