package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/b2bgw/b2bgw/internal/mapping"
	"github.com/b2bgw/b2bgw/internal/translate"
	"github.com/b2bgw/b2bgw/mappings"
)

// translateLong is translate's help; %s is the list of built-in mappings.
const translateLong = `translate reads X12 and EDIFACT files (every transaction set or message is
validated first; a rejected one is not translated) and CSV files, maps each document with the
mapping given by --mapping or the built-in one for its standard, set and
version, and writes the canonical documents: a JSON array, or one object a
line with --jsonl. Every document carries meta: partner, document number,
the file's name and SHA-256, and the interchange, group and set control
numbers; each is checked against the canonical schema before it is written.

A document that cannot be translated is not written: the reason goes to
stderr with the partner, document number, set control number, the target
field, the mapping file:line, the expression and the source position.
--partner ID names a profile in --partners DIR (default partners/): its
X12 and EDIFACT overlays then validate the input and the mappings of its
inbound documents read them (each by its source: standard, set or message
type, version), as in the gateway.
--trace writes, for every output value, the mapping file:line, the
expression, the segment and element it matched and the raw value (stderr).

Built-in mappings:
%s
Exit status: 0 if every document was translated, 1 if any was rejected
(or a file has envelope problems), 2 for usage or I/O errors.`

func newTranslateCmd() *cobra.Command {
	var in inputOpts
	var so specOpts
	var partner, mappingFile, out string
	var jsonl, trace bool
	var workers int
	c := &cobra.Command{
		Use:   "translate [--partner ID] [--mapping FILE] [--jsonl] [--trace] FILE...",
		Short: "Translate X12, EDIFACT and CSV files into canonical JSON documents",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			tuneGC()
			opts := translate.Options{Partner: partner, Trace: trace, Workers: workers, DecoderOptions: in.decoderOptions(), ReuseOutput: true}
			if mappingFile != "" {
				m, err := mapping.Load(mappingFile)
				if err != nil {
					return usageErr(fmt.Errorf("the mapping does not load:\n%w", err))
				}
				opts.Mapping = m
			}
			opts.EDIFACTDecoderOptions = in.edifactDecoderOptions()
			if err := so.usePartner(cmd, partner); err != nil {
				return usageErr(err)
			}
			opts.Mappings = so.mappings
			if so.fromProfile() {
				// The profile's X12 and EDIFACT overlays, each for its own
				// standard (a profile without one validates as the
				// standard says).
				v, err := so.validator()
				if err != nil {
					return usageErr(err)
				}
				ev, err := so.edifactValidator()
				if err != nil {
					return usageErr(err)
				}
				opts.Validator, opts.EDIFACTValidator = v, ev
			} else if so.overlay != "" {
				// One overlay file serves the standard it is written for:
				// X12 (BEG05, "355") or EDIFACT (NAD03-1, "1153").
				v, xerr := so.validator()
				ev, eerr := so.edifactValidator()
				if xerr != nil && eerr != nil {
					return usageErr(fmt.Errorf("the overlay loads neither as X12 (%v) nor as EDIFACT (%v)", xerr, eerr))
				}
				if xerr == nil {
					opts.Validator = v
				}
				if eerr == nil {
					opts.EDIFACTValidator = ev
				}
			}
			tr, err := translate.New(opts)
			if err != nil {
				return usageErr(err)
			}
			w, closeOut, err := openOutput(out)
			if err != nil {
				return usageErr(err)
			}
			errw := bufio.NewWriter(os.Stderr)
			defer errw.Flush()
			first := true
			if !jsonl {
				w.WriteString("[")
			}
			bad, ioFail := false, false
			for _, name := range args {
				sum, err := tr.File(name, func(r *translate.Result) error {
					if r.Trace != nil {
						fmt.Fprintf(errw, "%s: %s (document %s): trace\n", name, docLabel(r), orDash(r.Number))
						r.Trace.WriteText(errw)
						errw.WriteString("\n")
					}
					if r.Err != nil {
						fmt.Fprintln(errw, r.Err)
						return errw.Flush()
					}
					if jsonl {
						w.Write(r.JSON)
						return w.WriteByte('\n')
					}
					if !first {
						w.WriteString(",")
					}
					first = false
					w.WriteString("\n")
					return writeIndented(w, r.JSON)
				})
				if err != nil {
					fmt.Fprintf(errw, "b2bgw: %s: %v\n", name, err)
					ioFail = true
					continue
				}
				for _, fe := range sum.FileErrors {
					fmt.Fprintln(errw, fe)
				}
				if !sum.OK() {
					bad = true
				}
				fmt.Fprintf(errw, "%s: %d document(s) translated, %d rejected\n", name, sum.Accepted, sum.Rejected)
			}
			if !jsonl {
				if !first {
					w.WriteString("\n")
				}
				w.WriteString("]\n")
			}
			if err := closeOut(); err != nil {
				return usageErr(err)
			}
			switch {
			case ioFail:
				return &exitError{code: exitUsage}
			case bad:
				return rejected
			}
			return nil
		},
	}
	// The list of built-in mappings compiles every one of them: it is
	// made when the help is shown, not on every run.
	c.SetHelpFunc(func(cmd *cobra.Command, args []string) {
		cmd.Long = fmt.Sprintf(translateLong, builtinList())
		cmd.SetHelpFunc(nil) // the help the command would have had
		cmd.HelpFunc()(cmd, args)
	})
	in.register(c)
	so.register(c)
	so.registerPartners(c)
	c.Flags().StringVar(&partner, "partner", "", "partner `ID` written to meta.partner_id (default: the interchange sender, x12:QUAL:ID, or file:NAME); with a profile of this id in --partners, its X12 and EDIFACT overlays validate the input")
	c.Flags().StringVar(&mappingFile, "mapping", "", "mapping `FILE` for every document, instead of the built-in one")
	c.Flags().BoolVar(&jsonl, "jsonl", false, "write one JSON document a line instead of an indented array")
	c.Flags().BoolVar(&trace, "trace", false, "write where every output value came from (mapping line, expression, segment, element, raw value) to stderr")
	c.Flags().StringVarP(&out, "output", "o", "", "write the documents to `FILE` instead of stdout")
	c.Flags().IntVar(&workers, "workers", runtime.GOMAXPROCS(0), "sets translated in parallel")
	return c
}

func docLabel(r *translate.Result) string {
	if r.SetID != "" {
		return fmt.Sprintf("set %s %s", r.SetID, r.SetControl)
	}
	return fmt.Sprintf("record %d", r.Index)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// writeIndented writes compact JSON indented by two spaces, inside the
// array (so one level deeper).
func writeIndented(w io.Writer, js []byte) error {
	var b bytes.Buffer
	b.WriteString("  ")
	if err := json.Indent(&b, js, "  ", "  "); err != nil {
		return err
	}
	_, err := w.Write(b.Bytes())
	return err
}

func builtinList() string {
	s, err := mappings.Load()
	if err != nil {
		return "  (the built-in mappings do not load: " + err.Error() + ")\n"
	}
	return s.Describe()
}

// tuneGC sets the garbage collector for a translation run, unless GOGC or
// GOMEMLIMIT say otherwise. The live heap stays small and steady (sets in
// flight, reused buffers), so the default GOGC=100 collects every few
// megabytes and half of each cycle runs with write barriers on: GOGC=200
// saves 5-8% of the CPU on the 50 MB benchmark file. The soft limit keeps
// the peak RSS near 50 MB even with the EDIFACT directories loaded.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(200)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(40 << 20)
	}
}
