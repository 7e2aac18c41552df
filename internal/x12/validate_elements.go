package x12

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/bits"
	"strings"

	"github.com/b2bgw/b2bgw/internal/x12/spec"
)

// Element checks, to the letter of X12.6 (Application Control Structure):
//
//   - one finding per element value (or component, or repetition): a value
//     with a bad character is not also "too long", so the partner fixes
//     the real problem first. Order: character/format, length, code or
//     calendar.
//   - N and R lengths count digits only: the minus sign and the decimal
//     point do not count toward the minimum or maximum.
//   - surplus trailing elements or components are errors only when they
//     hold data; empty ones left by a trailing separator are tolerated, as
//     every translator in the field sends them.
//   - text (AN, ID) must use the basic and extended character sets, which
//     are printable ASCII (0x20-0x7E). Control characters and bytes above
//     0x7E are invalid characters.

// maxValueCopy is the longest AK404 copy of a bad value (the element is
// AN 1/99).
const maxValueCopy = 99

// clipValue makes the AK404 copy of a bad value. A value holding bytes
// outside printable ASCII is not copied: AK404 is itself an AN element, and
// the acknowledgment must not carry the very characters it rejects (the
// message still says which byte was wrong).
func clipValue(v []byte) string {
	if len(v) > maxValueCopy {
		v = v[:maxValueCopy]
	}
	if nonPrintable(v) >= 0 {
		return ""
	}
	return string(v)
}

// elemLabel names an element for people: "BEG03 (element 324, Purchase
// Order Number)".
func elemLabel(seg string, pos, comp int, e *cElem) string {
	var b strings.Builder
	b.WriteString(refName(seg, pos, comp))
	if e != nil && (e.id != "" || e.name != "") {
		b.WriteString(" (")
		if e.composite {
			b.WriteString("composite ")
		} else {
			b.WriteString("element ")
		}
		b.WriteString(e.id)
		if e.name != "" {
			b.WriteString(", ")
			b.WriteString(e.name)
		}
		b.WriteString(")")
	}
	return b.String()
}

// numericRef returns the element id when it is a number (AK402 is numeric:
// composites and unknown references are left out).
func numericRef(id string) string {
	if id == "" {
		return ""
	}
	for i := 0; i < len(id); i++ {
		if id[i] < '0' || id[i] > '9' {
			return ""
		}
	}
	return id
}

func (w *walker) tag() string {
	if w.segTag == "" {
		w.segTag = w.seg.ID()
	}
	return w.segTag
}

// Byte classes for the element fast path (walker.cls), built from the
// segment's delimiters.
const (
	clsNonPrint = 1 << iota // outside printable ASCII 0x20-0x7E
	clsNonDigit             // not '0'-'9'
	clsSep                  // the component or repetition separator
)

// classes returns the byte-class table for d, rebuilding it when the
// delimiters change (once per interchange at most).
func (w *walker) classes(d Delimiters) *[256]uint8 {
	if !w.clsOK || w.clsDelims != d {
		for i := range w.cls {
			c := byte(i)
			var k uint8
			if c < 0x20 || c > 0x7e {
				k |= clsNonPrint
			}
			if c < '0' || c > '9' {
				k |= clsNonDigit
			}
			w.cls[i] = k
		}
		w.cls[d.Component] |= clsSep
		if d.Repetition != 0 {
			w.cls[d.Repetition] |= clsSep
		}
		w.clsDelims, w.clsOK = d, true
	}
	return &w.cls
}

func (w *walker) checkElements(def *cSeg, seg *Segment) {
	// clean: no byte of the segment is outside printable ASCII or a
	// component or repetition separator, so text values need no scan.
	clean := segmentClean(seg.raw, seg.delims)
	if clean && !w.full {
		// Most segments have nothing to report: elementsClean proves it
		// without the bookkeeping of the full checks.
		if mask, ok := elementsClean(def, seg.raw, seg.ends); ok {
			if len(def.rules) > 0 {
				w.checkRules(def, seg, mask)
			}
			return
		}
	}
	w.checkElementsFull(def, seg, clean)
}

