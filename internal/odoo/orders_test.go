package odoo

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/b2bgw/b2bgw/internal/canonical"
	"github.com/b2bgw/b2bgw/internal/errclass"
	"github.com/b2bgw/b2bgw/internal/odoo/odoosim"
)

func TestPostOrderAllVersions(t *testing.T) {
	t.Parallel()
	for _, v := range versions {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			b := setup(t, v)
			o := order("PO-100")
			o.Lines[0].Product = canonical.ProductRef{GTIN: "00" + "036000291452"} // UPC-A of SKU-1001, as GTIN-14
			res, err := b.c.PostOrder(b.ctx, Policy{}, o)
			if err != nil {
				t.Fatal(err)
			}
			if res.Action != Created || res.State != "sale" || res.Model != "sale.order" {
				t.Fatalf("result %+v", res)
			}
			so := b.read1("sale.order", res.ID, "partner_id", "partner_shipping_id", "client_order_ref", "commitment_date", "order_line", "state")
			if so.M2OID("partner_id") != b.ids.AcmeRetail || so.M2OID("partner_shipping_id") != b.ids.AcmeDelivery {
				t.Errorf("partners %v %v", so.M2OID("partner_id"), so.M2OID("partner_shipping_id"))
			}
			if so.String("client_order_ref") != "PO-100" || so.String("commitment_date") != "2026-03-02 00:00:00" {
				t.Errorf("ref/date %q %q", so.String("client_order_ref"), so.String("commitment_date"))
			}
			lines, err := b.c.Read(b.ctx, "sale.order.line", so.IDs("order_line"), []string{"product_id", "product_uom_qty", "price_unit", b.c.Fields().SaleLineUoM}, nil)
			if err != nil || len(lines) != 2 {
				t.Fatalf("lines %v %v", lines, err)
			}
			if lines[0].M2OID("product_id") != b.ids.Products["SKU-1001"] || lines[1].M2OID("product_id") != b.ids.Products["SKU-1002"] {
				t.Errorf("products %v %v", lines[0].M2OID("product_id"), lines[1].M2OID("product_id"))
			}
			if lines[0].Float("product_uom_qty") != 3 || lines[0].Float("price_unit") != 9.5 || lines[0].M2OID(b.c.Fields().SaleLineUoM) != odoosim.UnitsUoMID {
				t.Errorf("line %v", lines[0])
			}
			// A resend finds it.
			again, err := b.c.PostOrder(b.ctx, Policy{}, order("PO-100"))
			if err != nil || again.Action != Existing || again.ID != res.ID || again.Name == "" {
				t.Fatalf("resend %+v %v", again, err)
			}
			if n := b.count("sale.order", Domain{Cond("client_order_ref", "=", "PO-100")}); n != 1 {
				t.Errorf("%d orders", n)
			}
		})
	}
}

// TestCallsPerOrder measures Odoo calls per order with the simulator's
// counter: three at steady state, under half a call in bulk.
func TestCallsPerOrder(t *testing.T) {
	t.Parallel()
	for _, v := range versions {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			b := setup(t, v)
			if _, err := b.c.PostOrder(b.ctx, Policy{}, order("WARM-1", "SKU-1001", "SKU-1002", "SKU-1003")); err != nil {
				t.Fatal(err)
			}
			b.calls()
			const n = 20
			for i := range n {
				if _, err := b.c.PostOrder(b.ctx, Policy{}, order(fmt.Sprintf("ST-%d", i), "SKU-1001", "SKU-1002", "SKU-1003")); err != nil {
					t.Fatal(err)
				}
			}
			total, by := b.calls()
			perOrder := float64(total) / n
			t.Logf("%s steady state: %.2f calls/order %v", v, perOrder, by)
			if perOrder > 3 {
				t.Errorf("steady state: %.2f calls per order, want <= 3 (%v)", perOrder, by)
			}
			var batch []*canonical.Order
			for i := range n {
				batch = append(batch, order(fmt.Sprintf("BULK-%d", i), "SKU-1001", "SKU-1002", "SKU-1003"))
			}
			res, errs := b.c.PostOrders(b.ctx, Policy{}, batch)
			for i, err := range errs {
				if err != nil || res[i].Action != Created || res[i].Name == "" || res[i].State != "sale" {
					t.Fatalf("bulk %d: %+v %v", i, res[i], err)
				}
			}
			total, by = b.calls()
			perOrder = float64(total) / n
			t.Logf("%s bulk of %d: %.2f calls/order %v", v, n, perOrder, by)
			if perOrder > 0.5 {
				t.Errorf("bulk: %.2f calls per order, want <= 0.5 (%v)", perOrder, by)
			}
		})
	}
}

