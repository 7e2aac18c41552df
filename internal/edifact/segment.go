package edifact

import (
	"bytes"
	"fmt"
)

// Position locates a segment in its input.
type Position struct {
	Offset int64 // byte offset of the segment's first byte from the start of the input
	Line   int   // 1-based line of the segment's first byte
	Index  int   // 1-based index of the segment in the input (a UNA counts)
}

func (p Position) String() string {
	return fmt.Sprintf("line %d, segment %d, byte %d", p.Line, p.Index, p.Offset)
}

// Delimiters are the service characters of one interchange (ISO 9735
// clause 7): from its service string advice UNA, or the defaults.
type Delimiters struct {
	Component  byte // UNA1, default ':'
	Element    byte // UNA2, default '+'
	Decimal    byte // UNA3, default '.'; a notation, never a separator
	Release    byte // UNA4, default '?'; 0 when the interchange has none
	Repetition byte // UNA5, syntax 4 only, default '*'; 0 when none
	Segment    byte // UNA6, default '\''
}

// DefaultDelimiters are the defaults for the syntax levels written in
// graphic characters (UNOA and every level but UNOB without UNA), with the
// syntax-4 repetition separator: UNA:+.?*'.
var DefaultDelimiters = Delimiters{Component: ':', Element: '+', Decimal: '.', Release: '?', Repetition: '*', Segment: '\''}

// LevelBDelimiters are ISO 9735's defaults for level B written with the
// information separators: IS1 (0x1F) between components, IS3 (0x1D)
// between elements, IS4 (0x1C) after segments, IS2 (0x1E) between
// repetitions (syntax 4); there is no release character. The reader takes
// them when a UNB without UNA is followed by IS3.
var LevelBDelimiters = Delimiters{Component: 0x1F, Element: 0x1D, Decimal: '.', Repetition: 0x1E, Segment: 0x1C}

// Contains reports whether b is one of the separators or the release
// character (the decimal mark is data).
func (d Delimiters) Contains(b byte) bool {
	return b == d.Element || b == d.Component || b == d.Segment ||
		(d.Release != 0 && b == d.Release) || (d.Repetition != 0 && b == d.Repetition)
}

// UNA returns the service string advice for d: "UNA" and six characters.
// A missing release or repetition character is written as a space.
func (d Delimiters) UNA() string {
	rel, rep := d.Release, d.Repetition
	if rel == 0 {
		rel = ' '
	}
	if rep == 0 {
		rep = ' '
	}
	return string([]byte{'U', 'N', 'A', d.Component, d.Element, d.Decimal, rel, rep, d.Segment})
}

func (d Delimiters) String() string {
	opt := func(b byte) string {
		if b == 0 {
			return "none"
		}
		return printable(b)
	}
	return fmt.Sprintf("component %s, element %s, decimal %s, release %s, repetition %s, segment %s",
		printable(d.Component), printable(d.Element), printable(d.Decimal), opt(d.Release), opt(d.Repetition), printable(d.Segment))
}

func printable(b byte) string {
	if b > ' ' && b < 0x7f {
		return fmt.Sprintf("%q", b)
	}
	return fmt.Sprintf("0x%02X", b)
}

// Segment is one segment: its tag and data elements. A Segment returned by
// Reader.Next aliases the reader's buffer and is valid only until the next
// call; use Clone to keep one. Elements are numbered as in the directories:
// Element(1) is the first data element after the tag (BGM's C002);
// Element(0) is the tag element.
//
// Accessors come in two kinds. Element and Repetition return the raw bytes,
// release characters included, with components unsplit. Value, Component
// and RepComponent return one value with its release characters removed:
// the bytes alias the input when the segment has no release character, and
// otherwise a scratch buffer that stays valid, like the segment, until the
// reader's next call (for a Clone, a new allocation per call).
type Segment struct {
	raw      []byte  // the segment without its terminator
	ends     []int32 // ends[i] = index in raw where element i ends (element 0 is the tag)
	delims   Delimiters
	released bool    // raw holds at least one release character
	scratch  *[]byte // the reader's unescape buffer; nil for clones
	Pos      Position
}

// ID returns the segment tag, e.g. "BGM" (without any nesting components
// of syntax 1-3).
func (s *Segment) ID() string { return string(s.IDBytes()) }

