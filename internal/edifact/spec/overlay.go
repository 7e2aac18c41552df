package spec

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/b2bgw/b2bgw/internal/yamlpos"
)

// OverlayMode says what a finding governed by an overlay entry does to the
// message (same meaning as the X12 overlay's modes).
type OverlayMode string

const (
	// ModeStrict (the default) reports an error: the message is rejected.
	ModeStrict OverlayMode = "strict"
	// ModeNote reports an error but accepts the message (CONTRL/APERAK
	// "accepted with errors" where the partner's acknowledgement allows it).
	ModeNote OverlayMode = "note"
	// ModeWarn reports a warning to operators only.
	ModeWarn OverlayMode = "warn"
)

// Overlay adjusts a directory for one trading partner: code lists extended
// or restricted, element status and lengths relaxed, segment repeats
// raised, and how strictly each deviation is treated. It has the shape of
// the X12 overlay; element positions are written segment tag + two-digit
// position, with "-" and the component number for a component:
//
//	codes:              # per data element id
//	  "6411": {add: [PCE, KGM], mode: strict}
//	  "3035": {remove: [PR]}
//	  "7143": {mode: warn}         # codes outside the list are only warnings
//	elements:
//	  BGM02: {status: C, mode: warn}
//	  NAD03-1: {max: 70}            # NAD position 3 (C080), component 1 (3036)
//	segments:
//	  FTX: {max: 20}
type Overlay struct {
	Codes    map[string]CodeOverlay
	Elements map[string]ElementOverlay
	Segments map[string]SegmentOverlay

	// Source names the file the overlay came from, for messages.
	Source string

	keyPos map[string]yamlpos.Pos // "codes/6411" -> where the key is written
}

// CodeOverlay changes one element's code list. Add puts partner codes on
// the list; Remove takes codes off it. For an element without a code list,
// Add defines one.
type CodeOverlay struct {
	Add    []string
	Remove []string
	Mode   OverlayMode
}

// ElementOverlay changes one element or component position. Status C makes
// a mandatory one conditional; Min/Max (0: unchanged) change the length.
type ElementOverlay struct {
	Status Status
	Min    int
	Max    int
	Mode   OverlayMode
}

// SegmentOverlay changes a segment wherever it occurs in a message (for a
// group's trigger segment, the group's repeat).
type SegmentOverlay struct {
	Status Status
	Max    int
	Mode   OverlayMode
}

// CodeList returns the overlay's change for an element's code list.
func (o *Overlay) CodeList(id string) (CodeOverlay, bool) {
	if o == nil {
		return CodeOverlay{}, false
	}
	c, ok := o.Codes[id]
	return c, ok
}

// Element returns the overlay's change for a position: pos is 1-based, and
// comp is the 1-based component, or 0 for the position itself.
func (o *Overlay) Element(seg string, pos, comp int) (ElementOverlay, bool) {
	if o == nil || len(o.Elements) == 0 {
		return ElementOverlay{}, false
	}
	e, ok := o.Elements[PositionName(seg, pos, comp)]
	return e, ok
}

// Segment returns the overlay's change for a segment tag.
func (o *Overlay) Segment(tag string) (SegmentOverlay, bool) {
	if o == nil {
		return SegmentOverlay{}, false
	}
	s, ok := o.Segments[tag]
	return s, ok
}

// PositionName writes a position the way overlays (and messages) name it:
// PositionName("NAD", 3, 1) is "NAD03-1", PositionName("BGM", 2, 0) "BGM02".
func PositionName(seg string, pos, comp int) string {
	s := fmt.Sprintf("%s%02d", seg, pos)
	if comp > 0 {
		s += "-" + strconv.Itoa(comp)
	}
	return s
}

