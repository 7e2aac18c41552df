package edifact

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/bits"
	"slices"

	"github.com/b2bgw/b2bgw/internal/edifact/spec"
)

// The structure walk: the walker stands at a node of the innermost open
// segment group. For each segment it searches forward from there in that
// group, then in each enclosing one; a match in an enclosing group closes
// the inner ones (their missing mandatory nodes are reported at this
// segment's position), a match on a group's trigger starts a new
// occurrence of the group. A segment found nowhere is reported and leaves
// the walker where it was.
//
// Everything it needs comes from the compiled tables (validate_compile.go):
// tags are compared as packed integers, limits, modes and finding texts
// are precomputed, and a segment without findings costs no allocation.
// The elements of a segment are first looked at by clean, a pass that
// only says whether there is anything to report (most segments have
// nothing); segment's full check, which puts the findings together, runs
// for the others. TestCompiledWalkEquivalence holds both to the
// reference walk.

// frame is one open node list (the message, or a group's body) and where
// the walker stands in it.
type frame struct {
	list  *cList
	idx   int // current node
	count int // occurrences of list.nodes[idx] so far
}

// walker is the per-message working memory, pooled by the Validator.
type walker struct {
	c       *compiledMessage
	m       *Message
	r       *MessageResult
	stack   []frame
	skip    []int // positions the decoder already reported, sorted
	hard    int
	noted   int
	syntax4 bool
	last    lastSpec // the specification found for the last message
	// chars is the repertoire check the walk does along the way (nil:
	// none); charsOK[i] says that the walk found segment i+1 in it, which
	// charsN segments are (all of them: nothing is left to check after).
	chars   *charCheck
	charsOK []bool
	charsN  int
	mark    byte // the decimal mark of the segment clean looks at
	// ValidatePlaced: steps[i] records where segment i went (see
	// Placement) while placing; placedAll stays true while every segment
	// has its step (the walk skips none).
	steps     []uint32
	placing   bool
	placedAll bool
}

// lastSpec is the compiled specification of a message type (UNH S009
// 0065, 0052, 0054: what messageDirectory and the lookup depend on).
type lastSpec struct {
	typ, version, release string
	c                     *compiledMessage
}

func (w *walker) reset(c *compiledMessage, m *Message, r *MessageResult, chars *charCheck) {
	w.c, w.m, w.r = c, m, r
	w.hard, w.noted = 0, 0
	w.syntax4 = m.Interchange != nil && m.Interchange.SyntaxVersion >= 4
	w.skip = w.skip[:0]
	for i := range m.SegmentErrors {
		if m.SegmentErrors[i].Code != "" {
			w.skip = append(w.skip, m.SegmentErrors[i].Position)
		}
	}
	w.chars, w.charsN = chars, 0
	w.steps, w.placing, w.placedAll = nil, false, true
	if chars != nil {
		w.charsOK = slices.Grow(w.charsOK[:0], len(m.Segments))[:len(m.Segments)]
		clear(w.charsOK)
	}
	if !slices.IsSorted(w.skip) {
		slices.Sort(w.skip)
	}
}

// release drops the references to the message so the pool does not keep
// it alive.
func (w *walker) release() {
	w.c, w.m, w.r, w.chars, w.steps = nil, nil, nil, nil, nil
	clear(w.stack[:cap(w.stack)])
	w.stack = w.stack[:0]
}

func (w *walker) mode(m spec.OverlayMode) Severity {
	switch m {
	case spec.ModeWarn:
		return SevWarning
	case spec.ModeNote:
		w.noted++
	default:
		w.hard++
	}
	return SevError
}

