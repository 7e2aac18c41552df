package transport

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// cronParser accepts 5 fields (minute first) or 6 (seconds first),
// descriptors such as "@every 5m" and "@hourly", and a leading
// "CRON_TZ=Europe/Berlin " (or "TZ=") that evaluates the schedule in that
// zone.
var cronParser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour |
	cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Schedule is a parsed cron expression plus jitter. Its Next method (no
// jitter) satisfies river.PeriodicSchedule, so the durable job engine can
// run the same schedules.
type Schedule struct {
	Spec string
	// Jitter delays each run by a random duration in [0, Jitter), so that
	// many mailboxes on "*/5 * * * *" do not hit their servers, or one
	// partner's server, in the same second.
	Jitter time.Duration
	cron   cron.Schedule
}

// ParseSchedule parses a cron spec and validates the jitter.
func ParseSchedule(spec string, jitter time.Duration) (Schedule, error) {
	s, err := cronParser.Parse(spec)
	if err != nil {
		return Schedule{}, fmt.Errorf("schedule %q: %w (use 5 fields \"min hour dom month dow\", 6 with seconds first, or @every 5m; prefix CRON_TZ=Zone/Name for a time zone)", spec, err)
	}
	if jitter < 0 {
		return Schedule{}, fmt.Errorf("schedule %q: negative jitter %s", spec, jitter)
	}
	return Schedule{Spec: spec, Jitter: jitter, cron: s}, nil
}

// Next returns the next activation after t, without jitter.
func (s Schedule) Next(t time.Time) time.Time { return s.cron.Next(t) }

// Job is one scheduled run, typically a Poller's Poll.
type Job func(ctx context.Context) error

// Scheduler runs jobs on schedules, never two runs of the same id at once.
// CronScheduler is the in-process implementation; the durable engine
// (River periodic jobs) implements it for multi-instance deployments.
type Scheduler interface {
	// Add registers a job under a unique id (the mailbox id).
	Add(id string, s Schedule, job Job) error
	// Remove stops scheduling id; a run in progress finishes.
	Remove(id string)
	// RunNow runs id immediately in the caller's goroutine, or returns an
	// error wrapping ErrPollRunning when a run of id is in progress.
	RunNow(ctx context.Context, id string) error
	// Start begins scheduling; Stop cancels running jobs and waits for them.
	Start(ctx context.Context)
	Stop()
}

// CronScheduler runs jobs in this process.
type CronScheduler struct {
	// Clock defaults to the system clock; tests use a fake one.
	Clock Clock
	// Rand returns a value in [0, n); defaults to math/rand/v2.Int64N.
	Rand func(n int64) int64
	// Log receives one line per failed run and per skipped tick.
	Log *slog.Logger

	mu      sync.Mutex
	entries map[string]*schedEntry
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

var _ Scheduler = (*CronScheduler)(nil)

type schedEntry struct {
	id      string
	sched   Schedule
	job     Job
	running sync.Mutex
	stop    context.CancelFunc

	statsMu sync.Mutex
	stats   ScheduleStats
}

// ScheduleStats counts what happened to one id.
type ScheduleStats struct {
	Runs, Failures int
	// Skipped counts activations that fell while a run was in progress.
	Skipped  int
	LastErr  error
	LastRun  time.Time
	NextTick time.Time
}

// Add implements Scheduler.
func (c *CronScheduler) Add(id string, s Schedule, job Job) error {
	if s.cron == nil {
		return fmt.Errorf("schedule for %q was not parsed with ParseSchedule", id)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[string]*schedEntry{}
	}
	if _, dup := c.entries[id]; dup {
		return fmt.Errorf("schedule %q is already registered", id)
	}
	e := &schedEntry{id: id, sched: s, job: job}
	c.entries[id] = e
	if c.ctx != nil {
		c.launch(e)
	}
	return nil
}

// Remove implements Scheduler.
func (c *CronScheduler) Remove(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[id]; ok {
		if e.stop != nil {
			e.stop()
		}
		delete(c.entries, id)
	}
}

// Stats returns the counters of id.
func (c *CronScheduler) Stats(id string) (ScheduleStats, bool) {
	c.mu.Lock()
	e, ok := c.entries[id]
	c.mu.Unlock()
	if !ok {
		return ScheduleStats{}, false
	}
	e.statsMu.Lock()
	defer e.statsMu.Unlock()
	return e.stats, true
}

// RunNow implements Scheduler.
func (c *CronScheduler) RunNow(ctx context.Context, id string) error {
	c.mu.Lock()
	e, ok := c.entries[id]
	c.mu.Unlock()
	if !ok {
		return fmt.Errorf("no schedule %q", id)
	}
	return c.run(ctx, e)
}

// Start implements Scheduler.
func (c *CronScheduler) Start(ctx context.Context) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ctx != nil {
		return
	}
	if c.Clock == nil {
		c.Clock = SystemClock{}
	}
	if c.Rand == nil {
		c.Rand = rand.Int64N
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
	c.ctx, c.cancel = context.WithCancel(ctx)
	for _, e := range c.entries {
		c.launch(e)
	}
}

// Stop implements Scheduler.
func (c *CronScheduler) Stop() {
	c.mu.Lock()
	cancel := c.cancel
	c.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	c.wg.Wait()
}

// launch starts e's loop; c.mu is held.
func (c *CronScheduler) launch(e *schedEntry) {
	ctx, stop := context.WithCancel(c.ctx)
	e.stop = stop
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		c.loop(ctx, e)
	}()
}

// loop waits for each activation and runs the job in this goroutine, so
// activations that fall during a long run are skipped (and counted), never
// queued up or run concurrently.
func (c *CronScheduler) loop(ctx context.Context, e *schedEntry) {
	for {
		now := c.Clock.Now()
		tick := e.sched.Next(now)
		if tick.IsZero() {
			return // a schedule that never fires again
		}
		at := tick
		if e.sched.Jitter > 0 {
			at = at.Add(time.Duration(c.Rand(int64(e.sched.Jitter))))
		}
		e.statsMu.Lock()
		e.stats.NextTick = at
		e.statsMu.Unlock()
		select {
		case <-ctx.Done():
			return
		case <-c.Clock.After(at.Sub(now)):
		}
		err := c.run(ctx, e)
		if errors.Is(err, ErrPollRunning) {
			continue // counted in run
		}
		// Count the activations the run outlasted.
		end := c.Clock.Now()
		missed := 0
		for t := e.sched.Next(tick); !t.IsZero() && !t.After(end) && missed < 10000; t = e.sched.Next(t) {
			missed++
		}
		if missed > 0 {
			e.statsMu.Lock()
			e.stats.Skipped += missed
			e.statsMu.Unlock()
			c.Log.Warn("poll outlasted its schedule; activations skipped, consider a longer interval",
				"mailbox", e.id, "schedule", e.sched.Spec, "skipped", missed)
		}
	}
}

// run executes the job unless it is already running.
func (c *CronScheduler) run(ctx context.Context, e *schedEntry) error {
	if !e.running.TryLock() {
		e.statsMu.Lock()
		e.stats.Skipped++
		e.statsMu.Unlock()
		return fmt.Errorf("mailbox %q: %w", e.id, ErrPollRunning)
	}
	defer e.running.Unlock()
	err := e.job(ctx)
	e.statsMu.Lock()
	e.stats.Runs++
	e.stats.LastRun = c.clock().Now()
	e.stats.LastErr = err
	if err != nil {
		e.stats.Failures++
	}
	e.statsMu.Unlock()
	if err != nil && c.Log != nil {
		c.Log.Error("scheduled poll failed", "mailbox", e.id, "err", err)
	}
	return err
}

func (c *CronScheduler) clock() Clock {
	if c.Clock == nil {
		return SystemClock{}
	}
	return c.Clock
}
