package doctree

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/antchfx/xpath"
)

// eval evaluates expr and renders the result: node-set values joined by
// " | ", numbers with strconv 'g', strings and booleans as they are.
func eval(t testing.TB, nav xpath.NodeNavigator, expr string) string {
	t.Helper()
	e, err := xpath.Compile(expr)
	if err != nil {
		t.Fatalf("compile %q: %v", expr, err)
	}
	switch v := e.Evaluate(nav.Copy()).(type) {
	case *xpath.NodeIterator:
		var parts []string
		for v.MoveNext() {
			parts = append(parts, v.Current().Value())
		}
		return strings.Join(parts, " | ")
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	default:
		return fmt.Sprintf("%T %v", v, v)
	}
}

type xpathCase struct{ expr, want string }

func runXPath(t *testing.T, nav Navigator, tests []xpathCase) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.expr, func(t *testing.T) {
			if got := eval(t, nav, tc.expr); got != tc.want {
				t.Errorf("%s = %q, want %q", tc.expr, got, tc.want)
			}
		})
	}
}

func TestXPath850(t *testing.T) {
	tr := FromSet(oneSet(t, isa4010, "004010", "850", body850), Compile(spec850))
	runXPath(t, tr.Navigator(), []xpathCase{
		{"N1Loop[N1/N101='ST']/N1/N102", "ACME DC 12"},
		{"N1Loop[N1/N101='BT']/N4/N401", "CHICAGO"},
		{"BEG/BEG03", "PO-4471"},
		{"BEG/BEG03/text()", "PO-4471"},
		{"BEG/BEG05", "20251126"},
		{"count(BEG/BEG04)", "0"}, // empty element: no node
		{"not(BEG/BEG04)", "true"},
		{"count(BEG/*)", "4"},
		{"REF[REF01='DP']/REF02", "038"},
		{"REF[2]/REF02", "99887"},
		{"count(PO1Loop)", "2"},
		{"sum(PO1Loop/PO1/PO102)", "18"},
		{"PO1Loop[2]/PO1/PO107", "012345678912"},
		{"PO1Loop[last()]/PO1/PO101", "2"},
		{"PO1Loop[PO1/PO107='012345678905']/PIDLoop/PID/PID05", "WIDGET BLUE"},
		{"PO1Loop[2]/PIDLoop/PID/PID05", "GADGET RED | LARGE"},
		{"count(PO1Loop[2]/PIDLoop)", "2"},
		{"PO1Loop/PO1/PO103", "EA | CA"},
		{"count(PO1Loop/PO1/PO103_01)", "0"}, // simple element: no components
		{"CTTLoop/CTT/CTT01", "2"},
		{"//PID[PID02='08']/PID05", "LARGE"},
		{"count(//N1)", "2"},
		{"/TransactionSet/BEG/BEG02", "SA"},
		{"/TransactionSet/@id", "850"},
		{"@control", "0001"},
		{"@version", "004010"},
		{"string(N1Loop[1]/N1)", "N1*ST*ACME DC 12*92*0012"},
		{"name(PO1Loop[1]/*[1])", "PO1"},
		{"name(PO1Loop[1]/PO1/*[3])", "PO103"},
		{"PO1Loop[1]/PO1/PO104 * PO1Loop[1]/PO1/PO102", "54"},
		{"N1Loop[N1/N101='ST']/N1/N104/../N102", "ACME DC 12"},
		{"N1Loop[N1/N101='ST']/following-sibling::N1Loop[1]/N1/N102", "ACME CORP"},
		{"PO1Loop[2]/preceding-sibling::PO1Loop/PO1/PO101", "1"},
		{"count(PO1Loop[1]/PO1/PO106/preceding-sibling::*)", "4"},
		{"PO1Loop[2]/PIDLoop[2]/ancestor::PO1Loop/PO1/PO101", "2"},
		{"count(//PO1Loop | //PIDLoop)", "5"},
		// antchfx/xpath (v1.3.9) moves the context navigator while it
		// evaluates a predicate, so in a function whose later argument is a
		// relative path with a predicate that argument starts from the
		// wrong node (xmlquery trees behave the same). Absolute paths are
		// not affected.
		{"concat(N1Loop[1]/N1/N102, '/', /TransactionSet/N1Loop[1]/N4/N402)", "ACME DC 12/IL"},
	})
}

