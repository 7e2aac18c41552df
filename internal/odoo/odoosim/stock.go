package odoosim

import (
	"fmt"
	"math"
	"slices"
)

// Inventory: locations, quants, pickings, moves and move lines, with the
// 16 vs 17+ quantity fields (quantity_done/qty_done/reserved_uom_qty vs
// quantity + picked), reservation against quants, and button_validate with
// its wizards and the skip_backorder / picking_ids_not_to_backorder keys.

var qtyFields = [][2]string{
	{"qty_available", "Quantity On Hand"},
	{"free_qty", "Free To Use Quantity "},
	{"virtual_available", "Forecasted Quantity"},
	{"incoming_qty", "Incoming"},
	{"outgoing_qty", "Outgoing"},
}

func (d *db) defineStockModels(uomLine string) {
	v17 := d.since("17.0")

	wh := d.newModel("stock.warehouse", "Warehouse", "sequence,id")
	wh.add(required(char("name", "Warehouse")), required(char("code", "Short Name")),
		withDefaultFn(m2o("company_id", "Company", "res.company"), defaultCompany),
		m2o("partner_id", "Address", "res.partner"),
		m2o("view_location_id", "View Location", "stock.location"),
		m2o("lot_stock_id", "Location Stock", "stock.location"),
		m2o("in_type_id", "In Type", "stock.picking.type"),
		m2o("out_type_id", "Out Type", "stock.picking.type"),
		withDefault(boolean("active", "Active"), true), withDefault(integer("sequence", "Sequence"), int64(10)))

	loc := d.newModel("stock.location", "Inventory Locations", "complete_name, id")
	loc.add(required(char("name", "Location Name")),
		computed(char("complete_name", "Full Location Name"), func(e *env, id int64) any { return locationCompleteName(e, id) }),
		m2o("location_id", "Parent Location", "stock.location"),
		withDefault(selection("usage", "Location Type", "supplier", "Vendor Location", "view", "View", "internal", "Internal Location",
			"customer", "Customer Location", "inventory", "Inventory Loss", "production", "Production", "transit", "Transit Location"), "internal"),
		computed(m2o("warehouse_id", "Warehouse", "stock.warehouse"), func(e *env, id int64) any { return locationWarehouse(e, id) }),
		withDefault(boolean("active", "Active"), true),
		m2o("company_id", "Company", "res.company"), char("barcode", "Barcode"))
	loc.displayName = func(e *env, id int64) string { return locationCompleteName(e, id) }

	pt := d.newModel("stock.picking.type", "Picking Type", "is_favorite desc, sequence, id")
	pt.add(required(char("name", "Operation Type")),
		required(selection("code", "Type of Operation", "incoming", "Receipt", "outgoing", "Delivery", "internal", "Internal Transfer")),
		m2o("warehouse_id", "Warehouse", "stock.warehouse"), char("sequence_code", "Sequence Prefix"),
		m2o("default_location_src_id", "Default Source Location", "stock.location"),
		m2o("default_location_dest_id", "Default Destination Location", "stock.location"),
		withDefault(selection("create_backorder", "Create Backorder", "ask", "Ask", "always", "Always", "never", "Never"), "ask"),
		withDefault(selection("reservation_method", "Reservation Method", "at_confirm", "At Confirmation", "manual", "Manually", "by_date", "Before scheduled date"), "at_confirm"),
		withDefault(boolean("active", "Active"), true), withDefault(integer("sequence", "Sequence"), int64(1)),
		withDefault(boolean("is_favorite", "Show Operation in Overview"), false),
		withDefaultFn(m2o("company_id", "Company", "res.company"), defaultCompany))
	pt.displayName = func(e *env, id int64) string {
		name := e.getStr(pt, id, "name")
		if w := e.getID(pt, id, "warehouse_id"); w != 0 {
			return e.getStr(wh, w, "name") + ": " + name
		}
		return name
	}

	lot := d.newModel("stock.lot", "Lot/Serial", "name, id")
	lot.add(required(char("name", "Lot/Serial Number")), required(m2o("product_id", "Product", "product.product")),
		withDefaultFn(m2o("company_id", "Company", "res.company"), defaultCompany), char("ref", "Internal Reference"),
		computed(float("product_qty", "On Hand Quantity"), func(e *env, id int64) any {
			q := e.model("stock.quant")
			total := 0.0
			for _, qid := range e.withValue("stock.quant", "lot_id", id) {
				if r := e.db.tables["stock.quant"].rows[qid]; r["lot_id"] == id && locationUsage(e, e.getID(q, qid, "location_id")) == "internal" {
					total += e.getFloat(q, qid, "quantity")
				}
			}
			return total
		}))
	lot.constraints = append(lot.constraints, lotUnique)

	quant := d.newModel("stock.quant", "Quants", "id")
	quant.add(required(m2o("product_id", "Product", "product.product")), required(m2o("location_id", "Location", "stock.location")),
		m2o("lot_id", "Lot/Serial Number", "stock.lot"), withDefault(float("quantity", "Quantity"), 0.0),
		computed(float("reserved_quantity", "Reserved Quantity"), func(e *env, id int64) any { return quantReserved(e, id) }),
		computed(float("available_quantity", "Available Quantity"), func(e *env, id int64) any {
			return e.getFloat(e.model("stock.quant"), id, "quantity") - quantReserved(e, id)
		}),
		withDefault(float("inventory_quantity", "Counted Quantity"), 0.0), withDefault(boolean("inventory_quantity_set", "Inventory Quantity Set"), false),
		computed(m2o("warehouse_id", "Warehouse", "stock.warehouse"), func(e *env, id int64) any {
			return locationWarehouse(e, e.getID(e.model("stock.quant"), id, "location_id"))
		}),
		withDefault(datetime("in_date", "Incoming Date"), nil),
		withDefaultFn(m2o("company_id", "Company", "res.company"), defaultCompany))
	quant.afterCreate = func(e *env, id int64, vals *pyDict) *odooError {
		if vals.Has("quantity") && !truthy(e.ctxGet("inventory_mode")) && !e.su {
			return userError("Quant's creation is restricted, you can't do this operation.")
		}
		if vals.Has("inventory_quantity") {
			e.set(quant, id, "inventory_quantity_set", true)
		}
		return nil
	}

	picking := d.newModel("stock.picking", "Transfer", "priority desc, scheduled_date asc, id desc")
	picking.add(
		withDefault(char("name", "Reference"), "/"),
		char("origin", "Source Document"),
		m2o("partner_id", "Contact", "res.partner"),
		required(m2o("picking_type_id", "Operation Type", "stock.picking.type")),
		related(selection("picking_type_code", "Type of Operation", "incoming", "Receipt", "outgoing", "Delivery", "internal", "Internal Transfer"), "picking_type_id.code"),
		required(withDefaultFn(m2o("location_id", "Source Location", "stock.location"), pickingTypeDefault("default_location_src_id"))),
		required(withDefaultFn(m2o("location_dest_id", "Destination Location", "stock.location"), pickingTypeDefault("default_location_dest_id"))),
		withDefaultFn(datetime("scheduled_date", "Scheduled Date"), func(e *env, _ *pyDict) any { return e.now() }),
		readonly(datetime("date_done", "Date of Transfer")),
		withDefault(readonly(selection("state", "Status", "draft", "Draft", "waiting", "Waiting Another Operation", "confirmed", "Waiting",
			"assigned", "Ready", "done", "Done", "cancel", "Cancelled")), "draft"),
		m2o("backorder_id", "Back Order of", "stock.picking"),
		o2m("backorder_ids", "Back Orders", "stock.picking", "backorder_id"),
		o2m("move_ids", "Stock Moves", "stock.move", "picking_id"),
		o2m("move_line_ids", "Operations", "stock.move.line", "picking_id"),
		m2o("sale_id", "Sales Order", "sale.order"),
		m2o("purchase_id", "Purchase Orders", "purchase.order"),
		withDefaultFn(m2o("company_id", "Company", "res.company"), defaultCompany),
		char("carrier_tracking_ref", "Tracking Reference"),
		withDefault(selection("move_type", "Shipping Policy", "direct", "As soon as possible", "one", "When all products are ready"), "direct"),
		withDefault(selection("priority", "Priority", "0", "Normal", "1", "Urgent"), "0"),
		text("note", "Notes"),
	)
	if !d.since("19.0") {
		picking.add(o2m("move_ids_without_package", "Stock moves not in package", "stock.move", "picking_id"))
	}
	picking.afterCreate = func(e *env, id int64, _ *pyDict) *odooError {
		if e.getStr(picking, id, "name") == "/" {
			e.set(picking, id, "name", pickingName(e, e.getID(picking, id, "picking_type_id")))
		}
		return nil
	}
	picking.beforeUnlink = func(e *env, ids []int64) *odooError {
		for _, id := range ids {
			if e.getStr(picking, id, "state") == "done" {
				return userError("You cannot delete a done transfer.")
			}
		}
		return nil
	}

	move := d.newModel("stock.move", "Stock Move", "sequence, id")
	move.add(
		withDefaultFn(char("name", "Description"), func(e *env, vals *pyDict) any {
			if p := m2oVal(vals, "product_id"); p != 0 && e.exists("product.product", p) {
				return e.displayName(e.model("product.product"), p)
			}
			return nil
		}),
		withDefault(integer("sequence", "Sequence"), int64(10)),
		required(m2o("product_id", "Product", "product.product")),
		withDefault(float("product_uom_qty", "Demand"), 0.0),
		computed(float("product_qty", "Real Quantity"), func(e *env, id int64) any { return e.getFloat(e.model("stock.move"), id, "product_uom_qty") }),
		required(withDefaultFn(m2o("product_uom", "UoM", "uom.uom"), func(e *env, vals *pyDict) any {
			if p := m2oVal(vals, "product_id"); p != 0 && e.exists("product.product", p) {
				return e.getID(e.model("product.product"), p, "uom_id")
			}
			return int64(1)
		})),
		withDefault(readonly(selection("state", "Status", "draft", "New", "waiting", "Waiting Another Move", "confirmed", "Waiting Availability",
			"partially_available", "Partially Available", "assigned", "Available", "done", "Done", "cancel", "Cancelled")), "draft"),
		cascade(m2o("picking_id", "Transfer", "stock.picking")),
		required(withDefaultFn(m2o("location_id", "Source Location", "stock.location"), fromPicking("location_id"))),
		required(withDefaultFn(m2o("location_dest_id", "Destination Location", "stock.location"), fromPicking("location_dest_id"))),
		withDefaultFn(m2o("picking_type_id", "Operation Type", "stock.picking.type"), fromPicking("picking_type_id")),
		m2o("sale_line_id", "Sale Line", "sale.order.line"),
		m2o("purchase_line_id", "Purchase Order Line", "purchase.order.line"),
		o2m("move_line_ids", "Move Lines", "stock.move.line", "move_id"),
		char("origin", "Source Document"),
		withDefaultFn(datetime("date", "Date Scheduled"), func(e *env, _ *pyDict) any { return e.now() }),
		m2o("partner_id", "Destination Address", "res.partner"),
		withDefaultFn(m2o("company_id", "Company", "res.company"), defaultCompany),
	)
	ml := d.newModel("stock.move.line", "Product Moves (Stock Move Line)", "result_package_id desc, id")
	ml.order = "id"
	ml.add(
		cascade(m2o("move_id", "Stock Operation", "stock.move")),
		withDefaultFn(m2o("picking_id", "Transfer", "stock.picking"), fromMove("picking_id")),
		required(withDefaultFn(m2o("product_id", "Product", "product.product"), fromMove("product_id"))),
		m2o("lot_id", "Lot/Serial Number", "stock.lot"),
		char("lot_name", "Lot/Serial Number Name"),
		required(withDefaultFn(m2o("location_id", "From", "stock.location"), fromMove("location_id"))),
		required(withDefaultFn(m2o("location_dest_id", "To", "stock.location"), fromMove("location_dest_id"))),
		required(withDefaultFn(m2o("product_uom_id", "Unit of Measure", "uom.uom"), fromMove("product_uom"))),
		related(selection("state", "Status"), "move_id.state"),
		withDefaultFn(m2o("company_id", "Company", "res.company"), defaultCompany),
	)
	ml.byName["state"].sel = move.byName["state"].sel
	if v17 {
		move.add(
			&field{name: "quantity", typ: tFloat, label: "Quantity", compute: func(e *env, id int64) any { return moveLineSum(e, id, "quantity") },
				inverse: func(e *env, id int64, v any) *odooError { return setMoveQuantity(e, id, v, "quantity") }},
			withDefault(boolean("picked", "Picked"), false),
		)
		ml.add(withDefault(float("quantity", "Quantity"), 0.0), withDefault(boolean("picked", "Picked"), false))
	} else {
		move.add(
			&field{name: "quantity_done", typ: tFloat, label: "Quantity Done", compute: func(e *env, id int64) any { return moveLineSum(e, id, "qty_done") },
				inverse: func(e *env, id int64, v any) *odooError { return setMoveQuantity(e, id, v, "qty_done") }},
			computed(float("reserved_availability", "Quantity Reserved"), func(e *env, id int64) any { return moveLineSum(e, id, "reserved_uom_qty") }),
		)
		ml.add(withDefault(float("qty_done", "Quantity Done"), 0.0), withDefault(float("reserved_uom_qty", "Reserved"), 0.0))
	}
	move.afterCreate = func(e *env, id int64, _ *pyDict) *odooError {
		// A move added to a confirmed transfer is confirmed with it.
		if p := e.getID(move, id, "picking_id"); p != 0 {
			if st := e.getStr(picking, p, "state"); st != "draft" && st != "done" && st != "cancel" {
				e.set(move, id, "state", "confirmed")
			}
			recomputePickingState(e, p)
		}
		return nil
	}
	move.afterWrite = func(e *env, ids []int64, vals *pyDict) *odooError {
		for _, id := range ids {
			if v, ok := vals.Get("picked"); ok {
				for _, l := range e.getIDs(move, id, "move_line_ids") {
					e.set(ml, l, "picked", truthy(v))
				}
			}
			if p := e.getID(move, id, "picking_id"); p != 0 {
				recomputePickingState(e, p)
			}
		}
		return nil
	}
	ml.afterCreate = func(e *env, id int64, _ *pyDict) *odooError {
		if mv := e.getID(ml, id, "move_id"); mv != 0 {
			recomputeMoveState(e, mv)
		}
		return nil
	}
}

