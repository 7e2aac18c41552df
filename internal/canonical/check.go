package canonical

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
	"unsafe"
)

// Check reports whether data, the compact JSON of a document of kind k, is
// a valid canonical document. It returns nil, or exactly the error the
// strict path gives (DecodeStrict followed by Validate): a
// *ValidationError listing every problem with its path, or the decoding
// error.
//
// The strict path decodes with encoding/json and validates with messages;
// Check first runs a fast checker that decodes into the canonical types
// with a single-pass tokenizer (strings share data's bytes, nothing is
// copied) and applies the same rules without building messages. Only when
// the fast checker cannot prove the document valid — it is invalid, or it
// uses JSON the fast checker does not handle (escapes in keys, null,
// duplicate or case-folded keys, …) — does Check run the strict path, so
// a rejected document gets the very same problems as before.
func Check(k DocumentKind, data []byte) error {
	if fastValid(k, data) {
		return nil
	}
	return checkStrict(k, data)
}

// checkStrict is the reference: strict decoding into the canonical type
// (unknown fields refused; meta.kind and schema_version preset as New
// does) and Validate.
func checkStrict(k DocumentKind, data []byte) error {
	d := New(k)
	if d == nil {
		return fmt.Errorf("canonical: decode: unknown meta.kind %q", k)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(d); err != nil {
		return fmt.Errorf("canonical: decode %s: %w", k, err)
	}
	return d.Validate()
}

// fastValid is true only when data certainly decodes (as checkStrict
// decodes it) into a document that validates.
func fastValid(k DocumentKind, data []byte) bool {
	pool := statePool(k)
	if pool == nil {
		return false
	}
	st, _ := pool.Get().(*fstate)
	if st == nil {
		d := New(k)
		rv := reflect.ValueOf(d)
		st = &fstate{doc: d, p: planOf(rv.Type().Elem()), ptr: rv.UnsafePointer()}
	}
	ok := st.decode(k, data) && fastValidate(st.doc)
	st.reset(st.p, st.ptr)
	pool.Put(st)
	return ok
}

// fstate is a reusable decoding target: a document whose memory (slices'
// backing arrays, pointed-to structs) serves the next document. Between
// documents it is reset to the zero document but for empty slices that
// keep their capacity, which no rule tells from nil ones.
type fstate struct {
	doc    Document
	p      *plan
	ptr    unsafe.Pointer
	spares [][]unsafe.Pointer // by plan id: reset objects for pointers
}

var statePools [6]sync.Pool

func statePool(k DocumentKind) *sync.Pool {
	for i, dk := range documentKinds {
		if dk == k {
			return &statePools[i]
		}
	}
	return nil
}

func (st *fstate) decode(k DocumentKind, data []byte) bool {
	m := st.doc.DocMeta()
	m.Kind, m.SchemaVersion = k, SchemaVersion
	dec := fdecoder{data: data, st: st}
	if !dec.value(st.p, st.ptr) {
		return false
	}
	dec.ws()
	return dec.i == len(data)
}

// newObj returns a zero object of plan p's type, a spare when there is one.
func (st *fstate) newObj(p *plan) unsafe.Pointer {
	if st != nil && p.id < len(st.spares) {
		if s := st.spares[p.id]; len(s) > 0 {
			o := s[len(s)-1]
			st.spares[p.id] = s[:len(s)-1]
			return o
		}
	}
	return reflect.New(p.t).UnsafePointer()
}

// reset zeroes the object at ptr, keeping slice capacity and stashing
// pointed-to objects as spares.
func (st *fstate) reset(p *plan, ptr unsafe.Pointer) {
	switch p.kind {
	case pString:
		*(*string)(ptr) = ""
	case pBool:
		*(*bool)(ptr) = false
	case pInt:
		switch p.bits {
		case 8:
			*(*int8)(ptr) = 0
		case 16:
			*(*int16)(ptr) = 0
		case 32:
			*(*int32)(ptr) = 0
		default:
			*(*int64)(ptr) = 0
		}
	case pDecimal:
		*(*Decimal)(ptr) = Decimal{}
	case pDate:
		*(*Date)(ptr) = Date{}
	case pDateTime:
		*(*DateTime)(ptr) = DateTime{}
	case pStruct:
		for _, f := range p.fieldList {
			st.reset(f.p, unsafe.Add(ptr, f.off))
		}
	case pPtr:
		pp := (*unsafe.Pointer)(ptr)
		if o := *pp; o != nil {
			st.reset(p.elem, o)
			*pp = nil
			for len(st.spares) <= p.elem.id {
				st.spares = append(st.spares, nil)
			}
			st.spares[p.elem.id] = append(st.spares[p.elem.id], o)
		}
	case pSlice:
		h := (*sliceHeader)(ptr)
		for i := range h.len {
			st.reset(p.elem, unsafe.Add(h.data, uintptr(i)*p.elem.size))
		}
		h.len = 0
	default:
		reflect.NewAt(p.t, ptr).Elem().SetZero()
	}
}

// fastValidate is Validate() == nil, without messages where a
// message-free version exists.
func fastValidate(d Document) bool {
	switch d := d.(type) {
	case *Order:
		return orderOK(d)
	}
	return d.Validate() == nil
}

// fastDecode decodes data into a new document of kind k the way
// encoding/json with DisallowUnknownFields does, or reports false when it
// cannot be sure it would (the caller then uses encoding/json). Strings in
// the result share data's memory.
func fastDecode(k DocumentKind, data []byte) (Document, bool) {
	d := New(k)
	if d == nil {
		return nil, false
	}
	rv := reflect.ValueOf(d)
	p := planOf(rv.Type().Elem())
	dec := fdecoder{data: data}
	if !dec.value(p, rv.UnsafePointer()) {
		return nil, false
	}
	dec.ws()
	if dec.i != len(data) {
		return nil, false
	}
	return d, true
}

// ---- plans: what a Go type accepts, compiled once from reflection ----

type pkind uint8

const (
	pBad pkind = iota // anything the fast decoder leaves to encoding/json
	pString
	pBool
	pInt
	pStruct
	pPtr
	pSlice
	pDecimal
	pDate
	pDateTime
	pUnmarshaler
)

type plan struct {
	kind   pkind
	t      reflect.Type
	size   uintptr
	bits   int   // pInt
	elem   *plan // pPtr, pSlice
	fields map[string]*fieldPlan
	// fieldList is fields in declaration order; id numbers the plan.
	fieldList []*fieldPlan
	id        int
}

type fieldPlan struct {
	off uintptr
	bit uint64
	p   *plan
}

var (
	plansMu   sync.Mutex
	plans     sync.Map // reflect.Type -> *plan
	planCount int      // under plansMu

	unmarshalerType     = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	decimalType         = reflect.TypeFor[Decimal]()
	dateType            = reflect.TypeFor[Date]()
	dateTimeType        = reflect.TypeFor[DateTime]()
)

func planOf(t reflect.Type) *plan {
	if p, ok := plans.Load(t); ok {
		return p.(*plan)
	}
	plansMu.Lock()
	defer plansMu.Unlock()
	building := map[reflect.Type]*plan{}
	p := buildPlan(t, building)
	for bt, bp := range building {
		plans.Store(bt, bp)
	}
	return p
}

func buildPlan(t reflect.Type, building map[reflect.Type]*plan) *plan {
	if p, ok := plans.Load(t); ok {
		return p.(*plan)
	}
	if p, ok := building[t]; ok {
		return p
	}
	p := &plan{t: t, size: t.Size(), id: planCount}
	planCount++
	building[t] = p
	switch {
	case t == decimalType:
		p.kind = pDecimal
		return p
	case t == dateType:
		p.kind = pDate
		return p
	case t == dateTimeType:
		p.kind = pDateTime
		return p
	case t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(unmarshalerType):
		p.kind = pUnmarshaler
		return p
	case t.Kind() != reflect.Pointer && (t.Implements(unmarshalerType) || reflect.PointerTo(t).Implements(textUnmarshalerType)):
		return p // pBad
	}
	switch t.Kind() {
	case reflect.String:
		p.kind = pString
	case reflect.Bool:
		p.kind = pBool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		p.kind, p.bits = pInt, t.Bits()
	case reflect.Pointer:
		p.kind, p.elem = pPtr, buildPlan(t.Elem(), building)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return p // []byte is base64 in encoding/json
		}
		p.kind, p.elem = pSlice, buildPlan(t.Elem(), building)
	case reflect.Struct:
		if t.NumField() > 64 {
			return p
		}
		fields := map[string]*fieldPlan{}
		for i := range t.NumField() {
			f := t.Field(i)
			if f.Anonymous {
				return p // embedded fields: promotion rules are encoding/json's business
			}
			if !f.IsExported() {
				continue
			}
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := cutComma(tag)
			if name == "" {
				name = f.Name
			}
			if hasOpt(opts, "string") {
				return p
			}
			if _, dup := fields[name]; dup {
				return p
			}
			fp := &fieldPlan{off: f.Offset, bit: 1 << uint(i), p: buildPlan(f.Type, building)}
			fields[name] = fp
			p.fieldList = append(p.fieldList, fp)
		}
		p.kind, p.fields = pStruct, fields
	}
	return p
}

