package odoosim

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// invalidField is the ValueError Odoo raises for an unknown name in fields,
// create or write vals.
func invalidField(model, name string) *odooError {
	return valueError(fmt.Sprintf("Invalid field %s on model %s", pyStrRepr(name), pyStrRepr(model)),
		`raise ValueError("Invalid field %r on model %r" % (e.args[0], self._name))`)
}

// notNullError is the ValidationError that wraps PostgreSQL's NOT NULL
// violation (service/model.py _as_validation_error).
func (e *env) notNullError(m *model, f *field) *odooError {
	owner := m
	if _, own := m.byName[f.name]; !own && m.delegate != "" {
		owner = e.db.models[m.delegate]
	}
	return validationError(fmt.Sprintf("The operation cannot be completed:\n"+
		"- Create/update: a mandatory field is not set.\n"+
		"- Delete: another model requires the record being deleted. If possible, archive it instead.\n\n"+
		"Model: %s (%s)\nField: %s (%s)\n", owner.description, owner.name, f.label, f.name))
}

// fkError wraps PostgreSQL's foreign key violation the same way.
func fkError(m *model, constraint string) *odooError {
	return validationError(fmt.Sprintf("The operation cannot be completed: another model requires the record being deleted. If possible, archive it instead.\n\n"+
		"Model: %s (%s)\nConstraint: %s\n", m.description, m.name, constraint))
}

func tableName(model string) string { return strings.ReplaceAll(model, ".", "_") }

// convertIn turns a wire value into the field's internal value.
func (e *env) convertIn(m *model, f *field, v any) (any, *odooError) {
	switch f.typ {
	case tChar, tText, tHTML, tBinary:
		switch x := v.(type) {
		case nil, bool:
			if x == true {
				return "True", nil
			}
			return nil, nil
		case string:
			return x, nil
		}
		return pyReprPlain(v), nil
	case tSelection:
		if !truthy(v) {
			return nil, nil
		}
		s, _ := v.(string)
		for _, o := range f.sel {
			if o[0] == s {
				return s, nil
			}
		}
		return nil, valueError(fmt.Sprintf("Wrong value for %s.%s: %s", m.name, f.name, pyRepr(v)), `raise ValueError("Wrong value for %s: %r" % (self, value))`)
	case tInteger:
		if !truthy(v) {
			return int64(0), nil
		}
		if i, ok := asInt(v); ok {
			return i, nil
		}
		if fl, ok := v.(float64); ok {
			return int64(fl), nil
		}
	case tFloat, tMonetary:
		if !truthy(v) {
			return 0.0, nil
		}
		if fl, ok := asFloat(v); ok {
			return fl, nil
		}
	case tBoolean:
		return truthy(v), nil
	case tDate, tDatetime:
		if !truthy(v) {
			return nil, nil
		}
		s, ok := v.(string)
		if !ok {
			break
		}
		if f.typ == tDate {
			if len(s) >= 10 {
				if _, err := time.Parse(time.DateOnly, s[:10]); err == nil {
					return s[:10], nil
				}
			}
		} else {
			if len(s) == 10 {
				s += " 00:00:00"
			}
			if len(s) >= 19 {
				if _, err := time.Parse(time.DateTime, s[:19]); err == nil {
					return s[:19], nil
				}
			}
		}
		return nil, valueError(fmt.Sprintf("time data %s does not match format '%s'", pyStrRepr(s), map[fieldType]string{tDate: "%Y-%m-%d", tDatetime: "%Y-%m-%d %H:%M:%S"}[f.typ]), "raise ValueError(")
	case tMany2one:
		if l, ok := v.([]any); ok && len(l) > 0 {
			v = l[0] // (id, name) pairs are accepted as in Odoo
		}
		if !truthy(v) {
			return int64(0), nil
		}
		id, ok := asInt(v)
		if !ok {
			break
		}
		if !e.exists(f.rel, id) {
			return nil, fkError(m, fmt.Sprintf("%s_%s_fkey", tableName(m.name), f.name))
		}
		return id, nil
	}
	return nil, newPyError(clsTypeError, fmt.Sprintf("unsupported value %s for %s field %s.%s", pyRepr(v), f.typ, m.name, f.name), raiseAt("fields.py", "raise TypeError("))
}

