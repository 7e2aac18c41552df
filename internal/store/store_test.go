package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/b2bgw/b2bgw/internal/errclass"
	"github.com/b2bgw/b2bgw/internal/store"
	"github.com/b2bgw/b2bgw/internal/store/storetest"
	"github.com/b2bgw/b2bgw/internal/transport"
	"github.com/b2bgw/b2bgw/internal/x12"
)

var databases = []struct {
	name string
	dsn  func(testing.TB) string
}{
	{"sqlite", storetest.SQLiteDSN},
	{"postgres", storetest.PostgresDSN},
}

// TestStore runs the one suite on every database.
func TestStore(t *testing.T) {
	for _, db := range databases {
		t.Run(db.name, func(t *testing.T) {
			t.Parallel()
			storetest.Run(t, storetest.Harness{NewDSN: db.dsn})
		})
	}
}

func TestOpenDSN(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		dsn     string
		want    store.Dialect
		wantErr error
	}{
		{"sqlite URL, absolute", "sqlite://" + dir + "/a.db", store.SQLite, nil},
		{"sqlite: relative", "sqlite:" + dir + "/b.db?synchronous=normal", store.SQLite, nil},
		{"plain path", dir + "/sub/c.db", store.SQLite, nil},
		{"memory is refused", "sqlite://:memory:", "", store.ErrInvalid},
		{"unknown option", "sqlite://" + dir + "/d.db?cache=shared", "", store.ErrInvalid},
		{"bad synchronous", "sqlite://" + dir + "/d.db?synchronous=off", "", store.ErrInvalid},
		{"unknown scheme", "mysql://x", "", store.ErrInvalid},
		{"empty", "", "", store.ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := store.Open(context.Background(), tc.dsn)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("Open(%q) = %v, want %v", tc.dsn, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if s.Dialect() != tc.want {
				t.Errorf("dialect = %s, want %s", s.Dialect(), tc.want)
			}
		})
	}
}

// TestOpenPostgresDown: a refused connection is retryable (the server may
// be starting), so the gateway retries instead of giving up.
func TestOpenPostgresDown(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := store.Open(ctx, "postgres://b2bgw:x@127.0.0.1:1/b2bgw?sslmode=disable&connect_timeout=2")
	if err == nil || errclass.Of(err) != errclass.Retryable {
		t.Fatalf("Open on a closed port = %v (%v), want a retryable error", err, errclass.Of(err))
	}
}

// TestSQLiteBusyIsRetryable: a writer that cannot get the lock in time
// (another process holds it) gets a Retryable error, and WithTx waits it
// out once the lock is free.
func TestSQLiteBusyIsRetryable(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/busy.db"
	holder := storetest.Open(t, "sqlite://"+path, true)
	impatient := storetest.Open(t, "sqlite://"+path+"?busy_timeout=0", false)
	key := x12.ControlKey{Partner: "acme", Kind: x12.KindISA}

	locked, release, held := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		held <- holder.WithTx(ctx, func(tx store.Tx) error {
			if _, err := tx.Next(ctx, key); err != nil {
				return err
			}
			close(locked)
			<-release
			return nil
		})
	}()
	<-locked
	_, err := impatient.Next(ctx, key)
	if err == nil || errclass.Of(err) != errclass.Retryable {
		t.Errorf("Next while another process writes = %v (%v), want a retryable SQLITE_BUSY", err, errclass.Of(err))
	}
	// WithTx retries with backoff until the holder commits.
	go func() { time.Sleep(50 * time.Millisecond); close(release) }()
	var n int64
	if err := impatient.WithTx(ctx, func(tx store.Tx) error {
		var err error
		n, err = tx.Next(ctx, key)
		return err
	}); err != nil {
		t.Fatalf("WithTx did not wait out the lock: %v", err)
	}
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("number after the holder committed = %d, want 2", n)
	}
}

func TestErrorClasses(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want errclass.Class
	}{
		{"serialization failure", &pgconn.PgError{Code: "40001"}, errclass.Retryable},
		{"deadlock", &pgconn.PgError{Code: "40P01"}, errclass.Retryable},
		{"admin shutdown", &pgconn.PgError{Code: "57P01"}, errclass.Retryable},
		{"connection failure", &pgconn.PgError{Code: "08006"}, errclass.Retryable},
		{"unique violation", &pgconn.PgError{Code: "23505"}, errclass.Permanent},
		{"syntax error", &pgconn.PgError{Code: "42601"}, errclass.Permanent},
		{"cancelled", context.Canceled, errclass.Permanent},
		{"not found", store.ErrNotFound, errclass.Permanent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := store.WrapForTest(tc.err)
			if got := errclass.Of(err); got != tc.want {
				t.Errorf("class of %v = %v, want %v", tc.err, got, tc.want)
			}
			if !errors.Is(err, tc.err) {
				t.Error("cause lost")
			}
		})
	}
}