// checkElementsFull checks every element of seg and reports what it finds.
func (w *walker) checkElementsFull(def *cSeg, seg *Segment, clean bool) {
	raw, ends := seg.raw, seg.ends
	n := len(ends) - 1
	cls := w.classes(seg.delims)
	// mask has bit p set when element p (< 64) holds data: the syntax
	// rules are checked against it.
	var mask uint64
	m := min(n, len(def.elems))
	elems := def.elems[:m]
	ends = ends[:m+1]
	start := int(ends[0]) + 1
	for i := range elems {
		e := &elems[i]
		pos := i + 1
		end := int(ends[pos])
		v := raw[start:end]
		start = end + 1
		if len(v) == 0 {
			if e.mandatory || e.relaxed {
				w.missing(e, pos, 0, 0, e.mode)
			}
			continue
		}
		if pos < 64 {
			mask |= 1 << pos
		}
		if !e.composite {
			// Fast path: one pass over the value with the class table.
			// A value the quick checks clear is one checkElement would
			// find nothing wrong with; anything else takes the full path,
			// which finds and words the problem.
			var acc uint8
			if !clean || (e.kind != kindAN && e.kind != kindID) {
				for _, c := range v {
					acc |= cls[c]
				}
			}
			if acc&clsSep == 0 && simpleOK(e, v, acc) {
				continue
			}
		}
		w.checkElement(e, seg, pos, v)
	}
	// Elements after the last one sent: only the required ones matter.
	for _, i := range def.required {
		if int(i) >= m {
			e := &def.elems[i]
			w.missing(e, int(i)+1, 0, 0, e.mode)
		}
	}
	for pos := len(def.elems) + 1; pos <= n; pos++ {
		if v := seg.Element(pos); len(v) > 0 {
			if pos < 64 {
				mask |= 1 << pos
			}
			w.elemErr(ElementError{Position: pos, Code: ElemTooMany, Value: clipValue(v), Message: fmt.Sprintf(
				"%s has data in element %d, but the segment has only %d elements; remove the surplus data",
				w.tag(), pos, len(def.elems))}, "")
		}
	}
	if len(def.rules) > 0 {
		w.checkRules(def, seg, mask)
	}
}

// elementsClean reports whether the elements of a clean segment (see
// segmentClean) give no finding at all against def, and which of them hold
// data (bit p for element p). It only decides: on false, checkElements
// takes the full path, which finds and words the problem. It must never
// say true where the full path would report; saying false only costs time.
//
// The checks that need a call (long codes, dates, times, numbers with a
// sign or a decimal point) wait for a second loop, so that the first one,
// which every element goes through, keeps everything in registers.
func elementsClean(def *cSeg, raw []byte, ends []int32) (uint64, bool) {
	n := len(ends) - 1
	if n > len(def.quick) || n < def.minElems || n >= 64 {
		// surplus elements, a required one absent, or too many for the
		// mask: the full path sorts it out
		return 0, false
	}
	var mask, later uint64 // later: the elements the second loop checks
	start := int(ends[0]) + 1
	qs, valueEnds := def.quick[:n], ends[1:n+1]
	for i := range qs {
		q := &qs[i]
		end := int(valueEnds[i])
		l := end - start
		if l == 0 {
			if q.need {
				return 0, false
			}
			start = end + 1
			continue
		}
		bit := uint64(2) << i
		mask |= bit
		switch q.kind {
		case kindAN:
			// clean: printable, so only the length is open
		case kindID:
			if raw[start] == ' ' || raw[end-1] == ' ' {
				return 0, false
			}
			if q.codes {
				// A short value's code key is read as one word of raw
				// (when raw has eight bytes from it); long ones wait for
				// the second loop.
				if l > 7 || start+8 > len(raw) {
					later |= bit
				} else if !q.e.hasKey(binary.LittleEndian.Uint64(raw[start:start+8])&(1<<(8*l)-1) | uint64(l)<<56) {
					return 0, false
				}
			}
		case kindN, kindR:
			for _, c := range raw[start:end] {
				if c-'0' > 9 {
					later |= bit // its length counts digits only
					break
				}
			}
			if later&bit != 0 {
				start = end + 1
				continue
			}
		case kindDT, kindTM:
			later |= bit
		case kindB:
			start = end + 1
			continue // no length checks
		default: // composites
			return 0, false
		}
		if l < q.min || l > q.max {
			return 0, false
		}
		start = end + 1
	}
	for later != 0 {
		p := bits.TrailingZeros64(later)
		later &= later - 1
		q := &qs[p-1]
		v := raw[int(ends[p-1])+1 : int(ends[p])]
		switch q.kind {
		case kindID:
			if !q.e.hasCodeFast(v) {
				return 0, false
			}
		case kindN, kindR:
			digits, ok := numericDigits(v, q.kind == kindR)
			if !ok || digits < q.min || digits > q.max {
				return 0, false
			}
		case kindDT:
			if !digitsOnly(v) || !validDate(v) {
				return 0, false
			}
		case kindTM:
			if !digitsOnly(v) || !validTime(v) {
				return 0, false
			}
		}
	}
	return mask, true
}

