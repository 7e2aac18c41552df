package x12

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Leniency is a partner's policy for input that is not X12 to the letter
// but is common in practice. It is set per partner, never guessed.
type Leniency uint8

const (
	// Strict accepts only what the standard allows: the input starts with
	// "ISA", the ISA is exactly 106 bytes with fixed-width fields, and only
	// CR/LF may follow a segment terminator.
	Strict Leniency = iota
	// Lenient also accepts a UTF-8 byte-order mark and white space before the
	// first ISA, an ISA whose fields are not padded to their fixed widths,
	// spaces and tabs between segments, and NUL/space/0x1A padding at the end
	// of the input.
	Lenient
)

func (l Leniency) String() string {
	if l == Lenient {
		return "lenient"
	}
	return "strict"
}

// ParseLeniency reads "strict" or "lenient" (empty means strict).
func ParseLeniency(s string) (Leniency, error) {
	switch s {
	case "", "strict":
		return Strict, nil
	case "lenient":
		return Lenient, nil
	}
	return Strict, fmt.Errorf("leniency %q: want strict or lenient", s)
}

const (
	// DefaultMaxSegmentSize bounds one segment. Real segments are a few
	// hundred bytes; BIN segments carrying documents can be larger.
	DefaultMaxSegmentSize = 1 << 20
	isaLen                = 106 // ISA including its terminator
	initialBufSize        = 64 << 10
)

// byte classes for the tokenizer's table
const (
	clsData uint8 = iota
	clsElem
	clsTerm
	clsNL
)

// Reader reads X12 segments from an input, one per call to Next, in the
// manner of encoding/csv: buffers are reused, and the returned Segment is
// valid only until the next call. Delimiters come from each ISA; an input
// may hold several interchanges with different delimiters.
type Reader struct {
	// MaxSegmentSize is the longest segment accepted, in bytes. A longer one
	// is skipped and reported with ErrSegmentTooLong; memory stays bounded.
	MaxSegmentSize int
	// Leniency is the partner's policy for near-X12 input.
	Leniency Leniency

	r      io.Reader
	buf    []byte
	pos    int   // next unread byte in buf
	end    int   // end of valid data in buf
	base   int64 // input offset of buf[0]
	eof    bool  // r is exhausted
	rerr   error // read error other than io.EOF, reported once data runs out
	fixed  bool  // buf is the caller's whole input (NewReaderBytes)
	line   int
	index  int
	delims Delimiters
	inISA  bool // at least one ISA seen
	seg    Segment
	ends   []int32
	table  [256]uint8
	err    error // sticky fatal error
}

// NewReader returns a Reader that reads from r.
func NewReader(r io.Reader) *Reader {
	return &Reader{r: r, line: 1, MaxSegmentSize: DefaultMaxSegmentSize}
}

// NewReaderBytes returns a Reader over an input already in memory; segments
// alias b directly, so nothing is copied.
func NewReaderBytes(b []byte) *Reader {
	return &Reader{buf: b, end: len(b), eof: true, fixed: true, line: 1, MaxSegmentSize: DefaultMaxSegmentSize}
}

// Delimiters returns the delimiters of the current interchange.
func (r *Reader) Delimiters() Delimiters { return r.delims }

// InputOffset returns the input offset just past the last segment read.
func (r *Reader) InputOffset() int64 { return r.base + int64(r.pos) }

