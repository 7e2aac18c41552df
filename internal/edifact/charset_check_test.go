package edifact

import (
	"bytes"
	"testing"
)

// TestCharCheckEveryPosition: the repertoire check the decoder and the
// validator's walk use (anyDisallowed over charCheck.tab, then badChar)
// finds every byte outside the repertoire, whatever its position in the
// eight-byte steps, in segments of one to three steps and a bit, and
// nothing else; the service characters are allowed whatever the
// repertoire.
func TestCharCheckEveryPosition(t *testing.T) {
	una := Delimiters{Component: ':', Element: '+', Decimal: '.', Release: '?', Repetition: ' ', Segment: '\''}
	odd := Delimiters{Component: '#', Element: '@', Decimal: ',', Release: 0x7F, Repetition: 0, Segment: '\n'}
	for _, c := range []struct {
		rep    string
		delims Delimiters
		bad    []byte // some bytes outside the repertoire (the service characters allowed)
	}{
		{"UNOA", DefaultDelimiters, []byte{0x00, 0x1F, '#', '$', '@', '[', '_', 'a', 'z', '~', 0x7F, 0x80, 0xA0, 0xFF}},
		{"UNOA", odd, []byte{0x00, '$', 'a', 0x80, 0xFF}},
		{"UNOB", DefaultDelimiters, []byte{0x00, '#', '$', '@', '[', '_', '{', '~', 0x7F, 0x80, 0xE9}},
		{"UNOB", una, []byte{0x09, '#', 0x80}},
		{"UNOC", DefaultDelimiters, []byte{0x00, 0x0A, 0x1F, 0x7F, 0x80, 0x85, 0x9F}},
		{"UNOC", odd, []byte{0x00, 0x85}},
	} {
		rep, ok := LookupRepertoire(c.rep)
		if !ok {
			t.Fatalf("no repertoire %s", c.rep)
		}
		cc := newCharCheck(rep, c.delims, SevError)
		for _, b := range c.bad {
			if cc.tab[b] != 0 {
				t.Fatalf("%s %q: byte %#x allowed", c.rep, c.delims.UNA(), b)
			}
		}
		for _, b := range []byte{c.delims.Component, c.delims.Element, c.delims.Segment} {
			if cc.tab[b] == 0 {
				t.Fatalf("%s %q: service character %#x not allowed", c.rep, c.delims.UNA(), b)
			}
		}
		for n := 1; n <= 26; n++ {
			seg := &Segment{raw: bytes.Repeat([]byte{'A'}, n), delims: c.delims}
			if anyDisallowed(&cc.tab, seg.raw) || cc.badChar(seg) >= 0 {
				t.Fatalf("%s %q: %q found bad", c.rep, c.delims.UNA(), seg.raw)
			}
			for at := 0; at < n; at++ {
				for b := 0; b < 256; b++ {
					seg.raw[at] = byte(b)
					allowed := cc.tab[b] != 0
					if got := anyDisallowed(&cc.tab, seg.raw); got == allowed {
						t.Fatalf("%s %q: byte %#x at %d of %d: anyDisallowed %v", c.rep, c.delims.UNA(), b, at, n, got)
					}
					want := -1
					if !allowed {
						want = at
					}
					if off := cc.badChar(seg); off != want {
						t.Fatalf("%s %q: byte %#x at %d of %d: badChar %d, want %d", c.rep, c.delims.UNA(), b, at, n, off, want)
					}
				}
				seg.raw[at] = 'A'
			}
		}
	}
}
