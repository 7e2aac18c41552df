package x12

import (
	"errors"
	"fmt"
	"strconv"
)

// ErrBadAck is wrapped by the SyntaxErrors of ReadAck and ReadTA1: the
// segments are not a well-formed 997, 999 or TA1.
var ErrBadAck = errors.New("malformed acknowledgment")

// AckReport is what a partner's 997 or 999 says about one of our
// functional groups: enough to reconcile the group and each set we sent.
type AckReport struct {
	Type         AckType        `json:"type"`              // Ack997 or Ack999 (from ST01, or from the IK segments)
	Control      string         `json:"control,omitempty"` // ST02 of the acknowledgment itself
	FunctionalID string         `json:"functional_id"`     // AK101: GS01 of our group
	GroupControl string         `json:"group_control"`     // AK102: GS06 of our group
	Version      string         `json:"version,omitempty"` // AK103: GS08 of our group (005010)
	Sets         []AckSetReport `json:"sets,omitempty"`

	Status   AckCode          `json:"status"`          // AK901
	Included int              `json:"included"`        // AK902: sets our GE01 declared
	Received int              `json:"received"`        // AK903: sets the partner received
	Accepted int              `json:"accepted"`        // AK904: sets the partner accepted
	Codes    []GroupErrorCode `json:"codes,omitempty"` // AK905..AK909
}

// AckSetReport is the partner's response to one of our transaction sets.
type AckSetReport struct {
	ID                string         `json:"id"`                           // AK201
	Control           string         `json:"control"`                      // AK202: ST02 of our set
	ImplementationRef string         `json:"implementation_ref,omitempty"` // AK203
	Status            AckCode        `json:"status"`                       // AK501 / IK501
	Codes             []SetErrorCode `json:"codes,omitempty"`              // AK502..AK506 / IK502..IK506
	Segments          []SegmentError `json:"segments,omitempty"`           // AK3/AK4 or IK3/IK4
}

// Set returns the response for the set with ST02 control, or nil.
func (r *AckReport) Set(control string) *AckSetReport {
	for i := range r.Sets {
		if r.Sets[i].Control == control {
			return &r.Sets[i]
		}
	}
	return nil
}

// TA1Report is what a partner's TA1 says about one of our interchanges.
type TA1Report struct {
	Control string              `json:"control"` // TA101: our ISA13
	Date    string              `json:"date"`    // TA102: our ISA09
	Time    string              `json:"time"`    // TA103: our ISA10
	Status  AckCode             `json:"status"`  // TA104: A, E or R
	Note    InterchangeNoteCode `json:"note"`    // TA105
}

// ReadTA1 reads a TA1 segment.
func ReadTA1(seg *Segment) (*TA1Report, error) {
	if !seg.Is("TA1") {
		return nil, ackErr(seg, 0, "expected a TA1 segment, found "+seg.ID())
	}
	r := &TA1Report{Control: seg.String(1), Date: seg.String(2), Time: seg.String(3),
		Status: AckCode(seg.String(4)), Note: InterchangeNoteCode(seg.String(5))}
	if r.Control == "" {
		return nil, ackErr(seg, 1, "TA101 (interchange control number) is missing")
	}
	switch r.Status {
	case Accepted, AcceptedWithErrors, Rejected:
	default:
		return nil, ackErr(seg, 4, fmt.Sprintf("TA104 is %q; want A, E or R", r.Status))
	}
	if len(r.Note) != 3 || !isDigits(string(r.Note)) {
		return nil, ackErr(seg, 5, fmt.Sprintf("TA105 is %q; want a 3-digit note code", r.Note))
	}
	return r, nil
}

// ReadAck reads a 997 or 999 transaction set: its segments from ST to SE
// (Set.Segments), or the body without them. It checks the structure the
// reconciliation depends on (AK1 first, each AK2 closed by its AK5/IK5,
// AK3/AK4 inside an AK2, one AK9 at the end) and reports the first
// violation as a *SyntaxError wrapping ErrBadAck, with the segment's
// position. CTX segments (999 context) are skipped.
func ReadAck(segs []Segment) (*AckReport, error) {
	r := &AckReport{}
	p := ackParser{r: r}
	for i := range segs {
		if err := p.segment(&segs[i]); err != nil {
			return nil, err
		}
	}
	if !p.sawAK1 {
		return nil, &SyntaxError{SegmentID: "AK1", Err: ErrBadAck, Hint: "no AK1 segment: this is not a 997 or 999"}
	}
	if p.set != nil {
		return nil, &SyntaxError{Pos: p.setPos, SegmentID: "AK2", Err: ErrBadAck,
			Hint: fmt.Sprintf("the response for set %s has no AK5/IK5", p.set.Control)}
	}
	if !p.sawAK9 {
		return nil, &SyntaxError{SegmentID: "AK9", Err: ErrBadAck, Hint: "no AK9 segment: the acknowledgment is incomplete"}
	}
	if r.Type == "" {
		r.Type = Ack997
	}
	return r, nil
}

type ackParser struct {
	r              *AckReport
	sawAK1, sawAK9 bool
	set            *AckSetReport // open AK2 loop
	setPos         Position
	seg            *SegmentError // open AK3/IK3
}

func ackErr(s *Segment, elem int, hint string) error {
	return &SyntaxError{Pos: s.Pos, SegmentID: s.ID(), Element: elem, Err: ErrBadAck, Hint: hint}
}

func (p *ackParser) setType(s *Segment, t AckType) error {
	if p.r.Type != "" && p.r.Type != t {
		return ackErr(s, 0, fmt.Sprintf("%s segment in a %s", s.ID(), p.r.Type))
	}
	p.r.Type = t
	return nil
}

