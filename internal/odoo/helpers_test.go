package odoo

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/b2bgw/b2bgw/internal/canonical"
	"github.com/b2bgw/b2bgw/internal/odoo/odoosim"
)

var versions = []string{"16.0", "17.0", "18.0", "19.0"}

// bundle is a seeded simulator and a client connected to it.
type bundle struct {
	t   *testing.T
	sim *odoosim.Server
	ids odoosim.DemoIDs
	url string
	c   *Client
	ctx context.Context
}

func setup(t *testing.T, version string, mod ...func(*Config)) *bundle {
	t.Helper()
	sim := odoosim.New(odoosim.Options{Version: version})
	ids := sim.Seed()
	ts := httptest.NewServer(sim)
	t.Cleanup(func() { _ = sim.Close(); ts.Close() })
	b := &bundle{t: t, sim: sim, ids: ids, url: ts.URL, ctx: context.Background()}
	b.c = b.client(mod...)
	return b
}

// client returns another client of the same Odoo: a second gateway
// process, as far as Odoo can tell.
func (b *bundle) client(mod ...func(*Config)) *Client {
	b.t.Helper()
	cfg := Config{URL: b.url, DB: odoosim.DefaultDB, User: "admin", APIKey: Secret(b.sim.AdminAPIKey()),
		BackoffBase: time.Millisecond, BackoffMax: 5 * time.Millisecond, CallTimeout: 5 * time.Second}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		b.t.Fatal(err)
	}
	if err := c.Connect(b.ctx); err != nil {
		b.t.Fatal(err)
	}
	return c
}

// calls returns the simulator's call count since the last reset, and
// resets it.
func (b *bundle) calls() (int, map[string]int) {
	m := b.sim.Calls()
	b.sim.ResetCalls()
	n := 0
	for _, v := range m {
		n += v
	}
	return n, m
}

// count returns how many records of model match dom.
func (b *bundle) count(model string, dom Domain) int {
	b.t.Helper()
	rows, err := b.c.SearchRead(b.ctx, model, dom, []string{"id"}, SearchOpts{})
	if err != nil {
		b.t.Fatal(err)
	}
	return len(rows)
}

func (b *bundle) read1(model string, id int64, fields ...string) Record {
	b.t.Helper()
	rows, err := b.c.Read(b.ctx, model, []int64{id}, fields, nil)
	if err != nil || len(rows) != 1 {
		b.t.Fatalf("read %s(%d): %v %v", model, id, rows, err)
	}
	return rows[0]
}

func dec(s string) canonical.Decimal { return canonical.MustParseDecimal(s) }

// order is an ACME RETAIL order of the demo products (by GTIN for even
// lines, by our code for odd ones, so both match paths run).
func order(po string, lines ...string) *canonical.Order {
	o := canonical.New(canonical.KindOrder).(*canonical.Order)
	o.Meta.PartnerID = "acme"
	o.Purpose = canonical.PurposeOriginal
	o.PONumber = po
	o.RequestedDeliveryDate = canonical.NewDate(2026, 3, 2)
	o.Parties = []canonical.Party{
		{Role: canonical.RoleBuyer, Name: "ACME RETAIL", GLN: odoosim.AcmeGLN},
		{Role: canonical.RoleShipTo, Name: "ACME RETAIL DC EAST", GLN: odoosim.AcmeDeliveryGLN},
	}
	if len(lines) == 0 {
		lines = []string{"SKU-1001", "SKU-1002"}
	}
	for i, code := range lines {
		l := canonical.OrderLine{LineNumber: string(rune('1' + i)), Quantity: dec("3"), UOM: canonical.UOMEach,
			UnitPrice: dec("9.50").Ptr(), Product: canonical.ProductRef{VendorPartNumber: code}}
		o.Lines = append(o.Lines, l)
	}
	return o
}
