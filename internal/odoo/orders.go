package odoo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/b2bgw/b2bgw/internal/canonical"
	"github.com/b2bgw/b2bgw/internal/errclass"
)

// ReservationLease is how long a reservation without an order blocks other
// gateway processes before they may take it over: longer than any create
// can take (CallTimeout × attempts), plus clock skew.
const ReservationLease = 10 * time.Minute

const saleOrder = "sale.order"

// preparedOrder is an order resolved against Odoo's master data.
type preparedOrder struct {
	o        *canonical.Order
	key      string // external id name
	customer int64
	vals     map[string]any
}

func (p *preparedOrder) number() string { return p.o.PONumber }

// PostOrder posts one order according to its purpose: an original creates
// a sale.order (once: a resend returns the existing one), a cancellation
// cancels it if nothing shipped, a replacement or change rewrites a draft.
// At steady state an original costs three calls: reserve its external id,
// create the order with all its lines, confirm.
//
// The Result's Name is empty for a newly created order (reading it back
// would be a fourth call); PostOrders reads names for a whole batch.
func (c *Client) PostOrder(ctx context.Context, pol Policy, o *canonical.Order) (Result, error) {
	pol = pol.Defaults()
	partner := o.Meta.PartnerID
	if o.PONumber == "" || partner == "" {
		return Result{}, &DocumentError{Partner: partner, Number: o.PONumber, Problem: ProblemInvalidDocument, Detail: "partner id and PO number are required"}
	}
	if err := testGuard(pol, o.Meta, o.PONumber); err != nil {
		return Result{}, err
	}
	if err := c.Connect(ctx); err != nil {
		return Result{}, err
	}
	unlock := c.locks.lock("so:" + OrderXMLID(partner, o.PONumber))
	defer unlock()
	switch o.Purpose {
	case canonical.PurposeCancellation:
		return c.cancelOrder(ctx, pol, o)
	case canonical.PurposeReplace, canonical.PurposeChange:
		return c.replaceOrder(ctx, pol, o)
	}
	ps, errs := c.prepareOrders(ctx, pol, []*canonical.Order{o})
	if errs[0] != nil {
		return Result{}, errs[0]
	}
	return c.postOriginal(ctx, pol, ps[0])
}

