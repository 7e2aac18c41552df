package edifact

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/b2bgw/b2bgw/internal/errclass"
)

// Sentinel errors wrapped by WriteError. Test with errors.Is.
var (
	// ErrValueHasDelimiter: a value contains a service character and the
	// interchange has no release character to escape it with.
	ErrValueHasDelimiter = errors.New("value contains a service character and there is no release character")
	ErrBadSegmentID      = errors.New("segment tag is not 3 upper-case letters or digits starting with a letter")
	ErrNoRepetition      = errors.New("repeated data element but the syntax version has no repetition separator (before syntax 4)")
	ErrEnvelopeOrder     = errors.New("envelope segment out of order")
	ErrBadDelimiters     = errors.New("invalid service characters")
	ErrBadLineBreak      = errors.New("line break must be empty, \"\\n\" or \"\\r\\n\"")
	ErrEnvelopeField     = errors.New("envelope field missing or out of range")
)

// WriteError is an error from a Writer, with the place it concerns as
// fields in the style of SyntaxError.
type WriteError struct {
	SegmentID  string
	Element    int // 1-based element position, 0 when the whole segment is concerned
	Component  int // 1-based component position, 0 when not applicable
	Repetition int // 1-based repetition, 0 when not applicable
	Err        error
	Detail     string
}

func (e *WriteError) Error() string {
	var b strings.Builder
	b.WriteString("edifact write")
	if e.SegmentID != "" {
		b.WriteString(": segment ")
		b.WriteString(e.SegmentID)
		if e.Element > 0 {
			fmt.Fprintf(&b, "%02d", e.Element)
			if e.Component > 0 {
				fmt.Fprintf(&b, "-%d", e.Component)
			}
			if e.Repetition > 0 {
				fmt.Fprintf(&b, " repetition %d", e.Repetition)
			}
		}
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	if e.Detail != "" {
		b.WriteString(" (")
		b.WriteString(e.Detail)
		b.WriteString(")")
	}
	return b.String()
}

func (e *WriteError) Unwrap() error { return e.Err }

// Class: a write error is a bug or bad data in what we generate.
func (e *WriteError) Class() errclass.Class { return errclass.Permanent }

// Value is one data element for WriteValues: simple, composite, or
// repeated (syntax 4). Build it with Simple, Composite and Repeat; the
// writer escapes every part, so data never changes the structure.
type Value struct {
	reps [][]string // reps[r][c]
}

// Simple is a plain element value.
func Simple(s string) Value { return Value{reps: [][]string{{s}}} }

// Composite is a composite element; trailing empty components are
// dropped when written, as ISO 9735 requires.
func Composite(parts ...string) Value { return Value{reps: [][]string{parts}} }

// Repeat is a repeated element (syntax 4); each value may be a composite.
func Repeat(values ...Value) Value {
	var v Value
	for _, x := range values {
		if len(x.reps) == 0 {
			v.reps = append(v.reps, []string{""})
			continue
		}
		v.reps = append(v.reps, x.reps...)
	}
	return v
}

func (v Value) empty() bool {
	for _, r := range v.reps {
		for _, c := range r {
			if c != "" {
				return false
			}
		}
	}
	return true
}

// WriterOption configures a Writer.
type WriterOption func(*Writer)

// WithLineBreak writes br ("\n" or "\r\n") after every segment terminator.
func WithLineBreak(br string) WriterOption {
	return func(w *Writer) {
		if br != "" && br != "\n" && br != "\r\n" {
			w.setErr(&WriteError{Err: ErrBadLineBreak, Detail: fmt.Sprintf("got %q", br)})
			return
		}
		w.lineBreak = br
	}
}

// WithUNA makes BeginInterchange write the service string advice always;
// by default it is written only when the service characters differ from
// the defaults of the syntax version.
func WithUNA() WriterOption { return func(w *Writer) { w.alwaysUNA = true } }

// Writer writes EDIFACT segments with fixed service characters, escaping
// every service character in data with the release character. Like
// bufio.Writer it buffers and its first error is sticky. Call Flush when
// done.
//
// Envelope methods count what they enclose, so UNT 0074, UNE 0060 and UNZ
// 0036 are right by construction; while an interchange is open, the
// envelope segments (UNA, UNB, UNG, UNH, UNT, UNE, UNZ) can only be written
// through them.
type Writer struct {
	bw        *bufio.Writer
	d         Delimiters
	lineBreak string
	alwaysUNA bool
	err       error
	scratch   []byte

	inInterchange bool
	inGroup       bool
	inMessage     bool
	syntax        int
	icControl     string
	groupControl  string
	msgRef        string
	groups        int
	messages      int // in the interchange outside groups, or in the open group
	icMessages    int
	segments      int // in the open message, UNH included
}

// NewWriter returns a Writer that writes to w with service characters d.
func NewWriter(w io.Writer, d Delimiters, opts ...WriterOption) *Writer {
	wr := &Writer{bw: bufio.NewWriter(w), d: d}
	if err := checkDelimiters(d); err != nil {
		wr.setErr(&WriteError{Err: ErrBadDelimiters, Detail: err.Error()})
	}
	for _, o := range opts {
		o(wr)
	}
	if wr.lineBreak != "" && (d.Segment == '\n' || d.Segment == '\r') {
		wr.setErr(&WriteError{Err: ErrBadLineBreak, Detail: "the segment terminator is itself a line break"})
	}
	return wr
}

// Delimiters returns the writer's service characters.
func (w *Writer) Delimiters() Delimiters { return w.d }

// Err returns the first error the writer met, or nil.
func (w *Writer) Err() error { return w.err }

func (w *Writer) setErr(err error) error {
	if w.err == nil {
		w.err = err
	}
	return w.err
}

// Flush writes buffered data and returns the sticky error, if any.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	if err := w.bw.Flush(); err != nil {
		return w.setErr(err)
	}
	return nil
}

