package canonical

import "strings"

// Message-free versions of the Validate rules: each is true exactly when
// the matching validator method adds no problem. check_test.go holds them
// to Validate over golden and mutated documents.

// okRequired is required's test: s is not blank. A first byte that is
// ASCII and not a space settles it without trimming, inlined where it is
// called (it is, for most fields of every document).
func okRequired(s string) bool {
	return (s != "" && s[0] > ' ' && s[0] < 0x80) || notBlank(s)
}

// notBlank is okRequired's slow way, kept out of line so that
// okRequired stays small enough to inline.
//
//go:noinline
func notBlank(s string) bool { return strings.TrimSpace(s) != "" }

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

// lowerHex64 is okChars(s, 64, 64, "09af"), the sha256 pattern, eight
// bytes at a time (every document's meta carries one).
func lowerHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < 64; i += 8 {
		w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		if !lowerHexWord(w) {
			return false
		}
	}
	return true
}

// lowerHexWord reports whether each of the eight bytes of w is 0-9 or
// a-f. For bytes below 0x80, (w|highs) - lo keeps a byte's high bit when
// it is at least lo, and w + (0x7f-hi) sets it when it is above hi,
// neither borrowing nor carrying between bytes.
func lowerHexWord(w uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	in := func(lo, hi uint64) uint64 { return ((w | highs) - lo*ones) &^ (w + (0x7f-hi)*ones) }
	return w&highs == 0 && (in('0', '9')|in('a', 'f'))&highs == highs
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
		if s.File != nil && (!okRequired(s.File.Name) || (s.File.SHA256 != "" && !lowerHex64(s.File.SHA256))) {
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
	if hasDupLineNumbers(o.Lines) {
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

// hasDupLineNumbers reports whether two lines share a non-empty line
// number. Line numbers usually count up (1, 2, 3…), which proves them
// distinct in one pass; otherwise short orders compare every pair and long
// ones use a map.
func hasDupLineNumbers(ls []OrderLine) bool {
	prev := uint64(0)
	for i := range ls {
		n, ok := lineCount(ls[i].LineNumber)
		if !ok || n <= prev {
			break
		}
		if prev = n; i == len(ls)-1 {
			return false
		}
	}
	if len(ls) <= 64 {
		for i := range ls {
			n := ls[i].LineNumber
			if n == "" {
				continue
			}
			for j := range i {
				if ls[j].LineNumber == n {
					return true
				}
			}
		}
		return false
	}
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

// lineCount reads a line number that is a positive decimal without
// leading zeros (so that different strings are different numbers) and at
// most 18 digits.
func lineCount(s string) (uint64, bool) {
	if s == "" || len(s) > 18 || s[0] == '0' {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	return n, true
}
