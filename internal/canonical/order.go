package canonical

// Order is a customer's purchase order (X12 850, EDIFACT ORDERS, partner CSV
// or XML orders). On the Odoo side it becomes a sale.order: po_number is
// client_order_ref, the buyer resolves partner_id, ship_to
// partner_shipping_id, bill_to partner_invoice_id, and
// requested_delivery_date commitment_date.
type Order struct {
	Meta      Meta      `json:"meta" doc:"Envelope."`
	Purpose   Purpose   `json:"purpose" doc:"Why the order was sent: original, cancellation, replace, change…"`
	Type      OrderType `json:"type,omitempty" doc:"Kind of order."`
	PONumber  string    `json:"po_number" doc:"Buyer's purchase order number (BEG03 / BGM02); Odoo client_order_ref."`
	Release   string    `json:"release,omitempty" doc:"Release number against a blanket order (BEG04)."`
	Currency  string    `json:"currency,omitempty" doc:"ISO 4217 currency of all prices (CUR02 / CUX)." pattern:"^[A-Z]{3}$"`
	OrderDate Date      `json:"order_date,omitzero" doc:"Date the buyer issued the order (BEG05 / DTM 137)."`

	RequestedDeliveryDate Date `json:"requested_delivery_date,omitzero" doc:"Requested delivery date (DTM 002 / DTM 2); Odoo commitment_date."`
	RequestedShipDate     Date `json:"requested_ship_date,omitzero" doc:"Requested ship date (DTM 010 / DTM 10)."`
	ShipNotBefore         Date `json:"ship_not_before,omitzero" doc:"Earliest ship date (DTM 037 / DTM 64)."`
	CancelAfter           Date `json:"cancel_after,omitzero" doc:"Cancel if not shipped by this date (DTM 001 / DTM 61)."`

	Dates      []QualifiedDate `json:"dates,omitempty" doc:"Every header date as sent, including those above."`
	Parties    []Party         `json:"parties,omitempty" doc:"Buyer, ship-to, bill-to, vendor and other parties."`
	References []Reference     `json:"references,omitempty" doc:"Every header reference as sent, including the typed ones below."`

	Department     string `json:"department,omitempty" doc:"Buyer's department number (REF DP)."`
	VendorNumber   string `json:"vendor_number,omitempty" doc:"Our vendor number at the buyer (REF IA / RFF YC1)."`
	PromotionCode  string `json:"promotion_code,omitempty" doc:"Promotion or deal number (REF PD)."`
	ContractNumber string `json:"contract_number,omitempty" doc:"Contract number (REF CT / RFF CT)."`

	Carrier       *Carrier       `json:"carrier,omitempty" doc:"Requested carrier and routing."`
	ShippingTerms *ShippingTerms `json:"shipping_terms,omitempty" doc:"Freight payment and Incoterms."`
	PaymentTerms  *PaymentTerms  `json:"payment_terms,omitempty" doc:"Terms of sale."`
	Notes         []Note         `json:"notes,omitempty" doc:"Free-text notes."`
	Lines         []OrderLine    `json:"lines,omitempty" schema:"required" doc:"Order lines; at least one."`
	Totals        *OrderTotals   `json:"totals,omitempty" doc:"Control totals as sent (CTT / CNT), for reconciliation."`
}

// OrderLine is one ordered item (X12 PO1 loop, EDIFACT LIN group).
type OrderLine struct {
	LineNumber string     `json:"line_number" doc:"Buyer's line id (PO101 / LIN01), echoed back in ASNs and acknowledgments."`
	Quantity   Decimal    `json:"quantity" doc:"Ordered quantity, in uom; greater than zero."`
	UOM        UOM        `json:"uom" doc:"Unit of the quantity, UN/ECE Rec 20."`
	UnitPrice  *Decimal   `json:"unit_price,omitempty" doc:"Price per unit in the order currency."`
	PriceBasis PriceBasis `json:"price_basis,omitempty" doc:"What the unit price is."`
	Product    ProductRef `json:"product" doc:"Product identification; at least one id."`

	Description string   `json:"description,omitempty" doc:"Item description as sent (PID05 / IMD)."`
	PackSize    *Decimal `json:"pack_size,omitempty" doc:"Units per inner pack or case (PO4 / PAC), when sent."`

	RequestedDeliveryDate Date            `json:"requested_delivery_date,omitzero" doc:"Line-level requested delivery date, overriding the header."`
	RequestedShipDate     Date            `json:"requested_ship_date,omitzero" doc:"Line-level requested ship date, overriding the header."`
	Dates                 []QualifiedDate `json:"dates,omitempty" doc:"Every line date as sent."`
	References            []Reference     `json:"references,omitempty" doc:"Line references as sent."`
	Notes                 []Note          `json:"notes,omitempty" doc:"Line notes."`
}

