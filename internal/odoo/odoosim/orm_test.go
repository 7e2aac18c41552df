package odoosim

import (
	"slices"
	"strings"
	"testing"
)

func TestDomains(t *testing.T) {
	t.Parallel()
	s := New(Options{})
	d := s.Seed()
	c := newClient(t, s)
	// Active partners: 1 YourCompany, 3 Mitchell Admin, 4 Joel Willis,
	// 5 ACME RETAIL, 6 its delivery address, 7 its invoice address,
	// 8 GLOBEX STORES, 9 NORTHWIND SUPPLY (2, OdooBot, is archived).
	tests := []struct {
		name   string
		domain []any
		want   []int64
	}{
		{"equal", L(L("ref", "=", "ACMERETAIL")), []int64{5}},
		{"not equal false", L(L("ref", "!=", false)), []int64{5, 8, 9}},
		{"equal false", L(L("parent_id", "=", false), L("type", "=", "contact")), []int64{1, 3, 4, 5, 8, 9}},
		{"in", L(L("barcode", "in", L(AcmeGLN, GlobexGLN))), []int64{5, 8}},
		{"not in includes empty", L(L("barcode", "not in", L(AcmeGLN))), []int64{1, 3, 4, 6, 7, 8, 9}},
		{"ilike", L(L("name", "ilike", "acme")), []int64{5, 6, 7}},
		{"like is case sensitive", L(L("name", "like", "acme")), nil},
		{"like wildcards", L(L("name", "like", "ACME%EAST")), []int64{6}},
		{"=like anchors", L(L("name", "=like", "ACME%")), []int64{5, 6, 7}},
		{"not ilike", L(L("name", "not ilike", "a")), []int64{4, 8, 9}},
		{"dotted many2one", L(L("parent_id.ref", "=", "ACMERETAIL")), []int64{6, 7}},
		{"dotted two levels", L(L("parent_id.country_id.code", "=", "US")), []int64{6, 7}},
		{"or", L("|", L("ref", "=", "GLOBEX"), L("ref", "=", "NORTHWIND")), []int64{8, 9}},
		{"not", L("!", L("is_company", "=", true)), []int64{3, 4, 6, 7}},
		{"and with greater", L("&", L("is_company", "=", true), L("customer_rank", ">", 0)), []int64{5, 8}},
		{"nested", L("|", "&", L("is_company", "=", true), L("supplier_rank", ">=", 1), L("type", "=", "invoice")), []int64{7, 9}},
		{"child_of", L(L("id", "child_of", 5)), []int64{5, 6, 7}},
		{"parent_of", L(L("id", "parent_of", 6)), []int64{5, 6}},
		{"one2many not empty", L(L("child_ids", "!=", false)), []int64{5}},
		{"one2many contains", L(L("child_ids", "in", L(6))), []int64{5}},
		{"computed many2one", L(L("commercial_partner_id", "=", 5)), []int64{5, 6, 7}},
		{"many2one by name", L(L("country_id", "ilike", "germ")), []int64{9}},
		{"=? with false is true", L(L("ref", "=?", false), L("is_company", "=", true)), []int64{1, 5, 8, 9}},
		{"=? with value", L(L("ref", "=?", "GLOBEX")), []int64{8}},
		{"active mentioned: no implicit filter", L(L("active", "=", false)), []int64{2}},
		{"true leaf", L(L(1, "=", 1), L("ref", "=", "GLOBEX")), []int64{8}},
		{"any (17+)", L(L("child_ids", "any", L(L("type", "=", "delivery")))), []int64{5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ids(c.must("res.partner", "search", L(tt.domain), nil))
			slices.Sort(got)
			if len(got) == 0 && len(tt.want) == 0 {
				return
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("search %s = %v, want %v", pyRepr(tt.domain), got, tt.want)
			}
		})
	}
	t.Run("product by barcode", func(t *testing.T) {
		bc := c.get("product.product", d.Products["SKU-1001"], "barcode").(string)
		got := ids(c.must("product.product", "search", L(L(L("barcode", "=", bc))), nil))
		if !slices.Equal(got, []int64{d.Products["SKU-1001"]}) {
			t.Errorf("got %v", got)
		}
	})
}

func TestDomainErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		version, name string
		domain        []any
		wantName      string
		wantMsg       string
	}{
		{"18.0", "unknown field", L(L("nope", "=", 1)), clsValueError, "Invalid field res.partner.nope in leaf ('nope', '=', 1)"},
		{"19.0", "unknown field (19 wording)", L(L("bad field", "=", "foo")), clsValueError, "Invalid field res.partner.bad field in condition ('bad field', '=', 'foo')"},
		{"18.0", "unknown dotted field", L(L("parent_id.nope", "=", "x")), clsValueError, "Invalid field res.partner.nope in leaf ('parent_id.nope', '=', 'x')"},
		{"18.0", "missing operand", L("&", L("ref", "=", "x")), clsValueError, "Domain ['&', ['ref', '=', 'x']] is syntactically not correct."},
		{"18.0", "bad operator", L(L("ref", "~", "x")), clsValueError, "Invalid leaf ('ref', '~', 'x')"},
		{"16.0", "any before 17", L(L("child_ids", "any", L())), clsValueError, "Invalid leaf ('child_ids', 'any', [])"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newClient(t, New(Options{Version: tt.version}))
			if msg := c.fails(tt.wantName, "res.partner", "search", L(tt.domain), nil); msg != tt.wantMsg {
				t.Errorf("message %q, want %q", msg, tt.wantMsg)
			}
		})
	}
}

func TestSearchOrderLimitOffsetCount(t *testing.T) {
	t.Parallel()
	s := New(Options{})
	d := s.Seed()
	c := newClient(t, s)
	got := ids(c.must("product.product", "search", L(L()), D("order", "default_code desc", "limit", 3, "offset", 1)))
	want := []int64{d.Products["SKU-1019"], d.Products["SKU-1018"], d.Products["SKU-1017"]}
	if !slices.Equal(got, want) {
		t.Errorf("order/limit/offset: %v, want %v", got, want)
	}
	if n := c.must("product.product", "search_count", L(L(L("default_code", "=like", "SKU-100%"))), nil); n != int64(9) {
		t.Errorf("search_count = %v, want 9", n)
	}
	msg := c.fails(clsValueError, "product.product", "search", L(L()), D("order", "nope desc"))
	if !strings.HasPrefix(msg, `Invalid "order" specified (nope desc).`) {
		t.Errorf("bad order message %q", msg)
	}
	// Default order of res.partner is complete_name ASC: the delivery
	// address "ACME RETAIL, ACME RETAIL DC EAST" sorts after "ACME RETAIL".
	rows := c.must("res.partner", "search_read", L(L(L("name", "ilike", "acme"))), D("fields", L("display_name"))).([]any)
	var names []string
	for _, r := range rows {
		v, _ := r.(*pyDict).Get("display_name")
		names = append(names, v.(string))
	}
	wantNames := []string{"ACME RETAIL", "ACME RETAIL, ACME RETAIL Accounts Payable", "ACME RETAIL, ACME RETAIL DC EAST"}
	if !slices.Equal(names, wantNames) {
		t.Errorf("display names %q, want %q", names, wantNames)
	}
}

