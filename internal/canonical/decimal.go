package canonical

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// MaxDecimalDigits is the most significant digits a Decimal holds. Eighteen
// digits always fit an int64 mantissa and cover every EDI numeric we meet:
// X12 R and N elements stop at 15 or 18 characters, EDIFACT n..18 at 18.
const MaxDecimalDigits = 18

// maxScale bounds the digits after the point; it equals MaxDecimalDigits
// because a value such as 0.000000000000000001 is still 18 digits.
const maxScale = MaxDecimalDigits

// ErrDecimalSyntax is wrapped by every error about a malformed number.
var ErrDecimalSyntax = errors.New("invalid decimal")

// ErrDecimalRange is wrapped when a number has more than MaxDecimalDigits
// significant digits or arithmetic would overflow.
var ErrDecimalRange = errors.New("decimal out of range")

// Decimal is an exact decimal number: an int64 mantissa and a count of
// digits after the point. Quantities and money are Decimals, never float64,
// because EDI carries exact digits ("12.50", implied decimals) that a float
// would silently change; Odoo gets a float only at the very edge (Float64).
//
// A Decimal keeps the digits it was given: "12.50" stays "12.50" (scale 2)
// and is not equal under == to "12.5", although Cmp reports them equal. That
// keeps JSON round trips byte-exact. The zero value is 0.
type Decimal struct {
	mant  int64
	scale uint8
}

// NewDecimal returns mant × 10^-scale; scale must be 0..18.
func NewDecimal(mant int64, scale int) Decimal {
	if scale < 0 || scale > maxScale {
		panic(fmt.Sprintf("canonical: decimal scale %d out of range 0..%d", scale, maxScale))
	}
	return Decimal{mant: mant, scale: uint8(scale)}
}

// DecimalFromInt returns the integer n as a Decimal.
func DecimalFromInt(n int64) Decimal { return Decimal{mant: n} }

// ParseDecimal parses an EDI or CSV numeric: an optional leading minus,
// digits, and at most one '.' ("12.50", "-3", ".5", "7."). Signs other than
// a leading minus, exponents, spaces and thousands separators are refused:
// they are not valid in X12 R/N or EDIFACT n elements, and guessing what a
// "1,250" means is how quantities go wrong.
func ParseDecimal(s string) (Decimal, error) {
	return parseDecimal(s, '.', false)
}

// ParseDecimalMark is ParseDecimal with another decimal mark: EDIFACT
// interchanges may declare ',' in UNA, and European CSV files use it too.
func ParseDecimalMark(s string, mark byte) (Decimal, error) {
	return parseDecimal(s, mark, false)
}

// MustParseDecimal is ParseDecimal that panics on error, for constants and
// tests.
func MustParseDecimal(s string) Decimal {
	d, err := ParseDecimal(s)
	if err != nil {
		panic(err)
	}
	return d
}

// FromImplied reads an X12 "Nn" numeric, whose decimal point is implied:
// FromImplied("1250", 2) is 12.50 and FromImplied("-5", 2) is -0.05. The
// digits may carry a leading minus but no point.
func FromImplied(digits string, places int) (Decimal, error) {
	if places < 0 || places > maxScale {
		return Decimal{}, fmt.Errorf("%w: %d implied decimal places", ErrDecimalRange, places)
	}
	if strings.ContainsRune(digits, '.') {
		return Decimal{}, fmt.Errorf("%w: %q has a decimal point but the places are implied", ErrDecimalSyntax, digits)
	}
	d, err := parseDecimal(digits, '.', false)
	if err != nil {
		return Decimal{}, err
	}
	return Decimal{mant: d.mant, scale: uint8(places)}, nil
}

// parseDecimal is the one parser behind ParseDecimal, FromImplied and
// UnmarshalJSON; allowExp admits the exponent form JSON numbers may use.
func parseDecimal(s string, mark byte, allowExp bool) (Decimal, error) {
	orig := s
	bad := func(why string) (Decimal, error) {
		return Decimal{}, fmt.Errorf("%w: %q: %s", ErrDecimalSyntax, orig, why)
	}
	if s == "" {
		return bad("empty")
	}
	neg := false
	if s[0] == '-' {
		neg = true
		s = s[1:]
	}
	exp := 0
	if allowExp {
		if i := strings.IndexAny(s, "eE"); i >= 0 {
			e, err := strconv.Atoi(s[i+1:])
			if err != nil || e > 100 || e < -100 {
				return bad("bad exponent")
			}
			exp, s = e, s[:i]
		}
	}
	var (
		mant      uint64
		digits    int // significant digits held in mant
		scale     int
		seenMark  bool
		seenDigit bool
	)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == mark && !seenMark:
			seenMark = true
		case c >= '0' && c <= '9':
			seenDigit = true
			if seenMark {
				scale++
			}
			if mant == 0 && c == '0' {
				continue // leading zeros are not significant
			}
			digits++
			if digits > MaxDecimalDigits {
				return Decimal{}, fmt.Errorf("%w: %q has more than %d significant digits", ErrDecimalRange, orig, MaxDecimalDigits)
			}
			mant = mant*10 + uint64(c-'0')
		default:
			return bad(fmt.Sprintf("unexpected %q", c))
		}
	}
	if !seenDigit {
		return bad("no digits")
	}
	scale -= exp
	if mant == 0 && scale < 0 {
		scale = 0 // 0e5 is just 0
	}
	for scale < 0 { // 1.5e3: move the exponent into the mantissa
		digits++
		if digits > MaxDecimalDigits {
			return Decimal{}, fmt.Errorf("%w: %q", ErrDecimalRange, orig)
		}
		mant *= 10
		scale++
	}
	if scale > maxScale {
		return Decimal{}, fmt.Errorf("%w: %q has more than %d decimal places", ErrDecimalRange, orig, maxScale)
	}
	m := int64(mant) // fits: at most 18 digits
	if neg {
		m = -m
	}
	return Decimal{mant: m, scale: uint8(scale)}, nil
}

