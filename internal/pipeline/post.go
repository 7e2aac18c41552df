package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/riverqueue/river"

	"github.com/b2bgw/b2bgw/internal/canonical"
	"github.com/b2bgw/b2bgw/internal/errclass"
	"github.com/b2bgw/b2bgw/internal/odoo"
	"github.com/b2bgw/b2bgw/internal/store"
)

// PostArgs posts canonical documents (of one file) to Odoo.
type PostArgs struct {
	Documents []int64 `json:"documents"`
}

// Kind implements river.JobArgs.
func (PostArgs) Kind() string { return "post" }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (PostArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: QueuePost} }

type postWorker struct {
	river.WorkerDefaults[PostArgs]
	p *Pipeline
}

// outcome is what posting one document gave.
type outcome struct {
	msg     store.Message
	doc     canonical.Document
	results []odoo.Result
	err     error
	skipped string // why a document was deliberately not posted
}

func (w *postWorker) Work(ctx context.Context, job *river.Job[PostArgs]) error {
	p := w.p
	var outs []*outcome
	for _, id := range job.Args.Documents {
		m, err := p.st.Message(ctx, id)
		if err != nil {
			return err
		}
		if m.Status != store.StatusTranslated {
			continue // posted or failed by an earlier attempt
		}
		o := &outcome{msg: m}
		outs = append(outs, o)
		js, err := p.archive.Read(m.SHA256)
		if err != nil {
			o.err = errclass.With(err, errclass.Permanent)
			continue
		}
		if o.doc, err = canonical.Decode(js); err != nil {
			o.err = errclass.With(err, errclass.Permanent)
		}
	}
	if len(outs) == 0 {
		return nil
	}
	p.postAll(ctx, outs)

	last := lastAttempt(job.JobRow)
	again := 0
	err := p.st.WithTx(ctx, func(tx store.Tx) error {
		again = 0
		for _, o := range outs {
			switch {
			case o.skipped != "":
				if err := p.finishDoc(ctx, tx, o.msg, store.StatusDone, errors.New(o.skipped)); err != nil {
					return err
				}
			case o.err == nil:
				for _, r := range o.results {
					if _, err := tx.AddMessage(ctx, store.Message{ParentID: o.msg.ID, Kind: store.KindOdooRecord,
						Status: store.StatusPosted, DocType: r.Model, DocNumber: o.msg.DocNumber,
						Ref: r.Model + "," + strconv.FormatInt(r.ID, 10), Control: string(r.Action)}); err != nil {
						return err
					}
				}
				if err := p.finishDoc(ctx, tx, o.msg, store.StatusPosted, nil); err != nil {
					return err
				}
			case errclass.IsRetryable(o.err) && !last:
				again++
			default:
				if err := p.finishDoc(ctx, tx, o.msg, store.StatusFailed, o.err); err != nil {
					return err
				}
			}
		}
		if err := p.settle(ctx, tx, outs[0].msg.ID); err != nil {
			return err
		}
		if again > 0 {
			return nil
		}
		return complete(ctx, tx, job)
	})
	if err != nil {
		return err
	}
	var firstErr error
	for _, o := range outs {
		log := p.log.With("correlation_id", o.msg.CorrelationID, "partner", o.msg.Partner, "document_id", o.msg.ID,
			"doc_type", o.msg.DocType, "doc_number", o.msg.DocNumber)
		switch {
		case o.skipped != "":
			log.Info("document not posted", "reason", o.skipped)
		case o.err == nil:
			p.m.DocsPosted.WithLabelValues(o.msg.Partner).Inc()
			for _, r := range o.results {
				log.Info("document posted", "odoo_model", r.Model, "odoo_id", r.ID, "odoo_name", r.Name, "action", r.Action)
			}
		case errclass.IsRetryable(o.err) && !last:
			log.Warn("document not posted yet; retrying", "err", o.err, "attempt", job.Attempt)
			if firstErr == nil {
				firstErr = o.err
			}
		default:
			p.m.DocsFailed.WithLabelValues(o.msg.Partner, errclass.Of(o.err).String()).Inc()
			log.Error("document failed", "err", o.err, "class", errclass.Of(o.err).String(),
				"what_to_do", "fix the cause (master data, mapping, Odoo) and run `b2bgw replay "+strconv.FormatInt(o.msg.ID, 10)+" --from-step post`")
		}
	}
	if again > 0 {
		if allInProgress(outs, last) {
			// A reservation in Odoo blocks the document: another process
			// posts it, or one died mid-way and its lease (odoo.
			// ReservationLease) must run out. Waiting does not use up
			// attempts, and ends when the lease does.
			d := p.cfg.InProgressWait + time.Duration(randInt64(int64(p.cfg.InProgressWait/4)))
			p.log.Info("documents are being posted by another process or wait for a reservation lease; snoozing",
				"documents", again, "for", d)
			return river.JobSnooze(d)
		}
		return retryable(fmt.Errorf("%d document(s) wait for Odoo: %w", again, firstErr))
	}
	return nil
}

