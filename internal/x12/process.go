package x12

import (
	"errors"
	"io"
)

// ValidateFunc validates one set (Validator.Validate fits).
type ValidateFunc func(*Set) *SetResult

// Process decodes every interchange of an input, validates each set with
// validate, and calls done with each interchange's result when the
// interchange ends (its trailer problems are known by then). Sets are
// validated as they arrive, so memory holds one set plus the small results.
//
// It returns nil at the end of the input, the decoder's fatal error (after
// done was called for the interchange it broke off), or done's error.
func Process(d *Decoder, validate ValidateFunc, done func(*InterchangeResult) error) error {
	var cur *InterchangeResult
	var grp *GroupResult
	for {
		ev, err := d.Next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		switch ev.Kind {
		case EventInterchangeStart:
			cur = &InterchangeResult{Interchange: ev.Interchange}
		case EventGroupStart:
			grp = &GroupResult{Group: ev.Group}
			cur.Groups = append(cur.Groups, grp)
		case EventSet:
			r := validate(ev.Set)
			if ev.Group == nil {
				// A set outside any group still gets a result (it is
				// rejected with AK502 18); it is kept under a nil group.
				cur.Groups = append(cur.Groups, &GroupResult{Sets: []*SetResult{r}})
				continue
			}
			grp.Sets = append(grp.Sets, r)
		case EventGroupEnd:
			grp = nil
		case EventInterchangeEnd:
			if err := done(cur); err != nil {
				return err
			}
			cur = nil
		}
	}
}

// EnvelopeOnly is a ValidateFunc that reports only what the decoder found
// (counts, control numbers, bad tags), for sets without a spec.
func EnvelopeOnly(s *Set) *SetResult {
	r := &SetResult{ID: s.ID, Control: s.Control, ImplementationRef: s.ImplementationRef, Pos: s.Pos, Status: Accepted}
	for _, p := range s.Problems {
		r.Codes = append(r.Codes, p.Code)
	}
	r.Segments = append(r.Segments, s.SegmentErrors...)
	if len(r.Segments) > 0 && len(r.Codes) == 0 {
		r.Codes = append(r.Codes, SetSegmentsInError)
	}
	if len(r.Codes) > 0 {
		r.Status = Rejected
	}
	return r
}
