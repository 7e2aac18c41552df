package option

import (
	"fmt"
	"os"
	"reflect"
	"strings"
)

// EnvVar is one environment variable that overrides an option.
type EnvVar struct {
	Name   string // B2BGW_STORE_DSN
	Path   string // store.dsn
	Option *Option
}

// EnvVars lists the variables that override options of the declared
// struct type of v: prefix + the key path in upper case, joined by "_"
// (store.dsn → B2BGW_STORE_DSN). Scalars, secrets and lists of scalars
// (comma-separated) can be overridden; lists of mappings, maps and options
// tagged noenv:"true" cannot. A secret also reads NAME_FILE, a file
// holding the value (the Docker and Kubernetes secrets convention).
func EnvVars(v any, prefix string) []EnvVar {
	var out []EnvVar
	var rec func(o *Option, path, name string)
	rec = func(o *Option, path, name string) {
		for _, f := range o.Fields {
			if f.NoEnv {
				continue
			}
			p, n := join(path, f.Key), name+"_"+strings.ToUpper(f.Key)
			switch f.Kind {
			case Struct:
				rec(f, p, n)
			case Map:
			case List:
				if f.Elem.Kind != Struct && f.Elem.Kind != List && f.Elem.Kind != Map && f.Elem.Kind != SecretKind {
					out = append(out, EnvVar{Name: n, Path: p, Option: f})
				}
			default:
				out = append(out, EnvVar{Name: n, Path: p, Option: f})
			}
		}
	}
	rec(SpecOf(v), "", strings.TrimSuffix(prefix, "_"))
	return out
}

// ApplyEnv sets options of v (a pointer to a declared struct) from the
// environment variables EnvVars lists, read through lookup (os.LookupEnv
// in production). An empty variable counts as unset. It returns the names
// applied, and problems naming the variable (File "environment") for
// values that do not parse.
func ApplyEnv(v any, prefix string, lookup func(string) (string, bool)) ([]string, Problems) {
	if lookup == nil {
		lookup = os.LookupEnv
	}
	var applied []string
	var probs Problems
	root := reflect.ValueOf(v).Elem()
	for _, ev := range EnvVars(v, prefix) {
		text, ok := lookup(ev.Name)
		if (!ok || text == "") && ev.Option.Kind == SecretKind {
			if fn, ok2 := lookup(ev.Name + "_FILE"); ok2 && fn != "" {
				s := SecretFromFile(fn)
				if err := s.Resolve(lookup, ""); err != nil {
					probs = append(probs, Problem{File: "environment", Msg: fmt.Sprintf("%s_FILE: %v", ev.Name, err)})
					continue
				}
				fv := field(root, ev.Path)
				fv.Set(reflect.ValueOf(s))
				applied = append(applied, ev.Name+"_FILE")
				continue
			}
		}
		if !ok || text == "" {
			continue
		}
		fv := field(root, ev.Path)
		var err error
		if ev.Option.Kind == List {
			parts := strings.Split(text, ",")
			s := reflect.MakeSlice(fv.Type(), len(parts), len(parts))
			for i, p := range parts {
				if err = setScalar(ev.Option.Elem, s.Index(i), strings.TrimSpace(p)); err != nil {
					break
				}
			}
			if err == nil {
				fv.Set(s)
			}
		} else {
			err = setScalar(ev.Option, fv, text)
		}
		if err != nil {
			probs = append(probs, Problem{File: "environment", Msg: fmt.Sprintf("%s (%s): %v", ev.Name, ev.Path, err)})
			continue
		}
		applied = append(applied, ev.Name)
	}
	return applied, probs
}

// field returns the settable value at a dotted path of struct keys,
// allocating nil pointers on the way.
func field(v reflect.Value, path string) reflect.Value {
	o := specOf(v.Type())
	for _, key := range strings.Split(path, ".") {
		f := o.Field(key)
		v = v.FieldByIndex(f.index)
		if f.Pointer {
			if v.IsNil() {
				nv := reflect.New(f.Type)
				if f.Kind == Struct {
					d := &decoder{doc: &Doc{keys: map[string][2]int{}, vals: map[string][2]int{}}}
					d.structure(f, &node{kind: mapNode}, nv.Elem(), "")
				}
				v.Set(nv)
			}
			v = v.Elem()
		}
		o = f
	}
	return v
}
