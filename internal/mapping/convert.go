package mapping

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Sentinel errors wrapped by FieldError. Test with errors.Is.
var (
	ErrRequired    = errors.New("required value is missing")
	ErrUnknownCode = errors.New("code has no translation")
	ErrNotNumber   = errors.New("not a number")
	ErrNotDate     = errors.New("not a date")
	ErrNotTime     = errors.New("not a time of day")
	ErrNotBoolean  = errors.New("not a boolean")
	ErrTooPrecise  = errors.New("more decimal places than the element holds")
)

// maxDigits matches canonical.MaxDecimalDigits: a number the canonical
// Decimal cannot hold is refused here, at the field that produced it,
// rather than by json.Unmarshal later with no position.
const maxDigits = 18

// conversion turns raw text into a typed Value (inbound) or a typed
// canonical value into EDI text (outbound, for templates).
type conversion struct {
	typ      string // one of valueTypes; "" is string
	decimals int    // implied
	layout   string // Go layout from format, "" for the defaults
	hasClock bool   // layout has time-of-day tokens
}

// formatLayout turns an analyst's format (CCYYMMDD, MM/DD/CCYY, HHMI …)
// into a Go layout. Letters other than the tokens are refused: Go layouts
// give meaning to digits and words ("Jan", "2", "PM"), so a stray letter
// would silently change what is parsed.
func formatLayout(f string) (layout string, hasClock bool, err error) {
	tokens := []struct{ tok, layout string }{
		{"CCYY", "2006"}, {"YYYY", "2006"}, {"YY", "06"}, {"MM", "01"}, {"DD", "02"},
		{"HH", "15"}, {"MI", "04"}, {"SS", "05"},
	}
	var b strings.Builder
next:
	for i := 0; i < len(f); {
		for _, t := range tokens {
			if strings.HasPrefix(f[i:], t.tok) {
				b.WriteString(t.layout)
				if t.tok == "HH" || t.tok == "MI" || t.tok == "SS" {
					hasClock = true
				}
				i += len(t.tok)
				continue next
			}
		}
		c := f[i]
		switch {
		case c == 'T' || c == ' ' || c == '/' || c == '-' || c == '.' || c == ':' || c == '_' || c == ',':
			b.WriteByte(c)
			i++
		default:
			return "", false, fmt.Errorf("format %q: unexpected %q at %d; use CCYY YYYY YY MM DD HH MI SS and separators / - . : space T", f, c, i+1)
		}
	}
	if b.Len() == 0 {
		return "", false, fmt.Errorf("format is empty")
	}
	return b.String(), hasClock, nil
}

// jsonNumber checks an EDI/CSV numeric (optional leading minus, digits, at
// most one '.') and returns it as valid JSON number text with the digits
// kept: "007" → "7", ".5" → "0.5", "7." → "7", "12.50" stays "12.50".
func jsonNumber(s string) (string, bool) {
	if canonicalNumber(s) {
		return s, true
	}
	return jsonNumberSlow(s)
}

// canonicalNumber reports whether s is already its own JSON number:
// -?(0|[1-9][0-9]*)(\.[0-9]+)? with at most maxDigits digits, checked in
// one pass (most quantities and prices are).
func canonicalNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	start := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	n := i - start
	if n == 0 || n > 1 && s[start] == '0' {
		return false
	}
	if i < len(s) {
		if s[i] != '.' {
			return false
		}
		i++
		f := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == f || i < len(s) {
			return false
		}
		n += i - f
	}
	return n <= maxDigits
}

