package doctree

import (
	"bytes"
	"math"

	"github.com/b2bgw/b2bgw/internal/x12"
)

// The helpers below find elements, repetitions and components by scanning
// a segment's bytes. Only non-empty parts are nodes, so each helper skips
// empty ones. A separator of 0 means "this interchange has none" (no
// repetition separator before 00402): the whole value is one part.

// repetition returns repetition rep (1-based) of element el.
func repetition(seg *x12.Segment, el, rep int) []byte {
	return part(seg.Element(el), seg.Delimiters().Repetition, rep)
}

// part returns the k-th (1-based) part of b split at sep, or nil.
func part(b []byte, sep byte, k int) []byte {
	if sep == 0 {
		if k == 1 {
			return b
		}
		return nil
	}
	for ; k > 1; k-- {
		i := bytes.IndexByte(b, sep)
		if i < 0 {
			return nil
		}
		b = b[i+1:]
	}
	if k < 1 {
		return nil
	}
	if i := bytes.IndexByte(b, sep); i >= 0 {
		return b[:i]
	}
	return b
}

// nextPart returns the index of the first non-empty part of b after part
// `after`, or 0.
func nextPart(b []byte, sep byte, after int) int {
	if sep == 0 {
		if after < 1 && len(b) > 0 {
			return 1
		}
		return 0
	}
	for k := 1; ; k++ {
		i := bytes.IndexByte(b, sep)
		p := b
		if i >= 0 {
			p = b[:i]
		}
		if k > after && len(p) > 0 {
			return k
		}
		if i < 0 {
			return 0
		}
		b = b[i+1:]
	}
}

// prevPart returns the index of the last non-empty part of b before part
// `before`, or 0.
func prevPart(b []byte, sep byte, before int) int {
	if sep == 0 {
		if before > 1 && len(b) > 0 {
			return 1
		}
		return 0
	}
	best := 0
	for k := 1; k < before; k++ {
		i := bytes.IndexByte(b, sep)
		p := b
		if i >= 0 {
			p = b[:i]
		}
		if len(p) > 0 {
			best = k
		}
		if i < 0 {
			break
		}
		b = b[i+1:]
	}
	return best
}

// nextElem returns the first non-empty element repetition after (el, rep)
// in segment order, or (0, 0). nextElem(seg, 1, 0) is the first child.
func nextElem(seg *x12.Segment, el, rep int) (int, int) {
	rs := seg.Delimiters().Repetition
	for i := max(el, 1); i <= seg.Len(); i++ {
		after := 0
		if i == el {
			after = rep
		}
		if r := nextPart(seg.Element(i), rs, after); r != 0 {
			return i, r
		}
	}
	return 0, 0
}

// prevElem returns the last non-empty element repetition before (el, rep),
// or (0, 0).
func prevElem(seg *x12.Segment, el, rep int) (int, int) {
	rs := seg.Delimiters().Repetition
	for i := min(el, seg.Len()); i >= 1; i-- {
		before := math.MaxInt
		if i == el {
			before = rep
		}
		if r := prevPart(seg.Element(i), rs, before); r != 0 {
			return i, r
		}
	}
	return 0, 0
}
