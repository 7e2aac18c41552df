package doctree

import (
	"bytes"
	"fmt"
	"strings"
	"sync"

	"github.com/antchfx/xpath"

	"github.com/b2bgw/b2bgw/internal/edifact"
	espec "github.com/b2bgw/b2bgw/internal/edifact/spec"
)

// EDIFACT messages become the same kind of tree as X12 sets:
//
//	Message  @type @version @release @agency @reference   (UNH S009, 0062)
//	├── UNH
//	├── BGM ── BGM01 ── BGM01_01 …        composite = tag + 2-digit position
//	│        BGM02                        simple element (release characters removed)
//	├── DTM ── DTM01 ── DTM01_01, DTM01_02, DTM01_03
//	├── SG2                               segment group = its directory id
//	│   ├── NAD ── NAD01, NAD02 ── NAD02_01, NAD02_03 …
//	│   └── SG5 ── CTA …
//	├── SG25 ── LIN, PIA, IMD, QTY, SG28 ── PRI …
//	├── UNS, CNT
//	└── UNT
//
//   - Segment groups come from the directory (spec.Message), assigned by the
//     validator's forward walk; a segment that fits nowhere stays in the
//     innermost open group, in order. Without a spec the tree is flat.
//   - DESADV's packaging hierarchy: an SG10 whose CPS names a parent
//     (CPS02) moves to the end of the SG10 whose CPS01 is that id, when that
//     one came earlier; so SG10 (shipment) > SG10 (pallet) > SG10 (carton),
//     as X12's HL loops nest by HL02.
//   - Values are unescaped: BGM02 of BGM+220+PO?+1' is "PO+1". Empty
//     elements and components have no node. A composite element (its
//     directory entry is a composite, or it holds a component separator)
//     has components DTM01_01 …; its own value is its raw text. Repeated
//     elements (syntax 4) are repeated siblings with the same name.

// EDIFACTRootName is the root element of an EDIFACT message tree.
const EDIFACTRootName = "Message"

// FormatEDIFACT marks sources of EDIFACT trees.
const FormatEDIFACT Format = FormatXML + 1

var edifactAttrs = [...]string{"type", "version", "release", "agency", "reference"}

// EDIFACTShape is a message type's segment-group structure prepared for
// building trees (group names and segment names resolved once). It is
// read-only and safe for concurrent use.
type EDIFACTShape struct {
	ms   *espec.Message
	root eGroup
	cps  bool // the structure has a group triggered by CPS (DESADV)
	// depth is the deepest nesting of groups, the top level being 1.
	depth int
}

type eGroup struct {
	id    string
	sym   int32 // symbol of id
	nodes []eShapeNode
}

type eShapeNode struct {
	tag   string
	def   *espec.Segment
	names *tagNames
	group *eGroup
	// elems is len(names.elems), or -1 when names is nil (a group whose
	// first node is a group): a segment with more elements takes its
	// names from the shared cache (see buildPlaced).
	elems int
}

// CompileEDIFACT prepares a message structure for FromMessage; nil gives a
// nil shape (a flat tree).
func CompileEDIFACT(ms *espec.Message) *EDIFACTShape {
	if ms == nil {
		return nil
	}
	s := &EDIFACTShape{ms: ms}
	s.depth = s.build(&s.root, ms.Structure)
	return s
}

// Spec returns the message structure the shape was compiled from.
func (s *EDIFACTShape) Spec() *espec.Message { return s.ms }

// build compiles body into g and returns its depth: 1 for a body of
// segments, one more than its deepest group otherwise.
func (s *EDIFACTShape) build(g *eGroup, body []espec.Node) int {
	depth := 1
	g.nodes = make([]eShapeNode, len(body))
	for i := range body {
		n := &body[i]
		sn := &g.nodes[i]
		if !n.IsGroup() {
			sn.tag, sn.def = n.Segment, n.Def
			sn.names = edifactNames(n.Segment, n.Def)
			sn.elems = len(sn.names.elems)
			continue
		}
		sub := &eGroup{id: n.Group, sym: intern(n.Group)}
		depth = max(depth, 1+s.build(sub, n.Body))
		sn.group = sub
		sn.elems = -1
		if len(sub.nodes) > 0 && sub.nodes[0].group == nil {
			sn.tag, sn.def, sn.names, sn.elems = sub.nodes[0].tag, sub.nodes[0].def, sub.nodes[0].names, sub.nodes[0].elems
			if sn.tag == "CPS" {
				s.cps = true
			}
		}
	}
	return depth
}

func edifactNames(tag string, def *espec.Segment) *tagNames {
	n := 0
	if def != nil {
		n = len(def.Elements)
	}
	return namesFor([]byte(tag), n)
}

// EDIFACTTree is the document tree of one EDIFACT message. It reads values
// from the message's segments, which must not change while it is in use.
// It implements the mapping engine's Tree, LeafTree and Locator interfaces
// (structurally: handles are int32), so mappings run on the fast path.
// A tree is used by one goroutine at a time.
type EDIFACTTree struct {
	msg   *edifact.Message
	nodes []enode

	leafMu sync.Mutex
	leaves *leafTable
}

type enode struct {
	// What a lookup reads (FirstChildName, NextNamed, the segment
	// behind a node) comes first, within one cache line of the node.
	kids        uint64 // symBit of every child ever linked
	sym         int32  // symbol of name (see symbols.go), 0 for none
	first, next int32
	seg         int32 // index in msg.Segments; -1 for others
	// sp is the segment itself (msg.Segments[seg]) for a segment, nil for
	// others: the lookups' one load for it. (It also makes the node 80
	// bytes, whose index arithmetic is cheaper than 72's.)
	sp   *edifact.Segment
	kind Kind
	// later: a later sibling may have the same name (see markLater);
	// false is certain once the tree is built.
	later bool
	// psep is a plain segment's component separator, 0 for other nodes.
	// A segment is plain when it has no repetition separator and nothing
	// released, the common case: its lookups slice the raw bytes (see
	// plainComp) without reading the segment's delimiters each time.
	psep               byte
	parent, last, prev int32
	names              *tagNames
	def                *espec.Segment
	name               string
}

