package spec

import (
	"bytes"
	"flag"
	"io/fs"
	"os"
	"path"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

var updateSnapshots = flag.Bool("update", false, "rewrite the snapshots under snapshot/ from the YAML under data/")

// builtinVersions lists the version folders of the embedded data.
func builtinVersions(t *testing.T) []string {
	t.Helper()
	reg, err := lazyFS(builtinFS, "data", nil)
	if err != nil {
		t.Fatal(err)
	}
	return reg.Versions()
}

// TestSnapshots checks that every shipped snapshot is exactly what the
// YAML loads to (-update rewrites them), and that it decodes to what the
// YAML loader builds.
func TestSnapshots(t *testing.T) {
	versions := builtinVersions(t)
	if len(versions) == 0 {
		t.Fatal("no versions in data/")
	}
	for _, v := range versions {
		t.Run(v, func(t *testing.T) {
			dir := path.Join("data", v)
			d, sets, errs := loadVersion(builtinFS, dir, v)
			if len(errs) > 0 {
				t.Fatalf("the YAML does not load: %v", errs)
			}
			sum, err := yamlDigest(builtinFS, dir)
			if err != nil {
				t.Fatal(err)
			}
			want := encodeSnapshot(d, sets, sum)
			if again := encodeSnapshot(d, sets, sum); !bytes.Equal(want, again) {
				t.Fatal("encodeSnapshot is not deterministic")
			}
			if *updateSnapshots {
				if err := os.WriteFile(snapshotPath(v), want, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			// Compare with the file on disk: the embedded copy is the same
			// unless the package was built before the file was rewritten.
			got, err := os.ReadFile(snapshotPath(v))
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("%s is missing or stale (err %v): run go generate ./internal/x12/spec", snapshotPath(v), err)
			}
			gd, gsets, err := decodeSnapshot(got, sum, v)
			if err != nil {
				t.Fatalf("decodeSnapshot: %v", err)
			}
			if !reflect.DeepEqual(gd, d) {
				t.Error("the snapshot's dictionary differs from the YAML's")
			}
			if !reflect.DeepEqual(gsets, sets) {
				t.Error("the snapshot's sets differ from the YAML's")
			}
			for id, ts := range gsets {
				if ts.Dict != gd {
					t.Errorf("set %s not linked to the decoded dictionary", id)
				}
				checkSet(t, ts, gd)
			}
			// The built-in registry really takes the fast path.
			if _, _, ok := loadSnapshot(snapshotFS, builtinFS, dir, v); !ok {
				t.Error("the embedded snapshot is not used (stale build?)")
			}
		})
	}
	if *updateSnapshots {
		return
	}
	// No snapshot of a version that is gone.
	entries, err := fs.ReadDir(snapshotFS, snapshotDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if v, ok := strings.CutSuffix(e.Name(), ".bin"); ok && !contains(versions, v) {
			t.Errorf("%s: no version %s under data/; delete it", e.Name(), v)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// A snapshot made from other YAML is not used: the registry reads the YAML.
func TestSnapshotStaleFallsBack(t *testing.T) {
	v := builtinVersions(t)[0]
	dir := path.Join("data", v)
	mfs := fstest.MapFS{}
	err := fs.WalkDir(builtinFS, dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		data, err := fs.ReadFile(builtinFS, p)
		mfs[p] = &fstest.MapFile{Data: data}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, ok := loadSnapshot(snapshotFS, mfs, dir, v); !ok {
		t.Fatal("snapshot not used for identical YAML")
	}
	// Change a fact: a code description.
	f := mfs[dir+"/elements.yaml"]
	f.Data = append(bytes.Clone(f.Data), "\"99999\": {name: Test Element, type: AN, min: 1, max: 2}\n"...)
	if _, _, ok := loadSnapshot(snapshotFS, mfs, dir, v); ok {
		t.Fatal("stale snapshot used after the YAML changed")
	}
	reg, err := lazyFS(mfs, "data", snapshotFS)
	if err != nil {
		t.Fatal(err)
	}
	d, ok := reg.Dictionary(v)
	if !ok || d.Elements["99999"] == nil {
		t.Fatal("the registry did not read the changed YAML")
	}
}

// A corrupt snapshot is an error, never a panic or a partial version.
func TestSnapshotCorrupt(t *testing.T) {
	v := builtinVersions(t)[0]
	data, err := fs.ReadFile(snapshotFS, snapshotPath(v))
	if err != nil {
		t.Fatal(err)
	}
	sum := [32]byte(data[len(snapshotMagic):])
	if _, _, err := decodeSnapshot(data, sum, v); err != nil {
		t.Fatalf("intact snapshot: %v", err)
	}
	if _, _, err := decodeSnapshot(data, sum, "009999"); err == nil {
		t.Error("snapshot accepted for another version")
	}
	for n := 0; n < len(data); n += 1 + n%61 { // dense at the head, sampled after

		if d, sets, err := decodeSnapshot(data[:n], sum, v); err == nil || d != nil || sets != nil {
			t.Fatalf("truncated to %d bytes: accepted", n)
		}
	}
	bad := bytes.Clone(data)
	for i := len(snapshotMagic) + len(sum); i < len(bad); i += 31 {
		bad[i] ^= 0xff
		decodeSnapshot(bad, sum, v) // must not panic
		bad[i] ^= 0xff
	}
}

func BenchmarkLoadVersion(b *testing.B) {
	const v = "004010"
	dir := path.Join("data", v)
	b.Run("yaml", func(b *testing.B) {
		for b.Loop() {
			if _, _, errs := loadVersion(builtinFS, dir, v); len(errs) > 0 {
				b.Fatal(errs)
			}
		}
	})
	b.Run("snapshot", func(b *testing.B) {
		for b.Loop() {
			if _, _, ok := loadSnapshot(snapshotFS, builtinFS, dir, v); !ok {
				b.Fatal("no snapshot")
			}
		}
	})
}
