package x12

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/b2bgw/b2bgw/internal/benchgen"
)

// dumpSet renders everything a set holds, segment bytes and positions
// included, so that two renderings differ when a byte of the set changed.
func dumpSet(s *Set) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %q %v trailer=%v %q %q\n", s.ID, s.Control, s.ImplementationRef, s.Pos, s.HasTrailer, s.TrailerCount, s.TrailerControl)
	for i := range s.Segments {
		seg := &s.Segments[i]
		fmt.Fprintf(&b, "  %q %d %v %v\n", seg.Raw(), seg.Len(), seg.Delimiters(), seg.Pos)
	}
	for _, p := range s.Problems {
		fmt.Fprintf(&b, "  problem %s %v %s\n", p.Code, p.Pos, p.Message)
	}
	for _, e := range s.SegmentErrors {
		fmt.Fprintf(&b, "  segment error %+v\n", e)
	}
	if s.Group != nil {
		fmt.Fprintf(&b, "  group %s\n", s.Group.Control)
	}
	if s.Interchange != nil {
		fmt.Fprintf(&b, "  interchange %s\n", s.Interchange.Control)
	}
	return b.String()
}

// decodeSets decodes in and renders every set as it arrives. hold, when
// not nil, is called with each set and returns the sets to give back now.
func decodeSets(t *testing.T, d *Decoder, hold func(*Set) []*Set) ([]string, error) {
	t.Helper()
	var sets []string
	for {
		ev, err := d.Next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = nil
			}
			return sets, err
		}
		if ev.Kind != EventSet {
			continue
		}
		sets = append(sets, dumpSet(ev.Set))
		if hold != nil {
			for _, s := range hold(ev.Set) {
				d.Reuse(s)
			}
		}
	}
}

// A set given back must never share memory with a set the caller still
// holds: the caller holds a random number of sets and gives random ones
// back, and every set must read as it does when nothing is given back,
// both when it arrives and when it is given back.
func TestDecoderReuseNoAliasing(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	inputs := []struct {
		name string
		in   string
	}{
		{"generated orders", string(benchgen.X12(300, true))},
		{"generated orders, no line breaks", string(benchgen.X12(300, false))},
		{"envelope and segment problems", procInput(rng, 40, false)},
		{"truncated", procInput(rng, 20, true)},
	}
	for _, tc := range inputs {
		t.Run(tc.name, func(t *testing.T) {
			want, wantErr := decodeSets(t, NewDecoderBytes([]byte(tc.in)), nil)
			if len(want) < 50 {
				t.Fatalf("only %d sets in the input", len(want))
			}
			for _, mode := range []string{"bytes", "stream"} {
				for seed := range uint64(4) {
					d := NewDecoderBytes([]byte(tc.in))
					if mode == "stream" {
						d = NewDecoder(strings.NewReader(tc.in))
					}
					rng := rand.New(rand.NewPCG(seed, 3))
					type held struct {
						s    *Set
						dump string
					}
					var holding []held
					hold := func(s *Set) []*Set {
						holding = append(holding, held{s, dumpSet(s)})
						var back []*Set
						for len(holding) > 0 && rng.IntN(3) > 0 {
							i := rng.IntN(len(holding))
							h := holding[i]
							if got := dumpSet(h.s); got != h.dump {
								t.Fatalf("%s, seed %d: a held set changed before it was given back:\n%s\nwas:\n%s", mode, seed, got, h.dump)
							}
							holding = append(holding[:i], holding[i+1:]...)
							back = append(back, h.s)
						}
						if rng.IntN(10) == 0 {
							back = append(back, back...) // given back twice: ignored
						}
						return back
					}
					got, err := decodeSets(t, d, hold)
					if !errors.Is(err, wantErr) && (err == nil || wantErr == nil || err.Error() != wantErr.Error()) {
						t.Fatalf("%s, seed %d: error %v, want %v", mode, seed, err, wantErr)
					}
					if len(got) != len(want) {
						t.Fatalf("%s, seed %d: %d sets, want %d", mode, seed, len(got), len(want))
					}
					for i := range want {
						if got[i] != want[i] {
							t.Fatalf("%s, seed %d: set %d with Reuse:\n%s\nwithout:\n%s", mode, seed, i, got[i], want[i])
						}
					}
					for _, h := range holding {
						if got := dumpSet(h.s); got != h.dump {
							t.Fatalf("%s, seed %d: a set held to the end changed:\n%s\nwas:\n%s", mode, seed, got, h.dump)
						}
					}
				}
			}
		})
	}
}