// FromMessage builds the tree of a message. With a nil shape the tree is
// flat: every segment directly under the root.
func FromMessage(m *edifact.Message, shape *EDIFACTShape) *EDIFACTTree {
	return ReuseMessage(nil, m, shape)
}

// ReuseMessage is FromMessage building into t's storage (a new tree when
// t is nil), for callers that translate one message after another and
// are done with t: every handle and ENode of t becomes invalid.
func ReuseMessage(t *EDIFACTTree, m *edifact.Message, shape *EDIFACTShape) *EDIFACTTree {
	return ReuseMessagePlaced(t, m, shape, nil)
}

func (t *EDIFACTTree) add(name string, sym int32, kind Kind, seg int32) int32 {
	t.nodes = append(t.nodes, enode{name: name, sym: sym, kind: kind, parent: none, first: none, last: none, prev: none, next: none, seg: seg})
	return int32(len(t.nodes) - 1)
}

func (t *EDIFACTTree) link(p, c int32) {
	pn, cn := &t.nodes[p], &t.nodes[c]
	cn.parent, cn.prev, cn.next = p, pn.last, none
	pn.kids |= symBit(cn.sym)
	if pn.last == none {
		pn.first = c
	} else {
		t.nodes[pn.last].next = c
	}
	pn.last = c
}

// markLater is Tree.markLater for an EDIFACT tree.
func (t *EDIFACTTree) markLater() {
	for i := range t.nodes {
		var seen uint64
		for c := t.nodes[i].last; c != none; c = t.nodes[c].prev {
			b := symBit(t.nodes[c].sym)
			t.nodes[c].later = seen&b != 0
			seen |= b
		}
	}
}

func (t *EDIFACTTree) unlink(c int32) {
	cn := &t.nodes[c]
	if cn.parent == none {
		return
	}
	pn := &t.nodes[cn.parent]
	if cn.prev == none {
		pn.first = cn.next
	} else {
		t.nodes[cn.prev].next = cn.next
	}
	if cn.next == none {
		pn.last = cn.prev
	} else {
		t.nodes[cn.next].prev = cn.prev
	}
	cn.parent, cn.prev, cn.next = none, none, none
}

// nestCPS moves each group triggered by a CPS whose CPS02 (parent
// hierarchical id) names the CPS01 of an earlier group to the end of that
// group. Parents must come first, so there are no cycles.
func (t *EDIFACTTree) nestCPS() {
	byID := map[string]int32{}
	for i := range t.nodes {
		n := &t.nodes[i]
		if n.kind != KindLoop || n.first == none || t.nodes[n.first].kind != KindSegment || t.nodes[n.first].name != "CPS" {
			continue
		}
		seg := &t.msg.Segments[t.nodes[n.first].seg]
		id, parent := string(seg.Value(1)), string(seg.Value(2))
		if p, ok := byID[parent]; ok && parent != "" {
			t.unlink(int32(i))
			t.link(p, int32(i))
		}
		if _, dup := byID[id]; !dup && id != "" {
			byID[id] = int32(i)
		}
	}
}

// Message returns the message the tree was built from.
func (t *EDIFACTTree) Message() *edifact.Message { return t.msg }

// Len returns the number of stored nodes (document, root, groups, segments).
func (t *EDIFACTTree) Len() int { return len(t.nodes) }

func (t *EDIFACTTree) segment(n int32) *edifact.Segment { return &t.msg.Segments[t.nodes[n].seg] }

// ENode is a position in an EDIFACTTree: a stored node (document, root,
// group, segment) or an element repetition, component, text or attribute
// inside one. The zero ENode is "no node".
type ENode struct {
	t             *EDIFACTTree
	n             int32
	kind          Kind
	el, rep, comp int32
	attr          int32
}

// RootNode returns the root element, Message.
func (t *EDIFACTTree) RootNode() ENode { return ENode{t: t, n: 1, kind: KindRoot} }

// IsZero reports whether n is no node.
func (n ENode) IsZero() bool { return n.t == nil }

// Kind returns the node's kind.
func (n ENode) Kind() Kind { return n.kind }

// Name returns the node's XPath name.
func (n ENode) Name() string {
	switch n.kind {
	case KindDocument, KindRoot, KindLoop, KindSegment:
		return n.t.nodes[n.n].name
	case KindElement:
		return n.t.nodes[n.n].names.elem(int(n.el))
	case KindComponent:
		return n.t.nodes[n.n].names.comp(int(n.el), int(n.comp))
	case KindAttribute:
		return edifactAttrs[n.attr]
	}
	return ""
}

// Bytes returns a leaf's value with release characters removed (it aliases
// the message when there was nothing to remove; do not modify it), a
// composite's raw text, or a segment's raw text.
func (n ENode) Bytes() []byte {
	switch n.kind {
	case KindElement, KindComponent, KindText:
		return n.leaf()
	case KindSegment:
		return n.t.segment(n.n).Raw()
	case KindInvalid:
		return nil
	}
	return []byte(n.Value())
}

// Value returns the node's string value: leaves their unescaped text; a
// composite its raw text; a segment its raw text; groups and the root
// their segments, each with its terminator.
func (n ENode) Value() string {
	switch n.kind {
	case KindInvalid:
		return ""
	case KindAttribute:
		return n.t.attrValue(int(n.attr))
	case KindElement, KindComponent, KindText, KindSegment:
		return string(n.Bytes())
	}
	var b strings.Builder
	n.t.walkSegments(n.n, func(s *edifact.Segment) {
		b.Write(s.Raw())
		b.WriteByte(s.Delimiters().Segment)
	})
	return b.String()
}

