package odoosim

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Sales and purchase orders: their lines, totals, and the confirm actions
// that create the outgoing delivery and the incoming receipt.

func (d *db) defineSaleModels(uomLine, taxLine string) {
	v17 := d.since("17.0")
	pl := d.newModel("product.pricelist", "Pricelist", "sequence asc, id asc")
	pl.add(required(char("name", "Pricelist Name")), withDefaultFn(m2o("currency_id", "Currency", "res.currency"), companyCurrency),
		withDefault(boolean("active", "Active"), true), withDefault(integer("sequence", "Sequence"), int64(16)))

	so := d.newModel("sale.order", "Sales Order", "date_order desc, id desc")
	states := []string{"draft", "Quotation", "sent", "Quotation Sent", "sale", "Sales Order"}
	if !v17 {
		states = append(states, "done", "Locked")
	}
	states = append(states, "cancel", "Cancelled")
	so.add(
		required(withDefault(char("name", "Order Reference"), "New")),
		required(m2o("partner_id", "Customer", "res.partner")),
		required(withDefaultFn(m2o("partner_invoice_id", "Invoice Address", "res.partner"), partnerAddress("invoice"))),
		required(withDefaultFn(m2o("partner_shipping_id", "Delivery Address", "res.partner"), partnerAddress("delivery"))),
		char("client_order_ref", "Customer Reference"),
		char("origin", "Source Document"),
		required(withDefaultFn(datetime("date_order", "Order Date"), func(e *env, _ *pyDict) any { return e.now() })),
		datetime("commitment_date", "Delivery Date"),
		date("validity_date", "Expiration"),
		withDefault(readonly(selection("state", "Status", states...)), "draft"),
		o2m("order_line", "Order Lines", "sale.order.line", "order_id"),
		o2m("picking_ids", "Transfers", "stock.picking", "sale_id"),
		required(withDefaultFn(m2o("company_id", "Company", "res.company"), defaultCompany)),
		withDefaultFn(m2o("warehouse_id", "Warehouse", "stock.warehouse"), firstWarehouse),
		withDefaultFn(m2o("pricelist_id", "Pricelist", "product.pricelist"), firstRecord("product.pricelist")),
		withDefaultFn(m2o("currency_id", "Currency", "res.currency"), companyCurrency),
		withDefaultFn(m2o("user_id", "Salesperson", "res.users"), func(e *env, _ *pyDict) any { return e.uid }),
		&field{name: "note", typ: tHTML, label: "Terms and conditions"},
		computed(&field{name: "amount_untaxed", typ: tMonetary, label: "Untaxed Amount"}, orderAmount("sale.order", "untaxed")),
		computed(&field{name: "amount_tax", typ: tMonetary, label: "Taxes"}, orderAmount("sale.order", "tax")),
		computed(&field{name: "amount_total", typ: tMonetary, label: "Total"}, orderAmount("sale.order", "total")),
		computed(integer("delivery_count", "Delivery Orders"), func(e *env, id int64) any {
			return int64(len(e.getIDs(e.model("sale.order"), id, "picking_ids")))
		}),
	)
	if v17 {
		so.add(withDefault(boolean("locked", "Locked"), false))
	}
	so.afterCreate = func(e *env, id int64, _ *pyDict) *odooError {
		if e.getStr(so, id, "name") == "New" {
			e.set(so, id, "name", fmt.Sprintf("S%05d", e.db.nextSeq("sale.order")))
		}
		return nil
	}
	so.beforeUnlink = func(e *env, ids []int64) *odooError {
		for _, id := range ids {
			if st := e.getStr(so, id, "state"); st != "draft" && st != "cancel" {
				return userError("You can not delete a sent quotation or a confirmed sales order. You must first cancel it.")
			}
		}
		return nil
	}

	sol := d.newModel("sale.order.line", "Sales Order Line", "order_id, sequence, id")
	sol.add(
		required(cascade(m2o("order_id", "Order Reference", "sale.order"))),
		withDefault(integer("sequence", "Sequence"), int64(10)),
		m2o("product_id", "Product", "product.product"),
		withDefaultFn(text("name", "Description"), lineName),
		withDefault(float("product_uom_qty", "Quantity"), 1.0),
		withDefaultFn(m2o(uomLine, "Unit of Measure", "uom.uom"), productDefault("uom_id")),
		withDefaultFn(float("price_unit", "Unit Price"), func(e *env, vals *pyDict) any {
			if p := productFromVals(e, vals); p != 0 {
				return e.getFloat(e.model("product.product"), p, "list_price")
			}
			return 0.0
		}),
		withDefault(float("discount", "Discount (%)"), 0.0),
		m2m(taxLine, "Taxes", "account.tax"),
		computed(&field{name: "price_subtotal", typ: tMonetary, label: "Subtotal"}, lineAmount("sale.order.line", "product_uom_qty", taxLine, "untaxed")),
		computed(&field{name: "price_tax", typ: tFloat, label: "Total Tax"}, lineAmount("sale.order.line", "product_uom_qty", taxLine, "tax")),
		computed(&field{name: "price_total", typ: tMonetary, label: "Total"}, lineAmount("sale.order.line", "product_uom_qty", taxLine, "total")),
		computed(float("qty_delivered", "Delivery Quantity"), func(e *env, id int64) any { return movedQty(e, "sale_line_id", id, "customer") }),
		withDefault(float("qty_invoiced", "Invoiced Quantity"), 0.0),
		selection("display_type", "Display Type", "line_section", "Section", "line_note", "Note"),
		related(selection("state", "Order Status", states...), "order_id.state"),
		withDefault(float("customer_lead", "Lead Time"), 0.0),
		o2m("move_ids", "Stock Moves", "stock.move", "sale_line_id"),
		related(m2o("order_partner_id", "Customer", "res.partner"), "order_id.partner_id"),
		related(m2o("company_id", "Company", "res.company"), "order_id.company_id"),
		related(m2o("currency_id", "Currency", "res.currency"), "order_id.currency_id"),
	)
	sol.displayName = func(e *env, id int64) string {
		return orderLineDisplayName(e, sol, id)
	}
	sol.constraints = append(sol.constraints, func(e *env, ids []int64, _ *pyDict) *odooError {
		for _, id := range ids {
			if e.getStr(sol, id, "display_type") == "" && (e.getID(sol, id, "product_id") == 0 || e.getID(sol, id, uomLine) == 0) {
				return validationError("The operation cannot be completed: Missing required fields on accountable sale order line.")
			}
		}
		return nil
	})
	sol.afterCreate = func(e *env, id int64, _ *pyDict) *odooError {
		// A line added to a confirmed order is delivered too.
		order := e.getID(sol, id, "order_id")
		if e.getStr(so, order, "state") == "sale" {
			return saleDeliver(e, order, []int64{id})
		}
		return nil
	}
}

