package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/riverqueue/river"

	"github.com/b2bgw/b2bgw/internal/errclass"
	"github.com/b2bgw/b2bgw/internal/store"
)

func testMigrate(t *testing.T, h Harness) {
	ctx := context.Background()
	dsn := h.NewDSN(t)
	// Three instances starting at once on an empty database.
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		s := Open(t, dsn, false)
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.Migrate(ctx)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("concurrent Migrate %d: %v", i, err)
		}
	}
	s := Open(t, dsn, true) // and once more: idempotent
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("Migrate again: %v", err)
	}
	// The schema works after all that.
	if _, err := s.Next(ctx, ctlKey("acme", "ISA")); err != nil {
		t.Fatal(err)
	}
	// A database from a newer b2bgw is refused, not used.
	if err := s.WithTx(ctx, func(tx store.Tx) error {
		_, err := tx.AddMessage(ctx, store.Message{Kind: store.KindFile})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := markNewerSchema(ctx, s); err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx); !errors.Is(err, store.ErrSchemaTooNew) || errclass.Of(err) != errclass.Permanent {
		t.Fatalf("Migrate on a newer schema = %v, want ErrSchemaTooNew (permanent)", err)
	}
}

// markNewerSchema records a migration this build does not know, through
// the transaction handles the store exposes.
func markNewerSchema(ctx context.Context, s *store.DB) error {
	const q = `INSERT INTO b2bgw_migrations (version, name, applied_ns) VALUES (9999, 'future', 0)`
	return s.WithTx(ctx, func(tx store.Tx) error {
		if tx.SQLTx() != nil {
			_, err := tx.SQLTx().ExecContext(ctx, q)
			return err
		}
		_, err := tx.PgxTx().Exec(ctx, q)
		return err
	})
}