// prepareOrders resolves customers, ship-tos, products and units for a
// batch, with one product lookup per match kind for the whole batch.
func (c *Client) prepareOrders(ctx context.Context, pol Policy, orders []*canonical.Order) ([]*preparedOrder, []error) {
	out := make([]*preparedOrder, len(orders))
	errs := make([]error, len(orders))
	var refs []canonical.ProductRef
	for _, o := range orders {
		for _, l := range o.Lines {
			refs = append(refs, l.Product)
		}
	}
	products, err := c.resolveProducts(ctx, pol, customerSide, 0, refs)
	if err != nil {
		for i, o := range orders {
			errs[i] = docErr(o.Meta.PartnerID, o.PONumber, err)
		}
		return out, errs
	}
	loc, _ := time.LoadLocation(pol.TimeZone)
	fields := c.Fields()
	k := 0
	for i, o := range orders {
		partner := o.Meta.PartnerID
		fail := func(problem Problem, line, detail string, err error) {
			errs[i] = &DocumentError{Partner: partner, Number: o.PONumber, Line: line, Problem: problem, Detail: detail, Err: err}
		}
		lineProducts := products[k : k+len(o.Lines)]
		k += len(o.Lines)
		customer, why, err := c.resolvePartner(ctx, pol.Customer, o.Party(canonical.RoleBuyer), "customer")
		if err != nil {
			errs[i] = docErr(partner, o.PONumber, err)
			continue
		}
		if customer == 0 {
			fail(ProblemUnknownPartner, "", why, nil)
			continue
		}
		shipTo, why, err := c.resolveShipTo(ctx, pol, customer, o.Party(canonical.RoleShipTo))
		if err != nil {
			errs[i] = docErr(partner, o.PONumber, err)
			continue
		}
		if why != "" {
			fail(ProblemUnknownShipTo, "", why, nil)
			continue
		}
		vals := map[string]any{"partner_id": customer, "client_order_ref": o.PONumber}
		if shipTo != 0 {
			vals["partner_shipping_id"] = shipTo
		}
		if !o.RequestedDeliveryDate.IsZero() {
			vals["commitment_date"] = odooDatetime(o.RequestedDeliveryDate.In(loc))
		}
		var lines []any
		var problems []string
		var firstBad string
		var firstProblem Problem
		for j, l := range o.Lines {
			bad := func(p Problem, d string) {
				problems = append(problems, "line "+l.LineNumber+": "+d)
				if firstBad == "" {
					firstBad, firstProblem = l.LineNumber, p
				}
			}
			if lineProducts[j] == 0 {
				bad(ProblemUnknownProduct, "no product matches "+describeRef(l.Product)+" (tried "+strings.Join(pol.ProductMatch, ", ")+")")
				continue
			}
			uom, why, err := c.uomID(ctx, pol, l.UOM)
			if err != nil {
				errs[i] = docErr(partner, o.PONumber, err)
				break
			}
			if why != "" {
				bad(ProblemUnknownUOM, why)
				continue
			}
			lv := map[string]any{"product_id": lineProducts[j], "product_uom_qty": l.Quantity.Float64(), fields.SaleLineUoM: uom}
			if pol.Price == "document" && l.UnitPrice != nil {
				lv["price_unit"] = l.UnitPrice.Float64()
			}
			lines = append(lines, []any{0, 0, lv})
		}
		if errs[i] != nil {
			continue
		}
		if len(problems) > 0 {
			fail(firstProblem, firstBad, strings.Join(problems, "; "), nil)
			continue
		}
		vals["order_line"] = lines
		out[i] = &preparedOrder{o: o, key: OrderXMLID(partner, o.PONumber), customer: customer, vals: vals}
	}
	return out, errs
}

var (
	errTaken    = errors.New("external id already exists")
	errNoRights = errors.New("no rights on ir.model.data")
)

// reservation is an ir.model.data row guarding an order.
type reservation struct {
	id, resID int64
	created   time.Time
}

// reserve creates the external ids for keys in one call. The unique index
// on (module, name) is what makes two gateway processes unable to both
// create an order for one PO: the loser's create fails.
func (c *Client) reserve(ctx context.Context, keys []string, tokens []int64, model ...string) ([]int64, error) {
	m := saleOrder
	if len(model) > 0 {
		m = model[0]
	}
	vals := make([]map[string]any, len(keys))
	for i, k := range keys {
		vals[i] = map[string]any{"module": XMLIDModule, "name": k, "model": m, "res_id": -tokens[i], "noupdate": true}
	}
	var last error
	for attempt := 1; attempt <= c.cfg.MaxAttempts; attempt++ {
		ids, err := c.Create(ctx, "ir.model.data", vals, nil)
		if err == nil {
			return ids, nil
		}
		last = err
		var oe *Error
		if !errors.As(err, &oe) {
			return nil, err
		}
		switch {
		case oe.Kind == KindAccessError:
			c.noXMLID.Store(true)
			return nil, errNoRights
		case oe.Kind == KindValidation:
			// Structural check, not the message: does a key exist now?
			have, rerr := c.reservations(ctx, keys)
			if rerr != nil {
				return nil, rerr
			}
			if len(have) == 0 {
				return nil, err
			}
			if attempt > 1 && len(keys) == 1 && have[keys[0]].resID == -tokens[0] {
				return []int64{have[keys[0]].id}, nil // ours: an earlier answer was lost
			}
			return nil, errTaken
		case oe.Ambiguous:
			time.Sleep(c.backoff(attempt))
			continue
		}
		return nil, err
	}
	return nil, last
}

