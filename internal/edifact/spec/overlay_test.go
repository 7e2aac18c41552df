package spec

import (
	"strings"
	"testing"
)

func TestOverlay(t *testing.T) {
	o, err := ParseOverlay("p.yaml", []byte(`codes:
  "6411": {add: [XPP], mode: strict}
  "3035": {remove: [PR]}
elements:
  BGM02: {status: C, mode: warn}
  NAD03-1: {max: 70}
segments:
  FTX: {max: 20}
`))
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := o.CodeList("6411"); !ok || c.Add[0] != "XPP" || c.Mode != ModeStrict {
		t.Errorf("codes = %+v", c)
	}
	if e, ok := o.Element("NAD", 3, 1); !ok || e.Max != 70 {
		t.Errorf("NAD03-1 = %+v", e)
	}
	if e, ok := o.Element("BGM", 2, 0); !ok || e.Status != Conditional || e.Mode != ModeWarn {
		t.Errorf("BGM02 = %+v", e)
	}
	if s, ok := o.Segment("FTX"); !ok || s.Max != 20 {
		t.Errorf("FTX = %+v", s)
	}
	reg, _ := Builtin()
	d, _ := reg.Directory("D96A")
	if err := o.Check(d); err != nil {
		t.Errorf("Check: %v", err)
	}

	bad, err := ParseOverlay("p.yaml", []byte("codes:\n  \"6411\": {add: [X], remove: [X], mode: loud}\nelements:\n  BGM2: {}\nsegments:\n  ftx: {max: 2}\n"))
	if bad != nil || err == nil {
		t.Fatal("bad overlay accepted")
	}
	for _, want := range []string{
		`p.yaml:2:31: codes.6411: code "X" is both added and removed`,
		`p.yaml:2:41: codes.6411.mode: "loud" is not one of strict, note, warn`,
		`p.yaml:4:3: elements: "BGM2" does not name a position`,
		`p.yaml:6:3: segments: "ftx" is not a segment tag`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("errors\n%v\nlack %s", err, want)
		}
	}

	o, _ = ParseOverlay("p.yaml", []byte("codes:\n  \"9999\": {add: [X]}\nelements:\n  BGM09: {}\n  BGM01-9: {}\n  DTM01-9: {}\nsegments:\n  ZZZ: {max: 1}\n"))
	err = o.Check(d)
	for _, want := range []string{
		"p.yaml:2:3: codes: element 9999 does not exist in directory D96A",
		"p.yaml:4:3: elements: segment BGM has 4 positions in directory D96A; there is no BGM09",
		"p.yaml:6:3: elements: composite C507 at DTM01 has 3 components; there is no DTM01-9",
		"p.yaml:8:3: segments: segment ZZZ does not exist",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Check errors\n%v\nlack %s", err, want)
		}
	}
}
