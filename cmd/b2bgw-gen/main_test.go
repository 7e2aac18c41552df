package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/b2bgw/b2bgw/internal/benchgen"
)

func TestRunWritesTheThreeFiles(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		prefix  string
		orders  int
		seed    uint64
		wantOut string // a line of the report
	}{
		{"orders and seed", []string{"-orders", "5", "-seed", "7", "-prefix", "s7"}, "s7", 5, 7,
			"s7-x12.edi orders=5 segments=186 bytes=6570 (0.01 MB)"},
		{"size", []string{"-size", "10KB", "-prefix", "t"}, "t", 8, benchgen.DefaultSeed,
			"t-edifact.edi orders=8 segments=571 bytes=12675 (0.01 MB)"},
		{"default prefix", []string{"-orders", "1"}, "po", 1, benchgen.DefaultSeed, "po-x12-nonl.edi"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			var stdout, stderr bytes.Buffer
			if code := run(append(tc.args, "-out", dir), &stdout, &stderr); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			// The file name is padded to 40 columns; temporary paths are longer.
			if !strings.Contains(strings.Join(strings.Fields(stdout.String()), " "), tc.wantOut) {
				t.Errorf("report %q does not contain %q", stdout.String(), tc.wantOut)
			}
			g := benchgen.New(tc.seed)
			var x, xn, e bytes.Buffer
			if _, err := g.WriteFiles(benchgen.Outputs{X12: &x, X12NoNL: &xn, Edifact: &e}, tc.orders, 0); err != nil {
				t.Fatal(err)
			}
			for suffix, want := range map[string][]byte{"-x12.edi": x.Bytes(), "-x12-nonl.edi": xn.Bytes(), "-edifact.edi": e.Bytes()} {
				got, err := os.ReadFile(filepath.Join(dir, tc.prefix+suffix))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s: %d bytes differ from benchgen's %d", suffix, len(got), len(want))
				}
			}
		})
	}
}

func TestRunUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"bad size", []string{"-size", "lots"}, 2, "-size"},
		{"negative orders", []string{"-orders", "-1"}, 2, "-orders"},
		{"unknown flag", []string{"-frobnicate"}, 2, "frobnicate"},
		{"stray argument", []string{"file.edi"}, 2, "unexpected arguments"},
		{"help", []string{"-h"}, 0, "-prefix"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(append(tc.args, "-out", t.TempDir()), &stdout, &stderr)
			if code != tc.code || !strings.Contains(stderr.String(), tc.msg) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr.String(), tc.code, tc.msg)
			}
		})
	}
}

func TestRunOutputNotWritable(t *testing.T) {
	// A file where the directory should be: MkdirAll fails.
	blocker := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-orders", "1", "-out", filepath.Join(blocker, "sub")}, &stdout, &stderr); code != 1 {
		t.Errorf("exit %d, want 1 (stderr %q)", code, stderr.String())
	}
}
