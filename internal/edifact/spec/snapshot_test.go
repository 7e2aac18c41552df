package spec

import (
	"bytes"
	"errors"
	"flag"
	"io/fs"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

var updateSnapshots = flag.Bool("update", false, "rewrite the snapshots under snapshot/ from the YAML under data/")

// yamlRegistry loads the embedded YAML without snapshots.
func yamlRegistry(t testing.TB) *Registry {
	t.Helper()
	reg, err := LoadFS(builtinFS, "data")
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

// snapshotRegistry is the built-in registry, made afresh.
func snapshotRegistry(t testing.TB, fsys fs.FS) *Registry {
	t.Helper()
	reg, err := newRegistry(fsys, "data", snapshotFS)
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func serviceID(d *Directory) string {
	if d.Service == nil {
		return ""
	}
	return d.Service.ID
}

// TestSnapshots checks that every shipped snapshot is exactly what the
// YAML loads to (-update rewrites them), and that it decodes to what the
// YAML loader builds.
func TestSnapshots(t *testing.T) {
	yreg := yamlRegistry(t)
	ids := yreg.Directories()
	if len(ids) == 0 {
		t.Fatal("no directories in data/")
	}
	for _, id := range ids {
		t.Run(id, func(t *testing.T) {
			d, msgs, err := yreg.load(id)
			if err != nil {
				t.Fatalf("the YAML does not load: %v", err)
			}
			sum, err := yamlDigest(builtinFS, nil, yreg.digestDirs(id, serviceID(d))...)
			if err != nil {
				t.Fatal(err)
			}
			want := encodeSnapshot(d, msgs, sum)
			if again := encodeSnapshot(d, msgs, sum); !bytes.Equal(want, again) {
				t.Fatal("encodeSnapshot is not deterministic")
			}
			if *updateSnapshots {
				if err := os.WriteFile(snapshotPath(id), want, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			// Compare with the file on disk: the embedded copy is the same
			// unless the package was built before the file was rewritten.
			got, err := os.ReadFile(snapshotPath(id))
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("%s is missing or stale (err %v): run go generate ./internal/edifact/spec", snapshotPath(id), err)
			}
			gd, gmsgs, err := decodeSnapshot(string(got), sum, id, d.Service)
			if err != nil {
				t.Fatalf("decodeSnapshot: %v", err)
			}
			if !reflect.DeepEqual(gd, d) {
				t.Error("the snapshot's directory differs from the YAML's")
			}
			if !reflect.DeepEqual(gmsgs, msgs) {
				t.Error("the snapshot's messages differ from the YAML's")
			}
			checkLinks(t, gd, gmsgs, d.Service)
			// The built-in registry really takes the fast path.
			if _, _, ok := snapshotRegistry(t, builtinFS).loadSnapshot(id); !ok {
				t.Error("the embedded snapshot is not used (stale build?)")
			}
		})
	}
	if *updateSnapshots {
		return
	}
	// No snapshot of a directory that is gone.
	entries, err := fs.ReadDir(snapshotFS, snapshotDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if id, ok := strings.CutSuffix(e.Name(), ".bin"); ok && !slices.Contains(ids, id) {
			t.Errorf("%s: no directory %s under data/; delete it", e.Name(), id)
		}
	}
}

// checkLinks checks that every reference of a decoded directory points
// into the directory itself or its service directory svc, as the YAML
// loader links them (reflect.DeepEqual compares values, not identity).
func checkLinks(t *testing.T, d *Directory, msgs map[string]*Message, svc *Directory) {
	t.Helper()
	if d.Service != svc {
		t.Errorf("%s: service directory not the one given", d.ID)
	}
	for _, c := range d.Composites {
		for _, cr := range c.Components {
			if el, _ := d.Element(cr.Ref); cr.Element != el || el == nil {
				t.Errorf("%s: composite %s component %s not linked", d.ID, c.ID, cr.Ref)
			}
		}
	}
	for _, s := range d.Segments {
		for _, er := range s.Elements {
			el, _ := d.Element(er.Ref)
			c, _ := d.Composite(er.Ref)
			if er.Element != el || er.Composite != c || el == nil && c == nil {
				t.Errorf("%s: segment %s position %s not linked", d.ID, s.ID, er.Pos)
			}
		}
	}
	var nodes func(what string, ns []Node)
	nodes = func(what string, ns []Node) {
		for _, n := range ns {
			if n.IsGroup() {
				nodes(what+" "+n.Group, n.Body)
			} else if def, _ := d.Segment(n.Segment); n.Def != def || def == nil {
				t.Errorf("%s: segment %s not linked", what, n.Segment)
			}
		}
	}
	for typ, m := range msgs {
		if m.Dict != d {
			t.Errorf("%s %s: not linked to its directory", d.ID, typ)
		}
		nodes(d.ID+" "+typ, m.Structure)
	}
}

// The built-in registry (snapshots) and LoadFS (YAML) hold the same
// directories and messages, and the snapshots link them the same way.
func TestSnapshotRegistryEqualsYAML(t *testing.T) {
	yreg, sreg := yamlRegistry(t), snapshotRegistry(t, builtinFS)
	if err := sreg.LoadAll(); err != nil {
		t.Fatal(err)
	}
	if got, want := sreg.Directories(), yreg.Directories(); !slices.Equal(got, want) {
		t.Fatalf("directories %v, want %v", got, want)
	}
	for _, id := range yreg.Directories() {
		yd, _ := yreg.Directory(id)
		sd, ok := sreg.Directory(id)
		if !ok || !reflect.DeepEqual(sd, yd) {
			t.Errorf("directory %s differs", id)
			continue
		}
		_, msgs, _ := sreg.load(id)
		var svc *Directory
		if yd.Service != nil {
			svc, _ = sreg.Directory(yd.Service.ID)
		}
		checkLinks(t, sd, msgs, svc)
		types := yreg.Messages(id)
		if got := sreg.Messages(id); !slices.Equal(got, types) {
			t.Errorf("%s messages %v, want %v", id, got, types)
		}
		for _, typ := range append(types, "CONTRL") { // CONTRL: through the service directory
			ym, _ := yreg.Message(id, typ)
			sm, ok := sreg.Message(id, typ)
			if !ok || !reflect.DeepEqual(sm, ym) {
				t.Errorf("%s %s differs", id, typ)
			}
		}
	}
}

// copyData returns the embedded data/ tree as a MapFS that tests may edit.
func copyData(t *testing.T) fstest.MapFS {
	t.Helper()
	mfs := fstest.MapFS{}
	err := fs.WalkDir(builtinFS, "data", func(p string, e fs.DirEntry, err error) error {
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
	return mfs
}

// A snapshot made from other YAML is not used: the registry reads the
// YAML, and reports its errors with positions as before. A UN directory's
// snapshot is stale when its service directory's YAML changed too.
func TestSnapshotStaleFallsBack(t *testing.T) {
	for _, tc := range []struct {
		name    string
		file    string // appended to
		add     string
		stale   []string // directories whose snapshot is not used
		check   func(*Registry) bool
		wantErr string
	}{
		{name: "unchanged"},
		{name: "UN directory edited", file: "data/D96A/elements.yaml", add: "\"9999\": {name: Test element, format: an..3}\n",
			stale: []string{"D96A"},
			check: func(r *Registry) bool { d, _ := r.Directory("D96A"); return d != nil && d.Elements["9999"] != nil }},
		{name: "service directory edited", file: "data/S3/elements.yaml", add: "\"0999\": {name: Test service element, format: an..3}\n",
			stale: []string{"D96A", "S3"},
			check: func(r *Registry) bool {
				d, _ := r.Directory("D96A")
				el, _ := d.Element("0999")
				return el != nil
			}},
		{name: "message edited", file: "data/D01B/ORDERS.yaml", add: "# a comment\n", stale: []string{"D01B"},
			check: func(r *Registry) bool { _, ok := r.Message("D01B", "ORDERS"); return ok }},
		{name: "YAML broken", file: "data/D96A/elements.yaml", add: "\"9999\": {name: Test element, format: x3}\n",
			stale:   []string{"D96A"},
			wantErr: `data/D96A/elements.yaml:`, // then line:column
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mfs := copyData(t)
			if tc.file != "" {
				f := mfs[tc.file]
				f.Data = append(bytes.Clone(f.Data), tc.add...)
			}
			for _, id := range yamlRegistry(t).Directories() {
				_, _, ok := snapshotRegistry(t, mfs).loadSnapshot(id)
				if stale := slices.Contains(tc.stale, id); ok == stale {
					t.Errorf("%s: snapshot used %v, want %v", id, ok, !stale)
				}
			}
			reg := snapshotRegistry(t, mfs)
			err := reg.LoadAll()
			if tc.wantErr != "" {
				var le *LoadError
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.As(err, &le) || le.Line == 0 {
					t.Fatalf("error %v, want a *LoadError at %s<line>:<column>", err, tc.wantErr)
				}
				if _, ok := reg.Directory("D96A"); ok {
					t.Error("a broken directory was returned")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.check != nil && !tc.check(reg) {
				t.Error("the registry did not read the changed YAML")
			}
		})
	}
}

// A corrupt snapshot is an error, never a panic or a partial directory.
func TestSnapshotCorrupt(t *testing.T) {
	yreg := yamlRegistry(t)
	for _, id := range []string{"D96A", "S3"} {
		t.Run(id, func(t *testing.T) {
			data, err := readString(snapshotFS, snapshotPath(id), nil)
			if err != nil {
				t.Fatal(err)
			}
			_, rest, err := snapshotHeader(data)
			if err != nil {
				t.Fatal(err)
			}
			sum := [32]byte([]byte(rest[:32]))
			d, _ := yreg.Directory(id)
			svc := d.Service
			if _, _, err := decodeSnapshot(data, sum, id, svc); err != nil {
				t.Fatalf("intact snapshot: %v", err)
			}
			if _, _, err := decodeSnapshot(data, sum, "D99Z", svc); err == nil {
				t.Error("snapshot accepted for another directory")
			}
			other, _ := yreg.Directory("S4")
			if _, _, err := decodeSnapshot(data, sum, id, other); err == nil {
				t.Error("snapshot accepted with another service directory")
			}
			var zero [32]byte
			if _, _, err := decodeSnapshot(data, zero, id, svc); err == nil {
				t.Error("snapshot accepted for other YAML")
			}
			// Every byte of the head, then ~500 samples of the rest (each
			// decode of D96A costs a millisecond).
			next := func(i int) int { return i + max(1, min(i-200, len(data)/500)) }
			for n := 0; n < len(data); n = next(n) {
				if d, msgs, err := decodeSnapshot(data[:n], sum, id, svc); err == nil || d != nil || msgs != nil {
					t.Fatalf("truncated to %d bytes: accepted", n)
				}
			}
			bad := []byte(data)
			for i := 0; i < len(bad); i = next(i) {
				bad[i] ^= 0xff
				if d, msgs, err := decodeSnapshot(string(bad), sum, id, svc); (err == nil) != (d != nil && msgs != nil) {
					t.Fatalf("byte %d flipped: err %v with a partial result", i, err)
				}
				bad[i] ^= 0xff
			}
		})
	}
}

// BenchmarkLoadDirectory measures what a run pays for D96A (with S3, its
// service directory) in a fresh registry.
func BenchmarkLoadDirectory(b *testing.B) {
	for _, bc := range []struct {
		name  string
		snaps fs.FS
	}{{"yaml", nil}, {"snapshot", snapshotFS}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				reg, err := newRegistry(builtinFS, "data", bc.snaps)
				if err != nil {
					b.Fatal(err)
				}
				if _, ok := reg.Message("D96A", "ORDERS"); !ok {
					b.Fatal("no D96A ORDERS")
				}
			}
		})
	}
}
