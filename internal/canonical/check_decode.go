package canonical

// The fast decoder: a single-pass JSON tokenizer that decodes into the
// canonical types the way encoding/json with DisallowUnknownFields does,
// or reports false where it cannot be sure it would.

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math/bits"
	"reflect"
	"strconv"
	"time"
	"unicode/utf8"
	"unsafe"
)

type fdecoder struct {
	data []byte
	i    int
	st   *fstate // nil: allocate everything afresh
}

type sliceHeader struct {
	data     unsafe.Pointer
	len, cap int
}

func (d *fdecoder) ws() { d.i = skipWS(d.data, d.i) }

func unsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// load64 reads the eight bytes at base+i, little-endian, for a caller
// that checked they are within its slice.
func load64(base unsafe.Pointer, i int) uint64 {
	return binary.LittleEndian.Uint64((*[8]byte)(unsafe.Add(base, i))[:])
}

// setString makes the string at ptr b[i:j], sharing b's memory: the
// header's two words written directly, without unsafe.String's checks
// (0 <= i <= j <= len(b) holds at every caller).
func setString(ptr unsafe.Pointer, b []byte, i, j int) {
	h := (*stringHeader)(ptr)
	h.data = unsafe.Add(unsafe.Pointer(unsafe.SliceData(b)), i)
	h.len = j - i
}

type stringHeader struct {
	data unsafe.Pointer
	len  int
}

// value decodes one JSON value into the object of plan p at ptr.
func (d *fdecoder) value(p *plan, ptr unsafe.Pointer) bool {
	d.ws()
	if d.i >= len(d.data) {
		return false
	}
	c := d.data[d.i]
	if c == 'n' {
		return false // null: encoding/json's rules differ per type
	}
	switch p.kind {
	case pString:
		if c != '"' {
			return false
		}
		s, ok := d.str()
		if !ok {
			return false
		}
		*(*string)(ptr) = s
		return true
	case pBool:
		switch {
		case bytes.HasPrefix(d.data[d.i:], []byte("true")):
			*(*bool)(ptr) = true
			d.i += 4
		case bytes.HasPrefix(d.data[d.i:], []byte("false")):
			*(*bool)(ptr) = false
			d.i += 5
		default:
			return false
		}
		return d.delim()
	case pInt:
		return d.integer(p, ptr)
	case pStruct:
		j := d.object(p, ptr, d.i)
		d.i = j
		return j >= 0
	case pPtr:
		pp := (*unsafe.Pointer)(ptr)
		if *pp == nil {
			*pp = d.st.newObj(p.elem)
		}
		d.st.forget(p.elem, *pp) // written here, not by memoMember
		return d.value(p.elem, *pp)
	case pSlice:
		if c != '[' {
			return false
		}
		j := d.array(p, ptr, d.i)
		d.i = j
		return j >= 0
	case pDecimal:
		v, ok := d.decimal()
		if !ok {
			return false
		}
		*(*Decimal)(ptr) = v
		return true
	case pDate:
		if c == '"' && d.i+12 <= len(d.data) {
			if dt, ok := quickDate(d.data[d.i : d.i+12]); ok {
				*(*Date)(ptr) = dt
				d.i += 12
				return true
			}
		}
		raw, ok := d.skip()
		if !ok {
			return false
		}
		return (*Date)(ptr).UnmarshalJSON(raw) == nil
	case pDateTime:
		raw, ok := d.skip()
		if !ok {
			return false
		}
		if len(raw) >= 2 && raw[0] == '"' && plainASCII(raw[1:len(raw)-1]) {
			v, err := ParseDateTime(unsafeString(raw[1 : len(raw)-1]))
			if err != nil {
				return false
			}
			*(*DateTime)(ptr) = v
			return true
		}
		return (*DateTime)(ptr).UnmarshalJSON(raw) == nil
	case pUnmarshaler:
		raw, ok := d.skip()
		if !ok {
			return false
		}
		u := reflect.NewAt(p.t, ptr).Interface().(json.Unmarshaler)
		return u.UnmarshalJSON(raw) == nil
	}
	return false
}

// delim checks that a literal ends where a JSON value may end.
func (d *fdecoder) delim() bool {
	if d.i >= len(d.data) {
		return true
	}
	switch d.data[d.i] {
	case ',', '}', ']', ' ', '\t', '\n', '\r':
		return true
	}
	return false
}

