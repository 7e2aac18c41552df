package edifact

import "strconv"

// Interchange is a UNB/UNZ envelope: the header as read, the trailer when
// one was found, and the envelope problems found along the way.
type Interchange struct {
	Delimiters Delimiters `json:"-"`
	UNA        bool       `json:"una"` // a service string advice preceded the UNB

	SyntaxID               string   `json:"syntax_id"`                        // S001 0001, e.g. "UNOA"
	SyntaxVersion          int      `json:"syntax_version"`                   // S001 0002: 1..4 (0 when unreadable)
	ServiceCodeListVersion string   `json:"service_code_list,omitempty"`      // S001 0080 (syntax 4)
	CharacterEncoding      string   `json:"character_encoding,omitempty"`     // S001 0133 (syntax 4)
	SenderID               string   `json:"sender_id"`                        // S002 0004
	SenderQualifier        string   `json:"sender_qualifier,omitempty"`       // S002 0007
	SenderInternalID       string   `json:"sender_internal_id,omitempty"`     // S002 0008 (syntax 1-3: address for reverse routing)
	SenderInternalSubID    string   `json:"sender_internal_sub_id,omitempty"` // S002 0042 (syntax 4)
	RecipientID            string   `json:"recipient_id"`                     // S003 0010
	RecipientQualifier     string   `json:"recipient_qualifier,omitempty"`    // S003 0007
	RecipientInternalID    string   `json:"recipient_internal_id,omitempty"`  // S003 0014 (syntax 1-3: routing address)
	RecipientInternalSubID string   `json:"recipient_internal_sub_id,omitempty"`
	Date                   string   `json:"date"`                   // S004 0017: YYMMDD (syntax 1-3) or CCYYMMDD (4)
	Time                   string   `json:"time"`                   // S004 0019: HHMM
	Control                string   `json:"control"`                // 0020 interchange control reference
	Password               string   `json:"-"`                      // S005 0022: never printed
	PasswordQualifier      string   `json:"-"`                      // S005 0025
	AppRef                 string   `json:"app_ref,omitempty"`      // 0026 application reference
	Priority               string   `json:"priority,omitempty"`     // 0029 processing priority code
	AckRequest             string   `json:"ack_request,omitempty"`  // 0031: "1" acknowledgement requested, "2" indication of receipt (syntax 4)
	AgreementID            string   `json:"agreement_id,omitempty"` // 0032
	TestIndicator          string   `json:"test,omitempty"`         // 0035: "1" test (2-4 in syntax 4)
	Header                 Segment  `json:"-"`                      // the UNB, owned copy
	Pos                    Position `json:"-"`

	HasTrailer     bool     `json:"has_trailer"`
	TrailerCount   string   `json:"trailer_count,omitempty"`   // UNZ 0036 as sent
	TrailerControl string   `json:"trailer_control,omitempty"` // UNZ 0020 as sent
	EndPos         Position `json:"-"`
	Groups         int      `json:"groups"`   // groups actually present
	Messages       int      `json:"messages"` // messages actually present outside groups

	Problems []Problem `json:"problems,omitempty"`
}

// Key identifies an interchange for duplicate detection.
func (ic *Interchange) Key() InterchangeKey {
	return InterchangeKey{SenderQualifier: ic.SenderQualifier, SenderID: ic.SenderID,
		RecipientQualifier: ic.RecipientQualifier, RecipientID: ic.RecipientID, Control: ic.Control}
}

// Test reports whether UNB 0035 marks the interchange as a test.
func (ic *Interchange) Test() bool { return ic.TestIndicator != "" }

// AckRequested reports whether the sender asked for a CONTRL (0031 = 1)
// or for an indication of receipt (0031 = 2).
func (ic *Interchange) AckRequested() bool { return ic.AckRequest == "1" || ic.AckRequest == "2" }

// Rejected reports whether an interchange-level error makes the whole
// interchange unacceptable (warnings do not).
func (ic *Interchange) Rejected() bool { return hasError(ic.Problems) }

func hasError(ps []Problem) bool {
	for _, p := range ps {
		if p.Severity == SevError {
			return true
		}
	}
	return false
}

// InterchangeKey identifies an interchange: sender, recipient and UNB 0020.
type InterchangeKey struct {
	SenderQualifier, SenderID, RecipientQualifier, RecipientID, Control string
}