func (t *EDIFACTTree) walkSegments(i int32, fn func(*edifact.Segment)) {
	nd := &t.nodes[i]
	if nd.kind == KindSegment {
		fn(t.segment(i))
		return
	}
	for c := nd.first; c != none; c = t.nodes[c].next {
		t.walkSegments(c, fn)
	}
}

func (t *EDIFACTTree) attrValue(a int) string {
	m := t.msg
	switch a {
	case 0:
		return m.Type
	case 1:
		return m.Version
	case 2:
		return m.Release
	case 3:
		return m.Agency
	}
	return m.Ref
}

// leaf returns the text of an element repetition (unescaped, or raw for a
// composite) or a component (unescaped).
func (n ENode) leaf() []byte {
	seg := n.t.segment(n.n)
	if n.comp > 0 {
		return seg.RepComponent(int(n.el), int(n.rep), int(n.comp))
	}
	v := seg.Repetition(int(n.el), int(n.rep))
	if n.t.composite(n.n, int(n.el), v) {
		return v
	}
	return seg.Unescape(v)
}

// composite reports whether element el of stored segment i is a composite.
func (t *EDIFACTTree) composite(i int32, el int, v []byte) bool {
	if def := t.nodes[i].def; def != nil && el >= 1 && el <= len(def.Elements) {
		if def.Elements[el-1].Composite != nil {
			return true
		}
		if def.Elements[el-1].Element != nil {
			return false
		}
	}
	seg := t.segment(i)
	return hasUnreleased(v, seg.Delimiters().Component, seg.Delimiters().Release)
}

func hasUnreleased(v []byte, sep, rel byte) bool {
	if rel == 0 {
		return bytes.IndexByte(v, sep) >= 0
	}
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case rel:
			i++
		case sep:
			return true
		}
	}
	return false
}

// nextRep returns the first non-empty repetition of element el after rep,
// or 0. One pass over the element's bytes.
func nextRep(seg *edifact.Segment, el, after int) int {
	if el < 1 || el > seg.Len() {
		return 0
	}
	rest, more := seg.Element(el), true
	rs, rel := seg.Delimiters().Repetition, releaseOf(seg)
	for r := 1; more; r++ {
		var v []byte
		v, rest, more = cut(rest, rs, rel)
		if r > after && len(v) > 0 {
			return r
		}
	}
	return 0
}

// releaseOf is the release character that cut must honour in seg's
// bytes: none when the segment has no release character at all.
func releaseOf(seg *edifact.Segment) byte {
	if seg.HasRelease() {
		return seg.Delimiters().Release
	}
	return 0
}

func prevRep(seg *edifact.Segment, el, before int) int {
	if el < 1 || el > seg.Len() {
		return 0
	}
	for r := min(before-1, seg.Repetitions(el)); r >= 1; r-- {
		if len(seg.Repetition(el, r)) > 0 {
			return r
		}
	}
	return 0
}

func nextComp(seg *edifact.Segment, el, rep, after int) int {
	rest, more := seg.Repetition(el, rep), true
	if len(rest) == 0 {
		return 0
	}
	cs, rel := seg.Delimiters().Component, releaseOf(seg)
	for c := 1; more; c++ {
		var v []byte
		v, rest, more = cut(rest, cs, rel)
		if c > after && len(v) > 0 {
			return c
		}
	}
	return 0
}

func prevComp(seg *edifact.Segment, el, rep, before int) int {
	for c := min(before-1, seg.RepComponents(el, rep)); c >= 1; c-- {
		if len(seg.RawComponent(el, rep, c)) > 0 {
			return c
		}
	}
	return 0
}

// Navigation in place; false leaves n unchanged.

func (n *ENode) toStored(i int32) bool {
	if i == none {
		return false
	}
	n.n, n.kind, n.el, n.rep, n.comp, n.attr = i, n.t.nodes[i].kind, 0, 0, 0, 0
	return true
}

func (n *ENode) toParent() bool {
	switch n.kind {
	case KindElement, KindAttribute:
		return n.toStored(n.n)
	case KindComponent:
		n.kind, n.comp = KindElement, 0
		return true
	case KindText:
		if n.comp > 0 {
			n.kind = KindComponent
		} else {
			n.kind = KindElement
		}
		return true
	case KindInvalid:
		return false
	}
	return n.toStored(n.t.nodes[n.n].parent)
}

func (n *ENode) toFirstChild() bool {
	switch n.kind {
	case KindDocument, KindRoot, KindLoop:
		return n.toStored(n.t.nodes[n.n].first)
	case KindSegment:
		seg := n.t.segment(n.n)
		for el := 1; el <= seg.Len(); el++ {
			if r := nextRep(seg, el, 0); r != 0 {
				n.kind, n.el, n.rep, n.comp = KindElement, int32(el), int32(r), 0
				return true
			}
		}
	case KindElement:
		seg := n.t.segment(n.n)
		v := seg.Repetition(int(n.el), int(n.rep))
		if n.t.composite(n.n, int(n.el), v) {
			if c := nextComp(seg, int(n.el), int(n.rep), 0); c != 0 {
				n.kind, n.comp = KindComponent, int32(c)
				return true
			}
			return false
		}
		n.kind = KindText
		return true
	case KindComponent:
		n.kind = KindText
		return true
	}
	return false
}