func TestXPath856(t *testing.T) {
	tr := FromSet(oneSet(t, isa4010, "004010", "856", body856), Compile(spec856))
	runXPath(t, tr.Navigator(), []xpathCase{
		{"//HLLoop[HL/HL03='I']/LIN/LIN03", "012345678905 | 012345678912 | 000000000000"},
		{"HLLoop[HL/HL03='S']/HLLoop[HL/HL03='O']/PRF/PRF01", "PO-4471"},
		{"HLLoop/HLLoop/HLLoop[HL/HL03='P']/MAN/MAN02", "00000123 | 00000124"},
		{"HLLoop/HLLoop/HLLoop[MAN/MAN02='00000124']/HLLoop/SN1/SN102", "6"},
		{"count(HLLoop)", "2"},
		{"count(//HLLoop)", "7"},
		{"sum(//HLLoop[HL/HL03='I']/SN1/SN102)", "18"},
		{"HLLoop[1]/N1Loop[N1/N101='SF']/N1/N102", "SUPPLIER"},
		{"//HLLoop[HL/HL01='6']/ancestor::HLLoop[HL/HL03='P']/MAN/MAN02", "00000124"},
		{"//LIN[LIN03='012345678912']/../../MAN/MAN02", "00000124"},
		{"HLLoop[HL/HL03='I']/HL/HL02", "99"}, // parent missing: top level
	})
}

// body850v5 is a 005010 order with repeated elements (the '^' repetition
// separator), composites with and without the separator, and empty
// repetitions and components, which have no nodes.
var body850v5 = []string{
	"BEG*00*SA*PO-5*^*20251126",
	"REF*ZZ*NOTE**VN>123^PO>456^^>789",
	"REF*CO*99***",
	"N1*ST*ACME",
	"PO1*1*10*CA>12**4.5",
	"PID*F****BLUE",
	"MEA*PD*WT*2.5*LB",
	"MEA*PD*HT*10*IN>>1",
	"REF*VN*A-1^A-2",
	"CTT*1",
}

func TestXPath5010(t *testing.T) {
	tr := FromSet(oneSet(t, isa5010, "005010", "850", body850v5), Compile(spec850v5))
	runXPath(t, tr.Navigator(), []xpathCase{
		{"count(BEG/BEG04)", "0"}, // "^": two empty repetitions, no node
		{"REF[1]/REF04", "VN>123 | PO>456 | >789"},
		{"count(REF[1]/REF04)", "3"},
		{"REF[1]/REF04[2]/REF04_02", "456"},
		{"REF[1]/REF04/REF04_01", "VN | PO"}, // the third repetition has no first component
		{"REF[1]/REF04[REF04_01='PO']/REF04_02", "456"},
		{"count(REF[1]/REF04[3]/*)", "1"},
		{"count(REF[2]/*)", "2"}, // trailing empty elements: no nodes
		{"PO1Loop/PO1/PO103", "CA>12"},
		{"PO1Loop/PO1/PO103/PO103_01", "CA"},
		{"PO1Loop/PO1/PO103/PO103_02", "12"},
		{"count(PO1Loop/PO1/PO103_01)", "0"}, // components are children of their element, not of the segment
		{"PO1Loop/PO1/*/PO103_02", "12"},
		{"count(PO1Loop/PO1/PO103/text())", "0"},                 // a composite's text is in its components
		{"PO1Loop/PIDLoop/MEA[MEA02='WT']/MEA04/MEA04_01", "LB"}, // spec composite without separator
		{"PO1Loop/PIDLoop/MEA[MEA02='HT']/MEA04/*", "IN | 1"},
		{"PO1Loop/PIDLoop/MEA[MEA02='HT']/MEA04/MEA04_03", "1"},
		{"PO1Loop/REF[REF01='VN']/REF02", "A-1 | A-2"},
		{"PO1Loop/REF/REF02[2]", "A-2"},
		{"count(PO1Loop/REF/*)", "3"},
		{"@version", "005010"},
	})
}

func mustSelect(t testing.TB, nav xpath.NodeNavigator, expr string) *xpath.NodeIterator {
	t.Helper()
	e, err := xpath.Compile(expr)
	if err != nil {
		t.Fatalf("compile %q: %v", expr, err)
	}
	return e.Select(nav.Copy())
}

// TestSelectedNodesKeepTheirSource checks that nodes selected by XPath can
// report their position: the mapping engine's --trace needs it.
func TestSelectedNodesKeepTheirSource(t *testing.T) {
	tr := FromSet(oneSet(t, isa4010, "004010", "850", body850), Compile(spec850))
	it := mustSelect(t, tr.Navigator(), "PO1Loop/PO1/PO102")
	var got []string
	for it.MoveNext() {
		s := it.Current().(Navigator).Source()
		got = append(got, fmt.Sprintf("%s@%d.%d", s.Segment, s.SegmentIndex, s.Element))
	}
	if want := "PO1@12.2 PO1@14.2"; strings.Join(got, " ") != want {
		t.Errorf("sources %v, want %s", got, want)
	}
}
