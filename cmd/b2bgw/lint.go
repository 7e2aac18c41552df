package main

import (
	"bufio"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/b2bgw/b2bgw/internal/translate"
)

func newLintCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "lint [PATH...]",
		Short: "Check mapping, template, code-list and partner overlay files",
		Long: `lint checks the mapping-language files found from each PATH (default
mappings/; directories are searched recursively, testdata/ and tests/
folders skipped): mappings, outbound templates, code lists and partner
overlays. It reports unknown keys (with "did you mean"), values of the
wrong type, XPath that does not compile, code lists that are missing or not
declared, extends cycles and keys that have no effect, each as
file:line:col: message.

Exit status: 0 if every file is clean, 1 if any problem was found, 2 for
usage or I/O errors.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				args = []string{"mappings"}
			}
			msgs, n, err := translate.Lint(args)
			if err != nil {
				return usageErr(err)
			}
			w := bufio.NewWriter(os.Stdout)
			for _, m := range msgs {
				fmt.Fprintln(w, m)
			}
			if err := w.Flush(); err != nil {
				return usageErr(err)
			}
			fmt.Fprintf(os.Stderr, "%d file(s) checked, %d problem(s)\n", n, len(msgs))
			if len(msgs) > 0 {
				return rejected
			}
			return nil
		},
	}
	return c
}