// reservations reads the external ids of keys.
func (c *Client) reservations(ctx context.Context, keys []string) (map[string]reservation, error) {
	rows, err := c.SearchRead(ctx, "ir.model.data", Domain{Cond("module", "=", XMLIDModule), Cond("name", "in", keys)},
		[]string{"name", "res_id", "create_date"}, SearchOpts{})
	if err != nil {
		return nil, err
	}
	out := map[string]reservation{}
	for _, r := range rows {
		t, _ := parseOdooDatetime(r.String("create_date"))
		out[r.String("name")] = reservation{id: r.ID(), resID: r.Int("res_id"), created: t}
	}
	return out, nil
}

var orderFields = []string{"name", "state", "client_order_ref", "partner_id", "picking_ids"}

// findOrders finds a customer's orders by PO number (client_order_ref) —
// the natural key that also finds orders someone keyed in by hand.
func (c *Client) findOrders(ctx context.Context, customer int64, pos []string) (map[string][]Record, error) {
	rows, err := c.SearchRead(ctx, saleOrder, Domain{Cond("client_order_ref", "in", pos), Cond("partner_id", "child_of", customer)},
		orderFields, SearchOpts{Order: "id asc"})
	if err != nil {
		return nil, err
	}
	out := map[string][]Record{}
	for _, r := range rows {
		ref := r.String("client_order_ref")
		out[ref] = append(out[ref], r)
	}
	return out, nil
}

func orderResult(r Record, a Action, key string) Result {
	return Result{Model: saleOrder, ID: r.ID(), Name: r.String("name"), State: r.String("state"), Action: a, Key: key}
}

// postOriginal creates the order unless it exists, guarded by its
// external id.
func (c *Client) postOriginal(ctx context.Context, pol Policy, p *preparedOrder) (Result, error) {
	partner := p.o.Meta.PartnerID
	if c.noXMLID.Load() {
		return c.postNatural(ctx, pol, p)
	}
	token := newToken()
	for round := 1; ; round++ {
		ids, err := c.reserve(ctx, []string{p.key}, []int64{token})
		switch {
		case errors.Is(err, errNoRights):
			return c.postNatural(ctx, pol, p)
		case err == nil:
			return c.createReserved(ctx, pol, p, ids[0])
		case !errors.Is(err, errTaken):
			return Result{}, docErr(partner, p.number(), err)
		}
		// Taken: posted before, or being posted by another process.
		res, retry, err := c.resolveTaken(ctx, pol, p, token)
		if err != nil || !retry {
			return res, err
		}
		if round >= c.cfg.MaxAttempts {
			return Result{}, &DocumentError{Partner: partner, Number: p.number(), Problem: ProblemInProgress,
				Detail: "another gateway process holds the order's external id " + XMLIDModule + "." + p.key}
		}
	}
}

