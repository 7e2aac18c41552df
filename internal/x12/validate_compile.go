package x12

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/b2bgw/b2bgw/internal/x12/spec"
)

// This file turns a spec.TransactionSet (maps and nested structs, shaped for
// people who write the data files) into index tables the walker can use
// without maps or allocations: every node of the structure gets a slot in
// one counts array, every element a precomputed kind, lengths and a sorted
// code list with the partner overlay already applied. A compiled set is
// built once per (validator, spec) and shared by all goroutines.

// elemKind is a data element type reduced to what the checks need.
type elemKind uint8

const (
	kindAN elemKind = iota
	kindID
	kindDT
	kindTM
	kindN // Nn: integer with n implied decimals
	kindR
	kindB
)

func kindOf(t string) elemKind {
	switch {
	case t == "ID":
		return kindID
	case t == "DT":
		return kindDT
	case t == "TM":
		return kindTM
	case t == "R":
		return kindR
	case t == "B":
		return kindB
	case len(t) >= 1 && t[0] == 'N':
		return kindN
	}
	return kindAN
}

// cElem is one element (or component) position of a segment (or composite).
type cElem struct {
	pos       int    // 1-based position in the segment or composite
	id        string // data element id ("324") or composite id ("C040")
	name      string
	mandatory bool
	relaxed   bool // the standard says M but the partner overlay says O
	repeat    int  // maximum repetitions, 1 when the element does not repeat
	mode      OverlayMode

	// simple elements
	kind     elemKind
	typ      string // the dictionary type, for messages ("N2", "ID")
	min, max int
	codes    []string // sorted; nil when the element has no code list
	// codeTab is a hash set of codeKey of every code of 1 to 7 bytes: a
	// value that short is looked up there with one or two integer compares
	// instead of a binary search (code lists run to a thousand codes).
	// Open addressing over a power of two of at least twice the keys; 0
	// marks a free slot (no key is 0). codeShift takes the hash's top bits.
	codeTab   []uint64
	codeShift uint8
	codeMode  OverlayMode

	// composites
	comps     []cElem
	compRules []spec.Rule
	composite bool
}

// cSeg is a segment definition compiled for checking.
type cSeg struct {
	id    string
	name  string
	elems []cElem
	rules []spec.Rule
	// masks[i] is rules[i] as bit masks, for the presence test.
	masks []ruleMask
	// required lists, in order, the indices of the elements whose absence
	// is reported: mandatory, or relaxed by an overlay.
	required []int32
	serial   uint32 // distinguishes definitions in the walker's rule cache

	// quick is elems packed for the fast path (elementsClean); a segment
	// with fewer than minElems elements lacks a required one.
	quick    []quickElem
	minElems int
}

// quickElem is what elementsClean needs of an element, packed small.
type quickElem struct {
	e        *cElem
	kind     elemKind // kindComposite for a composite
	need     bool     // an absent value may be reported (mandatory or relaxed)
	codes    bool     // the element has a code list
	min, max int      // max is maxInt when the element has none
}

// kindComposite marks a composite in quickElem.kind.
const kindComposite elemKind = 255

var segSerial atomic.Uint32

// ruleMask is a syntax rule as bit masks over element positions: all its
// positions, and its first one. exact is false when the rule has fewer
// than two positions, a position outside 1-63 or a position twice;
// ruleBroken then decides.
type ruleMask struct {
	all, first uint64
	kind       byte
	exact      bool
}

func maskOf(r *spec.Rule) ruleMask {
	if len(r.Positions) < 2 {
		return ruleMask{}
	}
	m := ruleMask{kind: r.Kind, exact: true}
	for i, p := range r.Positions {
		if p < 1 || p > 63 || m.all&(1<<p) != 0 {
			return ruleMask{}
		}
		m.all |= 1 << p
		if i == 0 {
			m.first = 1 << p
		}
	}
	return m
}

// broken is ruleBroken for a rule with an exact mask: with x the present
// positions of the rule, "n present" comparisons become mask tests.
func (m *ruleMask) broken(mask uint64) bool {
	x := mask & m.all
	switch m.kind {
	case 'P': // 0 < n < len
		return x != 0 && x != m.all
	case 'R': // n == 0
		return x == 0
	case 'C': // first present and n < len
		return x&m.first != 0 && x != m.all
	case 'L': // first present and n == 1
		return x == m.first
	case 'E': // n > 1
		return x&(x-1) != 0
	}
	return false
}

