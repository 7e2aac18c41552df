package edifact

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"
	"testing/iotest"

	"github.com/b2bgw/b2bgw/internal/benchgen"
)

// observeDecoder returns every observable of every event: each message's
// segments (bytes, element ends, release flag, service characters,
// position) and findings, and the envelopes' findings.
func observeDecoder(d *Decoder) []string {
	var out []string
	for {
		ev, err := d.Next()
		if err != nil {
			out = append(out, fmt.Sprintf("end: %v strays %v", err, d.Stray()))
			return out
		}
		s := ev.Kind.String()
		switch ev.Kind {
		case EventMessage:
			m := ev.Message
			m.CheckRepertoire()
			for i := range m.Segments {
				g := &m.Segments[i]
				s += fmt.Sprintf(" %q %v %v %+v %+v;", g.Raw(), g.ends, g.HasRelease(), g.Delimiters(), g.Pos)
			}
			s += fmt.Sprintf(" %+v %+v %q %q", m.Problems, m.SegmentErrors, m.TrailerCount, m.TrailerControl)
		case EventGroupEnd:
			s += fmt.Sprintf(" %+v", ev.Group.Problems)
		case EventInterchangeEnd:
			s += fmt.Sprintf(" %+v", ev.Interchange.Problems)
		}
		out = append(out, s)
	}
}

// compareDecoderFastPath decodes in with the reader's fast paths
// (Reader.keepBody, readSegment's) and with its full scan, with the
// repertoire checked by the decoder and deferred, and wants the same.
func compareDecoderFastPath(t *testing.T, in []byte, l Leniency, max int) {
	t.Helper()
	opens := []func() io.Reader{
		func() io.Reader { return nil },
		func() io.Reader { return iotest.OneByteReader(bytes.NewReader(in)) },
		func() io.Reader { return iotest.HalfReader(bytes.NewReader(in)) },
	}
	for k, open := range opens {
		var want []string
		for v, variant := range []struct{ full, deferred bool }{{true, false}, {false, false}, {false, true}, {true, true}} {
			opts := []DecoderOption{WithLeniency(l), WithMaxSegmentSize(max), WithReusedMessages()}
			if variant.deferred {
				opts = append(opts, WithDeferredRepertoire())
			}
			var d *Decoder
			if src := open(); src != nil {
				d = NewDecoder(src, opts...)
			} else {
				d = NewDecoderBytes(in, opts...)
			}
			d.r.fullScan = variant.full
			got := observeDecoder(d)
			if v == 0 {
				want = got
				continue
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				for i := range min(len(got), len(want)) {
					if got[i] != want[i] {
						t.Fatalf("reader %d, variant %+v, %s, max %d, input %q:\nevent %d got  %s\n         want %s", k, variant, l, max, in, i, got[i], want[i])
					}
				}
				t.Fatalf("reader %d, variant %+v: %d events, want %d, input %q", k, variant, len(got), len(want), in)
			}
		}
	}
}

// TestDecoderFastPathMatchesFullScan: messages read by Reader.keepBody,
// and with the repertoire check deferred, are exactly those of the
// reader's full scan and the decoder's own check, on damaged input.
func TestDecoderFastPathMatchesFullScan(t *testing.T) {
	base := benchgen.Edifact(3)
	rng := rand.New(rand.NewPCG(7, 11))
	const alphabet = "'+:?*\n\r abc019UN\x1c\x1d\x1f\xe9"
	n := 1000
	if testing.Short() {
		n = 100
	}
	for i := 0; i < n; i++ {
		in := append([]byte(nil), base[:200+rng.IntN(len(base)-200)]...)
		for k := rng.IntN(8); k > 0; k-- {
			p := rng.IntN(len(in))
			switch rng.IntN(6) {
			case 0:
				in[p] = alphabet[rng.IntN(len(alphabet))]
			case 1:
				in = append(in[:p], append([]byte("'\r\n"), in[p:]...)...)
			case 2:
				in = append(in[:p], append([]byte("??'"), in[p:]...)...)
			case 3:
				in = append(in[:p], append([]byte("UNA:+.? 'UNB+UNOC:4+S+R+250101:1200+2'"), in[p:]...)...)
			case 4:
				in = append(in[:p], append([]byte("UNA|^.\\ ~UNB^UNOB:3^S^R^250101:1200^3~X|Y^\\~\n"), in[p:]...)...)
			case 5:
				in = append(in[:p], append([]byte("'UNH+X+ORDERS:D:96A:UN'"), in[p:]...)...)
			}
		}
		if rng.IntN(4) == 0 {
			in = bytes.ReplaceAll(in, []byte("'"), []byte("'\n"))
		}
		max := 0
		if rng.IntN(4) == 0 {
			max = 10 + rng.IntN(40)
		}
		compareDecoderFastPath(t, in, Leniency(rng.IntN(3)), max)
	}
}

// FuzzDecoderFastPath: the same on the fuzzer's inputs.
//
//	go test ./internal/edifact -run '^$' -fuzz FuzzDecoderFastPath -fuzztime 60s
func FuzzDecoderFastPath(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s, uint8(0), uint16(0))
	}
	f.Add([]byte(latinInterchange("UNOC", "M\xfcller", "a?\xe9")), uint8(1), uint16(0))
	f.Add([]byte(latinInterchange("UNOW", "M\xfcller", "\xc3")), uint8(0), uint16(12))
	f.Fuzz(func(t *testing.T, in []byte, l uint8, max uint16) {
		compareDecoderFastPath(t, in, Leniency(l%3), int(max))
	})
}
