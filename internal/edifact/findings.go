package edifact

import (
	"fmt"
	"strings"
)

// Severity of a finding. Warnings come from policies and partner overlays
// in warn mode: shown to operators, never sent, never rejecting.
type Severity uint8

const (
	SevError Severity = iota
	SevWarning
)

func (s Severity) String() string {
	if s == SevWarning {
		return "warning"
	}
	return "error"
}

// MarshalText renders the severity as "error" or "warning" in JSON.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// ErrorCode is a syntax error code of ISO 9735 code list 0085 (UCI05,
// UCM04, UCS02, UCD01).
type ErrorCode string

// Syntax error codes (list 0085). Codes 45 to 48 were added with syntax
// version 4; a CONTRL for syntax 3 reports them as 18 (see CodeFor).
const (
	CodeSyntaxNotSupported      ErrorCode = "2"  // syntax version or level not supported
	CodeRecipientNotActual      ErrorCode = "7"  // interchange recipient not actual recipient
	CodeInvalidValue            ErrorCode = "12" // invalid value
	CodeMissing                 ErrorCode = "13" // missing
	CodeValueNotSupported       ErrorCode = "14" // value not supported in this position
	CodeNotSupportedInPosition  ErrorCode = "15" // not supported in this position
	CodeTooManyConstituents     ErrorCode = "16" // too many constituents
	CodeNoAgreement             ErrorCode = "17" // no agreement
	CodeUnspecified             ErrorCode = "18" // unspecified error
	CodeInvalidServiceCharAdv   ErrorCode = "20" // character invalid as service character (UNA)
	CodeInvalidCharacter        ErrorCode = "21" // invalid character(s)
	CodeInvalidServiceChar      ErrorCode = "22" // invalid service character(s)
	CodeUnknownSender           ErrorCode = "23" // unknown interchange sender
	CodeTooOld                  ErrorCode = "24" // too old
	CodeTestNotSupported        ErrorCode = "25" // test indicator not supported
	CodeDuplicate               ErrorCode = "26" // duplicate detected
	CodeReferencesDoNotMatch    ErrorCode = "28" // references do not match
	CodeCountMismatch           ErrorCode = "29" // control count does not match number of instances received
	CodeGroupsAndMessagesMixed  ErrorCode = "30" // groups and messages/packages mixed
	CodeLowerLevelEmpty         ErrorCode = "32" // lower level empty
	CodeInvalidOutside          ErrorCode = "33" // invalid occurrence outside message, package, or group
	CodeTooManyRepetitions      ErrorCode = "35" // too many data element or segment repetitions
	CodeTooManyGroupRepetitions ErrorCode = "36" // too many segment group repetitions
	CodeInvalidCharType         ErrorCode = "37" // invalid type of character(s)
	CodeTooLong                 ErrorCode = "39" // data element too long
	CodeTooShort                ErrorCode = "40" // data element too short
	CodeTrailingSeparator       ErrorCode = "45" // trailing separator (syntax 4)
	CodeCharsetNotSupported     ErrorCode = "46" // character set not supported (syntax 4)
	CodeEnvelopeNotSupported    ErrorCode = "47" // envelope functionality not supported (syntax 4)
	CodeDependencyViolated      ErrorCode = "48" // dependency condition violated (syntax 4)
)

var codeText = map[ErrorCode]string{
	CodeSyntaxNotSupported: "syntax version or level not supported", CodeRecipientNotActual: "interchange recipient not actual recipient",
	CodeInvalidValue: "invalid value", CodeMissing: "missing", CodeValueNotSupported: "value not supported in this position",
	CodeNotSupportedInPosition: "not supported in this position", CodeTooManyConstituents: "too many constituents",
	CodeNoAgreement: "no agreement", CodeUnspecified: "unspecified error", CodeInvalidServiceCharAdv: "character invalid as service character",
	CodeInvalidCharacter: "invalid character(s)", CodeInvalidServiceChar: "invalid service character(s)", CodeUnknownSender: "unknown interchange sender",
	CodeTooOld: "too old", CodeTestNotSupported: "test indicator not supported", CodeDuplicate: "duplicate detected",
	CodeReferencesDoNotMatch: "references do not match", CodeCountMismatch: "control count does not match number of instances received",
	CodeGroupsAndMessagesMixed: "groups and messages/packages mixed", CodeLowerLevelEmpty: "lower level empty",
	CodeInvalidOutside: "invalid occurrence outside message, package, or group", CodeTooManyRepetitions: "too many data element or segment repetitions",
	CodeTooManyGroupRepetitions: "too many segment group repetitions", CodeInvalidCharType: "invalid type of character(s)",
	CodeTooLong: "data element too long", CodeTooShort: "data element too short", CodeTrailingSeparator: "trailing separator",
	CodeCharsetNotSupported: "character set not supported", CodeEnvelopeNotSupported: "envelope functionality not supported",
	CodeDependencyViolated: "dependency condition violated",
}

// Text returns the standard's name of the code.
func (c ErrorCode) Text() string { return codeText[c] }

// CodeFor returns the code to send in a CONTRL of syntax version v: the
// codes syntax 4 added (45-48) become 18 (unspecified error) for syntax 3
// and earlier, which does not define them.
func CodeFor(c ErrorCode, v int) ErrorCode {
	if v < 4 {
		switch c {
		case CodeTrailingSeparator, CodeCharsetNotSupported, CodeEnvelopeNotSupported, CodeDependencyViolated:
			return CodeUnspecified
		}
	}
	return c
}

// Action is a CONTRL action code (list 0083).
type Action string

const (
	ActionRejected     Action = "4" // this level and all lower levels rejected
	ActionAcknowledged Action = "7" // this level acknowledged, lower levels unless explicitly rejected
	ActionReceived     Action = "8" // interchange received (receipt only)
)

