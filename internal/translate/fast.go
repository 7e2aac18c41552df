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
	body []byte        // TranslateJSON's output, reused
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

// appendSetRef appends the meta.source.set object, as meta writes it.
func appendSetRef(b []byte, set *x12.Set, index int) []byte {
	b = append(b, '{')
	first := true
	for _, f := range [3][2]string{{"id", set.ID}, {"version", set.Version()}, {"control_number", set.Control}} {
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
	if kind == "" || kind == canonical.KindCatalogItem {
		return false
	}
	body, err := m.TranslateJSON(tree, w.body[:0])
	w.body = body[:0]
	if err != nil {
		return false
	}
	members, number, ok := topLevel(body, numberField[kind], m.HasField("meta"))
	if !ok {
		return false
	}
	head, source := w.metaParts(t, m, partner, src, set, index)

	n := len(`{"meta":`) + len(head) + len(number) + 40 + len(source) + 80 + len(members) + 2
	doc := t.outBuf(n)
	doc = append(doc, `{"meta":`...)
	doc = append(doc, head...)
	if len(number) > 0 {
		doc = append(doc, `,"document_number":`...)
		if number[0] != '"' { // meta holds the number's text as a string
			doc = append(doc, '"')
			doc = append(doc, number...)
			doc = append(doc, '"')
		} else {
			doc = append(doc, number...) // a JSON string without escapes: its text is itself
		}
	}
	doc = append(doc, `,"source":`...)
	doc = append(doc, source...)
	doc = append(doc, `,"set":`...)
	doc = appendSetRef(doc, set, index)
	doc = append(doc, "}}"...)
	if len(members) > 0 {
		doc = append(doc, ',')
		doc = append(doc, members...)
	}
	doc = append(doc, '}')
	if canonical.Check(kind, doc) != nil {
		return false
	}
	res.Kind = kind
	res.Number = jsonText(number)
	res.JSON = doc
	return true
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
