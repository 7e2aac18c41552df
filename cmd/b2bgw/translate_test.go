package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/b2bgw/b2bgw/mappings"
)

const fixtures = "../../mappings/testdata/"

func TestTranslateExitCodes(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("mapping: x\nsource: {standard: x12}\nfields:\n  a: {form: BEG/BEG03}\n"), 0o644)
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"translate 850", []string{"translate", fixtures + "850-basic.x12"}, 0},
		{"translate 856 945 csv", []string{"translate", "--jsonl", fixtures + "856-pick-pack.x12", fixtures + "945-basic.x12", fixtures + "catalog.csv"}, 0},
		{"translate unknown code", []string{"translate", fixtures + "850-bad-uom.x12"}, 1},
		{"translate invalid set", []string{"translate", sample + "bad/850-4010-errors.x12"}, 1},
		{"translate not edi", []string{"translate", "main.go"}, 1},
		{"translate missing file", []string{"translate", "no-such-file.x12"}, 2},
		{"translate no args", []string{"translate"}, 2},
		{"translate bad mapping", []string{"translate", "--mapping", bad, fixtures + "850-basic.x12"}, 2},
		{"translate partner mapping", []string{"translate", "--mapping", "../../mappings/x12-004010-850.yaml", "--partner", "acme", sample + "850-4010-basic.x12"}, 0},
		{"test built-ins", []string{"test", "../../mappings"}, 0},
		{"test nothing found", []string{"test", t.TempDir()}, 1},
		{"test missing path", []string{"test", "no-such-dir"}, 2},
		{"lint built-ins", []string{"lint", "../../mappings"}, 0},
		{"lint bad mapping", []string{"lint", bad}, 1},
		{"lint missing path", []string{"lint", "no-such-dir"}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := run(t, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, out, errOut)
			}
		})
	}
}

// TestTranslateHelp checks that the help lists the built-in mappings
// however it is asked for: the list is made only when the help is shown.
func TestTranslateHelp(t *testing.T) {
	set, err := mappings.Load()
	if err != nil {
		t.Fatal(err)
	}
	want := "\n\nBuilt-in mappings:\n" + set.Describe() + "\nExit status: 0"
	for _, args := range [][]string{{"translate", "--help"}, {"translate", "-h"}, {"help", "translate"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			out, errOut, code := run(t, args...)
			if code != 0 || !strings.HasPrefix(out, "translate reads X12") || !strings.Contains(out, want) || !strings.Contains(out, "\nUsage:\n  b2bgw translate") {
				t.Errorf("exit %d, want the help with the built-in mappings:\n%s\nstdout:\n%s\nstderr:\n%s", code, want, out, errOut)
			}
		})
	}
}

func TestTranslateGolden(t *testing.T) {
	tests := []struct {
		golden string
		stderr bool
		args   []string
	}{
		{"translate-850.json", false, []string{"translate", fixtures + "850-basic.x12"}},
		{"translate-jsonl.jsonl", false, []string{"translate", "--jsonl", "--partner", "acme-retail", fixtures + "856-pick-pack.x12", fixtures + "945-basic.x12", fixtures + "catalog.csv"}},
		{"translate-rejected.txt", true, []string{"translate", fixtures + "850-bad-uom.x12", sample + "bad/850-4010-errors.x12"}},
		{"translate-trace.txt", true, []string{"translate", "--trace", "-o", os.DevNull, sample + "850-4010-basic.x12"}},
	}
	for _, tc := range tests {
		t.Run(tc.golden, func(t *testing.T) {
			out, errOut, _ := run(t, tc.args...)
			if tc.stderr {
				out = errOut
			}
			golden(t, tc.golden, out)
		})
	}
}

// TestTranslateDocuments checks what every consumer relies on: one valid
// JSON object a line with --jsonl, in input order, each with its meta.
func TestTranslateDocuments(t *testing.T) {
	out, errOut, code := run(t, "translate", "--jsonl", fixtures+"850-basic.x12", fixtures+"856-pick-pack.x12", fixtures+"945-basic.x12")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	want := []struct{ kind, number, control string }{
		{"order", "PO4500012345", "0001"},
		{"shipment_notice", "ASN-000982", "0001"},
		{"warehouse_shipping_advice", "WH/OUT/00017", "0001"},
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	i := 0
	for ; sc.Scan(); i++ {
		var d struct {
			Meta struct {
				Kind           string `json:"kind"`
				DocumentNumber string `json:"document_number"`
				PartnerID      string `json:"partner_id"`
				Source         struct {
					File struct{ SHA256 string } `json:"file"`
					Set  struct {
						ControlNumber string `json:"control_number"`
					} `json:"set"`
				} `json:"source"`
			} `json:"meta"`
		}
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if i >= len(want) {
			t.Fatalf("more than %d documents", len(want))
		}
		m := d.Meta
		if m.Kind != want[i].kind || m.DocumentNumber != want[i].number || m.Source.Set.ControlNumber != want[i].control ||
			len(m.Source.File.SHA256) != 64 || m.PartnerID == "" {
			t.Errorf("document %d meta = %+v, want %+v", i+1, m, want[i])
		}
	}
	if i != len(want) {
		t.Errorf("%d documents, want %d", i, len(want))
	}
}

func TestLintMessages(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "m.yaml"), []byte(`mapping: m
source: {standard: x12, version: "004010", set: "850"}
codelists:
  uom: missing.yaml
fields:
  po: {form: BEG/BEG03}
  bad: "BEG[BEG01='00'"
  qty: {from: PO1/PO102, codes: nolist}
`), 0o644)
	os.WriteFile(filepath.Join(dir, "l.yaml"), []byte("codelist: l\ncodez: {A: b}\n"), 0o644)
	out, _, code := run(t, "lint", dir)
	if code != 1 {
		t.Fatalf("exit %d, want 1:\n%s", code, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 4 {
		t.Errorf("want a message per problem, got:\n%s", out)
	}
	for _, l := range lines {
		f := strings.SplitN(l, ":", 4)
		if len(f) < 4 || !strings.HasSuffix(f[0], ".yaml") || f[1] == "" || f[2] == "" {
			t.Errorf("not file:line:col: %q", l)
		}
	}
}
