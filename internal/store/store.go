package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/b2bgw/b2bgw/internal/transport"
	"github.com/b2bgw/b2bgw/internal/x12"
)

// Dialect names a database driver.
type Dialect string

// The two drivers.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Ops are the store operations. Store runs each in its own transaction
// (or as one atomic statement); Tx runs them inside the caller's
// transaction, so a state change, the control numbers it uses and the
// River jobs it enqueues commit together.
type Ops interface {
	transport.Ledger
	x12.Duplicates
	x12.ControlNumbers

	// Messages and lineage (messages.go).
	AddMessage(ctx context.Context, m Message) (Message, error)
	SetStatus(ctx context.Context, id int64, st Status, cause error) error
	SetDocNumber(ctx context.Context, id int64, docNumber string) error
	Message(ctx context.Context, id int64) (Message, error)
	Messages(ctx context.Context, f MessageFilter) ([]Message, error)
	Lineage(ctx context.Context, id int64) ([]Message, error)
	Events(ctx context.Context, id int64) ([]Event, error)

	// Pickup ledger extras (ledger.go).
	Pickup(ctx context.Context, id int64) (transport.LedgerEntry, error)

	// Inbound control-number ledger (inbound.go).
	Claim(claimant string) x12.Duplicates
	Peek(claimant string) x12.Duplicates
	InterchangeGaps(ctx context.Context, seq InterchangeSeq, limit int) ([]Gap, error)
	GroupGaps(ctx context.Context, seq GroupSeq, limit int) ([]Gap, error)
	ResetInbound(ctx context.Context, r InboundReset) (removed int64, err error)
	Audit(ctx context.Context, limit int) ([]AuditEntry, error)

	// Outbound control numbers (controlnum.go).
	LastControlNumber(ctx context.Context, key x12.ControlKey) (int64, error)
	SetControlNumber(ctx context.Context, key x12.ControlKey, last int64, actor, reason string) error

	// Archive index (archive.go).
	PutArchive(ctx context.Context, e ArchiveEntry) (created bool, err error)
	Archived(ctx context.Context, sha256 string) (ArchiveEntry, error)
	HoldArchive(ctx context.Context, sha256 string, hold bool) error

	// Outbound acknowledgment tracking (outbound.go).
	TrackOutbound(ctx context.Context, d OutboundDoc) (OutboundDoc, error)
	AckOutbound(ctx context.Context, m AckMatch, status string, ackMessageID int64) (matched int64, err error)
	Overdue(ctx context.Context, q OverdueQuery) ([]OutboundDoc, error)
}

// Tx is a store transaction. It is valid only inside the WithTx callback.
type Tx interface {
	Ops
	// SQLTx is the database/sql transaction on SQLite (for riversqlite's
	// InsertTx); nil on PostgreSQL.
	SQLTx() *sql.Tx
	// PgxTx is the pgx transaction on PostgreSQL (for riverpgxv5's
	// InsertTx); nil on SQLite.
	PgxTx() pgx.Tx
}

// Store is the gateway's durable state on one database.
type Store interface {
	Ops
	// WithTx runs fn in a transaction and commits when it returns nil.
	// Lock conflicts and serialization failures, and connection losses
	// before COMMIT, roll back and run fn again (with backoff), so fn must
	// only change the database: no mail, no uploads, no Odoo calls.
	// On SQLite, calling the Store (not tx) from inside fn for a write
	// waits for fn's own transaction: always use tx.
	WithTx(ctx context.Context, fn func(tx Tx) error) error
	// NextTx allocates an outbound control number inside tx: it commits
	// with the message it numbers, or is not consumed at all.
	NextTx(ctx context.Context, tx Tx, key x12.ControlKey) (int64, error)
	// Prune deletes what retention allows (archive.go).
	Prune(ctx context.Context, opt PruneOptions) (PruneResult, error)
	// Migrate applies the store's pending migrations, then River's. It is
	// idempotent and safe to run from several instances at once.
	Migrate(ctx context.Context) error
	// Jobs returns a River client on this database (see jobs.go).
	Jobs(cfg *river.Config) (*Jobs, error)
	Dialect() Dialect
	Close() error
}

var (
	_ Store              = (*DB)(nil)
	_ transport.Ledger   = (*DB)(nil)
	_ x12.Duplicates     = (*DB)(nil)
	_ x12.ControlNumbers = (*DB)(nil)
	_ Tx                 = (*txn)(nil)
	_ driver             = (*sqliteDriver)(nil)
	_ driver             = (*pgDriver)(nil)
)

func (d Dialect) String() string { return string(d) }

// driver is what differs between the databases: connections, transaction
// start, DDL and River.
type driver interface {
	dialect() Dialect
	// reader is for reads outside a transaction; writer for single-statement
	// writes outside one.
	reader() querier
	writer() querier
	begin(ctx context.Context) (*txn, error)
	migrations() (dir string)
	// lockMigrations serialises Migrate across processes: it returns a
	// transaction for the store's migrations, finish (commit on nil,
	// roll back otherwise) and unlock, called after River's migrations.
	lockMigrations(ctx context.Context) (q querier, finish func(error) error, unlock func(), err error)
	migrateRiver(ctx context.Context) error
	close() error
}

