package mapping

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// TraceEntry explains one output value: which mapping line produced it,
// from which expression, where in the input it matched and what raw text
// it read. Note says how the value came about when it was not simply read
// ("const", "default", "when is false", "error: …").
type TraceEntry struct {
	Field  string    `json:"field"`
	File   string    `json:"file"`
	Line   int       `json:"line"`
	Expr   string    `json:"expr,omitempty"`
	Fast   bool      `json:"fast,omitempty"` // evaluated on the fast path, not by antchfx/xpath
	Source SourcePos `json:"source,omitzero"`
	Raw    string    `json:"raw,omitempty"`
	Value  string    `json:"value,omitempty"` // the output value as JSON
	Note   string    `json:"note,omitempty"`
}

// Trace is the record TranslateTrace keeps, in evaluation order.
type Trace struct {
	Entries []TraceEntry `json:"entries"`
}

func (t *Trace) add(e TraceEntry) { t.Entries = append(t.Entries, e) }

// WriteText writes the trace as an aligned table for a terminal.
func (t *Trace) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FIELD\tMAPPING\tEXPRESSION\tSOURCE\tRAW\tVALUE\tNOTE")
	for _, e := range t.Entries {
		src := ""
		if e.Source != (SourcePos{}) {
			src = e.Source.String()
		}
		fmt.Fprintf(tw, "%s\t%s:%d\t%s\t%s\t%q\t%s\t%s\n", e.Field, e.File, e.Line, e.Expr, src, e.Raw, e.Value, e.Note)
	}
	return tw.Flush()
}
