package mapping

import (
	"bytes"
	"os"
	"testing"
)

const schemaPath = "../../docs/schema/mapping.schema.json"

// TestSchemaInSync fails when docs/schema/mapping.schema.json differs from
// what the key declarations generate; go test -update rewrites it.
func TestSchemaInSync(t *testing.T) {
	t.Parallel()
	got := SchemaJSON()
	if *update {
		if err := os.WriteFile(schemaPath, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(schemaPath)
	if err != nil {
		t.Fatalf("%v (go test -update writes it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is stale (go test ./internal/mapping -update):\n%s", schemaPath, Diff(string(want), string(got)))
	}
}

// TestSchemaCoversEveryKey checks each declared key set has a definition,
// so a key added to keys.go cannot be missing from the schema.
func TestSchemaCoversEveryKey(t *testing.T) {
	t.Parallel()
	s := string(SchemaJSON())
	for _, decls := range [][]keyDecl{mappingKeys, sourceKeys, fieldKeys, pairKeys, codelistKeys, templateKeys, segmentKeys, elementKeys, csvKeys, columnKeys} {
		for _, d := range decls {
			if !bytes.Contains([]byte(s), []byte(`"`+d.name+`": {`)) {
				t.Errorf("key %q is not in the schema", d.name)
			}
			if d.doc == "" {
				t.Errorf("key %q has no description", d.name)
			}
		}
	}
}
