package storetest

import (
	"errors"
	"sort"
	"sync"
	"testing"

	"github.com/b2bgw/b2bgw/internal/errclass"
	"github.com/b2bgw/b2bgw/internal/store"
	"github.com/b2bgw/b2bgw/internal/x12"
)

func ctlKey(partner, kind string) x12.ControlKey { return x12.ControlKey{Partner: partner, Kind: kind} }

func testControlNumbers(t *testing.T, h Harness) {
	b := setup(t, h)
	ctx, s := b.ctx, b.s
	steps := []struct {
		name string
		key  x12.ControlKey
		set  int64 // SetControlNumber first when > 0
		want int64
	}{
		{"a new sequence starts at 1", ctlKey("acme", x12.KindISA), 0, 1},
		{"then counts up", ctlKey("acme", x12.KindISA), 0, 2},
		{"kinds are separate", ctlKey("acme", x12.KindGS), 0, 1},
		{"partners are separate", ctlKey("globex", x12.KindISA), 0, 1},
		{"the last number", ctlKey("acme", x12.KindST), x12.MaxControlNumber - 1, x12.MaxControlNumber},
		{"wraps to 1, never 0", ctlKey("acme", x12.KindST), 0, 1},
		{"an audited set continues from there", ctlKey("acme", x12.KindISA), 4999, 5000},
	}
	for _, st := range steps {
		if st.set > 0 {
			if err := s.SetControlNumber(ctx, st.key, st.set, "ops@example.com", "partner resync"); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
		}
		got, err := s.Next(ctx, st.key)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got != st.want {
			t.Errorf("%s: Next = %d, want %d", st.name, got, st.want)
		}
	}
	if last := must(s.LastControlNumber(ctx, ctlKey("acme", x12.KindISA))); last != 5000 {
		t.Errorf("LastControlNumber = %d, want 5000", last)
	}
	if last := must(s.LastControlNumber(ctx, ctlKey("nobody", x12.KindISA))); last != 0 {
		t.Errorf("LastControlNumber of an unused sequence = %d, want 0", last)
	}
	if a := must(s.Audit(ctx, 10)); len(a) != 2 || a[0].Action != "outbound-set" || a[0].Before != 2 || a[0].After != 4999 {
		t.Errorf("audit = %+v", a)
	}
	invalid := []struct {
		name string
		err  error
	}{
		{"empty partner", func() error { _, err := s.Next(ctx, ctlKey("", "ISA")); return err }()},
		{"empty kind", func() error { _, err := s.Next(ctx, ctlKey("acme", "")); return err }()},
		{"set out of range", s.SetControlNumber(ctx, ctlKey("acme", "ISA"), x12.MaxControlNumber+1, "a", "b")},
		{"set negative", s.SetControlNumber(ctx, ctlKey("acme", "ISA"), -1, "a", "b")},
		{"set without reason", s.SetControlNumber(ctx, ctlKey("acme", "ISA"), 1, "a", "")},
	}
	for _, tc := range invalid {
		if !errors.Is(tc.err, store.ErrInvalid) || errclass.Of(tc.err) != errclass.Permanent {
			t.Errorf("%s: %v, want ErrInvalid (permanent)", tc.name, tc.err)
		}
	}
}

// testControlNumbersRollback: a number allocated in a transaction that
// does not commit (an error, a crash) is not consumed.
func testControlNumbersRollback(t *testing.T, h Harness) {
	b := setup(t, h)
	ctx, s := b.ctx, b.s
	key := ctlKey("acme", x12.KindISA)
	errAbort := errors.New("upload failed")
	tests := []struct {
		name   string
		commit bool
		want   int64 // the number the transaction got
		next   int64 // what the next allocation gets
	}{
		{"commit consumes", true, 1, 2},
		{"rollback does not", false, 2, 2},
		{"and again", false, 2, 2},
		{"commit after rollbacks: no gap", true, 2, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer catch(t)
			var got int64
			err := s.WithTx(ctx, func(tx store.Tx) error {
				m, err := tx.AddMessage(ctx, store.Message{Kind: store.KindAck, Direction: store.Outbound, Partner: "acme"})
				if err != nil {
					return err
				}
				if got, err = s.NextTx(ctx, tx, key); err != nil {
					return err
				}
				if err := tx.SetStatus(ctx, m.ID, store.StatusSent, nil); err != nil {
					return err
				}
				if !tc.commit {
					return errAbort
				}
				return nil
			})
			if tc.commit != (err == nil) {
				t.Fatalf("WithTx = %v", err)
			}
			if got != tc.want {
				t.Errorf("number in tx = %d, want %d", got, tc.want)
			}
			if last := must(s.LastControlNumber(ctx, key)); last != tc.next-1 {
				t.Errorf("last after tx = %d, want %d", last, tc.next-1)
			}
		})
	}
}

// testControlNumbersConcurrent: goroutines in several "processes"
// allocate inside transactions; some roll back. The committed numbers
// must be unique and gapless.
func testControlNumbersConcurrent(t *testing.T, h Harness) {
	b := setup(t, h)
	ctx := b.ctx
	stores := []*store.DB{b.s, Open(t, b.dsn, false), Open(t, b.dsn, false)}
	const workers, each = 8, 25
	key := ctlKey("acme", x12.KindISA)
	var (
		mu        sync.Mutex
		committed []int64
		wg        sync.WaitGroup
	)
	errRollback := errors.New("rollback")
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := stores[w%len(stores)]
			for i := range each {
				var n int64
				rollback := (w+i)%5 == 0
				err := s.WithTx(ctx, func(tx store.Tx) error {
					var err error
					if n, err = tx.Next(ctx, key); err != nil {
						return err
					}
					if rollback {
						return errRollback
					}
					return nil
				})
				if rollback && errors.Is(err, errRollback) {
					continue
				}
				if err != nil {
					t.Errorf("worker %d: %v", w, err)
					return
				}
				mu.Lock()
				committed = append(committed, n)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	sort.Slice(committed, func(i, j int) bool { return committed[i] < committed[j] })
	for i, n := range committed {
		if n != int64(i+1) {
			t.Fatalf("committed numbers are not 1..%d without duplicates or gaps: position %d holds %d (%v)",
				len(committed), i, n, committed)
		}
	}
	if last := must(b.s.LastControlNumber(ctx, key)); last != int64(len(committed)) {
		t.Errorf("last = %d, want %d", last, len(committed))
	}
	// Outside transactions (Next on the store) numbers are unique too.
	seen := make(map[int64]bool)
	var nums = make(chan int64, workers*each)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				n, err := stores[w%len(stores)].Next(ctx, ctlKey("acme", x12.KindGS))
				if err != nil {
					t.Error(err)
					return
				}
				nums <- n
			}
		}()
	}
	wg.Wait()
	close(nums)
	for n := range nums {
		if seen[n] {
			t.Fatalf("number %d handed out twice", n)
		}
		seen[n] = true
	}
	if len(seen) != workers*each {
		t.Errorf("%d numbers, want %d", len(seen), workers*each)
	}
}
