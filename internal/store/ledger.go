package store

import (
	"context"
	"errors"
	"time"

	"github.com/b2bgw/b2bgw/internal/transport"
)

const pickupCols = `id, partner, mailbox, path, size, mtime_ns, seq, sha256, spool_path, picked_ns, duplicate_of, post_done`

func scanPickup(r row) (transport.LedgerEntry, error) {
	var e transport.LedgerEntry
	var mtime, picked int64
	err := r.Scan(&e.ID, &e.Partner, &e.Mailbox, &e.Path, &e.Size, &mtime, &e.Seq, &e.SHA256, &e.SpoolPath, &picked,
		&e.DuplicateOf, &e.PostDone)
	e.ModTime, e.PickedAt = time.Unix(0, mtime), time.Unix(0, picked)
	return e, err
}

// LookupFile implements transport.Ledger.
func (o *ops) LookupFile(ctx context.Context, key transport.FileKey) (transport.LedgerEntry, bool, error) {
	e, err := o.lookupFile(ctx, o.r, key)
	if errors.Is(err, errNoRows) {
		return transport.LedgerEntry{}, false, nil
	}
	if err != nil {
		return transport.LedgerEntry{}, false, o.err("LookupFile", err)
	}
	return e, true, nil
}

func (o *ops) lookupFile(ctx context.Context, q querier, key transport.FileKey) (transport.LedgerEntry, error) {
	return scanPickup(q.queryRow(ctx, `SELECT `+pickupCols+` FROM pickups
		WHERE partner = $1 AND mailbox = $2 AND path = $3 AND size = $4 AND mtime_ns = $5 AND seq = $6`,
		key.Partner, key.Mailbox, key.Path, key.Size, key.ModTime.UnixNano(), key.Seq))
}

// Record implements transport.Ledger. Two unique indexes make it atomic
// across processes: one on the file version (the same file recorded twice
// → the existing entry, created=false) and a partial one on (partner,
// sha256) among originals (the same content → exactly one original, the
// others DuplicateOf it). Each insert is insert-or-nothing; on PostgreSQL
// a conflicting insert in flight elsewhere is waited for, then seen.
func (o *ops) Record(ctx context.Context, e transport.LedgerEntry) (transport.LedgerEntry, bool, error) {
	if e.Partner == "" || e.SHA256 == "" {
		return e, false, o.err("Record", invalid("ledger entry needs a partner and a SHA-256"))
	}
	if e.PickedAt.IsZero() {
		e.PickedAt = time.Now()
	}
	var created bool
	err := o.atomic(ctx, func(o *ops) error {
		created = false
		// Attempt as the original; then, if the content is known, as a
		// duplicate of it. A third round only happens when the original
		// vanished in between (retention); give up after that.
		for range 3 {
			if prev, err := o.lookupFile(ctx, o.w, e.FileKey); err == nil {
				e = prev
				return nil
			} else if !errors.Is(err, errNoRows) {
				return err
			}
			var orig int64
			err := o.w.queryRow(ctx, `SELECT id FROM pickups WHERE partner = $1 AND sha256 = $2 AND duplicate_of = 0`,
				e.Partner, e.SHA256).Scan(&orig)
			if err != nil && !errors.Is(err, errNoRows) {
				return err
			}
			var id int64
			err = o.w.queryRow(ctx, `INSERT INTO pickups (partner, mailbox, path, size, mtime_ns, seq, sha256, spool_path,
				picked_ns, duplicate_of, post_done) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, FALSE)
				ON CONFLICT DO NOTHING RETURNING id`,
				e.Partner, e.Mailbox, e.Path, e.Size, e.ModTime.UnixNano(), e.Seq, e.SHA256, e.SpoolPath,
				e.PickedAt.UnixNano(), orig).Scan(&id)
			if err == nil {
				e.ID, e.DuplicateOf, e.PostDone, created = id, orig, false, true
				return nil
			}
			if !errors.Is(err, errNoRows) {
				return err
			}
			// A conflict: another transaction recorded this file version or
			// this content first. Look again.
		}
		return errors.New("pickup ledger: the original entry changed during Record; retry")
	})
	if err != nil {
		return transport.LedgerEntry{}, false, o.err("Record", err)
	}
	return e, created, nil
}

// MarkPostDone implements transport.Ledger.
func (o *ops) MarkPostDone(ctx context.Context, id int64) error {
	n, err := o.w.exec(ctx, `UPDATE pickups SET post_done = TRUE WHERE id = $1`, id)
	if err == nil && n == 0 {
		err = notFound("pickup", id)
	}
	return o.err("MarkPostDone", err)
}

// Pickup returns the ledger entry id (for replay by hash and the UI).
func (o *ops) Pickup(ctx context.Context, id int64) (transport.LedgerEntry, error) {
	e, err := scanPickup(o.r.queryRow(ctx, `SELECT `+pickupCols+` FROM pickups WHERE id = $1`, id))
	return e, o.err("Pickup", noRows(err, "pickup", id))
}
