package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path"
	"strconv"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/b2bgw/b2bgw/internal/canonical"
	"github.com/b2bgw/b2bgw/internal/edifact"
	"github.com/b2bgw/b2bgw/internal/errclass"
	"github.com/b2bgw/b2bgw/internal/mapping"
	"github.com/b2bgw/b2bgw/internal/odoo"
	"github.com/b2bgw/b2bgw/internal/partner"
	"github.com/b2bgw/b2bgw/internal/store"
	"github.com/b2bgw/b2bgw/internal/transport"
	"github.com/b2bgw/b2bgw/internal/x12"
	"github.com/b2bgw/b2bgw/mappings"
)

// SendArgs delivers one outbound message (an acknowledgment or a feed)
// to the partner's outbound mailbox.
type SendArgs struct {
	Message int64 `json:"message"`
}

// Kind implements river.JobArgs.
func (SendArgs) Kind() string { return "send" }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (SendArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: QueueOutbound} }

type sendWorker struct {
	river.WorkerDefaults[SendArgs]
	p *Pipeline
}

// outbox picks the outbound mailbox for a document type.
func outbox(prof *partner.Profile, docType string) *partner.Outbound {
	id := ""
	for _, d := range prof.Documents {
		if d.Direction == "out" && d.Type == docType {
			id = d.Mailbox
		}
	}
	if prof.ATP != nil && prof.ATP.Mailbox != "" && docType == atpDocType(prof.ATP.Format) {
		id = prof.ATP.Mailbox
	}
	return prof.Outbox(id)
}

func (w *sendWorker) Work(ctx context.Context, job *river.Job[SendArgs]) error {
	p := w.p
	m, err := p.st.Message(ctx, job.Args.Message)
	if err != nil {
		return err
	}
	if m.Status != store.StatusAccepted {
		return nil
	}
	log := p.log.With("correlation_id", m.CorrelationID, "partner", m.Partner, "message_id", m.ID, "doc_type", m.DocType,
		"control", m.Control)
	fail := func(cause error) error {
		log.Error("outbound document not delivered", "err", cause, "class", errclass.Of(cause).String())
		return p.st.WithTx(ctx, func(tx store.Tx) error {
			if err := tx.SetStatus(ctx, m.ID, store.StatusFailed, cause); err != nil {
				return err
			}
			return complete(ctx, tx, job)
		})
	}
	prof, ok := p.cfg.Partners.Get(m.Partner)
	if !ok {
		return fail(errclass.With(fmt.Errorf("partner %q has no profile", m.Partner), errclass.Permanent))
	}
	ob := outbox(prof, m.DocType)
	if ob == nil {
		return fail(errclass.With(fmt.Errorf("partner %s has no outbound mailbox for %s: add one under mailboxes.outbound", prof.ID, m.DocType), errclass.Permanent))
	}
	tmpl, err := transport.ParseNameTemplate(ob.Name)
	if err != nil {
		return fail(errclass.With(err, errclass.Permanent))
	}
	// Every name input is stored, so a retry uploads under the same name
	// (and the uploader then finds its own file and writes nothing).
	name, err := tmpl.Execute(transport.NameVars{Partner: prof.ID, Control: m.Control, DocType: m.DocType,
		Time: m.CreatedAt, Seq: m.ID})
	if err != nil {
		return fail(errclass.With(err, errclass.Permanent))
	}
	if ob.Dir != "" {
		name = path.Join(ob.Dir, name)
	}
	b, err := p.archive.Read(m.SHA256)
	if err != nil {
		return fail(errclass.With(err, errclass.Permanent))
	}
	mb, err := p.outMailbox(prof, ob, log)
	if err != nil {
		return fail(errclass.With(err, errclass.Permanent))
	}
	up := &transport.Uploader{Mailbox: mb, Partner: prof.ID, MailboxID: ob.ID, Overwrite: ob.Overwrite}
	res, err := up.Upload(ctx, name, bytes.NewReader(b))
	if err != nil {
		if errclass.IsRetryable(err) && !lastAttempt(job.JobRow) {
			return retryable(err)
		}
		return fail(err)
	}
	status := store.StatusDone // an acknowledgment: nothing more happens to it
	if m.Kind == store.KindDocument {
		status = store.StatusSent // a feed: waits for the partner's 997
		if prof.Acks.Expect == "" || prof.Acks.Expect == "none" {
			status = store.StatusDone
		}
	}
	var root store.Message
	err = p.st.WithTx(ctx, func(tx store.Tx) error {
		if err := tx.SetStatus(ctx, m.ID, status, nil); err != nil {
			return err
		}
		var err error
		if root, err = tx.Message(ctx, m.RootID); err != nil {
			return err
		}
		if err := p.settle(ctx, tx, m.ID); err != nil {
			return err
		}
		return complete(ctx, tx, job)
	})
	if err != nil {
		return err
	}
	p.m.AcksSent.WithLabelValues(prof.ID, m.DocType).Inc()
	if m.Kind == store.KindAck {
		p.m.AckLatency.Observe(time.Since(root.CreatedAt).Seconds())
	}
	log.Info("outbound document delivered", "mailbox", ob.ID, "name", name, "already_present", res.AlreadyPresent)
	return nil
}

