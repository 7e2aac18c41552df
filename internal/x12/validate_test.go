package x12

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// The -update flag rewrites testdata/validate/*.golden:
// go test -run Validate -update. Other golden tests of the package share
// the flag, so it is defined only when nobody has defined it yet.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files under testdata/")
	}
}

func validateGoldenUpdate() bool {
	f := flag.Lookup("update")
	if f == nil {
		return false
	}
	return f.Value.String() == "true"
}

// summary renders a result compactly for assertions:
//
//	SEG position loop code severity
//	  element.component.repetition ref code severity "value"
func summary(r *SetResult) []string {
	var out []string
	for _, s := range r.Segments {
		out = append(out, fmt.Sprintf("%s %d %s %s %s", s.SegmentID, s.Position, orDash(s.LoopID), orDash(string(s.Code)), sevLetter(s.Severity)))
		for _, e := range s.Elements {
			out = append(out, fmt.Sprintf("  %d.%d.%d %s %s %s %q", e.Position, e.Component, e.Repetition, orDash(e.Ref), e.Code, sevLetter(e.Severity), e.Value))
		}
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func sevLetter(s Severity) string {
	if s == SevWarning {
		return "W"
	}
	return "E"
}

// render is the golden form: status, codes and every finding as people
// read it (Describe), so reviewers see the messages partners will get.
func render(r *SetResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "set %s control %s status %s codes %v\n", r.ID, r.Control, r.Status, r.Codes)
	for i := range r.Segments {
		s := &r.Segments[i]
		fmt.Fprintf(&b, "[%s] %s\n", s.Severity, s.Describe())
	}
	return b.String()
}

func checkValidateGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "validate", name+".golden")
	if validateGoldenUpdate() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to create it)", err, t.Name())
	}
	if string(want) != got {
		t.Errorf("golden %s differs (run with -update after checking):\n--- want\n%s--- got\n%s", path, want, got)
	}
}

// clean850 is a valid purchase order for the fixture spec.
var clean850 = []string{
	"ST*850*0001",
	"BEG*00*SA*PO12345**20240115",
	"CUR*BY*USD",
	"REF*DP*038",
	"DTM*002*20240201*1230",
	"N1*ST*ACME DC*92*0042",
	"N3*100 MAIN ST",
	"N4*SPRINGFIELD*IL*62701",
	"N1*BT*ACME CORP",
	"PO1*1*10*EA*9.95**UP*012345678905",
	"PID*F*WIDGET, BLUE",
	"PO1*2*5*CA*19.5**VN*AB-1",
	"DTM*010*20240205",
	"CTT*2",
	"SE*15*0001",
}

// edit850 returns clean850 with segment i (0-based, ST = 0) replaced by
// repl (none to delete it) and the result joined.
func edit850(i int, repl ...string) string {
	out := slices.Clone(clean850[:i])
	out = append(out, repl...)
	out = append(out, clean850[i+1:]...)
	return segs(out...)
}

// insert850 inserts segments before index i.
func insert850(i int, ins ...string) string {
	out := slices.Clone(clean850[:i])
	out = append(out, ins...)
	out = append(out, clean850[i:]...)
	return segs(out...)
}

type validateCase struct {
	name    string
	version string // GS08, default 004010
	body    string
	overlay string // YAML
	prep    func(*Set)
	status  AckCode
	codes   []SetErrorCode
	want    []string // summary lines; nil means no findings
}

