package canonical

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// ErrDateSyntax is wrapped by every error about a malformed date or time.
var ErrDateSyntax = errors.New("invalid date or time")

// Date is a civil calendar date with no time of day and no time zone: the
// "requested delivery 2025-01-31" kind. It marshals as "2025-01-31". The
// zero value means "no date" and is left out of JSON by omitzero.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// NewDate returns the date y-m-d (not checked; see Valid).
func NewDate(y int, m time.Month, d int) Date { return Date{Year: y, Month: m, Day: d} }

// DateOf returns the calendar date of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// IsZero reports whether d is the zero (absent) date.
func (d Date) IsZero() bool { return d == Date{} }

// Valid reports whether d names a real day (2025-02-30 does not).
func (d Date) Valid() bool {
	if d.Year < 1 || d.Year > 9999 {
		return false
	}
	return DateOf(d.In(time.UTC)) == d
}

// In returns midnight at the start of d in loc.
func (d Date) In(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int {
	switch {
	case d.Year != e.Year:
		return cmpInt(d.Year, e.Year)
	case d.Month != e.Month:
		return cmpInt(int(d.Month), int(e.Month))
	}
	return cmpInt(d.Day, e.Day)
}

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// String formats d as ISO 8601 "2025-01-31"; the zero date is "".
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// ParseDate parses ISO 8601 "2025-01-31", the form Date marshals to.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("%w: %q is not YYYY-MM-DD", ErrDateSyntax, s)
	}
	return DateOf(t), nil
}

// ParseEDIDate parses an EDI date element: CCYYMMDD (X12 DT of 8, EDIFACT
// format 102) or YYMMDD (X12 DT of 6, ISA09, EDIFACT format 101).
//
// Six-digit years use the POSIX strptime %y window, the same one Go's time
// package uses for "06": 69–99 are 1969–1999 and 00–68 are 2000–2068. A
// fixed window, not one sliding with the clock, keeps parsing reproducible
// when old files are replayed.
func ParseEDIDate(s string) (Date, error) {
	var layout string
	switch len(s) {
	case 8:
		layout = "20060102"
	case 6:
		layout = "060102"
	default:
		return Date{}, fmt.Errorf("%w: %q is neither CCYYMMDD nor YYMMDD", ErrDateSyntax, s)
	}
	if !allDigits(s) {
		return Date{}, fmt.Errorf("%w: %q is not all digits", ErrDateSyntax, s)
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		return Date{}, fmt.Errorf("%w: %q is not a calendar date", ErrDateSyntax, s)
	}
	return DateOf(t), nil
}

// MarshalJSON writes "2025-01-31", or null for the zero date (which
// omitzero normally leaves out altogether).
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	if !d.Valid() {
		return nil, fmt.Errorf("%w: %04d-%02d-%02d is not a calendar date", ErrDateSyntax, d.Year, int(d.Month), d.Day)
	}
	return json.Marshal(d.String())
}

// UnmarshalJSON reads "2025-01-31"; null leaves d unchanged.
func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("%w: date must be a JSON string", ErrDateSyntax)
	}
	v, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// DateTime is an instant with the UTC offset it was stated in: EDI says
// "shipped 2025-01-31 14:05 Eastern" and we keep the -05:00. It marshals as
// RFC 3339 ("2025-01-31T14:05:00-05:00"). The zero value means absent.
//
// A DateTime holds its time in a fixed zone of its offset rather than in a
// named location: the offset is all RFC 3339 can carry, and storing exactly
// that makes a JSON round trip yield an identical value.
type DateTime struct {
	t time.Time
}

// NewDateTime wraps t, keeping its instant and its UTC offset.
func NewDateTime(t time.Time) DateTime {
	if t.IsZero() {
		return DateTime{}
	}
	_, off := t.Zone()
	loc := time.UTC
	if off != 0 {
		loc = time.FixedZone("", off)
	}
	return DateTime{t: t.In(loc).Round(0)} // Round(0) drops the monotonic reading
}

