package canonical

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/b2bgw/b2bgw/internal/errclass"
)

// TestValidate breaks realistic documents one way at a time and checks
// that Validate reports exactly the expected paths, in document order.
func TestValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		doc   func() Document
		paths []string
	}{
		{"order ok", func() Document { return fixtureOrder() }, nil},
		{"order cancellation without lines", func() Document {
			o := fixtureOrder()
			o.Purpose, o.Lines = PurposeCancellation, nil
			return o
		}, nil},
		{"order envelope", func() Document {
			o := fixtureOrder()
			o.Meta.Kind, o.Meta.SchemaVersion, o.Meta.PartnerID = KindShipmentNotice, "2.0", ""
			o.Meta.Source.File.SHA256 = "ABC"
			return o
		}, []string{"meta.kind", "meta.schema_version", "meta.partner_id", "meta.source.file.sha256"}},
		{"order header", func() Document {
			o := fixtureOrder()
			o.Purpose, o.Type, o.PONumber, o.Currency = "00", "SA", " ", "usd"
			o.CancelAfter = NewDate(2025, time.February, 1)
			o.OrderDate = NewDate(2025, time.February, 30)
			return o
		}, []string{"purpose", "type", "po_number", "currency", "order_date", "cancel_after"}},
		{"order no lines", func() Document {
			o := fixtureOrder()
			o.Lines = nil
			return o
		}, []string{"lines"}},
		{"order lines", func() Document {
			o := fixtureOrder()
			o.Lines[0].Quantity = dec("0")
			o.Lines[0].UOM = "each"
			o.Lines[1].LineNumber = "1"
			o.Lines[1].Product = ProductRef{}
			o.Lines[1].UnitPrice = dec("-1").Ptr()
			o.Lines[2].Product.GTIN = "10012345678903"
			o.Lines[2].Quantity = dec("-4")
			o.Lines[2].UOM = ""
			return o
		}, []string{"lines[0].quantity", "lines[0].uom", "lines[1].line_number", "lines[1].unit_price",
			"lines[1].product", "lines[2].quantity", "lines[2].uom", "lines[2].product.gtin"}},
		{"order parties", func() Document {
			o := fixtureOrder()
			o.Parties[0].GLN = "0614141000006"
			o.Parties[1].Role = "ST"
			o.Parties[1].Address.Country = "USA"
			o.Parties[2] = Party{Role: RoleBillTo}
			return o
		}, []string{"parties[0].gln", "parties[1].role", "parties[1].address.country", "parties[2]"}},
		{"shipment ok", func() Document { return fixtureShipment() }, nil},
		{"shipment header", func() Document {
			s := fixtureShipment()
			s.ShipmentID, s.ShipDate = "", DateTime{}
			s.Packaging[0].Quantity = 0
			s.Carrier.SCAC = "odfl"
			return s
		}, []string{"shipment_id", "ship_date", "carrier.scac", "packaging[0].quantity"}},
		{"shipment packs", func() Document {
			s := fixtureShipment()
			pallet := &s.Orders[0].Packs[0]
			pallet.Packs[1].SSCC = pallet.Packs[0].SSCC // same label twice
			pallet.Packs[1].Items[0].Lots[1].Quantity = dec("13").Ptr()
			pallet.Packs[2].Items[0].Product = ProductRef{}
			pallet.Packs[2].Type = ""
			pallet.Packs = append(pallet.Packs, Pack{Type: PackCarton, SSCC: "008123456789000002"})
			return s
		}, []string{"orders[0].packs[0].packs[1].sscc", "orders[0].packs[0].packs[1].items[0].lots",
			"orders[0].packs[0].packs[2].type", "orders[0].packs[0].packs[2].items[0].product",
			"orders[0].packs[0].packs[3].sscc", "orders[0].packs[0].packs[3]"}},
		{"shipment empty order", func() Document {
			s := fixtureShipment()
			s.Orders[0].Packs, s.Orders[0].PONumber = nil, ""
			return s
		}, []string{"orders[0].po_number", "orders[0]"}},
		{"standard carton ok", func() Document { return fixtureStandardCartonShipment() }, nil},
		{"standard carton packs", func() Document {
			s := fixtureStandardCartonShipment()
			it := &s.Orders[0].Items[0]
			it.Packs[1].SSCC = it.Packs[0].SSCC
			it.Packs[0].ParentSSCC = "123"
			it.Packs[0].Quantity = dec("0").Ptr()
			return s
		}, []string{"orders[0].items[0].packs[0].parent_sscc", "orders[0].items[0].packs[0].quantity",
			"orders[0].items[0].packs[1].sscc"}},
		{"945 ok", func() Document { return fixtureWarehouseAdvice() }, nil},
		{"945 broken", func() Document {
			a := fixtureWarehouseAdvice()
			a.DepositorOrderNumber, a.ShipDate = "", Date{}
			a.Lines[0].QuantityDifference = dec("7").Ptr()
			a.Lines[0].SSCCs[1] = "12"
			a.Lines[1].Status = "CC"
			a.Lines[2].QuantityShipped = dec("-1")
			return a
		}, []string{"depositor_order_number", "ship_date", "lines[0].quantity_difference", "lines[0].ssccs[1]",
			"lines[1].status", "lines[2].quantity_shipped", "lines[2].quantity_difference"}},
		{"inventory ok", func() Document { return fixtureInventory() }, nil},
		{"inventory broken", func() Document {
			a := fixtureInventory()
			a.AsOf = DateTime{}
			a.Items[1].Warehouse = "WH"
			a.Items[2].QuantityAvailable = dec("-3")
			a.Items[2].QuantityOnOrder = dec("-1").Ptr()
			return a
		}, []string{"as_of", "items[1]", "items[2].quantity_available", "items[2].quantity_on_order"}},
		{"catalog ok", func() Document { return fixtureCatalogItem() }, nil},
		{"catalog broken", func() Document {
			c := fixtureCatalogItem()
			c.RowNumber = 0
			c.Vendor = Party{Role: RoleBuyer}
			c.VendorProductCode = ""
			c.Currency = ""
			c.PackSize = dec("0").Ptr()
			lead := -2
			c.LeadTimeDays = &lead
			c.ValidTo = NewDate(2024, time.December, 31)
			return c
		}, []string{"row_number", "vendor.role", "vendor", "vendor_product_code", "currency", "pack_size",
			"lead_time_days", "valid_to"}},
		{"ack ok", func() Document { return fixtureAck() }, nil},
		{"ack broken", func() Document {
			a := fixtureAck()
			a.Type = AckContrl
			a.Groups[0].SetsAccepted = 3
			a.Groups[0].Sets[1].Errors[0].Code = ""
			a.Groups[0].Sets[0].ControlNumber = ""
			return a
		}, []string{"type", "groups[0].sets_accepted", "groups[0].sets[0].control_number",
			"groups[0].sets[1].errors[0].code"}},
		{"ack empty", func() Document {
			return &Acknowledgment{Meta: testMeta(KindAcknowledgment, Outbound, "", ""), Type: AckInterchange,
				Standard: StandardCSV}
		}, []string{"standard", "status", "interchange"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.doc().Validate()
			if tc.paths == nil {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Validate = %v, want *ValidationError", err)
			}
			var got []string
			for _, p := range ve.Problems {
				got = append(got, p.Path)
			}
			if !reflect.DeepEqual(got, tc.paths) {
				t.Errorf("problem paths\n got %q\nwant %q\n%v", got, tc.paths, err)
			}
		})
	}
}

func TestValidationErrorClassAndText(t *testing.T) {
	t.Parallel()
	o := fixtureOrder()
	o.PONumber = ""
	o.Lines[0].Quantity = dec("0")
	err := o.Validate()
	if errclass.Of(err) != errclass.RejectsSet {
		t.Errorf("class = %v, want rejects-set", errclass.Of(err))
	}
	want := "canonical: invalid order: po_number: is required; lines[0].quantity: must be greater than zero"
	if err.Error() != want {
		t.Errorf("Error() =\n%s\nwant\n%s", err, want)
	}
	if !strings.Contains(err.(*ValidationError).Problems[1].String(), "lines[0].quantity") {
		t.Error("Problem.String lacks the path")
	}
}
