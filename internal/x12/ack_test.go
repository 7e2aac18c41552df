package x12

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The -update flag rewrites golden files. It is registered only if no other
// test file of the package has registered it already, so test files can
// share it without a "flag redefined" panic.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files under testdata/")
	}
}

func updateGolden() bool {
	f := flag.Lookup("update")
	if f == nil {
		return false
	}
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return false
	}
	v, _ := g.Get().(bool)
	return v
}

// checkGolden compares got with testdata/ack/<name>, or rewrites it with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "ack", name)
	if updateGolden() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden file\n--- got\n%s--- want\n%s", name, got, want)
	}
}

var ackNow = func() time.Time { return time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC) }

const ackPartner = "ZZ:ACME"

// ackControls returns an allocator at fixed positions so golden output is
// stable: the next ISA13 is 1001, GS06 501, ST02 0001.
func ackControls(t *testing.T) *MemoryControlNumbers {
	t.Helper()
	m := NewMemoryControlNumbers()
	for kind, n := range map[string]int64{KindISA: 1000, KindGS: 500, KindST: 0} {
		if err := m.Set(ControlKey{Partner: ackPartner, Kind: kind}, n); err != nil {
			t.Fatal(err)
		}
	}
	return m
}

// ackInterchange is an inbound interchange from ACME to us.
func ackInterchange(version string) *Interchange {
	d := Delimiters{Element: '*', Component: '>', Segment: '~'}
	if version >= "00402" {
		d = Delimiters{Element: '*', Repetition: '^', Component: ':', Segment: '~'}
	}
	return &Interchange{AuthQualifier: "00", SecurityQualifier: "00",
		SenderQualifier: "ZZ", SenderID: "ACME", ReceiverQualifier: "ZZ", ReceiverID: "B2BGW",
		Date: "260313", Time: "2359", Version: version, Control: "000004711", AckRequested: "0", Usage: "P",
		Delimiters: d, HasTrailer: true, TrailerGroupCount: "1", TrailerControl: "000004711", Groups: 1}
}

func ackGroup(ic *Interchange, fid, control, version string, sets int) *Group {
	return &Group{FunctionalID: fid, AppSender: "ACMEAPP", AppReceiver: "B2BGWAPP", Date: "20260313", Time: "2359",
		Control: control, Agency: "X", Version: version, HasTrailer: true, TrailerSetCount: strconv.Itoa(sets),
		TrailerControl: control, Sets: sets, Interchange: ic}
}

func accepted850(control string) *SetResult {
	return &SetResult{ID: "850", Control: control, Status: Accepted}
}

// rejected850 is a set with segment and element findings of every shape:
// a simple element error, a component error, a repetition error, codes
// defined only in 005010 or only in 999s, a missing segment, and a warning
// (which is never sent to the partner).
func rejected850(control, ref string) *SetResult {
	return &SetResult{ID: "850", Control: control, ImplementationRef: ref, Status: Rejected,
		Segments: []SegmentError{
			{SegmentID: "REF", Position: 4, Severity: SevWarning,
				Elements: []ElementError{{Position: 1, Ref: "128", Code: ElemInvalidCode, Value: "ZZ", Severity: SevWarning}}},
			{SegmentID: "PO1", Position: 6, LoopID: "PO1", Elements: []ElementError{
				{Position: 3, Ref: "355", Code: ElemInvalidCode, Value: "XX"},
				{Position: 7, Ref: "234", Code: ElemImplPattern, Value: "AB-12"},
			}},
			{SegmentID: "PID", Position: 7, LoopID: "PID", Elements: []ElementError{
				{Position: 5, Component: 2, Code: ElemTooManyComponents},
				{Position: 6, Repetition: 2, Ref: "352", Code: ElemTooManyReps, Value: "EXTRA"},
			}},
			{SegmentID: "N1", Position: 8, LoopID: "N1", Code: SegImplDependentMiss},
			{SegmentID: "CTT", Position: 9, Code: SegMandatoryMissing},
		}}
}

type ackCase struct {
	name   string
	result func() *InterchangeResult
	opts   func(o *AckOptions)
}

