package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/b2bgw/b2bgw/internal/x12"
)

// The inbound control-number ledger: every interchange (sender, receiver,
// ISA13) and group (sender, GS02, GS03, GS06) ever received, for duplicate
// detection (TA1 025 / AK905 19), gap detection per sender, and an audited
// reset when a partner restarts its numbering.

// CheckInterchange implements x12.Duplicates: it reports whether k was
// seen before and remembers it, in one statement (insert, or count a
// repeat) so that of two processes checking the same key exactly one is
// told "not seen". It claims nothing: a retried job reading the same input
// again is told "seen"; use Claim to make re-reads idempotent.
func (o *ops) CheckInterchange(ctx context.Context, k x12.InterchangeKey) (bool, error) {
	return o.checkInterchange(ctx, k, "")
}

// CheckGroup implements x12.Duplicates (see CheckInterchange).
func (o *ops) CheckGroup(ctx context.Context, k x12.GroupKey) (bool, error) {
	return o.checkGroup(ctx, k, "")
}

// Claim returns an x12.Duplicates for one input (claimant: the file's
// SHA-256 or pickup id). A key first presented by the same claimant is
// not a duplicate when presented again by it — a retried job re-reads its
// own file — while any other input presenting it is.
func (o *ops) Claim(claimant string) x12.Duplicates {
	return claimDup{o: o, claimant: claimant}
}

type claimDup struct {
	o        *ops
	claimant string
}

// Peek returns an x12.Duplicates that answers what Claim(claimant) would
// answer now, from the reader, changing nothing. The pipeline reads a file
// with it outside any transaction and then claims the same keys inside the
// transaction that records them, comparing the answers (a different one
// means another input claimed a key meanwhile: the caller retries). That
// keeps two write commits per file off the single writer.
func (o *ops) Peek(claimant string) x12.Duplicates {
	return peekDup{o: o, claimant: claimant}
}

type peekDup struct {
	o        *ops
	claimant string
}

// seenBefore is seenAfterUpsert's answer before the upsert: a row claimed
// by the same claimant is its own, any other row a repeat.
func (c peekDup) seenBefore(row row, op string) (bool, error) {
	var claimedBy string
	switch err := row.Scan(&claimedBy); {
	case errors.Is(err, errNoRows):
		return false, nil
	case err != nil:
		return false, c.o.err(op, err)
	}
	return c.claimant == "" || claimedBy != c.claimant, nil
}

func (c peekDup) CheckInterchange(ctx context.Context, k x12.InterchangeKey) (bool, error) {
	return c.seenBefore(c.o.r.queryRow(ctx, `SELECT claimed_by FROM inbound_interchanges WHERE sender_qualifier = $1
		AND sender_id = $2 AND receiver_qualifier = $3 AND receiver_id = $4 AND control = $5`,
		k.SenderQualifier, k.SenderID, k.ReceiverQualifier, k.ReceiverID, k.Control), "PeekInterchange")
}

func (c peekDup) CheckGroup(ctx context.Context, k x12.GroupKey) (bool, error) {
	return c.seenBefore(c.o.r.queryRow(ctx, `SELECT claimed_by FROM inbound_groups WHERE sender_qualifier = $1
		AND sender_id = $2 AND app_sender = $3 AND app_receiver = $4 AND control = $5`,
		k.SenderQualifier, k.SenderID, k.AppSender, k.AppReceiver, k.Control), "PeekGroup")
}

func (c claimDup) CheckInterchange(ctx context.Context, k x12.InterchangeKey) (bool, error) {
	return c.o.checkInterchange(ctx, k, c.claimant)
}

func (c claimDup) CheckGroup(ctx context.Context, k x12.GroupKey) (bool, error) {
	return c.o.checkGroup(ctx, k, c.claimant)
}

// controlNum is the numeric value of a control number for gap detection,
// or nil when the partner sent something else.
func controlNum(s string) any {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n < 0 {
		return nil
	}
	return n
}

// seenAfterUpsert decides from the row the upsert returned: a new row has
// repeats 0; an existing one counted a repeat unless its claimant is back.
func seenAfterUpsert(repeats int64, claimedBy, claimant string) bool {
	if claimant != "" && claimedBy == claimant {
		return false
	}
	return repeats > 0
}