// segmentClean reports whether b holds no byte outside printable ASCII
// (0x20-0x7E) and neither the component nor the repetition separator. It
// tests eight bytes at a time: the word tricks below are exact as yes/no
// answers for the whole word.
func segmentClean(b []byte, d Delimiters) bool {
	n := len(b)
	if n < 8 {
		for _, c := range b {
			if c < 0x20 || c > 0x7e || c == d.Component || (d.Repetition != 0 && c == d.Repetition) {
				return false
			}
		}
		return true
	}
	comp := swarLo * uint64(d.Component)
	last := binary.LittleEndian.Uint64(b[n-8:]) // the last, overlapping word covers the tail
	// Words are read as b[i : i+8]: a slice of known length spares Uint64
	// its own bounds check.
	var bad uint64
	if d.Repetition == 0 {
		// the usual case before 005010: one separator to look for
		for i := 0; i+8 <= n; i += 8 {
			bad |= dirtyWord(binary.LittleEndian.Uint64(b[i:i+8]), comp)
		}
		bad |= dirtyWord(last, comp)
	} else {
		rep := swarLo * uint64(d.Repetition)
		for i := 0; i+8 <= n; i += 8 {
			x := binary.LittleEndian.Uint64(b[i : i+8])
			z := x ^ rep
			bad |= dirtyWord(x, comp) | (z-swarLo)&^z
		}
		z := last ^ rep
		bad |= dirtyWord(last, comp) | (z-swarLo)&^z
	}
	return bad&(swarLo<<7) == 0
}

// dirtyWord sets the high bit of a byte of its result for the lowest byte c
// of x that is not printable ASCII or is the separator whose every byte is
// in sep (and maybe for bytes above it; a clean word gives 0). Per byte, the
// high bit of: c itself (c >= 0x80); c+1 (c == 0x7F); not c+0x60 (c <
// 0x20); (y-1)&^y for y = c^sep (c == sep). Below the lowest such byte
// nothing carries or borrows, so that byte is always caught.
func dirtyWord(x, sep uint64) uint64 {
	y := x ^ sep
	return x | (x + swarLo) | ^(x + swarLo*0x60) | (y-swarLo)&^y
}

// simpleOK reports whether checkSimple would find nothing wrong with the
// value v (non-empty, without separators) of the simple element e; acc is
// the OR of the class bits of v's bytes. It must never say yes where
// checkSimple would report; saying no only costs the slow path.
func simpleOK(e *cElem, v []byte, acc uint8) bool {
	n := len(v)
	switch e.kind {
	case kindB:
		return true
	case kindAN:
		if acc&clsNonPrint != 0 {
			return false
		}
	case kindID:
		if acc&clsNonPrint != 0 || v[0] == ' ' || v[n-1] == ' ' {
			return false
		}
	case kindN, kindR:
		if acc&clsNonDigit != 0 {
			digits, ok := numericDigits(v, e.kind == kindR)
			if !ok {
				return false
			}
			n = digits
		}
	case kindDT, kindTM:
		if acc&clsNonDigit != 0 {
			return false
		}
	}
	if n < e.min || (e.max > 0 && n > e.max) {
		return false
	}
	switch e.kind {
	case kindID:
		return e.codes == nil || e.hasCodeFast(v)
	case kindDT:
		return validDate(v)
	case kindTM:
		return validTime(v)
	}
	return true
}

