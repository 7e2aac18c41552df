package doctree_test

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/b2bgw/b2bgw/internal/doctree"
	"github.com/b2bgw/b2bgw/internal/edifact"
	espec "github.com/b2bgw/b2bgw/internal/edifact/spec"
)

// segLookupCases are messages with and without directory entries,
// repetitions, release characters and empty parts.
var segLookupCases = []struct {
	name, in string
	shaped   bool
}{
	{"repetitions, release characters, empty parts", "UNA:+.?*'UNB+UNOC:4+S:14+R:14+20251126:1200+1'UNH+1+ORDERS:D:96A:UN'BGM+220+PO:1+9'" +
		"DTM+137:20251126:102'DTM+2::203*:x:y'NAD+BY+1::9++:?:b:+x*:y*+*z'ZZZ+a:b+c*d:e+f?:g'" +
		"LIN+1++4000862141404:EN'PIA+1+:SA+X?:1:IN*Y::SA*SA:SA'QTY+21:5*12:6'UNT+10+1'UNZ+1+1'", true},
	{"no repetition separator, nothing released", "UNA:+.? 'UNB+UNOC:3+S:14+R:14+20251126:1200+1'UNH+1+ORDERS:D:96A:UN'BGM+220:x+PO:1+9'" +
		"DTM+137:20251126:102'NAD+BY+1::9++:b:+x+:z'ZZZ+a:b+c::d'LIN+1++4000862141404:EN'PIA+1+:SA+X:1:IN+::'QTY+21:5'UNT+9+1'UNZ+1+1'", true},
	{"flat, no repetition separator", "UNA:+.? 'UNB+UNOC:3+S:14+R:14+20251126:1200+1'UNH+1+ORDERS:D:96A:UN'" +
		"PIA+5+VP-1:SA+BUY?:1:IN'IMD+F++:::Wid?'get'NAD+DP+8712345000011::92++DC+:only second'UNT+5+1'UNZ+1+1'", false},
}

// TestEDIFACTSegLookups checks the lookups by position (SegElemText,
// SegElemEquals, SegCompText, SegCompEquals, SegElemKids, SegPickText)
// against the named lookups and the * steps they stand for, on every
// segment of messages with and without directory entries, repetitions,
// release characters and empty parts, for every element and component
// position up to past the last.
func TestEDIFACTSegLookups(t *testing.T) {
	t.Parallel()
	for _, tt := range segLookupCases {
		t.Run(tt.name, func(t *testing.T) {
			tr := edifactTreeBytes(t, []byte(tt.in), tt.shaped)
			if checked := checkSegLookups(t, tr); checked < 5*7 {
				t.Fatalf("checked %d elements, want at least 35", checked)
			}
		})
	}
}

