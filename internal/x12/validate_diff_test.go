package x12

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/b2bgw/b2bgw/internal/benchgen"
	"github.com/b2bgw/b2bgw/internal/x12/spec"
)

// The validator's fast paths (elementsClean for segments with nothing to
// report, locate's answers without a search) must give exactly the
// findings of the full checks. These tests validate many damaged sets
// both ways and compare everything the result holds.

// fullValidator is v with the fast paths off.
func fullValidator(v *Validator) *Validator {
	f := NewValidator(v.src, WithOverlay(v.overlay))
	f.full = true
	return f
}

// mutate damages a set's segments at random: values replaced by short
// strings that break types, lengths, codes, dates and separators,
// elements added and dropped, segments repeated, moved and removed.
func mutate(rng *rand.Rand, segments []string) []string {
	out := append([]string(nil), segments...)
	values := []string{"", " ", "X", "ZZ", "EA", "00", "SA", "ST", "1", "-1", "1.5", "1.2.3", "-", ".", "20240230", "20240229",
		"2401", "1299", "2460", "12345678901234567890", "A B", " A", "A ", "^", ">", "A>B", "A^B", "\x01", "\x7f", "é", "BY>1"}
	for k := 1 + rng.IntN(3); k > 0 && len(out) > 2; k-- {
		i := 1 + rng.IntN(len(out)-2) // ST and SE stay in place
		switch rng.IntN(7) {
		case 0, 1, 2: // one element value
			els := strings.Split(out[i], "*")
			j := 1 + rng.IntN(len(els))
			for len(els) <= j {
				els = append(els, "")
			}
			els[j] = values[rng.IntN(len(values))]
			out[i] = strings.Join(els, "*")
		case 3: // drop the last element
			if j := strings.LastIndexByte(out[i], '*'); j > 0 {
				out[i] = out[i][:j]
			}
		case 4: // repeat the segment
			out = append(out[:i+1], out[i:]...)
		case 5: // move it
			s := out[i]
			out = append(out[:i], out[i+1:]...)
			j := 1 + rng.IntN(len(out)-1)
			out = append(out[:j], append([]string{s}, out[j:]...)...)
		case 6: // remove it, ST included now and then
			if rng.IntN(8) == 0 {
				i = 0
			}
			out = append(out[:i], out[i+1:]...)
		}
	}
	return out
}

// benchOrders returns the sets of a small generated file, as segment lists.
func benchOrders(n int) [][]string {
	var sets [][]string
	var cur []string
	for _, line := range strings.Split(string(benchgen.X12(n, true)), "~\n") {
		switch {
		case strings.HasPrefix(line, "ST*"):
			cur = []string{line}
		case cur == nil:
		case strings.HasPrefix(line, "SE*"):
			sets = append(sets, append(cur, line))
			cur = nil
		default:
			cur = append(cur, line)
		}
	}
	return sets
}

func TestValidateFastPathsMatchFullChecks(t *testing.T) {
	overlay, err := ParseOverlay("diff.yaml", []byte("codes: {\"355\": {add: [XX], mode: warn}}\nelements: {BEG05: {usage: O, mode: note}}\nsegments: {REF: {max: 1, mode: warn}, N1: {max: 2}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	bases := map[string][][]string{
		"fixture 850":                {clean850},
		"builtin 850":                {real850},
		"generated 850":              benchOrders(20),
		"856":                        {{"ST*856*1", "BSN*00*S*20240101*1200", "HL*1**S", "LIN*1*UP*012345678905", "HL*2*1*O", "REF*BM*1", "REF*CN*2", "HL*3*2*I", "CTT*3", "SE*10*1"}},
		"loops":                      {{"ST*TS1*1", "LX*1", "AMT*A*1", "N9*PO*1", "MSG*A", "MSG*B", "N9*PO*2", "MSG*C", "LX*2", "AMT*B*2", "XE1*A*B*C", "SE*12*1"}},
		"loop begin repeated inside": {{"ST*TS2*1", "N9*PO*1", "MSG*A", "AMT*A*1", "N9*PO*2", "N9*PO*3", "N9*PO*4", "AMT*B*2", "N9*PO*5", "MSG*B", "SE*12*1"}},
		"repetitions":                {{"ST*837*1*X^Y", "HI*ABF>1^ABK>2>3>4", "HI*BK>1", "SE*4*1"}},
	}
	fixtures := testSpecs(t)
	// TS2 has a loop that holds its beginning segment again further on.
	d := fixtures["004010/TS1"].Dict
	fixtures["004010/TS2"] = &spec.TransactionSet{ID: "TS2", Name: "loop test set", Version: "004010", Dict: d,
		Structure: []spec.Node{
			sn("ST", spec.Mandatory, 1),
			ln("N9", spec.Mandatory, 3,
				sn("N9", spec.Mandatory, 1),
				sn("MSG", spec.Optional, 2),
				sn("AMT", spec.Mandatory, 1),
				sn("N9", spec.Optional, 1)),
			sn("SE", spec.Mandatory, 1),
		}}
	builtin := builtinValidator(t)
	validators := map[string][]*Validator{
		"fixture": {NewValidator(fixtures), NewValidator(fixtures, WithOverlay(overlay))},
		"builtin": {builtin, NewValidator(builtin.src, WithOverlay(overlay))},
	}
	rng := rand.New(rand.NewPCG(13, 14))
	compared := 0
	for name, sets := range bases {
		for _, kind := range []string{"fixture", "builtin"} {
			for vi, v := range validators[kind] {
				full := fullValidator(v)
				for round := 0; round < 300; round++ {
					body := sets[rng.IntN(len(sets))]
					if round > 0 {
						body = mutate(rng, body)
					}
					version := "004010"
					if strings.HasPrefix(body[0], "ST*837") {
						version = "005010"
					}
					s := fuzzSet(version, segs(body...))
					if s == nil {
						continue
					}
					var pg, pw Placement
					got, want := v.ValidatePlaced(s, &pg), full.ValidatePlaced(s, &pw)
					if g, w := fmt.Sprintf("%+v", *got), fmt.Sprintf("%+v", *want); g != w {
						t.Fatalf("%s, %s validator %d, set:\n%s\nfast paths:\n%s\nfull checks:\n%s", name, kind, vi, strings.Join(body, "~\n"), g, w)
					}
					if err := samePlacement(v, s, got, &pg, &pw); err != nil {
						t.Fatalf("%s, %s validator %d, set:\n%s\n%v", name, kind, vi, strings.Join(body, "~\n"), err)
					}
					compared++
				}
			}
		}
	}
	if compared < 5000 {
		t.Fatalf("only %d sets compared", compared)
	}
}

// samePlacement checks the placements the fast walk (fast, for result r)
// and the full one recorded for s: the same, and whole whenever the set
// is not rejected against a spec the walk mirrors (translate builds the
// tree of every such set from it).
func samePlacement(v *Validator, s *Set, r *SetResult, fast, full *Placement) error {
	ts, _ := v.src.Set(s.Version(), s.ID)
	ok := fast.For(s, ts)
	if ok != full.For(s, ts) {
		return fmt.Errorf("placement for the set: fast walk %v, full walk %v", ok, full.For(s, ts))
	}
	if !ok {
		if r.Status != Rejected && ts != nil && v.compiled(ts).mirrors {
			return fmt.Errorf("status %s, but no placement", r.Status)
		}
		return nil
	}
	for i := range s.Segments {
		if a, b := fast.steps[i], full.steps[i]; a != b {
			return fmt.Errorf("segment %d placed at %#x by the fast walk, at %#x by the full one", i+1, a, b)
		}
	}
	return nil
}
