package edifact

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/b2bgw/b2bgw/internal/strchunk"
)

// EventKind says what a decoder Event carries.
type EventKind uint8

const (
	// EventInterchangeStart: a UNB was read; Interchange holds its header
	// and any header problems.
	EventInterchangeStart EventKind = iota + 1
	// EventGroupStart: a UNG was read.
	EventGroupStart
	// EventMessage: a complete message (UNH..UNT, or up to where it broke
	// off) with its envelope problems.
	EventMessage
	// EventGroupEnd: the group ended (UNE read, or closed by what
	// followed); trailer problems are filled in.
	EventGroupEnd
	// EventInterchangeEnd: the interchange ended (UNZ read, or closed by
	// what followed); trailer problems are filled in.
	EventInterchangeEnd
)

func (k EventKind) String() string {
	switch k {
	case EventInterchangeStart:
		return "interchange-start"
	case EventGroupStart:
		return "group-start"
	case EventMessage:
		return "message"
	case EventGroupEnd:
		return "group-end"
	case EventInterchangeEnd:
		return "interchange-end"
	}
	return "unknown"
}

// Event is one step of the envelope structure. Interchange is set for every
// event, Group for group events and for messages inside a group, Message
// for EventMessage.
type Event struct {
	Kind        EventKind
	Interchange *Interchange
	Group       *Group
	Message     *Message
}

// Duplicates remembers interchange and group references across inputs so
// that a resent interchange is recognised (0085 code 26). Seen* reports
// whether the key was seen before and remembers it. The method names differ
// from x12.Duplicates' so that one durable store can implement both.
type Duplicates interface {
	SeenInterchange(ctx context.Context, k InterchangeKey) (seen bool, err error)
	SeenGroup(ctx context.Context, k GroupKey) (seen bool, err error)
}

// GroupKey identifies a group: the interchange sender, the application
// sender and recipient, and UNG 0048.
type GroupKey struct {
	SenderQualifier, SenderID, AppSender, AppRecipient, Control string
}

// Key identifies the group for duplicate detection.
func (g *Group) Key() GroupKey {
	k := GroupKey{AppSender: g.AppSender, AppRecipient: g.AppRecipient, Control: g.Control}
	if g.Interchange != nil {
		k.SenderQualifier, k.SenderID = g.Interchange.SenderQualifier, g.Interchange.SenderID
	}
	return k
}

// DecoderOption configures a Decoder.
type DecoderOption func(*Decoder)

// WithLeniency sets the partner's leniency policy for near-EDIFACT input.
func WithLeniency(l Leniency) DecoderOption { return func(d *Decoder) { d.r.Leniency = l } }

// WithMaxSegmentSize bounds one segment (bytes).
func WithMaxSegmentSize(n int) DecoderOption {
	return func(d *Decoder) {
		if n > 0 {
			d.r.MaxSegmentSize = n
		}
	}
}

// WithDuplicates checks every interchange and group against a ledger of
// references already received (code 26 on a repeat).
func WithDuplicates(ctx context.Context, dup Duplicates) DecoderOption {
	return func(d *Decoder) { d.dup, d.ctx = dup, ctx }
}

// WithRepertoire sets the policy for characters outside the repertoire of
// the syntax identifier (default RepertoireStrict).
func WithRepertoire(p RepertoirePolicy) DecoderOption { return func(d *Decoder) { d.rep = p } }

// WithDeferredRepertoire leaves the repertoire check of the segments of
// messages to Message.CheckRepertoire, which the consumer of each message
// runs, typically on another goroutine, before it looks at SegmentErrors
// (Validator.Validate does): the check reads every byte, and the decoder
// is the serial stage of a parallel run. Findings stay the same. Service
// segments outside messages are still checked by the decoder.
func WithDeferredRepertoire() DecoderOption { return func(d *Decoder) { d.deferChars = true } }

// WithRejectTest rejects test interchanges (UNB 0035 present) with code 25,
// for production endpoints that cannot process tests.
func WithRejectTest() DecoderOption { return func(d *Decoder) { d.rejectTest = true } }

// WithReusedMessages gives every message back to the decoder (Reuse) at
// the next call of Next. Only for callers that finish with each message
// before calling Next again (a validate-only pass); callers that keep
// messages longer call Reuse themselves.
func WithReusedMessages() DecoderOption { return func(d *Decoder) { d.reuse = true } }

// Decoder reads the envelope structure of an EDIFACT input — interchanges,
// groups, messages — checks references, counts and the character
// repertoire, and hands out each message with its own copy of its
// segments. Memory is bounded by the largest message (plus the messages
// given back with Reuse, which are bounded too).
//
// A Decoder is not safe for concurrent use: Next, Reuse and Stray are
// called on one goroutine.
type Decoder struct {
	r          *Reader
	dup        Duplicates
	ctx        context.Context
	rep        RepertoirePolicy
	rejectTest bool
	reuse      bool
	deferChars bool // WithDeferredRepertoire

	queue []Event
	qhead int

	una       []byte // the UNA just read, for the next UNB
	unaPos    Position
	ic        *Interchange
	repert    *Repertoire
	chars     *charCheck // the last check built, for repert and its delimiters
	g         *Group
	msg       *Message
	free      []*Message      // given back with Reuse, for the next messages
	handedOut *Message        // WithReusedMessages: given back at the next Next
	gRefs     map[string]bool // UNG 0048 seen in this interchange
	mRefs     refSet          // UNH 0062 seen in this interchange
	strays    []*SyntaxError
	lastID    [5]string         // the last UNH S009, for reuseString
	counts    map[string]string // UNT 0074 values seen, for countString
	texts     strchunk.Cutter   // message references: no allocation each
	err       error
	done      bool
}

