// Package partner loads trading-partner profiles: one YAML file per
// partner in a directory (partners/), each saying who the partner is on
// the wire (ISA, GS and UNB identities), what it sends and how strictly it
// is checked, how it is acknowledged, which mapping reads each document,
// where its mailboxes are and how its documents are posted to Odoo.
//
// Every option is declared once, in the structs of this file (see package
// option): that declaration drives decoding with file:line:col problems,
// defaults, the JSON Schema in docs/schema/partner.schema.json and the
// reference tables in docs/partners.md. Secrets are never in the files,
// only {env: NAME} or {file: PATH} references, resolved at load.
//
// A Registry loads a directory, checks the profiles against each other
// (ids and identities claimed twice) and routes inbound interchanges to
// their partner by sender identity.
package partner

import (
	"time"

	"github.com/b2bgw/b2bgw/internal/config/option"
	espec "github.com/b2bgw/b2bgw/internal/edifact/spec"
	"github.com/b2bgw/b2bgw/internal/mapping"
	"github.com/b2bgw/b2bgw/internal/odoo"
	"github.com/b2bgw/b2bgw/internal/x12"
)

// Profile is one trading partner.
type Profile struct {
	_ struct{} `exclusive:"overlay|overlay_file"`
	_ struct{} `exclusive:"edifact_overlay|edifact_overlay_file"`

	ID       string `yaml:"partner" required:"true" doc:"Partner id: lower-case letters, digits and dashes; used in logs, the ledger, file names and the API. By convention the file is named after it." example:"acme-retail"`
	Name     string `yaml:"name" doc:"Display name." example:"ACME Retail Inc."`
	Disabled bool   `yaml:"disabled" doc:"Load and lint the profile but do not poll its mailboxes or route interchanges to it."`
	TimeZone string `yaml:"time_zone" default:"UTC" doc:"IANA time zone of the partner: interprets dates without a zone, and schedules written without CRON_TZ." example:"America/Chicago"`

	Identities Identities `yaml:"identities" doc:"Who the partner is on the wire: the sender ids of its interchanges. Inbound files are routed to the partner whose identity matches."`
	Us         Us         `yaml:"us" doc:"Our identity towards this partner, for acknowledgments and outbound documents. Unset values come from the gateway configuration's identity."`

	Standards []Standard `yaml:"standards" doc:"Standards and versions the partner sends. Interchanges in other versions are rejected (strict) or accepted with a warning (lenient)."`
	Leniency  string     `yaml:"leniency" enum:"strict|lenient" default:"strict" doc:"strict rejects what the standard (with the overlay) does not allow; lenient accepts envelope and syntax deviations that do not change meaning, with warnings."`
	// MaxSegmentSize bounds one segment in bytes.
	MaxSegmentSize int `yaml:"max_segment_size" default:"4096" doc:"Longest segment accepted, in bytes: a larger one is a syntax error, not an out-of-memory."`

	Acks       Acks       `yaml:"acks" doc:"How the partner is acknowledged, and which acknowledgments we expect from it."`
	Duplicates Duplicates `yaml:"duplicates" doc:"What happens to an interchange or group whose control number (per sender) was already received."`

	Overlay     *Overlay `yaml:"overlay" doc:"The partner's X12 deviations from the standard, written inline (codes, elements, segments; see docs/x12.md)."`
	OverlayFile string   `yaml:"overlay_file" doc:"A file holding the X12 overlay, relative to this file."`

	EDIFACTOverlay     *EDIFACTOverlay `yaml:"edifact_overlay" doc:"The partner's EDIFACT deviations from the directory, written inline (codes, elements, segments; see docs/edifact.md)."`
	EDIFACTOverlayFile string          `yaml:"edifact_overlay_file" doc:"A file holding the EDIFACT overlay, relative to this file." example:"overlays/europa-foods.yaml"`

	Documents []Document `yaml:"documents" doc:"The documents exchanged with the partner and the mapping or template for each."`

	Mailboxes Mailboxes `yaml:"mailboxes" doc:"Where the partner's files are picked up and ours are delivered."`

	Odoo odoo.Policy `yaml:"odoo" doc:"How the partner's documents are posted to Odoo (customer and product matching, confirmation, receipts); see internal/odoo Policy."`
	ATP  *ATP        `yaml:"atp" doc:"The available-to-promise (inventory) feed sent to the partner; absent means none."`

	// File is the profile's path, Doc where each key was written.
	File string      `yaml:"-"`
	Doc  *option.Doc `yaml:"-"`

	overlay   *x12.Overlay
	edOverlay *espec.Overlay
	mappings  map[*Document]*mapping.Mapping
	templates map[*Document]*mapping.Template
}

