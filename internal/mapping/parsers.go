package mapping

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/b2bgw/b2bgw/internal/doctree"
	"github.com/b2bgw/b2bgw/internal/x12"
	"github.com/b2bgw/b2bgw/internal/x12/spec"
)

// ParseX12 reads every transaction set of an X12 input into a Tree shaped
// by the built-in specifications (loops as N1Loop, PO1Loop, HL nesting).
// A set whose version and id have no specification gets a flat tree: every
// segment under the root. It serves mapping tests and the CLI; the
// gateway's pipeline builds its trees from the decoder it already runs.
func ParseX12(data []byte) ([]Tree, error) {
	reg, err := builtinSpecs()
	if err != nil {
		return nil, err
	}
	dec := x12.NewDecoderBytes(data)
	var out []Tree
	for {
		ev, err := dec.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if ev.Kind != x12.EventSet {
			continue
		}
		var shape *doctree.Shape
		if ts, ok := reg.Set(ev.Set.Version(), ev.Set.ID); ok {
			shape = doctree.Compile(ts)
		}
		out = append(out, DocTree(doctree.FromSet(ev.Set, shape)))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no transaction set in the input")
	}
	return out, nil
}

// builtinSpecs loads the embedded registry once.
var builtinSpecs = sync.OnceValues(spec.Builtin)

// ParseCSV reads a CSV file with a header row (Rows/Row, cells named by
// header) as one document.
func ParseCSV(data []byte) (Tree, error) {
	t, err := doctree.FromCSV(bytes.NewReader(data), doctree.CSVOptions{})
	if err != nil {
		return nil, err
	}
	return DocTree(t), nil
}
