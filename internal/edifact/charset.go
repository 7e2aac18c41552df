package edifact

import (
	"encoding/binary"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// RepertoirePolicy says what the decoder does with characters outside the
// repertoire of the interchange's syntax identifier (UNB S001 0001).
type RepertoirePolicy uint8

const (
	// RepertoireStrict (the default) reports them as errors (0085 code 21,
	// invalid character): the message, or the interchange when they sit in
	// a service segment outside any message, is rejected.
	RepertoireStrict RepertoirePolicy = iota
	// RepertoireWarn reports them as warnings only.
	RepertoireWarn
	// RepertoireOff does not look.
	RepertoireOff
)

// ParseRepertoirePolicy reads "strict", "warn" or "off" (empty means strict).
func ParseRepertoirePolicy(s string) (RepertoirePolicy, error) {
	switch s {
	case "", "strict":
		return RepertoireStrict, nil
	case "warn":
		return RepertoireWarn, nil
	case "off":
		return RepertoireOff, nil
	}
	return RepertoireStrict, errorf("repertoire policy %q: want strict, warn or off", s)
}

// Repertoire is the character repertoire of a syntax identifier.
type Repertoire struct {
	ID    string // "UNOA"
	Name  string // what the standard says it is
	UTF8  bool   // UNOW/UNOY: ISO 10646 in UTF-8; bytes must form valid UTF-8
	allow [256]bool
	// latin is the UTF-8 form of bytes 0x80-0xFF for the ISO 8859 levels
	// (UNOC-UNOL), nil for the others.
	latin *latinTable
}

// latinTable holds the UTF-8 encoding of each byte 0x80-0xFF of one ISO
// 8859 part (at most three bytes: every part maps into the BMP).
type latinTable [128]struct {
	n uint8
	b [3]byte
}

func newLatinTable(cm *charmap.Charmap) *latinTable {
	t := new(latinTable)
	for i := range t {
		e := &t[i]
		e.n = uint8(utf8.EncodeRune(e.b[:], cm.DecodeByte(byte(0x80+i))))
	}
	return t
}

// Allowed reports whether the byte b may appear in data (for UTF-8
// repertoires: whether it may appear at all; validity of sequences is
// checked separately).
func (r *Repertoire) Allowed(b byte) bool { return r.allow[b] }

var repertoires = map[string]*Repertoire{}

func addRepertoire(id, name string, utf bool, ranges ...[2]int) {
	r := &Repertoire{ID: id, Name: name, UTF8: utf}
	for _, rg := range ranges {
		for c := rg[0]; c <= rg[1]; c++ {
			r.allow[c] = true
		}
	}
	repertoires[id] = r
}

// levelA are the characters of ISO 9735 level A besides letters and
// digits: space . , - ( ) / = and ' + : ? (reserved as service
// characters, usable when released), and ! " % & * ; < > (part of level A,
// not for telex).
const levelA = " .,-()/='+:?!\"%&*;<>"

func init() {
	var a, b [][2]int
	a = append(a, [2]int{'A', 'Z'}, [2]int{'0', '9'})
	for i := 0; i < len(levelA); i++ {
		a = append(a, [2]int{int(levelA[i]), int(levelA[i])})
	}
	b = append(append(b, a...), [2]int{'a', 'z'})
	graphic := [][2]int{{0x20, 0x7E}, {0xA0, 0xFF}} // ISO 8859 G0 and G1
	addRepertoire("UNOA", "UN/ECE level A: upper-case letters, digits, space and . , - ( ) / = ' + : ? ! \" % & * ; < >", false, a...)
	addRepertoire("UNOB", "UN/ECE level B: level A and lower-case letters", false, b...)
	for id, part := range map[string]struct {
		name string
		cm   *charmap.Charmap
	}{"UNOC": {"1 (Latin alphabet No. 1)", charmap.ISO8859_1}, "UNOD": {"2 (Latin alphabet No. 2)", charmap.ISO8859_2},
		"UNOE": {"5 (Latin/Cyrillic)", charmap.ISO8859_5}, "UNOF": {"7 (Latin/Greek)", charmap.ISO8859_7},
		"UNOG": {"3 (Latin alphabet No. 3)", charmap.ISO8859_3}, "UNOH": {"4 (Latin alphabet No. 4)", charmap.ISO8859_4},
		"UNOI": {"6 (Latin/Arabic)", charmap.ISO8859_6}, "UNOJ": {"8 (Latin/Hebrew)", charmap.ISO8859_8},
		"UNOK": {"9 (Latin alphabet No. 5)", charmap.ISO8859_9}, "UNOL": {"15 (Latin alphabet No. 9)", charmap.ISO8859_15}} {
		addRepertoire(id, "ISO/IEC 8859-"+part.name, false, graphic...)
		repertoires[id].latin = newLatinTable(part.cm)
	}
	// UNOX: ISO 2022 code extension; the escape character is data.
	addRepertoire("UNOX", "ISO 2022 code extension technique (escape sequences allowed)", false, append(graphic, [2]int{0x1B, 0x1B})...)
	utf := [][2]int{{0x20, 0x7E}, {0x80, 0xFF}}
	addRepertoire("UNOW", "ISO 10646-1 in UTF-8, with code extension", true, utf...)
	addRepertoire("UNOY", "ISO 10646-1 in UTF-8, without code extension", true, utf...)
}

// LookupRepertoire returns the repertoire of a syntax identifier (UNOA ...
// UNOY) and whether it is known.
func LookupRepertoire(syntaxID string) (*Repertoire, bool) {
	r, ok := repertoires[syntaxID]
	return r, ok
}

// hasHigh reports whether a byte of b is 0x80 or above, eight bytes per
// test.
func hasHigh(b []byte) bool {
	const high = 0x8080808080808080
	for len(b) >= 8 {
		if binary.LittleEndian.Uint64(b)&high != 0 {
			return true
		}
		b = b[8:]
	}
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

// badChar returns the offset in raw of the first character outside the
// repertoire (service characters d excluded, whatever the repertoire), or
// -1.
func (r *Repertoire) badChar(raw []byte, d Delimiters) int {
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if !r.allow[c] && !d.Contains(c) {
			return i
		}
	}
	if r.UTF8 && !utf8.Valid(raw) {
		for i := 0; i < len(raw); {
			rn, n := utf8.DecodeRune(raw[i:])
			if rn == utf8.RuneError && n <= 1 {
				return i
			}
			i += n
		}
	}
	return -1
}

// locate returns the 1-based element, component and repetition of raw[off]
// in the segment s.
func (s *Segment) locate(off int) (elem, comp, rep int) {
	for i := 1; i < len(s.ends); i++ {
		if off < int(s.ends[i]) {
			elem = i
			break
		}
	}
	if elem == 0 {
		return 0, 0, 0
	}
	start := int(s.ends[elem-1]) + 1
	comp, rep = 1, 1
	d := s.delims
	for i := start; i < off; i++ {
		switch c := s.raw[i]; {
		case d.Release != 0 && c == d.Release:
			i++
		case d.Repetition != 0 && c == d.Repetition:
			rep++
			comp = 1
		case c == d.Component:
			comp++
		}
	}
	return elem, comp, rep
}

// anyDisallowed reports whether a byte of b has a zero entry in t, eight
// bytes per test.
func anyDisallowed(t *[256]uint8, b []byte) bool {
	for len(b) >= 8 {
		if t[b[0]]&t[b[1]]&t[b[2]]&t[b[3]]&t[b[4]]&t[b[5]]&t[b[6]]&t[b[7]] == 0 {
			return true
		}
		b = b[8:]
	}
	for _, c := range b {
		if t[c] == 0 {
			return true
		}
	}
	return false
}
