package odoo

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/b2bgw/b2bgw/internal/errclass"
)

// Kind is what went wrong on the Odoo side, decided from the response's
// structure (JSON-RPC data.name, JSON-2 name and HTTP status, transport
// failures), never from message text, which Odoo translates.
type Kind int

// Kinds of errors.
const (
	// KindServer is any other server-side exception (TypeError, KeyError…).
	KindServer Kind = iota
	// KindAccessDenied: bad login or API key (expired, revoked), or the
	// login cooldown. Fix the credentials; retrying makes the cooldown worse.
	KindAccessDenied
	// KindAccessError: the bot user lacks rights on a model or record.
	KindAccessError
	// KindUserError: a business rule refused the operation.
	KindUserError
	// KindValidation: a constraint refused the values (unique, not null).
	KindValidation
	// KindMissing: the record does not exist (any more).
	KindMissing
	// KindUnknownModel, KindUnknownMethod, KindUnknownField: the request
	// names something this Odoo does not have — usually a module not
	// installed or a field renamed between versions.
	KindUnknownModel
	KindUnknownMethod
	KindUnknownField
	// KindTransient: worth retrying — serialization failure or lock
	// conflict (rolled back), proxy 502/503/504, dropped connection,
	// timeout.
	KindTransient
	// KindProtocol: the answer is not what the protocol promises (HTML
	// where JSON was due, a malformed envelope).
	KindProtocol
)

var kindNames = [...]string{"server error", "access denied", "access error", "user error", "validation error",
	"missing record", "unknown model", "unknown method", "unknown field", "transient", "protocol error"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Error is a failed Odoo call.
type Error struct {
	Kind    Kind
	Model   string // the model called ("common" for the common service)
	Method  string
	Name    string // Python class: "odoo.exceptions.ValidationError"
	Message string // Odoo's message, as sent
	Status  int    // HTTP status, when there was one
	// Ambiguous is set when the call may have been applied although no
	// answer came back (dropped connection, 502/504, timeout after the
	// request was sent). Creates must then be re-checked, never resent.
	Ambiguous bool
	// Attempts is how many times the call was tried.
	Attempts int
	Err      error // underlying transport error, if any
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "odoo: %s.%s: %s", e.Model, e.Method, e.Kind)
	if e.Status != 0 && e.Status != http.StatusOK {
		fmt.Fprintf(&b, " (HTTP %d)", e.Status)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	} else if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (after %d attempts)", e.Attempts)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Class makes Odoo errors speak errclass: transient ones are retried by
// the job engine, everything else needs a person.
func (e *Error) Class() errclass.Class {
	if e.Kind == KindTransient {
		return errclass.Retryable
	}
	return errclass.Permanent
}

// IsKind reports whether err is an *Error of kind k.
func IsKind(err error, k Kind) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == k
}

// Exception classes Odoo reports. Serialization failures, deadlocks and
// lock timeouts are rolled back by Odoo (after its own 5 retries), so
// retrying them is always safe.
var kindByName = map[string]Kind{
	"odoo.exceptions.AccessDenied":                 KindAccessDenied,
	"odoo.exceptions.AccessError":                  KindAccessError,
	"odoo.exceptions.UserError":                    KindUserError,
	"odoo.exceptions.RedirectWarning":              KindUserError,
	"odoo.exceptions.ValidationError":              KindValidation,
	"odoo.exceptions.MissingError":                 KindMissing,
	"odoo.exceptions.LockError":                    KindTransient,
	"psycopg2.errors.SerializationFailure":         KindTransient,
	"psycopg2.errors.DeadlockDetected":             KindTransient,
	"psycopg2.errors.LockNotAvailable":             KindTransient,
	"psycopg2.extensions.TransactionRollbackError": KindTransient,
	"builtins.AttributeError":                      KindUnknownMethod,
	"builtins.ValueError":                          KindUnknownField,
	"werkzeug.exceptions.Unauthorized":             KindAccessDenied,
	"werkzeug.exceptions.Forbidden":                KindAccessError,
}

// kindOf classifies a server exception by class name and HTTP status.
//
// Two cases carry no class of their own: an unknown model is a UserError
// over JSON-RPC and a NotFound over JSON-2, which also says "unknown
// method". The client resolves those with one look at ir.model (see
// Client.refineUnknown) rather than by reading the message.
func kindOf(name string, status int) Kind {
	if k, ok := kindByName[name]; ok {
		return k
	}
	switch status {
	case http.StatusUnauthorized:
		return KindAccessDenied
	case http.StatusForbidden:
		return KindAccessError
	case http.StatusNotFound:
		return KindUnknownMethod
	case http.StatusConflict, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return KindTransient
	}
	return KindServer
}
