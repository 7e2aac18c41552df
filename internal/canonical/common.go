package canonical

// Building blocks shared by several documents. Field tags: json names the
// wire field (snake_case, omitempty/omitzero where absence means "not
// sent"); doc is the description the JSON Schema carries; pattern is a
// JSON Schema regular expression; schema:"required" marks a field the
// schema requires even though Go omits it when empty (Validate enforces it).

// SchemaVersion is the canonical schema version written into Meta and the
// JSON Schema. The major number changes only with incompatible changes.
const SchemaVersion = "1.0"

// SchemaMajor is the part of SchemaVersion a reader must match.
const SchemaMajor = "1"

// Meta is the envelope every canonical document carries.
type Meta struct {
	Kind           DocumentKind `json:"kind" doc:"Which canonical document this is."`
	SchemaVersion  string       `json:"schema_version" doc:"Canonical schema version, major.minor; readers accept the same major." pattern:"^1\\.[0-9]+$"`
	Direction      Direction    `json:"direction,omitempty" doc:"inbound = received from the partner, outbound = sent to it."`
	PartnerID      string       `json:"partner_id" doc:"The gateway's partner profile id (not an EDI id): the key for idempotency and routing."`
	DocumentNumber string       `json:"document_number,omitempty" doc:"The business number of the document (PO, ASN or advice number), used with partner_id as the idempotency key."`
	Test           bool         `json:"test,omitempty" doc:"True when the partner marked the interchange as test data (ISA15=T, UNB11=1)."`
	Source         *Source      `json:"source,omitempty" doc:"Where the document was read from or written to."`
}

// Source traces a document back to the bytes it came from, so anyone
// looking at an Odoo record can find the file, interchange and set.
type Source struct {
	Standard    Standard        `json:"standard" doc:"Syntax of the source."`
	File        *FileRef        `json:"file,omitempty" doc:"The archived file."`
	Interchange *InterchangeRef `json:"interchange,omitempty" doc:"ISA/IEA or UNB/UNZ envelope."`
	Group       *GroupRef       `json:"group,omitempty" doc:"GS/GE or UNG/UNE functional group."`
	Set         *SetRef         `json:"set,omitempty" doc:"ST/SE transaction set or UNH/UNT message."`
	Record      int             `json:"record,omitempty" doc:"1-based row (CSV) or record (XML) number within the file, when the document is one of many."`
}

// FileRef identifies an archived file.
type FileRef struct {
	Name   string `json:"name" doc:"File name as picked up from the mailbox."`
	SHA256 string `json:"sha256" doc:"Hex SHA-256 of the file bytes; the archive and ledger key." pattern:"^[0-9a-f]{64}$"`
	Size   int64  `json:"size,omitempty" doc:"File size in bytes."`
}

// InterchangeRef identifies an interchange envelope.
type InterchangeRef struct {
	SenderQualifier   string `json:"sender_qualifier,omitempty" doc:"ISA05 or UNB02.2."`
	SenderID          string `json:"sender_id" doc:"ISA06 or UNB02.1, trimmed."`
	ReceiverQualifier string `json:"receiver_qualifier,omitempty" doc:"ISA07 or UNB03.2."`
	ReceiverID        string `json:"receiver_id" doc:"ISA08 or UNB03.1, trimmed."`
	ControlNumber     string `json:"control_number" doc:"ISA13 or UNB05, as sent (leading zeros kept)."`
	Date              string `json:"date,omitempty" doc:"Interchange date and time as sent (ISA09+ISA10 or UNB04)."`
}

// GroupRef identifies a functional group.
type GroupRef struct {
	FunctionalID  string `json:"functional_id,omitempty" doc:"GS01 (PO, SH, AR, IB…) or UNG01."`
	SenderCode    string `json:"sender_code,omitempty" doc:"GS02 application sender code."`
	ReceiverCode  string `json:"receiver_code,omitempty" doc:"GS03 application receiver code."`
	ControlNumber string `json:"control_number" doc:"GS06 or UNG05."`
	Version       string `json:"version,omitempty" doc:"GS08 (004010, 005010VICS…)."`
}

// SetRef identifies a transaction set or message.
type SetRef struct {
	ID            string `json:"id" doc:"ST01 (850, 856…) or UNH02.1 (ORDERS, DESADV…)."`
	Version       string `json:"version,omitempty" doc:"X12 version (GS08/ST03) or EDIFACT version:release:agency (D:96A:UN)."`
	ControlNumber string `json:"control_number" doc:"ST02 or UNH01."`
	Index         int    `json:"index,omitempty" doc:"1-based position of the set within the file."`
}