// pyReprPlain is str() of a number, for numbers written to char fields.
func pyReprPlain(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return pyRepr(v)
}

// create inserts one record; vals are wire values.
func (e *env) create(m *model, vals *pyDict) (int64, *odooError) {
	if err := e.checkAccess(m, permCreate); err != nil {
		return 0, err
	}
	own, parent := newDict(), newDict()
	for _, k := range vals.Keys() {
		v, _ := vals.Get(k)
		if k == "id" {
			continue
		}
		if _, ok := m.byName[k]; ok {
			own.Set(k, v)
			continue
		}
		if _, ok := e.field(m, k); ok {
			parent.Set(k, v)
			continue
		}
		err := invalidField(m.name, k)
		// create() meets the name in _update_cache, whose KeyError is
		// turned into the ValueError.
		err.cause = "Traceback (most recent call last):\n" +
			"  File \"" + odooRoot + "models.py\", line 6406, in _update_cache\n" +
			"    field_values = [(fields[name], value) for name, value in values.items() if name != 'id']\n" +
			"                    ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n" +
			"  File \"" + odooRoot + "models.py\", line 6406, in <listcomp>\n" +
			"    field_values = [(fields[name], value) for name, value in values.items() if name != 'id']\n" +
			"                     ~~~~~~^^^^^^\n" +
			"KeyError: " + pyStrRepr(k) + "\n"
		return 0, err
	}
	// Scalars are converted before the INSERT, so a bad value consumes no id.
	conv := map[string]any{}
	var x2m []string
	for _, k := range own.Keys() {
		f := m.byName[k]
		v, _ := own.Get(k)
		switch {
		case f.typ == tOne2many || f.typ == tMany2many:
			x2m = append(x2m, k)
		case f.inverse != nil:
			x2m = append(x2m, k) // applied once the row exists
		case !f.stored():
			// Computed fields without inverse ignore written values.
		default:
			if f.typ == tMany2one {
				continue // checked after the INSERT: an FK error consumes the id
			}
			c, err := e.convertIn(m, f, v)
			if err != nil {
				return 0, err
			}
			conv[k] = c
		}
	}
	if m.delegate != "" {
		if pid, _ := asInt(own.vals[m.delegField]); pid == 0 {
			pm := e.db.models[m.delegate]
			pe := e
			if m.name == "product.product" {
				// The template must not create a variant of its own.
				pe = e.withContext("create_product_product", true)
			}
			pid, err := pe.create(pm, parent)
			if err != nil {
				return 0, err
			}
			own.Set(m.delegField, pid)
		} else if parent.Len() > 0 {
			if err := e.write(e.db.models[m.delegate], []int64{pid}, parent); err != nil {
				return 0, err
			}
		}
	}
	tb := e.db.tables[m.name]
	id := tb.next
	tb.next++
	e.touch(m.name, id)
	r := row{}
	tb.put(id, r)
	for _, k := range own.Keys() {
		f := m.byName[k]
		if f.typ != tMany2one || !f.stored() {
			continue
		}
		v, _ := own.Get(k)
		c, err := e.convertIn(m, f, v)
		if err != nil {
			return 0, err
		}
		conv[k] = c
	}
	for k, v := range conv {
		tb.setField(id, k, v)
	}
	for _, f := range m.fields {
		if _, set := r[f.name]; set || !f.stored() || f.def == nil {
			continue
		}
		if d := f.def(e, own); d != nil {
			tb.setField(id, f.name, d)
		}
	}
	for _, f := range m.fields {
		if f.required && f.stored() && isEmpty(f, r[f.name]) {
			return 0, e.notNullError(m, f)
		}
	}
	for _, k := range x2m {
		f := m.byName[k]
		v, _ := own.Get(k)
		if f.inverse != nil {
			if err := f.inverse(e, id, v); err != nil {
				return 0, err
			}
			continue
		}
		if err := e.applyX2M(m, id, f, v); err != nil {
			return 0, err
		}
	}
	if m.afterCreate != nil {
		if err := m.afterCreate(e, id, own); err != nil {
			return 0, err
		}
	}
	for _, c := range m.constraints {
		if err := c(e, []int64{id}, own); err != nil {
			return 0, err
		}
	}
	return id, nil
}

