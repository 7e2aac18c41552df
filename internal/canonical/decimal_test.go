package canonical

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestParseDecimal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string // want "" means an error
		scale    int
	}{
		{"12.50", "12.50", 2},
		{"-3", "-3", 0},
		{".5", "0.5", 1},
		{"7.", "7", 0},
		{"-0.05", "-0.05", 2},
		{"0001250", "1250", 0},
		{"-0", "0", 0},
		{"0.000", "0.000", 3},
		{"999999999999999999", "999999999999999999", 0},
		{"0.000000000000000001", "0.000000000000000001", 18},
		{"1000000000000000000", "", 0}, // 19 significant digits
		{"", "", 0},
		{"-", "", 0},
		{".", "", 0},
		{"+5", "", 0},
		{"1,250.00", "", 0},
		{"1.2.3", "", 0},
		{" 5", "", 0},
		{"1e3", "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			d, err := ParseDecimal(tc.in)
			if tc.want == "" {
				if err == nil {
					t.Fatalf("ParseDecimal(%q) = %s, want error", tc.in, d)
				}
				if !errors.Is(err, ErrDecimalSyntax) && !errors.Is(err, ErrDecimalRange) {
					t.Errorf("error %v wraps neither sentinel", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseDecimal(%q): %v", tc.in, err)
			}
			if d.String() != tc.want || d.Scale() != tc.scale {
				t.Errorf("ParseDecimal(%q) = %s scale %d, want %s scale %d", tc.in, d, d.Scale(), tc.want, tc.scale)
			}
		})
	}
}

func TestParseDecimalMark(t *testing.T) {
	t.Parallel()
	d, err := ParseDecimalMark("12,5", ',')
	if err != nil || d.String() != "12.5" {
		t.Errorf("ParseDecimalMark(12,5) = %s, %v", d, err)
	}
	if _, err := ParseDecimalMark("12.5", ','); err == nil {
		t.Error("a '.' was accepted with mark ','")
	}
}

func TestFromImplied(t *testing.T) {
	t.Parallel()
	tests := []struct {
		digits string
		places int
		want   string
	}{
		{"1250", 2, "12.50"},
		{"-5", 2, "-0.05"},
		{"5", 0, "5"},
		{"000", 2, "0.00"},
		{"12.5", 2, ""},
		{"12", -1, ""},
		{"abc", 2, ""},
	}
	for _, tc := range tests {
		d, err := FromImplied(tc.digits, tc.places)
		switch {
		case tc.want == "" && err == nil:
			t.Errorf("FromImplied(%q, %d) = %s, want error", tc.digits, tc.places, d)
		case tc.want != "" && (err != nil || d.String() != tc.want):
			t.Errorf("FromImplied(%q, %d) = %s, %v; want %s", tc.digits, tc.places, d, err, tc.want)
		}
	}
}

func TestDecimalArithmetic(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b      string
		cmp       int
		sum, diff string
	}{
		{"12.5", "12.50", 0, "25.00", "0.00"},
		{"48", "40", 1, "88", "8"},
		{"-1.5", "0.25", -1, "-1.25", "-1.75"},
		{"0.000000000000000001", "999999999999999999", -1, "", ""}, // sum needs 36 digits
	}
	for _, tc := range tests {
		a, b := MustParseDecimal(tc.a), MustParseDecimal(tc.b)
		if got := a.Cmp(b); got != tc.cmp {
			t.Errorf("%s Cmp %s = %d, want %d", a, b, got, tc.cmp)
		}
		if got := b.Cmp(a); got != -tc.cmp {
			t.Errorf("%s Cmp %s = %d, want %d", b, a, got, -tc.cmp)
		}
		s, err := a.Add(b)
		if tc.sum == "" {
			if !errors.Is(err, ErrDecimalRange) {
				t.Errorf("%s + %s = %s, %v; want range error", a, b, s, err)
			}
			continue
		}
		if err != nil || s.String() != tc.sum {
			t.Errorf("%s + %s = %s, %v; want %s", a, b, s, err, tc.sum)
		}
		if d, err := a.Sub(b); err != nil || d.String() != tc.diff {
			t.Errorf("%s - %s = %s, %v; want %s", a, b, d, err, tc.diff)
		}
	}
	if _, err := MustParseDecimal("999999999999999999").Add(MustParseDecimal("1")); !errors.Is(err, ErrDecimalRange) {
		t.Errorf("overflow not reported: %v", err)
	}
}

func TestDecimalConversions(t *testing.T) {
	t.Parallel()
	if f := MustParseDecimal("12.50").Float64(); f != 12.5 {
		t.Errorf("Float64 = %v", f)
	}
	if n, ok := MustParseDecimal("48.000").Int64(); !ok || n != 48 {
		t.Errorf("Int64(48.000) = %d, %v", n, ok)
	}
	if _, ok := MustParseDecimal("48.5").Int64(); ok {
		t.Error("Int64(48.5) claims to be integral")
	}
	if d := NewDecimal(-1250, 2); d.String() != "-12.50" || d.Sign() != -1 || d.Mantissa() != -1250 {
		t.Errorf("NewDecimal(-1250, 2) = %s", d)
	}
	if DecimalFromInt(0).String() != "0" || !DecimalFromInt(0).IsZero() {
		t.Error("zero")
	}
}

func TestDecimalJSON(t *testing.T) {
	t.Parallel()
	type doc struct {
		Q Decimal  `json:"q"`
		P *Decimal `json:"p,omitempty"`
	}
	tests := []struct {
		in, out string
	}{
		{`{"q":12.50}`, `{"q":12.50}`},
		{`{"q":"12.50","p":null}`, `{"q":12.50}`},
		{`{"q":1.5e3}`, `{"q":1500}`},
		{`{"q":2.5E-2}`, `{"q":0.025}`},
		{`{"q":0e100}`, `{"q":0}`},
		{`{"q":1e100}`, ``},
		{`{"q":-0.10,"p":3}`, `{"q":-0.10,"p":3}`},
		{`{"q":true}`, ``},
		{`{"q":"12,5"}`, ``},
	}
	for _, tc := range tests {
		var d doc
		err := json.Unmarshal([]byte(tc.in), &d)
		if tc.out == "" {
			if err == nil {
				t.Errorf("Unmarshal(%s) succeeded: %+v", tc.in, d)
			}
			continue
		}
		if err != nil {
			t.Errorf("Unmarshal(%s): %v", tc.in, err)
			continue
		}
		b, _ := json.Marshal(d)
		if string(b) != tc.out {
			t.Errorf("%s → %s, want %s", tc.in, b, tc.out)
		}
	}
}

// FuzzParseDecimal: whatever parses prints back to something that parses
// to the same value with the same digits.
func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{"12.50", "-0.05", ".5", "999999999999999999", "0", "7."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDecimal(s)
		if err != nil {
			return
		}
		back, err := ParseDecimal(d.String())
		if err != nil || back != d {
			t.Fatalf("%q → %s → %v, %v", s, d, back, err)
		}
		var j Decimal
		b, _ := d.MarshalJSON()
		if err := j.UnmarshalJSON(b); err != nil || j != d {
			t.Fatalf("JSON %s → %v, %v", b, j, err)
		}
	})
}
