package edifact

import (
	"math"
	"slices"
	"sort"

	"github.com/b2bgw/b2bgw/internal/edifact/spec"
)

// This file turns a spec.Message (maps and nested structs, shaped for the
// people who write the data files) into index tables the walker uses
// without maps or allocations, as x12's validate_compile.go does: every
// node of the structure gets a packed tag and its overlay-adjusted limits
// and finding texts, every element position its format, lengths, the
// partner overlay already applied, and a sorted code list. A compiled
// message is built once per (validator, spec) and shared by all
// goroutines; the overlay is read at that moment.

// cVal is the check of one simple value at one position (segment
// position, component): format, lengths with the overlay applied, codes.
type cVal struct {
	id     string // the element id, Ref of the findings
	class  valClass
	fmtStr string // the format in the standard's notation, for messages
	lo, hi int
	lmode  spec.OverlayMode // mode of a length finding
	codes  *cCodes          // nil: no code list
	// lenOnly: only the length is checked (format an, no code list; see
	// lenOK).
	lenOnly bool
	// code: the length and the code list are checked (format an): for
	// a value of up to seven bytes, walker.clean looks its key up itself.
	code bool
	// number: format n without a code list: walker.clean checks a
	// component of up to eight digits itself.
	number bool
}

// valClass is spec.Class as a small integer for the walker's switch.
type valClass uint8

const (
	classAN valClass = iota
	classA
	classN
)

func classOf(c spec.Class) valClass {
	switch c {
	case spec.Alpha:
		return classA
	case spec.Numeric:
		return classN
	}
	return classAN
}

// cCodes is an element's code list with the overlay applied: the codes
// of the directory's list not removed, and the added ones.
type cCodes struct {
	// table holds codeKey of the codes of 1 to 7 bytes, open addressing
	// with linear probing (0 is an empty slot; no key is 0); shift turns
	// a key's hash into a slot.
	table  []uint64
	shift  uint8
	long   []string // the longer codes, sorted
	mode   spec.OverlayMode
	subset bool // the directory's list is a deliberate subset
}

