package x12

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// writeAll runs f against a fresh writer and returns the output and the
// writer's final error.
func writeAll(t *testing.T, d Delimiters, f func(w *Writer) error, opts ...WriterOption) (string, error) {
	t.Helper()
	var buf bytes.Buffer
	w := NewWriter(&buf, d, opts...)
	err := f(w)
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	return buf.String(), err
}

var wrDelims5010 = Delimiters{Element: '*', Repetition: '^', Component: ':', Segment: '~'}
var wrDelims4010 = Delimiters{Element: '*', Component: '>', Segment: '~'}

func TestWriterSegments(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		d     Delimiters
		opts  []WriterOption
		write func(w *Writer) error
		want  string
	}{
		{"simple", wrDelims4010, nil, func(w *Writer) error { return w.WriteSegment("BEG", "00", "SA", "PO1", "", "20260314") },
			"BEG*00*SA*PO1**20260314~"},
		{"trailing empty elements trimmed", wrDelims4010, nil, func(w *Writer) error { return w.WriteSegment("N1", "ST", "", "", "") },
			"N1*ST~"},
		{"segment without elements", wrDelims4010, nil, func(w *Writer) error { return w.WriteSegment("LS") },
			"LS~"},
		{"line feed", wrDelims4010, []WriterOption{WithLineBreak("\n")}, func(w *Writer) error {
			w.WriteSegment("N1", "ST")
			return w.WriteSegment("N3", "MAIN ST")
		}, "N1*ST~\nN3*MAIN ST~\n"},
		{"crlf", wrDelims4010, []WriterOption{WithLineBreak("\r\n")}, func(w *Writer) error { return w.WriteSegment("N1", "ST") },
			"N1*ST~\r\n"},
		{"composite with trailing empty components", wrDelims4010, nil, func(w *Writer) error {
			return w.WriteValues("AK4", Composite("2", "1", ""), Simple("66"), Simple("7"), Simple(""))
		}, "AK4*2>1*66*7~"},
		{"composite with inner empty component", wrDelims5010, nil, func(w *Writer) error {
			return w.WriteValues("IK4", Composite("3", "", "2"), Simple(""), Simple("I12"))
		}, "IK4*3::2**I12~"},
		{"repeated composites", wrDelims5010, nil, func(w *Writer) error {
			return w.WriteValues("HI", Repeat(Composite("ABK", "8901"), Composite("ABF", "9320"), Simple("")))
		}, "HI*ABK:8901^ABF:9320~"},
		{"trailing empty values trimmed", wrDelims5010, nil, func(w *Writer) error {
			return w.WriteValues("REF", Simple("PO"), Simple("1"), Composite("", ""), Repeat())
		}, "REF*PO*1~"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := writeAll(t, tc.d, tc.write, tc.opts...)
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestWriterRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		d     Delimiters
		opts  []WriterOption
		write func(w *Writer) error
		want  error
		where WriteError // expected position fields; Err is not compared
	}{
		{"element separator in value", wrDelims4010, nil, func(w *Writer) error { return w.WriteSegment("N1", "ST", "A*B") },
			ErrValueHasDelimiter, WriteError{SegmentID: "N1", Element: 2, Byte: '*'}},
		{"segment terminator in value", wrDelims4010, nil, func(w *Writer) error { return w.WriteSegment("N3", "", "", "X~") },
			ErrValueHasDelimiter, WriteError{SegmentID: "N3", Element: 3, Byte: '~'}},
		{"component separator in simple value", wrDelims4010, nil, func(w *Writer) error { return w.WriteSegment("PID", "F", "", "", "", "8>10") },
			ErrValueHasDelimiter, WriteError{SegmentID: "PID", Element: 5, Byte: '>'}},
		{"repetition separator in simple value", wrDelims5010, nil, func(w *Writer) error { return w.WriteSegment("MSG", "A^B") },
			ErrValueHasDelimiter, WriteError{SegmentID: "MSG", Element: 1, Byte: '^'}},
		{"delimiter in component", wrDelims5010, nil, func(w *Writer) error { return w.WriteValues("C0", Composite("A", "B:C")) },
			ErrValueHasDelimiter, WriteError{SegmentID: "C0", Element: 1, Component: 2, Byte: ':'}},
		{"delimiter in repetition", wrDelims5010, nil, func(w *Writer) error {
			return w.WriteValues("HI", Simple("x"), Repeat(Simple("A"), Simple("B*")))
		}, ErrValueHasDelimiter, WriteError{SegmentID: "HI", Element: 2, Repetition: 2, Byte: '*'}},
		{"repeat without repetition separator", wrDelims4010, nil, func(w *Writer) error {
			return w.WriteValues("HI", Repeat(Simple("A"), Simple("B")))
		}, ErrNoRepetition, WriteError{SegmentID: "HI", Element: 1}},
		{"lower-case id", wrDelims4010, nil, func(w *Writer) error { return w.WriteSegment("beg", "00") },
			ErrBadSegmentID, WriteError{SegmentID: "beg"}},
		{"one-letter id", wrDelims4010, nil, func(w *Writer) error { return w.WriteSegment("B") },
			ErrBadSegmentID, WriteError{SegmentID: "B"}},
		{"bad line break", wrDelims4010, []WriterOption{WithLineBreak("\r")}, func(w *Writer) error { return w.WriteSegment("N1", "ST") },
			ErrBadLineBreak, WriteError{}},
		{"line break with newline terminator", Delimiters{Element: '*', Component: '>', Segment: '\n'}, []WriterOption{WithLineBreak("\n")},
			func(w *Writer) error { return w.WriteSegment("N1") }, ErrBadLineBreak, WriteError{}},
		{"duplicate delimiters", Delimiters{Element: '*', Component: '*', Segment: '~'}, nil, func(w *Writer) error { return w.WriteSegment("N1") },
			ErrBadDelimiters, WriteError{}},
		{"GS outside interchange", wrDelims4010, nil, func(w *Writer) error {
			return w.BeginGroup(&Group{FunctionalID: "PO", AppSender: "A", AppReceiver: "B", Date: "20260314", Time: "0926", Control: "1", Version: "004010"})
		}, ErrEnvelopeOrder, WriteError{SegmentID: "GS"}},
		{"SE without ST", wrDelims4010, nil, func(w *Writer) error { return w.EndSet() },
			ErrEnvelopeOrder, WriteError{SegmentID: "SE"}},
		{"hand-written SE inside counted interchange", wrDelims4010, nil, func(w *Writer) error {
			w.BeginInterchange(testISA("00401"))
			return w.WriteSegment("SE", "2", "0001")
		}, ErrEnvelopeOrder, WriteError{SegmentID: "SE"}},
		{"IEA with open group", wrDelims4010, nil, func(w *Writer) error {
			w.BeginInterchange(testISA("00401"))
			w.BeginGroup(&Group{FunctionalID: "PO", AppSender: "A", AppReceiver: "B", Date: "20260314", Time: "0926", Control: "1", Version: "004010"})
			return w.EndInterchange()
		}, ErrEnvelopeOrder, WriteError{SegmentID: "IEA"}},
		{"GS06 not numeric", wrDelims4010, nil, func(w *Writer) error {
			w.BeginInterchange(testISA("00401"))
			return w.BeginGroup(&Group{FunctionalID: "PO", AppSender: "A", AppReceiver: "B", Date: "20260314", Time: "0926", Control: "X1", Version: "004010"})
		}, ErrEnvelopeField, WriteError{SegmentID: "GS", Element: 6}},
		{"ST02 too short", wrDelims4010, nil, func(w *Writer) error {
			w.BeginInterchange(testISA("00401"))
			w.BeginGroup(&Group{FunctionalID: "PO", AppSender: "A", AppReceiver: "B", Date: "20260314", Time: "0926", Control: "1", Version: "004010"})
			return w.BeginSet("850", "1")
		}, ErrEnvelopeField, WriteError{SegmentID: "ST", Element: 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := writeAll(t, tc.d, tc.write, tc.opts...)
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			var we *WriteError
			if !errors.As(err, &we) {
				t.Fatalf("error %T is not a *WriteError", err)
			}
			if we.SegmentID != tc.where.SegmentID || we.Element != tc.where.Element || we.Component != tc.where.Component ||
				we.Repetition != tc.where.Repetition || we.Byte != tc.where.Byte {
				t.Errorf("position: got %+v, want %+v", *we, tc.where)
			}
		})
	}
}