func ackCases() []ackCase {
	return []ackCase{
		{"997_4010_accepted", func() *InterchangeResult {
			ic := ackInterchange("00401")
			g := ackGroup(ic, "PO", "1234", "004010", 2)
			return &InterchangeResult{Interchange: ic, Groups: []*GroupResult{{Group: g, Sets: []*SetResult{accepted850("0001"), accepted850("0002")}}}}
		}, nil},
		{"997_4010_rejected_set", func() *InterchangeResult {
			ic := ackInterchange("00401")
			g := ackGroup(ic, "PO", "1235", "004010VICS", 2)
			return &InterchangeResult{Interchange: ic, Groups: []*GroupResult{{Group: g, Sets: []*SetResult{accepted850("0001"), rejected850("0002", "")}}}}
		}, nil},
		{"997_5010_rejected_set", func() *InterchangeResult {
			ic := ackInterchange("00501")
			g := ackGroup(ic, "PO", "1236", "005010", 2)
			sr := rejected850("0002", "005010VICS")
			sr.Codes = []SetErrorCode{SetControlNotUnique}
			return &InterchangeResult{Interchange: ic, Groups: []*GroupResult{{Group: g, Sets: []*SetResult{accepted850("0001"), sr}}}}
		}, nil},
		{"997_4010_missing_ge", func() *InterchangeResult {
			ic := ackInterchange("00401")
			g := ackGroup(ic, "PO", "1237", "004010", 1)
			g.HasTrailer, g.TrailerSetCount, g.TrailerControl = false, "", ""
			g.Problems = []GroupProblem{{Code: GroupTrailerMissing, Message: "functional group ends without GE"}}
			return &InterchangeResult{Interchange: ic, Groups: []*GroupResult{{Group: g, Sets: []*SetResult{accepted850("0001")}}}}
		}, nil},
		{"999_5010", func() *InterchangeResult {
			ic := ackInterchange("00501")
			g := ackGroup(ic, "HC", "1238", "005010X222A1", 1)
			g.Problems = []GroupProblem{{Code: GroupControlNotUnique}}
			sr := &SetResult{ID: "837", Control: "0001", ImplementationRef: "005010X222A1", Status: Rejected,
				Codes: []SetErrorCode{"I5"},
				Segments: []SegmentError{
					{SegmentID: "NM1", Position: 12, LoopID: "2010", Code: SegImplDependentMiss},
					{SegmentID: "CLM", Position: 20, LoopID: "2300", Elements: []ElementError{
						{Position: 5, Component: 3, Repetition: 1, Ref: "1325", Code: ElemImplCodeNotUsed, Value: "9"},
						{Position: 1, Ref: "1028", Code: ElemImplPattern, Value: "AB CD"},
					}},
				}}
			return &InterchangeResult{Interchange: ic, Groups: []*GroupResult{{Group: g, Sets: []*SetResult{sr}}}}
		}, func(o *AckOptions) { o.Type = Ack999 }},
		{"ta1_control_mismatch", func() *InterchangeResult {
			ic := ackInterchange("00401")
			ic.TrailerControl = "000004712"
			ic.Problems = []InterchangeProblem{{Code: TA1ControlMismatch, Message: "IEA02 000004712 does not match ISA13 000004711"}}
			g := ackGroup(ic, "PO", "1239", "004010", 1)
			return &InterchangeResult{Interchange: ic, Groups: []*GroupResult{{Group: g, Sets: []*SetResult{accepted850("0001")}}}}
		}, nil},
		{"ta1_and_997_isa14", func() *InterchangeResult {
			ic := ackInterchange("00401")
			ic.AckRequested = "1"
			g := ackGroup(ic, "PO", "1240", "004010", 1)
			return &InterchangeResult{Interchange: ic, Groups: []*GroupResult{{Group: g, Sets: []*SetResult{accepted850("0001")}}}}
		}, nil},
		{"997_two_versions_and_fa_skipped", func() *InterchangeResult {
			ic := ackInterchange("00501")
			ic.Groups = 3
			g1 := ackGroup(ic, "PO", "2001", "004010", 1)
			fa := ackGroup(ic, "FA", "2002", "004010", 1)
			g3 := ackGroup(ic, "IN", "2003", "005010", 1)
			return &InterchangeResult{Interchange: ic, Groups: []*GroupResult{
				{Group: g1, Sets: []*SetResult{accepted850("0001")}},
				{Group: fa, Sets: []*SetResult{{ID: "997", Control: "0001", Status: Accepted}}},
				{Group: g3, Sets: []*SetResult{{ID: "810", Control: "0001", Status: Accepted}}},
			}}
		}, nil},
	}
}

