package doctree

import (
	"strings"
	"testing"

	"github.com/b2bgw/b2bgw/internal/x12"
)

// FuzzFromSet builds trees over arbitrary set bodies with the 850 and 856
// structures, and checks that no segment is dropped or duplicated (the
// tree's promise to the validator and the mapping engine), that every
// link is consistent, and that the tree built from the validator's
// placement of the segments is the same tree.
func FuzzFromSet(f *testing.F) {
	f.Add(strings.Join(body850, "~"))
	f.Add(strings.Join(body856, "~"))
	f.Add("HL*1*2*S~HL*2*1*O~HL*3*3*P~HL*4**I~HL*4*4~HL")
	f.Add("REF*ZZ*A>B^C>>D^^~N1~~PO1*1^^2")
	shapes := []*Shape{Compile(spec850), Compile(spec856), Compile(spec850v5), nil}
	f.Fuzz(func(t *testing.T, body string) {
		var segs []string
		for s := range strings.SplitSeq(body, "~") {
			s = strings.NewReplacer("\n", "", "\r", "").Replace(s)
			if s != "" {
				segs = append(segs, s)
			}
		}
		for _, isa := range []string{isa4010, isa5010} {
			for _, set := range decodeSetsLenient(interchange(isa, "004010", "856", segs)) {
				for _, shape := range shapes {
					tr := FromSet(set, shape)
					seen := make([]int, len(set.Segments))
					for i := range tr.nodes {
						if tr.nodes[i].kind == KindSegment {
							seen[tr.nodes[i].src]++
						}
					}
					for i, n := range seen {
						if n != 1 {
							t.Fatalf("segment %d (%s) appears %d times in the tree", i+1, set.Segments[i].Format(), n)
						}
					}
					checkTree(t, tr)
					// From the validator's placement: the same tree.
					placed, _ := placedTree(set, shape)
					sameTrees(t, placed, tr)
					checkLater(t, tr)
					if len(set.Segments) <= 40 {
						checkHandles(t, tr) // quadratic-ish: small sets only
					}
				}
			}
		}
	})
}

// decodeSetsLenient returns the sets decoded before any fatal error: what
// the decoder rejects is not the tree's concern.
func decodeSetsLenient(in string) []*x12.Set {
	d := x12.NewDecoderBytes([]byte(in))
	var sets []*x12.Set
	for {
		ev, err := d.Next()
		if err != nil {
			return sets
		}
		if ev.Kind == x12.EventSet {
			sets = append(sets, ev.Set)
		}
	}
}

// FuzzFromCSV checks that any CSV input either fails with an error or gives
// a consistent tree holding every non-empty field.
func FuzzFromCSV(f *testing.F) {
	f.Add(ordersCSV)
	f.Add("a,b\n1\n1,2,\n")
	f.Add("x,X,_1\n,,\n")
	f.Fuzz(func(t *testing.T, in string) {
		tr, err := FromCSV(strings.NewReader(in), CSVOptions{})
		if err != nil {
			return
		}
		checkTree(t, tr)
		cells := 0
		for _, rec := range tr.csv.records {
			for _, v := range rec {
				if v != "" {
					cells++
				}
			}
		}
		got := 0
		for row := range tr.Root().Children() {
			for range row.Children() {
				got++
			}
		}
		if got != cells {
			t.Fatalf("the tree has %d cells, the input %d non-empty fields", got, cells)
		}
	})
}
