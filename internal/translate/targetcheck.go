package translate

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/b2bgw/b2bgw/internal/canonical"
	"github.com/b2bgw/b2bgw/internal/mapping"
)

// CheckTarget checks the field names of a mapping against the canonical
// document it says it writes (target:): a field the document does not
// have, or fields under one that holds a value, would reject every
// document at run time ("unknown field"); here they are refused at load,
// each at its file:line:col. A target that is not a canonical document is
// not checked.
func CheckTarget(m *mapping.Mapping) []LintMessage {
	d := canonical.New(kindOf(m.Target))
	if d == nil {
		return nil
	}
	var out []LintMessage
	checkFields(reflect.TypeOf(d).Elem(), m.Target, m.Fields(), &out)
	return out
}

func checkFields(t reflect.Type, where string, fs []mapping.FieldInfo, out *[]LintMessage) {
	for _, f := range fs {
		ft, ok := jsonField(t, f.Name)
		if !ok {
			*out = append(*out, LintMessage{File: f.File, Line: f.Line, Column: f.Col,
				Msg: fmt.Sprintf("%s has no field %q: the target's fields are %s (docs/schema/canonical-v1.json)", where, f.Name, strings.Join(jsonNames(t), ", "))})
			continue
		}
		if len(f.Fields) == 0 {
			continue
		}
		for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice {
			ft = ft.Elem()
		}
		if ft.Kind() != reflect.Struct || ft.NumField() == 0 || len(jsonNames(ft)) == 0 {
			*out = append(*out, LintMessage{File: f.File, Line: f.Line, Column: f.Col,
				Msg: fmt.Sprintf("%s.%s holds a value, not an object: give it from: (or foreach: with from:) instead of fields:", where, f.Name)})
			continue
		}
		checkFields(ft, where+"."+f.Name, f.Fields, out)
	}
}

// jsonField returns the type of t's field whose JSON name is name.
func jsonField(t reflect.Type, name string) (reflect.Type, bool) {
	for i := range t.NumField() {
		sf := t.Field(i)
		if sf.Anonymous && sf.Type.Kind() == reflect.Struct {
			if ft, ok := jsonField(sf.Type, name); ok {
				return ft, true
			}
			continue
		}
		if jsonName(sf) == name {
			return sf.Type, true
		}
	}
	return nil, false
}

// jsonNames lists t's JSON field names, sorted.
func jsonNames(t reflect.Type) []string {
	var names []string
	for i := range t.NumField() {
		sf := t.Field(i)
		if sf.Anonymous && sf.Type.Kind() == reflect.Struct {
			names = append(names, jsonNames(sf.Type)...)
		} else if n := jsonName(sf); n != "" {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names
}

func jsonName(sf reflect.StructField) string {
	if !sf.IsExported() {
		return ""
	}
	tag, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
	switch tag {
	case "-":
		return ""
	case "":
		return sf.Name
	}
	return tag
}
