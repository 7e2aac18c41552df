package canonical

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files and docs/schema from the current code")

// marshalDoc is the canonical wire form: two-space indented JSON and a
// final newline, the way the store and the golden files hold documents.
func marshalDoc(t *testing.T, d Document) []byte {
	t.Helper()
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	return append(b, '\n')
}

// checkGolden compares got with testdata/name, or rewrites it with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the code's output; run go test ./internal/canonical -update and review the diff\n--- got ---\n%s", path, got)
	}
}

func goldenCases() []struct {
	name string
	doc  Document
} {
	return []struct {
		name string
		doc  Document
	}{
		{"order_850.json", fixtureOrder()},
		{"shipment_856_pallet.json", fixtureShipment()},
		{"shipment_856_standard_carton.json", fixtureStandardCartonShipment()},
		{"warehouse_945.json", fixtureWarehouseAdvice()},
		{"inventory_846.json", fixtureInventory()},
		{"catalog_row.json", fixtureCatalogItem()},
		{"ack_997.json", fixtureAck()},
	}
}

// TestGoldenRoundTrip: each realistic document is valid, marshals to its
// golden file byte for byte, and decodes back to an identical value.
func TestGoldenRoundTrip(t *testing.T) {
	t.Parallel()
	for _, tc := range goldenCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if err := tc.doc.Validate(); err != nil {
				t.Fatalf("fixture is invalid: %v", err)
			}
			got := marshalDoc(t, tc.doc)
			checkGolden(t, tc.name, got)

			back, err := Decode(got)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !reflect.DeepEqual(back, tc.doc) {
				t.Errorf("round trip changed the document:\n got %+v\nwant %+v", back, tc.doc)
			}
			if again := marshalDoc(t, back); !bytes.Equal(again, got) {
				t.Errorf("re-marshal differs:\n%s", again)
			}
		})
	}
}

// fixtureStandardCartonShipment is the other 856 shape: items straight
// under the order, each listing the identical cartons it fills.
func fixtureStandardCartonShipment() *ShipmentNotice {
	s := fixtureShipment()
	s.ShipmentID, s.Meta.DocumentNumber = "ASN-000982", "ASN-000982"
	s.Structure = StandardCartonPack
	s.Packaging = []PackageCount{{Type: PackCarton, Quantity: 2}}
	s.GrossWeight = &Measure{Value: dec("51"), UOM: UOMPound}
	s.Orders = []ShipmentOrder{{
		PONumber: "PO4500012345",
		Items: []ShipmentItem{{
			LineNumber: "1", UOM: UOMEach, QuantityShipped: dec("24"),
			Product: ProductRef{GTIN: "00036000291452"},
			Lots:    []Lot{{Number: "L2501A", ExpiryDate: NewDate(2027, 1, 31)}},
			Packs: []ItemPack{
				{SSCC: "008123456789000049", Type: PackCarton, Quantity: dec("12").Ptr()},
				{SSCC: "008123456789000056", Type: PackCarton, Quantity: dec("12").Ptr()},
			},
		}},
	}}
	s.Totals = nil
	return s
}

func TestDecodeErrors(t *testing.T) {
	t.Parallel()
	order := string(marshalDoc(t, fixtureOrder()))
	tests := []struct {
		name, in string
	}{
		{"not json", `{`},
		{"unknown kind", `{"meta":{"kind":"invoice","schema_version":"1.0"}}`},
		{"missing kind", `{"meta":{"schema_version":"1.0"}}`},
		{"other major", `{"meta":{"kind":"order","schema_version":"2.0"}}`},
		{"unknown field", `{"meta":{"kind":"order","schema_version":"1.0","partner_id":"x"},"po_numbr":"1"}`},
		{"bad decimal", `{"meta":{"kind":"order","schema_version":"1.0"},"lines":[{"quantity":1.2.3}]}`},
		{"bad date", `{"meta":{"kind":"order","schema_version":"1.0"},"order_date":"31/01/2025"}`},
		{"trailing data", order + `{}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if d, err := Decode([]byte(tc.in)); err == nil {
				t.Errorf("Decode succeeded: %+v", d)
			}
		})
	}
}

func TestNew(t *testing.T) {
	t.Parallel()
	for _, k := range documentKinds {
		d := New(k)
		if d == nil {
			t.Fatalf("New(%q) = nil", k)
		}
		if m := d.DocMeta(); m.Kind != k || m.SchemaVersion != SchemaVersion {
			t.Errorf("New(%q).Meta = %+v", k, m)
		}
	}
	if New("invoice") != nil {
		t.Error("New(invoice) is not nil")
	}
}

func TestAllItemsFlattensBothShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		order ShipmentOrder
		want  []string // line number @ innermost SSCC
	}{
		{"pick pack", fixtureShipment().Orders[0],
			[]string{"1@008123456789000018", "1@008123456789000025", "2@008123456789000025", "3@008123456789000032"}},
		{"standard carton", fixtureStandardCartonShipment().Orders[0], []string{"1@"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, pi := range tc.order.AllItems() {
				got = append(got, pi.Item.LineNumber+"@"+pi.SSCC())
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("AllItems = %v, want %v", got, tc.want)
			}
		})
	}
	items := fixtureShipment().Orders[0].AllItems()
	if len(items[0].Path) != 2 || items[0].Path[0].Type != PackPallet {
		t.Errorf("path of first item = %+v, want pallet then carton", items[0].Path)
	}
}