func TestConcurrentPostsCreateOneOrder(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"16.0", "18.0", "19.0"} {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			b := setup(t, v)
			// Three gateway processes (own clients: own locks and caches),
			// each with several goroutines, post the same PO at once.
			clients := []*Client{b.c, b.client(), b.client()}
			var wg sync.WaitGroup
			results := make(chan Result, 12)
			errs := make(chan error, 12)
			for i := range 12 {
				wg.Go(func() {
					c := clients[i%len(clients)]
					for attempt := 0; ; attempt++ {
						res, err := c.PostOrder(b.ctx, Policy{}, order("RACE-1"))
						// ProblemInProgress is retryable: the job engine
						// would try again later; so does this test.
						if err != nil && errclass.IsRetryable(err) && attempt < 20 {
							continue
						}
						if err != nil {
							errs <- err
							return
						}
						results <- res
						return
					}
				})
			}
			wg.Wait()
			close(results)
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			created, ids := 0, map[int64]bool{}
			for r := range results {
				ids[r.ID] = true
				if r.Action == Created {
					created++
				}
			}
			if created != 1 || len(ids) != 1 {
				t.Errorf("created %d, distinct ids %v", created, ids)
			}
			if n := b.count("sale.order", Domain{Cond("client_order_ref", "=", "RACE-1")}); n != 1 {
				t.Errorf("%d orders in Odoo", n)
			}
		})
	}
}

func TestFaultsNeverDoubleAnOrder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fault odoosim.Fault
	}{
		{"order create 502 after commit", odoosim.Fault{Model: "sale.order", Method: "create", Kind: odoosim.HTTPStatus, Status: 502, AfterCommit: true, Times: 1}},
		{"order create dropped after commit", odoosim.Fault{Model: "sale.order", Method: "create", Kind: odoosim.DropConnection, AfterCommit: true, Times: 1}},
		{"order create 504 before", odoosim.Fault{Model: "sale.order", Method: "create", Kind: odoosim.HTTPStatus, Status: 504, Times: 2}},
		{"reservation 502 after commit", odoosim.Fault{Model: "ir.model.data", Method: "create", Kind: odoosim.HTTPStatus, AfterCommit: true, Times: 1}},
		{"reservation dropped after commit", odoosim.Fault{Model: "ir.model.data", Method: "create", Kind: odoosim.DropConnection, AfterCommit: true, Times: 1}},
		{"confirm 502 after commit", odoosim.Fault{Model: "sale.order", Method: "action_confirm", Kind: odoosim.HTTPStatus, AfterCommit: true, Times: 1}},
		{"serialization failures", odoosim.Fault{Kind: odoosim.SerializationFailure, Times: 3}},
		{"503 on everything twice", odoosim.Fault{Kind: odoosim.HTTPStatus, Status: 503, Times: 2}},
		{"dropped connections", odoosim.Fault{Kind: odoosim.DropConnection, Probability: 0.3, Times: 4}},
		{"latency", odoosim.Fault{Kind: odoosim.Latency, Delay: 20e6, Times: 5}},
	}
	for _, v := range []string{"17.0", "19.0"} {
		for _, tt := range tests {
			t.Run(v+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				b := setup(t, v)
				b.sim.Inject(tt.fault)
				res, err := b.c.PostOrder(b.ctx, Policy{}, order("FAULT-1"))
				if err != nil {
					t.Fatal(err)
				}
				b.sim.ClearFaults()
				// And a resend after the dust settled.
				again, err := b.c.PostOrder(b.ctx, Policy{}, order("FAULT-1"))
				if err != nil || again.ID != res.ID || again.Action != Existing {
					t.Fatalf("resend %+v %v (first %+v)", again, err, res)
				}
				if n := b.count("sale.order", Domain{Cond("client_order_ref", "=", "FAULT-1")}); n != 1 {
					t.Errorf("%d orders", n)
				}
				if st := b.read1("sale.order", res.ID, "state").String("state"); st != "sale" {
					t.Errorf("state %s", st)
				}
			})
		}
	}
}

