package odoosim

import (
	"slices"
)

// Transfer actions: action_confirm, action_assign, action_cancel and
// button_validate, with the wizards and context keys of each version.

const (
	viewBackorderConfirmation = 1016 // stock.view_backorder_confirmation
	viewImmediateTransfer     = 1015 // stock.view_immediate_transfer (16)
)

func (d *db) stockMethods() {
	pk := d.models["stock.picking"]
	pk.methods["action_confirm"] = &method{multi: true, fn: func(c *call) (any, *odooError) {
		return forPickings(c, func(pid int64) *odooError { return confirmPicking(c.e, pid) })
	}}
	pk.methods["action_assign"] = &method{multi: true, fn: func(c *call) (any, *odooError) {
		return forPickings(c, func(pid int64) *odooError {
			if c.e.getStr(pk, pid, "state") == "draft" {
				return confirmPicking(c.e, pid)
			}
			return assignPicking(c.e, pid)
		})
	}}
	pk.methods["action_cancel"] = &method{multi: true, fn: func(c *call) (any, *odooError) {
		return forPickings(c, func(pid int64) *odooError { return cancelPicking(c.e, pid) })
	}}
	pk.methods["button_validate"] = &method{multi: true, fn: buttonValidate}

	q := d.models["stock.quant"]
	q.methods["action_apply_inventory"] = &method{multi: true, fn: func(c *call) (any, *odooError) {
		if err := c.e.checkAccess(q, permWrite); err != nil {
			return nil, err
		}
		if _, missing := c.e.existing(q, c.ids); len(missing) > 0 {
			return nil, missingError(q.name, missing, c.e.uid)
		}
		for _, id := range c.ids {
			c.e.set(q, id, "quantity", c.e.getFloat(q, id, "inventory_quantity"))
			c.e.set(q, id, "inventory_quantity_set", false)
			c.e.set(q, id, "in_date", c.e.now())
		}
		return nil, nil // Odoo returns None here
	}}
}

func forPickings(c *call, fn func(pid int64) *odooError) (any, *odooError) {
	pk := c.e.model("stock.picking")
	if err := c.e.checkAccess(pk, permWrite); err != nil {
		return nil, err
	}
	if _, missing := c.e.existing(pk, c.ids); len(missing) > 0 {
		return nil, missingError(pk.name, missing, c.e.uid)
	}
	for _, pid := range c.ids {
		if err := fn(pid); err != nil {
			return nil, err
		}
	}
	return true, nil
}

func openMoves(e *env, pid int64) []int64 {
	mv := e.model("stock.move")
	var out []int64
	for _, m := range e.getIDs(e.model("stock.picking"), pid, "move_ids") {
		if st := e.getStr(mv, m, "state"); st != "done" && st != "cancel" {
			out = append(out, m)
		}
	}
	return out
}

// doneQty is what validating would move: picked quantity (17+) or the
// done quantity (16).
func doneQty(e *env, m int64) float64 {
	mv := e.model("stock.move")
	if e.db.since("17.0") {
		if b, _ := e.get(mv, m, "picked").(bool); !b {
			return 0
		}
		return moveLineSum(e, m, "quantity")
	}
	return moveLineSum(e, m, "qty_done")
}

func cancelPicking(e *env, pid int64) *odooError {
	mv := e.model("stock.move")
	for _, m := range openMoves(e, pid) {
		if err := e.sudo().unlink(e.model("stock.move.line"), e.getIDs(mv, m, "move_line_ids")); err != nil {
			return err
		}
		e.set(mv, m, "state", "cancel")
	}
	recomputePickingState(e, pid)
	if len(e.getIDs(e.model("stock.picking"), pid, "move_ids")) == 0 {
		e.set(e.model("stock.picking"), pid, "state", "cancel")
	}
	return nil
}

