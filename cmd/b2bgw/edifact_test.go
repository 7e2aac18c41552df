package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const ediSample = "../../testdata/edifact/"

// unbDate blanks the date and time of our CONTRL's UNB (S004), which
// change between runs.
var unbDate = regexp.MustCompile(`(?m)^(UNB\+[^+']*\+[^+']*\+[^+']*\+)[0-9]{6,8}:[0-9]{4}`)

func goldenEDI(t *testing.T, name, got string) {
	t.Helper()
	golden(t, name, unbDate.ReplaceAllString(got, "${1}YYMMDD:HHMM"))
}

func TestEDIFACTExitCodes(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"validate orders", []string{"validate", ediSample + "orders-d96a.edi"}, 0},
		{"validate desadv", []string{"validate", ediSample + "desadv-d96a.edi"}, 0},
		{"validate orders and an x12 file", []string{"validate", ediSample + "orders-d96a.edi", sample + "850-4010-basic.x12"}, 0},
		{"parse orders", []string{"parse", ediSample + "orders-d96a.edi"}, 0},
		{"ack orders", []string{"ack", ediSample + "orders-d96a.edi"}, 0},
		{"ack orders --type contrl", []string{"ack", "--type", "contrl", ediSample + "orders-d96a.edi"}, 0},
		{"ack orders --type 997", []string{"ack", "--type", "997", ediSample + "orders-d96a.edi"}, 2},
		{"translate orders", []string{"translate", ediSample + "orders-d96a.edi"}, 0},
		{"translate desadv", []string{"translate", "--jsonl", ediSample + "desadv-d96a.edi"}, 0},
		{"validate unt count", []string{"validate", ediSample + "bad/unt-count.edi"}, 1},
		{"validate missing unz", []string{"validate", ediSample + "bad/missing-unz.edi"}, 1},
		{"validate unescaped separator", []string{"validate", ediSample + "bad/unescaped-separator.edi"}, 1},
		{"validate outside unoa", []string{"validate", ediSample + "bad/outside-unoa.edi"}, 1},
		{"validate release at end", []string{"validate", ediSample + "bad/release-at-end.edi"}, 1},
		{"validate binary garbage", []string{"validate", ediSample + "bad/binary-garbage.edi"}, 1},
		{"parse unt count", []string{"parse", ediSample + "bad/unt-count.edi"}, 1},
		{"ack unt count", []string{"ack", ediSample + "bad/unt-count.edi"}, 1},
		{"translate unt count", []string{"translate", ediSample + "bad/unt-count.edi"}, 1},
		{"validate bad overlay", []string{"validate", "--overlay", "no-such-overlay.yaml", ediSample + "orders-d96a.edi"}, 2},
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

// TestEDIFACTGolden pins what operators and partners see: findings with
// their CONTRL codes, and the CONTRL itself, for a clean ORDERS, a DESADV
// and each kind of bad input.
func TestEDIFACTGolden(t *testing.T) {
	tests := []struct {
		golden string
		args   []string
	}{
		{"edifact-parse-orders.txt", []string{"parse", ediSample + "orders-d96a.edi"}},
		{"edifact-validate-orders.txt", []string{"validate", ediSample + "orders-d96a.edi"}},
		{"edifact-validate-desadv.txt", []string{"validate", ediSample + "desadv-d96a.edi"}},
		{"edifact-contrl-orders.edi", []string{"ack", ediSample + "orders-d96a.edi"}},
		{"edifact-translate-orders.json", []string{"translate", ediSample + "orders-d96a.edi"}},
		{"edifact-translate-desadv.jsonl", []string{"translate", "--jsonl", ediSample + "desadv-d96a.edi"}},
	}
	for _, bad := range []string{"unt-count", "missing-unz", "unescaped-separator", "outside-unoa", "release-at-end", "binary-garbage"} {
		tests = append(tests,
			struct {
				golden string
				args   []string
			}{"edifact-validate-" + bad + ".txt", []string{"validate", ediSample + "bad/" + bad + ".edi"}},
			struct {
				golden string
				args   []string
			}{"edifact-contrl-" + bad + ".edi", []string{"ack", ediSample + "bad/" + bad + ".edi"}})
	}
	for _, tc := range tests {
		t.Run(tc.golden, func(t *testing.T) {
			out, _, _ := run(t, tc.args...)
			goldenEDI(t, tc.golden, out)
		})
	}
}

// TestEDIFACTContrlIsValid reads every CONTRL we produce back through our
// own decoder: envelope, counts and references must be right. (Directory
// validation of CONTRL D:3:UN itself is not asserted: the validator looks
// it up as directory "D3"; see the EDIFACT report.)
func TestEDIFACTContrlIsValid(t *testing.T) {
	files, _ := filepath.Glob(ediSample + "bad/*.edi")
	files = append(files, ediSample+"orders-d96a.edi", ediSample+"desadv-d96a.edi")
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			contrl, errOut, _ := run(t, "ack", f)
			if !strings.Contains(contrl, "UNH+") || !strings.Contains(contrl, "CONTRL") {
				t.Fatalf("no CONTRL for %s: %q %s", f, contrl, errOut)
			}
			tmp := filepath.Join(t.TempDir(), "contrl.edi")
			os.WriteFile(tmp, []byte(contrl), 0o644)
			if out, _, code := run(t, "parse", tmp); code != 0 {
				t.Errorf("our CONTRL does not validate (exit %d):\n%s\n%s", code, out, contrl)
			}
		})
	}
}

func TestEDIFACTJSON(t *testing.T) {
	out, _, code := run(t, "validate", "--json", ediSample+"bad/unt-count.edi")
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	var reps []struct {
		Standard     string
		Interchanges []struct {
			Messages []struct {
				Type, Status string
				Problems     []struct{ Code string }
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &reps); err != nil {
		t.Fatal(err)
	}
	m := reps[0].Interchanges[0].Messages[0]
	if reps[0].Standard != "edifact" || m.Status != "rejected" || len(m.Problems) != 1 || m.Problems[0].Code != "29" {
		t.Errorf("unexpected: %+v", reps)
	}
	out, _, code = run(t, "parse", "--json", ediSample+"desadv-d96a.edi")
	var p map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &p) != nil {
		t.Errorf("parse --json: exit %d, %q", code, out)
	}
}
