package odoo

import (
	"errors"
	"testing"

	"github.com/b2bgw/b2bgw/internal/canonical"
	"github.com/b2bgw/b2bgw/internal/odoo/odoosim"
)

func catRow(row int, code, gtin, price string) *canonical.CatalogItem {
	it := canonical.New(canonical.KindCatalogItem).(*canonical.CatalogItem)
	it.Meta.PartnerID = "northwind"
	it.RowNumber = row
	it.Vendor = canonical.Party{Role: canonical.RoleVendor, Name: "NORTHWIND", GLN: odoosim.VendorGLN}
	it.VendorProductCode, it.GTIN, it.UnitPrice = code, gtin, dec(price)
	it.Currency, it.UOM = "EUR", canonical.UOMEach
	return it
}

func TestPostCatalog(t *testing.T) {
	t.Parallel()
	for _, v := range versions {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			b := setup(t, v)
			sku7, _ := canonical.NormalizeGTIN(b.read1("product.product", b.ids.Products["SKU-1007"], "barcode").String("barcode"))
			rows := []*canonical.CatalogItem{
				catRow(1, "NW-501", "", "4.00"),    // existing price, unchanged
				catRow(2, "NW-502", "", "7.25"),    // existing price, new amount
				catRow(3, "NW-507", sku7, "12.00"), // new price, product found by GTIN
				catRow(4, "NW-999", "", "1.00"),    // unknown product
				catRow(5, "NW-503", "", "-1"),      // invalid row
			}
			sum, err := b.c.PostCatalog(b.ctx, Policy{}, rows)
			if err != nil {
				t.Fatal(err)
			}
			if sum.Unchanged != 1 || sum.Updated != 1 || sum.Created != 1 || sum.Failed != 2 {
				t.Fatalf("%s %+v", sum, sum.Errors)
			}
			var de *DocumentError
			if !errors.As(sum.Errors[3], &de) || de.Line != "4" || de.Problem != ProblemUnknownProduct {
				t.Errorf("row 4: %v", sum.Errors[3])
			}
			if !errors.As(sum.Errors[4], &de) || de.Line != "5" || de.Problem != ProblemInvalidDocument {
				t.Errorf("row 5: %v", sum.Errors[4])
			}
			si := b.read1("product.supplierinfo", sum.Results[2].ID, "partner_id", "product_code", "price", "currency_id")
			if si.M2OID("partner_id") != b.ids.Vendor || si.Float("price") != 12 || si.M2OID("currency_id") != odoosim.EURCurrencyID {
				t.Errorf("created %v", si)
			}
			// Posting the same file again changes nothing.
			again, err := b.c.PostCatalog(b.ctx, Policy{}, rows[:3])
			if err != nil || again.Unchanged != 3 {
				t.Fatalf("again %s %v", again, err)
			}
			// With the policy allowing it, the unknown product is created.
			sum, err = b.c.PostCatalog(b.ctx, Policy{CreateProducts: true}, []*canonical.CatalogItem{catRow(1, "NW-999", "", "1.00")})
			if err != nil || sum.Created != 1 {
				t.Fatalf("%s %v %v", sum, err, sum.Errors)
			}
		})
	}
}

func TestATP(t *testing.T) {
	t.Parallel()
	for _, v := range versions {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			b := setup(t, v)
			// Reserve 4 of SKU-1001 with an order: free_qty drops by 4.
			if _, err := b.c.PostOrder(b.ctx, Policy{}, order("ATP-1", "SKU-1001")); err != nil {
				t.Fatal(err)
			}
			pol := Policy{ATP: ATPPolicy{Products: []string{"SKU-1001", "SKU-1004", "SKU-1002", "NOPE"}, Warehouses: []string{"WH"}}}
			adv, err := b.c.ATP(b.ctx, pol, "acme")
			var de *DocumentError
			if !errors.As(err, &de) || de.Problem != ProblemUnknownProduct {
				t.Fatalf("err %v", err)
			}
			if len(adv.Items) != 3 {
				t.Fatalf("items %+v", adv.Items)
			}
			want := map[string]string{"SKU-1001": "97", "SKU-1004": "0", "SKU-1002": "110"}
			for _, it := range adv.Items {
				if it.QuantityAvailable.String() != want[it.Product.VendorPartNumber] || it.Warehouse != "WH" || it.Product.GTIN == "" {
					t.Errorf("%s: %+v", it.Product.VendorPartNumber, it)
				}
			}
			// The SKU-1004 50 on the seeded purchase order are on order.
			if q := adv.Items[1].QuantityOnOrder; q == nil || q.String() != "50" {
				t.Errorf("on order %v", q)
			}
			if err := adv.Validate(); err != nil {
				t.Errorf("advice invalid: %v", err)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		version string
		user    *odoosim.User
		key     string
		fails   []string
		warns   []string
	}{
		{"admin 18", "18.0", nil, "", nil, []string{"modules"}},
		{"admin 16", "16.0", nil, "", nil, []string{"modules"}},
		{"bad key", "17.0", nil, "wrong", []string{"authentication"}, nil},
		{"salesman without stock 19", "19.0", &odoosim.User{Login: "bot", APIKey: "bot-key", Groups: []string{"sales_team.group_sale_salesman_all_leads", "purchase.group_purchase_user"}},
			"bot-key", []string{"rights"}, []string{"modules", "rights"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, tt.version)
			user := "admin"
			if tt.user != nil {
				b.sim.AddUser(*tt.user)
				user = tt.user.Login
			}
			key := Secret(b.sim.AdminAPIKey())
			if tt.key != "" {
				key = Secret(tt.key)
			}
			c, err := New(Config{URL: b.url, DB: odoosim.DefaultDB, User: user, APIKey: key})
			if err != nil {
				t.Fatal(err)
			}
			got := map[Status][]string{}
			for _, v := range c.Check(b.ctx) {
				got[v.Status] = append(got[v.Status], v.Check)
				if v.Status != StatusOK && v.Fix == "" {
					t.Errorf("%s without a fix: %s", v.Check, v.Detail)
				}
			}
			if !sameSet(got[StatusFail], tt.fails) || !sameSet(got[StatusWarn], tt.warns) {
				t.Errorf("fails %v warns %v", got[StatusFail], got[StatusWarn])
			}
		})
	}
}

func sameSet(a, b []string) bool {
	m := map[string]bool{}
	for _, x := range a {
		m[x] = true
	}
	n := map[string]bool{}
	for _, x := range b {
		n[x] = true
	}
	if len(m) != len(n) {
		return false
	}
	for k := range m {
		if !n[k] {
			return false
		}
	}
	return true
}
