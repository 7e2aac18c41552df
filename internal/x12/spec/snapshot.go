package spec

import (
	"crypto/sha256"
	"embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
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
	e.b = append(e.b, snapshotMagic...)
	e.b = append(e.b, digest[:]...)
	e.str(d.Version)

	ids := sortedKeys(d.Elements)
	e.uint(len(ids))
	for _, id := range ids {
		el := d.Elements[id]
		e.str(el.ID)
		e.str(el.Name)
		e.str(el.Type)
		e.uint(el.Min)
		e.uint(el.Max)
	}
	ids = sortedKeys(d.Composites)
	e.uint(len(ids))
	for _, id := range ids {
		c := d.Composites[id]
		e.str(c.ID)
		e.str(c.Name)
		e.refs(c.Components)
		e.rules(c.Rules)
	}
	ids = sortedKeys(d.Segments)
	e.uint(len(ids))
	for _, id := range ids {
		s := d.Segments[id]
		e.str(s.ID)
		e.str(s.Name)
		e.refs(s.Elements)
		e.rules(s.Rules)
	}
	ids = sortedKeys(d.Codes)
	e.uint(len(ids))
	for _, id := range ids {
		codes := d.Codes[id]
		e.str(id)
		keys := sortedKeys(codes)
		e.uint(len(keys))
		for _, k := range keys {
			e.str(k)
			e.str(codes[k])
		}
	}
	ids = sortedKeys(sets)
	e.uint(len(ids))
	for _, id := range ids {
		ts := sets[id]
		e.str(ts.ID)
		e.str(ts.Name)
		e.str(ts.FunctionalGroup)
		e.uint(len(ts.Sources))
		for _, s := range ts.Sources {
			e.str(s)
		}
		e.nodes(ts.Structure)
	}
	return e.b
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

type snapEncoder struct{ b []byte }

func (e *snapEncoder) uint(v int) { e.b = binary.AppendUvarint(e.b, uint64(v)) }

func (e *snapEncoder) str(s string) {
	e.uint(len(s))
	e.b = append(e.b, s...)
}

func (e *snapEncoder) refs(refs []ElementRef) {
	e.uint(len(refs))
	for _, r := range refs {
		e.str(r.Ref)
		e.str(string(r.Usage))
		e.uint(r.Repeat)
	}
}

func (e *snapEncoder) rules(rules []Rule) {
	e.uint(len(rules))
	for _, r := range rules {
		e.str(r.Text)
	}
}

func (e *snapEncoder) nodes(nodes []Node) {
	e.uint(len(nodes))
	for i := range nodes {
		n := &nodes[i]
		e.str(n.Segment)
		e.str(n.Loop)
		e.str(string(n.Usage))
		e.uint(n.Max)
		e.str(n.Pos)
		e.nodes(n.Body)
	}
}

var errSnapshot = errors.New("spec: corrupt snapshot")

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
	dc := snapDecoder{s: string(data[head:])}
	defer func() {
		if p := recover(); p != nil {
			if p != errSnapshot {
				panic(p)
			}
			d, sets, err = nil, nil, errSnapshot
		}
	}()
	if v := dc.str(); v != version {
		return nil, nil, fmt.Errorf("spec: snapshot of version %s read as %s", v, version)
	}

	n := dc.uint()
	d = &Dictionary{
		Version:  version,
		Elements: make(map[string]*Element, n),
	}
	els := make([]Element, n)
	for i := range els {
		el := &els[i]
		el.ID, el.Name, el.Type = dc.str(), dc.str(), dc.str()
		el.Min, el.Max = dc.uint(), dc.uint()
		d.Elements[el.ID] = el
	}
	n = dc.uint()
	d.Composites = make(map[string]*Composite, n)
	comps := make([]Composite, n)
	for i := range comps {
		c := &comps[i]
		c.ID, c.Name = dc.str(), dc.str()
		c.Components = dc.refs(d, false)
		c.Rules = dc.rules()
		d.Composites[c.ID] = c
	}
	n = dc.uint()
	d.Segments = make(map[string]*Segment, n)
	segs := make([]Segment, n)
	for i := range segs {
		s := &segs[i]
		s.ID, s.Name = dc.str(), dc.str()
		s.Elements = dc.refs(d, true)
		s.Rules = dc.rules()
		d.Segments[s.ID] = s
	}
	n = dc.uint()
	d.Codes = make(map[string]map[string]string, n)
	for range n {
		id := dc.str()
		k := dc.uint()
		codes := make(map[string]string, k)
		for range k {
			code := dc.str()
			codes[code] = dc.str()
		}
		d.Codes[id] = codes
	}
	n = dc.uint()
	sets = make(map[string]*TransactionSet, n)
	for range n {
		ts := &TransactionSet{Version: version, Dict: d}
		ts.ID, ts.Name, ts.FunctionalGroup = dc.str(), dc.str(), dc.str()
		if k := dc.uint(); k > 0 {
			ts.Sources = make([]string, k)
			for i := range ts.Sources {
				ts.Sources[i] = dc.str()
			}
		}
		ts.Structure = dc.nodes(d)
		sets[ts.ID] = ts
	}
	if dc.i != len(dc.s) {
		return nil, nil, errSnapshot
	}
	return d, sets, nil
}

// snapDecoder reads a snapshot; it panics with errSnapshot on bad input
// (recovered by decodeSnapshot).
type snapDecoder struct {
	s string
	i int
}

func (dc *snapDecoder) uint() int {
	var v uint64
	for shift := uint(0); ; shift += 7 {
		if dc.i >= len(dc.s) || shift > 56 {
			panic(errSnapshot)
		}
		c := dc.s[dc.i]
		dc.i++
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			break
		}
	}
	if v > 1<<31 {
		panic(errSnapshot)
	}
	return int(v)
}

func (dc *snapDecoder) str() string {
	n := dc.uint()
	if n > len(dc.s)-dc.i {
		panic(errSnapshot)
	}
	s := dc.s[dc.i : dc.i+n]
	dc.i += n
	return s
}

// count reads a length that bounds how many items follow (each takes at
// least one byte), so corrupt input cannot ask for a huge allocation.
func (dc *snapDecoder) count() int {
	n := dc.uint()
	if n > len(dc.s)-dc.i {
		panic(errSnapshot)
	}
	return n
}

func (dc *snapDecoder) refs(d *Dictionary, allowComposite bool) []ElementRef {
	n := dc.count()
	if n == 0 {
		return nil
	}
	refs := make([]ElementRef, n)
	for i := range refs {
		r := &refs[i]
		r.Ref, r.Usage, r.Repeat = dc.str(), Usage(dc.str()), dc.uint()
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
	n := dc.count()
	if n == 0 {
		return nil
	}
	rules := make([]Rule, n)
	for i := range rules {
		r, err := ParseRule(dc.str())
		if err != nil {
			panic(errSnapshot)
		}
		rules[i] = r
	}
	return rules
}

func (dc *snapDecoder) nodes(d *Dictionary) []Node {
	n := dc.count()
	if n == 0 {
		return nil
	}
	nodes := make([]Node, n)
	for i := range nodes {
		nd := &nodes[i]
		nd.Segment, nd.Loop, nd.Usage = dc.str(), dc.str(), Usage(dc.str())
		nd.Max, nd.Pos = dc.uint(), dc.str()
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
