package odoosim

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Domains: Odoo's prefix-notation filters, e.g.
//
//	["|", ["ref", "=", "C1"], "&", ["barcode", "in", ["A", "B"]], ["name", "ilike", "acme"]]
//
// Consecutive terms are implicitly and-ed. Leaves can follow many2one and
// x2many fields with dotted paths ("partner_id.ref").

type dnode struct {
	op   string // "&", "|", "!" or "" for a leaf
	kids []*dnode
	leaf []any // field, operator, value; nil for TRUE
	path []string
}

var domainOperators = []string{"=", "!=", "<>", ">", ">=", "<", "<=", "=?", "like", "ilike", "not like", "not ilike", "=like", "=ilike", "in", "not in", "child_of", "parent_of", "any", "not any"}

func (e *env) leafError(m *model, leaf []any, name string) *odooError {
	word := "leaf"
	if e.db.version == "19.0" {
		word = "condition"
	}
	return newPyError(clsValueError, fmt.Sprintf("Invalid field %s.%s in %s %s", m.name, name, word, pyTupleRepr(leaf)),
		[]frame{odooFrame("osv/expression.py", 903, "parse", `raise ValueError(f"Invalid field {model._name}.{path[0]} in leaf {item}")`)})
}

func domainSyntaxError(domain any) *odooError {
	return newPyError(clsValueError, fmt.Sprintf("Domain %s is syntactically not correct.", pyRepr(domain)),
		[]frame{odooFrame("osv/expression.py", 206, "normalize_domain", `raise ValueError("Domain %r is syntactically not correct." % (domain))`)})
}

// parseDomain checks and compiles a domain for model m.
func (e *env) parseDomain(m *model, domain any) (*dnode, *odooError) {
	if domain == nil || domain == false {
		return &dnode{}, nil
	}
	items, ok := domain.([]any)
	if !ok {
		return nil, domainSyntaxError(domain)
	}
	if len(items) == 0 {
		return &dnode{}, nil
	}
	// Normalise: insert the implicit '&'s, as expression.normalize_domain.
	var norm []any
	expected := 1
	for _, it := range items {
		if expected == 0 {
			norm = append([]any{"&"}, norm...)
			expected = 1
		}
		switch t := it.(type) {
		case string:
			switch t {
			case "&", "|":
				expected++
			case "!":
			default:
				return nil, domainSyntaxError(domain)
			}
		default:
			expected--
		}
		norm = append(norm, it)
	}
	if expected != 0 {
		return nil, domainSyntaxError(domain)
	}
	pos := 0
	var parse func() (*dnode, *odooError)
	parse = func() (*dnode, *odooError) {
		it := norm[pos]
		pos++
		if s, ok := it.(string); ok {
			n := &dnode{op: s}
			arity := 2
			if s == "!" {
				arity = 1
			}
			for range arity {
				k, err := parse()
				if err != nil {
					return nil, err
				}
				n.kids = append(n.kids, k)
			}
			return n, nil
		}
		return e.parseLeaf(m, it, domain)
	}
	n, err := parse()
	if err != nil {
		return nil, err
	}
	return n, nil
}

func (e *env) parseLeaf(m *model, it any, domain any) (*dnode, *odooError) {
	leaf, ok := it.([]any)
	if !ok || len(leaf) != 3 {
		return nil, domainSyntaxError(domain)
	}
	// TRUE_LEAF (1, '=', 1) and FALSE_LEAF (0, '=', 1).
	if a, ok := leaf[0].(int64); ok {
		if b, ok := leaf[2].(int64); ok && leaf[1] == "=" && b == 1 {
			if a == 1 {
				return &dnode{}, nil
			}
			return &dnode{op: "!", kids: []*dnode{{}}}, nil
		}
	}
	name, _ := leaf[0].(string)
	op, _ := leaf[1].(string)
	op = strings.ToLower(op)
	if op == "<>" {
		op = "!="
	}
	if !slices.Contains(domainOperators, op) || ((op == "any" || op == "not any") && e.db.version == "16.0") {
		return nil, newPyError(clsValueError, fmt.Sprintf("Invalid leaf %s", pyTupleRepr(leaf)),
			[]frame{odooFrame("osv/expression.py", 268, "check_leaf", `raise ValueError("Invalid leaf %r" % str(element))`)})
	}
	path := strings.Split(name, ".")
	cur := m
	for i, p := range path {
		if p == "id" && i == len(path)-1 {
			break
		}
		f, ok := e.field(cur, p)
		if !ok {
			if i == 0 {
				return nil, e.leafError(m, leaf, p)
			}
			return nil, e.leafError(cur, leaf, p)
		}
		if i < len(path)-1 {
			if !f.relational() {
				return nil, e.leafError(cur, leaf, strings.Join(path[i:], "."))
			}
			cur = e.db.models[f.rel]
		}
	}
	return &dnode{leaf: []any{name, op, leaf[2]}, path: path}, nil
}

