package odoosim

import "slices"

// Indexes keep the cost of a call flat as records grow, as PostgreSQL's
// indexes do for Odoo: without them one2many reads, foreign-key checks,
// reservations and the gateway's searches scanned every row, and a run of
// 10,000 orders spent its time in the simulator. They only narrow down
// candidates: search still matches each candidate against the whole
// domain, and one2many reads still sort by the model's order, so answers
// are the same as a full scan's.

// charIndexes are the char fields the gateway searches on (external ids,
// order and picking names, PO numbers, SKUs, barcodes, GLNs); every
// stored many2one is indexed too.
var charIndexes = map[string][]string{
	"ir.model.data":        {"name"},
	"sale.order":           {"name", "client_order_ref"},
	"purchase.order":       {"name"},
	"stock.picking":        {"name"},
	"product.product":      {"default_code", "barcode"},
	"product.supplierinfo": {"product_code"},
	"res.partner":          {"ref", "barcode"},
}

// index maps a field value to the ids of the rows holding it.
type index map[any]map[int64]struct{}

// buildIndexes sets up the indexes once every model is defined (version
// profiles change fields after newModel) and indexes existing rows.
func (d *db) buildIndexes() {
	for name, m := range d.models {
		tb := d.tables[name]
		tb.idx = map[string]index{}
		for _, f := range m.fields {
			if f.stored() && f.typ == tMany2one {
				tb.idx[f.name] = index{}
			}
		}
		for _, fn := range charIndexes[name] {
			if f, ok := m.byName[fn]; ok && f.stored() {
				tb.idx[fn] = index{}
			}
		}
		for id, r := range tb.rows {
			tb.link(id, r)
		}
	}
}

// indexKey is the key a stored value is indexed under; ok is false for
// empty values, which no index lookup asks for.
func indexKey(v any) (any, bool) {
	switch x := v.(type) {
	case int64:
		return x, x != 0
	case string:
		return x, x != ""
	}
	return nil, false
}

func (t *table) link(id int64, r row) {
	for name, ix := range t.idx {
		t.linkValue(ix, id, r[name])
	}
}

func (t *table) linkValue(ix index, id int64, v any) {
	k, ok := indexKey(v)
	if !ok {
		return
	}
	s := ix[k]
	if s == nil {
		s = map[int64]struct{}{}
		ix[k] = s
	}
	s[id] = struct{}{}
}

func (t *table) unlinkValue(ix index, id int64, v any) {
	k, ok := indexKey(v)
	if !ok {
		return
	}
	if s := ix[k]; s != nil {
		delete(s, id)
		if len(s) == 0 {
			delete(ix, k)
		}
	}
}

// put stores row r as id, replacing (and unindexing) any previous row.
func (t *table) put(id int64, r row) {
	t.remove(id)
	t.rows[id] = r
	t.link(id, r)
}

// remove deletes row id and its index entries.
func (t *table) remove(id int64) {
	old, ok := t.rows[id]
	if !ok {
		return
	}
	for name, ix := range t.idx {
		t.unlinkValue(ix, id, old[name])
	}
	delete(t.rows, id)
}

// setField stores one value of an existing row, keeping its index.
func (t *table) setField(id int64, name string, v any) {
	r := t.rows[id]
	if ix, ok := t.idx[name]; ok {
		t.unlinkValue(ix, id, r[name])
		t.linkValue(ix, id, v)
	}
	r[name] = v
}

// lookup returns the ids of the rows whose field name holds key (an
// int64 id or a string), unsorted; ok is false when name is not indexed.
func (t *table) lookup(name string, key any) (ids []int64, ok bool) {
	ix, ok := t.idx[name]
	if !ok {
		return nil, false
	}
	for id := range ix[key] {
		ids = append(ids, id)
	}
	return ids, true
}

// refs returns the ids of model's rows whose many2one field points at
// target, unsorted. The field must be a stored many2one of model.
func (e *env) refs(model, field string, target int64) []int64 {
	ids, ok := e.db.tables[model].lookup(field, target)
	if !ok {
		panic("odoosim: " + model + "." + field + " is not indexed")
	}
	return ids
}

// candidates narrows a search down to the rows an index can name: a leaf
// "=" or "in" on an indexed field of m with non-empty values, an "&"
// with such a side, or an "|" with both. ok is false when the domain
// needs a full scan.
func (e *env) candidates(m *model, n *dnode) (ids []int64, ok bool) {
	switch n.op {
	case "&":
		a, okA := e.candidates(m, n.kids[0])
		b, okB := e.candidates(m, n.kids[1])
		switch {
		case okA && (!okB || len(a) <= len(b)):
			return a, true
		case okB:
			return b, true
		}
		return nil, false
	case "|":
		a, okA := e.candidates(m, n.kids[0])
		b, okB := e.candidates(m, n.kids[1])
		if !okA || !okB {
			return nil, false
		}
		return append(a, b...), true // search dedups
	case "!":
		return nil, false
	}
	if n.leaf == nil || len(n.path) != 1 {
		return nil, false
	}
	f, own := m.byName[n.path[0]]
	if !own {
		return nil, false
	}
	tb := e.db.tables[m.name]
	if _, indexed := tb.idx[f.name]; !indexed {
		return nil, false
	}
	var vals []any
	switch op := n.leaf[1].(string); op {
	case "=":
		vals = []any{n.leaf[2]}
	case "in":
		l, isList := n.leaf[2].([]any)
		if !isList {
			return nil, false
		}
		vals = l
	default:
		return nil, false
	}
	for _, v := range vals {
		k, ok := leafKey(f, v)
		if !ok {
			return nil, false
		}
		got, _ := tb.lookup(f.name, k)
		ids = append(ids, got...)
	}
	return ids, true
}

// leafKey is the index key a leaf value matches exactly: a non-zero id
// for a many2one, a non-empty string for a char field. Anything else
// (False, names for a many2one, numbers for a char) has matching rules
// of its own and is left to a full scan.
func leafKey(f *field, v any) (any, bool) {
	switch f.typ {
	case tMany2one:
		switch x := v.(type) {
		case int64:
			return x, x != 0
		case float64:
			if id, ok := asInt(x); ok && id != 0 {
				return id, true
			}
		}
	case tChar:
		if s, ok := v.(string); ok && s != "" {
			return s, true
		}
	}
	return nil, false
}

// withValue returns the ids of model's rows that may hold v in field,
// unsorted: the index's answer when field is indexed and v non-empty,
// else every id. Callers still compare each row.
func (e *env) withValue(model, field string, v any) []int64 {
	tb := e.db.tables[model]
	if k, ok := indexKey(v); ok {
		if ids, ok := tb.lookup(field, k); ok {
			return ids
		}
	}
	ids := make([]int64, 0, len(tb.rows))
	for id := range tb.rows {
		ids = append(ids, id)
	}
	return ids
}

// withValues is withValue for several ids, without duplicates.
func (e *env) withValues(model, field string, vals []int64) []int64 {
	var out []int64
	for _, v := range vals {
		out = append(out, e.withValue(model, field, v)...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