func (w *walker) run() {
	w.stack = append(w.stack[:0], frame{list: &w.c.root})
	segs := w.m.Segments
	skip, k := w.skip, 0
	for i := range segs {
		pos := i + 1
		if k < len(skip) && skip[k] <= pos {
			for k < len(skip) && skip[k] < pos {
				k++
			}
			if k < len(skip) && skip[k] == pos {
				w.placedAll = false // the tree's walk would place it
				continue            // reported by the decoder
			}
		}
		s := &segs[i]
		if len(s.ends) == 1 && w.chars != nil && w.chars.badChar(s) >= 0 && !w.decoderReported(pos) {
			// The repertoire check after the walk reports this one as a
			// whole (code 21 on the segment, not an element: it has
			// nothing but its tag element); it is skipped as when the
			// check runs first.
			w.placedAll = false
			continue
		}
		w.place(s, pos)
	}
	// Whatever is still open must have had its mandatory rest.
	end := len(segs) + 1
	for len(w.stack) > 0 {
		w.closeFrame(end)
	}
}

// decoderReported reports whether the decoder's findings name position
// pos, whatever their code (the repertoire check leaves those alone).
func (w *walker) decoderReported(pos int) bool {
	for i := range w.m.SegmentErrors {
		if w.m.SegmentErrors[i].Position == pos {
			return true
		}
	}
	return false
}

func (w *walker) groupPath() string { return w.stack[len(w.stack)-1].list.group }

// place finds where segment s belongs: in the current frame at or after
// the current node, or in an enclosing frame (closing the inner ones).
func (w *walker) place(s *Segment, pos int) {
	// tagKey of the tag; a tag of three bytes, as nearly every one, read
	// right here.
	var key uint32
	if r := s.raw; len(r) >= 4 && s.ends[0] == 3 {
		key = 4<<24 | binary.LittleEndian.Uint32(r)&0xFFFFFF
	} else {
		key = tagKey(s.IDBytes())
	}
	for level := len(w.stack) - 1; level >= 0; level-- {
		f := &w.stack[level]
		l := f.list
		j := f.idx
		if j == 0 && l.group != "" {
			// A group's trigger starts a new occurrence of the group: it
			// is matched by the group node in the frame above.
			j = 1
		}
		if key != 0 {
			// Most often the tag is that of the current node or the next
			// one; otherwise it is looked up.
			switch {
			case j < len(l.keys) && l.keys[j] == key:
			case j+1 < len(l.keys) && l.keys[j+1] == key:
				j++
			case j > 0 && !l.mayHold(key):
				continue // not in nodes[1:]
			default:
				j = l.find(key, j)
			}
		} else {
			tag := s.IDBytes()
			for j < len(l.keys) && (l.keys[j] != 0 || l.nodes[j].tag != string(tag)) {
				j++
			}
		}
		if j >= len(l.nodes) {
			continue
		}
		for len(w.stack)-1 > level {
			w.closeFrame(pos)
		}
		if w.placing {
			w.steps[pos-1] = uint32(level)<<stepDepthShift | uint32(j) // compileMessage checked it fits
		}
		f = &w.stack[level]
		if j == f.idx && f.count > 0 {
			f.count++
		} else {
			from := f.idx
			if f.count > 0 {
				from++
			}
			if int(l.nextMust[from]) < j {
				w.missingBetween(l, from, j, pos)
			}
			f.idx, f.count = j, 1
		}
		n := &l.nodes[j]
		if f.count > n.limit {
			w.tooMany(n, s, pos)
		}
		if n.body != nil {
			w.stack = append(w.stack, frame{list: n.body, count: 1})
		}
		if cs := n.seg; cs != nil {
			if ok, chars := w.clean(s, cs); !ok {
				group := l.group
				if n.body != nil {
					group = n.group
				}
				w.segment(s, pos, cs, group)
			} else if chars {
				w.charsOK[pos-1] = true
				w.charsN++
			}
		} else if w.chars != nil && !anyDisallowed(&w.chars.tab, s.raw) {
			// UNH and UNT: no element checks here (the decoder made
			// them), but their characters are looked at now, so that
			// a message with none outside the repertoire leaves
			// nothing to check after the walk.
			w.charsOK[pos-1] = true
			w.charsN++
		}
		return
	}
	w.notPlaced(s, pos)
}

