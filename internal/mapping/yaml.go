package mapping

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// Mapping files are read through goccy/go-yaml's AST rather than
// yaml.Unmarshal so every key and value keeps its line and column: a
// problem found while compiling (an XPath that does not parse, a code list
// that does not exist) must still point the analyst at the exact place.

// LoadError is one problem in a mapping, template or code-list file.
type LoadError struct {
	File   string
	Line   int // 1-based; 0 when the whole file is concerned
	Column int // 1-based; 0 when unknown
	Msg    string
}

func (e *LoadError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
}

// LoadErrors is every problem found in one load, in file order, so an
// analyst fixes them in one round instead of one per run.
type LoadErrors []*LoadError

func (es LoadErrors) Error() string {
	var b strings.Builder
	for i, e := range es {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Unwrap lets errors.As find the individual *LoadError values.
func (es LoadErrors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// diag collects errors across every file of one load.
type diag struct {
	errs LoadErrors
}

func (d *diag) at(file string, n ast.Node, format string, args ...any) {
	line, col := nodePos(n)
	d.errs = append(d.errs, &LoadError{File: file, Line: line, Column: col, Msg: fmt.Sprintf(format, args...)})
}

func (d *diag) err() error {
	if len(d.errs) == 0 {
		return nil
	}
	sort.SliceStable(d.errs, func(i, j int) bool {
		a, b := d.errs[i], d.errs[j]
		if a.File != b.File {
			return false // keep the order files were read in
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	return d.errs
}

func nodePos(n ast.Node) (line, col int) {
	if n == nil {
		return 0, 0
	}
	if mv, ok := n.(*ast.MappingValueNode); ok {
		n = mv.Key
	}
	if m, ok := n.(*ast.MappingNode); ok && len(m.Values) > 0 && !m.IsFlowStyle {
		n = m.Values[0].Key
	}
	tk := n.GetToken()
	if tk == nil || tk.Position == nil {
		return 0, 0
	}
	return tk.Position.Line, tk.Position.Column
}

// parseYAML returns the body of the single document in data.
func parseYAML(d *diag, file string, data []byte) (ast.Node, bool) {
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		e := &LoadError{File: file, Msg: "not valid YAML: " + err.Error()}
		var yerr yaml.Error
		if errors.As(err, &yerr) {
			e.Msg = "not valid YAML: " + yerr.GetMessage()
			if tk := yerr.GetToken(); tk != nil && tk.Position != nil {
				e.Line, e.Column = tk.Position.Line, tk.Position.Column
			}
		}
		d.errs = append(d.errs, e)
		return nil, false
	}
	if len(f.Docs) != 1 {
		d.errs = append(d.errs, &LoadError{File: file, Msg: fmt.Sprintf("holds %d YAML documents; write exactly one", len(f.Docs))})
		return nil, false
	}
	return unwrap(f.Docs[0].Body), true
}

// unwrap looks through tags and anchors, which carry no meaning here.
func unwrap(n ast.Node) ast.Node {
	for {
		switch t := n.(type) {
		case *ast.TagNode:
			n = t.Value
		case *ast.AnchorNode:
			n = t.Value
		case *ast.AliasNode:
			// An alias points at a node defined earlier in the same file;
			// goccy resolves it for us only through Unmarshal, so aliases
			// are refused by the callers that see them.
			return n
		default:
			return n
		}
	}
}

// entry is one key: value of a YAML mapping, remembering its file so that
// after `extends` merged two files every key still reports its own place.
type entry struct {
	key  string
	keyN ast.Node
	val  ast.Node
	file string
}

// entries returns the pairs of a mapping node in order, checking keys
// against decls (nil decls: any key). Duplicates and unknown keys are
// reported; the returned slice holds only the good entries.
func entries(d *diag, file string, n ast.Node, what string, decls []keyDecl) ([]*entry, bool) {
	n = unwrap(n)
	var values []*ast.MappingValueNode
	switch t := n.(type) {
	case nil, *ast.NullNode:
		return nil, true
	case *ast.MappingNode:
		values = t.Values
	case *ast.MappingValueNode:
		values = []*ast.MappingValueNode{t}
	default:
		d.at(file, n, "%s must be a mapping (key: value), found %s", what, kindName(n))
		return nil, false
	}
	seen := map[string]bool{}
	out := make([]*entry, 0, len(values))
	for _, mv := range values {
		if _, ok := mv.Key.(*ast.MergeKeyNode); ok {
			d.at(file, mv.Key, "YAML merge keys (<<) are not supported in %s; use extends", what)
			continue
		}
		k, ok := scalarText(mv.Key)
		if !ok {
			d.at(file, mv.Key, "a key of %s must be a plain value", what)
			continue
		}
		if seen[k] {
			d.at(file, mv.Key, "duplicate key %q in %s", k, what)
			continue
		}
		seen[k] = true
		if decls != nil && findDecl(decls, k) == nil {
			msg := fmt.Sprintf("unknown key %q in %s", k, what)
			if s := suggest(k, keyNames(decls)); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			} else {
				msg += "; known keys: " + strings.Join(keyNames(decls), ", ")
			}
			d.at(file, mv.Key, "%s", msg)
			continue
		}
		out = append(out, &entry{key: k, keyN: mv.Key, val: mv.Value, file: file})
	}
	return out, true
}

// scalarText returns a scalar exactly as written (quotes removed): codes
// such as 00 or 010 must not pass through YAML's number typing.
func scalarText(n ast.Node) (string, bool) {
	n = unwrap(n)
	switch t := n.(type) {
	case *ast.StringNode:
		return t.Value, true
	case *ast.LiteralNode:
		return t.Value.Value, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		return t.GetToken().Value, true
	}
	return "", false
}

func kindName(n ast.Node) string {
	switch unwrap(n).(type) {
	case nil, *ast.NullNode:
		return "nothing"
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.AliasNode:
		return "an alias (aliases are not supported)"
	}
	return "a plain value"
}

// text reads e's value as text.
func (e *entry) text(d *diag) (string, bool) {
	s, ok := scalarText(e.val)
	if !ok {
		d.at(e.file, e.val, "%s must be a plain value, found %s", e.key, kindName(e.val))
	}
	return s, ok
}

func (e *entry) boolean(d *diag) (bool, bool) {
	if b, ok := unwrap(e.val).(*ast.BoolNode); ok {
		return b.Value, true
	}
	d.at(e.file, e.val, "%s must be true or false", e.key)
	return false, false
}

func (e *entry) integer(d *diag) (int, bool) {
	if n, ok := unwrap(e.val).(*ast.IntegerNode); ok {
		switch v := n.Value.(type) {
		case int64:
			return int(v), true
		case uint64:
			if v < 1<<31 {
				return int(v), true
			}
		}
	}
	d.at(e.file, e.val, "%s must be a whole number", e.key)
	return 0, false
}

// scalarValue turns a YAML scalar into an output Value keeping its YAML
// type: const: 3 is the number 3, const: "3" the string. A YAML number that
// is not a valid JSON number (010, 0x1F, .5) stays a string exactly as
// written rather than being silently re-spelled.
func scalarValue(d *diag, e *entry, n ast.Node) (Value, bool) {
	n = unwrap(n)
	switch t := n.(type) {
	case *ast.NullNode:
		return Value{}, true
	case *ast.BoolNode:
		return Boolean(t.Value), true
	case *ast.IntegerNode, *ast.FloatNode:
		s := t.GetToken().Value
		if normalized, ok := jsonNumber(s); ok && normalized == s {
			return Num(s), true
		}
		return Str(s), true
	case *ast.StringNode:
		return Str(t.Value), true
	case *ast.LiteralNode:
		return Str(t.Value.Value), true
	case *ast.InfinityNode, *ast.NanNode:
		return Str(t.GetToken().Value), true
	}
	d.at(e.file, n, "%s must be a plain value, found %s", e.key, kindName(n))
	return Value{}, false
}

// texts reads a scalar or a list of scalars.
func (e *entry) texts(d *diag) ([]string, bool) {
	if s, ok := scalarText(e.val); ok {
		return []string{s}, true
	}
	seq, ok := unwrap(e.val).(*ast.SequenceNode)
	if !ok {
		d.at(e.file, e.val, "%s must be a value or a list of values", e.key)
		return nil, false
	}
	var out []string
	for _, it := range seq.Values {
		s, ok := scalarText(it)
		if !ok {
			d.at(e.file, it, "each %s must be a plain value", e.key)
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

func get(es []*entry, key string) *entry {
	for _, e := range es {
		if e.key == key {
			return e
		}
	}
	return nil
}

type astNode = ast.Node

// asSequence returns the items of a list node.
func asSequence(n ast.Node) ([]ast.Node, bool) {
	switch t := unwrap(n).(type) {
	case *ast.SequenceNode:
		return t.Values, true
	case nil, *ast.NullNode:
		return nil, true
	}
	return nil, false
}
