package x12

import (
	"errors"
	"strings"
	"testing"
)

// ackSegs splits text like "ST*997*0001~AK1*PO*1~..." into segments.
func ackSegs(d Delimiters, text string) []Segment {
	var segs []Segment
	for i, s := range strings.Split(strings.TrimSuffix(text, "~"), "~") {
		f := strings.Split(s, string(d.Element))
		seg := NewSegment(d, f[0], f[1:]...)
		seg.Pos = Position{Index: i + 1, Line: i + 1}
		segs = append(segs, seg)
	}
	return segs
}

func TestReadAck(t *testing.T) {
	t.Parallel()
	d := Delimiters{Element: '*', Repetition: '^', Component: ':', Segment: '~'}
	rep, err := ReadAck(ackSegs(d, "ST*999*0007*005010X231A1~AK1*PO*1236*005010~AK2*850*0001~IK5*A~"+
		"AK2*850*0002*005010VICS~IK3*PID*7*PID*8~CTX*SITUATIONAL TRIGGER*PO1*6~IK4*6::2*352*12*EXTRA~IK5*R*5~"+
		"AK9*P*2*2*1*4~SE*11*0007~"))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Type != Ack999 || rep.Control != "0007" || rep.FunctionalID != "PO" || rep.GroupControl != "1236" || rep.Version != "005010" {
		t.Errorf("header: %+v", rep)
	}
	if rep.Status != PartiallyAccepted || rep.Included != 2 || rep.Received != 2 || rep.Accepted != 1 || len(rep.Codes) != 1 || rep.Codes[0] != GroupControlMismatch {
		t.Errorf("AK9: %+v", rep)
	}
	s := rep.Set("0002")
	if s == nil || s.Status != Rejected || s.ImplementationRef != "005010VICS" || len(s.Codes) != 1 || s.Codes[0] != SetSegmentsInError {
		t.Fatalf("set 0002: %+v", s)
	}
	if len(s.Segments) != 1 || s.Segments[0].SegmentID != "PID" || s.Segments[0].Position != 7 || len(s.Segments[0].Elements) != 1 {
		t.Fatalf("segments: %+v", s.Segments)
	}
	if e := s.Segments[0].Elements[0]; e.Position != 6 || e.Component != 0 || e.Repetition != 2 || e.Ref != "352" || e.Code != ElemTooManyReps || e.Value != "EXTRA" {
		t.Errorf("element: %+v", e)
	}
	if rep.Set("9999") != nil {
		t.Error("Set found a control number that is not there")
	}
}

func TestReadAckMalformed(t *testing.T) {
	t.Parallel()
	d := Delimiters{Element: '*', Component: '>', Segment: '~'}
	tests := []struct {
		name string
		text string
		seg  string // SegmentID of the error
		elem int
	}{
		{"not an ack", "ST*850*0001~BEG*00~SE*3*0001~", "ST", 1},
		{"no AK1", "ST*997*0001~AK9*A*0*0*0~SE*3*0001~", "AK9", 0},
		{"no AK9", "ST*997*0001~AK1*PO*1~AK2*850*0001~AK5*A~SE*5*0001~", "AK9", 0},
		{"AK2 without AK5", "ST*997*0001~AK1*PO*1~AK2*850*0001~AK9*A*1*1*1~SE*5*0001~", "AK9", 0},
		{"AK2 without AK5 at the end", "ST*997*0001~AK1*PO*1~AK2*850*0001~", "AK2", 0},
		{"AK4 without AK3", "ST*997*0001~AK1*PO*1~AK2*850*0001~AK4*1**7~AK5*R~AK9*R*1*1*0~SE*7*0001~", "AK4", 0},
		{"AK3 outside AK2", "ST*997*0001~AK1*PO*1~AK3*N1*3**3~AK9*R*1*1*0~SE*5*0001~", "AK3", 0},
		{"bad segment position", "ST*997*0001~AK1*PO*1~AK2*850*0001~AK3*N1*X~AK5*R~AK9*R*1*1*0~SE*7*0001~", "AK3", 2},
		{"bad element position", "ST*997*0001~AK1*PO*1~AK2*850*0001~AK3*N1*3~AK4*1>X**7~AK5*R~AK9*R*1*1*0~SE*8*0001~", "AK4", 1},
		{"AK4 without code", "ST*997*0001~AK1*PO*1~AK2*850*0001~AK3*N1*3~AK4*1~AK5*R~AK9*R*1*1*0~SE*8*0001~", "AK4", 3},
		{"IK3 in a 997", "ST*997*0001~AK1*PO*1~AK2*850*0001~IK3*N1*3~IK5*R~AK9*R*1*1*0~SE*7*0001~", "IK3", 0},
		{"bad AK501", "ST*997*0001~AK1*PO*1~AK2*850*0001~AK5*Q~AK9*R*1*1*0~SE*6*0001~", "AK5", 1},
		{"bad AK9 count", "ST*997*0001~AK1*PO*1~AK9*A*one*1*1~SE*4*0001~", "AK9", 2},
		{"segment after AK9", "ST*997*0001~AK1*PO*1~AK9*A*0*0*0~AK2*850*1~SE*5*0001~", "AK2", 0},
		{"unknown segment", "ST*997*0001~AK1*PO*1~BEG*00~AK9*A*0*0*0~SE*5*0001~", "BEG", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := ReadAck(ackSegs(d, tc.text))
			var se *SyntaxError
			if !errors.Is(err, ErrBadAck) || !errors.As(err, &se) {
				t.Fatalf("error %v, want a SyntaxError wrapping ErrBadAck", err)
			}
			if se.SegmentID != tc.seg || se.Element != tc.elem {
				t.Errorf("error at %s%02d, want %s%02d: %v", se.SegmentID, se.Element, tc.seg, tc.elem, err)
			}
		})
	}
}

func TestReadTA1(t *testing.T) {
	t.Parallel()
	d := Delimiters{Element: '*', Component: '>', Segment: '~'}
	tests := []struct {
		name string
		text string
		want *TA1Report
		elem int // element of the expected error, when want is nil
	}{
		{"accepted", "TA1*000000042*260314*0926*A*000", &TA1Report{Control: "000000042", Date: "260314", Time: "0926", Status: Accepted, Note: TA1NoError}, 0},
		{"rejected", "TA1*000000042*260314*0926*R*025", &TA1Report{Control: "000000042", Date: "260314", Time: "0926", Status: Rejected, Note: TA1DuplicateControl}, 0},
		{"bad status", "TA1*000000042*260314*0926*P*000", nil, 4},
		{"bad note", "TA1*000000042*260314*0926*R*25", nil, 5},
		{"no control", "TA1**260314*0926*A*000", nil, 1},
		{"not a TA1", "TA2*000000042", nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			segs := ackSegs(d, tc.text)
			got, err := ReadTA1(&segs[0])
			if tc.want != nil {
				if err != nil || *got != *tc.want {
					t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
				}
				return
			}
			var se *SyntaxError
			if !errors.As(err, &se) || !errors.Is(err, ErrBadAck) || se.Element != tc.elem {
				t.Errorf("error %v, want ErrBadAck at element %d", err, tc.elem)
			}
		})
	}
}
