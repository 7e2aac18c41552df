package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/b2bgw/b2bgw/internal/config"
	"github.com/b2bgw/b2bgw/internal/partner"
	"github.com/b2bgw/b2bgw/internal/store"
	"github.com/b2bgw/b2bgw/internal/transport"
)

// Retainer runs retention (config.Retention) on a store: store.Prune with
// the archive's Remove. serve runs it as the River job "prune" on
// retention.schedule (River enqueues periodic jobs on the leader only, and
// the job is unique while it waits or runs, so one instance prunes at a
// time); b2bgw prune runs it once.
type Retainer struct {
	Store    store.Store
	Archive  *Archive
	Partners *partner.Registry
	Config   config.Retention
	Logger   *slog.Logger
	// Metrics, when set, counts what runs delete and the errors.
	Metrics *RetentionMetrics
}

// Plan is what one retention run deletes: the options for store.Prune
// and, when pickups are kept because of read-only mailboxes, their ids.
type Plan struct {
	Options store.PruneOptions
	// ReadOnly are the inbound mailboxes (partner/mailbox) that leave files
	// in place; while there is one, the pickup ledger is not pruned.
	ReadOnly []string
}

// Plan returns what a run at now deletes. Retention must be on (Keep > 0).
func (r *Retainer) Plan(now time.Time) (Plan, error) {
	c := r.Config
	if c.Keep <= 0 {
		return Plan{}, errors.New("retention is off: set retention.keep (e.g. 90d) in the configuration or B2BGW_RETENTION_KEEP")
	}
	pl := Plan{Options: store.PruneOptions{Before: now.Add(-c.Keep), RemoveFile: r.Archive.Remove, Batch: c.Batch}}
	if c.InboundControlNumbers > 0 {
		pl.Options.InboundBefore = now.Add(-c.InboundControlNumbers)
	}
	if r.Partners != nil {
		for _, prof := range r.Partners.Profiles() {
			for _, m := range prof.Mailboxes.Inbound {
				if strings.EqualFold(m.After, "leave") {
					pl.ReadOnly = append(pl.ReadOnly, prof.ID+"/"+m.ID)
				}
			}
		}
	}
	// A forgotten pickup of a file still in its mailbox would be picked up
	// again (store.PruneOptions.PickupsBefore).
	if c.Pickups > 0 && len(pl.ReadOnly) == 0 {
		pl.Options.PickupsBefore = now.Add(-c.Pickups)
	}
	return pl, nil
}

// Run prunes once and logs what it deleted. Files the archive could not
// remove are logged and counted, and their entries kept for the next run;
// they do not fail the run.
func (r *Retainer) Run(ctx context.Context, now time.Time) (store.PruneResult, error) {
	log := r.logger()
	pl, err := r.Plan(now)
	if err != nil {
		return store.PruneResult{}, err
	}
	start := time.Now()
	res, err := r.Store.Prune(ctx, pl.Options)
	if n := len(res.FileErrors); err != nil && n > 0 && errors.Is(err, res.FileErrors[n-1]) {
		err = nil // only files failed: reported below, tried again by the next run
	}
	r.Metrics.observe(res, err)
	for i, ferr := range res.FileErrors {
		if i == 5 {
			log.Warn("retention: more archived files could not be removed", "more", len(res.FileErrors)-i)
			break
		}
		log.Warn("retention: an archived file could not be removed; its entry is kept and the next run tries again; check the archive's permissions and reachability",
			"err", ferr)
	}
	attrs := []any{"lineages", res.Lineages, "messages", res.Messages, "archived_files", res.Archived,
		"inbound_control_numbers", res.Inbound, "pickups", res.Pickups, "file_errors", len(res.FileErrors),
		"before", pl.Options.Before.UTC().Format(time.RFC3339), "took", time.Since(start).Round(time.Millisecond)}
	if len(pl.ReadOnly) > 0 && r.Config.Pickups > 0 {
		attrs = append(attrs, "pickups_kept_for", strings.Join(pl.ReadOnly, ","))
	}
	if err != nil {
		log.Error("retention run failed; the next run continues where it stopped", append(attrs, "err", err)...)
		return res, err
	}
	log.Info("retention run", attrs...)
	return res, nil
}