// WriteSegment writes a segment of simple elements, escaping service
// characters. Trailing empty elements are dropped.
func (w *Writer) WriteSegment(id string, elements ...string) error {
	vals := make([]Value, len(elements))
	for i, e := range elements {
		vals[i] = Simple(e)
	}
	return w.WriteValues(id, vals...)
}

// WriteValues writes a segment whose elements may be composite or
// repeated.
func (w *Writer) WriteValues(id string, values ...Value) error {
	if w.err != nil {
		return w.err
	}
	if w.inInterchange && isEnvelopeTag(id) {
		return w.setErr(&WriteError{SegmentID: id, Err: ErrEnvelopeOrder, Detail: "write envelope segments with the Begin/End methods"})
	}
	return w.writeValues(id, values)
}

func (w *Writer) writeValues(id string, values []Value) error {
	if !isTag(id) {
		return w.setErr(&WriteError{SegmentID: id, Err: ErrBadSegmentID})
	}
	buf := append(w.scratch[:0], id...)
	n := len(values)
	for n > 0 && values[n-1].empty() {
		n--
	}
	for i, v := range values[:n] {
		buf = append(buf, w.d.Element)
		var err error
		if buf, err = w.appendValue(buf, id, i+1, v); err != nil {
			return w.setErr(err)
		}
	}
	w.scratch = buf
	return w.emit(buf)
}

func (w *Writer) appendValue(buf []byte, id string, pos int, v Value) ([]byte, error) {
	reps := v.reps
	for len(reps) > 0 && (Value{reps: reps[len(reps)-1:]}).empty() {
		reps = reps[:len(reps)-1]
	}
	if len(reps) > 1 && w.repetition() == 0 {
		return buf, &WriteError{SegmentID: id, Element: pos, Err: ErrNoRepetition}
	}
	for r, comps := range reps {
		if r > 0 {
			buf = append(buf, w.repetition())
		}
		m := len(comps)
		for m > 0 && comps[m-1] == "" {
			m--
		}
		for c, s := range comps[:m] {
			if c > 0 {
				buf = append(buf, w.d.Component)
			}
			var ok bool
			if buf, ok = w.appendEscaped(buf, s); !ok {
				e := &WriteError{SegmentID: id, Element: pos, Err: ErrValueHasDelimiter, Detail: fmt.Sprintf("in %q", s)}
				if len(comps) > 1 {
					e.Component = c + 1
				}
				if len(reps) > 1 {
					e.Repetition = r + 1
				}
				return buf, e
			}
		}
	}
	return buf, nil
}

func (w *Writer) repetition() byte {
	if w.syntax > 0 && w.syntax < 4 {
		return 0
	}
	return w.d.Repetition
}

// appendEscaped appends s with every service character preceded by the
// release character; false when one needs escaping and there is none.
func (w *Writer) appendEscaped(buf []byte, s string) ([]byte, bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == w.d.Element || c == w.d.Component || c == w.d.Segment || c == w.d.Release && w.d.Release != 0 || c == w.repetition() && c != 0 {
			if w.d.Release == 0 {
				return buf, false
			}
			buf = append(buf, w.d.Release)
		}
		buf = append(buf, c)
	}
	return buf, true
}