// resolveTaken handles a key that exists. It returns the existing order,
// or retry=true when the reservation went away or was stale and removed.
func (c *Client) resolveTaken(ctx context.Context, pol Policy, p *preparedOrder, token int64) (Result, bool, error) {
	partner := p.o.Meta.PartnerID
	for attempt := 1; ; attempt++ {
		found, err := c.findOrders(ctx, p.customer, []string{p.number()})
		if err != nil {
			return Result{}, false, docErr(partner, p.number(), err)
		}
		have, err := c.reservations(ctx, []string{p.key})
		if err != nil {
			return Result{}, false, docErr(partner, p.number(), err)
		}
		r, ok := have[p.key]
		if rows := found[p.number()]; len(rows) > 0 {
			if ok && r.resID <= 0 {
				// Point the external id at the order, now that we know it.
				_ = c.Write(ctx, "ir.model.data", []int64{r.id}, map[string]any{"res_id": rows[0].ID()}, nil)
			}
			res := orderResult(rows[0], Existing, p.key)
			// A draft left by a posting interrupted before its confirm is
			// finished now, so a resend completes it.
			if *pol.Confirm && res.State == "draft" {
				if err := c.confirmOrders(ctx, []int64{res.ID}); err != nil {
					return res, false, docErr(partner, p.number(), err)
				}
				res.State = "sale"
			}
			return res, false, nil
		}
		switch {
		case !ok:
			return Result{}, true, nil // released by its owner: try again
		case r.resID > 0:
			// The order exists but no longer carries the PO number (edited
			// in Odoo): the external id still knows it.
			rows, err := c.Read(ctx, saleOrder, []int64{r.resID}, orderFields, nil)
			if err != nil {
				return Result{}, false, docErr(partner, p.number(), err)
			}
			if len(rows) > 0 {
				return orderResult(rows[0], Existing, p.key), false, nil
			}
			// The order was deleted: the key is free again.
			if err := c.unlinkReservation(ctx, r.id); err != nil {
				return Result{}, false, docErr(partner, p.number(), err)
			}
			return Result{}, true, nil
		case r.resID == -token:
			return Result{}, false, errors.New("odoo: internal: own reservation reported as taken")
		case !r.created.IsZero() && time.Since(r.created) > ReservationLease:
			// Its owner died between reserving and creating. Removing it
			// and reserving anew lets the unique index pick one taker.
			if err := c.unlinkReservation(ctx, r.id); err != nil && !IsKind(err, KindMissing) {
				return Result{}, false, docErr(partner, p.number(), err)
			}
			return Result{}, true, nil
		}
		// Another process is creating it right now: wait a little.
		if attempt >= c.cfg.MaxAttempts {
			return Result{}, false, &DocumentError{Partner: partner, Number: p.number(), Problem: ProblemInProgress,
				Detail: "another gateway process is posting this order (external id " + XMLIDModule + "." + p.key + ")"}
		}
		select {
		case <-ctx.Done():
			return Result{}, false, ctx.Err()
		case <-time.After(c.backoff(attempt)):
		}
	}
}

func (c *Client) unlinkReservation(ctx context.Context, id int64) error {
	return c.CallInto(ctx, Request{Model: "ir.model.data", Method: "unlink", IDs: []int64{id}, HasIDs: true, Idempotent: true}, nil)
}

// createReserved creates and confirms an order whose key we hold.
func (c *Client) createReserved(ctx context.Context, pol Policy, p *preparedOrder, imd int64) (Result, error) {
	partner := p.o.Meta.PartnerID
	id, err := c.createOrder(ctx, p)
	if err != nil {
		if !errclass.IsRetryable(err) {
			// Give the key back, so a fixed resend can post.
			_ = c.unlinkReservation(ctx, imd)
		}
		return Result{}, docErr(partner, p.number(), err)
	}
	res := Result{Model: saleOrder, ID: id, Action: Created, State: "draft", Key: p.key}
	if *pol.Confirm {
		if err := c.confirmOrders(ctx, []int64{id}); err != nil {
			return res, docErr(partner, p.number(), err)
		}
		res.State = "sale"
	}
	return res, nil
}

// createOrder creates one order with all its lines in one call. If the
// answer is lost, the order is looked up before creating it again.
func (c *Client) createOrder(ctx context.Context, p *preparedOrder) (int64, error) {
	for attempt := 1; ; attempt++ {
		ids, err := c.Create(ctx, saleOrder, []map[string]any{p.vals}, nil)
		if err == nil {
			return ids[0], nil
		}
		var oe *Error
		if !errors.As(err, &oe) || !oe.Ambiguous || attempt >= c.cfg.MaxAttempts {
			return 0, err
		}
		found, ferr := c.findOrders(ctx, p.customer, []string{p.number()})
		if ferr != nil {
			return 0, ferr
		}
		if rows := found[p.number()]; len(rows) > 0 {
			return rows[0].ID(), nil
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(c.backoff(attempt)):
		}
	}
}