func defaultCompany(e *env, _ *pyDict) any {
	if e.exists("res.company", 1) {
		return int64(1)
	}
	return int64(0)
}

func pickingTypeDefault(name string) func(e *env, vals *pyDict) any {
	return func(e *env, vals *pyDict) any {
		if t := m2oVal(vals, "picking_type_id"); t != 0 && e.exists("stock.picking.type", t) {
			return e.getID(e.model("stock.picking.type"), t, name)
		}
		return nil
	}
}

func fromPicking(name string) func(e *env, vals *pyDict) any {
	return func(e *env, vals *pyDict) any {
		if p := m2oVal(vals, "picking_id"); p != 0 && e.exists("stock.picking", p) {
			return e.getID(e.model("stock.picking"), p, name)
		}
		return nil
	}
}

func fromMove(name string) func(e *env, vals *pyDict) any {
	return func(e *env, vals *pyDict) any {
		if m := m2oVal(vals, "move_id"); m != 0 && e.exists("stock.move", m) {
			return e.getID(e.model("stock.move"), m, name)
		}
		return nil
	}
}

func pickingName(e *env, typeID int64) string {
	pt := e.model("stock.picking.type")
	prefix := e.getStr(pt, typeID, "sequence_code")
	if w := e.getID(pt, typeID, "warehouse_id"); w != 0 {
		prefix = e.getStr(e.model("stock.warehouse"), w, "code") + "/" + prefix
	}
	return fmt.Sprintf("%s/%05d", prefix, e.db.nextSeq(fmt.Sprintf("stock.picking.type/%d", typeID)))
}

