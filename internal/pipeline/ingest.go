package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/riverqueue/river"

	"github.com/b2bgw/b2bgw/internal/edifact"
	espec "github.com/b2bgw/b2bgw/internal/edifact/spec"
	"github.com/b2bgw/b2bgw/internal/errclass"
	"github.com/b2bgw/b2bgw/internal/partner"
	"github.com/b2bgw/b2bgw/internal/store"
	"github.com/b2bgw/b2bgw/internal/translate"
	"github.com/b2bgw/b2bgw/internal/x12"
	"github.com/b2bgw/b2bgw/internal/x12/spec"
)

// IngestArgs reads one picked-up (or replayed) file.
type IngestArgs struct {
	File int64 `json:"file"`
	// Replay re-reads an archived file for `b2bgw replay`: no
	// acknowledgment is sent again.
	Replay bool `json:"replay,omitempty"`
}

// Kind implements river.JobArgs.
func (IngestArgs) Kind() string { return "ingest" }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (IngestArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: QueueProcess} }

// partnerKit is what processing a partner's files needs, built once.
type partnerKit struct {
	validator *x12.Validator
	tr        *translate.Translator
	opts      []x12.DecoderOption
	// evalidator and eopts read the partner's EDIFACT (nil when the
	// EDIFACT directories did not load: EDIFACT files then fail alone).
	evalidator *edifact.Validator
	eopts      []edifact.DecoderOption
}

var (
	specOnce sync.Once
	specReg  *spec.Registry
	specErr  error

	especOnce sync.Once
	especReg  *espec.Registry
	especErr  error
)

func (p *Pipeline) kit(prof *partner.Profile) (*partnerKit, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if k, ok := p.parts[prof.ID]; ok {
		return k, nil
	}
	specOnce.Do(func() { specReg, specErr = spec.Builtin() })
	if specErr != nil {
		return nil, specErr
	}
	var vopts []x12.ValidatorOption
	if o := prof.CodeOverlay(); o != nil {
		vopts = append(vopts, x12.WithOverlay(o))
	}
	k := &partnerKit{validator: x12.NewValidator(specReg, vopts...)}
	lv := x12.Strict
	if prof.Leniency == "lenient" {
		lv = x12.Lenient
	}
	k.opts = []x12.DecoderOption{x12.WithLeniency(lv), x12.WithMaxSegmentSize(prof.MaxSegmentSize)}
	topts := translate.Options{Partner: prof.ID, Validator: k.validator, DecoderOptions: k.opts}
	especOnce.Do(func() { especReg, especErr = espec.Builtin() })
	if especErr == nil {
		k.evalidator = edifact.NewValidator(especReg, ediValidatorOptions(prof)...)
		elv := edifact.Strict
		if prof.Leniency == "lenient" {
			elv = edifact.Lenient
		}
		k.eopts = []edifact.DecoderOption{edifact.WithLeniency(elv), edifact.WithMaxSegmentSize(prof.MaxSegmentSize)}
		topts.EDIFACTValidator, topts.EDIFACTDecoderOptions = k.evalidator, k.eopts
	} else {
		p.log.Error("the built-in EDIFACT directories do not load: EDIFACT files will fail", "err", especErr)
	}
	// Each inbound document the profile gives a mapping is read with it
	// (the translator picks it by the mapping's source: standard, set or
	// message type, version); anything else with the built-in mapping.
	for i := range prof.Documents {
		d := &prof.Documents[i]
		if d.Direction == "in" || d.Direction == "" {
			if m := prof.Mapping(d); m != nil {
				topts.Mappings = append(topts.Mappings, m)
			}
		}
	}
	tr, err := translate.New(topts)
	if err != nil {
		return nil, err
	}
	k.tr = tr
	p.parts[prof.ID] = k
	return k, nil
}

type ingestWorker struct {
	river.WorkerDefaults[IngestArgs]
	p *Pipeline
}

