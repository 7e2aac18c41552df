package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/b2bgw/b2bgw/internal/errclass"
	"github.com/b2bgw/b2bgw/internal/partner"
	"github.com/b2bgw/b2bgw/internal/store"
	"github.com/b2bgw/b2bgw/internal/transport"
)

// PollArgs polls one inbound mailbox of a partner.
type PollArgs struct {
	Partner string `json:"partner"`
	Mailbox string `json:"mailbox"`
}

// Kind implements river.JobArgs.
func (PollArgs) Kind() string { return "poll" }

// InsertOpts: polls run on the intake queue, and a poll of a mailbox is
// not queued while another is waiting or running.
func (PollArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueIntake, UniqueOpts: river.UniqueOpts{ByArgs: true,
		ByState: []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending,
			rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStateScheduled}}}
}

// periodicJobs are the polls of every enabled partner's inbound
// mailboxes, the ATP feeds and the overdue check. River runs them on the
// elected leader only, so each runs once across instances.
func (p *Pipeline) periodicJobs() ([]*river.PeriodicJob, error) {
	if p.cfg.NoSchedules {
		return nil, nil
	}
	var out []*river.PeriodicJob
	for _, prof := range p.cfg.Partners.Profiles() {
		if prof.Disabled {
			continue
		}
		for i := range prof.Mailboxes.Inbound {
			m := &prof.Mailboxes.Inbound[i]
			s, err := prof.Schedule(m)
			if err != nil {
				return nil, fmt.Errorf("partner %s mailbox %s: %w", prof.ID, m.ID, err)
			}
			args := PollArgs{Partner: prof.ID, Mailbox: m.ID}
			out = append(out, river.NewPeriodicJob(jittered{s}, func() (river.JobArgs, *river.InsertOpts) {
				return args, nil
			}, &river.PeriodicJobOpts{ID: "poll/" + prof.ID + "/" + m.ID, RunOnStart: true}))
		}
		if prof.ATP != nil {
			s, err := prof.ATPSchedule()
			if err != nil {
				return nil, fmt.Errorf("partner %s atp: %w", prof.ID, err)
			}
			args := ATPArgs{Partner: prof.ID}
			out = append(out, river.NewPeriodicJob(s, func() (river.JobArgs, *river.InsertOpts) {
				return args, nil
			}, &river.PeriodicJobOpts{ID: "atp/" + prof.ID}))
		}
	}
	out = append(out, river.NewPeriodicJob(river.PeriodicInterval(p.cfg.OverdueEvery),
		func() (river.JobArgs, *river.InsertOpts) { return OverdueArgs{}, nil },
		&river.PeriodicJobOpts{ID: "overdue", RunOnStart: true}))
	return out, nil
}

// PollNow queues a poll of every inbound mailbox of every enabled partner
// (b2bgw demo, tests, an operator's "poll now").
func (p *Pipeline) PollNow(ctx context.Context) error {
	for _, prof := range p.cfg.Partners.Profiles() {
		if prof.Disabled {
			continue
		}
		for _, m := range prof.Mailboxes.Inbound {
			if _, err := p.jobs.Insert(ctx, PollArgs{Partner: prof.ID, Mailbox: m.ID}, nil); err != nil {
				return err
			}
		}
	}
	return nil
}

type pollWorker struct {
	river.WorkerDefaults[PollArgs]
	p *Pipeline
}

func (w *pollWorker) Work(ctx context.Context, job *river.Job[PollArgs]) error {
	p := w.p
	prof, ok := p.cfg.Partners.Get(job.Args.Partner)
	if !ok {
		return errclass.With(fmt.Errorf("poll: partner %q is not configured (any more)", job.Args.Partner), errclass.Permanent)
	}
	log := p.log.With("partner", prof.ID, "mailbox", job.Args.Mailbox)
	poller, err := p.poller(prof, job.Args.Mailbox, log)
	if err != nil {
		return err
	}
	rep, err := poller.Poll(ctx)
	if errors.Is(err, transport.ErrPollRunning) {
		return nil // this process is polling the mailbox already
	}
	if err != nil {
		log.Warn("poll failed", "err", err)
		if errclass.Of(err) == errclass.Retryable {
			return retryable(err)
		}
		return err
	}
	for _, e := range rep.Errors {
		log.Warn("file not picked up (retried next poll)", "err", e)
	}
	if len(rep.Picked)+len(rep.Duplicates) > 0 {
		log.Info("poll", "picked", len(rep.Picked), "duplicates", len(rep.Duplicates), "unstable", len(rep.Unstable),
			"errors", len(rep.Errors))
	}
	return nil
}

