package x12

import "fmt"

// Semantic checks that the standard states in segment notes rather than in
// syntax rules, and that partners get wrong often enough to matter:
//
//   - HL (hierarchical level, e.g. the 856 shipment/order/pack/item tree):
//     HL01 is unique and increasing, and HL02, when present, names an HL01
//     that came earlier (a parent must precede its children).
//   - CTT01 in an 850 is the number of PO1 segments.
//
// X12 has no element error code for "refers to something absent" or
// "disagrees with the data". We use the relational-condition codes, the
// closest the standard offers, and say exactly what is wrong in the
// message:
//
//   - HL01 duplicated or not increasing: 10 (exclusion condition
//     violated): the value is excluded by an earlier HL01 that holds it or
//     a greater one.
//   - HL02 naming no earlier HL01: 2 (conditional required data element
//     missing): the parent the element requires is missing. Code 7 would
//     claim a code list, and HL02 (element 734) has none.
//   - CTT01 not equal to the PO1 count: 10: the value conflicts with the
//     segments actually sent.

func (w *walker) semantic(key uint32, def *cSeg) {
	// key is the segment's tagKey; HL and CTT have one.
	switch {
	case key == keyHL && w.cs.hasHL:
		w.checkHL(def)
	case key == keyCTT && w.cs.counted != "":
		w.checkCTT(def)
	}
}

func (w *walker) checkHL(def *cSeg) {
	seg := w.seg
	id, parent := seg.Element(1), seg.Element(2)
	label := func(pos int) string {
		var e *cElem
		if def != nil && pos <= len(def.elems) {
			e = &def.elems[pos-1]
		}
		return elemLabel("HL", pos, 0, e)
	}
	ref := func(pos int) string {
		if def != nil && pos <= len(def.elems) {
			return numericRef(def.elems[pos-1].id)
		}
		return ""
	}
	// The parent is looked up before this HL's own id is recorded: an HL
	// cannot be its own parent.
	parentKnown := true
	if len(parent) > 0 {
		if num, ok := parseHLNum(parent); ok {
			parentKnown = w.hlSeenNum(num)
		} else {
			parentKnown = w.hlSeenStr(parent)
		}
	}
	if len(id) > 0 {
		if num, ok := parseHLNum(id); ok {
			switch {
			case w.hlLastOK && num <= w.hlLast && w.hlSeenNum(num):
				w.elemErr(ElementError{Position: 1, Ref: ref(1), Code: ElemExclusion, Value: clipValue(id), Message: fmt.Sprintf(
					"%s %q is used by an earlier HL; each HL01 must be unique in the set (number them 1, 2, 3 ... in order)", label(1), id)}, "")
			case w.hlLastOK && num <= w.hlLast:
				w.elemErr(ElementError{Position: 1, Ref: ref(1), Code: ElemExclusion, Value: clipValue(id), Message: fmt.Sprintf(
					"%s %q is not greater than the previous HL01 %d; HL01 must increase through the set (number them 1, 2, 3 ... in order)", label(1), id, w.hlLast)}, "")
			default:
				w.hlNums = append(w.hlNums, num)
				w.hlLast, w.hlLastOK = num, true
			}
		} else if w.hlSeenStr(id) {
			w.elemErr(ElementError{Position: 1, Ref: ref(1), Code: ElemExclusion, Value: clipValue(id), Message: fmt.Sprintf(
				"%s %q is used by an earlier HL; each HL01 must be unique in the set", label(1), id)}, "")
		} else {
			w.hlStrs = append(w.hlStrs, string(id))
		}
	}
	if !parentKnown {
		w.elemErr(ElementError{Position: 2, Ref: ref(2), Code: ElemConditionalMissing, Value: clipValue(parent), Message: fmt.Sprintf(
			"%s names parent HL %q, but no earlier HL has that HL01; a parent HL must come before its children", label(2), parent)}, "")
	}
}

// hlSeenNum reports whether num was an HL01 so far; HL01s are recorded in
// increasing order, so a binary search does.
func (w *walker) hlSeenNum(num uint64) bool {
	lo, hi := 0, len(w.hlNums)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if w.hlNums[m] < num {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo < len(w.hlNums) && w.hlNums[lo] == num
}

func (w *walker) hlSeenStr(v []byte) bool {
	for _, s := range w.hlStrs {
		if s == string(v) {
			return true
		}
	}
	return false
}

// parseHLNum parses a plain decimal number of up to 18 digits.
func parseHLNum(v []byte) (uint64, bool) {
	if len(v) == 0 || len(v) > 18 {
		return 0, false
	}
	var n uint64
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	return n, true
}

func (w *walker) checkCTT(def *cSeg) {
	v := w.seg.Element(1)
	n, ok := parseHLNum(v)
	if !ok || n == uint64(w.countedN) {
		// a malformed CTT01 is already reported by the element checks
		return
	}
	var e *cElem
	if def != nil && len(def.elems) > 0 {
		e = &def.elems[0]
	}
	ref := ""
	if e != nil {
		ref = numericRef(e.id)
	}
	w.elemErr(ElementError{Position: 1, Ref: ref, Code: ElemExclusion, Value: clipValue(v), Message: fmt.Sprintf(
		"%s says %d, but the set has %d %s segments before it; CTT01 must equal the number of %s segments",
		elemLabel("CTT", 1, 0, e), n, w.countedN, w.cs.counted, w.cs.counted)}, "")
}