func isEmpty(f *field, v any) bool {
	switch f.typ {
	case tMany2one:
		id, _ := v.(int64)
		return id == 0
	case tBoolean, tInteger, tFloat, tMonetary:
		return false
	}
	return v == nil
}

// existing splits ids into existing and missing ones.
func (e *env) existing(m *model, ids []int64) (have, missing []int64) {
	for _, id := range ids {
		if e.exists(m.name, id) {
			have = append(have, id)
		} else {
			missing = append(missing, id)
		}
	}
	return have, missing
}

// write updates records; vals are wire values.
func (e *env) write(m *model, ids []int64, vals *pyDict) *odooError {
	if err := e.checkAccess(m, permWrite); err != nil {
		return err
	}
	for _, k := range vals.Keys() {
		if _, ok := e.field(m, k); !ok && k != "id" {
			return invalidField(m.name, k)
		}
	}
	if _, missing := e.existing(m, ids); len(missing) > 0 {
		return missingError(m.name, missing, e.uid)
	}
	parent := newDict()
	for _, k := range vals.Keys() {
		v, _ := vals.Get(k)
		f, own := m.byName[k]
		if !own {
			if k != "id" {
				parent.Set(k, v)
			}
			continue
		}
		switch {
		case f.inverse != nil:
			for _, id := range ids {
				if err := f.inverse(e, id, v); err != nil {
					return err
				}
			}
		case f.typ == tOne2many || f.typ == tMany2many:
			for _, id := range ids {
				if err := e.applyX2M(m, id, f, v); err != nil {
					return err
				}
			}
		case !f.stored():
		default:
			c, err := e.convertIn(m, f, v)
			if err != nil {
				return err
			}
			if f.required && isEmpty(f, c) {
				return e.notNullError(m, f)
			}
			for _, id := range ids {
				e.set(m, id, k, c)
			}
		}
	}
	if parent.Len() > 0 && m.delegate != "" {
		var pids []int64
		for _, id := range ids {
			pids = append(pids, e.getID(m, id, m.delegField))
		}
		if err := e.write(e.db.models[m.delegate], pids, parent); err != nil {
			return err
		}
	}
	if m.afterWrite != nil {
		if err := m.afterWrite(e, ids, vals); err != nil {
			return err
		}
	}
	for _, c := range m.constraints {
		if err := c(e, ids, vals); err != nil {
			return err
		}
	}
	return nil
}

// set stores an internal value, journaling the row first.
func (e *env) set(m *model, id int64, name string, v any) {
	e.touch(m.name, id)
	e.db.tables[m.name].setField(id, name, v)
}

// insert creates a row directly (seeding and business logic), bypassing
// access checks and hooks; vals are internal values.
func (e *env) insert(model string, vals row) int64 {
	tb := e.db.tables[model]
	id := tb.next
	if v, ok := vals["id"].(int64); ok {
		id = v
		delete(vals, "id")
	}
	if id >= tb.next {
		tb.next = id + 1
	}
	e.touch(model, id)
	m := e.db.models[model]
	r := row{}
	for _, f := range m.fields {
		if f.stored() && f.def != nil {
			if d := f.def(e, newDict()); d != nil {
				r[f.name] = d
			}
		}
	}
	for k, v := range vals {
		r[k] = v
	}
	tb.put(id, r)
	return id
}

