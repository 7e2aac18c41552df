package x12

import (
	"fmt"
	"strings"
)

// Severity of a finding. Warnings come from partner overlays in warn mode:
// they are shown to operators but do not reject anything.
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

// SegmentErrorCode is an AK304 (997) / IK304 (999) segment syntax error code.
type SegmentErrorCode string

// Segment error codes (X12 element 720).
const (
	SegUnrecognized       SegmentErrorCode = "1"  // unrecognized segment ID
	SegUnexpected         SegmentErrorCode = "2"  // unexpected segment
	SegMandatoryMissing   SegmentErrorCode = "3"  // required segment missing
	SegLoopOverMax        SegmentErrorCode = "4"  // loop occurs over maximum times
	SegOverMaxUse         SegmentErrorCode = "5"  // segment exceeds maximum use
	SegNotInSet           SegmentErrorCode = "6"  // segment not in defined transaction set
	SegOutOfSequence      SegmentErrorCode = "7"  // segment not in proper sequence
	SegHasElementErrors   SegmentErrorCode = "8"  // segment has data element errors
	SegImplNotUsed        SegmentErrorCode = "I4" // 999: implementation "not used" segment present
	SegImplDependentMiss  SegmentErrorCode = "I6" // 999: implementation dependent segment missing
	SegImplLoopOverMax    SegmentErrorCode = "I7" // 999: implementation loop occurs under minimum times
	SegImplOverMaxUse     SegmentErrorCode = "I8" // 999: implementation segment below minimum use
	SegImplDependentNotUs SegmentErrorCode = "I9" // 999: implementation dependent "not used" segment present
)

// ElementErrorCode is an AK403 (997) / IK403 (999) element syntax error code.
type ElementErrorCode string

// Element error codes (X12 element 723).
const (
	ElemMandatoryMissing   ElementErrorCode = "1"   // required data element missing
	ElemConditionalMissing ElementErrorCode = "2"   // conditional required data element missing
	ElemTooMany            ElementErrorCode = "3"   // too many data elements
	ElemTooShort           ElementErrorCode = "4"   // data element too short
	ElemTooLong            ElementErrorCode = "5"   // data element too long
	ElemInvalidChar        ElementErrorCode = "6"   // invalid character in data element
	ElemInvalidCode        ElementErrorCode = "7"   // invalid code value
	ElemInvalidDate        ElementErrorCode = "8"   // invalid date
	ElemInvalidTime        ElementErrorCode = "9"   // invalid time
	ElemExclusion          ElementErrorCode = "10"  // exclusion condition violated
	ElemTooManyReps        ElementErrorCode = "12"  // too many repetitions
	ElemTooManyComponents  ElementErrorCode = "13"  // too many components
	ElemImplNotUsed        ElementErrorCode = "I10" // 999: implementation "not used" element present
	ElemImplTooFewReps     ElementErrorCode = "I11" // 999: implementation too few repetitions
	ElemImplPattern        ElementErrorCode = "I12" // 999: implementation pattern match failure
	ElemImplDependentNotUs ElementErrorCode = "I13" // 999: implementation dependent "not used" element present
	ElemImplCodeNotUsed    ElementErrorCode = "I6"  // 999: code value not used in implementation
	ElemImplDependentMiss  ElementErrorCode = "I9"  // 999: implementation dependent element missing
)

// SetErrorCode is an AK502-AK506 (997) / IK502 (999) transaction set code.
type SetErrorCode string

// Transaction set error codes (X12 element 718).
const (
	SetNotSupported      SetErrorCode = "1"  // transaction set not supported
	SetTrailerMissing    SetErrorCode = "2"  // transaction set trailer missing
	SetControlMismatch   SetErrorCode = "3"  // ST02 and SE02 do not match
	SetCountMismatch     SetErrorCode = "4"  // SE01 does not match the segment count
	SetSegmentsInError   SetErrorCode = "5"  // one or more segments in error
	SetBadIdentifier     SetErrorCode = "6"  // missing or invalid transaction set identifier
	SetBadControlNumber  SetErrorCode = "7"  // missing or invalid transaction set control number
	SetNotInGroup        SetErrorCode = "18" // transaction set not in functional group (005010)
	SetBadImplementation SetErrorCode = "19" // invalid implementation convention reference (005010)
	SetControlNotUnique  SetErrorCode = "23" // control number not unique within the group
)

