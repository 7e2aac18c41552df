package x12

import "github.com/b2bgw/b2bgw/internal/x12/spec"

// Placement records where a validation placed each segment of a set in
// its spec's loop structure: the open loop the segment matched in (its
// depth, 0 for the set's top level) and the node of that loop's body it
// matched (a segment, or a loop whose beginning segment it is, which opens
// a new iteration). The tree of the mapping engine needs the same walk
// (doctree.ReusePlaced); taking it from here spares doing it twice.
//
// A Placement is scratch memory for one goroutine: ValidatePlaced fills
// it for one set, and later calls overwrite it.
type Placement struct {
	set   *Set
	pos   Position // the set's, so a *Set refilled by the decoder does not match
	n     int      // len(set.Segments)
	ts    *spec.TransactionSet
	steps []uint32 // per segment: depth<<stepDepthShift | node index
}

const (
	stepDepthShift = 24
	stepNodeMask   = 1<<stepDepthShift - 1
	maxStepDepth   = 1<<(32-stepDepthShift) - 1
)

// For reports whether p holds the placement of every segment of s against
// the structure of ts, as the last ValidatePlaced of s into p found it. It
// does not when that validation placed some segment nowhere (such a set
// is rejected), had no spec or another one, or when s was given back to
// the decoder and refilled since.
func (p *Placement) For(s *Set, ts *spec.TransactionSet) bool {
	return p != nil && p.set == s && s != nil && p.ts == ts && ts != nil &&
		p.pos == s.Pos && p.n == len(s.Segments) && len(p.steps) == p.n
}

// Step returns where segment i (0-based, in s.Segments) was placed: the
// depth of the open loop it matched in (0 is the set's top level; a loop
// opened at depth d is depth d+1 until a segment matches at depth d or
// less) and the index of the node in that loop's body (ts.Structure, or a
// loop node's Body). Only after For said yes.
func (p *Placement) Step(i int) (depth, node int) {
	s := p.steps[i]
	return int(s >> stepDepthShift), int(s & stepNodeMask)
}

// forget makes p hold no placement.
func (p *Placement) forget() {
	p.set, p.ts, p.steps = nil, nil, p.steps[:0]
}
