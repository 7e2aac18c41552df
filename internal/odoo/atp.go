package odoo

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/b2bgw/b2bgw/internal/canonical"
)

// ATP reads what can be promised now (free_qty: on hand less reserved)
// and what is coming (incoming_qty) for the partner's product list, per
// warehouse, and builds the inventory advice to send. Quantities are read
// with the version's warehouse context key ("warehouse" in 16/17,
// "warehouse_id" in 18+) — one read per warehouse for all products.
// Negative free quantities (reservations beyond stock) are sent as zero.
// Products of the list Odoo does not know are left out and named in the
// returned error, next to a usable advice.
func (c *Client) ATP(ctx context.Context, pol Policy, partnerID string) (*canonical.InventoryAdvice, error) {
	pol = pol.Defaults()
	if err := c.Connect(ctx); err != nil {
		return nil, err
	}
	if len(pol.ATP.Products) == 0 {
		return nil, &DocumentError{Partner: partnerID, Problem: ProblemInvalidDocument, Detail: "the policy lists no products (atp.products)"}
	}
	prods, err := c.SearchRead(ctx, "product.product", Domain{Cond("default_code", "in", pol.ATP.Products)},
		[]string{"default_code", "barcode", "name", "uom_id"}, SearchOpts{})
	if err != nil {
		return nil, err
	}
	var whDom Domain
	if len(pol.ATP.Warehouses) > 0 {
		whDom = Domain{Cond("code", "in", pol.ATP.Warehouses)}
	}
	whs, err := c.SearchRead(ctx, "stock.warehouse", whDom, []string{"code"}, SearchOpts{Order: "id"})
	if err != nil {
		return nil, err
	}
	byCode := map[string]Record{}
	var ids []int64
	for _, p := range prods {
		if _, dup := byCode[p.String("default_code")]; !dup {
			byCode[p.String("default_code")] = p
			ids = append(ids, p.ID())
		}
	}
	uomCode := map[string]canonical.UOM{}
	for code, name := range pol.UOM {
		if _, ok := uomCode[name]; !ok || code == "EA" {
			uomCode[name] = canonical.UOM(code)
		}
	}
	adv := canonical.New(canonical.KindInventoryAdvice).(*canonical.InventoryAdvice)
	adv.Meta.PartnerID = partnerID
	adv.Meta.Direction = canonical.Outbound
	adv.AsOf = canonical.NewDateTime(time.Now().Truncate(time.Second))
	key := c.Fields().WarehouseContext
	for _, wh := range whs {
		rows, err := c.Read(ctx, "product.product", ids, []string{"free_qty", "incoming_qty"}, map[string]any{key: wh.ID()})
		if err != nil {
			return nil, err
		}
		qty := map[int64]Record{}
		for _, r := range rows {
			qty[r.ID()] = r
		}
		for _, code := range pol.ATP.Products {
			p, ok := byCode[code]
			if !ok {
				continue
			}
			q := qty[p.ID()]
			ref := canonical.ProductRef{VendorPartNumber: code}
			if g, err := canonical.NormalizeGTIN(p.String("barcode")); err == nil {
				ref.GTIN = g
			}
			_, uomName := p.M2O("uom_id")
			u := uomCode[uomName]
			if u == "" {
				u = canonical.UOMEach
			}
			onOrder := decimalOf(q.Float("incoming_qty"))
			adv.Items = append(adv.Items, canonical.InventoryItem{Product: ref, Description: p.String("name"), Warehouse: wh.String("code"),
				QuantityAvailable: decimalOf(max(q.Float("free_qty"), 0)), QuantityOnOrder: &onOrder, UOM: u})
		}
	}
	var missing []string
	for _, code := range pol.ATP.Products {
		if _, ok := byCode[code]; !ok {
			missing = append(missing, code)
		}
	}
	if len(missing) > 0 {
		return adv, &DocumentError{Partner: partnerID, Problem: ProblemUnknownProduct, Detail: "no product with default_code " + strings.Join(missing, ", ")}
	}
	if len(adv.Items) == 0 {
		return adv, errors.New("odoo: ATP: no warehouse matches the policy")
	}
	return adv, nil
}

// decimalOf converts an Odoo float at the edge, keeping its shortest
// exact-looking form ("12.5", not 12.4999…).
func decimalOf(f float64) canonical.Decimal {
	d, err := canonical.ParseDecimal(strconv.FormatFloat(f, 'f', -1, 64))
	if err != nil {
		d, _ = canonical.ParseDecimal(strconv.FormatFloat(f, 'f', 6, 64))
	}
	return d
}
