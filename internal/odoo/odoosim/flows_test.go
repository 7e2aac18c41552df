package odoosim

import (
	"strings"
	"testing"
)

// flow bundles a seeded simulator of one version with its field names.
type flow struct {
	*client
	d       DemoIDs
	version string
	uomLine string
}

func newFlow(t *testing.T, version string) *flow {
	s := New(Options{Version: version})
	f := &flow{client: newClient(t, s), d: s.Seed(), version: version, uomLine: "product_uom"}
	if version == "19.0" {
		f.uomLine = "product_uom_id"
	}
	return f
}

// order creates and confirms a sale order for ACME RETAIL; it returns the
// order and its delivery.
func (f *flow) order(ref string, lines map[string]float64) (int64, int64) {
	f.t.Helper()
	var ol []any
	for _, code := range []string{"SKU-1001", "SKU-1002", "SKU-1003", "SKU-1004", "SKU-1020"} {
		if q, ok := lines[code]; ok {
			ol = append(ol, L(0, 0, D("product_id", f.d.Products[code], "product_uom_qty", q)))
		}
	}
	so := f.must("sale.order", "create", L(D("partner_id", f.d.AcmeRetail, "client_order_ref", ref, "order_line", ol))).(int64)
	if r := f.must("sale.order", "action_confirm", L(L(so))); r != true {
		f.t.Fatalf("action_confirm = %v", r)
	}
	picks := ids(f.get("sale.order", so, "picking_ids"))
	if len(picks) != 1 {
		f.t.Fatalf("pickings %v", picks)
	}
	return so, picks[0]
}

// setDone records done quantities the version's way.
func (f *flow) setDone(move int64, qty float64) {
	f.t.Helper()
	if f.version == "16.0" {
		f.must("stock.move", "write", L(L(move), D("quantity_done", qty)))
		return
	}
	f.must("stock.move", "write", L(L(move), D("quantity", qty, "picked", true)))
}

func (f *flow) free(code string) float64 {
	f.t.Helper()
	key := "warehouse_id"
	if f.version == "16.0" || f.version == "17.0" {
		key = "warehouse"
	}
	rows := f.must("product.product", "read", L(L(f.d.Products[code]), L("free_qty")), D("context", D(key, WarehouseID))).([]any)
	v, _ := rows[0].(*pyDict).Get("free_qty")
	return v.(float64)
}

func TestSaleDeliveryFull(t *testing.T) {
	t.Parallel()
	for _, v := range versions {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			f := newFlow(t, v)
			before := f.free("SKU-1001")
			so, pick := f.order("PO-1", map[string]float64{"SKU-1001": 4, "SKU-1002": 2})
			p := f.read1("stock.picking", pick, "name", "origin", "state", "partner_id", "picking_type_code", "location_id", "location_dest_id", "move_ids")
			want := "{'id': 2, 'name': 'WH/OUT/00001', 'origin': 'S00001 - PO-1', 'state': 'assigned', 'partner_id': [6, 'ACME RETAIL, ACME RETAIL DC EAST'], " +
				"'picking_type_code': 'outgoing', 'location_id': [8, 'WH/Stock'], 'location_dest_id': [5, 'Partners/Customers'], 'move_ids': [4, 5]}"
			if pyRepr(p) != want {
				t.Errorf("delivery:\n got %s\nwant %s", pyRepr(p), want)
			}
			if got := f.free("SKU-1001"); got != before-4 {
				t.Errorf("reservation: free_qty %v, want %v", got, before-4)
			}
			if v == "16.0" {
				// 16 asks for an immediate transfer when nothing is done.
				wiz := f.must("stock.picking", "button_validate", L(L(pick))).(*pyDict)
				if m, _ := wiz.Get("res_model"); m != "stock.immediate.transfer" {
					t.Fatalf("wizard %s", pyRepr(wiz))
				}
				if r := f.must("stock.picking", "button_validate", L(L(pick)), D("context", D("skip_immediate", true))); r != true {
					t.Fatalf("validate = %s", pyRepr(r))
				}
			} else if r := f.must("stock.picking", "button_validate", L(L(pick))); r != true {
				// 17+: the reserved quantities are validated as they are.
				t.Fatalf("validate = %s", pyRepr(r))
			}
			if st := f.get("stock.picking", pick, "state"); st != "done" {
				t.Errorf("state %v", st)
			}
			lines := ids(f.get("sale.order", so, "order_line"))
			if q := f.get("sale.order.line", lines[0], "qty_delivered"); q != 4.0 {
				t.Errorf("qty_delivered %v", q)
			}
			rows := f.must("product.product", "read", L(L(f.d.Products["SKU-1001"]), L("qty_available"))).([]any)
			if q, _ := rows[0].(*pyDict).Get("qty_available"); q != before-4 {
				t.Errorf("qty_available %v, want %v", q, before-4)
			}
			// Errors of the gateway's cases.
			if msg := f.fails(clsUserError, "sale.order", "action_confirm", L(L(so)), nil); msg != "Some orders are not in a state requiring confirmation." {
				t.Errorf("re-confirm: %q", msg)
			}
			if msg := f.fails(clsUserError, "sale.order", "unlink", L(L(so)), nil); !strings.HasPrefix(msg, "You can not delete a sent quotation or a confirmed sales order.") {
				t.Errorf("unlink: %q", msg)
			}
		})
	}
}