func (o *ops) checkInterchange(ctx context.Context, k x12.InterchangeKey, claimant string) (bool, error) {
	var repeats int64
	var claimedBy string
	now := o.now()
	err := o.w.queryRow(ctx, `INSERT INTO inbound_interchanges AS t (sender_qualifier, sender_id, receiver_qualifier,
		receiver_id, control, control_num, claimed_by, repeats, first_seen_ns, last_seen_ns)
		VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $8)
		ON CONFLICT (sender_qualifier, sender_id, receiver_qualifier, receiver_id, control) DO UPDATE
		SET repeats = CASE WHEN excluded.claimed_by <> '' AND t.claimed_by = excluded.claimed_by
		                   THEN t.repeats ELSE t.repeats + 1 END,
		    last_seen_ns = excluded.last_seen_ns
		RETURNING repeats, claimed_by`,
		k.SenderQualifier, k.SenderID, k.ReceiverQualifier, k.ReceiverID, k.Control, controlNum(k.Control),
		claimant, now).Scan(&repeats, &claimedBy)
	if err != nil {
		return false, o.err("CheckInterchange", err)
	}
	return seenAfterUpsert(repeats, claimedBy, claimant), nil
}

func (o *ops) checkGroup(ctx context.Context, k x12.GroupKey, claimant string) (bool, error) {
	var repeats int64
	var claimedBy string
	now := o.now()
	err := o.w.queryRow(ctx, `INSERT INTO inbound_groups AS t (sender_qualifier, sender_id, app_sender, app_receiver,
		control, control_num, claimed_by, repeats, first_seen_ns, last_seen_ns)
		VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $8)
		ON CONFLICT (sender_qualifier, sender_id, app_sender, app_receiver, control) DO UPDATE
		SET repeats = CASE WHEN excluded.claimed_by <> '' AND t.claimed_by = excluded.claimed_by
		                   THEN t.repeats ELSE t.repeats + 1 END,
		    last_seen_ns = excluded.last_seen_ns
		RETURNING repeats, claimed_by`,
		k.SenderQualifier, k.SenderID, k.AppSender, k.AppReceiver, k.Control, controlNum(k.Control),
		claimant, now).Scan(&repeats, &claimedBy)
	if err != nil {
		return false, o.err("CheckGroup", err)
	}
	return seenAfterUpsert(repeats, claimedBy, claimant), nil
}

// InterchangeSeq names a partner's interchange numbering: its ISA05/ISA06.
type InterchangeSeq struct {
	SenderQualifier, SenderID string
}

// GroupSeq names a partner's group numbering: ISA05/ISA06 and GS02.
type GroupSeq struct {
	SenderQualifier, SenderID, AppSender string
}

// Gap is a run of control numbers never received: From..To inclusive.
type Gap struct {
	From, To int64
}

// Missing is the number of control numbers in the gap.
func (g Gap) Missing() int64 { return g.To - g.From + 1 }

func (g Gap) String() string {
	if g.From == g.To {
		return strconv.FormatInt(g.From, 10)
	}
	return fmt.Sprintf("%d-%d", g.From, g.To)
}

// gapSQL finds holes between consecutive numbers received (window LAG, on
// both databases). Numbers before the first received are not a gap: the
// ledger may have started mid-sequence, or been reset.
const gapSQL = `SELECT prev + 1, num - 1 FROM (
	SELECT control_num AS num, LAG(control_num) OVER (ORDER BY control_num) AS prev
	FROM %s WHERE %s AND control_num IS NOT NULL
) w WHERE prev IS NOT NULL AND num > prev + 1 ORDER BY num LIMIT %d`

func scanGap(r rows) (Gap, error) {
	var g Gap
	return g, r.Scan(&g.From, &g.To)
}

// InterchangeGaps lists missing ISA13 numbers of a sender (lowest first,
// at most limit; 0 means 100). A partner that numbers per receiver shows
// gaps here that are not real: such partners are judged per receiver by
// the caller.
func (o *ops) InterchangeGaps(ctx context.Context, seq InterchangeSeq, limit int) ([]Gap, error) {
	if limit <= 0 {
		limit = 100
	}
	gs, err := collect(ctx, o.r, scanGap, fmt.Sprintf(gapSQL, "inbound_interchanges",
		"sender_qualifier = $1 AND sender_id = $2", limit), seq.SenderQualifier, seq.SenderID)
	return gs, o.err("InterchangeGaps", err)
}