// Identifier is an id as a partner sent it: the qualifier says which list
// the value is from (X12 66 in N104, EDIFACT 3055 in NAD, 235 in PO1…).
// The qualifier is kept raw on purpose: it is evidence, and typed fields
// next to it (GLN, GTIN…) carry the normalized meaning.
type Identifier struct {
	Qualifier string `json:"qualifier" doc:"The partner's code for the id's kind, as sent (UL, 92, SRV, 9…)."`
	Value     string `json:"value" doc:"The id, as sent."`
}

// Reference is a document reference as sent (X12 REF/N9, EDIFACT RFF).
type Reference struct {
	Qualifier   string `json:"qualifier" doc:"The partner's reference qualifier (DP, IA, PD, ON…)."`
	Value       string `json:"value" doc:"The reference."`
	Description string `json:"description,omitempty" doc:"Free text sent with the reference (REF03)."`
}

// QualifiedDate is a date as sent with its qualifier (X12 DTM/G62, EDIFACT
// DTM), kept next to the typed dates for anything they do not cover.
type QualifiedDate struct {
	Qualifier string   `json:"qualifier" doc:"The partner's date qualifier (002, 010, 037, 2, 137…)."`
	Date      Date     `json:"date,omitzero" doc:"The calendar date, when only a date was sent."`
	DateTime  DateTime `json:"date_time,omitzero" doc:"The instant, when a time was sent too."`
}

// Party is an organisation or place in a role: buyer, ship-to store…
type Party struct {
	Role       PartyRole    `json:"role" doc:"What the party is to this document."`
	Name       string       `json:"name,omitempty" doc:"Name as sent (N102 / NAD04)."`
	GLN        string       `json:"gln,omitempty" doc:"GS1 Global Location Number, 13 digits, when one of the ids is a GLN." pattern:"^[0-9]{13}$"`
	DUNS       string       `json:"duns,omitempty" doc:"D-U-N-S number, 9 digits (13 for DUNS+4)." pattern:"^([0-9]{9}|[0-9]{13})$"`
	IDs        []Identifier `json:"ids,omitempty" doc:"Every id the partner sent for the party, raw."`
	Address    *Address     `json:"address,omitempty" doc:"Postal address."`
	Contacts   []Contact    `json:"contacts,omitempty" doc:"People to contact (PER / CTA+COM)."`
	References []Reference  `json:"references,omitempty" doc:"References attached to the party (store number, tax id…)."`
}

// Address is a postal address.
type Address struct {
	Lines      []string `json:"lines,omitempty" doc:"Street lines in order (N301, N302 / NAD05)."`
	City       string   `json:"city,omitempty" doc:"City (N401 / NAD06)."`
	State      string   `json:"state,omitempty" doc:"State, province or region code as sent (N402 / NAD07)."`
	PostalCode string   `json:"postal_code,omitempty" doc:"Postal code (N403 / NAD08)."`
	Country    string   `json:"country,omitempty" doc:"ISO 3166-1 alpha-2 country code." pattern:"^[A-Z]{2}$"`
}

// Contact is a person or desk and how to reach them.
type Contact struct {
	Function string `json:"function,omitempty" doc:"What the contact is for, as sent (PER01 / CTA01: BD buyer, IC information…)."`
	Name     string `json:"name,omitempty" doc:"Contact name."`
	Phone    string `json:"phone,omitempty" doc:"Telephone number as sent."`
	Email    string `json:"email,omitempty" doc:"E-mail address."`
	Fax      string `json:"fax,omitempty" doc:"Fax number as sent."`
}

// ProductRef identifies a product the ways partners do. Odoo resolves it
// in order: GTIN against barcodes (and packaging barcodes), vendor part
// number against default_code, buyer part number against the customer's
// codes, then the raw ids.
type ProductRef struct {
	GTIN             string       `json:"gtin,omitempty" doc:"GTIN normalized to 14 digits (UPC-A, EAN-13 and GTIN-8 are zero-padded)." pattern:"^[0-9]{14}$"`
	VendorPartNumber string       `json:"vendor_part_number,omitempty" doc:"The seller's item code (X12 VN/VP, EDIFACT SA); Odoo default_code or supplierinfo product_code."`
	BuyerPartNumber  string       `json:"buyer_part_number,omitempty" doc:"The buyer's item code (X12 BP/IN, EDIFACT IN)."`
	IDs              []Identifier `json:"ids,omitempty" doc:"Every product id the partner sent, raw (PO106/107 pairs, PIA, LIN)."`
}

// empty reports whether r carries no id at all.
func (r ProductRef) empty() bool {
	return r.GTIN == "" && r.VendorPartNumber == "" && r.BuyerPartNumber == "" && len(r.IDs) == 0
}

