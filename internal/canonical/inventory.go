package canonical

// InventoryAdvice is the available-to-promise feed we send a partner (X12
// 846, EDIFACT INVRPT, CSV): per product and warehouse, what can ship now
// and what is coming. It is built from Odoo free_qty (available) and
// incoming_qty / purchase lines (on order).
type InventoryAdvice struct {
	Meta     Meta            `json:"meta" doc:"Envelope (direction outbound)."`
	AdviceID string          `json:"advice_id,omitempty" doc:"Our reference for this feed (BIA03 / BGM02)."`
	AsOf     DateTime        `json:"as_of" doc:"Instant the quantities were read (BIA04+BIA05 / DTM 366)."`
	Parties  []Party         `json:"parties,omitempty" doc:"Who the advice is for (buyer) and from (vendor)."`
	Items    []InventoryItem `json:"items,omitempty" schema:"required" doc:"One row per product and location; at least one."`
}

// InventoryItem is the stock position of one product at one location.
type InventoryItem struct {
	Product           ProductRef `json:"product" doc:"Product identification; at least one id."`
	Description       string     `json:"description,omitempty" doc:"Product description."`
	Warehouse         string     `json:"warehouse,omitempty" doc:"Warehouse code (Odoo stock.warehouse code) or the partner's location id."`
	QuantityAvailable Decimal    `json:"quantity_available" doc:"Quantity free to promise now (Odoo free_qty), never negative."`
	QuantityOnOrder   *Decimal   `json:"quantity_on_order,omitempty" doc:"Quantity incoming from suppliers (Odoo incoming_qty)."`
	UOM               UOM        `json:"uom" doc:"Unit of the quantities."`
	AvailableDate     Date       `json:"available_date,omitzero" doc:"When quantity_on_order is expected to become available."`
}

// DocMeta returns the envelope.
func (a *InventoryAdvice) DocMeta() *Meta { return &a.Meta }

// Validate reports every problem that would stop the advice being sent.
func (a *InventoryAdvice) Validate() error {
	v := newValidator(KindInventoryAdvice)
	v.meta("meta", &a.Meta, KindInventoryAdvice)
	if a.AsOf.IsZero() {
		v.add("as_of", "is required")
	}
	v.parties("parties", a.Parties)
	if len(a.Items) == 0 {
		v.add("items", "at least one item is required")
	}
	type key struct{ product, warehouse string }
	seen := map[key]int{}
	for i := range a.Items {
		it := &a.Items[i]
		p := v.index("items", i)
		v.product(p+".product", it.Product, true)
		// Odoo's free_qty goes negative when reservations exceed stock;
		// partners read a negative ATP as an error, so the feed must clamp.
		if it.QuantityAvailable.Sign() < 0 {
			v.add(p+".quantity_available", "must not be negative (clamp free_qty at zero)")
		}
		v.quantity(p+".quantity_on_order", it.QuantityOnOrder, true)
		v.uom(p+".uom", it.UOM, true)
		v.date(p+".available_date", it.AvailableDate)
		k := key{productKey(it.Product), it.Warehouse}
		if j, dup := seen[k]; dup && k.product != "" {
			v.addf(p, "repeats items[%d] (same product and warehouse)", j)
		} else {
			seen[k] = i
		}
	}
	return v.err()
}

// productKey is a best-effort identity for duplicate detection: the most
// specific id the reference has.
func productKey(r ProductRef) string {
	switch {
	case r.GTIN != "":
		return "gtin:" + r.GTIN
	case r.VendorPartNumber != "":
		return "vp:" + r.VendorPartNumber
	case r.BuyerPartNumber != "":
		return "bp:" + r.BuyerPartNumber
	case len(r.IDs) > 0:
		return r.IDs[0].Qualifier + ":" + r.IDs[0].Value
	}
	return ""
}
