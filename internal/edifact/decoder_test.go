package edifact

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files")

// codes summarises the findings of an interchange result: level:segment:element:code.
func codes(r *InterchangeResult) []string {
	var out []string
	for _, p := range r.Interchange.Problems {
		out = append(out, fmt.Sprintf("UCI:%s:%d:%s", p.Segment, p.Element, p.Code))
	}
	msgs := func(prefix string, ms []*MessageResult) {
		for _, m := range ms {
			for _, p := range m.Problems {
				out = append(out, fmt.Sprintf("%sUCM %s:%s:%d:%s", prefix, m.Ref, p.Segment, p.Element, p.Code))
			}
			for _, s := range m.Segments {
				if s.Code != "" {
					out = append(out, fmt.Sprintf("%sUCS %s:%d:%s:%s", prefix, m.Ref, s.Position, s.SegmentID, s.Code))
				}
				for _, e := range s.Elements {
					out = append(out, fmt.Sprintf("%sUCD %s:%d:%s%02d-%d:%s", prefix, m.Ref, s.Position, s.SegmentID, e.Position, e.Component, e.Code))
				}
			}
		}
	}
	msgs("", r.Messages)
	for _, g := range r.Groups {
		for _, p := range g.Group.Problems {
			out = append(out, fmt.Sprintf("UCF %s:%s:%d:%s", g.Group.Control, p.Segment, p.Element, p.Code))
		}
		msgs("G ", g.Messages)
	}
	return out
}

func decodeAll(t *testing.T, in string, opts ...DecoderOption) ([]*InterchangeResult, *Decoder, error) {
	t.Helper()
	d := NewDecoderBytes([]byte(in), opts...)
	var rs []*InterchangeResult
	err := Process(d, EnvelopeOnly, func(r *InterchangeResult) error { rs = append(rs, r); return nil })
	return rs, d, err
}

const (
	unb3 = "UNA:+.? 'UNB+UNOA:3+SENDER:14+RECEIVER:14+250101:1200+IC1++++1'"
	unb4 = "UNB+UNOC:4+SENDER:14+RECEIVER:14+20250101:1200+IC1++++1'"
)