func (r *Retainer) logger() *slog.Logger {
	if r.Logger == nil {
		return slog.Default()
	}
	return r.Logger
}

// RetentionMetrics count what retention deletes.
type RetentionMetrics struct {
	Deleted     *prometheus.CounterVec // what: lineages, messages, archived_files, inbound_control_numbers, pickups
	Errors      *prometheus.CounterVec // kind: file, run
	LastSuccess prometheus.Gauge
}

// NewRetentionMetrics registers the retention metrics on reg (once: a
// second call returns the registered ones).
func NewRetentionMetrics(reg prometheus.Registerer) *RetentionMetrics {
	m := &RetentionMetrics{
		Deleted: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "b2bgw_retention_deleted_total",
			Help: "Rows and files deleted by retention runs, by what."}, []string{"what"}),
		Errors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "b2bgw_retention_errors_total",
			Help: "Retention errors: archived files that could not be removed (kind=file), failed runs (kind=run)."}, []string{"kind"}),
		LastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{Name: "b2bgw_retention_last_success_timestamp_seconds",
			Help: "Unix time of the last retention run that finished (file errors included)."}),
	}
	m.Deleted = register(reg, m.Deleted)
	m.Errors = register(reg, m.Errors)
	m.LastSuccess = register(reg, m.LastSuccess)
	return m
}

// register registers c, or returns the collector already registered
// under its name.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if old, ok := are.ExistingCollector.(C); ok {
				return old
			}
		}
		panic(err)
	}
	return c
}

func (m *RetentionMetrics) observe(res store.PruneResult, err error) {
	if m == nil {
		return
	}
	for _, d := range []struct {
		what string
		n    int64
	}{{"lineages", res.Lineages}, {"messages", res.Messages}, {"archived_files", res.Archived},
		{"inbound_control_numbers", res.Inbound}, {"pickups", res.Pickups}} {
		m.Deleted.WithLabelValues(d.what).Add(float64(d.n))
	}
	m.Errors.WithLabelValues("file").Add(float64(len(res.FileErrors)))
	if err != nil {
		m.Errors.WithLabelValues("run").Inc()
		return
	}
	m.LastSuccess.SetToCurrentTime()
}

// PruneArgs is one retention run.
type PruneArgs struct{}

// Kind implements river.JobArgs.
func (PruneArgs) Kind() string { return "prune" }

// InsertOpts implements river.JobArgsWithInsertOpts: one run waits or
// runs at a time, and a failed run is retried a few times only (the
// schedule runs it again anyway).
func (PruneArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueIntake, MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByArgs: true,
		ByState: []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending,
			rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStateScheduled}}}
}

type pruneWorker struct {
	river.WorkerDefaults[PruneArgs]
	p *Pipeline
	m *RetentionMetrics
}

// Timeout: a first run over years of data may take long; it deletes in
// batches, so a cut-off run loses nothing.
func (w *pruneWorker) Timeout(*river.Job[PruneArgs]) time.Duration { return time.Hour }

func (w *pruneWorker) Work(ctx context.Context, job *river.Job[PruneArgs]) error {
	p := w.p
	r := &Retainer{Store: p.st, Archive: p.archive, Partners: p.cfg.Partners, Config: p.cfg.Retention,
		Logger: p.log.With("component", "retention", "job_id", job.ID), Metrics: w.m}
	if r.Config.Keep <= 0 {
		return nil // retention was turned off after the job was queued
	}
	_, err := r.Run(ctx, p.cfg.Now())
	return retryable(err)
}

