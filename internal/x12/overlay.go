package x12

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/b2bgw/b2bgw/internal/x12/spec"
	"github.com/b2bgw/b2bgw/internal/yamlpos"
)

// OverlayMode says what a finding governed by an overlay entry does to the
// transaction set.
type OverlayMode string

const (
	// ModeStrict (the default) reports an error: the set is rejected (AK501 R).
	ModeStrict OverlayMode = "strict"
	// ModeNote reports an error but accepts the set: AK501 E, "accepted,
	// but errors were noted". For partners whose known deviations must be
	// visible to them in the 997 without stopping their orders.
	ModeNote OverlayMode = "note"
	// ModeWarn reports a warning to operators only; the set's status and
	// the acknowledgment are unaffected.
	ModeWarn OverlayMode = "warn"
)

// Overlay adjusts the standard for one trading partner: code lists extended
// or restricted, element usage and lengths relaxed, segment repeats raised,
// and how strictly each deviation is treated. Analysts edit overlays as
// YAML, for example:
//
//	codes:            # per data element id
//	  "355": {add: [CU, XX], remove: [], mode: strict}
//	  "98":  {mode: warn}       # codes outside the list are only warnings
//	elements:         # by segment + two-digit position
//	  BEG05: {usage: O, mode: warn}
//	segments:
//	  REF: {max: 20}
type Overlay struct {
	Codes    map[string]CodeOverlay    `yaml:"codes"`
	Elements map[string]ElementOverlay `yaml:"elements"`
	Segments map[string]SegmentOverlay `yaml:"segments"`

	// Source names the file the overlay came from, for messages.
	Source string `yaml:"-"`

	// keyPos remembers where each key was written ("codes/355"), so that
	// Check can point at it.
	keyPos map[string][2]int
}

// CodeOverlay changes one element's code list. Add puts partner codes on
// the list; Remove takes standard codes off it (the partner does not accept
// them). For an element without a standard code list, Add defines the list.
type CodeOverlay struct {
	Add    []string    `yaml:"add"`
	Remove []string    `yaml:"remove"`
	Mode   OverlayMode `yaml:"mode"`
}

// ElementOverlay changes one element position of a segment. Usage "O"
// makes a mandatory element optional: with mode warn or note its absence
// is still reported, as a warning or a noted error.
type ElementOverlay struct {
	Usage spec.Usage  `yaml:"usage"`
	Min   int         `yaml:"min"`
	Max   int         `yaml:"max"`
	Mode  OverlayMode `yaml:"mode"`
}

// SegmentOverlay changes a segment (everywhere it occurs in a set; for a
// loop's beginning segment, the loop's repeat).
type SegmentOverlay struct {
	Usage spec.Usage  `yaml:"usage"`
	Max   int         `yaml:"max"`
	Mode  OverlayMode `yaml:"mode"`
}

func (o *Overlay) codes(id string) (CodeOverlay, bool) {
	if o == nil {
		return CodeOverlay{}, false
	}
	c, ok := o.Codes[id]
	return c, ok
}

func (o *Overlay) element(seg string, pos int) (ElementOverlay, bool) {
	if o == nil || len(o.Elements) == 0 {
		return ElementOverlay{}, false
	}
	e, ok := o.Elements[refName(seg, pos, 0)]
	return e, ok
}

func (o *Overlay) segment(tag string) (SegmentOverlay, bool) {
	if o == nil {
		return SegmentOverlay{}, false
	}
	s, ok := o.Segments[tag]
	return s, ok
}

// OverlayError is one problem in an overlay file, at a line and column.
type OverlayError = yamlpos.Error

// LoadOverlayFile reads a partner overlay from a YAML file.
func LoadOverlayFile(path string) (*Overlay, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseOverlay(path, b)
}