// missing reports an absent element or component when its usage requires
// it (or when an overlay relaxed it but still wants it noted).
func (w *walker) missing(e *cElem, pos, comp, rep int, mode OverlayMode) {
	switch {
	case e.mandatory:
		w.elemErr(ElementError{Position: pos, Component: comp, Repetition: rep, Ref: numericRef(e.id), Code: ElemMandatoryMissing,
			Message: fmt.Sprintf("%s is missing; it is mandatory", elemLabel(w.tag(), pos, comp, e))}, mode)
	case e.relaxed && mode != "" && mode != ModeStrict:
		w.elemErr(ElementError{Position: pos, Component: comp, Repetition: rep, Ref: numericRef(e.id), Code: ElemMandatoryMissing,
			Message: fmt.Sprintf("%s is missing; it is mandatory in the standard and optional for this partner by overlay", elemLabel(w.tag(), pos, comp, e))}, mode)
	}
}

func (w *walker) checkElement(e *cElem, seg *Segment, pos int, v []byte) {
	d := seg.delims
	if d.Repetition == 0 || bytes.IndexByte(v, d.Repetition) < 0 {
		rep := 0
		if e.repeat > 1 {
			rep = 1
		}
		w.checkRep(e, d, pos, rep, v)
		return
	}
	rest := v
	for r := 1; ; r++ {
		part := rest
		i := bytes.IndexByte(rest, d.Repetition)
		if i >= 0 {
			part, rest = rest[:i], rest[i+1:]
		}
		if r > e.repeat {
			what := fmt.Sprintf("the maximum is %d", e.repeat)
			if e.repeat == 1 {
				what = fmt.Sprintf("it does not repeat (the value holds the repetition separator %s)", printable(d.Repetition))
			}
			w.elemErr(ElementError{Position: pos, Repetition: r, Ref: numericRef(e.id), Code: ElemTooManyReps, Value: clipValue(v),
				Message: fmt.Sprintf("%s has %d repetitions; %s", elemLabel(w.tag(), pos, 0, e), bytes.Count(v, []byte{d.Repetition})+1, what)}, e.mode)
			return
		}
		if len(part) > 0 {
			w.checkRep(e, d, pos, r, part)
		} else if e.mandatory && r == 1 {
			w.missing(e, pos, 0, r, e.mode)
		}
		if i < 0 {
			return
		}
	}
}

func (w *walker) checkRep(e *cElem, d Delimiters, pos, rep int, v []byte) {
	if e.composite {
		w.checkComposite(e, d, pos, rep, v)
		return
	}
	if i := bytes.IndexByte(v, d.Component); i >= 0 {
		w.elemErr(ElementError{Position: pos, Component: 2, Repetition: rep, Ref: numericRef(e.id), Code: ElemTooManyComponents, Value: clipValue(v),
			Message: fmt.Sprintf("%s is a simple element but holds the component separator %s; remove it or check the partner's delimiters",
				elemLabel(w.tag(), pos, 0, e), printable(d.Component))}, e.mode)
		return
	}
	w.checkSimple(e, pos, 0, rep, v, e.mode)
}