// parsePositionName is the inverse of PositionName.
func parsePositionName(s string) (seg string, pos, comp int, ok bool) {
	main, c, hasComp := strings.Cut(s, "-")
	if len(main) != 5 || !isSegmentTag(main[:3]) || !isDigits(main[3:]) {
		return "", 0, 0, false
	}
	pos, _ = strconv.Atoi(main[3:])
	if hasComp {
		if !isDigits(c) || len(c) > 2 {
			return "", 0, 0, false
		}
		comp, _ = strconv.Atoi(c)
		if comp == 0 {
			return "", 0, 0, false
		}
	}
	return main[:3], pos, comp, pos > 0
}

// LoadOverlayFile reads a partner overlay from a YAML file.
func LoadOverlayFile(path string) (*Overlay, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseOverlay(path, b)
}

// ParseOverlay decodes a partner overlay. Unknown keys, bad values and
// keys that cannot name an element, segment or position are errors with
// file:line:column (*LoadError); all problems are returned together.
func ParseOverlay(name string, data []byte) (*Overlay, error) {
	f := &fileReader{yamlpos.Reader{File: name}}
	body, ok := f.Parse(data)
	if !ok {
		return nil, errors.Join(f.Errs...)
	}
	o := &Overlay{Source: name, Codes: map[string]CodeOverlay{}, Elements: map[string]ElementOverlay{}, Segments: map[string]SegmentOverlay{}, keyPos: map[string]yamlpos.Pos{}}
	top := f.Fields(body, "the overlay", "codes", "elements", "segments")
	if p, ok := top["codes"]; ok {
		for _, e := range f.Mapping(p.Value, "codes") {
			o.keyPos["codes/"+e.Key] = yamlpos.PosOf(e.KeyNode)
			if len(e.Key) != 4 || !isDigits(e.Key) {
				f.Errorf(e.KeyNode, "codes: %q is not a data element id (four digits, quoted: \"6411\")", e.Key)
			}
			fl := f.Fields(e.Value, "codes."+e.Key, "add", "remove", "mode")
			var c CodeOverlay
			seen := map[string]string{}
			for _, list := range []string{"add", "remove"} {
				lv, ok := fl[list]
				if !ok {
					continue
				}
				for _, n := range f.Sequence(lv.Value, "codes."+e.Key+"."+list) {
					v, ok := f.Scalar(n, "a code")
					if !ok {
						continue
					}
					if v == "" || strings.TrimSpace(v) != v {
						f.Errorf(n, "codes.%s.%s: code %q is empty or has surrounding spaces", e.Key, list, v)
					}
					if prev, dup := seen[v]; dup && prev != list {
						f.Errorf(n, "codes.%s: code %q is both added and removed; keep it in one list", e.Key, v)
					}
					seen[v] = list
					if list == "add" {
						c.Add = append(c.Add, v)
					} else {
						c.Remove = append(c.Remove, v)
					}
				}
			}
			c.Mode = f.overlayMode(fl, "codes."+e.Key)
			o.Codes[e.Key] = c
		}
	}
	if p, ok := top["elements"]; ok {
		for _, e := range f.Mapping(p.Value, "elements") {
			o.keyPos["elements/"+e.Key] = yamlpos.PosOf(e.KeyNode)
			if _, _, _, ok := parsePositionName(e.Key); !ok {
				f.Errorf(e.KeyNode, "elements: %q does not name a position (segment tag + two digits, and -component: BGM02, NAD03-1)", e.Key)
			}
			what := "elements." + e.Key
			fl := f.Fields(e.Value, what, "status", "min", "max", "mode")
			var eo ElementOverlay
			eo.Status = f.overlayStatus(fl, what)
			if v, ok := fl["min"]; ok {
				eo.Min, _ = f.Integer(v.Value, what+".min")
			}
			if v, ok := fl["max"]; ok {
				eo.Max, _ = f.Integer(v.Value, what+".max")
			}
			if eo.Min > 0 && eo.Max > 0 && eo.Min > eo.Max {
				f.Errorf(fl["min"].Value, "%s: min %d is greater than max %d", what, eo.Min, eo.Max)
			}
			eo.Mode = f.overlayMode(fl, what)
			o.Elements[e.Key] = eo
		}
	}
	if p, ok := top["segments"]; ok {
		for _, e := range f.Mapping(p.Value, "segments") {
			o.keyPos["segments/"+e.Key] = yamlpos.PosOf(e.KeyNode)
			if !isSegmentTag(e.Key) {
				f.Errorf(e.KeyNode, "segments: %q is not a segment tag (three upper-case letters, e.g. FTX)", e.Key)
			}
			what := "segments." + e.Key
			fl := f.Fields(e.Value, what, "status", "max", "mode")
			var so SegmentOverlay
			so.Status = f.overlayStatus(fl, what)
			if v, ok := fl["max"]; ok {
				so.Max, _ = f.Integer(v.Value, what+".max")
			}
			so.Mode = f.overlayMode(fl, what)
			o.Segments[e.Key] = so
		}
	}
	if len(f.Errs) > 0 {
		return nil, errors.Join(f.Errs...)
	}
	return o, nil
}