func (p *ackParser) segment(s *Segment) error {
	r := p.r
	id := s.ID()
	if p.sawAK9 && id != "SE" {
		return ackErr(s, 0, "segment after AK9")
	}
	switch id {
	case "ST":
		switch s.String(1) {
		case "997":
			r.Type = Ack997
		case "999":
			r.Type = Ack999
		default:
			return ackErr(s, 1, fmt.Sprintf("ST01 is %q; want 997 or 999", s.String(1)))
		}
		r.Control = s.String(2)
	case "SE":
	case "AK1":
		if p.sawAK1 {
			return ackErr(s, 0, "second AK1")
		}
		p.sawAK1 = true
		r.FunctionalID, r.GroupControl, r.Version = s.String(1), s.String(2), s.String(3)
		if r.FunctionalID == "" || r.GroupControl == "" {
			return ackErr(s, 1, "AK101 and AK102 (functional id, group control number) are required")
		}
	case "AK2":
		if !p.sawAK1 {
			return ackErr(s, 0, "AK2 before AK1")
		}
		if p.set != nil {
			return ackErr(s, 0, fmt.Sprintf("AK2 before the AK5/IK5 of set %s", p.set.Control))
		}
		r.Sets = append(r.Sets, AckSetReport{ID: s.String(1), Control: s.String(2), ImplementationRef: s.String(3)})
		p.set, p.setPos, p.seg = &r.Sets[len(r.Sets)-1], s.Pos, nil
		if p.set.ID == "" || p.set.Control == "" {
			return ackErr(s, 1, "AK201 and AK202 (set id, set control number) are required")
		}
	case "AK3", "IK3":
		if err := p.setType(s, map[string]AckType{"AK3": Ack997, "IK3": Ack999}[id]); err != nil {
			return err
		}
		if p.set == nil {
			return ackErr(s, 0, id+" outside an AK2 loop")
		}
		pos, err := strconv.Atoi(s.String(2))
		if err != nil || pos < 1 {
			return ackErr(s, 2, fmt.Sprintf("segment position %q is not a positive number", s.String(2)))
		}
		p.set.Segments = append(p.set.Segments, SegmentError{SegmentID: s.String(1), Position: pos,
			LoopID: s.String(3), Code: SegmentErrorCode(s.String(4)), Pos: s.Pos})
		p.seg = &p.set.Segments[len(p.set.Segments)-1]
	case "AK4", "IK4":
		if err := p.setType(s, map[string]AckType{"AK4": Ack997, "IK4": Ack999}[id]); err != nil {
			return err
		}
		if p.seg == nil {
			return ackErr(s, 0, id+" without a preceding "+map[string]string{"AK4": "AK3", "IK4": "IK3"}[id])
		}
		var c [3]int
		for i := range c {
			v := string(s.Component(1, i+1))
			if v == "" {
				continue
			}
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return &SyntaxError{Pos: s.Pos, SegmentID: id, Element: 1, Component: i + 1, Err: ErrBadAck,
					Hint: fmt.Sprintf("position %q is not a positive number", v)}
			}
			c[i] = n
		}
		if c[0] == 0 {
			return ackErr(s, 1, "element position (C030-1) is required")
		}
		if s.String(3) == "" {
			return ackErr(s, 3, "the element error code is required")
		}
		p.seg.Elements = append(p.seg.Elements, ElementError{Position: c[0], Component: c[1], Repetition: c[2],
			Ref: s.String(2), Code: ElementErrorCode(s.String(3)), Value: s.String(4)})
	case "CTX":
		if p.seg == nil {
			return ackErr(s, 0, "CTX outside an IK3 loop")
		}
	case "AK5", "IK5":
		if err := p.setType(s, map[string]AckType{"AK5": Ack997, "IK5": Ack999}[id]); err != nil {
			return err
		}
		if p.set == nil {
			return ackErr(s, 0, id+" without a preceding AK2")
		}
		p.set.Status = AckCode(s.String(1))
		switch p.set.Status {
		case Accepted, AcceptedWithErrors, Rejected, "M", "W", "X":
		default:
			return ackErr(s, 1, fmt.Sprintf("acknowledgment code %q; want A, E, M, R, W or X", s.String(1)))
		}
		for i := 2; i <= s.Len(); i++ {
			if c := s.String(i); c != "" {
				p.set.Codes = append(p.set.Codes, SetErrorCode(c))
			}
		}
		p.set, p.seg = nil, nil
	case "AK9":
		if !p.sawAK1 {
			return ackErr(s, 0, "AK9 before AK1")
		}
		if p.set != nil {
			return ackErr(s, 0, fmt.Sprintf("AK9 before the AK5/IK5 of set %s", p.set.Control))
		}
		p.sawAK9 = true
		r.Status = AckCode(s.String(1))
		switch r.Status {
		case Accepted, AcceptedWithErrors, PartiallyAccepted, Rejected, "M", "W", "X":
		default:
			return ackErr(s, 1, fmt.Sprintf("acknowledgment code %q; want A, E, P or R", s.String(1)))
		}
		for i, dst := range []*int{&r.Included, &r.Received, &r.Accepted} {
			n, err := strconv.Atoi(s.String(i + 2))
			if err != nil || n < 0 {
				return ackErr(s, i+2, fmt.Sprintf("count %q is not a number", s.String(i+2)))
			}
			*dst = n
		}
		for i := 5; i <= s.Len(); i++ {
			if c := s.String(i); c != "" {
				r.Codes = append(r.Codes, GroupErrorCode(c))
			}
		}
	default:
		return ackErr(s, 0, "segment "+id+" does not belong in a 997 or 999")
	}
	return nil
}
