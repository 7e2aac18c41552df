package x12

import (
	"bytes"
	"fmt"
)

// Position locates a segment in its input.
type Position struct {
	Offset int64 // byte offset of the segment's first byte from the start of the input
	Line   int   // 1-based line of the segment's first byte
	Index  int   // 1-based index of the segment in the input (the first ISA is 1)
}

func (p Position) String() string {
	return fmt.Sprintf("line %d, segment %d, byte %d", p.Line, p.Index, p.Offset)
}

// Delimiters are the separators of one interchange, taken from its ISA.
type Delimiters struct {
	Element    byte // ISA byte 4
	Repetition byte // ISA11 for 00402 and later; 0 when the version has none
	Component  byte // ISA16
	Segment    byte // the byte after ISA16
}

// DefaultDelimiters are the most common choice: * ^ > ~.
var DefaultDelimiters = Delimiters{Element: '*', Repetition: '^', Component: '>', Segment: '~'}

// Contains reports whether b is one of the delimiters.
func (d Delimiters) Contains(b byte) bool {
	return b == d.Element || b == d.Component || b == d.Segment || (d.Repetition != 0 && b == d.Repetition)
}

func (d Delimiters) String() string {
	rep := "none"
	if d.Repetition != 0 {
		rep = printable(d.Repetition)
	}
	return fmt.Sprintf("element %s, repetition %s, component %s, segment %s",
		printable(d.Element), rep, printable(d.Component), printable(d.Segment))
}

func printable(b byte) string {
	if b > ' ' && b < 0x7f {
		return fmt.Sprintf("%q", b)
	}
	return fmt.Sprintf("0x%02X", b)
}

// Segment is one segment: its tag and elements. A Segment returned by
// Reader.Next aliases the reader's buffer and is valid only until the next
// call; use Clone to keep one. Elements are numbered as in the standard:
// Element(1) is BEG01; Element(0) is the tag.
type Segment struct {
	raw    []byte  // the segment without its terminator
	ends   []int32 // ends[i] = index in raw where element i ends (element 0 is the tag)
	delims Delimiters
	Pos    Position
}

// ID returns the segment tag, e.g. "BEG".
func (s *Segment) ID() string { return string(s.raw[:s.ends[0]]) }

// IDBytes returns the segment tag without allocating.
func (s *Segment) IDBytes() []byte { return s.raw[:s.ends[0]] }

// Is reports whether the segment's tag is id.
func (s *Segment) Is(id string) bool { return string(s.raw[:s.ends[0]]) == id }

// Raw returns the segment's bytes without its terminator.
func (s *Segment) Raw() []byte { return s.raw }

// Delimiters returns the delimiters in force for this segment.
func (s *Segment) Delimiters() Delimiters { return s.delims }

// Len returns the number of elements after the tag, counting empty ones up
// to the last separator present (so "N1*ST**" has 3).
func (s *Segment) Len() int { return len(s.ends) - 1 }

// Element returns element i (1-based) with its components and repetitions
// unsplit, or nil when the segment has fewer elements.
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

// String returns element i as a string ("" when absent).
func (s *Segment) String(i int) string { return string(s.Element(i)) }

// Repetitions returns the number of repetitions of element i (1 when the
// interchange has no repetition separator or the element does not repeat,
// 0 when the element is absent or empty).
func (s *Segment) Repetitions(i int) int {
	e := s.Element(i)
	if len(e) == 0 {
		return 0
	}
	if s.delims.Repetition == 0 {
		return 1
	}
	return bytes.Count(e, []byte{s.delims.Repetition}) + 1
}

// Repetition returns repetition r (1-based) of element i, or nil.
func (s *Segment) Repetition(i, r int) []byte {
	e := s.Element(i)
	if s.delims.Repetition == 0 {
		if r == 1 {
			return e
		}
		return nil
	}
	return nth(e, s.delims.Repetition, r)
}

// Component returns component c (1-based) of element i; for a simple element
// Component(i, 1) is the element itself.
func (s *Segment) Component(i, c int) []byte {
	return nth(s.Element(i), s.delims.Component, c)
}

// Components returns the number of components of element i (0 when empty).
func (s *Segment) Components(i int) int {
	e := s.Element(i)
	if len(e) == 0 {
		return 0
	}
	return bytes.Count(e, []byte{s.delims.Component}) + 1
}

// nth returns the n-th (1-based) part of b split at sep, or nil.
func nth(b []byte, sep byte, n int) []byte {
	if n < 1 {
		return nil
	}
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

// Clone returns a copy of the segment that owns its memory.
func (s *Segment) Clone() Segment {
	c := Segment{delims: s.delims, Pos: s.Pos}
	c.raw = append([]byte(nil), s.raw...)
	c.ends = append([]int32(nil), s.ends...)
	return c
}

// cloneInto copies the segment into arena memory (raw bytes and ends) and
// returns the copy and the grown arenas; used to keep a whole set with two
// allocations amortized instead of two per segment.
func (s *Segment) cloneInto(bytesArena []byte, endsArena []int32) (Segment, []byte, []int32) {
	bs := len(bytesArena)
	bytesArena = append(bytesArena, s.raw...)
	es := len(endsArena)
	endsArena = append(endsArena, s.ends...)
	return Segment{
		raw:    bytesArena[bs:len(bytesArena):len(bytesArena)],
		ends:   endsArena[es:len(endsArena):len(endsArena)],
		delims: s.delims,
		Pos:    s.Pos,
	}, bytesArena, endsArena
}

// NewSegment builds a segment from a tag and element values, for tests and
// for code that assembles segments before writing them. Values are joined
// as given: a value containing a delimiter changes the segment's structure,
// which is what the Writer refuses to do.
func NewSegment(d Delimiters, id string, elements ...string) Segment {
	raw := []byte(id)
	ends := []int32{int32(len(raw))}
	for _, e := range elements {
		raw = append(raw, d.Element)
		raw = append(raw, e...)
		ends = append(ends, int32(len(raw)))
	}
	return Segment{raw: raw, ends: ends, delims: d}
}

// Format returns the segment as text with its delimiters and terminator,
// for messages and debugging.
func (s *Segment) Format() string { return string(s.raw) + string(s.delims.Segment) }