// Reuse ignores what it must not take: the decoder then allocates afresh,
// and the set handed in stays as it was.
func TestDecoderReuseIgnored(t *testing.T) {
	in := []byte(string(benchgen.X12(3, true)))
	first := func(d *Decoder) *Set {
		for {
			ev, err := d.Next()
			if err != nil {
				t.Fatalf("no set: %v", err)
			}
			if ev.Kind == EventSet {
				return ev.Set
			}
		}
	}
	tests := []struct {
		name string
		give func(d *Decoder) *Set // the set handed to Reuse, after the first set was decoded
	}{
		{"nil", func(*Decoder) *Set { return nil }},
		{"built by the caller", func(*Decoder) *Set {
			return &Set{ID: "850", Segments: []Segment{NewSegment(DefaultDelimiters, "ST", "850", "0001")}}
		}},
		{"from another decoder", func(*Decoder) *Set { return first(NewDecoderBytes(in)) }},
		{"over the size kept", func(*Decoder) *Set {
			big := NewDecoderBytes([]byte(strings.Replace(string(in), "REF*DP*", "REF*DP*"+strings.Repeat("X", maxFreeSetBytes), 1)), WithMaxSegmentSize(2*maxFreeSetBytes))
			s := first(big)
			if cap(s.bytes) <= maxFreeSetBytes {
				t.Fatalf("the big set holds only %d bytes", cap(s.bytes))
			}
			big.Reuse(s)
			if len(big.free) != 0 {
				t.Errorf("a set of %d bytes was kept", cap(s.bytes))
			}
			return s
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := NewDecoderBytes(in)
			held := first(d)
			heldDump := dumpSet(held)
			s := tc.give(d)
			var before string
			if s != nil {
				before = dumpSet(s)
			}
			d.Reuse(s)
			if len(d.free) != 0 {
				t.Fatalf("the decoder kept the set")
			}
			next := first(d)
			if next == s || next == held {
				t.Errorf("the next set reuses a set it must not take")
			}
			if s != nil && dumpSet(s) != before {
				t.Errorf("the set handed in changed:\n%s\nwas:\n%s", dumpSet(s), before)
			}
			if dumpSet(held) != heldDump {
				t.Errorf("the held set changed")
			}
		})
	}
}

// A set given back twice is kept once: two later sets never share it.
func TestDecoderReuseTwice(t *testing.T) {
	d := NewDecoderBytes(benchgen.X12(5, true))
	var sets []*Set // the sets decoded after the first, all held
	gaveBack := false
	for {
		ev, err := d.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if ev.Kind != EventSet {
			continue
		}
		for _, s := range sets {
			if s == ev.Set {
				t.Fatalf("set %s is set %s given back twice", ev.Set.Control, s.Control)
			}
		}
		if !gaveBack {
			d.Reuse(ev.Set)
			d.Reuse(ev.Set)
			gaveBack = true
			continue
		}
		sets = append(sets, ev.Set)
	}
	if len(sets) < 2 {
		t.Fatalf("only %d sets decoded after the first", len(sets))
	}
}

// FuzzDecoderReuse decodes arbitrary input with and without giving sets
// back: every set must read the same, whatever the input does to the
// envelope (sets cut off, bad tags, strays, truncation).
func FuzzDecoderReuse(f *testing.F) {
	gs := "GS*PO*SENDER*RECEIVER*20251126*1200*7*X*004010~"
	f.Add(isa4010+gs+"ST*850*0001~BEG*00*SA*PO1**20251126~SE*3*0001~ST*850*0002~b@d*1~SE*3*0002~GE*2*7~IEA*1*000000001~", uint8(1))
	f.Add(isa4010+gs+"ST*850*0001~BEG*00*SA*PO1**20251126~ST*850*0002~REF*DP*1~GE*2*7~IEA*1*000000001~ZZZ*1~", uint8(2))
	f.Add(procInput(rand.New(rand.NewPCG(1, 2)), 3, true), uint8(3))
	f.Fuzz(func(t *testing.T, in string, hold uint8) {
		want, wantErr := decodeSets(t, NewDecoderBytes([]byte(in)), nil)
		type kept struct {
			s    *Set
			dump string
		}
		var held []kept
		got, err := decodeSets(t, NewDecoderBytes([]byte(in)), func(s *Set) []*Set {
			// keep the last hold%4 sets, give back the older ones, which
			// must not have changed while they were kept
			held = append(held, kept{s, dumpSet(s)})
			var back []*Set
			for len(held) > int(hold%4) {
				if now := dumpSet(held[0].s); now != held[0].dump {
					t.Fatalf("a kept set changed:\n%s\nwas:\n%s", now, held[0].dump)
				}
				back = append(back, held[0].s)
				held = held[1:]
			}
			return back
		})
		if fmt.Sprint(err) != fmt.Sprint(wantErr) {
			t.Fatalf("error %v with Reuse, %v without", err, wantErr)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("sets with Reuse:\n%s\nwithout:\n%s", got, want)
		}
	})
}
