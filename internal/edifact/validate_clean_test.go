package edifact

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/b2bgw/b2bgw/internal/edifact/spec"
)

// findSeg returns the compiled checks of the first node with tag in l.
func findSeg(l *cList, tag string) *cSeg {
	for i := range l.nodes {
		n := &l.nodes[i]
		if n.tag == tag && n.seg != nil {
			return n.seg
		}
		if n.body != nil {
			if s := findSeg(n.body, tag); s != nil {
				return s
			}
		}
	}
	return nil
}

// TestWalkerClean: the walker's quick check says yes for segments
// without findings and no for every kind of finding the full check
// reports (a yes there would hide the finding); saying yes, it says
// whether every byte is in the repertoire (UNOA here).
func TestWalkerClean(t *testing.T) {
	t.Parallel()
	qtyStrict := &spec.Overlay{Elements: map[string]spec.ElementOverlay{"QTY01-2": {Min: 2}}}
	tests := []struct {
		name    string
		seg     string
		syntax4 bool
		overlay *spec.Overlay
		want    bool
		chars   bool // in UNOA, when want
	}{
		{"bgm", "BGM+220+PO1+9", false, nil, true, true},
		{"bgm composite in full", "BGM+220:1:2:NAME+PO1+9", false, nil, true, true},
		{"dtm", "DTM+137:20250101:102", false, nil, true, true},
		{"qty decimal", "QTY+21:48.5:PCE", false, nil, true, true},
		{"qty negative", "QTY+21:-48:PCE", false, nil, true, true},
		{"lin empty position", "LIN+1++4000862141404:SRS", false, nil, true, true},
		{"nad mandatory component sent", "NAD+BY+123::9", false, nil, true, true},
		{"trailing component separator before syntax 4", "NAD+BY+123:", false, nil, true, true},
		{"too many elements", "BGM+220+1+9+1+2", false, nil, false, false},
		{"too many components", "BGM+220:1:2:3:4", false, nil, false, false},
		{"components in a simple element", "BGM+220+A:B", false, nil, false, false},
		{"mandatory element missing", "DTM", false, nil, false, false},
		{"mandatory element empty", "NAD++123", false, nil, false, false},
		{"mandatory first component empty", "DTM+:20250101:102", false, nil, false, false},
		{"mandatory component empty", "NAD+BY+:1", false, nil, false, false},
		{"mandatory component not sent", "QTY+21", false, nil, false, false},
		{"too long", "BGM+220+" + strings.Repeat("X", 36), false, nil, false, false},
		{"too short (overlay)", "QTY+21:5:PCE", false, qtyStrict, false, false},
		{"bad code", "BGM+220+PO1+7", false, nil, false, false},
		{"letters in n", "LIN+A1", false, nil, false, false},
		{"bad decimal", "QTY+21:1.:PCE", false, nil, false, false},
		{"digits in a", "UNS+1", false, nil, false, false},
		{"trailing separator in syntax 4", "NAD+BY+123:", true, nil, false, false},
		{"release character (full check)", "BGM+220+P?+O1+9", false, nil, false, false},
		{"lower case", "BGM+220+po1+9", false, nil, true, false},
		{"lower case in a composite", "DTM+137:20250101:102:x", false, nil, false, false},
		{"lower case in a component", "NAD+BY+abc::9", false, nil, true, false},
		{"outside UNOA", "NAD+BY+1#3::9", false, nil, true, false},
		{"control character in the last word", "QTY+21:48.5:PC\x01", false, nil, true, false},
		{"long, all in UNOA", "FTX+AAI+++ONE TWO THREE FOUR FIVE:SIX SEVEN", false, nil, true, true},
		{"long, bad byte in the last word", "FTX+AAI+++ONE TWO THREE FOUR FIVE:SIX SEVEn", false, nil, true, false},
		{"long, bad byte in the first word", "FTX+aAI+++ONE TWO THREE FOUR FIVE:SIX SEVEN", false, nil, true, false},
		{"long, too many components", "FTX+AAI+++ONE TWO THREE FOUR FIVE:SIX:SEVEN", false, nil, false, false},
		{"repetition separator (full check)", "BGM+220+PO1*PO2+9", true, nil, false, false},
		{"short segment", "UNS+S", false, nil, true, true},
		{"decimal comma before syntax 4", "QTY+21:1,5:PCE", false, nil, false, false},
		{"decimal comma in syntax 4", "QTY+21:1,5:PCE", true, nil, true, true},
		{"decimal mark first", "QTY+21:.5:PCE", false, nil, false, false},
		{"two decimal marks", "QTY+21:1.2.3:PCE", false, nil, false, false},
		{"negative decimal", "QTY+21:-4.5:PCE", false, nil, true, true},
		{"numeric across two words", "QTY+21:1234567:PCE", false, nil, true, true},
		{"decimal across two words", "QTY+21:12345.6:PCE", false, nil, true, true},
		{"letters in n across two words", "QTY+21:12345A7:PCE", false, nil, false, false},
		{"bad code at the segment's end", "BGM+220+PO1+99", false, nil, false, false},
		{"long simple element with components", "BGM+220+PO12345678:9+9", false, nil, false, false},
		{"long simple element, clean", "BGM+220+PO1234567890123+9", false, nil, true, true},
		{"component separator in the second word of a simple element", "BGM+220+PO123456:+9", false, nil, false, false},
		{"trailing separator of the last element in syntax 4", "DTM+137:20250101:", true, nil, false, false},
		{"empty component in syntax 4", "NAD+BY+123::9", true, nil, true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var opts []ValidatorOption
			if tc.overlay != nil {
				opts = append(opts, WithOverlay(tc.overlay))
			}
			v := testValidator(t, opts...)
			ms, _ := v.src.Message("D96A", "ORDERS")
			c := v.compiled(ms)
			tag := tc.seg[:3]
			cs := findSeg(&c.root, tag)
			if cs == nil {
				t.Fatalf("no %s in the test ORDERS", tag)
			}
			d := DefaultDelimiters
			if !tc.syntax4 {
				d.Repetition = 0
			}
			r := NewReaderBytes([]byte("UNA" + d.UNA()[3:] + tc.seg + "'"))
			s, err := r.Next()
			if err == nil && s.Is("UNA") {
				s, err = r.Next()
			}
			if err != nil {
				t.Fatal(err)
			}
			unoa, _ := LookupRepertoire("UNOA")
			w := &walker{syntax4: tc.syntax4, chars: newCharCheck(unoa, d, SevError)}
			if got, chars := w.clean(s, cs); got != tc.want || got && chars != tc.chars {
				t.Errorf("clean(%s) = %v, %v; want %v, %v", tc.seg, got, chars, tc.want, tc.chars)
			}
		})
	}
}

