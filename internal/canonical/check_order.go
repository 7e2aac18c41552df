package canonical

import "strings"

// Message-free versions of the Validate rules: each is true exactly when
// the matching validator method adds no problem. check_test.go holds them
// to Validate over golden and mutated documents.

func okRequired(s string) bool { return strings.TrimSpace(s) != "" }

func okDate(d Date) bool {
	if d.IsZero() {
		return true
	}
	return d.Year >= 1 && d.Year <= 9999 && d.Month >= 1 && d.Month <= 12 && d.Day >= 1 && d.Day <= daysIn(int(d.Month), d.Year)
}

// okChars reports whether s is min..max bytes, each in one of the ranges
// (pairs lo, hi): the patterns ^[A-Z]{3}$ and the like.
func okChars(s string, min, max int, ranges string) bool {
	if len(s) < min || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		in := false
		for r := 0; r+1 < len(ranges); r += 2 {
			if c >= ranges[r] && c <= ranges[r+1] {
				in = true
				break
			}
		}
		if !in {
			return false
		}
	}
	return true
}

// okPattern: the validator's pattern method; empty passes.
func okUpper(s string, min, max int) bool { return s == "" || okChars(s, min, max, "AZ") }

func okMeta(m *Meta, want DocumentKind) bool {
	if m.Kind != want || !strings.HasPrefix(m.SchemaVersion, SchemaMajor+".") {
		return false
	}
	if m.Direction != "" && !m.Direction.Valid() {
		return false
	}
	if !okRequired(m.PartnerID) {
		return false
	}
	if s := m.Source; s != nil {
		if s.Standard == "" || !s.Standard.Valid() {
			return false
		}
		if s.File != nil && (!okRequired(s.File.Name) || (s.File.SHA256 != "" && !okChars(s.File.SHA256, 64, 64, "09af"))) {
			return false
		}
		if s.Interchange != nil && !okRequired(s.Interchange.ControlNumber) {
			return false
		}
		if s.Group != nil && !okRequired(s.Group.ControlNumber) {
			return false
		}
		if s.Set != nil && (!okRequired(s.Set.ID) || !okRequired(s.Set.ControlNumber)) {
			return false
		}
	}
	return true
}

func okQualifiedDates(ds []QualifiedDate) bool {
	for i := range ds {
		d := &ds[i]
		if !okRequired(d.Qualifier) || (d.Date.IsZero() && d.DateTime.IsZero()) || !okDate(d.Date) {
			return false
		}
	}
	return true
}

func okIDs(ids []Identifier) bool {
	for i := range ids {
		if !okRequired(ids[i].Value) {
			return false
		}
	}
	return true
}

func okParties(ps []Party) bool {
	for i := range ps {
		pt := &ps[i]
		if pt.Role == "" || !pt.Role.Valid() {
			return false
		}
		if pt.Name == "" && pt.GLN == "" && pt.DUNS == "" && len(pt.IDs) == 0 {
			return false
		}
		if pt.GLN != "" && !ValidGLN(pt.GLN) {
			return false
		}
		if pt.DUNS != "" && !((len(pt.DUNS) == 9 || len(pt.DUNS) == 13) && okChars(pt.DUNS, 9, 13, "09")) {
			return false
		}
		if !okIDs(pt.IDs) {
			return false
		}
		if pt.Address != nil && pt.Address.Country != "" && !okChars(pt.Address.Country, 2, 2, "AZ") {
			return false
		}
	}
	return true
}

func okProduct(r *ProductRef, need bool) bool {
	if need && r.empty() {
		return false
	}
	if r.GTIN != "" && !validGS1(r.GTIN, 14) {
		return false
	}
	return okIDs(r.IDs)
}

func okCarrier(c *Carrier) bool {
	if c == nil {
		return true
	}
	return okUpper(c.SCAC, 2, 4) && (c.Mode == "" || c.Mode.Valid())
}

func okUOM(u UOM, required bool) bool {
	if u == "" {
		return !required
	}
	return u.Valid()
}

// orderOK is (*Order).Validate() == nil.
func orderOK(o *Order) bool {
	if !okMeta(&o.Meta, KindOrder) {
		return false
	}
	if o.Purpose == "" || !o.Purpose.Valid() || (o.Type != "" && !o.Type.Valid()) || !okRequired(o.PONumber) {
		return false
	}
	if !okUpper(o.Currency, 3, 3) {
		return false
	}
	if !okDate(o.OrderDate) || !okDate(o.RequestedDeliveryDate) || !okDate(o.RequestedShipDate) || !okDate(o.ShipNotBefore) || !okDate(o.CancelAfter) {
		return false
	}
	if !o.ShipNotBefore.IsZero() && !o.CancelAfter.IsZero() && o.CancelAfter.Before(o.ShipNotBefore) {
		return false
	}
	if !okQualifiedDates(o.Dates) || !okParties(o.Parties) {
		return false
	}
	if len(o.Lines) == 0 && o.Purpose != PurposeCancellation {
		return false
	}
	for i := range o.Lines {
		l := &o.Lines[i]
		if !okRequired(l.LineNumber) {
			return false
		}
		if l.LineNumber != "" {
			if len(o.Lines) <= 64 {
				for j := range i {
					if o.Lines[j].LineNumber == l.LineNumber {
						return false
					}
				}
			}
		}
		if l.Quantity.Sign() <= 0 || !okUOM(l.UOM, true) {
			return false
		}
		if l.UnitPrice != nil && l.UnitPrice.Sign() < 0 {
			return false
		}
		if l.PriceBasis != "" && !l.PriceBasis.Valid() {
			return false
		}
		if !okProduct(&l.Product, true) {
			return false
		}
		if l.PackSize != nil && l.PackSize.Sign() <= 0 {
			return false
		}
		if !okDate(l.RequestedDeliveryDate) || !okDate(l.RequestedShipDate) || !okQualifiedDates(l.Dates) {
			return false
		}
	}
	if len(o.Lines) > 64 && hasDupLineNumbers(o.Lines) {
		return false
	}
	if o.Totals != nil && o.Totals.LineCount < 0 {
		return false
	}
	if !okCarrier(o.Carrier) {
		return false
	}
	if t := o.ShippingTerms; t != nil {
		if (t.Payment != "" && !t.Payment.Valid()) || !okUpper(t.Incoterm, 3, 3) {
			return false
		}
	}
	if t := o.PaymentTerms; t != nil {
		if !okDate(t.DiscountDueDate) || !okDate(t.NetDueDate) {
			return false
		}
	}
	return true
}

func hasDupLineNumbers(ls []OrderLine) bool {
	seen := make(map[string]struct{}, len(ls))
	for i := range ls {
		n := ls[i].LineNumber
		if n == "" {
			continue
		}
		if _, dup := seen[n]; dup {
			return true
		}
		seen[n] = struct{}{}
	}
	return false
}