// locationCompleteName is Odoo's: a view location shows its own name,
// any other location its parent's complete name, a slash and its name
// ("WH/Stock", "Partners/Customers").
func locationCompleteName(e *env, id int64) string {
	loc := e.model("stock.location")
	name := e.getStr(loc, id, "name")
	if p := e.getID(loc, id, "location_id"); p != 0 && locationUsage(e, id) != "view" {
		return locationCompleteName(e, p) + "/" + name
	}
	return name
}

func locationUsage(e *env, id int64) string { return e.getStr(e.model("stock.location"), id, "usage") }

// locationAncestors returns id and its parents.
func locationAncestors(e *env, id int64) []int64 {
	loc := e.model("stock.location")
	out := []int64{}
	for id != 0 && !slices.Contains(out, id) {
		out = append(out, id)
		id = e.getID(loc, id, "location_id")
	}
	return out
}

func locationWarehouse(e *env, id int64) int64 {
	anc := locationAncestors(e, id)
	wh := e.model("stock.warehouse")
	for _, w := range e.searchIDs(wh, nil) {
		if slices.Contains(anc, e.getID(wh, w, "view_location_id")) {
			return w
		}
	}
	return 0
}

// scopeLocations is the set of internal locations quantities are computed
// over: the context's location, else its warehouse (key "warehouse" in
// 16/17, "warehouse_id" in 18+), else every internal location.
func scopeLocations(e *env) []int64 {
	loc := e.model("stock.location")
	var roots []int64
	resolve := func(v any, model string, names ...string) {
		m := e.model(model)
		var vals []any
		if l, ok := v.([]any); ok {
			vals = l
		} else {
			vals = []any{v}
		}
		for _, x := range vals {
			if id, ok := asInt(x); ok && id != 0 {
				roots = append(roots, id)
				continue
			}
			s, _ := x.(string)
			for _, id := range e.searchIDs(m, nil) {
				for _, n := range names {
					if s != "" && e.getStr(m, id, n) == s {
						roots = append(roots, id)
						break
					}
				}
			}
		}
	}
	if v := e.ctxGet("location"); truthy(v) {
		resolve(v, "stock.location", "name", "complete_name")
	} else {
		key := "warehouse_id"
		if !e.db.since("18.0") {
			key = "warehouse"
		}
		if v := e.ctxGet(key); truthy(v) {
			var whs []int64
			before := len(roots)
			resolve(v, "stock.warehouse", "name", "code")
			whs, roots = roots[before:], roots[:before]
			for _, w := range whs {
				roots = append(roots, e.getID(e.model("stock.warehouse"), w, "view_location_id"))
			}
			if len(roots) == 0 {
				return []int64{}
			}
		}
	}
	var out []int64
	for id := range e.db.tables["stock.location"].rows {
		if e.getStr(loc, id, "usage") != "internal" {
			continue
		}
		if roots == nil {
			out = append(out, id)
			continue
		}
		anc := locationAncestors(e, id)
		if slices.ContainsFunc(roots, func(r int64) bool { return slices.Contains(anc, r) }) {
			out = append(out, id)
		}
	}
	return out
}

