package x12

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/b2bgw/b2bgw/internal/strchunk"
)

// EventKind says what a decoder Event carries.
type EventKind uint8

const (
	// EventInterchangeStart: an ISA was read; Interchange holds its header
	// and any header problems.
	EventInterchangeStart EventKind = iota + 1
	// EventGroupStart: a GS was read.
	EventGroupStart
	// EventSet: a complete transaction set (ST..SE, or up to where it broke
	// off) with its envelope problems.
	EventSet
	// EventGroupEnd: the group ended (GE read, or the group was closed by
	// what followed); trailer problems are filled in.
	EventGroupEnd
	// EventInterchangeEnd: the interchange ended (IEA read, or closed by
	// what followed); trailer problems are filled in.
	EventInterchangeEnd
)

func (k EventKind) String() string {
	switch k {
	case EventInterchangeStart:
		return "interchange-start"
	case EventGroupStart:
		return "group-start"
	case EventSet:
		return "set"
	case EventGroupEnd:
		return "group-end"
	case EventInterchangeEnd:
		return "interchange-end"
	}
	return "unknown"
}

// Event is one step of the envelope structure. Interchange is set for every
// event, Group for group and set events (nil for a set outside any group),
// Set for EventSet.
type Event struct {
	Kind        EventKind
	Interchange *Interchange
	Group       *Group
	Set         *Set
}

// Duplicates remembers interchange and group control numbers across inputs
// so a resent interchange is recognised. Check* reports whether the key was
// seen before and remembers it. The durable store implements it; the
// in-memory MemoryDuplicates serves tests and one-off CLI runs.
type Duplicates interface {
	CheckInterchange(ctx context.Context, k InterchangeKey) (seen bool, err error)
	CheckGroup(ctx context.Context, k GroupKey) (seen bool, err error)
}

// DecoderOption configures a Decoder.
type DecoderOption func(*Decoder)

// WithLeniency sets the partner's leniency policy for near-X12 input.
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
// control numbers already received (TA1 025 / AK905 19 on a repeat).
func WithDuplicates(ctx context.Context, dup Duplicates) DecoderOption {
	return func(d *Decoder) { d.dup, d.ctx = dup, ctx }
}

// WithReusedSets makes Next give the set it returned last back to the
// decoder (as Reuse does) when it is called again. Only for callers that
// finish with each set before calling Next again (a validate-only pass).
func WithReusedSets() DecoderOption { return func(d *Decoder) { d.reuse = true } }

// The free list of sets given back (Reuse) is bounded in count, enough for
// the sets a parallel pipeline has in flight, and a set that once held a
// huge document is left to the garbage collector rather than kept.
const (
	maxFreeSets     = 64
	maxFreeSetBytes = 1 << 20
)

// Decoder reads the envelope structure of an X12 input — interchanges,
// functional groups, transaction sets — checks control numbers and counts,
// and hands out each set with its own copy of its segments. Memory is
// bounded by the largest set.
type Decoder struct {
	r     *Reader
	id    uint64 // Set.owner of its sets
	dup   Duplicates
	ctx   context.Context
	reuse bool

	queue []Event
	qhead int

	ic     *Interchange
	g      *Group
	set    *Set
	free   []*Set          // sets given back (Reuse), refilled by startSet, last in first out
	last   *Set            // WithReusedSets: the set the caller holds until its next call
	gCtl   map[string]bool // GS06 seen in this interchange
	stCtl  controlSet      // ST02 seen in this group
	strays []*SyntaxError
	err    error // final: io.EOF or a fatal error
	done   bool

	texts  strchunk.Cutter // the short strings of sets (ST02, SE01, ...): no allocation each
	lastID string          // ST01 of the last set: sets of a file mostly share it
}

// NewDecoder returns a Decoder reading from r.
func NewDecoder(r io.Reader, opts ...DecoderOption) *Decoder {
	return newDecoder(NewReader(r), opts)
}

// NewDecoderBytes returns a Decoder over an input already in memory.
func NewDecoderBytes(b []byte, opts ...DecoderOption) *Decoder {
	return newDecoder(NewReaderBytes(b), opts)
}

