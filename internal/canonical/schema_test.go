package canonical

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var schemaFile = filepath.Join("..", "..", "docs", "schema", "canonical-v"+SchemaMajor+".json")

// TestSchemaFileUpToDate fails when docs/schema is stale; -update (or go
// generate) rewrites it.
func TestSchemaFileUpToDate(t *testing.T) {
	got, err := SchemaJSON()
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(schemaFile, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatalf("%v (run go generate ./internal/canonical)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is stale: run go generate ./internal/canonical (or go test -update) and commit it", schemaFile)
	}
}

func TestSchemaShape(t *testing.T) {
	t.Parallel()
	s := loadSchema(t)
	if s["$schema"] != "https://json-schema.org/draft/2020-12/schema" || s["$id"] != SchemaID ||
		s["version"] != SchemaVersion || s["title"] == "" {
		t.Errorf("header = %v %v %v %v", s["$schema"], s["$id"], s["version"], s["title"])
	}
	defs := s["$defs"].(map[string]any)
	for name, d := range defs {
		if d.(map[string]any)["description"] == nil {
			t.Errorf("$defs/%s has no description: add it to typeDocs", name)
		}
	}
	for name := range typeDocs {
		if defs[name] == nil {
			t.Errorf("typeDocs[%q] describes a type the schema does not use", name)
		}
	}
	if n := len(s["oneOf"].([]any)); n != len(documentKinds) {
		t.Errorf("oneOf has %d documents, want %d", n, len(documentKinds))
	}
	req := defs["Order"].(map[string]any)["required"].([]any)
	if fmt.Sprint(req) != "[meta purpose po_number lines]" {
		t.Errorf("Order required = %v", req)
	}
}

// TestGoldenDocumentsMatchSchema keeps the schema honest: every golden
// document validates against it, and broken variants do not.
func TestGoldenDocumentsMatchSchema(t *testing.T) {
	t.Parallel()
	s := loadSchema(t)
	for _, tc := range goldenCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if errs := validateInstance(s, s, decodeAny(t, marshalDoc(t, tc.doc)), "$"); len(errs) > 0 {
				t.Errorf("schema rejects the golden document:\n%s", strings.Join(errs, "\n"))
			}
		})
	}
	bad := []struct {
		name   string
		mutate func(m map[string]any)
		want   string
	}{
		{"unknown field", func(m map[string]any) { m["po_numbr"] = "x" }, "po_numbr"},
		{"missing po", func(m map[string]any) { delete(m, "po_number") }, "po_number"},
		{"bad enum", func(m map[string]any) { m["purpose"] = "00" }, "purpose"},
		{"quantity as text", func(m map[string]any) {
			m["lines"].([]any)[0].(map[string]any)["quantity"] = "lots"
		}, "quantity"},
		{"bad uom", func(m map[string]any) { m["lines"].([]any)[0].(map[string]any)["uom"] = "each" }, "uom"},
		{"bad date", func(m map[string]any) { m["order_date"] = "2025-02-30" }, "order_date"},
		{"wrong kind", func(m map[string]any) { m["meta"].(map[string]any)["kind"] = "catalog_item" }, "kind"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := decodeAny(t, marshalDoc(t, fixtureOrder())).(map[string]any)
			tc.mutate(m)
			errs := validateInstance(s, s, m, "$")
			if len(errs) == 0 {
				t.Fatal("schema accepted the broken document")
			}
			if !strings.Contains(strings.Join(errs, "\n"), tc.want) {
				t.Errorf("errors do not mention %q:\n%s", tc.want, strings.Join(errs, "\n"))
			}
		})
	}
}

func loadSchema(t *testing.T) map[string]any {
	t.Helper()
	b, err := SchemaJSON()
	if err != nil {
		t.Fatal(err)
	}
	return decodeAny(t, b).(map[string]any)
}

func decodeAny(t *testing.T, b []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// validateInstance is a small JSON Schema evaluator for exactly the
// keywords the generator emits ($ref, type, properties, required,
// additionalProperties, items, enum, const, pattern, format, oneOf). It
// exists so the tests need no third-party validator; it is not a general
// implementation.
func validateInstance(root, s map[string]any, v any, path string) []string {
	var errs []string
	fail := func(format string, args ...any) { errs = append(errs, path+": "+fmt.Sprintf(format, args...)) }
	if ref, ok := s["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/$defs/")
		errs = append(errs, validateInstance(root, root["$defs"].(map[string]any)[name].(map[string]any), v, path)...)
	}
	if branches, ok := s["oneOf"].([]any); ok {
		matched := 0
		var why []string
		for _, b := range branches {
			e := validateInstance(root, b.(map[string]any), v, path)
			if len(e) == 0 {
				matched++
			}
			why = append(why, e...)
		}
		if matched != 1 {
			fail("matches %d oneOf branches: %s", matched, strings.Join(why, "; "))
		}
	}
	if c, ok := s["const"]; ok && v != c {
		fail("%v is not %v", v, c)
	}
	if enum, ok := s["enum"].([]any); ok && !slices.Contains(enum, v) {
		fail("%v is not in enum", v)
	}
	switch s["type"] {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			fail("not an object")
			return errs
		}
		req, _ := s["required"].([]any)
		for _, r := range req {
			if _, ok := m[r.(string)]; !ok {
				fail("missing required %s", r)
			}
		}
	case "array":
		if _, ok := v.([]any); !ok {
			fail("not an array")
			return errs
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			fail("not a string")
			return errs
		}
		if p, ok := s["pattern"].(string); ok && !regexp.MustCompile(p).MatchString(str) {
			fail("%q does not match %s", str, p)
		}
		switch s["format"] {
		case "date":
			if d, err := ParseDate(str); err != nil || !d.Valid() {
				fail("%q is not a date", str)
			}
		case "date-time":
			if _, err := ParseDateTime(str); err != nil {
				fail("%q is not a date-time", str)
			}
		}
	case "number", "integer":
		n, ok := v.(json.Number)
		if !ok {
			fail("not a number")
			return errs
		}
		if s["type"] == "integer" && strings.ContainsAny(string(n), ".eE") {
			fail("%s is not an integer", n)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			fail("not a boolean")
		}
	}
	if props, ok := s["properties"].(map[string]any); ok {
		if m, ok := v.(map[string]any); ok {
			for k, pv := range m {
				ps, known := props[k]
				if !known {
					if s["additionalProperties"] == false {
						fail("unknown property %s", k)
					}
					continue
				}
				errs = append(errs, validateInstance(root, ps.(map[string]any), pv, path+"."+k)...)
			}
		}
	}
	if items, ok := s["items"].(map[string]any); ok {
		for i, it := range v.([]any) {
			errs = append(errs, validateInstance(root, items, it, fmt.Sprintf("%s[%d]", path, i))...)
		}
	}
	return errs
}