// NewDecoder returns a Decoder reading from r.
func NewDecoder(r io.Reader, opts ...DecoderOption) *Decoder {
	return newDecoder(NewReader(r), opts)
}

// NewDecoderBytes returns a Decoder over an input already in memory.
func NewDecoderBytes(b []byte, opts ...DecoderOption) *Decoder {
	return newDecoder(NewReaderBytes(b), opts)
}

func newDecoder(r *Reader, opts []DecoderOption) *Decoder {
	d := &Decoder{r: r, ctx: context.Background()}
	for _, o := range opts {
		o(d)
	}
	return d
}

// Stray returns the problems found outside any interchange (content after
// a UNZ that is not a UNA/UNB, a reader error before the first UNB). They
// cannot be acknowledged; operators see them in the file's report.
func (d *Decoder) Stray() []*SyntaxError { return d.strays }

// Next returns the next event. At the end of the input it returns io.EOF;
// a fatal read error (a truncated file, an I/O error) is returned after the
// open message, group and interchange have been closed with their problems.
func (d *Decoder) Next() (Event, error) {
	if d.handedOut != nil {
		d.Reuse(d.handedOut)
		d.handedOut = nil
	}
	for d.qhead >= len(d.queue) {
		d.queue, d.qhead = d.queue[:0], 0
		if d.done {
			return Event{}, d.err
		}
		d.step()
	}
	ev := d.queue[d.qhead]
	d.queue[d.qhead] = Event{}
	d.qhead++
	if d.reuse && ev.Kind == EventMessage {
		d.handedOut = ev.Message
	}
	return ev, nil
}

func (d *Decoder) emit(ev Event) { d.queue = append(d.queue, ev) }

func (d *Decoder) step() {
	if m := d.msg; m != nil {
		// The body of a message: its ordinary segments go straight into
		// it; the reader leaves the others to Next.
		first := len(m.Segments)
		if n, unt := d.r.keepBody(m); n > 0 {
			if !d.deferChars {
				d.checkKept(first, first+n)
			}
			if unt {
				d.closeTrailer(&m.Segments[len(m.Segments)-1])
			}
			return
		}
	}
	seg, err := d.r.Next()
	if err != nil {
		if errors.Is(err, io.EOF) {
			d.finish(io.EOF, nil)
			return
		}
		if Fatal(err) {
			d.finish(err, err)
			return
		}
		d.nonFatal(seg, err)
		return
	}
	tag := seg.IDBytes()
	if len(tag) == 3 && tag[0] == 'U' && tag[1] == 'N' {
		switch tag[2] {
		case 'A':
			d.closeForUNA(seg)
			return
		case 'B':
			d.startInterchange(seg)
			return
		case 'G':
			d.startGroup(seg)
			return
		case 'H':
			d.startMessage(seg)
			return
		case 'T':
			d.endMessage(seg)
			return
		case 'E':
			d.endGroup(seg)
			return
		case 'Z':
			d.endInterchange(seg)
			return
		}
	}
	if d.msg != nil {
		d.appendSegment(seg)
		return
	}
	d.stray(seg.Pos, seg.ID(), CodeInvalidOutside, fmt.Sprintf("segment %s is outside any message", seg.ID()))
}

// stray reports content outside a message: an interchange problem (code 33)
// when inside an interchange, otherwise a file-level problem.
func (d *Decoder) stray(pos Position, id string, code ErrorCode, msg string) {
	if d.ic != nil {
		d.ic.Problems = append(d.ic.Problems, Problem{Code: code, Segment: id, Pos: pos, Message: msg})
		return
	}
	d.strays = append(d.strays, &SyntaxError{Pos: pos, SegmentID: id, Err: errors.New(msg),
		Hint: "only a UNA or UNB may follow a UNZ; the file has data after the end of its interchange"})
}

// nonFatal places a recoverable reader error (bad tag, empty or over-long
// segment) in its message, or reports it as stray content.
func (d *Decoder) nonFatal(seg *Segment, err error) {
	var se *SyntaxError
	if !errors.As(err, &se) {
		se = &SyntaxError{Err: err}
	}
	if d.msg == nil {
		d.stray(se.Pos, se.SegmentID, CodeInvalidOutside, err.Error())
		return
	}
	// The segment counts toward UNT 0074 as the partner counted it, so it
	// keeps its place; the validator skips positions already reported.
	var placeholder Segment
	if seg != nil {
		placeholder = *seg
	} else {
		placeholder = NewSegment(d.r.delims, se.SegmentID)
		placeholder.Pos = se.Pos
	}
	d.keepSegment(&placeholder)
	code := CodeInvalidValue
	if errors.Is(err, ErrSegmentTooLong) {
		code = CodeUnspecified
	}
	d.msg.SegmentErrors = append(d.msg.SegmentErrors, SegmentError{
		SegmentID: se.SegmentID, Position: len(d.msg.Segments), Code: code, Pos: se.Pos,
		Message: se.Err.Error() + hintSuffix(se.Hint),
	})
}

func hintSuffix(h string) string {
	if h == "" {
		return ""
	}
	return " (" + h + ")"
}