func (w *ingestWorker) Work(ctx context.Context, job *river.Job[IngestArgs]) error {
	p := w.p
	f, err := p.st.Message(ctx, job.Args.File)
	if err != nil {
		return err
	}
	log := p.log.With("correlation_id", f.CorrelationID, "file_id", f.ID, "partner", f.Partner, "file", f.Ref)
	if f.Status != store.StatusReceived {
		log.Debug("ingest: file already ingested", "status", f.Status)
		return nil
	}
	fail := func(err error) error {
		return p.failFile(ctx, job, f, err, log)
	}
	prof, ok := p.cfg.Partners.Get(f.Partner)
	if !ok {
		return fail(errclass.With(fmt.Errorf("partner %q has no profile (any more): add it and replay the file", f.Partner), errclass.Permanent))
	}
	data, err := p.archive.Read(f.SHA256)
	if err != nil {
		return fail(errclass.With(err, errclass.Permanent))
	}
	var readErr error
	switch sniff(f.Ref, data) {
	case "x12":
		if readErr, err = p.ingestX12(ctx, f, prof, data, job.Args.Replay, log); err != nil {
			if errclass.IsRetryable(err) && !lastAttempt(job.JobRow) {
				return err
			}
			return fail(err)
		}
	case "csv":
	case "edifact":
		if readErr, err = p.ingestEDIFACT(ctx, f, prof, data, job.Args.Replay, log); err != nil {
			if errclass.IsRetryable(err) && !lastAttempt(job.JobRow) {
				return err
			}
			return fail(err)
		}
	default:
		return fail(errclass.With(errors.New("neither X12 (no ISA at the start), EDIFACT (no UNA/UNB) nor CSV (.csv): nothing to process"), errclass.Permanent))
	}
	// Translate the accepted file here, before the transaction that
	// accepts it, and record both together: one job and one transaction
	// less per file than a separate translate job. If that cannot be done
	// (translating fails, or the sets changed meanwhile), the translate
	// job does it as before.
	var tr *fileTranslation
	if lin, err := p.st.Lineage(ctx, f.ID); err == nil && (anyAccepted(lin) || sniff(f.Ref, data) == "csv") {
		if t, err := p.translateFile(f, lin); err == nil {
			tr = t
		} else {
			log.Debug("ingest: translating in a translate job", "err", err)
		}
	}
	var accepted, sets int
	var translated bool
	err = p.st.WithTx(ctx, func(tx store.Tx) error {
		lin, err := tx.Lineage(ctx, f.ID)
		if err != nil {
			return err
		}
		accepted, sets, translated = 0, 0, false
		for _, m := range lin {
			if m.Kind == store.KindSet {
				sets++
				if m.Status == store.StatusAccepted {
					accepted++
				}
			}
		}
		csv := sniff(f.Ref, data) == "csv"
		if accepted == 0 && !csv {
			status := store.StatusDone
			cause := readErr
			if sets == 0 {
				status = store.StatusRejected
				if cause == nil {
					cause = errclass.With(errors.New("no transaction set could be read from the file"), errclass.Permanent)
				}
			}
			if err := tx.SetStatus(ctx, f.ID, status, cause); err != nil {
				return err
			}
			// The file is final here; settle its interchanges and groups.
			// An accepted file is settled by its translate step instead: a
			// CSV file has no children yet, so settling it now would mark
			// it done before it was translated.
			if err := p.settle(ctx, tx, f.ID); err != nil {
				return err
			}
		} else {
			if err := tx.SetStatus(ctx, f.ID, store.StatusAccepted, readErr); err != nil {
				return err
			}
			if tr != nil && tr.sameSets(lin) {
				if err := tr.record(ctx, tx); err != nil {
					return err
				}
				translated = true
			} else if err := p.insert(ctx, tx, TranslateArgs{File: f.ID}); err != nil {
				return err
			}
		}
		return complete(ctx, tx, job)
	})
	if err != nil {
		return err
	}
	log.Info("file ingested", "sets", sets, "accepted", accepted)
	if translated {
		tr.logDone()
	}
	return nil
}

// anyAccepted reports whether a lineage has an accepted set.
func anyAccepted(lin []store.Message) bool {
	for _, m := range lin {
		if m.Kind == store.KindSet && m.Status == store.StatusAccepted {
			return true
		}
	}
	return false
}

// failFile stops a file in status rejected with the error (it cannot be
// read), completing the job in the same transaction.
func (p *Pipeline) failFile(ctx context.Context, job *river.Job[IngestArgs], f store.Message, cause error, log *slog.Logger) error {
	log.Error("file rejected", "err", cause, "class", errclass.Of(cause).String())
	return p.st.WithTx(ctx, func(tx store.Tx) error {
		if err := tx.SetStatus(ctx, f.ID, store.StatusFailed, cause); err != nil {
			return err
		}
		return complete(ctx, tx, job)
	})
}

// sniff tells the syntax of a file from its first bytes and name.
func sniff(name string, data []byte) string {
	h := data[:min(len(data), 512)]
	h = bytes.TrimLeft(bytes.TrimPrefix(h, []byte("\ufeff")), " \t\r\n")
	switch {
	case bytes.HasPrefix(h, []byte("ISA")):
		return "x12"
	case edifact.Detect(h):
		return "edifact"
	case strings.EqualFold(path.Ext(name), ".csv"):
		return "csv"
	}
	return ""
}