func (n *ENode) toNext() bool {
	switch n.kind {
	case KindDocument, KindRoot, KindLoop, KindSegment:
		return n.toStored(n.t.nodes[n.n].next)
	case KindElement:
		seg := n.t.segment(n.n)
		if r := nextRep(seg, int(n.el), int(n.rep)); r != 0 {
			n.rep = int32(r)
			return true
		}
		for el := int(n.el) + 1; el <= seg.Len(); el++ {
			if r := nextRep(seg, el, 0); r != 0 {
				n.el, n.rep = int32(el), int32(r)
				return true
			}
		}
	case KindComponent:
		if c := nextComp(n.t.segment(n.n), int(n.el), int(n.rep), int(n.comp)); c != 0 {
			n.comp = int32(c)
			return true
		}
	}
	return false
}

func (n *ENode) toPrev() bool {
	switch n.kind {
	case KindDocument, KindRoot, KindLoop, KindSegment:
		return n.toStored(n.t.nodes[n.n].prev)
	case KindElement:
		seg := n.t.segment(n.n)
		if r := prevRep(seg, int(n.el), int(n.rep)); r != 0 {
			n.rep = int32(r)
			return true
		}
		for el := int(n.el) - 1; el >= 1; el-- {
			if r := prevRep(seg, el, 1<<30); r != 0 {
				n.el, n.rep = int32(el), int32(r)
				return true
			}
		}
	case KindComponent:
		if c := prevComp(n.t.segment(n.n), int(n.el), int(n.rep), int(n.comp)); c != 0 {
			n.comp = int32(c)
			return true
		}
	}
	return false
}

// FirstChild returns the first child, or the zero ENode.
func (n ENode) FirstChild() ENode {
	if n.toFirstChild() {
		return n
	}
	return ENode{}
}

// NextSibling returns the next sibling, or the zero ENode.
func (n ENode) NextSibling() ENode {
	if n.toNext() {
		return n
	}
	return ENode{}
}

// Parent returns the parent, or the zero ENode.
func (n ENode) Parent() ENode {
	if n.toParent() {
		return n
	}
	return ENode{}
}

// FirstNamed returns the first child named name, or the zero ENode: on a
// segment an element name goes straight to that element, on a composite a
// component name straight to the component.
func (n ENode) FirstNamed(name string) ENode { return n.firstNamed(&Name{s: name}) }

// firstNamed is FirstNamed with a compiled name.
func (n ENode) firstNamed(name *Name) ENode {
	switch n.kind {
	case KindInvalid:
		return ENode{}
	case KindSegment:
		el := name.elemIn(n.t.nodes[n.n].names)
		if el == 0 {
			return ENode{}
		}
		if r := nextRep(n.t.segment(n.n), el, 0); r != 0 {
			return ENode{t: n.t, n: n.n, kind: KindElement, el: int32(el), rep: int32(r)}
		}
		return ENode{}
	case KindElement:
		c := name.compIn(n.t.nodes[n.n].names, int(n.el))
		if c == 0 {
			return ENode{}
		}
		seg := n.t.segment(n.n)
		if !n.t.composite(n.n, int(n.el), seg.Repetition(int(n.el), int(n.rep))) || len(seg.RawComponent(int(n.el), int(n.rep), c)) == 0 {
			return ENode{}
		}
		n.kind, n.comp = KindComponent, int32(c)
		return n
	case KindComponent, KindText, KindAttribute:
		return ENode{}
	}
	for c := n.t.nodes[n.n].first; c != none; c = n.t.nodes[c].next {
		if sameName(n.t.nodes[c].sym, name.sym, n.t.nodes[c].name, name.s) {
			return ENode{t: n.t, n: c, kind: n.t.nodes[c].kind}
		}
	}
	return ENode{}
}

// NextNamed returns the next sibling with the same name, or the zero ENode.
func (n ENode) NextNamed() ENode {
	switch n.kind {
	case KindElement:
		if r := nextRep(n.t.segment(n.n), int(n.el), int(n.rep)); r != 0 {
			n.rep = int32(r)
			return n
		}
		return ENode{}
	case KindComponent, KindText, KindAttribute, KindDocument, KindInvalid:
		return ENode{}
	}
	name, sym := n.t.nodes[n.n].name, n.t.nodes[n.n].sym
	if !n.t.nodes[n.n].later {
		return ENode{}
	}
	for c := n.t.nodes[n.n].next; c != none; c = n.t.nodes[c].next {
		if sameName(n.t.nodes[c].sym, sym, n.t.nodes[c].name, name) {
			return ENode{t: n.t, n: c, kind: n.t.nodes[c].kind}
		}
	}
	return ENode{}
}

// Source locates the node: the segment's position (its index in the
// message counts UNH as 1, as CONTRL UCS01 does), element, repetition and
// component.
func (n ENode) Source() Source {
	if n.t == nil {
		return Source{}
	}
	s := Source{Format: FormatEDIFACT, Name: n.Name()}
	i := n.n
	switch n.kind {
	case KindDocument, KindRoot, KindLoop, KindAttribute:
		for i != none && n.t.nodes[i].kind != KindSegment {
			i = n.t.nodes[i].first
		}
		if i == none {
			return s
		}
	default:
		s.Element, s.Repetition, s.Component = int(n.el), int(n.rep), int(n.comp)
	}
	seg := n.t.segment(i)
	s.Line = seg.Pos.Line
	s.Segment = n.t.nodes[i].name
	s.SegmentIndex = int(n.t.nodes[i].seg) + 1
	return s
}

// EDIFACTSourceString renders an EDIFACT source for messages: "DTM01_02 in
// segment DTM (segment 3 of the message, line 5)".
func EDIFACTSourceString(s Source) string {
	var b strings.Builder
	if s.Name != "" && s.Name != s.Segment {
		fmt.Fprintf(&b, "%s in ", s.Name)
	}
	fmt.Fprintf(&b, "segment %s (segment %d of the message, line %d)", s.Segment, s.SegmentIndex, s.Line)
	return b.String()
}

