package canonical_test

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/b2bgw/b2bgw/internal/canonical"
)

// An X12 N2 element carries "1250" for 12.50; the Decimal keeps the digits
// all the way to JSON.
func ExampleFromImplied() {
	d, err := canonical.FromImplied("1250", 2)
	if err != nil {
		panic(err)
	}
	b, _ := json.Marshal(struct {
		Price canonical.Decimal `json:"price"`
	}{d})
	fmt.Println(d, string(b), d.Float64())
	// Output: 12.50 {"price":12.50} 12.5
}

// A DTM with date, time and the partner's zone becomes an RFC 3339 instant.
func ExampleParseEDIDateTime() {
	est := time.FixedZone("EST", -5*3600)
	dt, err := canonical.ParseEDIDateTime("20250204", "1430", est)
	if err != nil {
		panic(err)
	}
	fmt.Println(dt, dt.Time().UTC().Format(time.DateTime))
	// Output: 2025-02-04T14:30:00-05:00 2025-02-04 19:30:00
}

// Validate lists every problem with its JSON path.
func ExampleOrder_Validate() {
	o := canonical.New(canonical.KindOrder).(*canonical.Order)
	o.Meta.PartnerID = "acme-retail"
	o.Purpose = canonical.PurposeOriginal
	o.PONumber = "PO1242"
	o.Lines = []canonical.OrderLine{{LineNumber: "1", UOM: canonical.UOMEach}}
	fmt.Println(o.Validate())
	// Output: canonical: invalid order: lines[0].quantity: must be greater than zero; lines[0].product: needs at least one product id (gtin, vendor_part_number, buyer_part_number or ids)
}

// Decode picks the document type from meta.kind.
func ExampleDecode() {
	doc, err := canonical.Decode([]byte(`{
		"meta": {"kind": "inventory_advice", "schema_version": "1.0", "partner_id": "acme-retail"},
		"as_of": "2025-02-04T06:00:00Z",
		"items": [{"product": {"vendor_part_number": "WID-100-BLU"}, "quantity_available": 1250, "uom": "EA"}]
	}`))
	if err != nil {
		panic(err)
	}
	inv := doc.(*canonical.InventoryAdvice)
	fmt.Println(inv.Items[0].QuantityAvailable, inv.Validate())
	// Output: 1250 <nil>
}
