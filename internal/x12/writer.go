package x12

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
	// ErrValueHasDelimiter: a value contains one of the interchange's
	// delimiters. Writing it would silently change the segment's structure
	// (an extra element, a split composite, a premature terminator), so the
	// writer refuses it.
	ErrValueHasDelimiter = errors.New("value contains a delimiter")
	ErrBadSegmentID      = errors.New("segment ID is not 2 or 3 upper-case letters or digits starting with a letter")
	ErrISAField          = errors.New("ISA field does not fit its fixed width")
	ErrNoRepetition      = errors.New("repeated element but the interchange has no repetition separator (ISA12 before 00402)")
	ErrEnvelopeOrder     = errors.New("envelope segment out of order")
	ErrBadDelimiters     = errors.New("invalid delimiters")
	ErrBadLineBreak      = errors.New("line break must be empty, \"\\n\" or \"\\r\\n\"")
	ErrEnvelopeField     = errors.New("envelope field out of range")
)

// WriteError is an error from a Writer, with the place it concerns as
// fields (segment, 1-based element, component and repetition positions) in
// the style of SyntaxError.
type WriteError struct {
	SegmentID  string
	Element    int  // 1-based element position, 0 when the whole segment is concerned
	Component  int  // 1-based component position, 0 when not applicable
	Repetition int  // 1-based repetition, 0 when not applicable
	Byte       byte // the offending byte, for ErrValueHasDelimiter
	Err        error
	Detail     string
}

func (e *WriteError) Error() string {
	var b strings.Builder
	b.WriteString("x12 write")
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
	if errors.Is(e.Err, ErrValueHasDelimiter) {
		fmt.Fprintf(&b, " %s", printable(e.Byte))
	}
	if e.Detail != "" {
		b.WriteString(" (")
		b.WriteString(e.Detail)
		b.WriteString(")")
	}
	return b.String()
}

func (e *WriteError) Unwrap() error { return e.Err }

// Class: a write error is a bug or bad data in what we generate; retrying
// produces the same bytes.
func (e *WriteError) Class() errclass.Class { return errclass.Permanent }

// Value is one element of a segment for WriteValues: a simple value, a
// composite (components joined with the component separator) or a repeated
// element (repetitions joined with the repetition separator). Build it with
// Simple, Composite and Repeat; the writer checks every part against the
// delimiters, so a separator can never come from data.
type Value struct {
	reps [][]string // reps[r][c]: repetition r, component c
}

// Simple is a plain element value.
func Simple(s string) Value { return Value{reps: [][]string{{s}}} }

// Composite is a composite element; trailing empty components are dropped
// when written, as X12 requires.
func Composite(parts ...string) Value { return Value{reps: [][]string{parts}} }

// Repeat is a repeated element (00402 and later); each value may itself be
// a composite. Trailing empty repetitions are dropped when written.
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

// WriterOption configures a Writer.
type WriterOption func(*Writer)

// WithLineBreak writes br ("\n" or "\r\n") after every segment terminator,
// for partners and people who read files with line-oriented tools. The
// reader skips it; it is not part of any segment.
func WithLineBreak(br string) WriterOption {
	return func(w *Writer) {
		if br != "" && br != "\n" && br != "\r\n" {
			w.setErr(&WriteError{Err: ErrBadLineBreak, Detail: fmt.Sprintf("got %q", br)})
			return
		}
		w.lineBreak = br
	}
}

// Writer writes X12 segments with a fixed set of delimiters. Like
// bufio.Writer it buffers and its first error is sticky: every later call
// returns it, so a sequence of writes can be checked once with Err or
// Flush. Call Flush when done.
//
// Envelope methods (BeginInterchange … EndInterchange) count what they
// enclose, so SE01, GE01 and IEA01 are right by construction; while an
// interchange opened with BeginInterchange is open, envelope segments
// (ISA, GS, ST, SE, GE, IEA) can only be written through them.
type Writer struct {
	bw        *bufio.Writer
	d         Delimiters
	lineBreak string
	err       error
	scratch   []byte

	// envelope state
	inInterchange bool
	inGroup       bool
	inSet         bool
	isaControl    string
	isaVersion    string
	groupControl  string
	setControl    string
	groups        int
	sets          int
	segments      int // in the open set, ST included
}