// TestListFind: the lookup of a tag in a node list gives the first node
// at or after j with its key, as a search along the list does, for lists
// with repeated tags, long lists (several slots probed) and absent tags.
func TestListFind(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		tags []string
	}{
		{"one", []string{"LIN"}},
		{"repeated", []string{"UNH", "BGM", "DTM", "FTX", "DTM", "NAD", "FTX", "DTM", "UNT"}},
		{"long", strings.Fields("UNH BGM DTM PAI ALI IMD FTX RFF NAD LOC FII CTA COM TAX MOA CUX PAT TDT TOD EQD HAN SCC APR RCS LIN PIA QTY PRI UNS CNT UNT FTX")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := &cList{}
			for _, tag := range tc.tags {
				l.nodes = append(l.nodes, cNode{tag: tag, key: tagKey([]byte(tag))})
				l.keys = append(l.keys, tagKey([]byte(tag)))
			}
			l.index()
			for _, tag := range append(tc.tags, "XYZ", "ZZZ") {
				key := tagKey([]byte(tag))
				for j := 0; j <= len(l.nodes); j++ {
					want := j
					for want < len(l.keys) && l.keys[want] != key {
						want++
					}
					if got := l.find(key, j); got != want {
						t.Errorf("find(%s, %d) = %d, want %d", tag, j, got, want)
					}
				}
			}
		})
	}
}

