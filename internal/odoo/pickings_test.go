package odoo

import (
	"errors"
	"testing"

	"github.com/b2bgw/b2bgw/internal/canonical"
	"github.com/b2bgw/b2bgw/internal/odoo/odoosim"
)

func asn(id string, items ...canonical.ShipmentItem) *canonical.ShipmentNotice {
	n := canonical.New(canonical.KindShipmentNotice).(*canonical.ShipmentNotice)
	n.Meta.PartnerID = "northwind"
	n.Purpose = canonical.PurposeOriginal
	n.ShipmentID = id
	n.Parties = []canonical.Party{{Role: canonical.RoleShipFrom, Name: "NORTHWIND", GLN: odoosim.VendorGLN}}
	n.Tracking = &canonical.Tracking{TrackingNumbers: []string{"1Z999"}}
	n.Orders = []canonical.ShipmentOrder{{PONumber: "P00001", Items: items}}
	return n
}

func TestShipmentNotice(t *testing.T) {
	t.Parallel()
	for _, v := range versions {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			b := setup(t, v)
			pol := Policy{Receipt: PickingPolicy{Validate: true}}
			n := asn("ASN-1",
				canonical.ShipmentItem{LineNumber: "1", Product: canonical.ProductRef{VendorPartNumber: "NW-501"}, QuantityShipped: dec("50"), UOM: "EA"},
				canonical.ShipmentItem{LineNumber: "2", Product: canonical.ProductRef{BuyerPartNumber: "SKU-1002"}, QuantityShipped: dec("30"), UOM: "EA"},
			)
			res, err := b.c.PostShipmentNotice(b.ctx, pol, n)
			if err != nil {
				t.Fatal(err)
			}
			if len(res) != 1 || res[0].ID != b.ids.Receipt || res[0].Action != Validated || res[0].State != "done" {
				t.Fatalf("%+v", res)
			}
			p := b.read1("stock.picking", b.ids.Receipt, "carrier_tracking_ref", "backorder_ids")
			if p.String("carrier_tracking_ref") != "1Z999" || len(p.IDs("backorder_ids")) != 1 {
				t.Errorf("receipt %v", p)
			}
			// SKU-1002's 20 and SKU-1004's 50 wait in the backorder.
			po := b.read1("purchase.order", b.ids.PurchaseOrder, "order_line")
			lines, _ := b.c.Read(b.ctx, "purchase.order.line", po.IDs("order_line"), []string{"qty_received"}, nil)
			if lines[0].Float("qty_received") != 50 || lines[1].Float("qty_received") != 30 || lines[2].Float("qty_received") != 0 {
				t.Errorf("received %v", lines)
			}
			// Resend: nothing changes, even though a backorder is open.
			again, err := b.c.PostShipmentNotice(b.ctx, pol, n)
			if err != nil || len(again) != 1 || again[0].Action != Existing || again[0].ID != b.ids.Receipt {
				t.Fatalf("resend %+v %v", again, err)
			}
			lines, _ = b.c.Read(b.ctx, "purchase.order.line", po.IDs("order_line"), []string{"qty_received"}, nil)
			if lines[1].Float("qty_received") != 30 {
				t.Errorf("resend changed quantities: %v", lines)
			}
		})
	}
}

