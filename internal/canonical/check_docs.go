package canonical

// Message-free versions of ShipmentNotice, WarehouseShippingAdvice and
// InventoryAdvice Validate, as check_order.go has for Order: each is true
// exactly when Validate returns nil. Validate builds a path string for
// every element it visits, which costs more than decoding the document.

func okMeasure(m *Measure) bool {
	return m == nil || (m.Value.Sign() >= 0 && okUOM(m.UOM, true))
}

// okQuantity is the validator's quantity method: absent, or not negative
// (and not zero unless allowZero).
func okQuantity(q *Decimal, allowZero bool) bool {
	return q == nil || q.Sign() > 0 || (allowZero && q.Sign() == 0)
}

func okSSCC(s string) bool { return s == "" || validGS1(s, 18) }

func okLots(ls []Lot, want Decimal) bool {
	for i := range ls {
		l := &ls[i]
		if !okRequired(l.Number) || !okQuantity(l.Quantity, false) || !okDate(l.ExpiryDate) || !okDate(l.ProductionDate) {
			return false
		}
	}
	return okLotTotal(ls, want)
}

// okLotTotal is the validator's lotTotal: lot quantities, when every lot
// has one, add up to want.
func okLotTotal(ls []Lot, want Decimal) bool {
	if len(ls) == 0 {
		return true
	}
	var sum Decimal
	for i := range ls {
		q := ls[i].Quantity
		if q == nil {
			return true
		}
		var err error
		if sum, err = sum.Add(*q); err != nil {
			return false
		}
	}
	return sum.Equal(want)
}

func okStrings(ss []string) bool {
	for _, s := range ss {
		if !okRequired(s) {
			return false
		}
	}
	return true
}

// stringSet finds repeats among strings without allocating for the first
// few: the SSCCs of a notice, usually a handful.
type stringSet struct {
	small [16]string
	n     int
	m     map[string]struct{}
}

// add reports whether s is new, and remembers it.
func (set *stringSet) add(s string) bool {
	if set.m == nil {
		for _, t := range set.small[:set.n] {
			if t == s {
				return false
			}
		}
		if set.n < len(set.small) {
			set.small[set.n] = s
			set.n++
			return true
		}
		set.m = make(map[string]struct{}, 2*len(set.small))
		for _, t := range set.small {
			set.m[t] = struct{}{}
		}
	}
	if _, dup := set.m[s]; dup {
		return false
	}
	set.m[s] = struct{}{}
	return true
}

// okUniqueSSCC is the validator's uniqueSSCC: empty, or a valid SSCC not
// seen before in the notice.
func okUniqueSSCC(s string, seen *stringSet) bool {
	return s == "" || (validGS1(s, 18) && seen.add(s))
}

// shipmentOK is (*ShipmentNotice).Validate() == nil.
func shipmentOK(s *ShipmentNotice) bool {
	if !okMeta(&s.Meta, KindShipmentNotice) || s.Purpose == "" || !s.Purpose.Valid() || !okRequired(s.ShipmentID) ||
		(s.Structure != "" && !s.Structure.Valid()) || s.ShipDate.IsZero() || !okDate(s.EstimatedDelivery) ||
		!okCarrier(s.Carrier) || !okMeasure(s.GrossWeight) {
		return false
	}
	for i := range s.Packaging {
		pc := &s.Packaging[i]
		if pc.Type == "" || !pc.Type.Valid() || pc.Quantity <= 0 {
			return false
		}
	}
	if !okParties(s.Parties) || (len(s.Orders) == 0 && s.Purpose != PurposeCancellation) {
		return false
	}
	var seen stringSet
	for i := range s.Orders {
		o := &s.Orders[i]
		if !okRequired(o.PONumber) || !okDate(o.OrderDate) || !okParties(o.Parties) ||
			(len(o.Packs) == 0 && len(o.Items) == 0 && s.Purpose != PurposeCancellation) ||
			!okPacks(o.Packs, &seen) || !okShipmentItems(o.Items, &seen) {
			return false
		}
	}
	return true
}

func okPacks(ps []Pack, seen *stringSet) bool {
	for i := range ps {
		pk := &ps[i]
		if !okUniqueSSCC(pk.SSCC, seen) || pk.Type == "" || !pk.Type.Valid() || !okMeasure(pk.GrossWeight) ||
			(len(pk.Packs) == 0 && len(pk.Items) == 0) || !okPacks(pk.Packs, seen) || !okShipmentItems(pk.Items, seen) {
			return false
		}
	}
	return true
}

func okShipmentItems(items []ShipmentItem, seen *stringSet) bool {
	for i := range items {
		it := &items[i]
		if !okProduct(&it.Product, true) || it.QuantityShipped.Sign() < 0 || !okUOM(it.UOM, true) ||
			!okQuantity(it.QuantityOrdered, true) || !okLots(it.Lots, it.QuantityShipped) || !okStrings(it.SerialNumbers) {
			return false
		}
		for j := range it.Packs {
			ip := &it.Packs[j]
			if !okUniqueSSCC(ip.SSCC, seen) || ip.Type == "" || !ip.Type.Valid() || !okSSCC(ip.ParentSSCC) ||
				!okQuantity(ip.Quantity, false) {
				return false
			}
		}
	}
	return true
}

