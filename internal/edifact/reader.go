package edifact

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"slices"
	"unsafe"
)

// Leniency is a partner's policy for input that is not EDIFACT to the
// letter but is common in practice. It is set per partner, never guessed.
type Leniency uint8

const (
	// Strict accepts what ISO 9735 allows, plus line breaks (CR, LF, CRLF)
	// after a segment terminator, which nearly every EDIFACT tool writes and
	// reads: the input starts with "UNA" or "UNB", and nothing else may sit
	// between segments.
	Strict Leniency = iota
	// Lenient also accepts a UTF-8 byte-order mark and white space before
	// the first UNA/UNB, spaces and tabs between segments, and
	// NUL/space/0x1A padding at the end of the input.
	Lenient
	// Exact is ISO 9735 to the letter: not even a line break may follow a
	// segment terminator (it would be read as the start of the next tag).
	Exact
)

func (l Leniency) String() string {
	switch l {
	case Lenient:
		return "lenient"
	case Exact:
		return "exact"
	}
	return "strict"
}

// ParseLeniency reads "exact", "strict" or "lenient" (empty means strict).
func ParseLeniency(s string) (Leniency, error) {
	switch s {
	case "", "strict":
		return Strict, nil
	case "lenient":
		return Lenient, nil
	case "exact":
		return Exact, nil
	}
	return Strict, fmt.Errorf("leniency %q: want exact, strict or lenient", s)
}

const (
	// DefaultMaxSegmentSize bounds one segment. Real segments are a few
	// hundred bytes; BIN/object segments can be larger.
	DefaultMaxSegmentSize = 1 << 20
	unaLen                = 9 // "UNA" + six service characters
	initialBufSize        = 64 << 10
)

// Reader reads EDIFACT segments from an input, one per call to Next, in the
// manner of encoding/csv: buffers are reused, and the returned Segment is
// valid only until the next call. Service characters come from each
// interchange's UNA, or are the defaults; an input may hold several
// interchanges with different service characters.
//
// The service string advice is returned as a segment with the tag "UNA"
// and no elements; Delimiters then tells what it advised.
type Reader struct {
	// MaxSegmentSize is the longest segment accepted, in bytes, without its
	// terminator. A longer one is skipped and reported with
	// ErrSegmentTooLong; memory stays bounded. Zero or less means
	// DefaultMaxSegmentSize.
	MaxSegmentSize int
	// Leniency is the partner's policy for near-EDIFACT input.
	Leniency Leniency

	r        io.Reader
	buf      []byte
	pos      int   // next unread byte in buf
	end      int   // end of valid data in buf
	base     int64 // input offset of buf[0]
	eof      bool  // r is exhausted
	rerr     error // read error other than io.EOF, reported once data runs out
	fixed    bool  // buf is the caller's whole input (NewReaderBytes)
	line     int
	index    int
	delims   Delimiters
	started  bool // the first UNA/UNB was read
	afterUNA bool // the previous segment was a UNA: the next UNB keeps its characters
	inUNB    bool // the segment being read is a UNB
	seg      Segment
	ends     []int32
	scratch  []byte // unescaped values of the current segment
	err      error  // sticky fatal error
	// nl and rl are the offsets in buf of the next line feed and the next
	// release character at or after them (len(buf) when there is none);
	// values below pos are stale. They let readSegment scan for only two
	// characters. fill and new service characters reset them to -1.
	nl, rl int
	// fullScan turns the fast path off (tests compare the two).
	fullScan bool
}

// NewReader returns a Reader that reads from r.
func NewReader(r io.Reader) *Reader {
	return &Reader{r: r, line: 1, MaxSegmentSize: DefaultMaxSegmentSize, nl: -1, rl: -1}
}

// NewReaderBytes returns a Reader over an input already in memory; segments
// alias b directly, so nothing is copied.
func NewReaderBytes(b []byte) *Reader {
	return &Reader{buf: b, end: len(b), eof: true, fixed: true, line: 1, MaxSegmentSize: DefaultMaxSegmentSize, nl: -1, rl: -1}
}

// Delimiters returns the service characters of the current interchange.
func (r *Reader) Delimiters() Delimiters { return r.delims }