func productQty(kind string) func(e *env, id int64) any {
	return func(e *env, id int64) any { return productQtyIn(e, []int64{id}, kind) }
}

func templateQty(kind string) func(e *env, id int64) any {
	return func(e *env, id int64) any { return productQtyIn(e, templateVariants(e, id), kind) }
}

func productQtyIn(e *env, products []int64, kind string) float64 {
	scope := scopeLocations(e)
	q := e.model("stock.quant")
	lotCtx, _ := asInt(e.ctxGet("lot_id"))
	onHand, free := 0.0, 0.0
	for _, qid := range e.withValues("stock.quant", "product_id", products) {
		r := e.db.tables["stock.quant"].rows[qid]
		p, _ := r["product_id"].(int64)
		l, _ := r["location_id"].(int64)
		if !slices.Contains(products, p) || !slices.Contains(scope, l) {
			continue
		}
		if lotCtx != 0 && r["lot_id"] != lotCtx {
			continue
		}
		qty := e.getFloat(q, qid, "quantity")
		onHand += qty
		free += qty - quantReserved(e, qid)
	}
	in, out := 0.0, 0.0
	mv := e.model("stock.move")
	for _, mid := range e.withValues("stock.move", "product_id", products) {
		r := e.db.tables["stock.move"].rows[mid]
		p, _ := r["product_id"].(int64)
		st, _ := r["state"].(string)
		if !slices.Contains(products, p) || st == "draft" || st == "done" || st == "cancel" {
			continue
		}
		src, dst := slices.Contains(scope, e.getID(mv, mid, "location_id")), slices.Contains(scope, e.getID(mv, mid, "location_dest_id"))
		qty := e.getFloat(mv, mid, "product_uom_qty")
		if dst && !src {
			in += qty
		}
		if src && !dst {
			out += qty
		}
	}
	switch kind {
	case "qty_available":
		return round2(onHand)
	case "free_qty":
		return round2(free)
	case "incoming_qty":
		return round2(in)
	case "outgoing_qty":
		return round2(out)
	}
	return round2(onHand + in - out)
}