// GroupGaps lists missing GS06 numbers of a sender's application (GS02).
func (o *ops) GroupGaps(ctx context.Context, seq GroupSeq, limit int) ([]Gap, error) {
	if limit <= 0 {
		limit = 100
	}
	gs, err := collect(ctx, o.r, scanGap, fmt.Sprintf(gapSQL, "inbound_groups",
		"sender_qualifier = $1 AND sender_id = $2 AND app_sender = $3", limit),
		seq.SenderQualifier, seq.SenderID, seq.AppSender)
	return gs, o.err("GroupGaps", err)
}

// InboundReset forgets a sender's received control numbers, so a partner
// that restarted its numbering is not rejected as resending, and gap
// detection starts afresh. Actor and Reason are required: the reset is
// audited.
type InboundReset struct {
	SenderQualifier, SenderID string
	Actor, Reason             string
}

// AuditEntry is one audited control-number change.
type AuditEntry struct {
	ID      int64
	At      time.Time
	Actor   string
	Action  string // "inbound-reset", "outbound-set"
	Subject string // "ZZ:ACME" or "acme/ISA"
	Reason  string
	// Before and After: for inbound-reset the highest number forgotten and
	// 0; for outbound-set the last number before and after.
	Before, After int64
	Detail        string
}

// ResetInbound implements the audited reset; it reports how many ledger
// rows (interchanges and groups) were forgotten.
func (o *ops) ResetInbound(ctx context.Context, r InboundReset) (int64, error) {
	if r.SenderID == "" || r.Actor == "" || r.Reason == "" {
		return 0, o.err("ResetInbound", invalid("a reset needs the sender id, an actor and a reason"))
	}
	var removed int64
	err := o.atomic(ctx, func(o *ops) error {
		var maxNum int64
		if err := o.w.queryRow(ctx, `SELECT COALESCE(MAX(control_num), 0) FROM inbound_interchanges
			WHERE sender_qualifier = $1 AND sender_id = $2`, r.SenderQualifier, r.SenderID).Scan(&maxNum); err != nil {
			return err
		}
		ni, err := o.w.exec(ctx, `DELETE FROM inbound_interchanges WHERE sender_qualifier = $1 AND sender_id = $2`,
			r.SenderQualifier, r.SenderID)
		if err != nil {
			return err
		}
		ng, err := o.w.exec(ctx, `DELETE FROM inbound_groups WHERE sender_qualifier = $1 AND sender_id = $2`,
			r.SenderQualifier, r.SenderID)
		if err != nil {
			return err
		}
		removed = ni + ng
		return o.audit(ctx, AuditEntry{Actor: r.Actor, Action: "inbound-reset",
			Subject: r.SenderQualifier + ":" + r.SenderID, Reason: r.Reason, Before: maxNum,
			Detail: fmt.Sprintf("forgot %d interchanges and %d groups", ni, ng)})
	})
	if err != nil {
		return 0, o.err("ResetInbound", err)
	}
	return removed, nil
}

func (o *ops) audit(ctx context.Context, a AuditEntry) error {
	_, err := o.w.exec(ctx, `INSERT INTO control_audit (at_ns, actor, action, subject, reason, before_value,
		after_value, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		o.now(), a.Actor, a.Action, a.Subject, a.Reason, a.Before, a.After, a.Detail)
	return err
}

// Audit lists audited control-number changes, newest first.
func (o *ops) Audit(ctx context.Context, limit int) ([]AuditEntry, error) {
	if limit <= 0 {
		limit = 100
	}
	as, err := collect(ctx, o.r, func(r rows) (AuditEntry, error) {
		var a AuditEntry
		var at int64
		err := r.Scan(&a.ID, &at, &a.Actor, &a.Action, &a.Subject, &a.Reason, &a.Before, &a.After, &a.Detail)
		a.At = time.Unix(0, at)
		return a, err
	}, fmt.Sprintf(`SELECT id, at_ns, actor, action, subject, reason, before_value, after_value, detail
		FROM control_audit ORDER BY id DESC LIMIT %d`, limit))
	return as, o.err("Audit", err)
}