func TestSaleDeliveryPartial(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		ctx           func(pick int64) *pyDict
		wantWizard    bool
		wantBackorder bool
	}{
		{"wizard without context", func(int64) *pyDict { return D() }, true, false},
		{"skip_backorder makes a backorder", func(int64) *pyDict { return D("skip_backorder", true) }, false, true},
		{"picking_ids_not_to_backorder cancels the rest", func(p int64) *pyDict {
			return D("skip_backorder", true, "picking_ids_not_to_backorder", L(p))
		}, false, false},
	}
	for _, v := range versions {
		for _, tt := range tests {
			t.Run(v+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				f := newFlow(t, v)
				_, pick := f.order("PO-P", map[string]float64{"SKU-1001": 10, "SKU-1002": 5})
				moves := ids(f.get("stock.picking", pick, "move_ids"))
				f.setDone(moves[0], 6)
				f.setDone(moves[1], 5)
				res := f.must("stock.picking", "button_validate", L(L(pick)), D("context", tt.ctx(pick)))
				if wiz, ok := res.(*pyDict); ok != tt.wantWizard {
					t.Fatalf("button_validate = %s", pyRepr(res))
				} else if ok {
					if m, _ := wiz.Get("res_model"); m != "stock.backorder.confirmation" {
						t.Errorf("wizard %s", pyRepr(wiz))
					}
					if st := f.get("stock.picking", pick, "state"); st != "assigned" {
						t.Errorf("a wizard must not validate: state %v", st)
					}
					return
				}
				if st := f.get("stock.picking", pick, "state"); st != "done" {
					t.Errorf("state %v", st)
				}
				if q := f.get("stock.move", moves[0], "product_uom_qty"); q != 6.0 {
					t.Errorf("done move demand %v, want 6", q)
				}
				bos := f.must("stock.picking", "search_read", L(L(L("backorder_id", "=", pick))), D("fields", L("name", "state", "origin", "move_ids"))).([]any)
				if (len(bos) == 1) != tt.wantBackorder {
					t.Fatalf("backorders %s", pyRepr(bos))
				}
				if tt.wantBackorder {
					bo := bos[0].(*pyDict)
					if n, _ := bo.Get("name"); n != "WH/OUT/00002" {
						t.Errorf("backorder name %v", n)
					}
					bm := ids(bo.vals["move_ids"])
					if len(bm) != 1 || f.get("stock.move", bm[0], "product_uom_qty") != 4.0 {
						t.Errorf("backorder moves %v", bm)
					}
					return
				}
				cancelled := f.must("stock.move", "search_count", L(L(L("picking_id", "=", pick), L("state", "=", "cancel"))))
				if cancelled != int64(1) {
					t.Errorf("cancelled rest moves = %v, want 1", cancelled)
				}
			})
		}
	}
}

