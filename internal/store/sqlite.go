package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// sqliteDriver keeps two pools on one database file:
//
//   - w, one connection, for every transaction and write. River's SQLite
//     driver asks for a single connection (parallel writers only earn
//     SQLITE_BUSY), and a single writer per process means the in-process
//     queueing happens in database/sql, not in SQLite's busy handler.
//     Transactions begin IMMEDIATE (_txlock), so across processes a
//     writer waits for the write lock at BEGIN (busy_timeout) instead of
//     failing to upgrade a read snapshot at its first write.
//   - r, a few read-only connections, so lookups and message queries do
//     not queue behind writers (WAL lets readers run beside one writer).
type sqliteDriver struct {
	path string
	w, r *sql.DB
}

func openSQLite(ctx context.Context, dsn string) (*sqliteDriver, error) {
	path, rawQuery, _ := strings.Cut(dsn, "?")
	if path == "" || path == ":memory:" {
		return nil, invalid("SQLite needs a file path (the store is shared between connections and processes), got %q", dsn)
	}
	opts, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, invalid("SQLite DSN options %q: %v", rawQuery, err)
	}
	sync := "FULL" // in WAL mode: every commit is on disk before it returns
	busy := 5000
	for k, vs := range opts {
		v := vs[len(vs)-1]
		switch k {
		case "synchronous":
			switch strings.ToUpper(v) {
			case "FULL", "NORMAL":
				sync = strings.ToUpper(v)
			default:
				return nil, invalid("SQLite synchronous=%q: want full or normal", v)
			}
		case "busy_timeout":
			if busy, err = strconv.Atoi(v); err != nil || busy < 0 {
				return nil, invalid("SQLite busy_timeout=%q: want milliseconds", v)
			}
		default:
			return nil, invalid("SQLite DSN option %q: known are synchronous and busy_timeout", k)
		}
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("creating the database folder: %w", err)
		}
	}
	// busy_timeout first: switching to WAL needs the lock it waits for.
	base := "file:" + path + "?_pragma=busy_timeout(" + strconv.Itoa(busy) + ")&_pragma=journal_mode(WAL)" +
		"&_pragma=synchronous(" + sync + ")&_pragma=foreign_keys(1)"
	w, err := openCached(base + "&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, err
	}
	r, err := openCached(base + "&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(4)
	return &sqliteDriver{path: path, w: w, r: r}, nil
}

// openCached opens a pool on dsn whose connections keep their compiled
// statements (stmtcache.go).
func openCached(dsn string) (*sql.DB, error) {
	probe, err := sql.Open("sqlite", dsn) // connects to nothing: it names the driver
	if err != nil {
		return nil, err
	}
	drv := probe.Driver()
	_ = probe.Close()
	return sql.OpenDB(stmtCacheConnector{dsn: dsn, drv: drv}), nil
}

func (d *sqliteDriver) dialect() Dialect   { return SQLite }
func (d *sqliteDriver) reader() querier    { return sqlQ{d.r} }
func (d *sqliteDriver) writer() querier    { return sqlQ{d.w} }
func (d *sqliteDriver) migrations() string { return "migrations/sqlite" }

func (d *sqliteDriver) begin(ctx context.Context) (*txn, error) {
	tx, err := d.w.BeginTx(ctx, nil) // BEGIN IMMEDIATE (see _txlock)
	if err != nil {
		return nil, err
	}
	q := sqlQ{tx}
	return &txn{
		ops:      ops{r: q, w: q, inTx: true},
		sqlTx:    tx,
		rollback: func() { _ = tx.Rollback() },
		commit:   func(context.Context) error { return tx.Commit() },
	}, nil
}

// lockMigrations: BEGIN IMMEDIATE already excludes every other writer, in
// this process and others, until the migration transaction ends.
func (d *sqliteDriver) lockMigrations(ctx context.Context) (querier, func(error) error, func(), error) {
	tx, err := d.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, nil, nil, err
	}
	// River's migrations run in the same transaction as ours: SQLite has no
	// advisory lock, so this transaction's write lock is what keeps two
	// processes starting at once from both creating River's tables.
	finish := func(err error) error {
		if err == nil {
			var m *rivermigrate.Migrator[*sql.Tx]
			if m, err = rivermigrate.New(riversqlite.New(d.w), nil); err == nil {
				_, err = m.MigrateTx(ctx, tx, rivermigrate.DirectionUp, nil)
			}
		}
		if err != nil {
			_ = tx.Rollback()
			return err
		}
		return tx.Commit()
	}
	return sqlQ{tx}, finish, func() {}, nil
}

// migrateRiver is done inside lockMigrations' transaction on SQLite.
func (d *sqliteDriver) migrateRiver(context.Context) error { return nil }

func (d *sqliteDriver) close() error {
	errR := d.r.Close()
	if err := d.w.Close(); err != nil {
		return err
	}
	return errR
}
