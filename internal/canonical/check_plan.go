package canonical

// Plans: what a Go type accepts, compiled once from reflection, for the
// fast decoder.

import (
	"encoding"
	"encoding/binary"
	"encoding/json"
	"math/bits"
	"reflect"
	"sync"
)

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
	kind pkind
	t    reflect.Type
	size uintptr
	bits int   // pInt
	elem *plan // pPtr, pSlice
	id   int   // numbers the plan, for fstate.spares

	// pStruct: the fields in declaration order, field i with bit 1<<i;
	// all has every field's bit.
	fieldList []fieldPlan
	all       uint64
	// offs are the fields' offsets, in an array that clearFields indexes
	// by a bit number masked to 0..63, without a bounds check; strings,
	// slices, dates and ptrs are the bits of the fields of those kinds,
	// others of the rest, none of them preset ones (for clearFields).
	offs                                 *[64]uintptr
	strings, slices, dates, ptrs, others uint64
	// byName finds a field by its JSON name: a perfect hash of the names
	// (see keyHash) when one was found, else the map.
	byName    []*fieldPlan
	hashMul   uint64
	hashShift uint8
	fields    map[string]*fieldPlan
	// memo, when not 0, is the struct's slot in fstate.memos: one of the
	// envelope references every document of an interchange repeats.
	memo int
}

// fieldPlan is one field of a struct plan, in 64 bytes: the key words
// expect compares first, then what decoding the value needs.
type fieldPlan struct {
	keyHead
	p     *plan
	off   uint32
	index uint8 // in plan.fieldList; the field's bit is 1<<index
	kind  pkind // p.kind
	// preset marks Meta.Kind and Meta.SchemaVersion, which New fills in
	// before decoding and encoding/json leaves alone when the JSON does
	// not have them.
	preset bool
	// decPtr marks a *Decimal (unit prices): object reads a plain number
	// into the Decimal it already points to, without member's calls.
	decPtr bool
}

func (f *fieldPlan) name() string { return f.quoted[:len(f.quoted)-2] }

func (f *fieldPlan) bit() uint64 { return 1 << f.index }

// field returns the field named key, or nil. Names are plain ASCII, so
// a key with escapes, control or non-ASCII bytes never matches.
func (p *plan) field(key []byte) *fieldPlan {
	if p.byName == nil {
		return p.fields[unsafeString(key)]
	}
	if len(key) == 0 {
		return nil
	}
	f := p.byName[keyHash(key, p.hashMul, p.hashShift)]
	if f == nil || f.name() != unsafeString(key) {
		return nil
	}
	return f
}

// expect returns the field whose name, with its closing quote and the
// colon, rest starts with, trying the fields in declaration order from
// next: the documents encoding/json and the mappings write keep that
// order (with fields left out) and put no space before the colon, so
// this finds a key and passes its colon without scanning it for its end
// or hashing it. nil: look the key up by name.
func (p *plan) expect(rest []byte, next int) *fieldPlan {
	if len(rest) < 16 {
		for i := next; i < len(p.fieldList); i++ {
			if f := &p.fieldList[i]; hasPrefix(rest, f.quoted) {
				return f
			}
		}
		return nil
	}
	w0, w1 := binary.LittleEndian.Uint64(rest), binary.LittleEndian.Uint64(rest[8:])
	for i := next; i < len(p.fieldList); i++ {
		f := &p.fieldList[i]
		if w0&f.m0 == f.w0 && w1&f.m1 == f.w1 && (len(f.quoted) <= 16 || hasPrefix(rest[16:], f.quoted[16:])) {
			return f
		}
	}
	return nil
}

// keyHead is a field's name, closing quote and colon (quoted), its
// first sixteen bytes also as two little-endian words masked to its
// length, for expect.
type keyHead struct {
	w0, m0, w1, m1 uint64
	quoted         string
}

func newKeyHead(quoted string) keyHead {
	var b, m [16]byte
	n := copy(b[:], quoted)
	for i := range n {
		m[i] = 0xff
	}
	le := binary.LittleEndian
	return keyHead{w0: le.Uint64(b[:]), m0: le.Uint64(m[:]), w1: le.Uint64(b[8:]), m1: le.Uint64(m[8:]), quoted: quoted}
}

