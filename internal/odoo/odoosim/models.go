package odoosim

import (
	"fmt"
	"slices"
	"strings"
)

// Model definitions, per version. Field names follow Odoo's for each
// release (see ../../../../shared/odoo/api-notes.md §2): a field that a
// version does not have is unknown to it and fails like real Odoo, so a
// client speaking the wrong version's names is caught in tests.

func char(name, label string) *field    { return &field{name: name, typ: tChar, label: label} }
func text(name, label string) *field    { return &field{name: name, typ: tText, label: label} }
func integer(name, label string) *field { return &field{name: name, typ: tInteger, label: label} }
func float(name, label string) *field   { return &field{name: name, typ: tFloat, label: label} }
func boolean(name, label string) *field { return &field{name: name, typ: tBoolean, label: label} }
func date(name, label string) *field    { return &field{name: name, typ: tDate, label: label} }
func datetime(name, label string) *field {
	return &field{name: name, typ: tDatetime, label: label}
}
func m2o(name, label, rel string) *field {
	return &field{name: name, typ: tMany2one, label: label, rel: rel}
}
func o2m(name, label, rel, inv string) *field {
	return &field{name: name, typ: tOne2many, label: label, rel: rel, inv: inv}
}
func m2m(name, label, rel string) *field {
	return &field{name: name, typ: tMany2many, label: label, rel: rel}
}
func selection(name, label string, opts ...string) *field {
	f := &field{name: name, typ: tSelection, label: label}
	for i := 0; i+1 < len(opts); i += 2 {
		f.sel = append(f.sel, [2]string{opts[i], opts[i+1]})
	}
	return f
}

// Field modifiers, chained: required(m2o(...)).
func required(f *field) *field { f.required = true; return f }
func readonly(f *field) *field { f.readonly = true; return f }
func withDefault(f *field, v any) *field {
	f.def = func(*env, *pyDict) any { return v }
	return f
}
func cascade(f *field) *field { f.ondelete = "cascade"; return f }
func computed(f *field, fn func(e *env, id int64) any) *field {
	f.compute = fn
	f.readonly = true
	return f
}
func related(f *field, path string) *field { f.related = path; f.readonly = true; return f }

func (d *db) newModel(name, description, order string) *model {
	m := &model{name: name, description: description, order: order, byName: map[string]*field{}}
	m.add(
		computed(char("display_name", "Display Name"), nil),
		readonly(datetime("create_date", "Created on")),
		readonly(datetime("write_date", "Last Updated on")),
	)
	m.byName["display_name"].compute = func(e *env, id int64) any { return e.displayName(m, id) }
	m.byName["create_date"].def = func(e *env, _ *pyDict) any { return e.now() }
	m.byName["write_date"].def = func(e *env, _ *pyDict) any { return e.now() }
	d.models[name] = m
	d.tables[name] = &table{rows: map[int64]row{}, next: 1}
	return m
}

func (d *db) since(v string) bool { return versionAtLeast(d.version, v) }

func versionAtLeast(have, want string) bool {
	var hm, wm int
	fmt.Sscanf(have, "%d", &hm)
	fmt.Sscanf(want, "%d", &wm)
	return hm >= wm
}