// object decodes the JSON object at b[i] into the struct of plan p at
// ptr and returns the index after it, or -1. Its position stays in a
// local, which the compiler holds in a register.
//
// Compact JSON (what the mappings and encoding/json write) takes the
// shortest way: a key right after '{' or ',', a value right after the
// colon, a ',' or '}' right after the value; whitespace anywhere is
// skipped on a slower branch, with the same result.
func (d *fdecoder) object(p *plan, ptr unsafe.Pointer, i int) int {
	b := d.data
	if b[i] != '{' {
		return -1
	}
	var seen uint64
	next := 0 // the field expected next
	if i = skipWS(b, i+1); i < len(b) && b[i] == '}' {
		d.st.clearFields(p, ptr, 0)
		return i + 1
	}
	base := unsafe.Pointer(unsafe.SliceData(b)) // for loads the bounds are checked for
	for {
		if uint(i) >= uint(len(b)) || b[i] != '"' {
			if i = skipWS(b, i); i >= len(b) || b[i] != '"' {
				return -1
			}
		}
		start := i + 1
		var f *fieldPlan
		if next < len(p.fieldList) && start+16 <= len(b) { // expect's first try, inlined
			f = &p.fieldList[next]
			if load64(base, start)&f.m0 != f.w0 || load64(base, start+8)&f.m1 != f.w1 {
				f = p.expect(b[start:], next+1)
			} else if len(f.quoted) > 16 && !hasPrefix(b[start+16:], f.quoted[16:]) {
				f = p.expect(b[start:], next+1)
			}
		} else {
			f = p.expect(b[start:], next)
		}
		if f == nil {
			j := start + plainPrefix(b[start:])
			if j >= len(b) || b[j] != '"' {
				return -1 // escaped or non-ASCII key
			}
			if f = p.field(b[start:j]); f == nil {
				return -1 // unknown (or only case-folded)
			}
			// the colon, after spaces expect does not take
			if i = skipWS(b, j+1); i >= len(b) || b[i] != ':' {
				return -1
			}
			i++
		} else {
			i = start + len(f.quoted) // just past the colon expect matched
		}
		bit := uint64(1) << (f.index & 63)
		if seen&bit != 0 {
			return -1 // a duplicate
		}
		seen |= bit
		next = int(f.index) + 1
		if uint(i) >= uint(len(b)) {
			return -1
		}
		if b[i] <= ' ' {
			if i = skipWS(b, i); i >= len(b) {
				return -1
			}
		}
		fp := unsafe.Add(ptr, uintptr(f.off))
		if f.kind == pString && b[i] == '"' {
			// the commonest member, without calls: plainString inlined
			j := i + 1
			for {
				if j+8 > len(b) {
					for j < len(b) && plainByte(b[j]) {
						j++
					}
					break
				}
				if m := specialBytes(load64(base, j)); m != 0 {
					j += bits.TrailingZeros64(m) / 8
					break
				}
				j += 8
			}
			if j >= len(b) || b[j] != '"' {
				if i = d.member(f.p, fp, i); i < 0 {
					return -1
				}
			} else {
				// b[i+1:j] may be empty: the pointer is into b either way
				setString(fp, b, i+1, j)
				i = j + 1
			}
		} else {
			// the other kinds documents are made of, without member's
			// dispatch: objects, arrays, quantities and prices
			switch {
			case f.kind == pStruct:
				i = d.object(f.p, fp, i)
			case f.kind == pSlice && b[i] == '[':
				i = d.array(f.p, fp, i)
			case f.kind == pDecimal || (f.decPtr && *(*unsafe.Pointer)(fp) != nil):
				v, j := plainDecimal(b, i)
				if j < 0 {
					i = d.member(f.p, fp, i)
					break
				}
				if f.decPtr {
					fp = *(*unsafe.Pointer)(fp)
				}
				*(*Decimal)(fp) = v
				i = j
			default:
				i = d.member(f.p, fp, i)
			}
			if i < 0 {
				return -1
			}
		}
		if uint(i) >= uint(len(b)) {
			return -1
		}
		c := b[i]
		if c <= ' ' {
			if i = skipWS(b, i); i >= len(b) {
				return -1
			}
			c = b[i]
		}
		switch c {
		case ',':
			i++
		case '}':
			if seen != p.all {
				d.st.clearFields(p, ptr, seen)
			}
			return i + 1
		default:
			return -1
		}
	}
}

