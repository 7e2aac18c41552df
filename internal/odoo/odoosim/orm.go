package odoosim

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"
)

// The in-memory ORM: models with typed fields, rows keyed by id, and the
// generic methods Odoo's BaseModel offers over RPC. Internal values are:
//
//	char/text/html/selection/date/datetime: string, nil when empty
//	integer: int64; float/monetary: float64; boolean: bool
//	many2one: int64, 0 when empty; many2many: []int64
//	one2many: not stored, derived from the inverse many2one
//
// and are converted to Odoo's wire values (false for empty, [id, name] for
// many2one…) only when read.

type fieldType uint8

const (
	tChar fieldType = iota
	tText
	tHTML
	tSelection
	tInteger
	tFloat
	tMonetary
	tBoolean
	tDate
	tDatetime
	tMany2one
	tOne2many
	tMany2many
	tBinary
)

var fieldTypeNames = [...]string{"char", "text", "html", "selection", "integer", "float", "monetary", "boolean", "date", "datetime", "many2one", "one2many", "many2many", "binary"}

func (t fieldType) String() string { return fieldTypeNames[t] }

type field struct {
	name     string
	typ      fieldType
	label    string
	rel      string      // comodel of relational fields
	inv      string      // one2many: the many2one on the comodel
	sel      [][2]string // selection (value, label)
	required bool
	readonly bool
	// ondelete for many2one: "set null" (default), "cascade", "restrict".
	ondelete string
	// compute makes the field computed and not stored: it returns the
	// internal value. inverse, if set, makes it writable.
	compute func(e *env, id int64) any
	inverse func(e *env, id int64, v any) *odooError
	// related is a dotted path read (and written) through many2ones.
	related string
	def     func(e *env, vals *pyDict) any
}

func (f *field) stored() bool {
	return f.compute == nil && f.related == "" && f.typ != tOne2many
}

func (f *field) relational() bool {
	return f.typ == tMany2one || f.typ == tOne2many || f.typ == tMany2many
}

type model struct {
	name        string
	description string
	fields      []*field
	byName      map[string]*field
	order       string // _order
	// delegate is _inherits: fields of the parent model are readable and
	// writable through the many2one delegField.
	delegate, delegField string
	displayName          func(e *env, id int64) string
	methods              map[string]*method
	// hooks run inside the transaction of create/write/unlink.
	afterCreate  func(e *env, id int64, vals *pyDict) *odooError
	afterWrite   func(e *env, ids []int64, vals *pyDict) *odooError
	beforeUnlink func(e *env, ids []int64) *odooError
	constraints  []func(e *env, ids []int64, vals *pyDict) *odooError
	// readOnlyRPC marks models whose rows only the simulator writes.
	readOnlyRPC bool
}

func (m *model) add(fs ...*field) {
	for _, f := range fs {
		if _, dup := m.byName[f.name]; dup {
			// A later definition (a version profile) replaces the base one.
			i := slices.IndexFunc(m.fields, func(x *field) bool { return x.name == f.name })
			m.fields[i] = f
		} else {
			m.fields = append(m.fields, f)
		}
		m.byName[f.name] = f
	}
}

// field looks name up on the model, then on its _inherits parent.
func (e *env) field(m *model, name string) (*field, bool) {
	if f, ok := m.byName[name]; ok {
		return f, true
	}
	if m.delegate != "" {
		if f, ok := e.db.models[m.delegate].byName[name]; ok {
			return f, true
		}
	}
	return nil, false
}

// allFields lists the model's fields, then the delegated ones.
func (e *env) allFields(m *model) []*field {
	out := slices.Clone(m.fields)
	if m.delegate != "" {
		for _, f := range e.db.models[m.delegate].fields {
			if _, own := m.byName[f.name]; !own {
				out = append(out, f)
			}
		}
	}
	return out
}

type row map[string]any

type table struct {
	rows map[int64]row
	next int64
	idx  map[string]index // see index.go
}

// db is one Odoo database: the registry of models for a version, their
// rows, and the named sequences (S00001, WH/OUT/00001…).
type db struct {
	name    string
	version string
	models  map[string]*model
	tables  map[string]*table
	seqs    map[string]int64
	now     func() time.Time
	users   map[int64]*user
}

// nextSeq returns the next number of a named sequence. Like PostgreSQL
// sequences, numbers are not given back when a transaction rolls back.
func (d *db) nextSeq(name string) int64 {
	d.seqs[name]++
	return d.seqs[name]
}

// tx journals rows before their first change so that a failed call leaves
// the database as it was, as Odoo's per-call transaction does. Ids are not
// given back (PostgreSQL sequences are not transactional either).
type tx struct {
	saved map[string]map[int64]row // nil row: created in this tx
}

func (e *env) touch(model string, id int64) {
	if e.tx == nil {
		return
	}
	t := e.tx.saved[model]
	if t == nil {
		t = map[int64]row{}
		e.tx.saved[model] = t
	}
	if _, ok := t[id]; ok {
		return
	}
	if r, ok := e.db.tables[model].rows[id]; ok {
		c := maps.Clone(r)
		for k, v := range c {
			if l, ok := v.([]int64); ok {
				c[k] = slices.Clone(l)
			}
		}
		t[id] = c
	} else {
		t[id] = nil
	}
}

