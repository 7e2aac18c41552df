package x12

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
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

const (
	// DefaultMaxSegmentSize bounds one segment. Real segments are a few
	// hundred bytes; BIN segments carrying documents can be larger.
	DefaultMaxSegmentSize = 1 << 20
	isaLen                = 106        // ISA including its terminator
	maxISAScan            = 4 * isaLen // how far a lenient ISA may stretch
	initialBufSize        = 256 << 10
)

// Reader reads X12 segments from an input, one per call to Next, in the
// manner of encoding/csv: buffers are reused, and the returned Segment is
// valid only until the next call. Delimiters come from each ISA; an input
// may hold several interchanges with different delimiters.
type Reader struct {
	// MaxSegmentSize is the longest segment accepted, in bytes, without its
	// terminator. A longer one is skipped and reported with
	// ErrSegmentTooLong; memory stays bounded. Zero or less means
	// DefaultMaxSegmentSize.
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
	// Fast path for what separates almost every pair of segments: nothing,
	// or a line break. Anything else goes through skipBetween.
	for r.pos < r.end {
		c := r.buf[r.pos]
		if c == '\n' {
			r.line++
		} else if c != '\r' {
			break
		}
		r.pos++
	}
	if r.pos >= r.end || r.Leniency == Lenient && isPad(r.buf[r.pos]) {
		r.skipBetween()
		if r.pos >= r.end && !r.ensure(1) {
			if r.rerr != nil {
				return r.fail(r.rerr)
			}
			return r.fail(io.EOF)
		}
	}
	// A new interchange may change every delimiter, so an ISA is read by its
	// fixed layout, not with the current terminator.
	if r.buf[r.pos] == 'I' && r.ensure(4) && r.buf[r.pos+1] == 'S' && r.buf[r.pos+2] == 'A' && !isAlnum(r.buf[r.pos+3]) {
		return r.readISA()
	}
	return r.readSegment()
}