// notPlaced reports segment s, at position pos, found nowhere.
func (w *walker) notPlaced(s *Segment, pos int) {
	if w.placing {
		w.steps[pos-1] = unplaced
	}
	t := string(s.IDBytes())
	ms := w.c.ms
	msg := fmt.Sprintf("segment %s is not expected here in %s", t, ms.Type)
	if !w.c.tags[t] {
		msg = fmt.Sprintf("segment %s is not part of %s %s", t, ms.Type, ms.Directory)
	}
	w.r.Segments = append(w.r.Segments, SegmentError{SegmentID: t, Position: pos, Group: w.groupPath(), Code: CodeNotSupportedInPosition, Pos: s.Pos, Severity: w.mode(""), Message: msg})
}

// tooMany reports occurrence f.count of node n (segment or group trigger)
// beyond its repeat limit.
func (w *walker) tooMany(n *cNode, s *Segment, pos int) {
	if n.body != nil {
		w.r.Segments = append(w.r.Segments, SegmentError{SegmentID: n.tag, Position: pos, Group: n.group, Code: CodeTooManyGroupRepetitions, Pos: s.Pos,
			Severity: w.mode(n.maxMode), Message: fmt.Sprintf("segment group %s occurs more than %d times", n.group, n.max)})
		return
	}
	w.r.Segments = append(w.r.Segments, SegmentError{SegmentID: n.tag, Position: pos, Group: w.groupPath(), Code: CodeTooManyRepetitions, Pos: s.Pos,
		Severity: w.mode(n.maxMode), Message: fmt.Sprintf("segment %s occurs more than %d times", n.tag, n.max)})
}

// missingBetween reports the mandatory nodes of l from node from up to
// (not including) node j, at segment position pos.
func (w *walker) missingBetween(l *cList, from, j, pos int) {
	for k := int(l.nextMust[from]); k < j; k = int(l.nextMust[k+1]) {
		n := &l.nodes[k]
		group := l.group
		if n.body != nil {
			group = n.group
		}
		var p Position
		if pos-1 < len(w.m.Segments) {
			p = w.m.Segments[pos-1].Pos
		}
		w.r.Segments = append(w.r.Segments, SegmentError{SegmentID: n.tag, Position: pos, Group: group, Code: CodeMissing, Pos: p,
			Severity: w.mode(n.missMode), Message: n.missMsg})
	}
}

// closeFrame pops the innermost frame, reporting its mandatory nodes not
// yet seen.
func (w *walker) closeFrame(pos int) {
	f := &w.stack[len(w.stack)-1]
	from := f.idx
	if f.count > 0 {
		from++
	}
	w.missingBetween(f.list, from, len(f.list.nodes), pos)
	w.stack = w.stack[:len(w.stack)-1]
}

// segment checks the data elements of s against its compiled definition
// cs, and reports what it finds: place calls it for the segments clean
// says no to.
func (w *walker) segment(s *Segment, pos int, cs *cSeg, group string) {
	var se elemList
	var code ErrorCode
	var sev Severity
	var msg string
	if n := s.Len(); n > cs.nDef {
		code, sev = CodeTooManyConstituents, w.mode("")
		msg = fmt.Sprintf("%s has %d data elements; the directory defines %d", cs.tag, n, cs.nDef)
	}
	d := s.delims
	fast := d.Release == 0 || !s.released
	raw, ends := s.raw, s.ends
	for i := range cs.pos {
		p := &cs.pos[i]
		pn := i + 1
		var e []byte
		if pn < len(ends) {
			e = raw[ends[pn-1]+1 : ends[pn]]
		} else if i > cs.lastReq {
			break // nothing sent from here on, and nothing required
		}
		if len(e) == 0 {
			if p.absent.report {
				w.absent(&se, &p.absent, pn, 0)
			}
			continue
		}
		if fast {
			if last := e[len(e)-1]; w.syntax4 && (last == d.Component || last == d.Repetition && d.Repetition != 0) {
				se.Elements = append(se.Elements, ElementError{Position: pn, Ref: p.ref, Code: CodeTrailingSeparator, Severity: w.mode(""),
					Message: "the element ends with a separator; trailing separators must be omitted"})
			}
			if d.Repetition == 0 || bytes.IndexByte(e, d.Repetition) < 0 {
				w.single(&se, s, e, p, pn)
				continue
			}
		}
		w.general(&se, s, p, pn)
	}
	if code != "" || len(se.Elements) > 0 {
		w.r.Segments = append(w.r.Segments, SegmentError{SegmentID: cs.tag, Position: pos, Group: group, Code: code, Elements: se.Elements,
			Severity: sev, Pos: s.Pos, Message: msg})
	}
}

