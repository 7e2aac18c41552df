package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/b2bgw/b2bgw/internal/x12"
)

func newAckCmd() *cobra.Command {
	var in inputOpts
	var so specOpts
	var typ string
	c := &cobra.Command{
		Use:   "ack FILE",
		Short: "Print the acknowledgment (997, 999 or TA1) the gateway would send for an X12 file",
		Long: `ack validates an X12 file as 'b2bgw validate' does and prints the
acknowledgment the gateway would send back: a 997 per functional group
(version following the inbound GS08, AK3/AK4 detail for every error,
rejected sets included), a 999 with --type 999, or TA1s with --type ta1.
A TA1 is added whenever the partner asked for one (ISA14=1) or the
interchange itself is rejected. Control numbers here start at 1: the
gateway service allocates real ones from its store.

An EDIFACT file (UNA or UNB at the start) gets the CONTRL (syntax 3 or 4,
following the interchange) with UCI, UCM, UCS and UCD detail; --type contrl
is the default and the only type for EDIFACT.

Exit status: 0 if every set is accepted, 1 if anything is rejected or in
error, 2 for usage or I/O errors.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if isEDIFACT(args[0]) {
				t := typ
				if !cmd.Flags().Changed("type") {
					t = "contrl"
				}
				return ackEDIFACT(args[0], &in, &so, t)
			}
			t, err := parseAckType(typ)
			if err != nil {
				return usageErr(err)
			}
			v, err := so.validator()
			if err != nil {
				return usageErr(err)
			}
			out := bufio.NewWriter(os.Stdout)
			defer out.Flush()
			controls := x12.NewMemoryControlNumbers()
			var buildErr error
			rep, err := checkFile(args[0], &in, v, func(r *x12.InterchangeResult) {
				// One segment per line for people, unless the partner's
				// terminator is itself a line break.
				lineBreak := "\n"
				if term := r.Interchange.Delimiters.Segment; term == '\n' || term == '\r' {
					lineBreak = ""
				}
				b, err := x12.BuildAck(context.Background(), r, x12.AckOptions{
					Type: t, Controls: controls, Partner: "cli", Now: time.Now, LineBreak: lineBreak,
				})
				if err != nil && buildErr == nil {
					buildErr = err
				}
				out.Write(b)
			})
			if err != nil {
				return usageErr(err)
			}
			if buildErr != nil {
				return usageErr(fmt.Errorf("building the acknowledgment: %w", buildErr))
			}
			if rep.Error != "" {
				fmt.Fprintf(os.Stderr, "%s: %s\n", args[0], rep.Error)
			}
			for _, s := range rep.Stray {
				fmt.Fprintf(os.Stderr, "%s: %s\n", args[0], s)
			}
			if err := out.Flush(); err != nil {
				return usageErr(err)
			}
			if !rep.ok() {
				return rejected
			}
			return nil
		},
	}
	in.register(c)
	so.register(c)
	c.Flags().StringVar(&typ, "type", "997", "acknowledgment type: 997, 999 or ta1 (X12); contrl (EDIFACT, the default there)")
	return c
}

func parseAckType(s string) (x12.AckType, error) {
	switch strings.ToLower(s) {
	case "997":
		return x12.Ack997, nil
	case "999":
		return x12.Ack999, nil
	case "ta1":
		return x12.AckTA1, nil
	}
	return "", fmt.Errorf("--type %q: want 997, 999 or ta1", s)
}