func round2(f float64) float64 { return math.Round(f*1e6) / 1e6 }

// mlReserveField is the move-line field holding reserved quantity.
func (e *env) mlReserveField() string {
	if e.db.since("17.0") {
		return "quantity"
	}
	return "reserved_uom_qty"
}

// quantReserved sums what open move lines reserve from the quant.
func quantReserved(e *env, qid int64) float64 {
	q := e.model("stock.quant")
	prod, loc, lot := e.getID(q, qid, "product_id"), e.getID(q, qid, "location_id"), e.getID(q, qid, "lot_id")
	mv := e.model("stock.move")
	ml := e.model("stock.move.line")
	field := e.mlReserveField()
	total := 0.0
	for _, lid := range e.withValue("stock.move.line", "product_id", prod) {
		r := e.db.tables["stock.move.line"].rows[lid]
		if r["product_id"] != prod || r["location_id"] != loc {
			continue
		}
		if l, _ := r["lot_id"].(int64); l != lot {
			continue
		}
		st := e.getStr(mv, e.getID(ml, lid, "move_id"), "state")
		if st == "done" || st == "cancel" {
			continue
		}
		total += e.getFloat(ml, lid, field)
	}
	return total
}

func moveLineSum(e *env, moveID int64, field string) float64 {
	ml := e.model("stock.move.line")
	total := 0.0
	for _, l := range e.getIDs(e.model("stock.move"), moveID, "move_line_ids") {
		total += e.getFloat(ml, l, field)
	}
	return round2(total)
}

