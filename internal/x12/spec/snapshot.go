package spec

import (
	"crypto/sha256"
	"embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/b2bgw/b2bgw/internal/specsnap"
)

// Snapshots: the YAML under data/ is the source of truth, but parsing it
// costs the CLI ~50 ms of CPU per version on every run (goccy/go-yaml
// builds a full AST with positions, which only error messages need). A
// snapshot is the same version after loading and resolving, written in a
// compact binary form by this package's tests:
//
//	go generate ./internal/x12/spec   (go test -run TestSnapshots -update)
//
// The built-in registry decodes a version's snapshot (well under a
// millisecond) instead of parsing its YAML, but only when the snapshot was
// made from exactly the embedded YAML: each snapshot carries the SHA-256 of
// its version folder's .yaml files, checked at load, so a YAML edit without
// a regenerated snapshot still behaves exactly as the YAML says (slower),
// and TestSnapshots fails until the snapshot is regenerated. LoadFS (lint,
// tests, partner data) always reads the YAML.
//
//go:generate go test . -run ^TestSnapshots$ -update

//go:embed snapshot
var snapshotFS embed.FS

const (
	snapshotDir   = "snapshot"
	snapshotMagic = "b2bgw-x12-spec-snapshot-1\n"
)

func snapshotPath(version string) string { return path.Join(snapshotDir, version+".bin") }

// yamlDigest hashes the .yaml files of a version folder, in name order.
func yamlDigest(fsys fs.FS, dir string) ([sha256.Size]byte, error) {
	var sum [sha256.Size]byte
	entries, err := fs.ReadDir(fsys, dir) // sorted by name
	if err != nil {
		return sum, err
	}
	h := sha256.New()
	var n [8]byte
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".yaml") {
			continue
		}
		data, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return sum, err
		}
		binary.LittleEndian.PutUint64(n[:], uint64(len(name)))
		h.Write(n[:])
		h.Write([]byte(name))
		binary.LittleEndian.PutUint64(n[:], uint64(len(data)))
		h.Write(n[:])
		h.Write(data)
	}
	h.Sum(sum[:0])
	return sum, nil
}

// loadSnapshot returns a version from its snapshot, or ok false when there
// is none or it was not made from the YAML in fsys/dir (the caller then
// parses the YAML).
func loadSnapshot(snaps, fsys fs.FS, dir, version string) (*Dictionary, map[string]*TransactionSet, bool) {
	if snaps == nil {
		return nil, nil, false
	}
	data, err := fs.ReadFile(snaps, snapshotPath(version))
	if err != nil {
		return nil, nil, false
	}
	sum, err := yamlDigest(fsys, dir)
	if err != nil {
		return nil, nil, false
	}
	d, sets, err := decodeSnapshot(data, sum, version)
	if err != nil {
		return nil, nil, false
	}
	return d, sets, true
}

// encodeSnapshot writes a loaded version. The output depends only on the
// content (keys are sorted), so an unchanged version gives the same bytes.
func encodeSnapshot(d *Dictionary, sets map[string]*TransactionSet, digest [sha256.Size]byte) []byte {
	var e snapEncoder
	e.B = append(e.B, snapshotMagic...)
	e.B = append(e.B, digest[:]...)
	e.Str(d.Version)

	ids := slices.Sorted(maps.Keys(d.Elements))
	e.Uint(len(ids))
	for _, id := range ids {
		el := d.Elements[id]
		e.Str(el.ID)
		e.Str(el.Name)
		e.Str(el.Type)
		e.Uint(el.Min)
		e.Uint(el.Max)
	}
	ids = slices.Sorted(maps.Keys(d.Composites))
	e.Uint(len(ids))
	for _, id := range ids {
		c := d.Composites[id]
		e.Str(c.ID)
		e.Str(c.Name)
		e.refs(c.Components)
		e.rules(c.Rules)
	}
	ids = slices.Sorted(maps.Keys(d.Segments))
	e.Uint(len(ids))
	for _, id := range ids {
		s := d.Segments[id]
		e.Str(s.ID)
		e.Str(s.Name)
		e.refs(s.Elements)
		e.rules(s.Rules)
	}
	ids = slices.Sorted(maps.Keys(d.Codes))
	e.Uint(len(ids))
	for _, id := range ids {
		codes := d.Codes[id]
		e.Str(id)
		keys := slices.Sorted(maps.Keys(codes))
		e.Uint(len(keys))
		for _, k := range keys {
			e.Str(k)
			e.Str(codes[k])
		}
	}
	ids = slices.Sorted(maps.Keys(sets))
	e.Uint(len(ids))
	for _, id := range ids {
		ts := sets[id]
		e.Str(ts.ID)
		e.Str(ts.Name)
		e.Str(ts.FunctionalGroup)
		e.Uint(len(ts.Sources))
		for _, s := range ts.Sources {
			e.Str(s)
		}
		e.nodes(ts.Structure)
	}
	return e.B
}

type snapEncoder struct{ specsnap.Encoder }

func (e *snapEncoder) refs(refs []ElementRef) {
	e.Uint(len(refs))
	for _, r := range refs {
		e.Str(r.Ref)
		e.Str(string(r.Usage))
		e.Uint(r.Repeat)
	}
}

func (e *snapEncoder) rules(rules []Rule) {
	e.Uint(len(rules))
	for _, r := range rules {
		e.Str(r.Text)
	}
}