// finish closes whatever is open at the end of the input or on a fatal
// error, then records the final error.
func (d *Decoder) finish(final, cause error) {
	if d.ic != nil {
		pos := d.r.pos0()
		msg := "the input ends before the UNZ"
		if cause != nil {
			msg = "the interchange breaks off: " + cause.Error()
		}
		d.closeMessage(pos, msg)
		d.closeGroup(pos, msg)
		d.ic.Problems = append(d.ic.Problems, Problem{Code: CodeMissing, Segment: "UNZ", Pos: pos, Message: "UNZ missing: " + msg})
		d.ic.EndPos = pos
		d.emit(Event{Kind: EventInterchangeEnd, Interchange: d.ic})
		d.ic = nil
	} else if cause != nil {
		var se *SyntaxError
		if !errors.As(cause, &se) {
			se = &SyntaxError{Pos: d.r.pos0(), Err: cause}
		}
		d.strays = append(d.strays, se)
	}
	d.err, d.done = final, true
}

// closeOpen ends an interchange whose UNZ is missing because a new one
// starts.
func (d *Decoder) closeOpen(pos Position, what string) {
	if d.ic == nil {
		return
	}
	msg := what + " starts before the UNZ of interchange " + d.ic.Control
	d.closeMessage(pos, msg)
	d.closeGroup(pos, msg)
	d.ic.Problems = append(d.ic.Problems, Problem{Code: CodeMissing, Segment: "UNZ", Pos: pos, Message: "UNZ missing: " + msg})
	d.ic.EndPos = pos
	d.emit(Event{Kind: EventInterchangeEnd, Interchange: d.ic})
	d.ic = nil
}

func (d *Decoder) closeForUNA(seg *Segment) {
	d.closeOpen(seg.Pos, "a UNA")
	d.una = append(d.una[:0], seg.Raw()...)
	d.unaPos = seg.Pos
}

func (d *Decoder) startInterchange(seg *Segment) {
	d.closeOpen(seg.Pos, "a new UNB")
	ic := &Interchange{
		Delimiters:             seg.Delimiters(),
		UNA:                    len(d.una) > 0,
		SyntaxID:               seg.ComponentString(1, 1),
		ServiceCodeListVersion: seg.ComponentString(1, 3), CharacterEncoding: seg.ComponentString(1, 4),
		SenderID: seg.ComponentString(2, 1), SenderQualifier: seg.ComponentString(2, 2),
		SenderInternalID: seg.ComponentString(2, 3), SenderInternalSubID: seg.ComponentString(2, 4),
		RecipientID: seg.ComponentString(3, 1), RecipientQualifier: seg.ComponentString(3, 2),
		RecipientInternalID: seg.ComponentString(3, 3), RecipientInternalSubID: seg.ComponentString(3, 4),
		Date: seg.ComponentString(4, 1), Time: seg.ComponentString(4, 2),
		Control:  seg.String(5),
		Password: seg.ComponentString(6, 1), PasswordQualifier: seg.ComponentString(6, 2),
		AppRef: seg.String(7), Priority: seg.String(8), AckRequest: seg.String(9),
		AgreementID: seg.String(10), TestIndicator: seg.String(11),
		Header: seg.Clone(), Pos: seg.Pos,
	}
	if v := seg.Component(1, 2); len(v) == 1 && v[0] >= '1' && v[0] <= '4' {
		ic.SyntaxVersion = int(v[0] - '0')
	}
	d.checkUNA(ic)
	d.una = d.una[:0]
	d.checkUNB(ic, seg)
	d.repert = nil
	if r, ok := LookupRepertoire(ic.SyntaxID); ok && d.rep != RepertoireOff {
		d.repert = r
	}
	d.ic = ic
	d.checkChars(seg)
	if d.dup != nil && ic.Control != "" {
		seen, err := d.dup.SeenInterchange(d.ctx, ic.Key())
		if err != nil {
			d.failLedger(err)
			return
		}
		if seen {
			ic.Problems = append(ic.Problems, Problem{Code: CodeDuplicate, Segment: "UNB", Element: 5, Pos: seg.Pos,
				Message: fmt.Sprintf("interchange %s from %s was already received", ic.Control, partyName(ic.SenderID, ic.SenderQualifier))})
		}
	}
	d.gRefs = map[string]bool{}
	d.mRefs.reset()
	d.emit(Event{Kind: EventInterchangeStart, Interchange: ic})
}

func partyName(id, qual string) string {
	if qual == "" {
		return id
	}
	return id + ":" + qual
}

func (d *Decoder) failLedger(err error) {
	d.err, d.done = fmt.Errorf("checking interchange references for duplicates: %w", err), true
}

// checkUNA checks the advice against the syntax version: the decimal mark
// is a full stop or a comma, and UNA5 is reserved (a space) before
// syntax version 4.
func (d *Decoder) checkUNA(ic *Interchange) {
	if len(d.una) < unaLen-1 {
		return
	}
	if dm := d.una[5]; dm != '.' && dm != ',' {
		ic.Problems = append(ic.Problems, Problem{Code: CodeInvalidServiceCharAdv, Segment: "UNA", Element: 3, Pos: d.unaPos,
			Message: fmt.Sprintf("UNA3: the decimal mark %s must be a full stop or a comma", printable(dm))})
	}
	if ic.SyntaxVersion > 0 && ic.SyntaxVersion < 4 && d.una[7] != ' ' {
		ic.Problems = append(ic.Problems, Problem{Code: CodeInvalidServiceCharAdv, Segment: "UNA", Element: 5, Pos: d.unaPos, Severity: SevWarning,
			Message: fmt.Sprintf("UNA5 is reserved (a space) before syntax version 4 but is %s; it is not used as a repetition separator", printable(d.una[7]))})
	}
}

