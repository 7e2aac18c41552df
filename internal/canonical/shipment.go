package canonical

// ShipmentNotice is an advance ship notice (X12 856, EDIFACT DESADV): one
// shipment, the orders in it, and per order what was shipped, in which
// packs. In Odoo it fills the done quantities, lots and packages of the
// pickings of each order.
//
// Both 856 shapes fit without losing the packing:
//   - pick/pack (S/O/[T]/P/I): order → packs (pallet → cartons) → items;
//   - standard carton pack (S/O/I/[T/P]): order → items, each listing
//     the identical cartons it fills in items[].packs.
//
// Items with no packing at all sit directly under the order.
type ShipmentNotice struct {
	Meta              Meta             `json:"meta" doc:"Envelope."`
	Purpose           Purpose          `json:"purpose" doc:"original, replace, cancellation…"`
	ShipmentID        string           `json:"shipment_id" doc:"Shipper's shipment / ASN number (BSN02 / BGM02)."`
	Structure         PackingStructure `json:"structure,omitempty" doc:"Hierarchy the partner used (BSN05); informative."`
	NoticeDate        DateTime         `json:"notice_date,omitzero" doc:"When the notice was created (BSN03+BSN04 / DTM 137)."`
	ShipDate          DateTime         `json:"ship_date,omitzero" schema:"required" doc:"When the goods left (DTM 011 / DTM 11)."`
	EstimatedDelivery Date             `json:"estimated_delivery,omitzero" doc:"Expected delivery date (DTM 017 / DTM 17)."`
	Carrier           *Carrier         `json:"carrier,omitempty" doc:"Carrier, mode and routing (TD5 / TDT)."`
	Tracking          *Tracking        `json:"tracking,omitempty" doc:"Bill of lading, PRO and parcel tracking numbers."`
	GrossWeight       *Measure         `json:"gross_weight,omitempty" doc:"Total gross weight (TD106/107 / MEA)."`
	Packaging         []PackageCount   `json:"packaging,omitempty" doc:"Handling-unit counts (TD101/102 / CPS+PAC), e.g. 2 pallets, 40 cartons."`
	Parties           []Party          `json:"parties,omitempty" doc:"Ship-from, ship-to and other parties of the shipment."`
	References        []Reference      `json:"references,omitempty" doc:"Shipment references as sent."`
	Orders            []ShipmentOrder  `json:"orders,omitempty" schema:"required" doc:"The orders shipped; at least one."`
	Totals            *ShipmentTotals  `json:"totals,omitempty" doc:"Control totals as sent (CTT / CNT)."`
}

// PackageCount is how many handling units of one type a shipment has.
type PackageCount struct {
	Type     PackType `json:"type" doc:"Kind of handling unit."`
	Quantity int      `json:"quantity" doc:"How many."`
}

// ShipmentOrder is the part of a shipment that fulfils one order.
type ShipmentOrder struct {
	PONumber          string         `json:"po_number" doc:"Buyer's purchase order number (PRF01 / RFF ON); matches Order.po_number and Odoo client_order_ref."`
	Release           string         `json:"release,omitempty" doc:"Release number (PRF02)."`
	OrderDate         Date           `json:"order_date,omitzero" doc:"PO date (PRF04)."`
	VendorOrderNumber string         `json:"vendor_order_number,omitempty" doc:"Our sales order or invoice number (REF VN / RFF VN); Odoo sale.order name."`
	Parties           []Party        `json:"parties,omitempty" doc:"Order-level parties (mark-for store, buyer)."`
	References        []Reference    `json:"references,omitempty" doc:"Order references as sent."`
	Packs             []Pack         `json:"packs,omitempty" doc:"Pick/pack shape: top-level handling units (pallets, or cartons shipped loose)."`
	Items             []ShipmentItem `json:"items,omitempty" doc:"Items not inside a pack level: unpacked items, and standard-carton-pack items with their packs."`
}

