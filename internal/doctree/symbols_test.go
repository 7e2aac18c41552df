package doctree

import "testing"

// TestCompileNameMatchesParsing checks that a compiled Name resolves
// element and component positions exactly as parsing the name does
// (tagNames.elemIndex, compIndex), for tags with and without symbols.
func TestCompileNameMatchesParsing(t *testing.T) {
	t.Parallel()
	tags := []*tagNames{
		namesFor([]byte("PO1"), 30),
		namesFor([]byte("PO"), 4),
		namesFor([]byte("DTM"), 3),
		namesFor([]byte("N1"), 6),
		newTagNames("x_y", 3), // not a tag: no symbol, resolved by parsing
	}
	names := []string{
		"PO101", "PO102", "PO125", "PO1", "PO", "PO10", "PO1002", "PO102_01", "PO103_1",
		"DTM01", "DTM01_02", "DTM01_10", "DTM001", "DTM1", "DTM01_", "DTM01_02_03",
		"N101", "N1", "N1Loop", "x_y01", "x_y01_02", "", "_01", "01", "BEG03",
	}
	for _, tn := range tags {
		for _, s := range names {
			n := CompileName(s)
			if got, want := n.elemIn(tn), tn.elemIndex(s); got != want {
				t.Errorf("%q in %s: element %d, parsing says %d", s, tn.tag, got, want)
			}
			for el := 1; el <= 3; el++ {
				if got, want := n.compIn(tn, el), tn.compIndex(el, s); got != want {
					t.Errorf("%q in %s element %d: component %d, parsing says %d", s, tn.tag, el, got, want)
				}
			}
		}
	}
}

// TestSameName checks name comparison by symbol and by text.
func TestSameName(t *testing.T) {
	t.Parallel()
	a, b := intern("PO1Loop"), intern("N1Loop")
	tests := []struct {
		name   string
		sa, sb int32
		a, b   string
		want   bool
	}{
		{"same symbol", a, a, "PO1Loop", "PO1Loop", true},
		{"other symbol", a, b, "PO1Loop", "N1Loop", false},
		{"no symbol, same text", 0, a, "PO1Loop", "PO1Loop", true},
		{"no symbol, other text", a, 0, "PO1Loop", "N1Loop", false},
	}
	for _, tt := range tests {
		if got := sameName(tt.sa, tt.sb, tt.a, tt.b); got != tt.want {
			t.Errorf("%s: sameName = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestElemPosMatchesParsing checks ElemPos and CompPos, the positions a
// mapping resolves once, against the parsing the named lookups do.
func TestElemPosMatchesParsing(t *testing.T) {
	t.Parallel()
	tags := []*tagNames{namesFor([]byte("PO1"), 30), namesFor([]byte("PO"), 4), namesFor([]byte("DTM"), 3), newTagNames("x_y", 3)}
	names := []string{
		"PO101", "PO102", "PO125", "PO1", "PO", "PO10", "PO1002", "PO102_01", "PO103_1", "PO1100", "PO1100_02",
		"DTM01", "DTM01_02", "DTM01_10", "DTM001", "DTM1", "DTM01_", "DTM01_02_03", "DTM01_002", "x_y01", "x_y01_02", "", "_01", "01",
	}
	for _, tn := range tags {
		for _, s := range names {
			if got, want := ElemPos(tn.tag, s), tn.elemIndex(s); got != want {
				t.Errorf("ElemPos(%q, %q) = %d, parsing says %d", tn.tag, s, got, want)
			}
			for el := 0; el <= 3; el++ {
				want := 0
				if el > 0 {
					want = tn.compIndex(el, s)
				}
				if got := CompPos(tn.tag, el, s); got != want {
					t.Errorf("CompPos(%q, %d, %q) = %d, parsing says %d", tn.tag, el, s, got, want)
				}
			}
		}
	}
	if ElemPos("", "01") != 0 || CompPos("", 1, "01_01") != 0 {
		t.Error("an empty tag has elements")
	}
}
