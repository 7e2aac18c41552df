package mapping

import "github.com/b2bgw/b2bgw/internal/jsonenc"

// The streaming evaluator behind TranslateJSON: the same walk as object
// and field in eval.go, writing each member as it is evaluated. A member,
// an object or an array that comes out empty is cut off the output again,
// so the bytes are exactly Value.AppendJSON of what Translate builds.

// objectJSON writes fields evaluated in ctx as an object and returns how
// many members it has ("{}" for none: the caller decides whether to keep
// it).
func (e *evaluator) objectJSON(fields []*field, ctx Node) int {
	e.out = append(e.out, '{')
	n := 0
	// One path element for the object, pointed at each field in turn:
	// what is nested below pushes and pops its own.
	e.path = append(e.path, pathElem{index: -1, fields: fields})
	slot := len(e.path) - 1
	for i, f := range fields {
		e.path[slot].at = i
		if f.kind == valueField {
			// A value's key is written with the value, so an absent one
			// (most optional fields) writes nothing to cut.
			if (f.when == nil || e.cond(f.when, ctx)) && e.valueJSON(f, ctx, n > 0, f.keyJSON) {
				n++
			}
			continue
		}
		mark := len(e.out)
		if n > 0 {
			e.out = append(e.out, ',')
		}
		e.out = append(e.out, f.keyJSON...)
		if e.fieldJSON(f, ctx) {
			n++
		} else {
			e.out = e.out[:mark]
		}
	}
	e.path = e.path[:slot]
	e.out = append(e.out, '}')
	return n
}

// fieldJSON writes f's value and reports whether there is one; when there
// is none, whatever it wrote is for the caller to cut.
func (e *evaluator) fieldJSON(f *field, ctx Node) bool {
	if f.when != nil && !e.cond(f.when, ctx) {
		return false
	}
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
				if e.valueJSON(f, n, count > 0, nil) {
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
	return e.valueJSON(f, ctx, false, nil)
}

// valueJSON writes value(f, ctx) and reports whether there is one,
// preceded by a comma when comma is set and by key (a member's "name":)
// when there is one: nothing is written when there is none. The common
// cases (the text as it is, a decimal already canonical, either through a
// code list to a string) are written straight from the input without a
// Value in between; the rest is value's own finish.
func (e *evaluator) valueJSON(f *field, ctx Node, comma bool, key []byte) bool {
	if f.constV != nil {
		e.prefix(comma, key)
		e.out = f.constV.AppendJSON(e.out)
		return true
	}
	raw, x, at := e.fetch(f, ctx)
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
			e.prefix(comma, key)
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

// prefix writes what goes before a value: a comma when comma is set, then
// key.
func (e *evaluator) prefix(comma bool, key []byte) {
	if comma {
		e.out = append(e.out, ',')
	}
	e.out = append(e.out, key...)
}
