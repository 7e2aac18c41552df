package edifact

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/b2bgw/b2bgw/internal/edifact/spec"
)

// testSource is a SpecSource over messages built in the test, so that the
// validator is tested on facts stated here, independent of the embedded
// directory data. The facts are those of D96A (EDSD/EDCD/EDED/EDMD).
type testSource map[string]*spec.Message

func (s testSource) Message(dir, typ string) (*spec.Message, bool) {
	m, ok := s[dir+"/"+typ]
	return m, ok
}

func el(id, format string) *spec.Element {
	f, err := spec.ParseFormat(format)
	if err != nil {
		panic(err)
	}
	return &spec.Element{ID: id, Format: f}
}

func simple(id, format string, st spec.Status) spec.ElementRef {
	return spec.ElementRef{Ref: id, Status: st, Repeat: 1, Element: el(id, format)}
}

func comp(id string, st spec.Status, parts ...spec.ComponentRef) spec.ElementRef {
	return spec.ElementRef{Ref: id, Status: st, Repeat: 1, Composite: &spec.Composite{ID: id, Components: parts}}
}

func part(id, format string, st spec.Status) spec.ComponentRef {
	return spec.ComponentRef{Ref: id, Status: st, Element: el(id, format)}
}

const (
	M = spec.Mandatory
	C = spec.Conditional
)

func d96aOrders() *spec.Message {
	segs := map[string]*spec.Segment{
		"BGM": {ID: "BGM", Elements: []spec.ElementRef{
			comp("C002", C, part("1001", "an..3", C), part("1131", "an..3", C), part("3055", "an..3", C), part("1000", "an..35", C)),
			simple("1004", "an..35", C), simple("1225", "an..3", C), simple("4343", "an..3", C)}},
		"DTM": {ID: "DTM", Elements: []spec.ElementRef{comp("C507", M, part("2005", "an..3", M), part("2380", "an..35", C), part("2379", "an..3", C))}},
		"FTX": {ID: "FTX", Elements: []spec.ElementRef{simple("4451", "an..3", M), simple("4453", "an..3", C),
			comp("C107", C, part("4441", "an..3", M)), comp("C108", C, part("4440", "an..70", M), part("4440", "an..70", C)), simple("3453", "an..3", C)}},
		"NAD": {ID: "NAD", Elements: []spec.ElementRef{simple("3035", "an..3", M),
			comp("C082", C, part("3039", "an..35", M), part("1131", "an..3", C), part("3055", "an..3", C))}},
		"LIN": {ID: "LIN", Elements: []spec.ElementRef{simple("1082", "n..6", C), simple("1229", "an..3", C),
			comp("C212", C, part("7140", "an..35", C), part("7143", "an..3", C))}},
		"QTY": {ID: "QTY", Elements: []spec.ElementRef{comp("C186", M, part("6063", "an..3", M), part("6060", "n..15", M), part("6411", "an..3", C))}},
		"UNS": {ID: "UNS", Elements: []spec.ElementRef{simple("0081", "a1", M)}},
		"CNT": {ID: "CNT", Elements: []spec.ElementRef{comp("C270", M, part("6069", "an..3", M), part("6066", "n..18", M))}},
		"UNH": {ID: "UNH"}, "UNT": {ID: "UNT"},
	}
	dir := &spec.Directory{ID: "D96A", Segments: segs, Codes: map[string]*spec.CodeList{
		"1225": {Element: "1225", Complete: true, Codes: map[string]string{"9": "Original", "1": "Cancellation", "5": "Replace"}},
		"0081": {Element: "0081", Complete: true, Codes: map[string]string{"D": "", "S": ""}},
	}}
	node := func(tag string, st spec.Status, max int) spec.Node {
		return spec.Node{Segment: tag, Status: st, Max: max, Def: segs[tag]}
	}
	return &spec.Message{Type: "ORDERS", Directory: "D96A", Version: "D", Release: "96A", Agency: "UN", Dict: dir,
		Structure: []spec.Node{
			node("UNH", M, 1), node("BGM", M, 1), node("DTM", M, 35), node("FTX", C, 99),
			{Group: "SG2", Status: C, Max: 99, Body: []spec.Node{node("NAD", M, 1)}},
			{Group: "SG25", Status: C, Max: 200000, Body: []spec.Node{node("LIN", M, 1), node("QTY", C, 10)}},
			node("UNS", M, 1), node("CNT", C, 10), node("UNT", M, 1),
		}}
}