// Group is a UNG/UNE group.
type Group struct {
	ID                    string   `json:"id,omitempty"` // 0038 message group identification (syntax 1-3: functional group)
	AppSender             string   `json:"app_sender"`   // S006 0040
	AppSenderQualifier    string   `json:"app_sender_qualifier,omitempty"`
	AppRecipient          string   `json:"app_recipient"` // S007 0044
	AppRecipientQualifier string   `json:"app_recipient_qualifier,omitempty"`
	Date                  string   `json:"date,omitempty"`    // S004 0017
	Time                  string   `json:"time,omitempty"`    // S004 0019
	Control               string   `json:"control"`           // 0048 group reference number
	Agency                string   `json:"agency,omitempty"`  // 0051
	Version               string   `json:"version,omitempty"` // S008 0052
	Release               string   `json:"release,omitempty"` // S008 0054
	Association           string   `json:"association,omitempty"`
	Header                Segment  `json:"-"`
	Pos                   Position `json:"-"`

	HasTrailer     bool     `json:"has_trailer"`
	TrailerCount   string   `json:"trailer_count,omitempty"`   // UNE 0060 as sent
	TrailerControl string   `json:"trailer_control,omitempty"` // UNE 0048 as sent
	EndPos         Position `json:"-"`
	Messages       int      `json:"messages"` // messages actually present

	Problems []Problem `json:"problems,omitempty"`

	Interchange *Interchange `json:"-"`
}

// Rejected reports whether a group-level error rejects the group.
func (g *Group) Rejected() bool { return hasError(g.Problems) }

// Message is one message, UNH through UNT, with its segments copied out of
// the reader's buffer so that it stays valid while it is validated,
// acknowledged and mapped.
type Message struct {
	Ref             string    `json:"ref"`                         // UNH 0062 message reference number
	Type            string    `json:"type"`                        // S009 0065, e.g. "ORDERS"
	Version         string    `json:"version"`                     // S009 0052, e.g. "D"
	Release         string    `json:"release"`                     // S009 0054, e.g. "96A"
	Agency          string    `json:"agency"`                      // S009 0051, e.g. "UN"
	Association     string    `json:"association,omitempty"`       // S009 0057, e.g. "EAN008"
	CommonAccessRef string    `json:"common_access_ref,omitempty"` // UNH 0068
	Segments        []Segment `json:"-"`                           // UNH .. UNT inclusive (UNT when present)
	Pos             Position  `json:"-"`

	HasTrailer     bool   `json:"has_trailer"`
	TrailerCount   string `json:"trailer_count,omitempty"`   // UNT 0074 as sent
	TrailerControl string `json:"trailer_control,omitempty"` // UNT 0062 as sent

	// Problems are envelope findings (UCM level); SegmentErrors are segment
	// findings found while reading (bad tags, over-long segments,
	// characters outside the repertoire: with WithDeferredRepertoire, once
	// CheckRepertoire ran); the validator adds its own.
	Problems      []Problem      `json:"problems,omitempty"`
	SegmentErrors []SegmentError `json:"segment_errors,omitempty"`

	Group       *Group       `json:"-"`
	Interchange *Interchange `json:"-"`

	bytes    []byte
	ends     []int32
	chars    *charCheck // the repertoire check still to run (WithDeferredRepertoire)
	utf8     bool       // ToUTF8 converted the bytes
	recycled bool       // given back with Decoder.Reuse, not handed out since
}

// Body returns the segments between UNH and UNT.
func (m *Message) Body() []Segment {
	segs := m.Segments
	if len(segs) > 0 && segs[0].Is("UNH") {
		segs = segs[1:]
	}
	if m.HasTrailer && len(segs) > 0 {
		segs = segs[:len(segs)-1]
	}
	return segs
}

// Directory names the UN directory of the message: "D96A" for D:96A.
func (m *Message) Directory() string { return m.Version + m.Release }

// Result returns the message's envelope findings as a result, for messages
// that are not validated against a directory (see EnvelopeOnly).
func (m *Message) result() *MessageResult {
	return &MessageResult{Ref: m.Ref, Type: m.Type, Version: m.Version, Release: m.Release, Agency: m.Agency,
		Association: m.Association, Pos: m.Pos, Status: Accepted}
}

// atoiCount parses a count element (n..6, n..10): digits only.
func atoiCount(s string) (int, bool) {
	if s == "" || len(s) > 18 || !allDigits(s) {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
