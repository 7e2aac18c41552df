// Package errclass tells the gateway what to do about an error: retry it,
// give up on the whole file or job, or reject just the one transaction set
// or document it concerns and carry on with the rest.
//
// Errors opt in by implementing Classifier. Anything that does not is
// treated as Permanent: retrying an error nobody understood only hides it.
package errclass

import "errors"

// Class is what the engine should do about an error.
type Class uint8

const (
	// Permanent errors will not go away by retrying: bad input, bad
	// configuration, a refusal. The work stops in a visible failed state.
	Permanent Class = iota
	// Retryable errors are transient: a timeout, a dropped connection, a
	// busy server. The work is retried with backoff.
	Retryable
	// RejectsSet errors concern one transaction set or document only: it is
	// rejected (and acknowledged as such) while the rest of the file goes on.
	RejectsSet
)

func (c Class) String() string {
	switch c {
	case Retryable:
		return "retryable"
	case RejectsSet:
		return "rejects-set"
	default:
		return "permanent"
	}
}

// Classifier is implemented by errors that know their class.
type Classifier interface {
	Class() Class
}

// Of returns the class of the first error in err's chain that has one, and
// Permanent when none does.
func Of(err error) Class {
	var c Classifier
	if errors.As(err, &c) {
		return c.Class()
	}
	return Permanent
}

// IsRetryable reports whether err is worth retrying.
func IsRetryable(err error) bool { return err != nil && Of(err) == Retryable }

// classified wraps an error with a class.
type classified struct {
	err   error
	class Class
}

func (e *classified) Error() string { return e.err.Error() }
func (e *classified) Unwrap() error { return e.err }
func (e *classified) Class() Class  { return e.class }

// With returns err marked with class c (nil stays nil).
func With(err error, c Class) error {
	if err == nil {
		return nil
	}
	return &classified{err: err, class: c}
}
