package x12

import (
	"fmt"
)

// The structure walk is the classic position walk (as in pyx12 and
// stupidedi): the walker stands at a node of the innermost open loop. For
// each segment it searches forward from there in that loop, then in each
// enclosing loop. A match in an enclosing loop closes the inner loops
// (their missing mandatory segments are reported at this segment's
// position). A match on a loop's beginning segment opens a new iteration
// of that loop. A segment found nowhere leaves the walker where it was, so
// one stray segment does not derail the rest of the set.

// frame is one open loop: the loop and the index of the node last matched.
type frame struct {
	loop *cLoop
	pos  int
}

// walker is the per-set working memory; pooled by the Validator so that a
// set without findings allocates nothing but its SetResult.
type walker struct {
	cs     *compiledSet
	full   bool // no fast paths: the tests compare them with the full checks
	set    *Set
	r      *SetResult
	counts []int32
	stack  []frame

	hard, noted int

	// the segment being checked
	seg     *Segment
	segPos  int    // AK302
	segLoop string // AK303
	cur     int    // index in r.Segments of this segment's own finding, -1 when none
	segTag  string // set lazily, on the first finding

	// decoder-reported positions, skipped by the walk
	skip []int

	// ValidatePlaced: steps records where each segment went (see
	// Placement) while placing; placedAll stays true while every segment
	// of the set found a place.
	steps     []uint32
	placing   bool
	placedAll bool

	// presence patterns found to break no syntax rule (see checkRules)
	rulesOK [64]struct {
		def  *cSeg
		mask uint64
	}

	// byte classes for the delimiters clsDelims (see classes)
	cls       [256]uint8
	clsDelims Delimiters
	clsOK     bool

	// semantic checks
	hlNums     []uint64
	hlStrs     []string
	hlLast     uint64
	hlLastOK   bool
	countedN   int
	countedSet bool
}

func (w *walker) reset(cs *compiledSet, s *Set, r *SetResult) {
	w.cs, w.set, w.r = cs, s, r
	if cap(w.counts) < cs.slots {
		w.counts = make([]int32, cs.slots)
	}
	w.counts = w.counts[:cs.slots]
	clear(w.counts)
	w.stack = append(w.stack[:0], frame{loop: &cs.root})
	w.hard, w.noted = 0, 0
	w.skip = w.skip[:0]
	for i := range s.SegmentErrors {
		w.skip = append(w.skip, s.SegmentErrors[i].Position)
	}
	w.hlNums, w.hlStrs = w.hlNums[:0], w.hlStrs[:0]
	w.hlLast, w.hlLastOK = 0, false
	w.countedN = 0
	w.steps, w.placing, w.placedAll = nil, false, true
}

// release drops references to the set so the pool does not keep it alive.
func (w *walker) release() {
	w.cs, w.set, w.r, w.seg, w.steps = nil, nil, nil, nil, nil
	clear(w.hlStrs)
	w.hlStrs = w.hlStrs[:0]
}

func (w *walker) run() {
	segs := w.set.Segments
	for i := range segs {
		if len(w.skip) > 0 && w.skipped(i+1) {
			// The decoder already reported this segment (a bad tag, for
			// one); walking it again would report it twice.
			w.placedAll = false
			continue
		}
		w.segment(&segs[i], i+1)
	}
	w.finish()
}

func (w *walker) skipped(pos int) bool {
	for _, p := range w.skip {
		if p == pos {
			return true
		}
	}
	return false
}

func (w *walker) segment(seg *Segment, p int) {
	w.seg, w.segPos, w.cur, w.segTag = seg, p, -1, ""
	tag := seg.IDBytes()
	key := tagKey(tag)
	if cs := w.cs; key != 0 && key == cs.countedKey || key == 0 && cs.counted != "" && string(tag) == cs.counted {
		w.countedN++
	}
	n := w.place(tag, key) // sets segLoop
	if n != nil {
		if n.seg != nil {
			w.checkElements(n.seg, seg)
		}
		w.semantic(key, n.seg)
	}
	if w.cur >= 0 {
		w.finishSegment()
	}
}