func ackOptions(t *testing.T, c ackCase) AckOptions {
	o := AckOptions{Type: Ack997, Controls: ackControls(t), Now: ackNow, LineBreak: "\n"}
	if c.opts != nil {
		c.opts(&o)
	}
	return o
}

func TestBuildAckGolden(t *testing.T) {
	t.Parallel()
	for _, c := range ackCases() {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := BuildAck(context.Background(), c.result(), ackOptions(t, c))
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, c.name+".edi", got)
			// Every ack must itself be readable X12.
			if _, _, err := splitAck(got); err != nil {
				t.Fatalf("the acknowledgment does not read back: %v", err)
			}
		})
	}
}

// splitAck reads an acknowledgment interchange back: its TA1 segments and
// the segments of each transaction set, ST to SE.
func splitAck(b []byte) (ta1 []Segment, sets [][]Segment, err error) {
	r := NewReaderBytes(b)
	var cur []Segment
	for {
		seg, err := r.Next()
		if errors.Is(err, io.EOF) {
			return ta1, sets, nil
		}
		if err != nil {
			return nil, nil, err
		}
		switch {
		case seg.Is("TA1"):
			ta1 = append(ta1, seg.Clone())
		case seg.Is("ST"):
			cur = []Segment{seg.Clone()}
		case seg.Is("SE"):
			sets = append(sets, append(cur, seg.Clone()))
			cur = nil
		case cur != nil:
			cur = append(cur, seg.Clone())
		}
	}
}

// TestAckRoundTrip builds acknowledgments, reads them back with ReadAck and
// ReadTA1, and checks that they state the facts of the results they were
// built from.
func TestAckRoundTrip(t *testing.T) {
	t.Parallel()
	for _, c := range ackCases() {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			in := c.result()
			o := ackOptions(t, c)
			out, err := BuildAck(context.Background(), in, o)
			if err != nil {
				t.Fatal(err)
			}
			ta1s, sets, err := splitAck(out)
			if err != nil {
				t.Fatal(err)
			}
			ic := in.Interchange
			if TA1Wanted(ic) != (len(ta1s) == 1) {
				t.Fatalf("got %d TA1 segments; TA1 wanted: %v", len(ta1s), TA1Wanted(ic))
			}
			if len(ta1s) == 1 {
				rep, err := ReadTA1(&ta1s[0])
				if err != nil {
					t.Fatal(err)
				}
				code, note := TA1Status(ic)
				if rep.Control != ic.Control || rep.Date != ic.Date || rep.Time != ic.Time || rep.Status != code || rep.Note != note {
					t.Errorf("TA1 read back as %+v", rep)
				}
			}
			var want []*GroupResult
			if !ic.Rejected() {
				for _, g := range in.Groups {
					if !isAckGroup(g) {
						want = append(want, g)
					}
				}
			}
			if len(sets) != len(want) {
				t.Fatalf("%d acknowledgment sets for %d groups", len(sets), len(want))
			}
			for i, g := range want {
				rep, err := ReadAck(sets[i])
				if err != nil {
					t.Fatal(err)
				}
				if rep.Type != o.Type || rep.FunctionalID != g.Group.FunctionalID || rep.GroupControl != g.Group.Control {
					t.Errorf("group: got %s %s %s", rep.Type, rep.FunctionalID, rep.GroupControl)
				}
				if rep.Received != len(g.Sets) || len(rep.Sets) != len(g.Sets) {
					t.Fatalf("received %d, %d set responses; want %d", rep.Received, len(rep.Sets), len(g.Sets))
				}
				accepted := 0
				for j, sr := range g.Sets {
					got := rep.Sets[j]
					if got.ID != sr.ID || got.Control != sr.Control || got.Status != sr.Status {
						t.Errorf("set %d: got %s %s %s, want %s %s %s", j, got.ID, got.Control, got.Status, sr.ID, sr.Control, sr.Status)
					}
					if sr.Status == Accepted || sr.Status == AcceptedWithErrors {
						accepted++
					}
					fl := flavor997v5010
					if o.Type == Ack999 {
						fl = flavor999
					} else if g.Group.BaseVersion() < "005010" {
						fl = flavor997v4010
					}
					checkSegmentsRoundTrip(t, fl, sr.Segments, got.Segments)
				}
				if rep.Accepted != accepted {
					t.Errorf("accepted %d, want %d", rep.Accepted, accepted)
				}
				for _, p := range g.Group.Problems {
					if !slices.Contains(rep.Codes, GroupErrorCode(mapGroupCode(string(p.Code), flavor997v5010))) &&
						!slices.Contains(rep.Codes, GroupErrorCode(mapGroupCode(string(p.Code), flavor997v4010))) {
						t.Errorf("group code %s missing from AK9: %v", p.Code, rep.Codes)
					}
				}
			}
		})
	}
}

