package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPartnerOverlays validates and translates with --partner ID: the
// X12 and EDIFACT overlays of that partner's profile apply as in the
// gateway (partners/acme-retail.yaml makes BEG05 optional, with a
// warning; partners/europa-foods.yaml adds RFF+DP), an explicit --overlay wins, and
// a partner id without a profile is only a name unless --partners was
// given.
func TestPartnerOverlays(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	read := func(p string) string {
		t.Helper()
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	// The ORDERS with RFF+DP, which the D96A list of 1153 lacks; the 850
	// without its mandatory date BEG05.
	orders := write("orders-dp.edi", strings.Replace(read(ediSample+"orders-d96a.edi"), "RFF+CT:CONTRACT-9", "RFF+DP:DEPT-7", 1))
	po := write("850-no-date.x12", strings.Replace(read(sample+"850-4010-basic.x12"), "BEG*00*SA*PO4500001**20251126~", "BEG*00*SA*PO4500001~", 1))
	noDP := write("overlay-warn.yaml", "codes:\n  \"4451\": {mode: warn}\n")
	const partners = "../../partners"

	tests := []struct {
		name string
		args []string
		code int
		out  string // in stdout, or stderr for exit 2
	}{
		{"edifact without overlay", []string{"validate", orders}, 1, "RFF01"},
		{"edifact partner overlay", []string{"validate", "--partners", partners, "--partner", "europa-foods", orders}, 0, "1 message(s) accepted, 0 rejected"},
		{"edifact --overlay wins", []string{"validate", "--partners", partners, "--partner", "europa-foods", "--overlay", noDP, orders}, 1, "rejected"},
		{"no profile: a name only", []string{"validate", "--partner", "europa-foods", orders}, 1, "rejected"},
		{"unknown partner in --partners", []string{"validate", "--partners", partners, "--partner", "nobody", orders}, 2, "--partner nobody: no profile in ../../partners has this id"},
		{"missing --partners", []string{"validate", "--partners", filepath.Join(dir, "none"), "--partner", "europa-foods", orders}, 2, "not a folder of partner profiles"},
		{"x12 without overlay", []string{"validate", po}, 1, "REJECTED"},
		{"x12 partner overlay", []string{"validate", "--partners", partners, "--partner", "acme-retail", po}, 0, "OK: 1 interchange(s), 1 set(s) accepted"},
		{"translate edifact partner overlay", []string{"translate", "--jsonl", "--partners", partners, "--partner", "europa-foods", orders}, 0, `"partner_id":"europa-foods"`},
		{"translate edifact without overlay", []string{"translate", "--jsonl", "--partner", "europa-foods", orders}, 1, ""},
		{"translate x12 partner overlay", []string{"translate", "--jsonl", "--partners", partners, "--partner", "acme-retail", po}, 0, `"partner_id":"acme-retail"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := run(t, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, out, errOut)
			}
			where := out
			if code == 2 {
				where = errOut
			}
			if !strings.Contains(where, tc.out) {
				t.Errorf("output lacks %q\nstdout:\n%s\nstderr:\n%s", tc.out, out, errOut)
			}
		})
	}
}
