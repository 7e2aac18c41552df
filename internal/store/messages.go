package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/b2bgw/b2bgw/internal/errclass"
)

// Kind is the level of a message in the lineage tree.
type Kind string

// Message kinds, from the raw file down to the acknowledgment.
const (
	KindFile        Kind = "file"
	KindInterchange Kind = "interchange"
	KindGroup       Kind = "group"
	KindSet         Kind = "set"
	KindDocument    Kind = "document"    // a canonical document
	KindOdooRecord  Kind = "odoo_record" // a record created or updated in Odoo
	KindAck         Kind = "ack"         // 997/999/TA1/CONTRL, ours or the partner's
)

// Direction is inbound (from the partner) or outbound (to the partner).
type Direction string

// Directions.
const (
	Inbound  Direction = "in"
	Outbound Direction = "out"
)

// Status is where a message stands.
type Status string

// Statuses. Final ones (see Final) end a message's life: retention may
// delete a lineage once its root is final and old enough.
const (
	StatusReceived     Status = "received"
	StatusAccepted     Status = "accepted"   // passed validation
	StatusRejected     Status = "rejected"   // failed validation; acknowledged as such
	StatusTranslated   Status = "translated" // mapped to a canonical document
	StatusPosted       Status = "posted"     // written to Odoo
	StatusFailed       Status = "failed"     // an error stopped it; replayable
	StatusSent         Status = "sent"       // outbound: delivered to the partner's mailbox
	StatusAcknowledged Status = "acknowledged"
	StatusDuplicate    Status = "duplicate" // recognised as a resend; not processed
	StatusDone         Status = "done"      // a file or interchange whose children are all final
)

var finalStatuses = map[Status]bool{
	StatusRejected: true, StatusPosted: true, StatusAcknowledged: true, StatusDuplicate: true, StatusDone: true,
}

var knownStatuses = map[Status]bool{
	StatusReceived: true, StatusAccepted: true, StatusRejected: true, StatusTranslated: true, StatusPosted: true,
	StatusFailed: true, StatusSent: true, StatusAcknowledged: true, StatusDuplicate: true, StatusDone: true,
}

// Final reports whether nothing more happens to a message in status s.
// Failed is not final: it waits for a replay or an operator.
func (s Status) Final() bool { return finalStatuses[s] }

func (s Status) String() string { return string(s) }

// finalList is the final statuses as an SQL list literal (constants only).
func finalList() string {
	var b []string
	for s := range finalStatuses {
		b = append(b, "'"+string(s)+"'")
	}
	return strings.Join(b, ", ")
}