// Pack is a handling unit with its contents: a pallet holding cartons, or a
// carton holding items. Nesting, rather than a parent reference, carries
// the pallet → carton relation because packs without an SSCC could not be
// referred to otherwise.
type Pack struct {
	SSCC           string         `json:"sscc,omitempty" doc:"Serial Shipping Container Code, 18 digits (MAN GM / GIN BJ)." pattern:"^[0-9]{18}$"`
	Type           PackType       `json:"type" doc:"Pallet, carton…"`
	Marks          string         `json:"marks,omitempty" doc:"Other marks and numbers on the unit when it has no SSCC."`
	TrackingNumber string         `json:"tracking_number,omitempty" doc:"Parcel tracking number of this unit (MAN CP)."`
	GrossWeight    *Measure       `json:"gross_weight,omitempty" doc:"Weight of this unit."`
	Packs          []Pack         `json:"packs,omitempty" doc:"Units inside this one (cartons on a pallet)."`
	Items          []ShipmentItem `json:"items,omitempty" doc:"Items directly in this unit."`
}

// ShipmentItem is one product shipped, with its quantity and traceability.
type ShipmentItem struct {
	LineNumber      string     `json:"line_number,omitempty" doc:"The order line it ships (LIN01 / LIN01 echoing PO101)."`
	Product         ProductRef `json:"product" doc:"Product identification; at least one id."`
	Description     string     `json:"description,omitempty" doc:"Item description as sent."`
	QuantityShipped Decimal    `json:"quantity_shipped" doc:"Quantity shipped here, in uom (SN102 / QTY 12)."`
	UOM             UOM        `json:"uom" doc:"Unit of the quantities."`
	QuantityOrdered *Decimal   `json:"quantity_ordered,omitempty" doc:"Quantity originally ordered (SN105), when sent."`
	Lots            []Lot      `json:"lots,omitempty" doc:"Lots or batches, with expiry dates."`
	SerialNumbers   []string   `json:"serial_numbers,omitempty" doc:"Serial numbers of the units shipped."`
	Packs           []ItemPack `json:"packs,omitempty" doc:"Standard carton pack shape: the identical cartons this item fills."`
}

// ItemPack is one carton (or pallet) filled with a single item in the
// standard carton pack shape.
type ItemPack struct {
	SSCC       string   `json:"sscc,omitempty" doc:"SSCC of the unit." pattern:"^[0-9]{18}$"`
	Type       PackType `json:"type" doc:"Carton, pallet…"`
	ParentSSCC string   `json:"parent_sscc,omitempty" doc:"SSCC of the pallet (tare) the unit is on." pattern:"^[0-9]{18}$"`
	Quantity   *Decimal `json:"quantity,omitempty" doc:"Quantity of the item in this unit, in the item's uom."`
}

// ShipmentTotals are control totals as sent.
type ShipmentTotals struct {
	LineCount int      `json:"line_count,omitempty" doc:"Number of HL segments or line items, as the partner counted (CTT01)."`
	HashTotal *Decimal `json:"hash_total,omitempty" doc:"Hash total as sent (CTT02)."`
}

// PackedItem is an item with where it was packed, as AllItems returns it.
type PackedItem struct {
	Item *ShipmentItem
	// Path lists the enclosing packs, outermost first (pallet, carton);
	// empty for items straight under the order.
	Path []*Pack
}

// SSCC returns the SSCC of the innermost enclosing pack that has one.
func (p PackedItem) SSCC() string {
	for i := len(p.Path) - 1; i >= 0; i-- {
		if p.Path[i].SSCC != "" {
			return p.Path[i].SSCC
		}
	}
	return ""
}

// AllItems flattens the order's items in document order, whichever shape
// they came in: the Odoo side wants "how much of each product, which lots"
// and only sometimes which package.
func (o *ShipmentOrder) AllItems() []PackedItem {
	var out []PackedItem
	var walk func(ps []Pack, path []*Pack)
	walk = func(ps []Pack, path []*Pack) {
		for i := range ps {
			p := append(path[:len(path):len(path)], &ps[i])
			for j := range ps[i].Items {
				out = append(out, PackedItem{Item: &ps[i].Items[j], Path: p})
			}
			walk(ps[i].Packs, p)
		}
	}
	walk(o.Packs, nil)
	for i := range o.Items {
		out = append(out, PackedItem{Item: &o.Items[i]})
	}
	return out
}

