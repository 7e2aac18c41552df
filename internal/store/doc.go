// Package store is the gateway's durable state: message lineage, the pickup
// ledger, inbound and outbound control numbers, the raw-file archive index
// and outbound acknowledgment tracking.
//
// One interface (Store, with Ops shared by the store and its transactions)
// has two drivers side by side, chosen by Open from the DSN:
//
//   - SQLite (embedded default, modernc.org/sqlite, no cgo, WAL):
//     "sqlite:///var/lib/b2bgw/b2bgw.db", "sqlite:data/b2bgw.db" or a plain
//     file path. One process or several on one machine.
//   - PostgreSQL (pgx/v5): "postgres://user:pw@host/db?sslmode=…". Several
//     gateway instances share one database.
//
// Everything that must be exactly-once across processes is decided by the
// database, never by process memory: unique indexes with insert-or-nothing
// for the pickup ledger and the inbound control-number ledger, a row that
// is updated and read in one statement (and stays locked until commit) for
// the outbound control-number allocator. Transactions on SQLite begin with
// BEGIN IMMEDIATE, so two writers never both hold a read snapshot they then
// try to upgrade (the one case SQLite's busy handler cannot wait out).
//
// The River job queue lives in the same database: WithTx hands out the
// driver's transaction (Tx.SQLTx for riversqlite, Tx.PgxTx for riverpgxv5)
// so a job commits or rolls back with the state change it follows from,
// and Migrate runs River's own migrations after the store's.
//
// All times are stored as Unix nanoseconds (BIGINT) on both databases: the
// pickup ledger compares remote modification times exactly, and
// PostgreSQL's timestamptz keeps only microseconds.
//
// Errors are *Error values carrying a class (internal/errclass): Retryable
// for SQLITE_BUSY/SQLITE_LOCKED, serialization failures, deadlocks and lost
// connections; Permanent otherwise. WithTx already retries the retryable
// ones that happened before COMMIT was sent.
package store
