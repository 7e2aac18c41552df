package edifact

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
	"testing/iotest"

	"github.com/b2bgw/b2bgw/internal/benchgen"
)

// observeAll returns every observable of every call of Next: the segment's
// bytes, element ends, release flag, service characters and position, and
// the error.
func observeAll(r *Reader) []string {
	var out []string
	for calls := 0; calls < 1<<20; calls++ {
		s, err := r.Next()
		if s != nil {
			out = append(out, fmt.Sprintf("%q %v %v %+v %+v", s.Raw(), s.ends, s.HasRelease(), s.Delimiters(), s.Pos))
		}
		if err != nil {
			out = append(out, "err: "+err.Error())
			if Fatal(err) {
				break
			}
		}
	}
	return out
}

func compareFastPath(t *testing.T, in []byte, l Leniency, max int) {
	t.Helper()
	opens := []func() *Reader{
		func() *Reader { return NewReaderBytes(in) },
		func() *Reader { return NewReader(iotest.OneByteReader(bytes.NewReader(in))) },
		func() *Reader { return NewReader(iotest.HalfReader(bytes.NewReader(in))) },
	}
	for k, open := range opens {
		fast, full := open(), open()
		full.fullScan = true
		for _, r := range []*Reader{fast, full} {
			r.Leniency, r.MaxSegmentSize = l, max
		}
		a, b := observeAll(fast), observeAll(full)
		if fmt.Sprint(a) != fmt.Sprint(b) {
			for i := range min(len(a), len(b)) {
				if a[i] != b[i] {
					t.Fatalf("reader %d, %s, max %d, input %q:\ncall %d fast %s\n         full %s", k, l, max, in, i, a[i], b[i])
				}
			}
			t.Fatalf("reader %d: %d calls fast, %d full, input %q", k, len(a), len(b), in)
		}
	}
}

// TestReaderFastPathMatchesFullScan: the two-character fast path of
// readSegment reads exactly what the full scan reads (positions, lines,
// release flags, errors), on damaged input with line breaks, release
// characters and changing service characters, from memory and streams.
func TestReaderFastPathMatchesFullScan(t *testing.T) {
	base := benchgen.Edifact(3)
	rng := rand.New(rand.NewPCG(3, 5))
	const alphabet = "'+:?*\n\r ABC019\x1c\x1d\x1f"
	n := 3000
	if testing.Short() {
		n = 300
	}
	for i := 0; i < n; i++ {
		in := append([]byte(nil), base[:200+rng.IntN(len(base)-200)]...)
		for k := rng.IntN(8); k > 0; k-- {
			p := rng.IntN(len(in))
			switch rng.IntN(5) {
			case 0:
				in[p] = alphabet[rng.IntN(len(alphabet))]
			case 1:
				in = append(in[:p], append([]byte("'\r\n"), in[p:]...)...)
			case 2:
				in = append(in[:p], append([]byte("??'"), in[p:]...)...)
			case 3:
				in = append(in[:p], append([]byte("UNA:+.? 'UNB+UNOA:4+S+R+250101:1200+2'"), in[p:]...)...)
			case 4:
				in = append(in[:p], append([]byte("UNA|^.\\ ~UNB^UNOB:3^S^R^250101:1200^3~X|Y^\\~\n"), in[p:]...)...)
			}
		}
		if rng.IntN(4) == 0 {
			in = bytes.ReplaceAll(in, []byte("'"), []byte("'\n"))
		}
		max := 0
		if rng.IntN(4) == 0 {
			max = 10 + rng.IntN(40)
		}
		compareFastPath(t, in, Leniency(rng.IntN(3)), max)
	}
}

// FuzzReaderFastPath: the same on the fuzzer's inputs.
//
//	go test ./internal/edifact -run '^$' -fuzz FuzzReaderFastPath -fuzztime 60s
func FuzzReaderFastPath(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s, uint8(0), uint16(0))
	}
	f.Fuzz(func(t *testing.T, in []byte, l uint8, max uint16) {
		compareFastPath(t, in, Leniency(l%3), int(max))
	})
}