// checkUNB checks the UNB against ISO 9735 for its syntax version.
func (d *Decoder) checkUNB(ic *Interchange, seg *Segment) {
	add := func(c ErrorCode, el, comp int, format string, args ...any) {
		ic.Problems = append(ic.Problems, Problem{Code: c, Segment: "UNB", Element: el, Component: comp, Pos: seg.Pos,
			Message: fmt.Sprintf("UNB%02d", el) + compSuffix(comp) + ": " + fmt.Sprintf(format, args...)})
	}
	if seg.Len() > 11 {
		add(CodeTooManyConstituents, 12, 0, "the UNB has %d data elements; ISO 9735 defines 11", seg.Len())
	}
	switch {
	case ic.SyntaxID == "":
		add(CodeMissing, 1, 1, "the syntax identifier is missing")
	default:
		if _, ok := LookupRepertoire(ic.SyntaxID); !ok && d.rep != RepertoireOff {
			add(CodeSyntaxNotSupported, 1, 1, "syntax identifier %q is not one we can check (UNOA-UNOL, UNOW, UNOX, UNOY)", ic.SyntaxID)
		}
	}
	if ic.SyntaxVersion == 0 {
		add(CodeSyntaxNotSupported, 1, 2, "syntax version %q: want 1, 2, 3 or 4", seg.ComponentString(1, 2))
	}
	v := ic.SyntaxVersion
	if v > 0 && v < 4 {
		for c := 3; c <= seg.Components(1); c++ {
			add(CodeTooManyConstituents, 1, c, "S001 has two components before syntax version 4")
			break
		}
	}
	if ic.SenderID == "" {
		add(CodeMissing, 2, 1, "the interchange sender identification is missing")
	} else if len(ic.SenderID) > 35 {
		add(CodeTooLong, 2, 1, "the sender identification is %d characters; at most 35", len(ic.SenderID))
	}
	if ic.RecipientID == "" {
		add(CodeMissing, 3, 1, "the interchange recipient identification is missing")
	} else if len(ic.RecipientID) > 35 {
		add(CodeTooLong, 3, 1, "the recipient identification is %d characters; at most 35", len(ic.RecipientID))
	}
	for _, q := range []struct {
		el  int
		val string
	}{{2, ic.SenderQualifier}, {3, ic.RecipientQualifier}} {
		if len(q.val) > 4 {
			add(CodeTooLong, q.el, 2, "identification code qualifier %q is longer than 4 characters", q.val)
		}
	}
	switch {
	case ic.Date == "":
		add(CodeMissing, 4, 1, "the date of preparation is missing")
	case v >= 4 && !validDate(ic.Date, "20060102"):
		add(CodeInvalidValue, 4, 1, "date %q is not a valid CCYYMMDD date (syntax version 4)", ic.Date)
	case v > 0 && v < 4 && !validDate(ic.Date, "060102"):
		add(CodeInvalidValue, 4, 1, "date %q is not a valid YYMMDD date (syntax version %d)", ic.Date, v)
	}
	switch {
	case ic.Time == "":
		add(CodeMissing, 4, 2, "the time of preparation is missing")
	case !validHHMM(ic.Time):
		add(CodeInvalidValue, 4, 2, "time %q is not a valid HHMM time", ic.Time)
	}
	switch {
	case ic.Control == "":
		add(CodeMissing, 5, 0, "the interchange control reference is missing")
	case len(ic.Control) > 14:
		add(CodeTooLong, 5, 0, "the interchange control reference %q is longer than 14 characters", ic.Control)
	}
	if len(ic.AppRef) > 14 {
		add(CodeTooLong, 7, 0, "the application reference is longer than 14 characters")
	}
	if ic.Priority != "" && (len(ic.Priority) != 1 || ic.Priority[0] < 'A' || ic.Priority[0] > 'Z') {
		add(CodeInvalidValue, 8, 0, "processing priority code %q must be one letter", ic.Priority)
	}
	switch a := ic.AckRequest; {
	case a == "" || a == "1":
	case a == "2" && v >= 4:
	default:
		add(CodeInvalidValue, 9, 0, "acknowledgement request %q: want 1%s", a, map[bool]string{true: " or 2", false: ""}[v >= 4])
	}
	if len(ic.AgreementID) > 35 {
		add(CodeTooLong, 10, 0, "the interchange agreement identifier is longer than 35 characters")
	}
	switch t := ic.TestIndicator; {
	case t == "":
	case t == "1" || v >= 4 && len(t) == 1 && t[0] >= '2' && t[0] <= '4':
		if d.rejectTest {
			add(CodeTestNotSupported, 11, 0, "the interchange is marked as a test (%s) and this endpoint processes production data only", t)
		}
	default:
		add(CodeInvalidValue, 11, 0, "test indicator %q: want 1%s", t, map[bool]string{true: " to 4", false: ""}[v >= 4])
	}
}

func compSuffix(c int) string {
	if c == 0 {
		return ""
	}
	return fmt.Sprintf("-%d", c)
}

func validDate(s, layout string) bool {
	if len(s) != len(layout) || !allDigits(s) {
		return false
	}
	_, err := time.Parse(layout, s)
	return err == nil
}

func validHHMM(s string) bool {
	if len(s) != 4 || !allDigits(s) {
		return false
	}
	h, m := (s[0]-'0')*10+s[1]-'0', (s[2]-'0')*10+s[3]-'0'
	return h < 24 && m < 60
}

// charCheck is the repertoire check of one interchange: its repertoire,
// service characters and policy. It is never changed once built, so the
// messages that carry it (WithDeferredRepertoire) share it across
// goroutines.
type charCheck struct {
	rep    *Repertoire
	delims Delimiters
	sev    Severity
	// tab is rep's allowed bytes with the service characters added (1 =
	// may appear), for the fast pass.
	tab [256]uint8
}