// jsonNumberSlow is jsonNumber for a number that is not canonical.
func jsonNumberSlow(s string) (string, bool) {
	orig := s
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	if intPart == "" && frac == "" || !digits(intPart) || !digits(frac) {
		return "", false
	}
	if hasDot && strings.Contains(frac, ".") {
		return "", false
	}
	if intPart != "" && (len(intPart) == 1 || intPart[0] != '0') && (frac != "" || !hasDot) {
		// Already canonical ("12.50", "-7", "0.5"): the input itself, no
		// copy.
		if len(intPart)+len(frac) > maxDigits {
			return "", false
		}
		if neg {
			return orig, true
		}
		return s, true
	}
	intPart = strings.TrimLeft(intPart, "0")
	if sig := len(intPart) + len(frac); sig > maxDigits {
		return "", false
	}
	if intPart == "" {
		intPart = "0"
	}
	out := intPart
	if frac != "" {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out, true
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// inbound converts the raw text of a source value. clock is the time of
// day for datetime (from the field's time expression), loc the mapping's
// zone.
func (c *conversion) inbound(raw, clock string, loc *time.Location) (Value, error) {
	switch c.typ {
	case "", "string":
		return Str(raw), nil
	case "decimal":
		n, ok := jsonNumber(raw)
		if !ok {
			return Value{}, fmt.Errorf("%w: want digits with an optional leading minus and one decimal point, at most %d digits", ErrNotNumber, maxDigits)
		}
		return Num(n), nil
	case "integer":
		n, ok := jsonNumber(raw)
		if !ok || strings.Contains(raw, ".") {
			return Value{}, fmt.Errorf("%w: want a whole number", ErrNotNumber)
		}
		return Num(n), nil
	case "implied":
		return impliedIn(raw, c.decimals)
	case "date":
		t, err := c.parseDate(raw, loc)
		if err != nil {
			return Value{}, err
		}
		return Str(t.Format(time.DateOnly)), nil
	case "datetime":
		t, err := c.parseDateTime(raw, clock, loc)
		if err != nil {
			return Value{}, err
		}
		return Str(t.Format(time.RFC3339Nano)), nil
	case "time":
		h, m, s, ns, err := parseClock(raw)
		if err != nil {
			return Value{}, err
		}
		out := fmt.Sprintf("%02d:%02d:%02d", h, m, s)
		if ns > 0 {
			out += strings.TrimRight(fmt.Sprintf(".%09d", ns), "0")
		}
		return Str(out), nil
	case "boolean":
		switch strings.ToLower(raw) {
		case "true", "1", "y", "yes":
			return Boolean(true), nil
		case "false", "0", "n", "no":
			return Boolean(false), nil
		}
		return Value{}, fmt.Errorf("%w: want true/false, Y/N, yes/no or 1/0", ErrNotBoolean)
	}
	return Value{}, fmt.Errorf("unknown type %q", c.typ)
}

// impliedIn places the implied decimal point of an X12 Nn value:
// "1250" with 2 decimals is 12.50.
func impliedIn(raw string, decimals int) (Value, error) {
	s := raw
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	if s == "" || !digits(s) {
		return Value{}, fmt.Errorf("%w: an implied-decimal value is digits only with an optional leading minus", ErrNotNumber)
	}
	if decimals > 0 {
		if len(s) <= decimals {
			s = strings.Repeat("0", decimals-len(s)+1) + s
		}
		s = s[:len(s)-decimals] + "." + s[len(s)-decimals:]
	}
	if neg {
		s = "-" + s
	}
	n, ok := jsonNumber(s)
	if !ok {
		return Value{}, fmt.Errorf("%w: more than %d digits", ErrNotNumber, maxDigits)
	}
	return Num(n), nil
}

// parseDate reads CCYYMMDD, YYMMDD or CCYY-MM-DD, or the field's format.
// Six-digit years use Go's (and POSIX %y) fixed window, 69–99 → 19xx and
// 00–68 → 20xx, the same as canonical.ParseEDIDate: a window sliding with
// the clock would make replays of old files parse differently.
func (c *conversion) parseDate(raw string, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	if c.layout != "" {
		t, err := time.ParseInLocation(c.layout, raw, loc)
		if err != nil {
			return time.Time{}, fmt.Errorf("%w: does not match the field's format", ErrNotDate)
		}
		return t, nil
	}
	var layout string
	switch {
	case len(raw) == 8 && digits(raw):
		layout = "20060102"
	case len(raw) == 6 && digits(raw):
		layout = "060102"
	case len(raw) == 10 && raw[4] == '-' && raw[7] == '-':
		layout = time.DateOnly
	default:
		return time.Time{}, fmt.Errorf("%w: want CCYYMMDD, YYMMDD or CCYY-MM-DD (set format: for other layouts)", ErrNotDate)
	}
	t, err := time.ParseInLocation(layout, raw, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: not a calendar date", ErrNotDate)
	}
	return t, nil
}

// parseDateTime reads a date plus a separate EDI clock (DTM02 + DTM03), a
// date+time in the field's format, or RFC 3339 as partners' XML sends it;
// local values are placed in the partner's zone.
func (c *conversion) parseDateTime(raw, clock string, loc *time.Location) (time.Time, error) {
	if c.layout == "" && strings.Contains(raw, "T") {
		t, err := time.Parse(time.RFC3339Nano, raw)
		if err != nil {
			return time.Time{}, fmt.Errorf("%w: not RFC 3339", ErrNotDate)
		}
		return t, nil
	}
	d, err := c.parseDate(raw, loc)
	if err != nil || c.hasClock {
		return d, err
	}
	h, m, s, ns, err := parseClock(clock)
	if err != nil {
		return time.Time{}, err
	}
	return time.Date(d.Year(), d.Month(), d.Day(), h, m, s, ns, loc), nil
}

// parseClock reads X12/EDIFACT time HHMM[SS[D…]]; "" is midnight. Hour 24
// is refused like canonical.Date.At does: "2400" is ambiguous between the
// end of one day and the start of the next.
func parseClock(c string) (h, m, s, ns int, err error) {
	if c == "" {
		return 0, 0, 0, 0, nil
	}
	if !digits(c) || len(c) != 4 && (len(c) < 6 || len(c) > 15) {
		return 0, 0, 0, 0, fmt.Errorf("%w: want HHMM, HHMMSS or HHMMSS with decimal seconds", ErrNotTime)
	}
	h = int(c[0]-'0')*10 + int(c[1]-'0')
	m = int(c[2]-'0')*10 + int(c[3]-'0')
	if len(c) >= 6 {
		s = int(c[4]-'0')*10 + int(c[5]-'0')
	}
	if h > 23 || m > 59 || s > 59 {
		return 0, 0, 0, 0, fmt.Errorf("%w: out of range", ErrNotTime)
	}
	scale := 100_000_000
	for _, r := range c[min(len(c), 6):] {
		ns += int(r-'0') * scale
		scale /= 10
	}
	return h, m, s, ns, nil
}

// outbound turns a canonical value's text into EDI text for a template.
func (c *conversion) outbound(text string, loc *time.Location) (string, error) {
	switch c.typ {
	case "", "string", "boolean":
		return text, nil
	case "decimal":
		n, ok := jsonNumber(text)
		if !ok {
			return "", fmt.Errorf("%w: want a decimal number", ErrNotNumber)
		}
		return n, nil
	case "integer":
		n, ok := jsonNumber(text)
		if !ok || strings.Contains(n, ".") {
			return "", fmt.Errorf("%w: want a whole number", ErrNotNumber)
		}
		return n, nil
	case "implied":
		return impliedOut(text, c.decimals)
	case "date", "datetime", "time":
		var t time.Time
		var err error
		if len(text) == 10 {
			t, err = time.Parse(time.DateOnly, text)
		} else {
			t, err = time.Parse(time.RFC3339Nano, text)
			if err == nil && loc != nil {
				t = t.In(loc)
			}
		}
		if err != nil {
			return "", fmt.Errorf("%w: want YYYY-MM-DD or RFC 3339", ErrNotDate)
		}
		layout := c.layout
		if layout == "" {
			layout = "20060102"
			if c.typ == "time" {
				layout = "1504"
			}
		}
		return t.Format(layout), nil
	}
	return "", fmt.Errorf("unknown type %q", c.typ)
}

// impliedOut writes 12.5 with 2 implied decimals as 1250. More decimal
// places than the element holds is an error: rounding money or quantities
// is a business decision, not a formatting one.
func impliedOut(text string, decimals int) (string, error) {
	n, ok := jsonNumber(text)
	if !ok {
		return "", fmt.Errorf("%w: want a decimal number", ErrNotNumber)
	}
	neg := strings.HasPrefix(n, "-")
	n = strings.TrimPrefix(n, "-")
	intPart, frac, _ := strings.Cut(n, ".")
	trimmed := strings.TrimRight(frac, "0")
	if len(trimmed) > decimals {
		return "", fmt.Errorf("%w: %s has %d, the element %d", ErrTooPrecise, text, len(trimmed), decimals)
	}
	frac += strings.Repeat("0", decimals-min(len(frac), decimals))
	out := strings.TrimLeft(intPart+frac[:decimals], "0")
	if out == "" {
		out = "0"
	}
	if neg && out != "0" {
		out = "-" + out
	}
	return out, nil
}

// appendFastDate is the allocation-free path of inbound for the common
// date and datetime values (CCYYMMDD or YYMMDD with the default layout, a
// separate HHMM[SS…] clock): it appends the converted text to buf. It
// reports false for anything else, including every invalid value, so that
// inbound produces the value or the error.
func (c *conversion) appendFastDate(buf []byte, raw, clock string, loc *time.Location) ([]byte, bool) {
	if c.layout != "" || (c.typ != "date" && c.typ != "datetime") {
		return buf, false
	}
	y, m, d, ok := ediDate(raw)
	if !ok {
		return buf, false
	}
	if c.typ == "date" {
		return appendDate(buf, y, m, d), true
	}
	h, mi, s, ns, err := parseClock(clock)
	if err != nil {
		return buf, false
	}
	if loc == nil {
		return buf, false // the loader requires a timezone for datetime
	}
	return time.Date(y, time.Month(m), d, h, mi, s, ns, loc).AppendFormat(buf, time.RFC3339Nano), true
}

// ediDate reads a valid CCYYMMDD or YYMMDD date as time.ParseInLocation
// does with layouts 20060102 and 060102 (two-digit years 69-99 are 19xx,
// 00-68 20xx); ok is false for anything else.
func ediDate(raw string) (y, m, d int, ok bool) {
	if !digits(raw) {
		return 0, 0, 0, false
	}
	num := func(s string) int { return int(s[0]-'0')*10 + int(s[1]-'0') }
	switch len(raw) {
	case 8:
		y = num(raw[:2])*100 + num(raw[2:4])
		raw = raw[4:]
	case 6:
		y = num(raw[:2])
		if y >= 69 {
			y += 1900
		} else {
			y += 2000
		}
		raw = raw[2:]
	default:
		return 0, 0, 0, false
	}
	m, d = num(raw[:2]), num(raw[2:4])
	if m < 1 || m > 12 || d < 1 || d > daysIn(m, y) {
		return 0, 0, 0, false
	}
	return y, m, d, true
}

func daysIn(m, y int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// appendDate appends y-m-d as time.DateOnly formats it.
func appendDate(b []byte, y, m, d int) []byte {
	return append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+m/10), byte('0'+m%10), '-', byte('0'+d/10), byte('0'+d%10))
}
