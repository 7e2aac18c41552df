package odoo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/b2bgw/b2bgw/internal/canonical"
)

// Ship notices fill incoming receipts, warehouse shipping advices fill
// outgoing deliveries. Both: match each shipped item to a move of the
// order's open transfer by product, refuse what does not match, record
// quantities (and lots/serials) in one write per transfer, then validate
// per policy with the context keys that replace Odoo's wizards:
//
//   - skip_backorder: true — no "Create backorder?" wizard; what was not
//     shipped stays open in a backorder;
//   - picking_ids_not_to_backorder: [ids] — cancel the rest instead
//     (PickingPolicy.Backorder false);
//   - skip_immediate: true — 16's "Immediate transfer?" wizard.

// shipItem is one shipped product with its quantity and traceability.
type shipItem struct {
	label   string // "line 3" / "item 2": where it is in the document
	ref     canonical.ProductRef
	qty     canonical.Decimal
	lots    []canonical.Lot
	serials []string
}

// PostShipmentNotice records a vendor's advance ship notice on the
// receipts of our purchase orders: one Result per order in the notice.
// A resend of the same notice (same shipment id) changes nothing.
func (c *Client) PostShipmentNotice(ctx context.Context, pol Policy, n *canonical.ShipmentNotice) ([]Result, error) {
	pol = pol.Defaults()
	partner := n.Meta.PartnerID
	if err := testGuard(pol, n.Meta, n.ShipmentID); err != nil {
		return nil, err
	}
	if err := c.Connect(ctx); err != nil {
		return nil, err
	}
	vendorParty := findRole(n.Parties, canonical.RoleShipFrom, canonical.RoleVendor)
	vendor, why, err := c.resolvePartner(ctx, pol.Vendor, vendorParty, "vendor")
	if err != nil {
		return nil, docErr(partner, n.ShipmentID, err)
	}
	if vendor == 0 {
		return nil, &DocumentError{Partner: partner, Number: n.ShipmentID, Problem: ProblemUnknownPartner, Detail: why}
	}
	var out []Result
	for i := range n.Orders {
		so := &n.Orders[i]
		var items []shipItem
		for j, pi := range so.AllItems() {
			it := pi.Item
			label := "item " + fmt.Sprint(j+1)
			if it.LineNumber != "" {
				label = "line " + it.LineNumber
			}
			items = append(items, shipItem{label: label, ref: it.Product, qty: it.QuantityShipped, lots: it.Lots, serials: it.SerialNumbers})
		}
		number := n.ShipmentID + "/" + so.PONumber
		unlock := c.locks.lock("asn:" + partner + "/" + number)
		res, err := c.postShipment(ctx, pol, pol.Receipt, vendorSide, partner, number, "asn_"+escapeXMLID(partner)+"__"+escapeXMLID(number),
			func(ctx context.Context) ([]int64, string, error) {
				rows, err := c.SearchRead(ctx, "purchase.order", Domain{Cond("name", "=", so.PONumber), Cond("partner_id", "child_of", vendor)},
					[]string{"name", "picking_ids"}, SearchOpts{Limit: 1})
				if err != nil || len(rows) == 0 {
					return nil, "no purchase order " + so.PONumber + " from this vendor", err
				}
				return rows[0].IDs("picking_ids"), "", nil
			}, vendor, "incoming", n.Tracking, items)
		unlock()
		if err != nil {
			return out, err
		}
		out = append(out, res)
	}
	return out, nil
}

