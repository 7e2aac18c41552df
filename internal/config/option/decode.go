package option

import (
	"fmt"
	"math"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Doc remembers where each key of a decoded file was written, so that
// checks made after decoding (cross-field rules, files that do not exist,
// identities claimed twice) report file:line:col too.
//
// Paths name values the way messages do: "mailboxes.inbound[0].sftp.addr";
// a map entry is "odoo.uom.EA".
type Doc struct {
	File string
	// Source is the file's text, for callers that hand a part of it to
	// another parser (SubDocument).
	Source []byte
	keys   map[string][2]int
	vals   map[string][2]int
}

// Has reports whether path was written in the file.
func (d *Doc) Has(path string) bool {
	if d == nil {
		return false
	}
	_, ok := d.keys[path]
	return ok
}

// Pos returns the line and column of path's value, or of its nearest
// written ancestor when path itself is absent (a missing key is reported
// where its parent is).
func (d *Doc) Pos(path string) (line, col int) {
	if d == nil {
		return 0, 0
	}
	for p := path; ; p = parent(p) {
		if lc, ok := d.vals[p]; ok {
			return lc[0], lc[1]
		}
		if p == "" {
			return 0, 0
		}
	}
}

// KeyPos returns the position of path's key (falling back like Pos).
func (d *Doc) KeyPos(path string) (line, col int) {
	if d == nil {
		return 0, 0
	}
	for p := path; p != ""; p = parent(p) {
		if lc, ok := d.keys[p]; ok {
			return lc[0], lc[1]
		}
	}
	return d.Pos("")
}

// At returns a problem at path's value.
func (d *Doc) At(path, format string, args ...any) Problem {
	line, col := d.Pos(path)
	return Problem{File: d.file(), Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
}

// AtKey returns a problem at path's key.
func (d *Doc) AtKey(path, format string, args ...any) Problem {
	line, col := d.KeyPos(path)
	return Problem{File: d.file(), Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
}

func (d *Doc) file() string {
	if d == nil {
		return ""
	}
	return d.File
}

// parent strips the last element of a path: "a.b[2]" → "a.b", "a.b" → "a".
func parent(p string) string {
	i := strings.LastIndexAny(p, ".[")
	if i < 0 {
		return ""
	}
	return p[:i]
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// Decode reads the YAML file data (named file in problems) into v, a
// pointer to a declared struct. Keys absent from the file get their
// declared defaults. Every problem is collected (unknown keys with a
// suggestion, wrong types, values outside an enum, missing required keys,
// oneof/exclusive groups, literal secrets), so one run shows them all; v
// holds whatever could be decoded even when there are problems.
func Decode(file string, data []byte, v any) (*Doc, Problems) {
	doc := &Doc{File: file, Source: data, keys: map[string][2]int{}, vals: map[string][2]int{}}
	root, probs := parse(file, data)
	if root == nil {
		return doc, probs
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		panic("option.Decode: v must be a pointer to a struct")
	}
	d := &decoder{doc: doc, probs: probs}
	spec := specOf(rv.Elem().Type())
	if root.kind == nullNode {
		root = &node{kind: mapNode, line: 1, col: 1}
	}
	d.value(spec, root, rv.Elem(), "")
	return doc, d.probs
}

// Defaults sets every field of v (a pointer to a declared struct) that has
// a declared default, as if decoded from an empty file.
func Defaults(v any) {
	rv := reflect.ValueOf(v).Elem()
	d := &decoder{doc: &Doc{keys: map[string][2]int{}, vals: map[string][2]int{}}}
	d.value(specOf(rv.Type()), &node{kind: mapNode}, rv, "")
}

type decoder struct {
	doc   *Doc
	probs Problems
}

func (d *decoder) add(n *node, format string, args ...any) {
	d.probs = append(d.probs, Problem{File: d.doc.File, Line: n.line, Col: n.col, Msg: fmt.Sprintf(format, args...)})
}

// label is how messages name a path: the key path, or "the file" at the root.
func label(path string) string {
	if path == "" {
		return "the file"
	}
	return path
}

// value decodes n into v (not a pointer: pointers are allocated here).
func (d *decoder) value(o *Option, n *node, v reflect.Value, path string) {
	d.doc.vals[path] = [2]int{n.line, n.col}
	if n.kind == nullNode && o.Kind != Struct {
		// "key:" with nothing after it keeps the zero value; for a
		// required key that is a problem reported by the caller.
		return
	}
	if o.Pointer {
		if v.IsNil() {
			v.Set(reflect.New(o.Type))
		}
		v = v.Elem()
	}
	switch o.Kind {
	case Struct:
		d.structure(o, n, v, path)
	case List:
		if n.kind != seqNode {
			hint := ""
			if n.kind == scalarNode {
				hint = fmt.Sprintf("; for one item write [%s]", n.text)
			}
			d.add(n, "%s: want a list, got %s%s", label(path), n.describe(), hint)
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.items), len(n.items))
		for i, it := range n.items {
			p := fmt.Sprintf("%s[%d]", path, i)
			d.doc.keys[p] = [2]int{it.line, it.col}
			d.value(o.Elem, it, s.Index(i), p)
		}
		v.Set(s)
	case Map:
		if n.kind != mapNode {
			d.add(n, "%s: want a mapping of key: value, got %s", label(path), n.describe())
			return
		}
		m := reflect.MakeMapWithSize(v.Type(), len(n.keys))
		for i, k := range n.keys {
			p := join(path, k.text)
			d.doc.keys[p] = [2]int{k.line, k.col}
			ev := reflect.New(v.Type().Elem()).Elem()
			d.value(o.Elem, n.vals[i], ev, p)
			m.SetMapIndex(reflect.ValueOf(k.text).Convert(v.Type().Key()), ev)
		}
		v.Set(m)
	case SecretKind:
		d.secret(n, v, path)
	default:
		if n.kind != scalarNode {
			d.add(n, "%s: want %s, got %s", label(path), o.typeName(), n.describe())
			return
		}
		if err := setScalar(o, v, n.text); err != nil {
			d.add(n, "%s: %v", label(path), err)
		}
	}
}

func (d *decoder) structure(o *Option, n *node, v reflect.Value, path string) {
	if n.kind == nullNode {
		n = &node{kind: mapNode, line: n.line, col: n.col}
	}
	if n.kind != mapNode {
		d.add(n, "%s: want a mapping with keys %s, got %s", label(path), strings.Join(o.keys(), ", "), n.describe())
		return
	}
	present := map[string]bool{}
	for i, k := range n.keys {
		f := o.Field(k.text)
		if f == nil {
			msg := fmt.Sprintf("unknown key %q in %s", k.text, label(path))
			if s := Suggest(k.text, o.keys()); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			} else {
				msg += "; known keys: " + strings.Join(o.keys(), ", ")
			}
			d.add(k, "%s", msg)
			continue
		}
		p := join(path, f.Key)
		present[f.Key] = true
		d.doc.keys[p] = [2]int{k.line, k.col}
		val := n.vals[i]
		if val.kind == nullNode && f.Required {
			d.add(k, "%s: needs a value", p)
		}
		d.value(f, val, v.FieldByIndex(f.index), p)
	}
	for _, f := range o.Fields {
		if present[f.Key] {
			continue
		}
		if f.Required {
			d.add(n, "%s: missing required key %q%s", label(path), f.Key, docHint(f))
			continue
		}
		if f.Kind == Struct && !f.Pointer {
			setDefaults(f, v.FieldByIndex(f.index), join(path, f.Key))
			continue
		}
		if f.Default != "" {
			fv := v.FieldByIndex(f.index)
			if f.Pointer {
				fv.Set(reflect.New(f.Type))
				fv = fv.Elem()
			}
			if f.Kind == List {
				fv.Set(reflect.ValueOf(strings.Split(f.Default, ",")).Convert(fv.Type()))
				continue
			}
			if err := setScalar(f, fv, f.Default); err != nil {
				panic(fmt.Sprintf("option: default of %s: %v", join(path, f.Key), err))
			}
		}
	}
	for _, g := range o.OneOf {
		var got []string
		for _, k := range g {
			if present[k] {
				got = append(got, k)
			}
		}
		switch {
		case len(got) == 0:
			d.add(n, "%s: set one of %s", label(path), strings.Join(g, ", "))
		case len(got) > 1:
			line, col := d.doc.KeyPos(join(path, got[1]))
			d.probs = append(d.probs, Problem{File: d.doc.File, Line: line, Col: col,
				Msg: fmt.Sprintf("%s: %s and %s cannot both be set; keep one", label(path), got[0], got[1])})
		}
	}
	for _, g := range o.Exclusive {
		var got []string
		for _, k := range g {
			if present[k] {
				got = append(got, k)
			}
		}
		if len(got) > 1 {
			line, col := d.doc.KeyPos(join(path, got[1]))
			d.probs = append(d.probs, Problem{File: d.doc.File, Line: line, Col: col,
				Msg: fmt.Sprintf("%s: %s and %s cannot both be set; keep one", label(path), got[0], got[1])})
		}
	}
}

// setDefaults applies the defaults of an absent (non-pointer) struct
// option and of the structs inside it; required keys inside an absent
// block are not asked for.
func setDefaults(o *Option, v reflect.Value, path string) {
	for _, f := range o.Fields {
		fv := v.FieldByIndex(f.index)
		switch {
		case f.Kind == Struct && !f.Pointer:
			setDefaults(f, fv, join(path, f.Key))
		case f.Default == "" || !fv.IsZero():
		case f.Pointer:
		case f.Kind == List:
			fv.Set(reflect.ValueOf(strings.Split(f.Default, ",")).Convert(fv.Type()))
		default:
			if err := setScalar(f, fv, f.Default); err != nil {
				panic(fmt.Sprintf("option: default of %s: %v", join(path, f.Key), err))
			}
		}
	}
}

func docHint(o *Option) string {
	if o.Example != "" {
		return fmt.Sprintf(" (e.g. %s: %s)", o.Key, o.Example)
	}
	if o.Doc != "" {
		return " (" + strings.TrimSuffix(o.Doc, ".") + ")"
	}
	return ""
}

func (d *decoder) secret(n *node, v reflect.Value, path string) {
	if n.kind == scalarNode {
		d.add(n, "%s is a secret and must not be written in the file: write {env: VARIABLE} or {file: PATH} and put the value there", path)
		return
	}
	if n.kind != mapNode || len(n.keys) != 1 || (n.keys[0].text != "env" && n.keys[0].text != "file") {
		d.add(n, "%s: a secret is {env: VARIABLE} or {file: PATH}, got %s", path, n.describe())
		return
	}
	ref := n.vals[0]
	if ref.kind != scalarNode || ref.text == "" {
		d.add(ref, "%s.%s: want a name, got %s", path, n.keys[0].text, ref.describe())
		return
	}
	s := Secret{}
	if n.keys[0].text == "env" {
		if !envNameOK(ref.text) {
			d.add(ref, "%s.env: %q is not an environment variable name (letters, digits and _, not starting with a digit)", path, ref.text)
			return
		}
		s.env = ref.text
	} else {
		s.file = ref.text
	}
	v.Set(reflect.ValueOf(s))
}

func envNameOK(s string) bool {
	for i, r := range s {
		switch {
		case r == '_', r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return s != ""
}

// setScalar parses text into v according to o.
func setScalar(o *Option, v reflect.Value, text string) error {
	switch o.Kind {
	case String:
		if len(o.Enum) > 0 && !slices.Contains(o.Enum, text) {
			msg := fmt.Sprintf("%q is not one of %s", text, strings.Join(o.Enum, ", "))
			if s := Suggest(text, o.Enum); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			}
			return fmt.Errorf("%s", msg)
		}
		v.SetString(text)
	case Bool:
		switch text {
		case "true":
			v.SetBool(true)
		case "false":
			v.SetBool(false)
		default:
			return fmt.Errorf("want true or false, got %q", text)
		}
	case Int:
		i, err := strconv.ParseInt(strings.ReplaceAll(text, "_", ""), 10, 64)
		if err != nil || v.OverflowInt(i) {
			return fmt.Errorf("want a whole number, got %q", text)
		}
		v.SetInt(i)
	case Float:
		f, err := strconv.ParseFloat(text, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("want a number, got %q", text)
		}
		v.SetFloat(f)
	case Duration:
		dur, err := ParseDuration(text)
		if err != nil {
			return fmt.Errorf("want a duration such as 90s, 5m or 24h, got %q", text)
		}
		v.SetInt(int64(dur))
	case SecretKind:
		// Only from the environment: files never hold values.
		v.Set(reflect.ValueOf(SecretValue(text)))
	default:
		return fmt.Errorf("cannot set %s from %q", o.typeName(), text)
	}
	return nil
}

// ResolveSecrets resolves every Secret in v (a pointer to a declared
// struct) with lookup (os.LookupEnv in production); relative files are
// taken from baseDir. A secret that cannot be resolved is a problem at the
// place it is written in doc (which may be nil).
func ResolveSecrets(v any, doc *Doc, lookup func(string) (string, bool), baseDir string) Problems {
	if lookup == nil {
		lookup = os.LookupEnv
	}
	var probs Problems
	Walk(v, func(path string, o *Option, fv reflect.Value) {
		if o.Kind != SecretKind {
			return
		}
		s := fv.Addr().Interface().(*Secret)
		if err := s.Resolve(lookup, baseDir); err != nil {
			probs = append(probs, doc.At(path, "%s: %v", path, err))
		}
	})
	return probs
}

// Walk calls fn for every option value set in v (a pointer to a declared
// struct), depth first, with its path. Nil pointers are skipped; fn may
// modify addressable values.
func Walk(v any, fn func(path string, o *Option, v reflect.Value)) {
	rv := reflect.ValueOf(v).Elem()
	walk(specOf(rv.Type()), rv, "", fn)
}

func walk(o *Option, v reflect.Value, path string, fn func(string, *Option, reflect.Value)) {
	if o.Pointer {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	if path != "" {
		fn(path, o, v)
	}
	switch o.Kind {
	case Struct:
		for _, f := range o.Fields {
			walk(f, v.FieldByIndex(f.index), join(path, f.Key), fn)
		}
	case List:
		for i := range v.Len() {
			walk(o.Elem, v.Index(i), fmt.Sprintf("%s[%d]", path, i), fn)
		}
	case Map:
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		for _, k := range keys {
			// Map values are not addressable: walk a copy and store it back.
			ev := reflect.New(v.Type().Elem()).Elem()
			ev.Set(v.MapIndex(k))
			walk(o.Elem, ev, join(path, k.String()), fn)
			v.SetMapIndex(k, ev)
		}
	}
}

// ParseDuration is time.ParseDuration, plus whole days ("90d"): retention
// periods are counted in days, and 2160h says 90 days badly.
func ParseDuration(text string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(text, "d"); ok && n != "" && strings.Trim(n, "0123456789") == "" {
		days, err := strconv.ParseInt(n, 10, 64)
		if err != nil || days > int64(math.MaxInt64/(24*time.Hour)) {
			return 0, fmt.Errorf("duration %q is too long", text)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	return time.ParseDuration(text)
}