// GroupErrorCode is an AK905-AK909 functional group error code.
type GroupErrorCode string

// Functional group error codes (X12 element 716).
const (
	GroupNotSupported        GroupErrorCode = "1"  // functional group not supported
	GroupVersionNotSupported GroupErrorCode = "2"  // functional group version not supported
	GroupTrailerMissing      GroupErrorCode = "3"  // functional group trailer missing
	GroupControlMismatch     GroupErrorCode = "4"  // GS06 and GE02 do not agree
	GroupCountMismatch       GroupErrorCode = "5"  // GE01 does not match the number of sets
	GroupBadControlNumber    GroupErrorCode = "6"  // group control number violates syntax
	GroupControlNotUnique    GroupErrorCode = "19" // group control number not unique within interchange (005010)
)

// InterchangeNoteCode is a TA105 interchange note code (X12 element I18).
type InterchangeNoteCode string

// Interchange note codes used by the reader and envelope checks.
const (
	TA1NoError             InterchangeNoteCode = "000"
	TA1ControlMismatch     InterchangeNoteCode = "001" // ISA13 and IEA02 do not match
	TA1StandardUnsupported InterchangeNoteCode = "002"
	TA1VersionUnsupported  InterchangeNoteCode = "003"
	TA1BadTerminator       InterchangeNoteCode = "004"
	TA1BadSenderQualifier  InterchangeNoteCode = "005"
	TA1BadSenderID         InterchangeNoteCode = "006"
	TA1BadReceiverQual     InterchangeNoteCode = "007"
	TA1BadReceiverID       InterchangeNoteCode = "008"
	TA1UnknownReceiver     InterchangeNoteCode = "009"
	TA1BadAuthQualifier    InterchangeNoteCode = "010"
	TA1BadAuthValue        InterchangeNoteCode = "011"
	TA1BadSecQualifier     InterchangeNoteCode = "012"
	TA1BadSecValue         InterchangeNoteCode = "013"
	TA1BadDate             InterchangeNoteCode = "014"
	TA1BadTime             InterchangeNoteCode = "015"
	TA1BadStandardsID      InterchangeNoteCode = "016"
	TA1BadVersion          InterchangeNoteCode = "017"
	TA1BadControlNumber    InterchangeNoteCode = "018"
	TA1BadAckRequested     InterchangeNoteCode = "019"
	TA1BadTestIndicator    InterchangeNoteCode = "020"
	TA1BadGroupCount       InterchangeNoteCode = "021"
	TA1BadControlStructure InterchangeNoteCode = "022"
	TA1PrematureEOF        InterchangeNoteCode = "023"
	TA1BadContent          InterchangeNoteCode = "024"
	TA1DuplicateControl    InterchangeNoteCode = "025"
	TA1BadElementSep       InterchangeNoteCode = "026"
	TA1BadComponentSep     InterchangeNoteCode = "027"
)

// ElementError is one element-level finding: an AK4 / IK4 in the ack.
type ElementError struct {
	Position   int              `json:"position"`             // AK401-1: 1-based element position in the segment
	Component  int              `json:"component,omitempty"`  // AK401-2: 1-based component position, 0 when n/a
	Repetition int              `json:"repetition,omitempty"` // AK401-3: 1-based repetition, 0 when n/a
	Ref        string           `json:"ref,omitempty"`        // AK402: data element reference number, e.g. "353"
	Code       ElementErrorCode `json:"code"`                 // AK403
	Value      string           `json:"value,omitempty"`      // AK404: copy of the bad value
	Severity   Severity         `json:"severity"`
	Message    string           `json:"message"`
}