// Handles: the mapping engine's int32 view. h >= 0 is a stored node; h <=
// -2 packs a leaf as the X12 tree does (see Handles), or indexes the
// tree's leaf table.

func (t *EDIFACTTree) handle(n ENode) int32 {
	switch n.kind {
	case KindInvalid:
		return NoHandle
	case KindDocument, KindRoot, KindLoop, KindSegment:
		return n.n
	}
	k := leafKey{n: n.n, kind: n.kind, el: n.el, rep: n.rep, comp: n.comp, attr: n.attr}
	if p, ok := packLeaf(k); ok {
		return p
	}
	t.leafMu.Lock()
	defer t.leafMu.Unlock()
	if t.leaves == nil {
		t.leaves = &leafTable{index: map[leafKey]int32{}}
	}
	i, ok := t.leaves.index[k]
	if !ok {
		if len(t.leaves.keys) > payloadMask {
			panic("doctree: too many leaf handles")
		}
		i = int32(len(t.leaves.keys))
		t.leaves.keys = append(t.leaves.keys, k)
		t.leaves.index[k] = i
	}
	return -int32(leafTagTable<<leafPayload|uint32(i)) - 2
}

// Node returns the node of handle x (the zero ENode for NoHandle).
func (t *EDIFACTTree) Node(x int32) ENode {
	if x >= 0 {
		return ENode{t: t, n: x, kind: t.nodes[x].kind}
	}
	if x == NoHandle {
		return ENode{}
	}
	c := uint32(-(x + 2))
	p := int32(c & payloadMask)
	switch c >> leafPayload {
	case leafTagElem:
		return ENode{t: t, n: p >> 7, kind: KindElement, el: p & (1<<7 - 1), rep: 1}
	case leafTagComp:
		return ENode{t: t, n: p >> 13, kind: KindComponent, el: p >> 6 & (1<<7 - 1), rep: 1, comp: p & (1<<6 - 1)}
	}
	t.leafMu.Lock()
	k := t.leaves.keys[p]
	t.leafMu.Unlock()
	return ENode{t: t, n: k.n, kind: k.kind, el: k.el, rep: k.rep, comp: k.comp, attr: k.attr}
}

// Root returns the handle of the root element (mapping.Tree).
func (t *EDIFACTTree) Root() int32 { return 1 }

// FirstChild returns the first child element of parent named name
// (mapping.Tree).
func (t *EDIFACTTree) FirstChild(parent int32, name string) int32 {
	return t.FirstChildName(parent, &Name{s: name})
}

// FirstChildName is FirstChild with a compiled name.
func (t *EDIFACTTree) FirstChildName(parent int32, name *Name) int32 {
	if parent >= 0 {
		nodes := t.nodes
		nd := &nodes[parent]
		// The stored nodes with children: KindDocument, KindRoot, KindLoop.
		if sym := name.sym; sym != 0 && nd.kind-KindDocument <= KindLoop-KindDocument {
			if nd.kids&(1<<(uint32(sym)&63)) == 0 {
				return NoHandle // see mayHave
			}
			for c := nd.first; c != none; {
				cn := &nodes[c]
				if cn.sym == sym {
					return c
				}
				if cn.sym == 0 {
					// A name without a symbol (rare): by text from
					// here, out of the loop, which then keeps its
					// registers.
					return t.nextNamedFrom(c, sym, name.s)
				}
				c = cn.next
			}
			return NoHandle
		}
	}
	return t.firstChildName(parent, name)
}

// nextNamedFrom returns c or the first sibling after it with name (whose
// symbol is sym), compared as sameName does.
func (t *EDIFACTTree) nextNamedFrom(c, sym int32, name string) int32 {
	for ; c != none; c = t.nodes[c].next {
		if cn := &t.nodes[c]; sameName(cn.sym, sym, cn.name, name) {
			return c
		}
	}
	return NoHandle
}

// firstChildName is FirstChildName for a name without a symbol or a
// parent that is not a stored group, root or document.
func (t *EDIFACTTree) firstChildName(parent int32, name *Name) int32 {
	if parent == NoHandle {
		return NoHandle
	}
	if parent >= 0 {
		switch nd := &t.nodes[parent]; nd.kind {
		case KindDocument, KindRoot, KindLoop:
			// No child's symbol can match: by text.
			for c := nd.first; c != none; c = t.nodes[c].next {
				if t.nodes[c].name == name.s {
					return c
				}
			}
			return NoHandle
		}
	}
	return t.handle(t.Node(parent).firstNamed(name))
}

// NextNamed returns the next sibling of x with the same name (mapping.Tree).
func (t *EDIFACTTree) NextNamed(x int32) int32 {
	if x >= 0 {
		nodes := t.nodes
		nd := &nodes[x]
		if !nd.later {
			return NoHandle // as for the document, which is nobody's sibling
		}
		sym := nd.sym
		if sym == 0 {
			return t.nextNamedFrom(nd.next, 0, nd.name)
		}
		for c := nd.next; c != none; {
			cn := &nodes[c]
			if cn.sym == sym {
				return c
			}
			if cn.sym == 0 {
				return t.nextNamedFrom(c, sym, nd.name)
			}
			c = cn.next
		}
		return NoHandle
	}
	if x == NoHandle {
		return NoHandle
	}
	return t.handle(t.Node(x).NextNamed())
}

// Text returns the string-value of x (mapping.Tree); do not keep or modify
// it.
func (t *EDIFACTTree) Text(x int32) []byte {
	if x >= 0 && t.nodes[x].kind == KindSegment {
		return t.segment(x).Raw()
	}
	return t.Node(x).Bytes()
}