func (w *walker) checkComposite(e *cElem, d Delimiters, pos, rep int, v []byte) {
	var present uint64 // bit c set when component c holds data
	rest := v
	for c := 1; ; c++ {
		part := rest
		i := bytes.IndexByte(rest, d.Component)
		if i >= 0 {
			part, rest = rest[:i], rest[i+1:]
		}
		switch {
		case c > len(e.comps):
			if len(part) > 0 {
				w.elemErr(ElementError{Position: pos, Component: c, Repetition: rep, Code: ElemTooManyComponents, Value: clipValue(v),
					Message: fmt.Sprintf("%s has data in component %d, but the composite has only %d components; remove the surplus data",
						elemLabel(w.tag(), pos, 0, e), c, len(e.comps))}, e.mode)
				return
			}
		case len(part) > 0:
			if c < 64 {
				present |= 1 << c
			}
			w.checkSimple(&e.comps[c-1], pos, c, rep, part, e.mode)
		}
		if i < 0 {
			break
		}
	}
	for c := range e.comps {
		if present&(1<<(c+1)) == 0 {
			w.missing(&e.comps[c], pos, c+1, rep, e.mode)
		}
	}
	for i := range e.compRules {
		if r := &e.compRules[i]; ruleBroken(r, present) {
			w.reportRule(r, present, e.comps, func(p int) []byte { return nth(v, d.Component, p) }, pos, rep, e.mode)
		}
	}
}

// checkSimple checks one value of a simple element (or component).
func (w *walker) checkSimple(e *cElem, pos, comp, rep int, v []byte, mode OverlayMode) {
	bad := func(code ElementErrorCode, m OverlayMode, format string, args ...any) {
		w.elemErr(ElementError{Position: pos, Component: comp, Repetition: rep, Ref: numericRef(e.id), Code: code, Value: clipValue(v),
			Message: elemLabel(w.tag(), pos, comp, e) + " " + fmt.Sprintf(format, args...)}, m)
	}
	n := len(v)
	unit := "characters"
	switch e.kind {
	case kindB:
		return
	case kindAN:
		if i := nonPrintable(v); i >= 0 {
			bad(ElemInvalidChar, mode, "contains byte 0x%02X at offset %d; X12 text allows printable ASCII only (the basic and extended character sets)", v[i], i)
			return
		}
	case kindID:
		if i := nonPrintable(v); i >= 0 {
			bad(ElemInvalidChar, mode, "contains byte 0x%02X at offset %d; codes allow printable ASCII only", v[i], i)
			return
		}
		if v[0] == ' ' || v[n-1] == ' ' {
			bad(ElemInvalidChar, mode, "has leading or trailing spaces; a code must be sent without padding")
			return
		}
	case kindN:
		digits, ok := numericDigits(v, false)
		if !ok {
			bad(ElemInvalidChar, mode, "is not a valid %s number: only digits and a leading minus sign are allowed (no decimal point, no spaces; %s has implied decimals)", e.typ, e.typ)
			return
		}
		n, unit = digits, "digits"
	case kindR:
		digits, ok := numericDigits(v, true)
		if !ok {
			bad(ElemInvalidChar, mode, "is not a valid decimal number: only digits, at most one decimal point and a leading minus sign are allowed (no spaces, no exponent)")
			return
		}
		n, unit = digits, "digits"
	case kindDT:
		if !digitsOnly(v) {
			bad(ElemInvalidDate, mode, "is not a date: a date is %s, digits only", dateFormat(e, n))
			return
		}
	case kindTM:
		if !digitsOnly(v) {
			bad(ElemInvalidTime, mode, "is not a time: a time is HHMM, HHMMSS, HHMMSSD or HHMMSSDD, digits only")
			return
		}
	}
	if n < e.min {
		bad(ElemTooShort, mode, "is too short: %s, the minimum is %d", count(n, unit), e.min)
		return
	}
	if e.max > 0 && n > e.max {
		bad(ElemTooLong, mode, "is too long: %s, the maximum is %d", count(n, unit), e.max)
		return
	}
	switch e.kind {
	case kindID:
		if e.codes != nil && !hasCode(e.codes, v) {
			m := mode
			if e.codeMode != "" {
				m = e.codeMode
			}
			bad(ElemInvalidCode, m, "has %q, which is not a valid code; use a code from the list for element %s, or add the partner's code in its overlay (codes: %q: {add: [%s]})", v, e.id, e.id, v)
		}
	case kindDT:
		if !validDate(v) {
			bad(ElemInvalidDate, mode, "%q is not a valid calendar date in %s format", v, dateFormat(e, n))
		}
	case kindTM:
		if !validTime(v) {
			bad(ElemInvalidTime, mode, "%q is not a valid time: use HHMM, HHMMSS, HHMMSSD or HHMMSSDD with hours 00-23, minutes and seconds 00-59", v)
		}
	}
}

