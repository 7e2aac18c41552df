package mapping

import (
	"os"
	"path/filepath"
	"testing"
)

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRunTests(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"m.yaml": head + "fields:\n  po: {from: BEG/BEG03, required: true}\n  n: {from: count(L), type: integer}\n",
		// folder cases
		"tests/m/ok/input.xml":                "<T><BEG><BEG03>P1</BEG03></BEG><L/><L/></T>",
		"tests/m/ok/expected.json":            `{"n": 2, "po": "P1"}`,
		"tests/m/wrong/input.xml":             "<T><BEG><BEG03>P2</BEG03></BEG></T>",
		"tests/m/wrong/expected.json":         `{"po": "P1", "n": 0}`,
		"tests/m/rejected/input.xml":          "<T/>",
		"tests/m/rejected/expected-error.txt": "required value is missing\n",
		"tests/m/two-inputs/input.xml":        "<T/>",
		"tests/m/two-inputs/input.json":       "{}",
		// a .test.yaml
		"m.test.yaml": "cases:\n  - name: inline ok\n    input: tests/m/ok/input.xml\n    expected: tests/m/ok/expected.json\n" +
			"  - name: expects an error that does not come\n    input: tests/m/ok/input.xml\n    error: nope\n",
	})
	res, err := RunTests([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]TestResult{}
	for _, r := range res {
		got[r.Case] = r
	}
	want := map[string]bool{"ok": true, "wrong": false, "rejected": true, "two-inputs": false, "inline ok": true, "expects an error that does not come": false}
	if len(got) != len(want) {
		t.Errorf("ran %d cases, want %d: %+v", len(got), len(want), res)
	}
	for name, pass := range want {
		r, ok := got[name]
		if !ok {
			t.Errorf("case %q did not run", name)
			continue
		}
		if r.Passed != pass {
			t.Errorf("case %q passed=%v, want %v (err %v, diff %s)", name, r.Passed, pass, r.Err, r.Diff)
		}
	}
	d := got["wrong"].Diff
	if want := "--- want\n+++ got\n  {\n    \"n\": 0,\n-   \"po\": \"P1\"\n+   \"po\": \"P2\"\n  }\n"; d != want {
		t.Errorf("diff:\n%s\nwant:\n%s", d, want)
	}
	if got["two-inputs"].Err == nil {
		t.Error("a case folder with two inputs should be an error")
	}
}
