package edifact

import (
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
)

// messageDump renders everything a caller can read from a message, its
// segments' bytes and positions included.
func messageDump(m *Message) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s:%s:%s:%s:%s %q %v trailer %v %q %q\n", m.Ref, m.Type, m.Version, m.Release, m.Agency, m.Association,
		m.CommonAccessRef, m.Pos, m.HasTrailer, m.TrailerCount, m.TrailerControl)
	for i := range m.Segments {
		s := &m.Segments[i]
		fmt.Fprintf(&b, "  %v %s %d %v\n", s.Pos, s.Format(), s.Len(), s.HasRelease())
		for e := 1; e <= s.Len(); e++ {
			fmt.Fprintf(&b, "    %q\n", s.Value(e))
		}
	}
	fmt.Fprintf(&b, "  problems %+v\n  segment errors %+v\n", m.Problems, m.SegmentErrors)
	if m.Interchange != nil {
		fmt.Fprintf(&b, "  interchange %s\n", m.Interchange.Control)
	}
	if m.Group != nil {
		fmt.Fprintf(&b, "  group %s\n", m.Group.Control)
	}
	return b.String()
}

// decodeDumps decodes in and returns the dump of every message as it is
// handed out, and the dumps of the other events' kinds in between.
// reuse, when not nil, is told about every message and gives some back.
func decodeDumps(t *testing.T, in string, reuse func(d *Decoder, m *Message), opts ...DecoderOption) []string {
	t.Helper()
	d := NewDecoder(strings.NewReader(in), opts...)
	var out []string
	for {
		ev, err := d.Next()
		if err != nil {
			out = append(out, fmt.Sprintf("end: %v", err))
			break
		}
		if ev.Kind != EventMessage {
			out = append(out, ev.Kind.String())
			continue
		}
		out = append(out, messageDump(ev.Message))
		if reuse != nil {
			reuse(d, ev.Message)
		}
	}
	for _, s := range d.Stray() {
		out = append(out, "stray: "+s.Error())
	}
	return out
}

// TestDecoderReuse: a decode that gives messages back at random moments
// (in random order, some twice, some of them messages of another decoder)
// hands out exactly what a decode without Reuse hands out, and a message
// still held is never changed by the messages decoded after it.
func TestDecoderReuse(t *testing.T) {
	tests := []struct {
		name     string
		seed     uint64
		opts     []DecoderOption
		trunc    bool
		implicit bool // WithReusedMessages: the decoder takes each message back itself
	}{
		{"clean and damaged", 1, nil, false, false},
		{"truncated", 2, nil, true, false},
		{"with WithReusedMessages", 3, []DecoderOption{WithReusedMessages()}, false, true},
		{"repertoire warnings", 4, []DecoderOption{WithRepertoire(RepertoireWarn)}, true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(tc.seed, 42))
			in := procInput(rng, 30, tc.trunc)
			want := decodeDumps(t, in, nil, tc.opts...)

			type held struct {
				m    *Message
				dump string
			}
			var hold []held
			var foreign []*Message // messages of another decoder
			other := NewDecoder(strings.NewReader(in))
			for len(foreign) < 5 {
				ev, err := other.Next()
				if err != nil {
					break
				}
				if ev.Kind == EventMessage {
					foreign = append(foreign, ev.Message)
				}
			}
			reused, checked := 0, 0
			got := decodeDumps(t, in, func(d *Decoder, m *Message) {
				if tc.implicit {
					// The decoder takes m back at the next Next: it must
					// not be held, but others may be given back too.
					if rng.IntN(4) == 0 && len(foreign) > 0 {
						d.Reuse(foreign[len(foreign)-1])
						foreign = foreign[:len(foreign)-1]
					}
					return
				}
				hold = append(hold, held{m, messageDump(m)})
				for rng.IntN(3) == 0 && len(hold) > 0 {
					i := rng.IntN(len(hold))
					h := hold[i]
					// Held until now: nothing decoded since touched it.
					if now := messageDump(h.m); now != h.dump {
						t.Fatalf("a held message changed before it was given back:\nwas %s\nnow %s", h.dump, now)
					}
					checked++
					d.Reuse(h.m)
					if rng.IntN(5) == 0 {
						d.Reuse(h.m) // twice: ignored
					}
					reused++
					hold = append(hold[:i], hold[i+1:]...)
				}
				if rng.IntN(10) == 0 {
					d.Reuse(nil)
				}
			}, tc.opts...)
			for _, h := range hold {
				if now := messageDump(h.m); now != h.dump {
					t.Fatalf("a held message changed:\nwas %s\nnow %s", h.dump, now)
				}
			}
			if len(got) != len(want) {
				t.Fatalf("%d events with Reuse, %d without", len(got), len(want))
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("event %d with Reuse:\n%s\nwithout:\n%s", i, got[i], want[i])
				}
			}
			t.Logf("%d events, %d messages given back, %d checked while held", len(want), reused, checked)
		})
	}
}

// TestDecoderReuseBounds: the decoder keeps at most reuseMax messages and
// none larger than reuseKeep.
func TestDecoderReuseBounds(t *testing.T) {
	tests := []struct {
		name  string
		msgs  int
		bytes int
		want  int
	}{
		{"a few", 3, 100, 3},
		{"more than kept", reuseMax + 10, 100, reuseMax},
		{"too large", 3, reuseKeep + 1, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := NewDecoderBytes(nil)
			for i := 0; i < tc.msgs; i++ {
				d.Reuse(&Message{bytes: make([]byte, tc.bytes), Ref: "1"})
			}
			if len(d.free) != tc.want {
				t.Fatalf("%d messages kept, want %d", len(d.free), tc.want)
			}
			for _, m := range d.free {
				if m.Ref != "" || len(m.bytes) != 0 {
					t.Fatalf("a kept message still holds its content: %+v", m)
				}
			}
		})
	}
}

// TestDecoderReuseAllocs: with messages given back, decoding allocates
// next to nothing per message (the UNH reference string).
func TestDecoderReuseAllocs(t *testing.T) {
	in := benchInput()
	msgs := 0
	allocs := testing.AllocsPerRun(1, func() {
		d := NewDecoderBytes(in)
		msgs = 0
		for {
			ev, err := d.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ev.Kind == EventMessage {
				msgs++
				d.Reuse(ev.Message)
			}
		}
	})
	// The strings of a message (its reference) are cut from shared
	// chunks, and the message references are remembered in a bit set:
	// nothing is allocated per message but now and then a chunk.
	if per := allocs / float64(msgs); per > 0.25 {
		t.Errorf("%.2f allocations per message with Reuse; want at most 0.25", per)
	}
}

// TestDecoderReuseKeepsStrings: the strings of a message stay what they
// were after the message is given back and its memory decodes others.
func TestDecoderReuseKeepsStrings(t *testing.T) {
	t.Parallel()
	in := procInput(rand.New(rand.NewPCG(5, 42)), 300, false)
	refs := func(opts ...DecoderOption) []string {
		var out []string
		d := NewDecoder(strings.NewReader(in), opts...)
		for {
			ev, err := d.Next()
			if err != nil {
				return out
			}
			if m := ev.Message; ev.Kind == EventMessage {
				out = append(out, m.Ref, m.Type, m.CommonAccessRef, m.TrailerCount, m.TrailerControl)
			}
		}
	}
	kept, reused := refs(), refs(WithReusedMessages())
	if len(kept) == 0 || fmt.Sprint(kept) != fmt.Sprint(reused) {
		t.Fatalf("strings of given-back messages changed:\n got %q\nwant %q", reused, kept)
	}
}