// charCheckFor returns the check for the current repertoire and delims,
// nil when there is nothing to check.
func (d *Decoder) charCheckFor(delims Delimiters) *charCheck {
	if d.repert == nil {
		return nil
	}
	if c := d.chars; c != nil && c.rep == d.repert && c.delims == delims {
		return c
	}
	sev := SevError
	if d.rep == RepertoireWarn {
		sev = SevWarning
	}
	d.chars = newCharCheck(d.repert, delims, sev)
	return d.chars
}

// newCharCheck builds the check of rep with the service characters
// delims, whose findings have severity sev.
func newCharCheck(rep *Repertoire, delims Delimiters, sev Severity) *charCheck {
	c := &charCheck{rep: rep, delims: delims, sev: sev}
	for i := range c.tab {
		if b := byte(i); c.rep.allow[b] || delims.Contains(b) {
			c.tab[i] = 1
		}
	}
	return c
}

// checkChars checks a segment against the repertoire of the syntax
// identifier: in a message, a UCD 21 at the element; outside, a UCI 21.
func (d *Decoder) checkChars(seg *Segment) {
	c := d.charCheckFor(seg.delims)
	if c == nil {
		return
	}
	off := c.badChar(seg)
	if off < 0 {
		return
	}
	if d.msg != nil {
		d.msg.SegmentErrors = append(d.msg.SegmentErrors, c.segmentError(seg, len(d.msg.Segments), off))
		return
	}
	if d.ic != nil {
		el, comp, _ := seg.locate(off)
		d.ic.Problems = append(d.ic.Problems, Problem{Code: CodeInvalidCharacter, Segment: seg.ID(), Element: el, Component: comp,
			Severity: c.sev, Pos: seg.Pos, Message: c.describe(seg, off)})
	}
}

// checkKept checks the characters of the open message's segments
// [from, to), kept by Reader.keepBody, as checkChars checks a segment as
// it is kept. They were read with the same service characters, so they
// have the same check.
func (d *Decoder) checkKept(from, to int) {
	m := d.msg
	c := d.charCheckFor(m.Segments[from].delims)
	if c == nil {
		return
	}
	for i := from; i < to; i++ {
		seg := &m.Segments[i]
		if off := c.badChar(seg); off >= 0 {
			m.SegmentErrors = append(m.SegmentErrors, c.segmentError(seg, i+1, off))
		}
	}
}

// badChar returns the offset in seg's bytes of its first character
// outside the repertoire, or -1.
func (c *charCheck) badChar(seg *Segment) int {
	if !anyDisallowed(&c.tab, seg.raw) && (!c.rep.UTF8 || utf8.Valid(seg.raw)) {
		return -1
	}
	return c.rep.badChar(seg.raw, seg.delims)
}

func (c *charCheck) describe(seg *Segment, off int) string {
	return fmt.Sprintf("character %s at byte %d of the segment is outside the repertoire of %s (%s)", printable(seg.raw[off]), off+1, c.rep.ID, c.rep.Name)
}

// segmentError is the finding for the character at off in seg, the
// message's segment at position (1-based), outside the repertoire.
func (c *charCheck) segmentError(seg *Segment, position, off int) SegmentError {
	el, comp, rep := seg.locate(off)
	msg := c.describe(seg, off)
	e := SegmentError{SegmentID: seg.ID(), Position: position, Pos: seg.Pos, Severity: c.sev}
	if el == 0 {
		e.Code, e.Message = CodeInvalidCharacter, msg
		return e
	}
	ee := ElementError{Position: el, Code: CodeInvalidCharacter, Severity: c.sev, Message: msg}
	if seg.RepComponents(el, rep) > 1 {
		ee.Component = comp
	}
	if rep > 1 {
		ee.Repetition = rep
	}
	e.Elements = append(e.Elements, ee)
	return e
}

// CheckRepertoire runs the repertoire check that a decoder made
// WithDeferredRepertoire leaves to the message's consumer, adding its
// findings to SegmentErrors in position order, exactly as the decoder
// would have. It does nothing for other messages, or when called again.
// Validator.Validate, EnvelopeOnly and ProcessParallel call it; a caller
// that reads SegmentErrors otherwise calls it first.
func (m *Message) CheckRepertoire() {
	c := m.chars
	if c == nil {
		return
	}
	m.chars = nil
	m.addRepertoireFindings(c, nil)
}

// addRepertoireFindings checks the characters of m's segments against c,
// except those the decoder reported (it checked no characters of a
// segment it could not read) and those whose ok entry is true (the
// validator's walk found them clean: see walker.clean), and merges the
// findings into SegmentErrors in position order.
func (m *Message) addRepertoireFindings(c *charCheck, ok []bool) {
	prior := m.SegmentErrors // the decoder's: segments it kept as placeholders
	var found []SegmentError
	k := 0
	for i := range m.Segments {
		pos := i + 1
		for k < len(prior) && prior[k].Position < pos {
			k++
		}
		if k < len(prior) && prior[k].Position == pos || i < len(ok) && ok[i] {
			continue
		}
		if off := c.badChar(&m.Segments[i]); off >= 0 {
			found = append(found, c.segmentError(&m.Segments[i], pos, off))
		}
	}
	if len(found) == 0 {
		return
	}
	merged := make([]SegmentError, 0, len(prior)+len(found))
	i, j := 0, 0
	for i < len(prior) || j < len(found) {
		if j == len(found) || i < len(prior) && prior[i].Position <= found[j].Position {
			merged = append(merged, prior[i])
			i++
		} else {
			merged = append(merged, found[j])
			j++
		}
	}
	m.SegmentErrors = merged
}