func (f *fileReader) overlayMode(fl map[string]pair, what string) OverlayMode {
	v, ok := fl["mode"]
	if !ok {
		return ""
	}
	s, _ := f.Scalar(v.Value, what+".mode")
	switch m := OverlayMode(s); m {
	case ModeStrict, ModeNote, ModeWarn:
		return m
	}
	f.Errorf(v.Value, "%s.mode: %q is not one of strict, note, warn", what, s)
	return ""
}

func (f *fileReader) overlayStatus(fl map[string]pair, what string) Status {
	v, ok := fl["status"]
	if !ok {
		return ""
	}
	s, _ := f.Scalar(v.Value, what+".status")
	switch st := Status(s); st {
	case Mandatory, Conditional:
		return st
	}
	f.Errorf(v.Value, "%s.status: %q is not M (mandatory) or C (conditional)", what, s)
	return ""
}

// Check reports overlay entries that name nothing in a directory (looking
// in its service directory too): such entries would otherwise be silently
// ignored. Run it for every directory the partner sends.
func (o *Overlay) Check(d *Directory) error {
	if o == nil || d == nil {
		return nil
	}
	var errs []error
	at := func(section, key, msg string) {
		p := o.keyPos[section+"/"+key]
		errs = append(errs, &LoadError{File: o.Source, Line: p.Line, Column: p.Column, Msg: msg})
	}
	for _, k := range slices.Sorted(maps.Keys(o.Codes)) {
		if _, ok := d.Element(k); !ok {
			at("codes", k, fmt.Sprintf("codes: element %s does not exist in directory %s", k, d.ID))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(o.Elements)) {
		tag, pos, comp, _ := parsePositionName(k)
		seg, ok := d.Segment(tag)
		switch {
		case !ok:
			at("elements", k, fmt.Sprintf("elements: segment %s does not exist in directory %s", tag, d.ID))
		case pos > len(seg.Elements):
			at("elements", k, fmt.Sprintf("elements: segment %s has %d positions in directory %s; there is no %s", tag, len(seg.Elements), d.ID, k))
		case comp > 0 && seg.Elements[pos-1].Composite == nil:
			at("elements", k, fmt.Sprintf("elements: %s is a simple element (%s); it has no components", PositionName(tag, pos, 0), seg.Elements[pos-1].Ref))
		case comp > 0 && comp > len(seg.Elements[pos-1].Composite.Components):
			c := seg.Elements[pos-1].Composite
			at("elements", k, fmt.Sprintf("elements: composite %s at %s has %d components; there is no %s", c.ID, PositionName(tag, pos, 0), len(c.Components), k))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(o.Segments)) {
		if _, ok := d.Segment(k); !ok {
			at("segments", k, fmt.Sprintf("segments: segment %s does not exist in directory %s", k, d.ID))
		}
	}
	return errors.Join(errs...)
}
