package doctree

import (
	"fmt"
	"strings"
	"testing"
)

// body850 is a realistic 004010 purchase order: ship-to and bill-to N1
// loops, two lines with product descriptions (the second with two PIDs),
// a stray segment the spec does not place (the validator reports it; the
// tree keeps it), and the CTT summary.
var body850 = []string{
	"BEG*00*SA*PO-4471**20251126",
	"REF*DP*038",
	"REF*IA*99887",
	"DTM*002*20251203",
	"N1*ST*ACME DC 12*92*0012",
	"N3*100 MAIN ST",
	"N4*SPRINGFIELD*IL*62701*US",
	"N1*BT*ACME CORP*92*0001",
	"N3*PO BOX 9",
	"N4*CHICAGO*IL*60601",
	"PO1*1*12*EA*4.50**UP*012345678905*VN*AB-1",
	"PID*F****WIDGET BLUE",
	"PO1*2*6*CA*18**UP*012345678912*VN*AB-2",
	"PID*F****GADGET RED",
	"PID*F*08***LARGE",
	"CTT*2",
}

func TestTree850(t *testing.T) {
	set := oneSet(t, isa4010, "004010", "850", body850)
	tests := []struct {
		name  string
		shape *Shape
		want  string
	}{
		{"with spec", Compile(spec850), `
TransactionSet
  ST*850*0001
  BEG*00*SA*PO-4471**20251126
  REF*DP*038
  REF*IA*99887
  DTM*002*20251203
  N1Loop
    N1*ST*ACME DC 12*92*0012
    N3*100 MAIN ST
    N4*SPRINGFIELD*IL*62701*US
  N1Loop
    N1*BT*ACME CORP*92*0001
    N3*PO BOX 9
    N4*CHICAGO*IL*60601
  PO1Loop
    PO1*1*12*EA*4.50**UP*012345678905*VN*AB-1
    PIDLoop
      PID*F****WIDGET BLUE
  PO1Loop
    PO1*2*6*CA*18**UP*012345678912*VN*AB-2
    PIDLoop
      PID*F****GADGET RED
    PIDLoop
      PID*F*08***LARGE
  CTTLoop
    CTT*2
  SE*18*0001
`},
		{"without spec: flat", nil, `
TransactionSet
  ST*850*0001
  BEG*00*SA*PO-4471**20251126
  REF*DP*038
  REF*IA*99887
  DTM*002*20251203
  N1*ST*ACME DC 12*92*0012
  N3*100 MAIN ST
  N4*SPRINGFIELD*IL*62701*US
  N1*BT*ACME CORP*92*0001
  N3*PO BOX 9
  N4*CHICAGO*IL*60601
  PO1*1*12*EA*4.50**UP*012345678905*VN*AB-1
  PID*F****WIDGET BLUE
  PO1*2*6*CA*18**UP*012345678912*VN*AB-2
  PID*F****GADGET RED
  PID*F*08***LARGE
  CTT*2
  SE*18*0001
`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := FromSet(set, tc.shape)
			if got := dump(tr.Root()); got != strings.TrimPrefix(tc.want, "\n") {
				t.Errorf("tree:\n%s\nwant:\n%s", got, strings.TrimPrefix(tc.want, "\n"))
			}
			checkTree(t, tr)
		})
	}
}

// TestLoopPlacement covers the forward walk's corner cases: segments out of
// order, unknown segments and loops without their beginning segment stay
// where they are found (never dropped), and a segment of an enclosing loop
// closes the inner one.
func TestLoopPlacement(t *testing.T) {
	shape := Compile(spec850)
	tests := []struct {
		name string
		body []string
		want string
	}{
		{"unknown segment stays in the open loop",
			[]string{"BEG*00*SA*1**20251126", "N1*ST*X", "ZZZ*1", "N3*A", "CTT*0"}, `
TransactionSet
  ST*850*0001
  BEG*00*SA*1**20251126
  N1Loop
    N1*ST*X
    ZZZ*1
    N3*A
  CTTLoop
    CTT*0
  SE*7*0001
`},
		{"heading segment after the detail stays in the detail",
			[]string{"BEG*00*SA*1**20251126", "PO1*1*1*EA", "CUR*BY*USD", "FOB*PP", "CTT*1"}, `
TransactionSet
  ST*850*0001
  BEG*00*SA*1**20251126
  PO1Loop
    PO1*1*1*EA
    CUR*BY*USD
    FOB*PP
  CTTLoop
    CTT*1
  SE*7*0001
`},
		{"loop segment without the loop's beginning segment",
			[]string{"BEG*00*SA*1**20251126", "N3*LOST", "N1*ST*X", "N3*A"}, `
TransactionSet
  ST*850*0001
  BEG*00*SA*1**20251126
  N3*LOST
  N1Loop
    N1*ST*X
    N3*A
  SE*6*0001
`},
		{"N1 inside PO1 is the line's N1 loop; REF after it belongs to it",
			[]string{"BEG*00*SA*1**20251126", "PO1*1*1*EA", "N1*ST*LINE SHIP TO", "REF*DP*1", "PO1*2*1*EA", "CTT*2"}, `
TransactionSet
  ST*850*0001
  BEG*00*SA*1**20251126
  PO1Loop
    PO1*1*1*EA
    N1Loop
      N1*ST*LINE SHIP TO
      REF*DP*1
  PO1Loop
    PO1*2*1*EA
  CTTLoop
    CTT*2
  SE*8*0001
`},
		{"the next PO1 and unknown segments (a 4-letter tag is compared as text): the line loop's rest has none",
			[]string{"BEG*00*SA*1**20251126", "PO1*1*1*EA", "PO4*1", "PO1*2*1*EA", "ZZZ*1", "ZZZZ*1", "CTT*2"}, `
TransactionSet
  ST*850*0001
  BEG*00*SA*1**20251126
  PO1Loop
    PO1*1*1*EA
    PO4*1
  PO1Loop
    PO1*2*1*EA
    ZZZ*1
    ZZZZ*1
  CTTLoop
    CTT*2
  SE*9*0001
`},
		{"a line segment after a nested loop closes it; a later PID has no place",
			[]string{"BEG*00*SA*1**20251126", "PO1*1*1*EA", "PID*F****A", "REF*VN*9", "PID*F****B"}, `
TransactionSet
  ST*850*0001
  BEG*00*SA*1**20251126
  PO1Loop
    PO1*1*1*EA
    PIDLoop
      PID*F****A
    REF*VN*9
    PID*F****B
  SE*7*0001
`},
	}
	// ReuseSet must build the same tree into another tree's storage,
	// whether it has room (a longer set's tree: the loops are not
	// counted) or not (an empty set's tree: it grows).
	long := []string{"BEG*00*SA*1**20251126"}
	for i := range 20 {
		long = append(long, fmt.Sprintf("PO1*%d*1*EA", i+1), "PID*F****X")
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			set := oneSet(t, isa4010, "004010", "850", tc.body)
			want := strings.TrimPrefix(tc.want, "\n")
			trees := map[string]*Tree{
				"FromSet":              FromSet(set, shape),
				"ReuseSet with room":   ReuseSet(FromSet(oneSet(t, isa4010, "004010", "850", long), shape), set, shape),
				"ReuseSet, no room":    ReuseSet(FromSet(oneSet(t, isa4010, "004010", "850", nil), shape), set, shape),
				"ReuseSet, other kind": ReuseSet(FromSet(oneSet(t, isa4010, "004010", "850", long), nil), set, shape),
			}
			for how, tr := range trees {
				if got := dump(tr.Root()); got != want {
					t.Errorf("%s tree:\n%s\nwant:\n%s", how, got, want)
				}
				checkTree(t, tr)
			}
		})
	}
}

