package edifact

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// latinInterchange is one ORDERS in syntax level id whose NAD name (and an
// FTX text) are the bytes given.
func latinInterchange(id, name, ftx string) string {
	return "UNA:+.? '" + "UNB+" + id + ":3+S:14+R:14+251126:1200+IC1'" +
		"UNH+M1+ORDERS:D:96A:UN'BGM+220+PO1+9'" +
		"NAD+BY+8712345000004::9++" + name + "+Street 1'" +
		"FTX+ZZZ+++" + ftx + "'" +
		"UNT+5+M1'UNZ+1+IC1'"
}

// decodeMessages returns the messages of in, each with its repertoire
// check done.
func decodeMessages(t *testing.T, in string, opts ...DecoderOption) []*Message {
	t.Helper()
	d := NewDecoderBytes([]byte(in), opts...)
	var out []*Message
	for {
		ev, err := d.Next()
		if err != nil {
			if err != io.EOF && !Fatal(err) {
				t.Fatal(err)
			}
			return out // a fatal error ends the input like io.EOF
		}
		if ev.Kind == EventMessage {
			ev.Message.CheckRepertoire()
			out = append(out, ev.Message)
		}
	}
}

func TestToUTF8(t *testing.T) {
	tests := []struct {
		name, id, nameIn, ftxIn string
		wantName, wantFTX       string
	}{
		{"UNOC latin-1", "UNOC", "M\xfcller Gro\xdfhandel", "Stra\xdfe", "Müller Großhandel", "Straße"},
		{"UNOC release before a high byte", "UNOC", "?\xe9t\xe9", "Caf\xe9?+Bar?:\xe0?'", "été", "Café+Bar:à'"},
		{"UNOC release after a high byte", "UNOC", "\xc0?+\xc9", "\xff??", "À+É", "ÿ?"},
		{"UNOD latin-2", "UNOD", "\xa3\xf3d\xbc", "\xa9koda", "Łódź", "Škoda"},
		{"UNOE cyrillic", "UNOE", "\xbc\xde\xe1\xda\xd2\xd0", "x", "Москва", "x"},
		{"UNOF greek", "UNOF", "\xc1\xe8\xde\xed\xe1", "x", "Αθήνα", "x"},
		{"UNOL latin-9", "UNOL", "\xbcuvre", "12 \xa4", "Œuvre", "12 €"},
		{"UNOK latin-5", "UNOK", "\xdd\xfeyerler", "x", "İşyerler", "x"},
		{"UNOW is UTF-8 already", "UNOW", "Müller", "€", "Müller", "€"},
		{"UNOC without high bytes", "UNOC", "Europa Foods", "ring?+bell", "Europa Foods", "ring+bell"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ms := decodeMessages(t, latinInterchange(tc.id, tc.nameIn, tc.ftxIn))
			if len(ms) != 1 {
				t.Fatalf("%d messages", len(ms))
			}
			m := ms[0]
			if len(m.SegmentErrors) != 0 {
				t.Fatalf("findings before conversion: %+v", m.SegmentErrors)
			}
			type shape struct {
				pos   Position
				elems int
				comps []int
			}
			shapes := func() []shape {
				var out []shape
				for i := range m.Segments {
					s := &m.Segments[i]
					sh := shape{pos: s.Pos, elems: s.Len()}
					for e := 1; e <= s.Len(); e++ {
						sh.comps = append(sh.comps, s.Components(e))
					}
					out = append(out, sh)
				}
				return out
			}
			before := shapes()
			m.ToUTF8()
			m.ToUTF8() // a second call must not convert again
			if got := shapes(); !reflect.DeepEqual(got, before) {
				t.Errorf("segment shapes changed:\n got %+v\nwant %+v", got, before)
			}
			nad, ftx := &m.Segments[2], &m.Segments[3]
			if got := nad.ComponentString(4, 1); got != tc.wantName {
				t.Errorf("NAD name %q, want %q", got, tc.wantName)
			}
			if got := nad.String(5); got != "Street 1" {
				t.Errorf("NAD street %q, want %q (element ends moved wrongly)", got, "Street 1")
			}
			if got := ftx.ComponentString(4, 1); got != tc.wantFTX {
				t.Errorf("FTX text %q, want %q", got, tc.wantFTX)
			}
			for i := range m.Segments {
				if raw := m.Segments[i].Raw(); !utf8.Valid(raw) {
					t.Errorf("segment %d is not UTF-8: %q", i+1, raw)
				}
			}
		})
	}
}

