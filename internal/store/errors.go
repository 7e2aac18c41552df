package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"

	"github.com/b2bgw/b2bgw/internal/errclass"
)

// Sentinel errors, matched with errors.Is.
var (
	// ErrNotFound: the record asked for does not exist.
	ErrNotFound = errors.New("not found")
	// ErrSchemaTooNew: the database was migrated by a newer b2bgw than
	// this one; running old code on a new schema could corrupt it.
	ErrSchemaTooNew = errors.New("database schema is newer than this b2bgw")
	// ErrInvalid: an argument the store cannot accept (empty partner,
	// control number out of range, unknown status…).
	ErrInvalid = errors.New("invalid argument")
)

// Error is a store failure: the operation, the database and the cause,
// with the class the engine acts on (errclass.Classifier).
type Error struct {
	Op      string  // "Record", "Next", "commit", …
	Dialect Dialect // which database answered
	Err     error
	class   errclass.Class
}

func (e *Error) Error() string {
	return fmt.Sprintf("store %s (%s): %v", e.Op, e.Dialect, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Class implements errclass.Classifier.
func (e *Error) Class() errclass.Class { return e.class }

// wrapErr makes err an *Error for op, classified for dialect d. An error
// that already is an *Error, or already carries a class from the caller
// (a WithTx callback's own error), is returned as is.
func wrapErr(d Dialect, op string, err error) error {
	if err == nil {
		return nil
	}
	var se *Error
	if errors.As(err, &se) {
		return err
	}
	var c errclass.Classifier
	if errors.As(err, &c) {
		return err
	}
	class := errclass.Permanent
	if retryable(err) {
		class = errclass.Retryable
	}
	return &Error{Op: op, Dialect: d, Err: err, class: class}
}

// SQLite primary result codes (the low byte of an extended code).
const (
	sqliteBusy   = 5 // another connection holds the lock past busy_timeout
	sqliteLocked = 6 // a conflict inside this process's shared cache
)

// contention reports a lock or serialization conflict: the database
// aborted the transaction and running it again is expected to succeed.
func contention(err error) bool {
	var le *sqlite.Error
	if errors.As(err, &le) {
		c := le.Code() & 0xff
		return c == sqliteBusy || c == sqliteLocked
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "40001", // serialization_failure
			"40P01", // deadlock_detected
			"55P03": // lock_not_available
			return true
		}
	}
	return false
}

// connectionLost reports an error of the connection rather than of the
// statement: the server went away, restarted or refused us for now.
func connectionLost(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case len(pe.Code) == 5 && pe.Code[:2] == "08": // connection_exception class
			return true
		case pe.Code == "57P01", pe.Code == "57P02", pe.Code == "57P03", // shutdown, crash, cannot connect now
			pe.Code == "53300": // too_many_connections
			return true
		}
		return false
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || pgconn.SafeToRetry(err)
}

// retryable is the classification every store error gets.
func retryable(err error) bool {
	if errors.Is(err, context.Canceled) {
		return false // the caller gave up; nothing to retry
	}
	return contention(err) || connectionLost(err)
}
