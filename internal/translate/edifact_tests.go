package translate

import (
	"bytes"
	"fmt"
	"os"
	"strconv"

	"github.com/b2bgw/b2bgw/internal/edifact"
	"github.com/b2bgw/b2bgw/internal/mapping"
)

// ediParsers make mapping tests read EDIFACT fixtures: a .edi file is
// EDIFACT when it starts like one (UNA or UNB), X12 otherwise; .edifact
// is always EDIFACT.
func ediParsers() []mapping.RunOption {
	edi := func(_ string, data []byte) ([]mapping.Tree, error) {
		if edifact.Detect(data) {
			return mapping.ParseEDIFACT(data)
		}
		return mapping.ParseX12(data)
	}
	return []mapping.RunOption{
		mapping.WithParser(".edi", edi),
		mapping.WithParser(".edifact", func(_ string, data []byte) ([]mapping.Tree, error) { return mapping.ParseEDIFACT(data) }),
	}
}

// renderEDIFACT writes the canonical JSON document v through an EDIFACT
// template as one message, UNH to UNT, reference 1, default service
// characters, one segment a line: what a template test compares.
func renderEDIFACT(t *mapping.Template, file string, v mapping.Value) ([]byte, error) {
	var body bytes.Buffer
	w := edifact.NewWriter(&body, edifact.DefaultDelimiters, edifact.WithLineBreak("\n"))
	if err := t.WriteEDIFACTSegments(w, mapping.ValueTree(v)); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if err := w.Flush(); err != nil {
		return nil, err
	}
	n := bytes.Count(body.Bytes(), []byte("\n"))
	ver, rel := "D", t.Target.Version
	if len(rel) == 4 && rel[0] == 'D' {
		ver, rel = "D", rel[1:]
	}
	var b bytes.Buffer
	env := edifact.NewWriter(&b, edifact.DefaultDelimiters, edifact.WithLineBreak("\n"))
	env.WriteValues("UNH", edifact.Simple("1"), edifact.Composite(t.Target.Set, ver, rel, "UN"))
	env.Flush()
	b.Write(body.Bytes())
	env.WriteSegment("UNT", strconv.Itoa(n+2), "1")
	if err := env.Flush(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// RenderEDIFACTFile is RenderTemplate for an EDIFACT template.
func RenderEDIFACTFile(t *mapping.Template, file string) ([]byte, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	v, err := mapping.ParseJSON(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return renderEDIFACT(t, file, v)
}