// defineModels builds the registry for d.version.
func (d *db) defineModels() {
	v17, v18, v19 := d.since("17.0"), d.since("18.0"), d.since("19.0")
	uomLine := "product_uom"
	taxLine := "tax_id"
	poTax := "taxes_id"
	if v19 {
		uomLine, taxLine, poTax = "product_uom_id", "tax_ids", "tax_ids"
	}

	// --- base -------------------------------------------------------------
	cur := d.newModel("res.currency", "Currency", "active desc, name")
	cur.add(required(char("name", "Currency")), char("symbol", "Symbol"), withDefault(boolean("active", "Active"), true),
		withDefault(float("rounding", "Rounding Factor"), 0.01), withDefault(integer("decimal_places", "Decimal Places"), int64(2)))

	country := d.newModel("res.country", "Country", "name")
	country.add(required(char("name", "Country Name")), char("code", "Country Code"))
	state := d.newModel("res.country.state", "Country state", "code")
	state.add(required(m2o("country_id", "Country", "res.country")), required(char("name", "State Name")), required(char("code", "State Code")))

	company := d.newModel("res.company", "Companies", "sequence, name")
	company.add(required(char("name", "Company Name")), m2o("partner_id", "Partner", "res.partner"), m2o("currency_id", "Currency", "res.currency"),
		withDefault(integer("sequence", "Sequence"), int64(10)))

	partner := d.newModel("res.partner", "Contact", "complete_name ASC, id DESC")
	types := []string{"contact", "Contact", "invoice", "Invoice Address", "delivery", "Delivery Address", "other", "Other Address"}
	if !v17 {
		types = append(types, "private", "Private Address")
	}
	partner.add(
		char("name", "Name"),
		computed(char("complete_name", "Complete Name"), func(e *env, id int64) any { return partnerCompleteName(e, id) }),
		char("ref", "Reference"),
		char("barcode", "Barcode"),
		m2o("parent_id", "Related Company", "res.partner"),
		o2m("child_ids", "Contact", "res.partner", "parent_id"),
		withDefault(selection("type", "Address Type", types...), "contact"),
		withDefault(boolean("is_company", "Is a Company"), false),
		computed(m2o("commercial_partner_id", "Commercial Entity", "res.partner"), func(e *env, id int64) any { return commercialPartner(e, id) }),
		m2o("company_id", "Company", "res.company"),
		char("vat", "Tax ID"),
		char("street", "Street"), char("street2", "Street2"), char("zip", "Zip"), char("city", "City"),
		m2o("state_id", "State", "res.country.state"), m2o("country_id", "Country", "res.country"),
		char("email", "Email"), char("phone", "Phone"),
		withDefault(boolean("active", "Active"), true),
		withDefault(integer("customer_rank", "Customer Rank"), int64(0)),
		withDefault(integer("supplier_rank", "Supplier Rank"), int64(0)),
		withDefault(char("lang", "Language"), "en_US"),
		char("comment", "Notes"),
	)
	partner.displayName = func(e *env, id int64) string { return partnerCompleteName(e, id) }

	groups := d.newModel("res.groups", "Access Groups", "name")
	groups.add(required(char("name", "Name")), computed(char("full_name", "Group Name"), func(e *env, id int64) any {
		if x := e.getStr(e.model("res.groups"), id, "xmlid_internal"); x != "" {
			return strings.Replace(groupFullName(x), "/", " / ", 1)
		}
		return e.getStr(e.model("res.groups"), id, "name")
	}), char("xmlid_internal", "External ID"))
	groups.readOnlyRPC = true

	users := d.newModel("res.users", "User", "name, login")
	users.delegate, users.delegField = "res.partner", "partner_id"
	groupsField := "groups_id"
	if v19 {
		groupsField = "group_ids"
	}
	users.add(
		required(cascade(m2o("partner_id", "Related Partner", "res.partner"))),
		required(char("login", "Login")),
		withDefault(boolean("active", "Active"), true),
		m2o("company_id", "Company", "res.company"),
		computed(m2m(groupsField, "Groups", "res.groups"), func(e *env, id int64) any { return userGroupIDs(e, id) }),
		computed(boolean("share", "Share User"), func(e *env, id int64) any {
			u := e.db.users[id]
			return u != nil && !u.has("base.group_user")
		}),
	)
	users.readOnlyRPC = true

	imd := d.newModel("ir.model.data", "Model Data", "module, model, name")
	imd.add(required(char("name", "External Identifier")), withDefault(char("module", "Module"), ""),
		required(char("model", "Model Name")), withDefault(integer("res_id", "Record ID"), int64(0)),
		withDefault(boolean("noupdate", "Non Updatable"), false),
		computed(char("complete_name", "Complete ID"), func(e *env, id int64) any {
			m := e.model("ir.model.data")
			return e.getStr(m, id, "module") + "." + e.getStr(m, id, "name")
		}))
	imd.displayName = func(e *env, id int64) string { return e.getStr(imd, id, "module") + "." + e.getStr(imd, id, "name") }
	imd.constraints = append(imd.constraints, xmlidConstraints)

	irm := d.newModel("ir.model", "Models", "model")
	irm.add(required(char("model", "Model")), required(char("name", "Model Description")), withDefault(selection("state", "Type", "manual", "Custom Object", "base", "Base Object"), "base"),
		withDefault(boolean("transient", "Transient Model"), false), char("modules", "In Apps"))
	irm.readOnlyRPC = true

	mod := d.newModel("ir.module.module", "Module", "application desc,sequence,name")
	mod.add(required(char("name", "Technical Name")), char("shortdesc", "Module Name"), char("latest_version", "Installed Version"),
		withDefault(selection("state", "Status", "uninstallable", "Uninstallable", "uninstalled", "Not Installed", "installed", "Installed",
			"to upgrade", "To be upgraded", "to remove", "To be removed", "to install", "To be installed"), "uninstalled"),
		withDefault(boolean("application", "Application"), false), withDefault(integer("sequence", "Sequence"), int64(100)))
	mod.readOnlyRPC = true

	tax := d.newModel("account.tax", "Tax", "sequence,id")
	tax.add(required(char("name", "Tax Name")), float("amount", "Amount"), withDefault(selection("type_tax_use", "Tax Type", "sale", "Sales", "purchase", "Purchases", "none", "None"), "sale"),
		withDefault(selection("amount_type", "Tax Computation", "fixed", "Fixed", "percent", "Percentage"), "percent"), withDefault(integer("sequence", "Sequence"), int64(1)),
		withDefault(boolean("active", "Active"), true))

	// --- product -----------------------------------------------------------
	if !v19 {
		uc := d.newModel("uom.category", "Product UoM Categories", "id")
		uc.add(required(char("name", "Unit of Measure Category")))
	}
	uom := d.newModel("uom.uom", "Product Unit of Measure", "factor DESC, id")
	uom.add(required(char("name", "Unit of Measure")), withDefault(float("factor", "Ratio"), 1.0),
		withDefault(float("rounding", "Rounding Precision"), 0.01), withDefault(boolean("active", "Active"), true))
	if v19 {
		uom.order = "sequence, id"
		uom.add(withDefault(float("relative_factor", "Contains"), 1.0), m2o("relative_uom_id", "Reference Unit", "uom.uom"), withDefault(integer("sequence", "Sequence"), int64(10)))
	} else {
		uom.add(required(m2o("category_id", "Category", "uom.category")),
			withDefault(selection("uom_type", "Type", "bigger", "Bigger than the reference Unit of Measure", "reference", "Reference Unit of Measure for this category", "smaller", "Smaller than the reference Unit of Measure"), "reference"))
	}

	categ := d.newModel("product.category", "Product Category", "complete_name")
	categ.add(required(char("name", "Name")), m2o("parent_id", "Parent Category", "product.category"),
		computed(char("complete_name", "Complete Name"), func(e *env, id int64) any { return e.getStr(e.model("product.category"), id, "name") }))

	tmpl := d.newModel("product.template", "Product", "priority desc, name")
	prodTypes := []string{"consu", "Consumable", "service", "Service", "product", "Storable Product"}
	if v18 {
		prodTypes = []string{"consu", "Goods", "service", "Service", "combo", "Combo"}
	}
	tmpl.add(
		required(char("name", "Name")),
		withDefault(selection("type", "Product Type", prodTypes...), "consu"),
		withDefault(float("list_price", "Sales Price"), 1.0),
		withDefault(float("standard_price", "Cost"), 0.0),
		required(withDefaultFn(m2o("uom_id", "Unit of Measure", "uom.uom"), func(e *env, _ *pyDict) any { return int64(1) })),
		withDefault(boolean("sale_ok", "Can be Sold"), true),
		withDefault(boolean("purchase_ok", "Can be Purchased"), true),
		withDefault(boolean("active", "Active"), true),
		m2o("company_id", "Company", "res.company"),
		withDefaultFn(m2o("categ_id", "Product Category", "product.category"), func(e *env, _ *pyDict) any {
			if e.exists("product.category", 1) {
				return int64(1)
			}
			return int64(0)
		}),
		text("description_sale", "Sales Description"),
		withDefault(selection("priority", "Favorite", "0", "Normal", "1", "Favorite"), "0"),
		withDefault(selection("tracking", "Tracking", "serial", "By Unique Serial Number", "lot", "By Lots", "none", "By Quantity"), "none"),
		o2m("product_variant_ids", "Products", "product.product", "product_tmpl_id"),
		computed(m2o("product_variant_id", "Product", "product.product"), func(e *env, id int64) any {
			if v := templateVariants(e, id); len(v) > 0 {
				return v[0]
			}
			return int64(0)
		}),
		computed(integer("product_variant_count", "# Product Variants"), func(e *env, id int64) any { return int64(len(templateVariants(e, id))) }),
		o2m("seller_ids", "Vendors", "product.supplierinfo", "product_tmpl_id"),
		m2m("taxes_id", "Sales Taxes", "account.tax"),
		m2m("supplier_taxes_id", "Purchase Taxes", "account.tax"),
		withDefault(float("weight", "Weight"), 0.0),
		// default_code and barcode live on the variant; on a template they
		// read and write its single variant.
		variantField(char("default_code", "Internal Reference"), "default_code"),
		variantField(char("barcode", "Barcode"), "barcode"),
	)
	if !v19 {
		tmpl.add(required(withDefaultFn(m2o("uom_po_id", "Purchase Unit", "uom.uom"), func(e *env, vals *pyDict) any {
			if v, ok := vals.Get("uom_id"); ok {
				if id, ok := asInt(v); ok && id != 0 {
					return id
				}
			}
			return int64(1)
		})))
	}
	if !v18 {
		tmpl.add(withDefault(selection("detailed_type", "Product Type", prodTypes...), "consu"))
	} else {
		tmpl.add(withDefault(boolean("is_storable", "Track Inventory"), false))
	}
	for _, q := range qtyFields {
		tmpl.add(computed(float(q[0], q[1]), templateQty(q[0])))
	}
	tmpl.displayName = func(e *env, id int64) string {
		name := e.getStr(tmpl, id, "name")
		if code := e.getStr(tmpl, id, "default_code"); code != "" {
			return "[" + code + "] " + name
		}
		return name
	}
	tmpl.afterCreate = templateAfterCreate

	prod := d.newModel("product.product", "Product Variant", "priority desc, default_code, name, id")
	prod.delegate, prod.delegField = "product.template", "product_tmpl_id"
	prod.add(
		required(cascade(m2o("product_tmpl_id", "Product Template", "product.template"))),
		char("default_code", "Internal Reference"),
		char("barcode", "Barcode"),
		withDefault(boolean("active", "Active"), true),
		related(float("lst_price", "Sales Price"), "product_tmpl_id.list_price"),
		computed(char("code", "Reference"), func(e *env, id int64) any { return e.get(e.model("product.product"), id, "default_code") }),
	)
	for _, q := range qtyFields {
		prod.add(computed(float(q[0], q[1]), productQty(q[0])))
	}
	prod.displayName = func(e *env, id int64) string {
		name := e.getStr(prod, id, "name")
		if code := e.getStr(prod, id, "default_code"); code != "" {
			return "[" + code + "] " + name
		}
		return name
	}
	prod.constraints = append(prod.constraints, barcodeUnique)

	si := d.newModel("product.supplierinfo", "Supplier Pricelist", "sequence, min_qty DESC, price, id")
	si.add(required(cascade(m2o("partner_id", "Vendor", "res.partner"))),
		cascade(m2o("product_tmpl_id", "Product Template", "product.template")),
		m2o("product_id", "Product Variant", "product.product"),
		char("product_code", "Vendor Product Code"), char("product_name", "Vendor Product Name"),
		withDefault(float("min_qty", "Quantity"), 0.0), withDefault(float("price", "Price"), 0.0),
		m2o("currency_id", "Currency", "res.currency"), withDefault(integer("delay", "Delivery Lead Time"), int64(1)),
		date("date_start", "Start Date"), date("date_end", "End Date"), m2o("company_id", "Company", "res.company"),
		withDefault(integer("sequence", "Sequence"), int64(1)))
	if v19 {
		si.byName["product_tmpl_id"].required = true
		si.add(required(withDefaultFn(m2o("product_uom_id", "Unit", "uom.uom"), func(e *env, _ *pyDict) any { return int64(1) })))
	}
	si.displayName = func(e *env, id int64) string {
		return e.displayName(partner, e.getID(si, id, "partner_id"))
	}

	if v19 {
		pu := d.newModel("product.uom", "Product Barcode Unit", "id")
		pu.add(required(char("barcode", "Barcode")), required(cascade(m2o("product_id", "Product", "product.product"))), required(m2o("uom_id", "Unit", "uom.uom")))
	} else {
		pk := d.newModel("product.packaging", "Product Packaging", "product_id, sequence, id")
		pk.add(required(char("name", "Product Packaging")), cascade(m2o("product_id", "Product", "product.product")),
			withDefault(float("qty", "Contained Quantity"), 1.0), char("barcode", "Barcode"), withDefault(integer("sequence", "Sequence"), int64(1)))
	}

	d.defineStockModels(uomLine)
	d.defineSaleModels(uomLine, taxLine)
	d.definePurchaseModels(uomLine, poTax)

	for _, m := range d.models {
		m.methods = d.baseMethods()
	}
	d.addBusinessMethods()
	d.buildIndexes()
}