// addRetention registers the retention worker and, unless retention is
// off or schedules are left out, adds its periodic job to periodic.
func (p *Pipeline) addRetention(workers *river.Workers, periodic []*river.PeriodicJob) ([]*river.PeriodicJob, error) {
	river.AddWorker(workers, &pruneWorker{p: p, m: NewRetentionMetrics(p.m.Registry)})
	r := p.cfg.Retention
	if p.cfg.NoSchedules || r.Keep <= 0 {
		return periodic, nil
	}
	s, err := transport.ParseSchedule(r.Schedule, 0)
	if err != nil {
		return nil, fmt.Errorf("retention.schedule: %w", err)
	}
	p.log.Info("retention scheduled", "keep", r.Keep, "inbound_control_numbers", r.InboundControlNumbers, "pickups", r.Pickups,
		"schedule", r.Schedule)
	return append(periodic, river.NewPeriodicJob(s, func() (river.JobArgs, *river.InsertOpts) { return PruneArgs{}, nil },
		&river.PeriodicJobOpts{ID: "retention"})), nil
}

// DryRun counts what Run at now would delete, deleting nothing. Its
// queries mirror store.Prune's selection (TestDryRunMatchesPrune keeps
// them equal on both databases).
func (r *Retainer) DryRun(ctx context.Context, now time.Time) (store.PruneResult, Plan, error) {
	var res store.PruneResult
	pl, err := r.Plan(now)
	if err != nil {
		return res, pl, err
	}
	var final []string
	for _, s := range []store.Status{store.StatusReceived, store.StatusAccepted, store.StatusRejected, store.StatusTranslated,
		store.StatusPosted, store.StatusFailed, store.StatusSent, store.StatusAcknowledged, store.StatusDuplicate, store.StatusDone} {
		if s.Final() {
			final = append(final, "'"+string(s)+"'")
		}
	}
	// roots are the lineages Prune deletes; $1 is Before.
	roots := `SELECT id FROM messages m WHERE parent_id = 0 AND created_ns < $1 AND status IN (` + strings.Join(final, ", ") + `)
		AND NOT EXISTS (SELECT 1 FROM messages c WHERE c.root_id = m.id AND c.status = '` + string(store.StatusFailed) + `')
		AND NOT EXISTS (SELECT 1 FROM outbound ob JOIN messages c ON c.id = ob.message_id
		                WHERE c.root_id = m.id AND ob.ack_status = '')`
	kept := `SELECT 1 FROM messages k WHERE k.sha256 = %s AND k.root_id NOT IN (` + roots + `)`
	before := pl.Options.Before.UnixNano()
	counts := []struct {
		n     *int64
		on    bool // pruned by this plan
		query string
		args  []any
	}{
		{&res.Lineages, true, `SELECT COUNT(*) FROM (` + roots + `) r`, []any{before}},
		{&res.Messages, true, `SELECT COUNT(*) FROM messages WHERE root_id IN (` + roots + `)`, []any{before}},
		{&res.Archived, true, `SELECT COUNT(*) FROM archive a WHERE received_ns < $1 AND hold = FALSE
			AND NOT EXISTS (` + fmt.Sprintf(kept, "a.sha256") + `)`, []any{before}},
		{&res.Inbound, !pl.Options.InboundBefore.IsZero(), `SELECT (SELECT COUNT(*) FROM inbound_interchanges WHERE last_seen_ns < $1)
			+ (SELECT COUNT(*) FROM inbound_groups WHERE last_seen_ns < $1)`, []any{pl.Options.InboundBefore.UnixNano()}},
		{&res.Pickups, !pl.Options.PickupsBefore.IsZero(), `SELECT COUNT(*) FROM pickups p WHERE picked_ns < $2 AND post_done = TRUE
			AND NOT EXISTS (` + fmt.Sprintf(kept, "p.sha256") + `)`, []any{before, pl.Options.PickupsBefore.UnixNano()}},
	}
	err = r.Store.WithTx(ctx, func(tx store.Tx) error {
		for _, c := range counts {
			*c.n = 0
			if !c.on {
				continue
			}
			var err error
			if sq := tx.SQLTx(); sq != nil {
				err = sq.QueryRowContext(ctx, c.query, c.args...).Scan(c.n)
			} else {
				err = tx.PgxTx().QueryRow(ctx, c.query, c.args...).Scan(c.n)
			}
			if err != nil {
				return fmt.Errorf("counting what retention deletes: %w", err)
			}
		}
		return nil
	})
	return res, pl, err
}