// poller returns the (cached) poller of a mailbox: it keeps the
// stability observations between polls and the mailbox connection.
func (p *Pipeline) poller(prof *partner.Profile, id string, log *slog.Logger) (*transport.Poller, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if pl, ok := p.pollers[id]; ok {
		return pl, nil
	}
	var m *partner.Inbound
	for i := range prof.Mailboxes.Inbound {
		if prof.Mailboxes.Inbound[i].ID == id {
			m = &prof.Mailboxes.Inbound[i]
		}
	}
	if m == nil {
		return nil, errclass.With(fmt.Errorf("partner %s has no inbound mailbox %q", prof.ID, id), errclass.Permanent)
	}
	mb, err := openMailbox(prof, id, m.Transport, p.cfg.DataDir, log)
	if err != nil {
		return nil, err
	}
	pl, err := transport.NewPoller(mb, pollerConfig(prof, m, p.cfg.SpoolDir, &intakeLedger{p: p}))
	if err != nil {
		mb.Close()
		return nil, errclass.With(err, errclass.Permanent)
	}
	p.pollers[id] = pl
	p.boxes["in/"+id] = mb
	return pl, nil
}

// intakeLedger is the store's pickup ledger with the pipeline's first
// step attached: recording a picked file also archives its bytes (before
// anything else; the archive write happens before the transaction, and is
// content-addressed, so a retry rewrites nothing), adds the file message
// and inserts its ingest job, all in the ledger's transaction. Only then
// does the poller delete or move the remote file.
type intakeLedger struct{ p *Pipeline }

var _ transport.Ledger = (*intakeLedger)(nil)

func (l *intakeLedger) LookupFile(ctx context.Context, key transport.FileKey) (transport.LedgerEntry, bool, error) {
	return l.p.st.LookupFile(ctx, key)
}

func (l *intakeLedger) MarkPostDone(ctx context.Context, id int64) error {
	return l.p.st.MarkPostDone(ctx, id)
}

func (l *intakeLedger) Record(ctx context.Context, e transport.LedgerEntry) (transport.LedgerEntry, bool, error) {
	p := l.p
	if err := p.archive.PutFile(e.SpoolPath, e.SHA256); err != nil {
		return e, false, err
	}
	var (
		out     transport.LedgerEntry
		created bool
		fileMsg store.Message
	)
	err := p.st.WithTx(ctx, func(tx store.Tx) error {
		var err error
		out, created, err = tx.Record(ctx, e)
		if err != nil || !created {
			return err
		}
		if err := p.archive.index(ctx, tx, e.SHA256, e.Size); err != nil {
			return err
		}
		st := store.StatusReceived
		if out.DuplicateOf != 0 {
			st = store.StatusDuplicate
		}
		fileMsg, err = tx.AddMessage(ctx, store.Message{Kind: store.KindFile, Direction: store.Inbound, Partner: e.Partner,
			Status: st, Ref: e.Mailbox + ":" + e.Path, SHA256: e.SHA256, CorrelationID: newCorrelationID()})
		if err != nil {
			return err
		}
		if out.DuplicateOf != 0 {
			return nil
		}
		return p.insert(ctx, tx, IngestArgs{File: fileMsg.ID})
	})
	if err != nil {
		return transport.LedgerEntry{}, false, err
	}
	if created {
		log := p.log.With("partner", e.Partner, "mailbox", e.Mailbox, "file", e.Path, "correlation_id", fileMsg.CorrelationID,
			"message_id", fileMsg.ID, "sha256", e.SHA256)
		if out.DuplicateOf != 0 {
			p.m.FilesDuplicate.WithLabelValues(e.Partner).Inc()
			log.Info("file is a resend of content already received; not processed", "duplicate_of_pickup", out.DuplicateOf)
		} else {
			p.m.FilesPicked.WithLabelValues(e.Partner).Inc()
			log.Info("file picked up", "size", e.Size)
		}
	}
	return out, created, nil
}
