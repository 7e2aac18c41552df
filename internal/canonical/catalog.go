package canonical

// CatalogItem is one row of a supplier's price catalog (CSV or XML). Each
// row is its own document, with its own Meta, so that one bad row is
// rejected alone while the rest of the file updates Odoo
// product.supplierinfo (vendor partner_id, product_code, price, min_qty,
// delay, date_start/date_end).
type CatalogItem struct {
	Meta              Meta     `json:"meta" doc:"Envelope; source.record is the row number too."`
	RowNumber         int      `json:"row_number" doc:"1-based row in the source file, header excluded, for error reports."`
	Vendor            Party    `json:"vendor" doc:"The supplier (role vendor)."`
	VendorProductCode string   `json:"vendor_product_code" doc:"Supplier's product code; Odoo supplierinfo product_code."`
	GTIN              string   `json:"gtin,omitempty" doc:"GTIN normalized to 14 digits." pattern:"^[0-9]{14}$"`
	Description       string   `json:"description,omitempty" doc:"Supplier's product name; Odoo supplierinfo product_name."`
	UnitPrice         Decimal  `json:"unit_price" doc:"Price per uom in currency."`
	Currency          string   `json:"currency" doc:"ISO 4217 currency." pattern:"^[A-Z]{3}$"`
	MinQuantity       *Decimal `json:"min_quantity,omitempty" doc:"Minimum order quantity the price applies from; Odoo min_qty."`
	PackSize          *Decimal `json:"pack_size,omitempty" doc:"Units per supplier pack (order multiple)."`
	UOM               UOM      `json:"uom" doc:"Unit the price and quantities are in."`
	LeadTimeDays      *int     `json:"lead_time_days,omitempty" doc:"Delivery lead time in days; Odoo supplierinfo delay."`
	ValidFrom         Date     `json:"valid_from,omitzero" doc:"First day the price applies; Odoo date_start."`
	ValidTo           Date     `json:"valid_to,omitzero" doc:"Last day the price applies; Odoo date_end."`
}

// DocMeta returns the envelope.
func (c *CatalogItem) DocMeta() *Meta { return &c.Meta }

// Validate reports every problem that would stop the row being posted.
func (c *CatalogItem) Validate() error {
	v := newValidator(KindCatalogItem)
	v.meta("meta", &c.Meta, KindCatalogItem)
	if c.RowNumber <= 0 {
		v.add("row_number", "must be 1 or more")
	}
	if c.Vendor.Role != RoleVendor {
		v.addf("vendor.role", "must be %q", RoleVendor)
	}
	if c.Vendor.Name == "" && c.Vendor.GLN == "" && c.Vendor.DUNS == "" && len(c.Vendor.IDs) == 0 {
		v.add("vendor", "needs a name or an id")
	}
	v.gln("vendor.gln", c.Vendor.GLN)
	v.required("vendor_product_code", c.VendorProductCode)
	if c.GTIN != "" && !validGS1(c.GTIN, 14) {
		v.addf("gtin", "%q is not a 14-digit GTIN with a valid check digit (use NormalizeGTIN)", c.GTIN)
	}
	if c.UnitPrice.Sign() < 0 {
		v.add("unit_price", "must not be negative")
	}
	if c.Currency == "" {
		v.add("currency", "is required")
	}
	v.pattern("currency", c.Currency, `^[A-Z]{3}$`)
	v.quantity("min_quantity", c.MinQuantity, true)
	v.quantity("pack_size", c.PackSize, false)
	v.uom("uom", c.UOM, true)
	if c.LeadTimeDays != nil && *c.LeadTimeDays < 0 {
		v.add("lead_time_days", "must not be negative")
	}
	v.date("valid_from", c.ValidFrom)
	v.date("valid_to", c.ValidTo)
	if !c.ValidFrom.IsZero() && !c.ValidTo.IsZero() && c.ValidTo.Before(c.ValidFrom) {
		v.add("valid_to", "is before valid_from")
	}
	return v.err()
}