func (d *db) definePurchaseModels(uomLine, taxLine string) {
	po := d.newModel("purchase.order", "Purchase Order", "priority desc, id desc")
	states := []string{"draft", "RFQ", "sent", "RFQ Sent", "to approve", "To Approve", "purchase", "Purchase Order"}
	if !d.since("19.0") {
		states = append(states, "done", "Locked")
	}
	states = append(states, "cancel", "Cancelled")
	po.add(
		required(withDefault(char("name", "Order Reference"), "New")),
		withDefault(selection("priority", "Priority", "0", "Normal", "1", "Urgent"), "0"),
		required(m2o("partner_id", "Vendor", "res.partner")),
		char("partner_ref", "Vendor Reference"),
		char("origin", "Source Document"),
		required(withDefaultFn(datetime("date_order", "Order Deadline"), func(e *env, _ *pyDict) any { return e.now() })),
		readonly(datetime("date_approve", "Confirmation Date")),
		withDefaultFn(datetime("date_planned", "Expected Arrival"), func(e *env, _ *pyDict) any { return e.now() }),
		withDefault(readonly(selection("state", "Status", states...)), "draft"),
		o2m("order_line", "Order Lines", "purchase.order.line", "order_id"),
		o2m("picking_ids", "Receptions", "stock.picking", "purchase_id"),
		required(withDefaultFn(m2o("company_id", "Company", "res.company"), defaultCompany)),
		required(withDefaultFn(m2o("currency_id", "Currency", "res.currency"), companyCurrency)),
		required(withDefaultFn(m2o("picking_type_id", "Deliver To", "stock.picking.type"), func(e *env, _ *pyDict) any {
			if w := firstWarehouse(e, nil); w != nil {
				return e.getID(e.model("stock.warehouse"), w.(int64), "in_type_id")
			}
			return nil
		})),
		withDefaultFn(m2o("user_id", "Buyer", "res.users"), func(e *env, _ *pyDict) any { return e.uid }),
		&field{name: "notes", typ: tHTML, label: "Terms and Conditions"},
		computed(&field{name: "amount_untaxed", typ: tMonetary, label: "Untaxed Amount"}, orderAmount("purchase.order", "untaxed")),
		computed(&field{name: "amount_tax", typ: tMonetary, label: "Taxes"}, orderAmount("purchase.order", "tax")),
		computed(&field{name: "amount_total", typ: tMonetary, label: "Total"}, orderAmount("purchase.order", "total")),
		computed(integer("incoming_picking_count", "Incoming Shipment count"), func(e *env, id int64) any {
			return int64(len(e.getIDs(e.model("purchase.order"), id, "picking_ids")))
		}),
	)
	if d.since("19.0") {
		po.add(withDefault(boolean("locked", "Locked"), false))
	}
	po.afterCreate = func(e *env, id int64, _ *pyDict) *odooError {
		if e.getStr(po, id, "name") == "New" {
			e.set(po, id, "name", fmt.Sprintf("P%05d", e.db.nextSeq("purchase.order")))
		}
		return nil
	}
	po.beforeUnlink = func(e *env, ids []int64) *odooError {
		for _, id := range ids {
			if st := e.getStr(po, id, "state"); st != "draft" && st != "cancel" {
				return userError("In order to delete a purchase order, you must cancel it first.")
			}
		}
		return nil
	}

	pol := d.newModel("purchase.order.line", "Purchase Order Line", "order_id, sequence, id")
	pol.add(
		required(cascade(m2o("order_id", "Order Reference", "purchase.order"))),
		withDefault(integer("sequence", "Sequence"), int64(10)),
		m2o("product_id", "Product", "product.product"),
		withDefaultFn(text("name", "Description"), lineName),
		withDefault(float("product_qty", "Quantity"), 1.0),
		withDefaultFn(m2o(uomLine, "Unit of Measure", "uom.uom"), productDefault("uom_id")),
		withDefaultFn(float("price_unit", "Unit Price"), func(e *env, vals *pyDict) any {
			if p := productFromVals(e, vals); p != 0 {
				return e.getFloat(e.model("product.product"), p, "standard_price")
			}
			return 0.0
		}),
		withDefaultFn(datetime("date_planned", "Expected Arrival"), func(e *env, _ *pyDict) any { return e.now() }),
		m2m(taxLine, "Taxes", "account.tax"),
		computed(&field{name: "price_subtotal", typ: tMonetary, label: "Subtotal"}, lineAmount("purchase.order.line", "product_qty", taxLine, "untaxed")),
		computed(&field{name: "price_total", typ: tMonetary, label: "Total"}, lineAmount("purchase.order.line", "product_qty", taxLine, "total")),
		computed(float("qty_received", "Received Qty"), func(e *env, id int64) any { return -movedQty(e, "purchase_line_id", id, "supplier") }),
		withDefault(float("qty_invoiced", "Billed Qty"), 0.0),
		selection("display_type", "Display Type", "line_section", "Section", "line_note", "Note"),
		related(selection("state", "Status", states...), "order_id.state"),
		o2m("move_ids", "Reservation", "stock.move", "purchase_line_id"),
		related(m2o("partner_id", "Partner", "res.partner"), "order_id.partner_id"),
		related(m2o("company_id", "Company", "res.company"), "order_id.company_id"),
	)
	pol.displayName = func(e *env, id int64) string { return orderLineDisplayName(e, pol, id) }
	pol.constraints = append(pol.constraints, func(e *env, ids []int64, _ *pyDict) *odooError {
		for _, id := range ids {
			if e.getStr(pol, id, "display_type") == "" && (e.getID(pol, id, "product_id") == 0 || e.getID(pol, id, uomLine) == 0) {
				return validationError("The operation cannot be completed: Missing required fields on accountable purchase order line.")
			}
		}
		return nil
	})
}

