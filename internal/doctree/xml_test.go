package doctree

import (
	"strings"
	"testing"
)

const orderXML = `<?xml version="1.0" encoding="UTF-8"?>
<Order number="PO-9">
  <ShipTo gln="0012345000010">
    <Name>ACME DC</Name>
  </ShipTo>
  <Line no="1"><SKU>A-1</SKU><Qty>12</Qty></Line>
  <Line no="2"><SKU>B-2</SKU><Qty>6</Qty></Line>
</Order>
`

func TestXML(t *testing.T) {
	doc, err := FromXML(strings.NewReader(orderXML))
	if err != nil {
		t.Fatal(err)
	}
	if doc.Format() != FormatXML {
		t.Errorf("Format = %v", doc.Format())
	}
	runXPath(t, doc.Navigator(), []xpathCase{
		{"@number", "PO-9"},
		{"ShipTo/Name", "ACME DC"},
		{"sum(Line/Qty)", "18"},
		{"Line[SKU='B-2']/@no", "2"},
		// A union runs through Copy and MoveTo on the wrapper; antchfx
		// returns it in operand order, not document order.
		{"Line[2]/SKU | Line[1]/SKU", "B-2 | A-1"},
		{"count(//Line)", "2"},
		{"/Order/ShipTo/@gln", "0012345000010"},
	})

	tests := []struct {
		expr string
		want Source
	}{
		{"ShipTo/Name", Source{Format: FormatXML, Name: "Name", Line: 4}},
		{"Line[2]/@no", Source{Format: FormatXML, Name: "no", Line: 7}},
		{"Line[2]/SKU/text()", Source{Format: FormatXML, Line: 7}},
	}
	for _, tc := range tests {
		t.Run("source of "+tc.expr, func(t *testing.T) {
			it := mustSelect(t, doc.Navigator(), tc.expr)
			if !it.MoveNext() {
				t.Fatalf("%s selects nothing", tc.expr)
			}
			nav, ok := it.Current().(Navigator)
			if !ok {
				t.Fatalf("the iterator's node is a %T, not a Navigator", it.Current())
			}
			if got := nav.Source(); got != tc.want {
				t.Errorf("Source = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestXMLParseError(t *testing.T) {
	if _, err := FromXML(strings.NewReader("<Order><Line></Order>")); err == nil {
		t.Fatal("mismatched tags parsed without error")
	}
}