// --- several real processes -------------------------------------------------

// childEnv makes the test binary act as a gateway process (see TestMain).
const childEnv = "B2BGW_STORE_CHILD"

func TestMain(m *testing.M) {
	if mode := os.Getenv(childEnv); mode != "" {
		os.Exit(child(mode, os.Getenv("B2BGW_STORE_DSN")))
	}
	os.Exit(m.Run())
}

// child runs one process's part: "alloc:N" allocates N control numbers in
// transactions that also record a message and prints them; "crash"
// allocates one inside a transaction and dies before committing.
func child(mode, dsn string) int {
	ctx := context.Background()
	s, err := store.Open(ctx, dsn)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	key := x12.ControlKey{Partner: "acme", Kind: x12.KindISA}
	switch {
	case mode == "crash":
		_ = s.WithTx(ctx, func(tx store.Tx) error {
			if _, err := s.NextTx(ctx, tx, key); err != nil {
				return err
			}
			if _, _, err := tx.Record(ctx, transport.LedgerEntry{FileKey: transport.FileKey{Partner: "acme", Path: "x"}, SHA256: "ff"}); err != nil {
				return err
			}
			os.Exit(3) // no commit, no rollback, no Close: a crash
			return nil
		})
		return 2
	case strings.HasPrefix(mode, "alloc:"):
		n, _ := strconv.Atoi(strings.TrimPrefix(mode, "alloc:"))
		for range n {
			var num int64
			if err := s.WithTx(ctx, func(tx store.Tx) error {
				var err error
				if num, err = s.NextTx(ctx, tx, key); err != nil {
					return err
				}
				_, err = tx.AddMessage(ctx, store.Message{Kind: store.KindAck, Direction: store.Outbound, Partner: "acme",
					Control: strconv.FormatInt(num, 10)})
				return err
			}); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 2
			}
			fmt.Println(num)
		}
		return 0
	}
	return 2
}

func runChild(t *testing.T, dsn, mode string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+mode, "B2BGW_STORE_DSN="+dsn)
	cmd.Stderr = os.Stderr
	return cmd
}

// TestProcesses: real processes share one database. Numbers allocated in
// committed transactions are unique and gapless across them; a process
// that dies inside a transaction consumes nothing.
func TestProcesses(t *testing.T) {
	for _, db := range databases {
		t.Run(db.name, func(t *testing.T) {
			t.Parallel()
			dsn := db.dsn(t)
			s := storetest.Open(t, dsn, true)
			ctx := context.Background()
			key := x12.ControlKey{Partner: "acme", Kind: x12.KindISA}

			crash := runChild(t, dsn, "crash")
			if err := crash.Run(); err == nil || crash.ProcessState.ExitCode() != 3 {
				t.Fatalf("crashing child: %v", err)
			}
			if last, err := s.LastControlNumber(ctx, key); err != nil || last != 0 {
				t.Fatalf("after a crash inside the transaction last = %d (%v), want 0", last, err)
			}
			if _, ok, err := s.LookupFile(ctx, transport.FileKey{Partner: "acme", Path: "x"}); ok || err != nil {
				t.Fatalf("the crashed transaction's ledger entry survived: %v %v", ok, err)
			}

			const procs, each = 3, 40
			cmds := make([]*exec.Cmd, procs)
			outs := make([]strings.Builder, procs)
			for i := range cmds {
				cmds[i] = runChild(t, dsn, fmt.Sprintf("alloc:%d", each))
				cmds[i].Stdout = &outs[i]
				if err := cmds[i].Start(); err != nil {
					t.Fatal(err)
				}
			}
			var nums []int
			for i, c := range cmds {
				if err := c.Wait(); err != nil {
					t.Fatalf("child %d: %v", i, err)
				}
				for _, f := range strings.Fields(outs[i].String()) {
					n, _ := strconv.Atoi(f)
					nums = append(nums, n)
				}
			}
			sort.Ints(nums)
			for i, n := range nums {
				if n != i+1 {
					t.Fatalf("numbers from %d processes are not 1..%d: position %d holds %d", procs, procs*each, i, n)
				}
			}
			if len(nums) != procs*each {
				t.Fatalf("%d numbers, want %d", len(nums), procs*each)
			}
		})
	}
}