// setMoveQuantity is the inverse of stock.move.quantity (17+) and
// quantity_done (16): the difference goes to the last move line, or to a
// new one at the move's source location.
func setMoveQuantity(e *env, moveID int64, v any, field string) *odooError {
	mv, ml := e.model("stock.move"), e.model("stock.move.line")
	want, ok := asFloat(v)
	if !ok && truthy(v) {
		return valueError(fmt.Sprintf("could not convert string to float: %s", pyRepr(v)), "raise ValueError(")
	}
	if st := e.getStr(mv, moveID, "state"); st == "done" || st == "cancel" {
		return userError("You cannot change the quantity of a done or cancelled move.")
	}
	lines := e.getIDs(mv, moveID, "move_line_ids")
	have := moveLineSum(e, moveID, field)
	diff := want - have
	switch {
	case diff > 0 && len(lines) > 0:
		last := lines[len(lines)-1]
		e.set(ml, last, field, e.getFloat(ml, last, field)+diff)
	case diff > 0:
		if _, err := e.sudo().create(ml, newDict("move_id", moveID, field, diff)); err != nil {
			return err
		}
	case diff < 0:
		for i := len(lines) - 1; i >= 0 && diff < 0; i-- {
			q := e.getFloat(ml, lines[i], field)
			take := math.Min(q, -diff)
			e.set(ml, lines[i], field, q-take)
			diff += take
		}
	}
	if field == "quantity" {
		recomputeMoveState(e, moveID)
	}
	return nil
}

// recomputeMoveState sets a confirmed move's state from its quantity.
func recomputeMoveState(e *env, moveID int64) {
	mv := e.model("stock.move")
	st := e.getStr(mv, moveID, "state")
	if st == "draft" || st == "done" || st == "cancel" {
		return
	}
	have := moveLineSum(e, moveID, e.mlReserveField())
	demand := e.getFloat(mv, moveID, "product_uom_qty")
	switch {
	case have >= demand-1e-9 && demand > 0:
		e.set(mv, moveID, "state", "assigned")
	case have > 0:
		e.set(mv, moveID, "state", "partially_available")
	default:
		e.set(mv, moveID, "state", "confirmed")
	}
	if p := e.getID(mv, moveID, "picking_id"); p != 0 {
		recomputePickingState(e, p)
	}
}