// decoderIDs numbers decoders, so that a set knows its decoder without
// keeping it (and its buffers) alive.
var decoderIDs atomic.Uint64

func newDecoder(r *Reader, opts []DecoderOption) *Decoder {
	d := &Decoder{r: r, ctx: context.Background(), id: decoderIDs.Add(1)}
	for _, o := range opts {
		o(d)
	}
	return d
}

// Stray returns the problems found outside any interchange (content after
// an IEA that is not an ISA). They cannot be acknowledged; operators see
// them in the file's report.
func (d *Decoder) Stray() []*SyntaxError { return d.strays }

// Next returns the next event. At the end of the input it returns io.EOF;
// a fatal read error (a truncated file, an I/O error) is returned after the
// open set, group and interchange have been closed with their problems.
func (d *Decoder) Next() (Event, error) {
	if d.last != nil {
		// WithReusedSets: the caller is done with the set it was given last.
		d.Reuse(d.last)
		d.last = nil
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
	if d.reuse && ev.Kind == EventSet {
		d.last = ev.Set
	}
	return ev, nil
}

// Reuse gives a set that Next returned back to the decoder, which fills its
// memory (the segment bytes and the Segments slice) with a later set
// instead of allocating: a caller that gives every set back decodes without
// allocating per set.
//
// Call it on the goroutine that calls Next, once neither the caller nor
// anything it passed the set to uses the set, its Segments or anything
// taken from them (Raw, Element and the like alias the set's memory).
// Strings taken from the set (ID, Control, messages) stay valid. After
// Reuse the set must not be read: Next may return the same *Set again as a
// later set.
//
// A nil set, a set of another decoder, a set already given back and a set
// that held more than 1 MiB are ignored, as are sets beyond the 64 the
// decoder keeps.
func (d *Decoder) Reuse(s *Set) {
	if s == nil || s.owner != d.id || s.free || len(d.free) >= maxFreeSets || cap(s.bytes) > maxFreeSetBytes {
		return
	}
	// Keep only the memory; what the set referred to may be collected.
	*s = Set{owner: d.id, free: true, bytes: s.bytes[:0], ends: s.ends[:0], Segments: s.Segments[:0]}
	d.free = append(d.free, s)
}

// newSet returns an empty set, from the free list when it has one.
func (d *Decoder) newSet() *Set {
	n := len(d.free)
	if n == 0 {
		return &Set{owner: d.id}
	}
	s := d.free[n-1]
	d.free[n-1] = nil
	d.free = d.free[:n-1]
	s.free = false
	return s
}

func (d *Decoder) emit(ev Event) { d.queue = append(d.queue, ev) }

// step reads one segment and queues the events it causes.
func (d *Decoder) step() {
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
	if c := seg.raw[0]; c != 'I' && c != 'G' && c != 'S' && d.set != nil {
		// Not an envelope segment (their tags start with I, G or S):
		// by far the most common case, a segment of the open set.
		d.appendSegment(seg)
		return
	}
	switch string(seg.IDBytes()) {
	case "ISA":
		d.startInterchange(seg)
	case "GS":
		d.startGroup(seg)
	case "ST":
		d.startSet(seg)
	case "SE":
		d.endSet(seg)
	case "GE":
		d.endGroup(seg)
	case "IEA":
		d.endInterchange(seg)
	default:
		if d.set != nil {
			d.appendSegment(seg)
			return
		}
		if seg.Is("TA1") && d.ic != nil && d.g == nil {
			// Interchange acknowledgments travel between ISA and the first GS.
			d.ic.TA1 = append(d.ic.TA1, seg.Clone())
			return
		}
		d.stray(seg.Pos, seg.ID(), fmt.Sprintf("segment %s is outside any transaction set", seg.ID()))
	}
}

// stray reports content outside a set: an interchange problem (TA1 024)
// when inside an interchange, otherwise a file-level problem.
func (d *Decoder) stray(pos Position, id, msg string) {
	if d.ic != nil {
		d.ic.Problems = append(d.ic.Problems, InterchangeProblem{Code: TA1BadContent, Pos: pos, Message: msg})
		return
	}
	d.strays = append(d.strays, &SyntaxError{Pos: pos, SegmentID: id, Err: errors.New(msg),
		Hint: "only an ISA may follow an IEA; the file has data after the end of its interchange"})
}

// nonFatal places a recoverable reader error (bad tag, empty or over-long
// segment) in its set, or reports it as stray content.
func (d *Decoder) nonFatal(seg *Segment, err error) {
	var se *SyntaxError
	if !errors.As(err, &se) {
		se = &SyntaxError{Err: err}
	}
	if d.set == nil {
		d.stray(se.Pos, se.SegmentID, err.Error())
		return
	}
	// The segment counts toward SE01 as the partner counted it, so it keeps
	// its place in the set; the validator skips positions already reported.
	var placeholder Segment
	if seg != nil {
		placeholder = *seg
	} else {
		placeholder = NewSegment(d.r.delims, se.SegmentID)
		placeholder.Pos = se.Pos
	}
	d.appendSegment(&placeholder)
	code := SegUnrecognized
	d.set.SegmentErrors = append(d.set.SegmentErrors, SegmentError{
		SegmentID: se.SegmentID, Position: len(d.set.Segments), Code: code, Pos: se.Pos,
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
		msg := "the input ends before the IEA"
		if cause != nil {
			msg = "the interchange breaks off: " + cause.Error()
		}
		d.closeSet(pos, msg)
		d.closeGroup(pos, msg)
		d.ic.Problems = append(d.ic.Problems, InterchangeProblem{Code: TA1PrematureEOF, Pos: pos, Message: msg})
		d.ic.EndPos = pos
		d.emit(Event{Kind: EventInterchangeEnd, Interchange: d.ic})
		d.ic = nil
	}
	d.err, d.done = final, true
}

func (d *Decoder) startInterchange(seg *Segment) {
	if d.ic != nil {
		msg := "a new ISA starts before the IEA of interchange " + d.ic.Control
		d.closeSet(seg.Pos, msg)
		d.closeGroup(seg.Pos, msg)
		d.ic.Problems = append(d.ic.Problems, InterchangeProblem{Code: TA1BadControlStructure, Pos: seg.Pos, Message: msg + " (IEA missing)"})
		d.ic.EndPos = seg.Pos
		d.emit(Event{Kind: EventInterchangeEnd, Interchange: d.ic})
	}
	ic := &Interchange{
		AuthQualifier:     seg.String(1),
		AuthInfo:          trim(seg.Element(2)),
		SecurityQualifier: seg.String(3),
		SecurityInfo:      trim(seg.Element(4)),
		SenderQualifier:   seg.String(5),
		SenderID:          trim(seg.Element(6)),
		ReceiverQualifier: seg.String(7),
		ReceiverID:        trim(seg.Element(8)),
		Date:              seg.String(9),
		Time:              seg.String(10),
		Version:           seg.String(12),
		Control:           seg.String(13),
		AckRequested:      seg.String(14),
		Usage:             seg.String(15),
		Delimiters:        seg.Delimiters(),
		Header:            seg.Clone(),
		Pos:               seg.Pos,
	}
	if ic.Delimiters.Repetition == 0 {
		ic.StandardsID = seg.String(11)
	}
	d.checkISA(ic, seg)
	if d.dup != nil && ic.Control != "" {
		seen, err := d.dup.CheckInterchange(d.ctx, ic.Key())
		if err != nil {
			d.failLedger(err)
			return
		}
		if seen {
			ic.Problems = append(ic.Problems, InterchangeProblem{Code: TA1DuplicateControl, Pos: seg.Pos,
				Message: fmt.Sprintf("interchange control number %s from %s:%s was already received", ic.Control, ic.SenderQualifier, ic.SenderID)})
		}
	}
	d.ic = ic
	d.gCtl = map[string]bool{}
	d.emit(Event{Kind: EventInterchangeStart, Interchange: ic})
}

func (d *Decoder) failLedger(err error) {
	d.err, d.done = fmt.Errorf("checking control numbers for duplicates: %w", err), true
}

// checkISA checks ISA values against their code lists and formats (TA1
// notes 005-020). Delimiters and the fixed layout are the reader's job.
func (d *Decoder) checkISA(ic *Interchange, seg *Segment) {
	add := func(c InterchangeNoteCode, el int, format string, args ...any) {
		ic.Problems = append(ic.Problems, InterchangeProblem{Code: c, Pos: seg.Pos,
			Message: fmt.Sprintf("ISA%02d: ", el) + fmt.Sprintf(format, args...)})
	}
	if seg.Len() != 16 {
		add(TA1BadControlStructure, seg.Len(), "the ISA has %d elements; it must have 16", seg.Len())
		return
	}
	if !oneOf(ic.AuthQualifier, "00", "01", "02", "03", "04", "05", "06") {
		add(TA1BadAuthQualifier, 1, "authorization information qualifier %q is not a valid code", ic.AuthQualifier)
	}
	if !oneOf(ic.SecurityQualifier, "00", "01") {
		add(TA1BadSecQualifier, 3, "security information qualifier %q is not a valid code", ic.SecurityQualifier)
	}
	if len(ic.SenderQualifier) != 2 || ic.SenderQualifier == "  " {
		add(TA1BadSenderQualifier, 5, "sender id qualifier %q is not a 2-character code", ic.SenderQualifier)
	}
	if ic.SenderID == "" {
		add(TA1BadSenderID, 6, "interchange sender id is blank")
	}
	if len(ic.ReceiverQualifier) != 2 || ic.ReceiverQualifier == "  " {
		add(TA1BadReceiverQual, 7, "receiver id qualifier %q is not a 2-character code", ic.ReceiverQualifier)
	}
	if ic.ReceiverID == "" {
		add(TA1BadReceiverID, 8, "interchange receiver id is blank")
	}
	if _, err := time.Parse("060102", ic.Date); err != nil || len(ic.Date) != 6 {
		add(TA1BadDate, 9, "interchange date %q is not a valid YYMMDD date", ic.Date)
	}
	if !validHHMM(ic.Time) {
		add(TA1BadTime, 10, "interchange time %q is not a valid HHMM time", ic.Time)
	}
	if ic.Delimiters.Repetition == 0 && ic.Version < "00402" && ic.StandardsID != "U" {
		add(TA1BadStandardsID, 11, "interchange control standards identifier %q must be U for version %s", ic.StandardsID, ic.Version)
	}
	if ic.Version >= "00402" && ic.Delimiters.Repetition == 0 {
		add(TA1BadStandardsID, 11, "ISA11 %q must be the repetition separator (a non-alphanumeric character) for version %s", seg.String(11), ic.Version)
	}
	if len(ic.Version) != 5 || !allDigits(ic.Version) {
		add(TA1BadVersion, 12, "interchange control version %q is not a 5-digit version number", ic.Version)
	}
	if len(ic.Control) != 9 || !allDigits(ic.Control) {
		add(TA1BadControlNumber, 13, "interchange control number %q must be 9 digits", ic.Control)
	}
	if !oneOf(ic.AckRequested, "0", "1") {
		add(TA1BadAckRequested, 14, "acknowledgment requested %q must be 0 or 1", ic.AckRequested)
	}
	if !oneOf(ic.Usage, "P", "T", "I") {
		add(TA1BadTestIndicator, 15, "usage indicator %q must be P (production), T (test) or I (information)", ic.Usage)
	}
}

func (d *Decoder) startGroup(seg *Segment) {
	if d.ic == nil {
		d.stray(seg.Pos, "GS", "a GS appears outside any interchange")
		return
	}
	if d.g != nil {
		msg := "a new GS starts before the GE of group " + d.g.Control
		d.closeSet(seg.Pos, msg)
		d.closeGroup(seg.Pos, msg)
	} else {
		d.closeSet(seg.Pos, "a GS starts inside a transaction set")
	}
	g := &Group{
		FunctionalID: seg.String(1),
		AppSender:    seg.String(2),
		AppReceiver:  seg.String(3),
		Date:         seg.String(4),
		Time:         seg.String(5),
		Control:      seg.String(6),
		Agency:       seg.String(7),
		Version:      seg.String(8),
		Header:       seg.Clone(),
		Pos:          seg.Pos,
		Interchange:  d.ic,
	}
	addG := func(c GroupErrorCode, format string, args ...any) {
		g.Problems = append(g.Problems, GroupProblem{Code: c, Pos: seg.Pos, Message: fmt.Sprintf(format, args...)})
	}
	if g.Control == "" || len(g.Control) > 9 || !allDigits(g.Control) {
		addG(GroupBadControlNumber, "GS06: group control number %q must be 1 to 9 digits", g.Control)
	} else if d.gCtl[g.Control] {
		addG(GroupControlNotUnique, "GS06: group control number %s is used twice in interchange %s", g.Control, d.ic.Control)
	} else if d.dup != nil {
		seen, err := d.dup.CheckGroup(d.ctx, g.Key())
		if err != nil {
			d.failLedger(err)
			return
		}
		if seen {
			addG(GroupControlNotUnique, "GS06: group control number %s from %s was already received", g.Control, g.AppSender)
		}
	}
	d.gCtl[g.Control] = true
	if g.Version == "" {
		addG(GroupVersionNotSupported, "GS08: the version is missing")
	}
	d.ic.Groups++
	d.g = g
	d.stCtl.reset()
	d.emit(Event{Kind: EventGroupStart, Interchange: d.ic, Group: g})
}

func (d *Decoder) startSet(seg *Segment) {
	if d.ic == nil {
		d.stray(seg.Pos, "ST", "an ST appears outside any interchange")
		return
	}
	d.closeSet(seg.Pos, "a new ST starts before the SE")
	s := d.newSet()
	if id := seg.Element(1); string(id) != d.lastID {
		d.lastID = d.texts.String(id)
	}
	s.ID, s.Control, s.ImplementationRef = d.lastID, d.texts.String(seg.Element(2)), d.texts.String(seg.Element(3))
	s.Pos, s.Group, s.Interchange = seg.Pos, d.g, d.ic
	add := func(c SetErrorCode, format string, args ...any) {
		s.Problems = append(s.Problems, SetProblem{Code: c, Pos: seg.Pos, Message: fmt.Sprintf(format, args...)})
	}
	if d.g == nil {
		add(SetNotInGroup, "transaction set %s %s is not inside a functional group (GS missing)", s.ID, s.Control)
	}
	if len(s.ID) != 3 || !allDigits(s.ID) {
		add(SetBadIdentifier, "ST01: transaction set identifier %q must be 3 digits", s.ID)
	}
	switch {
	case len(s.Control) < 4 || len(s.Control) > 9:
		add(SetBadControlNumber, "ST02: transaction set control number %q must be 4 to 9 characters", s.Control)
	case d.g != nil && !d.stCtl.add(s.Control):
		add(SetControlNotUnique, "ST02: control number %s is used twice in group %s", s.Control, d.g.Control)
	}
	d.set = s
	d.appendSegment(seg)
}

func (d *Decoder) appendSegment(seg *Segment) {
	s := d.set
	// Segments are copied into two per-set arenas; when an arena grows,
	// earlier segments keep pointing into the old array, which stays valid.
	// (This is cloneInto, written out: filling the new element in place
	// rather than copying a Segment built on the stack saves a stalled
	// store-to-load forward per segment on the decoder's critical path.)
	bs, es := len(s.bytes), len(s.ends)
	s.bytes = append(s.bytes, seg.raw...)
	s.ends = append(s.ends, seg.ends...)
	n := len(s.Segments)
	if n == cap(s.Segments) {
		s.Segments = slices.Grow(s.Segments, 1)
	}
	s.Segments = s.Segments[:n+1]
	c := &s.Segments[n]
	c.raw = s.bytes[bs:len(s.bytes):len(s.bytes)]
	c.ends = s.ends[es:len(s.ends):len(s.ends)]
	c.delims = seg.delims
	c.Pos = seg.Pos
}

func (d *Decoder) endSet(seg *Segment) {
	if d.set == nil {
		d.stray(seg.Pos, "SE", "an SE appears without a matching ST")
		return
	}
	s := d.set
	d.appendSegment(seg)
	s.HasTrailer = true
	s.TrailerCount, s.TrailerControl = d.texts.String(seg.Element(1)), s.Control
	if c := seg.Element(2); string(c) != s.Control {
		s.TrailerControl = d.texts.String(c)
	}
	if n, ok := atoiPadded(s.TrailerCount); !ok || n != len(s.Segments) {
		s.Problems = append(s.Problems, SetProblem{Code: SetCountMismatch, Pos: seg.Pos,
			Message: fmt.Sprintf("SE01 says %q segments but the set has %d (ST and SE included)", s.TrailerCount, len(s.Segments))})
	}
	if s.TrailerControl != s.Control {
		s.Problems = append(s.Problems, SetProblem{Code: SetControlMismatch, Pos: seg.Pos,
			Message: fmt.Sprintf("SE02 %q does not match ST02 %q", s.TrailerControl, s.Control)})
	}
	d.emitSet()
}

// closeSet ends an open set whose SE is missing.
func (d *Decoder) closeSet(pos Position, why string) {
	if d.set == nil {
		return
	}
	d.set.Problems = append(d.set.Problems, SetProblem{Code: SetTrailerMissing, Pos: pos,
		Message: "SE missing: " + why})
	d.emitSet()
}

func (d *Decoder) emitSet() {
	s := d.set
	d.set = nil
	if d.g != nil {
		d.g.Sets++
	}
	d.emit(Event{Kind: EventSet, Interchange: d.ic, Group: d.g, Set: s})
}

func (d *Decoder) endGroup(seg *Segment) {
	if d.g == nil {
		d.closeSet(seg.Pos, "a GE appears inside a set that is not in a group")
		d.stray(seg.Pos, "GE", "a GE appears without a matching GS")
		return
	}
	d.closeSet(seg.Pos, "the GE comes before the SE")
	g := d.g
	g.HasTrailer, g.EndPos = true, seg.Pos
	g.TrailerSetCount, g.TrailerControl = seg.String(1), seg.String(2)
	if n, ok := atoiPadded(g.TrailerSetCount); !ok || n != g.Sets {
		g.Problems = append(g.Problems, GroupProblem{Code: GroupCountMismatch, Pos: seg.Pos,
			Message: fmt.Sprintf("GE01 says %q transaction sets but the group has %d", g.TrailerSetCount, g.Sets)})
	}
	if !sameNumber(g.TrailerControl, g.Control) {
		g.Problems = append(g.Problems, GroupProblem{Code: GroupControlMismatch, Pos: seg.Pos,
			Message: fmt.Sprintf("GE02 %q does not match GS06 %q", g.TrailerControl, g.Control)})
	}
	d.g = nil
	d.emit(Event{Kind: EventGroupEnd, Interchange: d.ic, Group: g})
}

// closeGroup ends an open group whose GE is missing.
func (d *Decoder) closeGroup(pos Position, why string) {
	if d.g == nil {
		return
	}
	g := d.g
	g.EndPos = pos
	g.Problems = append(g.Problems, GroupProblem{Code: GroupTrailerMissing, Pos: pos, Message: "GE missing: " + why})
	d.g = nil
	d.emit(Event{Kind: EventGroupEnd, Interchange: d.ic, Group: g})
}

func (d *Decoder) endInterchange(seg *Segment) {
	if d.ic == nil {
		d.stray(seg.Pos, "IEA", "an IEA appears without a matching ISA")
		return
	}
	d.closeSet(seg.Pos, "the IEA comes before the SE")
	d.closeGroup(seg.Pos, "the IEA comes before the GE")
	ic := d.ic
	ic.HasTrailer, ic.EndPos = true, seg.Pos
	ic.TrailerGroupCount, ic.TrailerControl = seg.String(1), seg.String(2)
	if n, ok := atoiPadded(ic.TrailerGroupCount); !ok || n != ic.Groups {
		ic.Problems = append(ic.Problems, InterchangeProblem{Code: TA1BadGroupCount, Pos: seg.Pos,
			Message: fmt.Sprintf("IEA01 says %q functional groups but the interchange has %d", ic.TrailerGroupCount, ic.Groups)})
	}
	if ic.TrailerControl != ic.Control {
		ic.Problems = append(ic.Problems, InterchangeProblem{Code: TA1ControlMismatch, Pos: seg.Pos,
			Message: fmt.Sprintf("IEA02 %q does not match ISA13 %q", ic.TrailerControl, ic.Control)})
	}
	d.ic = nil
	d.emit(Event{Kind: EventInterchangeEnd, Interchange: ic})
}

// atoiPadded parses a count that may be zero-padded ("0012").
func atoiPadded(s string) (int, bool) {
	if s == "" || len(s) > 18 || !allDigits(s) {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// sameNumber compares two control numbers as numbers when both are digits
// (GE02 "1" and GS06 "000000001" agree), else as text.
func sameNumber(a, b string) bool {
	if a == b {
		return true
	}
	x, ok1 := atoiPadded(a)
	y, ok2 := atoiPadded(b)
	return ok1 && ok2 && x == y
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func oneOf(s string, set ...string) bool {
	for _, v := range set {
		if s == v {
			return true
		}
	}
	return false
}

func validHHMM(s string) bool {
	if len(s) != 4 || !allDigits(s) {
		return false
	}
	h, m := (s[0]-'0')*10+s[1]-'0', (s[2]-'0')*10+s[3]-'0'
	return h < 24 && m < 60
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

// CheckInterchange reports whether k was seen before and remembers it.
func (m *MemoryDuplicates) CheckInterchange(_ context.Context, k InterchangeKey) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	seen := m.ics[k]
	m.ics[k] = true
	return seen, nil
}

// CheckGroup reports whether k was seen before and remembers it.
func (m *MemoryDuplicates) CheckGroup(_ context.Context, k GroupKey) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	seen := m.groups[k]
	m.groups[k] = true
	return seen, nil
}

var _ Duplicates = (*MemoryDuplicates)(nil)

// controlSet remembers the control numbers of one group to find repeats.
// Partners number sets 0001, 0002, … so the common case is an increasing
// number: it is appended to a sorted slice with one comparison. Anything
// else (out of order, not numeric) goes to a map, and a lookup checks both.
// A group of 100,000 sets then costs no hashing at all.
type controlSet struct {
	sorted []uint64
	other  map[string]struct{}
}

func (c *controlSet) reset() {
	c.sorted = c.sorted[:0]
	clear(c.other)
}

// add records v and reports whether it was new.
func (c *controlSet) add(v string) bool {
	n, numeric := parseControl(v)
	if numeric && (len(c.sorted) == 0 || n > c.sorted[len(c.sorted)-1]) {
		// Numbers in the map were at most the last sorted one when they
		// were added, and that only grows: a larger number is new.
		c.sorted = append(c.sorted, n)
		return true
	}
	if numeric {
		if _, found := slices.BinarySearch(c.sorted, n); found {
			return false
		}
	}
	if _, dup := c.other[v]; dup {
		return false
	}
	if c.other == nil {
		c.other = map[string]struct{}{}
	}
	c.other[v] = struct{}{}
	return true
}

// parseControl packs a control number of up to 16 digits into a uint64:
// the width in the top bits, the value below. "001" and "1" are different
// control numbers as text and stay different here, and same-width numbers
// keep their order, which is what partners send (0001, 0002, …).
func parseControl(v string) (uint64, bool) {
	if v == "" || len(v) > 16 {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	return uint64(len(v))<<59 | n, true
}
