package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/b2bgw/b2bgw/internal/x12"
)

// nextSQL allocates in one statement: insert the sequence at 1, or advance
// it (wrapping after MaxControlNumber to 1, never 0), and return the new
// value. The updated row stays locked until the transaction ends, so a
// concurrent allocator (any process) waits and then continues from the
// committed value: numbers are unique, and inside a transaction that rolls
// back, not consumed — no gaps. On SQLite the BEGIN IMMEDIATE write lock
// gives the same exclusion.
var nextSQL = fmt.Sprintf(`INSERT INTO control_numbers AS c (partner, kind, last, updated_ns) VALUES ($1, $2, 1, $3)
	ON CONFLICT (partner, kind) DO UPDATE
	SET last = CASE WHEN c.last >= %d THEN 1 ELSE c.last + 1 END, updated_ns = excluded.updated_ns
	RETURNING last`, x12.MaxControlNumber)

func checkControlKey(key x12.ControlKey) error {
	if key.Partner == "" || key.Kind == "" {
		return invalid("control-number key needs a partner and a kind, got %q/%q", key.Partner, key.Kind)
	}
	return nil
}

// Next implements x12.ControlNumbers. On the Store it commits the number
// at once: a crash after that leaves a gap, never a reuse. Inside a Tx
// (or with Store.NextTx) it commits with the message it numbers.
func (o *ops) Next(ctx context.Context, key x12.ControlKey) (int64, error) {
	if err := checkControlKey(key); err != nil {
		return 0, o.err("Next", err)
	}
	var n int64
	err := o.w.queryRow(ctx, nextSQL, key.Partner, key.Kind, o.now()).Scan(&n)
	if err != nil {
		return 0, o.err("Next", err)
	}
	return n, nil
}

// LastControlNumber returns the last number handed out for key (0 when
// none was).
func (o *ops) LastControlNumber(ctx context.Context, key x12.ControlKey) (int64, error) {
	var n int64
	err := o.r.queryRow(ctx, `SELECT last FROM control_numbers WHERE partner = $1 AND kind = $2`,
		key.Partner, key.Kind).Scan(&n)
	if errors.Is(err, errNoRows) {
		return 0, nil
	}
	return n, o.err("LastControlNumber", err)
}

// SetControlNumber makes the next number of key last+1 (last 0: restart
// at 1), audited with actor and reason: for a partner that asks to
// resynchronise, never for routine use.
func (o *ops) SetControlNumber(ctx context.Context, key x12.ControlKey, last int64, actor, reason string) error {
	if err := checkControlKey(key); err != nil {
		return o.err("SetControlNumber", err)
	}
	if last < 0 || last > x12.MaxControlNumber {
		return o.err("SetControlNumber", invalid("control number %d: want 0..%d", last, x12.MaxControlNumber))
	}
	if actor == "" || reason == "" {
		return o.err("SetControlNumber", invalid("setting a control number needs an actor and a reason"))
	}
	err := o.atomic(ctx, func(o *ops) error {
		var before int64
		err := o.w.queryRow(ctx, `SELECT last FROM control_numbers WHERE partner = $1 AND kind = $2`,
			key.Partner, key.Kind).Scan(&before)
		if err != nil && !errors.Is(err, errNoRows) {
			return err
		}
		if _, err := o.w.exec(ctx, `INSERT INTO control_numbers (partner, kind, last, updated_ns) VALUES ($1, $2, $3, $4)
			ON CONFLICT (partner, kind) DO UPDATE SET last = excluded.last, updated_ns = excluded.updated_ns`,
			key.Partner, key.Kind, last, o.now()); err != nil {
			return err
		}
		return o.audit(ctx, AuditEntry{Actor: actor, Action: "outbound-set", Subject: key.Partner + "/" + key.Kind,
			Reason: reason, Before: before, After: last})
	})
	return o.err("SetControlNumber", err)
}
