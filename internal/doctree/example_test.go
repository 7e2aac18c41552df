package doctree_test

import (
	"errors"
	"fmt"
	"io"

	"github.com/antchfx/xpath"

	"github.com/b2bgw/b2bgw/internal/doctree"
	"github.com/b2bgw/b2bgw/internal/x12"
	"github.com/b2bgw/b2bgw/internal/x12/spec"
)

const example850 = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *251126*1200*U*00401*000000001*0*P*>~" +
	"GS*PO*SENDER*RECEIVER*20251126*1200*1*X*004010~" +
	"ST*850*0001~BEG*00*SA*PO-4471**20251126~" +
	"N1*ST*ACME DC 12*92*0012~N1*BT*ACME CORP*92*0001~" +
	"PO1*1*12*EA*4.50**UP*012345678905~PO1*2*6*CA*18**UP*012345678912~" +
	"CTT*2~SE*8*0001~GE*1*1~IEA*1*000000001~"

// exampleSpec is the part of the 004010 850 structure the example needs;
// real code takes it from spec.Builtin().Set("004010", "850").
var exampleSpec = &spec.TransactionSet{ID: "850", Structure: []spec.Node{
	{Segment: "ST"}, {Segment: "BEG"},
	{Loop: "N1", Body: []spec.Node{{Segment: "N1"}}},
	{Loop: "PO1", Body: []spec.Node{{Segment: "PO1"}}},
	{Loop: "CTT", Body: []spec.Node{{Segment: "CTT"}}},
	{Segment: "SE"},
}}

func firstSet(in string) *x12.Set {
	d := x12.NewDecoderBytes([]byte(in))
	for {
		ev, err := d.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			panic(err)
		}
		if ev.Kind == x12.EventSet {
			return ev.Set
		}
	}
}

// An 850 mapped with XPath, the way mapping files are written.
func Example() {
	shape := doctree.Compile(exampleSpec) // once per spec
	tree := doctree.FromSet(firstSet(example850), shape)

	for _, expr := range []string{
		"BEG/BEG03",
		"N1Loop[N1/N101='ST']/N1/N102",
		"count(PO1Loop)",
		"sum(PO1Loop/PO1/PO102)",
		"PO1Loop[2]/PO1/PO107",
	} {
		// Evaluate moves the navigator it is given: pass a copy.
		v := xpath.MustCompile(expr).Evaluate(tree.Navigator().Copy())
		if it, ok := v.(*xpath.NodeIterator); ok {
			it.MoveNext()
			v = it.Current().Value()
		}
		fmt.Printf("%s = %v\n", expr, v)
	}
	// Output:
	// BEG/BEG03 = PO-4471
	// N1Loop[N1/N101='ST']/N1/N102 = ACME DC 12
	// count(PO1Loop) = 2
	// sum(PO1Loop/PO1/PO102) = 18
	// PO1Loop[2]/PO1/PO107 = 012345678912
}

// The same lookups through the direct API, as the mapping compiler's fast
// path does them: no XPath, no allocation.
func ExampleNode() {
	root := doctree.FromSet(firstSet(example850), doctree.Compile(exampleSpec)).Root()

	// N1Loop[N1/N101='ST']/N1/N102
	for l := root.FirstNamed("N1Loop"); !l.IsZero(); l = l.NextNamed() {
		if n1 := l.FirstNamed("N1"); n1.Elem(1).Equal("ST") {
			fmt.Println("ship to:", string(n1.Elem(2).Bytes()))
		}
	}
	// PO1Loop[2]/PO1/PO107, and where it came from
	upc := root.Child("PO1Loop", 2).FirstNamed("PO1").FirstNamed("PO107")
	fmt.Println("line 2 UPC:", string(upc.Bytes()))
	fmt.Println("from:", upc.Source())
	// Output:
	// ship to: ACME DC 12
	// line 2 UPC: 012345678912
	// from: PO107 in segment PO1 (segment 6 of the set, line 1, segment 8, byte 276)
}
