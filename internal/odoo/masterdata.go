package odoo

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/b2bgw/b2bgw/internal/canonical"
)

// Master data: partners, delivery addresses, products and units, looked
// up in batches and cached (hits only) for Config.CacheTTL. At steady
// state an order needs no master-data call at all.

// partnerValue is the (field, value) a match rule looks for.
func partnerValue(m PartyMatch, p *canonical.Party) (field, value string) {
	switch m.By {
	case "gln":
		field = m.Field
		if field == "" {
			field = "barcode"
		}
		value = m.Value
		if value == "" && p != nil {
			value = p.GLN
		}
		return field, value
	case "ref":
		field = "ref"
	default:
		field = m.Field
	}
	value = m.Value
	if value == "" && p != nil && len(p.IDs) > 0 {
		value = p.IDs[0].Value
	}
	return field, value
}

// resolvePartner returns the commercial partner (the company) the first
// matching rule finds. Several companies matching one value is an error:
// guessing would post to the wrong customer.
func (c *Client) resolvePartner(ctx context.Context, rules []PartyMatch, p *canonical.Party, role string) (int64, string, error) {
	var tried []string
	for _, m := range rules {
		field, value := partnerValue(m, p)
		if value == "" {
			continue
		}
		key := "partner:" + field + "=" + value
		tried = append(tried, field+"="+value)
		if id, ok := c.cache.get(key); ok {
			return id, "", nil
		}
		rows, err := c.SearchRead(ctx, "res.partner", Domain{Cond(field, "=", value)}, []string{"commercial_partner_id"}, SearchOpts{Limit: 10})
		if err != nil {
			return 0, "", err
		}
		ids := map[int64]bool{}
		for _, r := range rows {
			ids[r.M2OID("commercial_partner_id")] = true
		}
		switch len(ids) {
		case 0:
			continue
		case 1:
			for id := range ids {
				c.cache.put(key, id)
				return id, "", nil
			}
		default:
			return 0, fmt.Sprintf("%s %s=%q matches %d companies", role, field, value, len(ids)), nil
		}
	}
	if len(tried) == 0 {
		return 0, "the document names no " + role + " the policy can match (gln/ref/field)", nil
	}
	return 0, fmt.Sprintf("no %s with %s", role, strings.Join(tried, " or ")), nil
}

// resolveShipTo finds the delivery address under customer by GLN, or by
// name among its delivery addresses, creating it when the policy allows.
func (c *Client) resolveShipTo(ctx context.Context, pol Policy, customer int64, p *canonical.Party) (int64, string, error) {
	if p == nil || (p.GLN == "" && p.Name == "") {
		return 0, "", nil // Odoo defaults to the customer's delivery address
	}
	glnField := pol.ShipTo.GLNField
	var dom Domain
	key := fmt.Sprintf("shipto:%d:", customer)
	if p.GLN != "" {
		dom = Domain{Cond(glnField, "=", p.GLN)}
		key += glnField + "=" + p.GLN
	} else {
		dom = Domain{Cond("parent_id", "=", customer), Cond("type", "=", "delivery"), Cond("name", "=", p.Name)}
		key += "name=" + p.Name
	}
	if id, ok := c.cache.get(key); ok {
		return id, "", nil
	}
	rows, err := c.SearchRead(ctx, "res.partner", dom, []string{"commercial_partner_id"}, SearchOpts{Limit: 10})
	if err != nil {
		return 0, "", err
	}
	for _, r := range rows {
		if r.M2OID("commercial_partner_id") == customer {
			c.cache.put(key, r.ID())
			return r.ID(), "", nil
		}
	}
	if len(rows) > 0 {
		return 0, fmt.Sprintf("ship-to %s=%q belongs to another company", glnField, p.GLN), nil
	}
	if !*pol.ShipTo.Create {
		return 0, fmt.Sprintf("no delivery address with %s under the customer (policy does not create ship-tos)", strings.TrimPrefix(key, fmt.Sprintf("shipto:%d:", customer))), nil
	}
	vals := map[string]any{"parent_id": customer, "type": "delivery", "name": cmp(p.Name, p.GLN)}
	if p.GLN != "" {
		vals[glnField] = p.GLN
	}
	if a := p.Address; a != nil {
		if len(a.Lines) > 0 {
			vals["street"] = a.Lines[0]
		}
		if len(a.Lines) > 1 {
			vals["street2"] = strings.Join(a.Lines[1:], ", ")
		}
		if a.City != "" {
			vals["city"] = a.City
		}
		if a.PostalCode != "" {
			vals["zip"] = a.PostalCode
		}
		if a.Country != "" {
			if id, err := c.countryID(ctx, a.Country); err != nil {
				return 0, "", err
			} else if id != 0 {
				vals["country_id"] = id
			}
		}
	}
	ids, err := c.Create(ctx, "res.partner", []map[string]any{vals}, nil)
	if err != nil {
		return 0, "", err
	}
	c.cache.put(key, ids[0])
	return ids[0], "", nil
}

