package x12

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/b2bgw/b2bgw/internal/x12/spec"
)

// TestValidatePlaced checks the placement the walk records for the tree:
// per segment, the depth of the open loop it matched in and the node of
// that loop's body, and that it is offered only for a set whose every
// segment found a place against a spec the walk mirrors.
func TestValidatePlaced(t *testing.T) {
	src := testSpecs(t)
	noEnvelope := &spec.TransactionSet{ID: "850", Version: "004010", Dict: src["004010/850"].Dict,
		Structure: []spec.Node{sn("BEG", spec.Mandatory, 1)}} // the walk adds ST and SE
	// Loops nested deeper than a step's depth can count.
	deep := sn("N1", spec.Optional, 1)
	for range maxStepDepth + 1 {
		deep = ln("N1", spec.Optional, 1, sn("N1", spec.Mandatory, 1), deep)
	}
	tooDeep := &spec.TransactionSet{ID: "850", Version: "004010", Dict: src["004010/850"].Dict,
		Structure: []spec.Node{sn("ST", spec.Mandatory, 1), sn("BEG", spec.Mandatory, 1), deep, sn("SE", spec.Mandatory, 1)}}
	type step struct{ depth, node int }
	cases := []struct {
		name  string
		src   SpecSource
		body  []string
		steps []step // nil: no placement
	}{{
		name: "heading, loops, nested loop, summary",
		src:  src,
		body: []string{"ST*850*0001", "BEG*00*SA*PO1**20240115", "REF*DP*038", "N1*ST*ACME", "N3*1 MAIN ST", "N1*BT*ACME",
			"PO1*1*1*EA*1**UP*1", "PID*F****A", "PID*F****B", "DTM*002*20240201", "PO1*2*1*EA*1**UP*2", "CTT*2", "SE*13*0001"},
		steps: []step{{0, 0}, {0, 1}, {0, 3}, {0, 5}, {1, 1}, {0, 5},
			{0, 6}, {1, 2}, {1, 2}, {1, 3}, {0, 6}, {0, 7}, {0, 8}},
	}, {
		// a finding that is not about structure leaves the placement whole
		name:  "element errors",
		src:   src,
		body:  []string{"ST*850*0001", "BEG*00*SA*PO1**20240230", "PO1*1*X*EA", "SE*4*0001"},
		steps: []step{{0, 0}, {0, 1}, {0, 6}, {0, 8}},
	}, {
		name: "segment out of place",
		src:  src,
		body: []string{"ST*850*0001", "BEG*00*SA*PO1**20240115", "PO1*1*1*EA*1**UP*1", "REF*DP*038", "SE*5*0001"},
	}, {
		name: "segment not in the set",
		src:  src,
		body: []string{"ST*850*0001", "BEG*00*SA*PO1**20240115", "TD5*Z", "PO1*1*1*EA*1**UP*1", "SE*5*0001"},
	}, {
		name: "spec without ST and SE",
		src:  fixtureSource{"004010/850": noEnvelope},
		body: []string{"ST*850*0001", "BEG*00*SA*PO1**20240115", "SE*3*0001"},
	}, {
		name: "spec nested too deep for a step",
		src:  fixtureSource{"004010/850": tooDeep},
		body: []string{"ST*850*0001", "BEG*00*SA*PO1**20240115", "SE*3*0001"},
	}, {
		name: "no spec",
		src:  fixtureSource{},
		body: []string{"ST*850*0001", "BEG*00*SA*PO1**20240115", "SE*3*0001"},
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := buildSet(t, "004010", segs(c.body...))
			ts, _ := c.src.Set("004010", "850")
			var p Placement
			r := NewValidator(c.src).ValidatePlaced(s, &p)
			if want := NewValidator(c.src).Validate(s); fmt.Sprintf("%+v", *r) != fmt.Sprintf("%+v", *want) {
				t.Fatalf("ValidatePlaced:\n%s\nValidate:\n%s", render(r), render(want))
			}
			if got := p.For(s, ts); got != (c.steps != nil) {
				t.Fatalf("For = %v, want %v (status %s)", got, c.steps != nil, r.Status)
			}
			if c.steps == nil {
				return
			}
			var got []step
			for i := range s.Segments {
				d, n := p.Step(i)
				got = append(got, step{d, n})
			}
			if !slices.Equal(got, c.steps) {
				t.Errorf("steps\n got %v\nwant %v", got, c.steps)
			}
		})
	}
}

// TestPlacementForOtherSets checks that a placement is offered for nothing
// but the set and spec it was recorded for, as the set was then: not for
// another set, another spec, or the same *Set refilled by the decoder.
func TestPlacementForOtherSets(t *testing.T) {
	src := testSpecs(t)
	v := NewValidator(src)
	po, asn := src["004010/850"], src["004010/856"]
	body := []string{"ST*850*%s", "BEG*00*SA*PO1**20240115", "PO1*1*1*EA*1**UP*1", "SE*4*%[1]s"}
	one := func(ctl string) string {
		out := make([]string, len(body))
		for i, b := range body {
			if strings.Contains(b, "%") {
				b = fmt.Sprintf(b, ctl)
			}
			out[i] = b
		}
		return strings.Join(out, "~\n") + "~\n"
	}
	in := isaFor("004010") + "GS*PO*S*R*20240115*1200*1*X*004010~\n" + one("0001") + one("0002") + "GE*2*1~\nIEA*1*000000001~\n"
	d := NewDecoderBytes([]byte(in))
	var sets []*Set
	for {
		ev, err := d.Next()
		if err != nil {
			break
		}
		if ev.Kind == EventSet {
			sets = append(sets, ev.Set)
		}
	}
	if len(sets) != 2 {
		t.Fatalf("decoded %d sets, want 2", len(sets))
	}
	var p Placement
	v.ValidatePlaced(sets[0], &p)
	for _, c := range []struct {
		name string
		s    *Set
		ts   *spec.TransactionSet
		want bool
	}{
		{"its set and spec", sets[0], po, true},
		{"another set", sets[1], po, false},
		{"another spec", sets[0], asn, false},
		{"no spec", sets[0], nil, false},
		{"no set", nil, po, false},
	} {
		if got := p.For(c.s, c.ts); got != c.want {
			t.Errorf("%s: For = %v, want %v", c.name, got, c.want)
		}
	}
	var none *Placement
	if none.For(sets[0], po) {
		t.Error("a nil placement is for a set")
	}

	// The decoder refills a set given back with a later one: the same
	// *Set, another set.
	d = NewDecoderBytes([]byte(in))
	var first *Set
	for {
		ev, err := d.Next()
		if err != nil {
			t.Fatal("the second set never came")
		}
		if ev.Kind != EventSet {
			continue
		}
		if first == nil {
			first = ev.Set
			v.ValidatePlaced(first, &p)
			d.Reuse(first)
			continue
		}
		if ev.Set != first {
			t.Fatal("the decoder did not refill the set given back; the test needs it to")
		}
		if p.For(ev.Set, po) {
			t.Error("the placement of a set is offered for the set that refilled its memory")
		}
		break
	}
}