// member decodes the value at b[i] (not whitespace) into the object of
// plan p at ptr and returns the index after it, or -1. The commonest
// kinds skip value's dispatch.
func (d *fdecoder) member(p *plan, ptr unsafe.Pointer, i int) int {
	b := d.data
	switch p.kind {
	case pString:
		if j := plainString(b, i); j > i {
			setString(ptr, b, i+1, j-1)
			return j
		}
	case pDate:
		if b[i] == '"' && i+12 <= len(b) {
			if dt, ok := quickDate(b[i : i+12]); ok {
				*(*Date)(ptr) = dt
				return i + 12
			}
		}
	case pDecimal:
		d.i = i
		v, ok := d.decimal()
		if !ok {
			return -1
		}
		*(*Decimal)(ptr) = v
		return d.i
	case pPtr:
		if b[i] == 'n' {
			return -1 // null: encoding/json's rules differ per type
		}
		pp := (*unsafe.Pointer)(ptr)
		if *pp == nil {
			*pp = d.st.newObj(p.elem)
		}
		if p.elem.memo != 0 && d.st != nil {
			return d.memoMember(p.elem, *pp, i)
		}
		return d.member(p.elem, *pp, i)
	case pStruct:
		return d.object(p, ptr, i)
	case pSlice:
		if b[i] != '[' {
			return -1
		}
		return d.array(p, ptr, i)
	}
	d.i = i
	if !d.value(p, ptr) {
		return -1
	}
	return d.i
}

// memoMember is member for the object obj of a memo plan p: when the
// JSON at b[i] is the very object last decoded into obj, obj already
// holds it. Otherwise it decodes the object, then decodes it again from
// a copy of its bytes that the memo keeps, so that obj's strings stay
// what they are while data changes.
func (d *fdecoder) memoMember(p *plan, obj unsafe.Pointer, i int) int {
	m := &d.st.memos[p.memo]
	if m.obj == obj && hasPrefix(d.data[i:], unsafeString(m.raw)) {
		return i + len(m.raw) // a complete object: it ends where raw does
	}
	*m = objMemo{}
	j := d.member(p, obj, i)
	if j < 0 {
		return -1
	}
	raw := bytes.Clone(d.data[i:j])
	own := fdecoder{data: raw, st: d.st}
	if own.member(p, obj, 0) != len(raw) {
		return -1
	}
	*m = objMemo{obj: obj, raw: raw}
	return j
}