// Navigator returns an XPath navigator on x (mapping.Tree).
func (t *EDIFACTTree) Navigator(x int32) xpath.NodeNavigator {
	return &EDIFACTNavigator{cur: t.Node(x)}
}

// NodeOf returns the handle of the node an EDIFACT navigator stands on
// (mapping.Tree).
func (t *EDIFACTTree) NodeOf(nav xpath.NodeNavigator) int32 {
	if en, ok := nav.(*EDIFACTNavigator); ok && en.cur.t == t {
		return t.handle(en.cur)
	}
	return NoHandle
}

// ChildText returns the text of parent's first child element named name
// (mapping.LeafTree).
func (t *EDIFACTTree) ChildText(parent int32, name string) ([]byte, bool) {
	return t.ChildTextName(parent, &Name{s: name})
}

// ChildTextName is ChildText with a compiled name.
func (t *EDIFACTTree) ChildTextName(parent int32, name *Name) ([]byte, bool) {
	if parent >= 0 && t.nodes[parent].kind == KindSegment {
		return t.SegElemText(parent, name.elemIn(t.nodes[parent].names))
	}
	c := t.Node(parent).firstNamed(name)
	if c.IsZero() {
		return nil, false
	}
	return c.Bytes(), true
}

// ChildEquals reports whether some child element of parent named name has
// text lit (mapping.LeafTree).
func (t *EDIFACTTree) ChildEquals(parent int32, name, lit string) bool {
	return t.ChildEqualsName(parent, &Name{s: name}, lit)
}

// ChildEqualsName is ChildEquals with a compiled name.
func (t *EDIFACTTree) ChildEqualsName(parent int32, name *Name, lit string) bool {
	if lit == "" {
		return false
	}
	if parent >= 0 && t.nodes[parent].kind == KindSegment {
		return t.SegElemEquals(parent, name.elemIn(t.nodes[parent].names), lit)
	}
	for c := t.Node(parent).firstNamed(name); !c.IsZero(); c = c.NextNamed() {
		if string(c.Bytes()) == lit {
			return true
		}
	}
	return false
}

// Locate returns the line of x's segment, the segment's 1-based position
// in the message (UNH = 1) and the element position (mapping.Locator).
func (t *EDIFACTTree) Locate(x int32) (line, segment, element int) {
	if x == NoHandle {
		return 0, 0, 0
	}
	s := t.Node(x).Source()
	return s.Line, s.SegmentIndex, s.Element
}

// Navigator returns a navigator on the root element (doctree.Document).
func (t *EDIFACTTree) RootNavigator() *EDIFACTNavigator {
	return &EDIFACTNavigator{cur: t.RootNode()}
}

// Format returns FormatEDIFACT.
func (t *EDIFACTTree) Format() Format { return FormatEDIFACT }

// EDIFACTNavigator implements xpath.NodeNavigator (and Navigator) over an
// EDIFACTTree.
type EDIFACTNavigator struct {
	cur ENode
}

var _ Navigator = (*EDIFACTNavigator)(nil)

// Current returns the navigator's node.
func (nav *EDIFACTNavigator) Current() ENode { return nav.cur }

// Source locates the current node.
func (nav *EDIFACTNavigator) Source() Source { return nav.cur.Source() }

// NodeType implements xpath.NodeNavigator.
func (nav *EDIFACTNavigator) NodeType() xpath.NodeType {
	switch nav.cur.kind {
	case KindDocument:
		return xpath.RootNode
	case KindText:
		return xpath.TextNode
	case KindAttribute:
		return xpath.AttributeNode
	}
	return xpath.ElementNode
}

// LocalName implements xpath.NodeNavigator.
func (nav *EDIFACTNavigator) LocalName() string { return nav.cur.Name() }

// Prefix implements xpath.NodeNavigator.
func (nav *EDIFACTNavigator) Prefix() string { return "" }

// Value implements xpath.NodeNavigator.
func (nav *EDIFACTNavigator) Value() string { return nav.cur.Value() }

// Copy implements xpath.NodeNavigator.
func (nav *EDIFACTNavigator) Copy() xpath.NodeNavigator {
	c := *nav
	return &c
}

// MoveToRoot implements xpath.NodeNavigator.
func (nav *EDIFACTNavigator) MoveToRoot() {
	nav.cur = ENode{t: nav.cur.t, n: 0, kind: KindDocument}
}

// MoveToParent implements xpath.NodeNavigator.
func (nav *EDIFACTNavigator) MoveToParent() bool { return nav.cur.toParent() }

// MoveToNextAttribute implements xpath.NodeNavigator.
func (nav *EDIFACTNavigator) MoveToNextAttribute() bool {
	c := &nav.cur
	switch c.kind {
	case KindAttribute:
		if int(c.attr)+1 >= len(edifactAttrs) {
			return false
		}
		c.attr++
		return true
	case KindRoot:
		c.kind, c.attr = KindAttribute, 0
		return true
	}
	return false
}

// MoveToChild implements xpath.NodeNavigator.
func (nav *EDIFACTNavigator) MoveToChild() bool {
	if nav.cur.kind == KindAttribute {
		return false
	}
	return nav.cur.toFirstChild()
}

// MoveToFirst implements xpath.NodeNavigator.
func (nav *EDIFACTNavigator) MoveToFirst() bool {
	if nav.cur.kind == KindAttribute {
		return false
	}
	p := nav.cur
	if !p.toPrev() {
		return false
	}
	for p.toPrev() {
	}
	nav.cur = p
	return true
}

// MoveToNext implements xpath.NodeNavigator.
func (nav *EDIFACTNavigator) MoveToNext() bool {
	if nav.cur.kind == KindAttribute {
		return false
	}
	return nav.cur.toNext()
}

