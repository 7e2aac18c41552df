package mapping

import (
	"encoding/json"
)

// SchemaJSON returns the JSON Schema (draft 2020-12) of mapping, template
// and code-list files, generated from the key declarations in keys.go so
// that editors (yaml-language-server) autocomplete exactly the keys the
// loader accepts. docs/schema/mapping.schema.json is this output; a test
// keeps the file in sync.
func SchemaJSON() []byte {
	defs := map[string]any{
		"mapping":  object(mappingKeys, "mapping", "source", "fields"),
		"template": object(templateKeys, "template"),
		"codelist": object(codelistKeys, "codes"),
		"source":   object(sourceKeys, "standard"),
		"pair":     object(pairKeys, "segment", "first", "last", "qualifier"),
		"segment":  object(segmentKeys),
		"csv":      object(csvKeys, "foreach", "columns"),
		"column":   object(columnKeys, "name"),
		"field": map[string]any{
			"description": "An output field: an XPath string (shorthand for {from: …}) or a field object.",
			"anyOf":       []any{map[string]any{"type": "string"}, object(fieldKeys)},
		},
		"element": map[string]any{
			"description": "An element value: an XPath string (shorthand for {from: …}) or a value object.",
			"anyOf":       []any{map[string]any{"type": "string"}, object(elementKeys)},
		},
		"codelistRef": map[string]any{
			"description": "A code-list file path, relative to this file, or an inline code list.",
			"anyOf":       []any{map[string]any{"type": "string"}, map[string]any{"$ref": "#/$defs/codelist"}},
		},
		"codeValue": map[string]any{
			"description": "The translation of a code; ~ (null) leaves the field out.",
			"type":        []string{"string", "number", "boolean", "null"},
		},
		"scalar": map[string]any{"type": []string{"string", "number", "boolean", "null"}},
	}
	root := map[string]any{
		"$schema":     "https://json-schema.org/draft/2020-12/schema",
		"$id":         "https://github.com/b2bgw/b2bgw/docs/schema/mapping.schema.json",
		"title":       "b2bgw mapping, template or code list",
		"description": "Generated from internal/mapping/keys.go; see docs/mappings.md.",
		"oneOf": []any{
			map[string]any{"$ref": "#/$defs/mapping"},
			map[string]any{"$ref": "#/$defs/template"},
			map[string]any{"$ref": "#/$defs/codelist"},
		},
		"$defs": defs,
	}
	b, err := json.MarshalIndent(root, "", "  ")
	if err != nil {
		panic(err) // only maps, slices and strings: cannot fail
	}
	return append(b, '\n')
}

func object(decls []keyDecl, required ...string) map[string]any {
	props := map[string]any{}
	for _, d := range decls {
		props[d.name] = property(d)
	}
	o := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

func property(d keyDecl) map[string]any {
	p := map[string]any{"description": d.doc}
	switch d.kind {
	case kText, kExpr:
		p["type"] = "string"
		if d.enum != nil {
			p["enum"] = d.enum
		}
	case kBool:
		p["type"] = "boolean"
	case kInt:
		p["type"] = "integer"
	case kScalar:
		p["$ref"] = "#/$defs/scalar"
	case kTexts:
		p["anyOf"] = []any{map[string]any{"type": "string"}, map[string]any{"type": "array", "items": map[string]any{"type": "string"}}}
	case kObject:
		p["$ref"] = "#/$defs/" + d.ref
	case kMapOf:
		p["type"] = "object"
		p["additionalProperties"] = map[string]any{"$ref": "#/$defs/" + d.ref}
	case kList:
		p["type"] = "array"
		p["items"] = map[string]any{"$ref": "#/$defs/" + d.ref}
	case kCodes:
		p["anyOf"] = []any{map[string]any{"type": "string"}, map[string]any{"type": "object", "additionalProperties": map[string]any{"$ref": "#/$defs/codeValue"}}}
	}
	return p
}