// clean reports whether segment s has nothing to report against cs, in
// a lean pass that only answers yes or no: most segments are clean, and
// for the others segment goes on to find what is wrong. It may say no
// for a clean segment (one with a release character or a repetition
// separator, say), never yes for one with a finding. Saying yes, it also
// says whether every byte of the segment is in the repertoire of w.chars
// (the bytes were just read: they are in the cache).
//
// An element is read eight bytes at a time: each word finds its component
// separators at once, and the word of a value of up to eight bytes also
// checks its digits and is its code's key (see valueClean). Values are
// short, and a loop over their bytes would leave it at a different byte
// every time, which the processor cannot predict.
func (w *walker) clean(s *Segment, cs *cSeg) (ok, chars bool) {
	d := &s.delims
	raw, ends := s.raw, s.ends
	sent := len(ends) - 1
	if sent > cs.nDef || cs.lastReq >= sent || s.released && d.Release != 0 ||
		d.Repetition != 0 && bytes.IndexByte(raw[ends[0]:], d.Repetition) >= 0 {
		return false, false
	}
	ws := swarLo * uint64(d.Component)
	w.mark = d.Decimal
	pos := cs.pos[:sent]
	next := int(ends[0]) + 1 // where element i starts
	for i, e := range ends[1:] {
		p := &pos[i]
		a, end := next, int(e)
		next = end + 1
		if a == end {
			if p.absent.report {
				return false, false
			}
			continue
		}
		// (A trailing separator, which syntax 4 reports, is a component
		// separator: only a composite may have one, found below.)
		if !p.composite {
			if n := end - a; n <= 8 {
				x := word(raw, a)
				if zeroBytes(x^ws)&lowBytes(n) != 0 {
					return false, false // components in a simple element
				}
				if cv := p.val; cv != nil && !lenOK(cv, n) {
					if cv.code && n <= 7 {
						if n < cv.lo || n > cv.hi || !cv.codes.hasKey(x&lowBytes(n)|uint64(n)<<56) {
							return false, false // codeKey(raw[a:end])
						}
					} else if !w.valueClean(raw, a, end, x&lowBytes(n), cv) {
						return false, false
					}
				}
				continue
			}
			for off := a; off < end; off += 8 {
				m := zeroBytes(word(raw, off) ^ ws)
				if end-off < 8 {
					m &= lowBytes(end - off)
				}
				if m != 0 {
					return false, false // components in a simple element
				}
			}
			if cv := p.val; cv != nil && !lenOK(cv, end-a) && !w.valueClean(raw, a, end, 0, cv) {
				return false, false
			}
			continue
		}
		// The components: k is the one being read, from where it
		// starts, x its first eight bytes (those past end masked when
		// it is shorter).
		k, from := 0, a
		for {
			x := word(raw, from)
			j := end
			if m := zeroBytes(x^ws) & lowBytes(min(end-from, 8)); m != 0 {
				j = from + bits.TrailingZeros64(m)>>3
			} else if end-from > 8 {
				j = sepAfter(raw, from+8, end, ws)
			}
			if k == len(p.comps) {
				return false, false // more components than defined
			}
			cc := &p.comps[k]
			if n := j - from; n == 0 {
				if cc.absent.report || j == end && w.syntax4 {
					return false, false // or a trailing separator
				}
			} else if cv := cc.val; cv != nil && !lenOK(cv, n) {
				x &= lowBytes(min(n, 8))
				if cv.code && n <= 7 {
					if n < cv.lo || n > cv.hi || !cv.codes.hasKey(x|uint64(n)<<56) {
						return false, false // codeKey(raw[from:j])
					}
				} else if cv.number && n <= 8 && notDigits(x, n) == 0 {
					if n < cv.lo || n > cv.hi {
						return false, false
					}
				} else if !w.valueClean(raw, from, j, x, cv) {
					return false, false
				}
			}
			if j == end {
				break
			}
			k, from = k+1, j+1
		}
		if p.lastReq > k {
			return false, false // a mandatory component after the last one sent
		}
	}
	if w.chars == nil {
		return true, false
	}
	// Bytes looked up straight from memory, eight to a test: fewer
	// instructions than shifting them out of words (or than comparing
	// whole words with the bounds of a repertoire).
	return true, !anyDisallowed(&w.chars.tab, raw)
}