// SegmentError is one segment-level finding (with its element findings):
// an AK3 / IK3 in the ack.
type SegmentError struct {
	SegmentID string           `json:"segment"`        // AK301
	Position  int              `json:"position"`       // AK302: position in the set, ST = 1
	LoopID    string           `json:"loop,omitempty"` // AK303
	Code      SegmentErrorCode `json:"code,omitempty"` // AK304; "" when the segment only has element errors
	Elements  []ElementError   `json:"elements,omitempty"`
	Pos       Position         `json:"-"`
	Severity  Severity         `json:"severity"`
	Message   string           `json:"message,omitempty"`
}

// HasErrors reports whether the finding (or one of its element findings) is
// an error rather than a warning.
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
	fmt.Fprintf(&b, "%s, segment %s at position %d in the set", e.Pos, e.SegmentID, e.Position)
	if e.LoopID != "" {
		fmt.Fprintf(&b, " (loop %s)", e.LoopID)
	}
	if e.Code != "" {
		fmt.Fprintf(&b, ": %s [AK304=%s]", firstNonEmpty(e.Message, segmentCodeText[e.Code]), e.Code)
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
		fmt.Fprintf(&b, " %s: %s [AK403=%s]", el.Severity, firstNonEmpty(el.Message, elementCodeText[el.Code]), el.Code)
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

var segmentCodeText = map[SegmentErrorCode]string{
	SegUnrecognized: "unrecognized segment ID", SegUnexpected: "unexpected segment",
	SegMandatoryMissing: "mandatory segment missing", SegLoopOverMax: "loop occurs over maximum times",
	SegOverMaxUse: "segment exceeds maximum use", SegNotInSet: "segment not in defined transaction set",
	SegOutOfSequence: "segment not in proper sequence", SegHasElementErrors: "segment has data element errors",
}

var elementCodeText = map[ElementErrorCode]string{
	ElemMandatoryMissing: "mandatory data element missing", ElemConditionalMissing: "conditional required data element missing",
	ElemTooMany: "too many data elements", ElemTooShort: "data element too short", ElemTooLong: "data element too long",
	ElemInvalidChar: "invalid character in data element", ElemInvalidCode: "invalid code value", ElemInvalidDate: "invalid date",
	ElemInvalidTime: "invalid time", ElemExclusion: "exclusion condition violated", ElemTooManyReps: "too many repetitions",
	ElemTooManyComponents: "too many components",
}

// SegmentCodeText returns the standard's wording for a segment error code.
func SegmentCodeText(c SegmentErrorCode) string { return segmentCodeText[c] }

// ElementCodeText returns the standard's wording for an element error code.
func ElementCodeText(c ElementErrorCode) string { return elementCodeText[c] }

// AckCode is an acknowledgment status: AK501 / AK901 (997), IK501 / AK901 (999).
type AckCode string

const (
	Accepted           AckCode = "A" // accepted
	AcceptedWithErrors AckCode = "E" // accepted, but errors were noted
	PartiallyAccepted  AckCode = "P" // group only: some sets rejected
	Rejected           AckCode = "R" // rejected
)

// SetResult is what validation concluded about one transaction set: all an
// acknowledgment needs, without the set's segments (so a file of 100,000
// sets keeps only these small records while it is acknowledged).
type SetResult struct {
	ID                string         `json:"id"`                           // ST01
	Control           string         `json:"control"`                      // ST02
	ImplementationRef string         `json:"implementation_ref,omitempty"` // ST03
	Status            AckCode        `json:"status"`                       // AK501
	Codes             []SetErrorCode `json:"codes,omitempty"`              // AK502..AK506 (at most 5 are sent)
	Segments          []SegmentError `json:"segments,omitempty"`           // AK3/AK4 detail, errors and warnings
	Pos               Position       `json:"-"`
}

// GroupResult is one functional group with the results of its sets.
type GroupResult struct {
	Group *Group       `json:"group"`
	Sets  []*SetResult `json:"sets"`
}

// InterchangeResult is one interchange with the results of its groups.
type InterchangeResult struct {
	Interchange *Interchange   `json:"interchange"`
	Groups      []*GroupResult `json:"groups"`
}