// skipWS returns the index of the first byte at or after i that is not
// JSON whitespace.
func skipWS(b []byte, i int) int {
	for i < len(b) && b[i] <= ' ' && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// plainString returns the index just past a string at b[i] whose bytes
// all stand for themselves (see plainPrefix), or i when there is no such
// string there.
func plainString(b []byte, i int) int {
	if i >= len(b) || b[i] != '"' {
		return i
	}
	j := i + 1
	for j+8 <= len(b) {
		if m := specialBytes(binary.LittleEndian.Uint64(b[j:])); m != 0 {
			j += bits.TrailingZeros64(m) / 8
			break
		}
		j += 8
	}
	for j < len(b) && plainByte(b[j]) {
		j++
	}
	if j < len(b) && b[j] == '"' {
		return j + 1
	}
	return i
}

// array decodes the JSON array at b[i] ('[') into the slice of plan p
// at ptr and returns the index after it, or -1. Elements reuse the
// slice's capacity.
func (d *fdecoder) array(p *plan, ptr unsafe.Pointer, i int) int {
	b := d.data
	i++
	h := (*sliceHeader)(ptr)
	h.len = 0
	if i = skipWS(b, i); i < len(b) && b[i] == ']' {
		if h.data == nil && h.cap == 0 { // encoding/json makes an empty, non-nil slice
			reflect.NewAt(p.t, ptr).Elem().Set(reflect.MakeSlice(p.t, 0, 0))
		}
		return i + 1
	}
	e := p.elem
	for {
		if h.len == h.cap {
			reflect.NewAt(p.t, ptr).Elem().Grow(1)
		}
		h.len++
		ep := unsafe.Add(h.data, uintptr(h.len-1)*e.size)
		if uint(i) >= uint(len(b)) {
			return -1
		}
		if b[i] <= ' ' {
			if i = skipWS(b, i); i >= len(b) {
				return -1
			}
		}
		if e.kind == pStruct { // lines, parties, ids: straight to object
			i = d.object(e, ep, i)
		} else {
			i = d.member(e, ep, i)
		}
		if uint(i) >= uint(len(b)) { // -1 too
			return -1
		}
		c := b[i]
		if c <= ' ' {
			if i = skipWS(b, i); i >= len(b) {
				return -1
			}
			c = b[i]
		}
		switch c {
		case ',':
			i++
		case ']':
			return i + 1
		default:
			return -1
		}
	}
}

func (d *fdecoder) integer(p *plan, ptr unsafe.Pointer) bool {
	start := d.i
	if d.data[d.i] == '-' {
		d.i++
	}
	ds := d.i
	for d.i < len(d.data) && d.data[d.i] >= '0' && d.data[d.i] <= '9' {
		d.i++
	}
	if d.i == ds || (d.data[ds] == '0' && d.i-ds > 1) || !d.delim() {
		return false // not a JSON integer (fractions and exponents fail in encoding/json too, but leave that to it)
	}
	n, err := strconv.ParseInt(unsafeString(d.data[start:d.i]), 10, p.bits)
	if err != nil {
		return false
	}
	switch p.bits {
	case 8:
		*(*int8)(ptr) = int8(n)
	case 16:
		*(*int16)(ptr) = int16(n)
	case 32:
		*(*int32)(ptr) = int32(n)
	default:
		*(*int64)(ptr) = n
	}
	return true
}

// str reads a JSON string at d.i (a '"'). Plain strings share d.data;
// strings with escapes or non-ASCII bytes are decoded by encoding/json.
func (d *fdecoder) str() (string, bool) {
	if j := plainString(d.data, d.i); j > d.i {
		s := unsafeString(d.data[d.i+1 : j-1])
		d.i = j
		return s, true
	}
	raw, ok := d.skipString()
	if !ok {
		return "", false
	}
	body := raw[1 : len(raw)-1]
	if bytes.IndexByte(body, '\\') < 0 && utf8.Valid(body) {
		for _, c := range body {
			if c < 0x20 {
				return "", false
			}
		}
		return unsafeString(body), true
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// plainPrefix returns how many leading bytes of b stand for themselves
// in a JSON string: none is '"', '\\', a control byte or non-ASCII. It
// looks at eight bytes at a time.
func plainPrefix(b []byte) int {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		if m := specialBytes(binary.LittleEndian.Uint64(b[i:])); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for i < len(b) && plainByte(b[i]) {
		i++
	}
	return i
}

func plainByte(c byte) bool { return c != '"' && c != '\\' && c >= 0x20 && c < 0x80 }

// specialBytes sets the high bit of every byte of w (eight bytes read
// little-endian) that is '"', '\\', below 0x20 or above 0x7f. Bytes
// above the first such byte may be flagged wrongly (a subtraction's
// borrow), the first one never is, which is all plainPrefix needs. A
// byte above 0x7f flags itself through w; so no lane needs masking with
// its complement, as the textbook has-zero-byte test does.
func specialBytes(w uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	q := w ^ (ones * '"')
	bs := w ^ (ones * '\\')
	return ((q - ones) | (bs - ones) | (w - ones*0x20) | w) & highs
}

// decimal reads a Decimal at d.i as Decimal.UnmarshalJSON does: a JSON
// number, or a string holding one. A plain number is read in place (see
// plainDecimal); anything else goes through parseDecimal, which also
// takes the rarer numbers whose significant digits alone fit.
func (d *fdecoder) decimal() (Decimal, bool) {
	if v, j := plainDecimal(d.data, d.i); j >= 0 {
		d.i = j
		return v, true
	}
	return d.slowDecimal()
}

// plainDecimal reads the JSON number at b[i] when it has no exponent and
// at most MaxDecimalDigits digits in all, leading zeros included (so the
// mantissa cannot overflow), and is followed by the end of the data or
// by what may follow a value. It returns the index after it, or -1 for
// anything else.
func plainDecimal(b []byte, i int) (Decimal, int) {
	neg := i < len(b) && b[i] == '-'
	if neg {
		i++
	}
	var mant uint64
	start := i
	for i < len(b) {
		c := b[i] - '0'
		if c > 9 {
			break
		}
		mant = mant*10 + uint64(c)
		i++
	}
	intDigits := i - start
	if intDigits == 0 || (intDigits > 1 && b[start] == '0') {
		return Decimal{}, -1 // not a JSON number, or a leading zero
	}
	scale := 0
	if i < len(b) && b[i] == '.' {
		i++
		s := i
		for i < len(b) {
			c := b[i] - '0'
			if c > 9 {
				break
			}
			mant = mant*10 + uint64(c)
			i++
		}
		if scale = i - s; scale == 0 {
			return Decimal{}, -1
		}
	}
	if intDigits+scale > MaxDecimalDigits {
		return Decimal{}, -1
	}
	if i < len(b) {
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
		default:
			return Decimal{}, -1 // an exponent, or not a number
		}
	}
	m := int64(mant)
	if neg {
		m = -m
	}
	return Decimal{mant: m, scale: uint8(scale)}, i
}

// slowDecimal is decimal for what it does not read in place.
func (d *fdecoder) slowDecimal() (Decimal, bool) {
	raw, ok := d.skip()
	if !ok {
		return Decimal{}, false
	}
	if len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"' {
		raw = raw[1 : len(raw)-1]
	}
	v, err := parseDecimal(unsafeString(raw), '.', true)
	return v, err == nil
}

// skipString skips a string at d.i, returning it with its quotes.
func (d *fdecoder) skipString() ([]byte, bool) {
	start := d.i
	j := d.i + 1
	for j < len(d.data) {
		switch c := d.data[j]; {
		case c == '"':
			d.i = j + 1
			return d.data[start:d.i], true
		case c == '\\':
			j += 2
		case c < 0x20:
			return nil, false
		default:
			j++
		}
	}
	return nil, false
}

// skip skips one JSON value, checking its syntax, and returns its bytes.
func (d *fdecoder) skip() ([]byte, bool) {
	d.ws()
	if d.i >= len(d.data) {
		return nil, false
	}
	start := d.i
	switch c := d.data[d.i]; {
	case c == '"':
		return d.skipString()
	case c == '-' || (c >= '0' && c <= '9'):
		if !d.number() {
			return nil, false
		}
		return d.data[start:d.i], true
	}
	return nil, false // literals, objects and arrays: no canonical leaf takes them
}

// number skips a JSON number, strictly by the grammar.
func (d *fdecoder) number() bool {
	b := d.data
	i := d.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		s := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == s {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		s := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == s {
			return false
		}
	}
	d.i = i
	return d.delim()
}

func plainASCII(b []byte) bool {
	for _, c := range b {
		if c == '"' || c == '\\' || c < 0x20 || c >= 0x80 {
			return false
		}
	}
	return true
}

// quickDate reads a plain "YYYY-MM-DD" that names a real day (what
// ParseDate accepts, for years 1..9999); anything else goes through
// Date.UnmarshalJSON.
func quickDate(raw []byte) (Date, bool) {
	if len(raw) != 12 || raw[0] != '"' || raw[11] != '"' || raw[5] != '-' || raw[8] != '-' {
		return Date{}, false
	}
	var bad byte // any byte outside '0'..'9' sets a high bit here
	for _, c := range [...]byte{raw[1], raw[2], raw[3], raw[4], raw[6], raw[7], raw[9], raw[10]} {
		bad |= (c - '0') | (c + (0x7f - '9'))
	}
	if bad&0x80 != 0 {
		return Date{}, false
	}
	y := int(raw[1]-'0')*1000 + int(raw[2]-'0')*100 + int(raw[3]-'0')*10 + int(raw[4]-'0')
	m := int(raw[6]-'0')*10 + int(raw[7]-'0')
	dd := int(raw[9]-'0')*10 + int(raw[10]-'0')
	if y < 1 || m < 1 || m > 12 || dd < 1 || dd > daysIn(m, y) {
		return Date{}, false
	}
	return Date{Year: y, Month: time.Month(m), Day: dd}, true
}

func daysIn(m, y int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
