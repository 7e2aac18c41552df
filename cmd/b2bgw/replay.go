package main

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/b2bgw/b2bgw/internal/pipeline"
)

func newReplayCmd() *cobra.Command {
	var so storeOpts
	var step string
	c := &cobra.Command{
		Use:   "replay ID [--from-step ingest|translate|post|send]",
		Short: "Run a message again from its archived raw file or from a step",
		Long: `replay queues message ID to run again, for the gateway service to pick up:

  ingest     read the archived raw file again, as a new file message
             (recorded as replay:<ID>); no acknowledgment is sent again
  translate  map the file's sets that failed translation again
  post       post the failed documents under ID (or ID itself) again
  send       deliver a failed acknowledgment or feed again

Without --from-step the message runs again from where it stopped. A
replay never creates a second Odoo order: posting is idempotent by
partner and document number. Each replay is recorded in the status
history of the messages it touches (b2bgw messages --lineage ID).

Exit status: 0 when queued, 1 when there is nothing to replay, 2 for usage
errors or an unreachable store.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil || id <= 0 {
				return usageErr(fmt.Errorf("message id %q: want a positive number", args[0]))
			}
			st, err := so.open(cmd.Context())
			if err != nil {
				return usageErr(err)
			}
			defer st.Close()
			jobs, err := st.Jobs(nil)
			if err != nil {
				return usageErr(err)
			}
			res, err := pipeline.Replay(cmd.Context(), st, jobs, id, step)
			if errors.Is(err, pipeline.ErrNothingToReplay) {
				return &exitError{code: exitRejected, err: err}
			}
			if err != nil {
				return usageErr(err)
			}
			fmt.Printf("replay of message %d from step %s queued as job %d (message %d, %d message(s) set back); the running gateway works it\n",
				id, res.Step, res.Job, res.Message, len(res.Messages))
			return nil
		},
	}
	so.register(c)
	c.Flags().StringVar(&step, "from-step", "", "step to run again from: ingest, translate, post or send (default: where the message stopped)")
	return c
}