// Party returns the first shipment-level party with role r, or nil.
func (s *ShipmentNotice) Party(r PartyRole) *Party { return findParty(s.Parties, r) }

// DocMeta returns the envelope.
func (s *ShipmentNotice) DocMeta() *Meta { return &s.Meta }

// Validate reports every problem that would stop the notice being posted.
func (s *ShipmentNotice) Validate() error {
	v := newValidator(KindShipmentNotice)
	v.meta("meta", &s.Meta, KindShipmentNotice)
	v.enumRequired("purpose", s.Purpose)
	v.required("shipment_id", s.ShipmentID)
	v.enumOptional("structure", s.Structure)
	if s.ShipDate.IsZero() {
		v.add("ship_date", "is required")
	}
	v.date("estimated_delivery", s.EstimatedDelivery)
	v.carrier("carrier", s.Carrier)
	v.measure("gross_weight", s.GrossWeight)
	for i, pc := range s.Packaging {
		p := v.index("packaging", i)
		v.enumRequired(p+".type", pc.Type)
		if pc.Quantity <= 0 {
			v.add(p+".quantity", "must be greater than zero")
		}
	}
	v.parties("parties", s.Parties)
	if len(s.Orders) == 0 && s.Purpose != PurposeCancellation {
		v.add("orders", "at least one order is required")
	}
	seen := map[string]string{} // SSCC → first path, across the whole notice
	for i := range s.Orders {
		o := &s.Orders[i]
		p := v.index("orders", i)
		v.required(p+".po_number", o.PONumber)
		v.date(p+".order_date", o.OrderDate)
		v.parties(p+".parties", o.Parties)
		if len(o.Packs) == 0 && len(o.Items) == 0 && s.Purpose != PurposeCancellation {
			v.add(p, "ships nothing: needs packs or items")
		}
		v.packs(p+".packs", o.Packs, seen)
		v.shipmentItems(p+".items", o.Items, seen)
	}
	return v.err()
}

func (v *validator) uniqueSSCC(path, sscc string, seen map[string]string) {
	if sscc == "" {
		return
	}
	v.sscc(path, sscc)
	if first, dup := seen[sscc]; dup {
		v.addf(path, "SSCC %s already used at %s", sscc, first)
		return
	}
	seen[sscc] = path
}

func (v *validator) packs(path string, ps []Pack, seen map[string]string) {
	for i := range ps {
		pk := &ps[i]
		p := v.index(path, i)
		v.uniqueSSCC(p+".sscc", pk.SSCC, seen)
		v.enumRequired(p+".type", pk.Type)
		v.measure(p+".gross_weight", pk.GrossWeight)
		if len(pk.Packs) == 0 && len(pk.Items) == 0 {
			v.add(p, "is empty: needs packs or items")
		}
		v.packs(p+".packs", pk.Packs, seen)
		v.shipmentItems(p+".items", pk.Items, seen)
	}
}

func (v *validator) shipmentItems(path string, items []ShipmentItem, seen map[string]string) {
	for i := range items {
		it := &items[i]
		p := v.index(path, i)
		v.product(p+".product", it.Product, true)
		if it.QuantityShipped.Sign() < 0 {
			v.add(p+".quantity_shipped", "must not be negative")
		}
		v.uom(p+".uom", it.UOM, true)
		v.quantity(p+".quantity_ordered", it.QuantityOrdered, true)
		v.lots(p+".lots", it.Lots)
		v.lotTotal(p+".lots", it.Lots, it.QuantityShipped)
		for j, sn := range it.SerialNumbers {
			v.required(v.index(p+".serial_numbers", j), sn)
		}
		for j, ip := range it.Packs {
			pp := v.index(p+".packs", j)
			v.uniqueSSCC(pp+".sscc", ip.SSCC, seen)
			v.enumRequired(pp+".type", ip.Type)
			v.sscc(pp+".parent_sscc", ip.ParentSSCC)
			v.quantity(pp+".quantity", ip.Quantity, false)
		}
	}
}