// count renders "1 digit", "3 characters".
func count(n int, unit string) string {
	if n == 1 {
		unit = strings.TrimSuffix(unit, "s")
	}
	return fmt.Sprintf("%d %s", n, unit)
}

func dateFormat(e *cElem, n int) string {
	if e.max == 6 || (e.max == 0 && n == 6) {
		return "YYMMDD"
	}
	return "CCYYMMDD"
}

// nonPrintable returns the offset of the first byte outside printable
// ASCII, or -1.
func nonPrintable(v []byte) int {
	for i, c := range v {
		if c < 0x20 || c > 0x7e {
			return i
		}
	}
	return -1
}

func digitsOnly(v []byte) bool {
	for _, c := range v {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(v) > 0
}

// numericDigits checks N (decimal false) or R (decimal true) syntax and
// returns the number of digits, which is the element's length in X12.
func numericDigits(v []byte, decimal bool) (int, bool) {
	if len(v) > 0 && v[0] == '-' {
		v = v[1:]
	}
	digits, points := 0, 0
	for _, c := range v {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && decimal:
			points++
		default:
			return 0, false
		}
	}
	return digits, digits > 0 && points <= 1
}

// validDate checks a CCYYMMDD date (8 digits) or a YYMMDD date (6 digits;
// the length checks already matched the length to the element's).
func validDate(v []byte) bool {
	var year, month, day int
	switch len(v) {
	case 8:
		year = twoDigits(v[0], v[1])*100 + twoDigits(v[2], v[3])
		month, day = twoDigits(v[4], v[5]), twoDigits(v[6], v[7])
	case 6:
		// YYMMDD: the century is unknown; 2000 was a leap year and 1900
		// was not, but a YY divisible by 4 is a leap year in the window
		// partners use (19xx-20xx minus 1900), so accept Feb 29 there.
		year = 2000 + twoDigits(v[0], v[1])
		month, day = twoDigits(v[2], v[3]), twoDigits(v[4], v[5])
	default:
		return false
	}
	if month < 1 || month > 12 || day < 1 {
		return false
	}
	return day <= daysIn(year, month)
}

func daysIn(year, month int) int {
	switch month {
	case 4, 6, 9, 11:
		return 30
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	}
	return 31
}

// validTime checks HHMM, HHMMSS, HHMMSSD and HHMMSSDD.
func validTime(v []byte) bool {
	switch len(v) {
	case 4, 6, 7, 8:
	default:
		return false
	}
	if digitsValue(v[:2]) > 23 || digitsValue(v[2:4]) > 59 {
		return false
	}
	return len(v) < 6 || digitsValue(v[4:6]) <= 59
}

// twoDigits is digitsValue of two bytes, without the loop.
func twoDigits(a, b byte) int { return int(a-'0')*10 + int(b-'0') }

func digitsValue(v []byte) int {
	n := 0
	for _, c := range v {
		n = n*10 + int(c-'0')
	}
	return n
}

// checkRules applies the segment's syntax notes (P, R, E, C, L). The
// presence of each element is taken once as a bit mask (by checkElements),
// so a clean segment costs a few bit tests per rule.
// mask has bit p set for each element p (< 64) that holds data.
func (w *walker) checkRules(def *cSeg, seg *Segment, mask uint64) {
	// Whether a rule is broken depends only on the segment definition and
	// the presence mask, and a file repeats a few presence patterns per
	// segment: remember the patterns found clean.
	slot := &w.rulesOK[((uint64(def.serial)<<32^mask)*0x9E3779B97F4A7C15)>>58]
	if slot.def == def && slot.mask == mask {
		return
	}
	clean := true
	for i := range def.rules {
		r := &def.rules[i]
		var broken bool
		if m := &def.masks[i]; m.exact {
			broken = m.broken(mask)
		} else {
			broken = ruleBroken(r, mask)
		}
		if broken {
			clean = false
			w.reportRule(r, mask, def.elems, seg.Element, 0, 0, "")
		}
	}
	if clean {
		slot.def, slot.mask = def, mask
	}
}