func TestCRUD(t *testing.T) {
	t.Parallel()
	s := New(Options{})
	s.Seed()
	c := newClient(t, s)

	id := c.must("res.partner", "create", L(D("name", "Parent Co", "is_company", true, "child_ids", L(
		L(0, 0, D("name", "Alice")), L(0, 0, D("name", "Bob", "type", "delivery")))))).(int64)
	kids := ids(c.get("res.partner", id, "child_ids"))
	if len(kids) != 2 {
		t.Fatalf("children %v", kids)
	}
	if got := c.get("res.partner", kids[1], "display_name"); got != "Parent Co, Bob" {
		t.Errorf("child display_name %q", got)
	}
	// (1, id, vals) updates, (2, id) deletes, (4, id) links, (3, id) unlinks.
	other := c.must("res.partner", "create", L(D("name", "Carol"))).(int64)
	c.must("res.partner", "write", L(L(id), D("child_ids", L(L(1, kids[0], D("email", "a@x.example")), L(2, kids[1], 0), L(4, other, 0)))), nil)
	if got := ids(c.get("res.partner", id, "child_ids")); !slices.Equal(got, []int64{kids[0], other}) {
		t.Errorf("after commands: %v", got)
	}
	if got := c.get("res.partner", kids[0], "email"); got != "a@x.example" {
		t.Errorf("(1, id, vals) did not write: %v", got)
	}
	if rows := c.must("res.partner", "read", L(L(kids[1])), nil).([]any); len(rows) != 0 {
		t.Errorf("(2, id) did not delete")
	}
	c.must("res.partner", "write", L(L(id), D("child_ids", L(L(6, 0, L(other))))), nil)
	if got := ids(c.get("res.partner", id, "child_ids")); !slices.Equal(got, []int64{other}) {
		t.Errorf("(6, 0, ids): %v", got)
	}
	if got := c.get("res.partner", kids[0], "parent_id"); got != false {
		t.Errorf("(6, 0, ids) should unlink the others, parent_id = %v", got)
	}
	c.must("res.partner", "write", L(L(id), D("child_ids", L(L(5, 0, 0)))), nil)
	if got := ids(c.get("res.partner", id, "child_ids")); len(got) != 0 {
		t.Errorf("(5,): %v", got)
	}

	// many2many: set, then a plain id list.
	tax := c.must("account.tax", "create", L(D("name", "10%", "amount", 10.0))).(int64)
	so := c.must("sale.order", "create", L(D("partner_id", 5, "order_line", L(L(0, 0, D("product_id", 1, "product_uom_qty", 2, "price_unit", 10.0, "tax_id", L(L(6, 0, L(tax))))))))).(int64)
	if got := c.get("sale.order", so, "amount_total"); got != 22.0 {
		t.Errorf("amount_total with 10%% tax = %v, want 22.0", got)
	}

	// Lists of dicts give lists of ids; a dict gives an int.
	got := c.must("res.partner", "create", L(L(D("name", "M1"), D("name", "M2"))))
	if l, ok := got.([]any); !ok || len(l) != 2 {
		t.Errorf("create(list) = %v", pyRepr(got))
	}

	// read: missing ids are skipped, "id" comes first, load=None gives bare ids.
	rows := c.must("res.partner", "read", L(L(999999, 6)), D("fields", L("parent_id", "name"))).([]any)
	if len(rows) != 1 || strings.Join(rows[0].(*pyDict).Keys(), ",") != "id,parent_id,name" {
		t.Errorf("read = %s", pyRepr(rows))
	}
	if v, _ := rows[0].(*pyDict).Get("parent_id"); pyRepr(v) != "[5, 'ACME RETAIL']" {
		t.Errorf("many2one = %s", pyRepr(v))
	}
	rows = c.must("res.partner", "read", L(L(6), L("parent_id")), D("load", nil)).([]any)
	if v, _ := rows[0].(*pyDict).Get("parent_id"); v != int64(5) {
		t.Errorf("load=None many2one = %s", pyRepr(v))
	}

	// unlink, then MissingError on the deleted id.
	c.must("res.partner", "unlink", L(L(other)), nil)
	msg := c.fails(clsMissing, "res.partner", "write", L(L(other), D("name", "x")), nil)
	if want := "Record does not exist or has been deleted.\n(Record: res.partner(" + pyRepr(other) + ",), User: 2)"; msg != want {
		t.Errorf("MissingError %q, want %q", msg, want)
	}
}