// sepAfter returns the offset of the first byte of ws (a byte repeated
// in each byte of the word) in raw[a:end], or end.
func sepAfter(raw []byte, a, end int, ws uint64) int {
	end = min(end, len(raw)) // as it is: said for the compiler, which then checks no bounds in the loop
	for ; a+8 <= end; a += 8 {
		if m := zeroBytes(binary.LittleEndian.Uint64(raw[a:a+8]) ^ ws); m != 0 {
			return a + bits.TrailingZeros64(m)>>3
		}
	}
	if a < end {
		if m := zeroBytes(word(raw, a)^ws) & lowBytes(end-a); m != 0 {
			return a + bits.TrailingZeros64(m)>>3
		}
	}
	return end
}

// word returns the eight bytes of raw from a, those past its end as 0.
func word(raw []byte, a int) uint64 {
	if a+8 <= len(raw) {
		return binary.LittleEndian.Uint64(raw[a:])
	}
	if len(raw) >= 8 {
		return binary.LittleEndian.Uint64(raw[len(raw)-8:]) >> (8 * (a + 8 - len(raw)) & 63)
	}
	return shortWord(raw, a)
}

// shortWord is word for raw shorter than a word.
func shortWord(raw []byte, a int) uint64 {
	var x uint64
	for i := len(raw) - 1; i >= a; i-- {
		x = x<<8 | uint64(raw[i])
	}
	return x
}

// lowBytes is the mask of the low n bytes of a word, for n from 0 to 8:
// looked up, as a shift by a variable amount ties up one register.
func lowBytes(n int) uint64 { return lowMasks[n&15] }

var lowMasks = [16]uint64{0, 0xFF, 0xFFFF, 0xFF_FFFF, 0xFFFF_FFFF, 0xFF_FFFF_FFFF, 0xFFFF_FFFF_FFFF, 0xFF_FFFF_FFFF_FFFF, ^uint64(0)}

// lenOK reports whether cv checks nothing but the length (format an, no
// code list: the most common case) and n is within it, when clean need
// not call valueClean.
func lenOK(cv *cVal, n int) bool { return cv.lenOnly && n >= cv.lo && n <= cv.hi }

// valueClean reports whether value would find nothing wrong with
// raw[a:j] (not empty), a value of the segment raw, whose decimal mark is
// w.mark. For a value of up to eight bytes, x holds them (and zeros above).
func (w *walker) valueClean(raw []byte, a, j int, x uint64, cv *cVal) bool {
	n := j - a
	if n > 8 {
		return w.longValueClean(raw[a:j], cv)
	}
	switch cv.class {
	case classN:
		if nd := notDigits(x, n); nd != 0 {
			// Most often the one byte not a digit is the decimal mark,
			// with digits on both sides: numericValue for the others.
			at := bits.TrailingZeros64(nd) >> 3
			if b := byte(x >> (8 * at & 63)); nd&(nd-1) == 0 && at > 0 && at < n-1 &&
				(b == w.mark || w.syntax4 && (b == '.' || b == ',')) {
				n--
				break
			}
			digits, ok, _ := numericValue(raw[a:j], w.mark, w.syntax4)
			if !ok {
				return false
			}
			n = digits
		}
	case classA:
		if notDigits(x, n) != swarHi&lowBytes(n) {
			return false
		}
	}
	switch {
	case n < cv.lo || n > cv.hi:
		return false
	case cv.codes == nil:
		return true
	case j-a <= 7:
		return cv.codes.hasKey(x | uint64(j-a)<<56) // codeKey(raw[a:j])
	}
	return cv.codes.has(raw[a:j])
}