// MoveToPrevious implements xpath.NodeNavigator.
func (nav *EDIFACTNavigator) MoveToPrevious() bool {
	if nav.cur.kind == KindAttribute {
		return false
	}
	return nav.cur.toPrev()
}

// MoveTo implements xpath.NodeNavigator.
func (nav *EDIFACTNavigator) MoveTo(other xpath.NodeNavigator) bool {
	o, ok := other.(*EDIFACTNavigator)
	if !ok || o.cur.t != nav.cur.t {
		return false
	}
	nav.cur = o.cur
	return true
}

// String returns the current node's value.
func (nav *EDIFACTNavigator) String() string { return nav.cur.Value() }

// FirstElem returns the first child element of parent, of any name
// (mapping.ElemTree: the * step).
func (t *EDIFACTTree) FirstElem(parent int32) int32 {
	if parent == NoHandle {
		return NoHandle
	}
	if parent >= 0 {
		switch nd := &t.nodes[parent]; nd.kind {
		case KindDocument, KindRoot, KindLoop:
			if nd.first == none {
				return NoHandle
			}
			return nd.first
		}
	}
	n := t.Node(parent)
	if !n.toFirstChild() || n.kind != KindElement && n.kind != KindComponent &&
		n.kind != KindSegment && n.kind != KindLoop && n.kind != KindRoot {
		return NoHandle
	}
	return t.handle(n)
}

// NextElem returns the next sibling element of x, of any name
// (mapping.ElemTree).
func (t *EDIFACTTree) NextElem(x int32) int32 {
	if x == NoHandle {
		return NoHandle
	}
	if x >= 0 {
		nd := &t.nodes[x]
		if nd.kind == KindDocument || nd.next == none {
			return NoHandle
		}
		return nd.next
	}
	n := t.Node(x)
	if n.kind != KindElement && n.kind != KindComponent || !n.toNext() {
		return NoHandle
	}
	return t.handle(n)
}

// ChildText2 returns the text of the first name2 child of a name1 child
// of parent (DTM01/DTM01_02), in document order, without handing out
// handles for the nodes in between (mapping.Leaf2Tree).
func (t *EDIFACTTree) ChildText2(parent int32, name1, name2 string) ([]byte, bool) {
	return t.ChildText2Name(parent, &Name{s: name1}, &Name{s: name2})
}

// ChildText2Name is ChildText2 with compiled names.
func (t *EDIFACTTree) ChildText2Name(parent int32, name1, name2 *Name) ([]byte, bool) {
	if parent >= 0 && t.nodes[parent].kind == KindSegment {
		el, c := t.elemComp(parent, name1, name2)
		return t.SegCompText(parent, el, c)
	}
	if parent >= 0 {
		// A group or the root (NAD/NAD01 from SG2): its name1 children
		// by symbol, each asked through the segment lookup above.
		for c := t.FirstChildName(parent, name1); c != NoHandle; c = t.NextNamed(c) {
			if d, ok := t.ChildTextName(c, name2); ok {
				return d, true
			}
		}
		return nil, false
	}
	for c := t.Node(parent).firstNamed(name1); !c.IsZero(); c = c.NextNamed() {
		if d := c.firstNamed(name2); !d.IsZero() {
			return d.Bytes(), true
		}
	}
	return nil, false
}

// ChildEquals2 reports whether some name2 child of a name1 child of parent
// has text lit (mapping.Leaf2Tree).
func (t *EDIFACTTree) ChildEquals2(parent int32, name1, name2, lit string) bool {
	return t.ChildEquals2Name(parent, &Name{s: name1}, &Name{s: name2}, lit)
}

// ChildEquals2Name is ChildEquals2 with compiled names.
func (t *EDIFACTTree) ChildEquals2Name(parent int32, name1, name2 *Name, lit string) bool {
	if lit == "" {
		return false
	}
	if parent >= 0 && t.nodes[parent].kind == KindSegment {
		el, c := t.elemComp(parent, name1, name2)
		return t.SegCompEquals(parent, el, c, lit)
	}
	if parent >= 0 {
		// A group or the root: as in ChildText2Name.
		for c := t.FirstChildName(parent, name1); c != NoHandle; c = t.NextNamed(c) {
			if t.ChildEqualsName(c, name2, lit) {
				return true
			}
		}
		return false
	}
	for c := t.Node(parent).firstNamed(name1); !c.IsZero(); c = c.NextNamed() {
		for d := c.firstNamed(name2); !d.IsZero(); d = d.NextNamed() {
			if string(d.Bytes()) == lit {
				return true
			}
		}
	}
	return false
}

// The lookups above answer element and component steps on a segment in
// one pass over the element's bytes, with what ENode's FirstNamed,
// NextNamed and Bytes would give: each of those re-scans the element from
// its start.

// segReps iterates over the non-empty repetitions of one element of a
// segment, in order (the element's nodes).
type segReps struct {
	rest     []byte
	rep, rel byte
	more     bool
}

// first starts r on element el of stored segment i and returns its first
// non-empty repetition.
func (r *segReps) first(t *EDIFACTTree, i int32, el int) ([]byte, bool) {
	seg := t.segment(i)
	d := seg.Delimiters()
	r.rest, r.rep, r.rel, r.more = seg.Element(el), d.Repetition, releaseOf(seg), true // see segComps.start
	return r.next()
}

// next returns the next non-empty repetition.
func (r *segReps) next() ([]byte, bool) {
	for r.more {
		var v []byte
		v, r.rest, r.more = cut(r.rest, r.rep, r.rel)
		if len(v) > 0 {
			return v, true
		}
	}
	return nil, false
}

