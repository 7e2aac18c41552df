package mapping

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/b2bgw/b2bgw/internal/doctree"
)

// indent pretty-prints a Value for golden files and diffs.
func indent(t testing.TB, v Value) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := json.Indent(&b, v.AppendJSON(nil), "", "  "); err != nil {
		t.Fatalf("output is not valid JSON: %v\n%s", err, v.AppendJSON(nil))
	}
	b.WriteByte('\n')
	return b.Bytes()
}

func TestTranslate850Golden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		mapping string
		input   string
		golden  string
		wantErr error
	}{
		{name: "partner override", mapping: "testdata/850/partner-850.yaml", input: "testdata/850/input.xml", golden: "850-partner.json"},
		{name: "base rejects a partner code", mapping: "testdata/850/base-850.yaml", input: "testdata/850/input.xml", golden: "850-base-error.txt", wantErr: ErrUnknownCode},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, err := Load(tc.mapping)
			if err != nil {
				t.Fatal(err)
			}
			v, err := m.Translate(mustXML(t, tc.input))
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				var fe *FieldError
				if !errors.As(err, &fe) {
					t.Fatalf("%T is not a *FieldError", err)
				}
				golden(t, tc.golden, []byte(err.Error()+"\n"))
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tc.golden, indent(t, v))
		})
	}
}

// The document tree's handle view is a mapping Tree with leaf lookups and
// positions, natively (no adapter, no handle table).
var (
	_ Tree     = (*doctree.Handles)(nil)
	_ LeafTree = (*doctree.Handles)(nil)
	_ Locator  = (*doctree.Handles)(nil)
)