// recomputePickingState derives a transfer's state from its moves.
func recomputePickingState(e *env, pid int64) {
	pk, mv := e.model("stock.picking"), e.model("stock.move")
	moves := e.getIDs(pk, pid, "move_ids")
	if len(moves) == 0 {
		return
	}
	var states []string
	for _, m := range moves {
		states = append(states, e.getStr(mv, m, "state"))
	}
	all := func(ok ...string) bool {
		for _, s := range states {
			if !slices.Contains(ok, s) {
				return false
			}
		}
		return true
	}
	var st string
	switch {
	case all("cancel"):
		st = "cancel"
	case all("done", "cancel"):
		st = "done"
	case slices.Contains(states, "draft"):
		st = "draft"
	case e.getStr(pk, pid, "move_type") == "one":
		if all("assigned", "done", "cancel") {
			st = "assigned"
		} else {
			st = "confirmed"
		}
	case slices.ContainsFunc(states, func(s string) bool { return s == "assigned" || s == "partially_available" }):
		st = "assigned"
	case slices.Contains(states, "waiting"):
		st = "waiting"
	default:
		st = "confirmed"
	}
	e.set(pk, pid, "state", st)
}

// confirmPicking confirms draft moves and reserves stock, as
// stock.picking.action_confirm does.
func confirmPicking(e *env, pid int64) *odooError {
	pk, mv := e.model("stock.picking"), e.model("stock.move")
	for _, m := range e.getIDs(pk, pid, "move_ids") {
		if e.getStr(mv, m, "state") == "draft" {
			e.set(mv, m, "state", "confirmed")
		}
	}
	recomputePickingState(e, pid)
	return assignPicking(e, pid)
}

// assignPicking reserves quants for the transfer's moves (action_assign).
// Moves from non-internal locations (vendors) need no stock and are
// reserved in full.
func assignPicking(e *env, pid int64) *odooError {
	pk, mv, ml, q := e.model("stock.picking"), e.model("stock.move"), e.model("stock.move.line"), e.model("stock.quant")
	field := e.mlReserveField()
	su := e.sudo()
	for _, m := range e.getIDs(pk, pid, "move_ids") {
		st := e.getStr(mv, m, "state")
		if st != "confirmed" && st != "partially_available" && st != "waiting" {
			continue
		}
		need := e.getFloat(mv, m, "product_uom_qty") - moveLineSum(e, m, field)
		if need <= 0 {
			recomputeMoveState(e, m)
			continue
		}
		src := e.getID(mv, m, "location_id")
		prod := e.getID(mv, m, "product_id")
		if locationUsage(e, src) != "internal" {
			if _, err := su.create(ml, newDict("move_id", m, field, need)); err != nil {
				return err
			}
			continue
		}
		var quants []int64
		for _, qid := range e.withValue("stock.quant", "product_id", prod) {
			if r := e.db.tables["stock.quant"].rows[qid]; r["product_id"] == prod && slices.Contains(locationAncestors(e, e.getID(q, qid, "location_id")), src) {
				quants = append(quants, qid)
			}
		}
		slices.Sort(quants) // FIFO by creation
		for _, qid := range quants {
			if need <= 0 {
				break
			}
			avail := e.getFloat(q, qid, "quantity") - quantReserved(e, qid)
			if avail <= 0 {
				continue
			}
			take := math.Min(avail, need)
			vals := newDict("move_id", m, "location_id", e.getID(q, qid, "location_id"), field, take)
			if lot := e.getID(q, qid, "lot_id"); lot != 0 {
				vals.Set("lot_id", lot)
			}
			if _, err := su.create(ml, vals); err != nil {
				return err
			}
			need -= take
		}
		recomputeMoveState(e, m)
	}
	recomputePickingState(e, pid)
	return nil
}

func lotUnique(e *env, ids []int64, _ *pyDict) *odooError {
	lot := e.model("stock.lot")
	for _, id := range ids {
		name, prod, co := e.getStr(lot, id, "name"), e.getID(lot, id, "product_id"), e.getID(lot, id, "company_id")
		for oid := range e.db.tables["stock.lot"].rows {
			if oid != id && e.getStr(lot, oid, "name") == name && e.getID(lot, oid, "product_id") == prod && e.getID(lot, oid, "company_id") == co {
				return validationError(fmt.Sprintf("The combination of lot/serial number and product must be unique within a company including when no company is defined.\nThe following combinations contain duplicates:\n - Product: %s, Lot/Serial Number: %s",
					e.displayName(e.model("product.product"), prod), name))
			}
		}
	}
	return nil
}