// PostWarehouseShippingAdvice records a 3PL's shipping advice on the
// outgoing delivery of our sales order (by name, else by the customer's
// PO number).
func (c *Client) PostWarehouseShippingAdvice(ctx context.Context, pol Policy, a *canonical.WarehouseShippingAdvice) (Result, error) {
	pol = pol.Defaults()
	partner := a.Meta.PartnerID
	if err := testGuard(pol, a.Meta, a.DepositorOrderNumber); err != nil {
		return Result{}, err
	}
	if err := c.Connect(ctx); err != nil {
		return Result{}, err
	}
	number := a.DepositorOrderNumber
	if a.ShipmentID != "" {
		number += "/" + a.ShipmentID
	}
	var items []shipItem
	for _, l := range a.Lines {
		items = append(items, shipItem{label: "line " + l.LineNumber, ref: l.Product, qty: l.QuantityShipped, lots: l.Lots, serials: l.SerialNumbers})
	}
	unlock := c.locks.lock("945:" + partner + "/" + number)
	defer unlock()
	return c.postShipment(ctx, pol, pol.Delivery, customerSide, partner, number, "wsa_"+escapeXMLID(partner)+"__"+escapeXMLID(number),
		func(ctx context.Context) ([]int64, string, error) {
			dom := Domain{Cond("name", "=", a.DepositorOrderNumber)}
			if a.CustomerPONumber != "" {
				dom = Domain{"|", Cond("name", "=", a.DepositorOrderNumber), Cond("client_order_ref", "=", a.CustomerPONumber)}
			}
			rows, err := c.SearchRead(ctx, saleOrder, dom, []string{"picking_ids"}, SearchOpts{Limit: 2, Order: "id asc"})
			if err != nil {
				return nil, "", err
			}
			if len(rows) == 1 {
				return rows[0].IDs("picking_ids"), "", nil
			}
			if len(rows) > 1 {
				return nil, "order number " + a.DepositorOrderNumber + " / PO " + a.CustomerPONumber + " matches several sales orders", nil
			}
			// The 940 may have named the delivery itself.
			picks, err := c.SearchRead(ctx, "stock.picking", Domain{Cond("name", "=", a.DepositorOrderNumber)}, []string{"id"}, SearchOpts{Limit: 1})
			if err != nil || len(picks) == 0 {
				return nil, "no sales order or delivery " + a.DepositorOrderNumber, err
			}
			return []int64{picks[0].ID()}, "", nil
		}, 0, "outgoing", a.Tracking, items)
}

func findRole(ps []canonical.Party, roles ...canonical.PartyRole) *canonical.Party {
	for _, r := range roles {
		for i := range ps {
			if ps[i].Role == r {
				return &ps[i]
			}
		}
	}
	return nil
}

type move struct {
	id, picking, product int64
	demand               float64
}

