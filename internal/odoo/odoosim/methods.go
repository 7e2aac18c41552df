package odoosim

import (
	"fmt"
	"slices"
	"strings"
)

// Methods callable over RPC, with Python's argument binding: positional
// args, then keyword args, defaults, and Python's TypeError texts when a
// call does not fit the signature (JSON-2 reports inspect.Signature.bind's
// texts instead, with HTTP 422).

type param struct {
	name string
	def  any
	req  bool
}

func req(name string) param        { return param{name: name, req: true} }
func opt(name string, d any) param { return param{name: name, def: d} }

type method struct {
	params []param
	// multi methods run on records: execute_kw's first argument is ids.
	multi bool
	// varkw accepts **kwargs (search_read passes them to read).
	varkw bool
	fn    func(c *call) (any, *odooError)
}

type call struct {
	e     *env
	m     *model
	name  string
	ids   []int64
	args  map[string]any
	extra *pyDict
	json2 bool
}

func (c *call) arg(name string) any { return c.args[name] }

func (c *call) intArg(name string) int64 {
	i, _ := asInt(c.args[name])
	return i
}

func (c *call) strArg(name string) string {
	s, _ := c.args[name].(string)
	return s
}

func typeError(msg string) *odooError {
	return newPyError(clsTypeError, msg, nil)
}