// IDBytes returns the segment tag without allocating.
func (s *Segment) IDBytes() []byte {
	t := s.raw[:s.ends[0]]
	if len(t) > 3 {
		if i := bytes.IndexByte(t, s.delims.Component); i >= 0 {
			t = t[:i]
		}
	}
	return t
}

// Is reports whether the segment's tag is id.
func (s *Segment) Is(id string) bool { return string(s.IDBytes()) == id }

// Raw returns the segment's bytes without its terminator.
func (s *Segment) Raw() []byte { return s.raw }

// Delimiters returns the service characters in force for this segment.
func (s *Segment) Delimiters() Delimiters { return s.delims }

// HasRelease reports whether the segment contains a release character.
func (s *Segment) HasRelease() bool { return s.released }

// Len returns the number of data elements after the tag, counting empty
// ones up to the last separator present (so "NAD+ST++" has 3).
func (s *Segment) Len() int { return len(s.ends) - 1 }

// Element returns the raw bytes of element i (1-based), release characters
// and separators included, or nil when the segment has fewer elements.
func (s *Segment) Element(i int) []byte {
	if i < 0 || i >= len(s.ends) {
		return nil
	}
	start := int32(0)
	if i > 0 {
		start = s.ends[i-1] + 1
	}
	return s.raw[start:s.ends[i]]
}

// Value returns the value of simple data element i: its first component of
// its first repetition, release characters removed.
func (s *Segment) Value(i int) []byte { return s.RepComponent(i, 1, 1) }

// String returns Value(i) as a string ("" when absent).
func (s *Segment) String(i int) string { return string(s.Value(i)) }

// Component returns component c (1-based) of element i (its first
// repetition), release characters removed; for a simple element
// Component(i, 1) is its value.
func (s *Segment) Component(i, c int) []byte { return s.RepComponent(i, 1, c) }

// ComponentString returns Component(i, c) as a string.
func (s *Segment) ComponentString(i, c int) string { return string(s.Component(i, c)) }

// Components returns the number of components of element i's first
// repetition (0 when the element is absent or empty).
func (s *Segment) Components(i int) int { return s.RepComponents(i, 1) }

// Repetitions returns the number of repetitions of element i: 0 when it is
// absent or empty, 1 when the interchange has no repetition separator.
func (s *Segment) Repetitions(i int) int {
	e := s.Element(i)
	if len(e) == 0 {
		return 0
	}
	if s.delims.Repetition == 0 {
		return 1
	}
	return s.count(e, s.delims.Repetition) + 1
}

// Repetition returns the raw bytes of repetition r (1-based) of element i,
// or nil.
func (s *Segment) Repetition(i, r int) []byte {
	e := s.Element(i)
	if s.delims.Repetition == 0 {
		if r == 1 {
			return e
		}
		return nil
	}
	return s.nth(e, s.delims.Repetition, r)
}

// RepComponents returns the number of components of repetition r of
// element i (0 when absent or empty).
func (s *Segment) RepComponents(i, r int) int {
	e := s.Repetition(i, r)
	if len(e) == 0 {
		return 0
	}
	return s.count(e, s.delims.Component) + 1
}

// RepComponent returns component c of repetition r of element i, release
// characters removed, or nil.
func (s *Segment) RepComponent(i, r, c int) []byte {
	return s.unescape(s.nth(s.Repetition(i, r), s.delims.Component, c))
}

// value returns Value(i), for the decoder's reading of UNH and UNT in
// every message: without release characters (nearly always), it is the
// element up to its first repetition or component separator.
func (s *Segment) value(i int) []byte {
	if s.released && s.delims.Release != 0 {
		return s.Value(i)
	}
	e := s.Element(i)
	if j := bytes.IndexByte(e, s.delims.Component); j >= 0 {
		e = e[:j]
	}
	if s.delims.Repetition != 0 {
		if j := bytes.IndexByte(e, s.delims.Repetition); j >= 0 {
			e = e[:j]
		}
	}
	return e
}

