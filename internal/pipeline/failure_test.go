package pipeline

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/b2bgw/b2bgw/internal/errclass"
	"github.com/b2bgw/b2bgw/internal/odoo/odoosim"
	"github.com/b2bgw/b2bgw/internal/store"
)

// TestFailures: Odoo outages (502s, dropped connections after commit,
// serialization failures) are retried with backoff and post exactly once;
// an order Odoo cannot take (unknown product) stops in the failed state
// with its error and class, and a replay runs it again, recorded.
func TestFailures(t *testing.T) {
	for _, db := range databases {
		t.Run(db.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, db.dsn(t))
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			acme := odoosim.AcmeGLN
			// An outage longer than the client's own retries (4 tries) on the
			// customer lookup, before anything is reserved or created.
			b.sim.Inject(odoosim.Fault{Model: "res.partner", Kind: odoosim.HTTPStatus, Status: 502, Times: 6})
			b.sim.Inject(odoosim.Fault{Model: "sale.order", Method: "create", Kind: odoosim.DropConnection, AfterCommit: true, Times: 1})
			b.sim.Inject(odoosim.Fault{Model: "ir.model.data", Kind: odoosim.SerializationFailure, Times: 1})
			unknown := strings.Replace(order(2, "PO-BAD", acme), "SKU-1004", "SKU-9999", 1)
			b.drop("acme-retail", "f1.x12", interchange("ACMERETAIL", 3001, "P", "1200", order(1, "PO-F1", acme), unknown))
			p := b.start(ctx)
			defer p.Stop(context.Background())
			must(t, p.PollNow(ctx))

			var bad []store.Message
			waitUntil(t, 60*time.Second, func() bool {
				var err error
				bad, err = b.st.Messages(ctx, store.MessageFilter{Status: store.StatusFailed, Kind: store.KindDocument})
				must(t, err)
				posted, err := b.st.Messages(ctx, store.MessageFilter{Status: store.StatusPosted, Kind: store.KindDocument})
				must(t, err)
				return len(bad) == 1 && len(posted) == 1
			})
			if !strings.Contains(b.logs.String(), "document not posted yet; retrying") {
				t.Error("the outage outlasting the client's own retries did not go through the job's backoff")
			}
			if got := b.orders(ctx); got["PO-F1"] != 1 || got["PO-BAD"] != 0 {
				t.Errorf("orders after faults: %v, want exactly one PO-F1", got)
			}
			if bad[0].DocNumber != "PO-BAD" || bad[0].ErrorClass != errclass.RejectsSet.String() ||
				!strings.Contains(bad[0].Error, "unknown_product") {
				t.Errorf("dead letter: %+v", bad[0])
			}
			set, err := b.st.Message(ctx, bad[0].ParentID)
			must(t, err)
			if set.Status != store.StatusFailed || set.Kind != store.KindSet {
				t.Errorf("the failed document's set: %+v", set)
			}

			// A replay runs it again: still unknown, failed again, and the
			// replay is in the history.
			res, err := Replay(ctx, b.st, p.jobs, bad[0].ID, "")
			must(t, err)
			if res.Step != StepPost || len(res.Messages) != 1 {
				t.Fatalf("replay: %+v", res)
			}
			waitUntil(t, 30*time.Second, func() bool {
				m, err := b.st.Message(ctx, bad[0].ID)
				must(t, err)
				return m.Status == store.StatusFailed && m.UpdatedAt.After(bad[0].UpdatedAt)
			})
			evs, err := b.st.Events(ctx, bad[0].ID)
			must(t, err)
			var hist []string
			for _, e := range evs {
				hist = append(hist, string(e.Status))
			}
			if got := strings.Join(hist, ","); got != "translated,failed,translated,failed" {
				t.Errorf("history %s, want translated,failed,translated,failed", got)
			}
			if !strings.Contains(evs[2].Error, "replayed from step post") {
				t.Errorf("the replay is not recorded: %+v", evs[2])
			}
			if got := b.orders(ctx); got["PO-F1"] != 1 {
				t.Errorf("orders after replay: %v", got)
			}
		})
	}
}

func waitUntil(t *testing.T, d time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if ok() {
			return
		}
		time.Sleep(30 * time.Millisecond)
	}
	t.Fatalf("condition not met within %s", d)
}

// TestAbandon: a stop whose timeout ends while a post waits on a slow
// Odoo cancels the job; a new client works it again and posts once.
func TestAbandon(t *testing.T) {
	for _, db := range databases {
		t.Run(db.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, db.dsn(t))
			b.cfg.StopTimeout = 200 * time.Millisecond
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			b.sim.Inject(odoosim.Fault{Model: "sale.order", Method: "create", Kind: odoosim.Latency, Delay: 2 * time.Second, Times: 1})
			b.drop("acme-retail", "s1.x12", interchange("ACMERETAIL", 4001, "P", "1200", order(1, "PO-S1", odoosim.AcmeGLN)))
			p1 := b.start(ctx)
			must(t, p1.PollNow(ctx))
			waitUntil(t, 30*time.Second, func() bool {
				ms, err := b.st.Messages(ctx, store.MessageFilter{Kind: store.KindDocument})
				must(t, err)
				return len(ms) == 1
			})
			time.Sleep(300 * time.Millisecond) // the post is in Odoo's slow create now
			must(t, p1.Stop(ctx))
			if !strings.Contains(b.logs.String(), "cancelling them") {
				t.Error("the stop did not cancel the running post")
			}
			p2 := b.start(ctx)
			defer p2.Stop(context.Background())
			b.waitSettled(ctx, p2, 60*time.Second)
			if got := b.orders(ctx); got["PO-S1"] != 1 {
				t.Errorf("orders: %v, want one PO-S1", got)
			}
		})
	}
}