// checkSegLookups checks the lookups by position on every segment of tr
// (see TestEDIFACTSegLookups) and returns how many elements it checked.
func checkSegLookups(t *testing.T, tr *doctree.EDIFACTTree) int {
	t.Helper()
	checked := 0
	var segs []int32
	var visit func(x int32)
	visit = func(x int32) {
		for c := tr.FirstElem(x); c != doctree.NoHandle; c = tr.NextElem(c) {
			if k := tr.Node(c).Kind(); k == doctree.KindSegment {
				segs = append(segs, c)
			} else if k == doctree.KindLoop {
				visit(c)
			}
		}
	}
	visit(tr.Root())
	for _, x := range segs {
		if !tr.IsSegment(x) {
			t.Fatalf("%s is not a segment", tr.Node(x).Name())
		}
		tag := tr.Node(x).Name()
		for el := 1; el <= 7; el++ {
			checked++
			e := fmt.Sprintf("%s%02d", tag, el)
			en := doctree.CompileName(e)
			var reps []int32
			for c := tr.FirstChildName(x, en); c != doctree.NoHandle; c = tr.NextNamed(c) {
				reps = append(reps, c)
			}
			got, ok := tr.SegElemText(x, el)
			want, wantOK := tr.ChildTextName(x, en)
			if ok != wantOK || string(got) != string(want) {
				t.Errorf("SegElemText(%s, %d) = %q, %v; ChildTextName %q, %v", tag, el, got, ok, want, wantOK)
			}
			var all []string
			var kids []string
			for _, r := range reps {
				all = append(all, string(tr.Text(r)))
				for k := tr.FirstElem(r); k != doctree.NoHandle; k = tr.NextElem(k) {
					kids = append(kids, tr.Node(k).Name()+"="+string(tr.Text(k)))
				}
			}
			// ChildTextName answers a segment through SegElemText: the
			// first node's text is the independent answer.
			if len(all) > 0 != ok || ok && string(got) != all[0] {
				t.Errorf("SegElemText(%s, %d) = %q, %v; nodes %q", tag, el, got, ok, all)
			}
			for _, lit := range append(all, "nope", "") {
				if got, want := tr.SegElemEquals(x, el, "nope", lit), slices.Contains(all, lit); got != want {
					t.Errorf("SegElemEquals(%s, %d, %q) = %v; nodes %q", tag, el, lit, got, all)
				}
			}
			var gotKids []string
			for _, k := range tr.SegElemKids(x, el, nil) {
				gotKids = append(gotKids, tr.Node(k).Name()+"="+string(tr.Text(k)))
			}
			if !slices.Equal(gotKids, kids) {
				t.Errorf("SegElemKids(%s, %d) = %q; the * step gives %q", tag, el, gotKids, kids)
			}
			for c := 1; c <= 5; c++ {
				cn := doctree.CompileName(fmt.Sprintf("%s_%02d", e, c))
				got, ok := tr.SegCompText(x, el, c)
				want, wantOK := tr.ChildText2Name(x, en, cn)
				if ok != wantOK || string(got) != string(want) {
					t.Errorf("SegCompText(%s, %d, %d) = %q, %v; ChildText2Name %q, %v", tag, el, c, got, ok, want, wantOK)
				}
				var comps []string
				for _, r := range reps {
					for d := tr.FirstChildName(r, cn); d != doctree.NoHandle; d = tr.NextNamed(d) {
						comps = append(comps, string(tr.Text(d)))
					}
				}
				if len(comps) > 0 != ok || ok && string(got) != comps[0] {
					t.Errorf("SegCompText(%s, %d, %d) = %q, %v; nodes %q", tag, el, c, got, ok, comps)
				}
				for _, lit := range append(comps, "nope", "") {
					if got, want := tr.SegCompEquals(x, el, c, lit, "nope"), slices.Contains(comps, lit); got != want {
						t.Errorf("SegCompEquals(%s, %d, %d, %q) = %v; nodes %q", tag, el, c, lit, got, comps)
					}
				}
			}
		}
		// *[*[k]='lit']/*[j] by handles: the element children in
		// order, each asked for its kth and jth child.
		for k := 1; k <= 3; k++ {
			for j := 1; j <= 3; j++ {
				for _, lit := range []string{"SA", "IN", "X:1", "x", "9", ""} {
					want, wantOK := "", false
					for r := tr.FirstElem(x); r != doctree.NoHandle && !wantOK; r = tr.NextElem(r) {
						if q, ok := tr.NthElemText(r, k); !ok || string(q) != lit {
							continue
						}
						if v, ok := tr.NthElemText(r, j); ok {
							want, wantOK = string(v), true
						}
					}
					got, ok := tr.SegPickText(x, k, lit, j)
					if ok != wantOK || string(got) != want {
						t.Errorf("SegPickText(%s, %d, %q, %d) = %q, %v; want %q, %v", tag, k, lit, j, got, ok, want, wantOK)
					}
				}
			}
		}
	}
	return checked
}