// Identities are the partner's sender ids.
type Identities struct {
	X12     []X12ID     `yaml:"x12" doc:"X12 identities: the ISA05/ISA06 sender qualifier and id, and the GS02 application sender codes used with it."`
	EDIFACT []EDIFACTID `yaml:"edifact" doc:"EDIFACT identities: the UNB sender id (UNB02.1) and its code qualifier (UNB02.2)."`
}

// X12ID is an ISA sender or receiver identity.
type X12ID struct {
	Qualifier string   `yaml:"qualifier" required:"true" doc:"ISA interchange id qualifier (ISA05/ISA07): 01 DUNS, 08 UCC EDI comm id, 12 phone, 14 DUNS+4, ZZ mutually defined." example:"ZZ"`
	ID        string   `yaml:"id" required:"true" doc:"ISA interchange id (ISA06/ISA08) without the padding spaces; at most 15 characters." example:"ACMERETAIL"`
	GS        []string `yaml:"gs" doc:"GS02 (sender) application codes the partner uses with this identity; empty accepts any. Distinguishes divisions that share one ISA id."`
	Receiver  *X12Ref  `yaml:"receiver" doc:"Only route interchanges addressed to this receiver (ISA07/ISA08) to the partner; for a partner that sends with one ISA id to several of our identities."`
}

// X12Ref is an ISA qualifier and id.
type X12Ref struct {
	Qualifier string `yaml:"qualifier" required:"true" doc:"ISA id qualifier." example:"ZZ"`
	ID        string `yaml:"id" required:"true" doc:"ISA id without padding." example:"B2BGW"`
}

// EDIFACTID is a UNB party identification.
type EDIFACTID struct {
	ID        string      `yaml:"id" required:"true" doc:"UNB02.1/UNB03.1 party identification, e.g. a GLN." example:"5412345000013"`
	Qualifier string      `yaml:"qualifier" doc:"UNB02.2/UNB03.2 code qualifier: 14 GS1 (EAN), ZZZ mutually defined, 1 DUNS; empty when the partner sends none." example:"14"`
	Receiver  *EDIFACTRef `yaml:"receiver" doc:"Only route interchanges addressed to this UNB recipient to the partner."`
}

// EDIFACTRef is a UNB id and qualifier.
type EDIFACTRef struct {
	ID        string `yaml:"id" required:"true" doc:"UNB party identification." example:"4099999000009"`
	Qualifier string `yaml:"qualifier" doc:"UNB code qualifier." example:"14"`
}

// Us is our identity towards one partner.
type Us struct {
	X12     *X12Us      `yaml:"x12" doc:"Our X12 identity: ISA receiver of the partner's interchanges, ISA sender of ours."`
	EDIFACT *EDIFACTRef `yaml:"edifact" doc:"Our EDIFACT identity in UNB."`
}

// X12Us is our X12 identity.
type X12Us struct {
	Qualifier string `yaml:"qualifier" required:"true" doc:"ISA id qualifier." example:"ZZ"`
	ID        string `yaml:"id" required:"true" doc:"ISA id without padding." example:"B2BGW"`
	GS        string `yaml:"gs" doc:"GS02/GS03 application code; defaults to the ISA id." example:"B2BGW"`
}

// Standard is one standard the partner sends.
type Standard struct {
	Standard      string   `yaml:"standard" required:"true" enum:"x12|edifact|csv|xml" doc:"The standard."`
	Versions      []string `yaml:"versions" doc:"Versions sent: X12 GS08 versions (004010, 005010, 004010VICS), EDIFACT message versions (D96A, D01B). Empty accepts every version the gateway knows." example:"[\"004010\"]"`
	Syntax        string   `yaml:"syntax" doc:"EDIFACT only: the UNB syntax identifier the partner sends (UNOA, UNOB, UNOC, UNOD, UNOE, UNOY), and that our INVRPT feed is written in (UNOC when unset)." example:"UNOC"`
	SyntaxVersion int      `yaml:"syntax_version" doc:"EDIFACT only: the UNB syntax version number (1-4), also of our INVRPT feed (3 when unset)." example:"3"`
}

