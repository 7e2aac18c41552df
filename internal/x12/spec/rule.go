package spec

import (
	"fmt"
	"slices"
)

// ParseRule reads a syntax note in the standard's notation: a kind letter
// (P, R, E, C or L) followed by two digits per position, at least two
// positions, each 01..99 and named once. Order matters for C and L, whose
// first position is the condition and may come after the others (PO1's
// C0302: if PO103 is present, PO102 is required).
func ParseRule(s string) (Rule, error) {
	if len(s) < 5 || (len(s)-1)%2 != 0 {
		return Rule{}, fmt.Errorf("syntax rule %q must be a letter and two digits per position, at least two positions (e.g. P0304)", s)
	}
	kind := s[0]
	switch kind {
	case 'P', 'R', 'E', 'C', 'L':
	default:
		return Rule{}, fmt.Errorf("syntax rule %q: kind %q is not one of P (paired), R (required), E (exclusion), C (conditional), L (list conditional)", s, kind)
	}
	if kind == 'L' && len(s) < 7 {
		return Rule{}, fmt.Errorf("syntax rule %q: a list conditional (L) names its condition and at least two others (e.g. L010203)", s)
	}
	r := Rule{Kind: kind, Text: s}
	for i := 1; i < len(s); i += 2 {
		hi, lo := s[i], s[i+1]
		if hi < '0' || hi > '9' || lo < '0' || lo > '9' {
			return Rule{}, fmt.Errorf("syntax rule %q: %q is not a two-digit position", s, s[i:i+2])
		}
		p := int(hi-'0')*10 + int(lo-'0')
		if p == 0 {
			return Rule{}, fmt.Errorf("syntax rule %q: position 00 does not exist; positions start at 01", s)
		}
		if slices.Contains(r.Positions, p) {
			return Rule{}, fmt.Errorf("syntax rule %q names position %02d twice", s, p)
		}
		r.Positions = append(r.Positions, p)
	}
	return r, nil
}

// String returns the rule in the standard's notation.
func (r Rule) String() string {
	if r.Text != "" {
		return r.Text
	}
	b := []byte{r.Kind}
	for _, p := range r.Positions {
		b = fmt.Appendf(b, "%02d", p)
	}
	return string(b)
}