func TestShipmentNoticeMismatches(t *testing.T) {
	t.Parallel()
	b := setup(t, "18.0")
	tests := []struct {
		name    string
		n       *canonical.ShipmentNotice
		pol     Policy
		problem Problem
		line    string
	}{
		{"over-shipment", asn("A1", canonical.ShipmentItem{LineNumber: "1", Product: canonical.ProductRef{VendorPartNumber: "NW-501"}, QuantityShipped: dec("51"), UOM: "EA"}), Policy{}, ProblemOverShipment, "1"},
		{"unknown product", asn("A2", canonical.ShipmentItem{LineNumber: "4", Product: canonical.ProductRef{VendorPartNumber: "NW-999"}, QuantityShipped: dec("1"), UOM: "EA"}), Policy{}, ProblemUnknownProduct, "4"},
		{"not on the order", asn("A3", canonical.ShipmentItem{LineNumber: "2", Product: canonical.ProductRef{VendorPartNumber: "NW-503"}, QuantityShipped: dec("1"), UOM: "EA"}), Policy{}, ProblemNotOnOrder, "2"},
		{"unknown PO", func() *canonical.ShipmentNotice {
			n := asn("A4", canonical.ShipmentItem{LineNumber: "1", Product: canonical.ProductRef{VendorPartNumber: "NW-501"}, QuantityShipped: dec("1"), UOM: "EA"})
			n.Orders[0].PONumber = "P09999"
			return n
		}(), Policy{}, ProblemUnknownOrder, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := b.c.PostShipmentNotice(b.ctx, tt.pol, tt.n)
			var de *DocumentError
			if !errors.As(err, &de) || de.Problem != tt.problem || de.Line != tt.line {
				t.Fatalf("err %v", err)
			}
		})
	}
	// Over-shipment accepted by policy, left ready (not validated).
	n := asn("A5", canonical.ShipmentItem{LineNumber: "1", Product: canonical.ProductRef{VendorPartNumber: "NW-501"}, QuantityShipped: dec("55"), UOM: "EA"})
	res, err := b.c.PostShipmentNotice(b.ctx, Policy{Receipt: PickingPolicy{AllowOverShipment: true}}, n)
	if err != nil || res[0].Action != Ready {
		t.Fatalf("%+v %v", res, err)
	}
}

func TestWarehouseShippingAdvice(t *testing.T) {
	t.Parallel()
	for _, v := range versions {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			b := setup(t, v)
			so, err := b.c.PostOrder(b.ctx, Policy{}, order("WSA-1", "SKU-1001", "SKU-1020"))
			if err != nil {
				t.Fatal(err)
			}
			name := b.read1("sale.order", so.ID, "name").String("name")
			a := canonical.New(canonical.KindWarehouseShippingAdvice).(*canonical.WarehouseShippingAdvice)
			a.Meta.PartnerID = "3pl"
			a.DepositorOrderNumber = name
			a.ShipDate = canonical.NewDate(2026, 3, 1)
			a.Tracking = &canonical.Tracking{BillOfLading: "BOL-7"}
			a.Lines = []canonical.AdviceLine{
				{LineNumber: "1", Product: canonical.ProductRef{VendorPartNumber: "SKU-1001"}, QuantityShipped: dec("2"), UOM: "EA"},
				{LineNumber: "2", Product: canonical.ProductRef{VendorPartNumber: "SKU-1020"}, QuantityShipped: dec("3"), UOM: "EA",
					Lots: []canonical.Lot{{Number: "LOT-2026-02"}}},
			}
			res, err := b.c.PostWarehouseShippingAdvice(b.ctx, Policy{Delivery: PickingPolicy{Validate: true, Backorder: ptr(false)}}, a)
			if err != nil {
				t.Fatal(err)
			}
			if res.Action != Validated || res.State != "done" {
				t.Fatalf("%+v", res)
			}
			p := b.read1("stock.picking", res.ID, "backorder_ids", "move_line_ids", "carrier_tracking_ref")
			if len(p.IDs("backorder_ids")) != 0 || p.String("carrier_tracking_ref") != "BOL-7" {
				t.Errorf("delivery %v", p)
			}
			mls, _ := b.c.Read(b.ctx, "stock.move.line", p.IDs("move_line_ids"), []string{"product_id", "lot_id", b.c.Fields().MoveLineDone}, nil)
			var lot string
			for _, ml := range mls {
				if ml.M2OID("product_id") == b.ids.LotProduct {
					_, lot = ml.M2O("lot_id")
				}
			}
			if lot != "LOT-2026-02" {
				t.Errorf("lot %q in %v", lot, mls)
			}
			lines, _ := b.c.Read(b.ctx, "sale.order.line", b.read1("sale.order", so.ID, "order_line").IDs("order_line"), []string{"qty_delivered"}, nil)
			if lines[0].Float("qty_delivered") != 2 || lines[1].Float("qty_delivered") != 3 {
				t.Errorf("delivered %v", lines)
			}
			again, err := b.c.PostWarehouseShippingAdvice(b.ctx, Policy{Delivery: PickingPolicy{Validate: true}}, a)
			if err != nil || again.Action != Existing || again.ID != res.ID {
				t.Fatalf("resend %+v %v", again, err)
			}
		})
	}
}