// has reports whether v is on the list, without allocating.
func (c *cCodes) has(v []byte) bool {
	if k := codeKey(v); k != 0 {
		return c.hasKey(k)
	}
	list := c.long
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

// hasKey reports whether the value of codeKey k (not 0) is on the list.
// Its first slot mostly answers: the rest of the probe is out of line.
func (c *cCodes) hasKey(k uint64) bool {
	i := codeHash(k) >> c.shift
	e := c.table[i]
	return e == k || e != 0 && c.probe(k, i)
}

// probe is hasKey past slot i, taken.
func (c *cCodes) probe(k, i uint64) bool {
	t := c.table
	mask := uint64(len(t) - 1)
	for i = (i + 1) & mask; ; i = (i + 1) & mask {
		switch t[i] {
		case k:
			return true
		case 0:
			return false
		}
	}
}

func codeHash(k uint64) uint64 { return k * 0x9E3779B97F4A7C15 }

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

// cAbsent is what an empty mandatory position reports (see walker.absent):
// report is false when the position is conditional, or made conditional
// by the overlay without a mode.
type cAbsent struct {
	report bool
	ref    string
	mode   spec.OverlayMode
	msg    string
}

func absentOf(st spec.Status, ov spec.ElementOverlay, hasOv bool, ref string) cAbsent {
	if st != spec.Mandatory {
		return cAbsent{}
	}
	a := cAbsent{report: true, ref: ref, msg: "mandatory data element " + ref + " is missing"}
	if hasOv {
		if ov.Status == spec.Conditional && ov.Mode == "" {
			return cAbsent{}
		}
		a.mode = ov.Mode
	}
	return a
}

// cComp is one component of a composite at one segment position.
type cComp struct {
	ref    string
	absent cAbsent
	val    *cVal // nil: the component's element is unknown
}

// cPos is one data element position of a segment.
type cPos struct {
	ref    string
	absent cAbsent
	repeat int // maximum repetitions, at least 1
	// composite
	composite bool
	compID    string
	comps     []cComp
	lastReq   int // the composite's lastReq (see cSeg)
	// simple element
	val *cVal // nil for a composite or an unknown element
}

// cSeg is a segment definition compiled for checking.
type cSeg struct {
	tag  string
	pos  []cPos
	nDef int // len(def.Elements)
	// lastReq is the index of the last position whose absence is
	// reported (-1: none): past the data sent, nothing after it matters.
	lastReq int
}

// cNode is a segment or a segment group in a node list.
type cNode struct {
	key   uint32 // tagKey(tag)
	tag   string // the segment's tag, or the group's trigger tag
	group string // the group id, "" for a segment
	body  *cList // the group's body
	// max is the repeat limit with the overlay applied (0: unbounded),
	// maxMode the mode of a finding about it.
	max     int
	maxMode spec.OverlayMode
	limit   int // max, or the largest int when unbounded: place tests it in one comparison
	// missing: a missing occurrence is reported, with missMode and missMsg.
	missing  bool
	missMode spec.OverlayMode
	missMsg  string
	// seg checks the segment's (the trigger's) elements; nil when there is
	// nothing to check (UNH, UNT, no definition).
	seg *cSeg
}

// cList is a node list: the message's structure or a group's body.
type cList struct {
	nodes []cNode
	// keys holds nodes[i].key at i: the walker's search for a tag runs
	// over these packed integers.
	keys  []uint32
	group string // the group this list is the body of ("" at the top)
	// nextMust[i] is the index of the first node at or after i whose
	// absence is reported, len(nodes) for none (i up to len(nodes)).
	nextMust []int32
	// bloom has bit bloomBit(k) set for the key k of every node but the
	// first: a tag whose bit is clear is not in nodes[1:].
	bloom [4]uint64
	// slots finds a key's nodes without a search along the list: open
	// addressing over slotOf(key) (0 is an empty slot), each slot holding
	// a key in its low half and the index of its first node in its high
	// half; next[i] is the index of the next node with the key of node
	// i, len(nodes) for none.
	slots []uint64
	shift uint8
	next  []int32
}

func (l *cList) slotOf(key uint32) uint64 { return uint64(key*0x9E3779B1) >> l.shift }

// find returns the index of the first node at or after j with the key
// (not 0), or len(l.nodes).
func (l *cList) find(key uint32, j int) int {
	mask := uint64(len(l.slots) - 1)
	for i := l.slotOf(key); ; i = (i + 1) & mask {
		e := l.slots[i]
		if e == 0 {
			return len(l.nodes)
		}
		if uint32(e) == key {
			k := int(e >> 32)
			for k < j {
				k = int(l.next[k])
			}
			return k
		}
	}
}

// index builds slots and next for the nodes' keys.
func (l *cList) index() {
	bits := 2 // at least 4 slots, at most half of them used
	for 1<<bits < 2*len(l.keys) {
		bits++
	}
	l.slots, l.shift = make([]uint64, 1<<bits), uint8(32-bits)
	l.next = make([]int32, len(l.keys))
	mask := uint64(len(l.slots) - 1)
	last := map[uint32]int{}
	for j, key := range l.keys {
		l.next[j] = int32(len(l.keys))
		if key == 0 {
			continue // compared as a string (see tagKey)
		}
		if prev, ok := last[key]; ok {
			l.next[prev] = int32(j)
			last[key] = j
			continue
		}
		last[key] = j
		i := l.slotOf(key)
		for l.slots[i] != 0 {
			i = (i + 1) & mask
		}
		l.slots[i] = uint64(j)<<32 | uint64(key)
	}
}

func bloomBit(key uint32) uint32 { return (key * 0x9E3779B1) >> 24 }

// mayHold reports whether a node after the first may have the key.
func (l *cList) mayHold(key uint32) bool {
	b := bloomBit(key)
	return l.bloom[b>>6]&(1<<(b&63)) != 0
}

// compiledMessage is a message spec ready for the walker.
type compiledMessage struct {
	ms   *spec.Message
	root cList
	tags map[string]bool // every segment tag of the structure (error path)
	segs map[segKey]*cSeg
	vals map[*spec.Element]*cCodes
	ov   *spec.Overlay
	// stepsFit: every place in the structure fits a Placement step
	// (nesting and list lengths far beyond any directory's otherwise).
	stepsFit bool
}

type segKey struct {
	tag string
	def *spec.Segment
}

// compileMessage builds the tables for ms with the overlay o (nil for none).
func compileMessage(ms *spec.Message, o *spec.Overlay) *compiledMessage {
	c := &compiledMessage{ms: ms, ov: o, tags: map[string]bool{}, segs: map[segKey]*cSeg{}, vals: map[*spec.Element]*cCodes{}}
	c.buildList(&c.root, ms.Structure, "")
	c.segs, c.vals = nil, nil
	c.stepsFit = stepsFit(&c.root, 0)
	return c
}

// stepsFit reports whether every node of l, open at depth, and of the
// lists below it has a Placement step.
func stepsFit(l *cList, depth int) bool {
	if depth > maxStepDepth || len(l.nodes) > stepNodeMask {
		return false
	}
	for i := range l.nodes {
		if b := l.nodes[i].body; b != nil && !stepsFit(b, depth+1) {
			return false
		}
	}
	return true
}

func nodeTag(n *spec.Node) string {
	if n.IsGroup() {
		if len(n.Body) == 0 {
			return ""
		}
		return n.Body[0].Segment
	}
	return n.Segment
}

func (c *compiledMessage) buildList(l *cList, body []spec.Node, group string) {
	l.group = group
	l.nodes = make([]cNode, len(body))
	l.keys = make([]uint32, len(body))
	for i := range body {
		n := &body[i]
		cn := &l.nodes[i]
		cn.tag = nodeTag(n)
		c.tags[n.Segment] = true
		cn.key = tagKey([]byte(cn.tag))
		l.keys[i] = cn.key
		cn.max = n.Max
		so, hasSo := c.ov.Segment(cn.tag)
		if hasSo {
			if so.Max > 0 {
				cn.max = so.Max
			}
			cn.maxMode = so.Mode
		}
		cn.limit = cn.max
		if cn.limit <= 0 {
			cn.limit = math.MaxInt
		}
		if n.Status == spec.Mandatory && !(hasSo && so.Status == spec.Conditional && so.Mode == "") {
			cn.missing = true
			if hasSo {
				cn.missMode = so.Mode
			}
			what := "segment " + cn.tag
			if n.IsGroup() {
				what = "segment group " + n.Group + " (trigger " + cn.tag + ")"
			}
			cn.missMsg = "mandatory " + what + " is missing"
		}
		if i > 0 {
			b := bloomBit(cn.key)
			l.bloom[b>>6] |= 1 << (b & 63)
		}
		if n.IsGroup() {
			cn.group = n.Group
			cn.body = &cList{}
			c.buildList(cn.body, n.Body, n.Group)
			if len(n.Body) > 0 {
				cn.seg = cn.body.nodes[0].seg
			}
			continue
		}
		cn.seg = c.segDef(n)
	}
	l.nextMust = make([]int32, len(body)+1)
	l.nextMust[len(body)] = int32(len(body))
	for i := len(body) - 1; i >= 0; i-- {
		l.nextMust[i] = l.nextMust[i+1]
		if l.nodes[i].missing {
			l.nextMust[i] = int32(i)
		}
	}
	l.index()
}

// segDef compiles the element checks of a segment node (once per tag and
// definition).
func (c *compiledMessage) segDef(n *spec.Node) *cSeg {
	tag := n.Segment
	if tag == "UNH" || tag == "UNT" {
		return nil // the decoder checks the message header and trailer
	}
	def := n.Def
	if def == nil && c.ms.Dict != nil {
		def, _ = c.ms.Dict.Segment(tag)
	}
	if def == nil {
		return nil
	}
	k := segKey{tag, def}
	if s, ok := c.segs[k]; ok {
		return s
	}
	s := &cSeg{tag: tag, nDef: len(def.Elements), pos: make([]cPos, len(def.Elements)), lastReq: -1}
	for i := range def.Elements {
		ref := &def.Elements[i]
		p := &s.pos[i]
		ov, hasOv := c.ov.Element(tag, i+1, 0)
		p.ref = ref.Ref
		p.absent = absentOf(ref.Status, ov, hasOv, ref.Ref)
		p.repeat = max(ref.Repeat, 1)
		if p.absent.report {
			s.lastReq = i
		}
		if ref.Composite != nil {
			p.composite = true
			p.compID = ref.Composite.ID
			p.comps = make([]cComp, len(ref.Composite.Components))
			p.lastReq = -1
			for k := range ref.Composite.Components {
				cr := &ref.Composite.Components[k]
				cov, hasCov := c.ov.Element(tag, i+1, k+1)
				p.comps[k] = cComp{ref: cr.Ref, absent: absentOf(cr.Status, cov, hasCov, cr.Ref)}
				if p.comps[k].absent.report {
					p.lastReq = k
				}
				if cr.Element != nil {
					p.comps[k].val = c.valOf(cr.Element, cov, hasCov)
				}
			}
			continue
		}
		if ref.Element != nil {
			p.val = c.valOf(ref.Element, ov, hasOv)
		}
	}
	c.segs[k] = s
	return s
}

func (c *compiledMessage) valOf(el *spec.Element, ov spec.ElementOverlay, hasOv bool) *cVal {
	f := el.Format
	v := &cVal{id: el.ID, class: classOf(f.Class), fmtStr: f.String(), lo: f.Min, hi: f.Max}
	if hasOv {
		if ov.Min > 0 {
			v.lo = ov.Min
		}
		if ov.Max > 0 {
			v.hi = ov.Max
		}
		v.lmode = ov.Mode
	}
	v.codes = c.codesOf(el)
	v.lenOnly = v.class == classAN && v.codes == nil
	v.code = v.class == classAN && v.codes != nil
	v.number = v.class == classN && v.codes == nil
	return v
}

// codesOf compiles the code list of an element: the directory's list
// (looked up by the element's id) with the overlay's additions and
// removals; an addition wins over a removal.
func (c *compiledMessage) codesOf(el *spec.Element) *cCodes {
	if cc, ok := c.vals[el]; ok {
		return cc
	}
	var cl *spec.CodeList
	if c.ms.Dict != nil {
		cl, _ = c.ms.Dict.Code(el.ID)
	}
	co, hasCo := c.ov.CodeList(el.ID)
	if cl == nil && (!hasCo || len(co.Add) == 0) {
		c.vals[el] = nil
		return nil
	}
	set := map[string]bool{}
	if cl != nil {
		for code := range cl.Codes {
			if !(hasCo && slices.Contains(co.Remove, code)) {
				set[code] = true
			}
		}
	}
	if hasCo {
		for _, code := range co.Add {
			set[code] = true
		}
	}
	cc := &cCodes{mode: co.Mode, subset: cl != nil && !cl.Complete}
	var keys []uint64
	for code := range set {
		if k := codeKey([]byte(code)); k != 0 {
			keys = append(keys, k)
		} else {
			cc.long = append(cc.long, code)
		}
	}
	slices.Sort(keys) // a table built the same way every time
	sort.Strings(cc.long)
	bits := 2 // at least 4 slots, at most half of them used
	for 1<<bits < 2*len(keys) {
		bits++
	}
	cc.table, cc.shift = make([]uint64, 1<<bits), uint8(64-bits)
	mask := uint64(len(cc.table) - 1)
	for _, k := range keys {
		i := codeHash(k) >> cc.shift
		for cc.table[i] != 0 {
			i = (i + 1) & mask
		}
		cc.table[i] = k
	}
	c.vals[el] = cc
	return cc
}

// tagKey packs a segment tag of 0 to 3 bytes with its length into one
// integer, unique per tag; 0 for a longer tag, which the walker then
// compares as a string.
func tagKey(tag []byte) uint32 {
	switch len(tag) {
	case 3:
		return 4<<24 | uint32(tag[0]) | uint32(tag[1])<<8 | uint32(tag[2])<<16
	case 2:
		return 3<<24 | uint32(tag[0]) | uint32(tag[1])<<8
	case 1:
		return 2<<24 | uint32(tag[0])
	case 0:
		return 1 << 24
	}
	return 0
}