func companyCurrency(e *env, _ *pyDict) any {
	if e.exists("res.company", 1) {
		return e.getID(e.model("res.company"), 1, "currency_id")
	}
	return nil
}

func firstWarehouse(e *env, _ *pyDict) any { return firstRecord("stock.warehouse")(e, nil) }

func firstRecord(model string) func(e *env, _ *pyDict) any {
	return func(e *env, _ *pyDict) any {
		if ids := e.searchIDs(e.model(model), nil); len(ids) > 0 {
			return ids[0]
		}
		return nil
	}
}

// partnerAddress is address_get: the first child of the wanted type, else
// the partner itself.
func partnerAddress(kind string) func(e *env, vals *pyDict) any {
	return func(e *env, vals *pyDict) any {
		p := m2oVal(vals, "partner_id")
		if p == 0 || !e.exists("res.partner", p) {
			return nil
		}
		rp := e.model("res.partner")
		for _, c := range e.getIDs(rp, p, "child_ids") {
			if e.getStr(rp, c, "type") == kind {
				return c
			}
		}
		return p
	}
}

// m2oVal reads a many2one from wire vals: an id, or an (id, name) pair.
func m2oVal(vals *pyDict, key string) int64 {
	v, _ := vals.Get(key)
	if l, ok := v.([]any); ok && len(l) > 0 {
		v = l[0]
	}
	id, _ := asInt(v)
	return id
}