// allInProgress reports whether every document still waiting waits for
// an Odoo reservation held elsewhere.
func allInProgress(outs []*outcome, last bool) bool {
	for _, o := range outs {
		if o.err == nil || o.skipped != "" || !errclass.IsRetryable(o.err) || last {
			continue
		}
		var de *odoo.DocumentError
		if !errors.As(o.err, &de) || de.Problem != odoo.ProblemInProgress {
			return false
		}
	}
	return true
}

// finishDoc sets a document's final (or failed) status and its set's.
func (p *Pipeline) finishDoc(ctx context.Context, tx store.Tx, doc store.Message, st store.Status, cause error) error {
	if err := tx.SetStatus(ctx, doc.ID, st, cause); err != nil {
		return err
	}
	parent, err := tx.Message(ctx, doc.ParentID)
	if err != nil {
		return err
	}
	if parent.Kind == store.KindSet {
		return tx.SetStatus(ctx, parent.ID, st, cause)
	}
	return nil
}

// postAll posts documents with the Odoo flows: orders in one batch,
// catalog rows in one upsert, notices and advices one by one. Every flow
// is idempotent (partner + document number, external-id reservation), so
// a retry after a crash finds what the first try created.
func (p *Pipeline) postAll(ctx context.Context, outs []*outcome) {
	var orders []*canonical.Order
	var orderAt []*outcome
	var items []*canonical.CatalogItem
	var itemAt []*outcome
	for _, o := range outs {
		if o.err != nil {
			continue
		}
		meta := o.doc.DocMeta()
		prof, ok := p.cfg.Partners.Get(o.msg.Partner)
		if !ok {
			o.err = errclass.With(fmt.Errorf("partner %q has no profile", o.msg.Partner), errclass.Permanent)
			continue
		}
		pol := prof.OdooPolicy()
		if meta.Test && !pol.PostTestDocuments {
			// Not a failure: the partner's test run is accepted and
			// acknowledged, and deliberately kept out of Odoo.
			o.skipped = "test data (ISA15=T) is not posted to Odoo: the partner's policy does not set odoo.post_test_documents"
			continue
		}
		switch d := o.doc.(type) {
		case *canonical.Order:
			orders, orderAt = append(orders, d), append(orderAt, o)
		case *canonical.CatalogItem:
			items, itemAt = append(items, d), append(itemAt, o)
		case *canonical.ShipmentNotice:
			start := time.Now()
			o.results, o.err = p.cfg.Odoo.PostShipmentNotice(ctx, pol, d)
			observe(p.m.OdooLatency.WithLabelValues("shipment_notice"), start)
		case *canonical.WarehouseShippingAdvice:
			start := time.Now()
			r, err := p.cfg.Odoo.PostWarehouseShippingAdvice(ctx, pol, d)
			observe(p.m.OdooLatency.WithLabelValues("warehouse_shipping_advice"), start)
			o.results, o.err = []odoo.Result{r}, err
		default:
			o.skipped = fmt.Sprintf("%s documents are not posted to Odoo", meta.Kind)
		}
	}
	if len(orders) > 0 {
		prof, _ := p.cfg.Partners.Get(orderAt[0].msg.Partner)
		start := time.Now()
		rs, errs := p.cfg.Odoo.PostOrders(ctx, prof.OdooPolicy(), orders)
		observe(p.m.OdooLatency.WithLabelValues("orders"), start)
		for i, o := range orderAt {
			o.results, o.err = []odoo.Result{rs[i]}, errs[i]
		}
	}
	if len(items) > 0 {
		prof, _ := p.cfg.Partners.Get(itemAt[0].msg.Partner)
		start := time.Now()
		sum, err := p.cfg.Odoo.PostCatalog(ctx, prof.OdooPolicy(), items)
		observe(p.m.OdooLatency.WithLabelValues("catalog"), start)
		for i, o := range itemAt {
			switch {
			case err != nil:
				o.err = err
			case sum.Errors[i] != nil:
				o.err = sum.Errors[i]
			default:
				o.results = []odoo.Result{sum.Results[i]}
			}
		}
	}
	for _, o := range outs {
		if o.err != nil && o.results != nil {
			o.results = nil
		}
	}
}
