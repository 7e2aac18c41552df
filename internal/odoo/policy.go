package odoo

import (
	"fmt"
	"time"
)

// Policy is how one trading partner's documents are posted. The partner
// profile embeds it under `odoo:`; every field has a default (see
// Defaults), so an empty policy posts originals, confirms orders and
// leaves receipts and deliveries ready for a person to validate.
type Policy struct {
	// Customer finds the customer (sale.order partner_id) for orders, tried
	// in order. Default: the buyer party's GLN against res.partner.barcode,
	// then its first id against ref.
	Customer []PartyMatch `yaml:"customer,omitempty" json:"customer,omitempty"`
	// Vendor finds the vendor for ship notices and catalogs, the same way.
	Vendor []PartyMatch `yaml:"vendor,omitempty" json:"vendor,omitempty"`

	// ShipTo configures the delivery address.
	ShipTo ShipToPolicy `yaml:"ship_to,omitempty" json:"ship_to,omitempty"`

	// ProductMatch lists how products are found, in order: "gtin" (barcode,
	// every stored form of the GTIN), "default_code" (our internal
	// reference), "partner_code" (the partner's own code: a vendor's
	// product.supplierinfo.product_code, a customer's code via
	// CustomerCodes). Default: gtin, default_code, partner_code.
	ProductMatch []string `yaml:"product_match,omitempty" json:"product_match,omitempty"`
	// CustomerCodes maps the customer's item codes (buyer part numbers) to
	// our default_code: standard Odoo has no customer product codes.
	CustomerCodes map[string]string `yaml:"customer_codes,omitempty" json:"customer_codes,omitempty"`
	// UOM maps UN/ECE Rec 20 codes to Odoo unit names. Defaults: EA, C62,
	// H87, PCE → Units; DZN → Dozens; KGM → kg.
	UOM map[string]string `yaml:"uom,omitempty" json:"uom,omitempty"`

	// Price is where an order line's price comes from: "document" (the
	// partner's price; lines without one get the pricelist's), or
	// "pricelist" (ignore the partner's prices). Default "document".
	Price string `yaml:"price,omitempty" json:"price,omitempty"`
	// Confirm confirms new orders (action_confirm). Default true.
	Confirm *bool `yaml:"confirm,omitempty" json:"confirm,omitempty"`
	// TimeZone interprets requested dates (IANA name, default UTC): Odoo
	// stores commitment_date in UTC.
	TimeZone string `yaml:"time_zone,omitempty" json:"time_zone,omitempty"`

	// Receipt is how ship notices update incoming receipts.
	Receipt PickingPolicy `yaml:"receipt,omitempty" json:"receipt,omitempty"`
	// Delivery is how warehouse shipping advices update deliveries.
	Delivery PickingPolicy `yaml:"delivery,omitempty" json:"delivery,omitempty"`

	// CreateProducts lets catalog rows create products that do not exist
	// yet (name, barcode, vendor code). Default false: unknown products
	// are reported per row.
	CreateProducts bool `yaml:"create_products,omitempty" json:"create_products,omitempty"`
	// PostTestDocuments lets documents the partner marked as test data
	// (ISA15=T, UNB11=1) be posted. Off by default: a partner's test run
	// must never create real sale orders or move real stock.
	PostTestDocuments bool `yaml:"post_test_documents,omitempty" json:"post_test_documents,omitempty"`

	// ATP is what the inventory feed covers.
	ATP ATPPolicy `yaml:"atp,omitempty" json:"atp,omitempty"`
}

// PartyMatch is one way to find a partner. By is "ref", "gln" or "field";
// Field names the res.partner field ("barcode" is the default GLN field,
// e.g. "x_edi_id" for a custom one); Value fixes the value (a profile
// that always orders as one customer), else the document's party gives
// it: its GLN for "gln", its first id (or name) otherwise.
type PartyMatch struct {
	By    string `yaml:"by" json:"by"`
	Field string `yaml:"field,omitempty" json:"field,omitempty"`
	Value string `yaml:"value,omitempty" json:"value,omitempty"`
}