// components sets out[c] to Component(i, c+1) for each c, reading the
// element once (UNH S009, for every message).
func (s *Segment) components(i int, out [][]byte) {
	if s.released && s.delims.Release != 0 {
		for c := range out {
			out[c] = s.Component(i, c+1)
		}
		return
	}
	e, sep := s.Repetition(i, 1), s.delims.Component
	c, from := 0, 0
	for j := 0; j < len(e) && c < len(out)-1; j++ {
		if e[j] == sep {
			out[c] = e[from:j]
			c, from = c+1, j+1
		}
	}
	last := e[from:]
	if j := bytes.IndexByte(last, sep); j >= 0 {
		last = last[:j]
	}
	out[c] = last
	clear(out[c+1:])
}

// RawComponent returns component c of repetition r of element i with its
// release characters, or nil.
func (s *Segment) RawComponent(i, r, c int) []byte {
	return s.nth(s.Repetition(i, r), s.delims.Component, c)
}

// Unescape removes the release characters of a raw part of this segment
// (see Element). The result aliases v when there is nothing to remove.
func (s *Segment) Unescape(v []byte) []byte { return s.unescape(v) }

func (s *Segment) unescape(v []byte) []byte {
	rel := s.delims.Release
	if !s.released || rel == 0 || bytes.IndexByte(v, rel) < 0 {
		return v
	}
	var out []byte
	if s.scratch != nil {
		out = *s.scratch
	}
	start := len(out)
	for i := 0; i < len(v); i++ {
		if v[i] == rel && i+1 < len(v) {
			i++
		}
		out = append(out, v[i])
	}
	if s.scratch != nil {
		*s.scratch = out
	}
	return out[start:len(out):len(out)]
}

// nth returns the n-th (1-based) part of b split at sep, skipping released
// separators, or nil.
func (s *Segment) nth(b []byte, sep byte, n int) []byte {
	if n < 1 {
		return nil
	}
	if !s.released || s.delims.Release == 0 {
		for n > 1 {
			i := bytes.IndexByte(b, sep)
			if i < 0 {
				return nil
			}
			b = b[i+1:]
			n--
		}
		if i := bytes.IndexByte(b, sep); i >= 0 {
			return b[:i]
		}
		return b
	}
	rel := s.delims.Release
	start := 0
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case rel:
			i++
		case sep:
			if n == 1 {
				return b[start:i]
			}
			n--
			start = i + 1
		}
	}
	if n == 1 {
		return b[start:]
	}
	return nil
}

// count returns the number of unreleased sep bytes in b.
func (s *Segment) count(b []byte, sep byte) int {
	if !s.released || s.delims.Release == 0 {
		return bytes.Count(b, []byte{sep})
	}
	n := 0
	rel := s.delims.Release
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case rel:
			i++
		case sep:
			n++
		}
	}
	return n
}

// Clone returns a copy of the segment that owns its memory.
func (s *Segment) Clone() Segment {
	c := Segment{delims: s.delims, Pos: s.Pos, released: s.released}
	c.raw = append([]byte(nil), s.raw...)
	c.ends = append([]int32(nil), s.ends...)
	return c
}

// cloneInto copies the segment into arena memory (raw bytes and ends) and
// returns the copy and the grown arenas; used to keep a whole message with
// two allocations amortized instead of two per segment.
func (s *Segment) cloneInto(bytesArena []byte, endsArena []int32) (Segment, []byte, []int32) {
	bs := len(bytesArena)
	bytesArena = append(bytesArena, s.raw...)
	es := len(endsArena)
	endsArena = append(endsArena, s.ends...)
	return Segment{
		raw:      bytesArena[bs:len(bytesArena):len(bytesArena)],
		ends:     endsArena[es:len(endsArena):len(endsArena)],
		delims:   s.delims,
		released: s.released,
		Pos:      s.Pos,
	}, bytesArena, endsArena
}

// NewSegment builds a segment from a tag and raw element values, for tests
// and for code that assembles segments. Values are joined as given (with
// their separators and release characters): escape data with the Writer.
func NewSegment(d Delimiters, id string, elements ...string) Segment {
	raw := []byte(id)
	ends := []int32{int32(len(raw))}
	for _, e := range elements {
		raw = append(raw, d.Element)
		raw = append(raw, e...)
		ends = append(ends, int32(len(raw)))
	}
	rel := d.Release != 0 && bytes.IndexByte(raw, d.Release) >= 0
	return Segment{raw: raw, ends: ends, delims: d, released: rel}
}

// Format returns the segment as text with its terminator, for messages and
// debugging.
func (s *Segment) Format() string { return string(s.raw) + string(s.delims.Segment) }
