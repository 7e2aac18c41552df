package spec

import (
	"crypto/sha256"
	"embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/b2bgw/b2bgw/internal/specsnap"
)

// Snapshots: the YAML under data/ is the source of truth, but parsing it
// costs every EDIFACT run ~0.1 s of CPU and ~25 MB of heap (goccy/go-yaml
// builds a full AST with positions for D96A's 300 KB, which only error
// messages need). A snapshot is one directory after loading and
// resolving, written in a compact binary form by this package's tests:
//
//	go generate ./internal/edifact/spec   (go test -run TestSnapshots -update)
//
// The built-in registry decodes a directory's snapshot (a few
// milliseconds) instead of parsing its YAML, but only when the snapshot was
// made from exactly the embedded YAML: each snapshot carries the SHA-256 of
// the .yaml files of its folder and, for a UN directory, of its service
// directory's folder (whose segments, elements and composites it resolves
// to), checked at load. A YAML edit without a regenerated snapshot still
// behaves exactly as the YAML says (slower, with the YAML's errors), and
// TestSnapshots fails until the snapshot is regenerated. LoadFS (lint,
// tests, user directories) always reads the YAML.
//
//go:generate go test . -run ^TestSnapshots$ -update

//go:embed snapshot
var snapshotFS embed.FS

const (
	snapshotDir   = "snapshot"
	snapshotMagic = "b2bgw-edifact-spec-snapshot-1\n"
)

func snapshotPath(id string) string { return path.Join(snapshotDir, id+".bin") }

// yamlDigest hashes the .yaml files of the given folders, each folder's
// files in name order. The files are streamed through buf (nil: one is
// allocated) rather than read whole: on the fast path they would be 300 KB
// of garbage.
func yamlDigest(fsys fs.FS, buf []byte, dirs ...string) ([sha256.Size]byte, error) {
	var sum [sha256.Size]byte
	h := sha256.New()
	var n [8]byte
	for _, dir := range dirs {
		entries, err := fs.ReadDir(fsys, dir) // sorted by name
		if err != nil {
			return sum, err
		}
		for _, e := range entries {
			name := e.Name()
			if e.IsDir() || !strings.HasSuffix(name, ".yaml") {
				continue
			}
			info, err := e.Info()
			if err != nil {
				return sum, err
			}
			f, err := fsys.Open(path.Join(dir, name))
			if err != nil {
				return sum, err
			}
			// Folder and file name are hashed too: moving a file is a change.
			name = path.Base(dir) + "/" + name
			binary.LittleEndian.PutUint64(n[:], uint64(len(name)))
			h.Write(n[:])
			h.Write([]byte(name))
			binary.LittleEndian.PutUint64(n[:], uint64(info.Size()))
			h.Write(n[:])
			k, err := io.CopyBuffer(h, f, buf)
			f.Close()
			if err == nil && k != info.Size() {
				err = fmt.Errorf("%s/%s: read %d bytes of %d", dir, e.Name(), k, info.Size())
			}
			if err != nil {
				return sum, err
			}
		}
	}
	h.Sum(sum[:0])
	return sum, nil
}

// digestDirs lists the folders whose YAML a directory's snapshot is made
// from: its own and its service directory's (svc, "" for a service
// directory).
func (r *Registry) digestDirs(id, svc string) []string {
	dirs := []string{path.Join(r.root, id)}
	if svc != "" {
		dirs = append(dirs, path.Join(r.root, svc))
	}
	return dirs
}

// loadSnapshot returns a directory from its snapshot, or ok false when
// there is none, it was not made from the YAML in r.fsys, or its service
// directory does not load (the caller then parses the YAML, which reports
// why).
func (r *Registry) loadSnapshot(id string) (*Directory, map[string]*Message, bool) {
	if r.snaps == nil {
		return nil, nil, false
	}
	buf := make([]byte, 32<<10) // for reading the snapshot, then hashing the YAML
	data, err := readString(r.snaps, snapshotPath(id), buf)
	if err != nil {
		return nil, nil, false
	}
	svcID, _, err := snapshotHeader(data)
	// A service directory resolves into none: refusing any other keeps
	// r.load(svcID) below from waiting on the directory being loaded.
	if err != nil || isSyntaxID(id) != (svcID == "") {
		return nil, nil, false
	}
	sum, err := yamlDigest(r.fsys, buf, r.digestDirs(id, svcID)...)
	if err != nil {
		return nil, nil, false
	}
	var svc *Directory
	if svcID != "" {
		if r.dirs[svcID] == nil {
			return nil, nil, false
		}
		if svc, _, err = r.load(svcID); err != nil {
			return nil, nil, false
		}
	}
	d, msgs, err := decodeSnapshot(data, sum, id, svc)
	if err != nil {
		return nil, nil, false
	}
	return d, msgs, true
}

