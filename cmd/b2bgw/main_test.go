package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// binary is the b2bgw command built once for the CLI contract tests: exit
// codes and output are what scripts depend on, so they are tested on the
// real process.
var binary string

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "b2bgw-cli")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "b2bgw")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		os.Stderr.Write(out)
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func run(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.ExitCode()
	default:
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

// normalizeDates blanks what changes between runs in ack output: the date
// and time in ISA09/ISA10 and GS04/GS05.
func normalizeDates(out string) string {
	lines := strings.SplitAfter(out, "\n")
	for i, l := range lines {
		if len(l) < 4 || !(strings.HasPrefix(l, "ISA") || strings.HasPrefix(l, "GS")) {
			continue
		}
		sep := l[2:3]
		if strings.HasPrefix(l, "ISA") {
			sep = l[3:4]
		}
		f := strings.Split(l, sep)
		if f[0] == "ISA" && len(f) > 10 {
			f[9], f[10] = "YYMMDD", "HHMM"
		} else if f[0] == "GS" && len(f) > 5 {
			f[4], f[5] = "CCYYMMDD", "HHMM"
		}
		lines[i] = strings.Join(f, sep)
	}
	return strings.Join(lines, "")
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	got = normalizeDates(got)
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (run with -update after checking):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

const sample = "../../testdata/x12/"

func TestExitCodes(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"validate clean", []string{"validate", sample + "850-4010-basic.x12"}, 0},
		{"validate several delimiters", []string{"validate", sample + "850-4010-pipe-crlf.x12", sample + "850-5010-nonl.x12"}, 0},
		{"validate rejected set", []string{"validate", sample + "bad/850-4010-errors.x12"}, 1},
		{"validate missing file", []string{"validate", "no-such-file.x12"}, 2},
		{"validate no args", []string{"validate"}, 2},
		{"validate unknown flag", []string{"validate", "--nope", sample + "850-4010-basic.x12"}, 2},
		{"validate not x12", []string{"validate", "main.go"}, 1},
		{"parse clean", []string{"parse", sample + "850-4010-basic.x12"}, 0},
		{"parse envelope problem", []string{"parse", sample + "bad/850-4010-errors.x12"}, 1},
		{"ack clean", []string{"ack", sample + "850-4010-basic.x12"}, 0},
		{"ack rejected", []string{"ack", sample + "bad/850-4010-errors.x12"}, 1},
		{"ack bad type", []string{"ack", "--type", "998", sample + "850-4010-basic.x12"}, 2},
		{"ack two files", []string{"ack", sample + "850-4010-basic.x12", sample + "850-5010-nonl.x12"}, 2},
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

func TestGoldenOutput(t *testing.T) {
	tests := []struct {
		golden string
		args   []string
	}{
		{"validate-errors.txt", []string{"validate", sample + "bad/850-4010-errors.x12"}},
		{"ack-997-errors.x12", []string{"ack", sample + "bad/850-4010-errors.x12"}},
		{"ack-997-5010.x12", []string{"ack", sample + "850-5010-nonl.x12"}},
		{"ack-999-5010.x12", []string{"ack", "--type", "999", sample + "850-5010-nonl.x12"}},
		{"ack-ta1.x12", []string{"ack", "--type", "ta1", sample + "850-4010-pipe-crlf.x12"}},
		{"parse-basic.txt", []string{"parse", sample + "850-4010-basic.x12"}},
		{"parse-pipe.json", []string{"parse", "--json", sample + "850-4010-pipe-crlf.x12"}},
	}
	for _, tc := range tests {
		t.Run(tc.golden, func(t *testing.T) {
			out, _, _ := run(t, tc.args...)
			golden(t, tc.golden, out)
		})
	}
}

func TestParseJSONIsValid(t *testing.T) {
	for _, f := range []string{"850-4010-basic.x12", "850-4010-pipe-crlf.x12", "850-5010-nonl.x12", "bad/850-4010-errors.x12"} {
		out, _, _ := run(t, "parse", "--json", sample+f)
		var v map[string]any
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Errorf("%s: parse --json is not valid JSON: %v", f, err)
		}
	}
	// several files: an array
	out, _, _ := run(t, "parse", "--json", sample+"850-4010-basic.x12", sample+"850-5010-nonl.x12")
	var arr []any
	if err := json.Unmarshal([]byte(out), &arr); err != nil || len(arr) != 2 {
		t.Errorf("parse --json of two files: want an array of 2, got %v (%v)", len(arr), err)
	}
}

func TestValidateJSON(t *testing.T) {
	out, _, code := run(t, "validate", "--json", sample+"bad/850-4010-errors.x12")
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	var reps []struct {
		File         string
		Interchanges []struct {
			Groups []struct {
				Sets []struct {
					Control  string
					Status   string
					Segments []struct{ Segment, Code string }
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &reps); err != nil {
		t.Fatal(err)
	}
	sets := reps[0].Interchanges[0].Groups[0].Sets
	if len(sets) != 2 || sets[0].Status != "A" || sets[1].Status != "R" || len(sets[1].Segments) == 0 {
		t.Errorf("unexpected results: %+v", sets)
	}
}

// TestDelimiterVariants runs the delimiters seen in real partner files
// through validate and ack, and reads each ack back: it must use the
// partner's delimiters and be valid X12 itself.
func TestDelimiterVariants(t *testing.T) {
	files, err := filepath.Glob(sample + "delimiters/*.x12")
	if err != nil || len(files) < 8 {
		t.Fatalf("want the delimiter samples, got %v (%v)", files, err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			if out, _, code := run(t, "validate", f); code != 0 {
				t.Fatalf("validate exit %d:\n%s", code, out)
			}
			ack, errOut, code := run(t, "ack", f)
			if code != 0 {
				t.Fatalf("ack exit %d: %s", code, errOut)
			}
			in, _ := os.ReadFile(f)
			if ack[3] != in[3] || ack[104] != in[104] || ack[105] != in[105] {
				t.Errorf("ack delimiters %q%q%q, want the partner's %q%q%q", ack[3], ack[104], ack[105], in[3], in[104], in[105])
			}
			tmp := filepath.Join(t.TempDir(), "997.x12")
			os.WriteFile(tmp, []byte(ack), 0o644)
			if out, _, code := run(t, "validate", tmp); code != 0 {
				t.Errorf("the 997 we produce does not validate (exit %d):\n%s\n%q", code, out, ack)
			}
		})
	}
}

func TestLintPartners(t *testing.T) {
	if out, errOut, code := run(t, "lint", "../../mappings", "../../partners"); code != 0 {
		t.Fatalf("the shipped mappings and partner profiles must lint clean (exit %d):\n%s%s", code, out, errOut)
	}
	dir := t.TempDir()
	profile := []byte("partner: acme\nname: ACME\n")
	for _, n := range []string{"a.yaml", "b.yaml"} {
		if err := os.WriteFile(filepath.Join(dir, n), profile, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, _, code := run(t, "lint", dir)
	if code != 1 || !strings.Contains(out, "b.yaml") || !strings.Contains(out, "unique") {
		t.Errorf("two profiles with one id: exit %d, output:\n%s", code, out)
	}
}
