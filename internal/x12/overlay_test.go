package x12

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/b2bgw/b2bgw/internal/x12/spec"
)

func TestParseOverlay(t *testing.T) {
	t.Parallel()
	in := `# partner ACME
codes:
  "355": {add: [CU, XX], remove: [], mode: strict}
  "98":  {mode: warn}
  92: {remove: [KN], mode: note}
elements:
  BEG05: {usage: O, mode: warn}
  PO107: {min: 1, max: 60}
segments:
  REF: {max: 20}
`
	o, err := ParseOverlay("acme.yaml", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if got := o.Codes["355"]; !slices.Equal(got.Add, []string{"CU", "XX"}) || got.Mode != ModeStrict {
		t.Errorf("codes 355 = %+v", got)
	}
	if got := o.Codes["98"]; got.Mode != ModeWarn {
		t.Errorf("codes 98 = %+v", got)
	}
	if got := o.Codes["92"]; got.Mode != ModeNote || !slices.Equal(got.Remove, []string{"KN"}) {
		t.Errorf("codes 92 (unquoted key) = %+v", got)
	}
	if got := o.Elements["BEG05"]; got.Usage != spec.Optional || got.Mode != ModeWarn {
		t.Errorf("elements BEG05 = %+v", got)
	}
	if got := o.Elements["PO107"]; got.Min != 1 || got.Max != 60 {
		t.Errorf("elements PO107 = %+v", got)
	}
	if got := o.Segments["REF"]; got.Max != 20 {
		t.Errorf("segments REF = %+v", got)
	}
	if o.Source != "acme.yaml" {
		t.Errorf("source %q", o.Source)
	}
}

// TestParseOverlayErrors: analysts edit these files by hand, so every
// mistake must come back with file:line:column and say what is allowed.
func TestParseOverlayErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, in string
		want     []string // substrings, each in some error, in order
	}{
		{"unknown top-level key", "codez:\n  \"355\": {add: [CU]}\n", []string{"acme.yaml:1:1:", "codez"}},
		{"unknown nested key", "codes:\n  \"355\": {ad: [CU]}\n", []string{"acme.yaml:2:", "ad"}},
		{"bad mode", "codes:\n  \"355\": {add: [CU], mode: lenient}\n", []string{"acme.yaml:2:", `mode "lenient" is not one of strict, note, warn`}},
		{"bad usage", "elements:\n  BEG05:\n    usage: X\n", []string{"acme.yaml:3:12:", `usage "X" is not M (mandatory) or O (optional)`}},
		{"bad element key", "elements:\n  BEG5: {usage: O}\n", []string{"acme.yaml:2:3:", `"BEG5" does not name an element position`}},
		{"element position 00", "elements:\n  BEG00: {usage: O}\n", []string{"acme.yaml:2:3:", `"BEG00" does not name an element position`}},
		{"bad element id", "codes:\n  qty: {add: [CU]}\n", []string{"acme.yaml:2:3:", `"qty" is not a data element id`}},
		{"bad segment id", "segments:\n  ref: {max: 3}\n", []string{"acme.yaml:2:3:", `"ref" is not a segment id`}},
		{"negative max", "segments:\n  REF: {max: -1}\n", []string{"acme.yaml:2:", "segments.REF.max: -1 is negative"}},
		{"min over max", "elements:\n  BEG03:\n    min: 9\n    max: 3\n", []string{"acme.yaml:3:10:", "min 9 is greater than max 3"}},
		{"code both added and removed", "codes:\n  \"355\":\n    add: [CU]\n    remove: [CU]\n", []string{"acme.yaml:4:", `code "CU" is both added and removed`}},
		{"padded code", "codes:\n  \"355\":\n    add: [\" CU\"]\n", []string{"acme.yaml:3:", `code " CU" is empty or has surrounding spaces`}},
		{"wrong type", "segments:\n  REF: {max: many}\n", []string{"acme.yaml:2:"}},
		{"not yaml", "codes: [\n", []string{"acme.yaml:"}},
		{"all problems at once", "segments:\n  ref: {max: -1}\nelements:\n  BEG5: {mode: loud}\n", []string{"acme.yaml:4:3:", "acme.yaml:4:", "mode \"loud\"", "acme.yaml:2:3:", "acme.yaml:2:"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseOverlay("acme.yaml", []byte(tc.in))
			if err == nil {
				t.Fatal("no error")
			}
			var oe *OverlayError
			if !errors.As(err, &oe) {
				t.Errorf("error %T is not an *OverlayError: %v", err, err)
			}
			msg := err.Error()
			rest := msg
			for _, w := range tc.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("error does not contain %q (in order):\n%s", w, msg)
				}
				rest = rest[i+len(w):]
			}
		})
	}
}

func TestLoadOverlayFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "acme.yaml")
	if err := os.WriteFile(path, []byte("segments:\n  REF: {max: 20, mode: sloppy}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadOverlayFile(path)
	if err == nil || !strings.HasPrefix(err.Error(), path+":2:") {
		t.Fatalf("error %v, want it to start with %s:2:", err, path)
	}
	if _, err := LoadOverlayFile(filepath.Join(dir, "missing.yaml")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestOverlayCheck(t *testing.T) {
	t.Parallel()
	d := testDictionary(t)
	cases := []struct {
		name, in string
		want     []string // substrings in order; none means no error
	}{
		{"all known", "codes:\n  \"355\": {add: [XX]}\nelements:\n  BEG05: {usage: O}\nsegments:\n  REF: {max: 20}\n", nil},
		{"unknown element id", "codes:\n  \"9999\": {add: [XX]}\n", []string{"p.yaml:2:3:", "element 9999 does not exist in version 004010"}},
		{"code list on a non-ID element", "codes:\n  \"324\": {add: [XX]}\n", []string{"p.yaml:2:3:", "element 324 (Purchase Order Number) is of type AN, not ID"}},
		{"unknown segment position", "elements:\n  BEG09: {usage: O}\n", []string{"p.yaml:2:3:", "segment BEG has 5 elements in version 004010; there is no BEG09"}},
		{"unknown segment in elements", "elements:\n  QQQ01: {usage: O}\n", []string{"p.yaml:2:3:", "segment QQQ does not exist"}},
		{"unknown segment", "segments:\n  QQ: {max: 2}\n", []string{"p.yaml:2:3:", "segment QQ does not exist"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o, err := ParseOverlay("p.yaml", []byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			err = o.Check(d)
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			rest := err.Error()
			for _, w := range tc.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("error does not contain %q (in order):\n%s", w, err)
				}
				rest = rest[i+len(w):]
			}
		})
	}
}
