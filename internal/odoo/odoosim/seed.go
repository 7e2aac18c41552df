package odoosim

import (
	"fmt"
	"slices"
	"strconv"
)

// Base data (what a fresh database with sale, purchase and stock holds, at
// the ids Odoo gives it, so that ids in the captures line up) and the
// demo data of b2bgw.

// Ids of base records every simulator has.
const (
	CompanyID          = 1
	CompanyPartnerID   = 1
	WarehouseID        = 1
	StockLocationID    = 8
	CustomerLocationID = 5
	VendorLocationID   = 4
	ReceiptTypeID      = 1
	DeliveryTypeID     = 2
	UnitsUoMID         = 1
	DozensUoMID        = 2
	KilogramUoMID      = 3
	USDCurrencyID      = 2
	EURCurrencyID      = 1
)

func (d *db) addBusinessMethods() {
	d.stockMethods()
	d.orderMethods()
	users := d.models["res.users"]
	users.methods["has_group"] = &method{multi: d.since("17.0"), params: []param{req("group_ext_id")}, fn: func(c *call) (any, *odooError) {
		uid := c.e.uid
		if len(c.ids) > 0 {
			uid = c.ids[0]
		}
		u := c.e.db.users[uid]
		g := c.strArg("group_ext_id")
		if _, ok := groupByXMLID(g); !ok && !slices.Contains([]string{"base.group_public"}, g) {
			// Odoo looks the xmlid up and fails on unknown ones.
			return nil, valueError(fmt.Sprintf("External ID not found in the system: %s", g), "raise ValueError(")
		}
		return u != nil && u.has(g), nil
	}}
	users.methods["context_get"] = &method{params: nil, fn: func(c *call) (any, *odooError) {
		return newDict("lang", "en_US", "tz", "Europe/Brussels", "uid", c.e.uid), nil
	}}
}

