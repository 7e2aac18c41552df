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

// The lookups below are called a few hundred times per message. Each
// answers a plain segment (see enode.psep), the common case, in its own
// body, and calls the general lookup (repetitions, release characters),
// kept in a function of its own, only for other segments.

// SegElemText returns the text of element el of stored segment i:
// ChildTextName(i, name) for the name of element el.
func (t *EDIFACTTree) SegElemText(i int32, el int) ([]byte, bool) {
	if nd := &t.nodes[i]; nd.psep != 0 && el >= 1 {
		// Plain: one repetition, nothing to unescape, so a composite's
		// raw text and a simple element's text are both the bytes.
		v := nd.sp.Element(el)
		return v, len(v) > 0
	}
	return t.segElemText(i, el)
}

func (t *EDIFACTTree) segElemText(i int32, el int) ([]byte, bool) {
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
	if nd := &t.nodes[i]; nd.psep != 0 && el >= 1 {
		// Plain: the element's bytes are its one node's text (see
		// SegElemText); an empty one has no node.
		v := nd.sp.Element(el)
		return len(v) > 0 && oneOf(v, lits)
	}
	return t.segElemEquals(i, el, lits)
}

func (t *EDIFACTTree) segElemEquals(i int32, el int, lits []string) bool {
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

// oneOf reports whether txt is one of lits.
func oneOf(txt []byte, lits []string) bool {
	for _, lit := range lits {
		if same(txt, lit) {
			return true
		}
	}
	return false
}

// same reports whether b and s are equal: string(b) == s, comparing the
// short codes a mapping tests ('21', 'AAA', 'SA') in line rather than
// through a call to the runtime's memequal.
func same(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	if len(s) > 8 {
		return string(b) == s
	}
	for i := range len(s) {
		if b[i] != s[i] {
			return false
		}
	}
	return true
}

// SegCompText is ChildText2Name(i, name1, name2) for the names of element
// el and its component c of stored segment i.
func (t *EDIFACTTree) SegCompText(i int32, el, c int) ([]byte, bool) {
	if nd := &t.nodes[i]; nd.psep != 0 && el >= 1 && c >= 1 {
		return plainComp(nd.sp.Element(el), nd.psep, c, compositeByDef(nd.def, el))
	}
	return t.segCompText(i, el, c)
}

func (t *EDIFACTTree) segCompText(i int32, el, c int) ([]byte, bool) {
	if el < 1 || c < 1 {
		return nil, false
	}
	var r segComps
	r.start(t, i, el, c)
	return r.next()
}

// SegCompEquals is ChildEquals2Name(i, name1, name2, lit) for the names of
// element el and its component c of stored segment i, for any of lits.
func (t *EDIFACTTree) SegCompEquals(i int32, el, c int, lits ...string) bool {
	if nd := &t.nodes[i]; nd.psep != 0 && el >= 1 && c >= 1 {
		d, ok := plainComp(nd.sp.Element(el), nd.psep, c, compositeByDef(nd.def, el))
		return ok && oneOf(d, lits)
	}
	return t.segCompEquals(i, el, c, lits)
}

func (t *EDIFACTTree) segCompEquals(i int32, el, c int, lits []string) bool {
	if el < 1 || c < 1 {
		return false
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

// plainComp returns component c (>= 1) of element v of a plain segment
// whose component separator is sep, and whether it is non-empty; byDef
// is compositeByDef for the element. The component is a slice of v,
// found in one scan (small enough to be inlined: elements are a few
// bytes, where a byte loop beats bytes.IndexByte's set-up and
// word-at-a-time scans alike).
func plainComp(v []byte, sep byte, c int, byDef int8) ([]byte, bool) {
	if byDef == 0 {
		return nil, false // a simple element has no components
	}
	start := 0
	for j, b := range v {
		if b == sep {
			if c == 1 {
				return v[start:j], j > start
			}
			c, start = c-1, j+1
		}
	}
	// Component c runs to the end. Without a directory entry an element
	// is a composite only if it holds a separator (start > 0 then).
	if c == 1 && len(v) > start && (byDef > 0 || start > 0) {
		return v[start:], true
	}
	return nil, false
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
	if nd := &t.nodes[i]; nd.psep != 0 {
		return t.plainPick(nd, k, lit, j)
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

// plainPick is SegPickText on the plain segment of node nd: each element
// is one repetition, its components slices of it. (A function of its own,
// so that the general loop's registers do not crowd this one's.)
func (t *EDIFACTTree) plainPick(nd *enode, k int, lit string, j int) ([]byte, bool) {
	seg, sep := nd.sp, nd.psep
	for el, n := 1, seg.Len(); el <= n; el++ {
		byDef := compositeByDef(nd.def, el)
		if byDef == 0 {
			continue // a simple element has no child elements
		}
		v := seg.Element(el)
		if len(v) == 0 || byDef < 0 && bytes.IndexByte(v, sep) < 0 {
			continue
		}
		if c, ok := pickIn(v, sep, k, lit, j); ok {
			return c, true
		}
	}
	return nil, false
}

// pickIn is plainPick's test on one composite v: its component j when
// its component k is lit (non-empty components only). Called, not
// inlined, it scans with its few values in registers.
func pickIn(v []byte, sep byte, k int, lit string, j int) ([]byte, bool) {
	if q, ok := plainNth(v, sep, k); !ok || !same(q, lit) {
		return nil, false
	}
	return plainNth(v, sep, j)
}

// plainNth returns the nth non-empty component of composite v split at
// sep, with nothing released: the nth child element of its node.
func plainNth(v []byte, sep byte, n int) ([]byte, bool) {
	start := 0
	for j, b := range v {
		if b == sep {
			if j > start {
				if n--; n == 0 {
					return v[start:j], true
				}
			}
			start = j + 1
		}
	}
	if len(v) > start && n == 1 {
		return v[start:], true
	}
	return nil, false
}

// nthComp returns the nth non-empty component of composite v, unescaped.
func nthComp(seg *edifact.Segment, v []byte, n int) ([]byte, bool) {
	sep, rel := seg.Delimiters().Component, releaseOf(seg)
	if rel == 0 {
		// Nothing released: one scan, the component a slice of v.
		return plainNth(v, sep, n)
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