// mentions reports whether a leaf of the domain is on the field name.
func (n *dnode) mentions(name string) bool {
	if n == nil {
		return false
	}
	if n.op == "" {
		return len(n.path) > 0 && n.path[0] == name
	}
	for _, k := range n.kids {
		if k.mentions(name) {
			return true
		}
	}
	return false
}

func (e *env) match(m *model, id int64, n *dnode) bool {
	switch n.op {
	case "&":
		return e.match(m, id, n.kids[0]) && e.match(m, id, n.kids[1])
	case "|":
		return e.match(m, id, n.kids[0]) || e.match(m, id, n.kids[1])
	case "!":
		return !e.match(m, id, n.kids[0])
	}
	if n.leaf == nil {
		return true
	}
	return e.matchPath(m, id, n.path, n.leaf[1].(string), n.leaf[2])
}

func (e *env) matchPath(m *model, id int64, path []string, op string, val any) bool {
	if path[0] == "id" {
		return e.matchValue(m, nil, id, id, op, val)
	}
	f, _ := e.field(m, path[0])
	if len(path) > 1 {
		cm := e.db.models[f.rel]
		var rel []int64
		switch f.typ {
		case tMany2one:
			if rid := e.getID(m, id, path[0]); rid != 0 {
				rel = []int64{rid}
			}
		default:
			rel = e.getIDs(m, id, path[0])
		}
		for _, rid := range rel {
			if e.matchPath(cm, rid, path[1:], op, val) {
				return true
			}
		}
		return false
	}
	return e.matchValue(m, f, id, e.get(m, id, f.name), op, val)
}

// matchValue applies one operator to a field's internal value.
func (e *env) matchValue(m *model, f *field, id int64, v any, op string, val any) bool {
	if op == "=?" {
		if !truthy(val) {
			return true
		}
		op = "="
	}
	if op == "child_of" || op == "parent_of" {
		return e.matchHierarchy(m, f, v, op, val)
	}
	if op == "any" || op == "not any" {
		cm := e.db.models[f.rel]
		n, err := e.parseDomain(cm, val)
		if err != nil {
			return false
		}
		found := false
		for _, rid := range asIDList(v) {
			if e.match(cm, rid, n) {
				found = true
				break
			}
		}
		return found == (op == "any")
	}
	if f != nil && f.relational() {
		ids := asIDList(v)
		// Names instead of ids compare with the comodel's display names.
		if _, isStr := val.(string); isStr || isStrList(val) || strings.Contains(op, "like") {
			cm := e.db.models[f.rel]
			if len(ids) == 0 {
				return e.matchScalar(nil, op, val)
			}
			neg := strings.HasPrefix(op, "not ") || op == "!="
			for _, rid := range ids {
				hit := e.matchScalar(e.displayName(cm, rid), op, val)
				if neg && !hit {
					return false
				}
				if !neg && hit {
					return true
				}
			}
			return neg
		}
		if f.typ == tMany2one {
			var x any
			if len(ids) == 1 {
				x = ids[0]
			}
			return e.matchScalar(x, op, val)
		}
		// x2many: "=" id means "contains"; negative operators mean "none".
		if len(ids) == 0 {
			return e.matchScalar(nil, op, val)
		}
		switch op {
		case "!=", "not in":
			pos := map[string]string{"!=": "=", "not in": "in"}[op]
			for _, rid := range ids {
				if e.matchScalar(rid, pos, val) {
					return false
				}
			}
			return true
		}
		for _, rid := range ids {
			if e.matchScalar(rid, op, val) {
				return true
			}
		}
		return false
	}
	if f != nil && f.typ == tBoolean {
		b, _ := v.(bool)
		if !b {
			v = nil // a false boolean equals False and NULL alike
		}
	}
	if f != nil && (f.typ == tInteger || f.typ == tFloat || f.typ == tMonetary) && val == false {
		val = int64(0)
	}
	return e.matchScalar(v, op, val)
}

func asIDList(v any) []int64 {
	switch x := v.(type) {
	case int64:
		if x == 0 {
			return nil
		}
		return []int64{x}
	case []int64:
		return x
	}
	return nil
}

func isStrList(v any) bool {
	l, ok := v.([]any)
	if !ok || len(l) == 0 {
		return false
	}
	_, s := l[0].(string)
	return s
}

