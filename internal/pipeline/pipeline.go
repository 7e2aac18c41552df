package pipeline

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"

	"github.com/b2bgw/b2bgw/internal/config"
	"github.com/b2bgw/b2bgw/internal/errclass"
	"github.com/b2bgw/b2bgw/internal/odoo"
	"github.com/b2bgw/b2bgw/internal/partner"
	"github.com/b2bgw/b2bgw/internal/store"
	"github.com/b2bgw/b2bgw/internal/transport"
)

// Queues, one per kind of resource a job waits on.
const (
	QueueIntake   = "intake"   // mailbox polls
	QueueProcess  = "process"  // ingest and translate: CPU
	QueuePost     = "post"     // Odoo
	QueueOutbound = "outbound" // acknowledgments and feeds: partner mailboxes
)

// Config is what the pipeline runs on. Store, Partners, Odoo and
// ArchiveDir (or Archive) are required.
type Config struct {
	Store    store.Store
	Partners *partner.Registry
	// Odoo is the connected client documents are posted to.
	Odoo *odoo.Client

	ArchiveDir string
	// Archive, when set, is the archive instead of a local one in
	// ArchiveDir (OpenArchive builds it: a folder or an S3 bucket).
	Archive  *Archive
	SpoolDir string
	// DataDir resolves relative local mailbox folders.
	DataDir string

	Logger  *slog.Logger
	Metrics *Metrics

	// Workers per queue in this instance (defaults 4, GOMAXPROCS, 4, 2).
	PickupWorkers, ProcessWorkers, PostWorkers, OutboundWorkers int
	// MaxAttempts before a retryable failure becomes a dead letter
	// (default 8).
	MaxAttempts int
	// RetryBase and RetryMax bound the exponential backoff (defaults 1s
	// and 10m); each wait is drawn uniformly from [0, base·2^attempt].
	RetryBase, RetryMax time.Duration
	// FetchPollInterval is how often idle workers look for jobs (SQLite
	// has no LISTEN/NOTIFY); default 200ms.
	FetchPollInterval time.Duration
	// JobTimeout bounds one job run (default 10m).
	JobTimeout time.Duration
	// NoSchedules leaves out the periodic polls, feeds and overdue
	// check (tests and one-shot runs call PollNow instead).
	NoSchedules bool
	// OverdueEvery is how often overdue acknowledgments are checked
	// (default 5m).
	OverdueEvery time.Duration
	// StopTimeout is how long Stop waits for running jobs before
	// cancelling them (they are retried later); default 30s.
	StopTimeout time.Duration
	// Now is the clock for envelopes and names (default time.Now).
	Now func() time.Time
	// InProgressWait is how long a post waits (without using an attempt)
	// when Odoo reports a document in progress elsewhere (default
	// odoo.ReservationLease/10).
	InProgressWait time.Duration
	// OnStart, when set, is called by Run once the job client works.
	OnStart func()
	// Retention, when Keep is set, runs store.Prune on its schedule
	// (retention.go).
	Retention config.Retention
	// InstanceID, when set, is this process's job client id: the same
	// after a restart and unique among running processes (serve derives
	// it from the host and the HTTP listen address). Start then takes
	// back the jobs and the leadership a killed previous run left.
	InstanceID string
}

// Pipeline is the running gateway pipeline of one process.
type Pipeline struct {
	cfg     Config
	st      store.Store
	jobs    *store.Jobs
	archive *Archive
	log     *slog.Logger
	m       *Metrics

	mu      sync.Mutex
	pollers map[string]*transport.Poller // by mailbox id
	boxes   map[string]transport.Mailbox // open mailboxes by id
	parts   map[string]*partnerKit       // validators, translators per partner

	started atomic.Bool
}