// warehouseOK is (*WarehouseShippingAdvice).Validate() == nil.
func warehouseOK(a *WarehouseShippingAdvice) bool {
	if !okMeta(&a.Meta, KindWarehouseShippingAdvice) || (a.Purpose != "" && !a.Purpose.Valid()) ||
		!okRequired(a.DepositorOrderNumber) || a.ShipDate.IsZero() || !okDate(a.ShipDate) ||
		!okCarrier(a.Carrier) || !okParties(a.Parties) || len(a.Lines) == 0 {
		return false
	}
	for i := range a.Lines {
		l := &a.Lines[i]
		if (l.Status != "" && !l.Status.Valid()) || !okProduct(&l.Product, true) || !okQuantity(l.QuantityOrdered, true) ||
			l.QuantityShipped.Sign() < 0 || !okUOM(l.UOM, true) {
			return false
		}
		if l.QuantityOrdered != nil && l.QuantityDifference != nil {
			// As Validate: a difference that cannot be computed is no problem.
			if d, err := l.QuantityOrdered.Sub(l.QuantityShipped); err == nil && !d.Equal(*l.QuantityDifference) {
				return false
			}
		}
		if !okLots(l.Lots, l.QuantityShipped) || !okStrings(l.SerialNumbers) {
			return false
		}
		for _, s := range l.SSCCs {
			if !okSSCC(s) {
				return false
			}
		}
	}
	if t := a.Totals; t != nil {
		if !okQuantity(t.QuantityShipped, true) || !okMeasure(t.Weight) || !okMeasure(t.Volume) {
			return false
		}
	}
	return true
}

// inventoryOK is (*InventoryAdvice).Validate() == nil.
func inventoryOK(a *InventoryAdvice) bool {
	if !okMeta(&a.Meta, KindInventoryAdvice) || a.AsOf.IsZero() || !okParties(a.Parties) || len(a.Items) == 0 {
		return false
	}
	for i := range a.Items {
		it := &a.Items[i]
		if !okProduct(&it.Product, true) || it.QuantityAvailable.Sign() < 0 || !okQuantity(it.QuantityOnOrder, true) ||
			!okUOM(it.UOM, true) || !okDate(it.AvailableDate) {
			return false
		}
	}
	return !hasDupInventoryItems(a.Items)
}

// hasDupInventoryItems is Validate's repeat check: two items with the
// same productKey (not empty) and warehouse. Short advices compare every
// pair without building keys; long ones use a map.
func hasDupInventoryItems(items []InventoryItem) bool {
	if len(items) > 32 {
		type key struct{ product, warehouse string }
		seen := make(map[key]struct{}, len(items))
		for i := range items {
			k := key{productKey(items[i].Product), items[i].Warehouse}
			if _, dup := seen[k]; dup && k.product != "" {
				return true
			}
			seen[k] = struct{}{}
		}
		return false
	}
	for i := range items {
		a := productKeyParts(&items[i].Product)
		if a == ([3]string{}) {
			continue
		}
		for j := range i {
			if items[j].Warehouse == items[i].Warehouse && sameConcat(a, productKeyParts(&items[j].Product)) {
				return true
			}
		}
	}
	return false
}

// productKeyParts is productKey(r) as three strings to be joined.
func productKeyParts(r *ProductRef) [3]string {
	switch {
	case r.GTIN != "":
		return [3]string{"gtin:", r.GTIN}
	case r.VendorPartNumber != "":
		return [3]string{"vp:", r.VendorPartNumber}
	case r.BuyerPartNumber != "":
		return [3]string{"bp:", r.BuyerPartNumber}
	case len(r.IDs) > 0:
		return [3]string{r.IDs[0].Qualifier, ":", r.IDs[0].Value}
	}
	return [3]string{}
}

// sameConcat reports whether a[0]+a[1]+a[2] == b[0]+b[1]+b[2] without
// building either.
func sameConcat(a, b [3]string) bool {
	if len(a[0])+len(a[1])+len(a[2]) != len(b[0])+len(b[1])+len(b[2]) {
		return false
	}
	ai, bi := 0, 0 // part indexes
	as, bs := a[0], b[0]
	for {
		for as == "" && ai < 2 {
			ai++
			as = a[ai]
		}
		for bs == "" && bi < 2 {
			bi++
			bs = b[bi]
		}
		if as == "" || bs == "" {
			return as == bs // both used up: same lengths say so together
		}
		n := min(len(as), len(bs))
		if as[:n] != bs[:n] {
			return false
		}
		as, bs = as[n:], bs[n:]
	}
}