func testValidator(t testing.TB, opts ...ValidatorOption) *Validator {
	t.Helper()
	return NewValidator(testSource{"D96A/ORDERS": d96aOrders()}, opts...)
}

func TestValidator(t *testing.T) {
	t.Parallel()
	head := "UNH+M1+ORDERS:D:96A:UN'"
	ok := "BGM+220+PO1+9'DTM+137:20250101:102'NAD+BY+123::9'LIN+1++4000862141404:SRS'QTY+21:48.5:PCE'UNS+S'CNT+2:1'"
	tests := []struct {
		name    string
		body    string
		overlay *spec.Overlay
		status  Status
		want    []string
	}{
		{"clean", ok, nil, Accepted, nil},
		{"missing-bgm", "DTM+137:20250101:102'UNS+S'", nil, Rejected, []string{"UCS M1:2:BGM:13"}},
		{"missing-uns", "BGM+220+PO1+9'DTM+137:20250101:102'", nil, Rejected, []string{"UCS M1:4:UNS:13"}},
		{"unknown-segment", "BGM+220+PO1+9'XYZ+1'DTM+137:20250101:102'UNS+S'", nil, Rejected, []string{"UCS M1:3:XYZ:15"}},
		{"out-of-order", "BGM+220+PO1+9'DTM+137:20250101:102'UNS+S'NAD+BY+1'", nil, Rejected, []string{"UCS M1:5:NAD:15"}},
		{"repeat-over-max", "BGM+220+PO1+9'BGM+220+PO2+9'DTM+137:20250101:102'UNS+S'", nil, Rejected, []string{"UCS M1:3:BGM:35"}},
		{"group-repeat", "BGM+220+PO1+9'DTM+137:2025:102'NAD+BY'NAD+SU'UNS+S'", &spec.Overlay{Segments: map[string]spec.SegmentOverlay{"NAD": {Max: 1}}}, Rejected, []string{"UCS M1:5:NAD:36"}},
		{"mandatory-element", "BGM+220+PO1+9'DTM+:20250101:102'UNS+S'", nil, Rejected, []string{"UCD M1:3:DTM01-1:13"}},
		{"too-long", "BGM+220+" + string(make40('X')) + "+9'DTM+137:1:102'UNS+S'", nil, Rejected, []string{"UCD M1:2:BGM02-0:39"}},
		{"bad-code", "BGM+220+PO1+7'DTM+137:1:102'UNS+S'", nil, Rejected, []string{"UCD M1:2:BGM03-0:12"}},
		{"bad-code-warn", "BGM+220+PO1+7'DTM+137:1:102'UNS+S'", &spec.Overlay{Codes: map[string]spec.CodeOverlay{"1225": {Mode: spec.ModeWarn}}}, Accepted, []string{"UCD M1:2:BGM03-0:12"}},
		{"code-added", "BGM+220+PO1+7'DTM+137:1:102'UNS+S'", &spec.Overlay{Codes: map[string]spec.CodeOverlay{"1225": {Add: []string{"7"}}}}, Accepted, nil},
		{"code-removed-note", "BGM+220+PO1+9'DTM+137:1:102'UNS+S'", &spec.Overlay{Codes: map[string]spec.CodeOverlay{"1225": {Remove: []string{"9"}, Mode: spec.ModeNote}}}, AcceptedWithErrors, []string{"UCD M1:2:BGM03-0:12"}},
		{"numeric-letters", "BGM+220'DTM+137:1:102'LIN+A1'UNS+S'", nil, Rejected, []string{"UCD M1:4:LIN01-0:37"}},
		{"numeric-decimal", "BGM+220'DTM+137:1:102'LIN+1'QTY+21:1.:PCE'QTY+21:-1.5'QTY+21:1,5'UNS+S'", nil, Rejected, []string{"UCD M1:5:QTY01-2:37", "UCD M1:7:QTY01-2:37"}},
		{"alpha-digits", "BGM+220'DTM+137:1:102'UNS+1'", nil, Rejected, []string{"UCD M1:4:UNS01-0:37"}},
		{"too-many-elements", "BGM+220+1+9+1+2'DTM+137:1:102'UNS+S'", nil, Rejected, []string{"UCS M1:2:BGM:16"}},
		{"too-many-components", "BGM+220:1:2:3:4'DTM+137:1:102'UNS+S'", nil, Rejected, []string{"UCD M1:2:BGM01-5:16"}},
		{"simple-with-components", "BGM+220+A:B'DTM+137:1:102'UNS+S'", nil, Rejected, []string{"UCD M1:2:BGM02-0:16"}},
		{"released-value", "BGM+220+P?+O?:1+9'DTM+137:1:102'UNS+S'", nil, Accepted, nil},
		{"element-optional-overlay", "BGM+220'DTM+:1:102'UNS+S'", &spec.Overlay{Elements: map[string]spec.ElementOverlay{"DTM01-1": {Status: C}}}, Accepted, nil},
		{"element-max-overlay", "BGM+220+" + string(make40('X')) + "'DTM+137:1:102'UNS+S'", &spec.Overlay{Elements: map[string]spec.ElementOverlay{"BGM02": {Max: 50}}}, Accepted, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			n := 2 + countSegs(tc.body)
			in := unb3 + head + tc.body + fmt.Sprintf("UNT+%d+M1'UNZ+1+IC1'", n)
			var opts []ValidatorOption
			if tc.overlay != nil {
				opts = append(opts, WithOverlay(tc.overlay))
			}
			v := testValidator(t, opts...)
			var res *InterchangeResult
			if err := Process(NewDecoderBytes([]byte(in)), v.Validate, func(r *InterchangeResult) error { res = r; return nil }); err != nil {
				t.Fatal(err)
			}
			got := codes(res)
			sort.Strings(got)
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("\n got %q\nwant %q", got, tc.want)
			}
			if s := res.Messages[0].Status; s != tc.status {
				t.Errorf("status %s, want %s", s, tc.status)
			}
		})
	}
}

