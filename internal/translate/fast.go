package translate

import (
	"bytes"
	"strconv"

	"github.com/b2bgw/b2bgw/internal/canonical"
	"github.com/b2bgw/b2bgw/internal/doctree"
	"github.com/b2bgw/b2bgw/internal/jsonenc"
	"github.com/b2bgw/b2bgw/internal/mapping"
	"github.com/b2bgw/b2bgw/internal/x12"
)

// worker is one translating goroutine's scratch: the mapping output
// buffer and the meta of the last interchange and group seen, as JSON.
type worker struct {
	room room          // the document's JSON put together in place
	tree *doctree.Tree // the set's tree, rebuilt in place for each set

	// placed is where validating the set put its segments in the spec's
	// loops: the tree takes them from there instead of walking again.
	placed x12.Placement

	// partner is t.partner for the interchange partnerIC (a file's sets
	// share one: no string is built per set).
	partnerIC *x12.Interchange
	partner   string

	key  metaKey
	m    *mapping.Mapping
	head []byte // {"kind":…,"partner_id":… [,"test":true]   (no closing brace)
	src  []byte // {"standard":"x12","file":{…},"interchange":{…},"group":{…}   (no closing brace)
}

// metaKey is everything meta depends on except the set itself.
type metaKey struct {
	partner                      string
	hasIC                        bool
	sq, sid, rq, rid, ctl, d, tm string
	test                         bool
	hasG                         bool
	fid, gs, gr, gctl, gver      string
}

func keyOf(partner string, set *x12.Set) metaKey {
	k := metaKey{partner: partner}
	if ic := set.Interchange; ic != nil {
		k.hasIC = true
		k.sq, k.sid, k.rq, k.rid, k.ctl, k.d, k.tm = ic.SenderQualifier, ic.SenderID, ic.ReceiverQualifier, ic.ReceiverID, ic.Control, ic.Date, ic.Time
		k.test = ic.Test()
	}
	if g := set.Group; g != nil {
		k.hasG = true
		k.fid, k.gs, k.gr, k.gctl, k.gver = g.FunctionalID, g.AppSender, g.AppReceiver, g.Control, g.Version
	}
	return k
}

// metaParts returns the constant parts of meta for set, built with the
// same code as meta (so byte for byte the same JSON) once per interchange
// and group.
func (w *worker) metaParts(t *Translator, m *mapping.Mapping, partner string, src fileSource, set *x12.Set, index int) (head, source []byte) {
	k := keyOf(partner, set)
	if w.head != nil && w.m == m && w.key == k {
		return w.head, w.src
	}
	ms := t.meta(m, partner, src, set, index)
	n := len(ms) - 1 // source is last; its last member is set
	w.head = bytes.TrimSuffix(mapping.Obj(ms[:n]...).AppendJSON(nil), []byte("}"))
	srcMembers := ms[n].Value.Members()
	w.src = bytes.TrimSuffix(mapping.Obj(srcMembers[:len(srcMembers)-1]...).AppendJSON(nil), []byte("}"))
	w.key, w.m = k, m
	return w.head, w.src
}