func withDefaultFn(f *field, fn func(e *env, vals *pyDict) any) *field { f.def = fn; return f }

// variantField makes a template field read and write its single variant.
func variantField(f *field, name string) *field {
	f.compute = func(e *env, id int64) any {
		v := templateVariants(e, id)
		if len(v) != 1 {
			return nil
		}
		return e.get(e.model("product.product"), v[0], name)
	}
	f.inverse = func(e *env, id int64, v any) *odooError {
		vs := templateVariants(e, id)
		if len(vs) != 1 {
			return nil
		}
		return e.write(e.model("product.product"), vs, newDict(name, v))
	}
	return f
}

func templateVariants(e *env, tmplID int64) []int64 {
	prod := e.model("product.product")
	var out []int64
	for _, id := range e.withValue("product.product", "product_tmpl_id", tmplID) {
		if r := e.db.tables["product.product"].rows[id]; r["product_tmpl_id"] == tmplID {
			if a, _ := r["active"].(bool); a || !truthyCtx(e, "active_test") {
				out = append(out, id)
			}
		}
	}
	e.sortIDs(prod, out, "id")
	return out
}

func truthyCtx(e *env, k string) bool {
	v, ok := e.ctx.Get(k)
	return !ok || truthy(v)
}

// templateAfterCreate gives a new template its variant, unless the
// template is being created for a product.product (context key as Odoo).
func templateAfterCreate(e *env, id int64, vals *pyDict) *odooError {
	if truthy(e.ctxGet("create_product_product")) {
		return nil
	}
	pv := newDict("product_tmpl_id", id)
	for _, k := range []string{"default_code", "barcode"} {
		if v, ok := vals.Get(k); ok {
			pv.Set(k, v)
		}
	}
	_, err := e.sudo().create(e.model("product.product"), pv)
	return err
}

