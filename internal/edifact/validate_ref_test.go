package edifact

// The validator as it was before its specs were compiled into tables
// (validate_compile.go): a direct walk over spec.Message with map lookups.
// It is kept, only for tests, as the reference the compiled walk must
// agree with finding for finding (TestCompiledWalkEquivalence).

import (
	"fmt"
	"slices"
	"sort"

	"github.com/b2bgw/b2bgw/internal/edifact/spec"
)

func (v *Validator) validateRef(m *Message) *MessageResult {
	r := m.result()
	r.Problems = append(r.Problems, m.Problems...)
	var ms *spec.Message
	ok := false
	if v.src != nil {
		ms, ok = v.src.Message(spec.DirectoryID(m.Version, m.Release), m.Type)
	}
	if !ok || ms == nil {
		r.Problems = append(r.Problems, Problem{Code: CodeNoAgreement, Segment: "UNH", Element: 2, Component: 1, Pos: m.Pos,
			Message: fmt.Sprintf("no specification for %s %s:%s:%s; the message cannot be checked", m.Type, m.Version, m.Release, m.Agency)})
		r.Segments = append(r.Segments, m.SegmentErrors...)
		r.Status = Rejected
		return r
	}
	w := refWalker{v: v, ms: ms, m: m, r: r}
	w.skip = map[int]bool{}
	for _, e := range m.SegmentErrors {
		if e.Code != "" {
			w.skip[e.Position] = true
		}
	}
	w.run()
	r.Segments = append(r.Segments, m.SegmentErrors...)
	sort.SliceStable(r.Segments, func(i, j int) bool { return r.Segments[i].Position < r.Segments[j].Position })
	switch {
	case w.hard > 0 || hasError(r.Problems) || decoderErrors(m):
		r.Status = Rejected
	case w.noted > 0:
		r.Status = AcceptedWithErrors
	default:
		r.Status = Accepted
	}
	return r
}

// refFrame is one level of the structure walk: a node list and where we are
// in it.
type refFrame struct {
	nodes []spec.Node
	idx   int    // current node
	count int    // occurrences of nodes[idx] so far
	group string // the group this refFrame is the body of ("" at the top)
}

type refWalker struct {
	v     *Validator
	ms    *spec.Message
	m     *Message
	r     *MessageResult
	stack []refFrame
	skip  map[int]bool
	hard  int
	noted int
}