func hasPrefix(b []byte, s string) bool { return len(b) >= len(s) && string(b[:len(s)]) == s }

// keyHash hashes a non-empty key by its length and its first and last
// eight bytes (fewer for short keys), which tell apart the names of each
// canonical struct (quantity_shipped and quantity_ordered differ only
// at the end).
func keyHash(key []byte, mul uint64, shift uint8) uint32 {
	n := len(key)
	var x uint64
	switch {
	case n >= 8:
		x = binary.LittleEndian.Uint64(key) ^ bits.RotateLeft64(binary.LittleEndian.Uint64(key[n-8:]), 31)
	case n >= 4:
		x = uint64(binary.LittleEndian.Uint32(key)) | uint64(binary.LittleEndian.Uint32(key[n-4:]))<<32
	default:
		x = uint64(key[0]) | uint64(key[n/2])<<8 | uint64(key[n-1])<<16
	}
	return uint32(((x + uint64(n)) * mul) >> shift)
}

// perfectHash finds a multiplier and table size under which keyHash gives
// every name its own slot, or reports false.
func perfectHash(fs []*fieldPlan) (table []*fieldPlan, mul uint64, shift uint8, ok bool) {
	if len(fs) == 0 {
		return nil, 0, 0, false
	}
	size := bits.Len(uint(len(fs))) + 1 // at least twice as many slots as names
	for b := size; b <= size+3 && b < 32; b++ {
		shift := uint8(64 - b)
		m := uint64(0x9e3779b97f4a7c15) // golden-ratio steps: deterministic and well mixed
		for range 4096 {
			table := make([]*fieldPlan, 1<<b)
			ok := true
			for _, f := range fs {
				h := keyHash([]byte(f.name()), m, shift)
				if table[h] != nil {
					ok = false
					break
				}
				table[h] = f
			}
			if ok {
				return table, m, shift, true
			}
			m += 0x9e3779b97f4a7c14 // even: m stays odd
		}
	}
	return nil, 0, 0, false
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
	metaType            = reflect.TypeFor[Meta]()

	// memoTypes are the structs that documents of one file, interchange
	// or group repeat byte for byte, by their fstate.memos slot.
	memoTypes = map[reflect.Type]int{reflect.TypeFor[FileRef](): 1, reflect.TypeFor[InterchangeRef](): 2, reflect.TypeFor[GroupRef](): 3}
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
		if t.NumField() > 64 || t.Size() > 1<<32-1 {
			return p // too many fields for the bits of seen, or offsets beyond a uint32
		}
		var list []fieldPlan
		names := map[string]bool{}
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
			if hasOpt(opts, "string") || !plainASCII([]byte(name)) || names[name] {
				return p
			}
			names[name] = true
			list = append(list, fieldPlan{keyHead: newKeyHead(name + `":`), index: uint8(len(list)), off: uint32(f.Offset),
				p: buildPlan(f.Type, building), preset: t == metaType && (name == "kind" || name == "schema_version")})
		}
		p.kind, p.fieldList, p.fields, p.memo = pStruct, list, map[string]*fieldPlan{}, memoTypes[t]
		ptrs := make([]*fieldPlan, len(list))
		p.offs = new([64]uintptr)
		for i := range p.fieldList {
			f := &p.fieldList[i]
			ptrs[i], p.fields[f.name()] = f, f
			p.offs[i] = uintptr(f.off)
			p.all |= f.bit()
			f.decPtr = f.p.kind == pPtr && f.p.elem.kind == pDecimal
			switch f.kind = f.p.kind; {
			case f.preset:
			case f.kind == pString:
				p.strings |= f.bit()
			case f.kind == pSlice:
				p.slices |= f.bit()
			case f.kind == pDate:
				p.dates |= f.bit()
			case f.kind == pPtr:
				p.ptrs |= f.bit()
			default:
				p.others |= f.bit()
			}
		}
		if table, mul, shift, ok := perfectHash(ptrs); ok {
			p.byName, p.hashMul, p.hashShift = table, mul, shift
		}
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
