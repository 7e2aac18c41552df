package canonical

// WarehouseShippingAdvice is a third-party warehouse's report that it
// shipped an order for us (X12 945). In Odoo it validates the outgoing
// picking: done quantities, lots and serials per line, tracking numbers,
// and a backorder (or cancel) for what was not shipped.
type WarehouseShippingAdvice struct {
	Meta                 Meta          `json:"meta" doc:"Envelope."`
	Purpose              Purpose       `json:"purpose,omitempty" doc:"original, cancellation… (W06 01 reporting code translated)."`
	DepositorOrderNumber string        `json:"depositor_order_number" doc:"Our order number as given to the warehouse in the 940 (W0602); the Odoo picking or sale order name."`
	CustomerPONumber     string        `json:"customer_po_number,omitempty" doc:"The end customer's purchase order number (W0606)."`
	ShipmentID           string        `json:"shipment_id,omitempty" doc:"Warehouse's shipment id (W0604)."`
	WarehouseCode        string        `json:"warehouse_code,omitempty" doc:"Code of the shipping warehouse, as the 3PL names it."`
	ShipDate             Date          `json:"ship_date,omitzero" schema:"required" doc:"Date shipped (W0603 / G62 11)."`
	ShippedAt            DateTime      `json:"shipped_at,omitzero" doc:"Date and time shipped, when a time was sent."`
	Carrier              *Carrier      `json:"carrier,omitempty" doc:"Carrier and mode (W27)."`
	Tracking             *Tracking     `json:"tracking,omitempty" doc:"Bill of lading, PRO and parcel tracking numbers."`
	Parties              []Party       `json:"parties,omitempty" doc:"Ship-to, warehouse, depositor…"`
	References           []Reference   `json:"references,omitempty" doc:"References as sent (N9)."`
	Lines                []AdviceLine  `json:"lines,omitempty" schema:"required" doc:"Shipped lines; at least one."`
	Totals               *AdviceTotals `json:"totals,omitempty" doc:"Totals as sent (W03)."`
}

// AdviceLine is one order line as the warehouse shipped it (X12 LX/W12).
type AdviceLine struct {
	LineNumber         string     `json:"line_number,omitempty" doc:"Line number of the 940 / order line (LX01 or W12 line reference)."`
	Status             LineStatus `json:"status,omitempty" doc:"Outcome of the line (W1201)."`
	Product            ProductRef `json:"product" doc:"Product identification; at least one id."`
	QuantityOrdered    *Decimal   `json:"quantity_ordered,omitempty" doc:"Quantity ordered (W1202)."`
	QuantityShipped    Decimal    `json:"quantity_shipped" doc:"Quantity shipped (W1203); zero when nothing shipped."`
	QuantityDifference *Decimal   `json:"quantity_difference,omitempty" doc:"Ordered minus shipped as the warehouse stated it (W1204)."`
	UOM                UOM        `json:"uom" doc:"Unit of the quantities (W1205)."`
	Lots               []Lot      `json:"lots,omitempty" doc:"Lots shipped, with expiry dates."`
	SerialNumbers      []string   `json:"serial_numbers,omitempty" doc:"Serial numbers shipped."`
	SSCCs              []string   `json:"ssccs,omitempty" doc:"SSCCs of the cartons the line shipped in."`
}

// AdviceTotals are the 945 totals as sent.
type AdviceTotals struct {
	QuantityShipped *Decimal `json:"quantity_shipped,omitempty" doc:"Total units shipped (W0301)."`
	Weight          *Measure `json:"weight,omitempty" doc:"Total weight (W0302/W0303)."`
	Volume          *Measure `json:"volume,omitempty" doc:"Total volume (W0304/W0305)."`
	Packages        int      `json:"packages,omitempty" doc:"Number of packages or cartons (W0306)."`
}

// DocMeta returns the envelope.
func (a *WarehouseShippingAdvice) DocMeta() *Meta { return &a.Meta }

// Validate reports every problem that would stop the advice being posted.
func (a *WarehouseShippingAdvice) Validate() error {
	v := newValidator(KindWarehouseShippingAdvice)
	v.meta("meta", &a.Meta, KindWarehouseShippingAdvice)
	v.enumOptional("purpose", a.Purpose)
	v.required("depositor_order_number", a.DepositorOrderNumber)
	switch {
	case a.ShipDate.IsZero():
		v.add("ship_date", "is required")
	default:
		v.date("ship_date", a.ShipDate)
	}
	v.carrier("carrier", a.Carrier)
	v.parties("parties", a.Parties)
	if len(a.Lines) == 0 {
		v.add("lines", "at least one line is required")
	}
	for i := range a.Lines {
		l := &a.Lines[i]
		p := v.index("lines", i)
		v.enumOptional(p+".status", l.Status)
		v.product(p+".product", l.Product, true)
		v.quantity(p+".quantity_ordered", l.QuantityOrdered, true)
		if l.QuantityShipped.Sign() < 0 {
			v.add(p+".quantity_shipped", "must not be negative")
		}
		v.uom(p+".uom", l.UOM, true)
		// The stated difference must agree with the quantities: a 3PL whose
		// numbers disagree with themselves needs a human, not a backorder.
		if l.QuantityOrdered != nil && l.QuantityDifference != nil {
			if d, err := l.QuantityOrdered.Sub(l.QuantityShipped); err == nil && !d.Equal(*l.QuantityDifference) {
				v.addf(p+".quantity_difference", "is %s but quantity_ordered - quantity_shipped is %s", l.QuantityDifference, d)
			}
		}
		v.lots(p+".lots", l.Lots)
		v.lotTotal(p+".lots", l.Lots, l.QuantityShipped)
		for j, sn := range l.SerialNumbers {
			v.required(v.index(p+".serial_numbers", j), sn)
		}
		for j, s := range l.SSCCs {
			v.sscc(v.index(p+".ssccs", j), s)
		}
	}
	if t := a.Totals; t != nil {
		v.quantity("totals.quantity_shipped", t.QuantityShipped, true)
		v.measure("totals.weight", t.Weight)
		v.measure("totals.volume", t.Volume)
	}
	return v.err()
}

// Difference returns ordered − shipped for the line: the stated value when
// the warehouse sent one, else computed; ok is false when neither is known.
func (l *AdviceLine) Difference() (d Decimal, ok bool) {
	if l.QuantityDifference != nil {
		return *l.QuantityDifference, true
	}
	if l.QuantityOrdered == nil {
		return Decimal{}, false
	}
	d, err := l.QuantityOrdered.Sub(l.QuantityShipped)
	return d, err == nil
}