// TestEDIFACTSegPlain checks the lookups by position on known answers:
// plain segments (no repetition separator, nothing released), which take
// the fast paths, next to a segment with a release character and a
// syntax 4 message with repetitions, which do not.
func TestEDIFACTSegPlain(t *testing.T) {
	t.Parallel()
	const (
		syntax3 = "UNA:+.? 'UNB+UNOC:3+S:14+R:14+20251126:1200+1'UNH+1+ORDERS:D:96A:UN'BGM+220+PO:1+9'" +
			"DTM+137:20251126:102'NAD+BY+1::9++:b:+x'ZZZ+a:b+c+:'IMD+F++:::Wid?:get'PIA+5+::SA:x+VP-1:SA'UNT+9+1'UNZ+1+1'"
		syntax4 = "UNA:+.?*'UNB+UNOC:4+S:14+R:14+20251126:1200+1'UNH+1+ORDERS:D:96A:UN'" +
			"DTM+2::203*:x:y'PIA+1+X:SA*Y:IN'UNT+4+1'UNZ+1+1'"
	)
	tests := []struct {
		name, in, tag, op string
		el, c             int      // SegElem*, SegComp*; k and j of SegPickText
		lits              []string // the *Equals literals; the lit of SegPickText
		want              string   // the text, or "true"/"false" for *Equals
		ok                bool
	}{
		{"simple element holding a separator", syntax3, "BGM", "elemText", 2, 0, nil, "PO:1", true},
		{"simple element has no components", syntax3, "BGM", "compText", 2, 1, nil, "", false},
		{"middle component", syntax3, "DTM", "compText", 1, 2, nil, "20251126", true},
		{"last component", syntax3, "DTM", "compText", 1, 3, nil, "102", true},
		{"past the last component", syntax3, "DTM", "compText", 1, 4, nil, "", false},
		{"empty component", syntax3, "NAD", "compText", 2, 2, nil, "", false},
		{"component after an empty one", syntax3, "NAD", "compText", 2, 3, nil, "9", true},
		{"empty first component", syntax3, "NAD", "compText", 4, 1, nil, "", false},
		{"component between empty ones", syntax3, "NAD", "compText", 4, 2, nil, "b", true},
		{"empty last component", syntax3, "NAD", "compText", 4, 3, nil, "", false},
		{"empty element", syntax3, "NAD", "elemText", 3, 0, nil, "", false},
		{"no directory entry: composite by its separator", syntax3, "ZZZ", "compText", 1, 2, nil, "b", true},
		{"no directory entry: simple without one", syntax3, "ZZZ", "compText", 2, 1, nil, "", false},
		{"no directory entry: only empty components", syntax3, "ZZZ", "compText", 3, 1, nil, "", false},
		{"no directory entry: element text", syntax3, "ZZZ", "elemText", 3, 0, nil, ":", true},
		{"past the last element", syntax3, "ZZZ", "compText", 9, 1, nil, "", false},
		{"element zero", syntax3, "ZZZ", "elemText", 0, 0, nil, "", false},
		{"component zero", syntax3, "DTM", "compText", 1, 0, nil, "", false},
		{"composite element equals", syntax3, "BGM", "elemEquals", 1, 0, []string{"x", "220"}, "true", true},
		{"no element equals empty", syntax3, "NAD", "elemEquals", 3, 0, []string{""}, "false", true},
		{"component equals one of", syntax3, "DTM", "compEquals", 1, 1, []string{"x", "137"}, "true", true},
		{"empty component equals nothing", syntax3, "NAD", "compEquals", 2, 2, []string{""}, "false", true},
		{"pick: empty components skipped", syntax3, "PIA", "pick", 1, 2, []string{"SA"}, "x", true},
		{"pick: the first element that matches", syntax3, "PIA", "pick", 2, 1, []string{"SA"}, "VP-1", true},
		{"pick: no match", syntax3, "PIA", "pick", 2, 1, []string{"IN"}, "", false},
		{"released separator (not plain)", syntax3, "IMD", "compText", 3, 4, nil, "Wid:get", true},
		{"released separator equals", syntax3, "IMD", "compEquals", 3, 4, []string{"Wid:get"}, "true", true},
		{"syntax 4: first non-empty repetition's component", syntax4, "DTM", "compText", 1, 2, nil, "x", true},
		{"syntax 4: any repetition equals", syntax4, "DTM", "compEquals", 1, 3, []string{"y"}, "true", true},
		{"syntax 4: element text is the first repetition", syntax4, "DTM", "elemText", 1, 0, nil, "2::203", true},
		{"syntax 4: pick in the second repetition", syntax4, "PIA", "pick", 2, 1, []string{"IN"}, "Y", true},
	}
	trees := map[string]*doctree.EDIFACTTree{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := trees[tt.in]
			if tr == nil {
				tr = edifactTreeBytes(t, []byte(tt.in), true)
				trees[tt.in] = tr
			}
			x := firstSegment(tr, tr.Root(), tt.tag)
			if x == doctree.NoHandle {
				t.Fatalf("no %s segment", tt.tag)
			}
			var got []byte
			var ok bool
			switch tt.op {
			case "elemText":
				got, ok = tr.SegElemText(x, tt.el)
			case "compText":
				got, ok = tr.SegCompText(x, tt.el, tt.c)
			case "elemEquals":
				got, ok = []byte(strconv.FormatBool(tr.SegElemEquals(x, tt.el, tt.lits...))), true
			case "compEquals":
				got, ok = []byte(strconv.FormatBool(tr.SegCompEquals(x, tt.el, tt.c, tt.lits...))), true
			case "pick":
				got, ok = tr.SegPickText(x, tt.el, tt.lits[0], tt.c)
			default:
				t.Fatalf("unknown op %q", tt.op)
			}
			if string(got) != tt.want || ok != tt.ok {
				t.Errorf("%s(%s, %d, %d, %q) = %q, %v; want %q, %v", tt.op, tt.tag, tt.el, tt.c, tt.lits, got, ok, tt.want, tt.ok)
			}
		})
	}
}

