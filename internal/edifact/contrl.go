package edifact

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"
)

// ContrlWhen says when BuildCONTRL answers an interchange.
type ContrlWhen uint8

const (
	// ContrlOnRequestOrError (the default): when the sender asked (UNB
	// 0031 = 1 or 2) or something was rejected.
	ContrlOnRequestOrError ContrlWhen = iota
	// ContrlOnRequest: only when the sender asked.
	ContrlOnRequest
	// ContrlAlways: for every interchange (except CONTRL interchanges).
	ContrlAlways
)

// References allocates outbound references: UNB 0020 and UNH 0062 of our
// CONTRL interchanges. The durable store implements it in the same
// transaction as the outbound message; the method name differs from
// x12.ControlNumbers' so that one store can implement both.
type References interface {
	NextReference(ctx context.Context, partner, kind string) (int64, error)
}

// Reference kinds.
const (
	RefInterchange = "UNB"
	RefMessage     = "UNH"
)

// MemoryReferences is an in-memory References for tests and one-off runs.
type MemoryReferences struct {
	mu   sync.Mutex
	last map[[2]string]int64
}

// NewMemoryReferences returns an allocator whose sequences start at 1.
func NewMemoryReferences() *MemoryReferences {
	return &MemoryReferences{last: map[[2]string]int64{}}
}

// NextReference returns the next reference of partner's sequence kind.
func (m *MemoryReferences) NextReference(ctx context.Context, partner, kind string) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	k := [2]string{partner, kind}
	m.last[k]++
	return m.last[k], nil
}

var _ References = (*MemoryReferences)(nil)

// ContrlIdentity is who we are on the CONTRL's UNB; empty fields default
// to the inbound UNB with sender and recipient swapped.
type ContrlIdentity struct {
	SenderID, SenderQualifier       string // ours
	RecipientID, RecipientQualifier string // the partner's
}

// ContrlOptions control BuildCONTRL.
type ContrlOptions struct {
	When ContrlWhen
	// ReportAccepted lists accepted messages too (UCM action 7); by default
	// the UCI's action 7 covers them and only rejected messages get a UCM.
	ReportAccepted bool
	Identity       *ContrlIdentity
	References     References // required
	Partner        string     // keys the reference sequences; default the inbound sender
	Now            func() time.Time
	Delimiters     *Delimiters // default: the inbound interchange's
	LineBreak      string
}

// ErrContrlOptions is wrapped by BuildCONTRL's errors about its inputs.
var ErrContrlOptions = errors.New("invalid CONTRL request")

// maxUCD and maxUCS are CONTRL's repeats: SG2/SG5 (UCS) 999 per message,
// UCD 99 per UCS.
const (
	maxUCS = 999
	maxUCD = 99
)

