package x12

import (
	"math/rand/v2"
	"testing"

	"github.com/b2bgw/b2bgw/internal/x12/spec"
)

// The validator's fast paths (word-at-a-time segment scan, rule masks,
// packed code keys, the element short-cut) must agree exactly with the
// plain checks they stand in for. These tests compare them on random data.

func TestSegmentCleanMatchesBytewise(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("AZ09 *~>^.-\x00\x1d\x1f\x20\x7e\x7f\x80\xfe\xff")
	delims := []Delimiters{
		{Element: '*', Component: '>', Segment: '~'},
		{Element: '*', Component: '>', Repetition: '^', Segment: '~'},
		{Element: 0x1d, Component: 0x1f, Repetition: 0x1e, Segment: 0x1c},
		{Element: '*', Component: 0, Segment: '~'},
	}
	ref := func(b []byte, d Delimiters) bool {
		for _, c := range b {
			if c < 0x20 || c > 0x7e || c == d.Component || (d.Repetition != 0 && c == d.Repetition) {
				return false
			}
		}
		return true
	}
	for i := 0; i < 200000; i++ {
		n := rng.IntN(40)
		b := make([]byte, n)
		for j := range b {
			if rng.IntN(8) == 0 {
				b[j] = alphabet[rng.IntN(len(alphabet))]
			} else {
				b[j] = byte(0x20 + rng.IntN(0x5f))
				if rng.IntN(50) == 0 {
					b[j] = byte(rng.IntN(256))
				}
			}
		}
		d := delims[rng.IntN(len(delims))]
		if got, want := segmentClean(b, d), ref(b, d); got != want {
			t.Fatalf("segmentClean(%q, %v) = %v, want %v", b, d, got, want)
		}
	}
}

func TestRuleMaskMatchesRuleBroken(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 100000; i++ {
		r := spec.Rule{Kind: "PRCLEX"[rng.IntN(6)]}
		for k := rng.IntN(5); k >= 0; k-- {
			r.Positions = append(r.Positions, rng.IntN(12)) // 0 and repeats included
		}
		if rng.IntN(20) == 0 {
			r.Positions = append(r.Positions, 63+rng.IntN(3))
		}
		mask := rng.Uint64() & (1<<12 - 1) << 1
		if rng.IntN(3) == 0 {
			mask = rng.Uint64()
		}
		want := ruleBroken(&r, mask)
		m := maskOf(&r)
		if !m.exact {
			continue
		}
		if got := m.broken(mask); got != want {
			t.Fatalf("rule %c%v mask %b: mask test %v, ruleBroken %v", r.Kind, r.Positions, mask, got, want)
		}
	}
}

func TestHasCodeFastMatchesHasCode(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 2000; i++ {
		set := map[string]bool{}
		for k := rng.IntN(40); k > 0; k-- {
			set[randCode(rng)] = true
		}
		e := &cElem{}
		for c := range set {
			e.codes = append(e.codes, c)
		}
		finishCodes(e)
		for k := 0; k < 50; k++ {
			v := []byte(randCode(rng))
			if k%3 == 0 && len(e.codes) > 0 {
				v = []byte(e.codes[rng.IntN(len(e.codes))])
			}
			if got, want := e.hasCodeFast(v), hasCode(e.codes, v); got != want {
				t.Fatalf("codes %q, value %q: fast %v, binary search %v", e.codes, v, got, want)
			}
		}
	}
}

func randCode(rng *rand.Rand) string {
	b := make([]byte, 1+rng.IntN(9))
	for i := range b {
		b[i] = "AB01 \x00\xff"[rng.IntN(7)]
	}
	return string(b)
}

// TestSimpleOKImpliesNoFinding: whenever the element short-cut accepts a
// value, the full check must find nothing wrong with it.
func TestSimpleOKImpliesNoFinding(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	d := DefaultDelimiters
	seg := NewSegment(d, "ZZZ", "X")
	w := &walker{}
	cls := w.classes(d)
	chars := []byte("0123456789-. AZaz,\x00\x1f\x7f\x80^>")
	accepted := 0
	for i := 0; i < 300000; i++ {
		e := &cElem{kind: elemKind(rng.IntN(int(kindB) + 1)), min: rng.IntN(4), max: rng.IntN(10), id: "1"}
		if e.kind == kindID && rng.IntN(2) == 0 {
			for k := rng.IntN(5); k >= 0; k-- {
				e.codes = append(e.codes, string(chars[rng.IntN(10)])+string(chars[rng.IntN(10)]))
			}
			finishCodes(e)
		}
		v := make([]byte, 1+rng.IntN(10))
		for j := range v {
			v[j] = chars[rng.IntN(len(chars))]
			if rng.IntN(2) == 0 {
				v[j] = chars[rng.IntN(10)]
			}
		}
		var acc uint8
		for _, c := range v {
			acc |= cls[c]
		}
		if acc&clsSep != 0 || !simpleOK(e, v, acc) {
			continue
		}
		accepted++
		r := &SetResult{}
		w.r, w.seg, w.cur = r, &seg, -1
		w.checkSimple(e, 1, 0, 0, v, "")
		if len(r.Segments) != 0 {
			t.Fatalf("kind %d min %d max %d codes %q value %q: short-cut accepted, full check says %s",
				e.kind, e.min, e.max, e.codes, v, r.Segments[0].Describe())
		}
	}
	if accepted < 1000 {
		t.Fatalf("only %d values took the short-cut; the test data is off", accepted)
	}
}

// TestRuleCacheKeepsFindings: the walker remembers presence patterns that
// broke no rule; a pattern that breaks one must be reported every time,
// before and after clean ones, on the same (pooled) walker.
func TestRuleCacheKeepsFindings(t *testing.T) {
	v := builtinValidator(t)
	clean := buildSet(t, "004010", segs(real850...))
	broken := append([]string(nil), real850...)
	for i, s := range broken {
		if s == "N1*ST*ACME DC 42*92*0042" {
			broken[i] = "N1*ST***0042" // R0203 broken, P0304 broken
		}
	}
	bad := buildSet(t, "004010", segs(broken...))
	for round := 0; round < 3; round++ {
		if r := v.Validate(clean); r.Status != Accepted {
			t.Fatalf("round %d: clean set: %s", round, render(r))
		}
		r := v.Validate(bad)
		if r.Status != Rejected || len(r.Segments) != 1 || len(r.Segments[0].Elements) < 2 {
			t.Fatalf("round %d: the N1 rules are not reported:\n%s", round, render(r))
		}
	}
}