func buttonValidate(c *call) (any, *odooError) {
	e := c.e
	pk, mv, ml := e.model("stock.picking"), e.model("stock.move"), e.model("stock.move.line")
	if err := e.checkAccess(pk, permWrite); err != nil {
		return nil, err
	}
	if _, missing := e.existing(pk, c.ids); len(missing) > 0 {
		return nil, missingError(pk.name, missing, e.uid)
	}
	v17 := e.db.since("17.0")
	var todo, needBackorder []int64
	for _, pid := range c.ids {
		switch e.getStr(pk, pid, "state") {
		case "done", "cancel":
			continue // already processed: nothing to validate
		case "draft":
			if err := confirmPicking(e, pid); err != nil {
				return nil, err
			}
		}
		moves := openMoves(e, pid)
		if v17 {
			picked := slices.ContainsFunc(moves, func(m int64) bool { b, _ := e.get(mv, m, "picked").(bool); return b })
			if !picked {
				// Nothing marked picked: what is reserved is validated.
				for _, m := range moves {
					if moveLineSum(e, m, "quantity") > 0 {
						if err := e.write(mv, []int64{m}, newDict("picked", true)); err != nil {
							return nil, err
						}
					}
				}
			}
			if !slices.ContainsFunc(moves, func(m int64) bool { return doneQty(e, m) > 0 }) {
				if e.db.since("19.0") {
					return nil, userError("Transfer trouble alert! Validating a zero quantity transfer? You need to enter a quantity in the Quantity column, or set the quantity to zero to cancel the picking.")
				}
				return nil, userError("You cannot validate a transfer if no quantities are reserved. To force the transfer, encode quantities.")
			}
		} else if !slices.ContainsFunc(moves, func(m int64) bool { return doneQty(e, m) > 0 }) {
			reserved := slices.ContainsFunc(moves, func(m int64) bool { return moveLineSum(e, m, "reserved_uom_qty") > 0 })
			if !reserved {
				return nil, userError("You cannot validate a transfer if no quantities are reserved nor done. To force the transfer, switch in edit mode and encode the done quantities.")
			}
			if !truthy(e.ctxGet("skip_immediate")) {
				return wizardAction(e, "Immediate Transfer?", "stock.immediate.transfer", viewImmediateTransfer, c.ids), nil
			}
			for _, m := range moves {
				for _, l := range e.getIDs(mv, m, "move_line_ids") {
					e.set(ml, l, "qty_done", e.getFloat(ml, l, "reserved_uom_qty"))
				}
			}
		}
		if err := checkLots(e, moves); err != nil {
			return nil, err
		}
		if slices.ContainsFunc(moves, func(m int64) bool { return doneQty(e, m) < e.getFloat(mv, m, "product_uom_qty")-1e-9 }) {
			needBackorder = append(needBackorder, pid)
		}
		todo = append(todo, pid)
	}
	if len(needBackorder) > 0 && !truthy(e.ctxGet("skip_backorder")) {
		return wizardAction(e, "Create Backorder?", "stock.backorder.confirmation", viewBackorderConfirmation, needBackorder), nil
	}
	noBackorder := map[int64]bool{}
	if l, ok := e.ctxGet("picking_ids_not_to_backorder").([]any); ok {
		for _, x := range l {
			if id, ok := asInt(x); ok {
				noBackorder[id] = true
			}
		}
	} else if id, ok := asInt(e.ctxGet("picking_ids_not_to_backorder")); ok {
		noBackorder[id] = true
	}
	for _, pid := range todo {
		if err := pickingDone(e, pid, noBackorder[pid]); err != nil {
			return nil, err
		}
	}
	return true, nil
}

func wizardAction(e *env, name, model string, view int64, ids []int64) *pyDict {
	ctx := e.ctx.Copy()
	ctx.Set("button_validate_picking_ids", idList(ids))
	ctx.Set("default_show_transfers", false)
	var pick []any
	for _, id := range ids {
		pick = append(pick, []any{int64(4), id})
	}
	ctx.Set("default_pick_ids", pick)
	return newDict("name", name, "type", "ir.actions.act_window", "view_mode", "form", "res_model", model,
		"views", []any{[]any{view, "form"}}, "view_id", view, "target", "new", "context", ctx)
}

// checkLots refuses tracked products without a lot (stock.move.line
// _action_done).
func checkLots(e *env, moves []int64) *odooError {
	mv, ml, prod := e.model("stock.move"), e.model("stock.move.line"), e.model("product.product")
	qf := "quantity"
	if !e.db.since("17.0") {
		qf = "qty_done"
	}
	var names []string
	for _, m := range moves {
		if doneQty(e, m) <= 0 {
			continue
		}
		p := e.getID(mv, m, "product_id")
		if e.getStr(prod, p, "tracking") == "none" || e.getStr(prod, p, "tracking") == "" {
			continue
		}
		for _, l := range e.getIDs(mv, m, "move_line_ids") {
			if e.getFloat(ml, l, qf) > 0 && e.getID(ml, l, "lot_id") == 0 && e.getStr(ml, l, "lot_name") == "" {
				n := "- " + e.displayName(prod, p)
				if !slices.Contains(names, n) {
					names = append(names, n)
				}
			}
		}
	}
	if len(names) > 0 {
		msg := "You need to supply a Lot/Serial number for product:\n"
		for i, n := range names {
			if i > 0 {
				msg += "\n"
			}
			msg += n
		}
		return userError("%s", msg)
	}
	return nil
}

