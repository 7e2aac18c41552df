package edifact

import (
	"cmp"
	"fmt"
	"slices"
	"sync"

	"github.com/b2bgw/b2bgw/internal/edifact/spec"
)

// SpecSource finds a message's structure by directory ("D96A") and type
// ("ORDERS"). *spec.Registry satisfies it. A Validator compiles each
// *spec.Message it is given once and keeps it, so a source should return
// the same pointer for the same message, as the Registry does.
type SpecSource interface {
	Message(directory, typ string) (*spec.Message, bool)
}

// ValidatorOption configures a Validator.
type ValidatorOption func(*Validator)

// WithOverlay applies a trading partner's overlay (code lists, status,
// lengths, repeats, strictness) on top of the directory. The overlay is
// compiled into the validator's tables on first use: do not change it
// afterwards; build a new Validator for a changed overlay.
func WithOverlay(o *spec.Overlay) ValidatorOption { return func(v *Validator) { v.overlay = o } }

// Validator checks messages against their directory specifications and
// produces findings ready for a CONTRL (UCM, UCS, UCD). It is safe for
// concurrent use: specs are compiled to index tables on first use and
// cached, and the per-message working memory is pooled.
type Validator struct {
	src     SpecSource
	overlay *spec.Overlay
	cache   sync.Map // *spec.Message -> *compiledMessage
	pool    sync.Pool
}

// NewValidator returns a Validator over the specifications of src.
func NewValidator(src SpecSource, opts ...ValidatorOption) *Validator {
	v := &Validator{src: src}
	for _, o := range opts {
		o(v)
	}
	v.pool.New = func() any { return new(walker) }
	return v
}

func (v *Validator) compiled(ms *spec.Message) *compiledMessage {
	if c, ok := v.cache.Load(ms); ok {
		return c.(*compiledMessage)
	}
	c, _ := v.cache.LoadOrStore(ms, compileMessage(ms, v.overlay))
	return c.(*compiledMessage)
}

// Validate checks one message in a single pass over its segments: the
// structure (segment order, segment groups, status M/C, repeats) and every
// data element (presence, constituents, repetitions, format a/n/an and
// length, decimal mark, code lists). Envelope findings already on the
// message are merged in, so the result is the whole story.
//
// Status is Rejected when anything is an error, AcceptedWithErrors when the
// only errors are ones the partner overlay accepts with a note, Accepted
// otherwise; warnings never change it.
func (v *Validator) Validate(m *Message) *MessageResult { return v.ValidatePlaced(m, nil) }

// ValidatePlaced is Validate that also records in p (when not nil) where
// the walk placed each segment of m in the segment groups of its spec, for
// doctree.ReuseMessagePlaced to build the message's tree without walking
// the spec again. p.For(m, ms) afterwards says whether it holds them all.
func (v *Validator) ValidatePlaced(m *Message, p *Placement) *MessageResult {
	if p != nil {
		p.forget()
	}
	r := m.result()
	r.Problems = append(r.Problems, m.Problems...)
	w := v.pool.Get().(*walker)
	c := v.lookup(w, m)
	// The repertoire check the decoder left to us (WithDeferredRepertoire)
	// is done by the walk for the segments it finds clean, which read
	// every byte anyway (see walker.clean), and for UNH and UNT; the
	// others are checked after it, and a message whose segments the walk
	// all found in the repertoire (nearly every one) skips that pass.
	// UTF-8 repertoires also need whole sequences: checked apart.
	chars := m.chars
	if chars == nil || c == nil || chars.rep.UTF8 {
		m.CheckRepertoire()
		chars = nil
	}
	m.chars = nil
	if c == nil {
		v.pool.Put(w)
		r.Problems = append(r.Problems, Problem{Code: CodeNoAgreement, Segment: "UNH", Element: 2, Component: 1, Pos: m.Pos,
			Message: fmt.Sprintf("no specification for %s %s:%s:%s; the message cannot be checked", m.Type, m.Version, m.Release, m.Agency)})
		r.Segments = append(r.Segments, m.SegmentErrors...)
		r.Status = Rejected
		return r
	}
	w.reset(c, m, r, chars)
	if p != nil && c.stepsFit {
		n := len(m.Segments)
		w.steps, w.placing = slices.Grow(p.steps[:0], n)[:n], true
	}
	w.run()
	if w.placing {
		p.steps = w.steps
		if w.placedAll {
			p.m, p.pos, p.n, p.ms = m, m.Pos, len(m.Segments), c.ms
		}
	}
	if chars != nil && w.charsN < len(m.Segments) {
		m.addRepertoireFindings(chars, w.charsOK)
	}
	hard, noted := w.hard, w.noted
	w.release()
	v.pool.Put(w)
	r.Segments = append(r.Segments, m.SegmentErrors...)
	// The decoder's findings and ours interleave by position; a stable
	// sort keeps a missing segment ahead of the finding on the segment
	// that revealed it. (The walk's own findings come in position order.)
	if !slices.IsSortedFunc(r.Segments, bySegPosition) {
		slices.SortStableFunc(r.Segments, bySegPosition)
	}
	switch {
	case hard > 0 || hasError(r.Problems) || decoderErrors(m):
		r.Status = Rejected
	case noted > 0:
		r.Status = AcceptedWithErrors
	default:
		r.Status = Accepted
	}
	return r
}

// lookup returns the compiled specification of m's message type, nil
// when the source has none. Consecutive messages are mostly of one type:
// the walker remembers the last one found (its strings come from the
// decoder, which reuses them, so the comparison is cheap).
func (v *Validator) lookup(w *walker, m *Message) *compiledMessage {
	k := &w.last
	if k.c != nil && m.Type == k.typ && m.Version == k.version && m.Release == k.release {
		return k.c
	}
	if v.src == nil {
		return nil
	}
	ms, ok := v.src.Message(messageDirectory(m), m.Type)
	if !ok || ms == nil {
		return nil
	}
	c := v.compiled(ms)
	*k = lastSpec{typ: m.Type, version: m.Version, release: m.Release, c: c}
	return c
}

func bySegPosition(a, b SegmentError) int { return cmp.Compare(a.Position, b.Position) }

func decoderErrors(m *Message) bool {
	for i := range m.SegmentErrors {
		if m.SegmentErrors[i].HasErrors() {
			return true
		}
	}
	return false
}

// messageDirectory names the directory that defines a message: the UN
// directory of UNH S009 ("D96A"), except for CONTRL, which ISO 9735 defines
// per syntax version and identifies as CONTRL:D:3:UN (syntax 3) or
// CONTRL:4:1:UN (syntax 4) — those live in the service directories S3/S4.
func messageDirectory(m *Message) string {
	if m.Type == "CONTRL" {
		switch {
		case m.Version == "D" && m.Release == "3", m.Version == "3":
			return spec.SyntaxID(3)
		case m.Version == "4":
			return spec.SyntaxID(4)
		}
	}
	return spec.DirectoryID(m.Version, m.Release)
}