// swarHi has the high bit of every byte set.
const swarHi = 0x8080808080808080

// notDigits has the high bit set of each of the low n bytes of x that is
// not an ASCII digit.
func notDigits(x uint64, n int) uint64 {
	y := x ^ swarLo*'0' // a digit is now 0 to 9
	return (((y & swar7F) + swarLo*(0x80-10)) | y) & swarHi & lowBytes(n)
}

// longValueClean is valueClean for a value of more than eight bytes.
func (w *walker) longValueClean(v []byte, cv *cVal) bool {
	n := len(v)
	switch cv.class {
	case classN:
		for _, b := range v {
			if b-'0' > 9 {
				digits, ok, _ := numericValue(v, w.mark, w.syntax4)
				if !ok {
					return false
				}
				n = digits
				break
			}
		}
	case classA:
		for _, b := range v {
			if b-'0' <= 9 {
				return false
			}
		}
	}
	if n < cv.lo || n > cv.hi {
		return false
	}
	return cv.codes == nil || cv.codes.has(v)
}

// elemList collects the element findings of the segment being checked.
type elemList struct{ Elements []ElementError }

// single checks a non-empty element e that has one repetition and no
// release character: its components are split right here.
func (w *walker) single(se *elemList, s *Segment, e []byte, p *cPos, pn int) {
	sep := s.delims.Component
	if !p.composite {
		if bytes.IndexByte(e, sep) >= 0 {
			se.Elements = append(se.Elements, ElementError{Position: pn, Ref: p.ref, Code: CodeTooManyConstituents, Severity: w.mode(""),
				Message: "a simple data element has components"})
			return
		}
		if p.val != nil {
			w.value(se, s, e, pn, 0, 0, p.val)
		}
		return
	}
	mark := len(se.Elements)
	rest, done := e, false
	for k := range p.comps {
		cc := &p.comps[k]
		var v []byte
		if done && k > p.lastReq {
			break // nothing sent from here on, and nothing required
		}
		if !done {
			if i := bytes.IndexByte(rest, sep); i >= 0 {
				v, rest = rest[:i], rest[i+1:]
			} else {
				v, rest, done = rest, nil, true
			}
		}
		if len(v) == 0 {
			if cc.absent.report {
				w.absent(se, &cc.absent, pn, k+1)
			}
			continue
		}
		if cc.val != nil {
			w.value(se, s, v, pn, k+1, 0, cc.val)
		}
	}
	if !done {
		// More components than the composite defines: that finding comes
		// first, as the general path reports it.
		n := len(p.comps) + 1 + bytes.Count(rest, []byte{sep})
		se.Elements = slices.Insert(se.Elements, mark, ElementError{Position: pn, Component: len(p.comps) + 1, Ref: p.compID, Code: CodeTooManyConstituents, Severity: w.mode(""),
			Message: fmt.Sprintf("composite %s has %d components; the directory defines %d", p.compID, n, len(p.comps))})
	}
}

// general checks element pn of s through the segment's accessors:
// repetitions, release characters.
func (w *walker) general(se *elemList, s *Segment, p *cPos, pn int) {
	reps := s.Repetitions(pn)
	if reps > p.repeat {
		se.Elements = append(se.Elements, ElementError{Position: pn, Ref: p.ref, Code: CodeTooManyRepetitions, Severity: w.mode(""),
			Message: fmt.Sprintf("%d repetitions; at most %d", reps, p.repeat)})
		reps = p.repeat
	}
	for rp := 1; rp <= reps; rp++ {
		repNo := 0
		if reps > 1 {
			repNo = rp
		}
		if p.composite {
			n := s.RepComponents(pn, rp)
			if n > len(p.comps) {
				se.Elements = append(se.Elements, ElementError{Position: pn, Component: len(p.comps) + 1, Repetition: repNo, Ref: p.compID, Code: CodeTooManyConstituents, Severity: w.mode(""),
					Message: fmt.Sprintf("composite %s has %d components; the directory defines %d", p.compID, n, len(p.comps))})
			}
			for k := range p.comps {
				cc := &p.comps[k]
				v := s.RepComponent(pn, rp, k+1)
				if len(v) == 0 {
					if len(s.RawComponent(pn, rp, k+1)) == 0 && cc.absent.report {
						w.absent(se, &cc.absent, pn, k+1)
					}
					continue
				}
				if cc.val != nil {
					w.value(se, s, v, pn, k+1, repNo, cc.val)
				}
			}
			continue
		}
		if s.RepComponents(pn, rp) > 1 {
			se.Elements = append(se.Elements, ElementError{Position: pn, Repetition: repNo, Ref: p.ref, Code: CodeTooManyConstituents, Severity: w.mode(""),
				Message: "a simple data element has components"})
			continue
		}
		if p.val != nil {
			w.value(se, s, s.RepComponent(pn, rp, 1), pn, 0, repNo, p.val)
		}
	}
}