// dupPolicy applies a partner's duplicate policy on top of the store's
// inbound control-number ledger (claimed by the file's hash, so a retried
// or replayed read of the same file is not a duplicate of itself).
//
// d answers from the store's reader (Store.Peek); every answer is
// remembered in claims and claimed for real in the transaction that
// records its interchange (claim), which fails retryably if the store
// answers differently there.
type dupPolicy struct {
	d          x12.Duplicates
	icClaims   map[x12.InterchangeKey]bool
	grpClaims  map[x12.GroupKey]bool
	ic, grp    string
	log        *slog.Logger
	dupICs     map[x12.InterchangeKey]bool
	dupGroups  map[x12.GroupKey]bool
	warnedICs  map[x12.InterchangeKey]bool
	warnGroups map[x12.GroupKey]bool
}

func (d *dupPolicy) CheckInterchange(ctx context.Context, k x12.InterchangeKey) (bool, error) {
	seen, err := d.d.CheckInterchange(ctx, k)
	if err != nil {
		return false, err
	}
	d.icClaims[k] = seen
	if !seen {
		return false, nil
	}
	switch d.ic {
	case "accept":
		return false, nil
	case "warn":
		d.warnedICs[k] = true
		d.log.Warn("interchange control number received before; processed (duplicates.interchange: warn)", "isa13", k.Control)
		return false, nil
	}
	d.dupICs[k] = true
	return true, nil
}

func (d *dupPolicy) CheckGroup(ctx context.Context, k x12.GroupKey) (bool, error) {
	seen, err := d.d.CheckGroup(ctx, k)
	if err != nil {
		return false, err
	}
	d.grpClaims[k] = seen
	if !seen {
		return false, nil
	}
	switch d.grp {
	case "accept":
		return false, nil
	case "reject":
		d.dupGroups[k] = true
	default:
		d.warnGroups[k] = true
	}
	return true, nil // noted in the acknowledgment (AK905)
}

// claim claims, with the store's Claim in tx, the keys read for r (all
// when r is nil), and forgets them: the answers must be the ones the
// reading was given, or the interchange's statuses would be wrong.
func (d *dupPolicy) claim(ctx context.Context, c x12.Duplicates, r *x12.InterchangeResult) error {
	changed := func(key string) error {
		return retryable(fmt.Errorf("the inbound control-number ledger changed for %s while the file was read "+
			"(another file with the same control number?): reading it again", key))
	}
	for k, want := range d.icClaims {
		if r != nil && k != r.Interchange.Key() {
			continue
		}
		if seen, err := c.CheckInterchange(ctx, k); err != nil {
			return err
		} else if seen != want {
			return changed("interchange " + k.Control)
		}
	}
	for k, want := range d.grpClaims {
		if r != nil && !hasGroup(r, k) {
			continue
		}
		if seen, err := c.CheckGroup(ctx, k); err != nil {
			return err
		} else if seen != want {
			return changed("group " + k.Control)
		}
	}
	return nil
}

// claimed forgets the claims of r once its transaction committed.
func (d *dupPolicy) claimed(r *x12.InterchangeResult) {
	delete(d.icClaims, r.Interchange.Key())
	for _, g := range r.Groups {
		if g.Group != nil {
			delete(d.grpClaims, g.Group.Key())
		}
	}
}

func hasGroup(r *x12.InterchangeResult, k x12.GroupKey) bool {
	for _, g := range r.Groups {
		if g.Group != nil && g.Group.Key() == k {
			return true
		}
	}
	return false
}

// ackKey names a set of an inbound acknowledgment.
func ackKey(ic, gs, st string) string { return ic + "|" + gs + "|" + st }