// checkSegmentsRoundTrip compares the error findings sent with those read
// back, after the version's code mapping.
func checkSegmentsRoundTrip(t *testing.T, fl ackFlavor, sent, got []SegmentError) {
	t.Helper()
	var want []SegmentError
	for _, s := range sent {
		if s.HasErrors() {
			want = append(want, s)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("%d segment findings read back, want %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		code := mapSegmentCode(string(w.Code), fl)
		if code == "" {
			code = "8"
		}
		if g.SegmentID != w.SegmentID || g.Position != w.Position || g.LoopID != w.LoopID || string(g.Code) != code {
			t.Errorf("segment finding %d: got %s@%d loop %q code %s, want %s@%d loop %q code %s",
				i, g.SegmentID, g.Position, g.LoopID, g.Code, w.SegmentID, w.Position, w.LoopID, code)
		}
		if len(g.Elements) != len(w.Elements) {
			t.Fatalf("%d element findings read back, want %d", len(g.Elements), len(w.Elements))
		}
		for j, we := range w.Elements {
			ge := g.Elements[j]
			rep := we.Repetition
			if fl == flavor997v4010 {
				rep = 0 // 004010's C030 has no repetition position
			}
			if ge.Position != we.Position || ge.Component != we.Component || ge.Repetition != rep ||
				string(ge.Code) != mapElementCode(string(we.Code), fl) || ge.Ref != we.Ref || ge.Value != we.Value {
				t.Errorf("element finding %d.%d: got %+v, want %+v", i, j, ge, we)
			}
		}
	}
}

func TestBuildAckNothingToSend(t *testing.T) {
	t.Parallel()
	ic := ackInterchange("00401")
	fa := ackGroup(ic, "FA", "77", "004010", 1)
	r := &InterchangeResult{Interchange: ic, Groups: []*GroupResult{{Group: fa, Sets: []*SetResult{{ID: "997", Control: "0001", Status: Accepted}}}}}
	for _, typ := range []AckType{Ack997, Ack999} {
		got, err := BuildAck(context.Background(), r, AckOptions{Type: typ, Controls: ackControls(t), Now: ackNow})
		if err != nil || got != nil {
			t.Errorf("%s for an FA group: got %q, %v; want nothing", typ, got, err)
		}
	}
	// An FA group whose sender asked for a TA1 gets the TA1 only.
	ic.AckRequested = "1"
	got, err := BuildAck(context.Background(), r, AckOptions{Type: Ack997, Controls: ackControls(t), Now: ackNow})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(got, []byte("TA1*000004711*260313*2359*A*000~")) || bytes.Contains(got, []byte("GS*")) {
		t.Errorf("got %q; want a TA1 and no group", got)
	}
}

// ackLine returns the first segment of out starting with prefix.
func ackLine(out []byte, prefix string) string {
	for _, l := range strings.Split(string(out), "~") {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return ""
}

func TestBuildAckBehaviour(t *testing.T) {
	t.Parallel()
	base := func() *InterchangeResult {
		ic := ackInterchange("00401")
		g := ackGroup(ic, "PO", "1234", "004010", 2)
		return &InterchangeResult{Interchange: ic, Groups: []*GroupResult{{Group: g, Sets: []*SetResult{accepted850("0001"), accepted850("0002")}}}}
	}
	tests := []struct {
		name   string
		modify func(r *InterchangeResult, o *AckOptions)
		want   map[string]string // segment prefix → whole segment
	}{
		{"count mismatch reports GE01 as sent", func(r *InterchangeResult, o *AckOptions) {
			g := r.Groups[0].Group
			g.TrailerSetCount = "3"
			g.Problems = []GroupProblem{{Code: GroupCountMismatch}}
		}, map[string]string{"AK9": "AK9*E*3*2*2*5"}},
		{"strict envelope rejects the group", func(r *InterchangeResult, o *AckOptions) {
			r.Groups[0].Group.Problems = []GroupProblem{{Code: GroupControlMismatch}}
			o.RejectGroupOnEnvelopeError = true
		}, map[string]string{"AK9": "AK9*R*2*2*0*4", "AK5": "AK5*R"}},
		{"version not supported rejects the group", func(r *InterchangeResult, o *AckOptions) {
			r.Groups[0].Group.Problems = []GroupProblem{{Code: GroupVersionNotSupported}}
		}, map[string]string{"AK9": "AK9*R*2*2*0*2"}},
		{"one set rejected is partial", func(r *InterchangeResult, o *AckOptions) {
			r.Groups[0].Sets[1] = &SetResult{ID: "850", Control: "0002", Codes: []SetErrorCode{SetCountMismatch}}
		}, map[string]string{"AK9": "AK9*P*2*2*1", "AK5*R": "AK5*R*4"}},
		{"accepted with errors", func(r *InterchangeResult, o *AckOptions) {
			r.Groups[0].Sets[1].Status = AcceptedWithErrors
		}, map[string]string{"AK9": "AK9*E*2*2*2"}},
		{"4010 maps 5010-only codes", func(r *InterchangeResult, o *AckOptions) {
			r.Groups[0].Sets[1] = &SetResult{ID: "850", Control: "0002", Status: Rejected, Codes: []SetErrorCode{SetBadImplementation, SetNotInGroup}}
			r.Groups[0].Group.Problems = []GroupProblem{{Code: GroupControlNotUnique}}
		}, map[string]string{"AK5*R": "AK5*R*1", "AK9": "AK9*P*2*2*1*6"}},
		{"at most five AK502 codes", func(r *InterchangeResult, o *AckOptions) {
			r.Groups[0].Sets[1] = &SetResult{ID: "850", Control: "0002", Status: Rejected,
				Codes: []SetErrorCode{"1", "2", "3", "4", "6", "7", "2"}}
		}, map[string]string{"AK5*R": "AK5*R*1*2*3*4*6"}},
		{"bad data with a delimiter is not copied", func(r *InterchangeResult, o *AckOptions) {
			r.Groups[0].Sets[1] = &SetResult{ID: "850", Control: "0002", Status: Rejected, Segments: []SegmentError{
				{SegmentID: "PID", Position: 3, Elements: []ElementError{{Position: 5, Code: ElemTooLong, Value: "A>B"}}}}}
		}, map[string]string{"AK3": "AK3*PID*3**8", "AK4": "AK4*5**5"}},
		{"identity from the partner profile", func(r *InterchangeResult, o *AckOptions) {
			o.Identity = &AckIdentity{SenderQualifier: "01", SenderID: "987654321", AppSender: "OURAPP"}
		}, map[string]string{
			"ISA": "ISA*00*          *00*          *01*987654321      *ZZ*ACME           *260314*0926*U*00401*000001001*0*P*>",
			"GS":  "GS*FA*OURAPP*ACMEAPP*20260314*0926*501*X*004010",
		}},
		{"test usage is mirrored", func(r *InterchangeResult, o *AckOptions) {
			r.Interchange.Usage = "T"
		}, map[string]string{"ISA": "ISA*00*          *00*          *ZZ*B2BGW          *ZZ*ACME           *260314*0926*U*00401*000001001*0*T*>"}},
		{"delimiters override", func(r *InterchangeResult, o *AckOptions) {
			o.Delimiters = &Delimiters{Element: '|', Component: '\\', Segment: '~'}
		}, map[string]string{"AK1": "AK1|PO|1234"}},
		{"TA1 type sends a TA1 only", func(r *InterchangeResult, o *AckOptions) {
			o.Type = AckTA1
		}, map[string]string{"TA1": "TA1*000004711*260313*2359*A*000", "GS": "", "IEA": "IEA*0*000001001"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := base()
			o := AckOptions{Type: Ack997, Controls: ackControls(t), Now: ackNow}
			tc.modify(r, &o)
			out, err := BuildAck(context.Background(), r, o)
			if err != nil {
				t.Fatal(err)
			}
			for prefix, want := range tc.want {
				if got := ackLine(out, prefix); got != want {
					t.Errorf("%s: got %q, want %q\n%s", prefix, got, want, out)
				}
			}
		})
	}
}

func TestBuildAckErrors(t *testing.T) {
	t.Parallel()
	ic := ackInterchange("00401")
	g := ackGroup(ic, "PO", "1", "004010", 1)
	r := &InterchangeResult{Interchange: ic, Groups: []*GroupResult{{Group: g, Sets: []*SetResult{accepted850("0001")}}}}
	tests := []struct {
		name string
		r    *InterchangeResult
		o    AckOptions
		want error
	}{
		{"no interchange", &InterchangeResult{}, AckOptions{Type: Ack997, Controls: NewMemoryControlNumbers()}, ErrAckOptions},
		{"no controls", r, AckOptions{Type: Ack997}, ErrAckOptions},
		{"unknown type", r, AckOptions{Type: "CONTRL", Controls: NewMemoryControlNumbers()}, ErrAckOptions},
		{"delimiter in a value", r, AckOptions{Type: Ack997, Controls: NewMemoryControlNumbers(),
			Identity: &AckIdentity{AppSender: "A*B"}}, ErrValueHasDelimiter},
		{"sender id too long for the ISA", r, AckOptions{Type: Ack997, Controls: NewMemoryControlNumbers(),
			Identity: &AckIdentity{SenderID: "A-VERY-LONG-SENDER-ID"}}, ErrISAField},
		{"canceled", r, AckOptions{Type: Ack997, Controls: NewMemoryControlNumbers()}, context.Canceled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			if tc.want == context.Canceled {
				c, cancel := context.WithCancel(ctx)
				cancel()
				ctx = c
			}
			if _, err := BuildAck(ctx, tc.r, tc.o); !errors.Is(err, tc.want) {
				t.Errorf("error %v, want %v", err, tc.want)
			}
		})
	}
}

// TestAckCodeMapping pins the documented mapping of codes a 997 (or a 997
// before 005010) does not define.
func TestAckCodeMapping(t *testing.T) {
	t.Parallel()
	type m = func(string, ackFlavor) string
	tests := []struct {
		name                 string
		f                    m
		code                 string
		v4010, v5010, for999 string
	}{
		{"segment I4", mapSegmentCode, "I4", "2", "2", "I4"},
		{"segment I6", mapSegmentCode, "I6", "3", "3", "I6"},
		{"segment I7", mapSegmentCode, "I7", "3", "3", "I7"},
		{"segment I8", mapSegmentCode, "I8", "3", "3", "I8"},
		{"segment I9", mapSegmentCode, "I9", "2", "2", "I9"},
		{"segment 8 unchanged", mapSegmentCode, "8", "8", "8", "8"},
		{"element I6", mapElementCode, "I6", "7", "7", "I6"},
		{"element I9", mapElementCode, "I9", "2", "2", "I9"},
		{"element I10", mapElementCode, "I10", "10", "10", "I10"},
		{"element I11", mapElementCode, "I11", "1", "1", "I11"},
		{"element I12", mapElementCode, "I12", "6", "6", "I12"},
		{"element I13", mapElementCode, "I13", "10", "10", "I13"},
		{"element 12 too many repetitions", mapElementCode, "12", "3", "12", "12"},
		{"element 13 too many components", mapElementCode, "13", "3", "13", "13"},
		{"element 7 unchanged", mapElementCode, "7", "7", "7", "7"},
		{"set I5", mapSetCode, "I5", "5", "5", "I5"},
		{"set I6", mapSetCode, "I6", "1", "19", "I6"},
		{"set 19", mapSetCode, "19", "1", "19", "19"},
		{"set 18 dropped before 5010", mapSetCode, "18", "", "18", "18"},
		{"set 23 exists in 4010", mapSetCode, "23", "23", "23", "23"},
		{"group 19", mapGroupCode, "19", "6", "19", "19"},
		{"group 3 unchanged", mapGroupCode, "3", "3", "3", "3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for fl, want := range map[ackFlavor]string{flavor997v4010: tc.v4010, flavor997v5010: tc.v5010, flavor999: tc.for999} {
				if got := tc.f(tc.code, fl); got != want {
					t.Errorf("flavor %d: %s → %q, want %q", fl, tc.code, got, want)
				}
			}
		})
	}
}