// BuildCONTRL builds the CONTRL interchange answering one inbound
// interchange from its validation results, for syntax version 3 (CONTRL
// D:3:UN, used for versions 1-3) or 4 (CONTRL 4:1:UN). It returns nil, nil
// when nothing is to be sent: the options do not call for it, or the
// interchange holds only CONTRL messages (a CONTRL is never answered with
// a CONTRL).
//
// Structure: UCI with the action for the interchange (4 rejected, 7
// acknowledged, 8 received when the sender asked only for an indication of
// receipt) and its first error; then, unless the interchange is rejected
// as a whole, a UCM per rejected message (per message with
// ReportAccepted) with UCS/UCD detail for messages outside groups (SG1),
// and a UCF per group with its UCMs (SG3). Warnings are never sent.
func BuildCONTRL(ctx context.Context, r *InterchangeResult, o ContrlOptions) ([]byte, error) {
	if r == nil || r.Interchange == nil {
		return nil, fmt.Errorf("%w: no interchange", ErrContrlOptions)
	}
	if o.References == nil {
		return nil, fmt.Errorf("%w: References is required (references must never be invented)", ErrContrlOptions)
	}
	ic := r.Interchange
	if onlyCONTRL(r) {
		return nil, nil
	}
	switch o.When {
	case ContrlOnRequest:
		if !ic.AckRequested() {
			return nil, nil
		}
	case ContrlOnRequestOrError:
		if !ic.AckRequested() && !r.Rejected() {
			return nil, nil
		}
	}
	syntax := 3
	if ic.SyntaxVersion >= 4 {
		syntax = 4
	}
	partner := o.Partner
	if partner == "" {
		partner = partyName(ic.SenderID, ic.SenderQualifier)
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	t := now()
	id := ContrlIdentity{SenderID: ic.RecipientID, SenderQualifier: ic.RecipientQualifier, RecipientID: ic.SenderID, RecipientQualifier: ic.SenderQualifier}
	if o.Identity != nil {
		id = fillIdentity(*o.Identity, id)
	}
	ref := func(kind string) (string, error) {
		n, err := o.References.NextReference(ctx, partner, kind)
		if err != nil {
			return "", fmt.Errorf("allocating %s reference for partner %s: %w", kind, partner, err)
		}
		if n < 1 {
			return "", fmt.Errorf("%w: %s reference %d for partner %s is not positive", ErrContrlOptions, kind, n, partner)
		}
		return strconv.FormatInt(n, 10), nil
	}
	icRef, err := ref(RefInterchange)
	if err != nil {
		return nil, err
	}
	msgRef, err := ref(RefMessage)
	if err != nil {
		return nil, err
	}
	d := ic.Delimiters
	if o.Delimiters != nil {
		d = *o.Delimiters
	}
	if d == (Delimiters{}) {
		d = DefaultDelimiters
	}
	var buf bytes.Buffer
	w := NewWriter(&buf, d, WithLineBreak(o.LineBreak))
	date := t.Format("060102")
	if syntax == 4 {
		date = t.Format("20060102")
	}
	sid := ic.SyntaxID
	if _, ok := LookupRepertoire(sid); !ok {
		sid = "UNOA"
	}
	version := ic.SyntaxVersion
	if version < 1 || version > 4 {
		version = syntax
	}
	if err := w.BeginInterchange(InterchangeHeader{SyntaxID: sid, SyntaxVersion: version,
		SenderID: id.SenderID, SenderQualifier: id.SenderQualifier, RecipientID: id.RecipientID, RecipientQualifier: id.RecipientQualifier,
		Date: date, Time: t.Format("1504"), Control: icRef, Test: ic.Test()}); err != nil {
		return nil, fmt.Errorf("CONTRL UNB for interchange %s: %w", ic.Control, err)
	}
	mid := MessageID{Type: "CONTRL", Version: "D", Release: "3", Agency: "UN"}
	if syntax == 4 {
		mid = MessageID{Type: "CONTRL", Version: "4", Release: "1", Agency: "UN"}
	}
	if err := w.BeginMessage(msgRef, mid); err != nil {
		return nil, err
	}
	b := contrlBuilder{w: w, syntax: syntax, o: o}
	// UCI: the subject interchange as its UNB names it.
	action := ActionAcknowledged
	if ic.AckRequest == "2" && syntax == 4 && !r.Rejected() {
		action = ActionReceived
	}
	var first *Problem
	for i := range ic.Problems {
		if ic.Problems[i].Severity == SevError {
			first = &ic.Problems[i]
			break
		}
	}
	if first != nil {
		action = ActionRejected
	}
	uci := []Value{Simple(ic.Control), Composite(ic.SenderID, ic.SenderQualifier), Composite(ic.RecipientID, ic.RecipientQualifier), Simple(string(action))}
	uci = append(uci, b.problemValues(first)...)
	if err := w.WriteValues("UCI", uci...); err != nil {
		return nil, err
	}
	if action != ActionRejected && action != ActionReceived {
		for _, m := range r.Messages {
			b.message(m)
		}
		for _, g := range r.Groups {
			b.group(g)
		}
	}
	if err := w.EndMessage(); err != nil {
		return nil, err
	}
	if err := w.EndInterchange(); err != nil {
		return nil, err
	}
	if err := w.Flush(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func fillIdentity(o, def ContrlIdentity) ContrlIdentity {
	if o.SenderID == "" {
		o.SenderID, o.SenderQualifier = def.SenderID, def.SenderQualifier
	}
	if o.RecipientID == "" {
		o.RecipientID, o.RecipientQualifier = def.RecipientID, def.RecipientQualifier
	}
	return o
}

// onlyCONTRL reports whether the interchange carries CONTRL messages and
// nothing else.
func onlyCONTRL(r *InterchangeResult) bool {
	n := 0
	for _, m := range r.Messages {
		if m.Type != "CONTRL" {
			return false
		}
		n++
	}
	for _, g := range r.Groups {
		for _, m := range g.Messages {
			if m.Type != "CONTRL" {
				return false
			}
			n++
		}
	}
	return n > 0
}

type contrlBuilder struct {
	w      *Writer
	syntax int
	o      ContrlOptions
}

// problemValues returns 0085, 0135 and S011 for an envelope problem.
func (b *contrlBuilder) problemValues(p *Problem) []Value {
	if p == nil {
		return nil
	}
	v := []Value{Simple(string(CodeFor(p.Code, b.syntax))), Simple(p.Segment)}
	if p.Element > 0 {
		c := ""
		if p.Component > 0 {
			c = strconv.Itoa(p.Component)
		}
		v = append(v, Composite(strconv.Itoa(p.Element), c))
	}
	return v
}

func (b *contrlBuilder) group(g *GroupResult) {
	var first *Problem
	for i := range g.Group.Problems {
		if g.Group.Problems[i].Severity == SevError {
			first = &g.Group.Problems[i]
			break
		}
	}
	rejected := first != nil
	anyRejected := false
	for _, m := range g.Messages {
		anyRejected = anyRejected || m.Status != Accepted
	}
	if !rejected && !anyRejected && !b.o.ReportAccepted {
		return
	}
	action := ActionAcknowledged
	if rejected {
		action = ActionRejected
	}
	gr := g.Group
	vals := []Value{Simple(gr.Control), Composite(gr.AppSender, gr.AppSenderQualifier), Composite(gr.AppRecipient, gr.AppRecipientQualifier), Simple(string(action))}
	_ = b.w.WriteValues("UCF", append(vals, b.problemValues(first)...)...)
	if rejected {
		return
	}
	for _, m := range g.Messages {
		b.message(m)
	}
}

func (b *contrlBuilder) message(m *MessageResult) {
	if m.Status == Accepted && !b.o.ReportAccepted {
		return
	}
	action := ActionAcknowledged
	if m.Status == Rejected {
		action = ActionRejected
	}
	var first *Problem
	for i := range m.Problems {
		if m.Problems[i].Severity == SevError {
			first = &m.Problems[i]
			break
		}
	}
	vals := []Value{Simple(m.Ref), Composite(m.Identifier()...), Simple(string(action))}
	_ = b.w.WriteValues("UCM", append(vals, b.problemValues(first)...)...)
	if m.Status == Accepted {
		return
	}
	n := 0
	for i := range m.Segments {
		s := &m.Segments[i]
		if !s.HasErrors() || n == maxUCS {
			continue
		}
		n++
		code := ""
		if s.Code != "" && s.Severity == SevError {
			code = string(CodeFor(s.Code, b.syntax))
		}
		_ = b.w.WriteSegment("UCS", strconv.Itoa(s.Position), code)
		k := 0
		for _, e := range s.Elements {
			if e.Severity != SevError || k == maxUCD {
				continue
			}
			k++
			comp, occ := "", ""
			if e.Component > 0 {
				comp = strconv.Itoa(e.Component)
			}
			if b.syntax >= 4 && e.Repetition > 0 {
				occ = strconv.Itoa(e.Repetition)
			}
			_ = b.w.WriteValues("UCD", Simple(string(CodeFor(e.Code, b.syntax))), Composite(strconv.Itoa(e.Position), comp, occ))
		}
	}
}