func (s *Server) seedBase() {
	e := s.rootEnv()
	d := s.db
	e.insert("res.currency", row{"id": int64(EURCurrencyID), "name": "EUR", "symbol": "€", "active": true})
	e.insert("res.currency", row{"id": int64(USDCurrencyID), "name": "USD", "symbol": "$", "active": true})
	us := e.insert("res.country", row{"id": int64(233), "name": "United States", "code": "US"})
	de := e.insert("res.country", row{"id": int64(57), "name": "Germany", "code": "DE"})
	e.insert("res.country", row{"id": int64(20), "name": "Belgium", "code": "BE"})
	for _, st := range [][3]any{{us, "New York", "NY"}, {us, "California", "CA"}, {us, "Texas", "TX"}, {de, "Bayern", "BY"}} {
		e.insert("res.country.state", row{"country_id": st[0], "name": st[1], "code": st[2]})
	}
	e.insert("res.partner", row{"id": int64(CompanyPartnerID), "name": "YourCompany", "is_company": true, "company_id": int64(1),
		"street": "250 Executive Park Blvd, Suite 3400", "city": "San Francisco", "zip": "94134", "country_id": us, "email": "info@yourcompany.com"})
	e.insert("res.company", row{"id": int64(CompanyID), "name": "YourCompany", "partner_id": int64(CompanyPartnerID), "currency_id": int64(USDCurrencyID)})
	for i, g := range groupDefs {
		e.insert("res.groups", row{"id": int64(i + 1), "name": g.name, "xmlid_internal": g.xmlid})
	}
	var all []string
	for _, g := range groupDefs {
		if g.xmlid != "base.group_portal" {
			all = append(all, g.xmlid)
		}
	}
	// uid 1 (__system__, OdooBot) exists in every database but cannot log in.
	e.insert("res.partner", row{"id": int64(2), "name": "OdooBot", "company_id": int64(1), "active": false})
	e.insert("res.users", row{"id": int64(1), "login": "__system__", "partner_id": int64(2), "company_id": int64(1), "active": false})
	s.db.users[1] = &user{id: 1, login: "__system__", groups: expandGroups(all)}
	e.db.tables["res.partner"].next = 3
	s.addUser(AdminUID, User{Login: "admin", Password: s.opts.AdminPassword, APIKey: s.opts.AdminAPIKey, Name: "Mitchell Admin", Groups: all})
	s.addUser(PortalUID, User{Login: PortalLogin, Password: PortalPassword, Name: "Joel Willis", Groups: []string{"base.group_portal"}})

	if !d.since("19.0") {
		e.insert("uom.category", row{"id": int64(1), "name": "Unit"})
		e.insert("uom.category", row{"id": int64(2), "name": "Weight"})
		e.insert("uom.uom", row{"id": int64(UnitsUoMID), "name": "Units", "category_id": int64(1), "uom_type": "reference", "factor": 1.0, "rounding": 0.01, "active": true})
		e.insert("uom.uom", row{"id": int64(DozensUoMID), "name": "Dozens", "category_id": int64(1), "uom_type": "bigger", "factor": 1.0 / 12, "rounding": 0.01, "active": true})
		e.insert("uom.uom", row{"id": int64(KilogramUoMID), "name": "kg", "category_id": int64(2), "uom_type": "reference", "factor": 1.0, "rounding": 0.01, "active": true})
	} else {
		e.insert("uom.uom", row{"id": int64(UnitsUoMID), "name": "Units", "relative_factor": 1.0, "factor": 1.0, "rounding": 0.01, "active": true})
		e.insert("uom.uom", row{"id": int64(DozensUoMID), "name": "Dozens", "relative_factor": 12.0, "relative_uom_id": int64(UnitsUoMID), "factor": 1.0 / 12, "rounding": 0.01, "active": true})
		e.insert("uom.uom", row{"id": int64(KilogramUoMID), "name": "kg", "relative_factor": 1.0, "factor": 1.0, "rounding": 0.01, "active": true})
	}
	e.insert("product.category", row{"id": int64(1), "name": "All"})
	e.insert("product.pricelist", row{"id": int64(1), "name": "Default", "currency_id": int64(USDCurrencyID), "active": true})

	locs := []row{
		{"id": int64(1), "name": "Physical Locations", "usage": "view"},
		{"id": int64(2), "name": "Partners", "usage": "view"},
		{"id": int64(3), "name": "Virtual Locations", "usage": "view"},
		{"id": int64(VendorLocationID), "name": "Vendors", "usage": "supplier", "location_id": int64(2)},
		{"id": int64(CustomerLocationID), "name": "Customers", "usage": "customer", "location_id": int64(2)},
		{"id": int64(6), "name": "Inventory adjustment", "usage": "inventory", "location_id": int64(3)},
		{"id": int64(7), "name": "WH", "usage": "view", "location_id": int64(1), "company_id": int64(1)},
		{"id": int64(StockLocationID), "name": "Stock", "usage": "internal", "location_id": int64(7), "company_id": int64(1)},
	}
	for _, l := range locs {
		l["active"] = true
		e.insert("stock.location", l)
	}
	e.insert("stock.warehouse", row{"id": int64(WarehouseID), "name": "YourCompany", "code": "WH", "company_id": int64(1), "partner_id": int64(1),
		"view_location_id": int64(7), "lot_stock_id": int64(StockLocationID), "in_type_id": int64(ReceiptTypeID), "out_type_id": int64(DeliveryTypeID)})
	e.insert("stock.picking.type", row{"id": int64(ReceiptTypeID), "name": "Receipts", "code": "incoming", "warehouse_id": int64(1), "sequence_code": "IN",
		"default_location_src_id": int64(VendorLocationID), "default_location_dest_id": int64(StockLocationID), "sequence": int64(1)})
	e.insert("stock.picking.type", row{"id": int64(DeliveryTypeID), "name": "Delivery Orders", "code": "outgoing", "warehouse_id": int64(1), "sequence_code": "OUT",
		"default_location_src_id": int64(StockLocationID), "default_location_dest_id": int64(CustomerLocationID), "sequence": int64(5)})

	// Installed modules, for `b2bgw odoo check`.
	mods := [][3]string{{"base", "Base", "installed"}, {"web", "Web", "installed"}, {"uom", "Units of measure", "installed"},
		{"product", "Products & Pricelists", "installed"}, {"account", "Invoicing", "installed"}, {"stock", "Inventory", "installed"},
		{"sale", "Sales", "installed"}, {"sale_management", "Sales", "installed"}, {"sale_stock", "Sales and Warehouse Management", "installed"},
		{"purchase", "Purchase", "installed"}, {"purchase_stock", "Purchase Stock", "installed"}, {"mrp", "Manufacturing", "uninstalled"},
		{"account_edi_ubl_cii", "Import/Export electronic invoices with UBL/CII", "uninstalled"}}
	if d.since("17.0") {
		mods = append(mods, [3]string{"stock_delivery", "Delivery Costs", "uninstalled"})
	} else {
		mods = append(mods, [3]string{"delivery", "Delivery Costs", "uninstalled"})
	}
	if d.since("19.0") {
		mods = append(mods, [3]string{"rpc", "RPC endpoints", "installed"})
	}
	for _, m := range mods {
		r := row{"name": m[0], "shortdesc": m[1], "state": m[2]}
		if m[2] == "installed" {
			r["latest_version"] = d.version + ".1.0"
		}
		e.insert("ir.module.module", r)
	}
	names := make([]string, 0, len(d.models))
	for n := range d.models {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		e.insert("ir.model", row{"model": n, "name": d.models[n].description, "state": "base"})
	}
	for i, g := range groupDefs {
		mod, name, _ := cutDot(g.xmlid)
		e.insert("ir.model.data", row{"module": mod, "name": name, "model": "res.groups", "res_id": int64(i + 1), "noupdate": false})
	}
	for _, x := range [][3]any{{"base.main_company", "res.company", int64(1)}, {"base.user_admin", "res.users", int64(AdminUID)},
		{"stock.warehouse0", "stock.warehouse", int64(1)}, {"stock.stock_location_stock", "stock.location", int64(StockLocationID)},
		{"stock.stock_location_customers", "stock.location", int64(CustomerLocationID)}, {"stock.stock_location_suppliers", "stock.location", int64(VendorLocationID)},
		{"uom.product_uom_unit", "uom.uom", int64(UnitsUoMID)}, {"base.USD", "res.currency", int64(USDCurrencyID)}, {"base.EUR", "res.currency", int64(EURCurrencyID)}} {
		mod, name, _ := cutDot(x[0].(string))
		e.insert("ir.model.data", row{"module": mod, "name": name, "model": x[1], "res_id": x[2], "noupdate": true})
	}
}

