package odoo

import (
	"errors"
	"fmt"
	"github.com/b2bgw/b2bgw/internal/canonical"

	"github.com/b2bgw/b2bgw/internal/errclass"
)

// Action is what a posting did to an Odoo record.
type Action string

// Actions.
const (
	Created   Action = "created"
	Existing  Action = "existing" // already there: a resend, nothing changed
	Updated   Action = "updated"
	Cancelled Action = "cancelled"
	Validated Action = "validated" // a transfer done
	Ready     Action = "ready"     // quantities recorded, transfer left to validate
)

// Result is one record a posting created or matched.
type Result struct {
	Model  string `json:"model"`
	ID     int64  `json:"id"`
	Name   string `json:"name,omitempty"`
	Action Action `json:"action"`
	// State is the record's Odoo state after the posting (sale, draft…).
	State string `json:"state,omitempty"`
	// Key is the document key it was posted under (partner/number).
	Key string `json:"key,omitempty"`
}

func (r Result) String() string {
	return fmt.Sprintf("%s %s(%d) %s", r.Action, r.Model, r.ID, r.Name)
}

// Problem is why a document (or one of its lines) could not be posted as
// sent: something did not match, or Odoo's rules refuse it. Problems
// reject the document, not the whole file, and need a person.
type Problem string

// Problems.
const (
	ProblemUnknownPartner  Problem = "unknown_partner"
	ProblemUnknownShipTo   Problem = "unknown_ship_to"
	ProblemUnknownProduct  Problem = "unknown_product"
	ProblemUnknownUOM      Problem = "unknown_uom"
	ProblemUnknownOrder    Problem = "unknown_order"
	ProblemNotOnOrder      Problem = "product_not_on_order"
	ProblemOverShipment    Problem = "over_shipment"
	ProblemAlreadyShipped  Problem = "already_shipped"
	ProblemNotDraft        Problem = "not_draft"
	ProblemInProgress      Problem = "in_progress"
	ProblemRefused         Problem = "refused_by_odoo"
	ProblemNothingToDo     Problem = "nothing_to_do"
	ProblemInvalidDocument Problem = "invalid_document"
	ProblemTestDocument    Problem = "test_document"
)

// testGuard refuses a document the partner marked as test data unless the
// policy allows posting test data into this Odoo.
func testGuard(pol Policy, m canonical.Meta, number string) error {
	if !m.Test || pol.PostTestDocuments {
		return nil
	}
	return &DocumentError{Partner: m.PartnerID, Number: number, Problem: ProblemTestDocument,
		Detail: "the partner marked the interchange as test data (ISA15=T / UNB11=1); it was not posted. " +
			"To post test data into this Odoo (a test database), set odoo.post_test_documents: true in the partner profile"}
}

// DocumentError is a posting that failed for one document: which document
// (partner and number), which line (if one), what did not match, and the
// Odoo error behind it, if any.
type DocumentError struct {
	Partner string // gateway partner id
	Number  string // PO / ASN / order number
	Line    string // document line or row, when the problem is one line's
	Problem Problem
	Detail  string // exactly what did not match
	Err     error  // the Odoo error, when Odoo refused
}

func (e *DocumentError) Error() string {
	s := fmt.Sprintf("odoo: %s %s", e.Partner, e.Number)
	if e.Line != "" {
		s += " line " + e.Line
	}
	s += ": " + string(e.Problem)
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *DocumentError) Unwrap() error { return e.Err }

// Class: an Odoo error that is transient stays retryable (the document
// will post later); a work-in-progress by another gateway too; anything
// else rejects this document only.
//
// Odoo errors that no document can fix (bad key, missing rights, a field
// or model this Odoo lacks) stay Permanent: rejecting document after
// document would only hide a configuration problem.
func (e *DocumentError) Class() errclass.Class {
	if e.Problem == ProblemInProgress || errclass.IsRetryable(e.Err) {
		return errclass.Retryable
	}
	var oe *Error
	if errors.As(e.Err, &oe) {
		switch oe.Kind {
		case KindAccessDenied, KindAccessError, KindUnknownModel, KindUnknownMethod, KindUnknownField, KindProtocol:
			return errclass.Permanent
		}
	}
	return errclass.RejectsSet
}

// docErr wraps an Odoo error for a document, keeping its class.
func docErr(partner, number string, err error) error {
	if err == nil {
		return nil
	}
	var de *DocumentError
	if errors.As(err, &de) {
		return err
	}
	if errclass.IsRetryable(err) {
		return fmt.Errorf("odoo: %s %s: %w", partner, number, err)
	}
	return &DocumentError{Partner: partner, Number: number, Problem: ProblemRefused, Err: err}
}
