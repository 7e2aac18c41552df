package odoosim

import (
	"fmt"
	"maps"
	"slices"
	"testing"
)

// TestIndexedSearchMatchesScan runs domains that the indexes answer (and
// some they must leave to a full scan) both ways: through search, and by
// matching every row; the ids must be the same.
func TestIndexedSearchMatchesScan(t *testing.T) {
	s := New(Options{})
	d := s.Seed()
	c := newClient(t, s)
	for n := range 6 {
		ref := fmt.Sprintf("IDX-%d", n%3) // PO numbers repeat: several rows per key
		so := c.must("sale.order", "create", L(D("partner_id", d.AcmeRetail, "client_order_ref", ref,
			"order_line", L(L(0, 0, D("product_id", d.Products["SKU-1001"], "product_uom_qty", 1)))))).(int64)
		if n%2 == 0 {
			c.must("sale.order", "action_confirm", L(L(so)))
		}
	}
	c.must("sale.order", "create", L(D("partner_id", d.Globex))) // no PO number
	tests := []struct {
		name, model string
		domain      []any
		empty       bool // no row matches
	}{
		{"char =", "sale.order", L(L("client_order_ref", "=", "IDX-1")), false},
		{"char in", "sale.order", L(L("client_order_ref", "in", L("IDX-0", "IDX-2", "nope"))), false},
		{"char in empty", "sale.order", L(L("client_order_ref", "in", L())), true},
		{"char = False", "sale.order", L(L("client_order_ref", "=", false)), false},
		{"char in with False", "sale.order", L(L("client_order_ref", "in", L("IDX-1", false))), false},
		{"char != (scan)", "sale.order", L(L("client_order_ref", "!=", "IDX-1")), false},
		{"and with m2o", "sale.order", L(L("client_order_ref", "=", "IDX-2"), L("partner_id", "=", d.AcmeRetail)), false},
		{"and with child_of", "sale.order", L(L("client_order_ref", "in", L("IDX-0")), L("partner_id", "child_of", d.AcmeRetail)), false},
		{"or both indexed", "sale.order", L("|", L("client_order_ref", "=", "IDX-0"), L("name", "=", "S00002")), false},
		{"or one side scans", "sale.order", L("|", L("client_order_ref", "=", "IDX-0"), L("state", "=", "draft")), false},
		{"not", "sale.order", L("!", L("client_order_ref", "=", "IDX-0")), false},
		{"m2o by id", "sale.order.line", L(L("order_id", "=", 2)), false},
		{"m2o by float id", "sale.order.line", L(L("order_id", "=", 3.0)), false},
		{"m2o by name (scan)", "sale.order.line", L(L("order_id", "=", "S00001")), false},
		{"m2o = False", "res.partner", L(L("parent_id", "=", false)), false},
		{"m2o in", "stock.move", L(L("picking_id", "in", L(1, 2, 99))), false},
		{"dotted path (scan)", "stock.move", L(L("picking_id.origin", "ilike", "IDX")), false},
		{"archived left out", "product.product", L(L("default_code", "in", L("SKU-1001", "SKU-1002"))), false},
		{"barcode", "res.partner", L(L("barcode", "=", AcmeGLN)), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := s.rootEnv()
			m := e.model(tt.model)
			got, err := e.search(m, tt.domain, 0, 0, "")
			if err != nil {
				t.Fatal(err)
			}
			n, err := e.parseDomain(m, tt.domain)
			if err != nil {
				t.Fatal(err)
			}
			var want []int64
			for id := range e.db.tables[m.name].rows {
				if a, ok := e.field(m, "active"); ok && a.typ == tBoolean && !n.mentions("active") {
					if on, _ := e.get(m, id, "active").(bool); !on {
						continue
					}
				}
				if e.match(m, id, n) {
					want = append(want, id)
				}
			}
			e.sortIDs(m, want, m.order)
			if want == nil {
				want = []int64{}
			}
			if len(want) == 0 != tt.empty {
				t.Fatalf("a scan finds %v: the case does not test what it says", want)
			}
			if !slices.Equal(got, want) {
				t.Errorf("search = %v, a scan finds %v", got, want)
			}
		})
	}
}

// TestIndexesFollowRollback checks, after calls that fail half-way (and
// are rolled back) and calls that unlink, that every index holds exactly
// what rebuilding it from the rows gives.
func TestIndexesFollowRollback(t *testing.T) {
	s := New(Options{})
	d := s.Seed()
	c := newClient(t, s)
	line := func(p int64) []any { return L(0, 0, D("product_id", p, "product_uom_qty", 2)) }
	so := c.must("sale.order", "create", L(D("partner_id", d.AcmeRetail, "order_line", L(line(d.Products["SKU-1001"]))))).(int64)
	c.must("sale.order", "action_confirm", L(L(so)))
	// A line on a product that does not exist: the order and its first
	// line are inserted, then the call fails and rolls back.
	c.fails("odoo.exceptions.ValidationError", "sale.order", "create",
		L(D("partner_id", d.AcmeRetail, "order_line", L(line(d.Products["SKU-1002"]), line(99999)))), nil)
	c.must("ir.model.data", "create", L(D("module", "b2bgw", "name", "k1", "model", "sale.order", "res_id", so)))
	c.fails("odoo.exceptions.ValidationError", "ir.model.data", "create", L(D("module", "b2bgw", "name", "k1", "model", "sale.order", "res_id", so)), nil)
	draft := c.must("sale.order", "create", L(D("partner_id", d.AcmeRetail, "order_line", L(line(d.Products["SKU-1003"]))))).(int64)
	c.must("sale.order", "unlink", L(L(draft)))

	for name, tb := range s.db.tables {
		for field, ix := range tb.idx {
			want := index{}
			for id, r := range tb.rows {
				tb.linkValue(want, id, r[field])
			}
			if !maps.EqualFunc(ix, want, func(a, b map[int64]struct{}) bool { return maps.Equal(a, b) }) {
				t.Errorf("%s.%s: index %v, rows give %v", name, field, ix, want)
			}
		}
	}
	if got := len(c.must("sale.order.line", "search", L(L(L("order_id", "=", draft)))).([]any)); got != 0 {
		t.Errorf("the unlinked order still has %d lines", got)
	}
}