func (e *env) rollback() {
	if e.tx == nil {
		return
	}
	for model, rows := range e.tx.saved {
		tb := e.db.tables[model]
		for id, r := range rows {
			if r == nil {
				tb.remove(id)
			} else {
				tb.put(id, r)
			}
		}
	}
	e.tx.saved = map[string]map[int64]row{}
}

// env is Odoo's Environment: who calls, with which context.
type env struct {
	db  *db
	uid int64
	ctx *pyDict
	su  bool // superuser: no access checks (the simulator's own work)
	tx  *tx
}

func (e *env) sudo() *env { c := *e; c.su = true; return &c }

func (e *env) withContext(kv ...any) *env {
	c := *e
	c.ctx = e.ctx.Copy()
	for i := 0; i+1 < len(kv); i += 2 {
		c.ctx.Set(kv[i].(string), kv[i+1])
	}
	return &c
}

func (e *env) ctxGet(k string) any { v, _ := e.ctx.Get(k); return v }

func (e *env) model(name string) *model { return e.db.models[name] }

func (e *env) now() string { return e.db.now().UTC().Format(time.DateTime) }

func (e *env) exists(model string, id int64) bool {
	_, ok := e.db.tables[model].rows[id]
	return ok
}

// ---------------------------------------------------------------------------
// Reading values

// get returns the internal value of a field, following related paths,
// _inherits delegation, computes and one2many inverses.
func (e *env) get(m *model, id int64, name string) any {
	f, own := m.byName[name]
	if !own && m.delegate != "" {
		if pf, ok := e.db.models[m.delegate].byName[name]; ok {
			pid, _ := e.db.tables[m.name].rows[id][m.delegField].(int64)
			if pid == 0 {
				return zeroValue(pf)
			}
			return e.get(e.db.models[m.delegate], pid, name)
		}
	}
	if f == nil {
		return nil
	}
	switch {
	case f.compute != nil:
		return f.compute(e, id)
	case f.related != "":
		cur, curID := m, id
		path := strings.Split(f.related, ".")
		for _, p := range path[:len(path)-1] {
			pf, _ := e.field(cur, p)
			next, _ := e.get(cur, curID, p).(int64)
			if next == 0 {
				return zeroValue(f)
			}
			cur, curID = e.db.models[pf.rel], next
		}
		return e.get(cur, curID, path[len(path)-1])
	case f.typ == tOne2many:
		cm := e.db.models[f.rel]
		if inv, ok := cm.byName[f.inv]; ok && inv.stored() && inv.typ == tMany2one {
			ids := e.refs(cm.name, f.inv, id)
			e.sortIDs(cm, ids, cm.order)
			return ids
		}
		return e.searchIDs(cm, func(cid int64) bool {
			v, _ := e.get(e.db.models[f.rel], cid, f.inv).(int64)
			return v == id
		})
	}
	v, ok := e.db.tables[m.name].rows[id][name]
	if !ok {
		return zeroValue(f)
	}
	return v
}

func zeroValue(f *field) any {
	switch f.typ {
	case tInteger:
		return int64(0)
	case tFloat, tMonetary:
		return 0.0
	case tBoolean:
		return false
	case tMany2one:
		return int64(0)
	case tOne2many, tMany2many:
		return []int64{}
	}
	return nil
}

func (e *env) getStr(m *model, id int64, name string) string {
	s, _ := e.get(m, id, name).(string)
	return s
}

func (e *env) getID(m *model, id int64, name string) int64 {
	v, _ := e.get(m, id, name).(int64)
	return v
}

func (e *env) getFloat(m *model, id int64, name string) float64 {
	v, _ := e.get(m, id, name).(float64)
	return v
}

func (e *env) getIDs(m *model, id int64, name string) []int64 {
	v, _ := e.get(m, id, name).([]int64)
	return v
}

// searchIDs returns the ids of m's rows matching pred, by default order.
func (e *env) searchIDs(m *model, pred func(id int64) bool) []int64 {
	var out []int64
	for id := range e.db.tables[m.name].rows {
		if pred == nil || pred(id) {
			out = append(out, id)
		}
	}
	e.sortIDs(m, out, m.order)
	return out
}

func (e *env) displayName(m *model, id int64) string {
	if m.displayName != nil {
		return m.displayName(e, id)
	}
	if _, ok := e.field(m, "name"); ok {
		if s := e.getStr(m, id, "name"); s != "" {
			return s
		}
	}
	return fmt.Sprintf("%s,%d", m.name, id)
}

// wire converts an internal value to what Odoo puts on the wire.
func (e *env) wire(f *field, v any) any {
	switch f.typ {
	case tMany2one:
		id, _ := v.(int64)
		if id == 0 {
			return false
		}
		return []any{id, e.displayName(e.db.models[f.rel], id)}
	case tOne2many, tMany2many:
		ids, _ := v.([]int64)
		out := make([]any, len(ids))
		for i, id := range ids {
			out[i] = id
		}
		return out
	case tInteger, tFloat, tMonetary, tBoolean:
		if v == nil {
			return zeroValue(f)
		}
		return v
	}
	if v == nil {
		return false
	}
	return v
}