// New checks cfg and prepares the River client on the store's database.
// The store must be migrated.
func New(cfg Config) (*Pipeline, error) {
	if cfg.Archive == nil && cfg.ArchiveDir != "" {
		cfg.Archive = &Archive{Dir: cfg.ArchiveDir}
	}
	if cfg.Store == nil || cfg.Partners == nil || cfg.Odoo == nil || cfg.Archive == nil {
		return nil, errors.New("pipeline: Store, Partners, Odoo and ArchiveDir are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics()
	}
	if cfg.SpoolDir == "" {
		cfg.SpoolDir = cfg.Archive.Dir + "-spool"
	}
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&cfg.PickupWorkers, 4)
	def(&cfg.ProcessWorkers, 4)
	def(&cfg.PostWorkers, 4)
	def(&cfg.OutboundWorkers, 2)
	def(&cfg.MaxAttempts, 8)
	defD := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	defD(&cfg.RetryBase, time.Second)
	defD(&cfg.RetryMax, 10*time.Minute)
	defD(&cfg.FetchPollInterval, 200*time.Millisecond)
	defD(&cfg.JobTimeout, 10*time.Minute)
	defD(&cfg.OverdueEvery, 5*time.Minute)
	defD(&cfg.StopTimeout, 30*time.Second)
	defD(&cfg.InProgressWait, odoo.ReservationLease/10)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	p := &Pipeline{cfg: cfg, st: cfg.Store, archive: cfg.Archive, log: cfg.Logger, m: cfg.Metrics,
		pollers: map[string]*transport.Poller{}, boxes: map[string]transport.Mailbox{}, parts: map[string]*partnerKit{}}

	workers := river.NewWorkers()
	river.AddWorker(workers, &pollWorker{p: p})
	river.AddWorker(workers, &ingestWorker{p: p})
	river.AddWorker(workers, &translateWorker{p: p})
	river.AddWorker(workers, &postWorker{p: p})
	river.AddWorker(workers, &sendWorker{p: p})
	river.AddWorker(workers, &atpWorker{p: p})
	river.AddWorker(workers, &overdueWorker{p: p})

	periodic, err := p.periodicJobs()
	if err != nil {
		return nil, err
	}
	if periodic, err = p.addRetention(workers, periodic); err != nil {
		return nil, err
	}
	fetchCooldown := min(20*time.Millisecond, cfg.FetchPollInterval)
	rc := &river.Config{
		ID: cfg.InstanceID,
		Queues: map[string]river.QueueConfig{
			QueueIntake:   {MaxWorkers: cfg.PickupWorkers},
			QueueProcess:  {MaxWorkers: cfg.ProcessWorkers},
			QueuePost:     {MaxWorkers: cfg.PostWorkers},
			QueueOutbound: {MaxWorkers: cfg.OutboundWorkers},
		},
		Workers:           workers,
		PeriodicJobs:      periodic,
		MaxAttempts:       cfg.MaxAttempts,
		RetryPolicy:       &backoff{base: cfg.RetryBase, max: cfg.RetryMax},
		ErrorHandler:      &errorHandler{p: p},
		JobTimeout:        cfg.JobTimeout,
		FetchCooldown:     fetchCooldown,
		FetchPollInterval: cfg.FetchPollInterval,
		Logger:            slog.New(minLevel{cfg.Logger.Handler(), slog.LevelWarn}).With("component", "river"),
	}
	p.jobs, err = cfg.Store.Jobs(rc)
	if err != nil {
		return nil, err
	}
	p.m.queueDepthQuery = p.queueDepth
	return p, nil
}

// Jobs is the River client (for replay and tests).
func (p *Pipeline) Jobs() *store.Jobs { return p.jobs }

// Archive is the content-addressed archive.
func (p *Pipeline) Archive() *Archive { return p.archive }

// Metrics is the pipeline's metrics.
func (p *Pipeline) Metrics() *Metrics { return p.m }

// Start starts working jobs.
func (p *Pipeline) Start(ctx context.Context) error {
	if p.cfg.InstanceID != "" {
		if err := p.recoverInstance(ctx); err != nil {
			return err
		}
	}
	// River hard-stops when its start context ends; Stop does the
	// graceful part, so the client's lifetime is not the caller's ctx.
	if err := p.jobs.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("pipeline: starting the job client: %w", err)
	}
	p.started.Store(true)
	p.log.Info("pipeline started", "dialect", p.st.Dialect(), "partners", len(p.cfg.Partners.Profiles()))
	return nil
}

// Started reports whether the job client runs.
func (p *Pipeline) Started() bool { return p.started.Load() }

// Stop stops fetching jobs and waits for running ones up to
// Config.StopTimeout (or ctx); then it cancels them. A cancelled job's
// transaction rolls back, and River works it again after a restart (a
// job whose process died is rescued as well): work is abandoned safely,
// never lost.
func (p *Pipeline) Stop(ctx context.Context) error {
	if !p.started.Swap(false) {
		return nil
	}
	sctx, cancel := context.WithTimeout(ctx, p.cfg.StopTimeout)
	defer cancel()
	err := p.jobs.Stop(sctx)
	if err != nil && errors.Is(err, context.DeadlineExceeded) || sctx.Err() != nil {
		p.log.Warn("pipeline: jobs still running at the stop timeout; cancelling them (they are retried)", "timeout", p.cfg.StopTimeout)
		cctx, ccancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer ccancel()
		if c := p.jobs.SQLite(); c != nil {
			err = c.StopAndCancel(cctx)
		} else {
			err = p.jobs.Postgres().StopAndCancel(cctx)
		}
	}
	p.mu.Lock()
	for id, mb := range p.boxes {
		_ = mb.Close()
		delete(p.boxes, id)
	}
	p.pollers = map[string]*transport.Poller{}
	p.mu.Unlock()
	p.log.Info("pipeline stopped")
	return err
}

