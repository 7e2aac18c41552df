package canonical

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/bits"
	"reflect"
	"sync"
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
	pool.Put(st)
	return ok
}

// fstate is a reusable decoding target: a document whose memory (slices'
// backing arrays, pointed-to structs) serves the next document.
//
// It is never reset as a whole: decoding an object sets every field of
// it, clearing the fields the JSON leaves out (see clearFields), so a
// decoded document holds nothing of the previous one but the capacity of
// its slices — empty slices that no rule tells from nil ones — whether or
// not the previous decoding failed halfway. Strings of the last document
// share its bytes until the next one is decoded.
type fstate struct {
	doc    Document
	p      *plan
	ptr    unsafe.Pointer
	spares [][]unsafe.Pointer // by plan id: objects that pointers let go of
	memos  [4]objMemo         // by plan.memo
}

// objMemo remembers the object a pointer field of a memo plan holds and
// the JSON it was decoded from, kept in a copy of its own so that its
// strings never change: when the next document has the same bytes for
// the same object, decoding it again would change nothing (see
// fdecoder.memoMember). That holds because only memoMember writes to
// such an object (any other writer forgets it first); a pointer that
// lets go of it leaves it as it is, a spare, until memoMember gets it
// again.
type objMemo struct {
	obj unsafe.Pointer
	raw []byte
}

// forget drops the memo of plan p when it is about obj.
func (st *fstate) forget(p *plan, obj unsafe.Pointer) {
	if st != nil && p.memo != 0 && st.memos[p.memo].obj == obj {
		st.memos[p.memo] = objMemo{}
	}
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

// newObj returns an object of plan p's type for a pointer to hold: a
// spare, whose stale content the decoder overwrites entirely, when there
// is one.
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

// clear sets the value of plan p at ptr to what a document without it
// holds: zero, but for slices, which keep their capacity, and pointers,
// whose object becomes a spare. It does not look inside slice elements
// or spares: whatever uses them again decodes them whole.
func (st *fstate) clear(p *plan, ptr unsafe.Pointer) {
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
		st.clearFields(p, ptr, 0)
	case pPtr:
		pp := (*unsafe.Pointer)(ptr)
		if o := *pp; o != nil {
			*pp = nil
			if st != nil {
				for len(st.spares) <= p.elem.id {
					st.spares = append(st.spares, nil)
				}
				st.spares[p.elem.id] = append(st.spares[p.elem.id], o)
			}
		}
	case pSlice:
		(*sliceHeader)(ptr).len = 0
	default:
		reflect.NewAt(p.t, ptr).Elem().SetZero()
	}
}

// clearFields clears the fields of the struct at ptr that are not in
// seen, but for preset ones (see fieldPlan.preset). The kinds documents
// mostly leave out take a short way, by mask, without clear's dispatch.
func (st *fstate) clearFields(p *plan, ptr unsafe.Pointer, seen uint64) {
	missing := p.all &^ seen
	for m := missing & p.strings; m != 0; m &= m - 1 {
		*(*string)(unsafe.Add(ptr, p.offs[bits.TrailingZeros64(m)&63])) = ""
	}
	for m := missing & p.slices; m != 0; m &= m - 1 {
		(*sliceHeader)(unsafe.Add(ptr, p.offs[bits.TrailingZeros64(m)&63])).len = 0
	}
	for m := missing & p.dates; m != 0; m &= m - 1 {
		*(*Date)(unsafe.Add(ptr, p.offs[bits.TrailingZeros64(m)&63])) = Date{}
	}
	for m := missing & p.ptrs; m != 0; m &= m - 1 {
		if fp := unsafe.Add(ptr, p.offs[bits.TrailingZeros64(m)&63]); *(*unsafe.Pointer)(fp) != nil {
			st.clear(p.fieldList[bits.TrailingZeros64(m)].p, fp)
		}
	}
	for m := missing & p.others; m != 0; m &= m - 1 {
		f := &p.fieldList[bits.TrailingZeros64(m)]
		st.clear(f.p, unsafe.Add(ptr, uintptr(f.off)))
	}
}

// fastValidate is Validate() == nil, without messages where a
// message-free version exists.
func fastValidate(d Document) bool {
	switch d := d.(type) {
	case *Order:
		return orderOK(d)
	case *ShipmentNotice:
		return shipmentOK(d)
	case *WarehouseShippingAdvice:
		return warehouseOK(d)
	case *InventoryAdvice:
		return inventoryOK(d)
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