// NewWriter returns a Writer that writes to w with delimiters d. Invalid
// delimiters (letters, digits, space, duplicates) make every write fail
// with ErrBadDelimiters.
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

// Delimiters returns the writer's delimiters.
func (w *Writer) Delimiters() Delimiters { return w.d }

// Err returns the first error the writer met, or nil.
func (w *Writer) Err() error { return w.err }

func (w *Writer) setErr(err error) error {
	if w.err == nil {
		w.err = err
	}
	return w.err
}

// Flush writes buffered data to the underlying writer and returns the
// sticky error, if any.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	if err := w.bw.Flush(); err != nil {
		return w.setErr(err)
	}
	return nil
}

// WriteSegment writes one segment of simple elements. Trailing empty
// elements are dropped. A value containing any delimiter is refused with a
// *WriteError naming the segment, the element and the byte; use WriteValues
// with Composite or Repeat for structured elements.
func (w *Writer) WriteSegment(id string, elements ...string) error {
	if w.err != nil {
		return w.err
	}
	if err := w.checkEnvelopeTag(id); err != nil {
		return err
	}
	return w.writeSimple(id, elements)
}

// WriteValues writes one segment whose elements may be composite or
// repeated. Every part is checked against the delimiters.
func (w *Writer) WriteValues(id string, values ...Value) error {
	if w.err != nil {
		return w.err
	}
	if err := w.checkEnvelopeTag(id); err != nil {
		return err
	}
	if err := checkSegmentID(id); err != nil {
		return w.setErr(err)
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

func (w *Writer) appendValue(buf []byte, id string, pos int, v Value) ([]byte, error) {
	reps := v.reps
	for len(reps) > 0 && (Value{reps: reps[len(reps)-1:]}).empty() {
		reps = reps[:len(reps)-1]
	}
	if len(reps) > 1 && w.d.Repetition == 0 {
		return buf, &WriteError{SegmentID: id, Element: pos, Err: ErrNoRepetition}
	}
	for r, comps := range reps {
		if r > 0 {
			buf = append(buf, w.d.Repetition)
		}
		m := len(comps)
		for m > 0 && comps[m-1] == "" {
			m--
		}
		for c, s := range comps[:m] {
			if c > 0 {
				buf = append(buf, w.d.Component)
			}
			if i := w.delimiterIndex(s); i >= 0 {
				e := &WriteError{SegmentID: id, Element: pos, Byte: s[i], Err: ErrValueHasDelimiter,
					Detail: fmt.Sprintf("at byte %d of %q", i+1, s)}
				if len(comps) > 1 {
					e.Component = c + 1
				}
				if len(reps) > 1 {
					e.Repetition = r + 1
				}
				return buf, e
			}
			buf = append(buf, s...)
		}
	}
	return buf, nil
}

func (w *Writer) writeSimple(id string, elements []string) error {
	if err := checkSegmentID(id); err != nil {
		return w.setErr(err)
	}
	n := len(elements)
	for n > 0 && elements[n-1] == "" {
		n--
	}
	buf := append(w.scratch[:0], id...)
	for i, e := range elements[:n] {
		if j := w.delimiterIndex(e); j >= 0 {
			return w.setErr(&WriteError{SegmentID: id, Element: i + 1, Byte: e[j], Err: ErrValueHasDelimiter,
				Detail: fmt.Sprintf("at byte %d of %q", j+1, e)})
		}
		buf = append(buf, w.d.Element)
		buf = append(buf, e...)
	}
	w.scratch = buf
	return w.emit(buf)
}

// delimiterIndex returns the index of the first delimiter byte in s, or -1.
func (w *Writer) delimiterIndex(s string) int {
	for i := 0; i < len(s); i++ {
		if w.d.Contains(s[i]) {
			return i
		}
	}
	return -1
}

func (w *Writer) emit(seg []byte) error {
	seg = append(seg, w.d.Segment)
	seg = append(seg, w.lineBreak...)
	w.scratch = seg[:0]
	if _, err := w.bw.Write(seg); err != nil {
		return w.setErr(err)
	}
	if w.inSet {
		w.segments++
	}
	return nil
}

func checkSegmentID(id string) error {
	ok := (len(id) == 2 || len(id) == 3) && id[0] >= 'A' && id[0] <= 'Z'
	for i := 1; ok && i < len(id); i++ {
		c := id[i]
		ok = c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
	}
	if !ok {
		return &WriteError{SegmentID: id, Err: ErrBadSegmentID, Detail: fmt.Sprintf("got %q", id)}
	}
	return nil
}

var envelopeTags = map[string]string{
	"ISA": "BeginInterchange", "IEA": "EndInterchange", "GS": "BeginGroup",
	"GE": "EndGroup", "ST": "BeginSet", "SE": "EndSet",
}

// checkEnvelopeTag refuses envelope segments written by hand inside an
// interchange the writer is counting: they would make its counts wrong.
func (w *Writer) checkEnvelopeTag(id string) error {
	if m, ok := envelopeTags[id]; ok && w.inInterchange {
		return w.setErr(&WriteError{SegmentID: id, Err: ErrEnvelopeOrder,
			Detail: "inside an interchange opened with BeginInterchange use " + m})
	}
	return nil
}

// isaWidths are the fixed widths of ISA01..ISA16.
var isaWidths = [17]int{0, 2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1}

// WriteISA writes the fixed-width ISA (106 bytes with its terminator) from
// the header fields of ic: ISA02/ISA04 are padded to 10 and ISA06/ISA08 to
// 15 characters with spaces, ISA13 to 9 digits with zeros. ISA11 is "U" for
// versions before 00402 and the repetition separator from 00402 on; ISA16
// is the component separator. Empty ISA01/ISA03 default to "00" (no
// authorization/security information) and an empty ISA14 to "0". Values
// that do not fit are refused, never cut.
//
// WriteISA does not open an envelope; use BeginInterchange for counted
// envelopes.
func (w *Writer) WriteISA(ic *Interchange) error {
	if w.err != nil {
		return w.err
	}
	if w.inInterchange {
		return w.setErr(&WriteError{SegmentID: "ISA", Err: ErrEnvelopeOrder, Detail: "an interchange is already open"})
	}
	return w.writeISA(ic)
}

func (w *Writer) writeISA(ic *Interchange) error {
	ctl := ic.Control
	if ctl != "" && len(ctl) < 9 && isDigits(ctl) {
		ctl = strings.Repeat("0", 9-len(ctl)) + ctl
	}
	var isa11 string
	switch {
	case len(ic.Version) != 5 || !isDigits(ic.Version):
		return w.setErr(isaErr(12, ic.Version, "want 5 digits, e.g. 00401 or 00501"))
	case ic.Version >= "00402":
		if w.d.Repetition == 0 {
			return w.setErr(&WriteError{SegmentID: "ISA", Element: 11, Err: ErrISAField,
				Detail: "version " + ic.Version + " needs a repetition separator; set Delimiters.Repetition"})
		}
		isa11 = string(w.d.Repetition)
	default:
		isa11 = "U"
		if w.d.Repetition != 0 {
			// A 00401 reader takes ISA11 as the standards identifier, so a
			// repetition separator would be silently ignored by the partner.
			return w.setErr(&WriteError{SegmentID: "ISA", Element: 11, Err: ErrISAField,
				Detail: "version " + ic.Version + " has no repetition separator; clear Delimiters.Repetition"})
		}
	}
	fields := [17]string{
		1: orDefault(ic.AuthQualifier, "00"), 2: ic.AuthInfo,
		3: orDefault(ic.SecurityQualifier, "00"), 4: ic.SecurityInfo,
		5: ic.SenderQualifier, 6: ic.SenderID, 7: ic.ReceiverQualifier, 8: ic.ReceiverID,
		9: ic.Date, 10: ic.Time, 11: isa11, 12: ic.Version, 13: ctl,
		14: orDefault(ic.AckRequested, "0"), 15: ic.Usage, 16: string(w.d.Component),
	}
	for i := 1; i <= 16; i++ {
		f := fields[i]
		switch i {
		case 2, 4, 6, 8: // AN: pad with spaces
			if len(f) > isaWidths[i] {
				return w.setErr(isaErr(i, f, fmt.Sprintf("%d characters, the field holds %d", len(f), isaWidths[i])))
			}
			fields[i] = f + strings.Repeat(" ", isaWidths[i]-len(f))
		case 16, 11:
			// delimiters themselves: checked with the delimiters
		default:
			if len(f) != isaWidths[i] {
				return w.setErr(isaErr(i, f, fmt.Sprintf("want exactly %d characters", isaWidths[i])))
			}
		}
		if i == 6 || i == 8 {
			if strings.TrimSpace(f) == "" {
				return w.setErr(isaErr(i, f, "the interchange ID must not be blank"))
			}
		}
		if i != 16 && i != 11 {
			if j := w.delimiterIndex(fields[i]); j >= 0 {
				return w.setErr(&WriteError{SegmentID: "ISA", Element: i, Byte: fields[i][j], Err: ErrValueHasDelimiter,
					Detail: fmt.Sprintf("at byte %d of %q", j+1, fields[i])})
			}
		}
	}
	for _, i := range []int{9, 10, 13} {
		if !isDigits(fields[i]) {
			return w.setErr(isaErr(i, fields[i], "want digits only"))
		}
	}
	if fields[13] == "000000000" {
		return w.setErr(isaErr(13, fields[13], "the interchange control number must be 1..999999999"))
	}
	if f := fields[14]; f != "0" && f != "1" {
		return w.setErr(isaErr(14, f, "want 0 or 1"))
	}
	if f := fields[15]; f != "P" && f != "T" && f != "I" {
		return w.setErr(isaErr(15, f, "want P, T or I"))
	}
	buf := append(w.scratch[:0], "ISA"...)
	for _, f := range fields[1:] {
		buf = append(buf, w.d.Element)
		buf = append(buf, f...)
	}
	w.isaControl, w.isaVersion = fields[13], ic.Version
	return w.emit(buf)
}

func isaErr(i int, v, why string) *WriteError {
	return &WriteError{SegmentID: "ISA", Element: i, Err: ErrISAField, Detail: fmt.Sprintf("%q: %s", v, why)}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// BeginInterchange writes the ISA (see WriteISA) and opens a counted
// interchange: EndInterchange writes IEA01 as the number of groups written
// since and IEA02 as ISA13.
func (w *Writer) BeginInterchange(ic *Interchange) error {
	if w.err != nil {
		return w.err
	}
	if w.inInterchange {
		return w.setErr(&WriteError{SegmentID: "ISA", Err: ErrEnvelopeOrder, Detail: "an interchange is already open; call EndInterchange first"})
	}
	if err := w.writeISA(ic); err != nil {
		return err
	}
	w.inInterchange, w.groups = true, 0
	return nil
}

// BeginGroup writes a GS from g's header fields (GS07 defaults to "X") and
// opens a counted group. GS06 must be 1 to 9 digits.
func (w *Writer) BeginGroup(g *Group) error {
	if w.err != nil {
		return w.err
	}
	if !w.inInterchange || w.inGroup {
		return w.setErr(&WriteError{SegmentID: "GS", Err: ErrEnvelopeOrder, Detail: "a group must be inside an open interchange and not inside another group"})
	}
	if !isDigits(g.Control) || len(g.Control) > 9 {
		return w.setErr(&WriteError{SegmentID: "GS", Element: 6, Err: ErrEnvelopeField, Detail: fmt.Sprintf("%q: want 1 to 9 digits", g.Control)})
	}
	if len(g.Date) != 8 || !isDigits(g.Date) {
		return w.setErr(&WriteError{SegmentID: "GS", Element: 4, Err: ErrEnvelopeField, Detail: fmt.Sprintf("%q: want CCYYMMDD", g.Date)})
	}
	if len(g.Time) < 4 || len(g.Time) > 8 || !isDigits(g.Time) {
		return w.setErr(&WriteError{SegmentID: "GS", Element: 5, Err: ErrEnvelopeField, Detail: fmt.Sprintf("%q: want HHMM, HHMMSS or HHMMSSDD", g.Time)})
	}
	if err := w.writeSimple("GS", []string{g.FunctionalID, g.AppSender, g.AppReceiver, g.Date, g.Time,
		g.Control, orDefault(g.Agency, "X"), g.Version}); err != nil {
		return err
	}
	w.inGroup, w.groupControl, w.sets = true, g.Control, 0
	return nil
}

// BeginSet writes ST*id*control and opens a counted transaction set.
func (w *Writer) BeginSet(id, control string) error { return w.BeginSetRef(id, control, "") }

// BeginSetRef is BeginSet with ST03, the implementation convention
// reference (005010 and later), e.g. "005010X231A1" for a 999.
func (w *Writer) BeginSetRef(id, control, implementationRef string) error {
	if w.err != nil {
		return w.err
	}
	if !w.inGroup || w.inSet {
		return w.setErr(&WriteError{SegmentID: "ST", Err: ErrEnvelopeOrder, Detail: "a transaction set must be inside an open group and not inside another set"})
	}
	if len(control) < 4 || len(control) > 9 {
		return w.setErr(&WriteError{SegmentID: "ST", Element: 2, Err: ErrEnvelopeField, Detail: fmt.Sprintf("%q: ST02 is 4 to 9 characters", control)})
	}
	w.inSet, w.setControl, w.segments = true, control, 0
	if err := w.writeSimple("ST", []string{id, control, implementationRef}); err != nil {
		return err
	}
	return nil
}

// EndSet writes SE with the number of segments from ST to SE inclusive.
func (w *Writer) EndSet() error {
	if w.err != nil {
		return w.err
	}
	if !w.inSet {
		return w.setErr(&WriteError{SegmentID: "SE", Err: ErrEnvelopeOrder, Detail: "no open transaction set"})
	}
	if err := w.writeSimple("SE", []string{strconv.Itoa(w.segments + 1), w.setControl}); err != nil {
		return err
	}
	w.inSet = false
	w.sets++
	return nil
}

// EndGroup writes GE with the number of sets written in the group.
func (w *Writer) EndGroup() error {
	if w.err != nil {
		return w.err
	}
	if !w.inGroup || w.inSet {
		return w.setErr(&WriteError{SegmentID: "GE", Err: ErrEnvelopeOrder, Detail: "no open group, or a set is still open"})
	}
	if err := w.writeSimple("GE", []string{strconv.Itoa(w.sets), w.groupControl}); err != nil {
		return err
	}
	w.inGroup = false
	w.groups++
	return nil
}

// EndInterchange writes IEA with the number of groups written.
func (w *Writer) EndInterchange() error {
	if w.err != nil {
		return w.err
	}
	if !w.inInterchange || w.inGroup {
		return w.setErr(&WriteError{SegmentID: "IEA", Err: ErrEnvelopeOrder, Detail: "no open interchange, or a group is still open"})
	}
	if err := w.writeSimple("IEA", []string{strconv.Itoa(w.groups), w.isaControl}); err != nil {
		return err
	}
	w.inInterchange = false
	return nil
}
