package edifact

import "github.com/b2bgw/b2bgw/internal/edifact/spec"

// Placement records where a validation placed each segment of a message
// in its spec's segment-group structure: the open node list the segment
// matched in (its depth, 0 for the message's top level) and the node of
// that list it matched (a segment, or a group whose trigger it is, which
// opens a new occurrence), or nowhere. The tree of the mapping engine
// needs the same walk (doctree.ReuseMessagePlaced); taking it from here
// spares doing it twice.
//
// A Placement is scratch memory for one goroutine: ValidatePlaced fills
// it for one message, and later calls overwrite it.
type Placement struct {
	m     *Message
	pos   Position // the message's, so a *Message refilled by the decoder does not match
	n     int      // len(m.Segments)
	ms    *spec.Message
	steps []uint32 // per segment: depth<<stepDepthShift | node index, or unplaced
}

const (
	stepDepthShift = 24
	stepNodeMask   = 1<<stepDepthShift - 1
	maxStepDepth   = 1<<(32-stepDepthShift) - 2 // the all-ones depth is unplaced's
	unplaced       = ^uint32(0)
)

// For reports whether p holds the placement of every segment of m against
// the structure of ms, as the last ValidatePlaced of m into p found it.
// It does not when that validation had no spec or another one, skipped a
// segment (one the decoder reported, or a tag element outside the
// repertoire: the walk does not look at those), had a structure deeper
// or longer than a step holds (no directory's is), or when m was given
// back to the decoder and refilled since.
func (p *Placement) For(m *Message, ms *spec.Message) bool {
	return p != nil && p.m == m && m != nil && p.ms == ms && ms != nil &&
		p.pos == m.Pos && p.n == len(m.Segments) && len(p.steps) == p.n
}

// Step returns where segment i (0-based, in m.Segments) was placed: the
// depth of the open node list it matched in (0 is the message's top
// level; a group entered at depth d is depth d+1 until a segment matches
// at depth d or less) and the index of the node in that list
// (spec.Message.Structure, or a group node's Body); ok is false when it
// matched nowhere, which leaves the open groups as they were. Only after
// For said yes.
func (p *Placement) Step(i int) (depth, node int, ok bool) {
	s := p.steps[i]
	return int(s >> stepDepthShift), int(s & stepNodeMask), s != unplaced
}

// forget makes p hold no placement.
func (p *Placement) forget() {
	p.m, p.ms, p.steps = nil, nil, p.steps[:0]
}
