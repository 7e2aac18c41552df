package doctree

import (
	"encoding/csv"
	"errors"
	"strings"
	"testing"
)

// ordersCSV is a partner's order export: a byte order mark, headers with
// spaces and punctuation, a quoted field spanning two lines (so record and
// line numbers differ), an empty cell, and a trailing delimiter.
const ordersCSV = "\ufeffPO Number,SKU,Qty,Unit Price ($),Note\n" +
	"PO-1,A-1,12,4.50,\n" +
	"PO-1,B-2,6,18.00,\"fragile,\nkeep dry\"\n" +
	"PO-2,A-1,1,,rush,\n"

func TestCSV(t *testing.T) {
	tr, err := FromCSV(strings.NewReader(ordersCSV), CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkTree(t, tr)
	runXPath(t, tr.Navigator(), []xpathCase{
		{"count(Row)", "3"},
		{"Row[SKU='B-2']/Qty", "6"},
		{"sum(Row[PO_Number='PO-1']/Qty)", "18"},
		{"Row[2]/Note", "fragile,\nkeep dry"},
		{"Row[2]/@line", "3"},
		{"Row[3]/@line", "5"}, // the quoted field took two lines
		{"count(Row[3]/Unit_Price)", "0"},
		{"count(Row[1]/*)", "4"},
		{"Row[1]/*[4]", "4.50"},
		{"name(Row[1]/*[4])", "Unit_Price"},
		{"Row[PO_Number='PO-2']/SKU/text()", "A-1"},
		{"/Rows/Row[last()]/Note", "rush"},
	})

	cell := tr.Root().Child("Row", 2).FirstNamed("Unit_Price")
	want := Source{Format: FormatCSV, Name: "Unit_Price", Line: 3, Column: "Unit Price ($)", ColumnIndex: 4}
	if got := cell.Source(); got != want {
		t.Errorf("Source = %+v, want %+v", got, want)
	}
	if got, want := cell.Source().String(), `Unit_Price (column "Unit Price ($)") at line 3`; got != want {
		t.Errorf("Source().String() = %q, want %q", got, want)
	}
	if !cell.Equal("18.00") || cell.Segment() != nil {
		t.Errorf("cell: Equal(18.00) %v, Segment %v", cell.Equal("18.00"), cell.Segment())
	}
	if v, ok := tr.Root().Child("Row", 1).Attr("line"); !ok || v != "2" {
		t.Errorf(`Row[1] Attr("line") = %q, %v`, v, ok)
	}
}

func TestCSVColumnsByName(t *testing.T) {
	// The same data with the columns in another order and an extra column
	// gives the same answers: mappings name columns, not positions.
	a := "SKU,Qty\nA-1,3\n"
	b := "Qty,Warehouse,SKU\n3,W1,A-1\n"
	for _, in := range []string{a, b} {
		tr, err := FromCSV(strings.NewReader(in), CSVOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got := eval(t, tr.Navigator(), "Row[SKU='A-1']/Qty"); got != "3" {
			t.Errorf("%q: Row[SKU='A-1']/Qty = %q, want 3", in, got)
		}
	}
}

func TestCSVOptions(t *testing.T) {
	in := "# exported 2025-11-26\nSKU;Menge\n A-1; 3\n"
	tr, err := FromCSV(strings.NewReader(in), CSVOptions{Comma: ';', Comment: '#', TrimLeadingSpace: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := eval(t, tr.Navigator(), "concat(Row/SKU, '=', /Rows/Row/Menge, '@', /Rows/Row/@line)"); got != "A-1=3@3" {
		t.Errorf("got %q", got)
	}
}

func TestCSVErrors(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		wantErr  error
		wantLine int
		wantCol  int
	}{
		{"empty input", "", ErrNoHeader, 1, 1},
		{"duplicate after normalizing", "Unit Price,Unit-Price\n1,2\n", ErrDuplicateColumn, 1, 2},
		{"extra non-empty field", "A,B\n1,2\n1,2,3\n", ErrExtraField, 3, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := FromCSV(strings.NewReader(tc.in), CSVOptions{})
			var ce *CSVError
			if !errors.Is(err, tc.wantErr) || !errors.As(err, &ce) {
				t.Fatalf("err = %v, want %v in a *CSVError", err, tc.wantErr)
			}
			if ce.Line != tc.wantLine || ce.Column != tc.wantCol {
				t.Errorf("at line %d column %d, want %d, %d (%v)", ce.Line, ce.Column, tc.wantLine, tc.wantCol, err)
			}
		})
	}
	t.Run("syntax error is encoding/csv's", func(t *testing.T) {
		_, err := FromCSV(strings.NewReader("A,B\n\"open,2\n"), CSVOptions{})
		var pe *csv.ParseError
		if !errors.As(err, &pe) || pe.StartLine != 2 {
			t.Fatalf("err = %v, want a *csv.ParseError starting on line 2", err)
		}
	})
	t.Run("empty header gets a positional name", func(t *testing.T) {
		tr, err := FromCSV(strings.NewReader("SKU,,Qty\nA,x,1\n"), CSVOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got := eval(t, tr.Navigator(), "Row/_2"); got != "x" {
			t.Errorf("Row/_2 = %q, want x", got)
		}
	})
	t.Run("short record", func(t *testing.T) {
		tr, err := FromCSV(strings.NewReader("SKU,Qty,Note\nA,1\n"), CSVOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got := eval(t, tr.Navigator(), "count(Row/*)"); got != "2" {
			t.Errorf("count(Row/*) = %q, want 2", got)
		}
		checkTree(t, tr)
	})
}