// outMailbox returns the (cached) connection to an outbound mailbox.
func (p *Pipeline) outMailbox(prof *partner.Profile, ob *partner.Outbound, log *slog.Logger) (transport.Mailbox, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	key := "out/" + ob.ID
	if mb, ok := p.boxes[key]; ok {
		return mb, nil
	}
	mb, err := openMailbox(prof, ob.ID, ob.Transport, p.cfg.DataDir, log)
	if err != nil {
		return nil, err
	}
	p.boxes[key] = mb
	return mb, nil
}

// reconcile records a partner's 997/999 against the outbound documents
// that wait for it, and marks their messages acknowledged.
func (p *Pipeline) reconcile(ctx context.Context, tx store.Tx, partnerID string, rep *x12.AckReport, ackMsgID int64, log *slog.Logger) error {
	var n int64
	if len(rep.Sets) == 0 {
		k, err := tx.AckOutbound(ctx, store.AckMatch{Partner: partnerID, GroupControl: rep.GroupControl}, string(rep.Status), ackMsgID)
		if err != nil {
			return err
		}
		n += k
	}
	for _, s := range rep.Sets {
		k, err := tx.AckOutbound(ctx, store.AckMatch{Partner: partnerID, GroupControl: rep.GroupControl, SetControl: s.Control},
			string(s.Status), ackMsgID)
		if err != nil {
			return err
		}
		n += k
	}
	if n == 0 {
		log.Warn("partner acknowledgment matches nothing we wait for (never sent, or acknowledged already)",
			"group_control", rep.GroupControl, "status", rep.Status)
		return nil
	}
	sent, err := tx.Messages(ctx, store.MessageFilter{Partner: partnerID, Direction: store.Outbound, Kind: store.KindDocument,
		Status: store.StatusSent, Limit: 10_000})
	if err != nil {
		return err
	}
	for _, m := range sent {
		if m.Control != rep.GroupControl {
			continue
		}
		var cause error
		if rep.Status != x12.Accepted {
			cause = errclass.With(fmt.Errorf("the partner's %s says AK9 %s (%d of %d sets accepted)", rep.Type, rep.Status,
				rep.Accepted, rep.Included), errclass.Permanent)
		}
		if err := tx.SetStatus(ctx, m.ID, store.StatusAcknowledged, cause); err != nil {
			return err
		}
		log.Info("outbound document acknowledged by the partner", "message_id", m.ID, "doc_type", m.DocType,
			"group_control", m.Control, "status", rep.Status)
	}
	return nil
}

// ATPArgs builds and sends a partner's inventory feed.
type ATPArgs struct {
	Partner string `json:"partner"`
}

// Kind implements river.JobArgs.
func (ATPArgs) Kind() string { return "atp" }

// InsertOpts: one feed of a partner queued at a time.
func (ATPArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueOutbound, UniqueOpts: river.UniqueOpts{ByArgs: true,
		ByState: []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending,
			rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStateScheduled}}}
}

type atpWorker struct {
	river.WorkerDefaults[ATPArgs]
	p *Pipeline
}

