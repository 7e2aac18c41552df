package doctree

import (
	"testing"

	"github.com/b2bgw/b2bgw/internal/x12"
)

func TestNodeAPI(t *testing.T) {
	tr := FromSet(oneSet(t, isa5010, "005010", "850", body850v5), Compile(spec850v5))
	root := tr.Root()
	tests := []struct {
		name                      string
		node                      Node
		wantKind                  Kind
		wantName, wantValue       string
		wantEl, wantRep, wantComp int
	}{
		{"root", root, KindRoot, "TransactionSet", "", 0, 0, 0},
		{"segment by name", root.FirstNamed("BEG"), KindSegment, "BEG", "BEG*00*SA*PO-5*^*20251126", 0, 0, 0},
		{"element by name", root.FirstNamed("BEG").FirstNamed("BEG03"), KindElement, "BEG03", "PO-5", 3, 1, 0},
		{"element by position", root.FirstNamed("BEG").Elem(5), KindElement, "BEG05", "20251126", 5, 1, 0},
		{"only empty repetitions", root.FirstNamed("BEG").Elem(4), KindInvalid, "", "", 0, 0, 0},
		{"second repetition", root.FirstNamed("REF").Child("REF04", 2), KindElement, "REF04", "PO>456", 4, 2, 0},
		{"repetition after an empty one", root.FirstNamed("REF").Child("REF04", 3), KindElement, "REF04", ">789", 4, 4, 0},
		{"component", root.FirstNamed("REF").Child("REF04", 2).FirstNamed("REF04_02"), KindComponent, "REF04_02", "456", 4, 2, 2},
		{"empty component", root.FirstNamed("REF").Child("REF04", 3).FirstNamed("REF04_01"), KindInvalid, "", "", 0, 0, 0},
		{"spec composite without separator", root.Child("PO1Loop", 1).FirstNamed("PIDLoop").FirstNamed("MEA").Elem(4).FirstNamed("MEA04_01"), KindComponent, "MEA04_01", "LB", 4, 1, 1},
		{"text of an element", root.FirstNamed("BEG").Elem(3).FirstChild(), KindText, "", "PO-5", 3, 1, 0},
		{"positional pick of a segment", root.Child("REF", 2), KindSegment, "REF", "REF*CO*99***", 0, 0, 0},
		{"pick beyond the end", root.Child("REF", 3), KindInvalid, "", "", 0, 0, 0},
		{"non-canonical element name", root.FirstNamed("BEG").FirstNamed("BEG3"), KindInvalid, "", "", 0, 0, 0},
		{"three-digit spelling of a two-digit position", root.FirstNamed("BEG").FirstNamed("BEG003"), KindInvalid, "", "", 0, 0, 0},
		{"another segment's element name", root.FirstNamed("BEG").FirstNamed("REF01"), KindInvalid, "", "", 0, 0, 0},
		{"zero node chains to zero", Node{}.FirstNamed("X").Child("Y", 2).Elem(1).FirstChild().NextSibling().Parent(), KindInvalid, "", "", 0, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := tc.node
			if n.Kind() != tc.wantKind || n.Name() != tc.wantName {
				t.Fatalf("got %s %q, want %s %q", n.Kind(), n.Name(), tc.wantKind, tc.wantName)
			}
			if tc.wantKind == KindRoot {
				return // its value is the whole set
			}
			if n.Value() != tc.wantValue || string(n.Bytes()) != tc.wantValue {
				t.Errorf("Value %q, Bytes %q, want %q", n.Value(), n.Bytes(), tc.wantValue)
			}
			if tc.wantKind != KindInvalid && !n.Equal(tc.wantValue) {
				t.Errorf("Equal(%q) is false", tc.wantValue)
			}
			if n.Equal(tc.wantValue + "x") {
				t.Errorf("Equal(%q) is true", tc.wantValue+"x")
			}
			el, rep, comp := n.Index()
			if el != tc.wantEl || rep != tc.wantRep || comp != tc.wantComp {
				t.Errorf("Index = %d, %d, %d; want %d, %d, %d", el, rep, comp, tc.wantEl, tc.wantRep, tc.wantComp)
			}
			if (n.Segment() != nil) != (tc.wantKind >= KindSegment && tc.wantKind <= KindComponent || tc.wantKind == KindText) {
				t.Errorf("Segment() = %v for a %s", n.Segment(), n.Kind())
			}
		})
	}
}