// confirmOrders confirms orders in one call. A lost answer or a "not in a
// state requiring confirmation" refusal is settled by reading the states.
func (c *Client) confirmOrders(ctx context.Context, ids []int64) error {
	for attempt := 1; ; attempt++ {
		_, err := c.Exec(ctx, saleOrder, "action_confirm", ids, nil)
		if err == nil {
			return nil
		}
		var oe *Error
		if !errors.As(err, &oe) || (!oe.Ambiguous && oe.Kind != KindUserError) {
			return err
		}
		rows, rerr := c.Read(ctx, saleOrder, ids, []string{"state"}, nil)
		if rerr != nil {
			return err
		}
		var todo []int64
		for _, r := range rows {
			if s := r.String("state"); s == "draft" || s == "sent" {
				todo = append(todo, r.ID())
			}
		}
		if len(todo) == 0 {
			return nil
		}
		if oe.Kind == KindUserError || attempt >= c.cfg.MaxAttempts {
			return err
		}
		ids = todo
	}
}

// postNatural guards by the natural key alone (partner + client_order_ref)
// when the bot may not create external ids: look, create, look again; if
// two processes both created, the lowest id wins and the other deletes its
// own draft before anything was confirmed.
func (c *Client) postNatural(ctx context.Context, pol Policy, p *preparedOrder) (Result, error) {
	partner := p.o.Meta.PartnerID
	found, err := c.findOrders(ctx, p.customer, []string{p.number()})
	if err != nil {
		return Result{}, docErr(partner, p.number(), err)
	}
	if rows := found[p.number()]; len(rows) > 0 {
		return orderResult(rows[0], Existing, p.key), nil
	}
	id, err := c.createOrder(ctx, p)
	if err != nil {
		return Result{}, docErr(partner, p.number(), err)
	}
	found, err = c.findOrders(ctx, p.customer, []string{p.number()})
	if err != nil {
		return Result{}, docErr(partner, p.number(), err)
	}
	if rows := found[p.number()]; len(rows) > 0 && rows[0].ID() != id {
		if err := c.CallInto(ctx, Request{Model: saleOrder, Method: "unlink", IDs: []int64{id}, HasIDs: true, Idempotent: true}, nil); err != nil {
			return Result{}, docErr(partner, p.number(), err)
		}
		return orderResult(rows[0], Existing, p.key), nil
	}
	res := Result{Model: saleOrder, ID: id, Action: Created, State: "draft", Key: p.key}
	if *pol.Confirm {
		if err := c.confirmOrders(ctx, []int64{id}); err != nil {
			return res, docErr(partner, p.number(), err)
		}
		res.State = "sale"
	}
	return res, nil
}

// lookupOrder resolves the customer and finds the order a cancellation or
// replacement refers to.
func (c *Client) lookupOrder(ctx context.Context, pol Policy, o *canonical.Order) (int64, Record, error) {
	partner := o.Meta.PartnerID
	customer, why, err := c.resolvePartner(ctx, pol.Customer, o.Party(canonical.RoleBuyer), "customer")
	if err != nil {
		return 0, nil, docErr(partner, o.PONumber, err)
	}
	if customer == 0 {
		return 0, nil, &DocumentError{Partner: partner, Number: o.PONumber, Problem: ProblemUnknownPartner, Detail: why}
	}
	found, err := c.findOrders(ctx, customer, []string{o.PONumber})
	if err != nil {
		return 0, nil, docErr(partner, o.PONumber, err)
	}
	if rows := found[o.PONumber]; len(rows) > 0 {
		return customer, rows[0], nil
	}
	return customer, nil, nil
}