// TestToUTF8LeavesAlone: what is not converted.
func TestToUTF8LeavesAlone(t *testing.T) {
	tests := []struct{ name, in, want string }{
		// 0xA7 as the data element separator: a converted byte's
		// continuation byte could be it, so nothing is converted.
		{"high separator", "UNA:\xa7.? 'UNB\xa7UNOC:3\xa7S\xa7R\xa7251126:1200\xa7IC1'UNH\xa7M1\xa7ORDERS:D:96A:UN'FTX\xa7ZZZ\xa7\xa7\xa7\xe7a'UNT\xa73\xa7M1'UNZ\xa71\xa7IC1'", "\xe7a"},
		{"UNOB", "UNB+UNOB:3+S+R+251126:1200+IC1'UNH+M1+ORDERS:D:96A:UN'FTX+ZZZ+++\xe7a'UNT+3+M1'UNZ+1+IC1'", "\xe7a"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ms := decodeMessages(t, tc.in, WithRepertoire(RepertoireOff))
			if len(ms) != 1 {
				t.Fatalf("%d messages", len(ms))
			}
			ms[0].ToUTF8()
			if got := ms[0].Segments[1].ComponentString(4, 1); got != tc.want {
				t.Errorf("FTX text %q, want %q unchanged", got, tc.want)
			}
		})
	}
}

// TestDeferredRepertoire: the check left to CheckRepertoire finds what the
// decoder finds, in the same order, for every policy.
func TestDeferredRepertoire(t *testing.T) {
	inputs := map[string]string{
		"UNOC C1 control":       latinInterchange("UNOC", "M\x85ller", "ok"),
		"UNOC clean":            latinInterchange("UNOC", "M\xfcller", "ok"),
		"UNOA lower case":       latinInterchange("UNOA", "Europa", "RING?+BELL"),
		"UNOB high byte":        latinInterchange("UNOB", "M\xfcller", "x\xff"),
		"UNOW bad UTF-8":        latinInterchange("UNOW", "M\xfcller", "\xc3"),
		"UNOY split sequence":   latinInterchange("UNOY", "ok\xc3", "\xa9ok"),
		"bad tag and bad chars": "UNB+UNOA:3+S+R+251126:1200+IC1'UNH+M1+ORDERS:D:96A:UN'bgm+x\xff'FTX+a'%%+\x01'UNT+5+M1'UNZ+1+IC1'",
		"repetitions":           "UNB+UNOA:4+S+R+251126:1200+IC1'UNH+M1+ORDERS:D:96A:UN'FTX+A*B:c*D'UNT+3+M1'UNZ+1+IC1'",
		"bad char in UNH":       "UNB+UNOA:3+S+R+251126:1200+IC1'UNH+m1+ORDERS:D:96A:UN'UNT+2+m1'UNZ+1+IC1'",
		"no UNT":                "UNB+UNOA:3+S+R+251126:1200+IC1'UNH+M1+ORDERS:D:96A:UN'FTX+a'UNZ+1+IC1'",
		"no UNT, bad UNZ":       "UNB+UNOA:3+S+R+251126:1200+IC1'UNH+M1+ORDERS:D:96A:UN'FTX+a'UNZ+1+ic1'",
		"no UNT, bad UNE":       "UNB+UNOA:3+S+R+251126:1200+IC1'UNG+ORDERS+S+R+251126:1200+G1+UN+D:96A'UNH+M1+ORDERS:D:96A:UN'FTX+a'UNE+1+g1'UNZ+1+IC1'",
	}
	files, _ := filepath.Glob("../../testdata/edifact/bad/*.edi")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		inputs[filepath.Base(name)] = string(b)
	}
	for name, in := range inputs {
		for _, pol := range []RepertoirePolicy{RepertoireStrict, RepertoireWarn, RepertoireOff} {
			t.Run(name+"/"+[]string{"strict", "warn", "off"}[pol], func(t *testing.T) {
				if strings.Contains(name, "garbage") {
					t.Skip("no message")
				}
				want := decodeMessages(t, in, WithRepertoire(pol))
				got := decodeMessages(t, in, WithRepertoire(pol), WithDeferredRepertoire())
				if len(got) != len(want) {
					t.Fatalf("%d messages, want %d", len(got), len(want))
				}
				for i := range want {
					if !reflect.DeepEqual(got[i].SegmentErrors, want[i].SegmentErrors) {
						t.Errorf("message %d:\n got %+v\nwant %+v", i+1, got[i].SegmentErrors, want[i].SegmentErrors)
					}
				}
			})
		}
	}
}

