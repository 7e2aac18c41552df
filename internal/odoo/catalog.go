package odoo

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/b2bgw/b2bgw/internal/canonical"
)

// CatalogSummary is what a catalog posting did, row by row.
type CatalogSummary struct {
	Rows, Created, Updated, Unchanged, Failed int
	// Results and Errors are index-aligned with the rows posted.
	Results []Result
	Errors  []error
}

func (s CatalogSummary) String() string {
	return fmt.Sprintf("%d rows: %d created, %d updated, %d unchanged, %d failed", s.Rows, s.Created, s.Updated, s.Unchanged, s.Failed)
}

const supplierinfo = "product.supplierinfo"

// catalogRow is a row resolved against Odoo.
type catalogRow struct {
	i        int
	item     *canonical.CatalogItem
	vendor   int64
	product  int64
	tmpl     int64
	currency int64
	uom      int64
}

// PostCatalog upserts vendor prices (product.supplierinfo) from catalog
// rows: one row per vendor, product and minimum quantity. Bad rows are
// reported with their row number and the good ones still posted. Lookups
// are batched: vendors, products, currencies and existing prices cost one
// call each for the whole file; new prices are created in one call; only
// changed prices are written one by one.
func (c *Client) PostCatalog(ctx context.Context, pol Policy, items []*canonical.CatalogItem) (CatalogSummary, error) {
	pol = pol.Defaults()
	sum := CatalogSummary{Rows: len(items), Results: make([]Result, len(items)), Errors: make([]error, len(items))}
	if err := c.Connect(ctx); err != nil {
		return sum, err
	}
	f := c.Fields()
	rowErr := func(i int, p Problem, detail string, err error) {
		it := items[i]
		sum.Errors[i] = &DocumentError{Partner: it.Meta.PartnerID, Number: it.VendorProductCode, Line: fmt.Sprint(it.RowNumber), Problem: p, Detail: detail, Err: err}
	}
	var rows []*catalogRow
	byVendor := map[int64][]*catalogRow{}
	for i, it := range items {
		if err := testGuard(pol, it.Meta, it.VendorProductCode); err != nil {
			sum.Errors[i] = err
			continue
		}
		if err := it.Validate(); err != nil {
			rowErr(i, ProblemInvalidDocument, err.Error(), nil)
			continue
		}
		vendor, why, err := c.resolvePartner(ctx, pol.Vendor, &it.Vendor, "vendor")
		if err != nil {
			return sum, err
		}
		if vendor == 0 {
			rowErr(i, ProblemUnknownPartner, why, nil)
			continue
		}
		r := &catalogRow{i: i, item: it, vendor: vendor}
		rows = append(rows, r)
		byVendor[vendor] = append(byVendor[vendor], r)
	}
	// Products, per vendor (their codes are theirs).
	var missing []*catalogRow
	for vendor, rs := range byVendor {
		refs := make([]canonical.ProductRef, len(rs))
		for j, r := range rs {
			refs[j] = canonical.ProductRef{GTIN: r.item.GTIN, VendorPartNumber: r.item.VendorProductCode}
		}
		ids, err := c.resolveProducts(ctx, pol, vendorSide, vendor, refs)
		if err != nil {
			return sum, err
		}
		for j, r := range rs {
			if r.product = ids[j]; r.product == 0 {
				missing = append(missing, r)
			}
		}
	}
	if len(missing) > 0 && pol.CreateProducts {
		vals := make([]map[string]any, len(missing))
		for j, r := range missing {
			v := map[string]any{"name": cmp(r.item.Description, r.item.VendorProductCode), "purchase_ok": true, f.StorableField: f.StorableValue}
			if r.item.GTIN != "" {
				v["barcode"] = r.item.GTIN
			}
			vals[j] = v
		}
		ids, err := c.Create(ctx, "product.product", vals, nil)
		if err != nil {
			return sum, err
		}
		for j, r := range missing {
			r.product = ids[j]
		}
		missing = nil
	}
	for _, r := range missing {
		rowErr(r.i, ProblemUnknownProduct, "no product matches "+describeRef(canonical.ProductRef{GTIN: r.item.GTIN, VendorPartNumber: r.item.VendorProductCode})+" (policy does not create products)", nil)
	}
	var ok []*catalogRow
	var prodIDs []int64
	for _, r := range rows {
		if r.product != 0 {
			ok = append(ok, r)
			prodIDs = append(prodIDs, r.product)
		}
	}
	if len(ok) == 0 {
		return sum.count(), nil
	}
	prods, err := c.Read(ctx, "product.product", prodIDs, []string{"product_tmpl_id"}, nil)
	if err != nil {
		return sum, err
	}
	tmpl := map[int64]int64{}
	for _, p := range prods {
		tmpl[p.ID()] = p.M2OID("product_tmpl_id")
	}
	var vendors []int64
	for v := range byVendor {
		vendors = append(vendors, v)
	}
	siFields := []string{"partner_id", "product_id", "product_tmpl_id", "product_code", "product_name", "min_qty", "price", "currency_id", "delay", "date_start", "date_end"}
	if f.SupplierinfoUoM != "" {
		siFields = append(siFields, f.SupplierinfoUoM)
	}
	existing, err := c.SearchRead(ctx, supplierinfo, Domain{Cond("partner_id", "in", vendors), Cond("product_tmpl_id", "in", mapValues(tmpl))},
		siFields, SearchOpts{})
	if err != nil {
		return sum, err
	}
	var creates []map[string]any
	var createRows []*catalogRow
	for _, r := range ok {
		r.tmpl = tmpl[r.product]
		cur, err := c.currencyID(ctx, r.item.Currency)
		if err != nil {
			return sum, err
		}
		if cur == 0 {
			rowErr(r.i, ProblemInvalidDocument, "currency "+r.item.Currency+" is not active in Odoo", nil)
			continue
		}
		vals := map[string]any{"partner_id": r.vendor, "product_tmpl_id": r.tmpl, "product_id": r.product, "product_code": r.item.VendorProductCode,
			"price": r.item.UnitPrice.Float64(), "currency_id": cur}
		if r.item.Description != "" {
			vals["product_name"] = r.item.Description
		}
		if r.item.MinQuantity != nil {
			vals["min_qty"] = r.item.MinQuantity.Float64()
		}
		if r.item.LeadTimeDays != nil {
			vals["delay"] = *r.item.LeadTimeDays
		}
		if !r.item.ValidFrom.IsZero() {
			vals["date_start"] = r.item.ValidFrom.String()
		}
		if !r.item.ValidTo.IsZero() {
			vals["date_end"] = r.item.ValidTo.String()
		}
		if f.SupplierinfoUoM != "" {
			uom, why, err := c.uomID(ctx, pol, r.item.UOM)
			if err != nil {
				return sum, err
			}
			if why != "" {
				rowErr(r.i, ProblemUnknownUOM, why, nil)
				continue
			}
			vals[f.SupplierinfoUoM] = uom
		}
		// Upsert identity: vendor, product and price break (min_qty); a row
		// without a minimum updates the vendor's price with the same code.
		var match Record
		for _, e := range existing {
			if e.M2OID("partner_id") != r.vendor || e.M2OID("product_tmpl_id") != r.tmpl || (e.M2OID("product_id") != r.product && e.M2OID("product_id") != 0) {
				continue
			}
			if mq, ok := vals["min_qty"].(float64); ok && math.Abs(e.Float("min_qty")-mq) < 1e-9 {
				match = e
				break
			}
			if _, ok := vals["min_qty"]; !ok && e.String("product_code") == r.item.VendorProductCode {
				match = e
				break
			}
		}
		if match == nil {
			creates, createRows = append(creates, vals), append(createRows, r)
			continue
		}
		changed := map[string]any{}
		for k, v := range vals {
			if !sameValue(match, k, v) {
				changed[k] = v
			}
		}
		res := Result{Model: supplierinfo, ID: match.ID(), Name: r.item.VendorProductCode, Action: Existing}
		if len(changed) > 0 {
			if err := c.Write(ctx, supplierinfo, []int64{match.ID()}, changed, nil); err != nil {
				rowErr(r.i, ProblemRefused, "", err)
				continue
			}
			res.Action = Updated
		}
		sum.Results[r.i] = res
	}
	if len(creates) > 0 {
		ids, err := c.Create(ctx, supplierinfo, creates, nil)
		if err != nil && !errors.Is(err, context.Canceled) && !IsKind(err, KindTransient) {
			// One refused row rolls back all: isolate it.
			for j, v := range creates {
				one, err := c.Create(ctx, supplierinfo, []map[string]any{v}, nil)
				if err != nil {
					rowErr(createRows[j].i, ProblemRefused, "", err)
					continue
				}
				sum.Results[createRows[j].i] = Result{Model: supplierinfo, ID: one[0], Name: createRows[j].item.VendorProductCode, Action: Created}
			}
		} else if err != nil {
			return sum, err
		} else {
			for j, id := range ids {
				sum.Results[createRows[j].i] = Result{Model: supplierinfo, ID: id, Name: createRows[j].item.VendorProductCode, Action: Created}
			}
		}
	}
	return sum.count(), nil
}

