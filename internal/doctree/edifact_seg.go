package doctree

import (
	"bytes"

	"github.com/b2bgw/b2bgw/internal/edifact"
)

// Lookups by position. A mapping resolves the element and component
// names of a path such as QTY[QTY01/QTY01_01='21']/QTY01/QTY01_02
// against its segment step's tag once, when it is loaded (ElemPos,
// CompPos); these answer them on a stored segment of that tag with no
// name to resolve per call. Each is exactly the named lookup it stands
// for (noted on each), so the mapping may use either.

// IsSegment reports whether x is a stored segment.
func (t *EDIFACTTree) IsSegment(x int32) bool { return x >= 0 && t.nodes[x].kind == KindSegment }

// SegElemText returns the text of element el of stored segment i:
// ChildTextName(i, name) for the name of element el.
func (t *EDIFACTTree) SegElemText(i int32, el int) ([]byte, bool) {
	if el < 1 {
		return nil, false
	}
	if seg := t.segment(i); seg.Delimiters().Repetition == 0 {
		// One repetition: the element is the node (or there is none).
		if v := seg.Element(el); len(v) > 0 {
			return t.elemText(i, el, v), true
		}
		return nil, false
	}
	var r segReps
	if v, ok := r.first(t, i, el); ok {
		return t.elemText(i, el, v), true
	}
	return nil, false
}

// SegElemEquals is ChildEqualsName(i, name, lit) for the name of element
// el of stored segment i, for any of lits: one pass answers name = 'a' or
// name = 'b'.
func (t *EDIFACTTree) SegElemEquals(i int32, el int, lits ...string) bool {
	if el < 1 {
		return false
	}
	var r segReps
	for v, ok := r.first(t, i, el); ok; v, ok = r.next() {
		if oneOf(t.elemText(i, el, v), lits) {
			return true
		}
	}
	return false
}

// oneOf reports whether the text of a node (never empty) is one of lits.
func oneOf(txt []byte, lits []string) bool {
	for _, lit := range lits {
		if string(txt) == lit {
			return true
		}
	}
	return false
}

// SegCompText is ChildText2Name(i, name1, name2) for the names of element
// el and its component c of stored segment i.
func (t *EDIFACTTree) SegCompText(i int32, el, c int) ([]byte, bool) {
	if el < 1 || c < 1 {
		return nil, false
	}
	if d, ok, plain := t.plainComp(i, el, c); plain {
		return d, ok
	}
	var r segComps
	r.start(t, i, el, c)
	return r.next()
}

// SegCompEquals is ChildEquals2Name(i, name1, name2, lit) for the names of
// element el and its component c of stored segment i, for any of lits.
func (t *EDIFACTTree) SegCompEquals(i int32, el, c int, lits ...string) bool {
	if el < 1 || c < 1 {
		return false
	}
	if d, ok, plain := t.plainComp(i, el, c); plain {
		return ok && oneOf(d, lits)
	}
	var r segComps
	r.start(t, i, el, c)
	for d, ok := r.next(); ok; d, ok = r.next() {
		if oneOf(d, lits) {
			return true
		}
	}
	return false
}

// plainComp answers SegCompText in the common case, a segment of one
// repetition per element (no repetition separator) with nothing released:
// the component is a slice of the element, found in one scan without
// segComps' set-up. plain is false in the other cases.
func (t *EDIFACTTree) plainComp(i int32, el, c int) (d []byte, ok, plain bool) {
	nd := &t.nodes[i]
	seg := &t.msg.Segments[nd.seg]
	sep := seg.Delimiters().Component
	if seg.Delimiters().Repetition != 0 || seg.HasRelease() {
		return nil, false, false
	}
	v := seg.Element(el)
	if len(v) == 0 {
		return nil, false, true
	}
	switch compositeByDef(nd.def, el) {
	case 0:
		return nil, false, true
	case -1:
		if bytes.IndexByte(v, sep) < 0 {
			return nil, false, true
		}
	}
	// Component c lies between the (c-1)th and the cth separator.
	k, start := 1, 0
	for j := 0; j < len(v); j++ {
		if v[j] != sep {
			continue
		}
		if k == c {
			return v[start:j], j > start, true
		}
		k, start = k+1, j+1
	}
	if k == c {
		return v[start:], len(v) > start, true
	}
	return nil, false, true
}

// SegPickText is the value of *[*[k]='lit']/*[j] on stored segment i
// (PIA/*[*[2]='SA']/*[1]: the first element, in document order, whose kth
// child element has text lit, and that element's jth child): the text of
// component j of the first element repetition whose component k is lit,
// counting non-empty components only, as the tree has nodes only for
// those. A simple element has no child elements and never matches. One
// pass over the segment's bytes, where the * steps through handles
// re-scan an element for each child.
func (t *EDIFACTTree) SegPickText(i int32, k int, lit string, j int) ([]byte, bool) {
	if k < 1 || j < 1 || lit == "" {
		return nil, false
	}
	seg := t.segment(i)
	d, rel := seg.Delimiters(), releaseOf(seg)
	for el := 1; el <= seg.Len(); el++ {
		rest, more := seg.Element(el), true
		for more {
			var v []byte
			v, rest, more = cut(rest, d.Repetition, rel)
			if len(v) == 0 || !t.composite(i, el, v) {
				continue
			}
			if q, ok := nthComp(seg, v, k); !ok || string(q) != lit {
				continue
			}
			if c, ok := nthComp(seg, v, j); ok {
				return c, true
			}
		}
	}
	return nil, false
}

// nthComp returns the nth non-empty component of composite v, unescaped.
func nthComp(seg *edifact.Segment, v []byte, n int) ([]byte, bool) {
	sep, rel := seg.Delimiters().Component, releaseOf(seg)
	if rel == 0 {
		// Nothing released: one scan, the component a slice of v.
		start := 0
		for j := 0; j <= len(v); j++ {
			if j < len(v) && v[j] != sep {
				continue
			}
			if j > start {
				if n--; n == 0 {
					return v[start:j], true
				}
			}
			start = j + 1
		}
		return nil, false
	}
	for more := true; more; {
		var part []byte
		part, v, more = cut(v, sep, rel)
		if len(part) == 0 {
			continue // empty components have no node
		}
		if n--; n == 0 {
			return seg.Unescape(part), true
		}
	}
	return nil, false
}

// SegElemKids appends to out the handles of the child elements of element
// el of stored segment i, the nodes of NAD/NAD05/* for a NAD: the
// non-empty components of each non-empty repetition that is a composite,
// in document order (a simple element's only child is its text).
func (t *EDIFACTTree) SegElemKids(i int32, el int, out []int32) []int32 {
	if el < 1 {
		return out
	}
	seg := t.segment(i)
	d, rel := seg.Delimiters(), releaseOf(seg)
	rest, more := seg.Element(el), true
	for r := 1; more; r++ {
		var v []byte
		v, rest, more = cut(rest, d.Repetition, rel)
		if len(v) == 0 || !t.composite(i, el, v) {
			continue
		}
		for c, cmore := 1, true; cmore; c++ {
			var part []byte
			part, v, cmore = cut(v, d.Component, rel)
			if len(part) > 0 {
				out = append(out, t.handle(ENode{t: t, n: i, kind: KindComponent, el: int32(el), rep: int32(r), comp: int32(c)}))
			}
		}
	}
	return out
}