// body856 is a pick-and-pack ASN whose HL segments are not in tree order:
// the second pack (HL 5) comes before the first pack's item (HL 4), an
// item names a parent that does not exist (HL 7 -> 99), and the shipment
// has two N1 loops of its own.
var body856 = []string{
	"BSN*00*SHIP1*20251126*1200",
	"HL*1**S",
	"TD1*CTN*2",
	"TD5*B*2*UPSN",
	"REF*BM*BOL1",
	"N1*ST*ACME DC*92*0012",
	"N1*SF*SUPPLIER",
	"HL*2*1*O",
	"PRF*PO-4471",
	"HL*3*2*P",
	"MAN*GM*00000123",
	"HL*5*2*P",
	"MAN*GM*00000124",
	"HL*4*3*I",
	"LIN**UP*012345678905",
	"SN1**12*EA",
	"HL*6*5*I",
	"LIN**UP*012345678912",
	"SN1**6*CA",
	"HL*7*99*I",
	"LIN**UP*000000000000",
	"CTT*7",
}

func TestTree856HLNesting(t *testing.T) {
	tests := []struct {
		name string
		body []string
		want string
	}{
		{"pick and pack out of order", body856, `
TransactionSet
  ST*856*0001
  BSN*00*SHIP1*20251126*1200
  HLLoop
    HL*1**S
    TD1*CTN*2
    TD5*B*2*UPSN
    REF*BM*BOL1
    N1Loop
      N1*ST*ACME DC*92*0012
    N1Loop
      N1*SF*SUPPLIER
    HLLoop
      HL*2*1*O
      PRF*PO-4471
      HLLoop
        HL*3*2*P
        MAN*GM*00000123
        HLLoop
          HL*4*3*I
          LIN**UP*012345678905
          SN1**12*EA
      HLLoop
        HL*5*2*P
        MAN*GM*00000124
        HLLoop
          HL*6*5*I
          LIN**UP*012345678912
          SN1**6*CA
  HLLoop
    HL*7*99*I
    LIN**UP*000000000000
  CTT*7
  SE*24*0001
`},
		{"child before its parent", []string{"HL*2*1*O", "PRF*PO-1", "HL*1**S", "TD1*CTN*1"}, `
TransactionSet
  ST*856*0001
  HLLoop
    HL*1**S
    TD1*CTN*1
    HLLoop
      HL*2*1*O
      PRF*PO-1
  SE*6*0001
`},
		{"cycle is cut above its first member", []string{"HL*1*3*S", "HL*2*1*O", "HL*3*2*P", "HL*4*3*I"}, `
TransactionSet
  ST*856*0001
  HLLoop
    HL*1*3*S
    HLLoop
      HL*2*1*O
      HLLoop
        HL*3*2*P
        HLLoop
          HL*4*3*I
  SE*6*0001
`},
		{"own parent and duplicate id: first occurrence is the parent", []string{"HL*1*1*S", "HL*2*1*O", "HL*2*1*O", "HL*3*2*I"}, `
TransactionSet
  ST*856*0001
  HLLoop
    HL*1*1*S
    HLLoop
      HL*2*1*O
      HLLoop
        HL*3*2*I
    HLLoop
      HL*2*1*O
  SE*6*0001
`},
	}
	shape := Compile(spec856)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := FromSet(oneSet(t, isa4010, "004010", "856", tc.body), shape)
			if got := dump(tr.Root()); got != strings.TrimPrefix(tc.want, "\n") {
				t.Errorf("tree:\n%s\nwant:\n%s", got, strings.TrimPrefix(tc.want, "\n"))
			}
			checkTree(t, tr)
		})
	}
}