// Time returns the instant, in a fixed zone of the stated offset.
func (dt DateTime) Time() time.Time { return dt.t }

// IsZero reports whether dt is absent.
func (dt DateTime) IsZero() bool { return dt.t.IsZero() }

// Date returns the calendar date in dt's own offset.
func (dt DateTime) Date() Date {
	if dt.IsZero() {
		return Date{}
	}
	return DateOf(dt.t)
}

// String formats dt as RFC 3339 with fractional seconds only when present.
func (dt DateTime) String() string {
	if dt.IsZero() {
		return ""
	}
	return dt.t.Format(time.RFC3339Nano)
}

// ParseDateTime parses RFC 3339, the form DateTime marshals to.
func ParseDateTime(s string) (DateTime, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return DateTime{}, fmt.Errorf("%w: %q is not RFC 3339", ErrDateSyntax, s)
	}
	return NewDateTime(t), nil
}

// ParseEDIDateTime combines an EDI date (see ParseEDIDate) with an EDI time
// HHMM[SS[D…]] in loc, the partner's time zone (X12 DTM04/G6203 time codes
// or the partner profile tell which). loc is required: guessing UTC for a
// partner in another zone would shift "deliver by" dates silently.
func ParseEDIDateTime(date, clock string, loc *time.Location) (DateTime, error) {
	d, err := ParseEDIDate(date)
	if err != nil {
		return DateTime{}, err
	}
	return d.At(clock, loc)
}

// At returns the instant on d at the EDI time clock in loc. clock is X12
// TM / EDIFACT time: HHMM, HHMMSS, or HHMMSS followed by 1–9 digits of
// decimal seconds (HHMMSSDD is hundredths). An empty clock means midnight.
func (d Date) At(clock string, loc *time.Location) (DateTime, error) {
	if loc == nil {
		return DateTime{}, fmt.Errorf("%w: no time zone given for %s %s", ErrDateSyntax, d, clock)
	}
	if !d.Valid() {
		return DateTime{}, fmt.Errorf("%w: %s is not a calendar date", ErrDateSyntax, d)
	}
	h, m, s, ns, err := parseClock(clock)
	if err != nil {
		return DateTime{}, err
	}
	return NewDateTime(time.Date(d.Year, d.Month, d.Day, h, m, s, ns, loc)), nil
}

// parseClock reads HHMM[SS[D…]]. Hour 24 is refused: X12 allows "2400" in
// some guides, but it is ambiguous between end of one day and start of the
// next and mapping should decide that explicitly.
func parseClock(c string) (h, m, s, ns int, err error) {
	bad := func(why string) (int, int, int, int, error) {
		return 0, 0, 0, 0, fmt.Errorf("%w: time %q: %s", ErrDateSyntax, c, why)
	}
	if c == "" {
		return 0, 0, 0, 0, nil
	}
	if !allDigits(c) {
		return bad("not all digits")
	}
	if len(c) != 4 && (len(c) < 6 || len(c) > 15) {
		return bad("want HHMM, HHMMSS or HHMMSS with decimal seconds")
	}
	h = int(c[0]-'0')*10 + int(c[1]-'0')
	m = int(c[2]-'0')*10 + int(c[3]-'0')
	if len(c) >= 6 {
		s = int(c[4]-'0')*10 + int(c[5]-'0')
	}
	if h > 23 || m > 59 || s > 59 {
		return bad("out of range")
	}
	frac := c[min(len(c), 6):]
	scale := 100_000_000
	for _, r := range frac {
		ns += int(r-'0') * scale
		scale /= 10
	}
	return h, m, s, ns, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// MarshalJSON writes RFC 3339, or null for the zero value.
func (dt DateTime) MarshalJSON() ([]byte, error) {
	if dt.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(dt.String())
}

// UnmarshalJSON reads RFC 3339; null leaves dt unchanged.
func (dt *DateTime) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("%w: date-time must be a JSON string", ErrDateSyntax)
	}
	v, err := ParseDateTime(s)
	if err != nil {
		return err
	}
	*dt = v
	return nil
}