// readString reads a file as a string in one copy (string(fs.ReadFile)
// makes two): the strings decoded from a snapshot are substrings of it.
func readString(fsys fs.FS, name string, buf []byte) (string, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	var b strings.Builder
	if info, err := f.Stat(); err == nil {
		b.Grow(int(info.Size()))
	}
	_, err = io.CopyBuffer(&b, f, buf)
	return b.String(), err
}

// encodeSnapshot writes a loaded directory. The output depends only on the
// content (keys are sorted), so an unchanged directory gives the same
// bytes. Pointers (resolved references, the service directory) are written
// as ids and resolved again by decodeSnapshot.
func encodeSnapshot(d *Directory, msgs map[string]*Message, digest [sha256.Size]byte) []byte {
	var e snapEncoder
	e.B = append(e.B, snapshotMagic...)
	svc := ""
	if d.Service != nil {
		svc = d.Service.ID
	}
	e.Str(svc)
	e.B = append(e.B, digest[:]...)
	e.Str(d.ID)
	e.Uint(d.Syntax)
	e.Strs(d.Sources)

	ids := slices.Sorted(maps.Keys(d.Elements))
	e.Uint(len(ids))
	for _, id := range ids {
		el := d.Elements[id]
		e.Str(el.ID)
		e.Str(el.Name)
		e.Str(string(el.Format.Class))
		e.Uint(el.Format.Min)
		e.Uint(el.Format.Max)
		e.Bool(el.Format.Fixed)
	}
	ids = slices.Sorted(maps.Keys(d.Composites))
	e.Uint(len(ids))
	for _, id := range ids {
		c := d.Composites[id]
		e.Str(c.ID)
		e.Str(c.Name)
		e.Uint(len(c.Components))
		for _, cr := range c.Components {
			e.Str(cr.Pos)
			e.Str(cr.Ref)
			e.Str(string(cr.Status))
		}
	}
	ids = slices.Sorted(maps.Keys(d.Segments))
	e.Uint(len(ids))
	for _, id := range ids {
		s := d.Segments[id]
		e.Str(s.ID)
		e.Str(s.Name)
		e.Bool(s.Service)
		e.Uint(len(s.Elements))
		for _, er := range s.Elements {
			e.Str(er.Pos)
			e.Str(er.Ref)
			e.Str(string(er.Status))
			e.Uint(er.Repeat)
		}
	}
	ids = slices.Sorted(maps.Keys(d.Codes))
	e.Uint(len(ids))
	for _, id := range ids {
		cl := d.Codes[id]
		e.Str(id)
		e.Str(cl.Element)
		e.Bool(cl.Complete)
		e.Str(cl.Note)
		codes := slices.Sorted(maps.Keys(cl.Codes))
		e.Uint(len(codes))
		for _, c := range codes {
			e.Str(c)
			e.Str(cl.Codes[c])
		}
	}
	ids = slices.Sorted(maps.Keys(msgs))
	e.Uint(len(ids))
	for _, id := range ids {
		m := msgs[id]
		e.Str(m.Type)
		e.Str(m.Name)
		e.Str(m.Directory)
		e.Str(m.Version)
		e.Str(m.Release)
		e.Str(m.Agency)
		e.Strs(m.Sources)
		e.nodes(m.Structure)
	}
	return e.B
}

type snapEncoder struct{ specsnap.Encoder }

func (e *snapEncoder) nodes(nodes []Node) {
	e.Uint(len(nodes))
	for i := range nodes {
		n := &nodes[i]
		e.Str(n.Segment)
		e.Str(n.Group)
		e.Str(string(n.Status))
		e.Uint(n.Max)
		e.nodes(n.Body)
	}
}

var errSnapshot = specsnap.ErrCorrupt

// snapshotHeader reads the id of the service directory a snapshot
// resolves into ("" for a service directory), which names the second
// folder of its digest, and returns the rest: the digest, then the body.
func snapshotHeader(data string) (svc string, rest string, err error) {
	rest, ok := strings.CutPrefix(data, snapshotMagic)
	if !ok {
		return "", "", errSnapshot
	}
	n, k := binary.Uvarint([]byte(rest[:min(len(rest), binary.MaxVarintLen64)]))
	if k <= 0 || n > uint64(len(rest)-k) {
		return "", "", errSnapshot
	}
	svc, rest = rest[k:k+int(n)], rest[k+int(n):]
	if svc != "" && !isSyntaxID(svc) || len(rest) < sha256.Size {
		return "", "", errSnapshot
	}
	return svc, rest, nil
}