func TestValidatorUnknownMessage(t *testing.T) {
	t.Parallel()
	in := unb3 + "UNH+M1+INVOIC:D:96A:UN'BGM+380'UNT+3+M1'UNZ+1+IC1'"
	var res *InterchangeResult
	_ = Process(NewDecoderBytes([]byte(in)), testValidator(t).Validate, func(r *InterchangeResult) error { res = r; return nil })
	if got := fmt.Sprint(codes(res)); got != "[UCM M1:UNH:2:17]" || res.Messages[0].Status != Rejected {
		t.Errorf("got %s %s", got, res.Messages[0].Status)
	}
}

func make40(c byte) []byte {
	b := make([]byte, 40)
	for i := range b {
		b[i] = c
	}
	return b
}

func countSegs(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' && (i == 0 || s[i-1] != '?') {
			n++
		}
	}
	return n
}

// TestOurCONTRLValidates: the CONTRLs the gateway writes (syntax 3 and 4)
// are checked against the service directories and contain no errors.
func TestOurCONTRLValidates(t *testing.T) {
	reg, err := spec.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	v := NewValidator(reg)
	files, _ := filepath.Glob("testdata/contrl/*.contrl")
	if len(files) < 4 {
		t.Fatalf("want the CONTRL golden files, got %v", files)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if len(data) == 0 || string(data[:3]) != "UNA" && string(data[:3]) != "UNB" {
			continue // the golden file says no CONTRL is sent for this case
		}
		d := NewDecoderBytes(data)
		msgs := 0
		for {
			ev, err := d.Next()
			if err != nil {
				break
			}
			if ev.Kind != EventMessage {
				continue
			}
			msgs++
			r := v.Validate(ev.Message)
			if r.Status != Accepted {
				t.Errorf("%s: our CONTRL %s is %v: problems %+v segments %+v", f, ev.Message.Ref, r.Status, r.Problems, r.Segments)
			}
		}
		if msgs == 0 {
			t.Errorf("%s: no message decoded", f)
		}
	}
}