func cutComma(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == ',' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

func hasOpt(opts, o string) bool {
	for opts != "" {
		var cur string
		cur, opts, _ = cutComma(opts)
		if cur == o {
			return true
		}
	}
	return false
}

// ---- the decoder ----

type fdecoder struct {
	data []byte
	i    int
	st   *fstate // nil: allocate everything afresh
}

type sliceHeader struct {
	data     unsafe.Pointer
	len, cap int
}

func (d *fdecoder) ws() {
	if d.i < len(d.data) && d.data[d.i] > ' ' {
		return
	}
	for d.i < len(d.data) {
		switch d.data[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func unsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
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
		return d.object(p, ptr)
	case pPtr:
		pp := (*unsafe.Pointer)(ptr)
		if *pp == nil {
			*pp = d.st.newObj(p.elem)
		}
		return d.value(p.elem, *pp)
	case pSlice:
		return d.array(p, ptr)
	case pDecimal:
		raw, ok := d.skip()
		if !ok {
			return false
		}
		if len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"' {
			raw = raw[1 : len(raw)-1]
		}
		v, err := parseDecimal(unsafeString(raw), '.', true)
		if err != nil {
			return false
		}
		*(*Decimal)(ptr) = v
		return true
	case pDate:
		raw, ok := d.skip()
		if !ok {
			return false
		}
		if dt, ok := quickDate(raw); ok {
			*(*Date)(ptr) = dt
			return true
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

func (d *fdecoder) object(p *plan, ptr unsafe.Pointer) bool {
	if d.data[d.i] != '{' {
		return false
	}
	d.i++
	var seen uint64
	d.ws()
	if d.i < len(d.data) && d.data[d.i] == '}' {
		d.i++
		return true
	}
	for {
		d.ws()
		if d.i >= len(d.data) || d.data[d.i] != '"' {
			return false
		}
		start := d.i + 1
		j := start
		for j < len(d.data) && d.data[j] != '"' && d.data[j] != '\\' && d.data[j] >= 0x20 && d.data[j] < 0x80 {
			j++
		}
		if j >= len(d.data) || d.data[j] != '"' {
			return false // escaped or non-ASCII key
		}
		f := p.fields[unsafeString(d.data[start:j])]
		if f == nil || seen&f.bit != 0 {
			return false // unknown (or only case-folded), or a duplicate
		}
		seen |= f.bit
		d.i = j + 1
		d.ws()
		if d.i >= len(d.data) || d.data[d.i] != ':' {
			return false
		}
		d.i++
		if !d.value(f.p, unsafe.Add(ptr, f.off)) {
			return false
		}
		d.ws()
		if d.i >= len(d.data) {
			return false
		}
		switch d.data[d.i] {
		case ',':
			d.i++
		case '}':
			d.i++
			return true
		default:
			return false
		}
	}
}

func (d *fdecoder) array(p *plan, ptr unsafe.Pointer) bool {
	if d.data[d.i] != '[' {
		return false
	}
	d.i++
	h := (*sliceHeader)(ptr)
	h.len = 0
	d.ws()
	if d.i < len(d.data) && d.data[d.i] == ']' {
		d.i++
		if h.data == nil && h.cap == 0 { // encoding/json makes an empty, non-nil slice
			reflect.NewAt(p.t, ptr).Elem().Set(reflect.MakeSlice(p.t, 0, 0))
		}
		return true
	}
	es := p.elem.size
	for {
		if h.len == h.cap {
			reflect.NewAt(p.t, ptr).Elem().Grow(1)
		}
		h.len++
		if !d.value(p.elem, unsafe.Add(h.data, uintptr(h.len-1)*es)) {
			return false
		}
		d.ws()
		if d.i >= len(d.data) {
			return false
		}
		switch d.data[d.i] {
		case ',':
			d.i++
		case ']':
			d.i++
			return true
		default:
			return false
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
	start := d.i + 1
	j := start
	for j < len(d.data) {
		c := d.data[j]
		if c == '"' {
			d.i = j + 1
			return unsafeString(d.data[start:j]), true
		}
		if c == '\\' || c < 0x20 || c >= 0x80 {
			break
		}
		j++
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
	num := func(b []byte) (int, bool) {
		n := 0
		for _, c := range b {
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	y, ok1 := num(raw[1:5])
	m, ok2 := num(raw[6:8])
	dd, ok3 := num(raw[9:11])
	if !ok1 || !ok2 || !ok3 || y < 1 || m < 1 || m > 12 || dd < 1 || dd > daysIn(m, y) {
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