// InputOffset returns the input offset just past the last segment read.
func (r *Reader) InputOffset() int64 { return r.base + int64(r.pos) }

// fill reads more input, keeping buf[keep:] and moving it to the front. It
// returns false when no more data will come.
func (r *Reader) fill(keep int) bool {
	if r.eof {
		return false
	}
	r.nl, r.rl = -1, -1
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

func (r *Reader) eofErr() (*Segment, error) {
	if r.rerr != nil {
		return r.fail(r.rerr)
	}
	return r.fail(io.EOF)
}

// Next returns the next segment. At the end of the input it returns io.EOF.
// Errors for which Fatal is false (a too-long segment, a bad tag, an empty
// segment) leave the reader usable; a bad tag comes with its segment, so the
// caller can report it in context. After a fatal error, Next keeps
// returning it.
func (r *Reader) Next() (*Segment, error) {
	if r.err != nil {
		return nil, r.err
	}
	r.scratch = r.scratch[:0]
	if !r.started {
		return r.first()
	}
	if r.Leniency != Exact {
		// Fast path for what separates almost every pair of segments:
		// nothing, or a line break.
		for r.pos < r.end {
			c := r.buf[r.pos]
			if c == '\n' {
				r.line++
			} else if c != '\r' {
				break
			}
			r.pos++
		}
	}
	if r.pos >= r.end || r.Leniency == Lenient && isPad(r.buf[r.pos]) {
		r.skipBetween()
		if r.pos >= r.end && !r.ensure(1) {
			return r.eofErr()
		}
	}
	if r.buf[r.pos] == 'U' && r.ensure(4) && r.buf[r.pos+1] == 'N' {
		switch r.buf[r.pos+2] {
		case 'A':
			return r.readUNA()
		case 'B':
			if err := r.startUNB(); err != nil {
				return r.fail(err)
			}
			return r.readSegment()
		}
	}
	r.afterUNA = false
	return r.readSegment()
}

// maxSegmentSize is MaxSegmentSize with its default applied, capped so
// that element offsets fit the int32s of Segment.ends.
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
// then the first UNA or UNB.
func (r *Reader) first() (*Segment, error) {
	if !r.ensure(1) {
		if r.rerr != nil {
			return r.fail(r.rerr)
		}
		return r.fail(&SyntaxError{Pos: r.pos0(), Err: ErrEmpty, Hint: "the partner sent an empty file; nothing to acknowledge"})
	}
	if r.ensure(3) && bytes.HasPrefix(r.buf[r.pos:r.end], []byte("\xEF\xBB\xBF")) {
		if r.Leniency != Lenient {
			return r.fail(&SyntaxError{Pos: r.pos0(), Err: ErrBOM, Hint: "ask the partner to send plain EDIFACT, or set leniency: lenient in their partner profile"})
		}
		r.pos += 3
	}
	for r.ensure(1) && isSpace(r.buf[r.pos]) {
		if r.Leniency != Lenient {
			return r.fail(&SyntaxError{Pos: r.pos0(), Err: ErrLeadingSpace, Hint: "ask the partner to start the file with UNA or UNB, or set leniency: lenient in their partner profile"})
		}
		if r.buf[r.pos] == '\n' {
			r.line++
		}
		r.pos++
	}
	if !r.ensure(1) {
		if r.rerr != nil {
			return r.fail(r.rerr)
		}
		return r.fail(&SyntaxError{Pos: r.pos0(), Err: ErrEmpty, Hint: "the partner sent a file with nothing but white space; nothing to acknowledge"})
	}
	if !r.ensure(4) || r.buf[r.pos] != 'U' || r.buf[r.pos+1] != 'N' || (r.buf[r.pos+2] != 'A' && r.buf[r.pos+2] != 'B') {
		r.ensure(16)
		n := min(r.end-r.pos, 16)
		return r.fail(&SyntaxError{Pos: r.pos0(), Err: ErrNoUNB,
			Hint: fmt.Sprintf("the file begins with %q; it is not EDIFACT, or it is damaged", r.buf[r.pos:r.pos+n])})
	}
	r.started = true
	if r.buf[r.pos+2] == 'A' {
		return r.readUNA()
	}
	if err := r.startUNB(); err != nil {
		return r.fail(err)
	}
	return r.readSegment()
}

// readUNA reads the service string advice at r.pos: "UNA" and six
// characters, the last of which is the segment terminator.
func (r *Reader) readUNA() (*Segment, error) {
	pos := r.pos0()
	if !r.ensure(unaLen) {
		if r.rerr != nil {
			return r.fail(r.rerr)
		}
		return r.fail(&SyntaxError{Pos: pos, SegmentID: "UNA", Err: ErrUNA,
			Hint: fmt.Sprintf("the input ends after %d bytes of UNA; it needs \"UNA\" and six service characters", r.end-r.pos)})
	}
	a := r.buf[r.pos : r.pos+unaLen]
	d := Delimiters{Component: a[3], Element: a[4], Decimal: a[5], Release: a[6], Repetition: a[7], Segment: a[8]}
	if d.Release == ' ' {
		d.Release = 0
	}
	if d.Repetition == ' ' {
		d.Repetition = 0
	}
	if err := checkDelimiters(d); err != nil {
		return r.fail(&SyntaxError{Pos: pos, SegmentID: "UNA", Err: ErrUNA, Hint: err.Error()})
	}
	r.delims = d
	r.rl = -1
	r.afterUNA = true
	r.started = true
	r.ends = append(r.ends[:0], 3)
	r.seg = Segment{raw: a[:unaLen-1], ends: r.ends, delims: d, Pos: pos}
	r.line += bytes.Count(a, []byte{'\n'})
	r.pos += unaLen
	r.index++
	return &r.seg, nil
}

// startUNB sets the service characters for the UNB at r.pos: those of the
// UNA just read, or the defaults, told apart by the byte after the tag.
func (r *Reader) startUNB() error {
	sep := r.buf[r.pos+3]
	r.rl = -1
	r.inUNB = true
	if r.afterUNA {
		r.afterUNA = false
		if sep != r.delims.Element {
			return &SyntaxError{Pos: r.pos0(), SegmentID: "UNB", Err: ErrServiceChars,
				Hint: fmt.Sprintf("the UNA advises %s as data element separator but the UNB is followed by %s", printable(r.delims.Element), printable(sep))}
		}
		return nil
	}
	switch sep {
	case DefaultDelimiters.Element:
		r.delims = DefaultDelimiters
	case LevelBDelimiters.Element:
		r.delims = LevelBDelimiters
	default:
		return &SyntaxError{Pos: r.pos0(), SegmentID: "UNB", Err: ErrServiceChars,
			Hint: fmt.Sprintf("without a UNA the data element separator must be the default \"+\" (or IS3 for level B), but the UNB is followed by %s; ask the partner to send a UNA", printable(sep))}
	}
	return nil
}

// checkDelimiters checks advised service characters: separators and the
// release character distinct, none a letter, digit or space, and the
// decimal mark not a separator.
func checkDelimiters(d Delimiters) error {
	type sc struct {
		name string
		b    byte
	}
	all := []sc{{"component data element separator (UNA1)", d.Component}, {"data element separator (UNA2)", d.Element}, {"segment terminator (UNA6)", d.Segment}}
	if d.Release != 0 {
		all = append(all, sc{"release character (UNA4)", d.Release})
	}
	if d.Repetition != 0 {
		all = append(all, sc{"repetition separator (UNA5)", d.Repetition})
	}
	for i, a := range all {
		if isAlnum(a.b) || a.b == ' ' {
			return fmt.Errorf("the %s is %s; service characters must not be letters, digits or space", a.name, printable(a.b))
		}
		for _, o := range all[:i] {
			if o.b == a.b {
				return fmt.Errorf("the %s and the %s are both %s", o.name, a.name, printable(a.b))
			}
		}
		if a.b == d.Decimal {
			return fmt.Errorf("the %s is also the decimal mark (UNA3)", a.name)
		}
	}
	return nil
}

// skipBetween skips what is tolerated after a segment terminator: line
// breaks (unless Exact) and, when lenient, spaces, tabs and end-of-input
// padding.
func (r *Reader) skipBetween() {
	for {
		if r.pos >= r.end && !r.ensure(1) {
			return
		}
		b := r.buf[r.pos]
		switch {
		case r.Leniency == Exact:
			return
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

// onlyPadding reports whether the rest of the input is NUL/SUB/white space,
// looking at most MaxSegmentSize bytes ahead (a longer run is read as a
// segment and reported as too long, which keeps a stream's memory bounded).
func (r *Reader) onlyPadding() bool {
	limit := r.maxSegmentSize()
	seen := 0
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
// byte set exactly where that byte of x is zero (no false positives), so
// x = w ^ (b * lo) marks every byte of the word w that equals b.
const (
	swarLo = 0x0101010101010101
	swar7F = 0x7F7F7F7F7F7F7F7F
)

func zeroBytes(x uint64) uint64 { return ^(((x & swar7F) + swar7F) | x | swar7F) }

// readSegment tokenizes one segment starting at r.pos.
//
// This is the hot path, built like x12's: each 8-byte word is compared at
// once with the data element separator, the terminator, the release
// character and '\n' (for line numbers), and the marks are walked with
// TrailingZeros, so data bytes cost a fraction of an instruction each. A
// release character makes the byte after it data, whatever it is: the scan
// resumes after that byte, and the segment remembers that its values need
// unescaping. Components and repetitions are split lazily by the
// accessors.
func (r *Reader) readSegment() (*Segment, error) {
	// Fast path: up to the next line feed or release character (found with
	// IndexByte, and remembered: most inputs have none, or one line feed
	// between segments), only the data element separator and the
	// terminator need marking. A segment that reaches one of them, or the
	// end of the buffer, is read again by the full scan below.
	if r.fullScan {
		return r.readSegmentFull()
	}
	start := r.pos
	buf := r.buf[:r.end]
	if r.nl < start {
		r.nl = indexFrom(buf, start, '\n')
	}
	if r.rl < start {
		r.rl = len(buf)
		if rel := r.delims.Release; rel != 0 {
			r.rl = indexFrom(buf, start, rel)
		}
	}
	lim := min(r.nl, r.rl, len(buf))
	ends, stop := scanFast(buf, start, lim, r.delims.Element, r.delims.Segment, r.ends[:0])
	r.ends = ends
	if stop >= 0 {
		return r.endFast(start, stop)
	}
	return r.readSegmentFull()
}

// scanFast appends to ends the offsets from start of the data element
// separators of the segment at buf[start:], up to its terminator, and
// returns the terminator's index in buf; -1 when lim (a line feed, a
// release character or the end of the buffer) comes first, for the full
// scan to take over.
func scanFast(buf []byte, start, lim int, elem, term byte, ends []int32) ([]int32, int) {
	we, wt := swarLo*uint64(elem), swarLo*uint64(term)
	i := start
	for ; i+8 <= lim; i += 8 {
		w := binary.LittleEndian.Uint64(buf[i:])
		me, mt := zeroBytes(w^we), zeroBytes(w^wt)
		if mt != 0 {
			// The separators before the terminator, then the terminator.
			for me &= mt&-mt - 1; me != 0; me &= me - 1 {
				ends = append(ends, int32(i+bits.TrailingZeros64(me)>>3-start))
			}
			return ends, i + bits.TrailingZeros64(mt)>>3
		}
		for ; me != 0; me &= me - 1 {
			ends = append(ends, int32(i+bits.TrailingZeros64(me)>>3-start))
		}
	}
	for ; i < lim; i++ {
		switch buf[i] {
		case term:
			return ends, i
		case elem:
			ends = append(ends, int32(i-start))
		}
	}
	return ends, -1
}

// keepBody reads the ordinary segments that follow, and the message's
// trailer UNT if one comes next, straight into the message m: their bytes,
// element ends and Segment are appended to m's memory, without the
// Segment of Next and the copy the decoder would make of it. It stops,
// leaving the segment for Next, at the other service segments (see
// isServiceTag) and at anything else the fast path of readSegment does not
// take (a line feed or release character inside the segment, the end of
// the buffer, a tag that is not three letters or digits, padding, an
// over-long segment), so Next reads and reports it as always. It returns
// the number of segments kept, and whether the last is a UNT (then it
// stops after it: the decoder ends the message); the decoder's fast-path
// tests hold it to what Next and the decoder's copy give.
//
// It is the decoder's inner loop (most segments of most messages): the
// scan of scanFast is written out here, so that a segment costs no call
// and its checks are made once, on its first four bytes (bodyStart).
func (r *Reader) keepBody(m *Message) (kept int, unt bool) {
	if r.err != nil || !r.started || r.fullScan || r.inUNB {
		return 0, false
	}
	// Locals, written back once at the end.
	limit := r.maxSegmentSize()
	d := r.delims
	we, wt := swarLo*uint64(d.Element), swarLo*uint64(d.Segment)
	buf := r.buf[:r.end]
	base0 := unsafe.Pointer(unsafe.SliceData(buf))
	base := r.base
	pos, line, index, nl, rl := r.pos, r.line, r.index, r.nl, r.rl
	data, ends, segs := m.bytes, m.ends, m.Segments
	skipLines := r.Leniency != Exact
	// The kept segments are copied in one piece, from the first one's
	// start (chunk) to the last one's end (to), with what lies between
	// them (terminators, line breaks): data has the room for it before,
	// so that their bytes can be pointed at as they are read.
	if cap(data)-len(data) < keepRoom {
		data = slices.Grow(data, keepRoom)
	}
	room, at, full := cap(data)-len(data), len(data), data[:cap(data)]
	chunk, to := pos, 0
	lim := -1 // min(nl, rl, len(buf)): the scan stops there
	for {
		start := pos
		if !bodyStart(buf, start, d.Element, d.Segment) {
			// A line break between segments is skipped, and the next
			// one tried.
			if skipLines && start < len(buf) && (buf[start] == '\n' || buf[start] == '\r') {
				if buf[start] == '\n' {
					line++
				}
				pos++
				continue
			}
			break
		}
		if lim < start {
			if nl < start {
				nl = indexFrom(buf, start, '\n')
			}
			if rl < start {
				rl = len(buf)
				if d.Release != 0 {
					rl = indexFrom(buf, start, d.Release)
				}
			}
			lim = min(nl, rl, len(buf))
		}
		// The words from the fourth byte (the tag holds no separator) are
		// compared with both characters at once: notT has a clear high
		// bit exactly at the terminators, m a set one at both.
		es := len(ends)
		i, stop := start+3, -1
	words:
		for ; i+8 <= lim; i += 8 {
			w := load64(base0, i) // i+8 <= lim <= len(buf)
			xe, xt := w^we, w^wt
			notT := ((xt & swar7F) + swar7F) | xt
			for m := ^((((xe & swar7F) + swar7F) | xe) & notT) & ^uint64(swar7F); m != 0; m &= m - 1 {
				p := bits.TrailingZeros64(m)
				if notT>>p&1 == 0 {
					stop = i + p>>3
					break words
				}
				ends = append(ends, int32(i+p>>3-start))
			}
		}
		if stop < 0 { // fewer than eight bytes before lim
			for ; i < lim; i++ {
				if c := buf[i]; c == d.Segment {
					stop = i
					break
				} else if c == d.Element {
					ends = append(ends, int32(i-start))
				}
			}
		}
		if kept == 0 {
			chunk = start
		}
		if stop < 0 || stop-start > limit || stop-chunk > room {
			ends = ends[:es]
			break
		}
		ends = append(ends, int32(stop-start))
		b, e := at+start-chunk, at+stop-chunk
		// Filled in place: a Segment literal would be built and copied.
		n := len(segs)
		if n == cap(segs) {
			segs = slices.Grow(segs, 1)
		}
		segs = segs[:n+1]
		sg := &segs[n]
		sg.raw, sg.ends, sg.delims, sg.released, sg.scratch = full[b:e:e], ends[es:len(ends):len(ends)], d, false, nil
		index++
		sg.Pos = Position{Offset: base + int64(start), Line: line, Index: index}
		to = stop
		pos = stop + 1
		kept++
		if buf[start] == 'U' && buf[start+1] == 'N' && buf[start+2] == 'T' {
			unt = true
			break
		}
	}
	r.pos, r.line, r.index, r.nl, r.rl = pos, line, index, nl, rl
	if kept > 0 {
		data = append(data, buf[chunk:to]...) // within cap: the segments' bytes stay where they point
		r.afterUNA = false
	}
	m.bytes, m.ends, m.Segments = data, ends, segs
	return kept, unt
}

// bodyStart reports whether b[s:] starts with what keepBody reads: a
// three-character tag that is not a service segment's, then a data element
// separator or the terminator. A line break, padding or a damaged tag is
// left to Next.
func bodyStart(b []byte, s int, elem, term byte) bool {
	if s+3 >= len(b) {
		return false
	}
	t := b[s : s+4]
	t2 := tagChar[t[2]]
	return tagChar[t[0]]&((tagChar[t[1]]&t2)>>1)&tagFirst != 0 && (t[3] == elem || t[3] == term) &&
		(t[0] != 'U' || t[1] != 'N' || t2&tagService == 0)
}

// tagChar classifies the characters of segment tags: tagFirst for the
// first (a letter), tagRest for the others (a letter or digit),
// tagService for the third of the service segments' tags that keepBody
// leaves to Next (see isServiceTag; it keeps a UNT).
var tagChar = func() (t [256]uint8) {
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = tagFirst | tagRest
		if isServiceTag(byte(c)) && c != 'T' {
			t[c] |= tagService
		}
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = tagRest
	}
	return t
}()

// tagFirst is tagRest>>1: a tag's check is one expression.
const (
	tagFirst = 1 << iota
	tagRest
	tagService
)

// isServiceTag reports whether UN and c is a tag the decoder handles
// itself (UNA, UNB, UNG, UNH, UNT, UNE, UNZ; not UNS, a data segment).
func isServiceTag(c byte) bool {
	switch c {
	case 'A', 'B', 'G', 'H', 'T', 'E', 'Z':
		return true
	}
	return false
}

// keepRoom is the least room keepBody makes in a message's bytes, so that
// a run of ordinary segments is copied at once: some dozen segments.
const keepRoom = 1 << 10

// load64 reads the eight bytes at base+i, little-endian, for a caller
// that checked they are within its slice: the word loop of keepBody runs
// once per eight bytes of input, and a bounds check there costs more than
// the comparison it guards.
func load64(base unsafe.Pointer, i int) uint64 {
	return binary.LittleEndian.Uint64((*[8]byte)(unsafe.Add(base, i))[:])
}

// indexFrom returns the offset in b of the first c at or after from, or
// len(b).
func indexFrom(b []byte, from int, c byte) int {
	if i := bytes.IndexByte(b[from:], c); i >= 0 {
		return from + i
	}
	return len(b)
}

// endFast finishes a segment of the fast path: r.buf[start:stop], no line
// feed, no release character, r.ends holding its element ends so far.
func (r *Reader) endFast(start, stop int) (*Segment, error) {
	pos := Position{Offset: r.base + int64(start), Line: r.line, Index: r.index + 1}
	r.pos = stop + 1
	r.index++
	if limit := r.maxSegmentSize(); stop-start > limit {
		return nil, r.tooLong(pos, r.buf[start:stop])
	}
	raw := r.buf[start:stop]
	r.ends = append(r.ends, int32(len(raw)))
	s := &r.seg
	s.raw, s.ends, s.delims, s.released, s.scratch, s.Pos = raw, r.ends, r.delims, false, &r.scratch, pos
	if r.inUNB {
		r.inUNB = false
		r.setSyntax(s)
	}
	return r.checkTag(s)
}

// readSegmentFull tokenizes one segment starting at r.pos, whatever it
// holds.
func (r *Reader) readSegmentFull() (*Segment, error) {
	pos := r.pos0()
	ends := r.ends[:0]
	start := r.pos
	i := r.pos
	lines := 0
	released := false
	elem, term, rel := r.delims.Element, r.delims.Segment, r.delims.Release
	hasRel := rel != 0
	we, wt, wr := swarLo*uint64(elem), swarLo*uint64(term), swarLo*uint64(rel)
	const wn = swarLo * '\n'
	limit := r.maxSegmentSize()
	for {
		buf := r.buf[:r.end]
		more := false // a release character is the last byte of buf
	scan:
		for i+8 <= len(buf) {
			w := binary.LittleEndian.Uint64(buf[i:])
			me, mt, mn := zeroBytes(w^we), zeroBytes(w^wt), zeroBytes(w^wn)
			var mr uint64
			if hasRel {
				mr = zeroBytes(w ^ wr)
			}
			for m := me | mt | mn | mr; m != 0; m &= m - 1 {
				j := i + bits.TrailingZeros64(m)>>3
				switch low := m & -m; {
				case low&mt != 0:
					r.ends = ends
					return r.endSegment(pos, buf, start, j, lines, released, limit)
				case low&me != 0:
					ends = append(ends, int32(j-start))
					if low&mn != 0 {
						lines++
					}
				case low&mr != 0:
					released = true
					if low&mn != 0 {
						lines++
					}
					if j+1 >= len(buf) {
						i, more = j, true
						break scan
					}
					if buf[j+1] == '\n' {
						lines++
					}
					i = j + 2
					continue scan
				default:
					lines++
				}
			}
			i += 8
		}
		for !more && i < len(buf) {
			switch c := buf[i]; {
			case c == term:
				r.ends = ends
				return r.endSegment(pos, buf, start, i, lines, released, limit)
			case c == elem:
				ends = append(ends, int32(i-start))
				if c == '\n' {
					lines++
				}
			case hasRel && c == rel:
				released = true
				if c == '\n' {
					lines++
				}
				if i+1 >= len(buf) {
					more = true
					continue
				}
				if buf[i+1] == '\n' {
					lines++
				}
				i++
			case c == '\n':
				lines++
			}
			i++
		}
		if more && buf[i] == '\n' {
			lines-- // counted again when the release character is scanned anew
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
			if more {
				return r.fail(&SyntaxError{Pos: pos, SegmentID: tagOf(r.buf[start:r.end], r.delims), Err: ErrReleaseAtEnd,
					Hint: fmt.Sprintf("the release character %s must be followed by the character it releases; the file was cut short", printable(rel))})
			}
			n := min(r.end-start, 20)
			return r.fail(&SyntaxError{Pos: pos, SegmentID: tagOf(r.buf[start:r.end], r.delims), Err: ErrTruncated,
				Hint: fmt.Sprintf("%d bytes after the last terminator, beginning %q; the file was cut short or the partner's segment terminator is not %s",
					r.end-start, r.buf[start:start+n], printable(r.delims.Segment))})
		}
	}
}

// endSegment finishes the segment buf[start:stop] whose terminator is at
// buf[stop]; r.ends holds its element ends so far.
func (r *Reader) endSegment(pos Position, buf []byte, start, stop, lines int, released bool, limit int) (*Segment, error) {
	raw := buf[start:stop]
	if buf[stop] == '\n' {
		lines++
		if len(raw) > 0 && raw[len(raw)-1] == '\r' && !(released && len(raw) > 1 && raw[len(raw)-2] == r.delims.Release) {
			raw = raw[:len(raw)-1] // CRLF as terminator
		}
	}
	r.pos = stop + 1
	r.line += lines
	r.index++
	if stop-start > limit {
		return nil, r.tooLong(pos, raw)
	}
	r.ends = append(r.ends, int32(len(raw)))
	r.seg = Segment{raw: raw, ends: r.ends, delims: r.delims, released: released, scratch: &r.scratch, Pos: pos}
	if r.inUNB {
		r.inUNB = false
		r.setSyntax(&r.seg)
	}
	return r.checkTag(&r.seg)
}

// setSyntax applies the syntax version of a UNB (S001 0002): the
// repetition separator exists only from syntax version 4 on; before it,
// UNA5 is reserved and the default has none.
func (r *Reader) setSyntax(unb *Segment) {
	v := unb.RawComponent(1, 1, 2)
	if len(v) == 1 && v[0] >= '1' && v[0] <= '3' {
		r.delims.Repetition = 0
		unb.delims.Repetition = 0
	}
}

func (r *Reader) tooLong(pos Position, seg []byte) error {
	// The tag is read from the bytes both readers are sure to have seen.
	seg = seg[:min(len(seg), r.maxSegmentSize()+1)]
	return &SyntaxError{Pos: pos, SegmentID: tagOf(seg, r.delims), Err: ErrSegmentTooLong,
		Hint: fmt.Sprintf("the limit is %d bytes; the segment was skipped. If the partner's segments are really this long, raise max_segment_size in their profile; if the file has no segment terminators, it is not EDIFACT or is damaged", r.maxSegmentSize())}
}

// skipLong discards a segment that exceeds MaxSegmentSize and has no
// terminator in the buffer, keeping memory bounded, and reports it.
func (r *Reader) skipLong(pos Position, start, lines int) (*Segment, error) {
	err := r.tooLong(pos, r.buf[start:r.end])
	found := false
	r.pos = r.end
	// A release character as the last byte of the buffer releases the
	// first byte of the next read.
	pending := r.pendingRelease(r.buf[start:r.end])
	for !r.fixed {
		r.base += int64(r.end)
		r.pos, r.end = 0, 0
		if !r.fill(0) {
			break
		}
		b := r.buf[:r.end]
		i := 0
		if pending {
			i = 1
		}
		if j := findTerm(b[min(i, len(b)):], r.delims); j >= 0 {
			j += min(i, len(b))
			lines += bytes.Count(b[:j+1], []byte{'\n'})
			r.pos = j + 1
			found = true
			break
		}
		pending = r.pendingRelease(b[min(i, len(b)):])
		lines += bytes.Count(b, []byte{'\n'})
		r.pos = r.end
	}
	r.line += lines
	r.index++
	if !found {
		if r.rerr != nil {
			r.err = r.rerr
		} else {
			r.err = &SyntaxError{Pos: pos, SegmentID: err.(*SyntaxError).SegmentID, Err: ErrTruncated, Hint: "the input ends inside an over-long segment"}
		}
	}
	return nil, err
}

// findTerm returns the index of the first unreleased segment terminator in
// b, or -1.
func findTerm(b []byte, d Delimiters) int {
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case d.Segment:
			return i
		case d.Release:
			if d.Release != 0 {
				i++
			}
		}
	}
	return -1
}

// pendingRelease reports whether b ends with a release character that
// releases the byte after b.
func (r *Reader) pendingRelease(b []byte) bool {
	rel := r.delims.Release
	if rel == 0 {
		return false
	}
	n := 0
	for i := len(b) - 1; i >= 0 && b[i] == rel; i-- {
		n++
	}
	return n%2 == 1
}

func tagOf(b []byte, d Delimiters) string {
	n := min(len(b), 3)
	for i := 0; i < n; i++ {
		if b[i] == d.Element || b[i] == d.Component {
			n = i
			break
		}
	}
	for _, c := range b[:n] {
		if !isAlnum(c) {
			return ""
		}
	}
	return string(b[:n])
}

// checkTag verifies the tag: 3 upper-case letters or digits starting with
// a letter (ISO 9735 segment tags are an3; syntax 1-3 nesting and
// repeating indicators may follow as components). A bad tag is returned
// with the segment so the caller can place it in its message.
func (r *Reader) checkTag(s *Segment) (*Segment, error) {
	if raw := s.raw; s.ends[0] == 3 && raw[0] >= 'A' && raw[0] <= 'Z' && isTagChar(raw[1]) && isTagChar(raw[2]) {
		return s, nil // the common case: a plain three-character tag
	}
	tag := s.IDBytes()
	if len(tag) == 3 && tag[0] >= 'A' && tag[0] <= 'Z' && isTagChar(tag[1]) && isTagChar(tag[2]) {
		return s, nil
	}
	if len(s.raw) == 0 {
		return s, &SyntaxError{Pos: s.Pos, Err: ErrEmptySegment, Hint: "two segment terminators in a row"}
	}
	n := min(len(s.raw), 20)
	return s, &SyntaxError{Pos: s.Pos, Err: ErrBadTag,
		Hint: fmt.Sprintf("found %q; the file may contain garbage between segments, or an unreleased segment terminator inside the previous segment's data", s.raw[:n])}
}

func isTagChar(c byte) bool { return c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' }

func isAlnum(b byte) bool {
	return b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' || b >= '0' && b <= '9'
}

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\r' || b == '\n' }
