package yamlpos

import (
	"errors"
	"strings"
	"testing"
)

func TestReaderPositions(t *testing.T) {
	r := &Reader{File: "f.yaml"}
	body, ok := r.Parse([]byte("a: {x: 1, y: '007'}\nb: [1, 2]\nc: {z: 1}\nd: [x]\n"))
	if !ok {
		t.Fatalf("Parse: %v", errors.Join(r.Errs...))
	}
	top := r.Fields(body, "the file", "a", "b", "d")
	r.Integer(top["d"].Value, "d")
	if got, _ := r.Scalar(r.Fields(top["a"].Value, "a", "x", "y")["y"].Value, "y"); got != "007" {
		t.Errorf("scalar y = %q, want 007 as written", got)
	}
	if n := len(r.Sequence(top["b"].Value, "b")); n != 2 {
		t.Errorf("sequence b has %d items, want 2", n)
	}
	if p := PosOf(top["b"].KeyNode); p != (Pos{2, 1}) {
		t.Errorf("PosOf(b) = %v, want {2 1}", p)
	}
	want := []string{
		`f.yaml:3:1: unknown key "c" in the file (allowed: [a b d])`,
		`f.yaml:4:4: d must be a single value, found Sequence`,
	}
	if got := errors.Join(r.Errs...).Error(); got != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ data, want string }{
		{"a: [1\n", "f.yaml:1:4: not valid YAML:"},
		{"a: 1\n---\nb: 2\n", "f.yaml: holds 2 YAML documents; write exactly one"},
	} {
		r := &Reader{File: "f.yaml"}
		if _, ok := r.Parse([]byte(tc.data)); ok || len(r.Errs) != 1 {
			t.Errorf("Parse(%q) = ok %v, %d errors; want one error", tc.data, ok, len(r.Errs))
			continue
		}
		if got := r.Errs[0].Error(); !strings.HasPrefix(got, tc.want) {
			t.Errorf("Parse(%q): %s, want prefix %s", tc.data, got, tc.want)
		}
	}
}