// maxSegmentSize is MaxSegmentSize with its default applied. It is capped
// so that element offsets fit the int32s of Segment.ends.
func (r *Reader) maxSegmentSize() int {
	switch {
	case r.MaxSegmentSize <= 0:
		return DefaultMaxSegmentSize
	case r.MaxSegmentSize > 1<<31-2:
		return 1<<31 - 2
	}
	return r.MaxSegmentSize
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
	if !r.ensure(1) {
		// Lenient, and nothing but a BOM or white space: still an empty file.
		if r.rerr != nil {
			return r.fail(r.rerr)
		}
		return r.fail(&SyntaxError{Pos: r.pos0(), Err: ErrEmpty, Hint: "the partner sent a file with nothing but white space; nothing to acknowledge"})
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
	// The lenient search below looks up to 4*isaLen bytes ahead and needs
	// the two bytes after the 16th separator; ask for all of them so that a
	// stream split anywhere reads the ISA as NewReaderBytes does.
	if r.Leniency == Lenient {
		r.ensure(maxISAScan + 2)
	} else {
		r.ensure(isaLen)
	}
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
	// A separator inside a field (say ISA06 "ACME*CO") keeps the fixed
	// offsets but shifts every element after it, ISA12 the version included.
	// (ISA16 is left out: that it equals the separator is checkDelimiters' to say.)
	if fixed && bytes.Count(avail[:isaLen-2], avail[3:4]) != len(isaSeps) {
		fixed = false
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
		for i = 0; i < len(avail) && i < maxISAScan; i++ {
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

// skipBetween skips the line breaks allowed after a segment terminator (and,
// when lenient, spaces, tabs and end-of-input padding).
func (r *Reader) skipBetween() {
	for {
		if r.pos >= r.end && !r.ensure(1) {
			return
		}
		b := r.buf[r.pos]
		switch {
		case b == '\n':
			r.line++
		case b == '\r':
		case r.Leniency == Lenient && (b == ' ' || b == '\t'):
		case r.Leniency == Lenient && (b == 0 || b == 0x1A) && r.onlyPadding():
			r.pos = r.end
			return
		default:
			return
		}
		r.pos++
	}
}

func isPad(b byte) bool { return b == ' ' || b == '\t' || b == 0 || b == 0x1A }

// onlyPadding reports whether the rest of the input is NUL/SUB/white space.
// It looks at most MaxSegmentSize bytes ahead, in both readers alike: a
// longer run is treated as a segment (and reported as too long), which keeps
// the memory of a stream bounded when a partner pads with megabytes of NULs.
func (r *Reader) onlyPadding() bool {
	limit := r.maxSegmentSize()
	seen := 0 // bytes from r.pos already checked; fill may move r.pos
	for {
		for _, b := range r.buf[r.pos+seen : r.end] {
			if b != 0 && b != 0x1A && !isSpace(b) {
				return false
			}
		}
		seen = r.end - r.pos
		if seen > limit {
			return false
		}
		if !r.fill(r.pos) {
			return true
		}
	}
}

// SWAR ("SIMD within a register"): zeroBytes(x) has the high bit of each
// byte set exactly where that byte of x is zero (no false positives, unlike
// the shorter (x-lo)&^x&hi trick), so x = w ^ (b * lo) marks every byte of the
// word w that equals b.
const (
	swarLo = 0x0101010101010101
	swar7F = 0x7F7F7F7F7F7F7F7F
)

func zeroBytes(x uint64) uint64 { return ^(((x & swar7F) + swar7F) | x | swar7F) }

// readSegment tokenizes one segment starting at r.pos.
//
// This is the hot path. Rather than classify each byte through a table (a
// load and a hard-to-predict branch per byte, about 600 MB/s here), it marks
// in each 8-byte word the bytes that matter (the element separator, the
// terminator and '\n', counted for positions), walks the element marks
// with TrailingZeros and counts the line feeds with one popcount per word:
// the marks of a word do not depend on the previous element,
// so the CPU overlaps the words, and data bytes cost a fraction of an
// instruction each. See BenchmarkReaderBytes.
func (r *Reader) readSegment() (*Segment, error) {
	pos := r.pos0()
	ends := r.ends[:0]
	start := r.pos
	i := r.pos // next byte to look at
	lines := 0
	elem, term := r.delims.Element, r.delims.Segment
	we, wt := swarLo*uint64(elem), swarLo*uint64(term)
	const wn = swarLo * '\n'
	limit := r.maxSegmentSize()
	for {
		buf := r.buf[:r.end]
		for ; i+8 <= len(buf); i += 8 {
			// (buf[i : i+8], not buf[i:]: a slice of known length 8
			// spares Uint64 its own bounds check, once per word)
			w := binary.LittleEndian.Uint64(buf[i : i+8])
			me, mt, mn := zeroBytes(w^we), zeroBytes(w^wt), zeroBytes(w^wn)
			if mt != 0 {
				// Only what comes before the terminator belongs to the
				// segment (the terminator may be '\n' too: endSegment
				// counts that one).
				t := mt & -mt
				before := t - 1
				for m := me & before; m != 0; m &= m - 1 {
					ends = append(ends, int32(i+bits.TrailingZeros64(m)>>3-start))
				}
				lines += bits.OnesCount64(mn & before)
				return r.endSegment(pos, buf, start, i+bits.TrailingZeros64(t)>>3, ends, lines, limit)
			}
			for m := me; m != 0; m &= m - 1 {
				ends = append(ends, int32(i+bits.TrailingZeros64(m)>>3-start))
			}
			// Line feeds are counted, not walked: a '\n' element separator
			// is a line break too.
			lines += bits.OnesCount64(mn)
		}
		for ; i < len(buf); i++ {
			switch c := buf[i]; c {
			case term:
				return r.endSegment(pos, buf, start, i, ends, lines, limit)
			case elem:
				ends = append(ends, int32(i-start))
				if c == '\n' {
					lines++
				}
			case '\n':
				lines++
			}
		}
		if i-start > limit {
			r.ends = ends
			return r.skipLong(pos, start, lines)
		}
		// Need more input; fill moves the unread data (from start) to the front.
		oldBase := r.base
		r.pos = start
		ok := r.fill(start)
		shift := int(r.base - oldBase)
		start -= shift
		i -= shift
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

// endSegment finishes the segment buf[start:stop] whose terminator is at
// buf[stop].
func (r *Reader) endSegment(pos Position, buf []byte, start, stop int, ends []int32, lines, limit int) (*Segment, error) {
	raw := buf[start:stop]
	if buf[stop] == '\n' {
		lines++
		if len(raw) > 0 && raw[len(raw)-1] == '\r' { // CRLF as terminator
			raw = raw[:len(raw)-1]
		}
	}
	r.pos = stop + 1
	r.line += lines
	r.index++
	if stop-start > limit {
		r.ends = ends
		return nil, r.tooLong(pos, raw)
	}
	ends = append(ends, int32(len(raw)))
	r.ends = ends
	r.seg.raw, r.seg.ends, r.seg.delims, r.seg.Pos = raw, ends, r.delims, pos
	return r.checkTag(&r.seg)
}

func (r *Reader) tooLong(pos Position, seg []byte) error {
	return &SyntaxError{Pos: pos, SegmentID: tagOf(seg, r.delims.Element), Err: ErrSegmentTooLong,
		Hint: fmt.Sprintf("the limit is %d bytes; the segment was skipped. If the partner's segments are really this long, raise max_segment_size in their profile; if the file has no segment terminators, it is not X12 or is damaged", r.maxSegmentSize())}
}

// skipLong discards a segment that exceeds MaxSegmentSize and has no
// terminator in the buffer, keeping memory bounded, and reports it. lines
// are the line feeds already seen in buf[start:r.end].
func (r *Reader) skipLong(pos Position, start, lines int) (*Segment, error) {
	err := r.tooLong(pos, r.buf[start:r.end])
	found := false
	r.pos = r.end
	for !r.fixed {
		// drop everything: nothing of this segment is kept
		r.base += int64(r.end)
		r.pos, r.end = 0, 0
		if !r.fill(0) {
			break
		}
		b := r.buf[:r.end]
		if i := bytes.IndexByte(b, r.delims.Segment); i >= 0 {
			lines += bytes.Count(b[:i+1], []byte{'\n'})
			r.pos = i + 1
			found = true
			break
		}
		lines += bytes.Count(b, []byte{'\n'})
		r.pos = r.end
	}
	r.line += lines
	r.index++
	if !found {
		// The segment ran to the end of the input: nothing more can follow.
		// A read error that ended it is the better explanation.
		if r.rerr != nil {
			r.err = r.rerr
		} else {
			r.err = &SyntaxError{Pos: pos, SegmentID: err.(*SyntaxError).SegmentID, Err: ErrTruncated, Hint: "the input ends inside an over-long segment"}
		}
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
	if (len(tag) == 2 || len(tag) == 3) && tag[0] >= 'A' && tag[0] <= 'Z' && isTagChar(tag[1]) && (len(tag) == 2 || isTagChar(tag[2])) {
		return s, nil
	}
	if len(s.raw) == 0 {
		return s, &SyntaxError{Pos: s.Pos, Err: ErrEmptySegment, Hint: "two segment terminators in a row"}
	}
	n := min(len(s.raw), 20)
	return s, &SyntaxError{Pos: s.Pos, Err: ErrBadTag,
		Hint: fmt.Sprintf("found %q; the file may contain garbage between segments", s.raw[:n])}
}

func isTagChar(c byte) bool { return c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' }

func isAlnum(b byte) bool {
	return b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' || b >= '0' && b <= '9'
}

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\r' || b == '\n' }
