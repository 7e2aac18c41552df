package x12

import (
	"slices"
	"strings"
	"testing"

	"github.com/b2bgw/b2bgw/internal/x12/spec"
)

// These tests run the validator over the shipped spec data (spec.Builtin),
// so the walker and the data files are checked together on documents
// shaped like real partner traffic.

func builtinValidator(t *testing.T, opts ...ValidatorOption) *Validator {
	t.Helper()
	reg, err := spec.Builtin()
	if err != nil {
		t.Fatalf("shipped spec data does not load: %v", err)
	}
	return NewValidator(reg, opts...)
}

func requireSet(t *testing.T, version, id string) {
	t.Helper()
	reg, err := spec.Builtin()
	if err != nil {
		t.Fatalf("shipped spec data does not load: %v", err)
	}
	if _, ok := reg.Set(version, id); !ok {
		t.Skipf("spec data for %s %s is not shipped yet; this test runs once it is", version, id)
	}
}

var real850 = []string{
	"ST*850*0001",
	"BEG*00*SA*4500012345**20240115",
	"CUR*BY*USD",
	"REF*DP*038",
	"REF*IA*VENDOR77",
	"PER*BD*JANE BUYER*TE*5555551212",
	"DTM*002*20240201",
	"N1*ST*ACME DC 42*92*0042",
	"N3*100 MAIN STREET",
	"N4*SPRINGFIELD*IL*62701",
	"N1*BT*ACME CORP*92*0001",
	"PO1*1*10*EA*9.95**UP*012345678905*VN*W-100",
	"PID*F****BLUE WIDGET",
	"PO1*2*5*CA*19.50**UP*012345678912",
	"PID*F****RED WIDGET, CASE OF 12",
	"CTT*2",
	"SE*17*0001",
}

func TestValidateBuiltin(t *testing.T) {
	t.Parallel()
	cases := []struct {
		version, id string
		name        string
		body        string
		status      AckCode
		want        []string // summary lines, nil for none
	}{
		{"004010", "850", "850_clean", segs(real850...), Accepted, nil},
		{"004010", "850", "850_beg_missing", segs(slices.Delete(slices.Clone(real850), 1, 2)...), Rejected, []string{"BEG 2 - 3 E"}},
		{"004010", "850", "850_bad_code", segs(append(append(slices.Clone(real850[:1]), "BEG*00*ZZ*4500012345**20240115"), real850[2:]...)...), Rejected,
			[]string{"BEG 2 - 8 E", "  2.0.0 92 7 E \"ZZ\""}},
		{"004010", "850", "850_ctt_mismatch", segs(append(slices.Clone(real850[:15]), "CTT*3", "SE*17*0001")...), Rejected,
			[]string{"CTT 16 CTT 8 E", "  1.0.0 354 10 E \"3\""}},
		{"004010", "997", "997_accept", segs("ST*997*0001", "AK1*PO*1", "AK2*850*0001", "AK5*A", "AK9*A*1*1*1", "SE*6*0001"), Accepted, nil},
		{"004010", "997", "997_with_detail", segs("ST*997*0001", "AK1*PO*1", "AK2*850*0001", "AK3*BEG*2**8", "AK4*3*324*1", "AK5*R*5", "AK9*R*1*1*0", "SE*9*0001"), Accepted, nil},
		{"004010", "997", "997_ak5_missing", segs("ST*997*0001", "AK1*PO*1", "AK2*850*0001", "AK9*A*1*1*1", "SE*5*0001"), Rejected,
			[]string{"AK5 4 AK2 3 E"}},
		{"004010", "856", "856_hl_tree", segs("ST*856*0001", "BSN*00*SHP0001*20240115*1200", "HL*1**S", "TD1*CTN25*2", "HL*2*1*O", "PRF*4500012345", "HL*3*2*I", "LIN**UP*012345678905", "SN1**10*EA", "HL*4*2*I", "LIN**UP*012345678912", "SN1**5*CA", "CTT*4", "SE*14*0001"), Accepted, nil},
		{"004010", "856", "856_hl_parent_later", segs("ST*856*0001", "BSN*00*SHP0001*20240115*1200", "HL*1**S", "HL*2*3*O", "HL*3*1*I", "LIN**UP*012345678905", "SN1**10*EA", "CTT*3", "SE*9*0001"), Rejected,
			[]string{"HL 4 HL 8 E", "  2.0.0 734 2 E \"3\""}},
		{"005010", "999", "999_accept", segs("ST*999*0001*005010X231A1", "AK1*PO*1*005010", "AK2*850*0001", "IK5*A", "AK9*A*1*1*1", "SE*6*0001"), Accepted, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			requireSet(t, tc.version, tc.id)
			r := builtinValidator(t).Validate(buildSet(t, tc.version, tc.body))
			if r.Status != tc.status {
				t.Errorf("status %s, want %s", r.Status, tc.status)
			}
			if got := summary(r); !slices.Equal(got, tc.want) {
				t.Errorf("findings:\n%s\nwant:\n%s\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"), render(r))
			}
			checkValidateGolden(t, "builtin_"+tc.name, render(r))
		})
	}
}
