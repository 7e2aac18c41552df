package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/b2bgw/b2bgw/internal/store"
)

func newMessagesCmd() *cobra.Command {
	var so storeOpts
	var f store.MessageFilter
	var status, kind string
	var lineage int64
	var jsonOut bool
	c := &cobra.Command{
		Use:   "messages [--partner ID] [--status failed] [--po NUMBER] [--lineage ID]",
		Short: "List and find messages: files, interchanges, sets, documents, Odoo records, acknowledgments",
		Long: `messages lists what the gateway received and sent, newest first, from the
store of --config FILE (or --store DSN): one line per message with its
kind, partner, status, document type and number, control number, what
it refers to (a file, an Odoo record) and its last error.

--status failed lists the dead letters: messages stopped by an error, each
replayable with 'b2bgw replay ID'. --lineage ID prints the whole tree
a message belongs to (file → interchange → group → set → document → Odoo
record, and the acknowledgment), with every status change.

Exit status: 0, or 2 for usage errors or an unreachable store.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			f.Status, f.Kind = store.Status(status), store.Kind(kind)
			st, err := so.open(cmd.Context())
			if err != nil {
				return usageErr(err)
			}
			defer st.Close()
			ctx := cmd.Context()
			var ms []store.Message
			if lineage != 0 {
				ms, err = st.Lineage(ctx, lineage)
			} else {
				ms, err = st.Messages(ctx, f)
			}
			if err != nil {
				return usageErr(err)
			}
			out := bufio.NewWriter(os.Stdout)
			defer out.Flush()
			if jsonOut {
				enc := json.NewEncoder(out)
				for _, m := range ms {
					if err := enc.Encode(m); err != nil {
						return usageErr(err)
					}
				}
				return nil
			}
			tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tPARENT\tKIND\tDIR\tPARTNER\tSTATUS\tTYPE\tNUMBER\tCONTROL\tREF\tUPDATED\tERROR")
			for _, m := range ms {
				fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", m.ID, m.ParentID, m.Kind, m.Direction,
					m.Partner, m.Status, m.DocType, m.DocNumber, m.Control, m.Ref, m.UpdatedAt.Format(time.DateTime),
					oneLine(m.Error, 120))
			}
			if err := tw.Flush(); err != nil {
				return usageErr(err)
			}
			if lineage != 0 {
				for _, m := range ms {
					evs, err := st.Events(ctx, m.ID)
					if err != nil {
						return usageErr(err)
					}
					for _, e := range evs {
						fmt.Fprintf(out, "  %d %s %s %s\n", m.ID, e.At.Format(time.RFC3339Nano), e.Status, oneLine(e.Error, 200))
					}
				}
			}
			return nil
		},
	}
	so.register(c)
	c.Flags().StringVar(&f.Partner, "partner", "", "only messages of partner `ID`")
	c.Flags().StringVar(&status, "status", "", "only messages in `STATUS` (received, accepted, rejected, translated, posted, failed, sent, acknowledged, duplicate, done)")
	c.Flags().StringVar(&f.DocNumber, "po", "", "only messages with document `NUMBER` (PO, ASN …)")
	c.Flags().StringVar(&kind, "kind", "", "only messages of `KIND` (file, interchange, group, set, document, odoo_record, ack)")
	c.Flags().StringVar(&f.CorrelationID, "correlation-id", "", "only messages of one file's journey")
	c.Flags().IntVar(&f.Limit, "limit", 100, "at most `N` messages")
	c.Flags().Int64Var(&lineage, "lineage", 0, "print the whole tree of message `ID` with its status history")
	c.Flags().BoolVar(&jsonOut, "json", false, "one JSON object per line")
	return c
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		s = s[:n] + "…"
	}
	return s
}