func (w *atpWorker) Work(ctx context.Context, job *river.Job[ATPArgs]) error {
	p := w.p
	prof, ok := p.cfg.Partners.Get(job.Args.Partner)
	if !ok || prof.ATP == nil {
		return errclass.With(fmt.Errorf("partner %q has no ATP feed", job.Args.Partner), errclass.Permanent)
	}
	log := p.log.With("partner", prof.ID, "feed", "atp")
	standard := map[string]string{"846": "x12", "invrpt": "edifact", "csv": "csv"}[prof.ATP.Format]
	if standard == "" {
		return errclass.With(fmt.Errorf("ATP format %q is not built by the pipeline (846, invrpt and csv are)", prof.ATP.Format), errclass.Permanent)
	}
	set, err := mappings.Load()
	if err != nil {
		return err
	}
	tmpl := set.Template("InventoryAdvice", standard)
	if tmpl == nil {
		return errclass.With(fmt.Errorf("no built-in InventoryAdvice template writes %s", standard), errclass.Permanent)
	}
	var from, to [2]string
	if standard == "x12" {
		if prof.Us.X12 == nil || len(prof.Identities.X12) == 0 {
			return errclass.With(fmt.Errorf("partner %s: an 846 needs us.x12 and identities.x12", prof.ID), errclass.Permanent)
		}
		from = [2]string{prof.Us.X12.Qualifier, prof.Us.X12.ID}
		to = [2]string{prof.Identities.X12[0].Qualifier, prof.Identities.X12[0].ID}
	}
	if standard == "edifact" && (prof.Us.EDIFACT == nil || len(prof.Identities.EDIFACT) == 0) {
		return errclass.With(fmt.Errorf("partner %s: an INVRPT needs us.edifact (or the gateway's identity.edifact) and identities.edifact", prof.ID), errclass.Permanent)
	}
	start := time.Now()
	adv, err := p.cfg.Odoo.ATP(ctx, prof.OdooPolicy(), prof.ID)
	observe(p.m.OdooLatency.WithLabelValues("atp"), start)
	var de *odoo.DocumentError
	if err != nil && !(adv != nil && len(adv.Items) > 0 && errors.As(err, &de)) {
		return err
	}
	if err != nil {
		log.Warn("ATP feed without some products", "err", err)
	}
	now := p.cfg.Now()
	if adv.AdviceID == "" {
		adv.AdviceID = "ATP-" + now.UTC().Format("20060102-150405")
	}
	var msg store.Message
	err = p.st.WithTx(ctx, func(tx store.Tx) error {
		var buf bytes.Buffer
		// The acknowledgment names the feed by these: a 997 by GS06 and
		// ST02, a CONTRL by UNB 0020 and UNH 0062.
		var icControl, control, setControl string
		next := func(kind string) (int64, error) {
			return tx.Next(ctx, x12.ControlKey{Partner: prof.ID, Kind: kind})
		}
		switch standard {
		case "x12":
			var isa, gs, st int64
			var err error
			if isa, err = next(x12.KindISA); err != nil {
				return err
			}
			if gs, err = next(x12.KindGS); err != nil {
				return err
			}
			if st, err = next(x12.KindST); err != nil {
				return err
			}
			if err := write846(&buf, tmpl, adv, from, to, isa, gs, st, now); err != nil {
				return errclass.With(err, errclass.Permanent)
			}
			icControl, control, setControl = strconv.FormatInt(isa, 10), strconv.FormatInt(gs, 10), fmt.Sprintf("%04d", st)
		case "edifact":
			// The sequences the CONTRLs we send draw from: one series of
			// interchange references per partner.
			unb, err := next(edifact.RefInterchange)
			if err != nil {
				return err
			}
			unh, err := next(edifact.RefMessage)
			if err != nil {
				return err
			}
			icControl, setControl = strconv.FormatInt(unb, 10), strconv.FormatInt(unh, 10)
			control = icControl
			h, err := ediOutbound(prof, icControl, now)
			if err != nil {
				return errclass.With(err, errclass.Permanent)
			}
			if err := WriteINVRPT(&buf, tmpl, adv, h, setControl); err != nil {
				return errclass.With(fmt.Errorf("the INVRPT for partner %s: %w", prof.ID, err), errclass.Permanent)
			}
		default:
			if err := renderDoc(adv, func(t mapping.Tree) error { return tmpl.WriteCSV(&buf, t) }); err != nil {
				return errclass.With(err, errclass.Permanent)
			}
		}
		sum, err := p.archive.Put(buf.Bytes())
		if err != nil {
			return err
		}
		if err := p.archive.index(ctx, tx, sum, int64(buf.Len())); err != nil {
			return err
		}
		docType := atpDocType(prof.ATP.Format)
		msg, err = tx.AddMessage(ctx, store.Message{Kind: store.KindDocument, Direction: store.Outbound, Partner: prof.ID,
			Status: store.StatusAccepted, DocType: docType, DocNumber: adv.AdviceID, Control: control, SHA256: sum,
			CorrelationID: newCorrelationID()})
		if err != nil {
			return err
		}
		if standard != "csv" && prof.Acks.Expect != "" && prof.Acks.Expect != "none" {
			od := store.OutboundDoc{MessageID: msg.ID, Partner: prof.ID, Standard: standard, InterchangeControl: icControl,
				SetControl: setControl, DocType: docType, DocNumber: adv.AdviceID, SentAt: now}
			if standard == "x12" {
				od.GroupControl = control
			}
			if _, err := tx.TrackOutbound(ctx, od); err != nil {
				return err
			}
		}
		if err := p.insert(ctx, tx, SendArgs{Message: msg.ID}); err != nil {
			return err
		}
		return complete(ctx, tx, job)
	})
	if err != nil {
		return err
	}
	controlKey := "group_control"
	if standard == "edifact" {
		controlKey = "unb0020" // as the EDIFACT ingest logs it
	}
	log.Info("ATP feed built", "message_id", msg.ID, "correlation_id", msg.CorrelationID, "items", len(adv.Items),
		"advice", adv.AdviceID, controlKey, msg.Control)
	return nil
}

