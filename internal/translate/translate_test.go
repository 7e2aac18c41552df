package translate

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/b2bgw/b2bgw/internal/benchgen"
	"github.com/b2bgw/b2bgw/internal/mapping"
	"github.com/b2bgw/b2bgw/mappings"
)

var update = flag.Bool("update", false, "rewrite the expected files of the built-in mapping tests from the current output (check the diff before committing)")

// TestBuiltinMappings runs every test beside the built-in mappings and
// templates (the same as `b2bgw test mappings/`).
func TestBuiltinMappings(t *testing.T) {
	if *update {
		updateExpected(t, "../../mappings")
	}
	rs, err := RunTests([]string{"../../mappings"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) < 7 {
		t.Errorf("found %d cases, want every built-in mapping's", len(rs))
	}
	for _, r := range rs {
		if !r.Passed {
			t.Errorf("%s: %s (%s): %v\n%s", r.Mapping, r.Case, r.Input, r.Err, r.Diff)
		}
	}
}

// updateExpected rewrites every expected: file of the .test.yaml files
// in dir from what the mapping or template produces now.
func updateExpected(t *testing.T, dir string) {
	specs, _ := filepath.Glob(filepath.Join(dir, "*.test.yaml"))
	for _, spec := range specs {
		path, kind, ts, err := specTarget(spec)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range ts.Cases {
			if c.Expected == "" {
				continue
			}
			in := filepath.Join(filepath.Dir(spec), c.Input)
			out := filepath.Join(filepath.Dir(spec), c.Expected)
			var got []byte
			if kind == "template" {
				tp, err := mapping.LoadTemplate(path)
				if err != nil {
					t.Fatal(err)
				}
				if got, err = RenderTemplate(tp, in); err != nil {
					t.Fatal(err)
				}
			} else {
				got = mapped(t, path, in)
			}
			if err := os.WriteFile(out, got, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// mapped is what an inbound mapping makes of a fixture, as indented JSON
// (an array when the input holds several documents).
func mapped(t *testing.T, path, in string) []byte {
	m, err := mapping.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	var trees []mapping.Tree
	switch {
	case strings.HasSuffix(in, ".csv") && perRecord(m.Target):
		trees, err = ParseRecords(in, data)
	case strings.HasSuffix(in, ".csv"):
		var tr mapping.Tree
		tr, err = mapping.ParseCSV(data)
		trees = []mapping.Tree{tr}
	default:
		trees, err = mapping.ParseX12(data)
	}
	if err != nil {
		t.Fatal(err)
	}
	var vs []mapping.Value
	for _, tr := range trees {
		v, err := m.Translate(tr)
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		vs = append(vs, v)
	}
	v := vs[0]
	if len(vs) > 1 {
		v = mapping.Arr(vs...)
	}
	var b bytes.Buffer
	if err := json.Indent(&b, v.AppendJSON(nil), "", "  "); err != nil {
		t.Fatal(err)
	}
	b.WriteByte('\n')
	return b.Bytes()
}

// TestBuiltinLoad checks that every embedded mapping and template compiles
// and that each inbound one is found by its source.
func TestBuiltinLoad(t *testing.T) {
	s, err := mappings.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ std, version, set, target string }{
		{"x12", "004010", "850", "Order"},
		{"x12", "004010VICS", "850", "Order"},
		{"x12", "004010", "856", "ShipmentNotice"},
		{"x12", "004010", "945", "WarehouseShippingAdvice"},
		{"csv", "", "", "CatalogItem"},
	} {
		m := s.For(tc.std, tc.version, tc.set)
		if m == nil || m.Target != tc.target {
			t.Errorf("For(%s %s %s) = %v, want the %s mapping", tc.std, tc.version, tc.set, m, tc.target)
		}
	}
	if s.For("x12", "005010", "850") != nil {
		t.Error("a 005010 850 must not get the 004010 mapping")
	}
	for _, tc := range []struct{ source, std string }{{"InventoryAdvice", "x12"}, {"InventoryAdvice", "csv"}} {
		if s.Template(tc.source, tc.std) == nil {
			t.Errorf("no built-in template %s -> %s", tc.source, tc.std)
		}
	}
}

// TestOrderAndMeta translates many sets on every worker and checks that the
// documents come out in input order, each with its set's meta.
func TestOrderAndMeta(t *testing.T) {
	path := filepath.Join(t.TempDir(), "po.edi")
	if err := os.WriteFile(path, benchgen.X12(300, true), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, workers := range []int{1, 4} {
		tr, err := New(Options{Workers: workers, Partner: "acme"})
		if err != nil {
			t.Fatal(err)
		}
		next := 1
		sum, err := tr.File(path, func(r *Result) error {
			if r.Err != nil {
				t.Errorf("set %d: %v", r.Index, r.Err)
				return nil
			}
			if r.Index != next {
				t.Fatalf("workers %d: document %d came out as number %d", workers, r.Index, next)
			}
			next++
			var d struct {
				Meta struct {
					PartnerID string `json:"partner_id"`
					Source    struct {
						Set struct {
							Index         int    `json:"index"`
							ControlNumber string `json:"control_number"`
						} `json:"set"`
					} `json:"source"`
				} `json:"meta"`
			}
			if err := json.Unmarshal(r.JSON, &d); err != nil {
				t.Fatal(err)
			}
			if d.Meta.PartnerID != "acme" || d.Meta.Source.Set.Index != r.Index || d.Meta.Source.Set.ControlNumber != r.SetControl {
				t.Errorf("set %d: meta %+v", r.Index, d.Meta)
			}
			return nil
		})
		if err != nil || !sum.OK() || sum.Accepted != 300 {
			t.Fatalf("workers %d: %+v, %v", workers, sum, err)
		}
	}
}

// TestRejections covers the ways a document is rejected, each with the
// analyst's facts in the message.
func TestRejections(t *testing.T) {
	tr, err := New(Options{Partner: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	gtin := strings.Replace(readFile(t, "../../mappings/testdata/850-basic.x12"), "UK*10012345678902", "UK*10012345678903", 1)
	tests := []struct {
		name, file, data string
		want             []string
	}{
		{"unknown code", "../../mappings/testdata/850-bad-uom.x12", "", []string{"partner acme", "document PO4500012346", "set 850 0002", "x12-004010-850.yaml:91", "lines[0].uom (PO1/PO103)", `"QQ"`, "line 6, segment 4, element 3"}},
		{"canonical check", "gtin.x12", gtin, []string{"document PO4500012345", "lines[2].product.gtin", "x12-004010-850.yaml:", "10012345678903", "check digit", "canonical check"}},
		{"invalid set", "../../testdata/x12/bad/850-4010-errors.x12", "", []string{"set 850 0002", "does not validate", "AK502=4", "BEG03"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.file
			if tc.data != "" {
				path = filepath.Join(dir, tc.file)
				os.WriteFile(path, []byte(tc.data), 0o644)
			}
			var msgs []string
			if _, err := tr.File(path, func(r *Result) error {
				if r.Err != nil {
					if r.JSON != nil {
						t.Error("a rejected document has JSON")
					}
					msgs = append(msgs, r.Err.Error())
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if len(msgs) != 1 {
				t.Fatalf("want one rejection, got %q", msgs)
			}
			for _, w := range tc.want {
				if !strings.Contains(msgs[0], w) {
					t.Errorf("message lacks %q:\n%s", w, msgs[0])
				}
			}
		})
	}
}

func readFile(t *testing.T, p string) string {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
