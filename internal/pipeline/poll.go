package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/b2bgw/b2bgw/internal/config"
	"github.com/b2bgw/b2bgw/internal/partner"
	"github.com/b2bgw/b2bgw/internal/store"
	"github.com/b2bgw/b2bgw/internal/transport"
)

// Intake is the pickup step of the pipeline on its own, for `b2bgw
// poll`: the mailboxes opened as the pipeline opens them and the same
// ledger, so a file it picks is archived, recorded with its file message
// and its ingest job in one transaction — exactly as a scheduled poll
// does — and `serve` processes it. It needs neither Odoo nor a running
// job client.
type Intake struct {
	p  *Pipeline
	db *store.DB
	// NoWait leaves files seen for the first time on a mailbox with a
	// stability window to the next poll (reported unstable) instead of
	// waiting for the window.
	NoWait bool
}

// ErrUnknownMailbox is returned by Intake.Poll for a partner or mailbox
// the configuration does not have.
var ErrUnknownMailbox = errors.New("unknown partner or mailbox")

// OpenIntake opens and migrates the store of g and loads its partners.
func OpenIntake(ctx context.Context, g *config.Gateway, lookup func(string) (string, bool), log *slog.Logger) (*Intake, error) {
	if log == nil {
		log = slog.Default()
	}
	reg, err := g.LoadPartners(lookup)
	if err != nil {
		return nil, fmt.Errorf("partner profiles in %s:\n%w", g.Partners, err)
	}
	dsn, err := StoreDSN(g)
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	jobs, err := db.Jobs(nil) // insert-only: the ingest jobs are worked by serve
	if err != nil {
		db.Close()
		return nil, err
	}
	archive, err := OpenArchive(ctx, g, log)
	if err != nil {
		db.Close()
		return nil, err
	}
	cfg := Config{Store: db, Partners: reg, ArchiveDir: archive.Dir, Archive: archive, SpoolDir: g.SpoolDir, DataDir: g.DataDir, Logger: log}
	p := &Pipeline{cfg: cfg, st: db, jobs: jobs, archive: archive, log: log, m: NewMetrics(),
		pollers: map[string]*transport.Poller{}, boxes: map[string]transport.Mailbox{}, parts: map[string]*partnerKit{}}
	return &Intake{p: p, db: db}, nil
}

// Partners is the loaded partner registry.
func (in *Intake) Partners() *partner.Registry { return in.p.cfg.Partners }

// Poll polls the inbound mailboxes of a partner once (only mailbox when
// it is not empty) and returns one report per mailbox. A mailbox that
// cannot be opened or listed has a report whose Errors say why. Files
// seen for the first time on a mailbox with a stability window are
// listed again after the window (Stability.WaitInPoll; see NoWait), so a
// one-shot poll picks what is complete.
func (in *Intake) Poll(ctx context.Context, partnerID, mailbox string) ([]*transport.PollReport, error) {
	prof, ok := in.p.cfg.Partners.Get(partnerID)
	if !ok {
		var ids []string
		for _, p := range in.p.cfg.Partners.Profiles() {
			ids = append(ids, p.ID)
		}
		return nil, fmt.Errorf("%w: partner %q is not configured (partners: %v)", ErrUnknownMailbox, partnerID, ids)
	}
	var boxes []*partner.Inbound
	var ids []string
	for i := range prof.Mailboxes.Inbound {
		m := &prof.Mailboxes.Inbound[i]
		ids = append(ids, m.ID)
		if mailbox == "" || m.ID == mailbox {
			boxes = append(boxes, m)
		}
	}
	if len(boxes) == 0 {
		if mailbox == "" {
			return nil, fmt.Errorf("%w: partner %s has no inbound mailbox", ErrUnknownMailbox, prof.ID)
		}
		return nil, fmt.Errorf("%w: partner %s has no inbound mailbox %q (it has %v)", ErrUnknownMailbox, prof.ID, mailbox, ids)
	}
	var reps []*transport.PollReport
	for _, m := range boxes {
		reps = append(reps, in.pollOne(ctx, prof, m))
	}
	return reps, nil
}

func (in *Intake) pollOne(ctx context.Context, prof *partner.Profile, m *partner.Inbound) *transport.PollReport {
	log := in.p.log.With("partner", prof.ID, "mailbox", m.ID)
	failed := func(err error) *transport.PollReport {
		var te *transport.Error
		if !errors.As(err, &te) {
			err = &transport.Error{Op: "poll", Mailbox: m.ID, Err: err}
		}
		return &transport.PollReport{Partner: prof.ID, Mailbox: m.ID, Errors: []error{transport.WithPartner(err, prof.ID)}}
	}
	mb, err := openMailbox(prof, m.ID, m.Transport, in.p.cfg.DataDir, log)
	if err != nil {
		return failed(err)
	}
	defer mb.Close()
	pc := pollerConfig(prof, m, in.p.cfg.SpoolDir, &intakeLedger{p: in.p})
	pc.Stability.WaitInPoll = !in.NoWait
	pl, err := transport.NewPoller(mb, pc)
	if err != nil {
		return failed(err)
	}
	rep, err := pl.Poll(ctx)
	if rep == nil {
		rep = &transport.PollReport{Partner: prof.ID, Mailbox: m.ID}
	}
	if err != nil {
		rep.Errors = append(rep.Errors, err)
	}
	return rep
}

// Close releases the store.
func (in *Intake) Close() error {
	_ = in.p.archive.Close()
	return in.db.Close()
}