// atpDocType is the document type an ATP feed is stored and named under
// ({doctype} in outbound file names): the X12 set, the EDIFACT message
// type, or csv.
func atpDocType(format string) string {
	if format == "invrpt" {
		return "INVRPT"
	}
	return format
}

func renderDoc(d canonical.Document, write func(mapping.Tree) error) error {
	if err := d.Validate(); err != nil {
		return err
	}
	js, err := json.Marshal(d)
	if err != nil {
		return err
	}
	v, err := mapping.ParseJSON(js)
	if err != nil {
		return err
	}
	return write(mapping.ValueTree(v))
}

// write846 envelopes an inventory advice as one X12 004010 interchange.
func write846(buf *bytes.Buffer, tmpl *mapping.Template, adv *canonical.InventoryAdvice, from, to [2]string,
	isa, gs, st int64, now time.Time) error {
	d := x12.DefaultDelimiters
	d.Repetition = 0 // 00401 has none
	w := x12.NewWriter(buf, d, x12.WithLineBreak("\n"))
	w.BeginInterchange(&x12.Interchange{SenderQualifier: from[0], SenderID: from[1], ReceiverQualifier: to[0], ReceiverID: to[1],
		Date: now.Format("060102"), Time: now.Format("1504"), Version: "00401", Control: strconv.FormatInt(isa, 10),
		AckRequested: "0", Usage: "P"})
	w.BeginGroup(&x12.Group{FunctionalID: "IB", AppSender: from[1], AppReceiver: to[1], Date: now.Format("20060102"),
		Time: now.Format("1504"), Control: strconv.FormatInt(gs, 10), Version: tmpl.Target.Version})
	if err := w.Err(); err != nil {
		return err
	}
	if err := renderDoc(adv, func(t mapping.Tree) error { return tmpl.WriteX12(w, t, fmt.Sprintf("%04d", st)) }); err != nil {
		return err
	}
	w.EndGroup()
	w.EndInterchange()
	return w.Flush()
}

// OverdueArgs checks outbound documents for overdue acknowledgments.
type OverdueArgs struct{}

// Kind implements river.JobArgs.
func (OverdueArgs) Kind() string { return "overdue" }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (OverdueArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueOutbound, UniqueOpts: river.UniqueOpts{ByArgs: true,
		ByState: []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending,
			rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStateScheduled}}}
}

type overdueWorker struct {
	river.WorkerDefaults[OverdueArgs]
	p *Pipeline
}

// OverdueQuery is the overdue check with every partner's threshold.
func (p *Pipeline) OverdueQuery() store.OverdueQuery {
	q := store.OverdueQuery{Default: 24 * time.Hour, PerPartner: map[string]time.Duration{}}
	for _, prof := range p.cfg.Partners.Profiles() {
		if prof.Acks.OverdueAfter > 0 {
			q.PerPartner[prof.ID] = prof.Acks.OverdueAfter
		}
	}
	return q
}

func (w *overdueWorker) Work(ctx context.Context, job *river.Job[OverdueArgs]) error {
	p := w.p
	ds, err := p.st.Overdue(ctx, p.OverdueQuery())
	if err != nil {
		return err
	}
	p.m.OverdueAcks.Set(float64(len(ds)))
	for i, d := range ds {
		if i == 20 {
			p.log.Warn("more overdue acknowledgments", "count", len(ds)-20)
			break
		}
		p.log.Warn("partner acknowledgment overdue: ask the partner whether the document arrived; resend with `b2bgw replay`",
			"partner", d.Partner, "doc_type", d.DocType, "doc_number", d.DocNumber, "interchange_control", d.InterchangeControl, "group_control", d.GroupControl,
			"sent_at", d.SentAt, "message_id", d.MessageID)
	}
	return nil
}