// postShipment is the shared receipt/delivery flow.
func (c *Client) postShipment(ctx context.Context, pol Policy, pp PickingPolicy, sd side, partner, number, key string,
	findPickings func(context.Context) ([]int64, string, error), vendor int64, code string, tr *canonical.Tracking, items []shipItem) (Result, error) {
	fail := func(p Problem, line, detail string) (Result, error) {
		return Result{}, &DocumentError{Partner: partner, Number: number, Line: line, Problem: p, Detail: detail}
	}
	// The notice's external id makes a resend a no-op even after the
	// receipt was validated and a backorder opened for the rest.
	guard, existing, err := c.guard(ctx, key, "stock.picking")
	if err != nil {
		return Result{}, docErr(partner, number, err)
	}
	if existing != nil {
		return *existing, nil
	}
	release := func() {
		if guard != 0 {
			_ = c.unlinkReservation(ctx, guard)
		}
	}
	pickIDs, why, err := findPickings(ctx)
	if err != nil {
		release()
		return Result{}, docErr(partner, number, err)
	}
	if why != "" {
		release()
		return fail(ProblemUnknownOrder, "", why)
	}
	picks, err := c.Read(ctx, "stock.picking", pickIDs, []string{"name", "state", "picking_type_code", "move_ids"}, nil)
	if err != nil {
		release()
		return Result{}, docErr(partner, number, err)
	}
	var open []Record
	var moveIDs []int64
	for _, p := range picks {
		if p.String("picking_type_code") == code && p.String("state") != "done" && p.String("state") != "cancel" {
			open = append(open, p)
			moveIDs = append(moveIDs, p.IDs("move_ids")...)
		}
	}
	if len(open) == 0 {
		release()
		return fail(ProblemNothingToDo, "", "the order has no open "+map[string]string{"incoming": "receipt", "outgoing": "delivery"}[code])
	}
	mrows, err := c.Read(ctx, "stock.move", moveIDs, []string{"product_id", "product_uom_qty", "state", "picking_id"}, nil)
	if err != nil {
		release()
		return Result{}, docErr(partner, number, err)
	}
	var moves []move
	for _, m := range mrows {
		if s := m.String("state"); s != "done" && s != "cancel" {
			moves = append(moves, move{id: m.ID(), picking: m.M2OID("picking_id"), product: m.M2OID("product_id"), demand: m.Float("product_uom_qty")})
		}
	}
	refs := make([]canonical.ProductRef, len(items))
	for i, it := range items {
		refs[i] = it.ref
	}
	products, err := c.resolveProducts(ctx, pol, sd, vendor, refs)
	if err != nil {
		release()
		return Result{}, docErr(partner, number, err)
	}
	// Match: quantities per product, spread over its moves in order.
	var problems []string
	var firstLine string
	var firstProblem Problem
	bad := func(p Problem, label, d string) {
		problems = append(problems, label+": "+d)
		if firstProblem == "" {
			firstProblem, firstLine = p, strings.TrimPrefix(strings.TrimPrefix(label, "line "), "item ")
		}
	}
	done := map[int64]float64{}       // move → quantity
	lots := map[int64][]moveLotLine{} // move → lot lines
	for i, it := range items {
		if products[i] == 0 {
			bad(ProblemUnknownProduct, it.label, "no product matches "+describeRef(it.ref))
			continue
		}
		var ms []int
		for j, m := range moves {
			if m.product == products[i] {
				ms = append(ms, j)
			}
		}
		if len(ms) == 0 {
			bad(ProblemNotOnOrder, it.label, fmt.Sprintf("product %s (id %d) is not on the open transfer", describeRef(it.ref), products[i]))
			continue
		}
		left := it.qty.Float64()
		for n, j := range ms {
			room := moves[j].demand - done[moves[j].id]
			take := min(left, max(room, 0))
			if n == len(ms)-1 {
				if left > room+1e-9 && !pp.AllowOverShipment {
					var demand float64
					for _, k := range ms {
						demand += moves[k].demand
					}
					bad(ProblemOverShipment, it.label, fmt.Sprintf("shipped %s of %s, more than the %g still open", it.qty, describeRef(it.ref), demand))
					break
				}
				take = left
			}
			if take <= 0 {
				continue
			}
			done[moves[j].id] += take
			lots[moves[j].id] = append(lots[moves[j].id], splitLots(it, take)...)
			left -= take
		}
	}
	if len(problems) > 0 {
		release()
		return fail(firstProblem, firstLine, strings.Join(problems, "; "))
	}
	f := c.Fields()
	var lotIDs map[string]int64
	if code == "outgoing" {
		if lotIDs, err = c.lotIDs(ctx, moves, lots); err != nil {
			release()
			return Result{}, docErr(partner, number, err)
		}
	}
	trackRef := ""
	if tr != nil {
		trackRef = strings.Join(append(slices.Clone(tr.TrackingNumbers), nonEmpty(tr.BillOfLading, tr.ProNumber)...), ",")
	}
	hasTracking := trackRef != "" && c.hasField(ctx, "stock.picking", "carrier_tracking_ref")
	var touched []int64
	var res Result
	for _, p := range open {
		var cmds []any
		for _, m := range moves {
			q, ok := done[m.id]
			if !ok || m.picking != p.ID() {
				continue
			}
			vals := map[string]any{}
			if ll := lots[m.id]; len(ll) > 0 && ll[0].name != "" {
				lines := []any{[]any{5, 0, 0}}
				for _, l := range ll {
					lv := map[string]any{f.MoveLineDone: l.qty}
					if id := lotIDs[fmt.Sprintf("%d/%s", m.product, l.name)]; id != 0 {
						lv["lot_id"] = id
					} else {
						lv["lot_name"] = l.name
					}
					if f.MovePicked {
						lv["picked"] = true
					}
					lines = append(lines, []any{0, 0, lv})
				}
				vals["move_line_ids"] = lines
			} else {
				vals[f.MoveDone] = q
			}
			if f.MovePicked {
				vals["picked"] = true
			}
			cmds = append(cmds, []any{1, m.id, vals})
		}
		if len(cmds) == 0 {
			continue
		}
		pv := map[string]any{"move_ids": cmds}
		if hasTracking {
			pv["carrier_tracking_ref"] = trackRef
		}
		if err := c.Write(ctx, "stock.picking", []int64{p.ID()}, pv, nil); err != nil {
			release()
			return Result{}, docErr(partner, number, err)
		}
		touched = append(touched, p.ID())
		res = Result{Model: "stock.picking", ID: p.ID(), Name: p.String("name"), Action: Ready, State: p.String("state"), Key: key}
	}
	if pp.Validate && len(touched) > 0 {
		vctx := map[string]any{"skip_backorder": true, "skip_immediate": true}
		if !*pp.Backorder {
			vctx["picking_ids_not_to_backorder"] = touched
		}
		raw, err := c.Exec(ctx, "stock.picking", "button_validate", touched, vctx)
		if err != nil {
			var oe *Error
			if !errors.As(err, &oe) || !oe.Ambiguous {
				release()
				return Result{}, docErr(partner, number, err)
			}
			raw = json.RawMessage("true") // settled by the state read below
		}
		if string(raw) != "true" {
			release()
			return Result{}, &DocumentError{Partner: partner, Number: number, Problem: ProblemRefused,
				Detail: "button_validate asked for a wizard despite skip_backorder: " + string(raw)}
		}
		st, err := c.Read(ctx, "stock.picking", []int64{res.ID}, []string{"state"}, nil)
		if err != nil || len(st) == 0 {
			return res, docErr(partner, number, err)
		}
		res.State = st[0].String("state")
		if res.State == "done" {
			res.Action = Validated
		}
	}
	if guard != 0 {
		_ = c.Write(ctx, "ir.model.data", []int64{guard}, map[string]any{"res_id": res.ID}, nil)
	}
	return res, nil
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

type moveLotLine struct {
	name string
	qty  float64
}

// splitLots turns an item's lots or serials into move-line quantities for
// the part of it (take) assigned to one move.
func splitLots(it shipItem, take float64) []moveLotLine {
	var out []moveLotLine
	switch {
	case len(it.serials) > 0:
		for _, s := range it.serials {
			if take < 1-1e-9 {
				break
			}
			out = append(out, moveLotLine{name: s, qty: 1})
			take--
		}
	case len(it.lots) == 1 && it.lots[0].Quantity == nil:
		out = append(out, moveLotLine{name: it.lots[0].Number, qty: take})
	case len(it.lots) > 0:
		for _, l := range it.lots {
			q := take
			if l.Quantity != nil {
				q = min(l.Quantity.Float64(), take)
			}
			if q <= 0 {
				break
			}
			out = append(out, moveLotLine{name: l.Number, qty: q})
			take -= q
		}
	default:
		out = append(out, moveLotLine{qty: take})
	}
	return out
}

// lotIDs finds existing lots (deliveries ship existing lots; receipts
// create them from lot_name), keyed "product/name".
func (c *Client) lotIDs(ctx context.Context, moves []move, lots map[int64][]moveLotLine) (map[string]int64, error) {
	var names []string
	var prods []int64
	for _, m := range moves {
		for _, l := range lots[m.id] {
			if l.name != "" {
				names, prods = append(names, l.name), append(prods, m.product)
			}
		}
	}
	out := map[string]int64{}
	if len(names) == 0 {
		return out, nil
	}
	rows, err := c.SearchRead(ctx, "stock.lot", Domain{Cond("name", "in", names), Cond("product_id", "in", prods)}, []string{"name", "product_id"}, SearchOpts{})
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[fmt.Sprintf("%d/%s", r.M2OID("product_id"), r.String("name"))] = r.ID()
	}
	return out, nil
}

