package x12

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// AckType is the kind of acknowledgment a partner wants.
type AckType string

const (
	Ack997 AckType = "997" // functional acknowledgment (any version; follows GS08)
	Ack999 AckType = "999" // implementation acknowledgment, 005010X231A1
	AckTA1 AckType = "TA1" // interchange acknowledgment only
)

// Version999 is the implementation guide a 999 follows (GS08 and ST03).
const Version999 = "005010X231A1"

// AckIdentity is who we are on the acknowledgment's envelope, from the
// partner profile. Empty fields default to the inbound envelope with sender
// and receiver swapped; empty ISA01/ISA03 mean "no information" (00).
type AckIdentity struct {
	SenderQualifier   string // ISA05: ours
	SenderID          string // ISA06: ours
	ReceiverQualifier string // ISA07: the partner's
	ReceiverID        string // ISA08: the partner's
	AppSender         string // GS02: ours
	AppReceiver       string // GS03: the partner's
	AuthQualifier     string // ISA01
	AuthInfo          string // ISA02
	SecurityQualifier string // ISA03
	SecurityInfo      string // ISA04
}

// AckOptions control BuildAck.
type AckOptions struct {
	// Type is the acknowledgment the partner wants: Ack997, Ack999 or
	// AckTA1. With 997/999 a TA1 is added when the sender asked for one
	// (ISA14 = 1) or the interchange is rejected; with AckTA1 a TA1 is
	// always sent and no group is acknowledged.
	Type AckType
	// Identity overrides the envelope identities; nil takes them from the
	// inbound envelope, sender and receiver swapped.
	Identity *AckIdentity
	// Controls allocates ISA13, GS06 and ST02. Required.
	Controls ControlNumbers
	// Partner keys the control-number sequences; empty means the inbound
	// ISA05:ISA06 (the partner we answer).
	Partner string
	// Now is the clock for ISA09/ISA10 and GS04/GS05; nil means time.Now.
	Now func() time.Time
	// Delimiters override the inbound interchange's delimiters.
	Delimiters *Delimiters
	// LineBreak ("", "\n" or "\r\n") is written after each terminator.
	LineBreak string
	// RejectGroupOnEnvelopeError makes any group envelope problem (AK905
	// code) reject the whole group and all its sets. By default only
	// "group not supported" (1) and "version not supported" (2) do; the
	// others (trailer missing, count or control mismatch, …) are noted with
	// AK901 E or P and the sets keep their own status, which is what the
	// E code ("accepted, but errors were noted") is for.
	RejectGroupOnEnvelopeError bool
}

// ErrAckOptions is wrapped by BuildAck's errors about its inputs.
var ErrAckOptions = errors.New("invalid acknowledgment request")