// partnerCompleteName is res.partner._get_complete_name (17/18).
func partnerCompleteName(e *env, id int64) string {
	m := e.model("res.partner")
	name := e.getStr(m, id, "name")
	parent := e.getID(m, id, "parent_id")
	if parent != 0 {
		typ := e.getStr(m, id, "type")
		if name == "" && typ != "contact" {
			for _, o := range m.byName["type"].sel {
				if o[0] == typ {
					name = o[1]
				}
			}
		}
		if !e.get(m, id, "is_company").(bool) {
			cp := commercialPartner(e, id)
			cname := e.getStr(m, cp, "name")
			if cp == id || cname == "" {
				cname = e.getStr(m, parent, "name")
			}
			name = cname + ", " + name
		}
	}
	return strings.TrimSpace(name)
}

func commercialPartner(e *env, id int64) int64 {
	m := e.model("res.partner")
	cur := id
	for range 32 {
		if b, _ := e.get(m, cur, "is_company").(bool); b {
			return cur
		}
		p := e.getID(m, cur, "parent_id")
		if p == 0 {
			return cur
		}
		cur = p
	}
	return cur
}

func userGroupIDs(e *env, uid int64) []int64 {
	u := e.db.users[uid]
	var out []int64
	if u == nil {
		return out
	}
	gm := e.model("res.groups")
	for gid := range e.db.tables["res.groups"].rows {
		if u.has(e.getStr(gm, gid, "xmlid_internal")) {
			out = append(out, gid)
		}
	}
	slices.Sort(out)
	return out
}