func (s CatalogSummary) count() CatalogSummary {
	s.Created, s.Updated, s.Unchanged, s.Failed = 0, 0, 0, 0
	for i := range s.Results {
		switch {
		case s.Errors[i] != nil:
			s.Failed++
		case s.Results[i].Action == Created:
			s.Created++
		case s.Results[i].Action == Updated:
			s.Updated++
		case s.Results[i].Action == Existing:
			s.Unchanged++
		}
	}
	return s
}

func mapValues(m map[int64]int64) []int64 {
	out := make([]int64, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// sameValue compares a value about to be written with what Odoo has.
func sameValue(r Record, k string, v any) bool {
	switch x := v.(type) {
	case float64:
		return math.Abs(r.Float(k)-x) < 1e-9
	case int:
		return r.Int(k) == int64(x)
	case int64:
		if id := r.M2OID(k); id != 0 {
			return id == x
		}
		return r.Int(k) == x
	case string:
		return r.String(k) == x
	}
	return false
}

func (c *Client) currencyID(ctx context.Context, code string) (int64, error) {
	key := "currency:" + code
	if id, ok := c.cache.get(key); ok {
		return id, nil
	}
	rows, err := c.SearchRead(ctx, "res.currency", Domain{Cond("name", "=", code)}, []string{"name"}, SearchOpts{Limit: 1})
	if err != nil || len(rows) == 0 {
		return 0, err
	}
	c.cache.put(key, rows[0].ID())
	return rows[0].ID(), nil
}