// ParseOverlay decodes a partner overlay. Unknown keys, bad values and
// keys that cannot name an element, segment or position are errors that
// carry file:line:column; all problems found are returned together
// (errors.Join of *OverlayError), so an analyst fixes a file in one pass.
func ParseOverlay(name string, data []byte) (*Overlay, error) {
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, yamlError(name, err)
	}
	o := &Overlay{Source: name}
	if err := yaml.UnmarshalWithOptions(data, o, yaml.Strict()); err != nil {
		return nil, yamlError(name, err)
	}
	var errs []error
	at := func(msg string, path ...string) {
		line, col := nodePos(file, path...)
		errs = append(errs, &OverlayError{File: name, Line: line, Column: col, Msg: msg})
	}
	for _, k := range slices.Sorted(maps.Keys(o.Codes)) {
		c := o.Codes[k]
		if !elementIDRe.MatchString(k) {
			at(fmt.Sprintf("codes: %q is not a data element id (write the element number, e.g. \"355\")", k), "codes", k, "")
		}
		checkMode(c.Mode, at, "codes", k, "mode")
		seen := map[string]string{}
		for _, list := range []struct {
			name  string
			codes []string
		}{{"add", c.Add}, {"remove", c.Remove}} {
			for i, v := range list.codes {
				if v == "" || strings.TrimSpace(v) != v {
					at(fmt.Sprintf("codes.%s.%s: code %q is empty or has surrounding spaces", k, list.name, v), "codes", k, list.name, strconv.Itoa(i))
				}
				if prev, ok := seen[v]; ok && prev != list.name {
					at(fmt.Sprintf("codes.%s: code %q is both added and removed; keep it in one list", k, v), "codes", k, list.name, strconv.Itoa(i))
				}
				seen[v] = list.name
			}
		}
	}
	for _, k := range slices.Sorted(maps.Keys(o.Elements)) {
		e := o.Elements[k]
		if !elementPosRe.MatchString(k) || k[len(k)-2:] == "00" {
			at(fmt.Sprintf("elements: %q does not name an element position (write segment + two digits, e.g. BEG05)", k), "elements", k, "")
		}
		checkUsage(e.Usage, at, "elements", k, "usage")
		checkMode(e.Mode, at, "elements", k, "mode")
		if e.Min < 0 {
			at(fmt.Sprintf("elements.%s.min: %d is negative", k, e.Min), "elements", k, "min")
		}
		if e.Max < 0 {
			at(fmt.Sprintf("elements.%s.max: %d is negative", k, e.Max), "elements", k, "max")
		}
		if e.Min > 0 && e.Max > 0 && e.Min > e.Max {
			at(fmt.Sprintf("elements.%s: min %d is greater than max %d", k, e.Min, e.Max), "elements", k, "min")
		}
	}
	for _, k := range slices.Sorted(maps.Keys(o.Segments)) {
		s := o.Segments[k]
		if !segmentIDRe.MatchString(k) {
			at(fmt.Sprintf("segments: %q is not a segment id (2 or 3 upper-case letters or digits, e.g. REF)", k), "segments", k, "")
		}
		checkUsage(s.Usage, at, "segments", k, "usage")
		checkMode(s.Mode, at, "segments", k, "mode")
		if s.Max < 0 {
			at(fmt.Sprintf("segments.%s.max: %d is negative (0 or absent keeps the standard's maximum)", k, s.Max), "segments", k, "max")
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	o.keyPos = map[string][2]int{}
	for _, sec := range []struct {
		name string
		keys []string
	}{{"codes", slices.Sorted(maps.Keys(o.Codes))}, {"elements", slices.Sorted(maps.Keys(o.Elements))}, {"segments", slices.Sorted(maps.Keys(o.Segments))}} {
		for _, k := range sec.keys {
			line, col := nodePos(file, sec.name, k, "")
			o.keyPos[sec.name+"/"+k] = [2]int{line, col}
		}
	}
	return o, nil
}

// Check reports overlay entries that name nothing in the dictionary of a
// version: an element id, segment or element position that does not exist
// there would otherwise be silently ignored. Run it (b2bgw lint) for every
// version the partner sends.
func (o *Overlay) Check(d *spec.Dictionary) error {
	if o == nil || d == nil {
		return nil
	}
	var errs []error
	at := func(section, key, msg string) {
		p := o.keyPos[section+"/"+key]
		errs = append(errs, &OverlayError{File: o.Source, Line: p[0], Column: p[1], Msg: msg})
	}
	for _, k := range slices.Sorted(maps.Keys(o.Codes)) {
		el, ok := d.Elements[k]
		switch {
		case !ok:
			at("codes", k, fmt.Sprintf("codes: element %s does not exist in version %s", k, d.Version))
		case el.Type != "ID" && len(o.Codes[k].Add)+len(o.Codes[k].Remove) > 0:
			at("codes", k, fmt.Sprintf("codes: element %s (%s) is of type %s, not ID: it has no code list to change", k, el.Name, el.Type))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(o.Elements)) {
		tag, pos := k[:len(k)-2], int(k[len(k)-2]-'0')*10+int(k[len(k)-1]-'0')
		seg, ok := d.Segments[tag]
		switch {
		case !ok:
			at("elements", k, fmt.Sprintf("elements: segment %s does not exist in version %s", tag, d.Version))
		case pos > len(seg.Elements):
			at("elements", k, fmt.Sprintf("elements: segment %s has %d elements in version %s; there is no %s", tag, len(seg.Elements), d.Version, k))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(o.Segments)) {
		if _, ok := d.Segments[k]; !ok {
			at("segments", k, fmt.Sprintf("segments: segment %s does not exist in version %s", k, d.Version))
		}
	}
	return errors.Join(errs...)
}

var (
	elementIDRe  = regexp.MustCompile(`^[A-Z]?[0-9]{1,4}$`)
	elementPosRe = regexp.MustCompile(`^[A-Z][A-Z0-9]{1,2}[0-9]{2}$`)
	segmentIDRe  = regexp.MustCompile(`^[A-Z][A-Z0-9]{1,2}$`)
)

func checkMode(m OverlayMode, at func(string, ...string), path ...string) {
	switch m {
	case "", ModeStrict, ModeNote, ModeWarn:
		return
	}
	at(fmt.Sprintf("%s: mode %q is not one of strict, note, warn", strings.Join(path[:len(path)-1], "."), m), path...)
}

func checkUsage(u spec.Usage, at func(string, ...string), path ...string) {
	switch u {
	case "", spec.Mandatory, spec.Optional:
		return
	}
	at(fmt.Sprintf("%s: usage %q is not M (mandatory) or O (optional)", strings.Join(path[:len(path)-1], "."), u), path...)
}

// nodePos finds the line and column of the value at path (map keys, or
// sequence indexes written as numbers). A path ending in "" points at the
// key before it rather than its value: a bad key is reported where it is
// written. Missing parts fall back to the nearest ancestor found.
func nodePos(f *ast.File, path ...string) (int, int) {
	if len(f.Docs) == 0 {
		return 0, 0
	}
	var node ast.Node = f.Docs[0].Body
	line, col := 0, 0
	at := func(n ast.Node) {
		if n == nil {
			return
		}
		if tk := n.GetToken(); tk != nil && tk.Position != nil {
			line, col = tk.Position.Line, tk.Position.Column
		}
	}
	for i, p := range path {
		if p == "" {
			break
		}
		keyOnly := i+1 < len(path) && path[i+1] == ""
		var next ast.Node
		switch n := node.(type) {
		case *ast.MappingNode:
			for _, mv := range n.Values {
				if mv.Key != nil && mv.Key.GetToken() != nil && mv.Key.GetToken().Value == p {
					if keyOnly {
						at(mv.Key)
						return line, col
					}
					next = mv.Value
				}
			}
		case *ast.MappingValueNode:
			if n.Key != nil && n.Key.GetToken() != nil && n.Key.GetToken().Value == p {
				if keyOnly {
					at(n.Key)
					return line, col
				}
				next = n.Value
			}
		case *ast.SequenceNode:
			if idx, err := strconv.Atoi(p); err == nil && idx >= 0 && idx < len(n.Values) {
				next = n.Values[idx]
			}
		}
		if next == nil {
			break
		}
		node = next
		at(node)
	}
	return line, col
}

// yamlError turns a decoder error into an OverlayError with its position.
func yamlError(name string, err error) error {
	msg, p := yamlpos.SyntaxError(err)
	return &OverlayError{File: name, Line: p.Line, Column: p.Column, Msg: msg}
}