// ShipToPolicy configures ship-to resolution.
type ShipToPolicy struct {
	// GLNField is the res.partner field holding a delivery address's GLN
	// (default "barcode").
	GLNField string `yaml:"gln_field,omitempty" json:"gln_field,omitempty"`
	// Create creates a missing ship-to as a delivery address under the
	// customer. Default true; false rejects the order instead.
	Create *bool `yaml:"create,omitempty" json:"create,omitempty"`
}

// PickingPolicy says what happens to a receipt or delivery.
type PickingPolicy struct {
	// Validate validates the transfer (button_validate); otherwise the
	// quantities are recorded and the transfer left ready. Default false.
	Validate bool `yaml:"validate,omitempty" json:"validate,omitempty"`
	// Backorder keeps what was not shipped open in a backorder; false
	// cancels it. Default true.
	Backorder *bool `yaml:"backorder,omitempty" json:"backorder,omitempty"`
	// AllowOverShipment accepts more than was ordered. Default false.
	AllowOverShipment bool `yaml:"allow_over_shipment,omitempty" json:"allow_over_shipment,omitempty"`
}

// ATPPolicy configures the inventory advice.
type ATPPolicy struct {
	// Products lists our default_codes to report.
	Products []string `yaml:"products,omitempty" json:"products,omitempty"`
	// Warehouses lists stock.warehouse codes; empty means all.
	Warehouses []string `yaml:"warehouses,omitempty" json:"warehouses,omitempty"`
}

// Product match keys.
const (
	MatchGTIN        = "gtin"
	MatchDefaultCode = "default_code"
	MatchPartnerCode = "partner_code"
)

// Defaults returns p with every unset field at its default.
func (p Policy) Defaults() Policy {
	if len(p.Customer) == 0 {
		p.Customer = []PartyMatch{{By: "gln"}, {By: "ref"}}
	}
	if len(p.Vendor) == 0 {
		p.Vendor = []PartyMatch{{By: "gln"}, {By: "ref"}}
	}
	if p.ShipTo.GLNField == "" {
		p.ShipTo.GLNField = "barcode"
	}
	if p.ShipTo.Create == nil {
		p.ShipTo.Create = ptr(true)
	}
	if len(p.ProductMatch) == 0 {
		p.ProductMatch = []string{MatchGTIN, MatchDefaultCode, MatchPartnerCode}
	}
	uom := map[string]string{"EA": "Units", "C62": "Units", "H87": "Units", "PCE": "Units", "DZN": "Dozens", "KGM": "kg"}
	for k, v := range p.UOM {
		uom[k] = v
	}
	p.UOM = uom
	if p.Price == "" {
		p.Price = "document"
	}
	if p.Confirm == nil {
		p.Confirm = ptr(true)
	}
	if p.TimeZone == "" {
		p.TimeZone = "UTC"
	}
	for _, pp := range []*PickingPolicy{&p.Receipt, &p.Delivery} {
		if pp.Backorder == nil {
			pp.Backorder = ptr(true)
		}
	}
	return p
}

// Validate reports settings that cannot work.
func (p Policy) Validate() error {
	for _, m := range append(append([]PartyMatch{}, p.Customer...), p.Vendor...) {
		switch m.By {
		case "ref", "gln":
		case "field":
			if m.Field == "" {
				return fmt.Errorf("odoo policy: match by field needs field")
			}
		default:
			return fmt.Errorf("odoo policy: unknown partner match %q (ref, gln or field)", m.By)
		}
	}
	for _, k := range p.ProductMatch {
		switch k {
		case MatchGTIN, MatchDefaultCode, MatchPartnerCode:
		default:
			return fmt.Errorf("odoo policy: unknown product match %q (gtin, default_code or partner_code)", k)
		}
	}
	switch p.Price {
	case "", "document", "pricelist":
	default:
		return fmt.Errorf("odoo policy: price %q is not document or pricelist", p.Price)
	}
	if p.TimeZone != "" {
		if _, err := time.LoadLocation(p.TimeZone); err != nil {
			return fmt.Errorf("odoo policy: time_zone: %w", err)
		}
	}
	return nil
}

func ptr[T any](v T) *T { return &v }
