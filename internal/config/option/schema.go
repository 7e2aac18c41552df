package option

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// durationPattern is what ParseDuration accepts, for the schema.
const durationPattern = `^-?([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$|^0$|^[0-9]+d$`

// JSONSchema returns a JSON Schema (draft 2020-12) of the declared struct
// type of v, indented, with a trailing newline. Editors that speak
// yaml-language-server complete keys and show the doc text from it when a
// file starts with "# yaml-language-server: $schema=PATH".
func JSONSchema(v any, id, title, description string) []byte {
	s := schemaOf(SpecOf(v))
	s["$schema"] = "https://json-schema.org/draft/2020-12/schema"
	s["$id"] = id
	s["title"] = title
	s["description"] = description
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		panic(err) // only maps, strings and slices: cannot fail
	}
	return b.Bytes()
}

func schemaOf(o *Option) map[string]any {
	s := map[string]any{}
	if o.Doc != "" {
		s["description"] = o.Doc
	}
	switch o.Kind {
	case String:
		s["type"] = "string"
		if len(o.Enum) > 0 {
			s["enum"] = o.Enum
		}
	case Bool:
		s["type"] = "boolean"
	case Int:
		s["type"] = "integer"
	case Float:
		s["type"] = "number"
	case Duration:
		s["type"] = "string"
		s["pattern"] = durationPattern
	case SecretKind:
		s["type"] = "object"
		s["properties"] = map[string]any{
			"env":  map[string]any{"type": "string", "description": "Name of the environment variable holding the value.", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
			"file": map[string]any{"type": "string", "description": "File holding the value (relative to this file's folder); a trailing newline is dropped."},
		}
		s["minProperties"] = 1
		s["maxProperties"] = 1
		s["additionalProperties"] = false
		if o.Doc == "" {
			s["description"] = "A secret: {env: VARIABLE} or {file: PATH}, never the value itself."
		} else {
			s["description"] = o.Doc + " A secret: {env: VARIABLE} or {file: PATH}, never the value itself."
		}
	case List:
		s["type"] = "array"
		s["items"] = schemaOf(o.Elem)
	case Map:
		s["type"] = "object"
		s["additionalProperties"] = schemaOf(o.Elem)
	case Struct:
		s["type"] = "object"
		s["additionalProperties"] = false
		props := map[string]any{}
		var req []string
		for _, f := range o.Fields {
			props[f.Key] = schemaOf(f)
			if f.Required {
				req = append(req, f.Key)
			}
		}
		s["properties"] = props
		if len(req) > 0 {
			s["required"] = req
		}
		var all []any
		for _, g := range o.OneOf {
			var alts []any
			for _, k := range g {
				alts = append(alts, map[string]any{"required": []string{k}})
			}
			all = append(all, map[string]any{"oneOf": alts})
		}
		for _, g := range o.Exclusive {
			for i := range g {
				for j := i + 1; j < len(g); j++ {
					all = append(all, map[string]any{"not": map[string]any{"required": []string{g[i], g[j]}}})
				}
			}
		}
		if len(all) > 0 {
			s["allOf"] = all
		}
	}
	if o.Default != "" {
		s["default"] = defaultJSON(o)
	}
	if o.Example != "" {
		s["examples"] = []string{o.Example}
	}
	return s
}

// defaultJSON gives the default its JSON type.
func defaultJSON(o *Option) any {
	switch o.Kind {
	case Bool:
		return o.Default == "true"
	case Int:
		n, _ := strconv.ParseInt(o.Default, 10, 64)
		return n
	case Float:
		f, _ := strconv.ParseFloat(o.Default, 64)
		return f
	case List:
		return strings.Split(o.Default, ",")
	}
	return o.Default
}
