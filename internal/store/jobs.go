package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"
)

// Jobs is a River client on the store's database. River's client is
// generic in the driver's transaction type (*sql.Tx for riversqlite,
// pgx.Tx for riverpgxv5); Jobs hides that so the pipeline inserts jobs
// with a store Tx whichever database it runs on, and reaches the typed
// client (SQLite or Postgres) for the rest.
type Jobs struct {
	dialect Dialect
	sqlite  *river.Client[*sql.Tx]
	pg      *river.Client[pgx.Tx]
}

// Jobs implements Store: a River client configured with cfg (nil: an
// insert-only client). Queues and Workers in cfg make it work jobs once
// started. Run Migrate first: River's tables come with the store's.
func (s *DB) Jobs(cfg *river.Config) (*Jobs, error) {
	if cfg == nil {
		cfg = &river.Config{}
	}
	j := &Jobs{dialect: s.Dialect()}
	var err error
	switch d := s.drv.(type) {
	case *sqliteDriver:
		// The single-connection writer pool: River's SQLite driver is built
		// for one connection, and InsertTx then shares it with the store.
		j.sqlite, err = river.NewClient(riversqlite.New(d.w), cfg)
	case *pgDriver:
		j.pg, err = river.NewClient(riverpgxv5.New(d.pool), cfg)
	default:
		err = errors.New("unknown driver")
	}
	if err != nil {
		return nil, &Error{Op: "Jobs", Dialect: s.Dialect(), Err: err}
	}
	return j, nil
}

// InsertTx enqueues a job in the store transaction tx: it exists once tx
// commits, and never if tx rolls back.
func (j *Jobs) InsertTx(ctx context.Context, tx Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	var (
		res *rivertype.JobInsertResult
		err error
	)
	if j.sqlite != nil {
		res, err = j.sqlite.InsertTx(ctx, tx.SQLTx(), args, opts)
	} else {
		res, err = j.pg.InsertTx(ctx, tx.PgxTx(), args, opts)
	}
	return res, wrapErr(j.dialect, "InsertTx", err)
}

// Insert enqueues a job on its own.
func (j *Jobs) Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	var (
		res *rivertype.JobInsertResult
		err error
	)
	if j.sqlite != nil {
		res, err = j.sqlite.Insert(ctx, args, opts)
	} else {
		res, err = j.pg.Insert(ctx, args, opts)
	}
	return res, wrapErr(j.dialect, "Insert", err)
}

// Start starts working jobs (the config must have Queues and Workers).
func (j *Jobs) Start(ctx context.Context) error {
	if j.sqlite != nil {
		return j.sqlite.Start(ctx)
	}
	return j.pg.Start(ctx)
}

// Stop waits for running jobs to finish, then stops.
func (j *Jobs) Stop(ctx context.Context) error {
	if j.sqlite != nil {
		return j.sqlite.Stop(ctx)
	}
	return j.pg.Stop(ctx)
}

// SQLite is the typed River client on SQLite (nil on PostgreSQL).
func (j *Jobs) SQLite() *river.Client[*sql.Tx] { return j.sqlite }

// Postgres is the typed River client on PostgreSQL (nil on SQLite).
func (j *Jobs) Postgres() *river.Client[pgx.Tx] { return j.pg }
