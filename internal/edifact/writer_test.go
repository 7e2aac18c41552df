package edifact

import (
	"bytes"
	"errors"
	"testing"
)

func TestWriterRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		d      Delimiters
		syntax int
		opts   []WriterOption
		want   string
	}{
		{"defaults-v3", DefaultDelimiters, 3, nil,
			"UNB+UNOA:3+S:14+R:14+250101:1200+IC1'UNH+1+ORDERS:D:96A:UN'FTX+AAI+++A?+B?:C?'D??E*F'UNT+3+1'UNZ+1+IC1'"},
		{"defaults-v4", DefaultDelimiters, 4, nil,
			"UNB+UNOA:4+S:14+R:14+20250101:1200+IC1'UNH+1+ORDERS:D:96A:UN'FTX+AAI+++A?+B?:C?'D??E?*F'UNT+3+1'UNZ+1+IC1'"},
		{"always-una", DefaultDelimiters, 3, []WriterOption{WithUNA()},
			"UNA:+.? 'UNB+UNOA:3+S:14+R:14+250101:1200+IC1'UNH+1+ORDERS:D:96A:UN'FTX+AAI+++A?+B?:C?'D??E*F'UNT+3+1'UNZ+1+IC1'"},
		{"custom", Delimiters{Component: '|', Element: '^', Decimal: ',', Release: '\\', Segment: '~'}, 3, nil,
			"UNA|^,\\ ~UNB^UNOA|3^S|14^R|14^250101|1200^IC1~UNH^1^ORDERS|D|96A|UN~FTX^AAI^^^A+B:C'D?E*F~UNT^3^1~UNZ^1^IC1~"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			w := NewWriter(&buf, tc.d, tc.opts...)
			date := "250101"
			if tc.syntax == 4 {
				date = "20250101"
			}
			_ = w.BeginInterchange(InterchangeHeader{SyntaxID: "UNOA", SyntaxVersion: tc.syntax, SenderID: "S", SenderQualifier: "14",
				RecipientID: "R", RecipientQualifier: "14", Date: date, Time: "1200", Control: "IC1"})
			_ = w.BeginMessage("1", MessageID{Type: "ORDERS", Version: "D", Release: "96A", Agency: "UN"})
			_ = w.WriteSegment("FTX", "AAI", "", "", "A+B:C'D?E*F", "")
			_ = w.EndMessage()
			_ = w.EndInterchange()
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			if got := buf.String(); got != tc.want {
				t.Fatalf("\n got %s\nwant %s", got, tc.want)
			}
			// Read back: the value comes out as written, the envelope is clean.
			var res *InterchangeResult
			var val string
			err := Process(NewDecoderBytes(buf.Bytes()), func(m *Message) *MessageResult {
				val = m.Segments[1].ComponentString(4, 1)
				return EnvelopeOnly(m)
			}, func(r *InterchangeResult) error { res = r; return nil })
			if err != nil || len(codes(res)) > 0 {
				t.Fatalf("read back: %v %v", err, codes(res))
			}
			if val != "A+B:C'D?E*F" {
				t.Errorf("value read back as %q", val)
			}
		})
	}
}

func TestWriterErrors(t *testing.T) {
	t.Parallel()
	hdr := InterchangeHeader{SyntaxID: "UNOA", SyntaxVersion: 3, SenderID: "S", RecipientID: "R", Date: "250101", Time: "1200", Control: "1"}
	tests := []struct {
		name string
		run  func(w *Writer) error
		want error
	}{
		{"bad-delims", func(w *Writer) error { return w.WriteSegment("FTX") }, ErrBadDelimiters},
		{"no-release", func(w *Writer) error { return w.WriteSegment("FTX", "A\x1dB") }, ErrValueHasDelimiter},
		{"bad-tag", func(w *Writer) error { return w.WriteSegment("ft") }, ErrBadSegmentID},
		{"envelope-tag", func(w *Writer) error { _ = w.BeginInterchange(hdr); return w.WriteSegment("UNH", "1") }, ErrEnvelopeOrder},
		{"repeat-v3", func(w *Writer) error {
			_ = w.BeginInterchange(hdr)
			return w.WriteValues("FTX", Repeat(Simple("a"), Simple("b")))
		}, ErrNoRepetition},
		{"bad-date", func(w *Writer) error { h := hdr; h.Date = "20250101"; return w.BeginInterchange(h) }, ErrEnvelopeField},
		{"unt-without-unh", func(w *Writer) error { _ = w.BeginInterchange(hdr); return w.EndMessage() }, ErrEnvelopeOrder},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := DefaultDelimiters
			switch tc.name {
			case "bad-delims":
				d.Element = 'A'
			case "no-release":
				d = LevelBDelimiters
			}
			var buf bytes.Buffer
			err := tc.run(NewWriter(&buf, d))
			if !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
}
