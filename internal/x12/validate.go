package x12

import (
	"fmt"
	"sort"
	"sync"

	"github.com/b2bgw/b2bgw/internal/x12/spec"
)

// SpecSource finds the specification of a transaction set by version
// ("004010", the first six characters of GS08) and set id ("850").
// *spec.Registry satisfies it.
type SpecSource interface {
	Set(version, id string) (*spec.TransactionSet, bool)
}

// ValidatorOption configures a Validator.
type ValidatorOption func(*Validator)

// WithOverlay applies a trading partner's overlay (code lists, usage,
// lengths, repeats, strictness) on top of the standard. The overlay is
// compiled into the validator's tables on first use: do not change it
// afterwards; build a new Validator for a changed overlay.
func WithOverlay(o *Overlay) ValidatorOption { return func(v *Validator) { v.overlay = o } }

// Validator checks transaction sets against their specifications and
// produces the findings an acknowledgment needs. It is safe for concurrent
// use: specs are compiled to index tables on first use and cached, and the
// per-set working memory is pooled.
type Validator struct {
	src     SpecSource
	overlay *Overlay
	cache   sync.Map // *spec.TransactionSet -> *compiledSet
	pool    sync.Pool
	full    bool // no fast paths (tests)
}

// NewValidator returns a Validator over the specifications of reg.
func NewValidator(reg SpecSource, opts ...ValidatorOption) *Validator {
	v := &Validator{src: reg}
	for _, o := range opts {
		o(v)
	}
	v.pool.New = func() any { return new(walker) }
	return v
}

func (v *Validator) compiled(ts *spec.TransactionSet) *compiledSet {
	if c, ok := v.cache.Load(ts); ok {
		return c.(*compiledSet)
	}
	c, _ := v.cache.LoadOrStore(ts, compile(ts, v.overlay))
	return c.(*compiledSet)
}

// Validate checks one transaction set in a single pass over its segments
// and returns what an acknowledgment needs: status, AK502 codes and the
// AK3/AK4 detail. Envelope findings already on the set (s.Problems,
// s.SegmentErrors) are merged in, so the result is the whole story.
//
// Status is R when anything is an error, E when the only errors are ones
// the partner overlay accepts with a note (mode note), A otherwise;
// warnings never change it.
func (v *Validator) Validate(s *Set) *SetResult { return v.ValidatePlaced(s, nil) }

// ValidatePlaced is Validate that also records in p (when not nil) where
// the walk placed each segment of s in the loops of its spec, for
// doctree.ReusePlaced to build the set's tree without walking the spec
// again. p.For(s, ts) afterwards says whether every segment was placed.
func (v *Validator) ValidatePlaced(s *Set, p *Placement) *SetResult {
	if p != nil {
		p.forget()
	}
	r := &SetResult{ID: s.ID, Control: s.Control, ImplementationRef: s.ImplementationRef, Pos: s.Pos}
	hard, noted := 0, 0
	for _, p := range s.Problems {
		r.addCode(p.Code)
		hard++
	}
	var ts *spec.TransactionSet
	ok := false
	if v.src != nil {
		ts, ok = v.src.Set(s.Version(), s.ID)
	}
	if !ok || ts == nil {
		// Nothing to check the body against: the standard's answer is
		// AK502 1 and a rejection, whatever else is right or wrong.
		r.addCode(SetNotSupported)
		r.Segments = append(r.Segments, s.SegmentErrors...)
		r.Status = Rejected
		return r
	}
	cs := v.compiled(ts)
	w := v.pool.Get().(*walker)
	w.reset(cs, s, r)
	w.full = v.full
	if p != nil && cs.mirrors {
		// The walk's loop nodes are those of ts.Structure, index for index.
		w.steps, w.placing = p.steps[:0], true
	}
	w.run()
	if w.placing {
		p.steps = w.steps
		if w.placedAll {
			p.set, p.pos, p.n, p.ts = s, s.Pos, len(s.Segments), ts
		}
	}
	hard += w.hard
	noted += w.noted
	w.release()
	v.pool.Put(w)

	if len(s.SegmentErrors) > 0 {
		for i := range s.SegmentErrors {
			if s.SegmentErrors[i].HasErrors() {
				hard++
			}
		}
		r.Segments = append(r.Segments, s.SegmentErrors...)
		// The decoder's findings and ours interleave by position in the
		// set; the ack lists AK3s in set order. Stable keeps a missing
		// segment ahead of the finding on the segment that revealed it.
		sort.SliceStable(r.Segments, func(i, j int) bool { return r.Segments[i].Position < r.Segments[j].Position })
	}
	for i := range r.Segments {
		if r.Segments[i].HasErrors() {
			r.addCode(SetSegmentsInError)
			break
		}
	}
	switch {
	case hard > 0:
		r.Status = Rejected
	case noted > 0:
		r.Status = AcceptedWithErrors
	default:
		r.Status = Accepted
	}
	return r
}

func (r *SetResult) addCode(c SetErrorCode) {
	for _, x := range r.Codes {
		if x == c {
			return
		}
	}
	r.Codes = append(r.Codes, c)
}

// severity maps an overlay mode to a finding's severity and whether the
// finding rejects (hard), is accepted with a note, or is a warning.
func severity(m OverlayMode) Severity {
	if m == ModeWarn {
		return SevWarning
	}
	return SevError
}

func (w *walker) tally(m OverlayMode) {
	switch m {
	case ModeWarn:
	case ModeNote:
		w.noted++
	default:
		w.hard++
	}
}

// describeSeg names a segment for messages: "BEG (Beginning Segment for
// Purchase Order)".
func describeSeg(tag string, def *cSeg) string {
	if def != nil && def.name != "" {
		return fmt.Sprintf("%s (%s)", tag, def.name)
	}
	return tag
}