func TestRetriesAreBounded(t *testing.T) {
	t.Parallel()
	b := setup(t, "18.0")
	b.sim.Inject(odoosim.Fault{Kind: odoosim.SerializationFailure})
	b.calls()
	_, err := b.c.PostOrder(b.ctx, Policy{}, order("BOUND-1"))
	if !errclass.IsRetryable(err) {
		t.Fatalf("err %v, want retryable", err)
	}
	if n, by := b.calls(); n > b.c.Config().MaxAttempts*3 {
		t.Errorf("%d calls for one failing order: %v", n, by)
	}
	b.sim.ClearFaults()
	if n := b.count("sale.order", Domain{Cond("client_order_ref", "=", "BOUND-1")}); n != 0 {
		t.Errorf("%d orders", n)
	}
}

func TestHangTimesOut(t *testing.T) {
	t.Parallel()
	b := setup(t, "18.0")
	c := b.client(func(cfg *Config) { cfg.CallTimeout = 100e6; cfg.MaxAttempts = 2 })
	b.sim.Inject(odoosim.Fault{Model: "sale.order", Method: "create", Kind: odoosim.Hang, Times: 1})
	res, err := c.PostOrder(b.ctx, Policy{}, order("HANG-1"))
	if err != nil {
		t.Fatal(err)
	}
	if n := b.count("sale.order", Domain{Cond("client_order_ref", "=", "HANG-1")}); n != 1 || res.Action != Created {
		t.Errorf("%d orders, %+v", n, res)
	}
}

func TestOrderPurposes(t *testing.T) {
	t.Parallel()
	for _, v := range versions {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			b := setup(t, v)
			noConfirm := Policy{Confirm: ptr(false)}
			res, err := b.c.PostOrder(b.ctx, noConfirm, order("PUR-1"))
			if err != nil || res.State != "draft" {
				t.Fatalf("%+v %v", res, err)
			}
			// Replacement of a draft rewrites it.
			rep := order("PUR-1", "SKU-1003")
			rep.Purpose = canonical.PurposeReplace
			up, err := b.c.PostOrder(b.ctx, noConfirm, rep)
			if err != nil || up.Action != Updated || up.ID != res.ID {
				t.Fatalf("replace %+v %v", up, err)
			}
			if l := b.read1("sale.order", res.ID, "order_line").IDs("order_line"); len(l) != 1 {
				t.Errorf("lines after replace: %v", l)
			}
			// Confirm it, then a replacement is an exception.
			if err := b.c.confirmOrders(b.ctx, []int64{res.ID}); err != nil {
				t.Fatal(err)
			}
			_, err = b.c.PostOrder(b.ctx, noConfirm, rep)
			var de *DocumentError
			if !errors.As(err, &de) || de.Problem != ProblemNotDraft || errclass.Of(err) != errclass.RejectsSet {
				t.Fatalf("replace confirmed: %v", err)
			}
			// Cancellation cancels while nothing shipped.
			cn := order("PUR-1")
			cn.Purpose, cn.Lines = canonical.PurposeCancellation, nil
			cr, err := b.c.PostOrder(b.ctx, noConfirm, cn)
			if err != nil || cr.Action != Cancelled || b.read1("sale.order", res.ID, "state").String("state") != "cancel" {
				t.Fatalf("cancel %+v %v", cr, err)
			}
			if again, err := b.c.PostOrder(b.ctx, noConfirm, cn); err != nil || again.Action != Existing {
				t.Fatalf("cancel again %+v %v", again, err)
			}
			// Unknown order.
			cn.PONumber = "NOPE"
			if _, err := b.c.PostOrder(b.ctx, noConfirm, cn); !errors.As(err, &de) || de.Problem != ProblemUnknownOrder {
				t.Fatalf("cancel unknown: %v", err)
			}
		})
	}
}