func TestDecoderEnvelope(t *testing.T) {
	t.Parallel()
	msg := "UNH+M1+ORDERS:D:96A:UN'BGM+220+PO1+9'UNT+3+M1'"
	tests := []struct {
		name string
		in   string
		opts []DecoderOption
		want []string
		err  error
	}{
		{"clean", unb3 + msg + "UNZ+1+IC1'", nil, nil, nil},
		{"clean-syntax4", unb4 + msg + "UNZ+1+IC1'", nil, nil, nil},
		{"missing-unz", unb3 + msg, nil, []string{"UCI:UNZ:0:13"}, nil},
		{"wrong-unt-count", unb3 + "UNH+M1+ORDERS:D:96A:UN'BGM+220+PO1+9'UNT+4+M1'UNZ+1+IC1'", nil, []string{"UCM M1:UNT:1:29"}, nil},
		{"wrong-unt-ref", unb3 + "UNH+M1+ORDERS:D:96A:UN'BGM+220+PO1+9'UNT+3+M2'UNZ+1+IC1'", nil, []string{"UCM M1:UNT:2:28"}, nil},
		{"wrong-unz", unb3 + msg + "UNZ+2+IC9'", nil, []string{"UCI:UNZ:1:29", "UCI:UNZ:2:28"}, nil},
		{"missing-unt", unb3 + "UNH+M1+ORDERS:D:96A:UN'BGM+220+PO1+9'UNZ+1+IC1'", nil, []string{"UCM M1:UNT:0:13"}, nil},
		{"empty-interchange", unb3 + "UNZ+0+IC1'", nil, []string{"UCI:UNB:0:32"}, nil},
		{"lower-case-unoa", unb3 + "UNH+M1+ORDERS:D:96A:UN'FTX+AAI+++hello'UNT+3+M1'UNZ+1+IC1'", nil, []string{"UCD M1:2:FTX04-0:21"}, nil},
		{"lower-case-unoa-warn", unb3 + "UNH+M1+ORDERS:D:96A:UN'FTX+AAI+++hello'UNT+3+M1'UNZ+1+IC1'", []DecoderOption{WithRepertoire(RepertoireWarn)}, []string{"UCD M1:2:FTX04-0:21"}, nil},
		{"lower-case-unoc", strings.Replace(unb3, "UNOA", "UNOC", 1) + "UNH+M1+ORDERS:D:96A:UN'FTX+AAI+++hell\xf6'UNT+3+M1'UNZ+1+IC1'", nil, nil, nil},
		{"control-char-unoc", strings.Replace(unb3, "UNOA", "UNOC", 1) + "UNH+M1+ORDERS:D:96A:UN'FTX+AAI+++A:B\x01'UNT+3+M1'UNZ+1+IC1'", nil, []string{"UCD M1:2:FTX04-2:21"}, nil},
		{"bad-utf8-unoy", strings.Replace(unb4, "UNOC", "UNOY", 1) + "UNH+M1+ORDERS:D:96A:UN'FTX+AAI+++\xc3'UNT+3+M1'UNZ+1+IC1'", nil, []string{"UCD M1:2:FTX04-0:21"}, nil},
		{"unknown-syntax", strings.Replace(unb3, "UNOA", "KECA", 1) + msg + "UNZ+1+IC1'", nil, []string{"UCI:UNB:1:2"}, nil},
		{"bad-version", strings.Replace(unb3, "UNOA:3", "UNOA:7", 1) + msg + "UNZ+1+IC1'", nil, []string{"UCI:UNB:1:2"}, nil},
		{"bad-date-v4", strings.Replace(unb4, "20250101", "250101", 1) + msg + "UNZ+1+IC1'", nil, []string{"UCI:UNB:4:12"}, nil},
		{"bad-ack-request", strings.Replace(unb3, "IC1++++1", "IC1++++2", 1) + msg + "UNZ+1+IC1'", nil, []string{"UCI:UNB:9:12"}, nil},
		{"test-rejected", strings.Replace(unb3, "IC1++++1", "IC1++++1++1", 1) + msg + "UNZ+1+IC1'", []DecoderOption{WithRejectTest()}, []string{"UCI:UNB:11:25"}, nil},
		{"stray-segment", unb3 + msg + "BGM+1'UNZ+1+IC1'", nil, []string{"UCI:BGM:0:33"}, nil},
		{"duplicate-message-ref", unb3 + msg + msg + "UNZ+2+IC1'", nil, []string{"UCM M1:UNH:1:26"}, nil},
		{"duplicate-numbered-ref", unb3 + strings.ReplaceAll(msg, "M1", "7") + strings.ReplaceAll(msg, "M1", "07") + strings.ReplaceAll(msg, "M1", "7") + "UNZ+3+IC1'", nil, []string{"UCM 7:UNH:1:26"}, nil},
		{"group", unb3 + "UNG+ORDERS+APP1+APP2+250101:1200+G1+UN+D:96A'" + msg + "UNE+1+G1'UNZ+1+IC1'", nil, nil, nil},
		{"group-bad-une", unb3 + "UNG+ORDERS+APP1+APP2+250101:1200+G1+UN+D:96A'" + msg + "UNE+2+G2'UNZ+1+IC1'", nil, []string{"UCF G1:UNE:1:29", "UCF G1:UNE:2:28"}, nil},
		{"group-missing-une", unb3 + "UNG+ORDERS+APP1+APP2+250101:1200+G1+UN+D:96A'" + msg + "UNZ+1+IC1'", nil, []string{"UCF G1:UNE:0:13"}, nil},
		{"mixed", unb3 + msg + "UNG+ORDERS+APP1+APP2+250101:1200+G1+UN+D:96A'" + strings.ReplaceAll(msg, "M1", "M2") + "UNE+1+G1'UNZ+2+IC1'", nil, []string{"UCI:UNG:0:30", "UCI:UNZ:1:29"}, nil},
		{"release-at-end", unb3 + "UNH+M1+ORDERS:D:96A:UN'FTX+AAI+++A?", nil, []string{"UCI:UNZ:0:13", "UCM M1:UNT:0:13"}, ErrReleaseAtEnd},
		{"bad-tag-in-message", unb3 + "UNH+M1+ORDERS:D:96A:UN'b@d+1'UNT+3+M1'UNZ+1+IC1'", nil, []string{"UCS M1:2::12"}, nil},
		{"una-decimal", "UNA:+;? 'UNB+UNOA:3+S+R+250101:1200+IC1'" + msg + "UNZ+1+IC1'", nil, []string{"UCI:UNA:3:20"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rs, _, err := decodeAll(t, tc.in, tc.opts...)
			if !errors.Is(err, tc.err) {
				t.Fatalf("error %v, want %v", err, tc.err)
			}
			if len(rs) != 1 {
				t.Fatalf("%d interchanges", len(rs))
			}
			got := codes(rs[0])
			sort.Strings(got)
			want := append([]string(nil), tc.want...)
			sort.Strings(want)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("\n got %q\nwant %q", got, want)
			}
		})
	}
}

func TestDecoderDuplicates(t *testing.T) {
	t.Parallel()
	in := unb3 + "UNH+M1+ORDERS:D:96A:UN'UNT+2+M1'UNZ+1+IC1'"
	dup := NewMemoryDuplicates()
	for i, want := range []string{"[]", "[UCI:UNB:5:26]"} {
		rs, _, err := decodeAll(t, in, WithDuplicates(context.Background(), dup))
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(codes(rs[0])); got != want {
			t.Errorf("pass %d: %s, want %s", i+1, got, want)
		}
	}
}