// cancelOrder cancels the order if none of its transfers is done.
func (c *Client) cancelOrder(ctx context.Context, pol Policy, o *canonical.Order) (Result, error) {
	partner, key := o.Meta.PartnerID, OrderXMLID(o.Meta.PartnerID, o.PONumber)
	_, r, err := c.lookupOrder(ctx, pol, o)
	if err != nil {
		return Result{}, err
	}
	if r == nil {
		return Result{}, &DocumentError{Partner: partner, Number: o.PONumber, Problem: ProblemUnknownOrder,
			Detail: "no sales order with customer reference " + o.PONumber + " to cancel"}
	}
	if r.String("state") == "cancel" {
		return orderResult(r, Existing, key), nil
	}
	if picks := r.IDs("picking_ids"); len(picks) > 0 {
		rows, err := c.Read(ctx, "stock.picking", picks, []string{"name", "state"}, nil)
		if err != nil {
			return Result{}, docErr(partner, o.PONumber, err)
		}
		var done []string
		for _, p := range rows {
			if p.String("state") == "done" {
				done = append(done, p.String("name"))
			}
		}
		if len(done) > 0 {
			return Result{}, &DocumentError{Partner: partner, Number: o.PONumber, Problem: ProblemAlreadyShipped,
				Detail: fmt.Sprintf("order %s cannot be cancelled: %s already shipped", r.String("name"), strings.Join(done, ", "))}
		}
	}
	// disable_cancel_warning skips the "send a cancellation e-mail?" wizard.
	if _, err := c.Exec(ctx, saleOrder, "action_cancel", []int64{r.ID()}, map[string]any{"disable_cancel_warning": true}); err != nil {
		var oe *Error
		if !errors.As(err, &oe) || !oe.Ambiguous {
			return Result{}, docErr(partner, o.PONumber, err)
		}
		rows, rerr := c.Read(ctx, saleOrder, []int64{r.ID()}, []string{"state"}, nil)
		if rerr != nil || len(rows) == 0 || rows[0].String("state") != "cancel" {
			return Result{}, docErr(partner, o.PONumber, err)
		}
	}
	res := orderResult(r, Cancelled, key)
	res.State = "cancel"
	return res, nil
}

// replaceOrder rewrites a draft order's lines and dates; a confirmed one
// needs a person. An order never seen is created as an original.
func (c *Client) replaceOrder(ctx context.Context, pol Policy, o *canonical.Order) (Result, error) {
	partner := o.Meta.PartnerID
	_, r, err := c.lookupOrder(ctx, pol, o)
	if err != nil {
		return Result{}, err
	}
	ps, errs := c.prepareOrders(ctx, pol, []*canonical.Order{o})
	if errs[0] != nil {
		return Result{}, errs[0]
	}
	p := ps[0]
	if r == nil {
		return c.postOriginal(ctx, pol, p)
	}
	if st := r.String("state"); st != "draft" && st != "sent" {
		return Result{}, &DocumentError{Partner: partner, Number: o.PONumber, Problem: ProblemNotDraft,
			Detail: fmt.Sprintf("order %s is %s; only quotations are replaced automatically", r.String("name"), st)}
	}
	vals := map[string]any{}
	for k, v := range p.vals {
		vals[k] = v
	}
	// Command 5 (clear) then the new lines: the replacement is the order.
	vals["order_line"] = append([]any{[]any{5, 0, 0}}, p.vals["order_line"].([]any)...)
	if err := c.Write(ctx, saleOrder, []int64{r.ID()}, vals, nil); err != nil {
		return Result{}, docErr(partner, o.PONumber, err)
	}
	res := orderResult(r, Updated, p.key)
	if *pol.Confirm {
		if err := c.confirmOrders(ctx, []int64{r.ID()}); err != nil {
			return res, docErr(partner, o.PONumber, err)
		}
		res.State = "sale"
	}
	return res, nil
}

// PostOrders posts a batch of orders with as few calls as Odoo allows:
// one create for all external ids, one create for all orders with their
// lines, one action_confirm, one read of the names. Orders other than
// originals, and any order whose batch step fails, go through PostOrder
// one by one, so one bad order never blocks the others. Results and
// errors are index-aligned with orders.
func (c *Client) PostOrders(ctx context.Context, pol Policy, orders []*canonical.Order) ([]Result, []error) {
	pol = pol.Defaults()
	res := make([]Result, len(orders))
	errs := make([]error, len(orders))
	if err := c.Connect(ctx); err != nil {
		for i := range errs {
			errs[i] = err
		}
		return res, errs
	}
	var batch []*canonical.Order
	var at []int
	seen := map[string]bool{}
	for i, o := range orders {
		if err := testGuard(pol, o.Meta, o.PONumber); err != nil {
			errs[i] = err
			continue
		}
		k := OrderXMLID(o.Meta.PartnerID, o.PONumber)
		switch o.Purpose {
		case canonical.PurposeCancellation, canonical.PurposeReplace, canonical.PurposeChange:
			continue
		}
		if seen[k] || o.PONumber == "" || o.Meta.PartnerID == "" {
			continue // a duplicate inside the batch goes the single way, after
		}
		seen[k] = true
		batch, at = append(batch, o), append(at, i)
	}
	done := make([]bool, len(orders))
	if len(batch) > 0 && !c.noXMLID.Load() {
		c.postBatch(ctx, pol, batch, at, res, errs, done)
	}
	for i, o := range orders {
		if !done[i] {
			res[i], errs[i] = c.PostOrder(ctx, pol, o)
		}
	}
	return res, errs
}