// pickingDone moves the stock, splits what was not done into a backorder
// (or cancels it), and closes the transfer.
func pickingDone(e *env, pid int64, cancelRest bool) *odooError {
	pk, mv, ml := e.model("stock.picking"), e.model("stock.move"), e.model("stock.move.line")
	su := e.sudo()
	switch e.getStr(e.model("stock.picking.type"), e.getID(pk, pid, "picking_type_id"), "create_backorder") {
	case "never":
		cancelRest = true
	case "always":
		cancelRest = false
	}
	v17 := e.db.since("17.0")
	qf := "quantity"
	if !v17 {
		qf = "qty_done"
	}
	var rest []int64
	for _, m := range openMoves(e, pid) {
		done := doneQty(e, m)
		demand := e.getFloat(mv, m, "product_uom_qty")
		lines := e.getIDs(mv, m, "move_line_ids")
		if done <= 0 {
			if err := su.unlink(ml, lines); err != nil {
				return err
			}
			if v17 {
				e.set(mv, m, "picked", false)
			}
			rest = append(rest, m)
			continue
		}
		if done < demand-1e-9 {
			nm := e.insert("stock.move", copyRow(e, "stock.move", m, map[string]any{"product_uom_qty": demand - done, "state": "confirmed", "picked": false}))
			rest = append(rest, nm)
			e.set(mv, m, "product_uom_qty", done)
		}
		for _, l := range lines {
			q := e.getFloat(ml, l, qf)
			if q <= 0 {
				if err := su.unlink(ml, []int64{l}); err != nil {
					return err
				}
				continue
			}
			if !v17 {
				e.set(ml, l, "reserved_uom_qty", 0.0)
			}
			if err := moveLineDone(e, l, q); err != nil {
				return err
			}
		}
		e.set(mv, m, "state", "done")
	}
	e.set(pk, pid, "state", "done")
	e.set(pk, pid, "date_done", e.now())
	if len(rest) == 0 {
		return nil
	}
	if cancelRest {
		for _, m := range rest {
			e.set(mv, m, "state", "cancel")
			e.set(mv, m, "picking_id", pid)
		}
		return nil
	}
	bo := e.insert("stock.picking", copyRow(e, "stock.picking", pid, map[string]any{
		"name": pickingName(e, e.getID(pk, pid, "picking_type_id")), "backorder_id": pid, "state": "draft", "date_done": nil,
	}))
	for _, m := range rest {
		e.set(mv, m, "picking_id", bo)
		e.set(mv, m, "state", "draft")
	}
	return confirmPicking(e, bo)
}

func copyRow(e *env, model string, id int64, over map[string]any) row {
	r := row{}
	for k, v := range e.db.tables[model].rows[id] {
		if l, ok := v.([]int64); ok {
			v = slices.Clone(l)
		}
		r[k] = v
	}
	r["create_date"] = e.now()
	for k, v := range over {
		if v == nil {
			delete(r, k)
		} else {
			r[k] = v
		}
	}
	if _, ok := e.model(model).byName["picked"]; !ok {
		delete(r, "picked")
	}
	return r
}

// moveLineDone applies one done move line to the quants, creating the lot
// named by lot_name if needed.
func moveLineDone(e *env, l int64, qty float64) *odooError {
	ml := e.model("stock.move.line")
	prod := e.getID(ml, l, "product_id")
	lot := e.getID(ml, l, "lot_id")
	if name := e.getStr(ml, l, "lot_name"); lot == 0 && name != "" {
		lm := e.model("stock.lot")
		for _, id := range e.searchIDs(lm, nil) {
			if e.getStr(lm, id, "name") == name && e.getID(lm, id, "product_id") == prod {
				lot = id
				break
			}
		}
		if lot == 0 {
			var err *odooError
			lot, err = e.sudo().create(lm, newDict("name", name, "product_id", prod))
			if err != nil {
				return err
			}
		}
		e.set(ml, l, "lot_id", lot)
	}
	updateQuant(e, prod, e.getID(ml, l, "location_id"), lot, -qty)
	updateQuant(e, prod, e.getID(ml, l, "location_dest_id"), lot, qty)
	return nil
}

func updateQuant(e *env, prod, loc, lot int64, delta float64) {
	if locationUsage(e, loc) != "internal" {
		return
	}
	q := e.model("stock.quant")
	for _, qid := range e.withValue("stock.quant", "product_id", prod) {
		r := e.db.tables["stock.quant"].rows[qid]
		if r["product_id"] == prod && r["location_id"] == loc {
			if l, _ := r["lot_id"].(int64); l == lot {
				e.set(q, qid, "quantity", round2(e.getFloat(q, qid, "quantity")+delta))
				return
			}
		}
	}
	vals := row{"product_id": prod, "location_id": loc, "quantity": delta, "in_date": e.now(), "company_id": int64(1)}
	if lot != 0 {
		vals["lot_id"] = lot
	}
	e.insert("stock.quant", vals)
}

// movedQty sums done moves of a sale or purchase line, signed by
// direction (returns count negative).
func movedQty(e *env, lineField string, line int64, into string) float64 {
	mv := e.model("stock.move")
	qf := "quantity"
	if !e.db.since("17.0") {
		qf = "quantity_done"
	}
	total := 0.0
	for _, m := range e.withValue("stock.move", lineField, line) {
		r := e.db.tables["stock.move"].rows[m]
		if r[lineField] != line || r["state"] != "done" {
			continue
		}
		q := e.getFloat(mv, m, qf)
		switch {
		case locationUsage(e, e.getID(mv, m, "location_dest_id")) == into:
			total += q
		case locationUsage(e, e.getID(mv, m, "location_id")) == into:
			total -= q
		}
	}
	return round2(total)
}