func (w *walker) absent(se *elemList, a *cAbsent, pn, c int) {
	se.Elements = append(se.Elements, ElementError{Position: pn, Component: c, Ref: a.ref, Code: CodeMissing, Severity: w.mode(a.mode), Message: a.msg})
}

// value checks one simple value (unescaped) against its format, length
// and code list.
func (w *walker) value(se *elemList, s *Segment, v []byte, pn, c, rep int, cv *cVal) {
	n := len(v)
	switch cv.class {
	case classN:
		all := len(v) > 0 // an empty value (general path) is worded by numericValue
		for _, b := range v {
			if b-'0' > 9 {
				all = false
				break
			}
		}
		if !all {
			digits, ok, msg := numericValue(v, s.delims.Decimal, w.syntax4)
			if !ok {
				w.valueErr(se, v, pn, c, rep, cv, CodeInvalidCharType, "", msg)
				return
			}
			n = digits
		}
	case classA:
		for _, b := range v {
			if b-'0' <= 9 {
				w.valueErr(se, v, pn, c, rep, cv, CodeInvalidCharType, "", "digits in an alphabetic data element ("+cv.fmtStr+")")
				return
			}
		}
	}
	if n > cv.hi {
		w.valueErr(se, v, pn, c, rep, cv, CodeTooLong, cv.lmode, fmt.Sprintf("%d characters; the format is %s", n, cv.fmtStr))
		return
	}
	if n < cv.lo {
		w.valueErr(se, v, pn, c, rep, cv, CodeTooShort, cv.lmode, fmt.Sprintf("%d characters; the format is %s", n, cv.fmtStr))
		return
	}
	if cl := cv.codes; cl != nil && !cl.has(v) {
		msg := fmt.Sprintf("%q is not a code of element %s", v, cv.id)
		if cl.subset {
			msg += " (our list is a subset of the standard's; extend it in the partner overlay if the code is right)"
		}
		w.valueErr(se, v, pn, c, rep, cv, CodeInvalidValue, cl.mode, msg)
	}
}

func (w *walker) valueErr(se *elemList, v []byte, pn, c, rep int, cv *cVal, code ErrorCode, mode spec.OverlayMode, msg string) {
	se.Elements = append(se.Elements, ElementError{Position: pn, Component: c, Repetition: rep, Ref: cv.id, Code: code, Value: string(v),
		Severity: w.mode(mode), Message: msg})
}

// numericValue checks an n value: digits, an optional leading minus sign
// and at most one decimal mark with a digit on each side (ISO 9735: sign
// and decimal mark do not count toward the length). Syntax 4 accepts
// either full stop or comma; earlier versions the advised mark.
func numericValue(v []byte, mark byte, syntax4 bool) (digits int, ok bool, msg string) {
	if len(v) > 0 && v[0] == '-' {
		v = v[1:]
	}
	dec := -1
	for i, b := range v {
		switch {
		case b >= '0' && b <= '9':
			digits++
		case (b == mark || syntax4 && (b == '.' || b == ',')) && dec < 0:
			dec = i
		default:
			return 0, false, fmt.Sprintf("character %s in a numeric data element", printable(b))
		}
	}
	if digits == 0 || dec == 0 || dec == len(v)-1 {
		return 0, false, "a numeric value needs digits, and a digit on each side of the decimal mark"
	}
	return digits, true, ""
}