// Problem is an envelope-level finding: for the interchange (UCI), a group
// (UCF) or a message (UCM). Segment names the service segment concerned
// (0135: UNB, UNZ, UNH ...); Element and Component locate the data element
// in it (S011 0098/0104), 0 for the whole segment.
type Problem struct {
	Code      ErrorCode `json:"code"`
	Segment   string    `json:"segment,omitempty"`
	Element   int       `json:"element,omitempty"`
	Component int       `json:"component,omitempty"`
	Severity  Severity  `json:"severity"`
	Pos       Position  `json:"-"`
	Message   string    `json:"message"`
}

// ElementError is one data element finding: a UCD.
type ElementError struct {
	Position   int       `json:"position"`             // S011 0098: 1-based position in the segment
	Component  int       `json:"component,omitempty"`  // S011 0104: 1-based component, 0 for the element
	Repetition int       `json:"repetition,omitempty"` // S011 0136 (syntax 4): 1-based occurrence, 0 when n/a
	Ref        string    `json:"ref,omitempty"`        // data element id, e.g. "1225"
	Code       ErrorCode `json:"code"`                 // UCD01
	Value      string    `json:"value,omitempty"`
	Severity   Severity  `json:"severity"`
	Message    string    `json:"message"`
}

// SegmentError is one segment finding (with its element findings): a UCS
// and its UCDs.
type SegmentError struct {
	SegmentID string         `json:"segment"`
	Position  int            `json:"position"`        // UCS01 (0096): position in the message, UNH = 1
	Group     string         `json:"group,omitempty"` // the segment group, e.g. "SG2", for people
	Code      ErrorCode      `json:"code,omitempty"`  // UCS02; "" when only elements are in error
	Elements  []ElementError `json:"elements,omitempty"`
	Severity  Severity       `json:"severity"`
	Pos       Position       `json:"-"`
	Message   string         `json:"message,omitempty"`
}

// HasErrors reports whether the finding (or one of its element findings)
// is an error rather than a warning.
func (e *SegmentError) HasErrors() bool {
	if e.Code != "" && e.Severity == SevError {
		return true
	}
	for _, el := range e.Elements {
		if el.Severity == SevError {
			return true
		}
	}
	return false
}

// Describe renders the finding for people: where, what, and the code.
func (e *SegmentError) Describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s, segment %s at position %d in the message", e.Pos, e.SegmentID, e.Position)
	if e.Group != "" {
		fmt.Fprintf(&b, " (%s)", e.Group)
	}
	if e.Code != "" {
		fmt.Fprintf(&b, ": %s: %s [UCS02=%s]", e.Severity, firstNonEmpty(e.Message, e.Code.Text()), e.Code)
	}
	for _, el := range e.Elements {
		fmt.Fprintf(&b, "\n    %s%02d", e.SegmentID, el.Position)
		if el.Component > 0 {
			fmt.Fprintf(&b, "-%d", el.Component)
		}
		if el.Repetition > 1 {
			fmt.Fprintf(&b, " repetition %d", el.Repetition)
		}
		if el.Ref != "" {
			fmt.Fprintf(&b, " (element %s)", el.Ref)
		}
		fmt.Fprintf(&b, " %s: %s [UCD01=%s]", el.Severity, firstNonEmpty(el.Message, el.Code.Text()), el.Code)
		if el.Value != "" {
			fmt.Fprintf(&b, " value %q", el.Value)
		}
	}
	return b.String()
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// Status is what validation concluded about a message, a group or an
// interchange.
type Status string

const (
	Accepted           Status = "accepted"
	AcceptedWithErrors Status = "accepted-with-errors" // only errors an overlay accepts (mode note)
	Rejected           Status = "rejected"
)

// MessageResult is what validation concluded about one message: all a
// CONTRL (UCM, UCS, UCD) needs, without the message's segments.
type MessageResult struct {
	Ref         string         `json:"ref"`  // UNH 0062
	Type        string         `json:"type"` // S009 0065
	Version     string         `json:"version"`
	Release     string         `json:"release"`
	Agency      string         `json:"agency"`
	Association string         `json:"association,omitempty"`
	Status      Status         `json:"status"`
	Problems    []Problem      `json:"problems,omitempty"` // UCM-level: UNH/UNT, unsupported message
	Segments    []SegmentError `json:"segments,omitempty"` // UCS/UCD detail, errors and warnings
	Pos         Position       `json:"-"`
}

// Identifier returns S009 as written in UCM02: type:version:release:agency[:association].
func (r *MessageResult) Identifier() []string {
	id := []string{r.Type, r.Version, r.Release, r.Agency}
	if r.Association != "" {
		id = append(id, r.Association)
	}
	return id
}

// GroupResult is one group (UNG..UNE) with the results of its messages.
type GroupResult struct {
	Group    *Group           `json:"group"`
	Messages []*MessageResult `json:"messages"`
}

// InterchangeResult is one interchange with the results of its messages:
// those outside groups in Messages, those inside in Groups.
type InterchangeResult struct {
	Interchange *Interchange     `json:"interchange"`
	Messages    []*MessageResult `json:"messages,omitempty"`
	Groups      []*GroupResult   `json:"groups,omitempty"`
}

// Rejected reports whether anything in the interchange was rejected.
func (r *InterchangeResult) Rejected() bool {
	if r.Interchange.Rejected() {
		return true
	}
	for _, m := range r.Messages {
		if m.Status == Rejected {
			return true
		}
	}
	for _, g := range r.Groups {
		if g.Group.Rejected() {
			return true
		}
		for _, m := range g.Messages {
			if m.Status == Rejected {
				return true
			}
		}
	}
	return false
}