// applyX2M runs x2many commands (or a plain id list) on one record.
func (e *env) applyX2M(m *model, id int64, f *field, v any) *odooError {
	cm := e.db.models[f.rel]
	list, ok := v.([]any)
	if !ok {
		if !truthy(v) {
			list = nil
		} else {
			return valueError(fmt.Sprintf("Wrong value for %s.%s: %s", m.name, f.name, pyRepr(v)), "raise ValueError(")
		}
	}
	// A list of plain ids means "set" for a many2many.
	if len(list) > 0 {
		if _, isID := list[0].(int64); isID && f.typ == tMany2many {
			if _, isList := list[0].([]any); !isList {
				list = []any{[]any{int64(6), int64(0), list}}
			}
		}
	}
	current := func() []int64 { return slices.Clone(e.getIDs(m, id, f.name)) }
	setM2M := func(ids []int64) { e.set(m, id, f.name, ids) }
	link := func(cid int64) *odooError {
		if f.typ == tOne2many {
			return e.write(cm, []int64{cid}, newDict(f.inv, id))
		}
		cur := current()
		if !slices.Contains(cur, cid) {
			setM2M(append(cur, cid))
		}
		return nil
	}
	unlinkRel := func(cid int64) *odooError {
		if f.typ == tOne2many {
			inv := cm.byName[f.inv]
			if inv.required || inv.ondelete == "cascade" {
				return e.unlink(cm, []int64{cid})
			}
			return e.write(cm, []int64{cid}, newDict(f.inv, false))
		}
		setM2M(slices.DeleteFunc(current(), func(x int64) bool { return x == cid }))
		return nil
	}
	for _, c := range list {
		cmd, ok := c.([]any)
		if !ok || len(cmd) == 0 {
			if cid, isID := asInt(c); isID && f.typ == tOne2many {
				if err := link(cid); err != nil {
					return err
				}
				continue
			}
			return valueError(fmt.Sprintf("Wrong value for %s.%s: %s", m.name, f.name, pyRepr(v)), "raise ValueError(")
		}
		op, _ := asInt(cmd[0])
		arg := func(i int) any {
			if i < len(cmd) {
				return cmd[i]
			}
			return nil
		}
		cid, _ := asInt(arg(1))
		switch op {
		case 0:
			vals, _ := arg(2).(*pyDict)
			if vals == nil {
				vals = newDict()
			}
			vals = vals.Copy()
			if f.typ == tOne2many {
				vals.Set(f.inv, id)
			}
			nid, err := e.create(cm, vals)
			if err != nil {
				return err
			}
			if f.typ == tMany2many {
				setM2M(append(current(), nid))
			}
		case 1:
			vals, _ := arg(2).(*pyDict)
			if vals == nil {
				vals = newDict()
			}
			if err := e.write(cm, []int64{cid}, vals); err != nil {
				return err
			}
		case 2:
			if err := e.unlink(cm, []int64{cid}); err != nil {
				return err
			}
			if f.typ == tMany2many {
				setM2M(slices.DeleteFunc(current(), func(x int64) bool { return x == cid }))
			}
		case 3:
			if err := unlinkRel(cid); err != nil {
				return err
			}
		case 4:
			if !e.exists(cm.name, cid) {
				return missingError(cm.name, []int64{cid}, e.uid)
			}
			if err := link(cid); err != nil {
				return err
			}
		case 5, 6:
			var keep []int64
			if op == 6 {
				l, _ := arg(2).([]any)
				for _, x := range l {
					if xid, ok := asInt(x); ok {
						keep = append(keep, xid)
					}
				}
			}
			for _, old := range current() {
				if !slices.Contains(keep, old) {
					if err := unlinkRel(old); err != nil {
						return err
					}
				}
			}
			for _, k := range keep {
				if !e.exists(cm.name, k) {
					return missingError(cm.name, []int64{k}, e.uid)
				}
				if err := link(k); err != nil {
					return err
				}
			}
		default:
			return valueError(fmt.Sprintf("Wrong value for %s.%s: %s", m.name, f.name, pyRepr(v)), "raise ValueError(")
		}
	}
	return nil
}

