package edifact

import (
	"fmt"
	"strconv"
)

// ContrlReport is a partner's CONTRL read back: what they said about one
// of our interchanges, its groups and messages.
type ContrlReport struct {
	MessageRef string // the CONTRL's own UNH 0062

	Interchange        string // UCI 0020: our interchange control reference
	SenderID           string // UCI S002 (us, as our UNB named us)
	SenderQualifier    string
	RecipientID        string // UCI S003
	RecipientQualifier string
	Action             Action   // UCI 0083
	Error              *Problem // UCI 0085/0135/S011, when given

	Messages []ContrlMessage // SG1: messages outside groups
	Groups   []ContrlGroup   // SG3
}

// ContrlGroup is one UCF with its messages.
type ContrlGroup struct {
	Control  string // UCF 0048
	Action   Action
	Error    *Problem
	Messages []ContrlMessage
}

// ContrlMessage is one UCM with its segment and element errors.
type ContrlMessage struct {
	Ref      string   // UCM 0062
	ID       []string // S009 components as sent
	Action   Action
	Error    *Problem
	Segments []SegmentError // UCS/UCD
}

// Accepted reports whether the interchange as a whole was acknowledged
// (action 7) or received (8).
func (c *ContrlReport) Accepted() bool {
	return c.Action == ActionAcknowledged || c.Action == ActionReceived
}

// MessageStatus reports what the CONTRL says about our message ref: its
// action when a UCM names it, else the interchange's action (a UCI 7
// covers every message not explicitly rejected).
func (c *ContrlReport) MessageStatus(ref string) Action {
	for _, m := range c.Messages {
		if m.Ref == ref {
			return m.Action
		}
	}
	for _, g := range c.Groups {
		for _, m := range g.Messages {
			if m.Ref == ref {
				return m.Action
			}
		}
	}
	return c.Action
}

// ReadCONTRL reads a CONTRL message (as decoded: UNH .. UNT) into a
// report. It accepts syntax 3 and 4 layouts; unknown segments are an
// error naming their position.
func ReadCONTRL(m *Message) (*ContrlReport, error) {
	if m.Type != "CONTRL" {
		return nil, fmt.Errorf("message %s is a %s, not a CONTRL", m.Ref, m.Type)
	}
	rep := &ContrlReport{MessageRef: m.Ref}
	var curMsg *ContrlMessage
	var curGroup *ContrlGroup
	var curSeg *SegmentError
	sawUCI := false
	for i := range m.Body() {
		s := &m.Body()[i]
		switch s.ID() {
		case "UCI":
			if sawUCI {
				return nil, fmt.Errorf("%s: CONTRL %s has a second UCI", s.Pos, m.Ref)
			}
			sawUCI = true
			rep.Interchange = s.String(1)
			rep.SenderID, rep.SenderQualifier = s.ComponentString(2, 1), s.ComponentString(2, 2)
			rep.RecipientID, rep.RecipientQualifier = s.ComponentString(3, 1), s.ComponentString(3, 2)
			rep.Action = Action(s.String(4))
			rep.Error = readProblem(s, 5)
		case "UCF":
			if !sawUCI {
				return nil, fmt.Errorf("%s: UCF before the UCI", s.Pos)
			}
			rep.Groups = append(rep.Groups, ContrlGroup{Control: s.String(1), Action: Action(s.String(4)), Error: readProblem(s, 5)})
			curGroup, curMsg, curSeg = &rep.Groups[len(rep.Groups)-1], nil, nil
		case "UCM":
			if !sawUCI {
				return nil, fmt.Errorf("%s: UCM before the UCI", s.Pos)
			}
			cm := ContrlMessage{Ref: s.String(1), Action: Action(s.String(3)), Error: readProblem(s, 4)}
			for c := 1; c <= s.Components(2); c++ {
				cm.ID = append(cm.ID, s.ComponentString(2, c))
			}
			if curGroup != nil {
				curGroup.Messages = append(curGroup.Messages, cm)
				curMsg = &curGroup.Messages[len(curGroup.Messages)-1]
			} else {
				rep.Messages = append(rep.Messages, cm)
				curMsg = &rep.Messages[len(rep.Messages)-1]
			}
			curSeg = nil
		case "UCS":
			if curMsg == nil {
				return nil, fmt.Errorf("%s: UCS outside a UCM", s.Pos)
			}
			pos, _ := strconv.Atoi(s.String(1))
			curMsg.Segments = append(curMsg.Segments, SegmentError{Position: pos, Code: ErrorCode(s.String(2)), Pos: s.Pos})
			curSeg = &curMsg.Segments[len(curMsg.Segments)-1]
		case "UCD":
			if curSeg == nil {
				return nil, fmt.Errorf("%s: UCD outside a UCS", s.Pos)
			}
			e := ElementError{Code: ErrorCode(s.String(1))}
			e.Position, _ = strconv.Atoi(s.ComponentString(2, 1))
			e.Component, _ = strconv.Atoi(s.ComponentString(2, 2))
			e.Repetition, _ = strconv.Atoi(s.ComponentString(2, 3))
			e.Message = e.Code.Text()
			curSeg.Elements = append(curSeg.Elements, e)
		default:
			return nil, fmt.Errorf("%s: segment %s has no place in a CONTRL", s.Pos, s.ID())
		}
	}
	if !sawUCI {
		return nil, fmt.Errorf("CONTRL %s has no UCI", m.Ref)
	}
	return rep, nil
}

// readProblem reads 0085, 0135 and S011 starting at element i.
func readProblem(s *Segment, i int) *Problem {
	code := s.String(i)
	if code == "" {
		return nil
	}
	p := &Problem{Code: ErrorCode(code), Segment: s.String(i + 1), Pos: s.Pos}
	p.Element, _ = strconv.Atoi(s.ComponentString(i+2, 1))
	p.Component, _ = strconv.Atoi(s.ComponentString(i+2, 2))
	p.Message = p.Code.Text()
	return p
}