// finish closes every open loop at the end of the set. When the trailer is
// missing the envelope already says so (AK502 2); reporting SE as a missing
// segment too would say it twice.
func (w *walker) finish() {
	segs := w.set.Segments
	p := len(segs) + 1
	var at Position
	if len(segs) > 0 {
		at = segs[len(segs)-1].Pos
	}
	if w.set.HasTrailer {
		// SE was the last segment and closed everything, unless it was
		// itself misplaced; then close what is still open.
		if len(w.stack) == 1 && w.stack[0].pos == len(w.cs.root.nodes)-1 {
			return
		}
	}
	w.seg, w.segPos, w.cur = nil, p, -1
	w.closeFrames(1, at)
	root := &w.cs.root
	end := len(root.nodes)
	if root.nodes[end-1].tag == "SE" {
		end-- // see above
	}
	w.reportMissing(&w.stack[0], end, at)
}

// place finds the node for a segment tag and moves the walker there. It
// returns the node matched (for a loop, its beginning segment's node), or
// nil when the segment has no place here (reported). It sets segLoop.
func (w *walker) place(tag []byte, key uint32) *cNode {
	d, i := w.locate(tag, key)
	if d < 0 {
		w.placedAll = false
		w.misplaced(tag)
		return nil
	}
	if w.placing {
		w.steps = append(w.steps, uint32(d)<<stepDepthShift|uint32(i))
	}
	l := w.stack[d].loop
	n := &l.nodes[i]
	if d+1 < len(w.stack) {
		w.closeFrames(d+1, w.seg.Pos)
	}
	f := &w.stack[d]
	if i > f.pos && (w.full || i > f.pos+1 || l.nodes[f.pos].reportable && w.counts[l.nodes[f.pos].idx] == 0) {
		// (Moving on to the next node skips nothing when the walker's
		// node was used, as it almost always was.)
		w.reportMissing(f, i, w.seg.Pos)
	}
	f.pos = i
	w.counts[n.idx]++
	if n.loop == nil {
		w.segLoop = l.id
		if n.max > 0 && int(w.counts[n.idx]) > n.max {
			w.overMax(n)
		}
		return n
	}
	sub := n.loop
	clear(w.counts[sub.lo:sub.hi])
	w.stack = append(w.stack, frame{loop: sub})
	w.counts[sub.nodes[0].idx] = 1
	w.segLoop = sub.id
	if n.max > 0 && int(w.counts[n.idx]) > n.max {
		w.overMax(n)
	}
	return &sub.nodes[0]
}

// overMax reports a segment or loop used more often than n allows. (Out of
// place, so that place stays small.)
func (w *walker) overMax(n *cNode) {
	if n.loop == nil {
		w.segCode(SegOverMaxUse, n.mode, fmt.Sprintf(
			"segment %s is used %d times here; the maximum is %d. Remove the extra occurrences or, if the partner really sends more, raise the maximum in the partner overlay (segments: %s: {max: N})",
			describeSeg(n.tag, n.seg), w.counts[n.idx], n.max, n.tag))
		return
	}
	w.segCode(SegLoopOverMax, n.mode, fmt.Sprintf(
		"loop %s occurs %d times; the maximum is %d (each %s segment starts a new iteration). Split the document or, if the partner's guide allows more, raise the maximum in the partner overlay (segments: %s: {max: N})",
		n.loop.name, w.counts[n.idx], n.max, n.tag, n.tag))
}

// locate returns the frame (its depth) and the index of the node a
// segment tag matches: the first node with that tag at or after the
// frame's position, in the innermost open loop that has one. It returns
// -1, -1 when no open loop has a place for the tag.
func (w *walker) locate(tag []byte, key uint32) (int, int) {
	for d := len(w.stack) - 1; d >= 0; d-- {
		f := &w.stack[d]
		l := f.loop
		start := f.pos
		if d > 0 && start == 0 {
			// A loop never matches its own beginning segment from inside:
			// the enclosing frame does, and that is a new iteration.
			start = 1
		}
		if key == 0 || w.full {
			if i := l.find(start, tag, key); i >= 0 {
				return d, i
			}
			continue
		}
		// find, written out for the usual answers: the node the walker
		// stands at (a repeat), the next one, or a loop that does not
		// hold the tag after its first node (bloom), which passes the
		// search on to the enclosing loop.
		keys := l.keys
		if start < len(keys) && keys[start] == key {
			return d, start
		}
		if start+1 < len(keys) && keys[start+1] == key {
			return d, start + 1
		}
		if b := bloomBit(key); l.bloom[b>>6]&(1<<(b&63)) == 0 {
			continue
		}
		for i := start + 2; i < len(keys); i++ {
			if keys[i] == key {
				return d, i
			}
		}
	}
	return -1, -1
}