// unlink deletes records, cascading like the database's foreign keys.
func (e *env) unlink(m *model, ids []int64) *odooError {
	if err := e.checkAccess(m, permUnlink); err != nil {
		return err
	}
	if _, missing := e.existing(m, ids); len(missing) > 0 {
		return missingError(m.name, missing, e.uid)
	}
	if m.beforeUnlink != nil {
		if err := m.beforeUnlink(e, ids); err != nil {
			return err
		}
	}
	su := e.sudo()
	for _, om := range e.db.models {
		for _, f := range om.fields {
			if !f.stored() || f.rel != m.name || (f.typ != tMany2one && f.typ != tMany2many) {
				continue
			}
			tb := e.db.tables[om.name]
			var oids []int64
			if f.typ == tMany2one {
				oids = e.withValues(om.name, f.name, ids)
			} else {
				oids = slices.Collect(maps.Keys(tb.rows))
			}
			for _, oid := range oids {
				r, ok := tb.rows[oid]
				if !ok {
					continue // unlinked by a cascade above
				}
				switch f.typ {
				case tMany2one:
					ref, _ := r[f.name].(int64)
					if ref == 0 || !slices.Contains(ids, ref) || (om == m && slices.Contains(ids, oid)) {
						continue
					}
					switch f.ondelete {
					case "cascade":
						if err := su.unlink(om, []int64{oid}); err != nil {
							return err
						}
					case "restrict":
						return fkError(m, fmt.Sprintf("%s_%s_fkey", tableName(om.name), f.name))
					default:
						e.set(om, oid, f.name, int64(0))
					}
				case tMany2many:
					l, _ := r[f.name].([]int64)
					if slices.ContainsFunc(l, func(x int64) bool { return slices.Contains(ids, x) }) {
						e.set(om, oid, f.name, slices.DeleteFunc(slices.Clone(l), func(x int64) bool { return slices.Contains(ids, x) }))
					}
				}
			}
		}
	}
	for _, id := range ids {
		if e.exists(m.name, id) {
			e.touch(m.name, id)
			e.db.tables[m.name].remove(id)
		}
	}
	return nil
}

// read returns one dict per existing id ("id" first, then fields in the
// order asked). Missing ids are skipped, as Odoo 18 does.
func (e *env) read(m *model, ids []int64, fields []string) ([]any, *odooError) {
	if err := e.checkAccess(m, permRead); err != nil {
		return nil, err
	}
	if len(fields) == 0 {
		for _, f := range e.allFields(m) {
			fields = append(fields, f.name)
		}
	}
	fs := make([]*field, len(fields))
	for i, name := range fields {
		if name == "id" {
			continue
		}
		f, ok := e.field(m, name)
		if !ok {
			return nil, newPyError(clsValueError, fmt.Sprintf("Invalid field %s on model %s", pyStrRepr(name), pyStrRepr(m.name)), framesSearchReadBadField[2:])
		}
		fs[i] = f
	}
	out := []any{}
	seen := map[int64]bool{}
	for _, id := range ids {
		if seen[id] || !e.exists(m.name, id) {
			continue
		}
		seen[id] = true
		d := newDict("id", id)
		for i, name := range fields {
			if fs[i] == nil {
				continue
			}
			d.Set(name, e.readValue(m, id, fs[i]))
		}
		out = append(out, d)
	}
	return out, nil
}

func (e *env) readValue(m *model, id int64, f *field) any {
	if f.name == "display_name" {
		return e.displayName(m, id)
	}
	return e.wire(f, e.get(m, id, f.name))
}