func productFromVals(e *env, vals *pyDict) int64 {
	p := m2oVal(vals, "product_id")
	if p != 0 && e.exists("product.product", p) {
		return p
	}
	return 0
}

func productDefault(name string) func(e *env, vals *pyDict) any {
	return func(e *env, vals *pyDict) any {
		if p := productFromVals(e, vals); p != 0 {
			return e.getID(e.model("product.product"), p, name)
		}
		return nil
	}
}

// lineName is the product's display name, plus its sales description.
func lineName(e *env, vals *pyDict) any {
	p := productFromVals(e, vals)
	if p == 0 {
		return nil
	}
	prod := e.model("product.product")
	name := e.displayName(prod, p)
	if d := e.getStr(prod, p, "description_sale"); d != "" {
		name += "\n" + d
	}
	return name
}

// orderLineDisplayName is "<order> - <first line of name> (<customer ref
// or name>)", as sale/purchase _compute_display_name.
func orderLineDisplayName(e *env, m *model, id int64) string {
	order := e.getID(m, id, "order_id")
	om := e.model(m.byName["order_id"].rel)
	name, _, _ := strings.Cut(e.getStr(m, id, "name"), "\n")
	if name == "" {
		name = e.getStr(e.model("product.product"), e.getID(m, id, "product_id"), "name")
	}
	out := e.getStr(om, order, "name") + " - " + name
	rp := e.model("res.partner")
	cp := commercialPartner(e, e.getID(om, order, "partner_id"))
	if cp != 0 {
		extra := e.getStr(rp, cp, "ref")
		if extra == "" {
			extra = e.getStr(rp, cp, "name")
		}
		out += " (" + extra + ")"
	}
	return out
}

func lineAmount(model, qtyField, taxField, kind string) func(e *env, id int64) any {
	return func(e *env, id int64) any {
		m := e.model(model)
		base := e.getFloat(m, id, "price_unit") * e.getFloat(m, id, qtyField)
		if _, ok := m.byName["discount"]; ok {
			base *= 1 - e.getFloat(m, id, "discount")/100
		}
		tax := 0.0
		tm := e.model("account.tax")
		for _, t := range e.getIDs(m, id, taxField) {
			if e.getStr(tm, t, "amount_type") == "fixed" {
				tax += e.getFloat(tm, t, "amount") * e.getFloat(m, id, qtyField)
			} else {
				tax += base * e.getFloat(tm, t, "amount") / 100
			}
		}
		base, tax = math.Round(base*100)/100, math.Round(tax*100)/100
		switch kind {
		case "untaxed":
			return base
		case "tax":
			return tax
		}
		return math.Round((base+tax)*100) / 100
	}
}

func orderAmount(model, kind string) func(e *env, id int64) any {
	return func(e *env, id int64) any {
		m := e.model(model)
		lm := e.model(m.byName["order_line"].rel)
		f := map[string]string{"untaxed": "price_subtotal", "tax": "price_tax", "total": "price_total"}[kind]
		total := 0.0
		for _, l := range e.getIDs(m, id, "order_line") {
			if kind == "tax" && lm.byName["price_tax"] == nil {
				total += e.getFloat(lm, l, "price_total") - e.getFloat(lm, l, "price_subtotal")
				continue
			}
			total += e.getFloat(lm, l, f)
		}
		return math.Round(total*100) / 100
	}
}

// deliverable says whether a product gets stock moves (goods, not services).
func deliverable(e *env, prod int64) bool {
	t := e.getStr(e.model("product.product"), prod, "type")
	return t == "consu" || t == "product"
}

