package odoo

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// Status of a check.
type Status string

// Statuses.
const (
	StatusOK   Status = "ok"
	StatusWarn Status = "warn"
	StatusFail Status = "fail"
)

// Verdict is one result of Check: what was checked, how it went, and
// what to do about it.
type Verdict struct {
	Check  string `json:"check"`
	Status Status `json:"status"`
	Detail string `json:"detail"`
	Fix    string `json:"fix,omitempty"`
}

// Check verifies, in order, that Odoo answers, runs a supported version,
// accepts the API key, has the modules the flows need and gives the bot
// user the rights they use. It stops at the first failure that makes the
// rest meaningless (no connection, no login). For `b2bgw odoo check`.
func (c *Client) Check(ctx context.Context) []Verdict {
	var out []Verdict
	add := func(check string, st Status, detail, fix string) { out = append(out, Verdict{check, st, detail, fix}) }

	v, err := c.serverVersion(ctx)
	if err != nil {
		add("connectivity", StatusFail, err.Error(),
			"check B2BGW_ODOO_URL (scheme, host, port), that Odoo runs, and that a proxy lets /jsonrpc (and /json/2 on 19) through")
		return out
	}
	add("connectivity", StatusOK, "Odoo answers at "+c.cfg.URL, "")
	switch {
	case v.Major < 16:
		add("version", StatusFail, "Odoo "+v.String()+" is older than 16.0", "b2bgw supports Odoo 16.0 to 19.0")
	case v.Major > 19:
		add("version", StatusWarn, "Odoo "+v.String()+" is newer than 19.0, the newest tested", "run the flows against a test database first")
	default:
		add("version", StatusOK, "Odoo "+v.String()+" ("+v.Server+")", "")
	}
	if err := c.Connect(ctx); err != nil {
		add("authentication", StatusFail, err.Error(),
			"create an API key for the user in B2BGW_ODOO_USER (Preferences → Account Security → New API Key) and set B2BGW_ODOO_API_KEY; check B2BGW_ODOO_DB")
		return out
	}
	add("authentication", StatusOK, fmt.Sprintf("user %s is uid %d, protocol %s", c.cfg.User, c.UID(), c.Protocol()), "")

	need := []string{"sale", "sale_stock", "purchase", "purchase_stock", "stock"}
	rows, err := c.SearchRead(ctx, "ir.module.module", Domain{Cond("name", "in", append(need, c.Fields().DeliveryModule)), Cond("state", "=", "installed")},
		[]string{"name"}, SearchOpts{})
	if err != nil {
		add("modules", StatusFail, err.Error(), "give the bot user read access to Apps (ir.module.module), or check modules by hand")
	} else {
		have := map[string]bool{}
		for _, r := range rows {
			have[r.String("name")] = true
		}
		var missing []string
		for _, m := range need {
			if !have[m] {
				missing = append(missing, m)
			}
		}
		if len(missing) > 0 {
			add("modules", StatusFail, "not installed: "+strings.Join(missing, ", "), "install Sales, Purchase and Inventory in Odoo's Apps")
		} else {
			add("modules", StatusOK, "installed: "+strings.Join(need, ", "), "")
		}
		if !have[c.Fields().DeliveryModule] {
			add("modules", StatusWarn, c.Fields().DeliveryModule+" is not installed: tracking numbers are not written to transfers",
				"install "+c.Fields().DeliveryModule+" to keep carrier tracking references")
		}
	}

	groups := []struct{ xmlid, what, fix string }{
		{"sales_team.group_sale_salesman_all_leads", "create and confirm sales orders", "Sales: User: All Documents"},
		{"purchase.group_purchase_user", "read purchase orders and vendor prices", "Purchase: User"},
		{"stock.group_stock_user", "fill and validate receipts and deliveries", "Inventory: User"},
	}
	for _, g := range groups {
		ok, err := c.hasGroup(ctx, g.xmlid)
		switch {
		case err != nil:
			add("rights", StatusFail, g.xmlid+": "+err.Error(), "")
		case !ok:
			add("rights", StatusFail, "the user cannot "+g.what+" ("+g.xmlid+")", "grant the user "+g.fix)
		default:
			add("rights", StatusOK, "can "+g.what, "")
		}
	}
	idOK := true
	if v.AtLeast(18) {
		idOK, err = c.hasGroup(ctx, "base.group_erp_manager")
		if err != nil {
			idOK = false
		}
	}
	if idOK {
		add("rights", StatusOK, "can create external ids: orders are guarded by b2bgw.* external ids", "")
	} else {
		add("rights", StatusWarn, "cannot create external ids (ir.model.data needs Administration: Access Rights from Odoo 18): "+
			"orders are guarded by customer + PO number only, one extra call per order",
			"grant the user Administration: Access Rights for the strongest duplicate protection")
	}
	for _, g := range []struct{ xmlid, what, fix string }{
		{"product.group_product_manager", "create products from catalogs (policy create_products)", "Extra Rights: Product Creation"},
	} {
		if ok, err := c.hasGroup(ctx, g.xmlid); err == nil && !ok {
			add("rights", StatusWarn, "the user cannot "+g.what, "grant the user "+g.fix+" if a partner's policy needs it")
		}
	}
	return out
}

// hasGroup asks Odoo whether the bot user is in a group: a model method
// in 16, a record method from 17.
func (c *Client) hasGroup(ctx context.Context, xmlid string) (bool, error) {
	req := Request{Model: "res.users", Method: "has_group", Kwargs: map[string]any{"group_ext_id": xmlid}, Idempotent: true}
	if c.Version().AtLeast(17) {
		req.IDs, req.HasIDs = []int64{c.UID()}, true
	}
	raw, err := c.Call(ctx, req)
	if err != nil {
		return false, err
	}
	var ok bool
	if err := json.Unmarshal(raw, &ok); err != nil {
		return false, &Error{Kind: KindProtocol, Model: "res.users", Method: "has_group", Err: err}
	}
	return ok, nil
}
