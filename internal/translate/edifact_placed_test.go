package translate

import (
	"os"
	"testing"

	"github.com/b2bgw/b2bgw/internal/edifact"
	"github.com/b2bgw/b2bgw/internal/mapping"
)

// TestEDIFACTTreeTakesPlacement checks that translate's tree takes the
// validator's placement (doctree.ReuseMessagePlaced) rather than walking
// the groups again: the built-in validator and the mapping's shapes must
// read the same spec.Message, or the placement is refused (correctly, but
// at the cost of a second walk per message).
func TestEDIFACTTreeTakesPlacement(t *testing.T) {
	for _, file := range []string{"orders-d96a.edi", "desadv-d96a.edi"} {
		t.Run(file, func(t *testing.T) {
			data, err := os.ReadFile("../../testdata/edifact/" + file)
			if err != nil {
				t.Fatal(err)
			}
			tr, err := New(Options{})
			if err != nil {
				t.Fatal(err)
			}
			v, err := tr.edifactValidator()
			if err != nil {
				t.Fatal(err)
			}
			d := edifact.NewDecoderBytes(data, edifact.WithDeferredRepertoire())
			ev, err := d.Next()
			for err == nil && ev.Kind != edifact.EventMessage {
				ev, err = d.Next()
			}
			if err != nil {
				t.Fatal(err)
			}
			m := ev.Message
			var p edifact.Placement
			v.ValidatePlaced(m, &p)
			shape := mapping.EDIFACTShape(m.Directory(), m.Type)
			if shape == nil || !p.For(m, shape.Spec()) {
				t.Fatalf("the placement of %s %s does not apply to the mapping's shape", m.Directory(), m.Type)
			}
		})
	}
}
