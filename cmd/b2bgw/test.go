package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/b2bgw/b2bgw/internal/translate"
)

func newTestCmd() *cobra.Command {
	var verbose bool
	c := &cobra.Command{
		Use:   "test [PATH...]",
		Short: "Run the tests that live beside mappings and templates",
		Long: `test runs the mapping tests found from each PATH (default mappings/): a
mapping or template file (its <name>.test.yaml and tests/<name>/ cases), a
.test.yaml file, or a directory searched recursively. Each case maps an
input fixture and compares the result with the expected canonical JSON (by
content: key order does not matter, number digits do), the expected error
text, or, for outbound templates, the expected X12 or CSV. A failing case
shows a line diff ("-" expected, "+" got).

Exit status: 0 if every case passes, 1 if any fails or none was found,
2 for usage or I/O errors.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				args = []string{"mappings"}
			}
			rs, err := translate.RunTests(args)
			if err != nil {
				return usageErr(err)
			}
			w := bufio.NewWriter(os.Stdout)
			defer w.Flush()
			failed := 0
			for _, r := range rs {
				name := r.Mapping + ": " + r.Case
				switch {
				case r.Passed:
					if verbose {
						fmt.Fprintf(w, "ok    %s\n", name)
					}
				case r.Err != nil:
					failed++
					fmt.Fprintf(w, "FAIL  %s\n%s\n", name, indent(r.Err.Error()))
				default:
					failed++
					fmt.Fprintf(w, "FAIL  %s (%s)\n%s\n", name, r.Input, indent(r.Diff))
				}
			}
			fmt.Fprintf(w, "%d passed, %d failed\n", len(rs)-failed, failed)
			if err := w.Flush(); err != nil {
				return usageErr(err)
			}
			if failed > 0 || len(rs) == 0 {
				if len(rs) == 0 {
					fmt.Fprintln(os.Stderr, "b2bgw: no mapping tests found in", strings.Join(args, " "))
				}
				return rejected
			}
			return nil
		},
	}
	c.Flags().BoolVarP(&verbose, "verbose", "v", false, "list the cases that pass too")
	return c
}

func indent(s string) string {
	s = strings.TrimRight(s, "\n")
	return "      " + strings.ReplaceAll(s, "\n", "\n      ")
}