func TestSource(t *testing.T) {
	tr := FromSet(oneSet(t, isa5010, "005010", "850", body850v5), Compile(spec850v5))
	root := tr.Root()
	// The interchange puts ISA on line 1, GS on 2, ST on 3: segment k of
	// the set is on line k+2.
	tests := []struct {
		name string
		node Node
		want Source
		str  string
	}{
		{"root reports ST", root, Source{Format: FormatX12, Name: "TransactionSet", Line: 3, Segment: "ST", SegmentIndex: 1},
			"TransactionSet in segment ST (segment 1 of the set, line 3, segment 3, byte 155)"},
		{"loop reports its first segment", root.Child("PO1Loop", 1), Source{Format: FormatX12, Name: "PO1Loop", Line: 8, Segment: "PO1", SegmentIndex: 6},
			"PO1Loop in segment PO1 (segment 6 of the set, line 8, segment 8, byte 255)"},
		{"component of a repetition", root.FirstNamed("REF").Child("REF04", 2).FirstNamed("REF04_02"),
			Source{Format: FormatX12, Name: "REF04_02", Line: 5, Segment: "REF", SegmentIndex: 3, Element: 4, Repetition: 2, Component: 2},
			"REF04_02 in segment REF (segment 3 of the set, line 5, segment 5, byte 195), repetition 2"},
		{"attribute reports ST", func() Node { nav := root.Navigator(); nav.MoveToNextAttribute(); return nav.Current() }(),
			Source{Format: FormatX12, Name: "id", Line: 3, Segment: "ST", SegmentIndex: 1}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.node.Source()
			pos := got.Pos
			got.Pos = x12.Position{}
			if got != tc.want {
				t.Errorf("Source = %+v\nwant %+v", got, tc.want)
			}
			if pos.Line != tc.want.Line {
				t.Errorf("Pos.Line = %d, want %d", pos.Line, tc.want.Line)
			}
			if tc.str != "" && tc.node.Source().String() != tc.str {
				t.Errorf("String() = %q, want %q", tc.node.Source().String(), tc.str)
			}
		})
	}
}

// TestNames covers element names beyond the spec's elements, two- and
// three-digit positions, and tags the shared name cache refuses to keep.
func TestNames(t *testing.T) {
	d := x12.DefaultDelimiters
	many := make([]string, 101)
	for i := range many {
		many[i] = "v"
	}
	tests := []struct {
		name     string
		shape    *Shape
		seg      x12.Segment
		el       int
		wantName string
	}{
		{"two digits", nil, x12.NewSegment(d, "N1", "ST", "ACME"), 2, "N102"},
		{"beyond a hundred elements", nil, x12.NewSegment(d, "ZZ", many...), 101, "ZZ101"},
		{"damaged tag is not cached but named", nil, x12.NewSegment(d, "n-1", "x"), 1, "n-101"},
		{"segment longer than its spec", Compile(spec850v5), x12.NewSegment(d, "REF", many[:40]...), 40, "REF40"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			set := &x12.Set{ID: "850", Segments: []x12.Segment{tc.seg}}
			tr := FromSet(set, tc.shape)
			seg := tr.Root().FirstChild()
			e := seg.Elem(tc.el)
			if e.Name() != tc.wantName {
				t.Fatalf("element %d is named %q, want %q", tc.el, e.Name(), tc.wantName)
			}
			if got := seg.FirstNamed(tc.wantName); got != e {
				t.Errorf("FirstNamed(%q) = %s %q, want element %d", tc.wantName, got.Kind(), got.Name(), tc.el)
			}
		})
	}
	if m := nameCache.m.Load(); m != nil {
		if _, ok := (*m)["n-1"]; ok {
			t.Error("a damaged tag was kept in the shared name cache")
		}
	}
}

func TestNormalizeHeader(t *testing.T) {
	tests := []struct{ in, want string }{
		{"SKU", "SKU"},
		{"  Unit Price ", "Unit_Price"},
		{"PO #", "PO"},
		{"Ship-To (GLN)", "Ship_To_GLN"},
		{"2nd Line", "_2nd_Line"},
		{"_private", "_private"},
		{"Größe", "Größe"},
		{"a..b", "a_b"},
		{"###", ""},
		{"", ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := NormalizeHeader(tc.in); got != tc.want {
				t.Errorf("NormalizeHeader(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