func TestDecoderNoInterchange(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"", "\x00\x01garbage", "ISA*00*"} {
		rs, d, err := decodeAll(t, in)
		if err == nil || len(rs) != 0 || len(d.Stray()) != 1 {
			t.Errorf("%q: err %v, %d results, strays %v", in, err, len(rs), d.Stray())
		}
	}
}

var fixedNow = func() time.Time { return time.Date(2025, 3, 4, 5, 6, 0, 0, time.UTC) }

// TestCONTRLGolden decodes each testdata/contrl/*.edi, builds its CONTRL and
// compares it with the .contrl file beside it (go test -update rewrites).
func TestCONTRLGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/contrl/*.edi")
	if len(files) == 0 {
		t.Fatal("no golden inputs")
	}
	for _, name := range files {
		t.Run(filepath.Base(name), func(t *testing.T) {
			in, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			d := NewDecoderBytes(in)
			var out strings.Builder
			err = Process(d, testValidator(t).Validate, func(r *InterchangeResult) error {
				b, err := BuildCONTRL(context.Background(), r, ContrlOptions{References: NewMemoryReferences(), Now: fixedNow, LineBreak: "\n"})
				if err != nil {
					return err
				}
				if b == nil {
					out.WriteString("(no CONTRL)\n")
				}
				out.Write(b)
				return nil
			})
			if err != nil && !Fatal(err) {
				t.Fatal(err)
			}
			if err != nil {
				fmt.Fprintf(&out, "(input error: %v)\n", err)
			}
			golden := strings.TrimSuffix(name, ".edi") + ".contrl"
			if *update {
				if err := os.WriteFile(golden, []byte(out.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if out.String() != string(want) {
				t.Errorf("CONTRL differs from %s:\n got:\n%s\nwant:\n%s", golden, out.String(), want)
			}
			// Every CONTRL we build reads back.
			if s, _, _ := strings.Cut(out.String(), "(input error"); strings.HasPrefix(s, "UN") {
				checkReadBack(t, []byte(s))
			}
		})
	}
}

func checkReadBack(t *testing.T, b []byte) {
	t.Helper()
	d := NewDecoderBytes(b)
	n := 0
	err := Process(d, func(m *Message) *MessageResult {
		if _, err := ReadCONTRL(m); err != nil {
			t.Errorf("reading our CONTRL back: %v", err)
		}
		n++
		return EnvelopeOnly(m)
	}, func(r *InterchangeResult) error {
		if len(codes(r)) > 0 {
			t.Errorf("our CONTRL has envelope problems: %v", codes(r))
		}
		return nil
	})
	if err != nil || n != 1 {
		t.Errorf("read back: %v, %d messages", err, n)
	}
}

func TestCONTRLNeverAnswersCONTRL(t *testing.T) {
	t.Parallel()
	in := unb3 + "UNH+1+CONTRL:D:3:UN'UCI+IC7+RECEIVER:14+SENDER:14+4+29+UNZ+1:0'UNT+3+1'UNZ+1+IC1'"
	rs, _, err := decodeAll(t, in)
	if err != nil {
		t.Fatal(err)
	}
	b, err := BuildCONTRL(context.Background(), rs[0], ContrlOptions{References: NewMemoryReferences(), When: ContrlAlways})
	if err != nil || b != nil {
		t.Errorf("CONTRL answered: %q, %v", b, err)
	}
}

func TestReadCONTRL(t *testing.T) {
	t.Parallel()
	in := unb4 + "UNH+1+CONTRL:4:1:UN'UCI+IC7+RECEIVER:14+SENDER:14+7'UCM+M1+ORDERS:D:96A:UN+4'UCS+3+13'UCS+5'UCD+12+2:1:2'" +
		"UCF+G1+A1+A2+7'UCM+M9+ORDERS:D:96A:UN+4+29+UNT+1'UNT+9+1'UNZ+1+IC1'"
	d := NewDecoderBytes([]byte(in))
	ev := Event{}
	for ev.Kind != EventMessage {
		var err error
		if ev, err = d.Next(); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := ReadCONTRL(ev.Message)
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprintf("%s %s %v M1=%s M9=%s M2=%s", rep.Interchange, rep.Action, rep.Accepted(), rep.MessageStatus("M1"), rep.MessageStatus("M9"), rep.MessageStatus("M2"))
	if want := "IC7 7 true M1=4 M9=4 M2=7"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	m1 := rep.Messages[0]
	if len(m1.Segments) != 2 || m1.Segments[0].Code != CodeMissing || m1.Segments[1].Elements[0] != (ElementError{Position: 2, Component: 1, Repetition: 2, Code: CodeInvalidValue, Message: "invalid value"}) {
		t.Errorf("M1 detail: %+v", m1)
	}
	if e := rep.Groups[0].Messages[0].Error; e == nil || e.Code != CodeCountMismatch || e.Segment != "UNT" || e.Element != 1 {
		t.Errorf("M9 error: %+v", e)
	}
	if _, err := d.Next(); err != nil && err != io.EOF {
		t.Fatal(err)
	}
}