func (w *Writer) emit(seg []byte) error {
	seg = append(seg, w.d.Segment)
	seg = append(seg, w.lineBreak...)
	w.scratch = seg[:0]
	if _, err := w.bw.Write(seg); err != nil {
		return w.setErr(err)
	}
	if w.inMessage {
		w.segments++
	}
	return nil
}

func isTag(id string) bool {
	return len(id) == 3 && id[0] >= 'A' && id[0] <= 'Z' && isTagChar(id[1]) && isTagChar(id[2])
}

func isEnvelopeTag(id string) bool {
	switch id {
	case "UNA", "UNB", "UNG", "UNH", "UNT", "UNE", "UNZ":
		return true
	}
	return false
}

// InterchangeHeader is what BeginInterchange writes in the UNB.
type InterchangeHeader struct {
	SyntaxID           string // "UNOA", "UNOC" ...
	SyntaxVersion      int    // 1..4
	SenderID           string
	SenderQualifier    string
	RecipientID        string
	RecipientQualifier string
	Date               string // YYMMDD (syntax 1-3) or CCYYMMDD (4)
	Time               string // HHMM
	Control            string // 0020, at most 14 characters
	AppRef             string // 0026
	AckRequest         string // 0031: "" or "1" ("2" in syntax 4)
	Test               bool   // 0035 = 1
}

// BeginInterchange writes the UNA (when needed) and the UNB.
func (w *Writer) BeginInterchange(h InterchangeHeader) error {
	if w.err != nil {
		return w.err
	}
	if w.inInterchange {
		return w.setErr(&WriteError{SegmentID: "UNB", Err: ErrEnvelopeOrder, Detail: "an interchange is already open"})
	}
	bad := func(el, comp int, detail string) error {
		return w.setErr(&WriteError{SegmentID: "UNB", Element: el, Component: comp, Err: ErrEnvelopeField, Detail: detail})
	}
	switch {
	case h.SyntaxVersion < 1 || h.SyntaxVersion > 4:
		return bad(1, 2, fmt.Sprintf("syntax version %d: want 1..4", h.SyntaxVersion))
	case len(h.SyntaxID) != 4:
		return bad(1, 1, fmt.Sprintf("syntax identifier %q: want 4 letters such as UNOA", h.SyntaxID))
	case h.SenderID == "" || len(h.SenderID) > 35:
		return bad(2, 1, "sender identification must be 1 to 35 characters")
	case h.RecipientID == "" || len(h.RecipientID) > 35:
		return bad(3, 1, "recipient identification must be 1 to 35 characters")
	case h.SyntaxVersion >= 4 && !validDate(h.Date, "20060102"), h.SyntaxVersion < 4 && !validDate(h.Date, "060102"):
		return bad(4, 1, fmt.Sprintf("date %q does not fit syntax version %d", h.Date, h.SyntaxVersion))
	case !validHHMM(h.Time):
		return bad(4, 2, fmt.Sprintf("time %q: want HHMM", h.Time))
	case h.Control == "" || len(h.Control) > 14:
		return bad(5, 0, "interchange control reference must be 1 to 14 characters")
	}
	w.syntax = h.SyntaxVersion
	def := DefaultDelimiters
	if w.syntax < 4 {
		def.Repetition = 0
	}
	cmp := w.d
	if w.syntax < 4 {
		cmp.Repetition = 0
	}
	if w.alwaysUNA || cmp != def {
		if w.d == LevelBDelimiters && !w.alwaysUNA && h.SyntaxID == "UNOB" {
			// level B's own defaults: no UNA
		} else {
			una := w.d
			if w.syntax < 4 {
				una.Repetition = 0 // UNA5 is reserved (space) before syntax 4
			}
			if _, err := w.bw.WriteString(una.UNA() + w.lineBreak); err != nil {
				return w.setErr(err)
			}
		}
	}
	test := ""
	if h.Test {
		test = "1"
	}
	err := w.writeValues("UNB", []Value{Composite(h.SyntaxID, strconv.Itoa(h.SyntaxVersion)),
		Composite(h.SenderID, h.SenderQualifier), Composite(h.RecipientID, h.RecipientQualifier),
		Composite(h.Date, h.Time), Simple(h.Control), {}, Simple(h.AppRef), {}, Simple(h.AckRequest), {}, Simple(test)})
	if err != nil {
		return err
	}
	w.inInterchange, w.icControl, w.groups, w.messages, w.icMessages = true, h.Control, 0, 0, 0
	return nil
}