// fill reads more input, keeping buf[keep:] and moving it to the front. It
// returns false when no more data will come.
func (r *Reader) fill(keep int) bool {
	if r.eof {
		return false
	}
	if keep > 0 {
		n := copy(r.buf, r.buf[keep:r.end])
		r.base += int64(keep)
		r.pos -= keep
		r.end = n
	}
	if r.buf == nil {
		r.buf = make([]byte, initialBufSize)
	}
	if r.end == len(r.buf) {
		nb := make([]byte, 2*len(r.buf))
		copy(nb, r.buf[:r.end])
		r.buf = nb
	}
	for tries := 0; tries < 100; tries++ {
		n, err := r.r.Read(r.buf[r.end:])
		r.end += n
		if err != nil {
			r.eof = true
			if !errors.Is(err, io.EOF) {
				r.rerr = err
			}
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
	r.eof = true
	r.rerr = io.ErrNoProgress
	return false
}

// ensure makes n bytes from pos available if the input has them.
func (r *Reader) ensure(n int) bool {
	for r.end-r.pos < n {
		if !r.fill(r.pos) {
			return r.end-r.pos >= n
		}
	}
	return true
}

func (r *Reader) pos0() Position {
	return Position{Offset: r.base + int64(r.pos), Line: r.line, Index: r.index + 1}
}

func (r *Reader) fail(err error) (*Segment, error) {
	r.err = err
	return nil, err
}

// Next returns the next segment. At the end of the input it returns io.EOF.
// Errors for which Fatal is false (a too-long segment, a bad tag) leave the
// reader usable; a bad tag comes with its segment, so the caller can report
// it in context. After a fatal error, Next keeps returning it.
func (r *Reader) Next() (*Segment, error) {
	if r.err != nil {
		return nil, r.err
	}
	if !r.inISA {
		return r.first()
	}
	if err := r.skipBetween(); err != nil {
		return r.fail(err)
	}
	if r.pos >= r.end && !r.ensure(1) {
		if r.rerr != nil {
			return r.fail(r.rerr)
		}
		return r.fail(io.EOF)
	}
	// A new interchange may change every delimiter, so an ISA is read by its
	// fixed layout, not with the current terminator.
	if r.ensure(4) && r.buf[r.pos] == 'I' && r.buf[r.pos+1] == 'S' && r.buf[r.pos+2] == 'A' && !isAlnum(r.buf[r.pos+3]) {
		return r.readISA()
	}
	return r.readSegment()
}

// first handles the start of the input: leniency for BOM and white space,
// then the first ISA.
func (r *Reader) first() (*Segment, error) {
	if !r.ensure(1) {
		if r.rerr != nil {
			return r.fail(r.rerr)
		}
		return r.fail(&SyntaxError{Pos: r.pos0(), Err: ErrEmpty, Hint: "the partner sent an empty file; nothing to acknowledge"})
	}
	if r.ensure(3) && bytes.HasPrefix(r.buf[r.pos:r.end], []byte("\xEF\xBB\xBF")) {
		if r.Leniency != Lenient {
			return r.fail(&SyntaxError{Pos: r.pos0(), Err: ErrBOM, Hint: "ask the partner to send plain X12, or set leniency: lenient in their partner profile"})
		}
		r.pos += 3
	}
	for r.ensure(1) && isSpace(r.buf[r.pos]) {
		if r.Leniency != Lenient {
			return r.fail(&SyntaxError{Pos: r.pos0(), Err: ErrLeadingSpace, Hint: "ask the partner to start the file with ISA, or set leniency: lenient in their partner profile"})
		}
		if r.buf[r.pos] == '\n' {
			r.line++
		}
		r.pos++
	}
	if !r.ensure(4) || r.buf[r.pos] != 'I' || r.buf[r.pos+1] != 'S' || r.buf[r.pos+2] != 'A' || isAlnum(r.buf[r.pos+3]) {
		n := min(r.end-r.pos, 16)
		return r.fail(&SyntaxError{Pos: r.pos0(), Err: ErrNoISA,
			Hint: fmt.Sprintf("the file begins with %q; it is not X12, or it is damaged", r.buf[r.pos:r.pos+n])})
	}
	return r.readISA()
}

// isaSeps are the offsets of the 16 element separators in a fixed-width ISA.
var isaSeps = [16]int{3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103}

// readISA reads an ISA at r.pos, sets the delimiters from it and returns it.
func (r *Reader) readISA() (*Segment, error) {
	pos := r.pos0()
	r.ensure(isaLen + 2)
	avail := r.buf[r.pos:r.end]
	elem := avail[3]
	fixed := len(avail) >= isaLen
	if fixed {
		for _, off := range isaSeps {
			if avail[off] != elem {
				fixed = false
				break
			}
		}
	}
	var isa []byte // the ISA without its terminator
	var term byte
	switch {
	case fixed:
		isa, term = avail[:isaLen-1], avail[isaLen-1]
	case r.Leniency == Lenient:
		// Fields not padded: find the 16th separator; ISA16 is the one byte
		// after it and the terminator the byte after that.
		n, i := 0, 0
		for i = 0; i < len(avail) && i < 4*isaLen; i++ {
			if avail[i] == elem {
				n++
				if n == 16 {
					break
				}
			}
		}
		if n < 16 || i+2 >= len(avail) {
			return r.fail(&SyntaxError{Pos: pos, SegmentID: "ISA", Err: ErrISALength,
				Hint: "the ISA has fewer than 16 elements or the file ends inside it"})
		}
		isa, term = avail[:i+2], avail[i+2]
	default:
		hint := "each ISA field must be padded to its fixed width (ISA06/ISA08 to 15 characters) and ISA16 must be followed by the segment terminator at byte 106; ask the partner to fix their ISA, or set leniency: lenient in their partner profile"
		if len(avail) < isaLen {
			hint = fmt.Sprintf("the input ends after %d bytes of ISA", len(avail))
		}
		return r.fail(&SyntaxError{Pos: pos, SegmentID: "ISA", Err: ErrISALength, Hint: hint})
	}
	d := Delimiters{Element: elem, Component: isa[len(isa)-1], Segment: term}
	// ISA11 is the repetition separator from version 00402 on; before that
	// it is the standards identifier ("U"), not a delimiter.
	ends := r.ends[:0]
	for i, b := range isa {
		if b == elem {
			ends = append(ends, int32(i))
		}
	}
	ends = append(ends, int32(len(isa)))
	r.ends = ends
	r.seg = Segment{raw: isa, ends: ends, delims: d, Pos: pos}
	version := r.seg.Element(12)
	if isa11 := r.seg.Element(11); len(isa11) == 1 && string(version) >= "00402" && !isAlnum(isa11[0]) && isa11[0] != ' ' {
		d.Repetition = isa11[0]
		r.seg.delims = d
	}
	if err := checkDelimiters(d); err != nil {
		return r.fail(&SyntaxError{Pos: pos, SegmentID: "ISA", Err: ErrDelimiters, Hint: err.Error()})
	}
	r.delims = d
	r.setTable(d)
	r.inISA = true
	r.pos += len(isa) + 1
	r.line += bytes.Count(isa, []byte{'\n'})
	if term == '\n' {
		r.line++
	}
	r.index++
	return &r.seg, nil
}

func checkDelimiters(d Delimiters) error {
	all := []struct {
		name string
		b    byte
	}{{"element separator", d.Element}, {"component separator (ISA16)", d.Component}, {"segment terminator", d.Segment}}
	if d.Repetition != 0 {
		all = append(all, struct {
			name string
			b    byte
		}{"repetition separator (ISA11)", d.Repetition})
	}
	for i, a := range all {
		if isAlnum(a.b) || a.b == ' ' {
			return fmt.Errorf("the %s is %s; delimiters must not be letters, digits or space", a.name, printable(a.b))
		}
		for _, o := range all[:i] {
			if o.b == a.b {
				return fmt.Errorf("the %s and the %s are both %s", o.name, a.name, printable(a.b))
			}
		}
	}
	return nil
}

func (r *Reader) setTable(d Delimiters) {
	r.table = [256]uint8{}
	r.table['\n'] = clsNL
	r.table[d.Element] = clsElem
	r.table[d.Segment] = clsTerm
}

// skipBetween skips the line breaks allowed after a segment terminator (and,
// when lenient, spaces, tabs and end-of-input padding).
func (r *Reader) skipBetween() error {
	for {
		if r.pos >= r.end && !r.ensure(1) {
			return nil
		}
		b := r.buf[r.pos]
		switch {
		case b == '\n':
			r.line++
		case b == '\r':
		case r.Leniency == Lenient && (b == ' ' || b == '\t'):
		case r.Leniency == Lenient && (b == 0 || b == 0x1A) && r.onlyPadding():
			r.pos = r.end
			return nil
		default:
			return nil
		}
		r.pos++
	}
}

// onlyPadding reports whether the rest of the input is NUL/SUB/white space.
func (r *Reader) onlyPadding() bool {
	for {
		for _, b := range r.buf[r.pos:r.end] {
			if b != 0 && b != 0x1A && !isSpace(b) {
				return false
			}
		}
		if r.eof {
			return true
		}
		if !r.fill(r.pos) {
			return true
		}
		// fill moved pos to 0; keep scanning from the data we already saw
		// (re-checking it is cheap and rare).
	}
}

// readSegment tokenizes one segment starting at r.pos.
func (r *Reader) readSegment() (*Segment, error) {
	pos := r.pos0()
	ends := r.ends[:0]
	scan := r.pos // next byte to classify
	start := r.pos
	lines := 0
	for {
		b := r.buf[scan:r.end]
		for i, c := range b {
			switch r.table[c] {
			case clsData:
				continue
			case clsElem:
				ends = append(ends, int32(scan+i-start))
			case clsNL:
				lines++
			case clsTerm:
				stop := scan + i
				raw := r.buf[start:stop]
				if c == '\n' {
					lines++
					if len(raw) > 0 && raw[len(raw)-1] == '\r' { // CRLF as terminator
						raw = raw[:len(raw)-1]
					}
				}
				ends = append(ends, int32(len(raw)))
				r.ends = ends
				r.pos = stop + 1
				r.line += lines
				r.index++
				r.seg = Segment{raw: raw, ends: ends, delims: r.delims, Pos: pos}
				return r.checkTag(&r.seg)
			}
		}
		scan = r.end
		if scan-start > r.MaxSegmentSize {
			r.ends = ends
			return r.skipLong(pos, start)
		}
		// Need more input; fill moves the unread data (from start) to the front.
		oldBase := r.base
		r.pos = start
		ok := r.fill(start)
		shift := int(r.base - oldBase)
		start -= shift
		scan -= shift
		if !ok {
			r.ends = ends
			if r.rerr != nil {
				return r.fail(r.rerr)
			}
			n := min(r.end-start, 20)
			return r.fail(&SyntaxError{Pos: pos, SegmentID: tagOf(r.buf[start:r.end], r.delims.Element), Err: ErrTruncated,
				Hint: fmt.Sprintf("%d bytes after the last terminator, beginning %q; the file was cut short or the partner's segment terminator is not %s",
					r.end-start, r.buf[start:start+n], printable(r.delims.Segment))})
		}
	}
}

// skipLong discards a segment that exceeds MaxSegmentSize, keeping memory
// bounded, and reports it.
func (r *Reader) skipLong(pos Position, start int) (*Segment, error) {
	tag := tagOf(r.buf[start:r.end], r.delims.Element)
	lines := 0
	r.pos = r.end
	for {
		b := r.buf[r.pos:r.end]
		if i := bytes.IndexByte(b, r.delims.Segment); i >= 0 {
			lines += bytes.Count(b[:i+1], []byte{'\n'})
			r.pos += i + 1
			break
		}
		lines += bytes.Count(b, []byte{'\n'})
		r.pos = r.end
		if r.fixed {
			break
		}
		// drop everything: nothing of this segment is kept
		r.base += int64(r.end)
		r.pos, r.end = 0, 0
		if !r.fill(0) {
			break
		}
	}
	r.line += lines
	r.index++
	err := &SyntaxError{Pos: pos, SegmentID: tag, Err: ErrSegmentTooLong,
		Hint: fmt.Sprintf("the limit is %d bytes; the segment was skipped. If the partner's segments are really this long, raise max_segment_size in their profile; if the file has no segment terminators, it is not X12 or is damaged", r.MaxSegmentSize)}
	if r.pos >= r.end && r.eof {
		// the segment ran to the end of the input: nothing more can follow
		r.err = &SyntaxError{Pos: pos, SegmentID: tag, Err: ErrTruncated, Hint: "the input ends inside an over-long segment"}
	}
	return nil, err
}

func tagOf(b []byte, elem byte) string {
	n := min(len(b), 3)
	if i := bytes.IndexByte(b[:n], elem); i >= 0 {
		n = i
	}
	for _, c := range b[:n] {
		if !isAlnum(c) {
			return ""
		}
	}
	return string(b[:n])
}

// checkTag verifies the tag: 2 or 3 upper-case letters or digits, starting
// with a letter. A bad tag is returned with the segment so the caller can
// place it in its set.
func (r *Reader) checkTag(s *Segment) (*Segment, error) {
	tag := s.raw[:s.ends[0]]
	ok := (len(tag) == 2 || len(tag) == 3) && tag[0] >= 'A' && tag[0] <= 'Z'
	if ok {
		for _, c := range tag[1:] {
			if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
				ok = false
				break
			}
		}
	}
	if ok {
		return s, nil
	}
	if len(s.raw) == 0 {
		return s, &SyntaxError{Pos: s.Pos, Err: ErrEmptySegment, Hint: "two segment terminators in a row"}
	}
	n := min(len(s.raw), 20)
	return s, &SyntaxError{Pos: s.Pos, Err: ErrBadTag,
		Hint: fmt.Sprintf("found %q; the file may contain garbage between segments", s.raw[:n])}
}

func isAlnum(b byte) bool {
	return b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' || b >= '0' && b <= '9'
}

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\r' || b == '\n' }