// hasField reports (cached) whether model has field: carrier_tracking_ref
// exists only with the delivery module (stock_delivery from 17).
func (c *Client) hasField(ctx context.Context, model, field string) bool {
	key := "field:" + model + "." + field
	if id, ok := c.cache.get(key); ok {
		return id > 0
	}
	var fields map[string]json.RawMessage
	if err := c.CallInto(ctx, Request{Model: model, Method: "fields_get", Idempotent: true,
		Kwargs: map[string]any{"allfields": []string{field}, "attributes": []string{"type"}}}, &fields); err != nil {
		return false
	}
	if _, ok := fields[field]; ok {
		c.cache.put(key, 1)
		return true
	}
	return false
}

// guard reserves a document's external id (stock.picking flows): it
// returns the reservation, or the existing result when the document was
// posted before. Without rights on ir.model.data there is no guard.
func (c *Client) guard(ctx context.Context, key, model string) (int64, *Result, error) {
	if c.noXMLID.Load() {
		return 0, nil, nil
	}
	token := newToken()
	for round := 1; ; round++ {
		ids, err := c.reserve(ctx, []string{key}, []int64{token}, model)
		if errors.Is(err, errNoRights) {
			return 0, nil, nil
		}
		if err == nil {
			return ids[0], nil, nil
		}
		if !errors.Is(err, errTaken) {
			return 0, nil, err
		}
		have, err := c.reservations(ctx, []string{key})
		if err != nil {
			return 0, nil, err
		}
		r, ok := have[key]
		switch {
		case !ok:
			continue
		case r.resID > 0:
			rows, err := c.Read(ctx, model, []int64{r.resID}, []string{"name", "state"}, nil)
			if err != nil {
				return 0, nil, err
			}
			res := Result{Model: model, ID: r.resID, Action: Existing, Key: key}
			if len(rows) > 0 {
				res.Name, res.State = rows[0].String("name"), rows[0].String("state")
			}
			return 0, &res, nil
		case round < c.cfg.MaxAttempts && !r.created.IsZero() && timeSince(r.created) > ReservationLease:
			_ = c.unlinkReservation(ctx, r.id)
			continue
		}
		return 0, nil, &DocumentError{Problem: ProblemInProgress, Number: key, Detail: "another gateway process is posting this document (external id " + XMLIDModule + "." + key + ")"}
	}
}

var timeSince = time.Since