// UOM is a unit of measure as a UN/ECE Recommendation 20 common code: EA
// (each), C62 (one), H87 (piece), KGM, LBR, MTR, DZN, XCT (carton), XPX
// (pallet)… Mapping translates X12 355 and other partner units into it;
// the Odoo side matches it against uom.uom (OCA uom_unece's unece_code).
type UOM string

// Common units; any Rec 20 code is valid.
const (
	UOMEach     UOM = "EA"
	UOMOne      UOM = "C62"
	UOMPiece    UOM = "H87"
	UOMKilogram UOM = "KGM"
	UOMPound    UOM = "LBR"
	UOMDozen    UOM = "DZN"
	UOMCase     UOM = "XCS"
	UOMCarton   UOM = "XCT"
	UOMPallet   UOM = "XPX"
)

// uomPattern is the shape of a Rec 20 code: 2 or 3 upper-case letters and
// digits.
const uomPattern = "^[A-Z0-9]{2,3}$"

// Valid reports whether u has the shape of a Rec 20 code.
func (u UOM) Valid() bool {
	if len(u) < 2 || len(u) > 3 {
		return false
	}
	for _, c := range []byte(u) {
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// Measure is a quantity with its unit: a weight, a volume.
type Measure struct {
	Value Decimal `json:"value" doc:"The amount."`
	UOM   UOM     `json:"uom" doc:"Rec 20 unit (KGM, LBR, MTQ…)."`
}

// Lot is a batch of one item with its dates.
type Lot struct {
	Number         string   `json:"number" doc:"Lot or batch number."`
	Quantity       *Decimal `json:"quantity,omitempty" doc:"Quantity of this lot, in the item's unit, when the item spans several lots."`
	ExpiryDate     Date     `json:"expiry_date,omitzero" doc:"Expiry or best-before date."`
	ProductionDate Date     `json:"production_date,omitzero" doc:"Production or packing date."`
}

// Note is free text with its kind as sent (X12 MSG/NTE, EDIFACT FTX).
type Note struct {
	Qualifier string `json:"qualifier,omitempty" doc:"The partner's note type (GEN, SHP, AAI…)."`
	Text      string `json:"text" doc:"The text; continuation segments joined with spaces."`
}

// Carrier says who moves the goods and how (X12 TD5 / EDIFACT TDT).
type Carrier struct {
	SCAC         string        `json:"scac,omitempty" doc:"Standard Carrier Alpha Code." pattern:"^[A-Z]{2,4}$"`
	Name         string        `json:"name,omitempty" doc:"Carrier name as sent."`
	Mode         TransportMode `json:"mode,omitempty" doc:"Transport mode."`
	ServiceLevel string        `json:"service_level,omitempty" doc:"Service level as sent (TD512: ND next day, SC second day…)."`
	Routing      string        `json:"routing,omitempty" doc:"Routing instructions (TD505)."`
}

// PaymentTerms are the terms of sale (X12 ITD / EDIFACT PAT).
type PaymentTerms struct {
	Description     string   `json:"description,omitempty" doc:"Terms as text (ITD12), e.g. 2% 10 Net 30."`
	DiscountPercent *Decimal `json:"discount_percent,omitempty" doc:"Early-payment discount in percent."`
	DiscountDays    int      `json:"discount_days,omitempty" doc:"Days after the basis date the discount applies."`
	NetDays         int      `json:"net_days,omitempty" doc:"Days after the basis date the net amount is due."`
	DiscountDueDate Date     `json:"discount_due_date,omitzero" doc:"Date the discount expires."`
	NetDueDate      Date     `json:"net_due_date,omitzero" doc:"Date the net amount is due."`
}

// ShippingTerms say who pays freight and where risk passes (X12 FOB /
// EDIFACT TOD).
type ShippingTerms struct {
	Payment  FreightPayment `json:"payment,omitempty" doc:"Who pays the freight."`
	Incoterm string         `json:"incoterm,omitempty" doc:"Incoterms 2020 rule (EXW, FCA, DAP, DDP…)." pattern:"^[A-Z]{3}$"`
	Location string         `json:"location,omitempty" doc:"Named place for the terms."`
}

// Tracking holds the numbers that identify a shipment at the carrier.
type Tracking struct {
	BillOfLading    string   `json:"bill_of_lading,omitempty" doc:"Bill of lading number (REF*BM)."`
	ProNumber       string   `json:"pro_number,omitempty" doc:"Carrier PRO / progressive number (REF*CN)."`
	TrackingNumbers []string `json:"tracking_numbers,omitempty" doc:"Parcel tracking numbers; Odoo carrier_tracking_ref gets them comma-joined."`
}
