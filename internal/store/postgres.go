package store

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

// pgDriver is PostgreSQL over a pgx pool. Transactions run at READ
// COMMITTED: every exactly-once decision is a single statement that takes
// a row lock or hits a unique index (INSERT … ON CONFLICT, UPDATE …
// RETURNING), which READ COMMITTED resolves by waiting for the other
// transaction and re-reading the committed row, without serialization
// failures to retry.
type pgDriver struct {
	pool *pgxpool.Pool
}

// migrationLockKey is the advisory lock that serialises Migrate across
// instances ("b2bgw" in ASCII).
const migrationLockKey int64 = 0x6232626777

func openPostgres(ctx context.Context, dsn string) (*pgDriver, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, invalid("PostgreSQL DSN: %v", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return &pgDriver{pool: pool}, nil
}

func (d *pgDriver) dialect() Dialect   { return Postgres }
func (d *pgDriver) reader() querier    { return pgQ{d.pool} }
func (d *pgDriver) writer() querier    { return pgQ{d.pool} }
func (d *pgDriver) migrations() string { return "migrations/postgres" }

func (d *pgDriver) begin(ctx context.Context) (*txn, error) {
	tx, err := d.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return nil, err
	}
	q := pgQ{tx}
	return &txn{
		ops:  ops{r: q, w: q, inTx: true},
		pgTx: tx,
		// A fresh context: rolling back must happen even when ctx is done.
		rollback: func() { _ = tx.Rollback(context.Background()) },
		commit:   tx.Commit,
	}, nil
}

// lockMigrations holds a session advisory lock on a dedicated connection
// until unlock, so River's migrations (run on the pool after the store's
// commit) are serialised too.
func (d *pgDriver) lockMigrations(ctx context.Context) (querier, func(error) error, func(), error) {
	conn, err := d.pool.Acquire(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", migrationLockKey); err != nil {
		conn.Release()
		return nil, nil, nil, err
	}
	unlock := func() {
		if _, err := conn.Exec(context.Background(), "SELECT pg_advisory_unlock($1)", migrationLockKey); err != nil {
			// The session lock must not outlive us on a pooled connection.
			_ = conn.Conn().Close(context.Background())
		}
		conn.Release()
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		unlock()
		return nil, nil, nil, err
	}
	finish := func(err error) error {
		if err != nil {
			_ = tx.Rollback(context.Background())
			return err
		}
		return tx.Commit(ctx)
	}
	return pgQ{tx}, finish, unlock, nil
}

func (d *pgDriver) migrateRiver(ctx context.Context) error {
	m, err := rivermigrate.New(riverpgxv5.New(d.pool), nil)
	if err != nil {
		return err
	}
	_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	return err
}

func (d *pgDriver) close() error {
	d.pool.Close()
	return nil
}
