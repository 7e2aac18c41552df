package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReproducesCommittedData regenerates the data from the Debian tables
// and compares it with ../data byte for byte. The tables are not in the
// repository: set EDIFACT_TABLES to the unpacked libbusiness-edi-perl
// (default /tmp/bedi); the test is skipped when they are absent.
func TestReproducesCommittedData(t *testing.T) {
	src := os.Getenv("EDIFACT_TABLES")
	if src == "" {
		src = "/tmp/bedi"
	}
	if _, err := os.Stat(filepath.Join(src, "usr/share/perl5/Business/EDI/data/edifact/untdid")); err != nil {
		if _, err := os.Stat(filepath.Join(src, "data/edifact/untdid")); err != nil {
			t.Skipf("Debian tables not unpacked at %s (apt-get download libbusiness-edi-perl; dpkg-deb -x it there, or set EDIFACT_TABLES)", src)
		}
	}
	got, err := Generate(src)
	if err != nil {
		t.Fatal(err)
	}
	committed := map[string][]byte{}
	root := filepath.Join("..", "data")
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaml") {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(root, p)
		committed[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range got {
		c, ok := committed[name]
		switch {
		case !ok:
			t.Errorf("%s: generated but not committed", name)
		case !bytes.Equal(b, c):
			t.Errorf("%s: committed file differs from the generator's output; run go run ./gen -src %s -out data", name, src)
		}
	}
	for name := range committed {
		if _, ok := got[name]; !ok {
			t.Errorf("%s: committed but not generated", name)
		}
	}
}
