package mapping

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
	for _, f := range fields {
		e.path = append(e.path, pathElem{name: f.name, index: -1})
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
		e.path = e.path[:len(e.path)-1]
	}
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
			mark := len(e.out)
			if count > 0 {
				e.out = append(e.out, ',')
			}
			if f.hasValue() {
				if v, ok := e.value(f, n); ok {
					e.out = v.AppendJSON(e.out)
					count++
				} else {
					e.out = e.out[:mark]
				}
			} else {
				// Kept even when empty; see field.
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
	v, ok := e.value(f, ctx)
	if ok {
		e.out = v.AppendJSON(e.out)
	}
	return ok
}