// firstSegment returns the first stored segment tagged tag under x, in
// document order, or NoHandle.
func firstSegment(tr *doctree.EDIFACTTree, x int32, tag string) int32 {
	for c := tr.FirstElem(x); c != doctree.NoHandle; c = tr.NextElem(c) {
		switch n := tr.Node(c); n.Kind() {
		case doctree.KindSegment:
			if n.Name() == tag {
				return c
			}
		case doctree.KindLoop:
			if s := firstSegment(tr, c, tag); s != doctree.NoHandle {
				return s
			}
		}
	}
	return doctree.NoHandle
}

// FuzzEDIFACTSegLookups runs the checks of TestEDIFACTSegLookups on the
// trees, with the built-in directory and flat, of every message the
// decoder reads from any input: the plain fast paths against the handle
// lookups on whatever delimiters, release characters and repetitions
// turn up.
func FuzzEDIFACTSegLookups(f *testing.F) {
	for _, tt := range segLookupCases {
		f.Add([]byte(tt.in))
	}
	for _, name := range []string{"orders-d96a.edi", "desadv-d96a.edi"} {
		b, err := os.ReadFile("../../testdata/edifact/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	reg, err := espec.Builtin()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		d := edifact.NewDecoderBytes(in)
		for n := 0; n < 4; n++ { // a few messages are enough per input
			ev, err := d.Next()
			if err != nil {
				return
			}
			if ev.Kind != edifact.EventMessage {
				continue
			}
			m := ev.Message
			checkSegLookups(t, doctree.FromMessage(m, nil))
			if ms, ok := reg.Message(m.Directory(), m.Type); ok {
				checkSegLookups(t, doctree.FromMessage(m, doctree.CompileEDIFACT(ms)))
			}
		}
	})
}