func (d *Decoder) startGroup(seg *Segment) {
	if d.ic == nil {
		d.stray(seg.Pos, "UNG", CodeInvalidOutside, "a UNG appears outside any interchange")
		return
	}
	if d.g != nil {
		msg := "a new UNG starts before the UNE of group " + d.g.Control
		d.closeMessage(seg.Pos, msg)
		d.closeGroup(seg.Pos, msg)
	} else {
		d.closeMessage(seg.Pos, "a UNG starts inside a message")
	}
	g := &Group{
		ID:        seg.String(1),
		AppSender: seg.ComponentString(2, 1), AppSenderQualifier: seg.ComponentString(2, 2),
		AppRecipient: seg.ComponentString(3, 1), AppRecipientQualifier: seg.ComponentString(3, 2),
		Date: seg.ComponentString(4, 1), Time: seg.ComponentString(4, 2),
		Control: seg.String(5), Agency: seg.String(6),
		Version: seg.ComponentString(7, 1), Release: seg.ComponentString(7, 2), Association: seg.ComponentString(7, 3),
		Header: seg.Clone(), Pos: seg.Pos, Interchange: d.ic,
	}
	d.checkChars(seg)
	addG := func(c ErrorCode, el int, format string, args ...any) {
		g.Problems = append(g.Problems, Problem{Code: c, Segment: "UNG", Element: el, Pos: seg.Pos, Message: fmt.Sprintf("UNG%02d: ", el) + fmt.Sprintf(format, args...)})
	}
	switch {
	case g.Control == "":
		addG(CodeMissing, 5, "the group reference number is missing")
	case len(g.Control) > 14:
		addG(CodeTooLong, 5, "the group reference number %q is longer than 14 characters", g.Control)
	case d.gRefs[g.Control]:
		addG(CodeDuplicate, 5, "group reference %s is used twice in interchange %s", g.Control, d.ic.Control)
	case d.dup != nil:
		seen, err := d.dup.SeenGroup(d.ctx, g.Key())
		if err != nil {
			d.failLedger(err)
			return
		}
		if seen {
			addG(CodeDuplicate, 5, "group reference %s from %s was already received", g.Control, g.AppSender)
		}
	}
	d.gRefs[g.Control] = true
	if d.ic.SyntaxVersion > 0 && d.ic.SyntaxVersion < 4 {
		// Syntax 1-3: every UNG element but the password is mandatory.
		for i, v := range []string{g.ID, g.AppSender, g.AppRecipient, g.Date, g.Time, "-", g.Agency, g.Version} {
			if v == "" {
				addG(CodeMissing, []int{1, 2, 3, 4, 4, 5, 6, 7}[i], "mandatory before syntax version 4")
			}
		}
	}
	if d.ic.Messages > 0 {
		d.ic.Problems = append(d.ic.Problems, Problem{Code: CodeGroupsAndMessagesMixed, Segment: "UNG", Pos: seg.Pos,
			Message: "the interchange has messages outside groups and a group (UNG)"})
	}
	d.ic.Groups++
	d.g = g
	d.emit(Event{Kind: EventGroupStart, Interchange: d.ic, Group: g})
}

func (d *Decoder) startMessage(seg *Segment) {
	if d.ic == nil {
		d.stray(seg.Pos, "UNH", CodeInvalidOutside, "a UNH appears outside any interchange")
		return
	}
	d.closeMessage(seg.Pos, "a new UNH starts before the UNT")
	var m *Message
	if n := len(d.free); n > 0 {
		m = d.free[n-1]
		d.free[n-1] = nil
		d.free = d.free[:n-1]
		m.recycled = false
	} else {
		m = &Message{}
	}
	m.Ref = d.texts.String(seg.value(1))
	// The identifier repeats from message to message: the previous one's
	// strings are reused when the bytes are the same.
	var id [5][]byte
	seg.components(2, id[:])
	p := &d.lastID
	for i, b := range id {
		p[i] = reuseString(p[i], b)
	}
	m.Type, m.Version, m.Release, m.Agency, m.Association = p[0], p[1], p[2], p[3], p[4]
	m.CommonAccessRef = d.texts.String(seg.value(3))
	m.Pos, m.Group, m.Interchange = seg.Pos, d.g, d.ic
	add := func(c ErrorCode, el, comp int, format string, args ...any) {
		m.Problems = append(m.Problems, Problem{Code: c, Segment: "UNH", Element: el, Component: comp, Pos: seg.Pos,
			Message: fmt.Sprintf("UNH%02d", el) + compSuffix(comp) + ": " + fmt.Sprintf(format, args...)})
	}
	dup := d.mRefs.add(m.Ref) // remembered, whatever else is wrong with it
	switch {
	case m.Ref == "":
		add(CodeMissing, 1, 0, "the message reference number is missing")
	case len(m.Ref) > 14:
		add(CodeTooLong, 1, 0, "the message reference number %q is longer than 14 characters", m.Ref)
	case dup:
		add(CodeDuplicate, 1, 0, "message reference %s is used twice in interchange %s", m.Ref, d.ic.Control)
	}
	for i, v := range []string{m.Type, m.Version, m.Release, m.Agency} {
		if v == "" {
			add(CodeMissing, 2, i+1, "%s is missing", []string{"the message type", "the message version", "the message release", "the controlling agency"}[i])
		}
	}
	if d.g == nil {
		if d.ic.Groups > 0 {
			d.ic.Problems = append(d.ic.Problems, Problem{Code: CodeGroupsAndMessagesMixed, Segment: "UNH", Pos: seg.Pos,
				Message: fmt.Sprintf("message %s is outside the groups of the interchange", m.Ref)})
		}
	}
	if d.deferChars {
		m.chars = d.charCheckFor(seg.delims)
	}
	d.msg = m
	d.appendSegment(seg)
}

