// Command gen writes the EDIFACT spec data (../data) from the UN/EDIFACT
// directory tables carried by the Debian package libbusiness-edi-perl
// (Business::EDI 0.05): the UNTDID tables EDMD/EDSD/EDCD/EDED for D96A and
// D01B, the ISO 9735 service directories SDMD/SDSD/SDCD/SDED for syntax
// versions 3 and 4, and the UNCL code lists of its CodeList modules.
//
// Get the tables and regenerate:
//
//	apt-get update && cd /tmp && apt-get download libbusiness-edi-perl
//	dpkg-deb -x /tmp/libbusiness-edi-perl_*.deb /tmp/bedi
//	cd internal/edifact/spec && go run ./gen -src /tmp/bedi -out data
//
// The output is deterministic; gen's test checks that it reproduces the
// committed files (skipped when the tables are not unpacked locally).
// Code lists the package does not carry (6411 units, 7065 package types and
// the service code lists) are written from extra.go, deliberate subsets.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

func main() {
	src := flag.String("src", "/tmp/bedi", "unpacked libbusiness-edi-perl (package root, or its Business/EDI folder)")
	out := flag.String("out", "data", "spec data folder to write (internal/edifact/spec/data)")
	flag.Parse()
	files, err := Generate(*src)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		p := filepath.Join(*out, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
		if err := os.WriteFile(p, files[name], 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
	}
	fmt.Printf("gen: wrote %d files under %s\n", len(files), *out)
}

// Messages generated for every UN directory; CONTRL comes from the
// service directories.
var unMessages = []string{"APERAK", "DESADV", "INVOIC", "INVRPT", "ORDERS", "ORDRSP"}

// unDirs: directory id -> default syntax version.
var unDirs = []struct {
	id     string
	syntax int
}{{"D96A", 3}, {"D01B", 4}}

// serviceDirs: id, syntax version, table suffix, CONTRL's UNH 0052/0054.
var serviceDirs = []struct {
	id, table, version, release string
	syntax                      int
}{
	{"S3", "30000", "D", "3", 3},
	{"S4", "40000", "4", "1", 4},
}

// Service segments written to a service directory (UNA has no data
// elements: the reader handles it).
var serviceSegments = []string{"UNB", "UNG", "UNH", "UNS", "UNT", "UNE", "UNZ", "UCI", "UCM", "UCS", "UCD", "UCF"}

// Code lists taken from the package's UNCL modules for each UN directory.
var unclElements = []string{"1001", "1153", "1225", "1229", "2005", "2379", "3035", "3055", "3139", "3155", "3227", "4343", "4451", "5025", "5125", "6063", "6069", "7143", "7405"}

// Generate returns the data files by path relative to the data folder.
func Generate(src string) (map[string][]byte, error) {
	base := src
	if _, err := os.Stat(filepath.Join(base, "usr/share/perl5/Business/EDI")); err == nil {
		base = filepath.Join(base, "usr/share/perl5/Business/EDI")
	}
	edi := filepath.Join(base, "data", "edifact")
	if _, err := os.Stat(filepath.Join(edi, "untdid")); err != nil {
		return nil, fmt.Errorf("%s: no data/edifact/untdid: unpack libbusiness-edi-perl there (see the package comment)", base)
	}
	uncl, err := readCodeLists(filepath.Join(base, "CodeList"))
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, sd := range serviceDirs {
		d, err := readTables(filepath.Join(edi, "iso9735"), "SD", sd.table)
		if err != nil {
			return nil, err
		}
		srcs := []string{
			"Debian libbusiness-edi-perl 0.05: Business/EDI/data/edifact/iso9735/SD{MD,SD,CD,ED}." + sd.table + ".csv (ISO 9735 syntax version " + fmt.Sprint(sd.syntax) + " service directory)",
		}
		g := &dirGen{id: sd.id, syntax: sd.syntax, tables: d, sources: srcs, service: true}
		for _, s := range serviceSegments {
			g.useSegment(s)
		}
		if err := g.message("CONTRL", sd.version, sd.release, "CONTRL:::UN::", "CONTRL:"+fmt.Sprint(sd.syntax)+":S"+fmt.Sprint(sd.syntax)+":UN::"); err != nil {
			return nil, err
		}
		for id, cl := range serviceCodes(sd.syntax) {
			if _, ok := g.elements[id]; ok {
				g.codes[id] = cl
			}
		}
		if err := g.write(out); err != nil {
			return nil, err
		}
	}
	for _, ud := range unDirs {
		suffix := strings.ToLower(ud.id)
		d, err := readTables(filepath.Join(edi, "untdid"), "ED", suffix)
		if err != nil {
			return nil, err
		}
		srcs := []string{
			"Debian libbusiness-edi-perl 0.05: Business/EDI/data/edifact/untdid/ED{MD,SD,CD,ED}." + suffix + ".csv (UNTDID " + ud.id + ")",
		}
		g := &dirGen{id: ud.id, syntax: ud.syntax, tables: d, sources: srcs}
		for _, m := range unMessages {
			key := m + ":" + ud.id[:1] + ":" + ud.id[1:] + ":UN::"
			if err := g.message(m, ud.id[:1], ud.id[1:], key); err != nil {
				return nil, err
			}
		}
		for _, id := range unclElements {
			el, ok := g.elements[id]
			if !ok {
				continue
			}
			cl, ok := uncl[id]
			if !ok {
				return nil, fmt.Errorf("no UNCL list for element %s", id)
			}
			note := "UNCL list of Business::EDI 0.05 CodeList/" + cl.module + ", from a later directory than " + ud.id +
				": it may hold codes added since and lack codes deleted since; extend per partner with an overlay"
			if add := unclAdditions[id]; len(add) > 0 {
				note += "; " + strings.Join(slices.Sorted(maps.Keys(add)), ", ") + " added from gen/extra.go"
				for c, name := range add {
					cl.codes[c] = name
				}
			}
			g.codes[id] = fitCodes(cl, el.format, false, note)
		}
		for id, cl := range extraCodes {
			if el, ok := g.elements[id]; ok {
				g.codes[id] = fitCodes(cl, el.format, false, cl.note)
			}
		}
		if err := g.write(out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// tables is one directory's CSV tables.
type tables struct {
	files    []string
	messages map[string][]string // "ORDERS:D:96A:UN::SG1" -> fields
	segments map[string][]string // tag -> fields
	comps    map[string][]string // id -> fields
	elements map[string][]string // id -> fields
}

func readTables(dir, prefix, suffix string) (*tables, error) {
	t := &tables{messages: map[string][]string{}, segments: map[string][]string{}, comps: map[string][]string{}, elements: map[string][]string{}}
	for _, k := range []struct {
		kind string
		m    map[string][]string
	}{{"MD", t.messages}, {"SD", t.segments}, {"CD", t.comps}, {"ED", t.elements}} {
		p := filepath.Join(dir, prefix+k.kind+"."+suffix+".csv")
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		t.files = append(t.files, p)
		sc := bufio.NewScanner(bytes.NewReader(b))
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := strings.TrimRight(sc.Text(), "\r")
			if line == "" {
				continue
			}
			f := strings.Split(line, ";")
			for i := range f {
				f[i] = strings.TrimSpace(f[i])
			}
			k.m[f[0]] = f
		}
	}
	return t, nil
}

type element struct {
	name, format string
}

type ref struct {
	pos, id, status string
	repeat          int
}

type composite struct {
	name  string
	comps []ref
}

type segment struct {
	name  string
	elems []ref
}

type node struct {
	seg, group, status string
	max                int
	body               []node
}

type codeList struct {
	module   string
	complete bool
	note     string
	codes    map[string]string
}

type dirGen struct {
	id       string
	syntax   int
	service  bool
	tables   *tables
	sources  []string
	elements map[string]element
	comps    map[string]composite
	segments map[string]segment
	messages map[string][]byte
	codes    map[string]codeList
}

func (g *dirGen) init() {
	if g.elements == nil {
		g.elements = map[string]element{}
		g.comps = map[string]composite{}
		g.segments = map[string]segment{}
		g.messages = map[string][]byte{}
		g.codes = map[string]codeList{}
	}
}

func (g *dirGen) useElement(id string) {
	g.init()
	if _, ok := g.elements[id]; ok {
		return
	}
	f := g.tables.elements[id]
	if f == nil || len(f) < 4 {
		panic(fmt.Sprintf("%s: element %s not in the element table", g.id, id))
	}
	g.elements[id] = element{name: f[3], format: f[1]}
}

func (g *dirGen) useComposite(id string) {
	g.init()
	if _, ok := g.comps[id]; ok {
		return
	}
	f := g.tables.comps[id]
	if f == nil {
		panic(fmt.Sprintf("%s: composite %s not in the composite table", g.id, id))
	}
	c := composite{name: f[1]}
	for i := 2; i+3 < len(f); i += 4 {
		c.comps = append(c.comps, ref{pos: f[i], id: f[i+1], status: f[i+2], repeat: 1})
		g.useElement(f[i+1])
	}
	g.comps[id] = c
}

func (g *dirGen) useSegment(tag string) {
	g.init()
	if _, ok := g.segments[tag]; ok {
		return
	}
	f := g.tables.segments[tag]
	if f == nil {
		panic(fmt.Sprintf("%s: segment %s not in the segment table", g.id, tag))
	}
	s := segment{name: f[1]}
	var rows [][]string
	for i := 2; i+3 < len(f); i += 4 {
		rows = append(rows, f[i:i+4])
	}
	rows = fixSegment(g.id, tag, rows)
	for i, row := range rows {
		if want := fmt.Sprintf("%03d", 10*(i+1)); row[0] != want {
			panic(fmt.Sprintf("%s: segment %s: position %s where %s was expected; add a correction to fixSegment", g.id, tag, row[0], want))
		}
		r := ref{pos: row[0], id: row[1], status: row[2], repeat: atoi(row[3])}
		s.elems = append(s.elems, r)
		if isComposite(r.id) {
			g.useComposite(r.id)
		} else {
			g.useElement(r.id)
		}
	}
	g.segments[tag] = s
}

// fixSegment corrects the tables where they leave out a position, so that
// position n of a segment stays its n-th entry.
func fixSegment(dir, tag string, rows [][]string) [][]string {
	// SDSD.40000 lists UNH without 060 S017 (message implementation
	// guideline identification), which ISO 9735-1 (syntax version 4) has
	// between S016 and S018, and which SDCD.40000 defines.
	if dir == "S4" && tag == "UNH" && len(rows) == 6 && rows[4][0] == "050" && rows[5][0] == "070" {
		rows = append(rows[:5], []string{"060", "S017", "C", "1"}, rows[5])
	}
	return rows
}

func isGroupRef(s string) bool {
	return len(s) > 2 && s[:2] == "SG" && atoi(s[2:]) > 0 && strings.Trim(s[2:], "0123456789") == ""
}

func isComposite(id string) bool { return id != "" && (id[0] < '0' || id[0] > '9') }

func isServiceSegment(tag string) bool {
	return strings.HasPrefix(tag, "UN") || strings.HasPrefix(tag, "UC") || strings.HasPrefix(tag, "US")
}

// message builds one message's structure from its EDMD rows. keys are the
// row prefixes to try (the first that exists is used).
func (g *dirGen) message(typ, version, release string, keys ...string) error {
	g.init()
	var key string
	var top []string
	for _, k := range keys {
		if f := g.tables.messages[k]; f != nil {
			key, top = k, f
			break
		}
	}
	if top == nil {
		return fmt.Errorf("%s: message %s not in the message table", g.id, typ)
	}
	seen := map[string]bool{}
	var build func(f []string, start int) ([]node, error)
	build = func(f []string, start int) ([]node, error) {
		var nodes []node
		for i := start; i+2 < len(f); i += 3 {
			n := node{status: f[i+1], max: atoi(f[i+2])}
			if isGroupRef(f[i]) {
				gid := "SG" + strings.TrimLeft(f[i][2:], "0")
				if seen[gid] {
					return nil, fmt.Errorf("%s %s: group %s used twice", g.id, typ, gid)
				}
				seen[gid] = true
				row := g.tables.messages[key+gid]
				if row == nil {
					return nil, fmt.Errorf("%s %s: group %s has no row", g.id, typ, gid)
				}
				body, err := build(row, 2)
				if err != nil {
					return nil, err
				}
				n.group, n.body = gid, body
			} else {
				n.seg = f[i]
				if !isServiceSegment(n.seg) || g.service {
					g.useSegment(n.seg)
				}
			}
			nodes = append(nodes, n)
		}
		return nodes, nil
	}
	nodes, err := build(top, 2)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %s.yaml — %s %s message structure. Generated by gen (go run ./gen); do not edit.\n", typ, g.id, typ)
	fmt.Fprintf(&b, "type: %s\nname: %s\nversion: %s\nrelease: %s\nagency: UN\n", typ, q(top[1]), q(version), q(release))
	fmt.Fprintf(&b, "sources:\n  - %s\n", q(fmt.Sprintf("%s (rows %s)", g.sources[0], strings.TrimSuffix(key, "::")+"::*")))
	b.WriteString("structure:\n")
	writeNodes(&b, nodes, "  ")
	g.messages[typ] = b.Bytes()
	return nil
}

func writeNodes(b *bytes.Buffer, nodes []node, indent string) {
	for _, n := range nodes {
		if n.group == "" {
			fmt.Fprintf(b, "%s- {segment: %s, status: %s, max: %d}\n", indent, n.seg, n.status, n.max)
			continue
		}
		fmt.Fprintf(b, "%s- group: %s\n%s  status: %s\n%s  max: %d\n%s  body:\n", indent, n.group, indent, n.status, indent, n.max, indent)
		writeNodes(b, n.body, indent+"    ")
	}
}

func (g *dirGen) write(out map[string][]byte) error {
	g.init()
	p := g.id + "/"
	var b bytes.Buffer
	fmt.Fprintf(&b, "# directory.yaml — %s. Generated by gen (go run ./gen); do not edit.\n", g.id)
	fmt.Fprintf(&b, "id: %s\nsyntax: %d\nsources:\n", g.id, g.syntax)
	for _, s := range g.sources {
		fmt.Fprintf(&b, "  - %s\n", q(s))
	}
	if len(g.codes) > 0 {
		if g.service {
			b.WriteString("  - \"codes.yaml: ISO 9735 service code lists written in gen/extra.go\"\n")
		} else {
			b.WriteString("  - \"codes.yaml: UNCL lists of Business::EDI 0.05 Business/EDI/CodeList/*.pm; 6411 and 7065 subsets written in gen/extra.go\"\n")
		}
	}
	out[p+"directory.yaml"] = b.Bytes()

	b = bytes.Buffer{}
	fmt.Fprintf(&b, "# elements.yaml — %s data elements used by the messages here. Generated by gen; do not edit.\n", g.id)
	for _, id := range slices.Sorted(maps.Keys(g.elements)) {
		e := g.elements[id]
		fmt.Fprintf(&b, "%s: {name: %s, format: %s}\n", q(id), q(e.name), e.format)
	}
	out[p+"elements.yaml"] = b.Bytes()

	b = bytes.Buffer{}
	fmt.Fprintf(&b, "# composites.yaml — %s composites used by the messages here. Generated by gen; do not edit.\n", g.id)
	for _, id := range slices.Sorted(maps.Keys(g.comps)) {
		c := g.comps[id]
		fmt.Fprintf(&b, "%s:\n  name: %s\n  components:\n", id, q(c.name))
		for _, r := range c.comps {
			fmt.Fprintf(&b, "    - {pos: %s, ref: %s, status: %s}\n", q(r.pos), q(r.id), r.status)
		}
	}
	if len(g.comps) == 0 {
		b.WriteString("{}\n")
	}
	out[p+"composites.yaml"] = b.Bytes()

	b = bytes.Buffer{}
	fmt.Fprintf(&b, "# segments.yaml — %s segments used by the messages here. Generated by gen; do not edit.\n", g.id)
	for _, tag := range slices.Sorted(maps.Keys(g.segments)) {
		s := g.segments[tag]
		fmt.Fprintf(&b, "%s:\n  name: %s\n  elements:\n", tag, q(s.name))
		for _, r := range s.elems {
			rep := ""
			if r.repeat > 1 {
				rep = fmt.Sprintf(", repeat: %d", r.repeat)
			}
			fmt.Fprintf(&b, "    - {pos: %s, ref: %s, status: %s%s}\n", q(r.pos), q(r.id), r.status, rep)
		}
	}
	out[p+"segments.yaml"] = b.Bytes()

	b = bytes.Buffer{}
	fmt.Fprintf(&b, "# codes.yaml — %s code lists. Generated by gen; do not edit (extend gen/extra.go).\n", g.id)
	b.WriteString("# The validator treats every list as closed; complete: false marks a deliberate\n# subset that partner overlays extend.\n")
	for _, id := range slices.Sorted(maps.Keys(g.codes)) {
		cl := g.codes[id]
		fmt.Fprintf(&b, "%s:\n  complete: %t\n  note: %s\n  codes:\n", q(id), cl.complete, q(cl.note))
		for _, c := range slices.Sorted(maps.Keys(cl.codes)) {
			fmt.Fprintf(&b, "    %s: %s\n", q(c), q(cl.codes[c]))
		}
	}
	if len(g.codes) == 0 {
		b.WriteString("{}\n")
	}
	out[p+"codes.yaml"] = b.Bytes()

	for typ, m := range g.messages {
		out[p+typ+".yaml"] = m
	}
	return nil
}

// fitCodes drops codes that do not fit the element's format (the loader
// would refuse them).
func fitCodes(cl codeList, format string, complete bool, note string) codeList {
	min, max := formatLen(format)
	out := codeList{module: cl.module, complete: complete, note: note, codes: map[string]string{}}
	for c, d := range cl.codes {
		if len(c) >= min && len(c) <= max {
			out.codes[c] = d
		}
	}
	return out
}

func formatLen(f string) (int, int) {
	f = strings.TrimLeft(f, "an")
	if strings.HasPrefix(f, "..") {
		return 1, atoi(f[2:])
	}
	n := atoi(f)
	return n, n
}

var (
	listNumberRe = regexp.MustCompile(`sub list_number \{0*(\d+);\}`)
	codeRe       = regexp.MustCompile(`^'([^']*)'\s*=>\s*\[\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")`)
)

// readCodeLists reads the UNCL lists of Business::EDI's CodeList modules:
// element number -> codes.
func readCodeLists(dir string) (map[string]codeList, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.pm"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("%s: no CodeList modules", dir)
	}
	out := map[string]codeList{}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		m := listNumberRe.FindSubmatch(b)
		if m == nil {
			continue
		}
		id := fmt.Sprintf("%04s", string(m[1]))
		cl := codeList{module: filepath.Base(p), codes: map[string]string{}}
		for _, line := range strings.Split(string(b), "\n") {
			c := codeRe.FindStringSubmatch(line)
			if c == nil {
				continue
			}
			name := c[2] + c[3]
			name = strings.NewReplacer(`\'`, `'`, `\"`, `"`, `\\`, `\`).Replace(name)
			cl.codes[c[1]] = strings.TrimSpace(name)
		}
		if len(cl.codes) > 0 {
			out[id] = cl
		}
	}
	return out, nil
}

// q writes a YAML double-quoted scalar.
func q(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20:
			fmt.Fprintf(&b, "\\x%02x", r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return n
		}
		n = n*10 + int(c-'0')
	}
	return n
}