// BuildAck builds the acknowledgment interchange for one inbound
// interchange from its validation results. It returns nil, nil when there
// is nothing to send: no TA1 is due and every group is itself an
// acknowledgment (GS01 = FA), which is never acknowledged.
//
// The output is one interchange: ISA, the TA1 when due (placed before the
// first GS, as the X12 control structure requires), then for 997/999 one
// FA functional group per distinct (GS08, GS02, GS03) holding one 997/999
// per inbound group, then IEA. When the interchange is rejected (TA1 R) its
// groups are not acknowledged.
//
// Version rules. A 997 carries the inbound GS08 in its own GS08; from
// 005010 on it adds AK103 (GS08), AK203 (ST03) and the repetition position
// in AK401-3. Codes the ack's version does not define are mapped to the
// closest code it does (see mapSegmentCode and its siblings); a 999 always
// follows 005010X231A1 and uses the implementation codes as they are.
func BuildAck(ctx context.Context, r *InterchangeResult, o AckOptions) ([]byte, error) {
	if r == nil || r.Interchange == nil {
		return nil, fmt.Errorf("%w: no interchange", ErrAckOptions)
	}
	switch o.Type {
	case Ack997, Ack999, AckTA1:
	default:
		return nil, fmt.Errorf("%w: type %q: want 997, 999 or TA1", ErrAckOptions, o.Type)
	}
	if o.Controls == nil {
		return nil, fmt.Errorf("%w: Controls is required (control numbers must never be invented)", ErrAckOptions)
	}
	ic := r.Interchange
	sendTA1 := o.Type == AckTA1 || TA1Wanted(ic)
	var groups []*GroupResult
	if o.Type != AckTA1 && !ic.Rejected() {
		for _, g := range r.Groups {
			if g != nil && g.Group != nil && !isAckGroup(g) {
				groups = append(groups, g)
			}
		}
	}
	if !sendTA1 && len(groups) == 0 {
		return nil, nil
	}

	b := &ackBuilder{ctx: ctx, o: o, ic: ic}
	b.partner = o.Partner
	if b.partner == "" {
		b.partner = ic.SenderQualifier + ":" + ic.SenderID
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	b.now = now()

	env := b.envelope()
	d := ic.Delimiters
	if o.Delimiters != nil {
		d = *o.Delimiters
	}
	d = fitRepetition(d, env.Version)
	var buf bytes.Buffer
	b.w = NewWriter(&buf, d, WithLineBreak(o.LineBreak))

	isa13, err := b.next(KindISA)
	if err != nil {
		return nil, err
	}
	env.Control = fmt.Sprintf("%09d", isa13)
	if err := b.w.BeginInterchange(env); err != nil {
		return nil, fmt.Errorf("acknowledgment ISA for interchange %s: %w", ic.Control, err)
	}
	if sendTA1 {
		if err := b.w.WriteTA1(ic); err != nil {
			return nil, fmt.Errorf("TA1 for interchange %s: %w", ic.Control, err)
		}
	}
	for _, fg := range b.faGroups(groups) {
		if err := b.writeFAGroup(fg); err != nil {
			return nil, err
		}
	}
	if err := b.w.EndInterchange(); err != nil {
		return nil, err
	}
	if err := b.w.Flush(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// isAckGroup reports whether a group is itself acknowledgments (GS01 FA,
// or every set a 997/999), which must never be acknowledged: two gateways
// acknowledging each other's acknowledgments would never stop.
func isAckGroup(g *GroupResult) bool {
	if g.Group.FunctionalID == "FA" {
		return true
	}
	if len(g.Sets) == 0 {
		return false
	}
	for _, s := range g.Sets {
		if s == nil || (s.ID != "997" && s.ID != "999") {
			return false
		}
	}
	return true
}

type ackBuilder struct {
	ctx     context.Context
	o       AckOptions
	ic      *Interchange
	partner string
	now     time.Time
	w       *Writer
}

func (b *ackBuilder) next(kind string) (int64, error) {
	n, err := b.o.Controls.Next(b.ctx, ControlKey{Partner: b.partner, Kind: kind})
	if err != nil {
		return 0, fmt.Errorf("allocating %s control number for partner %s: %w", kind, b.partner, err)
	}
	if n < 1 || n > MaxControlNumber {
		return 0, fmt.Errorf("%w: %s control number %d for partner %s is outside 1..%d", ErrAckOptions, kind, n, b.partner, MaxControlNumber)
	}
	return n, nil
}

// envelope returns the acknowledgment's ISA header: identities from the
// options or swapped from the inbound ISA, usage and version mirrored.
func (b *ackBuilder) envelope() *Interchange {
	ic := b.ic
	env := &Interchange{
		SenderQualifier: ic.ReceiverQualifier, SenderID: ic.ReceiverID,
		ReceiverQualifier: ic.SenderQualifier, ReceiverID: ic.SenderID,
		Date: b.now.Format("060102"), Time: b.now.Format("1504"),
		Version: ic.Version, AckRequested: "0", Usage: ic.Usage,
	}
	if id := b.o.Identity; id != nil {
		env.SenderQualifier = orDefault(id.SenderQualifier, env.SenderQualifier)
		env.SenderID = orDefault(id.SenderID, env.SenderID)
		env.ReceiverQualifier = orDefault(id.ReceiverQualifier, env.ReceiverQualifier)
		env.ReceiverID = orDefault(id.ReceiverID, env.ReceiverID)
		env.AuthQualifier, env.AuthInfo = id.AuthQualifier, id.AuthInfo
		env.SecurityQualifier, env.SecurityInfo = id.SecurityQualifier, id.SecurityInfo
	}
	// A rejected interchange may have an unusable ISA12 or ISA15 (TA1 notes
	// 017, 020), yet it must still get its TA1: fall back to the most
	// common version and to production, so the partner's live system sees
	// the rejection.
	if len(env.Version) != 5 || !isDigits(env.Version) {
		env.Version = "00401"
	}
	if env.Usage != "P" && env.Usage != "T" && env.Usage != "I" {
		env.Usage = "P"
	}
	return env
}

// fitRepetition makes the delimiters agree with the ISA version: 00402 and
// later need a repetition separator (ISA11), earlier versions have none.
func fitRepetition(d Delimiters, version string) Delimiters {
	if version < "00402" {
		d.Repetition = 0
		return d
	}
	if d.Repetition != 0 {
		return d
	}
	for _, c := range []byte("^|{}!") {
		if !d.Contains(c) {
			d.Repetition = c
			break
		}
	}
	return d
}

// faGroup is one outbound FA group: the inbound groups it acknowledges.
type faGroup struct {
	version, appSender, appReceiver string
	groups                          []*GroupResult
}

func (b *ackBuilder) faGroups(groups []*GroupResult) []*faGroup {
	var out []*faGroup
	for _, g := range groups {
		k := faGroup{version: b.ackVersion(g.Group), appSender: g.Group.AppReceiver, appReceiver: g.Group.AppSender}
		if id := b.o.Identity; id != nil {
			k.appSender = orDefault(id.AppSender, k.appSender)
			k.appReceiver = orDefault(id.AppReceiver, k.appReceiver)
		}
		i := slices.IndexFunc(out, func(f *faGroup) bool {
			return f.version == k.version && f.appSender == k.appSender && f.appReceiver == k.appReceiver
		})
		if i < 0 {
			out = append(out, &k)
			i = len(out) - 1
		}
		out[i].groups = append(out[i].groups, g)
	}
	return out
}

// ackVersion is the GS08 of the acknowledgment of inbound group g: the
// inbound GS08 for a 997 (the version follows the group), 005010X231A1 for
// a 999. A missing GS08 falls back to the ISA12 version widened to six
// digits, so the 997 still names a version.
func (b *ackBuilder) ackVersion(g *Group) string {
	if b.o.Type == Ack999 {
		return Version999
	}
	if g.Version != "" {
		return g.Version
	}
	if len(b.ic.Version) == 5 && isDigits(b.ic.Version) {
		return b.ic.Version + "0"
	}
	return "004010"
}

func (b *ackBuilder) writeFAGroup(fg *faGroup) error {
	gs06, err := b.next(KindGS)
	if err != nil {
		return err
	}
	g := &Group{FunctionalID: "FA", AppSender: fg.appSender, AppReceiver: fg.appReceiver,
		Date: b.now.Format("20060102"), Time: b.now.Format("1504"),
		Control: strconv.FormatInt(gs06, 10), Agency: "X", Version: fg.version}
	if err := b.w.BeginGroup(g); err != nil {
		return fmt.Errorf("acknowledgment GS: %w", err)
	}
	for _, gr := range fg.groups {
		if err := b.writeAckSet(gr); err != nil {
			return fmt.Errorf("%s for group %s (GS06 %s): %w", b.o.Type, gr.Group.FunctionalID, gr.Group.Control, err)
		}
	}
	return b.w.EndGroup()
}

// ackFlavor is the code set and layout an acknowledgment follows.
type ackFlavor uint8

const (
	flavor997v4010 ackFlavor = iota // 997 before 005010: C030 without repetition, 4010 code lists
	flavor997v5010                  // 997 005010 and later
	flavor999                       // 999 005010X231A1: IK3/IK4/IK5 with implementation codes
)

func (b *ackBuilder) flavor(g *Group) ackFlavor {
	if b.o.Type == Ack999 {
		return flavor999
	}
	if v := b.ackVersion(g); len(v) >= 6 && isDigits(v[:6]) && v[:6] >= "005010" {
		return flavor997v5010
	}
	// 004020 … 004060 are treated like 004010: their code lists only add
	// to 004010's, so 004010 codes are valid in all of them.
	return flavor997v4010
}

func (b *ackBuilder) writeAckSet(gr *GroupResult) error {
	grp := gr.Group
	fl := b.flavor(grp)
	st02, err := b.next(KindST)
	if err != nil {
		return err
	}
	w := b.w
	ctl := fmt.Sprintf("%04d", st02)
	if fl == flavor999 {
		w.BeginSetRef("999", ctl, Version999)
	} else {
		w.BeginSet("997", ctl)
	}
	if fl == flavor997v4010 {
		w.WriteSegment("AK1", grp.FunctionalID, grp.Control)
	} else {
		w.WriteSegment("AK1", grp.FunctionalID, grp.Control, grp.Version)
	}

	rejectAll := false
	for _, p := range grp.Problems {
		if b.o.RejectGroupOnEnvelopeError || p.Code == GroupNotSupported || p.Code == GroupVersionNotSupported {
			rejectAll = true
		}
	}
	accepted := 0
	anyE := false
	for _, sr := range gr.Sets {
		if sr == nil {
			continue
		}
		status := setStatus(sr)
		if rejectAll {
			status = Rejected
		}
		switch status {
		case Accepted:
			accepted++
		case AcceptedWithErrors:
			accepted++
			anyE = true
		}
		b.writeSetResponse(fl, sr, status)
	}

	received := max(len(gr.Sets), grp.Sets)
	included := received
	if grp.HasTrailer {
		// AK902 is GE01 as the sender stated it: a difference from AK903 is
		// how the 997 shows a count mismatch. Without a GE there is no stated
		// count; the sets counted are reported (pyx12 writes 0 here, which
		// reads as a second, invented mismatch next to AK905 = 3).
		if n, err := strconv.Atoi(strings.TrimSpace(grp.TrailerSetCount)); err == nil && n >= 0 {
			included = n
		}
	}
	var codes []string
	for _, p := range grp.Problems {
		codes = appendCode(codes, mapGroupCode(string(p.Code), fl))
	}
	var ak901 AckCode
	switch {
	case rejectAll:
		ak901, accepted = Rejected, 0
	case received == 0 && len(codes) > 0:
		ak901 = Rejected
	case accepted == received:
		ak901 = Accepted
		if anyE || len(codes) > 0 {
			ak901 = AcceptedWithErrors
		}
	case accepted == 0:
		ak901 = Rejected
	default:
		ak901 = PartiallyAccepted
	}
	ak9 := []string{string(ak901), strconv.Itoa(included), strconv.Itoa(received), strconv.Itoa(accepted)}
	ak9 = append(ak9, codes[:min(len(codes), 5)]...)
	w.WriteSegment("AK9", ak9...)
	return w.EndSet()
}

// setStatus is the set's AK501/IK501: the validator's conclusion, or when
// it left none, R for any error and A otherwise.
func setStatus(sr *SetResult) AckCode {
	if sr.Status != "" {
		return sr.Status
	}
	if len(sr.Codes) > 0 {
		return Rejected
	}
	for i := range sr.Segments {
		if sr.Segments[i].HasErrors() {
			return Rejected
		}
	}
	return Accepted
}

// writeSetResponse writes AK2, the AK3/AK4 (IK3/IK4) detail and AK5/IK5.
// Only errors are sent: warnings come from partner overlays in warn mode
// and are for our operators, not the partner.
func (b *ackBuilder) writeSetResponse(fl ackFlavor, sr *SetResult, status AckCode) {
	w := b.w
	if fl == flavor997v4010 {
		w.WriteSegment("AK2", sr.ID, sr.Control)
	} else {
		w.WriteSegment("AK2", sr.ID, sr.Control, b.safe(sr.ImplementationRef, 35))
	}
	segTag, elemTag, setTag := "AK3", "AK4", "AK5"
	if fl == flavor999 {
		segTag, elemTag, setTag = "IK3", "IK4", "IK5"
	}
	sentDetail := false
	for i := range sr.Segments {
		se := &sr.Segments[i]
		if !se.HasErrors() {
			continue
		}
		id := ackSegmentID(se.SegmentID)
		if id == "" || se.Position < 1 {
			// AK301 and AK302 are mandatory and cannot be invented; the set's
			// AK5 still reports code 5.
			sentDetail = true
			continue
		}
		code := ""
		if se.Code != "" && se.Severity == SevError {
			code = mapSegmentCode(string(se.Code), fl)
		}
		var elems []ElementError
		for _, el := range se.Elements {
			if el.Severity == SevError && el.Position >= 1 {
				elems = append(elems, el)
			}
		}
		if code == "" && len(elems) > 0 {
			code = string(SegHasElementErrors)
		}
		w.WriteSegment(segTag, id, strconv.Itoa(se.Position), b.safe(se.LoopID, 4), code)
		sentDetail = true
		// AK4/IK4 may occur at most 99 times per AK3/IK3.
		for _, el := range elems[:min(len(elems), 99)] {
			pos := Composite(strconv.Itoa(el.Position), posOrEmpty(el.Component))
			if fl != flavor997v4010 {
				pos = Composite(strconv.Itoa(el.Position), posOrEmpty(el.Component), posOrEmpty(el.Repetition))
			}
			ref := el.Ref
			if len(ref) > 4 || !isDigits(ref) {
				ref = ""
			}
			var bad string
			if el.Code != ElemMandatoryMissing && el.Code != ElemConditionalMissing {
				bad = b.safe(el.Value, 99)
			}
			w.WriteValues(elemTag, pos, Simple(ref), Simple(mapElementCode(string(el.Code), fl)), Simple(bad))
		}
	}
	ak5 := []string{string(status)}
	if status != Accepted {
		var codes []string
		for _, c := range sr.Codes {
			codes = appendCode(codes, mapSetCode(string(c), fl))
		}
		// Detail was sent, so the set has segments in error: say so unless
		// the 999's implementation form of the same code (I5) is there.
		if sentDetail && !slices.Contains(codes, "I5") {
			codes = appendCode(codes, string(SetSegmentsInError))
		}
		ak5 = append(ak5, codes[:min(len(codes), 5)]...)
	}
	w.WriteSegment(setTag, ak5...)
}

func posOrEmpty(n int) string {
	if n < 1 {
		return ""
	}
	return strconv.Itoa(n)
}

// appendCode appends c unless it is empty or already present: each code is
// stated once.
func appendCode(codes []string, c string) []string {
	if c == "" || slices.Contains(codes, c) {
		return codes
	}
	return append(codes, c)
}

// safe returns s for a copy element (AK404, AK303, AK203) when it can be
// written as data: at most limit characters, printable, and free of the
// ack's delimiters. Otherwise it returns "": the copy is optional, and
// cutting or altering the partner's data would make it a false copy.
func (b *ackBuilder) safe(s string, limit int) string {
	if len(s) > limit {
		return ""
	}
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] == 0x7f || b.w.d.Contains(s[i]) {
			return ""
		}
	}
	return s
}

// ackSegmentID returns the segment tag for AK301/IK301 (ID 2/3), or "" when
// the tag as read is not one (garbage between segments).
func ackSegmentID(id string) string {
	if checkSegmentID(id) != nil {
		return ""
	}
	return id
}

// Code mapping. The 997 uses elements 720 (AK304), 723 (AK403) and 718
// (AK502); the 999 uses 620 (IK304), 621 (IK403) and 618 (IK502), which add
// the implementation ("I") codes. So a 997 of any version gets the closest
// syntax code for an I code, and a 997 before 005010 also for the codes
// 005010 added. The mapping:
//
//	AK304 (720), any 997:   I4 impl. "not used" segment present      → 2 unexpected segment
//	                        I6 impl. dependent segment missing       → 3 mandatory segment missing
//	                        I7 impl. loop occurs under minimum times → 3 mandatory segment missing
//	                        I8 impl. segment below minimum use       → 3 mandatory segment missing
//	                        I9 impl. dependent "not used" seg present → 2 unexpected segment
//	AK403 (723), any 997:   I6 code value not used in implementation → 7 invalid code value
//	                        I9 impl. dependent element missing       → 2 conditional required element missing
//	                        I10 impl. "not used" element present     → 10 exclusion condition violated
//	                        I11 impl. too few repetitions            → 1 mandatory data element missing
//	                        I12 impl. pattern match failure          → 6 invalid character in data element
//	                        I13 impl. dependent "not used" present   → 10 exclusion condition violated
//	AK403, 997 before 005010: 12 too many repetitions                → 3 too many data elements
//	                        13 too many components                   → 3 too many data elements
//	AK502 (718), any 997:   I5 impl. one or more segments in error   → 5 one or more segments in error
//	                        I6 impl. convention not supported        → 19 (005010) / 1 set not supported (004010)
//	AK502, 997 before 005010: 19 invalid implementation convention ref → 1 transaction set not supported
//	                        18 set not in functional group           → dropped: a 997 answers a group,
//	                                                                   so the code cannot apply
//	AK905 (716), before 005010: 19 group control number not unique   → 6 group control number violates syntax
//
// Code 23 (set control number not unique within the group) is in the
// 004010 code list of 718 already and is sent as is.
func mapSegmentCode(c string, fl ackFlavor) string {
	if fl == flavor999 {
		return c
	}
	switch c {
	case "I4", "I9":
		return "2"
	case "I6", "I7", "I8":
		return "3"
	}
	return c
}

func mapElementCode(c string, fl ackFlavor) string {
	if fl == flavor999 {
		return c
	}
	switch c {
	case "I6":
		return "7"
	case "I9":
		return "2"
	case "I10", "I13":
		return "10"
	case "I11":
		return "1"
	case "I12":
		return "6"
	}
	if fl == flavor997v4010 && (c == "12" || c == "13") {
		return "3"
	}
	return c
}

func mapSetCode(c string, fl ackFlavor) string {
	if fl == flavor999 {
		return c
	}
	switch c {
	case "I5":
		return "5"
	case "I6":
		c = "19"
	}
	if fl == flavor997v4010 {
		switch c {
		case "19":
			return "1"
		case "18":
			return ""
		}
	}
	return c
}

func mapGroupCode(c string, fl ackFlavor) string {
	if fl == flavor997v4010 && c == "19" {
		return "6"
	}
	return c
}