func testMessages(t *testing.T, h Harness) {
	b := setup(t, h)
	ctx, s := b.ctx, b.s
	file := must(s.AddMessage(ctx, store.Message{Kind: store.KindFile, Partner: "acme", Direction: store.Inbound,
		Ref: "inbox/po1.x12", SHA256: "aa11", CorrelationID: "c-1"}))
	if file.RootID != file.ID || file.Status != store.StatusReceived || file.CreatedAt.IsZero() {
		t.Fatalf("root = %+v", file)
	}
	// file → interchange → group → set → document → Odoo record, and our ack under the set.
	chain := []store.Message{
		{Kind: store.KindInterchange, Control: "000000101"},
		{Kind: store.KindGroup, Control: "101"},
		{Kind: store.KindSet, DocType: "850", Control: "0001", DocNumber: "PO-42"},
		{Kind: store.KindDocument, DocType: "Order", DocNumber: "PO-42", Status: store.StatusTranslated},
		{Kind: store.KindOdooRecord, Ref: "sale.order,7", Status: store.StatusPosted},
	}
	parent := file
	var set store.Message
	for _, m := range chain {
		m.ParentID = parent.ID
		parent = must(s.AddMessage(ctx, m))
		if parent.Kind == store.KindSet {
			set = parent
		}
	}
	ack := must(s.AddMessage(ctx, store.Message{Kind: store.KindAck, ParentID: set.ID, Direction: store.Outbound,
		DocType: "997", Status: store.StatusSent}))

	tests := []struct {
		name  string
		check func(t *testing.T)
	}{
		{"children inherit partner, direction, correlation", func(t *testing.T) {
			m := must(s.Message(ctx, set.ID))
			if m.Partner != "acme" || m.Direction != store.Inbound || m.CorrelationID != "c-1" || m.RootID != file.ID {
				t.Errorf("set = %+v", m)
			}
			if a := must(s.Message(ctx, ack.ID)); a.Direction != store.Outbound {
				t.Errorf("explicit direction lost: %+v", a)
			}
		}},
		{"lineage from any node is the whole tree in order", func(t *testing.T) {
			for _, id := range []int64{file.ID, set.ID, ack.ID} {
				l := must(s.Lineage(ctx, id))
				if len(l) != 7 || l[0].ID != file.ID || l[5].Kind != store.KindOdooRecord || l[6].ID != ack.ID {
					t.Errorf("Lineage(%d) = %d messages: %+v", id, len(l), l)
				}
			}
		}},
		{"status change with a classified error, and history", func(t *testing.T) {
			cause := errclass.With(errors.New("odoo timeout"), errclass.Retryable)
			if err := s.SetStatus(ctx, parent.ID, store.StatusFailed, cause); err != nil {
				t.Fatal(err)
			}
			m := must(s.Message(ctx, parent.ID))
			if m.Status != store.StatusFailed || m.Error != "odoo timeout" || m.ErrorClass != "retryable" {
				t.Errorf("failed message = %+v", m)
			}
			if err := s.SetStatus(ctx, parent.ID, store.StatusPosted, nil); err != nil {
				t.Fatal(err)
			}
			es := must(s.Events(ctx, parent.ID))
			if len(es) != 3 || es[0].Status != store.StatusPosted || es[1].Status != store.StatusFailed ||
				es[1].ErrorClass != "retryable" || es[2].Status != store.StatusPosted || es[2].Error != "" {
				t.Errorf("events = %+v", es)
			}
		}},
		{"doc number set later", func(t *testing.T) {
			if err := s.SetDocNumber(ctx, file.ID, "PO-42"); err != nil {
				t.Fatal(err)
			}
			if m := must(s.Message(ctx, file.ID)); m.DocNumber != "PO-42" {
				t.Errorf("doc number = %q", m.DocNumber)
			}
		}},
		{"unknown ids are ErrNotFound", func(t *testing.T) {
			for name, err := range map[string]error{
				"Message":      func() error { _, err := s.Message(ctx, 999999); return err }(),
				"Lineage":      func() error { _, err := s.Lineage(ctx, 999999); return err }(),
				"SetStatus":    s.SetStatus(ctx, 999999, store.StatusDone, nil),
				"SetDocNumber": s.SetDocNumber(ctx, 999999, "x"),
				"AddMessage": func() error {
					_, err := s.AddMessage(ctx, store.Message{Kind: store.KindSet, ParentID: 999999})
					return err
				}(),
				"MarkPostDone": s.MarkPostDone(ctx, 999999),
				"Pickup":       func() error { _, err := s.Pickup(ctx, 999999); return err }(),
				"Archived":     func() error { _, err := s.Archived(ctx, "ffff"); return err }(),
				"HoldArchive":  s.HoldArchive(ctx, "ffff", true),
			} {
				if !errors.Is(err, store.ErrNotFound) || errclass.Of(err) != errclass.Permanent {
					t.Errorf("%s: %v, want ErrNotFound (permanent)", name, err)
				}
			}
		}},
		{"invalid input is ErrInvalid", func(t *testing.T) {
			for name, err := range map[string]error{
				"no kind":        func() error { _, err := s.AddMessage(ctx, store.Message{}); return err }(),
				"unknown status": s.SetStatus(ctx, file.ID, "lost", nil),
			} {
				if !errors.Is(err, store.ErrInvalid) {
					t.Errorf("%s: %v, want ErrInvalid", name, err)
				}
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer catch(t)
			tc.check(t)
		})
	}
}

func testMessageFilters(t *testing.T, h Harness) {
	b := setup(t, h)
	ctx, s := b.ctx, b.s
	add := func(partner string, st store.Status, po string) store.Message {
		f := must(s.AddMessage(ctx, store.Message{Kind: store.KindFile, Partner: partner}))
		return must(s.AddMessage(ctx, store.Message{Kind: store.KindSet, ParentID: f.ID, DocType: "850",
			DocNumber: po, Status: st}))
	}
	a1 := add("acme", store.StatusPosted, "PO-1")
	a2 := add("acme", store.StatusFailed, "PO-2")
	g1 := add("globex", store.StatusFailed, "PO-1")
	tests := []struct {
		name string
		f    store.MessageFilter
		want []int64 // newest first
	}{
		{"partner", store.MessageFilter{Partner: "acme", Kind: store.KindSet}, []int64{a2.ID, a1.ID}},
		{"status failed", store.MessageFilter{Status: store.StatusFailed}, []int64{g1.ID, a2.ID}},
		{"po across partners", store.MessageFilter{DocNumber: "PO-1"}, []int64{g1.ID, a1.ID}},
		{"partner and po", store.MessageFilter{Partner: "acme", DocNumber: "PO-1"}, []int64{a1.ID}},
		{"kind and paging", store.MessageFilter{Kind: store.KindSet, BeforeID: g1.ID, Limit: 1}, []int64{a2.ID}},
		{"doc type and direction", store.MessageFilter{DocType: "850", Direction: store.Inbound, Limit: 2}, []int64{g1.ID, a2.ID}},
		{"nothing", store.MessageFilter{Partner: "nobody"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer catch(t)
			ms := must(s.Messages(ctx, tc.f))
			var got []int64
			for _, m := range ms {
				got = append(got, m.ID)
			}
			if !equalIDs(got, tc.want) {
				t.Errorf("Messages(%+v) = %v, want %v", tc.f, got, tc.want)
			}
		})
	}
}

func equalIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func testTransactions(t *testing.T, h Harness) {
	b := setup(t, h)
	ctx, s := b.ctx, b.s
	boom := errors.New("boom")
	tests := []struct {
		name      string
		fnErr     error
		wantFound bool
	}{
		{"commit keeps the writes", nil, true},
		{"an error rolls everything back and comes back unchanged", boom, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer catch(t)
			var id int64
			err := s.WithTx(ctx, func(tx store.Tx) error {
				m, err := tx.AddMessage(ctx, store.Message{Kind: store.KindFile, Partner: "acme"})
				if err != nil {
					return err
				}
				id = m.ID
				// Reads inside the transaction see its own writes.
				if _, err := tx.Message(ctx, id); err != nil {
					return err
				}
				if _, err := tx.Lineage(ctx, id); err != nil {
					return err
				}
				return tc.fnErr
			})
			if err != tc.fnErr { //nolint:errorlint // the very same error must come back
				t.Fatalf("WithTx = %v, want %v", err, tc.fnErr)
			}
			_, err = s.Message(ctx, id)
			if found := err == nil; found != tc.wantFound {
				t.Errorf("message found after WithTx = %v (%v), want %v", found, err, tc.wantFound)
			}
		})
	}
	t.Run("a panic rolls back and propagates", func(t *testing.T) {
		defer catch(t)
		var id int64
		func() {
			defer func() {
				if recover() == nil {
					t.Error("panic swallowed")
				}
			}()
			_ = s.WithTx(ctx, func(tx store.Tx) error {
				m, err := tx.AddMessage(ctx, store.Message{Kind: store.KindFile})
				if err != nil {
					return err
				}
				id = m.ID
				panic("bug")
			})
		}()
		if _, err := s.Message(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("message of a panicked tx: %v", err)
		}
		// The store is still usable (the connection went back to the pool).
		if _, err := s.Next(ctx, ctlKey("acme", "GS")); err != nil {
			t.Fatal(err)
		}
	})
}