func TestCancelShippedOrderIsAnException(t *testing.T) {
	t.Parallel()
	b := setup(t, "18.0")
	res, err := b.c.PostOrder(b.ctx, Policy{}, order("SHIP-1"))
	if err != nil {
		t.Fatal(err)
	}
	pick := b.read1("sale.order", res.ID, "picking_ids").IDs("picking_ids")[0]
	if _, err := b.c.Exec(b.ctx, "stock.picking", "button_validate", []int64{pick}, nil); err != nil {
		t.Fatal(err)
	}
	cn := order("SHIP-1")
	cn.Purpose, cn.Lines = canonical.PurposeCancellation, nil
	_, err = b.c.PostOrder(b.ctx, Policy{}, cn)
	var de *DocumentError
	if !errors.As(err, &de) || de.Problem != ProblemAlreadyShipped {
		t.Fatalf("err %v", err)
	}
}

func TestOrderMismatches(t *testing.T) {
	t.Parallel()
	b := setup(t, "17.0")
	tests := []struct {
		name    string
		edit    func(o *canonical.Order)
		pol     Policy
		problem Problem
		line    string
	}{
		{"unknown product", func(o *canonical.Order) { o.Lines[1].Product = canonical.ProductRef{VendorPartNumber: "NOPE-9"} }, Policy{}, ProblemUnknownProduct, "2"},
		{"unknown unit", func(o *canonical.Order) { o.Lines[0].UOM = "XPX" }, Policy{}, ProblemUnknownUOM, "1"},
		{"unknown customer", func(o *canonical.Order) { o.Parties[0].GLN = "4000000000006" }, Policy{}, ProblemUnknownPartner, ""},
		{"ship-to not created", func(o *canonical.Order) { o.Parties[1].GLN = "4000000000013" }, Policy{ShipTo: ShipToPolicy{Create: ptr(false)}}, ProblemUnknownShipTo, ""},
		{"customer code via policy", func(o *canonical.Order) { o.Lines[0].Product = canonical.ProductRef{BuyerPartNumber: "ACME-77"} },
			Policy{CustomerCodes: map[string]string{"ACME-77": "SKU-1005"}}, "", ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := order(fmt.Sprintf("MIS-%d", i))
			tt.edit(o)
			_, err := b.c.PostOrder(b.ctx, tt.pol, o)
			if tt.problem == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var de *DocumentError
			if !errors.As(err, &de) || de.Problem != tt.problem || de.Line != tt.line {
				t.Fatalf("err %v", err)
			}
			if errclass.Of(err) != errclass.RejectsSet {
				t.Errorf("class %v", errclass.Of(err))
			}
			if n := b.count("ir.model.data", Domain{Cond("module", "=", XMLIDModule), Cond("name", "=", OrderXMLID("acme", o.PONumber))}); n != 0 {
				t.Errorf("reservation left behind")
			}
		})
	}
}

func TestShipToCreated(t *testing.T) {
	t.Parallel()
	b := setup(t, "19.0")
	o := order("NEWSHIP-1")
	o.Parties[1] = canonical.Party{Role: canonical.RoleShipTo, Name: "ACME STORE 12", GLN: "4000000000013",
		Address: &canonical.Address{Lines: []string{"12 Main St"}, City: "Boston", PostalCode: "02101", Country: "US"}}
	res, err := b.c.PostOrder(b.ctx, Policy{}, o)
	if err != nil {
		t.Fatal(err)
	}
	st := b.read1("sale.order", res.ID, "partner_shipping_id").M2OID("partner_shipping_id")
	p := b.read1("res.partner", st, "parent_id", "type", "barcode", "city", "country_id")
	if p.M2OID("parent_id") != b.ids.AcmeRetail || p.String("type") != "delivery" || p.String("barcode") != "4000000000013" || p.M2OID("country_id") == 0 {
		t.Errorf("ship-to %v", p)
	}
}

