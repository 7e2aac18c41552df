package edifact

import (
	"bytes"
	"errors"
	"io"
)

// Detect reports whether b (the start of an input, a few bytes suffice)
// looks like EDIFACT: "UNA" and six service characters, or "UNB" and a
// data element separator, after an optional UTF-8 byte-order mark and
// white space. X12 starts with "ISA" and is never detected here.
func Detect(b []byte) bool {
	b = bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF"))
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) < 4 || b[0] != 'U' || b[1] != 'N' {
		return false
	}
	switch b[2] {
	case 'A':
		return !isAlnum(b[3]) && b[3] != ' '
	case 'B':
		return !isAlnum(b[3]) && b[3] != ' '
	}
	return false
}

// ValidateFunc validates one message (Validator.Validate fits).
type ValidateFunc func(*Message) *MessageResult

// EnvelopeOnly is a ValidateFunc that reports only what the decoder found
// (counts, references, bad tags, characters outside the repertoire), for
// messages without a directory specification.
func EnvelopeOnly(m *Message) *MessageResult {
	r := m.result()
	r.Problems = append(r.Problems, m.Problems...)
	r.Segments = append(r.Segments, m.SegmentErrors...)
	r.Status = statusOf(r, 0)
	return r
}

// statusOf derives a message's status from its findings; noted counts the
// errors an overlay accepts with a note.
func statusOf(r *MessageResult, noted int) Status {
	if hasError(r.Problems) {
		return Rejected
	}
	for i := range r.Segments {
		if r.Segments[i].HasErrors() {
			return Rejected
		}
	}
	if noted > 0 {
		return AcceptedWithErrors
	}
	return Accepted
}

// Process decodes every interchange of an input, validates each message
// with validate, and calls done with each interchange's result when the
// interchange ends (its trailer problems are known by then). Messages are
// validated as they arrive, so memory holds one message plus the small
// results.
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
		case EventMessage:
			r := validate(ev.Message)
			if ev.Group != nil && grp != nil {
				grp.Messages = append(grp.Messages, r)
			} else {
				cur.Messages = append(cur.Messages, r)
			}
		case EventGroupEnd:
			grp = nil
		case EventInterchangeEnd:
			c := cur
			cur = nil
			if err := done(c); err != nil {
				return err
			}
		}
	}
}