func (c *Client) postBatch(ctx context.Context, pol Policy, batch []*canonical.Order, at []int, res []Result, errs []error, done []bool) {
	// Hold every key of the batch, in a fixed order to avoid deadlocks.
	keys := make([]string, len(batch))
	for i, o := range batch {
		keys[i] = "so:" + OrderXMLID(o.Meta.PartnerID, o.PONumber)
	}
	sorted := slices.Clone(keys)
	slices.Sort(sorted)
	for _, k := range sorted {
		defer c.locks.lock(k)()
	}
	ps, perrs := c.prepareOrders(ctx, pol, batch)
	var ready []*preparedOrder
	var idx []int
	for j, p := range ps {
		if perrs[j] != nil {
			res[at[j]], errs[at[j]], done[at[j]] = Result{}, perrs[j], true
			continue
		}
		ready, idx = append(ready, p), append(idx, at[j])
	}
	if len(ready) == 0 {
		return
	}
	xkeys := make([]string, len(ready))
	tokens := make([]int64, len(ready))
	for j, p := range ready {
		xkeys[j], tokens[j] = p.key, newToken()
	}
	imds, err := c.reserve(ctx, xkeys, tokens)
	if err != nil {
		// Some were posted before (or a process races us): the single
		// path sorts each one out.
		return
	}
	vals := make([]map[string]any, len(ready))
	for j, p := range ready {
		vals[j] = p.vals
	}
	ids, err := c.Create(ctx, saleOrder, vals, nil)
	if err != nil {
		var oe *Error
		if errors.As(err, &oe) && oe.Ambiguous {
			// Committed or not? Keys of orders that do not exist are given
			// back; the single path finds the others by natural key.
			var free []int64
			for j, p := range ready {
				found, ferr := c.findOrders(ctx, p.customer, []string{p.number()})
				if ferr != nil {
					return
				}
				if len(found[p.number()]) == 0 {
					free = append(free, imds[j])
				}
			}
			if len(free) > 0 {
				_ = c.CallInto(ctx, Request{Model: "ir.model.data", Method: "unlink", IDs: free, HasIDs: true, Idempotent: true}, nil)
			}
			return
		}
		// One order refused rolls back all: release the keys and let the
		// single path isolate the bad one.
		_ = c.CallInto(ctx, Request{Model: "ir.model.data", Method: "unlink", IDs: imds, HasIDs: true, Idempotent: true}, nil)
		return
	}
	state := "draft"
	if *pol.Confirm {
		if err := c.confirmOrders(ctx, ids); err != nil {
			for j, p := range ready {
				res[idx[j]] = Result{Model: saleOrder, ID: ids[j], Action: Created, State: "draft", Key: p.key}
				errs[idx[j]], done[idx[j]] = docErr(p.o.Meta.PartnerID, p.number(), err), true
			}
			return
		}
		state = "sale"
	}
	names := map[int64]string{}
	if rows, err := c.Read(ctx, saleOrder, ids, []string{"name"}, nil); err == nil {
		for _, r := range rows {
			names[r.ID()] = r.String("name")
		}
	}
	for j, p := range ready {
		res[idx[j]] = Result{Model: saleOrder, ID: ids[j], Name: names[ids[j]], Action: Created, State: state, Key: p.key}
		done[idx[j]] = true
	}
}