func maskHas(mask uint64, p int) bool { return p > 0 && p < 64 && mask&(1<<p) != 0 }

// ruleBroken is the fast check of one syntax note against a presence mask.
func ruleBroken(r *spec.Rule, mask uint64) bool {
	ps := r.Positions
	if len(ps) < 2 {
		return false
	}
	n := 0
	for _, p := range ps {
		if maskHas(mask, p) {
			n++
		}
	}
	switch r.Kind {
	case 'P':
		return n > 0 && n < len(ps)
	case 'R':
		return n == 0
	case 'C':
		return maskHas(mask, ps[0]) && n < len(ps)
	case 'L':
		return maskHas(mask, ps[0]) && n == 1
	case 'E':
		return n > 1
	}
	return false
}

// reportRule reports a broken syntax note. For a segment rule, pos is 0 and
// the positions are elements; for a composite rule, the positions are
// components of element pos. The finding goes on the element that has to
// change: the missing one (code 2), or each exclusive one after the first
// present (code 10).
func (w *walker) reportRule(r *spec.Rule, mask uint64, elems []cElem, value func(int) []byte, pos, rep int, mode OverlayMode) {
	tag := w.tag()
	where := func(p int) (int, int) {
		if pos > 0 {
			return pos, p
		}
		return p, 0
	}
	elem := func(p int) *cElem {
		if p < 1 || p > len(elems) {
			return nil
		}
		return &elems[p-1]
	}
	name := func(p int) string { ep, ec := where(p); return refName(tag, ep, ec) }
	label := func(p int) string { ep, ec := where(p); return elemLabel(tag, ep, ec, elem(p)) }
	report := func(p int, code ElementErrorCode, msg string) {
		e := elem(p)
		m := mode
		id := ""
		if e != nil {
			id = numericRef(e.id)
			if m == "" {
				m = e.mode
			}
		}
		ep, ec := where(p)
		ee := ElementError{Position: ep, Component: ec, Repetition: rep, Ref: id, Code: code, Message: msg}
		if code == ElemExclusion {
			ee.Value = clipValue(value(p))
		}
		w.elemErr(ee, m)
	}
	list := func(ps []int) string {
		s := make([]string, len(ps))
		for i, p := range ps {
			s[i] = name(p)
		}
		return strings.Join(s, ", ")
	}
	note := ruleText(*r)
	first, others := r.Positions[0], r.Positions[1:]
	switch r.Kind {
	case 'P':
		for _, p := range r.Positions {
			if !maskHas(mask, p) {
				report(p, ElemConditionalMissing, fmt.Sprintf("%s is missing; rule %s requires %s to be used together (all or none)", label(p), note, list(r.Positions)))
			}
		}
	case 'R':
		report(first, ElemConditionalMissing, fmt.Sprintf("%s is missing; rule %s requires at least one of %s", label(first), note, list(r.Positions)))
	case 'C':
		for _, p := range others {
			if !maskHas(mask, p) {
				report(p, ElemConditionalMissing, fmt.Sprintf("%s is missing; rule %s requires it because %s is present", label(p), note, name(first)))
			}
		}
	case 'L':
		report(others[0], ElemConditionalMissing, fmt.Sprintf("%s is missing; rule %s requires at least one of %s because %s is present", label(others[0]), note, list(others), name(first)))
	case 'E':
		seen := 0
		for _, p := range r.Positions {
			if !maskHas(mask, p) {
				continue
			}
			if seen > 0 {
				report(p, ElemExclusion, fmt.Sprintf("%s must not be used together with %s; rule %s allows only one of %s", label(p), name(seen), note, list(r.Positions)))
				continue
			}
			seen = p
		}
	}
}

// ruleText renders a rule in the standard's notation, e.g. P0304.
func ruleText(r spec.Rule) string {
	var b strings.Builder
	b.WriteByte(r.Kind)
	for _, p := range r.Positions {
		fmt.Fprintf(&b, "%02d", p)
	}
	return b.String()
}
