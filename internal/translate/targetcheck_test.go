package translate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/b2bgw/b2bgw/internal/mapping"
	"github.com/b2bgw/b2bgw/mappings"
)

// TestCheckTarget: field names the target document does not have, and
// fields: under a value, are refused at their line; good mappings and
// targets that are not canonical documents pass.
func TestCheckTarget(t *testing.T) {
	head := "mapping: t\nsource: {standard: x12, version: \"004010\", set: \"850\"}\n"
	tests := []struct {
		name, yaml string
		want       []string // file:line:col prefixes and message parts
	}{
		{"good", head + "target: Order\nfields:\n  po_number: BEG/BEG03\n  lines:\n    foreach: PO1Loop\n    fields:\n      line_number: PO1/PO101\n      product:\n        fields:\n          gtin: PO1/PO107\n", nil},
		{"misspelt top level", head + "target: Order\nfields:\n  po_numbr: BEG/BEG03\n", []string{":5:3:", `Order has no field "po_numbr"`, "po_number"}},
		{"misspelt nested", head + "target: Order\nfields:\n  lines:\n    foreach: PO1Loop\n    fields:\n      qty: PO1/PO102\n", []string{":8:7:", `Order.lines has no field "qty"`}},
		{"fields under a value", head + "target: Order\nfields:\n  po_number:\n    fields:\n      x: BEG/BEG03\n", []string{":5:3:", "Order.po_number holds a value, not an object"}},
		{"not a canonical target", head + "target: Something\nfields:\n  anything: BEG/BEG03\n", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "m.yaml")
			if err := os.WriteFile(path, []byte(tc.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			m, err := mapping.Load(path)
			if err != nil {
				t.Fatal(err)
			}
			ms := CheckTarget(m)
			if len(tc.want) == 0 {
				if len(ms) != 0 {
					t.Fatalf("want no problem, got %v", ms)
				}
				return
			}
			if len(ms) != 1 {
				t.Fatalf("want one problem, got %v", ms)
			}
			for _, w := range tc.want {
				if !strings.Contains(ms[0].String(), w) {
					t.Errorf("%q does not say %q", ms[0], w)
				}
			}
			if _, err := New(Options{Mapping: m}); err == nil || !strings.Contains(err.Error(), tc.want[0]) {
				t.Errorf("New accepted the mapping: %v", err)
			}
		})
	}
	set, err := mappings.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range set.Mappings {
		if ms := CheckTarget(m); len(ms) != 0 {
			t.Errorf("built-in %s: %v", m.File, ms)
		}
	}
}
