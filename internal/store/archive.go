package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ArchiveEntry says where the raw bytes of a received (or sent) file are
// kept: a local path or an S3 key, by content hash.
type ArchiveEntry struct {
	SHA256     string
	Location   string // "file:///var/lib/b2bgw/archive/ab/cd…" or "s3://bucket/key"
	Size       int64
	ReceivedAt time.Time
	// Hold keeps the entry (and its file) through retention, e.g. for a
	// dispute.
	Hold bool
}

func scanArchive(r row) (ArchiveEntry, error) {
	var a ArchiveEntry
	var at int64
	err := r.Scan(&a.SHA256, &a.Location, &a.Size, &at, &a.Hold)
	a.ReceivedAt = time.Unix(0, at)
	return a, err
}

// PutArchive records e; content already archived is not recorded again
// (created=false) and keeps its first location.
func (o *ops) PutArchive(ctx context.Context, e ArchiveEntry) (bool, error) {
	if e.SHA256 == "" || e.Location == "" {
		return false, o.err("PutArchive", invalid("archive entry needs a SHA-256 and a location"))
	}
	if e.ReceivedAt.IsZero() {
		e.ReceivedAt = time.Now()
	}
	n, err := o.w.exec(ctx, `INSERT INTO archive (sha256, location, size, received_ns, hold) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (sha256) DO NOTHING`, e.SHA256, e.Location, e.Size, e.ReceivedAt.UnixNano(), e.Hold)
	if err != nil {
		return false, o.err("PutArchive", err)
	}
	return n == 1, nil
}

// Archived returns the archive entry of a content hash.
func (o *ops) Archived(ctx context.Context, sha256 string) (ArchiveEntry, error) {
	a, err := scanArchive(o.r.queryRow(ctx, `SELECT sha256, location, size, received_ns, hold FROM archive
		WHERE sha256 = $1`, sha256))
	return a, o.err("Archived", noRows(err, "archive entry", sha256))
}

// HoldArchive sets or clears an entry's retention hold.
func (o *ops) HoldArchive(ctx context.Context, sha256 string, hold bool) error {
	n, err := o.w.exec(ctx, `UPDATE archive SET hold = $1 WHERE sha256 = $2`, hold, sha256)
	if err == nil && n == 0 {
		err = notFound("archive entry", sha256)
	}
	return o.err("HoldArchive", err)
}

// PruneOptions is what retention deletes.
type PruneOptions struct {
	// Before: message lineages whose root was created before it and is
	// final (see Status.Final), with no failed message (it may be replayed)
	// and no outbound document still awaiting its acknowledgment; then archive entries received before it that no
	// remaining message refers to and that are not on hold. Required.
	Before time.Time
	// RemoveFile deletes an archived file; it must treat "already gone"
	// as success. Required.
	RemoveFile func(ctx context.Context, e ArchiveEntry) error
	// InboundBefore, when set, also forgets inbound control numbers last
	// seen before it (a resend older than that is no longer recognised).
	InboundBefore time.Time
	// PickupsBefore, when set, also deletes pickup-ledger entries picked
	// before it whose post-pickup action is done and whose content no
	// remaining message refers to. Do not set it for mailboxes that leave
	// files in place (read-only): their files would be picked up again.
	PickupsBefore time.Time
	// Batch is how many lineages or files are deleted per transaction
	// (default 200): retention never holds the write lock for long.
	Batch int
}

// PruneResult counts what was deleted.
type PruneResult struct {
	Lineages, Messages, Archived, Inbound, Pickups int64
	// FileErrors are archive files RemoveFile failed on; their entries
	// were kept, so the next run tries again.
	FileErrors []error
}

