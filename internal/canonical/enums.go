package canonical

import "slices"

// Canonical code lists. Each is a closed set of snake_case words, never a
// partner's X12 or EDIFACT code: mapping files translate codes into these, so
// the Odoo side never learns what "00" or "220" meant. A value outside the
// list is a Validate problem, not a decode error, so that a bad mapping
// shows up with its JSON path.
//
// Every list type implements enumValues, which the schema generator turns
// into a JSON Schema "enum".

type enumer interface{ enumValues() []string }

func enumStrings[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// DocumentKind names the canonical document type in Meta.Kind.
type DocumentKind string

// Document kinds.
const (
	KindOrder                   DocumentKind = "order"
	KindShipmentNotice          DocumentKind = "shipment_notice"
	KindWarehouseShippingAdvice DocumentKind = "warehouse_shipping_advice"
	KindInventoryAdvice         DocumentKind = "inventory_advice"
	KindCatalogItem             DocumentKind = "catalog_item"
	KindAcknowledgment          DocumentKind = "acknowledgment"
)

var documentKinds = []DocumentKind{KindOrder, KindShipmentNotice, KindWarehouseShippingAdvice,
	KindInventoryAdvice, KindCatalogItem, KindAcknowledgment}

func (DocumentKind) enumValues() []string { return enumStrings(documentKinds) }

// Valid reports whether k is a known kind.
func (k DocumentKind) Valid() bool { return slices.Contains(documentKinds, k) }

// Direction says whether a document came from a partner or goes to one.
type Direction string

// Directions.
const (
	Inbound  Direction = "inbound"
	Outbound Direction = "outbound"
)

var directions = []Direction{Inbound, Outbound}

func (Direction) enumValues() []string { return enumStrings(directions) }

// Valid reports whether d is a known direction.
func (d Direction) Valid() bool { return slices.Contains(directions, d) }

// Standard is the syntax a document was read from or written as.
type Standard string

// Standards.
const (
	StandardX12     Standard = "x12"
	StandardEDIFACT Standard = "edifact"
	StandardCSV     Standard = "csv"
	StandardXML     Standard = "xml"
	StandardJSON    Standard = "json"
)

var standards = []Standard{StandardX12, StandardEDIFACT, StandardCSV, StandardXML, StandardJSON}

func (Standard) enumValues() []string { return enumStrings(standards) }

// Valid reports whether s is a known standard.
func (s Standard) Valid() bool { return slices.Contains(standards, s) }

// Purpose is why a document was sent (X12 353 / EDIFACT 1225 translated).
type Purpose string

// Purposes.
const (
	PurposeOriginal     Purpose = "original"
	PurposeCancellation Purpose = "cancellation"
	PurposeReplace      Purpose = "replace"
	PurposeChange       Purpose = "change"
	PurposeConfirmation Purpose = "confirmation"
	PurposeDuplicate    Purpose = "duplicate"
)

var purposes = []Purpose{PurposeOriginal, PurposeCancellation, PurposeReplace, PurposeChange,
	PurposeConfirmation, PurposeDuplicate}

func (Purpose) enumValues() []string { return enumStrings(purposes) }

// Valid reports whether p is a known purpose.
func (p Purpose) Valid() bool { return slices.Contains(purposes, p) }

// OrderType is the kind of purchase order (X12 92 / EDIFACT 1001).
type OrderType string

// Order types.
const (
	OrderStandalone  OrderType = "standalone"
	OrderBlanket     OrderType = "blanket"
	OrderRelease     OrderType = "release"
	OrderDropShip    OrderType = "drop_ship"
	OrderConsignment OrderType = "consignment"
	OrderRush        OrderType = "rush"
	OrderReorder     OrderType = "reorder"
	OrderSample      OrderType = "sample"
	OrderPromotion   OrderType = "promotion"
)

var orderTypes = []OrderType{OrderStandalone, OrderBlanket, OrderRelease, OrderDropShip,
	OrderConsignment, OrderRush, OrderReorder, OrderSample, OrderPromotion}

func (OrderType) enumValues() []string { return enumStrings(orderTypes) }

// Valid reports whether t is a known order type.
func (t OrderType) Valid() bool { return slices.Contains(orderTypes, t) }

// PartyRole is what a party is to the document (X12 98 / EDIFACT 3035).
type PartyRole string

// Party roles.
const (
	RoleBuyer        PartyRole = "buyer"
	RoleShipTo       PartyRole = "ship_to"
	RoleBillTo       PartyRole = "bill_to"
	RoleVendor       PartyRole = "vendor"
	RoleShipFrom     PartyRole = "ship_from"
	RoleMarkFor      PartyRole = "mark_for"
	RoleRemitTo      PartyRole = "remit_to"
	RoleWarehouse    PartyRole = "warehouse"
	RoleDepositor    PartyRole = "depositor"
	RoleCarrier      PartyRole = "carrier"
	RoleManufacturer PartyRole = "manufacturer"
	RoleUltimate     PartyRole = "ultimate_consignee"
)

var partyRoles = []PartyRole{RoleBuyer, RoleShipTo, RoleBillTo, RoleVendor, RoleShipFrom,
	RoleMarkFor, RoleRemitTo, RoleWarehouse, RoleDepositor, RoleCarrier, RoleManufacturer, RoleUltimate}

func (PartyRole) enumValues() []string { return enumStrings(partyRoles) }

// Valid reports whether r is a known role.
func (r PartyRole) Valid() bool { return slices.Contains(partyRoles, r) }

// PriceBasis says what a unit price is per (X12 639 / EDIFACT 5375/5387).
type PriceBasis string

// Price bases.
const (
	PricePerUnit  PriceBasis = "per_unit"  // per one unit of the line's UOM
	PriceNet      PriceBasis = "net"       // net of allowances
	PriceGross    PriceBasis = "gross"     // before allowances
	PriceCatalog  PriceBasis = "catalog"   // the vendor's catalog/list price
	PriceContract PriceBasis = "contract"  // a negotiated contract price
	PriceQuoted   PriceBasis = "quoted"    // from a quotation
	PricePromo    PriceBasis = "promotion" // a promotional price
)

var priceBases = []PriceBasis{PricePerUnit, PriceNet, PriceGross, PriceCatalog, PriceContract,
	PriceQuoted, PricePromo}

func (PriceBasis) enumValues() []string { return enumStrings(priceBases) }

// Valid reports whether b is a known price basis.
func (b PriceBasis) Valid() bool { return slices.Contains(priceBases, b) }

// TransportMode is how goods travel (X12 TD504 / EDIFACT 8067).
type TransportMode string

// Transport modes.
const (
	ModeMotor   TransportMode = "motor"
	ModeLTL     TransportMode = "ltl"
	ModeParcel  TransportMode = "parcel"
	ModeAir     TransportMode = "air"
	ModeOcean   TransportMode = "ocean"
	ModeRail    TransportMode = "rail"
	ModePickup  TransportMode = "customer_pickup"
	ModePrivate TransportMode = "private_fleet"
)

var transportModes = []TransportMode{ModeMotor, ModeLTL, ModeParcel, ModeAir, ModeOcean, ModeRail,
	ModePickup, ModePrivate}

func (TransportMode) enumValues() []string { return enumStrings(transportModes) }

// Valid reports whether m is a known mode.
func (m TransportMode) Valid() bool { return slices.Contains(transportModes, m) }

// FreightPayment says who pays the freight (X12 FOB01 / EDIFACT 4215).
type FreightPayment string

// Freight payment methods.
const (
	FreightPrepaid    FreightPayment = "prepaid"
	FreightCollect    FreightPayment = "collect"
	FreightThirdParty FreightPayment = "third_party"
	FreightPrepaidAdd FreightPayment = "prepaid_and_add"
)

var freightPayments = []FreightPayment{FreightPrepaid, FreightCollect, FreightThirdParty, FreightPrepaidAdd}

func (FreightPayment) enumValues() []string { return enumStrings(freightPayments) }

// Valid reports whether f is a known payment method.
func (f FreightPayment) Valid() bool { return slices.Contains(freightPayments, f) }

// PackType is the kind of handling unit (X12 TD101/MAN / EDIFACT 7065).
type PackType string

// Pack types.
const (
	PackPallet PackType = "pallet"
	PackCarton PackType = "carton"
	PackCase   PackType = "case"
	PackTote   PackType = "tote"
	PackBag    PackType = "bag"
	PackDrum   PackType = "drum"
	PackOther  PackType = "other"
)

var packTypes = []PackType{PackPallet, PackCarton, PackCase, PackTote, PackBag, PackDrum, PackOther}

func (PackType) enumValues() []string { return enumStrings(packTypes) }

// Valid reports whether p is a known pack type.
func (p PackType) Valid() bool { return slices.Contains(packTypes, p) }

// PackingStructure is how an 856 arranged its hierarchy (X12 BSN05); it is
// informative, the shape of ShipmentOrder says the same.
type PackingStructure string

// Packing structures.
const (
	// PickPack is Shipment/Order/[Tare]/Pack/Item: each carton lists its
	// contents, possibly several SKUs (ShipmentOrder.Packs).
	PickPack PackingStructure = "pick_pack"
	// StandardCartonPack is Shipment/Order/Item/[Tare/Pack]: each item
	// lists the identical cartons it fills (ShipmentOrder.Items[].Packs).
	StandardCartonPack PackingStructure = "standard_carton_pack"
	// Unpacked has no pack level: items straight under the order.
	Unpacked PackingStructure = "unpacked"
)

var packingStructures = []PackingStructure{PickPack, StandardCartonPack, Unpacked}

func (PackingStructure) enumValues() []string { return enumStrings(packingStructures) }

// Valid reports whether s is a known structure.
func (s PackingStructure) Valid() bool { return slices.Contains(packingStructures, s) }

// LineStatus is a shipped line's outcome in a 945 (X12 W12 01).
type LineStatus string

// Line statuses.
const (
	LineComplete   LineStatus = "complete"
	LinePartial    LineStatus = "partial"
	LineNotShipped LineStatus = "not_shipped"
	LineOverShip   LineStatus = "over_shipped"
	LineSubstitute LineStatus = "substituted"
)

var lineStatuses = []LineStatus{LineComplete, LinePartial, LineNotShipped, LineOverShip, LineSubstitute}

func (LineStatus) enumValues() []string { return enumStrings(lineStatuses) }

// Valid reports whether s is a known status.
func (s LineStatus) Valid() bool { return slices.Contains(lineStatuses, s) }

// AckStatus is the verdict of an acknowledgment (X12 AK501/AK901 / IK501 /
// EDIFACT UCI04, UCM03).
type AckStatus string

// Acknowledgment statuses.
const (
	AckAccepted           AckStatus = "accepted"
	AckAcceptedWithErrors AckStatus = "accepted_with_errors"
	AckPartiallyAccepted  AckStatus = "partially_accepted"
	AckRejected           AckStatus = "rejected"
	// AckReceived is EDIFACT's "interchange received" (UCI04 = 8): the
	// partner got it but did not check it.
	AckReceived AckStatus = "received"
)

var ackStatuses = []AckStatus{AckAccepted, AckAcceptedWithErrors, AckPartiallyAccepted, AckRejected, AckReceived}

func (AckStatus) enumValues() []string { return enumStrings(ackStatuses) }

// Valid reports whether s is a known status.
func (s AckStatus) Valid() bool { return slices.Contains(ackStatuses, s) }

// AckType is which acknowledgment message it is.
type AckType string

// Acknowledgment types.
const (
	AckFunctional     AckType = "functional"     // X12 997
	AckImplementation AckType = "implementation" // X12 999
	AckInterchange    AckType = "interchange"    // X12 TA1
	AckContrl         AckType = "contrl"         // EDIFACT CONTRL
)

var ackTypes = []AckType{AckFunctional, AckImplementation, AckInterchange, AckContrl}

func (AckType) enumValues() []string { return enumStrings(ackTypes) }

// Valid reports whether t is a known type.
func (t AckType) Valid() bool { return slices.Contains(ackTypes, t) }