// find returns the index of the first node at or after start whose tag is
// tag (key is tagKey(tag)), or -1.
func (l *cLoop) find(start int, tag []byte, key uint32) int {
	if key != 0 {
		keys := l.keys
		if start == 0 {
			if len(keys) > 0 && keys[0] == key {
				return 0
			}
			start = 1
		}
		if b := bloomBit(key); l.bloom[b>>6]&(1<<(b&63)) == 0 {
			return -1
		}
		for i := start; i < len(keys); i++ {
			if keys[i] == key {
				return i
			}
		}
		return -1
	}
	for i := start; i < len(l.nodes); i++ {
		if l.nodes[i].tag == string(tag) {
			return i
		}
	}
	return -1
}

// closeFrames closes the loops from depth d (>= 1: the top level is never
// closed) inward, reporting their mandatory segments that never came.
func (w *walker) closeFrames(d int, at Position) {
	for k := len(w.stack) - 1; k >= d; k-- {
		f := &w.stack[k]
		if must := f.loop.must; len(must) > 0 && int(must[len(must)-1]) >= f.pos {
			// (the walker is not past the loop's last reportable node)
			w.reportMissing(f, len(f.loop.nodes), at)
		}
	}
	w.stack = w.stack[:d]
}

// reportMissing reports the mandatory nodes of f's loop in [f.pos, end)
// that were not used in the current iteration.
func (w *walker) reportMissing(f *frame, end int, at Position) {
	if end <= f.pos {
		return
	}
	l := f.loop
	for _, j32 := range l.must {
		j := int(j32)
		if j < f.pos {
			continue
		}
		if j >= end {
			break
		}
		n := &l.nodes[j]
		if w.counts[n.idx] != 0 {
			continue
		}
		loop := l.id
		what := "segment " + describeSeg(n.tag, n.seg)
		if n.loop != nil {
			loop = n.loop.id
			what = fmt.Sprintf("loop %s (its first segment is %s)", n.loop.name, describeSeg(n.tag, n.seg))
		}
		where := ""
		if l.id != "" {
			where = " in loop " + l.name
		}
		var msg string
		if w.seg == nil {
			msg = fmt.Sprintf("mandatory %s is missing%s at the end of the set", what, where)
		} else {
			msg = fmt.Sprintf("mandatory %s is missing%s; it was expected before %s at position %d", what, where, w.tag(), w.segPos)
		}
		mode := n.mode
		if n.relaxed {
			msg += " (mandatory in the standard; optional for this partner by overlay)"
		}
		w.r.Segments = append(w.r.Segments, SegmentError{
			SegmentID: n.tag, Position: w.segPos, LoopID: loop, Code: SegMandatoryMissing,
			Pos: at, Severity: severity(mode), Message: msg,
		})
		// place reports missing segments before it records anything on
		// the current segment, so they precede its own finding.
		w.tally(mode)
	}
}

// misplaced classifies a segment that fits nowhere from the current
// position: unknown to the version (1), known but not in this set (6),
// belonging earlier (7), or belonging to a part of the set that is not
// open here (2).
func (w *walker) misplaced(tag []byte) {
	w.segLoop = w.stack[len(w.stack)-1].loop.id
	cs := w.cs
	t := string(tag)
	known := false
	if cs.ts.Dict != nil {
		_, known = cs.ts.Dict.Segments[t]
	}
	home, inSet := cs.inSet[t]
	if inSet {
		known = true
	}
	ef, eat := w.earlier(tag)
	switch {
	case !known:
		w.segCode(SegUnrecognized, "", fmt.Sprintf(
			"segment %s is not a segment of version %s; check the tag for a typo, or ask the partner which segment they meant", t, cs.version))
	case !inSet:
		name := t
		if d := cs.ts.Dict.Segments[t]; d != nil && d.Name != "" {
			name = fmt.Sprintf("%s (%s)", t, d.Name)
		}
		w.segCode(SegNotInSet, "", fmt.Sprintf(
			"segment %s is not part of transaction set %s in version %s; remove it, or check that ST01 names the right set", name, cs.ts.ID, cs.version))
	case ef != nil:
		where := "the heading"
		if ef.loop.id != "" {
			where = "loop " + ef.loop.name
		}
		w.segCode(SegOutOfSequence, "", fmt.Sprintf(
			"segment %s is out of sequence: in %s it comes before %s, which was already sent; move it up to its place in the specification's order",
			describeSeg(t, cs.segs[t]), where, eat.tag))
	default:
		where := "the heading or summary"
		if home != "" {
			where = "loop " + home
		}
		w.segCode(SegUnexpected, "", fmt.Sprintf(
			"segment %s is not expected here: it belongs in %s, which is not open at this point; check that the loop's beginning segment comes first",
			describeSeg(t, cs.segs[t]), where))
	}
}