// decodeSnapshot reads what encodeSnapshot wrote, resolving references as
// loadDir does: in the directory first, then in svc, the loaded service
// directory the snapshot names (nil for a service directory). It fails
// unless the snapshot was made from the YAML whose digest is given.
func decodeSnapshot(data string, digest [sha256.Size]byte, id string, svc *Directory) (d *Directory, msgs map[string]*Message, err error) {
	svcID, rest, err := snapshotHeader(data)
	if err != nil {
		return nil, nil, err
	}
	if svc == nil && svcID != "" || svc != nil && svc.ID != svcID {
		return nil, nil, fmt.Errorf("spec: snapshot of %s resolves into service directory %q, given another", id, svcID)
	}
	if rest[:sha256.Size] != string(digest[:]) {
		return nil, nil, errors.New("spec: snapshot is stale (the YAML changed since it was made)")
	}
	// Every string decoded below is a substring of data, so strings cost
	// no allocation.
	dc := snapDecoder{specsnap.Decoder{S: rest[sha256.Size:]}}
	defer specsnap.Recover(&err, func() { d, msgs = nil, nil })
	if got := dc.Str(); got != id {
		return nil, nil, fmt.Errorf("spec: snapshot of directory %s read as %s", got, id)
	}
	d = &Directory{ID: id, Syntax: dc.Uint(), Service: svc}
	if svc != nil && SyntaxID(d.Syntax) != svc.ID || svc == nil && SyntaxID(d.Syntax) != id {
		return nil, nil, errSnapshot
	}
	d.Sources = dc.Strs()

	n := dc.Count()
	d.Elements = make(map[string]*Element, n)
	els := make([]Element, n)
	for i := range els {
		el := &els[i]
		el.ID, el.Name = dc.Str(), dc.Str()
		el.Format = Format{Class: Class(dc.Str()), Min: dc.Uint(), Max: dc.Uint(), Fixed: dc.Bool()}
		d.Elements[el.ID] = el
	}
	n = dc.Count()
	d.Composites = make(map[string]*Composite, n)
	comps := make([]Composite, n)
	for i := range comps {
		c := &comps[i]
		c.ID, c.Name = dc.Str(), dc.Str()
		if k := dc.Count(); k > 0 {
			c.Components = make([]ComponentRef, k)
			for j := range c.Components {
				cr := &c.Components[j]
				cr.Pos, cr.Ref, cr.Status = dc.Str(), dc.Str(), Status(dc.Str())
				el, ok := d.Element(cr.Ref)
				if !ok {
					panic(errSnapshot)
				}
				cr.Element = el
			}
		}
		d.Composites[c.ID] = c
	}
	n = dc.Count()
	d.Segments = make(map[string]*Segment, n)
	segs := make([]Segment, n)
	for i := range segs {
		s := &segs[i]
		s.ID, s.Name, s.Service = dc.Str(), dc.Str(), dc.Bool()
		if k := dc.Count(); k > 0 {
			s.Elements = make([]ElementRef, k)
			for j := range s.Elements {
				er := &s.Elements[j]
				er.Pos, er.Ref, er.Status, er.Repeat = dc.Str(), dc.Str(), Status(dc.Str()), dc.Uint()
				if el, ok := d.Element(er.Ref); ok {
					er.Element = el
				} else if c, ok := d.Composite(er.Ref); ok {
					er.Composite = c
				} else {
					panic(errSnapshot)
				}
			}
		}
		d.Segments[s.ID] = s
	}
	n = dc.Count()
	d.Codes = make(map[string]*CodeList, n)
	lists := make([]CodeList, n)
	for i := range lists {
		key := dc.Str()
		cl := &lists[i]
		cl.Element, cl.Complete, cl.Note = dc.Str(), dc.Bool(), dc.Str()
		k := dc.Count()
		cl.Codes = make(map[string]string, k)
		for range k {
			code := dc.Str()
			cl.Codes[code] = dc.Str()
		}
		d.Codes[key] = cl
	}
	n = dc.Count()
	msgs = make(map[string]*Message, n)
	ms := make([]Message, n)
	for i := range ms {
		m := &ms[i]
		m.Type, m.Name, m.Directory = dc.Str(), dc.Str(), dc.Str()
		m.Version, m.Release, m.Agency = dc.Str(), dc.Str(), dc.Str()
		m.Sources = dc.Strs()
		m.Structure = dc.nodes(d)
		m.Dict = d
		msgs[m.Type] = m
	}
	if !dc.Done() {
		return nil, nil, errSnapshot
	}
	return d, msgs, nil
}

// snapDecoder reads a snapshot; it panics with errSnapshot on bad input
// (recovered by decodeSnapshot).
type snapDecoder struct{ specsnap.Decoder }

func (dc *snapDecoder) nodes(d *Directory) []Node {
	n := dc.Count()
	if n == 0 {
		return nil
	}
	nodes := make([]Node, n)
	for i := range nodes {
		nd := &nodes[i]
		nd.Segment, nd.Group, nd.Status = dc.Str(), dc.Str(), Status(dc.Str())
		nd.Max = dc.Uint()
		nd.Body = dc.nodes(d)
		if !nd.IsGroup() {
			def, ok := d.Segment(nd.Segment)
			if !ok {
				panic(errSnapshot)
			}
			nd.Def = def
		}
	}
	return nodes
}
