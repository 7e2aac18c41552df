package odoo_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/b2bgw/b2bgw/internal/canonical"
	"github.com/b2bgw/b2bgw/internal/odoo"
	"github.com/b2bgw/b2bgw/internal/odoo/odoosim"
)

// Posting an order twice creates it once.
func ExampleClient_PostOrder() {
	sim := odoosim.New(odoosim.Options{Version: "18.0"})
	sim.Seed()
	ts := httptest.NewServer(sim)
	defer ts.Close()

	c, err := odoo.New(odoo.Config{URL: ts.URL, DB: sim.DB(), User: "admin", APIKey: odoo.Secret(sim.AdminAPIKey())})
	if err != nil {
		panic(err)
	}
	o := canonical.New(canonical.KindOrder).(*canonical.Order)
	o.Meta.PartnerID, o.Purpose, o.PONumber = "acme", canonical.PurposeOriginal, "PO-1242"
	o.Parties = []canonical.Party{{Role: canonical.RoleBuyer, GLN: odoosim.AcmeGLN}}
	o.Lines = []canonical.OrderLine{{LineNumber: "1", Quantity: canonical.DecimalFromInt(5), UOM: canonical.UOMEach,
		Product: canonical.ProductRef{VendorPartNumber: "SKU-1001"}}}

	for range 2 {
		res, err := c.PostOrder(context.Background(), odoo.Policy{}, o)
		if err != nil {
			panic(err)
		}
		fmt.Println(res.Action, res.Model, res.State)
	}
	// Output:
	// created sale.order sale
	// existing sale.order sale
}