func cmp(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (c *Client) countryID(ctx context.Context, code string) (int64, error) {
	key := "country:" + code
	if id, ok := c.cache.get(key); ok {
		return id, nil
	}
	rows, err := c.SearchRead(ctx, "res.country", Domain{Cond("code", "=", code)}, []string{"id"}, SearchOpts{Limit: 1})
	if err != nil || len(rows) == 0 {
		return 0, err
	}
	c.cache.put(key, rows[0].ID())
	return rows[0].ID(), nil
}

// uomID maps a Rec 20 code to an Odoo unit through the policy. All units
// are read in one call and cached.
func (c *Client) uomID(ctx context.Context, pol Policy, code canonical.UOM) (int64, string, error) {
	name, ok := pol.UOM[string(code)]
	if !ok {
		return 0, fmt.Sprintf("unit %s has no mapping to an Odoo unit (policy uom)", code), nil
	}
	key := "uom:" + name
	if id, ok := c.cache.get(key); ok {
		return id, "", nil
	}
	rows, err := c.SearchRead(ctx, "uom.uom", nil, []string{"name"}, SearchOpts{})
	if err != nil {
		return 0, "", err
	}
	for _, r := range rows {
		c.cache.put("uom:"+r.String("name"), r.ID())
	}
	if id, ok := c.cache.get(key); ok {
		return id, "", nil
	}
	return 0, fmt.Sprintf("unit %s maps to %q, which Odoo does not have", code, name), nil
}

// side says whose document it is: codes mean different things on an order
// from a customer (their "vendor part number" is our default_code) and on
// a notice from a vendor (their vendor part number is the supplierinfo
// code, our default_code is their buyer part number).
type side int

const (
	customerSide side = iota
	vendorSide
)

// productKeys lists the lookups for one product reference in policy order:
// kind and value.
func productKeys(pol Policy, sd side, ref canonical.ProductRef) [][2]string {
	var out [][2]string
	for _, m := range pol.ProductMatch {
		switch m {
		case MatchGTIN:
			if ref.GTIN != "" {
				for _, g := range canonical.GTINCandidates(ref.GTIN) {
					out = append(out, [2]string{"barcode", g})
				}
			}
			// UPCs and EANs the partner sent raw (PO1 UP/EN pairs, LIN):
			// Odoo stores barcodes as printed, 12 or 13 digits, so try the
			// value as sent and its zero-padded GTIN forms.
			for _, id := range ref.IDs {
				if barcodeQualifiers[id.Qualifier] {
					for _, v := range barcodeForms(id.Value) {
						out = appendKey(out, [2]string{"barcode", v})
					}
				}
			}
		case MatchDefaultCode:
			code := ref.VendorPartNumber
			if sd == vendorSide {
				code = ref.BuyerPartNumber
			}
			if code != "" {
				out = append(out, [2]string{"default_code", code})
			}
		case MatchPartnerCode:
			if sd == vendorSide {
				if ref.VendorPartNumber != "" {
					out = append(out, [2]string{"supplier_code", ref.VendorPartNumber})
				}
			} else if ref.BuyerPartNumber != "" {
				if ours, ok := pol.CustomerCodes[ref.BuyerPartNumber]; ok {
					out = append(out, [2]string{"default_code", ours})
				}
			}
		}
	}
	return out
}

func describeRef(ref canonical.ProductRef) string {
	var parts []string
	if ref.GTIN != "" {
		parts = append(parts, "GTIN "+ref.GTIN)
	}
	if ref.VendorPartNumber != "" {
		parts = append(parts, "vendor part "+ref.VendorPartNumber)
	}
	if ref.BuyerPartNumber != "" {
		parts = append(parts, "buyer part "+ref.BuyerPartNumber)
	}
	for _, id := range ref.IDs {
		parts = append(parts, id.Qualifier+" "+id.Value)
	}
	if len(parts) == 0 {
		return "no product id"
	}
	return strings.Join(parts, ", ")
}

// resolveProducts finds product.product ids for refs: cache first, then
// one search per match kind for everything still unresolved, so an order
// of any length costs at most three lookups cold and none warm. A zero id
// means no match; the policy order decides between several.
func (c *Client) resolveProducts(ctx context.Context, pol Policy, sd side, partner int64, refs []canonical.ProductRef) ([]int64, error) {
	out := make([]int64, len(refs))
	keys := make([][][2]string, len(refs))
	cacheKey := func(k [2]string) string {
		if k[0] == "supplier_code" {
			return fmt.Sprintf("product:supplier_code:%d:%s", partner, k[1])
		}
		return "product:" + k[0] + ":" + k[1]
	}
	pending := false
	for i, r := range refs {
		keys[i] = productKeys(pol, sd, r)
		for _, k := range keys[i] {
			if id, ok := c.cache.get(cacheKey(k)); ok {
				out[i] = id
				break
			}
		}
		if out[i] == 0 && len(keys[i]) > 0 {
			pending = true
		}
	}
	if !pending {
		return out, nil
	}
	// One query per kind, for every value still pending.
	found := map[string]int64{}
	var kinds []string // query kinds in the policy's order
	for _, m := range pol.ProductMatch {
		k := map[string]string{MatchGTIN: "barcode", MatchDefaultCode: "default_code", MatchPartnerCode: "default_code"}[m]
		if m == MatchPartnerCode && sd == vendorSide {
			k = "supplier_code"
		}
		if !slices.Contains(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	for _, kind := range kinds {
		var vals []string
		for i := range refs {
			if out[i] != 0 {
				continue
			}
			for _, k := range keys[i] {
				if k[0] == kind && !slices.Contains(vals, k[1]) {
					vals = append(vals, k[1])
				}
			}
		}
		if len(vals) == 0 {
			continue
		}
		if kind == "supplier_code" {
			rows, err := c.SearchRead(ctx, "product.supplierinfo", Domain{Cond("partner_id", "=", partner), Cond("product_code", "in", vals)},
				[]string{"product_code", "product_id", "product_tmpl_id"}, SearchOpts{})
			if err != nil {
				return nil, err
			}
			var tmpls []int64
			for _, r := range rows {
				if p := r.M2OID("product_id"); p != 0 {
					found[cacheKey([2]string{kind, r.String("product_code")})] = p
				} else {
					tmpls = append(tmpls, r.M2OID("product_tmpl_id"))
				}
			}
			if len(tmpls) > 0 {
				// A template-level price: only a single-variant template
				// names one product unambiguously.
				vrows, err := c.SearchRead(ctx, "product.product", Domain{Cond("product_tmpl_id", "in", tmpls)}, []string{"product_tmpl_id"}, SearchOpts{})
				if err != nil {
					return nil, err
				}
				byTmpl := map[int64][]int64{}
				for _, v := range vrows {
					byTmpl[v.M2OID("product_tmpl_id")] = append(byTmpl[v.M2OID("product_tmpl_id")], v.ID())
				}
				for _, r := range rows {
					if vs := byTmpl[r.M2OID("product_tmpl_id")]; r.M2OID("product_id") == 0 && len(vs) == 1 {
						found[cacheKey([2]string{kind, r.String("product_code")})] = vs[0]
					}
				}
			}
		} else {
			rows, err := c.SearchRead(ctx, "product.product", Domain{Cond(kind, "in", vals)}, []string{kind}, SearchOpts{})
			if err != nil {
				return nil, err
			}
			count := map[string]int{}
			for _, r := range rows {
				count[r.String(kind)]++
				found[cacheKey([2]string{kind, r.String(kind)})] = r.ID()
			}
			for v, n := range count {
				if n > 1 { // two products share a code: refuse to guess
					delete(found, cacheKey([2]string{kind, v}))
				}
			}
		}
		for i := range refs {
			if out[i] != 0 {
				continue
			}
			for _, k := range keys[i] {
				if id, ok := found[cacheKey(k)]; ok {
					out[i] = id
					break
				}
			}
		}
	}
	for k, id := range found {
		c.cache.put(k, id)
	}
	return out, nil
}

// barcodeQualifiers are the product id qualifiers whose value is a GS1
// barcode: X12 235 UP (UPC), EN (EAN), UK (GTIN-14), UA (U.P.C./EAN case
// code), EO; EDIFACT 7143 SRV (GTIN) and EN.
var barcodeQualifiers = map[string]bool{"UP": true, "EN": true, "UK": true, "UA": true, "EO": true, "SRV": true}

// barcodeForms returns a barcode as sent and, for digits, its zero-padded
// 13- and 14-digit forms and the shorter forms a GTIN-14 may be stored as.
func barcodeForms(v string) []string {
	out := []string{v}
	if v == "" || strings.Trim(v, "0123456789") != "" || len(v) > 14 {
		return out
	}
	for _, n := range []int{13, 14} {
		if len(v) < n {
			out = append(out, strings.Repeat("0", n-len(v))+v)
		}
	}
	if len(v) == 14 {
		out = append(out, canonical.GTINCandidates(v)[1:]...)
	}
	return out
}

// appendKey appends k unless it is already there.
func appendKey(keys [][2]string, k [2]string) [][2]string {
	for _, x := range keys {
		if x == k {
			return keys
		}
	}
	return append(keys, k)
}