// Acks is the acknowledgment policy.
type Acks struct {
	Send         string        `yaml:"send" enum:"997|999|contrl|none" default:"997" doc:"Functional acknowledgment we send for the partner's groups: 997, 999 (X12 005010+, implementation guides), contrl (EDIFACT) or none."`
	TA1          string        `yaml:"ta1" enum:"when_requested|always|never" default:"when_requested" doc:"Interchange acknowledgment (TA1): when the partner asks for it in ISA14, always, or never."`
	Expect       string        `yaml:"expect" enum:"997|999|contrl|none" default:"none" doc:"Acknowledgment we expect for our outbound documents; unanswered ones turn overdue."`
	OverdueAfter time.Duration `yaml:"overdue_after" default:"24h" doc:"How long after sending an outbound interchange its expected acknowledgment is overdue (an alert)."`
}

// Duplicates is the duplicate policy.
type Duplicates struct {
	Interchange string        `yaml:"interchange" enum:"reject|warn|accept" default:"reject" doc:"An interchange control number already received from this sender: reject it (TA1 025 when a TA1 is sent), process it with a warning, or accept it silently."`
	Group       string        `yaml:"group" enum:"reject|warn|accept" default:"warn" doc:"A group control number already received from this sender."`
	Window      time.Duration `yaml:"window" default:"2160h" doc:"How long control numbers are remembered (default 90 days): X12 control numbers wrap."`
}

// Overlay is an inline code-list overlay. Its contents are checked by
// the X12 overlay parser (x12.ParseOverlay), at their own positions.
type Overlay struct {
	Codes    map[string]OverlayCodes   `yaml:"codes" doc:"Per data element id: codes added to or removed from the standard list."`
	Elements map[string]OverlayElement `yaml:"elements" doc:"Per element position (segment + two digits, e.g. BEG05): usage and length relaxed."`
	Segments map[string]OverlaySegment `yaml:"segments" doc:"Per segment id: usage and repeat relaxed."`
}

// OverlayCodes mirrors x12.CodeOverlay for the schema and docs; values are
// checked by x12.ParseOverlay alone, so that the rules live in one place.
type OverlayCodes struct {
	Add    []string `yaml:"add" doc:"Codes the partner uses beyond the standard list."`
	Remove []string `yaml:"remove" doc:"Standard codes the partner does not accept."`
	Mode   string   `yaml:"mode" doc:"strict (default) rejects a code outside the list, note accepts with errors noted in the 997, warn only tells operators."`
}

// OverlayElement mirrors x12.ElementOverlay.
type OverlayElement struct {
	Usage string `yaml:"usage" doc:"M mandatory, O optional."`
	Min   int    `yaml:"min" doc:"Minimum length."`
	Max   int    `yaml:"max" doc:"Maximum length."`
	Mode  string `yaml:"mode" doc:"How a deviation is treated: strict, note or warn."`
}

// OverlaySegment mirrors x12.SegmentOverlay.
type OverlaySegment struct {
	Usage string `yaml:"usage" doc:"M mandatory, O optional."`
	Max   int    `yaml:"max" doc:"Maximum repeat (a loop's repeat for its first segment)."`
	Mode  string `yaml:"mode" doc:"How a deviation is treated: strict, note or warn."`
}

// EDIFACTOverlay is an inline EDIFACT overlay. Like Overlay it only
// describes the keys for the schema and docs: its contents are checked by
// the EDIFACT overlay parser (internal/edifact/spec ParseOverlay) alone,
// at their own positions.
type EDIFACTOverlay struct {
	Codes    map[string]EDIFACTOverlayCodes   `yaml:"codes" doc:"Per data element id, four digits quoted (\"1153\"): codes added to or removed from the directory's list."`
	Elements map[string]EDIFACTOverlayElement `yaml:"elements" doc:"Per position, segment tag + two digits and -component for a component (BGM02, NAD03-1): status and length relaxed."`
	Segments map[string]EDIFACTOverlaySegment `yaml:"segments" doc:"Per segment tag (FTX): status and repeat relaxed."`
}

