package canonical

import (
	"reflect"
	"testing"
)

func TestNormalizeGTIN(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string // want "" = error
	}{
		{"036000291452", "00036000291452"},   // UPC-A
		{"4006381333931", "04006381333931"},  // EAN-13
		{"10012345678902", "10012345678902"}, // case GTIN-14
		{"96385074", "00000096385074"},       // GTIN-8
		{" 036000291452 ", "00036000291452"},
		{"036000291453", ""}, // bad check digit
		{"36000291452", ""},  // 11 digits
		{"03600029145A", ""},
	}
	for _, tc := range tests {
		got, err := NormalizeGTIN(tc.in)
		if (err != nil) != (tc.want == "") || got != tc.want {
			t.Errorf("NormalizeGTIN(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestGTINCandidates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string
	}{
		{"00036000291452", []string{"00036000291452", "0036000291452", "036000291452"}},
		{"04006381333931", []string{"04006381333931", "4006381333931"}},
		{"00000096385074", []string{"00000096385074", "0000096385074", "000096385074", "96385074"}},
		{"10012345678902", []string{"10012345678902"}},
	}
	for _, tc := range tests {
		if got := GTINCandidates(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("GTINCandidates(%s) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestGLNSSCCDUNS(t *testing.T) {
	t.Parallel()
	if !ValidGLN("0614141000005") || ValidGLN("0614141000006") || ValidGLN("614141000005") {
		t.Error("ValidGLN")
	}
	ssccs := []struct{ in, want string }{
		{"008123456789000001", "008123456789000001"},
		{"00008123456789000001", "008123456789000001"}, // with AI (00)
		{"008123456789000002", ""},
		{"8123456789000001", ""},
	}
	for _, tc := range ssccs {
		got, err := NormalizeSSCC(tc.in)
		if (err != nil) != (tc.want == "") || got != tc.want {
			t.Errorf("NormalizeSSCC(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	duns := []struct{ in, want string }{
		{"15-048-3782", "150483782"},
		{"150483782 0001", "1504837820001"},
		{"15048378", ""},
		{"15048378X", ""},
	}
	for _, tc := range duns {
		got, err := NormalizeDUNS(tc.in)
		if (err != nil) != (tc.want == "") || got != tc.want {
			t.Errorf("NormalizeDUNS(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}