func TestValidateNothingReserved(t *testing.T) {
	t.Parallel()
	want := map[string]string{
		"16.0": "You cannot validate a transfer if no quantities are reserved nor done. To force the transfer, switch in edit mode and encode the done quantities.",
		"17.0": "You cannot validate a transfer if no quantities are reserved. To force the transfer, encode quantities.",
		"18.0": "You cannot validate a transfer if no quantities are reserved. To force the transfer, encode quantities.",
		"19.0": "Transfer trouble alert! Validating a zero quantity transfer?",
	}
	for _, v := range versions {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			f := newFlow(t, v)
			// SKU-1004 has no stock: the delivery waits.
			_, pick := f.order("PO-Z", map[string]float64{"SKU-1004": 3})
			if st := f.get("stock.picking", pick, "state"); st != "confirmed" {
				t.Errorf("state %v, want confirmed", st)
			}
			if msg := f.fails(clsUserError, "stock.picking", "button_validate", L(L(pick)), nil); !strings.HasPrefix(msg, want[v]) {
				t.Errorf("message %q", msg)
			}
		})
	}
}

func TestReceiptAndLots(t *testing.T) {
	t.Parallel()
	for _, v := range versions {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			f := newFlow(t, v)
			rc := f.read1("stock.picking", f.d.Receipt, "name", "state", "origin", "picking_type_code", "purchase_id")
			if pyRepr(rc) != "{'id': 1, 'name': 'WH/IN/00001', 'state': 'assigned', 'origin': 'P00001', 'picking_type_code': 'incoming', 'purchase_id': [1, 'P00001']}" {
				t.Errorf("receipt %s", pyRepr(rc))
			}
			before := f.free("SKU-1001")
			ctx := D()
			if v == "16.0" {
				ctx = D("skip_immediate", true)
			}
			if r := f.must("stock.picking", "button_validate", L(L(f.d.Receipt)), D("context", ctx)); r != true {
				t.Fatalf("validate = %s", pyRepr(r))
			}
			if got := f.free("SKU-1001"); got != before+50 {
				t.Errorf("free_qty after receipt %v, want %v", got, before+50)
			}
			line := ids(f.get("purchase.order", f.d.PurchaseOrder, "order_line"))[0]
			if q := f.get("purchase.order.line", line, "qty_received"); q != 50.0 {
				t.Errorf("qty_received %v", q)
			}

			// A lot-tracked product: reservation picks lots; a receipt
			// needs a lot name.
			_, pick := f.order("PO-L", map[string]float64{"SKU-1020": 35})
			mls := f.must("stock.move.line", "search_read", L(L(L("picking_id", "=", pick))), D("fields", L("lot_id"))).([]any)
			if len(mls) != 2 {
				t.Fatalf("move lines %s", pyRepr(mls))
			}
			if r := f.must("stock.picking", "button_validate", L(L(pick)), D("context", D("skip_backorder", true, "skip_immediate", true))); r != true {
				t.Fatalf("validate lots = %s", pyRepr(r))
			}
			po := f.must("purchase.order", "create", L(D("partner_id", f.d.Vendor, "order_line", L(L(0, 0, D("product_id", f.d.LotProduct, "product_qty", 5.0)))))).(int64)
			f.must("purchase.order", "button_confirm", L(L(po)))
			rec := ids(f.get("purchase.order", po, "picking_ids"))[0]
			move := ids(f.get("stock.picking", rec, "move_ids"))[0]
			f.setDone(move, 5)
			msg := f.fails(clsUserError, "stock.picking", "button_validate", L(L(rec)), D("context", D("skip_immediate", true)))
			if msg != "You need to supply a Lot/Serial number for product:\n- [SKU-1020] Battery Pack (lot tracked)" {
				t.Errorf("lot message %q", msg)
			}
			ml := ids(f.get("stock.move", move, "move_line_ids"))[0]
			f.must("stock.move.line", "write", L(L(ml), D("lot_name", "LOT-NEW")))
			f.must("stock.picking", "button_validate", L(L(rec)))
			lots := f.must("stock.lot", "search_read", L(L(L("name", "=", "LOT-NEW"))), D("fields", L("product_qty"))).([]any)
			if len(lots) != 1 || lots[0].(*pyDict).vals["product_qty"] != 5.0 {
				t.Errorf("lot %s", pyRepr(lots))
			}
		})
	}
}

