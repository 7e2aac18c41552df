package translate

import (
	"strings"
	"testing"

	"github.com/b2bgw/b2bgw/internal/mapping"
)

// TestMappingsBySource: a partner's own mappings are picked by their
// source (standard, message type, version); a document none of them reads
// gets the built-in mapping, and Options.Mapping wins over both.
func TestMappingsBySource(t *testing.T) {
	load := func(path string) *mapping.Mapping {
		m, err := mapping.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	desadv := load("../../partners/mappings/europa-desadv.yaml")
	orders := load("../../partners/mappings/europa-orders.yaml") // dates in Europe/Amsterdam
	builtinOrders := load("../../mappings/edifact-d96a-orders.yaml")
	const ordersFile = "../../testdata/demo/1/europa-foods-in/ORDERS-PO-4711.edi"
	const x12File = "../../testdata/demo/1/acme-retail-in/850-PO-77001-77002.x12"
	tests := []struct {
		name     string
		opts     Options
		file     string
		want     string // in every document
		dontWant string
	}{
		{"partner mapping by message type", Options{Mappings: []*mapping.Mapping{desadv, orders}}, ordersFile, `"2025-12-05T09:30:00+01:00"`, `09:30:00Z"`},
		{"no partner mapping: built-in", Options{Mappings: []*mapping.Mapping{desadv}}, ordersFile, `09:30:00Z"`, `+01:00"`},
		{"Mapping wins", Options{Mapping: builtinOrders, Mappings: []*mapping.Mapping{orders}}, ordersFile, `09:30:00Z"`, `+01:00"`},
		{"other standard: built-in", Options{Mappings: []*mapping.Mapping{desadv, orders}}, x12File, `"po_number":"PO-77001"`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr, err := New(tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			if _, err := tr.File(tc.file, func(r *Result) error {
				if r.Err != nil {
					t.Errorf("document %d rejected: %v", r.Index, r.Err)
					return nil
				}
				n++
				if n == 1 && !strings.Contains(string(r.JSON), tc.want) {
					t.Errorf("want %s in %s", tc.want, r.JSON)
				}
				if tc.dontWant != "" && strings.Contains(string(r.JSON), tc.dontWant) {
					t.Errorf("did not want %s in %s", tc.dontWant, r.JSON)
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				t.Fatal("no document translated")
			}
		})
	}
}