// cNode is a segment or a loop in a loop's body.
type cNode struct {
	tag       string // the segment's tag, or the loop's beginning tag
	seg       *cSeg  // definition of the segment (a loop's beginning segment); nil when unknown
	loop      *cLoop // nil for a segment
	mandatory bool
	relaxed   bool // mandatory in the standard, optional by overlay
	max       int  // maximum use or repeat; 0 is unbounded
	idx       int  // slot in the walker's counts
	mode      OverlayMode
	// reportable: a missing occurrence is reported (mandatory, or relaxed
	// by an overlay whose mode still wants it noted).
	reportable bool
}

// cLoop is a loop (or the set's top level, which has id "").
type cLoop struct {
	id     string // AK303: the beginning segment's tag; "" at the top level
	name   string // the spec's loop id, for messages
	nodes  []cNode
	lo, hi int // slots of the loop's body and everything nested in it
	tags   []string

	// keys[i] is tagKey(nodes[i].tag): the walker matches a segment tag
	// against these small integers instead of comparing strings.
	keys []uint32
	// must lists, in order, the indices of the nodes whose absence is
	// reported (cNode.reportable), so closing a loop skips the others.
	must []int32
	// bloom has bit bloomBit(k) set for the key k of every node but the
	// first: a tag whose bit is clear is not in nodes[1:].
	bloom [4]uint64
}

func bloomBit(key uint32) uint32 { return (key * 0x9E3779B1) >> 24 }

// compiledSet is a transaction set spec ready for the walker.
type compiledSet struct {
	ts      *spec.TransactionSet
	root    cLoop
	slots   int
	segs    map[string]*cSeg // by tag; used only when building and on error paths
	inSet   map[string]string
	version string
	// counted is the tag counted by CTT01 for this set ("" = no check).
	counted    string
	countedKey uint32 // tagKey(counted)
	hasHL      bool
	// mirrors: root is ts.Structure node for node (no ST or SE added),
	// so a walk's positions are the spec's (see Placement).
	mirrors bool
}

// compile builds the tables for ts with the overlay o (nil for none).
func compile(ts *spec.TransactionSet, o *Overlay) *compiledSet {
	cs := &compiledSet{ts: ts, segs: map[string]*cSeg{}, inSet: map[string]string{}, version: ts.Version}
	if cs.version == "" && ts.Dict != nil {
		cs.version = ts.Dict.Version
	}
	structure := ts.Structure
	cs.mirrors = true
	// The data files list ST first and SE last; a spec without them (or a
	// hand-built one in a test) still has to accept the envelope segments,
	// so they are added as mandatory single segments.
	if len(structure) == 0 || structure[0].Segment != "ST" {
		structure = append([]spec.Node{{Segment: "ST", Usage: spec.Mandatory, Max: 1}}, structure...)
		cs.mirrors = false
	}
	if structure[len(structure)-1].Segment != "SE" {
		structure = append(append([]spec.Node(nil), structure...), spec.Node{Segment: "SE", Usage: spec.Mandatory, Max: 1})
		cs.mirrors = false
	}
	next := 0
	cs.buildLoop(&cs.root, structure, "", o, &next)
	cs.slots = next
	if !fitsSteps(&cs.root, 0) {
		cs.mirrors = false
	}
	if ts.ID == "850" {
		cs.counted = "PO1"
	}
	cs.countedKey = tagKey([]byte(cs.counted))
	_, cs.hasHL = cs.inSet["HL"]
	return cs
}

func (cs *compiledSet) buildLoop(l *cLoop, body []spec.Node, loopID string, o *Overlay, next *int) {
	l.lo = *next
	l.nodes = make([]cNode, len(body))
	for i := range body {
		n := &body[i]
		cn := &l.nodes[i]
		cn.idx = *next
		*next++
		cn.mandatory = n.Usage == spec.Mandatory
		cn.max = n.Max
		if n.IsLoop() {
			sub := &cLoop{name: n.Loop}
			if len(n.Body) > 0 {
				sub.id = n.Body[0].Segment
			}
			cs.buildLoop(sub, n.Body, sub.id, o, next)
			cn.loop = sub
			cn.tag = sub.id
			if len(sub.nodes) > 0 {
				cn.seg = sub.nodes[0].seg
			}
			l.tags = append(l.tags, sub.tags...)
			if so, ok := o.segment(cn.tag); ok {
				// A segment overlay on a loop's beginning segment governs
				// the loop's repeat too: that is how analysts think of it.
				cs.applySegOverlay(cn, so)
			}
			continue
		}
		cn.tag = n.Segment
		cn.seg = cs.segDef(n.Segment, n.Def, o)
		l.tags = append(l.tags, n.Segment)
		if _, ok := cs.inSet[n.Segment]; !ok {
			cs.inSet[n.Segment] = loopID
		}
		if so, ok := o.segment(cn.tag); ok {
			cs.applySegOverlay(cn, so)
		}
	}
	l.hi = *next
	sort.Strings(l.tags)
	l.keys = make([]uint32, len(l.nodes))
	for i := range l.nodes {
		n := &l.nodes[i]
		l.keys[i] = tagKey([]byte(n.tag))
		if i > 0 {
			b := bloomBit(l.keys[i])
			l.bloom[b>>6] |= 1 << (b & 63)
		}
		n.reportable = n.mandatory || (n.relaxed && n.mode != ModeStrict && n.mode != "")
		if n.reportable {
			l.must = append(l.must, int32(i))
		}
	}
}