// TestWalkerCleanAgrees: over the segments of an order and thousands of
// variants of them (bytes replaced, removed, repeated), against the
// built-in D96A ORDERS, the quick check says yes exactly when the full
// check finds nothing (none has a release character, which sends a
// segment to the full check whatever it holds).
func TestWalkerCleanAgrees(t *testing.T) {
	t.Parallel()
	reg, err := spec.Builtin()
	if err != nil {
		t.Skip(err)
	}
	ms, ok := reg.Message("D96A", "ORDERS")
	if !ok {
		t.Skip("no D96A ORDERS")
	}
	c := NewValidator(reg).compiled(ms)
	base := []string{"BGM+220+PO4500000+9", "DTM+137:20250723:102", "RFF+ON:HOME", "NAD+ST+0240514::92++INITECH STORES WAREHOUSE+7731 MAIN ST+COLUMBUS+OH+43245+US",
		"LIN+1++072787145903:UP", "PIA+1+VP-469095:VP", "IMD+F++:::COMPACT WORK GLOVES", "QTY+21:236:EA", "PRI+AAA:173.24", "UNS+S", "CNT+2:17",
		"FTX+AAI+++ONE TWO THREE FOUR FIVE:SIX SEVEN EIGHT NINE TEN ELEVEN TWELVE THIRTEEN"}
	const alphabet = "0123456789.,-:+ AZaz9"
	rng := rand.New(rand.NewPCG(3, 5))
	yes, no := 0, 0
	for _, syntax4 := range []bool{false, true} {
		d := DefaultDelimiters
		d.Repetition = 0
		for _, b := range base {
			for i := 0; i < 400; i++ {
				seg := []byte(b)
				for range 1 + rng.IntN(3) {
					if len(seg) <= 4 {
						break
					}
					k := 4 + rng.IntN(len(seg)-4) // the tag stays
					switch rng.IntN(3) {
					case 0:
						seg[k] = alphabet[rng.IntN(len(alphabet))]
					case 1:
						seg = append(seg[:k:k], seg[k+1:]...)
					default:
						seg = append(seg[:k:k], append([]byte{seg[k]}, seg[k:]...)...)
					}
				}
				r := NewReaderBytes([]byte("UNA" + d.UNA()[3:] + string(seg) + "'"))
				s, err := r.Next()
				if err == nil && s.Is("UNA") {
					s, err = r.Next()
				}
				if err != nil {
					continue // not a segment the decoder would give the validator
				}
				cs := findSeg(&c.root, string(seg[:3]))
				if cs == nil {
					t.Fatalf("no %s in D96A ORDERS", seg[:3])
				}
				w := &walker{syntax4: syntax4, r: &MessageResult{}}
				got, _ := w.clean(s, cs)
				w.segment(s, 1, cs, "")
				if want := len(w.r.Segments) == 0; got != want {
					t.Fatalf("syntax 4 %v: clean(%s) = %v, the full check finds %+v", syntax4, seg, got, w.r.Segments)
				}
				if got {
					yes++
				} else {
					no++
				}
			}
		}
	}
	if yes < 1000 || no < 1000 {
		t.Errorf("%d clean segments and %d with findings: the variants do not reach both enough", yes, no)
	}
}

// TestNotDigits: the word-at-a-time digit test marks exactly the bytes a
// byte-at-a-time test finds not to be ASCII digits, among the first n.
func TestNotDigits(t *testing.T) {
	t.Parallel()
	tests := []string{"0", "9", "12345678", "1234567", "/", ":", "12.5", "-1", "A1", "\x00\x7f\x80\xb0\xb9\xff", "09:/", "99999999"}
	for _, s := range tests {
		v := []byte(s)
		for n := 1; n <= len(v) && n <= 8; n++ {
			var x uint64
			for i := n - 1; i >= 0; i-- {
				x = x<<8 | uint64(v[i])
			}
			var want uint64
			for i := 0; i < n; i++ {
				if v[i] < '0' || v[i] > '9' {
					want |= 0x80 << (8 * i)
				}
			}
			if got := notDigits(x, n); got != want {
				t.Errorf("notDigits(%q, %d) = %#x, want %#x", v[:n], n, got, want)
			}
		}
	}
}

// TestWord: word reads eight bytes from any offset, those past the end
// as zeros, also in a segment shorter than a word.
func TestWord(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"UNS+S", "ABCDEFGH", "QTY+21:1234567:PCE"} {
		raw := []byte(s)
		for a := 0; a < len(raw); a++ {
			var want uint64
			for i := min(len(raw), a+8) - 1; i >= a; i-- {
				want = want<<8 | uint64(raw[i])
			}
			if got := word(raw, a); got != want {
				t.Errorf("word(%q, %d) = %#x, want %#x", s, a, got, want)
			}
		}
	}
}