// TestTrailerCharsOutsideMessage: a UNE or UNZ that cuts a message short
// (no UNT) is not a segment of that message: a character outside the
// repertoire in it is the interchange's problem (UCI 21), and the
// message keeps its own findings, the check deferred or not. (It was
// filed under the message's last segment, where the deferred check then
// took it for the segment's own finding and skipped that one.)
func TestTrailerCharsOutsideMessage(t *testing.T) {
	for _, tc := range []struct{ name, in, trailer string }{
		{"UNZ", "UNB+UNOA:3+S+R+251126:1200+IC1'UNH+M1+ORDERS:D:96A:UN'FTX+a'UNZ+1+ic1'", "UNZ"},
		{"UNE", "UNB+UNOA:3+S+R+251126:1200+IC1'UNG+ORDERS+S+R+251126:1200+G1+UN+D:96A'UNH+M1+ORDERS:D:96A:UN'FTX+a'UNE+1+g1'UNZ+1+IC1'", "UNE"},
	} {
		for _, deferred := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/deferred=%v", tc.name, deferred), func(t *testing.T) {
				var opts []DecoderOption
				if deferred {
					opts = append(opts, WithDeferredRepertoire())
				}
				d := NewDecoderBytes([]byte(tc.in), opts...)
				var msgs []*Message
				var icProblems []Problem
				for {
					ev, err := d.Next()
					if err != nil {
						if err != io.EOF {
							t.Fatal(err)
						}
						break
					}
					switch ev.Kind {
					case EventMessage:
						ev.Message.CheckRepertoire()
						msgs = append(msgs, ev.Message)
					case EventInterchangeEnd:
						icProblems = ev.Interchange.Problems
					}
				}
				if len(msgs) != 1 {
					t.Fatalf("%d messages", len(msgs))
				}
				var ftx, trailer int
				for _, e := range msgs[0].SegmentErrors {
					switch e.SegmentID {
					case "FTX":
						ftx++
					default:
						t.Errorf("message finding on %s (position %d): %+v", e.SegmentID, e.Position, e)
					}
				}
				if ftx != 1 {
					t.Errorf("the FTX's own bad character: %d findings, want 1 (%+v)", ftx, msgs[0].SegmentErrors)
				}
				for _, p := range icProblems {
					if p.Code == CodeInvalidCharacter && p.Segment == tc.trailer {
						trailer++
					}
				}
				if trailer != 1 {
					t.Errorf("the %s's bad character: %d interchange findings, want 1 (%+v)", tc.trailer, trailer, icProblems)
				}
			})
		}
	}
}