// noopArgs is a River job for the transactional-outbox test.
type noopArgs struct {
	MessageID int64 `json:"message_id"`
}

func (noopArgs) Kind() string { return "b2bgw_storetest_noop" }

func testRiverJobsInTx(t *testing.T, h Harness) {
	b := setup(t, h)
	ctx, s := b.ctx, b.s
	jobs, err := s.Jobs(nil)
	if err != nil {
		t.Fatal(err)
	}
	count := func() int {
		t.Helper()
		p := river.NewJobListParams().Kinds(noopArgs{}.Kind()).First(1000)
		var n int
		if c := jobs.SQLite(); c != nil {
			res, err := c.JobList(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			n = len(res.Jobs)
		} else {
			res, err := jobs.Postgres().JobList(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			n = len(res.Jobs)
		}
		return n
	}
	tests := []struct {
		name     string
		rollback bool
		want     int
	}{
		{"job commits with the state change", false, 1},
		{"job rolls back with the state change", true, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer catch(t)
			errRollback := errors.New("roll back")
			err := s.WithTx(ctx, func(tx store.Tx) error {
				m, err := tx.AddMessage(ctx, store.Message{Kind: store.KindFile, Partner: "acme"})
				if err != nil {
					return err
				}
				if _, err := jobs.InsertTx(ctx, tx, noopArgs{MessageID: m.ID}, nil); err != nil {
					return err
				}
				if tc.rollback {
					return errRollback
				}
				return nil
			})
			if tc.rollback != errors.Is(err, errRollback) || (!tc.rollback && err != nil) {
				t.Fatalf("WithTx = %v", err)
			}
			if n := count(); n != tc.want {
				t.Errorf("jobs after WithTx = %d, want %d", n, tc.want)
			}
		})
	}
}
