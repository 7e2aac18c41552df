package odoosim

import (
	"fmt"
	"testing"
)

// BenchmarkOrderCalls is the simulator's cost per call of the gateway's
// order flow (reserve the external id, find by PO, create, confirm with
// its delivery, read) with 100, 1,000 and 10,000 orders already in the
// database. With indexes the cost stays flat as orders grow; without
// them one2many reads, reservations and searches scanned every row.
// (Stock runs out after about 50 orders, so every size confirms without
// reserving and the sizes compare like with like.)
func BenchmarkOrderCalls(b *testing.B) {
	for _, existing := range []int{100, 1_000, 10_000} {
		b.Run(fmt.Sprintf("orders=%d", existing), func(b *testing.B) {
			s := New(Options{})
			d := s.Seed()
			c := newClient(b, s)
			skus := []int64{d.Products["SKU-1001"], d.Products["SKU-1002"], d.Products["SKU-1003"]}
			order := func(n int) {
				ref := fmt.Sprintf("PO-%07d", n)
				c.must("ir.model.data", "create", L(D("module", "b2bgw", "name", "so_"+ref, "model", "sale.order", "res_id", int64(-n-1), "noupdate", true)))
				c.must("sale.order", "search_read", L(L(L("client_order_ref", "in", L(ref)), L("partner_id", "child_of", d.AcmeRetail))),
					D("fields", L("name", "state")))
				var lines []any
				for i, p := range skus {
					lines = append(lines, L(0, 0, D("product_id", p, "product_uom_qty", 1+(n+i)%3, "price_unit", 9.99)))
				}
				so := c.must("sale.order", "create", L(D("partner_id", d.AcmeRetail, "client_order_ref", ref, "order_line", lines))).(int64)
				c.must("sale.order", "action_confirm", L(L(so)))
				c.must("sale.order", "read", L(L(so)), D("fields", L("name", "state", "picking_ids")))
			}
			for n := range existing {
				order(n)
			}
			b.ResetTimer()
			for i := range b.N {
				order(existing + i)
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(5*b.N), "µs/call")
		})
	}
}