func (d *db) orderMethods() {
	so, po := d.models["sale.order"], d.models["purchase.order"]
	v17 := d.since("17.0")
	so.methods["action_confirm"] = &method{multi: true, fn: func(c *call) (any, *odooError) {
		e := c.e
		if err := orderPrecheck(c, so); err != nil {
			return nil, err
		}
		for _, id := range c.ids {
			if st := e.getStr(so, id, "state"); st != "draft" && st != "sent" {
				return nil, userError("Some orders are not in a state requiring confirmation.")
			}
		}
		for _, id := range c.ids {
			e.set(so, id, "state", "sale")
			e.set(so, id, "date_order", e.now())
			if err := saleDeliver(e, id, e.getIDs(so, id, "order_line")); err != nil {
				return nil, err
			}
		}
		return true, nil
	}}
	so.methods["action_cancel"] = &method{multi: true, fn: func(c *call) (any, *odooError) {
		if err := orderPrecheck(c, so); err != nil {
			return nil, err
		}
		for _, id := range c.ids {
			if !v17 && c.e.getStr(so, id, "state") == "done" {
				return nil, userError("You cannot cancel a locked order. Please unlock it first if you want to cancel it.")
			}
			if v17 {
				if b, _ := c.e.get(so, id, "locked").(bool); b {
					return nil, userError("You cannot cancel a locked order. Please unlock it first if you want to cancel it.")
				}
			}
			for _, p := range c.e.getIDs(so, id, "picking_ids") {
				if err := cancelPicking(c.e, p); err != nil {
					return nil, err
				}
			}
			c.e.set(so, id, "state", "cancel")
		}
		return true, nil
	}}
	so.methods["action_draft"] = &method{multi: true, fn: func(c *call) (any, *odooError) {
		if err := orderPrecheck(c, so); err != nil {
			return nil, err
		}
		for _, id := range c.ids {
			if st := c.e.getStr(so, id, "state"); st == "cancel" || st == "sent" {
				c.e.set(so, id, "state", "draft")
			}
		}
		return true, nil
	}}
	lock := func(locked bool) *method {
		return &method{multi: true, fn: func(c *call) (any, *odooError) {
			if err := orderPrecheck(c, so); err != nil {
				return nil, err
			}
			for _, id := range c.ids {
				if v17 {
					c.e.set(so, id, "locked", locked)
				} else if st := c.e.getStr(so, id, "state"); locked && st == "sale" {
					c.e.set(so, id, "state", "done")
				} else if !locked && st == "done" {
					c.e.set(so, id, "state", "sale")
				}
			}
			return nil, nil // both return None in Odoo
		}}
	}
	so.methods["action_lock"] = lock(true)
	so.methods["action_unlock"] = lock(false)
	if !v17 {
		so.methods["action_done"] = lock(true)
	}

	po.methods["button_confirm"] = &method{multi: true, fn: func(c *call) (any, *odooError) {
		e := c.e
		if err := orderPrecheck(c, po); err != nil {
			return nil, err
		}
		for _, id := range c.ids {
			if st := e.getStr(po, id, "state"); st != "draft" && st != "sent" {
				continue // Odoo skips orders that are not RFQs
			}
			e.set(po, id, "state", "purchase")
			e.set(po, id, "date_approve", e.now())
			if err := purchaseReceive(e, id); err != nil {
				return nil, err
			}
		}
		return true, nil
	}}
	po.methods["button_cancel"] = &method{multi: true, fn: func(c *call) (any, *odooError) {
		e := c.e
		if err := orderPrecheck(c, po); err != nil {
			return nil, err
		}
		for _, id := range c.ids {
			for _, p := range e.getIDs(po, id, "picking_ids") {
				if e.getStr(e.model("stock.picking"), p, "state") == "done" {
					return nil, userError("Unable to cancel purchase order %s as some receptions have already been done.", e.getStr(po, id, "name"))
				}
			}
			for _, p := range e.getIDs(po, id, "picking_ids") {
				if err := cancelPicking(e, p); err != nil {
					return nil, err
				}
			}
			e.set(po, id, "state", "cancel")
		}
		return nil, nil
	}}
	po.methods["button_draft"] = &method{multi: true, fn: func(c *call) (any, *odooError) {
		if err := orderPrecheck(c, po); err != nil {
			return nil, err
		}
		for _, id := range c.ids {
			c.e.set(po, id, "state", "draft")
		}
		return newDict(), nil
	}}
}

func orderPrecheck(c *call, m *model) *odooError {
	if err := c.e.checkAccess(m, permWrite); err != nil {
		return err
	}
	if _, missing := c.e.existing(m, c.ids); len(missing) > 0 {
		return missingError(m.name, missing, c.e.uid)
	}
	return nil
}

