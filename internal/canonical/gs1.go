package canonical

import (
	"errors"
	"fmt"
	"strings"
)

// ErrCheckDigit is wrapped when a GS1 key's check digit is wrong.
var ErrCheckDigit = errors.New("bad GS1 check digit")

// gs1CheckDigit computes the GS1 mod-10 check digit over body (all digits,
// without the check digit): weights 3,1,3,… from the right.
func gs1CheckDigit(body string) byte {
	sum := 0
	for i := 0; i < len(body); i++ {
		d := int(body[len(body)-1-i] - '0')
		if i%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10)
}

// validGS1 reports whether s is n digits with a correct check digit.
func validGS1(s string, n int) bool {
	return len(s) == n && allDigits(s) && gs1CheckDigit(s[:n-1]) == s[n-1]
}

// NormalizeGTIN turns a GTIN-8, UPC-A (GTIN-12), EAN-13 or GTIN-14 into the
// 14-digit form, checking the check digit. One form means Order lines, ASN
// items and catalog rows compare equal however the partner wrote the code;
// GTINCandidates gives back the shorter forms Odoo barcodes are stored in.
func NormalizeGTIN(s string) (string, error) {
	s = strings.TrimSpace(s)
	switch len(s) {
	case 8, 12, 13, 14:
	default:
		return "", fmt.Errorf("%w: GTIN %q must have 8, 12, 13 or 14 digits", ErrCheckDigit, s)
	}
	if !allDigits(s) {
		return "", fmt.Errorf("%w: GTIN %q is not all digits", ErrCheckDigit, s)
	}
	g := strings.Repeat("0", 14-len(s)) + s
	if !validGS1(g, 14) {
		return "", fmt.Errorf("%w: GTIN %q", ErrCheckDigit, s)
	}
	return g, nil
}

// GTINCandidates lists the forms a normalized GTIN-14 may be stored in as a
// product barcode, longest first: the 14 digits, then EAN-13, UPC-A and
// GTIN-8 when the leading zeros allow. Odoo keeps barcodes as typed, so a
// lookup must try each.
func GTINCandidates(gtin14 string) []string {
	out := []string{gtin14}
	for _, n := range []int{13, 12, 8} {
		if len(gtin14) == 14 && strings.Count(gtin14[:14-n], "0") == 14-n {
			out = append(out, gtin14[14-n:])
		}
	}
	return out
}

// ValidGLN reports whether s is a 13-digit GS1 Global Location Number with a
// correct check digit.
func ValidGLN(s string) bool { return validGS1(s, 13) }

// NormalizeSSCC returns the 18-digit SSCC from s, dropping the "00"
// application identifier that barcode scans and many 856 MAN*GM elements
// carry in front (20 digits), and checks the check digit.
func NormalizeSSCC(s string) (string, error) {
	s = strings.TrimSpace(s)
	if len(s) == 20 && strings.HasPrefix(s, "00") {
		s = s[2:]
	}
	if !validGS1(s, 18) {
		return "", fmt.Errorf("%w: SSCC %q must be 18 digits with a valid check digit", ErrCheckDigit, s)
	}
	return s, nil
}

// NormalizeDUNS returns the 9-digit D-U-N-S number from s, ignoring the
// dashes and spaces people write it with ("15-048-3782"). A 13-digit
// DUNS+4 (X12 qualifier 9) keeps its 4-digit location suffix: it names a
// different place than the bare DUNS.
func NormalizeDUNS(s string) (string, error) {
	s = strings.NewReplacer("-", "", " ", "").Replace(s)
	if (len(s) != 9 && len(s) != 13) || !allDigits(s) {
		return "", fmt.Errorf("canonical: DUNS %q must be 9 digits (or 13 for DUNS+4)", s)
	}
	return s, nil
}