func TestBuildAckEnvelopeFallbacks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		modify func(ic *Interchange, g *GroupResult)
		want   map[string]string
	}{
		{"unusable ISA12 and ISA15 still get a TA1", func(ic *Interchange, g *GroupResult) {
			ic.Version, ic.Usage = "4010", "X"
			ic.Problems = []InterchangeProblem{{Code: TA1BadVersion}}
		}, map[string]string{
			"ISA": "ISA*00*          *00*          *ZZ*B2BGW          *ZZ*ACME           *260314*0926*U*00401*000001001*0*P*>",
			"TA1": "TA1*000004711*260313*2359*R*017",
		}},
		{"00501 inbound without repetition separator gets one", func(ic *Interchange, g *GroupResult) {
			ic.Version = "00501"
			ic.Delimiters = Delimiters{Element: '*', Component: ':', Segment: '~'}
		}, map[string]string{"ISA": "ISA*00*          *00*          *ZZ*B2BGW          *ZZ*ACME           *260314*0926*^*00501*000001001*0*P*:"}},
		{"missing GS08 follows ISA12", func(ic *Interchange, g *GroupResult) {
			g.Group.Version = ""
			g.Group.Problems = []GroupProblem{{Code: GroupVersionNotSupported}}
		}, map[string]string{"GS": "GS*FA*B2BGWAPP*ACMEAPP*20260314*0926*501*X*004010", "AK9": "AK9*R*1*1*0*2"}},
		{"status derived when the validator left none", func(ic *Interchange, g *GroupResult) {
			g.Sets[0] = &SetResult{ID: "850", Control: "0001", Segments: []SegmentError{{SegmentID: "BEG", Position: 2, Code: SegMandatoryMissing}}}
		}, map[string]string{"AK5": "AK5*R*5", "AK3": "AK3*BEG*2**3"}},
		{"unreadable segment tag gives no AK3 but AK502 5", func(ic *Interchange, g *GroupResult) {
			g.Sets[0] = &SetResult{ID: "850", Control: "0001", Status: Rejected, Segments: []SegmentError{{SegmentID: "b@d", Position: 2, Code: SegUnrecognized}}}
		}, map[string]string{"AK5": "AK5*R*5", "AK3": ""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ic := ackInterchange("00401")
			g := &GroupResult{Group: ackGroup(ic, "PO", "1", "004010", 1), Sets: []*SetResult{accepted850("0001")}}
			tc.modify(ic, g)
			out, err := BuildAck(context.Background(), &InterchangeResult{Interchange: ic, Groups: []*GroupResult{g}},
				AckOptions{Type: Ack997, Controls: ackControls(t), Now: ackNow})
			if err != nil {
				t.Fatal(err)
			}
			for prefix, want := range tc.want {
				if got := ackLine(out, prefix); got != want {
					t.Errorf("%s: got %q, want %q\n%s", prefix, got, want, out)
				}
			}
		})
	}
}
