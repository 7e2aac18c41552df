package doctree

import "github.com/b2bgw/b2bgw/internal/x12/spec"

// Shape is a transaction set's loop structure prepared for building trees:
// loop element names, segment names and the segments that begin loops,
// resolved once so that building a tree does no map work and no string
// building. A Shape is read-only and safe for concurrent use; compile one
// per spec (the mapping engine does so when it loads a mapping) and use it
// for every set of that kind.
type Shape struct {
	ts     *spec.TransactionSet
	root   shapeLoop
	begins map[string]bool // tags that begin some loop: bounds the number of loop nodes
	// beginKeys holds the tagKey of the short tags in begins.
	beginKeys []uint32
}

// tagKey packs a tag of 1 to 3 bytes (every X12 tag) into an integer that
// is equal for equal tags and never 0; longer or empty tags give 0 and
// are compared as strings.
func tagKey[T string | []byte](tag T) uint32 {
	switch len(tag) {
	case 1:
		return 1<<24 | uint32(tag[0])
	case 2:
		return 2<<24 | uint32(tag[0])<<8 | uint32(tag[1])
	case 3:
		return 3<<24 | uint32(tag[0])<<16 | uint32(tag[1])<<8 | uint32(tag[2])
	}
	return 0
}

// beginsLoop reports whether tag (with key k = tagKey(tag)) begins a loop.
func (s *Shape) beginsLoop(tag []byte, k uint32) bool {
	if k == 0 {
		return s.begins[string(tag)]
	}
	for _, b := range s.beginKeys {
		if b == k {
			return true
		}
	}
	return false
}

// shapeLoop is a loop of the spec, or the set's top level (id "").
type shapeLoop struct {
	id    string // "N1"
	name  string // the tree element name, "N1Loop"
	sym   int32  // symbol of name
	nodes []shapeNode
	// keys[k] is nodes[k].key: the set's walk scans these, 4 bytes a
	// node, to find where a tag goes.
	keys []uint32
	// tail has keyBit of every node after the first: a set's walk skips
	// a loop whose rest cannot match a tag (the next PO1 is looked for in
	// the PO1 loop's ~40 other segments before the top level) at once.
	tail uint64
}

// keyBit is a tag key's bit in a shapeLoop's tail mask; key 0 (a tag
// compared as a string) has every bit.
func keyBit(key uint32) uint64 {
	if key == 0 {
		return ^uint64(0)
	}
	return 1 << (key * 0x9E3779B1 >> 26)
}

// shapeNode is a segment or a loop in a loop's body. For a loop, tag is its
// beginning segment and loop is set.
type shapeNode struct {
	tag   string
	key   uint32 // tagKey(tag): FromSet compares tags as integers
	def   *spec.Segment
	names *tagNames
	loop  *shapeLoop
}

// LoopSuffix is appended to a spec loop id to name its tree element
// ("N1" -> "N1Loop").
const LoopSuffix = "Loop"

// hlLoopID is the loop nested by HL02 rather than by segment order.
const hlLoopID = "HL"

// Compile prepares a transaction set's structure for FromSet. A nil ts
// gives a nil Shape, which FromSet takes to mean "no spec": a flat tree.
func Compile(ts *spec.TransactionSet) *Shape {
	if ts == nil {
		return nil
	}
	s := &Shape{ts: ts, begins: map[string]bool{}}
	s.buildLoop(&s.root, ts.Structure)
	return s
}

// Spec returns the transaction set the shape was compiled from.
func (s *Shape) Spec() *spec.TransactionSet { return s.ts }

func (s *Shape) buildLoop(l *shapeLoop, body []spec.Node) {
	l.nodes = make([]shapeNode, len(body))
	for i := range body {
		n := &body[i]
		sn := &l.nodes[i]
		if !n.IsLoop() {
			sn.tag, sn.def = n.Segment, n.Def
			sn.key = tagKey(sn.tag)
			sn.names = specNames(n.Segment, n.Def)
			continue
		}
		sub := &shapeLoop{id: n.Loop, name: n.Loop + LoopSuffix}
		sub.sym = intern(sub.name)
		s.buildLoop(sub, n.Body)
		sn.loop = sub
		// A loop is entered on its beginning segment, the first of its
		// body. A loop whose body starts with another loop is a spec
		// defect (the spec loader rejects it); with no tag it is never
		// entered, and its segments stay where they are found.
		if len(sub.nodes) > 0 && sub.nodes[0].loop == nil {
			sn.tag, sn.def, sn.names = sub.nodes[0].tag, sub.nodes[0].def, sub.nodes[0].names
			sn.key = sub.nodes[0].key
			if !s.begins[sn.tag] && sn.key != 0 {
				s.beginKeys = append(s.beginKeys, sn.key)
			}
			s.begins[sn.tag] = true
		}
	}
	l.keys = make([]uint32, len(l.nodes))
	for i := range l.nodes {
		l.keys[i] = l.nodes[i].key
		if i > 0 {
			l.tail |= keyBit(l.nodes[i].key)
		}
	}
}

func specNames(tag string, def *spec.Segment) *tagNames {
	n := 0
	if def != nil {
		n = len(def.Elements)
	}
	return namesFor([]byte(tag), n)
}