// Reuse gives back a message the decoder handed out, once the caller is
// done with it: its memory (segment bytes and the segment list) is used
// for a message decoded later, so neither the message nor anything taken
// from it without a copy (Segments, a Segment's bytes, Body) may be used
// after the call; strings (Ref, Type, the findings) stay valid. Call it
// on the goroutine that calls Next, in any order, for any message of any
// Decoder; nil, and a message given back twice, are ignored. The decoder
// keeps at most reuseMax messages, each of at most reuseKeep bytes, and
// drops the others for the garbage collector.
//
// WithReusedMessages calls Reuse for the caller at the next Next;
// ProcessParallel gives back each message once it is validated.
func (d *Decoder) Reuse(m *Message) {
	if m == nil || m.recycled || len(d.free) >= reuseMax || m.footprint() > reuseKeep {
		return
	}
	// Dropping the references now keeps the interchange and the findings
	// of a message long gone from being held by the free list.
	*m = Message{bytes: m.bytes[:0], ends: m.ends[:0], Segments: m.Segments[:0], recycled: true}
	d.free = append(d.free, m)
}

// Bounds of the messages a Decoder keeps for reuse: a few dozen ordinary
// messages (ORDERS of a hundred lines take some 10 KB), never a huge one.
const (
	reuseMax  = 64
	reuseKeep = 256 << 10
)

// footprint is the memory a message holds for its segments, in bytes.
func (m *Message) footprint() int {
	return cap(m.bytes) + 4*cap(m.ends) + int(unsafe.Sizeof(Segment{}))*cap(m.Segments)
}

