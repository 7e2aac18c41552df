package canonical

// Acknowledgment is a functional or syntax acknowledgment, received from a
// partner for what we sent or sent by us for what we received (X12 997,
// 999, TA1; EDIFACT CONTRL). Received ones close out outbound messages in
// the store ("997 overdue" alerts); sent ones are built from validation
// findings. Nothing goes to Odoo.
//
// X12 acknowledges groups and the sets in them; CONTRL acknowledges an
// interchange and its messages, with groups only when UNG was used: such
// messages sit in sets at the top level.
type Acknowledgment struct {
	Meta        Meta            `json:"meta" doc:"Envelope; direction says whether we received or sent it."`
	Type        AckType         `json:"type" doc:"Which acknowledgment message it is."`
	Standard    Standard        `json:"standard" doc:"x12 or edifact."`
	Status      AckStatus       `json:"status" doc:"Overall verdict: AK901 / IK901, UCI04 for CONTRL, TA104 for TA1."`
	Interchange *InterchangeRef `json:"interchange,omitempty" doc:"The interchange acknowledged (TA1, UCI); the sender and receiver are as in the original."`
	Groups      []AckGroup      `json:"groups,omitempty" doc:"Groups acknowledged (AK1 / UCF)."`
	Sets        []AckSet        `json:"sets,omitempty" doc:"Messages acknowledged outside any group (UCM without UCF)."`
	Errors      []AckError      `json:"errors,omitempty" doc:"Interchange-level errors (TA105, UCI05…)."`
}

// AckGroup is the verdict on one functional group.
type AckGroup struct {
	FunctionalID  string     `json:"functional_id,omitempty" doc:"AK101 (PO, SH…) or UCF function."`
	ControlNumber string     `json:"control_number" doc:"AK102: the GS06 acknowledged."`
	Version       string     `json:"version,omitempty" doc:"AK103: the GS08 acknowledged."`
	Status        AckStatus  `json:"status" doc:"AK901 / UCF04."`
	SetsIncluded  int        `json:"sets_included,omitempty" doc:"AK902: sets the group said it held."`
	SetsReceived  int        `json:"sets_received,omitempty" doc:"AK903: sets received."`
	SetsAccepted  int        `json:"sets_accepted,omitempty" doc:"AK904: sets accepted."`
	Sets          []AckSet   `json:"sets,omitempty" doc:"Verdicts per set (AK2 loops); a 997 may list only the sets with errors."`
	Errors        []AckError `json:"errors,omitempty" doc:"Group-level syntax errors (AK905–AK909 codes)."`
}

// AckSet is the verdict on one transaction set or message.
type AckSet struct {
	ID            string     `json:"id" doc:"AK201 / UCM02 message type (850, ORDERS…)."`
	ControlNumber string     `json:"control_number" doc:"AK202 / UCM01: the ST02 or UNH01 acknowledged."`
	Status        AckStatus  `json:"status" doc:"AK501 / IK501 / UCM03."`
	Errors        []AckError `json:"errors,omitempty" doc:"What was wrong, segment by segment."`
}

// AckError is one error an acknowledgment reports, located the way the
// acknowledgment located it (positions are 1-based, as in the standards).
type AckError struct {
	Code              string `json:"code" doc:"Error code as sent (AK304, AK403, AK502, IK304, UCS02, UCD01…)."`
	Description       string `json:"description,omitempty" doc:"Human-readable meaning of the code."`
	SegmentID         string `json:"segment_id,omitempty" doc:"Segment tag (AK301 / IK301)."`
	SegmentPosition   int    `json:"segment_position,omitempty" doc:"Position of the segment in the set, ST = 1 (AK302 / UCS01)."`
	LoopID            string `json:"loop_id,omitempty" doc:"Loop identifier (AK303)."`
	ElementPosition   int    `json:"element_position,omitempty" doc:"Element position in the segment (AK401 / UCD02.1)."`
	ComponentPosition int    `json:"component_position,omitempty" doc:"Component position in a composite (AK401-2 / UCD02.2)."`
	ElementReference  string `json:"element_reference,omitempty" doc:"Data element reference number (AK402)."`
	BadValue          string `json:"bad_value,omitempty" doc:"Copy of the bad data (AK404)."`
}

// DocMeta returns the envelope.
func (a *Acknowledgment) DocMeta() *Meta { return &a.Meta }

// Validate reports every problem in the acknowledgment.
func (a *Acknowledgment) Validate() error {
	v := newValidator(KindAcknowledgment)
	v.meta("meta", &a.Meta, KindAcknowledgment)
	v.enumRequired("type", a.Type)
	v.enumRequired("standard", a.Standard)
	if a.Standard != "" && a.Standard != StandardX12 && a.Standard != StandardEDIFACT {
		v.addf("standard", "must be %s or %s", StandardX12, StandardEDIFACT)
	}
	switch {
	case a.Type == AckContrl && a.Standard == StandardX12,
		(a.Type == AckFunctional || a.Type == AckImplementation || a.Type == AckInterchange) && a.Standard == StandardEDIFACT:
		v.addf("type", "%s is not an acknowledgment of %s", a.Type, a.Standard)
	}
	v.enumRequired("status", a.Status)
	if a.Interchange != nil {
		v.required("interchange.control_number", a.Interchange.ControlNumber)
	}
	if a.Interchange == nil && len(a.Groups) == 0 && len(a.Sets) == 0 {
		v.add("interchange", "acknowledges nothing: needs interchange, groups or sets")
	}
	if a.Type == AckInterchange && (len(a.Groups) > 0 || len(a.Sets) > 0) {
		v.add("groups", "a TA1 acknowledges the interchange only")
	}
	v.ackErrors("errors", a.Errors)
	for i := range a.Groups {
		g := &a.Groups[i]
		p := v.index("groups", i)
		v.required(p+".control_number", g.ControlNumber)
		v.enumRequired(p+".status", g.Status)
		if g.SetsAccepted > g.SetsReceived && g.SetsReceived > 0 {
			v.addf(p+".sets_accepted", "%d is more than sets_received %d", g.SetsAccepted, g.SetsReceived)
		}
		v.ackSets(p+".sets", g.Sets)
		v.ackErrors(p+".errors", g.Errors)
	}
	v.ackSets("sets", a.Sets)
	return v.err()
}

func (v *validator) ackSets(path string, sets []AckSet) {
	for i := range sets {
		s := &sets[i]
		p := v.index(path, i)
		v.required(p+".id", s.ID)
		v.required(p+".control_number", s.ControlNumber)
		v.enumRequired(p+".status", s.Status)
		v.ackErrors(p+".errors", s.Errors)
	}
}

func (v *validator) ackErrors(path string, es []AckError) {
	for i, e := range es {
		p := v.index(path, i)
		v.required(p+".code", e.Code)
		if e.SegmentPosition < 0 || e.ElementPosition < 0 || e.ComponentPosition < 0 {
			v.add(p, "positions must not be negative")
		}
	}
}