func TestWriterErrorIsSticky(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	w := NewWriter(&buf, wrDelims4010)
	first := w.WriteSegment("N1", "A*B")
	if first == nil {
		t.Fatal("no error for a delimiter in a value")
	}
	if err := w.WriteSegment("N1", "OK"); err != first {
		t.Errorf("later write returned %v, want the first error %v", err, first)
	}
	if w.Err() != first || w.Flush() != first {
		t.Errorf("Err/Flush do not return the first error")
	}
	if buf.Len() != 0 {
		t.Errorf("wrote %q after a refused segment", buf.String())
	}
	want := `x12 write: segment N101: value contains a delimiter '*' (at byte 2 of "A*B")`
	if first.Error() != want {
		t.Errorf("message\n got %s\nwant %s", first.Error(), want)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, io.ErrClosedPipe }

func TestWriterUnderlyingError(t *testing.T) {
	t.Parallel()
	w := NewWriter(failingWriter{}, wrDelims4010)
	w.WriteSegment("N1", "ST")
	if err := w.Flush(); !errors.Is(err, io.ErrClosedPipe) {
		t.Fatalf("Flush: %v, want io.ErrClosedPipe", err)
	}
	if err := w.WriteSegment("N1", "ST"); !errors.Is(err, io.ErrClosedPipe) {
		t.Fatalf("write after failure: %v, want the sticky io.ErrClosedPipe", err)
	}
}

func testISA(version string) *Interchange {
	return &Interchange{SenderQualifier: "ZZ", SenderID: "B2BGW", ReceiverQualifier: "01", ReceiverID: "123456789",
		Date: "260314", Time: "0926", Version: version, Control: "42", Usage: "T"}
}

func TestWriteISA(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		d    Delimiters
		ic   func() *Interchange
		want string
		err  WriteError // Err and Element when an error is expected
	}{
		{"00401 pads and uses U", wrDelims4010, func() *Interchange { return testISA("00401") },
			"ISA*00*          *00*          *ZZ*B2BGW          *01*123456789      *260314*0926*U*00401*000000042*0*T*>~", WriteError{}},
		{"00501 carries the repetition separator", wrDelims5010, func() *Interchange { return testISA("00501") },
			"ISA*00*          *00*          *ZZ*B2BGW          *01*123456789      *260314*0926*^*00501*000000042*0*T*:~", WriteError{}},
		{"authorization and ack requested", wrDelims4010, func() *Interchange {
			ic := testISA("00401")
			ic.AuthQualifier, ic.AuthInfo, ic.SecurityQualifier, ic.SecurityInfo, ic.AckRequested = "03", "USER", "01", "SECRET", "1"
			return ic
		}, "ISA*03*USER      *01*SECRET    *ZZ*B2BGW          *01*123456789      *260314*0926*U*00401*000000042*1*T*>~", WriteError{}},
		{"sender id too long", wrDelims4010, func() *Interchange { ic := testISA("00401"); ic.SenderID = "SIXTEEN-CHARS-ID"; return ic },
			"", WriteError{Err: ErrISAField, Element: 6}},
		{"auth info too long", wrDelims4010, func() *Interchange { ic := testISA("00401"); ic.AuthInfo = "ELEVENCHARS"; return ic },
			"", WriteError{Err: ErrISAField, Element: 2}},
		{"blank receiver", wrDelims4010, func() *Interchange { ic := testISA("00401"); ic.ReceiverID = ""; return ic },
			"", WriteError{Err: ErrISAField, Element: 8}},
		{"control too long", wrDelims4010, func() *Interchange { ic := testISA("00401"); ic.Control = "1000000000"; return ic },
			"", WriteError{Err: ErrISAField, Element: 13}},
		{"control zero", wrDelims4010, func() *Interchange { ic := testISA("00401"); ic.Control = "0"; return ic },
			"", WriteError{Err: ErrISAField, Element: 13}},
		{"bad date", wrDelims4010, func() *Interchange { ic := testISA("00401"); ic.Date = "2603"; return ic },
			"", WriteError{Err: ErrISAField, Element: 9}},
		{"bad usage", wrDelims4010, func() *Interchange { ic := testISA("00401"); ic.Usage = "X"; return ic },
			"", WriteError{Err: ErrISAField, Element: 15}},
		{"delimiter in sender id", wrDelims4010, func() *Interchange { ic := testISA("00401"); ic.SenderID = "A*B"; return ic },
			"", WriteError{Err: ErrValueHasDelimiter, Element: 6}},
		{"00501 without repetition separator", wrDelims4010, func() *Interchange { return testISA("00501") },
			"", WriteError{Err: ErrISAField, Element: 11}},
		{"00401 with repetition separator", wrDelims5010, func() *Interchange { return testISA("00401") },
			"", WriteError{Err: ErrISAField, Element: 11}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := writeAll(t, tc.d, func(w *Writer) error { return w.WriteISA(tc.ic()) })
			if tc.err.Err != nil {
				var we *WriteError
				if !errors.Is(err, tc.err.Err) || !errors.As(err, &we) || we.Element != tc.err.Element {
					t.Fatalf("error %v, want %v at ISA%02d", err, tc.err.Err, tc.err.Element)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
			if len(got) != 106 {
				t.Errorf("ISA is %d bytes, want 106", len(got))
			}
			// The reader must find the same delimiters in what we wrote.
			seg, err := NewReaderBytes([]byte(got)).Next()
			if err != nil {
				t.Fatalf("reading back: %v", err)
			}
			if seg.Delimiters() != tc.d {
				t.Errorf("read back delimiters %v, want %v", seg.Delimiters(), tc.d)
			}
		})
	}
}

func TestWriterEnvelopeCounts(t *testing.T) {
	t.Parallel()
	got, err := writeAll(t, wrDelims4010, func(w *Writer) error {
		w.BeginInterchange(testISA("00401"))
		for g := 1; g <= 2; g++ {
			w.BeginGroup(&Group{FunctionalID: "PO", AppSender: "B2BGW", AppReceiver: "ACME", Date: "20260314", Time: "0926",
				Control: strings.Repeat("7", g), Version: "004010"})
			for s := 1; s <= g; s++ {
				w.BeginSet("850", "000"+string(rune('0'+s)))
				w.WriteSegment("BEG", "00", "SA", "PO1", "", "20260314")
				w.WriteSegment("PO1", "1", "10", "EA")
				w.EndSet()
			}
			w.EndGroup()
		}
		return w.EndInterchange()
	}, WithLineBreak("\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"ISA*00*          *00*          *ZZ*B2BGW          *01*123456789      *260314*0926*U*00401*000000042*0*T*>~",
		"GS*PO*B2BGW*ACME*20260314*0926*7*X*004010~",
		"ST*850*0001~", "BEG*00*SA*PO1**20260314~", "PO1*1*10*EA~", "SE*4*0001~",
		"GE*1*7~",
		"GS*PO*B2BGW*ACME*20260314*0926*77*X*004010~",
		"ST*850*0001~", "BEG*00*SA*PO1**20260314~", "PO1*1*10*EA~", "SE*4*0001~",
		"ST*850*0002~", "BEG*00*SA*PO1**20260314~", "PO1*1*10*EA~", "SE*4*0002~",
		"GE*2*77~",
		"IEA*2*000000042~", "",
	}, "\n")
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	// Everything written reads back as the same segments.
	r := NewReaderBytes([]byte(got))
	n := 0
	for {
		if _, err := r.Next(); err != nil {
			if err != io.EOF {
				t.Fatalf("reading back segment %d: %v", n+1, err)
			}
			break
		}
		n++
	}
	if n != 18 {
		t.Errorf("read back %d segments, want 18", n)
	}
}