// countString returns string(b) for a UNT 0074, without allocating for a
// count seen before in the input (a few hundred at most are kept).
func (d *Decoder) countString(b []byte) string {
	if s, ok := d.counts[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(d.counts) < 512 && len(b) <= 6 {
		if d.counts == nil {
			d.counts = map[string]string{}
		}
		d.counts[s] = s
	}
	return s
}

// reuseString returns prev when b holds the same bytes, else string(b).
func reuseString(prev string, b []byte) string {
	if string(b) == prev {
		return prev
	}
	return string(b)
}

// refSet is the set of message references (UNH 0062) of an interchange,
// to find one used twice. Nearly every partner numbers its messages 1, 2,
// 3...: a reference written as such a number (decimal digits, no leading
// zero) below refBitsMax is a bit in bits, the others are kept in other;
// both take the same strings for the same reference, so a repeat is
// found either way.
type refSet struct {
	bits  []uint64
	other map[string]bool
}

// refBitsMax bounds the bit set (128 KiB).
const refBitsMax = 1 << 20

// reset empties the set for a new interchange, keeping the bit set's
// memory.
func (s *refSet) reset() {
	clear(s.bits)
	s.other = nil
}

// add adds ref and reports whether it was there already.
func (s *refSet) add(ref string) bool {
	n, ok := 0, len(ref) > 0 && len(ref) <= 7 && (ref[0] != '0' || len(ref) == 1)
	for i := 0; ok && i < len(ref); i++ {
		c := ref[i]
		ok = c >= '0' && c <= '9'
		n = n*10 + int(c-'0')
	}
	if !ok || n >= refBitsMax {
		if s.other[ref] {
			return true
		}
		if s.other == nil {
			s.other = map[string]bool{}
		}
		s.other[ref] = true
		return false
	}
	w, bit := n>>6, uint64(1)<<(n&63)
	if w >= len(s.bits) {
		s.bits = append(s.bits, make([]uint64, w+1-len(s.bits))...)
	}
	seen := s.bits[w]&bit != 0
	s.bits[w] |= bit
	return seen
}

func (d *Decoder) appendSegment(seg *Segment) {
	d.keepSegment(seg)
	if !d.deferChars {
		d.checkChars(seg)
	}
}

// keepSegment copies seg into the open message.
func (d *Decoder) keepSegment(seg *Segment) {
	m := d.msg
	var c Segment
	c, m.bytes, m.ends = seg.cloneInto(m.bytes, m.ends)
	m.Segments = append(m.Segments, c)
}

func (d *Decoder) endMessage(seg *Segment) {
	if d.msg == nil {
		d.stray(seg.Pos, "UNT", CodeInvalidOutside, "a UNT appears without a matching UNH")
		return
	}
	d.appendSegment(seg)
	d.closeTrailer(&d.msg.Segments[len(d.msg.Segments)-1])
}

// closeTrailer ends the open message with its UNT, seg, its last segment.
func (d *Decoder) closeTrailer(seg *Segment) {
	m := d.msg
	m.HasTrailer = true
	m.TrailerCount, m.TrailerControl = d.countString(seg.value(1)), reuseString(m.Ref, seg.value(2))
	if n, ok := atoiCount(m.TrailerCount); !ok || n != len(m.Segments) {
		m.Problems = append(m.Problems, Problem{Code: CodeCountMismatch, Segment: "UNT", Element: 1, Pos: seg.Pos,
			Message: fmt.Sprintf("UNT01 says %q segments but the message has %d (UNH and UNT included)", m.TrailerCount, len(m.Segments))})
	}
	if m.TrailerControl != m.Ref {
		m.Problems = append(m.Problems, Problem{Code: CodeReferencesDoNotMatch, Segment: "UNT", Element: 2, Pos: seg.Pos,
			Message: fmt.Sprintf("UNT02 %q does not match UNH01 %q", m.TrailerControl, m.Ref)})
	}
	d.emitMessage()
}

// closeMessage ends an open message whose UNT is missing.
func (d *Decoder) closeMessage(pos Position, why string) {
	if d.msg == nil {
		return
	}
	d.msg.Problems = append(d.msg.Problems, Problem{Code: CodeMissing, Segment: "UNT", Pos: pos, Message: "UNT missing: " + why})
	d.emitMessage()
}

func (d *Decoder) emitMessage() {
	m := d.msg
	d.msg = nil
	if d.g != nil {
		d.g.Messages++
	} else {
		d.ic.Messages++
	}
	d.emit(Event{Kind: EventMessage, Interchange: d.ic, Group: d.g, Message: m})
}

func (d *Decoder) endGroup(seg *Segment) {
	if d.g == nil {
		d.closeMessage(seg.Pos, "a UNE appears inside a message that is not in a group")
		d.stray(seg.Pos, "UNE", CodeInvalidOutside, "a UNE appears without a matching UNG")
		return
	}
	// The message it cuts short is closed first: the UNE's own characters
	// are the interchange's business, not a segment of that message.
	d.closeMessage(seg.Pos, "the UNE comes before the UNT")
	d.checkChars(seg)
	g := d.g
	g.HasTrailer, g.EndPos = true, seg.Pos
	g.TrailerCount, g.TrailerControl = seg.String(1), seg.String(2)
	if n, ok := atoiCount(g.TrailerCount); !ok || n != g.Messages {
		g.Problems = append(g.Problems, Problem{Code: CodeCountMismatch, Segment: "UNE", Element: 1, Pos: seg.Pos,
			Message: fmt.Sprintf("UNE01 says %q messages but the group has %d", g.TrailerCount, g.Messages)})
	}
	if g.TrailerControl != g.Control {
		g.Problems = append(g.Problems, Problem{Code: CodeReferencesDoNotMatch, Segment: "UNE", Element: 2, Pos: seg.Pos,
			Message: fmt.Sprintf("UNE02 %q does not match UNG05 %q", g.TrailerControl, g.Control)})
	}
	if g.Messages == 0 {
		g.Problems = append(g.Problems, Problem{Code: CodeLowerLevelEmpty, Segment: "UNG", Pos: g.Pos, Message: "the group holds no message"})
	}
	d.g = nil
	d.emit(Event{Kind: EventGroupEnd, Interchange: d.ic, Group: g})
}

// closeGroup ends an open group whose UNE is missing.
func (d *Decoder) closeGroup(pos Position, why string) {
	if d.g == nil {
		return
	}
	g := d.g
	g.EndPos = pos
	g.Problems = append(g.Problems, Problem{Code: CodeMissing, Segment: "UNE", Pos: pos, Message: "UNE missing: " + why})
	d.g = nil
	d.emit(Event{Kind: EventGroupEnd, Interchange: d.ic, Group: g})
}

func (d *Decoder) endInterchange(seg *Segment) {
	if d.ic == nil {
		d.stray(seg.Pos, "UNZ", CodeInvalidOutside, "a UNZ appears without a matching UNB")
		return
	}
	// As in endGroup: the open message is closed before the UNZ's own
	// characters are checked.
	d.closeMessage(seg.Pos, "the UNZ comes before the UNT")
	d.checkChars(seg)
	d.closeGroup(seg.Pos, "the UNZ comes before the UNE")
	ic := d.ic
	ic.HasTrailer, ic.EndPos = true, seg.Pos
	ic.TrailerCount, ic.TrailerControl = seg.String(1), seg.String(2)
	want, what := ic.Messages, "messages"
	if ic.Groups > 0 {
		want, what = ic.Groups, "groups"
	}
	if n, ok := atoiCount(ic.TrailerCount); !ok || n != want {
		ic.Problems = append(ic.Problems, Problem{Code: CodeCountMismatch, Segment: "UNZ", Element: 1, Pos: seg.Pos,
			Message: fmt.Sprintf("UNZ01 says %q but the interchange has %d %s", ic.TrailerCount, want, what)})
	}
	if ic.TrailerControl != ic.Control {
		ic.Problems = append(ic.Problems, Problem{Code: CodeReferencesDoNotMatch, Segment: "UNZ", Element: 2, Pos: seg.Pos,
			Message: fmt.Sprintf("UNZ02 %q does not match UNB05 %q", ic.TrailerControl, ic.Control)})
	}
	if ic.Groups == 0 && ic.Messages == 0 {
		ic.Problems = append(ic.Problems, Problem{Code: CodeLowerLevelEmpty, Segment: "UNB", Pos: ic.Pos, Message: "the interchange holds no message or group"})
	}
	d.ic = nil
	d.emit(Event{Kind: EventInterchangeEnd, Interchange: ic})
}

// MemoryDuplicates is an in-memory Duplicates for tests and one-off runs.
type MemoryDuplicates struct {
	mu     sync.Mutex
	ics    map[InterchangeKey]bool
	groups map[GroupKey]bool
}

// NewMemoryDuplicates returns an empty ledger, safe for concurrent use.
func NewMemoryDuplicates() *MemoryDuplicates {
	return &MemoryDuplicates{ics: map[InterchangeKey]bool{}, groups: map[GroupKey]bool{}}
}

// SeenInterchange reports whether k was seen before and remembers it.
func (m *MemoryDuplicates) SeenInterchange(_ context.Context, k InterchangeKey) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	seen := m.ics[k]
	m.ics[k] = true
	return seen, nil
}

// SeenGroup reports whether k was seen before and remembers it.
func (m *MemoryDuplicates) SeenGroup(_ context.Context, k GroupKey) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	seen := m.groups[k]
	m.groups[k] = true
	return seen, nil
}

var _ Duplicates = (*MemoryDuplicates)(nil)
