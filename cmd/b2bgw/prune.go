package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/b2bgw/b2bgw/internal/config"
	"github.com/b2bgw/b2bgw/internal/partner"
	"github.com/b2bgw/b2bgw/internal/pipeline"
	"github.com/b2bgw/b2bgw/internal/store"
)

func newPruneCmd() *cobra.Command {
	var cfgFile string
	var dryRun bool
	c := &cobra.Command{
		Use:   "prune [--dry-run] [--config FILE]",
		Short: "Delete what retention allows now: old messages, archived files, control numbers, pickups",
		Long: `prune runs retention once on the store and archive of the configuration
FILE, as b2bgw serve does on retention.schedule: finished message lineages
created more than retention.keep ago, then the archived files older than
that which no kept message refers to (unless on hold), inbound control
numbers not seen for retention.inbound_control_numbers, and pickup-ledger
entries older than retention.pickups (not while a mailbox has after: leave).

--dry-run counts what would be deleted and deletes nothing.

Retention is off until retention.keep is set (or B2BGW_RETENTION_KEEP, e.g.
B2BGW_RETENTION_KEEP=90d). It is safe next to a running gateway.

Exit status: 0 when done, 1 when archived files could not be removed
(their entries are kept; the next run tries again), 2 for usage errors, an
unreachable store or archive.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			g, err := config.Load(cfgFile, nil)
			if err != nil {
				return usageErr(fmt.Errorf("configuration:\n%w", err))
			}
			return runPrune(cmd.Context(), os.Stdout, g, dryRun, time.Now())
		},
	}
	c.Flags().StringVar(&cfgFile, "config", "", "gateway configuration `FILE` (YAML); default: built-in defaults and B2BGW_* variables")
	c.Flags().BoolVar(&dryRun, "dry-run", false, "count what would be deleted; delete nothing")
	return c
}

func runPrune(ctx context.Context, w io.Writer, g *config.Gateway, dryRun bool, now time.Time) error {
	if g.Retention.Keep <= 0 {
		return usageErr(fmt.Errorf("retention is off: set retention.keep (e.g. keep: 90d) in the configuration, or B2BGW_RETENTION_KEEP=90d"))
	}
	log := newLogger(os.Stderr, g.Log.Level, g.Log.Format).With("gateway", g.Gateway.Name, "component", "retention")
	// Mailbox secrets are not needed: only the mailboxes' after: matters.
	po := g.PartnerOptions(nil)
	po.SkipSecrets = true
	reg, err := partner.Load(g.Partners, po)
	if err != nil {
		return usageErr(fmt.Errorf("partner profiles in %s:\n%w", g.Partners, err))
	}
	dsn, err := pipeline.StoreDSN(g)
	if err != nil {
		return usageErr(err)
	}
	st, err := store.Open(ctx, dsn)
	if err != nil {
		return usageErr(err)
	}
	defer st.Close()
	// Like serve and poll: a store this binary has not migrated yet cannot
	// be pruned by its queries.
	if err := st.Migrate(ctx); err != nil {
		return usageErr(err)
	}
	archive, err := pipeline.OpenArchive(ctx, g, log)
	if err != nil {
		return usageErr(err)
	}
	defer archive.Close()
	r := &pipeline.Retainer{Store: st, Archive: archive, Partners: reg, Config: g.Retention, Logger: log}
	var res store.PruneResult
	var pl pipeline.Plan
	if dryRun {
		res, pl, err = r.DryRun(ctx, now)
	} else {
		if pl, err = r.Plan(now); err == nil {
			res, err = r.Run(ctx, now)
		}
	}
	if err != nil {
		return usageErr(err)
	}
	printPrune(w, g.Retention, pl, res, dryRun)
	if len(res.FileErrors) > 0 {
		return &exitError{code: exitRejected, err: fmt.Errorf("%d archived file(s) could not be removed (see the log); their entries are kept and the next run tries again", len(res.FileErrors))}
	}
	return nil
}

func printPrune(w io.Writer, c config.Retention, pl pipeline.Plan, res store.PruneResult, dryRun bool) {
	day := func(t time.Time) string {
		if t.IsZero() {
			return "kept"
		}
		return "before " + t.UTC().Format(time.RFC3339)
	}
	verb := "deleted"
	if dryRun {
		verb = "would delete (dry run)"
	}
	pickups := day(pl.Options.PickupsBefore)
	if pl.Options.PickupsBefore.IsZero() && c.Pickups > 0 {
		pickups = fmt.Sprintf("kept: mailbox(es) %v leave files in place", pl.ReadOnly)
	}
	fmt.Fprintf(w, "retention: messages and archived files %s; inbound control numbers %s; pickups %s\n",
		day(pl.Options.Before), day(pl.Options.InboundBefore), pickups)
	fmt.Fprintf(w, "%s:\n", verb)
	for _, l := range []struct {
		what string
		n    int64
	}{{"message lineages", res.Lineages}, {"messages", res.Messages}, {"archived files", res.Archived},
		{"inbound control numbers", res.Inbound}, {"pickup entries", res.Pickups}} {
		fmt.Fprintf(w, "  %-24s %d\n", l.what, l.n)
	}
}
