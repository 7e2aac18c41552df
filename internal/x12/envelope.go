package x12

import "strings"

// Interchange is an ISA/IEA envelope: the header as read, the trailer when
// one was found, and the envelope problems found along the way.
type Interchange struct {
	AuthQualifier     string     `json:"auth_qualifier"`         // ISA01
	AuthInfo          string     `json:"auth_info"`              // ISA02 (trimmed)
	SecurityQualifier string     `json:"security_qualifier"`     // ISA03
	SecurityInfo      string     `json:"-"`                      // ISA04: a password; never printed
	SenderQualifier   string     `json:"sender_qualifier"`       // ISA05
	SenderID          string     `json:"sender_id"`              // ISA06 (trimmed)
	ReceiverQualifier string     `json:"receiver_qualifier"`     // ISA07
	ReceiverID        string     `json:"receiver_id"`            // ISA08 (trimmed)
	Date              string     `json:"date"`                   // ISA09 YYMMDD
	Time              string     `json:"time"`                   // ISA10 HHMM
	StandardsID       string     `json:"standards_id,omitempty"` // ISA11 before 00402 ("U")
	Version           string     `json:"version"`                // ISA12, e.g. "00401"
	Control           string     `json:"control"`                // ISA13
	AckRequested      string     `json:"ack_requested"`          // ISA14: "1" asks for a TA1
	Usage             string     `json:"usage"`                  // ISA15: P production, T test, I information
	Delimiters        Delimiters `json:"-"`
	Header            Segment    `json:"-"` // the ISA, owned copy
	Pos               Position   `json:"-"`

	HasTrailer        bool     `json:"has_trailer"`
	TrailerGroupCount string   `json:"trailer_group_count,omitempty"` // IEA01 as sent
	TrailerControl    string   `json:"trailer_control,omitempty"`     // IEA02 as sent
	EndPos            Position `json:"-"`
	Groups            int      `json:"groups"` // functional groups actually present
	// TA1 holds interchange acknowledgments found between the ISA and the
	// first GS (a partner's TA1 for one of our interchanges).
	TA1 []Segment `json:"-"`

	Problems []InterchangeProblem `json:"problems,omitempty"`
}

// InterchangeKey identifies an interchange for duplicate detection.
func (ic *Interchange) Key() InterchangeKey {
	return InterchangeKey{SenderQualifier: ic.SenderQualifier, SenderID: ic.SenderID,
		ReceiverQualifier: ic.ReceiverQualifier, ReceiverID: ic.ReceiverID, Control: ic.Control}
}

// Test reports whether ISA15 marks the interchange as test data.
func (ic *Interchange) Test() bool { return ic.Usage == "T" }

// Rejected reports whether an interchange-level problem makes the whole
// interchange unacceptable.
func (ic *Interchange) Rejected() bool { return len(ic.Problems) > 0 }

// InterchangeProblem is an envelope error at interchange level: a TA1 note.
type InterchangeProblem struct {
	Code    InterchangeNoteCode `json:"code"` // TA105
	Pos     Position            `json:"-"`
	Message string              `json:"message"`
}

// Group is a GS/GE functional group.
type Group struct {
	FunctionalID string   `json:"functional_id"` // GS01, e.g. "PO"
	AppSender    string   `json:"app_sender"`    // GS02
	AppReceiver  string   `json:"app_receiver"`  // GS03
	Date         string   `json:"date"`          // GS04 CCYYMMDD
	Time         string   `json:"time"`          // GS05
	Control      string   `json:"control"`       // GS06
	Agency       string   `json:"agency"`        // GS07, "X"
	Version      string   `json:"version"`       // GS08, e.g. "004010" or "005010X231A1"
	Header       Segment  `json:"-"`
	Pos          Position `json:"-"`

	HasTrailer      bool     `json:"has_trailer"`
	TrailerSetCount string   `json:"trailer_set_count,omitempty"` // GE01 as sent
	TrailerControl  string   `json:"trailer_control,omitempty"`   // GE02 as sent
	EndPos          Position `json:"-"`
	Sets            int      `json:"sets"` // transaction sets actually present

	Problems []GroupProblem `json:"problems,omitempty"`

	Interchange *Interchange `json:"-"`
}