// Prune deletes what retention allows (see PruneOptions). Files go first,
// then their entries: a crash in between leaves an entry whose file is
// gone, which the next run removes (RemoveFile tolerates a missing file),
// never an orphaned file nobody knows about.
func (s *DB) Prune(ctx context.Context, opt PruneOptions) (PruneResult, error) {
	var res PruneResult
	if opt.Before.IsZero() || opt.RemoveFile == nil {
		return res, s.err("Prune", invalid("Prune needs Before and RemoveFile"))
	}
	batch := opt.Batch
	if batch <= 0 {
		batch = 200
	}
	before := opt.Before.UnixNano()
	// 1. Finished lineages.
	for {
		var roots []int64
		err := s.WithTx(ctx, func(tx Tx) error {
			o := &tx.(*txn).ops
			var err error
			roots, err = collect(ctx, o.w, func(r rows) (int64, error) {
				var id int64
				return id, r.Scan(&id)
			}, fmt.Sprintf(`SELECT id FROM messages m WHERE parent_id = 0 AND created_ns < $1 AND status IN (%s)
				AND NOT EXISTS (SELECT 1 FROM messages c WHERE c.root_id = m.id AND c.status = $2)
				AND NOT EXISTS (SELECT 1 FROM outbound ob JOIN messages c ON c.id = ob.message_id
				                WHERE c.root_id = m.id AND ob.ack_status = '')
				ORDER BY id LIMIT %d`, finalList(), batch), before, string(StatusFailed))
			if err != nil || len(roots) == 0 {
				return err
			}
			for _, root := range roots {
				if _, err := o.w.exec(ctx, `DELETE FROM message_events WHERE message_id IN
					(SELECT id FROM messages WHERE root_id = $1)`, root); err != nil {
					return err
				}
				if _, err := o.w.exec(ctx, `DELETE FROM outbound WHERE message_id IN
					(SELECT id FROM messages WHERE root_id = $1)`, root); err != nil {
					return err
				}
				n, err := o.w.exec(ctx, `DELETE FROM messages WHERE root_id = $1`, root)
				if err != nil {
					return err
				}
				res.Messages += n
			}
			return nil
		})
		if err != nil {
			return res, s.err("Prune", err)
		}
		res.Lineages += int64(len(roots))
		if len(roots) < batch {
			break
		}
	}
	// 2. Archive entries nobody needs any more.
	failed := map[string]bool{}
	for {
		cands, err := collect(ctx, s.w, func(r rows) (ArchiveEntry, error) { return scanArchive(r) },
			fmt.Sprintf(`SELECT sha256, location, size, received_ns, hold FROM archive a
			WHERE received_ns < $1 AND hold = FALSE
			AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.sha256 = a.sha256)
			ORDER BY received_ns LIMIT %d`, batch+len(failed)), before)
		if err != nil {
			return res, s.err("Prune", err)
		}
		var done []string
		for _, a := range cands {
			if failed[a.SHA256] {
				continue
			}
			if err := opt.RemoveFile(ctx, a); err != nil {
				failed[a.SHA256] = true
				res.FileErrors = append(res.FileErrors, fmt.Errorf("removing archived %s (%s): %w", a.SHA256, a.Location, err))
				continue
			}
			done = append(done, a.SHA256)
		}
		for _, sum := range done {
			// Still unreferenced? A message arriving meanwhile keeps the row
			// (its file is gone: see the package's open issues).
			n, err := s.w.exec(ctx, `DELETE FROM archive WHERE sha256 = $1 AND hold = FALSE
				AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.sha256 = $1)`, sum)
			if err != nil {
				return res, s.err("Prune", err)
			}
			res.Archived += n
		}
		if len(done) == 0 {
			break
		}
	}
	// 3. Optional: old inbound control numbers and pickup entries.
	if !opt.InboundBefore.IsZero() {
		t := opt.InboundBefore.UnixNano()
		for _, table := range []string{"inbound_interchanges", "inbound_groups"} {
			n, err := s.w.exec(ctx, `DELETE FROM `+table+` WHERE last_seen_ns < $1`, t)
			if err != nil {
				return res, s.err("Prune", err)
			}
			res.Inbound += n
		}
	}
	if !opt.PickupsBefore.IsZero() {
		n, err := s.w.exec(ctx, `DELETE FROM pickups WHERE picked_ns < $1 AND post_done = TRUE
			AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.sha256 = pickups.sha256)`, opt.PickupsBefore.UnixNano())
		if err != nil {
			return res, s.err("Prune", err)
		}
		res.Pickups = n
	}
	if len(res.FileErrors) > 0 {
		return res, s.err("Prune", errors.Join(res.FileErrors...))
	}
	return res, nil
}