// matchScalar compares one value (nil for NULL) with a leaf's operand, with
// SQL's NULL rules as Odoo generates them (negative operators include NULL).
func (e *env) matchScalar(v any, op string, val any) bool {
	if b, ok := v.(bool); ok && b {
		v = true
	}
	isNull := v == nil
	switch op {
	case "=":
		if !truthy(val) && val != int64(0) && val != 0.0 {
			return isNull
		}
		return !isNull && equalValues(v, val)
	case "!=":
		if !truthy(val) && val != int64(0) && val != 0.0 {
			return !isNull
		}
		return isNull || !equalValues(v, val)
	case "in", "not in":
		list, ok := val.([]any)
		if !ok {
			list = []any{val}
		}
		hit := false
		for _, x := range list {
			if x == false || x == nil {
				if isNull {
					hit = true
				}
			} else if !isNull && equalValues(v, x) {
				hit = true
			}
		}
		if op == "in" {
			return hit
		}
		return !hit
	case "<", ">", "<=", ">=":
		if isNull || val == nil || val == false {
			return false
		}
		c := compareValues(v, val)
		switch op {
		case "<":
			return c < 0
		case ">":
			return c > 0
		case "<=":
			return c <= 0
		}
		return c >= 0
	case "like", "ilike", "not like", "not ilike", "=like", "=ilike":
		neg := strings.HasPrefix(op, "not ")
		pat, _ := val.(string)
		if val == false || val == nil {
			// ('name', 'ilike', False) is Odoo's "is empty".
			return isNull != neg
		}
		if isNull {
			return neg
		}
		if !strings.HasPrefix(op, "=") {
			pat = "%" + pat + "%"
		}
		ci := strings.Contains(op, "ilike")
		return likeMatch(fmt.Sprint(v), pat, ci) != neg
	}
	return false
}

func equalValues(a, b any) bool {
	if fa, ok := asFloat(a); ok {
		if fb, ok := asFloat(b); ok {
			return fa == fb
		}
		return false
	}
	return a == b
}

// likeMatch implements SQL LIKE with % and _ and backslash escapes.
func likeMatch(s, pat string, ci bool) bool {
	var re strings.Builder
	re.WriteString("^")
	if ci {
		re.WriteString("(?is)")
	} else {
		re.WriteString("(?s)")
	}
	esc := false
	for _, r := range pat {
		switch {
		case esc:
			re.WriteString(regexp.QuoteMeta(string(r)))
			esc = false
		case r == '\\':
			esc = true
		case r == '%':
			re.WriteString(".*")
		case r == '_':
			re.WriteString(".")
		default:
			re.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	re.WriteString("$")
	ok, _ := regexp.MatchString(re.String(), s)
	return ok
}

// matchHierarchy is child_of / parent_of over the model's parent field.
func (e *env) matchHierarchy(m *model, f *field, v any, op string, val any) bool {
	target := m
	if f != nil && f.relational() {
		target = e.db.models[f.rel]
	}
	parentField := "parent_id"
	if _, ok := target.byName[parentField]; !ok {
		if _, ok := target.byName["location_id"]; ok && target.name == "stock.location" {
			parentField = "location_id"
		} else {
			parentField = ""
		}
	}
	var roots []int64
	switch x := val.(type) {
	case []any:
		for _, y := range x {
			if id, ok := asInt(y); ok {
				roots = append(roots, id)
			}
		}
	default:
		if id, ok := asInt(val); ok {
			roots = []int64{id}
		}
	}
	ancestors := func(id int64) []int64 {
		out := []int64{id}
		for parentField != "" {
			p := e.getID(target, id, parentField)
			if p == 0 || slices.Contains(out, p) {
				break
			}
			out = append(out, p)
			id = p
		}
		return out
	}
	var ids []int64
	if f == nil {
		ids = []int64{v.(int64)}
	} else {
		ids = asIDList(v)
	}
	for _, id := range ids {
		if op == "child_of" {
			for _, a := range ancestors(id) {
				if slices.Contains(roots, a) {
					return true
				}
			}
		} else {
			for _, r := range roots {
				if slices.Contains(ancestors(r), id) {
					return true
				}
			}
		}
	}
	return false
}

// search runs a domain; with activeTest, archived records are left out
// unless the domain speaks about "active" (as Odoo does).
func (e *env) search(m *model, domain any, offset, limit int64, order string) ([]int64, *odooError) {
	if err := e.checkAccess(m, permRead); err != nil {
		return nil, err
	}
	n, err := e.parseDomain(m, domain)
	if err != nil {
		return nil, err
	}
	if order == "" {
		order = m.order
	}
	if _, err := parseOrder(e, m, order); err != nil {
		return nil, err
	}
	activeFilter := false
	if f, ok := e.field(m, "active"); ok && f.typ == tBoolean && !n.mentions("active") {
		if v, set := e.ctx.Get("active_test"); !set || truthy(v) {
			activeFilter = true
		}
	}
	var ids []int64
	match := func(id int64) {
		if activeFilter {
			if a, _ := e.get(m, id, "active").(bool); !a {
				return
			}
		}
		if e.match(m, id, n) {
			ids = append(ids, id)
		}
	}
	if cand, ok := e.candidates(m, n); ok {
		slices.Sort(cand)
		for _, id := range slices.Compact(cand) {
			match(id)
		}
	} else {
		for id := range e.db.tables[m.name].rows {
			match(id)
		}
	}
	e.sortIDs(m, ids, order)
	if offset > 0 {
		if offset >= int64(len(ids)) {
			ids = nil
		} else {
			ids = ids[offset:]
		}
	}
	if limit > 0 && limit < int64(len(ids)) {
		ids = ids[:limit]
	}
	if ids == nil {
		ids = []int64{}
	}
	return ids, nil
}