// OrderTotals are the control totals a partner sent. They are evidence
// for reconciliation, not recomputed: the EDI validator checks them
// against the segments.
type OrderTotals struct {
	LineCount int      `json:"line_count,omitempty" doc:"Number of line items (CTT01 / CNT 2)."`
	HashTotal *Decimal `json:"hash_total,omitempty" doc:"Sum of ordered quantities (CTT02 / CNT 1)."`
	Amount    *Decimal `json:"amount,omitempty" doc:"Total order amount (AMT TT / MOA 86)."`
}

// Party returns the first party with role r, or nil.
func (o *Order) Party(r PartyRole) *Party { return findParty(o.Parties, r) }

func findParty(ps []Party, r PartyRole) *Party {
	for i := range ps {
		if ps[i].Role == r {
			return &ps[i]
		}
	}
	return nil
}

// DocMeta returns the envelope.
func (o *Order) DocMeta() *Meta { return &o.Meta }

// Validate reports every problem that would stop the order being posted.
func (o *Order) Validate() error {
	v := newValidator(KindOrder)
	v.meta("meta", &o.Meta, KindOrder)
	v.enumRequired("purpose", o.Purpose)
	v.enumOptional("type", o.Type)
	v.required("po_number", o.PONumber)
	v.pattern("currency", o.Currency, `^[A-Z]{3}$`)
	v.date("order_date", o.OrderDate)
	v.date("requested_delivery_date", o.RequestedDeliveryDate)
	v.date("requested_ship_date", o.RequestedShipDate)
	v.date("ship_not_before", o.ShipNotBefore)
	v.date("cancel_after", o.CancelAfter)
	if !o.ShipNotBefore.IsZero() && !o.CancelAfter.IsZero() && o.CancelAfter.Before(o.ShipNotBefore) {
		v.add("cancel_after", "is before ship_not_before")
	}
	v.qualifiedDates("dates", o.Dates)
	v.parties("parties", o.Parties)
	// A cancellation may name the order alone; anything else must say what.
	if len(o.Lines) == 0 && o.Purpose != PurposeCancellation {
		v.add("lines", "at least one line is required")
	}
	seen := map[string]int{}
	for i := range o.Lines {
		l := &o.Lines[i]
		p := v.index("lines", i)
		v.required(p+".line_number", l.LineNumber)
		if j, dup := seen[l.LineNumber]; dup && l.LineNumber != "" {
			v.addf(p+".line_number", "duplicates lines[%d].line_number %q", j, l.LineNumber)
		} else {
			seen[l.LineNumber] = i
		}
		if l.Quantity.Sign() <= 0 {
			v.add(p+".quantity", "must be greater than zero")
		}
		v.uom(p+".uom", l.UOM, true)
		if l.UnitPrice != nil && l.UnitPrice.Sign() < 0 {
			v.add(p+".unit_price", "must not be negative")
		}
		v.enumOptional(p+".price_basis", l.PriceBasis)
		v.product(p+".product", l.Product, true)
		if l.PackSize != nil && l.PackSize.Sign() <= 0 {
			v.add(p+".pack_size", "must be greater than zero")
		}
		v.date(p+".requested_delivery_date", l.RequestedDeliveryDate)
		v.date(p+".requested_ship_date", l.RequestedShipDate)
		v.qualifiedDates(p+".dates", l.Dates)
	}
	if o.Totals != nil && o.Totals.LineCount < 0 {
		v.add("totals.line_count", "must not be negative")
	}
	v.carrier("carrier", o.Carrier)
	if t := o.ShippingTerms; t != nil {
		v.enumOptional("shipping_terms.payment", t.Payment)
		v.pattern("shipping_terms.incoterm", t.Incoterm, `^[A-Z]{3}$`)
	}
	if t := o.PaymentTerms; t != nil {
		v.date("payment_terms.discount_due_date", t.DiscountDueDate)
		v.date("payment_terms.net_due_date", t.NetDueDate)
	}
	return v.err()
}
