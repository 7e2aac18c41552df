// Package storetest is the conformance suite every store driver must
// pass, run against each real database (SQLite in a temporary folder,
// PostgreSQL from B2BGW_IT_PG_DSN), in the style of River's driver tests:
// one suite, every database, each test on a fresh database of its own.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/b2bgw/b2bgw/internal/store"
)

// Harness describes a database to the suite.
type Harness struct {
	// NewDSN returns the DSN of a fresh, empty database that lives until
	// the test ends. The suite opens one or more stores on it with
	// store.Open; two stores on one DSN stand for two gateway processes
	// (SQLite locks files between connections as between processes).
	NewDSN func(tb testing.TB) string
}

// PGEnv names the PostgreSQL DSN variable (set by scripts/it-servers.sh).
const PGEnv = "B2BGW_IT_PG_DSN"

// SQLiteDSN is a Harness.NewDSN for SQLite: a file in a temporary folder.
func SQLiteDSN(tb testing.TB) string {
	return "sqlite://" + filepath.Join(tb.TempDir(), "b2bgw.db")
}

// PostgresDSN is a Harness.NewDSN for PostgreSQL. Each call creates a
// schema of its own in the database of B2BGW_IT_PG_DSN and returns a DSN
// whose search_path is that schema (dropped when the test ends), so tests
// run in parallel and beside other users of the server. Without the
// variable the test is skipped, saying how to start the server — and
// fails under CI=true, where a missing database is a broken pipeline, not
// a reason to pass.
func PostgresDSN(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(PGEnv)
	if base == "" {
		msg := PGEnv + " is not set: run `bash scripts/it-servers.sh start` and " +
			"`set -a; . \"$(bash scripts/it-servers.sh envfile)\"; set +a`"
		if os.Getenv("CI") == "true" {
			tb.Fatal("CI: " + msg)
		}
		tb.Skip(msg)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "b2bgw_t_" + hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		tb.Fatalf("connecting to %s: %v", PGEnv, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatalf("creating schema: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			tb.Errorf("dropping schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			tb.Errorf("dropping schema %s: %v", schema, err)
		}
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema
}

// Open opens a store on dsn, closed when the test ends; migrate runs
// Migrate first.
func Open(tb testing.TB, dsn string, migrate bool) *store.DB {
	tb.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, dsn)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	if migrate {
		if err := s.Migrate(ctx); err != nil {
			tb.Fatalf("Migrate: %v", err)
		}
	}
	return s
}

// Run runs the whole suite.
func Run(t *testing.T, h Harness) {
	tests := []struct {
		name string
		fn   func(*testing.T, Harness)
	}{
		{"Migrate", testMigrate},
		{"Messages", testMessages},
		{"MessageFilters", testMessageFilters},
		{"Ledger", testLedger},
		{"LedgerConcurrent", testLedgerConcurrent},
		{"Inbound", testInbound},
		{"InboundPeek", testInboundPeek},
		{"InboundConcurrent", testInboundConcurrent},
		{"InboundGapsAndReset", testInboundGapsAndReset},
		{"ControlNumbers", testControlNumbers},
		{"ControlNumbersRollback", testControlNumbersRollback},
		{"ControlNumbersConcurrent", testControlNumbersConcurrent},
		{"Archive", testArchive},
		{"Retention", testRetention},
		{"Outbound", testOutbound},
		{"Transactions", testTransactions},
		{"RiverJobsInTx", testRiverJobsInTx},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			defer catch(t)
			tc.fn(t, h)
		})
	}
}

// setup is the per-test bundle: a migrated store on a fresh database.
type bundle struct {
	ctx context.Context
	dsn string
	s   *store.DB
}

func setup(t *testing.T, h Harness) bundle {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	dsn := h.NewDSN(t)
	return bundle{ctx: ctx, dsn: dsn, s: Open(t, dsn, true)}
}

// must returns v, or stops the test on err. It panics with a mustError
// (Go cannot pass t beside a multi-value call); Run turns that into
// t.Fatal for the test it happened in.
func must[T any](v T, err error) T {
	if err != nil {
		panic(mustError{err})
	}
	return v
}

type mustError struct{ err error }

// catch reports a must failure as a test failure; other panics go on.
func catch(t *testing.T) {
	if r := recover(); r != nil {
		if m, ok := r.(mustError); ok {
			t.Fatalf("unexpected error: %v", m.err)
		}
		panic(r)
	}
}