func (e *snapEncoder) nodes(nodes []Node) {
	e.Uint(len(nodes))
	for i := range nodes {
		n := &nodes[i]
		e.Str(n.Segment)
		e.Str(n.Loop)
		e.Str(string(n.Usage))
		e.Uint(n.Max)
		e.Str(n.Pos)
		e.nodes(n.Body)
	}
}

var errSnapshot = specsnap.ErrCorrupt

// decodeSnapshot reads what encodeSnapshot wrote, resolving references as
// loadVersion does. It fails unless the snapshot was made from the YAML
// whose digest is given.
func decodeSnapshot(data []byte, digest [sha256.Size]byte, version string) (d *Dictionary, sets map[string]*TransactionSet, err error) {
	head := len(snapshotMagic) + sha256.Size
	if len(data) < head || string(data[:len(snapshotMagic)]) != snapshotMagic {
		return nil, nil, errSnapshot
	}
	if [sha256.Size]byte(data[len(snapshotMagic):head]) != digest {
		return nil, nil, errors.New("spec: snapshot is stale (the YAML changed since it was made)")
	}
	// One copy of the whole snapshot as a string: every string decoded
	// below is a substring of it, so strings cost no allocation.
	dc := snapDecoder{specsnap.Decoder{S: string(data[head:])}}
	defer specsnap.Recover(&err, func() { d, sets = nil, nil })
	if v := dc.Str(); v != version {
		return nil, nil, fmt.Errorf("spec: snapshot of version %s read as %s", v, version)
	}

	n := dc.Uint()
	d = &Dictionary{
		Version:  version,
		Elements: make(map[string]*Element, n),
	}
	els := make([]Element, n)
	for i := range els {
		el := &els[i]
		el.ID, el.Name, el.Type = dc.Str(), dc.Str(), dc.Str()
		el.Min, el.Max = dc.Uint(), dc.Uint()
		d.Elements[el.ID] = el
	}
	n = dc.Uint()
	d.Composites = make(map[string]*Composite, n)
	comps := make([]Composite, n)
	for i := range comps {
		c := &comps[i]
		c.ID, c.Name = dc.Str(), dc.Str()
		c.Components = dc.refs(d, false)
		c.Rules = dc.rules()
		d.Composites[c.ID] = c
	}
	n = dc.Uint()
	d.Segments = make(map[string]*Segment, n)
	segs := make([]Segment, n)
	for i := range segs {
		s := &segs[i]
		s.ID, s.Name = dc.Str(), dc.Str()
		s.Elements = dc.refs(d, true)
		s.Rules = dc.rules()
		d.Segments[s.ID] = s
	}
	n = dc.Uint()
	d.Codes = make(map[string]map[string]string, n)
	for range n {
		id := dc.Str()
		k := dc.Uint()
		codes := make(map[string]string, k)
		for range k {
			code := dc.Str()
			codes[code] = dc.Str()
		}
		d.Codes[id] = codes
	}
	n = dc.Uint()
	sets = make(map[string]*TransactionSet, n)
	for range n {
		ts := &TransactionSet{Version: version, Dict: d}
		ts.ID, ts.Name, ts.FunctionalGroup = dc.Str(), dc.Str(), dc.Str()
		if k := dc.Uint(); k > 0 {
			ts.Sources = make([]string, k)
			for i := range ts.Sources {
				ts.Sources[i] = dc.Str()
			}
		}
		ts.Structure = dc.nodes(d)
		sets[ts.ID] = ts
	}
	if !dc.Done() {
		return nil, nil, errSnapshot
	}
	return d, sets, nil
}

// snapDecoder reads a snapshot; it panics with errSnapshot on bad input
// (recovered by decodeSnapshot).
type snapDecoder struct{ specsnap.Decoder }

func (dc *snapDecoder) refs(d *Dictionary, allowComposite bool) []ElementRef {
	n := dc.Count()
	if n == 0 {
		return nil
	}
	refs := make([]ElementRef, n)
	for i := range refs {
		r := &refs[i]
		r.Ref, r.Usage, r.Repeat = dc.Str(), Usage(dc.Str()), dc.Uint()
		if el, ok := d.Elements[r.Ref]; ok {
			r.Element = el
		} else if c, ok := d.Composites[r.Ref]; ok && allowComposite {
			r.Composite = c
		} else {
			panic(errSnapshot)
		}
	}
	return refs
}

func (dc *snapDecoder) rules() []Rule {
	n := dc.Count()
	if n == 0 {
		return nil
	}
	rules := make([]Rule, n)
	for i := range rules {
		r, err := ParseRule(dc.Str())
		if err != nil {
			panic(errSnapshot)
		}
		rules[i] = r
	}
	return rules
}

func (dc *snapDecoder) nodes(d *Dictionary) []Node {
	n := dc.Count()
	if n == 0 {
		return nil
	}
	nodes := make([]Node, n)
	for i := range nodes {
		nd := &nodes[i]
		nd.Segment, nd.Loop, nd.Usage = dc.Str(), dc.Str(), Usage(dc.Str())
		nd.Max, nd.Pos = dc.Uint(), dc.Str()
		nd.Body = dc.nodes(d)
		if !nd.IsLoop() {
			def, ok := d.Segments[nd.Segment]
			if !ok {
				panic(errSnapshot)
			}
			nd.Def = def
		}
	}
	return nodes
}