// earlier finds a place for tag before the walker's position in one of the
// open loops (so moving the segment up would fix the order). It returns
// that loop's frame and the node the walker stands at there, or nil.
func (w *walker) earlier(tag []byte) (*frame, *cNode) {
	for d := len(w.stack) - 1; d >= 0; d-- {
		f := &w.stack[d]
		for j := 0; j < f.pos; j++ {
			n := &f.loop.nodes[j]
			if (n.loop == nil && n.tag == string(tag)) || (n.loop != nil && containsTag(n.loop.tags, tag)) {
				return f, &f.loop.nodes[f.pos]
			}
		}
	}
	return nil, nil
}

// curSeg returns the current segment's own finding, creating it.
func (w *walker) curSeg() *SegmentError {
	if w.cur < 0 {
		if w.segTag == "" {
			w.segTag = w.seg.ID()
		}
		w.r.Segments = append(w.r.Segments, SegmentError{
			SegmentID: w.segTag, Position: w.segPos, LoopID: w.segLoop, Pos: w.seg.Pos, Severity: SevWarning,
		})
		w.cur = len(w.r.Segments) - 1
	}
	return &w.r.Segments[w.cur]
}

// segCode records a segment-level code on the current segment. An error
// wins over a warning already there (AK304 holds one code).
func (w *walker) segCode(code SegmentErrorCode, mode OverlayMode, msg string) {
	e := w.curSeg()
	e.LoopID = w.segLoop
	sev := severity(mode)
	w.tally(mode)
	if e.Code != "" && !(e.Severity == SevWarning && sev == SevError) {
		// Keep the first; mention the second so nothing is lost.
		e.Message += "; also: " + msg
		return
	}
	if e.Code != "" {
		msg += "; also: " + e.Message
	}
	e.Code, e.Severity, e.Message = code, sev, msg
}

// elemErr records an element finding on the current segment.
func (w *walker) elemErr(ee ElementError, mode OverlayMode) {
	ee.Severity = severity(mode)
	w.tally(mode)
	e := w.curSeg()
	e.Elements = append(e.Elements, ee)
}

// finishSegment settles the current segment's finding: AK304 8 when only
// element errors were found; a structural warning that would otherwise
// carry element errors is split off so the ack never sends a warning's
// code.
func (w *walker) finishSegment() {
	if w.cur < 0 {
		return
	}
	e := &w.r.Segments[w.cur]
	elemErrs := false
	for i := range e.Elements {
		if e.Elements[i].Severity == SevError {
			elemErrs = true
			break
		}
	}
	switch {
	case e.Code == "" && elemErrs:
		e.Code, e.Severity = SegHasElementErrors, SevError
		if e.Message == "" {
			e.Message = fmt.Sprintf("segment %s has data element errors", describeSeg(e.SegmentID, w.cs.segs[e.SegmentID]))
		}
	case e.Code == "":
		e.Severity = SevWarning
	case e.Severity == SevWarning && elemErrs:
		warn := *e
		warn.Elements = nil
		e.Code, e.Severity = SegHasElementErrors, SevError
		e.Message = fmt.Sprintf("segment %s has data element errors", describeSeg(e.SegmentID, w.cs.segs[e.SegmentID]))
		w.r.Segments = append(w.r.Segments, SegmentError{})
		copy(w.r.Segments[w.cur+1:], w.r.Segments[w.cur:])
		w.r.Segments[w.cur] = warn
	}
	w.cur = -1
}