// barcodeUnique is product.product's _check_barcode_uniqueness.
func barcodeUnique(e *env, ids []int64, vals *pyDict) *odooError {
	if !vals.Has("barcode") && vals.Len() > 0 {
		return nil
	}
	prod := e.model("product.product")
	var lines []string
	seen := map[string]bool{}
	for _, id := range ids {
		bc := e.getStr(prod, id, "barcode")
		if bc == "" || seen[bc] {
			continue
		}
		seen[bc] = true
		var same []int64
		for _, pid := range e.withValue("product.product", "barcode", bc) {
			if r := e.db.tables["product.product"].rows[pid]; r["barcode"] == bc {
				if a, _ := r["active"].(bool); a {
					same = append(same, pid)
				}
			}
		}
		if len(same) < 2 {
			continue
		}
		slices.Sort(same)
		names := make([]string, len(same))
		for i, pid := range same {
			names[i] = e.displayName(prod, pid)
		}
		lines = append(lines, fmt.Sprintf("- Barcode \"%s\" already assigned to product(s): %s", bc, formatList(names)))
	}
	if len(lines) == 0 {
		return nil
	}
	return validationError("Barcode(s) already assigned:\n\n" + strings.Join(lines, "\n") +
		"\n\nNote: products that you don't have access to will not be shown above.")
}

// formatList is Babel's English list format: "A and B", "A, B, and C".
func formatList(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	case 2:
		return items[0] + " and " + items[1]
	}
	return strings.Join(items[:len(items)-1], ", ") + ", and " + items[len(items)-1]
}

// xmlidConstraints are ir.model.data's SQL constraints: no spaces in the
// name, and the unique index on (module, name).
func xmlidConstraints(e *env, ids []int64, _ *pyDict) *odooError {
	m := e.model("ir.model.data")
	for _, id := range ids {
		name, module := e.getStr(m, id, "name"), e.getStr(m, id, "module")
		if strings.Contains(name, " ") {
			return validationError("The operation cannot be completed: External IDs cannot contain spaces")
		}
		for _, oid := range e.withValue("ir.model.data", "name", name) {
			if r := e.db.tables["ir.model.data"].rows[oid]; oid != id && r["name"] == name && r["module"] == module {
				return validationError(fmt.Sprintf("The operation cannot be completed: duplicate key value violates unique constraint \"ir_model_data_module_name_uniq_index\"\nDETAIL:  Key (module, name)=(%s, %s) already exists.\n", module, name))
			}
		}
	}
	return nil
}
