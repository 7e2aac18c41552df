package odoo

import (
	"fmt"
	"strconv"
	"strings"
)

// Version is an Odoo server series, e.g. 17.0.
type Version struct {
	Major, Minor int
	// Server is server_version as sent ("18.0", "18.0-20250702", "saas~17.2").
	Server string
}

func (v Version) String() string { return fmt.Sprintf("%d.%d", v.Major, v.Minor) }

// AtLeast reports whether v is major or newer.
func (v Version) AtLeast(major int) bool { return v.Major >= major }

// parseVersionInfo reads server_version_info ([17, 0, 0, "final", 0, ""]).
func parseVersionInfo(info []any, server string) (Version, error) {
	v := Version{Server: server}
	if len(info) >= 2 {
		maj, ok1 := info[0].(float64)
		mnr, ok2 := info[1].(float64)
		if ok1 && ok2 {
			v.Major, v.Minor = int(maj), int(mnr)
			return v, nil
		}
		// saas versions send "saas~17" as the first item.
		if s, ok := info[0].(string); ok {
			s = strings.TrimPrefix(s, "saas~")
			if n, err := strconv.Atoi(s); err == nil {
				v.Major = n
				return v, nil
			}
		}
	}
	return v, fmt.Errorf("odoo: cannot read server_version_info %v", info)
}

// Fields are the field and key names that differ between Odoo versions.
// Flows read names from here, never spell them inline, so that a version's
// drift is one table to review (see shared api-notes §2).
type Fields struct {
	// SaleLineUoM and SaleLineTax are sale.order.line's unit and taxes:
	// product_uom/tax_id in 16–18, product_uom_id/tax_ids in 19.
	SaleLineUoM, SaleLineTax string
	// PurchaseLineUoM is purchase.order.line's unit (product_uom_id in 19).
	PurchaseLineUoM string
	// MoveDone is what a gateway writes on stock.move to say "this much
	// was shipped": quantity_done in 16, quantity (with picked) in 17+.
	MoveDone string
	// MovePicked is true from 17, where quantity is also the reservation
	// and only picked moves count as done.
	MovePicked bool
	// MoveLineDone is stock.move.line's done quantity (qty_done in 16).
	MoveLineDone string
	// WarehouseContext is the context key scoping stock quantities to a
	// warehouse: "warehouse" in 16/17, "warehouse_id" in 18+.
	WarehouseContext string
	// Storable is how a stock-tracked product is flagged on creation:
	// type=product in 16/17, is_storable=true in 18+.
	StorableField string
	StorableValue any
	// SupplierinfoUoM is product.supplierinfo's unit (19 only; "" before).
	SupplierinfoUoM string
	// DeliveryModule owns carrier_tracking_ref: delivery (16),
	// stock_delivery (17+).
	DeliveryModule string
	// SaleLocked says whether a locked order is state "done" (16) or the
	// boolean locked (17+).
	SaleLockedBool bool
}

// FieldsFor returns the names for v.
func FieldsFor(v Version) Fields {
	f := Fields{
		SaleLineUoM: "product_uom", SaleLineTax: "tax_id", PurchaseLineUoM: "product_uom",
		MoveDone: "quantity_done", MoveLineDone: "qty_done", WarehouseContext: "warehouse",
		StorableField: "type", StorableValue: "product", DeliveryModule: "delivery",
	}
	if v.AtLeast(17) {
		f.MoveDone, f.MovePicked, f.MoveLineDone = "quantity", true, "quantity"
		f.DeliveryModule = "stock_delivery"
		f.SaleLockedBool = true
	}
	if v.AtLeast(18) {
		f.WarehouseContext = "warehouse_id"
		f.StorableField, f.StorableValue = "is_storable", true
	}
	if v.AtLeast(19) {
		f.SaleLineUoM, f.SaleLineTax, f.PurchaseLineUoM = "product_uom_id", "tax_ids", "product_uom_id"
		f.SupplierinfoUoM = "product_uom_id"
	}
	return f
}