// ingestX12 records every interchange of the file, each in its own
// transaction with its acknowledgment; interchanges recorded by an
// earlier run of the job are skipped.
//
// readErr is what stopped the reading of the file (a syntax error): the
// interchanges before it are recorded, and the file carries the error.
func (p *Pipeline) ingestX12(ctx context.Context, f store.Message, prof *partner.Profile, data []byte, replay bool, log *slog.Logger) (readErr, err error) {
	kit, err := p.kit(prof)
	if err != nil {
		return nil, err
	}
	lin, err := p.st.Lineage(ctx, f.ID)
	if err != nil {
		return nil, err
	}
	done := map[string]bool{}
	for _, m := range lin {
		if m.Kind == store.KindInterchange {
			done[m.Ref] = true
		}
	}
	dup := &dupPolicy{d: p.st.Peek(f.SHA256), ic: prof.Duplicates.Interchange, grp: prof.Duplicates.Group, log: log,
		icClaims: map[x12.InterchangeKey]bool{}, grpClaims: map[x12.GroupKey]bool{},
		dupICs: map[x12.InterchangeKey]bool{}, dupGroups: map[x12.GroupKey]bool{},
		warnedICs: map[x12.InterchangeKey]bool{}, warnGroups: map[x12.GroupKey]bool{}}
	opts := append(append([]x12.DecoderOption{}, kit.opts...), x12.WithDuplicates(ctx, dup))
	d := x12.NewDecoderBytes(data, opts...)
	acks := map[string]*x12.AckReport{}
	validate := func(s *x12.Set) *x12.SetResult {
		r := kit.validator.Validate(s)
		if (s.ID == "997" || s.ID == "999") && s.Group != nil && s.Interchange != nil {
			if rep, err := x12.ReadAck(s.Segments); err == nil {
				acks[ackKey(s.Interchange.Control, s.Group.Control, s.Control)] = rep
			} else {
				log.Warn("inbound acknowledgment cannot be read", "set", s.Control, "err", err)
			}
		}
		return r
	}
	icIndex, setIndex := 0, 0
	procErr := x12.Process(d, validate, func(r *x12.InterchangeResult) error {
		icIndex++
		first := setIndex
		for _, g := range r.Groups {
			setIndex += len(g.Sets)
		}
		ref := "ic:" + strconv.Itoa(icIndex)
		if done[ref] {
			dup.claimed(r) // by the run that recorded it
			return nil
		}
		return p.recordInterchange(ctx, f, prof, r, ref, first, acks, dup, replay, log)
	})
	if len(dup.icClaims)+len(dup.grpClaims) > 0 && (procErr == nil || errclass.Of(procErr) != errclass.Retryable) {
		// Keys read in an interchange that was not recorded (the file
		// breaks off in it) are claimed all the same, as when the reading
		// claimed them itself: a resend of that interchange is a resend.
		if err := p.st.WithTx(ctx, func(tx store.Tx) error { return dup.claim(ctx, tx.Claim(f.SHA256), nil) }); err != nil {
			return nil, err
		}
	}
	if procErr != nil {
		var se *x12.SyntaxError
		if errors.As(procErr, &se) || errclass.Of(procErr) != errclass.Retryable {
			log.Warn("file could not be read to the end", "err", procErr)
			return errclass.With(procErr, errclass.Permanent), nil
		}
		return nil, procErr
	}
	return nil, nil
}

// txControls allocates control numbers inside the acknowledgment's
// transaction and remembers the interchange number.
type txControls struct {
	tx  store.Tx
	isa int64
}

func (c *txControls) Next(ctx context.Context, key x12.ControlKey) (int64, error) {
	n, err := c.tx.Next(ctx, key)
	if key.Kind == x12.KindISA {
		c.isa = n
	}
	return n, err
}