// cut splits b at its first sep not preceded by the release character
// rel (0: none): the part before, the rest after, and whether there was a
// separator. A sep of 0 (no repetition separator) never splits.
func cut(b []byte, sep, rel byte) (part, rest []byte, more bool) {
	if sep == 0 {
		return b, nil, false
	}
	// Elements and components are a few bytes: a plain loop beats
	// bytes.IndexByte's setup.
	if rel == 0 {
		for i := 0; i < len(b); i++ {
			if b[i] == sep {
				return b[:i], b[i+1:], true
			}
		}
		return b, nil, false
	}
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case rel:
			i++
		case sep:
			return b[:i], b[i+1:], true
		}
	}
	return b, nil, false
}

// elemText is ENode.Bytes of repetition v of element el of segment i: a
// composite's raw text, a simple element's unescaped text.
func (t *EDIFACTTree) elemText(i int32, el int, v []byte) []byte {
	if t.composite(i, el, v) {
		return v
	}
	return t.segment(i).Unescape(v)
}

// segComps iterates over component c of element el of a stored segment:
// for each non-empty repetition that is a composite and has a non-empty
// component c, that component, unescaped (the name2 nodes of
// name1/name2, DTM01/DTM01_02, in document order). The segment, its
// delimiters and whether the directory makes the element a composite are
// looked up once for all repetitions.
type segComps struct {
	seg           *edifact.Segment
	rest          []byte
	c             int
	rep, sep, rel byte
	release       byte // the release character, for hasUnreleased
	more          bool
	// composite: 1 by the directory, 0 not (no components), -1 decided
	// per repetition by its bytes (no directory entry).
	composite int8
}

func (r *segComps) start(t *EDIFACTTree, i int32, el, c int) {
	nd := &t.nodes[i]
	seg := &t.msg.Segments[nd.seg]
	d := seg.Delimiters()
	// Field by field: a composite literal is built on the stack and
	// copied, and that copy stalled on the stores just made.
	r.seg, r.rest, r.c, r.more = seg, seg.Element(el), c, true
	r.rep, r.sep, r.rel, r.release = d.Repetition, d.Component, releaseOf(seg), d.Release
	r.composite = compositeByDef(nd.def, el)
	if r.composite == 0 {
		r.more = false
	}
}

// compositeByDef says whether the directory entry def makes element el a
// composite: 1 yes, 0 no (a simple element: no components), -1 unknown
// (no entry: decided by each repetition's bytes).
func compositeByDef(def *espec.Segment, el int) int8 {
	if def != nil && el >= 1 && el <= len(def.Elements) {
		switch {
		case def.Elements[el-1].Composite != nil:
			return 1
		case def.Elements[el-1].Element != nil:
			return 0
		}
	}
	return -1
}

// next returns the next such component; false when there are no more.
func (r *segComps) next() ([]byte, bool) {
	for r.more {
		var v []byte
		v, r.rest, r.more = cut(r.rest, r.rep, r.rel)
		if len(v) == 0 || r.composite < 0 && !hasUnreleased(v, r.sep, r.release) {
			continue
		}
		for k := 1; ; k++ {
			part, rest, more := cut(v, r.sep, r.rel)
			if k == r.c {
				if len(part) > 0 {
					return r.seg.Unescape(part), true
				}
				break
			}
			if !more {
				break
			}
			v = rest
		}
	}
	return nil, false
}

// elemComp resolves name1/name2 on stored segment i to an element and a
// component position (c is 0 when the pair names nothing there).
func (t *EDIFACTTree) elemComp(i int32, name1, name2 *Name) (el, c int) {
	tn := t.nodes[i].names
	if sym := tn.sym; sym != 0 && name1.bySym && name2.bySym {
		// elemIn and compIn by symbol, without two calls.
		for k := range name1.nElems {
			if sp := &name1.elems[k]; sp.tag == sym {
				el = int(sp.el)
				break
			}
		}
		if el == 0 {
			return 0, 0
		}
		for k := range name2.nComps {
			if sp := &name2.comps[k]; sp.tag == sym && int(sp.el) == el {
				return el, int(sp.comp)
			}
		}
		return el, 0
	}
	el = name1.elemIn(tn)
	if el == 0 {
		return 0, 0
	}
	return el, name2.compIn(tn, el)
}

// NthElemText returns the text of parent's nth child element of any name
// (n >= 1, in document order), and whether there is one: the * step with
// a position, as in PIA/*[*[2]='SA']/*[1], answered in one pass over a
// segment's or an element's bytes without a handle for each child
// (mapping.NthElemTree). The text is what Text would return for that
// child's handle.
func (t *EDIFACTTree) NthElemText(parent int32, n int) ([]byte, bool) {
	if parent == NoHandle || n < 1 {
		return nil, false
	}
	if parent >= 0 && t.nodes[parent].kind == KindSegment {
		seg := t.segment(parent)
		d, rel := seg.Delimiters(), releaseOf(seg)
		for el := 1; el <= seg.Len(); el++ {
			rest, more := seg.Element(el), true
			for more {
				var v []byte
				v, rest, more = cut(rest, d.Repetition, rel)
				if len(v) == 0 {
					continue // empty repetitions have no node
				}
				if n--; n == 0 {
					return t.elemText(parent, el, v), true
				}
			}
		}
		return nil, false
	}
	if nd := t.Node(parent); nd.kind == KindElement {
		seg := t.segment(nd.n)
		v := seg.Repetition(int(nd.el), int(nd.rep))
		if !t.composite(nd.n, int(nd.el), v) {
			return nil, false // a simple element's only child is its text
		}
		return nthComp(seg, v, n)
	}
	// Groups, the root and anything else: the children one by one.
	c := t.FirstElem(parent)
	for ; c != NoHandle && n > 1; n-- {
		c = t.NextElem(c)
	}
	if c == NoHandle {
		return nil, false
	}
	return t.Text(c), true
}
