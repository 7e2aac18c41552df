package x12

import (
	"fmt"
	"testing"
)

// FuzzValidate feeds arbitrary bytes through the Reader, builds a Set by
// hand (whatever ST..SE it finds, or the segments it reads when there is
// no ST), and validates it against the fixture specs with and without an
// overlay. Validate must never panic, its result must stay
// self-consistent (positions inside the set, a status, codes when
// rejected), and the fast paths must find exactly what the full checks do
// and place every segment where the full walk does (samePlacement).
func FuzzValidate(f *testing.F) {
	f.Add("004010", segs(clean850...))
	f.Add("004010", edit850(1))
	f.Add("004010", insert850(5, "N3*X", "TD5*Z", "ZZZ"))
	f.Add("004010", segs("ST*856*1", "BSN*00*S*20240101*1200", "HL*1**S", "HL*3*2*I", "HL*2*9*O", "SE*6*1"))
	f.Add("004010", segs("ST*TS1*1", "LX*1", "N9*PO*1", "LX*2", "XE1*A*B*C", "SE*6*1"))
	f.Add("005010", segs("ST*837*1*X^Y", "HI*ABF>1^ABK>2>3>4^^", "SE*3*1"))
	f.Add("004010", segs("ST*850*1", "PO1*1*-.*EA", "PID", "PID*F", "PO1", "CTT*99999999999999999999", "SE"))
	src := testSpecs(f)
	overlay, err := ParseOverlay("fuzz.yaml", []byte("codes: {\"355\": {add: [XX], mode: warn}}\nelements: {BEG05: {usage: O, mode: note}}\nsegments: {REF: {max: 1, mode: warn}}\n"))
	if err != nil {
		f.Fatal(err)
	}
	plain, withOverlay := NewValidator(src), NewValidator(src, WithOverlay(overlay))
	full := map[*Validator]*Validator{plain: fullValidator(plain), withOverlay: fullValidator(withOverlay)}
	f.Fuzz(func(t *testing.T, version, body string) {
		s := fuzzSet(version, body)
		if s == nil {
			return
		}
		for _, v := range []*Validator{plain, withOverlay} {
			var pf, pw Placement
			r := v.ValidatePlaced(s, &pf)
			if got, want := fmt.Sprintf("%+v", *r), fmt.Sprintf("%+v", *full[v].ValidatePlaced(s, &pw)); got != want {
				t.Fatalf("fast paths:\n%s\nfull checks:\n%s", got, want)
			}
			if err := samePlacement(v, s, r, &pf, &pw); err != nil {
				t.Fatal(err)
			}
			switch r.Status {
			case Accepted, AcceptedWithErrors, Rejected:
			default:
				t.Fatalf("status %q", r.Status)
			}
			if r.Status == Rejected && len(r.Codes) == 0 {
				t.Fatalf("rejected without an AK502 code:\n%s", render(r))
			}
			for _, e := range r.Segments {
				if e.Position < 1 || e.Position > len(s.Segments)+1 {
					t.Fatalf("finding at position %d outside the set of %d segments:\n%s", e.Position, len(s.Segments), render(r))
				}
				for _, el := range e.Elements {
					if len(el.Value) > maxValueCopy {
						t.Fatalf("AK404 copy of %d bytes", len(el.Value))
					}
				}
			}
		}
	})
}

// fuzzSet builds a Set from whatever the Reader yields, as a decoder
// would, but without trusting that the input is well formed.
func fuzzSet(version, body string) *Set {
	if len(version) > 12 {
		version = version[:12]
	}
	in := isaFor(version) + body
	r := NewReaderBytes([]byte(in))
	s := &Set{Group: &Group{Version: version}}
	for n := 0; n < 10000; n++ {
		seg, err := r.Next()
		if err != nil && (Fatal(err) || seg == nil) {
			break
		}
		if seg.Is("ISA") || seg.Is("GS") || seg.Is("GE") || seg.Is("IEA") {
			continue
		}
		if err != nil {
			// a bad tag: the decoder keeps the segment and reports it
			s.SegmentErrors = append(s.SegmentErrors, SegmentError{SegmentID: tagOf(seg.Raw(), seg.Delimiters().Element), Position: len(s.Segments) + 1, Code: SegUnrecognized, Message: err.Error()})
		}
		if len(s.Segments) == 0 && seg.Is("ST") {
			s.ID, s.Control = seg.String(1), seg.String(2)
		}
		s.Segments = append(s.Segments, seg.Clone())
		if seg.Is("SE") {
			s.HasTrailer = true
			break
		}
	}
	if len(s.Segments) == 0 {
		return nil
	}
	if s.ID == "" {
		s.ID = "850"
	}
	return s
}
