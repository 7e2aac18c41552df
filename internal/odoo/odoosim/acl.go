package odoosim

import "slices"

// Access rights: a small copy of the ir.model.access rows of base, product,
// stock, sale, purchase and account that decide the gateway's cases. Record
// rules (multi-company, portal "own documents") are not simulated.

type group struct {
	xmlid, category, name string
	implies               []string
}

// groupDefs are the groups the simulator knows, with the category and name
// Odoo shows in AccessError messages ("Category/Name").
var groupDefs = []group{
	{"base.group_user", "User types", "Internal User", nil},
	{"base.group_portal", "User types", "Portal", nil},
	{"base.group_system", "Administration", "Settings", []string{"base.group_erp_manager", "base.group_user"}},
	{"base.group_erp_manager", "Administration", "Access Rights", []string{"base.group_user"}},
	{"base.group_partner_manager", "Extra Rights", "Contact Creation", nil},
	{"product.group_product_manager", "Extra Rights", "Product Creation", nil},
	{"stock.group_stock_user", "Inventory", "User", []string{"base.group_user"}},
	{"stock.group_stock_manager", "Inventory", "Administrator", []string{"stock.group_stock_user"}},
	{"sales_team.group_sale_salesman", "Sales", "User: Own Documents Only", []string{"base.group_user"}},
	{"sales_team.group_sale_salesman_all_leads", "Sales", "User: All Documents", []string{"sales_team.group_sale_salesman"}},
	{"sales_team.group_sale_manager", "Sales", "Administrator", []string{"sales_team.group_sale_salesman_all_leads"}},
	{"purchase.group_purchase_user", "Purchase", "User", []string{"base.group_user"}},
	{"purchase.group_purchase_manager", "Purchase", "Administrator", []string{"purchase.group_purchase_user"}},
	{"account.group_account_invoice", "Invoicing", "Billing", []string{"base.group_user"}},
	{"account.group_account_manager", "Invoicing", "Administrator", []string{"account.group_account_invoice"}},
}

func groupByXMLID(x string) (group, bool) {
	i := slices.IndexFunc(groupDefs, func(g group) bool { return g.xmlid == x })
	if i < 0 {
		return group{}, false
	}
	return groupDefs[i], true
}

func groupFullName(x string) string {
	if g, ok := groupByXMLID(x); ok {
		return g.category + "/" + g.name
	}
	return x
}

// expandGroups adds implied groups, as res.groups.implied_ids does.
func expandGroups(in []string) []string {
	out := slices.Clone(in)
	for i := 0; i < len(out); i++ {
		g, _ := groupByXMLID(out[i])
		for _, im := range g.implies {
			if !slices.Contains(out, im) {
				out = append(out, im)
			}
		}
	}
	return out
}

type aclRule struct {
	group string
	perms string // subset of "rwcd"
}

var (
	aclProduct = []aclRule{
		{"base.group_user", "r"}, {"base.group_portal", "r"},
		{"product.group_product_manager", "rwcd"}, {"stock.group_stock_manager", "rwcd"},
		{"account.group_account_manager", "rwcd"}, {"purchase.group_purchase_manager", "rwcd"},
		{"sales_team.group_sale_manager", "rwcd"},
	}
	aclConfig = []aclRule{{"base.group_user", "r"}, {"base.group_portal", "r"}, {"base.group_system", "rwcd"}}
	aclStock  = []aclRule{{"stock.group_stock_user", "rwcd"}, {"sales_team.group_sale_salesman", "rwc"}, {"purchase.group_purchase_user", "rwc"}}
	aclSale   = []aclRule{{"sales_team.group_sale_salesman", "rwcd"}, {"stock.group_stock_user", "r"}, {"account.group_account_invoice", "rw"}}
	aclPurch  = []aclRule{{"purchase.group_purchase_user", "rwcd"}, {"stock.group_stock_user", "r"}, {"account.group_account_invoice", "rw"}}
	aclUsers  = []aclRule{{"base.group_user", "r"}, {"base.group_portal", "r"}, {"base.group_erp_manager", "rwcd"}}
)

func aclFor(version, model string) []aclRule {
	switch model {
	case "product.product", "product.template", "product.packaging", "product.uom", "product.category":
		return aclProduct
	case "product.supplierinfo":
		return []aclRule{{"base.group_user", "r"}, {"purchase.group_purchase_user", "rwcd"}, {"product.group_product_manager", "rwcd"}}
	case "res.partner":
		return []aclRule{{"base.group_user", "r"}, {"base.group_portal", "r"}, {"base.group_partner_manager", "rwcd"},
			{"sales_team.group_sale_salesman", "rwc"}, {"purchase.group_purchase_user", "rwc"}}
	case "sale.order", "sale.order.line":
		return aclSale
	case "purchase.order", "purchase.order.line":
		return aclPurch
	case "stock.picking", "stock.move", "stock.move.line", "stock.lot":
		return aclStock
	case "stock.quant":
		return []aclRule{{"base.group_user", "r"}, {"stock.group_stock_user", "rwc"}, {"stock.group_stock_manager", "rwcd"}}
	case "stock.warehouse", "stock.location", "stock.picking.type":
		return []aclRule{{"base.group_user", "r"}, {"stock.group_stock_manager", "rwcd"}}
	case "ir.model.data":
		// 18 took ir.model.data away from internal users; older bases let
		// them read and create.
		if version == "16.0" || version == "17.0" {
			return []aclRule{{"base.group_user", "rc"}, {"base.group_erp_manager", "rwcd"}}
		}
		return []aclRule{{"base.group_erp_manager", "rwcd"}}
	case "ir.model", "ir.module.module":
		return []aclRule{{"base.group_user", "r"}, {"base.group_system", "rwcd"}}
	case "res.users", "res.groups":
		return aclUsers
	}
	return aclConfig
}
