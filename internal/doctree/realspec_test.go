package doctree

import (
	"strings"
	"testing"

	"github.com/b2bgw/b2bgw/internal/x12/spec"
)

// realShape compiles a set from the embedded spec registry.
func realShape(t testing.TB, version, id string) *Shape {
	t.Helper()
	reg, err := spec.Builtin()
	if err != nil {
		t.Fatalf("spec registry: %v", err)
	}
	ts, ok := reg.Set(version, id)
	if !ok {
		t.Skipf("the spec registry has no %s %s yet", version, id)
	}
	return Compile(ts)
}

// TestRealSpec850 builds the 850 over the registry's 004010 structure: the
// tree must be the one the hand-written structure gives, since both follow
// the standard's loops.
func TestRealSpec850(t *testing.T) {
	set := oneSet(t, isa4010, "004010", "850", body850)
	real := FromSet(set, realShape(t, "004010", "850"))
	hand := FromSet(set, Compile(spec850))
	if got, want := dump(real.Root()), dump(hand.Root()); got != want {
		t.Errorf("tree over the registry's 850:\n%s\nover the test structure:\n%s", got, want)
	}
	checkTree(t, real)
	runXPath(t, real.Navigator(), []xpathCase{
		{"N1Loop[N1/N101='ST']/N1/N102", "ACME DC 12"},
		{"count(PO1Loop)", "2"},
		{"sum(PO1Loop/PO1/PO102)", "18"},
		{"PO1Loop[2]/PO1/PO107", "012345678912"},
		{"PO1Loop[2]/PIDLoop[2]/PID/PID05", "LARGE"},
		{"CTTLoop/CTT/CTT01", "2"},
	})
}

func TestRealSpec856(t *testing.T) {
	shape := realShape(t, "004010", "856")
	tr := FromSet(oneSet(t, isa4010, "004010", "856", body856), shape)
	checkTree(t, tr)
	runXPath(t, tr.Navigator(), []xpathCase{
		{"//HLLoop[HL/HL03='I']/LIN/LIN03", "012345678905 | 012345678912 | 000000000000"},
		{"HLLoop/HLLoop/HLLoop[MAN/MAN02='00000124']/HLLoop/SN1/SN102", "6"},
		{"count(HLLoop)", "2"},
		{"HLLoop[1]/N1Loop[N1/N101='SF']/N1/N102", "SUPPLIER"},
	})
	if !strings.Contains(dump(tr.Root()), "    HLLoop\n      HL*2*1*O") {
		t.Errorf("HL 2 is not nested under HL 1:\n%s", dump(tr.Root()))
	}
}