// recordInterchange writes an interchange's lineage and acknowledgment
// in one transaction.
func (p *Pipeline) recordInterchange(ctx context.Context, f store.Message, prof *partner.Profile, r *x12.InterchangeResult,
	ref string, first int, acks map[string]*x12.AckReport, dup *dupPolicy, replay bool, log *slog.Logger) error {
	ic := r.Interchange
	log = log.With("isa13", ic.Control)
	counts := map[store.Status]int{}
	var ackMsg store.Message
	typ, ackOK := ackType(prof)
	err := p.st.WithTx(ctx, func(tx store.Tx) error {
		clear(counts)
		ackMsg = store.Message{}
		icStatus := store.StatusAccepted
		var icErr string
		for _, pr := range ic.Problems {
			icErr += fmt.Sprintf("TA1 %s: %s; ", pr.Code, pr.Message)
		}
		switch {
		case dup.dupICs[ic.Key()]:
			icStatus = store.StatusDuplicate
		case ic.Rejected():
			icStatus = store.StatusRejected
		}
		icMsg, err := tx.AddMessage(ctx, store.Message{ParentID: f.ID, Kind: store.KindInterchange, Status: icStatus,
			DocType: "ISA", Control: ic.Control, Ref: ref, Error: strings.TrimSuffix(icErr, "; ")})
		if err != nil {
			return err
		}
		idx := first
		for _, g := range r.Groups {
			parent := icMsg.ID
			gStatus := icStatus
			if g.Group != nil {
				if gStatus == store.StatusAccepted && dup.dupGroups[g.Group.Key()] {
					gStatus = store.StatusDuplicate
				}
				var gErr string
				for _, pr := range g.Group.Problems {
					gErr += fmt.Sprintf("AK905 %s: %s; ", pr.Code, pr.Message)
				}
				gm, err := tx.AddMessage(ctx, store.Message{ParentID: icMsg.ID, Kind: store.KindGroup, Status: gStatus,
					DocType: g.Group.FunctionalID, Control: g.Group.Control, Error: strings.TrimSuffix(gErr, "; ")})
				if err != nil {
					return err
				}
				parent = gm.ID
			}
			for _, s := range g.Sets {
				idx++
				st := gStatus
				var sErr string
				if st == store.StatusAccepted && s.Status == x12.Rejected {
					st = store.StatusRejected
				}
				if s.Status == x12.Rejected || s.Status == x12.AcceptedWithErrors {
					var codes []string
					for _, c := range s.Codes {
						codes = append(codes, string(c))
					}
					for i := range s.Segments {
						if i == 5 {
							break
						}
						codes = append(codes, s.Segments[i].Describe())
					}
					sErr = "AK5 " + string(s.Status) + ": " + strings.Join(codes, "; ")
				}
				isAck := g.Group != nil && g.Group.FunctionalID == "FA"
				var rep *x12.AckReport
				if isAck && st == store.StatusAccepted {
					rep = acks[ackKey(ic.Control, g.Group.Control, s.Control)]
					st = store.StatusDone
				}
				sm, err := tx.AddMessage(ctx, store.Message{ParentID: parent, Kind: store.KindSet, Status: st, DocType: s.ID,
					Control: s.Control, Ref: "set:" + strconv.Itoa(idx), Error: sErr})
				if err != nil {
					return err
				}
				counts[st]++
				if rep != nil {
					if err := p.reconcile(ctx, tx, prof.ID, rep, sm.ID, log); err != nil {
						return err
					}
				}
			}
		}
		if err := dup.claim(ctx, tx.Claim(f.SHA256), r); err != nil {
			return err
		}
		if replay || !ackOK {
			return nil
		}
		ctl := &txControls{tx: tx}
		opts := p.ackOptions(prof, ic, typ)
		opts.Controls = ctl
		b, err := x12.BuildAck(ctx, r, opts)
		if err != nil {
			return errclass.With(fmt.Errorf("building the acknowledgment: %w", err), errclass.Permanent)
		}
		if b == nil {
			return nil
		}
		sum, err := p.archive.Put(b)
		if err != nil {
			return err
		}
		if err := p.archive.index(ctx, tx, sum, int64(len(b))); err != nil {
			return err
		}
		docType := string(typ)
		ackMsg, err = tx.AddMessage(ctx, store.Message{ParentID: icMsg.ID, Kind: store.KindAck, Direction: store.Outbound,
			Status: store.StatusAccepted, DocType: docType, Control: strconv.FormatInt(ctl.isa, 10), SHA256: sum})
		if err != nil {
			return err
		}
		return p.insert(ctx, tx, SendArgs{Message: ackMsg.ID})
	})
	if err != nil {
		return err
	}
	dup.claimed(r)
	for st, n := range counts {
		p.m.Sets.WithLabelValues(prof.ID, string(st)).Add(float64(n))
	}
	log.Debug("interchange recorded", "accepted", counts[store.StatusAccepted], "rejected", counts[store.StatusRejected],
		"duplicate", counts[store.StatusDuplicate], "ack", ackMsg.ID)
	return nil
}

// ackOptions are the acknowledgment options for an interchange, without
// control numbers (the transaction allocates them).
func (p *Pipeline) ackOptions(prof *partner.Profile, ic *x12.Interchange, typ x12.AckType) x12.AckOptions {
	opts := x12.AckOptions{Type: typ, Partner: prof.ID, Now: p.cfg.Now}
	if u := prof.Us.X12; u != nil {
		gs := u.GS
		if gs == "" {
			gs = u.ID
		}
		opts.Identity = &x12.AckIdentity{SenderQualifier: u.Qualifier, SenderID: u.ID, AppSender: gs}
	}
	if t := ic.Delimiters.Segment; t != '\n' && t != '\r' {
		opts.LineBreak = "\n"
	}
	return opts
}

// ackType is the acknowledgment the partner wants for X12.
func ackType(prof *partner.Profile) (x12.AckType, bool) {
	switch prof.Acks.Send {
	case "997", "":
		return x12.Ack997, true
	case "999":
		return x12.Ack999, true
	}
	if prof.Acks.TA1 == "always" {
		return x12.AckTA1, true
	}
	return "", false
}