func TestValidate(t *testing.T) {
	t.Parallel()
	cases := []validateCase{
		{name: "clean_850", body: segs(clean850...), status: Accepted},
		{name: "unknown_set", body: segs("ST*999*0001", "BEG*00*SA*1**20240101", "SE*3*0001"), status: Rejected, codes: []SetErrorCode{SetNotSupported}},
		{name: "unknown_version", version: "003040", body: segs(clean850...), status: Rejected, codes: []SetErrorCode{SetNotSupported}},

		// segment structure
		{name: "beg_missing", body: edit850(1), status: Rejected, codes: []SetErrorCode{SetSegmentsInError},
			want: []string{"BEG 2 - 3 E"}},
		{name: "unrecognized_segment", body: insert850(2, "ZZZ*1"), status: Rejected, codes: []SetErrorCode{SetSegmentsInError},
			want: []string{"ZZZ 3 - 1 E"}},
		{name: "segment_not_in_set", body: insert850(5, "TD5*Z"), status: Rejected, codes: []SetErrorCode{SetSegmentsInError},
			want: []string{"TD5 6 - 6 E"}},
		{name: "out_of_sequence", body: segs("ST*850*0001", "CUR*BY*USD", "BEG*00*SA*PO1**20240115", "PO1*1*1*EA*1**UP*1", "SE*5*0001"),
			status: Rejected, codes: []SetErrorCode{SetSegmentsInError},
			want: []string{"BEG 2 - 3 E", "BEG 3 - 7 E"}},
		{name: "out_of_sequence_in_loop", body: segs("ST*850*0001", "BEG*00*SA*PO1**20240115", "PO1*1*1*EA*1**UP*1", "PID*F*X", "CUR*BY*USD", "SE*6*0001"),
			status: Rejected, codes: []SetErrorCode{SetSegmentsInError},
			want: []string{"CUR 5 PID 7 E"}},
		{name: "unexpected_segment", body: insert850(5, "N3*1 ELM ST"), status: Rejected, codes: []SetErrorCode{SetSegmentsInError},
			want: []string{"N3 6 - 2 E"}},
		{name: "segment_over_max_use", body: insert850(4, "REF*IA*1", "REF*VR*2", "REF*PO*3"), status: Rejected, codes: []SetErrorCode{SetSegmentsInError},
			want: []string{"REF 7 - 5 E"}},
		{name: "loop_over_max", body: insert850(13, "PO1*3*1*EA*1**UP*3", "PO1*4*1*EA*1**UP*4", "PO1*5*1*EA*1**UP*5", "PO1*6*1*EA*1**UP*6"),
			status: Rejected, codes: []SetErrorCode{SetSegmentsInError},
			want: []string{"PO1 17 PO1 4 E", "CTT 18 CTT 8 E", "  1.0.0 354 10 E \"2\""}},
		{name: "nested_loop_over_max", body: insert850(11, "PID*F*B", "PID*F*C"), status: Rejected, codes: []SetErrorCode{SetSegmentsInError},
			want: []string{"PID 13 PID 4 E"}},
		{name: "mandatory_loop_missing", body: segs("ST*850*0001", "BEG*00*SA*PO1**20240115", "CTT*0", "SE*4*0001"),
			status: Rejected, codes: []SetErrorCode{SetSegmentsInError},
			want: []string{"PO1 3 PO1 3 E"}},
		{name: "loop_closing_reports_missing", body: segs("ST*TS1*0001", "LX*1", "N9*PO*1", "LX*2", "AMT*TT*5", "N9*PO*2", "SE*7*0001"),
			status: Rejected, codes: []SetErrorCode{SetSegmentsInError},
			want: []string{"AMT 3 LX 3 E", "MSG 4 N9 3 E", "MSG 7 N9 3 E"}},
		{name: "trailer_missing", prep: func(s *Set) {
			s.Problems = append(s.Problems, SetProblem{Code: SetTrailerMissing, Message: "SE missing"})
		}, body: segs(clean850[:13]...), status: Rejected, codes: []SetErrorCode{SetTrailerMissing}},

		// elements
		{name: "element_mandatory_missing", body: edit850(1, "BEG*00*SA***20240115"), status: Rejected, codes: []SetErrorCode{SetSegmentsInError},
			want: []string{"BEG 2 - 8 E", "  3.0.0 324 1 E \"\""}},
		{name: "element_too_many", body: edit850(2, "CUR*BY*USD*X"), status: Rejected, codes: []SetErrorCode{SetSegmentsInError},
			want: []string{"CUR 3 - 8 E", "  3.0.0 - 3 E \"X\""}},
		{name: "element_trailing_separators_tolerated", body: edit850(2, "CUR*BY*USD**"), status: Accepted},
		{name: "element_too_long_and_short", body: edit850(5, "N1*ST*ACME DC*92*4"), status: Rejected, codes: []SetErrorCode{SetSegmentsInError},
			want: []string{"N1 6 N1 8 E", "  4.0.0 67 4 E \"4\""}},
		{name: "element_too_long", body: edit850(1, "BEG*00*SA*PO12345678901234567890123**20240115"), status: Rejected, codes: []SetErrorCode{SetSegmentsInError},
			want: []string{"BEG 2 - 8 E", "  3.0.0 324 5 E \"PO12345678901234567890123\""}},
		{name: "element_invalid_characters", body: edit850(9, "PO1*1*1O*E *9.95**UP*0123\t45"), status: Rejected, codes: []SetErrorCode{SetSegmentsInError},
			want: []string{"PO1 10 PO1 8 E", "  2.0.0 330 6 E \"1O\"", "  3.0.0 355 6 E \"E \"", "  7.0.0 234 6 E \"\""}},
		{name: "numeric_lengths_exclude_sign_and_point", body: edit850(9, "PO1*1*-1234567890.12345*EA*1234567890123456**UP*1"), status: Accepted},
		{name: "numeric_too_long", body: edit850(9, "PO1*1*1234567890123456*EA*1.2.3**UP*1"), status: Rejected, codes: []SetErrorCode{SetSegmentsInError},
			want: []string{"PO1 10 PO1 8 E", "  2.0.0 330 5 E \"1234567890123456\"", "  4.0.0 212 6 E \"1.2.3\""}},
		{name: "n0_rejects_decimal_point", body: edit850(13, "CTT*2.0"), status: Rejected, codes: []SetErrorCode{SetSegmentsInError},
			want: []string{"CTT 14 CTT 8 E", "  1.0.0 354 6 E \"2.0\""}},
		{name: "invalid_code", body: edit850(1, "BEG*99*SA*PO1**20240115"), status: Rejected, codes: []SetErrorCode{SetSegmentsInError},
			want: []string{"BEG 2 - 8 E", "  1.0.0 353 7 E \"99\""}},
		{name: "invalid_dates", body: edit850(1, "BEG*00*SA*PO1**20230229"), status: Rejected, codes: []SetErrorCode{SetSegmentsInError},
			want: []string{"BEG 2 - 8 E", "  5.0.0 373 8 E \"20230229\""}},
		{name: "leap_day_is_a_date", body: edit850(1, "BEG*00*SA*PO1**20240229"), status: Accepted},
		{name: "date_not_digits", body: edit850(1, "BEG*00*SA*PO1**2024-1-5"), status: Rejected, codes: []SetErrorCode{SetSegmentsInError},
			want: []string{"BEG 2 - 8 E", "  5.0.0 373 8 E \"2024-1-5\""}},
		{name: "date_too_short", body: edit850(1, "BEG*00*SA*PO1**240115"), status: Rejected, codes: []SetErrorCode{SetSegmentsInError},
			want: []string{"BEG 2 - 8 E", "  5.0.0 373 4 E \"240115\""}},
		{name: "invalid_times", body: edit850(4, "DTM*002*20240201*2460", "DTM*002*20240201*12345", "DTM*002*20240201*123059", "DTM*002*20240201*12305999"),
			status: Rejected, codes: []SetErrorCode{SetSegmentsInError},
			want: []string{"DTM 5 - 8 E", "  3.0.0 337 9 E \"2460\"", "DTM 6 - 8 E", "  3.0.0 337 9 E \"12345\""}},
		{name: "conditional_rules", body: edit850(4, "DTM*002", "DTM*002**1200"), status: Rejected, codes: []SetErrorCode{SetSegmentsInError},
			want: []string{"DTM 5 - 8 E", "  2.0.0 373 2 E \"\"", "DTM 6 - 8 E", "  2.0.0 373 2 E \"\""}},
		{name: "paired_rule", body: edit850(5, "N1*ST*ACME DC*92"), status: Rejected, codes: []SetErrorCode{SetSegmentsInError},
			want: []string{"N1 6 N1 8 E", "  4.0.0 67 2 E \"\""}},
		{name: "exclusion_rule", body: segs("ST*TS1*0001", "LX*1", "AMT*TT*5", "XE1*A**C", "SE*5*0001"), status: Rejected, codes: []SetErrorCode{SetSegmentsInError},
			want: []string{"XE1 4 LX 8 E", "  3.0.0 93 10 E \"C\""}},
		{name: "composite_checks", body: edit850(3, "REF*DP*038**VR>1>IA", "REF*DP*038**XX>1", "REF*DP*038**>1"), status: Rejected, codes: []SetErrorCode{SetSegmentsInError},
			want: []string{"REF 4 - 8 E", "  4.4.0 127 2 E \"\"", "REF 5 - 8 E", "  4.1.0 128 7 E \"XX\"", "REF 6 - 8 E", "  4.1.0 128 1 E \"\""}},
		{name: "composite_too_many_components", body: edit850(3, "REF*DP*038**VR>1>IA>2>PO>3>Z"), status: Rejected, codes: []SetErrorCode{SetSegmentsInError},
			want: []string{"REF 4 - 8 E", "  4.7.0 - 13 E \"VR>1>IA>2>PO>3>Z\""}},
		{name: "simple_element_with_components", body: edit850(1, "BEG*00*SA*PO>1**20240115"), status: Rejected, codes: []SetErrorCode{SetSegmentsInError},
			want: []string{"BEG 2 - 8 E", "  3.2.0 324 13 E \"PO>1\""}},
		{name: "repetitions", version: "005010", body: segs("ST*837*0001*X^Y", "HI*ABF>1234^ABK>5678", "HI*ABF>1^ABF>2^ABF>3^ABF>4", "SE*4*0001"),
			status: Rejected, codes: []SetErrorCode{SetSegmentsInError},
			want: []string{"ST 1 - 8 E", "  3.0.2 1705 12 E \"X^Y\"", "HI 3 - 8 E", "  1.0.4 - 12 E \"ABF>1^ABF>2^ABF>3^ABF>4\""}},
		{name: "repetition_component_errors", version: "005010", body: segs("ST*837*0001", "HI*ABF>1234^ZZZ>5678^>9", "SE*3*0001"),
			status: Rejected, codes: []SetErrorCode{SetSegmentsInError},
			want: []string{"HI 2 - 8 E", "  1.1.2 1270 7 E \"ZZZ\"", "  1.1.3 1270 1 E \"\""}},

		// semantics
		{name: "ctt_count_mismatch", body: edit850(13, "CTT*3"), status: Rejected, codes: []SetErrorCode{SetSegmentsInError},
			want: []string{"CTT 14 CTT 8 E", "  1.0.0 354 10 E \"3\""}},
		{name: "hl_clean", body: segs("ST*856*0001", "BSN*00*SHP1*20240115*1200", "HL*1**S", "HL*2*1*O", "HL*3*2*I", "LIN**UP*1", "SN1**1*EA", "HL*4*2*I", "SE*9*0001"), status: Accepted},
		{name: "hl_errors", body: segs("ST*856*0001", "BSN*00*SHP1*20240115*1200", "HL*1**S", "HL*2*1*O", "HL*2*1*I", "HL*1*2*I", "HL*5*9*I", "HL*6*6*I", "SE*9*0001"),
			status: Rejected, codes: []SetErrorCode{SetSegmentsInError},
			want: []string{"HL 5 HL 8 E", "  1.0.0 628 10 E \"2\"", "HL 6 HL 8 E", "  1.0.0 628 10 E \"1\"", "HL 7 HL 8 E", "  2.0.0 734 2 E \"9\"", "HL 8 HL 8 E", "  2.0.0 734 2 E \"6\""}},

		// envelope merge
		{name: "envelope_findings_merged", body: insert850(3, "R#F*1"), prep: func(s *Set) {
			s.Problems = append(s.Problems, SetProblem{Code: SetCountMismatch, Message: "SE01 says 15, counted 16"})
			s.SegmentErrors = append(s.SegmentErrors, SegmentError{SegmentID: "R#F", Position: 4, Code: SegUnrecognized, Message: "segment tag is not 2 or 3 upper-case letters or digits"})
		}, status: Rejected, codes: []SetErrorCode{SetCountMismatch, SetSegmentsInError},
			want: []string{"R#F 4 - 1 E"}},

		// overlays
		{name: "overlay_adds_code", body: edit850(9, "PO1*1*10*XX*9.95**UP*012345678905"), overlay: `codes: {"355": {add: [XX]}}`, status: Accepted},
		{name: "overlay_removes_code", body: segs(clean850...), overlay: `codes: {"355": {remove: [CA]}}`, status: Rejected, codes: []SetErrorCode{SetSegmentsInError},
			want: []string{"PO1 12 PO1 8 E", "  3.0.0 355 7 E \"CA\""}},
		{name: "overlay_code_warn", body: edit850(8, "N1*ZZ*ACME CORP"), overlay: `codes: {"98": {mode: warn}}`, status: Accepted,
			want: []string{"N1 9 N1 - W", "  1.0.0 98 7 W \"ZZ\""}},
		{name: "overlay_code_note", body: edit850(1, "BEG*00*ZZ*PO12345**20240115"), overlay: `codes: {"92": {mode: note}}`, status: AcceptedWithErrors, codes: []SetErrorCode{SetSegmentsInError},
			want: []string{"BEG 2 - 8 E", "  2.0.0 92 7 E \"ZZ\""}},
		{name: "overlay_element_usage_warn", body: edit850(1, "BEG*00*SA*PO12345"), overlay: "elements:\n  BEG05: {usage: O, mode: warn}\n", status: Accepted,
			want: []string{"BEG 2 - - W", "  5.0.0 373 1 W \"\""}},
		{name: "overlay_element_usage_silent", body: edit850(1, "BEG*00*SA*PO12345"), overlay: "elements:\n  BEG05: {usage: O}\n", status: Accepted},
		{name: "overlay_element_length", body: edit850(1, "BEG*00*SA*PO12345678901234567890123**20240115"), overlay: "elements:\n  BEG03: {max: 30}\n", status: Accepted},
		{name: "overlay_segment_max", body: insert850(4, "REF*IA*1", "REF*VR*2", "REF*PO*3"), overlay: "segments:\n  REF: {max: 5}\n", status: Accepted},
		{name: "overlay_segment_warn_with_element_error", body: insert850(4, "REF*IA*1", "REF*VR*2", "REF*PO"), overlay: "segments:\n  REF: {mode: warn}\n",
			status: Rejected, codes: []SetErrorCode{SetSegmentsInError},
			want: []string{"REF 7 - 5 W", "REF 7 - 8 E", "  2.0.0 127 2 E \"\""}},
	}
	src := testSpecs(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			version := tc.version
			if version == "" {
				version = "004010"
			}
			var opts []ValidatorOption
			if tc.overlay != "" {
				o, err := ParseOverlay(tc.name+".yaml", []byte(tc.overlay))
				if err != nil {
					t.Fatal(err)
				}
				opts = append(opts, WithOverlay(o))
			}
			s := buildSet(t, version, tc.body)
			if tc.prep != nil {
				tc.prep(s)
			}
			r := NewValidator(src, opts...).Validate(s)
			if r.Status != tc.status {
				t.Errorf("status %s, want %s", r.Status, tc.status)
			}
			if !slices.Equal(r.Codes, tc.codes) {
				t.Errorf("codes %v, want %v", r.Codes, tc.codes)
			}
			if got := summary(r); !slices.Equal(got, tc.want) {
				t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			if r.ID != s.ID || r.Control != s.Control {
				t.Errorf("result names set %s/%s, want %s/%s", r.ID, r.Control, s.ID, s.Control)
			}
			for _, seg := range r.Segments {
				if seg.Message == "" && seg.Code != "" {
					t.Errorf("segment finding %s at %d has no message", seg.SegmentID, seg.Position)
				}
				for _, e := range seg.Elements {
					if e.Message == "" {
						t.Errorf("element finding %s%02d has no message", seg.SegmentID, e.Position)
					}
				}
			}
			checkValidateGolden(t, tc.name, render(r))
		})
	}
}