// saleDeliver creates (or extends) the order's delivery for lines.
func saleDeliver(e *env, order int64, lines []int64) *odooError {
	so, sol := e.model("sale.order"), e.model("sale.order.line")
	pk := e.model("stock.picking")
	wh := e.getID(so, order, "warehouse_id")
	if wh == 0 {
		return nil
	}
	su := e.sudo()
	uomLine := "product_uom"
	if e.db.since("19.0") {
		uomLine = "product_uom_id"
	}
	var todo []int64
	for _, l := range lines {
		if p := e.getID(sol, l, "product_id"); p != 0 && deliverable(e, p) && e.getStr(sol, l, "display_type") == "" {
			todo = append(todo, l)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	var pid int64
	for _, p := range e.getIDs(so, order, "picking_ids") {
		if st := e.getStr(pk, p, "state"); st != "done" && st != "cancel" && e.getStr(pk, p, "picking_type_code") == "outgoing" {
			pid = p
			break
		}
	}
	if pid == 0 {
		ptype := e.getID(e.model("stock.warehouse"), wh, "out_type_id")
		origin := e.getStr(so, order, "name")
		if ref := e.getStr(so, order, "client_order_ref"); ref != "" {
			origin += " - " + ref
		}
		sched := e.getStr(so, order, "commitment_date")
		if sched == "" {
			sched = e.now()
			if lead := e.getFloat(sol, todo[0], "customer_lead"); lead > 0 {
				sched = e.db.now().UTC().Add(time.Duration(lead * 24 * float64(time.Hour))).Format(time.DateTime)
			}
		}
		var err *odooError
		pid, err = su.create(pk, newDict("picking_type_id", ptype, "partner_id", e.getID(so, order, "partner_shipping_id"),
			"origin", origin, "sale_id", order, "scheduled_date", sched,
			"location_dest_id", customerLocation(e)))
		if err != nil {
			return err
		}
	}
	for _, l := range todo {
		_, err := su.create(e.model("stock.move"), newDict(
			"name", e.getStr(sol, l, "name"), "product_id", e.getID(sol, l, "product_id"),
			"product_uom_qty", e.getFloat(sol, l, "product_uom_qty"), "product_uom", e.getID(sol, l, uomLine),
			"picking_id", pid, "sale_line_id", l, "origin", e.getStr(so, order, "name"),
			"partner_id", e.getID(so, order, "partner_shipping_id")))
		if err != nil {
			return err
		}
	}
	return confirmPicking(e, pid)
}

// purchaseReceive creates the receipt of a confirmed purchase order.
func purchaseReceive(e *env, order int64) *odooError {
	po, pol := e.model("purchase.order"), e.model("purchase.order.line")
	su := e.sudo()
	uomLine := "product_uom"
	if e.db.since("19.0") {
		uomLine = "product_uom_id"
	}
	var todo []int64
	for _, l := range e.getIDs(po, order, "order_line") {
		if p := e.getID(pol, l, "product_id"); p != 0 && deliverable(e, p) && e.getStr(pol, l, "display_type") == "" {
			todo = append(todo, l)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	pid, err := su.create(e.model("stock.picking"), newDict("picking_type_id", e.getID(po, order, "picking_type_id"),
		"partner_id", e.getID(po, order, "partner_id"), "origin", e.getStr(po, order, "name"), "purchase_id", order,
		"scheduled_date", e.getStr(po, order, "date_planned"), "location_id", supplierLocation(e)))
	if err != nil {
		return err
	}
	for _, l := range todo {
		if _, err := su.create(e.model("stock.move"), newDict(
			"name", e.getStr(pol, l, "name"), "product_id", e.getID(pol, l, "product_id"),
			"product_uom_qty", e.getFloat(pol, l, "product_qty"), "product_uom", e.getID(pol, l, uomLine),
			"picking_id", pid, "purchase_line_id", l, "origin", e.getStr(po, order, "name"),
			"partner_id", e.getID(po, order, "partner_id"))); err != nil {
			return err
		}
	}
	return confirmPicking(e, pid)
}

func usageLocation(e *env, usage string) int64 {
	loc := e.model("stock.location")
	ids := e.searchIDs(loc, func(id int64) bool { return e.getStr(loc, id, "usage") == usage })
	if len(ids) == 0 {
		return 0
	}
	return slices.Min(ids)
}

func customerLocation(e *env) int64 { return usageLocation(e, "customer") }
func supplierLocation(e *env) int64 { return usageLocation(e, "supplier") }
