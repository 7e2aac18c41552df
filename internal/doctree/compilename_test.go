package doctree

import "testing"

// TestCompileNameShared checks that equal names compile to one Name (the
// mapping evaluator's memo of the last lookup compares Names by pointer)
// and different ones to different Names that read as before.
func TestCompileNameShared(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		same bool
	}{
		{"PO1", "PO1", true},
		{"PO102", "PO102", true},
		{"DTM01_02", "DTM01_02", true},
		{"PO1", "PO102", false},
		{"PO1Loop", "PO1", false},
	}
	for _, tt := range tests {
		a, b := CompileName(tt.a), CompileName(tt.b)
		if (a == b) != tt.same {
			t.Errorf("CompileName(%q) == CompileName(%q): %v, want %v", tt.a, tt.b, a == b, tt.same)
		}
		if a.String() != tt.a || b.String() != tt.b {
			t.Errorf("names %q, %q: got %q, %q", tt.a, tt.b, a, b)
		}
		if fresh := compileName(tt.a); *fresh != *a {
			t.Errorf("%q: the shared Name differs from a fresh compile", tt.a)
		}
	}
}
