package mapping

import (
	"strings"

	"github.com/b2bgw/b2bgw/internal/jsonenc"
)

// The streaming evaluator behind TranslateJSON: the same walk as object
// and field in eval.go, writing each member as it is evaluated. A member,
// an object or an array that comes out empty is cut off the output again,
// so the bytes are exactly Value.AppendJSON of what Translate builds.

// objectJSON writes fields evaluated in ctx as an object and returns how
// many members it has ("{}" for none: the caller decides whether to keep
// it).
func (e *evaluator) objectJSON(fields []*field, ctx Node) int {
	if e.tv.edi != nil {
		return e.objectEDI(fields, ctx)
	}
	e.out = append(e.out, '{')
	n := 0
	// One path element for the object; which of its fields is being
	// evaluated is worked out only for an error (see resolveAt). What is
	// nested below pushes and pops its own.
	e.path = append(e.path, pathElem{index: -1, fields: fields})
	slot := len(e.path) - 1
	for _, f := range fields {
		if f.kind == valueField {
			// A value's key is written with the value, so an absent one
			// (most optional fields) writes nothing to cut.
			if (f.when == nil || e.cond(f.when, ctx)) && e.valueJSON(f, ctx, n > 0, f.keyJSON) {
				n++
			}
			continue
		}
		if f.when != nil && !e.cond(f.when, ctx) {
			continue
		}
		mark := len(e.out)
		e.prefix(n > 0, f.keyJSON)
		if e.fieldBody(f, ctx) {
			n++
		} else {
			e.out = e.out[:mark]
		}
	}
	e.path = e.path[:slot]
	e.out = append(e.out, '}')
	return n
}

// fieldBody writes the value of f, an object or an array whose when
// holds, and reports whether there is one; when there is none, whatever
// it wrote is for the caller to cut.
func (e *evaluator) fieldBody(f *field, ctx Node) bool {
	switch f.kind {
	case objectField:
		if e.objectJSON(f.fields, ctx) == 0 {
			if f.required {
				e.fail(f, nil, ctx, "", ErrRequired)
			}
			return false
		}
		return true
	case arrayField:
		base := len(e.nodes)
		e.nodes = e.selectAppend(f.foreach, ctx, e.nodes)
		nodes := e.nodes[base:]
		e.out = append(e.out, '[')
		count := 0
		for i, n := range nodes {
			e.path = append(e.path, pathElem{index: i})
			if f.hasValue() {
				if e.valueJSON(f, n, count > 0, commaOnly) {
					count++
				}
			} else {
				// Kept even when empty; see field.
				if count > 0 {
					e.out = append(e.out, ',')
				}
				e.objectJSON(f.fields, n)
				count++
			}
			e.path = e.path[:len(e.path)-1]
		}
		e.nodes = e.nodes[:base]
		if count == 0 {
			if f.required {
				e.fail(f, f.foreach, ctx, "", ErrRequired)
			}
			return false
		}
		e.out = append(e.out, ']')
		return true
	}
	return e.valueJSON(f, ctx, false, commaOnly)
}

// valueJSON writes value(f, ctx) and reports whether there is one,
// preceded by key (see prefix): nothing is written when there is none.
// The common cases (the text as it is, a decimal already canonical,
// either through a code list to a string) are written straight from the
// input without a Value in between; the rest is value's own finish.
func (e *evaluator) valueJSON(f *field, ctx Node, comma bool, key []byte) bool {
	var raw string
	var x *expr
	var at Node
	switch {
	case f.vk == 0:
		raw, x, at = e.fetch(f, ctx)
	case f.vk == vkConst:
		e.prefix(comma, key)
		e.out = append(e.out, f.constJSON...)
		return true
	case e.tv.edi != nil:
		raw, x, at = e.ediRaw(f, ctx)
	default:
		raw, x, at = e.fetch(f, ctx)
	}
	if raw == "" && f.def == nil && !f.required && e.trace == nil {
		// Absent and optional, finish's first case: most optional fields
		// of a document are absent, and returning its Value costs more
		// than the test.
		return false
	}
	if raw != "" && (f.quick == quickString || f.quick == quickDecimal) {
		text, ok := raw, true
		if f.codes != nil {
			var v Value
			v, ok = f.codes.lookup(raw)
			ok = ok && v.kind == String
			text = v.s
		}
		if ok && f.quick == quickString {
			if len(key) > 1 { // f's own key, not an array item's comma
				e.out = putKey(e.out, f, comma)
			} else {
				e.prefix(comma, key)
			}
			e.out = jsonenc.AppendStr(e.out, text)
			return true
		}
		if ok {
			if n, ok := jsonNumber(text); ok {
				e.prefix(comma, key)
				e.out = append(e.out, n...)
				return true
			}
		}
	}
	v, ok := e.finish(f, x, ctx, at, raw)
	if ok {
		e.prefix(comma, key)
		e.out = v.AppendJSON(e.out)
	}
	return ok
}

// prefix writes what goes before a value: key (a comma, then a
// member's "name": or nothing), without its comma unless comma is set.
func (e *evaluator) prefix(comma bool, key []byte) {
	if !comma {
		key = key[1:]
	}
	e.out = append(e.out, key...)
}

// commaOnly is the key of an array's items.
var commaOnly = []byte{','}

// ediRaw is fetch for a field with an EDIFACT form (vkEDI) on an
// EDIFACT tree: the form asked directly, without text's dispatch.
func (e *evaluator) ediRaw(f *field, ctx Node) (raw string, x *expr, at Node) {
	t := e.tv.edi
	var txt []byte
	var found bool
	switch p := f.edi; {
	case p != nil && len(p.groups) == 0 && !p.memo.Load():
		// Most values: firstText's common case, two calls fewer.
		var bad bool
		if txt, found, bad = p.segText(t, e.tv.memo, ctx); bad {
			txt, found = p.gen.firstTextWalk(&e.tv, ctx)
		}
	case p != nil:
		txt, found = p.firstText(&e.tv, ctx)
	case f.sub != nil:
		txt, found = f.sub.text(e, ctx)
	case t.IsSegment(ctx):
		txt, found = f.self.text(t, ctx)
	default:
		return e.fetch(f, ctx) // self, on a group of the segment's name
	}
	raw = view(txt)
	if found && f.trim && len(raw) > 0 && (spaceOrWide(raw[0]) || spaceOrWide(raw[len(raw)-1])) {
		raw = strings.TrimSpace(raw)
	}
	return raw, f.from, NoNode
}
