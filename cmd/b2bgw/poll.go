package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/b2bgw/b2bgw/internal/config"
	"github.com/b2bgw/b2bgw/internal/pipeline"
	"github.com/b2bgw/b2bgw/internal/transport"
)

func newPollCmd() *cobra.Command {
	var cfgFile, partnerID, mailbox string
	var jsonOut, verbose, noWait bool
	c := &cobra.Command{
		Use:   "poll --partner ID [--mailbox NAME] [--config FILE]",
		Short: "Poll a partner's inbound mailboxes once and report what was picked up",
		Long: `poll lists the partner's inbound mailboxes (or only --mailbox NAME) once,
as the scheduled poll of 'b2bgw serve' does, with the same mailbox
settings and the same pickup ledger in the store of --config FILE (or the
defaults and B2BGW_* variables): each stable file is downloaded to the
spool, archived, recorded in the ledger with its file message and ingest
job in one transaction, and only then deleted or moved in the mailbox.
'serve' (running now, or started later) processes what poll picked; a
file is never recorded twice, whether poll or serve sees it first.

A file seen for the first time on a mailbox with a stability window is
listed again after the window, so poll may wait that long (--no-wait
reports it as unstable instead; the next poll takes it).

It prints, per mailbox: the files picked (size and sha256), duplicates
(same content as an earlier file of the partner: recorded, not
processed), unstable files (still being written: the next poll takes
them), files already in the ledger, and errors naming partner, mailbox
and path.

Exit status: 0 when every file was handled, 1 when a mailbox or a file
failed, 2 for usage errors (unknown partner or mailbox, bad
configuration, unreachable store).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if partnerID == "" {
				return usageErr(errors.New("poll: --partner ID is required"))
			}
			g, err := config.Load(cfgFile, nil)
			if err != nil {
				return usageErr(fmt.Errorf("configuration:\n%w", err))
			}
			var logW io.Writer = io.Discard
			if verbose {
				logW = os.Stderr
			}
			log := newLogger(logW, g.Log.Level, g.Log.Format).With("gateway", g.Gateway.Name)
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			in, err := pipeline.OpenIntake(ctx, g, nil, log)
			if err != nil {
				return usageErr(err)
			}
			defer in.Close()
			in.NoWait = noWait
			reps, err := in.Poll(ctx, partnerID, mailbox)
			if err != nil {
				return usageErr(err)
			}
			failed := false
			for _, r := range reps {
				failed = failed || len(r.Errors) > 0
			}
			if jsonOut {
				enc := json.NewEncoder(os.Stdout)
				for _, r := range reps {
					if err := enc.Encode(pollJSON(partnerID, r)); err != nil {
						return usageErr(err)
					}
				}
			} else {
				for _, r := range reps {
					fmt.Fprintf(os.Stdout, "partner %s, %s", partnerID, r.String())
				}
			}
			if failed {
				return rejected
			}
			return nil
		},
	}
	c.Flags().StringVar(&cfgFile, "config", "", "gateway configuration `FILE` (the one serve runs on)")
	c.Flags().StringVar(&partnerID, "partner", "", "the partner `ID` whose mailboxes to poll")
	c.Flags().StringVar(&mailbox, "mailbox", "", "only the inbound mailbox `NAME` (its id in the profile)")
	c.Flags().BoolVar(&jsonOut, "json", false, "one JSON object per mailbox")
	c.Flags().BoolVar(&noWait, "no-wait", false, "do not wait for stability windows: report new files as unstable")
	c.Flags().BoolVarP(&verbose, "verbose", "v", false, "write the gateway's logs to stderr")
	return c
}

// pollFile is one picked-up file in --json output.
type pollFile struct {
	Path        string    `json:"path"`
	Partner     string    `json:"partner"`
	Size        int64     `json:"size"`
	ModTime     time.Time `json:"mod_time"`
	SHA256      string    `json:"sha256"`
	LedgerID    int64     `json:"ledger_id"`
	DuplicateOf int64     `json:"duplicate_of,omitempty"`
}

// pollReportJSON is a PollReport for --json.
type pollReportJSON struct {
	Partner       string     `json:"partner"`
	Mailbox       string     `json:"mailbox"`
	Started       time.Time  `json:"started"`
	Finished      time.Time  `json:"finished"`
	Picked        []pollFile `json:"picked"`
	Duplicates    []pollFile `json:"duplicates"`
	Unstable      []string   `json:"unstable"`
	AlreadyPicked int        `json:"already_picked"`
	Ignored       int        `json:"ignored"`
	Errors        []string   `json:"errors"`
}

func pollJSON(partnerID string, r *transport.PollReport) pollReportJSON {
	files := func(es []transport.LedgerEntry) []pollFile {
		out := []pollFile{}
		for _, e := range es {
			out = append(out, pollFile{Path: e.Path, Partner: e.Partner, Size: e.Size, ModTime: e.ModTime, SHA256: e.SHA256,
				LedgerID: e.ID, DuplicateOf: e.DuplicateOf})
		}
		return out
	}
	j := pollReportJSON{Partner: partnerID, Mailbox: r.Mailbox, Started: r.Started, Finished: r.Finished,
		Picked: files(r.Picked), Duplicates: files(r.Duplicates), Unstable: r.Unstable, AlreadyPicked: r.AlreadyPicked,
		Ignored: r.Ignored, Errors: []string{}}
	if j.Unstable == nil {
		j.Unstable = []string{}
	}
	for _, e := range r.Errors {
		j.Errors = append(j.Errors, e.Error())
	}
	return j
}