func cutDot(s string) (string, string, bool) {
	for i := range len(s) {
		if s[i] == '.' {
			return s[:i], s[i+1:], true
		}
	}
	return "", s, false
}

// DemoIDs are the ids of the records Seed creates.
type DemoIDs struct {
	AcmeRetail, AcmeDelivery, AcmeInvoice int64
	Globex                                int64
	Vendor                                int64
	// Products by default_code (SKU-1001 … SKU-1020).
	Products map[string]int64
	// LotProduct is tracked by lots (SKU-1020).
	LotProduct    int64
	PurchaseOrder int64
	Receipt       int64
}

// Demo GLNs and codes.
const (
	AcmeGLN         = "5412345000013"
	AcmeDeliveryGLN = "5412345000020"
	GlobexGLN       = "0614141000005"
	VendorGLN       = "4012345000009"
)

// gtinCheck appends the GS1 check digit to a code of 11 (UPC-A) or 12
// (EAN-13) digits.
func gtinCheck(body string) string {
	sum := 0
	for i := range len(body) {
		dgt := int(body[len(body)-1-i] - '0')
		if i%2 == 0 {
			dgt *= 3
		}
		sum += dgt
	}
	return body + strconv.Itoa((10-sum%10)%10)
}

// Seed adds b2bgw's demo data: customers with refs and GLNs (ACME RETAIL
// with a delivery and an invoice address, GLOBEX STORES), a vendor, twenty
// products with barcodes and stock in WH/Stock, vendor prices, and a
// confirmed purchase order whose receipt awaits validation. Ids are the
// same on every run.
func (s *Server) Seed() DemoIDs {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.rootEnv()
	e.uid = AdminUID
	must := func(id int64, err *odooError) int64 {
		if err != nil {
			panic("odoosim: seed: " + err.Error())
		}
		return id
	}
	rp := e.model("res.partner")
	ids := DemoIDs{Products: map[string]int64{}}
	ids.AcmeRetail = must(e.create(rp, newDict("name", "ACME RETAIL", "is_company", true, "ref", "ACMERETAIL", "barcode", AcmeGLN,
		"street", "1 Commerce Way", "city", "New York", "zip", "10001", "country_id", int64(233), "email", "edi@acme-retail.example", "customer_rank", int64(1))))
	ids.AcmeDelivery = must(e.create(rp, newDict("name", "ACME RETAIL DC EAST", "parent_id", ids.AcmeRetail, "type", "delivery", "barcode", AcmeDeliveryGLN,
		"street", "500 Distribution Rd", "city", "Newark", "zip", "07102", "country_id", int64(233))))
	ids.AcmeInvoice = must(e.create(rp, newDict("name", "ACME RETAIL Accounts Payable", "parent_id", ids.AcmeRetail, "type", "invoice",
		"street", "1 Commerce Way", "city", "New York", "zip", "10001", "country_id", int64(233))))
	ids.Globex = must(e.create(rp, newDict("name", "GLOBEX STORES", "is_company", true, "ref", "GLOBEX", "barcode", GlobexGLN,
		"street", "42 Market St", "city", "Springfield", "zip", "62701", "country_id", int64(233), "customer_rank", int64(1))))
	ids.Vendor = must(e.create(rp, newDict("name", "NORTHWIND SUPPLY", "is_company", true, "ref", "NORTHWIND", "barcode", VendorGLN,
		"street", "Industriestr. 7", "city", "Köln", "zip", "50667", "country_id", int64(57), "supplier_rank", int64(1))))

	names := []string{"Widget Small", "Widget Medium", "Widget Large", "Gadget Basic", "Gadget Pro", "Sprocket 10mm", "Sprocket 20mm",
		"Bolt M6 (box of 100)", "Bolt M8 (box of 100)", "Washer Set", "Cable 1m", "Cable 3m", "Adapter USB-C", "Charger 65W",
		"Desk Lamp", "Office Chair", "Storage Box", "Label Roll", "Packing Tape", "Battery Pack (lot tracked)"}
	pt := e.model("product.template")
	for i, name := range names {
		code := fmt.Sprintf("SKU-%d", 1001+i)
		var barcode string
		if i%2 == 0 {
			barcode = gtinCheck(fmt.Sprintf("03600029%03d", 145+i)) // UPC-A
		} else {
			barcode = gtinCheck(fmt.Sprintf("400638133%03d", 390+i)) // EAN-13
		}
		vals := newDict("name", name, "default_code", code, "barcode", barcode, "list_price", float64(10+5*i), "standard_price", float64(4+2*i),
			"sale_ok", true, "purchase_ok", true)
		switch {
		case s.db.since("18.0"):
			vals.Set("is_storable", true)
		default:
			vals.Set("type", "product")
			vals.Set("detailed_type", "product")
		}
		if i == len(names)-1 {
			vals.Set("tracking", "lot")
		}
		tid := must(e.create(pt, vals))
		pid := templateVariants(e, tid)[0]
		ids.Products[code] = pid
		if i == len(names)-1 {
			ids.LotProduct = pid
		}
		// Stock: most products have some, two have none (out-of-stock
		// cases), and the lot-tracked one has two lots.
		switch {
		case i == 3 || i == 9:
		case i == len(names)-1:
			for j, q := range []float64{30, 20} {
				lot := must(e.create(e.model("stock.lot"), newDict("name", fmt.Sprintf("LOT-2026-%02d", j+1), "product_id", pid)))
				e.insert("stock.quant", row{"product_id": pid, "location_id": int64(StockLocationID), "lot_id": lot, "quantity": q, "company_id": int64(1), "in_date": e.now()})
			}
		default:
			e.insert("stock.quant", row{"product_id": pid, "location_id": int64(StockLocationID), "quantity": float64(100 + 10*i), "company_id": int64(1), "in_date": e.now()})
		}
		if i < 6 {
			must(e.create(e.model("product.supplierinfo"), newDict("partner_id", ids.Vendor, "product_tmpl_id", tid, "product_id", pid,
				"product_code", fmt.Sprintf("NW-%d", 501+i), "min_qty", 1.0, "price", float64(4+2*i), "currency_id", int64(EURCurrencyID), "delay", int64(7))))
		}
	}
	uomLine := "product_uom"
	if s.db.since("19.0") {
		uomLine = "product_uom_id"
	}
	po := e.model("purchase.order")
	var lines []any
	for _, code := range []string{"SKU-1001", "SKU-1002", "SKU-1004"} {
		lines = append(lines, []any{int64(0), int64(0), newDict("product_id", ids.Products[code], "product_qty", 50.0, uomLine, int64(UnitsUoMID), "price_unit", 5.0)})
	}
	ids.PurchaseOrder = must(e.create(po, newDict("partner_id", ids.Vendor, "partner_ref", "NW-SO-7781", "order_line", lines)))
	c := &call{e: e, m: po, ids: []int64{ids.PurchaseOrder}}
	if _, err := po.methods["button_confirm"].fn(c); err != nil {
		panic("odoosim: seed: " + err.Error())
	}
	ids.Receipt = e.getIDs(po, ids.PurchaseOrder, "picking_ids")[0]
	return ids
}