func TestORMErrors(t *testing.T) {
	t.Parallel()
	s := New(Options{})
	s.Seed()
	c := newClient(t, s)
	tests := []struct {
		name          string
		model, method string
		args          []any
		kw            *pyDict
		wantName      string
		wantMsg       string
	}{
		{"unknown field in write", "res.partner", "write", L(L(5), D("nope", 1)), nil, clsValueError, "Invalid field 'nope' on model 'res.partner'"},
		{"unknown field in read", "res.partner", "read", L(L(5), L("nope")), nil, clsValueError, "Invalid field 'nope' on model 'res.partner'"},
		{"wrong selection", "res.partner", "write", L(L(5), D("type", "bogus")), nil, clsValueError, "Wrong value for res.partner.type: 'bogus'"},
		{"missing required", "sale.order", "create", L(D("client_order_ref", "X")), nil, clsValidation,
			"The operation cannot be completed:\n- Create/update: a mandatory field is not set.\n- Delete: another model requires the record being deleted. If possible, archive it instead.\n\nModel: Sales Order (sale.order)\nField: Customer (partner_id)\n"},
		{"foreign key", "sale.order", "create", L(D("partner_id", 999999)), nil, clsValidation,
			"The operation cannot be completed: another model requires the record being deleted. If possible, archive it instead.\n\nModel: Sales Order (sale.order)\nConstraint: sale_order_partner_id_fkey\n"},
		{"line without product", "sale.order", "create", L(D("partner_id", 5, "order_line", L(L(0, 0, D("name", "free text"))))), nil, clsValidation,
			"The operation cannot be completed: Missing required fields on accountable sale order line."},
		{"duplicate barcode", "product.product", "create", L(D("name", "Clash", "barcode", AcmeGLN)), nil, "", ""},
		{"too many args", "res.partner", "search_count", L(L(), 1, 2), nil, clsTypeError, "search_count() takes 3 positional arguments but 4 were given"},
		{"missing arg", "res.partner", "search", L(), nil, clsTypeError, "search() missing 1 required positional argument: 'domain'"},
		{"unexpected kwarg", "res.partner", "search_count", L(L()), D("bogus", 1), clsTypeError, "search_count() got an unexpected keyword argument 'bogus'"},
		{"unknown model", "no.such.model", "search", L(L()), nil, clsUserError, "Object no.such.model doesn't exist"},
		{"private method", "res.partner", "_read", L(L()), nil, clsAccessError, "Private methods (such as 'res.partner._read') cannot be called remotely."},
		{"unknown method", "res.partner", "name_get", L(L(5)), nil, clsAttribute, "The method 'res.partner.name_get' does not exist"},
		{"xmlid with spaces", "ir.model.data", "create", L(D("module", "__b2bgw__", "name", "has space", "model", "sale.order")), nil, clsValidation,
			"The operation cannot be completed: External IDs cannot contain spaces"},
		{"xmlid duplicate", "ir.model.data", "create", L(D("module", "base", "name", "main_company", "model", "res.company", "res_id", 1)), nil, clsValidation,
			"The operation cannot be completed: duplicate key value violates unique constraint \"ir_model_data_module_name_uniq_index\"\nDETAIL:  Key (module, name)=(base, main_company) already exists.\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.wantName == "" {
				return // covered below
			}
			if msg := c.fails(tt.wantName, tt.model, tt.method, tt.args, tt.kw); msg != tt.wantMsg {
				t.Errorf("message %q\nwant %q", msg, tt.wantMsg)
			}
		})
	}
	// A failed call leaves nothing behind: the order of the bad line is gone.
	if n := c.must("sale.order", "search_count", L(L()), nil); n != int64(0) {
		t.Errorf("failed creates left %v orders", n)
	}
}

func TestNameSearchFieldsGetReadGroup(t *testing.T) {
	t.Parallel()
	s := New(Options{})
	d := s.Seed()
	c := newClient(t, s)
	got := c.must("product.product", "name_search", L("SKU-1003"), nil)
	if pyRepr(got) != "[["+pyRepr(d.Products["SKU-1003"])+", '[SKU-1003] Widget Large']]" {
		t.Errorf("name_search = %s", pyRepr(got))
	}
	got = c.must("res.partner", "name_search", L("globex"), D("limit", 5))
	if pyRepr(got) != "[[8, 'GLOBEX STORES']]" {
		t.Errorf("name_search partner = %s", pyRepr(got))
	}
	fg := c.must("product.template", "fields_get", L(L("is_storable", "detailed_type", "uom_id")), D("attributes", L("type", "relation"))).(*pyDict)
	if pyRepr(fg) != "{'uom_id': {'type': 'many2one', 'relation': 'uom.uom'}, 'is_storable': {'type': 'boolean'}}" {
		t.Errorf("fields_get = %s", pyRepr(fg))
	}
	rg := c.must("stock.quant", "read_group", L(L(L("product_id", "in", L(d.Products["SKU-1001"], d.Products["SKU-1020"]))), L("quantity:sum"), L("product_id")), nil).([]any)
	if len(rg) != 2 {
		t.Fatalf("read_group = %s", pyRepr(rg))
	}
	first := rg[0].(*pyDict)
	if q, _ := first.Get("quantity"); q != 100.0 {
		t.Errorf("sum = %v", q)
	}
	if n, _ := rg[1].(*pyDict).Get("product_id_count"); n != int64(2) {
		t.Errorf("lot product has %v quants, want 2", n)
	}
}

func TestVersionFieldNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		model string
		field string
		has   map[string]bool
	}{
		{"stock.move", "quantity_done", map[string]bool{"16.0": true}},
		{"stock.move", "quantity", map[string]bool{"17.0": true, "18.0": true, "19.0": true}},
		{"stock.move", "picked", map[string]bool{"17.0": true, "18.0": true, "19.0": true}},
		{"stock.move.line", "qty_done", map[string]bool{"16.0": true}},
		{"product.template", "detailed_type", map[string]bool{"16.0": true, "17.0": true}},
		{"product.product", "is_storable", map[string]bool{"18.0": true, "19.0": true}},
		{"sale.order.line", "product_uom", map[string]bool{"16.0": true, "17.0": true, "18.0": true}},
		{"sale.order.line", "product_uom_id", map[string]bool{"19.0": true}},
		{"sale.order.line", "tax_id", map[string]bool{"16.0": true, "17.0": true, "18.0": true}},
		{"sale.order.line", "tax_ids", map[string]bool{"19.0": true}},
		{"purchase.order.line", "taxes_id", map[string]bool{"16.0": true, "17.0": true, "18.0": true}},
		{"product.template", "uom_po_id", map[string]bool{"16.0": true, "17.0": true, "18.0": true}},
		{"sale.order", "locked", map[string]bool{"17.0": true, "18.0": true, "19.0": true}},
		{"stock.picking", "move_ids_without_package", map[string]bool{"16.0": true, "17.0": true, "18.0": true}},
		{"res.users", "groups_id", map[string]bool{"16.0": true, "17.0": true, "18.0": true}},
		{"res.users", "group_ids", map[string]bool{"19.0": true}},
	}
	servers := map[string]*client{}
	for _, v := range versions {
		servers[v] = newClient(t, New(Options{Version: v}))
	}
	for _, tt := range tests {
		for _, v := range versions {
			c := servers[v]
			_, err := c.call(tt.model, "search_read", L(L()), D("fields", L(tt.field), "limit", 1))
			if has := err == nil; has != tt.has[v] {
				t.Errorf("%s: %s.%s present=%v, want %v (%v)", v, tt.model, tt.field, has, tt.has[v], err)
			}
		}
	}
}

func TestQuantityContext(t *testing.T) {
	t.Parallel()
	for _, v := range versions {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			s := New(Options{Version: v})
			d := s.Seed()
			c := newClient(t, s)
			p := d.Products["SKU-1002"]
			key, other := "warehouse_id", "warehouse"
			if v == "16.0" || v == "17.0" {
				key, other = other, key
			}
			qty := func(ctx *pyDict) float64 {
				rows := c.must("product.product", "read", L(L(p), L("qty_available", "free_qty", "virtual_available")), D("context", ctx)).([]any)
				f, _ := rows[0].(*pyDict).Get("free_qty")
				return f.(float64)
			}
			if got := qty(D(key, WarehouseID)); got != 110 {
				t.Errorf("free_qty in WH = %v, want 110", got)
			}
			if got := qty(D(key, 999)); got != 0 {
				t.Errorf("free_qty in an unknown warehouse = %v, want 0", got)
			}
			// The other version's key is not understood: all warehouses.
			if got := qty(D(other, 999)); got != 110 {
				t.Errorf("free_qty with %q = %v, want 110 (key ignored)", other, got)
			}
			if got := qty(D("location", StockLocationID)); got != 110 {
				t.Errorf("free_qty at WH/Stock = %v", got)
			}
			// The seeded receipt brings 50 more.
			rows := c.must("product.product", "read", L(L(p), L("virtual_available", "incoming_qty")), nil).([]any)
			if va, _ := rows[0].(*pyDict).Get("virtual_available"); va != 160.0 {
				t.Errorf("virtual_available = %v, want 160", va)
			}
		})
	}
}

// TestEveryModelReadable reads every field of every model of every version
// from seeded data, and checks fields_get agrees with read: a compute that
// breaks, or a default order that does not parse, fails here.
func TestEveryModelReadable(t *testing.T) {
	t.Parallel()
	for _, v := range versions {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			s := New(Options{Version: v})
			s.Seed()
			c := newClient(t, s)
			for name := range s.db.models {
				rows := c.must(name, "search_read", L(L()), D("limit", 2, "context", D("active_test", false))).([]any)
				fg := c.must(name, "fields_get", L(), D("attributes", L("type"))).(*pyDict)
				for _, r := range rows {
					for _, k := range r.(*pyDict).Keys() {
						if !fg.Has(k) {
							t.Errorf("%s: read returns %q, fields_get does not know it", name, k)
						}
					}
				}
			}
		})
	}
}