// EDIFACTOverlayCodes mirrors spec.CodeOverlay.
type EDIFACTOverlayCodes struct {
	Add    []string `yaml:"add" doc:"Codes the partner uses beyond the directory's list."`
	Remove []string `yaml:"remove" doc:"Directory codes the partner does not accept."`
	Mode   string   `yaml:"mode" doc:"strict (default) rejects a message with a code outside the list, note accepts it with the error reported, warn only tells operators."`
}

// EDIFACTOverlayElement mirrors spec.ElementOverlay.
type EDIFACTOverlayElement struct {
	Status string `yaml:"status" doc:"M mandatory, C conditional."`
	Min    int    `yaml:"min" doc:"Minimum length."`
	Max    int    `yaml:"max" doc:"Maximum length."`
	Mode   string `yaml:"mode" doc:"How a deviation is treated: strict, note or warn."`
}

// EDIFACTOverlaySegment mirrors spec.SegmentOverlay.
type EDIFACTOverlaySegment struct {
	Status string `yaml:"status" doc:"M mandatory, C conditional."`
	Max    int    `yaml:"max" doc:"Maximum repeat (a group's repeat for its trigger segment)."`
	Mode   string `yaml:"mode" doc:"How a deviation is treated: strict, note or warn."`
}

// Document is one document type exchanged with the partner.
type Document struct {
	_ struct{} `exclusive:"mapping|mapping_file"`

	Type        string `yaml:"type" required:"true" doc:"X12 transaction set (850, 856, 945, 846, 997), EDIFACT message type (ORDERS, DESADV, INVRPT) or, for CSV and XML, a document name (catalog)." example:"\"850\""`
	Standard    string `yaml:"standard" enum:"x12|edifact|csv|xml" doc:"Standard of the document; defaults to the profile's only standard, and must be set when there are several."`
	Direction   string `yaml:"direction" enum:"in|out" default:"in" doc:"in: the partner sends it to us; out: we send it."`
	Mapping     string `yaml:"mapping" doc:"A built-in mapping (inbound) or template (outbound), by id or file name (see b2bgw translate --help)." example:"x12-004010-850-order"`
	MappingFile string `yaml:"mapping_file" doc:"A mapping or template file, relative to this file; it may extend a built-in one (extends:)." example:"mappings/acme-850.yaml"`
	Mailbox     string `yaml:"mailbox" doc:"Outbound only: the id of the outbound mailbox this document goes to; default the first outbound mailbox."`
}

// ATP is the inventory feed.
type ATP struct {
	_ struct{} `exclusive:"products|domain"`

	Format     string   `yaml:"format" required:"true" enum:"846|invrpt|csv" doc:"846 (X12 inventory inquiry/advice), invrpt (EDIFACT INVRPT) or csv."`
	Schedule   string   `yaml:"schedule" required:"true" doc:"Cron schedule of the feed (5 fields, 6 with seconds, or @every 4h); evaluated in the partner's time zone unless it starts with CRON_TZ=." example:"0 6,14 * * 1-5"`
	Products   []string `yaml:"products" doc:"Our internal references (default_code) to report."`
	Domain     string   `yaml:"domain" doc:"An Odoo domain selecting product.product records, instead of a list." example:"[('sale_ok', '=', True)]"`
	Warehouses []string `yaml:"warehouses" doc:"stock.warehouse codes whose stock is reported; empty means all."`
	Mailbox    string   `yaml:"mailbox" doc:"Outbound mailbox id; default the first outbound mailbox."`
}

// Schema returns the JSON Schema of partner profiles, the content of
// docs/schema/partner.schema.json.
func Schema() []byte {
	return option.JSONSchema(&Profile{}, "https://b2bgw.dev/schema/partner.schema.json", "b2bgw partner profile",
		"One trading partner of the b2bgw EDI gateway (partners/<id>.yaml). See docs/partners.md.")
}

// Reference returns the Markdown table of every profile option, generated
// into docs/partners.md.
func Reference() string { return option.Markdown(&Profile{}, "") }