// TestValidateMessages pins the wording of the most common findings: they
// go to analysts and partners, so they must say where, what and what to do.
func TestValidateMessages(t *testing.T) {
	t.Parallel()
	src := testSpecs(t)
	cases := []struct {
		name, body, want string
	}{
		{"mandatory element", edit850(1, "BEG*00*SA***20240115"), "BEG03 (element 324, Purchase Order Number) is missing; it is mandatory"},
		{"missing segment", edit850(1), "mandatory segment BEG (Beginning Segment for Purchase Order) is missing; it was expected before CUR at position 2"},
		{"invalid code", edit850(1, "BEG*99*SA*PO1**20240115"), `BEG01 (element 353, Transaction Set Purpose Code) has "99", which is not a valid code`},
		{"paired", edit850(5, "N1*ST*ACME DC*92"), "N104 (element 67, Identification Code) is missing; rule P0304 requires N103, N104 to be used together (all or none)"},
		{"ctt", edit850(13, "CTT*3"), "CTT01 (element 354, Number of Line Items) says 3, but the set has 2 PO1 segments before it"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := NewValidator(src).Validate(buildSet(t, "004010", tc.body))
			var all []string
			for _, s := range r.Segments {
				all = append(all, s.Message)
				for _, e := range s.Elements {
					all = append(all, e.Message)
				}
			}
			for _, m := range all {
				if strings.Contains(m, tc.want) {
					return
				}
			}
			t.Errorf("no message contains %q; got:\n%s", tc.want, strings.Join(all, "\n"))
		})
	}
}

// TestValidateConcurrent runs one Validator from many goroutines (the
// compiled-spec cache and the walker pool must be race-free: go test -race).
func TestValidateConcurrent(t *testing.T) {
	t.Parallel()
	v := NewValidator(testSpecs(t))
	bodies := []string{segs(clean850...), edit850(1), edit850(13, "CTT*3"), insert850(2, "ZZZ*1")}
	want := make([]string, len(bodies))
	for i, b := range bodies {
		want[i] = render(v.Validate(buildSet(t, "004010", b)))
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				k := (g + i) % len(bodies)
				if got := render(v.Validate(buildSet(t, "004010", bodies[k]))); got != want[k] {
					t.Errorf("concurrent result differs for body %d:\n%s\nwant\n%s", k, got, want[k])
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestValidateNoSpecSource(t *testing.T) {
	t.Parallel()
	r := NewValidator(nil).Validate(buildSet(t, "004010", segs(clean850...)))
	if r.Status != Rejected || !slices.Equal(r.Codes, []SetErrorCode{SetNotSupported}) {
		t.Errorf("got %s %v, want R [1]", r.Status, r.Codes)
	}
}