// Run starts the pipeline, runs until ctx is done, then stops it
// gracefully. It is the entry point of `b2bgw serve` and `b2bgw demo`.
func Run(ctx context.Context, cfg Config) error {
	p, err := New(cfg)
	if err != nil {
		return err
	}
	if err := p.Start(ctx); err != nil {
		return err
	}
	if cfg.OnStart != nil {
		cfg.OnStart()
	}
	<-ctx.Done()
	return p.Stop(context.Background())
}

// insert enqueues a job inside tx.
func (p *Pipeline) insert(ctx context.Context, tx store.Tx, args river.JobArgs) error {
	_, err := p.jobs.InsertTx(ctx, tx, args, nil)
	return err
}

// complete marks job completed inside tx: the job ends with the state
// change that ends its step, so it never runs again once that commits.
func complete[T river.JobArgs](ctx context.Context, tx store.Tx, job *river.Job[T]) error {
	var err error
	if tx.SQLTx() != nil {
		_, err = river.JobCompleteTx[*riversqlite.Driver](ctx, tx.SQLTx(), job)
	} else {
		_, err = river.JobCompleteTx[*riverpgxv5.Driver](ctx, tx.PgxTx(), job)
	}
	return err
}

// lastAttempt reports whether a failure now is final for the job.
func lastAttempt(job *rivertype.JobRow) bool { return job.Attempt >= job.MaxAttempts }

// backoff is exponential backoff with full jitter.
type backoff struct{ base, max time.Duration }

func (b *backoff) NextRetry(job *rivertype.JobRow) time.Time {
	return time.Now().Add(b.delay(job.Attempt))
}

func (b *backoff) delay(attempt int) time.Duration {
	d := b.base
	for i := 1; i < attempt && d < b.max; i++ {
		d *= 2
	}
	d = min(d, b.max)
	return time.Duration(randInt64(int64(d))) + b.base/10
}

func randInt64(n int64) int64 {
	if n <= 0 {
		return 0
	}
	return mrand.Int64N(n)
}

// errorHandler cancels jobs whose error is permanent (retrying cannot
// help; the worker has already recorded the failure where it could) and
// logs the others.
type errorHandler struct{ p *Pipeline }

func (h *errorHandler) HandleError(ctx context.Context, job *rivertype.JobRow, err error) *river.ErrorHandlerResult {
	// Only an error that says it is not retryable cancels the job; an
	// unclassified one (a cancelled context at shutdown, a driver error)
	// is retried, bounded by MaxAttempts.
	class := errclass.Retryable
	var c errclass.Classifier
	if errors.As(err, &c) && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		class = c.Class()
	}
	log := h.p.log.With("job", job.Kind, "job_id", job.ID, "attempt", job.Attempt, "class", class.String())
	if class != errclass.Retryable {
		log.Error("job failed permanently", "err", err)
		return &river.ErrorHandlerResult{SetCancelled: true}
	}
	if lastAttempt(job) {
		log.Error("job failed on its last attempt", "err", err)
	} else {
		log.Warn("job failed; retrying with backoff", "err", err)
	}
	return nil
}

func (h *errorHandler) HandlePanic(ctx context.Context, job *rivertype.JobRow, panicVal any, trace string) *river.ErrorHandlerResult {
	h.p.log.Error("job panicked", "job", job.Kind, "job_id", job.ID, "panic", fmt.Sprint(panicVal), "trace", trace)
	return nil
}

// newCorrelationID names one file's journey through the gateway.
func newCorrelationID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return "f-" + hex.EncodeToString(b[:])
}

// retryable marks err retryable.
func retryable(err error) error { return errclass.With(err, errclass.Retryable) }

// minLevel drops records below min: River's own info logs are not the
// gateway's "one line per file".
type minLevel struct {
	slog.Handler
	min slog.Level
}

func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h minLevel) WithAttrs(as []slog.Attr) slog.Handler {
	return minLevel{h.Handler.WithAttrs(as), h.min}
}
func (h minLevel) WithGroup(n string) slog.Handler { return minLevel{h.Handler.WithGroup(n), h.min} }