// ---------------------------------------------------------------------------
// Access rights

type perm byte

const (
	permRead   perm = 'r'
	permWrite  perm = 'w'
	permCreate perm = 'c'
	permUnlink perm = 'd'
)

var permVerb = map[perm]string{permRead: "access", permWrite: "modify", permCreate: "create", permUnlink: "delete"}

func (e *env) checkAccess(m *model, p perm) *odooError {
	if e.su {
		return nil
	}
	// Users, groups, models and modules are the simulator's own
	// configuration: nobody changes them over RPC (not even an admin, who
	// could in Odoo).
	if m.readOnlyRPC && p != permRead {
		return e.aclError(m, p, nil)
	}
	u := e.db.users[e.uid]
	if u != nil && u.has("base.group_system") {
		return nil
	}
	rules := aclFor(e.db.version, m.name)
	var allowed []string
	for _, r := range rules {
		if strings.IndexByte(r.perms, byte(p)) < 0 {
			continue
		}
		if u != nil && u.has(r.group) {
			return nil
		}
		allowed = append(allowed, groupFullName(r.group))
	}
	return e.aclError(m, p, allowed)
}

func (e *env) aclError(m *model, p perm, groups []string) *odooError {
	slices.Sort(groups)
	groups = slices.Compact(groups)
	var list string
	if len(groups) == 0 {
		list = "No group currently allows this operation."
	} else {
		list = "This operation is allowed for the following groups:\n\t- " + strings.Join(groups, "\n\t- ")
	}
	msg := fmt.Sprintf("You are not allowed to %s '%s' (%s) records.\n\n%s\n\nContact your administrator to request access if necessary.",
		permVerb[p], m.description, m.name, list)
	return newPyError(clsAccessError, msg, []frame{odooFrame("models.py", 4093, "check_access", "raise self.env['ir.model.access']._make_access_error(self._name, operation)")})
}

// ---------------------------------------------------------------------------
// Sorting

type orderTerm struct {
	field string
	desc  bool
}

func parseOrder(e *env, m *model, spec string) ([]orderTerm, *odooError) {
	var out []orderTerm
	for _, part := range strings.Split(spec, ",") {
		words := strings.Fields(part)
		if len(words) == 0 {
			continue
		}
		t := orderTerm{field: words[0]}
		ok := len(words) <= 4
		if len(words) >= 2 {
			switch strings.ToLower(words[1]) {
			case "asc":
			case "desc":
				t.desc = true
			default:
				ok = false
			}
		}
		if _, known := e.field(m, t.field); !known && t.field != "id" {
			ok = false
		}
		if !ok {
			return nil, valueError(fmt.Sprintf("Invalid \"order\" specified (%s). A valid \"order\" specification is a comma-separated list of valid field names (optionally followed by asc/desc for the direction)", spec),
				`raise ValueError(_("Invalid \"order\" specified (%s)."`)
		}
		out = append(out, t)
	}
	return out, nil
}

func (e *env) sortIDs(m *model, ids []int64, spec string) {
	terms, err := parseOrder(e, m, spec)
	if err != nil || len(terms) == 0 {
		terms = []orderTerm{{field: "id"}}
	}
	keys := make(map[int64][]any, len(ids))
	for _, id := range ids {
		k := make([]any, len(terms))
		for i, t := range terms {
			k[i] = e.sortKey(m, id, t.field)
		}
		keys[id] = k
	}
	sort.SliceStable(ids, func(a, b int) bool {
		ka, kb := keys[ids[a]], keys[ids[b]]
		for i, t := range terms {
			c := compareSortKeys(ka[i], kb[i], t.desc)
			if c != 0 {
				return c < 0
			}
		}
		return ids[a] < ids[b]
	})
}

func (e *env) sortKey(m *model, id int64, name string) any {
	if name == "id" {
		return id
	}
	f, _ := e.field(m, name)
	v := e.get(m, id, name)
	if f.typ == tMany2one {
		rid, _ := v.(int64)
		if rid == 0 {
			return nil
		}
		return e.displayName(e.db.models[f.rel], rid)
	}
	if f.relational() {
		return nil
	}
	return v
}

// compareSortKeys orders like PostgreSQL: NULLs last ascending, first
// descending.
func compareSortKeys(a, b any, desc bool) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		if desc {
			return -1
		}
		return 1
	case b == nil:
		if desc {
			return 1
		}
		return -1
	}
	c := compareValues(a, b)
	if desc {
		c = -c
	}
	return c
}

func compareValues(a, b any) int {
	if fa, ok := asFloat(a); ok {
		if fb, ok := asFloat(b); ok {
			switch {
			case fa < fb:
				return -1
			case fa > fb:
				return 1
			}
			return 0
		}
	}
	sa, sb := fmt.Sprint(a), fmt.Sprint(b)
	return strings.Compare(sa, sb)
}