// DB is the Store implementation for both databases.
type DB struct {
	ops
	drv driver

	// MaxAttempts bounds WithTx's retries (default 10).
	MaxAttempts int
}

// Open connects to the database named by dsn:
//
//	postgres://… or postgresql://…   PostgreSQL (pgx)
//	sqlite:///abs/path/b2bgw.db      SQLite (also sqlite:rel/path.db)
//	/abs/path/b2bgw.db, data/b2bgw.db  SQLite
//
// SQLite DSNs take ?synchronous=normal (default full: a commit survives a
// power cut) and ?busy_timeout=<ms> (default 5000). Open does not migrate:
// call Migrate.
func Open(ctx context.Context, dsn string) (*DB, error) {
	var (
		drv driver
		err error
	)
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		drv, err = openPostgres(ctx, dsn)
		if err != nil {
			return nil, wrapErr(Postgres, "open", err)
		}
	case strings.HasPrefix(dsn, "sqlite:"):
		p := strings.TrimPrefix(dsn, "sqlite:")
		p = strings.TrimPrefix(p, "//") // sqlite:///abs → /abs, sqlite://rel → rel
		drv, err = openSQLite(ctx, p)
	case strings.Contains(dsn, "://"):
		return nil, &Error{Op: "open", Err: fmt.Errorf("%w: DSN scheme %q: want postgres://, sqlite:// or a file path",
			ErrInvalid, dsn[:strings.Index(dsn, "://")])}
	case dsn == "":
		return nil, &Error{Op: "open", Err: fmt.Errorf("%w: empty DSN", ErrInvalid)}
	default:
		drv, err = openSQLite(ctx, dsn)
	}
	if err != nil {
		return nil, wrapErr(SQLite, "open", err)
	}
	db := &DB{drv: drv}
	db.ops = ops{db: db, r: drv.reader(), w: drv.writer()}
	return db, nil
}

// Dialect reports which database the store is on.
func (s *DB) Dialect() Dialect { return s.drv.dialect() }

// Close releases the connections.
func (s *DB) Close() error { return s.drv.close() }

// NextTx implements Store.
func (s *DB) NextTx(ctx context.Context, tx Tx, key x12.ControlKey) (int64, error) {
	return tx.Next(ctx, key)
}

// WithTx implements Store.
func (s *DB) WithTx(ctx context.Context, fn func(tx Tx) error) error {
	max := s.MaxAttempts
	if max <= 0 {
		max = 10
	}
	backoff := 2 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err, atCommit := s.tryTx(ctx, fn)
		if err == nil {
			return nil
		}
		// Retry what the database aborted. A connection lost during COMMIT
		// is ambiguous (the commit may have happened): it is returned,
		// still classified Retryable, for the job layer to decide.
		again := contention(err) || (!atCommit && connectionLost(err))
		if !again || attempt >= max || ctx.Err() != nil {
			return err
		}
		// Full jitter, so contending processes do not retry in lockstep.
		d := time.Duration(rand.Int64N(int64(backoff))) + time.Millisecond
		if backoff < 500*time.Millisecond {
			backoff *= 2
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}

func (s *DB) tryTx(ctx context.Context, fn func(tx Tx) error) (err error, atCommit bool) {
	tx, err := s.drv.begin(ctx)
	if err != nil {
		return wrapErr(s.Dialect(), "begin", err), false
	}
	tx.db = s
	done := false
	defer func() {
		if !done {
			tx.rollback() // also on panic; the panic goes on
		}
	}()
	if err := fn(tx); err != nil {
		done = true
		tx.rollback()
		return err, false
	}
	done = true
	if err := tx.commit(ctx); err != nil {
		return wrapErr(s.Dialect(), "commit", err), true
	}
	return nil, false
}

// txn is a Tx on either database.
type txn struct {
	ops
	sqlTx    *sql.Tx
	pgTx     pgx.Tx
	rollback func()
	commit   func(context.Context) error
}

func (t *txn) SQLTx() *sql.Tx { return t.sqlTx }
func (t *txn) PgxTx() pgx.Tx  { return t.pgTx }

// ops implements Ops over a querier pair; inTx says whether it runs
// inside a caller's transaction.
type ops struct {
	db   *DB
	r, w querier
	inTx bool
}

func (o *ops) dialect() Dialect { return o.db.drv.dialect() }

func (o *ops) err(op string, err error) error { return wrapErr(o.dialect(), op, err) }

// atomic runs fn in a transaction: the caller's when there is one, a new
// one (with WithTx's retries) otherwise.
func (o *ops) atomic(ctx context.Context, fn func(o *ops) error) error {
	if o.inTx {
		return fn(o)
	}
	return o.db.WithTx(ctx, func(tx Tx) error { return fn(&tx.(*txn).ops) })
}

func (o *ops) now() int64 { return nowNS() }

// nowNS is the store's clock, in Unix nanoseconds.
func nowNS() int64 { return time.Now().UnixNano() }

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

func notFound(what string, id any) error {
	return fmt.Errorf("%s %v: %w", what, id, ErrNotFound)
}

// noRows maps errNoRows to ErrNotFound for what.
func noRows(err error, what string, id any) error {
	if errors.Is(err, errNoRows) {
		return notFound(what, id)
	}
	return err
}