// appendSetRef appends the meta.source.set object, as meta writes it: id,
// version and control_number when not empty, and index.
func appendSetRef(b []byte, id, version, control string, index int) []byte {
	b = append(b, '{')
	first := true
	for _, f := range [3][2]string{{"id", id}, {"version", version}, {"control_number", control}} {
		if f[1] == "" {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = jsonenc.AppendStr(b, f[0])
		b = append(b, ':')
		b = jsonenc.AppendStr(b, f[1])
	}
	if !first {
		b = append(b, ',')
	}
	b = append(b, `"index":`...)
	b = strconv.AppendInt(b, int64(index), 10)
	return append(b, '}')
}

// finishFast is finish for an X12 set without --trace: the mapping writes
// JSON directly, meta is spliced in from per-interchange parts and the
// canonical check runs on the bytes. It handles the common case only and
// reports false — having changed nothing — for anything else (a field
// error, a mapping that writes meta or a non-object, a document number
// with escapes, an invalid document): finish then does it the long way,
// with the same messages as always.
func (t *Translator) finishFast(w *worker, res *Result, m *mapping.Mapping, tree mapping.Tree, partner string, src fileSource, set *x12.Set, index int) bool {
	kind := kindOf(m.Target)
	r := &w.room
	out, members, number, ok := t.mapFast(r, m, tree, kind)
	if !ok {
		return false
	}
	head, source := w.metaParts(t, m, partner, src, set, index)
	pre := appendMetaHead(r.pre[:0], head, number, source)
	pre = appendSetRef(pre, set.ID, set.Version(), set.Control, index)
	return t.sealFast(res, r, out, pre, kind, number, len(members) > 0)
}

// mapFast maps tree into r's room, after the room kept for meta, and
// finds the object's members and document number; ok is false, with the
// buffer given back, when the fast path does not apply (kind, a field
// error, a mapping that writes meta or a non-object).
func (t *Translator) mapFast(r *room, m *mapping.Mapping, tree mapping.Tree, kind canonical.DocumentKind) (out, members, number []byte, ok bool) {
	if kind == "" || kind == canonical.KindCatalogItem {
		return nil, nil, nil, false
	}
	out, err := t.mapAfterMeta(r, m, tree)
	if err != nil {
		t.giveBack(out)
		return nil, nil, nil, false
	}
	members, number, ok = topLevel(out[r.reserve:], numberField[kind], m.HasField("meta"))
	if !ok {
		t.giveBack(out)
		return nil, nil, nil, false
	}
	return out, members, number, true
}

// sealFast closes meta (pre, its head and set written), puts it in front
// of the mapped object out and checks the document: res gets it when it
// is valid, the buffer goes back when it is not.
func (t *Translator) sealFast(res *Result, r *room, out, pre []byte, kind canonical.DocumentKind, number []byte, members bool) bool {
	r.pre = closeMeta(pre, members)
	doc, base := t.withMeta(r, out)
	if canonical.Check(kind, doc) != nil {
		t.giveBack(base)
		return false
	}
	res.Kind = kind
	res.Number = jsonText(number)
	res.JSON, res.buf = doc, base
	return true
}

// room puts a document's JSON together where it is written: the mapping
// writes its object into the output buffer after room left for meta, and
// meta goes in front of the object's first member. The mapping's output,
// most of the document, is never copied.
type room struct {
	pre     []byte // this document's meta as JSON, to the object's first member
	reserve int    // bytes left before the mapping's output: the longest meta yet and some
	size    int    // the last object's size: the next buffer's
}

// roomSlack is what reserve leaves beyond the longest meta seen: meta
// grows with the document number and the set's index.
const roomSlack = 64

// mapAfterMeta maps a document into a new output buffer after
// r.reserve bytes: its object is out[r.reserve:]. (A worker's first
// document leaves no room: withMeta copies it, and learns how much meta
// needs.)
func (t *Translator) mapAfterMeta(r *room, m *mapping.Mapping, tree mapping.Tree) (out []byte, err error) {
	buf := t.outBuf(r.reserve + r.size)
	return m.TranslateJSON(tree, buf[:r.reserve])
}

// withMeta returns the document: r.pre followed by the mapping's object
// out[r.reserve:] without its '{' (r.pre ends with the ',' before the
// first member, or the object is "{}" and its '}' closes the document).
// r.pre goes into the room before the object, or, when it does not fit,
// both are copied into a buffer of their own. base is the buffer doc is
// in, from its start: what outBuf reuses.
func (t *Translator) withMeta(r *room, out []byte) (doc, base []byte) {
	obj := out[r.reserve+1:]
	if start := r.reserve + 1 - len(r.pre); start >= 0 {
		copy(out[start:], r.pre)
		doc, base = out[start:], out
	} else {
		doc = append(append(t.outBuf(len(r.pre)+len(obj)), r.pre...), obj...)
		base = doc
	}
	if need := len(r.pre) + roomSlack; need > r.reserve {
		r.reserve = need
	}
	r.size = len(obj)
	return doc, base
}

// appendMetaHead appends the start of a document and its meta, up to the
// set's reference: {"meta":head[,"document_number":number],"source":source,"set":
// (head and source are open objects: their closing braces follow later).
func appendMetaHead(b, head, number, source []byte) []byte {
	b = append(b, `{"meta":`...)
	b = append(b, head...)
	if len(number) > 0 {
		b = append(b, `,"document_number":`...)
		if number[0] != '"' { // meta holds the number's text as a string
			b = append(b, '"')
			b = append(b, number...)
			b = append(b, '"')
		} else {
			b = append(b, number...) // a JSON string without escapes: its text is itself
		}
	}
	b = append(b, `,"source":`...)
	b = append(b, source...)
	return append(b, `,"set":`...)
}

// closeMeta closes source and meta after the set's reference, with the
// ',' before the mapping's first member when it has members.
func closeMeta(b []byte, members bool) []byte {
	b = append(b, "}}"...)
	if members {
		b = append(b, ',')
	}
	return b
}

// jsonText is Value.Text of a plain JSON string or number.
func jsonText(b []byte) string {
	if len(b) >= 2 && b[0] == '"' {
		return string(b[1 : len(b)-1])
	}
	return string(b)
}

// topLevel reads the object the mapping wrote: its members (the bytes
// between the braces) and the JSON of the member named field, the
// document number, as it goes into meta ("" when absent). ok is false
// when the object has a meta member, the number is not a plain string or
// number (escapes: its text would differ from its JSON), or b is not an
// object.
//
// With whole false the caller knows the object has no meta member (the
// mapping has no such field), so reading stops at the number: the rest of
// the document need not be scanned.
func topLevel(b []byte, field string, whole bool) (members, number []byte, ok bool) {
	if len(b) < 2 || b[0] != '{' || b[len(b)-1] != '}' {
		return nil, nil, false
	}
	i := 1
	if b[i] == '}' {
		return nil, nil, i == len(b)-1
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return nil, nil, false
		}
		ks := i + 1
		ke := skipString(b, i)
		if ke < 0 || ke >= len(b) || b[ke] != ':' {
			return nil, nil, false
		}
		key := b[ks : ke-1]
		vs := ke + 1
		ve := skipValue(b, vs)
		if ve < 0 || ve >= len(b) {
			return nil, nil, false
		}
		switch string(key) {
		case "meta":
			return nil, nil, false
		case field:
			v := b[vs:ve]
			if bytes.IndexByte(v, '\\') >= 0 {
				return nil, nil, false
			}
			switch {
			case v[0] == '"' || (v[0] >= '0' && v[0] <= '9') || v[0] == '-':
				if len(v) == 2 && v[0] == '"' {
					v = nil // "": no number
				}
				number = v
			default:
				return nil, nil, false // true/false/objects: leave to finish
			}
			if !whole {
				return b[1 : len(b)-1], number, true
			}
		}
		i = ve
		switch b[i] {
		case ',':
			i++
		case '}':
			if i != len(b)-1 {
				return nil, nil, false
			}
			return b[1 : len(b)-1], number, true
		default:
			return nil, nil, false
		}
	}
}

// skipString returns the index after the string starting at b[i] ('"'),
// or -1.
func skipString(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return -1
}

// skipValue returns the index after the compact JSON value at b[i], or -1.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				j = skipString(b, j)
				if j < 0 {
					return -1
				}
				j--
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' {
		j++
	}
	if j == i {
		return -1
	}
	return j
}
