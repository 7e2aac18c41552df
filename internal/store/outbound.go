package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// OutboundDoc is a document sent to a partner that waits for the
// partner's functional acknowledgment (997/999, CONTRL).
type OutboundDoc struct {
	ID        int64
	MessageID int64 // the outbound message in the lineage (0 if none)
	Partner   string
	Standard  string // "x12", "edifact"
	// The control numbers the partner's acknowledgment refers to: a 997
	// names GS06 (AK1) and ST02 (AK2); a CONTRL names UNB 0020 and UNH 0062.
	InterchangeControl, GroupControl, SetControl string
	DocType, DocNumber                           string
	SentAt                                       time.Time
	// AckStatus is empty while waiting, then the acknowledgment's verdict
	// ("A", "E", "R", "P"…) as the caller reports it.
	AckStatus    string
	AckAt        time.Time
	AckMessageID int64
}

// Awaiting reports whether the partner has not acknowledged d yet.
func (d OutboundDoc) Awaiting() bool { return d.AckStatus == "" }

const outboundCols = `id, message_id, partner, standard, interchange_control, group_control, set_control,
	doc_type, doc_number, sent_ns, ack_status, ack_ns, ack_message_id`

func scanOutbound(r rows) (OutboundDoc, error) {
	var d OutboundDoc
	var sent, acked int64
	err := r.Scan(&d.ID, &d.MessageID, &d.Partner, &d.Standard, &d.InterchangeControl, &d.GroupControl,
		&d.SetControl, &d.DocType, &d.DocNumber, &sent, &d.AckStatus, &acked, &d.AckMessageID)
	d.SentAt = time.Unix(0, sent)
	if acked != 0 {
		d.AckAt = time.Unix(0, acked)
	}
	return d, err
}

// TrackOutbound starts waiting for the acknowledgment of d.
func (o *ops) TrackOutbound(ctx context.Context, d OutboundDoc) (OutboundDoc, error) {
	if d.Partner == "" || (d.InterchangeControl == "" && d.GroupControl == "" && d.SetControl == "") {
		return d, o.err("TrackOutbound", invalid("an outbound document needs a partner and a control number"))
	}
	if d.SentAt.IsZero() {
		d.SentAt = time.Now()
	}
	d.AckStatus, d.AckAt, d.AckMessageID = "", time.Time{}, 0
	err := o.w.queryRow(ctx, `INSERT INTO outbound (message_id, partner, standard, interchange_control, group_control,
		set_control, doc_type, doc_number, sent_ns) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		d.MessageID, d.Partner, d.Standard, d.InterchangeControl, d.GroupControl, d.SetControl, d.DocType,
		d.DocNumber, d.SentAt.UnixNano()).Scan(&d.ID)
	return d, o.err("TrackOutbound", err)
}

// AckMatch selects the outbound documents an incoming acknowledgment
// covers: every non-empty control number must match. A 997 AK1 without
// AK2 (group-level) matches every set of the group.
type AckMatch struct {
	Partner                                      string
	InterchangeControl, GroupControl, SetControl string
}

// AckOutbound records an acknowledgment for the awaiting documents m
// selects, and reports how many it matched (0: an ack for something we
// never sent, or acknowledged already — the caller decides what to say).
func (o *ops) AckOutbound(ctx context.Context, m AckMatch, status string, ackMessageID int64) (int64, error) {
	if m.Partner == "" || (m.InterchangeControl == "" && m.GroupControl == "" && m.SetControl == "") || status == "" {
		return 0, o.err("AckOutbound", invalid("an acknowledgment match needs a partner, a control number and a status"))
	}
	args := []any{status, o.now(), ackMessageID, m.Partner}
	where := []string{"partner = $4", "ack_status = ''"}
	for _, c := range []struct{ col, v string }{
		{"interchange_control", m.InterchangeControl}, {"group_control", m.GroupControl}, {"set_control", m.SetControl},
	} {
		if c.v != "" {
			args = append(args, c.v)
			where = append(where, fmt.Sprintf("%s = $%d", c.col, len(args)))
		}
	}
	n, err := o.w.exec(ctx, `UPDATE outbound SET ack_status = $1, ack_ns = $2, ack_message_id = $3 WHERE `+
		strings.Join(where, " AND "), args...)
	return n, o.err("AckOutbound", err)
}

// OverdueQuery asks which documents wait too long for their ack.
type OverdueQuery struct {
	Now time.Time // default time.Now()
	// Default is the threshold for partners without their own (default 24h).
	Default    time.Duration
	PerPartner map[string]time.Duration
	Limit      int // default 1000
}

// Overdue lists awaiting documents older than their partner's threshold,
// oldest first. The database narrows by the smallest threshold; the
// per-partner cut is made here.
func (o *ops) Overdue(ctx context.Context, q OverdueQuery) ([]OutboundDoc, error) {
	if q.Now.IsZero() {
		q.Now = time.Now()
	}
	if q.Default <= 0 {
		q.Default = 24 * time.Hour
	}
	if q.Limit <= 0 {
		q.Limit = 1000
	}
	minT := q.Default
	for _, t := range q.PerPartner {
		if t > 0 && t < minT {
			minT = t
		}
	}
	ds, err := collect(ctx, o.r, scanOutbound, `SELECT `+outboundCols+` FROM outbound
		WHERE ack_status = '' AND sent_ns <= $1 ORDER BY sent_ns, id`, q.Now.Add(-minT).UnixNano())
	if err != nil {
		return nil, o.err("Overdue", err)
	}
	var out []OutboundDoc
	for _, d := range ds {
		t := q.Default
		if pt, ok := q.PerPartner[d.Partner]; ok && pt > 0 {
			t = pt
		}
		if !d.SentAt.After(q.Now.Add(-t)) {
			out = append(out, d)
			if len(out) == q.Limit {
				break
			}
		}
	}
	return out, nil
}