// BaseVersion returns the first six characters of GS08 ("004010" of
// "004010VICS"), which select the spec and the acknowledgment version.
func (g *Group) BaseVersion() string {
	if len(g.Version) >= 6 {
		return g.Version[:6]
	}
	return g.Version
}

// Key identifies the group for duplicate detection.
func (g *Group) Key() GroupKey {
	k := GroupKey{AppSender: g.AppSender, AppReceiver: g.AppReceiver, Control: g.Control}
	if g.Interchange != nil {
		k.SenderQualifier, k.SenderID = g.Interchange.SenderQualifier, g.Interchange.SenderID
	}
	return k
}

// GroupProblem is an envelope error at group level: an AK905-AK909 code.
type GroupProblem struct {
	Code    GroupErrorCode `json:"code"`
	Pos     Position       `json:"-"`
	Message string         `json:"message"`
}

// Set is one transaction set, ST through SE, with its segments copied out
// of the reader's buffer so that it stays valid while it is validated,
// acknowledged and mapped. Memory is bounded by the largest set, not the
// input.
type Set struct {
	ID                string    `json:"id"`                           // ST01, e.g. "850"
	Control           string    `json:"control"`                      // ST02
	ImplementationRef string    `json:"implementation_ref,omitempty"` // ST03 (005010)
	Segments          []Segment `json:"-"`                            // ST .. SE inclusive (SE when present)
	Pos               Position  `json:"-"`

	HasTrailer     bool   `json:"has_trailer"`
	TrailerCount   string `json:"trailer_count,omitempty"`   // SE01 as sent
	TrailerControl string `json:"trailer_control,omitempty"` // SE02 as sent

	// Problems are envelope-level findings for the set (AK502 codes);
	// SegmentErrors are segment-level findings (AK3/AK4) found while
	// reading (bad tags, over-long segments); the validator adds its own.
	Problems      []SetProblem   `json:"problems,omitempty"`
	SegmentErrors []SegmentError `json:"segment_errors,omitempty"`

	Group       *Group       `json:"-"`
	Interchange *Interchange `json:"-"`

	bytes []byte
	ends  []int32
	owner uint64 // id of the decoder that made the set: only it takes the set back (Reuse)
	free  bool   // on its decoder's free list
}

// SetProblem is an envelope error for a set: an AK502 code.
type SetProblem struct {
	Code    SetErrorCode `json:"code"`
	Pos     Position     `json:"-"`
	Message string       `json:"message"`
}

// Body returns the segments between ST and SE.
func (s *Set) Body() []Segment {
	segs := s.Segments
	if len(segs) > 0 && segs[0].Is("ST") {
		segs = segs[1:]
	}
	if s.HasTrailer && len(segs) > 0 {
		segs = segs[:len(segs)-1]
	}
	return segs
}

// Version returns the version that governs the set: GS08, or ISA12
// widened to six digits when the set is outside a group.
func (s *Set) Version() string {
	if s.Group != nil {
		return s.Group.BaseVersion()
	}
	if s.Interchange != nil {
		return s.Interchange.Version + "0"
	}
	return ""
}

func trim(b []byte) string { return strings.TrimRight(string(b), " ") }

// InterchangeKey identifies an interchange: sender, receiver and ISA13.
type InterchangeKey struct {
	SenderQualifier, SenderID, ReceiverQualifier, ReceiverID, Control string
}

// GroupKey identifies a functional group: the interchange sender, GS02,
// GS03 and GS06.
type GroupKey struct {
	SenderQualifier, SenderID, AppSender, AppReceiver, Control string
}