// fitsSteps reports whether every walk position in l (at depth d) fits a
// Placement step: no real spec comes near the limits, but a step must not
// wrap.
func fitsSteps(l *cLoop, d int) bool {
	if d > maxStepDepth || len(l.nodes) > stepNodeMask+1 {
		return false
	}
	for i := range l.nodes {
		if sub := l.nodes[i].loop; sub != nil && !fitsSteps(sub, d+1) {
			return false
		}
	}
	return true
}

// tagKey packs a segment tag of 1 to 3 bytes (every X12 tag) with its
// length into one integer, unique per tag; 0 for any other length, which
// the walker then compares as a string.
func tagKey(tag []byte) uint32 {
	switch len(tag) {
	case 2:
		return 2<<24 | uint32(tag[0]) | uint32(tag[1])<<8
	case 3:
		return 3<<24 | uint32(tag[0]) | uint32(tag[1])<<8 | uint32(tag[2])<<16
	case 1:
		return 1<<24 | uint32(tag[0])
	}
	return 0
}

var (
	keyHL  = tagKey([]byte("HL"))
	keyCTT = tagKey([]byte("CTT"))
)

func (cs *compiledSet) applySegOverlay(cn *cNode, so SegmentOverlay) {
	if so.Max > 0 {
		cn.max = so.Max
	}
	if so.Usage == spec.Optional && cn.mandatory {
		cn.mandatory, cn.relaxed = false, true
	}
	if so.Usage == spec.Mandatory {
		cn.mandatory = true
	}
	cn.mode = so.Mode
}

// segDef compiles (once per tag) the definition of a segment.
func (cs *compiledSet) segDef(tag string, def *spec.Segment, o *Overlay) *cSeg {
	if c, ok := cs.segs[tag]; ok {
		return c
	}
	if def == nil && cs.ts.Dict != nil {
		def = cs.ts.Dict.Segments[tag]
	}
	if def == nil {
		cs.segs[tag] = nil
		return nil
	}
	c := &cSeg{id: tag, name: def.Name, rules: def.Rules, serial: segSerial.Add(1)}
	c.masks = make([]ruleMask, len(c.rules))
	for i := range c.rules {
		c.masks[i] = maskOf(&c.rules[i])
	}
	c.elems = make([]cElem, len(def.Elements))
	for i := range def.Elements {
		cs.elemDef(&c.elems[i], &def.Elements[i], i+1, o)
		if eo, ok := o.element(tag, i+1); ok {
			applyElemOverlay(&c.elems[i], eo)
		}
		if c.elems[i].mandatory || c.elems[i].relaxed {
			c.required = append(c.required, int32(i))
			c.minElems = i + 1
		}
	}
	c.quick = make([]quickElem, len(c.elems))
	for i := range c.elems {
		e := &c.elems[i]
		q := quickElem{e: e, kind: e.kind, need: e.mandatory || e.relaxed, codes: e.codes != nil, min: e.min, max: e.max}
		if e.composite {
			q.kind = kindComposite
		}
		if q.max <= 0 {
			q.max = math.MaxInt
		}
		c.quick[i] = q
	}
	cs.segs[tag] = c
	return c
}

func applyElemOverlay(e *cElem, eo ElementOverlay) {
	switch eo.Usage {
	case spec.Optional:
		if e.mandatory {
			e.mandatory, e.relaxed = false, true
		}
	case spec.Mandatory:
		e.mandatory = true
	}
	if eo.Min > 0 {
		e.min = eo.Min
	}
	if eo.Max > 0 {
		e.max = eo.Max
	}
	e.mode = eo.Mode
}