func TestNoXMLIDRightsFallsBackToNaturalKey(t *testing.T) {
	t.Parallel()
	b := setup(t, "18.0")
	uid := b.sim.AddUser(odoosim.User{Login: "edi", APIKey: "edi-key", Groups: []string{
		"sales_team.group_sale_salesman_all_leads", "stock.group_stock_user", "purchase.group_purchase_user"}})
	_ = uid
	c := b.client(func(cfg *Config) { cfg.User, cfg.APIKey = "edi", "edi-key" })
	res, err := c.PostOrder(b.ctx, Policy{}, order("NOX-1"))
	if err != nil || res.Action != Created {
		t.Fatalf("%+v %v", res, err)
	}
	again, err := c.PostOrder(b.ctx, Policy{}, order("NOX-1"))
	if err != nil || again.Action != Existing || again.ID != res.ID {
		t.Fatalf("%+v %v", again, err)
	}
	if n := b.count("sale.order", Domain{Cond("client_order_ref", "=", "NOX-1")}); n != 1 {
		t.Errorf("%d orders", n)
	}
}

func TestForeignReservation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		age     time.Duration
		created bool
	}{
		{"young: another process is posting", time.Minute, false},
		{"stale: its owner died, taken over", 2 * ReservationLease, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, "18.0")
			b.sim.SetClock(func() time.Time { return time.Now().Add(-tt.age) })
			if _, err := b.c.Create(b.ctx, "ir.model.data", []map[string]any{{"module": XMLIDModule, "name": OrderXMLID("acme", "LEASE-1"),
				"model": "sale.order", "res_id": -12345, "noupdate": true}}, nil); err != nil {
				t.Fatal(err)
			}
			b.sim.SetClock(time.Now)
			res, err := b.c.PostOrder(b.ctx, Policy{}, order("LEASE-1"))
			if tt.created {
				if err != nil || res.Action != Created {
					t.Fatalf("%+v %v", res, err)
				}
				return
			}
			var de *DocumentError
			if !errors.As(err, &de) || de.Problem != ProblemInProgress || !errclass.IsRetryable(err) {
				t.Fatalf("err %v", err)
			}
		})
	}
}

func TestBarcodeForms(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"036000291452", []string{"036000291452", "0036000291452", "00036000291452"}},
		{"4006381333931", []string{"4006381333931", "04006381333931"}},
		{"00036000291452", []string{"00036000291452", "0036000291452", "036000291452"}},
		{"ABC-1", []string{"ABC-1"}},
	}
	for _, tc := range tests {
		got := barcodeForms(tc.in)
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("barcodeForms(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// TestTestDataIsNotPosted: an interchange marked as test data (ISA15=T)
// must not create real orders unless the partner's policy says this Odoo
// takes test data.
func TestTestDataIsNotPosted(t *testing.T) {
	t.Parallel()
	b := setup(t, "18.0")
	o := order("PO-TEST-1")
	o.Lines[0].Product = canonical.ProductRef{GTIN: "00036000291452"}
	o.Meta.Test = true
	_, err := b.c.PostOrder(b.ctx, Policy{}, o)
	var de *DocumentError
	if !errors.As(err, &de) || de.Problem != ProblemTestDocument {
		t.Fatalf("PostOrder of test data = %v, want a %s error", err, ProblemTestDocument)
	}
	if _, errs := b.c.PostOrders(b.ctx, Policy{}, []*canonical.Order{o}); !errors.As(errs[0], &de) || de.Problem != ProblemTestDocument {
		t.Fatalf("PostOrders of test data = %v, want a %s error", errs[0], ProblemTestDocument)
	}
	if n := b.sim.Calls()["sale.order/create"]; n != 0 {
		t.Fatalf("sale.order/create called %d times for test data", n)
	}
	res, err := b.c.PostOrder(b.ctx, Policy{PostTestDocuments: true}, o)
	if err != nil || res.Action != Created {
		t.Fatalf("with post_test_documents: %+v %v", res, err)
	}
}