func TestOrderStateActions(t *testing.T) {
	t.Parallel()
	for _, v := range versions {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			f := newFlow(t, v)
			so, pick := f.order("PO-C", map[string]float64{"SKU-1003": 1})
			// action_unlock returns None: no "result" key over JSON-RPC.
			if r, err := f.call("sale.order", "action_unlock", L(L(so)), nil); err != nil || r != nil {
				t.Errorf("action_unlock = %v, %v", r, err)
			}
			f.must("sale.order", "action_cancel", L(L(so)))
			if st := f.get("stock.picking", pick, "state"); st != "cancel" {
				t.Errorf("delivery state after cancel %v", st)
			}
			f.must("sale.order", "unlink", L(L(so)))
			if rows := f.must("sale.order", "read", L(L(so))).([]any); len(rows) != 0 {
				t.Errorf("order not deleted")
			}
		})
	}
}

func TestManualPickingAndInventory(t *testing.T) {
	t.Parallel()
	for _, v := range versions {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			f := newFlow(t, v)
			p := f.d.Products["SKU-1004"] // no stock
			// A counted quantity applied as Odoo's inventory mode does.
			if _, err := f.call("stock.quant", "create", L(D("product_id", p, "location_id", StockLocationID, "quantity", 5.0)), nil); err == nil ||
				err.Message != "Quant's creation is restricted, you can't do this operation." {
				t.Errorf("quant create with quantity: %v", err)
			}
			q := f.must("stock.quant", "create", L(D("product_id", p, "location_id", StockLocationID, "inventory_quantity", 12.0))).(int64)
			if r, err := f.call("stock.quant", "action_apply_inventory", L(L(q)), nil); err != nil || r != nil {
				t.Errorf("action_apply_inventory = %v, %v", r, err)
			}
			if got := f.free("SKU-1004"); got != 12 {
				t.Errorf("free_qty after inventory %v", got)
			}
			// A transfer built by hand: draft, confirmed and reserved by
			// action_confirm, then cancelled.
			pick := f.must("stock.picking", "create", L(D("picking_type_id", DeliveryTypeID, "partner_id", f.d.Globex, "origin", "MANUAL",
				"move_ids", L(L(0, 0, D("product_id", p, "product_uom_qty", 4.0)))))).(int64)
			rd := f.read1("stock.picking", pick, "name", "state", "location_id")
			if pyRepr(rd) != "{'id': 2, 'name': 'WH/OUT/00001', 'state': 'draft', 'location_id': [8, 'WH/Stock']}" {
				t.Errorf("new transfer %s", pyRepr(rd))
			}
			f.must("stock.picking", "action_confirm", L(L(pick)))
			if st := f.get("stock.picking", pick, "state"); st != "assigned" {
				t.Errorf("after action_confirm: %v", st)
			}
			if got := f.free("SKU-1004"); got != 8 {
				t.Errorf("free_qty with 4 reserved: %v", got)
			}
			f.must("stock.picking", "action_cancel", L(L(pick)))
			if st := f.get("stock.picking", pick, "state"); st != "cancel" {
				t.Errorf("after action_cancel: %v", st)
			}
			if got := f.free("SKU-1004"); got != 12 {
				t.Errorf("cancel must release the reservation: %v", got)
			}
			f.fails(clsMissing, "stock.picking", "action_assign", L(L(999)), nil)
		})
	}
}