func (cs *compiledSet) elemDef(e *cElem, ref *spec.ElementRef, pos int, o *Overlay) {
	e.pos = pos
	e.id = ref.Ref
	e.mandatory = ref.Usage == spec.Mandatory
	e.repeat = ref.Repeat
	if e.repeat < 1 {
		e.repeat = 1
	}
	dict := cs.ts.Dict
	comp := ref.Composite
	el := ref.Element
	if comp == nil && el == nil && dict != nil {
		if c, ok := dict.Composites[ref.Ref]; ok {
			comp = c
		} else {
			el = dict.Elements[ref.Ref]
		}
	}
	if comp != nil {
		e.composite = true
		e.name = comp.Name
		e.compRules = comp.Rules
		e.comps = make([]cElem, len(comp.Components))
		for i := range comp.Components {
			cs.elemDef(&e.comps[i], &comp.Components[i], i+1, o)
			// components do not repeat on their own
			e.comps[i].repeat = 1
		}
		return
	}
	if el == nil {
		// Unknown element: check nothing but presence. The spec loader
		// reports dangling references; here we must not guess.
		e.kind, e.typ, e.max = kindAN, "AN", 0
		return
	}
	e.name = el.Name
	e.typ = el.Type
	e.kind = kindOf(el.Type)
	e.min, e.max = el.Min, el.Max
	var std map[string]string
	if dict != nil {
		std = dict.Codes[el.ID]
		if std == nil {
			std = dict.Codes[ref.Ref]
		}
	}
	co, hasOverlay := o.codes(ref.Ref)
	if std != nil || (hasOverlay && len(co.Add) > 0) {
		set := make(map[string]bool, len(std)+len(co.Add))
		for c := range std {
			set[c] = true
		}
		for _, c := range co.Add {
			set[c] = true
		}
		for _, c := range co.Remove {
			delete(set, c)
		}
		e.codes = make([]string, 0, len(set))
		for c := range set {
			e.codes = append(e.codes, c)
		}
		finishCodes(e)
	}
	if hasOverlay {
		e.codeMode = co.Mode
	}
}

// hasCode reports whether v is in the sorted list, without allocating.
func hasCode(list []string, v []byte) bool {
	lo, hi := 0, len(list)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if list[m] < string(v) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo < len(list) && list[lo] == string(v)
}

// finishCodes sorts e.codes and builds e.codeTab.
func finishCodes(e *cElem) {
	sort.Strings(e.codes)
	var keys []uint64
	for _, c := range e.codes {
		if k := codeKey([]byte(c)); k != 0 {
			keys = append(keys, k)
		}
	}
	e.codeTab, e.codeShift = nil, 0
	if len(keys) == 0 {
		return
	}
	bits := 2
	for 1<<bits < 2*len(keys) {
		bits++
	}
	e.codeTab, e.codeShift = make([]uint64, 1<<bits), uint8(64-bits)
	for _, k := range keys {
		i := codeSlot(k, e.codeShift)
		for e.codeTab[i] != 0 {
			i = (i + 1) & uint64(len(e.codeTab)-1)
		}
		e.codeTab[i] = k
	}
}

// codeSlot is the home slot of key k in a code table of 1<<(64-shift).
func codeSlot(k uint64, shift uint8) uint64 { return (k * 0x9E3779B97F4A7C15) >> shift }

// codeKey packs a value of 1 to 7 bytes with its length into one integer,
// unique per value; 0 for any other length.
func codeKey(v []byte) uint64 {
	n := len(v)
	if n == 0 || n > 7 {
		return 0
	}
	k := uint64(n) << 56
	for i, c := range v {
		k |= uint64(c) << (8 * i)
	}
	return k
}

// hasCodeFast is hasCode(e.codes, v), with the short values looked up in
// e.codeTab.
func (e *cElem) hasCodeFast(v []byte) bool {
	k := codeKey(v)
	if k == 0 {
		return hasCode(e.codes, v)
	}
	return e.hasKey(k)
}

// hasKey reports whether e.codeTab holds the code key k. (Small enough to
// be inlined into the element loops.)
func (e *cElem) hasKey(k uint64) bool {
	tab := e.codeTab
	if len(tab) == 0 {
		return false
	}
	last := uint64(len(tab) - 1)
	i := codeSlot(k, e.codeShift) & last
	for tab[i] != k {
		if tab[i] == 0 {
			return false
		}
		i = (i + 1) & last
	}
	return true
}

// containsTag reports whether the sorted tag list holds tag.
func containsTag(tags []string, tag []byte) bool { return hasCode(tags, tag) }

// refName renders an element position the way analysts write it: BEG03,
// PO109-2 for a component.
func refName(seg string, pos, comp int) string {
	var b strings.Builder
	b.WriteString(seg)
	if pos < 10 {
		b.WriteByte('0')
	}
	b.WriteString(strconv.Itoa(pos))
	if comp > 0 {
		b.WriteByte('-')
		b.WriteString(strconv.Itoa(comp))
	}
	return b.String()
}