func (w *refWalker) mode(m spec.OverlayMode) Severity {
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

func refTagOfNode(n *spec.Node) string {
	if n.IsGroup() {
		if len(n.Body) == 0 {
			return ""
		}
		return n.Body[0].Segment
	}
	return n.Segment
}

func (w *refWalker) run() {
	w.stack = append(w.stack[:0], refFrame{nodes: w.ms.Structure, idx: 0})
	for i := range w.m.Segments {
		s := &w.m.Segments[i]
		pos := i + 1
		if w.skip[pos] {
			continue
		}
		w.place(s, pos)
	}
	// Whatever is still open must have had its mandatory rest.
	end := len(w.m.Segments) + 1
	for len(w.stack) > 0 {
		w.closeFrame(end)
	}
}

// place finds where segment s belongs: in the current refFrame at or after
// the current node, or in an enclosing refFrame (closing the inner ones). A
// segment that fits nowhere is reported and skipped.
func (w *refWalker) place(s *Segment, pos int) {
	tag := s.ID()
	for level := len(w.stack) - 1; level >= 0; level-- {
		f := &w.stack[level]
		for j := f.idx; j < len(f.nodes); j++ {
			n := &f.nodes[j]
			if j == 0 && f.group != "" || refTagOfNode(n) != tag {
				// A group's trigger starts a new occurrence of the group:
				// it is matched by the group node in the refFrame above.
				continue
			}
			for len(w.stack)-1 > level {
				w.closeFrame(pos)
			}
			f = &w.stack[level]
			if j == f.idx && f.count > 0 {
				f.count++
			} else {
				w.missingBetween(f, j, pos)
				f.idx, f.count = j, 1
			}
			w.enter(f, n, s, pos)
			return
		}
	}
	code := CodeNotSupportedInPosition
	msg := fmt.Sprintf("segment %s is not expected here in %s", tag, w.ms.Type)
	if !w.inMessage(tag) {
		msg = fmt.Sprintf("segment %s is not part of %s %s", tag, w.ms.Type, w.ms.Directory)
	}
	w.r.Segments = append(w.r.Segments, SegmentError{SegmentID: tag, Position: pos, Group: w.groupPath(), Code: code, Pos: s.Pos, Severity: w.mode(""), Message: msg})
}

func (w *refWalker) inMessage(tag string) bool {
	var walk func([]spec.Node) bool
	walk = func(ns []spec.Node) bool {
		for i := range ns {
			if ns[i].Segment == tag || ns[i].IsGroup() && walk(ns[i].Body) {
				return true
			}
		}
		return false
	}
	return walk(w.ms.Structure)
}

func (w *refWalker) groupPath() string {
	return w.stack[len(w.stack)-1].group
}

// enter handles an occurrence of node n (segment or group trigger) at
// f.count: repeat limits, then the segment's elements; a group opens a
// refFrame for its body.
func (w *refWalker) enter(f *refFrame, n *spec.Node, s *Segment, pos int) {
	max := n.Max
	mode := spec.OverlayMode("")
	tag := refTagOfNode(n)
	if so, ok := w.v.overlay.Segment(tag); ok {
		if so.Max > 0 {
			max = so.Max
		}
		mode = so.Mode
	}
	if max > 0 && f.count > max {
		if n.IsGroup() {
			w.r.Segments = append(w.r.Segments, SegmentError{SegmentID: tag, Position: pos, Group: n.Group, Code: CodeTooManyGroupRepetitions, Pos: s.Pos,
				Severity: w.mode(mode), Message: fmt.Sprintf("segment group %s occurs more than %d times", n.Group, max)})
		} else {
			w.r.Segments = append(w.r.Segments, SegmentError{SegmentID: tag, Position: pos, Group: w.groupPath(), Code: CodeTooManyRepetitions, Pos: s.Pos,
				Severity: w.mode(mode), Message: fmt.Sprintf("segment %s occurs more than %d times", tag, max)})
		}
	}
	if n.IsGroup() {
		w.stack = append(w.stack, refFrame{nodes: n.Body, idx: 0, count: 1, group: n.Group})
		w.segment(s, pos, &n.Body[0], n.Group)
		return
	}
	w.segment(s, pos, n, w.groupPath())
}

// missingBetween reports the mandatory nodes of f skipped on the way from
// the current node to node j.
func (w *refWalker) missingBetween(f *refFrame, j, pos int) {
	from := f.idx
	if f.count > 0 {
		from++
	}
	for k := from; k < j; k++ {
		w.missing(&f.nodes[k], pos, f.group)
	}
}

func (w *refWalker) missing(n *spec.Node, pos int, group string) {
	if n.Status != spec.Mandatory {
		return
	}
	tag := refTagOfNode(n)
	mode := spec.OverlayMode("")
	if so, ok := w.v.overlay.Segment(tag); ok {
		if so.Status == spec.Conditional && so.Mode == "" {
			return
		}
		if so.Status == spec.Conditional {
			mode = so.Mode
		} else if so.Mode != "" {
			mode = so.Mode
		}
	}
	what := "segment " + tag
	if n.IsGroup() {
		what = "segment group " + n.Group + " (trigger " + tag + ")"
		group = n.Group
	}
	var p Position
	if pos-1 < len(w.m.Segments) {
		p = w.m.Segments[pos-1].Pos
	}
	w.r.Segments = append(w.r.Segments, SegmentError{SegmentID: tag, Position: pos, Group: group, Code: CodeMissing, Pos: p,
		Severity: w.mode(mode), Message: "mandatory " + what + " is missing"})
}

// closeFrame pops the innermost refFrame, reporting its mandatory nodes not
// yet seen.
func (w *refWalker) closeFrame(pos int) {
	f := &w.stack[len(w.stack)-1]
	w.missingBetween(f, len(f.nodes), pos)
	w.stack = w.stack[:len(w.stack)-1]
}

// segment checks the data elements of s against its definition.
func (w *refWalker) segment(s *Segment, pos int, n *spec.Node, group string) {
	tag := s.ID()
	if tag == "UNH" || tag == "UNT" {
		return // the decoder checks the message header and trailer
	}
	def := n.Def
	if def == nil && w.ms.Dict != nil {
		def, _ = w.ms.Dict.Segment(tag)
	}
	if def == nil {
		return
	}
	se := SegmentError{SegmentID: tag, Position: pos, Group: group, Pos: s.Pos}
	if s.Len() > len(def.Elements) {
		se.Code, se.Severity = CodeTooManyConstituents, w.mode("")
		se.Message = fmt.Sprintf("%s has %d data elements; the directory defines %d", tag, s.Len(), len(def.Elements))
	}
	syntax4 := w.m.Interchange != nil && w.m.Interchange.SyntaxVersion >= 4
	for p := 1; p <= len(def.Elements); p++ {
		ref := &def.Elements[p-1]
		raw := s.Element(p)
		ov, hasOv := w.v.overlay.Element(tag, p, 0)
		if len(raw) == 0 {
			w.absent(&se, ref.Status, ov, hasOv, p, 0, ref.Ref)
			continue
		}
		if s.delims.Release == 0 || !s.released {
			if last := raw[len(raw)-1]; syntax4 && (last == s.delims.Component || last == s.delims.Repetition && s.delims.Repetition != 0) {
				se.Elements = append(se.Elements, ElementError{Position: p, Ref: ref.Ref, Code: CodeTrailingSeparator, Severity: w.mode(""),
					Message: "the element ends with a separator; trailing separators must be omitted"})
			}
		}
		reps := s.Repetitions(p)
		maxRep := max(ref.Repeat, 1)
		if reps > maxRep {
			se.Elements = append(se.Elements, ElementError{Position: p, Ref: ref.Ref, Code: CodeTooManyRepetitions, Severity: w.mode(""),
				Message: fmt.Sprintf("%d repetitions; at most %d", reps, maxRep)})
			reps = maxRep
		}
		for rp := 1; rp <= reps; rp++ {
			repNo := 0
			if reps > 1 {
				repNo = rp
			}
			if ref.Composite != nil {
				w.composite(&se, s, p, rp, repNo, ref.Composite)
				continue
			}
			if s.RepComponents(p, rp) > 1 {
				se.Elements = append(se.Elements, ElementError{Position: p, Repetition: repNo, Ref: ref.Ref, Code: CodeTooManyConstituents, Severity: w.mode(""),
					Message: "a simple data element has components"})
				continue
			}
			if ref.Element != nil {
				w.value(&se, s, s.RepComponent(p, rp, 1), p, 0, repNo, ref.Element, ov, hasOv)
			}
		}
	}
	if se.Code != "" || len(se.Elements) > 0 {
		w.r.Segments = append(w.r.Segments, se)
	}
}

func (w *refWalker) composite(se *SegmentError, s *Segment, p, rp, repNo int, c *spec.Composite) {
	n := s.RepComponents(p, rp)
	if n > len(c.Components) {
		se.Elements = append(se.Elements, ElementError{Position: p, Component: len(c.Components) + 1, Repetition: repNo, Ref: c.ID, Code: CodeTooManyConstituents, Severity: w.mode(""),
			Message: fmt.Sprintf("composite %s has %d components; the directory defines %d", c.ID, n, len(c.Components))})
	}
	for k := 1; k <= len(c.Components); k++ {
		cr := &c.Components[k-1]
		ov, hasOv := w.v.overlay.Element(se.SegmentID, p, k)
		v := s.RepComponent(p, rp, k)
		if len(v) == 0 {
			if len(s.RawComponent(p, rp, k)) == 0 {
				w.absent(se, cr.Status, ov, hasOv, p, k, cr.Ref)
			}
			continue
		}
		if cr.Element != nil {
			w.value(se, s, v, p, k, repNo, cr.Element, ov, hasOv)
		}
	}
}

func (w *refWalker) absent(se *SegmentError, st spec.Status, ov spec.ElementOverlay, hasOv bool, p, c int, ref string) {
	if st != spec.Mandatory {
		return
	}
	mode := spec.OverlayMode("")
	if hasOv {
		if ov.Status == spec.Conditional && ov.Mode == "" {
			return
		}
		mode = ov.Mode
	}
	se.Elements = append(se.Elements, ElementError{Position: p, Component: c, Ref: ref, Code: CodeMissing, Severity: w.mode(mode),
		Message: "mandatory data element " + ref + " is missing"})
}

// value checks one simple value (unescaped) against its element's format
// and code list.
func (w *refWalker) value(se *SegmentError, s *Segment, v []byte, p, c, rep int, el *spec.Element, ov spec.ElementOverlay, hasOv bool) {
	f := el.Format
	add := func(code ErrorCode, mode spec.OverlayMode, msg string) {
		se.Elements = append(se.Elements, ElementError{Position: p, Component: c, Repetition: rep, Ref: el.ID, Code: code, Value: string(v),
			Severity: w.mode(mode), Message: msg})
	}
	n := len(v)
	switch f.Class {
	case spec.Numeric:
		digits, ok, msg := w.numeric(v, s.delims.Decimal)
		if !ok {
			add(CodeInvalidCharType, "", msg)
			return
		}
		n = digits
	case spec.Alpha:
		for _, b := range v {
			if b >= '0' && b <= '9' {
				add(CodeInvalidCharType, "", "digits in an alphabetic data element ("+f.String()+")")
				return
			}
		}
	}
	lo, hi, lmode := f.Min, f.Max, spec.OverlayMode("")
	if hasOv {
		if ov.Min > 0 {
			lo = ov.Min
		}
		if ov.Max > 0 {
			hi = ov.Max
		}
		lmode = ov.Mode
	}
	if n > hi {
		add(CodeTooLong, lmode, fmt.Sprintf("%d characters; the format is %s", n, f))
		return
	}
	if n < lo {
		add(CodeTooShort, lmode, fmt.Sprintf("%d characters; the format is %s", n, f))
		return
	}
	w.code(add, v, el.ID)
}

// numeric checks an n value: digits, an optional leading minus sign and at
// most one decimal mark with a digit on each side (ISO 9735: sign and
// decimal mark do not count toward the length). Syntax 4 accepts either
// full stop or comma; earlier versions the advised mark.
func (w *refWalker) numeric(v []byte, mark byte) (digits int, ok bool, msg string) {
	syntax4 := w.m.Interchange != nil && w.m.Interchange.SyntaxVersion >= 4
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

func (w *refWalker) code(add func(ErrorCode, spec.OverlayMode, string), v []byte, id string) {
	var cl *spec.CodeList
	if w.ms.Dict != nil {
		cl, _ = w.ms.Dict.Code(id)
	}
	co, hasCo := w.v.overlay.CodeList(id)
	if cl == nil && (!hasCo || len(co.Add) == 0) {
		return
	}
	s := string(v)
	if hasCo && slices.Contains(co.Add, s) {
		return
	}
	listed := cl != nil && cl.Codes[s] != ""
	if cl != nil {
		_, listed = cl.Codes[s]
	}
	if listed && !(hasCo && slices.Contains(co.Remove, s)) {
		return
	}
	msg := fmt.Sprintf("%q is not a code of element %s", s, id)
	if cl != nil && !cl.Complete {
		msg += " (our list is a subset of the standard's; extend it in the partner overlay if the code is right)"
	}
	add(CodeInvalidValue, co.Mode, msg)
}