// bind applies Python's rules for a call with positional args and kwargs.
func (mt *method) bind(name string, args []any, kwargs *pyDict) (map[string]any, *pyDict, *odooError) {
	out := map[string]any{}
	if len(args) > len(mt.params) {
		return nil, nil, typeError(fmt.Sprintf("%s() takes %d positional argument%s but %d were given",
			name, len(mt.params)+1, plural(len(mt.params)+1), len(args)+1))
	}
	for i, a := range args {
		out[mt.params[i].name] = a
	}
	extra := newDict()
	for _, k := range kwargs.Keys() {
		v, _ := kwargs.Get(k)
		if slices.ContainsFunc(mt.params, func(p param) bool { return p.name == k }) {
			if _, dup := out[k]; dup {
				return nil, nil, typeError(fmt.Sprintf("%s() got multiple values for argument '%s'", name, k))
			}
			out[k] = v
			continue
		}
		if !mt.varkw {
			return nil, nil, typeError(fmt.Sprintf("%s() got an unexpected keyword argument '%s'", name, k))
		}
		extra.Set(k, v)
	}
	var missing []string
	for _, p := range mt.params {
		if _, ok := out[p.name]; ok {
			continue
		}
		if p.req {
			missing = append(missing, "'"+p.name+"'")
			continue
		}
		out[p.name] = p.def
	}
	if len(missing) > 0 {
		list := missing[0]
		if len(missing) > 1 {
			list = strings.Join(missing[:len(missing)-1], ", ") + " and " + missing[len(missing)-1]
		}
		return nil, nil, typeError(fmt.Sprintf("%s() missing %d required positional argument%s: %s", name, len(missing), plural(len(missing)), list))
	}
	return out, extra, nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// idsArg turns execute_kw's first argument (an id or a list) into ids.
func idsArg(v any) ([]int64, *odooError) {
	switch x := v.(type) {
	case nil, bool:
		return nil, nil
	case []any:
		out := make([]int64, 0, len(x))
		for _, y := range x {
			id, ok := asInt(y)
			if !ok {
				return nil, typeError(fmt.Sprintf("'%s' object cannot be interpreted as an integer", pyTypeName(y)))
			}
			out = append(out, id)
		}
		return out, nil
	}
	if id, ok := asInt(v); ok {
		return []int64{id}, nil
	}
	return nil, typeError(fmt.Sprintf("'%s' object cannot be interpreted as an integer", pyTypeName(v)))
}

func idList(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

func stringList(v any) ([]string, bool) {
	switch x := v.(type) {
	case nil, bool:
		return nil, true
	case string:
		return []string{x}, true
	case []any:
		out := make([]string, 0, len(x))
		for _, y := range x {
			s, ok := y.(string)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	return nil, false
}

// ---------------------------------------------------------------------------
// BaseModel methods

func (d *db) baseMethods() map[string]*method {
	v16 := d.version == "16.0"
	domainName := "domain"
	if v16 {
		domainName = "args"
	}
	ms := map[string]*method{
		"search": {params: []param{req(domainName), opt("offset", int64(0)), opt("limit", nil), opt("order", nil)}, fn: mSearch(domainName)},
		"search_count": {params: []param{req(domainName), opt("limit", nil)}, fn: func(c *call) (any, *odooError) {
			ids, err := c.e.search(c.m, c.arg(domainName), 0, c.intArg("limit"), "")
			if err != nil {
				return nil, err
			}
			return int64(len(ids)), nil
		}},
		"search_read": {params: []param{opt("domain", nil), opt("fields", nil), opt("offset", int64(0)), opt("limit", nil), opt("order", nil)}, varkw: true, fn: mSearchRead},
		"read":        {multi: true, params: []param{opt("fields", nil), opt("load", "_classic_read")}, fn: mRead},
		"create":      {params: []param{req("vals_list")}, fn: mCreate},
		"write": {multi: true, params: []param{req("vals")}, fn: func(c *call) (any, *odooError) {
			vals, ok := c.arg("vals").(*pyDict)
			if !ok {
				return nil, newPyError(clsAttribute, fmt.Sprintf("'%s' object has no attribute 'items'", pyTypeName(c.arg("vals"))), nil)
			}
			if err := c.e.write(c.m, c.ids, vals); err != nil {
				return nil, err
			}
			return true, nil
		}},
		"unlink": {multi: true, fn: func(c *call) (any, *odooError) {
			if err := c.e.unlink(c.m, c.ids); err != nil {
				return nil, err
			}
			return true, nil
		}},
		"exists": {multi: true, fn: func(c *call) (any, *odooError) {
			have, _ := c.e.existing(c.m, c.ids)
			return idList(have), nil
		}},
		"name_search": {params: []param{opt("name", ""), opt(map[bool]string{true: "args", false: "domain"}[v16], nil), opt("operator", "ilike"), opt("limit", int64(100))}, fn: mNameSearch(v16)},
		"fields_get":  {params: []param{opt("allfields", nil), opt("attributes", nil)}, fn: mFieldsGet},
		"read_group":  {params: []param{req("domain"), req("fields"), req("groupby"), opt("offset", int64(0)), opt("limit", nil), opt("orderby", false), opt("lazy", true)}, fn: mReadGroup},
	}
	if v16 {
		ms["search"].params = append(ms["search"].params, opt("count", false))
		ms["name_get"] = &method{multi: true, fn: func(c *call) (any, *odooError) {
			if err := c.e.checkAccess(c.m, permRead); err != nil {
				return nil, err
			}
			out := []any{}
			for _, id := range c.ids {
				if c.e.exists(c.m.name, id) {
					out = append(out, []any{id, c.e.displayName(c.m, id)})
				}
			}
			return out, nil
		}}
	}
	return ms
}

func mSearch(domainName string) func(c *call) (any, *odooError) {
	return func(c *call) (any, *odooError) {
		order, _ := c.arg("order").(string)
		ids, err := c.e.search(c.m, c.arg(domainName), c.intArg("offset"), c.intArg("limit"), order)
		if err != nil {
			return nil, err
		}
		if truthy(c.arg("count")) {
			return int64(len(ids)), nil
		}
		return idList(ids), nil
	}
}

func mSearchRead(c *call) (any, *odooError) {
	fields, ok := stringList(c.arg("fields"))
	if !ok {
		return nil, typeError("fields must be a list of field names")
	}
	// Odoo 17+ checks the field names before it searches.
	for _, name := range fields {
		if _, ok := c.e.field(c.m, name); !ok && name != "id" {
			return nil, newPyError(clsValueError, fmt.Sprintf("Invalid field %s on model %s", pyStrRepr(name), pyStrRepr(c.m.name)), framesSearchReadBadField)
		}
	}
	order, _ := c.arg("order").(string)
	ids, err := c.e.search(c.m, c.arg("domain"), c.intArg("offset"), c.intArg("limit"), order)
	if err != nil {
		return nil, err
	}
	load, hasLoad := c.extra.Get("load")
	return c.e.readLoad(c.m, ids, fields, !hasLoad || truthy(load))
}

func mRead(c *call) (any, *odooError) {
	fields, ok := stringList(c.arg("fields"))
	if !ok {
		return nil, typeError("fields must be a list of field names")
	}
	return c.e.readLoad(c.m, c.ids, fields, truthy(c.arg("load")))
}

// readLoad is read() honouring load=None (bare many2one ids).
func (e *env) readLoad(m *model, ids []int64, fields []string, classic bool) ([]any, *odooError) {
	rows, err := e.read(m, ids, fields)
	if err != nil || classic {
		return rows, err
	}
	for _, r := range rows {
		d := r.(*pyDict)
		for _, k := range d.Keys() {
			if f, ok := e.field(m, k); ok && f.typ == tMany2one {
				if l, ok := d.vals[k].([]any); ok {
					d.Set(k, l[0])
				}
			}
		}
	}
	return rows, nil
}

func mCreate(c *call) (any, *odooError) {
	switch v := c.arg("vals_list").(type) {
	case *pyDict:
		id, err := c.e.create(c.m, v)
		if err != nil {
			return nil, err
		}
		if c.json2 {
			return []any{id}, nil
		}
		return id, nil
	case []any:
		ids := []any{}
		for _, x := range v {
			d, ok := x.(*pyDict)
			if !ok {
				return nil, newPyError(clsAttribute, fmt.Sprintf("'%s' object has no attribute 'items'", pyTypeName(x)), nil)
			}
			id, err := c.e.create(c.m, d)
			if err != nil {
				return nil, err
			}
			ids = append(ids, id)
		}
		return ids, nil
	}
	return nil, newPyError(clsAttribute, fmt.Sprintf("'%s' object has no attribute 'items'", pyTypeName(c.arg("vals_list"))), nil)
}

func mNameSearch(v16 bool) func(c *call) (any, *odooError) {
	return func(c *call) (any, *odooError) {
		dom := c.arg("domain")
		if v16 {
			dom = c.arg("args")
		}
		name := c.strArg("name")
		op := c.strArg("operator")
		if op == "" {
			op = "ilike"
		}
		ids, err := c.e.search(c.m, dom, 0, 0, "")
		if err != nil {
			return nil, err
		}
		limit := c.intArg("limit")
		out := []any{}
		for _, id := range ids {
			if limit > 0 && int64(len(out)) >= limit {
				break
			}
			dn := c.e.displayName(c.m, id)
			hit := name == "" || c.e.matchScalar(dn, op, name)
			// Products and partners also match on their reference codes.
			if !hit && name != "" {
				for _, alt := range []string{"default_code", "ref", "barcode", "code"} {
					if f, ok := c.e.field(c.m, alt); ok && f.typ == tChar {
						if s := c.e.getStr(c.m, id, alt); s != "" && c.e.matchScalar(s, op, name) {
							hit = true
							break
						}
					}
				}
			}
			if hit {
				out = append(out, []any{id, dn})
			}
		}
		return out, nil
	}
}

func mFieldsGet(c *call) (any, *odooError) {
	if err := c.e.checkAccess(c.m, permRead); err != nil {
		return nil, err
	}
	want, _ := stringList(c.arg("allfields"))
	attrs, _ := stringList(c.arg("attributes"))
	out := newDict()
	all := append([]*field{{name: "id", typ: tInteger, label: "ID", readonly: true}, {name: "display_name", typ: tChar, label: "Display Name", readonly: true, compute: func(*env, int64) any { return nil }}}, c.e.allFields(c.m)...)
	for _, f := range all {
		if len(want) > 0 && !slices.Contains(want, f.name) {
			continue
		}
		if out.Has(f.name) {
			continue
		}
		d := newDict()
		put := func(k string, v any) {
			if len(attrs) == 0 || slices.Contains(attrs, k) {
				d.Set(k, v)
			}
		}
		put("type", f.typ.String())
		put("string", f.label)
		put("required", f.required)
		put("readonly", f.readonly || (f.compute != nil && f.inverse == nil))
		put("store", f.stored() || f.name == "id")
		put("searchable", true)
		put("sortable", f.stored() || f.name == "id")
		if f.rel != "" {
			put("relation", f.rel)
		}
		if f.inv != "" {
			put("relation_field", f.inv)
		}
		if f.typ == tSelection {
			sel := []any{}
			for _, o := range f.sel {
				sel = append(sel, []any{o[0], o[1]})
			}
			put("selection", sel)
		}
		out.Set(f.name, d)
	}
	return out, nil
}

// mReadGroup is the legacy read_group: grouping by one field (the first of
// groupby when lazy), summing numeric fields ("qty:sum" or plain names).
func mReadGroup(c *call) (any, *odooError) {
	groupby, _ := stringList(c.arg("groupby"))
	fieldsSpec, _ := stringList(c.arg("fields"))
	lazy := truthy(c.arg("lazy"))
	if len(groupby) == 0 {
		return nil, valueError("read_group() needs a groupby", "raise ValueError(")
	}
	gbs := groupby
	if lazy {
		gbs = groupby[:1]
	}
	for _, g := range gbs {
		if _, ok := c.e.field(c.m, strings.Split(g, ":")[0]); !ok {
			return nil, valueError(fmt.Sprintf("Invalid field %s on model %s", pyStrRepr(g), pyStrRepr(c.m.name)), "raise ValueError(")
		}
	}
	type agg struct{ name, fn, field string }
	var aggs []agg
	for _, s := range fieldsSpec {
		name, fn, _ := strings.Cut(s, ":")
		fname := name
		if fn != "" && strings.Contains(fn, "(") { // "total:sum(amount)"
			fn, fname, _ = strings.Cut(strings.TrimSuffix(fn, ")"), "(")
		}
		f, ok := c.e.field(c.m, fname)
		if !ok {
			return nil, valueError(fmt.Sprintf("Invalid field %s on model %s", pyStrRepr(fname), pyStrRepr(c.m.name)), "raise ValueError(")
		}
		if slices.Contains(gbs, name) || (f.typ != tInteger && f.typ != tFloat && f.typ != tMonetary) {
			continue
		}
		if fn == "" {
			fn = "sum"
		}
		aggs = append(aggs, agg{name, fn, fname})
	}
	ids, err := c.e.search(c.m, c.arg("domain"), 0, 0, "")
	if err != nil {
		return nil, err
	}
	type group struct {
		key  []any
		ids  []int64
		wire []any
	}
	var groups []*group
	index := map[string]*group{}
	for _, id := range ids {
		var key, wire []any
		for _, g := range gbs {
			f, _ := c.e.field(c.m, g)
			v := c.e.get(c.m, id, g)
			key = append(key, v)
			wire = append(wire, c.e.wire(f, v))
		}
		k := fmt.Sprint(key...)
		gr := index[k]
		if gr == nil {
			gr = &group{key: key, wire: wire}
			index[k] = gr
			groups = append(groups, gr)
		}
		gr.ids = append(gr.ids, id)
	}
	out := []any{}
	for _, gr := range groups {
		d := newDict()
		var dom []any
		for i, g := range gbs {
			d.Set(g, gr.wire[i])
			val := gr.key[i]
			if id, ok := val.(int64); ok && id == 0 {
				val = false
			} else if val == nil {
				val = false
			}
			dom = append(dom, []any{g, "=", val})
		}
		if lazy {
			d.Set(gbs[0]+"_count", int64(len(gr.ids)))
		} else {
			d.Set("__count", int64(len(gr.ids)))
		}
		for _, a := range aggs {
			var acc float64
			isInt := true
			for i, id := range gr.ids {
				x, _ := asFloat(c.e.get(c.m, id, a.field))
				f, _ := c.e.field(c.m, a.field)
				isInt = f.typ == tInteger
				switch a.fn {
				case "max":
					if i == 0 || x > acc {
						acc = x
					}
				case "min":
					if i == 0 || x < acc {
						acc = x
					}
				default:
					acc += x
				}
			}
			if a.fn == "avg" && len(gr.ids) > 0 {
				acc /= float64(len(gr.ids))
			}
			if isInt && a.fn != "avg" {
				d.Set(a.name, int64(acc))
			} else {
				d.Set(a.name, acc)
			}
		}
		// Implicit and: the group's leaves, then the caller's domain.
		full := append([]any{}, dom...)
		if base, ok := c.arg("domain").([]any); ok {
			full = append(full, base...)
		}
		d.Set("__domain", full)
		out = append(out, d)
	}
	return out, nil
}
