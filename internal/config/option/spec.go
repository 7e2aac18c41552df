package option

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"
)

// Kind is the type of an option's value.
type Kind int

// Kinds of options.
const (
	String Kind = iota
	Bool
	Int
	Float
	Duration
	SecretKind
	Struct
	List
	Map
)

var kindNames = [...]string{"string", "bool", "integer", "number", "duration", "secret", "mapping", "list", "mapping"}

func (k Kind) String() string { return kindNames[k] }

// Option is one declared option: a key, its type and what the declaration
// says about it. Struct options have Fields; lists and maps have Elem.
type Option struct {
	Key      string
	Doc      string
	Default  string
	Enum     []string
	Example  string
	Required bool
	NoEnv    bool
	Kind     Kind
	// Pointer: the Go field is a pointer, nil when the key is absent.
	Pointer bool
	Type    reflect.Type // the non-pointer type
	Fields  []*Option    // Struct
	Elem    *Option      // List, Map
	// OneOf lists key groups of which exactly one must be present;
	// Exclusive groups of which at most one may be.
	OneOf, Exclusive [][]string

	index []int
}

// Field returns the struct option's field with key, or nil.
func (o *Option) Field(key string) *Option {
	for _, f := range o.Fields {
		if f.Key == key {
			return f
		}
	}
	return nil
}

// Describer is implemented by struct types declared without doc tags (in
// a package that does not use this one) to document their keys.
type Describer interface {
	OptionDocs() map[string]string
}

var (
	secretType   = reflect.TypeFor[Secret]()
	durationType = reflect.TypeFor[time.Duration]()
	describer    = reflect.TypeFor[Describer]()
	specCache    sync.Map // reflect.Type -> *Option
)

// SpecOf returns the declaration of the struct type of v (a struct or a
// pointer to one). It panics on a type the package cannot decode: that is
// a programming error found by any test that loads a file.
func SpecOf(v any) *Option {
	t := reflect.TypeOf(v)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return specOf(t)
}

func specOf(t reflect.Type) *Option {
	if o, ok := specCache.Load(t); ok {
		return o.(*Option)
	}
	o := &Option{Kind: Struct, Type: t}
	build(o, t, nil)
	actual, _ := specCache.LoadOrStore(t, o)
	return actual.(*Option)
}

// build fills o from t; seen guards against recursive types.
func build(o *Option, t reflect.Type, seen []reflect.Type) {
	if t.Kind() == reflect.Pointer {
		o.Pointer = true
		t = t.Elem()
	}
	o.Type = t
	switch {
	case t == secretType:
		o.Kind = SecretKind
		return
	case t == durationType:
		o.Kind = Duration
		return
	}
	switch t.Kind() {
	case reflect.String:
		o.Kind = String
	case reflect.Bool:
		o.Kind = Bool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		o.Kind = Int
	case reflect.Float32, reflect.Float64:
		o.Kind = Float
	case reflect.Slice:
		o.Kind = List
		o.Elem = &Option{}
		build(o.Elem, t.Elem(), seen)
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			panic(fmt.Sprintf("option: map key of %s must be a string", t))
		}
		o.Kind = Map
		o.Elem = &Option{}
		build(o.Elem, t.Elem(), seen)
	case reflect.Struct:
		for _, s := range seen {
			if s == t {
				panic(fmt.Sprintf("option: %s is recursive", t))
			}
		}
		o.Kind = Struct
		buildStruct(o, t, append(seen, t))
	default:
		panic(fmt.Sprintf("option: unsupported field type %s", t))
	}
}

func buildStruct(o *Option, t reflect.Type, seen []reflect.Type) {
	var docs map[string]string
	if reflect.PointerTo(t).Implements(describer) {
		docs = reflect.New(t).Interface().(Describer).OptionDocs()
	}
	for i := range t.NumField() {
		sf := t.Field(i)
		if sf.Name == "_" {
			if g := sf.Tag.Get("oneof"); g != "" {
				o.OneOf = append(o.OneOf, strings.Split(g, "|"))
			}
			if g := sf.Tag.Get("exclusive"); g != "" {
				o.Exclusive = append(o.Exclusive, strings.Split(g, "|"))
			}
			continue
		}
		if !sf.IsExported() {
			continue
		}
		key, flags, _ := strings.Cut(sf.Tag.Get("yaml"), ",")
		if key == "" && strings.Contains(flags, "inline") && sf.Type.Kind() == reflect.Struct {
			// An inlined struct's keys are the parent's own.
			in := &Option{}
			build(in, sf.Type, seen)
			for _, f := range in.Fields {
				g := *f
				g.index = append(append([]int{}, sf.Index...), f.index...)
				o.Fields = append(o.Fields, &g)
			}
			o.OneOf = append(o.OneOf, in.OneOf...)
			o.Exclusive = append(o.Exclusive, in.Exclusive...)
			continue
		}
		if key == "-" || key == "" {
			continue
		}
		f := &Option{
			Key:      key,
			Doc:      sf.Tag.Get("doc"),
			Default:  sf.Tag.Get("default"),
			Example:  sf.Tag.Get("example"),
			Required: sf.Tag.Get("required") == "true",
			NoEnv:    sf.Tag.Get("noenv") == "true",
			index:    sf.Index,
		}
		if f.Doc == "" && docs != nil {
			f.Doc = docs[key]
		}
		if e := sf.Tag.Get("enum"); e != "" {
			f.Enum = strings.Split(e, "|")
		}
		build(f, sf.Type, seen)
		o.Fields = append(o.Fields, f)
	}
	for _, g := range append(append([][]string{}, o.OneOf...), o.Exclusive...) {
		for _, k := range g {
			if o.Field(k) == nil {
				panic(fmt.Sprintf("option: %s: group names unknown key %q", t, k))
			}
		}
	}
}

// keys lists the struct option's keys.
func (o *Option) keys() []string {
	out := make([]string, len(o.Fields))
	for i, f := range o.Fields {
		out[i] = f.Key
	}
	return out
}

// typeName describes the option's type for messages and docs.
func (o *Option) typeName() string {
	switch o.Kind {
	case List:
		return "list of " + o.Elem.typeName()
	case Map:
		return "map of " + o.Elem.typeName()
	case Struct:
		return "mapping"
	case SecretKind:
		return "secret ({env: VAR} or {file: PATH})"
	case Duration:
		return "duration (e.g. 90s, 5m, 24h)"
	}
	if len(o.Enum) > 0 {
		return "one of " + strings.Join(o.Enum, ", ")
	}
	return o.Kind.String()
}