// Message is one node of the lineage tree.
type Message struct {
	ID       int64
	ParentID int64 // 0 for a root (a file, or an outbound document)
	RootID   int64 // the root of the tree; the message's own ID for a root
	Kind     Kind
	// Direction and Partner are inherited from the parent when empty.
	Direction Direction
	Partner   string
	Status    Status
	// DocType is the transaction set or document type ("850", "ORDERS",
	// "sale.order"); DocNumber the business number (PO, ASN, invoice).
	DocType   string
	DocNumber string
	// Control is the control number at this level (ISA13, GS06, ST02,
	// UNB 0020, UNH 0062).
	Control       string
	CorrelationID string
	// Ref locates the thing itself: a file name, an Odoo "model,id".
	Ref string
	// SHA256 is the content hash of a file message: the archive key.
	SHA256 string
	// Error and ErrorClass describe the last failure (errclass names).
	Error      string
	ErrorClass string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Event is one status change of a message.
type Event struct {
	ID         int64
	MessageID  int64
	Status     Status
	Error      string
	ErrorClass string
	At         time.Time
}

// MessageFilter selects messages (b2bgw messages --partner --status --po).
// Zero fields do not filter. Results are newest first.
type MessageFilter struct {
	Partner       string
	Status        Status
	DocNumber     string
	DocType       string
	Kind          Kind
	Direction     Direction
	CorrelationID string
	Since, Until  time.Time // created at, inclusive / exclusive
	// BeforeID pages: only messages with a smaller ID.
	BeforeID int64
	// Limit defaults to 100 and is capped at 10,000.
	Limit int
}

const messageCols = `id, parent_id, root_id, kind, direction, partner, status, doc_type, doc_number, control,
	correlation_id, ref, sha256, error, error_class, created_ns, updated_ns`

func scanMessage(r rows) (Message, error) { return scanMessageRow(r) }

func scanMessageRow(r row) (Message, error) {
	var m Message
	var created, updated int64
	err := r.Scan(&m.ID, &m.ParentID, &m.RootID, &m.Kind, &m.Direction, &m.Partner, &m.Status, &m.DocType,
		&m.DocNumber, &m.Control, &m.CorrelationID, &m.Ref, &m.SHA256, &m.Error, &m.ErrorClass, &created, &updated)
	m.CreatedAt, m.UpdatedAt = time.Unix(0, created), time.Unix(0, updated)
	return m, err
}

// AddMessage stores m under its parent and returns it with ID, RootID and
// times set. Direction and Partner default to the parent's; CorrelationID
// too, so one id follows a file down its whole tree.
func (o *ops) AddMessage(ctx context.Context, m Message) (Message, error) {
	if m.Kind == "" {
		return Message{}, o.err("AddMessage", invalid("message kind is empty"))
	}
	if m.Status == "" {
		m.Status = StatusReceived
	}
	if !knownStatuses[m.Status] {
		return Message{}, o.err("AddMessage", invalid("status %q", m.Status))
	}
	err := o.atomic(ctx, func(o *ops) error {
		if m.ParentID != 0 {
			p, err := o.message(ctx, m.ParentID)
			if err != nil {
				return err
			}
			m.RootID = p.RootID
			if m.Direction == "" {
				m.Direction = p.Direction
			}
			if m.Partner == "" {
				m.Partner = p.Partner
			}
			if m.CorrelationID == "" {
				m.CorrelationID = p.CorrelationID
			}
		}
		if m.Direction == "" {
			m.Direction = Inbound
		}
		now := o.now()
		if err := o.w.queryRow(ctx, `INSERT INTO messages (parent_id, root_id, kind, direction, partner, status,
			doc_type, doc_number, control, correlation_id, ref, sha256, error, error_class, created_ns, updated_ns)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15) RETURNING id`,
			m.ParentID, m.RootID, string(m.Kind), string(m.Direction), m.Partner, string(m.Status), m.DocType,
			m.DocNumber, m.Control, m.CorrelationID, m.Ref, m.SHA256, m.Error, m.ErrorClass, now).Scan(&m.ID); err != nil {
			return err
		}
		if m.ParentID == 0 {
			m.RootID = m.ID
			if _, err := o.w.exec(ctx, `UPDATE messages SET root_id = id WHERE id = $1`, m.ID); err != nil {
				return err
			}
		}
		m.CreatedAt, m.UpdatedAt = time.Unix(0, now), time.Unix(0, now)
		_, err := o.w.exec(ctx, `INSERT INTO message_events (message_id, status, error, error_class, at_ns)
			VALUES ($1, $2, $3, $4, $5)`, m.ID, string(m.Status), m.Error, m.ErrorClass, now)
		return err
	})
	return m, o.err("AddMessage", err)
}

// SetStatus moves message id to st and records the event. A non-nil
// cause is stored with its errclass class; a nil one clears the error.
func (o *ops) SetStatus(ctx context.Context, id int64, st Status, cause error) error {
	if !knownStatuses[st] {
		return o.err("SetStatus", invalid("status %q", st))
	}
	var text, class string
	if cause != nil {
		text, class = cause.Error(), errclass.Of(cause).String()
	}
	err := o.atomic(ctx, func(o *ops) error {
		now := o.now()
		n, err := o.w.exec(ctx, `UPDATE messages SET status = $1, error = $2, error_class = $3, updated_ns = $4
			WHERE id = $5`, string(st), text, class, now, id)
		if err != nil {
			return err
		}
		if n == 0 {
			return notFound("message", id)
		}
		_, err = o.w.exec(ctx, `INSERT INTO message_events (message_id, status, error, error_class, at_ns)
			VALUES ($1, $2, $3, $4, $5)`, id, string(st), text, class, now)
		return err
	})
	return o.err("SetStatus", err)
}

// SetDocNumber records the business document number once it is known
// (after mapping), so the message is found by --po.
func (o *ops) SetDocNumber(ctx context.Context, id int64, docNumber string) error {
	n, err := o.w.exec(ctx, `UPDATE messages SET doc_number = $1, updated_ns = $2 WHERE id = $3`, docNumber, o.now(), id)
	if err == nil && n == 0 {
		err = notFound("message", id)
	}
	return o.err("SetDocNumber", err)
}

// Message returns one message.
func (o *ops) Message(ctx context.Context, id int64) (Message, error) {
	m, err := o.message(ctx, id)
	return m, o.err("Message", err)
}

func (o *ops) message(ctx context.Context, id int64) (Message, error) {
	m, err := scanMessageRow(o.r.queryRow(ctx, `SELECT `+messageCols+` FROM messages WHERE id = $1`, id))
	return m, noRows(err, "message", id)
}

// Messages lists messages matching f, newest first.
func (o *ops) Messages(ctx context.Context, f MessageFilter) ([]Message, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.Partner != "" {
		add("partner = $%d", f.Partner)
	}
	if f.Status != "" {
		add("status = $%d", string(f.Status))
	}
	if f.DocNumber != "" {
		add("doc_number = $%d", f.DocNumber)
	}
	if f.DocType != "" {
		add("doc_type = $%d", f.DocType)
	}
	if f.Kind != "" {
		add("kind = $%d", string(f.Kind))
	}
	if f.Direction != "" {
		add("direction = $%d", string(f.Direction))
	}
	if f.CorrelationID != "" {
		add("correlation_id = $%d", f.CorrelationID)
	}
	if !f.Since.IsZero() {
		add("created_ns >= $%d", f.Since.UnixNano())
	}
	if !f.Until.IsZero() {
		add("created_ns < $%d", f.Until.UnixNano())
	}
	if f.BeforeID > 0 {
		add("id < $%d", f.BeforeID)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 10_000)
	q := `SELECT ` + messageCols + ` FROM messages`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += fmt.Sprintf(" ORDER BY id DESC LIMIT %d", limit)
	ms, err := collect(ctx, o.r, scanMessage, q, args...)
	return ms, o.err("Messages", err)
}

// Lineage returns the whole tree id belongs to, root first, in creation
// order: everything that came from the same file (or outbound document).
func (o *ops) Lineage(ctx context.Context, id int64) ([]Message, error) {
	m, err := o.message(ctx, id)
	if err != nil {
		return nil, o.err("Lineage", err)
	}
	ms, err := collect(ctx, o.r, scanMessage, `SELECT `+messageCols+` FROM messages WHERE root_id = $1 ORDER BY id`, m.RootID)
	return ms, o.err("Lineage", err)
}

// Events returns message id's status history, oldest first.
func (o *ops) Events(ctx context.Context, id int64) ([]Event, error) {
	es, err := collect(ctx, o.r, func(r rows) (Event, error) {
		var e Event
		var at int64
		err := r.Scan(&e.ID, &e.MessageID, &e.Status, &e.Error, &e.ErrorClass, &at)
		e.At = time.Unix(0, at)
		return e, err
	}, `SELECT id, message_id, status, error, error_class, at_ns FROM message_events WHERE message_id = $1 ORDER BY id`, id)
	return es, o.err("Events", err)
}
