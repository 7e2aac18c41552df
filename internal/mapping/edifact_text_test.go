package mapping

import (
	"os"
	"strings"
	"testing"
)

// TestParseEDIFACTText: mapping tests read ISO 8859 text as UTF-8, as
// translate does, so an analyst's expected JSON says "Müller", not the
// replacement character.
func TestParseEDIFACTText(t *testing.T) {
	data, err := os.ReadFile("../../testdata/edifact/orders-latin.edi") // UNOC: Latin-1 bytes
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "M\xfcller") {
		t.Fatal("the sample no longer holds Latin-1 text")
	}
	trees, err := ParseEDIFACT(data)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Load("../../mappings/edifact-d96a-orders.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out, err := m.TranslateJSON(trees[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "Müller") || strings.Contains(string(out), `\ufffd`) {
		t.Errorf("the buyer's name is not UTF-8 in %s", out)
	}
}
