package x12

import (
	"fmt"
	"strings"
	"testing"

	"github.com/b2bgw/b2bgw/internal/x12/spec"
)

// realistic850 builds a purchase order the size partners send daily:
// heading with references and dates, three parties, lines items with a
// description and a delivery date each, and the totals.
func realistic850(lines int) string {
	var b strings.Builder
	add := func(s string) { b.WriteString(s); b.WriteString("~\n") }
	add("ST*850*0001")
	add("BEG*00*SA*PO-2024-000123**20240115")
	add("CUR*BY*USD")
	add("REF*DP*038")
	add("REF*IA*VENDOR-77")
	add("DTM*002*20240201*1230")
	for _, p := range []string{"ST*ACME DC 42*92*0042", "BT*ACME CORP*92*0001", "BY*ACME BUYING*92*0009"} {
		add("N1*" + p)
		add("N3*100 MAIN STREET*SUITE 200")
		add("N4*SPRINGFIELD*IL*62701")
	}
	for i := 1; i <= lines; i++ {
		add(fmt.Sprintf("PO1*%d*%d*EA*%d.95**UP*0123456%05d", i, i%17+1, i%90+1, i))
		add(fmt.Sprintf("PID*F*WIDGET MODEL %d, BLUE, 12 PER CASE", i))
		add("DTM*010*20240205")
	}
	add(fmt.Sprintf("CTT*%d", lines))
	add(fmt.Sprintf("SE*%d*0001", 6+9+3*lines+2))
	return b.String()
}

func BenchmarkValidate850(b *testing.B) {
	src := testSpecs(b)
	// The fixture's PO1 loop is capped at 5 like a test spec; the real
	// 850 allows 100000, so lift it for a realistic document.
	po := *src["004010/850"]
	po.Structure = append([]spec.Node(nil), po.Structure...)
	for i := range po.Structure {
		if po.Structure[i].Loop == "PO1" {
			po.Structure[i].Max = 100000
		}
	}
	src["004010/850"] = &po
	s := buildSet(b, "004010", realistic850(100))
	size := 0
	for i := range s.Segments {
		size += len(s.Segments[i].Raw()) + 1
	}
	v := NewValidator(src)
	if r := v.Validate(s); r.Status != Accepted {
		b.Fatalf("benchmark document is not clean:\n%s", render(r))
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		v.Validate(s)
	}
}

// TestValidateAllocations guards the speed promise: a clean set costs one
// allocation (its SetResult), however many elements it has.
func TestValidateAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop items; allocations are counted without -race")
	}
	src := testSpecs(t)
	s := buildSet(t, "004010", segs(clean850...))
	v := NewValidator(src)
	v.Validate(s) // compile and warm the pool
	if n := testing.AllocsPerRun(100, func() { v.Validate(s) }); n > 1 {
		t.Errorf("Validate of a clean 850 allocates %.0f times, want at most 1", n)
	}
}