// Mantissa and Scale expose the representation: d == Mantissa × 10^-Scale.
func (d Decimal) Mantissa() int64 { return d.mant }

// Scale is the number of digits after the decimal point.
func (d Decimal) Scale() int { return int(d.scale) }

// Sign returns -1, 0 or +1.
func (d Decimal) Sign() int {
	switch {
	case d.mant < 0:
		return -1
	case d.mant > 0:
		return 1
	}
	return 0
}

// IsZero reports whether d is numerically zero (0, 0.00, -0).
func (d Decimal) IsZero() bool { return d.mant == 0 }

// Ptr returns a pointer to a copy of d, for optional fields.
func (d Decimal) Ptr() *Decimal { return &d }

// String formats d with exactly its digits: "12.50", "-0.05", "3".
func (d Decimal) String() string {
	if d.mant == 0 && d.scale == 0 {
		return "0"
	}
	neg := d.mant < 0
	u := uint64(d.mant)
	if neg {
		u = -u // two's complement: correct for math.MinInt64 too
	}
	digits := strconv.FormatUint(u, 10)
	sc := int(d.scale)
	if sc > 0 {
		if len(digits) <= sc {
			digits = strings.Repeat("0", sc-len(digits)+1) + digits
		}
		digits = digits[:len(digits)-sc] + "." + digits[len(digits)-sc:]
	}
	if neg {
		return "-" + digits
	}
	return digits
}

// Float64 converts to the nearest float64, for the Odoo edge only.
func (d Decimal) Float64() float64 {
	f, _ := strconv.ParseFloat(d.String(), 64)
	return f
}

// Int64 returns the integral value when d has no fractional part.
func (d Decimal) Int64() (int64, bool) {
	n := d.mant
	for i := 0; i < int(d.scale); i++ {
		if n%10 != 0 {
			return 0, false
		}
		n /= 10
	}
	return n, true
}

// Cmp compares numerically: -1 if d < e, 0 if equal, +1 if d > e.
// 12.5 and 12.50 compare equal.
func (d Decimal) Cmp(e Decimal) int {
	a, b, ok := align(d, e)
	if !ok {
		return d.big().Cmp(e.big())
	}
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Equal reports numeric equality (see Cmp).
func (d Decimal) Equal(e Decimal) bool { return d.Cmp(e) == 0 }

// Add returns d+e at the larger of the two scales, or ErrDecimalRange on
// overflow.
func (d Decimal) Add(e Decimal) (Decimal, error) {
	a, b, ok := align(d, e)
	sc := max(d.scale, e.scale)
	if !ok {
		return Decimal{}, fmt.Errorf("%w: %s + %s", ErrDecimalRange, d, e)
	}
	s := a + b
	if (a > 0 && b > 0 && s < 0) || (a < 0 && b < 0 && s >= 0) || tooManyDigits(s) {
		return Decimal{}, fmt.Errorf("%w: %s + %s", ErrDecimalRange, d, e)
	}
	return Decimal{mant: s, scale: sc}, nil
}

// Sub returns d-e (see Add).
func (d Decimal) Sub(e Decimal) (Decimal, error) { return d.Add(e.Neg()) }

// Neg returns -d.
func (d Decimal) Neg() Decimal { return Decimal{mant: -d.mant, scale: d.scale} }

// tooManyDigits keeps results within MaxDecimalDigits so that every
// Decimal can be parsed back from its String.
func tooManyDigits(m int64) bool {
	const limit = 999_999_999_999_999_999
	return m > limit || m < -limit
}

// align brings d and e to a common scale; ok is false on overflow.
func align(d, e Decimal) (a, b int64, ok bool) {
	a, b = d.mant, e.mant
	for s := d.scale; s < e.scale; s++ {
		if a > math.MaxInt64/10 || a < math.MinInt64/10 {
			return 0, 0, false
		}
		a *= 10
	}
	for s := e.scale; s < d.scale; s++ {
		if b > math.MaxInt64/10 || b < math.MinInt64/10 {
			return 0, 0, false
		}
		b *= 10
	}
	return a, b, true
}

// big returns d as an exact rational for the rare comparison that would
// overflow int64 alignment.
func (d Decimal) big() *big.Rat {
	den := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(d.scale)), nil)
	return new(big.Rat).SetFrac(big.NewInt(d.mant), den)
}

// MarshalJSON writes d as a JSON number with exactly its digits ("12.50"
// stays 12.50), so no float rounding happens between EDI and the store.
func (d Decimal) MarshalJSON() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalJSON reads a JSON number without going through float64. A JSON
// string holding a number is accepted too, because spreadsheets and some
// partner XML-to-JSON tools quote numbers; null leaves d unchanged.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		return nil
	}
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	v, err := parseDecimal(s, '.', true)
	if err != nil {
		return err
	}
	*d = v
	return nil
}