// GroupHeader is what BeginGroup writes in the UNG.
type GroupHeader struct {
	ID           string // 0038
	AppSender    string
	AppRecipient string
	Date, Time   string
	Control      string // 0048
	Agency       string // 0051
	Version      string // S008 0052
	Release      string // S008 0054
}

// BeginGroup writes a UNG.
func (w *Writer) BeginGroup(h GroupHeader) error {
	if w.err != nil {
		return w.err
	}
	if !w.inInterchange || w.inGroup || w.inMessage || w.icMessages > 0 {
		return w.setErr(&WriteError{SegmentID: "UNG", Err: ErrEnvelopeOrder, Detail: "a group goes inside an interchange, outside messages, and not beside ungrouped messages"})
	}
	if h.Control == "" || len(h.Control) > 14 {
		return w.setErr(&WriteError{SegmentID: "UNG", Element: 5, Err: ErrEnvelopeField, Detail: "group reference must be 1 to 14 characters"})
	}
	err := w.writeValues("UNG", []Value{Simple(h.ID), Simple(h.AppSender), Simple(h.AppRecipient), Composite(h.Date, h.Time),
		Simple(h.Control), Simple(h.Agency), Composite(h.Version, h.Release)})
	if err != nil {
		return err
	}
	w.inGroup, w.groupControl, w.messages = true, h.Control, 0
	w.groups++
	return nil
}

// MessageID is UNH S009.
type MessageID struct {
	Type, Version, Release, Agency, Association string
}

// BeginMessage writes a UNH with reference ref.
func (w *Writer) BeginMessage(ref string, id MessageID) error {
	if w.err != nil {
		return w.err
	}
	if !w.inInterchange || w.inMessage {
		return w.setErr(&WriteError{SegmentID: "UNH", Err: ErrEnvelopeOrder, Detail: "a message goes inside an interchange, after the previous UNT"})
	}
	if ref == "" || len(ref) > 14 {
		return w.setErr(&WriteError{SegmentID: "UNH", Element: 1, Err: ErrEnvelopeField, Detail: "message reference must be 1 to 14 characters"})
	}
	if id.Type == "" || id.Version == "" || id.Release == "" || id.Agency == "" {
		return w.setErr(&WriteError{SegmentID: "UNH", Element: 2, Err: ErrEnvelopeField, Detail: "type, version, release and agency are mandatory"})
	}
	w.inMessage, w.msgRef, w.segments = true, ref, 0
	return w.writeValues("UNH", []Value{Simple(ref), Composite(id.Type, id.Version, id.Release, id.Agency, id.Association)})
}

// EndMessage writes the UNT with the segment count.
func (w *Writer) EndMessage() error {
	if w.err != nil {
		return w.err
	}
	if !w.inMessage {
		return w.setErr(&WriteError{SegmentID: "UNT", Err: ErrEnvelopeOrder, Detail: "no message is open"})
	}
	if err := w.writeValues("UNT", []Value{Simple(strconv.Itoa(w.segments + 1)), Simple(w.msgRef)}); err != nil {
		return err
	}
	w.inMessage = false
	w.messages++
	if !w.inGroup {
		w.icMessages++
	}
	return nil
}

// EndGroup writes the UNE.
func (w *Writer) EndGroup() error {
	if w.err != nil {
		return w.err
	}
	if !w.inGroup || w.inMessage {
		return w.setErr(&WriteError{SegmentID: "UNE", Err: ErrEnvelopeOrder, Detail: "no group is open, or a message is"})
	}
	if err := w.writeValues("UNE", []Value{Simple(strconv.Itoa(w.messages)), Simple(w.groupControl)}); err != nil {
		return err
	}
	w.inGroup = false
	return nil
}

// EndInterchange writes the UNZ: the number of groups, or of messages when
// there are none.
func (w *Writer) EndInterchange() error {
	if w.err != nil {
		return w.err
	}
	if !w.inInterchange || w.inGroup || w.inMessage {
		return w.setErr(&WriteError{SegmentID: "UNZ", Err: ErrEnvelopeOrder, Detail: "no interchange is open, or a group or message is"})
	}
	n := w.icMessages
	if w.groups > 0 {
		n = w.groups
	}
	if err := w.writeValues("UNZ", []Value{Simple(strconv.Itoa(n)), Simple(w.icControl)}); err != nil {
		return err
	}
	w.inInterchange = false
	return nil
}
