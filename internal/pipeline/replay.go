package pipeline

import (
	"context"
	"errors"
	"fmt"

	"github.com/riverqueue/river"

	"github.com/b2bgw/b2bgw/internal/errclass"
	"github.com/b2bgw/b2bgw/internal/store"
)

// Replay steps.
const (
	StepIngest    = "ingest"    // read the archived raw file again (a new file message; no second acknowledgment)
	StepTranslate = "translate" // map the file's failed sets again
	StepPost      = "post"      // post failed documents again
	StepSend      = "send"      // deliver a failed acknowledgment or feed again
)

// Steps lists the replay steps in pipeline order.
var Steps = []string{StepIngest, StepTranslate, StepPost, StepSend}

// ReplayResult says what a replay queued.
type ReplayResult struct {
	Step     string
	Message  int64   // the message the step works on (a new file message for ingest)
	Messages []int64 // the messages set back for the step (translate, post)
	Job      int64
}

// ErrNothingToReplay: the message has nothing in a state the step can
// run again from.
var ErrNothingToReplay = errors.New("nothing to replay")

// DefaultStep is the step a message is replayed from when none is given:
// where it stopped.
func DefaultStep(m store.Message) string {
	switch m.Kind {
	case store.KindDocument:
		if m.Direction == store.Outbound {
			return StepSend
		}
		return StepPost
	case store.KindOdooRecord:
		return StepPost
	case store.KindSet:
		if m.Status == store.StatusTranslated {
			return StepPost
		}
		return StepTranslate
	case store.KindAck:
		return StepSend
	}
	return StepIngest
}

// Replay queues message id to run again from step ("" = DefaultStep), in
// one transaction with the status changes that record it (each shows in
// the message's events). Replaying never creates a second Odoo record:
// posting is idempotent by partner and document number.
func Replay(ctx context.Context, st store.Store, jobs *store.Jobs, id int64, step string) (ReplayResult, error) {
	m, err := st.Message(ctx, id)
	if err != nil {
		return ReplayResult{}, err
	}
	if step == "" {
		step = DefaultStep(m)
	}
	res := ReplayResult{Step: step}
	replayed := errclass.With(fmt.Errorf("replayed from step %s (message %d)", step, id), errclass.Retryable)
	err = st.WithTx(ctx, func(tx store.Tx) error {
		res.Messages = res.Messages[:0]
		lin, err := tx.Lineage(ctx, id)
		if err != nil {
			return err
		}
		root := lin[0]
		insert := func(args river.JobArgs) error {
			r, err := jobs.InsertTx(ctx, tx, args, nil)
			if err == nil {
				res.Job = r.Job.ID
			}
			return err
		}
		switch step {
		case StepIngest:
			if root.Kind != store.KindFile || root.Direction != store.Inbound {
				return fmt.Errorf("%w: message %d does not come from a received file", ErrNothingToReplay, id)
			}
			if _, err := tx.Archived(ctx, root.SHA256); err != nil {
				return fmt.Errorf("the raw file of message %d is not in the archive: %w", root.ID, err)
			}
			f, err := tx.AddMessage(ctx, store.Message{Kind: store.KindFile, Direction: store.Inbound, Partner: root.Partner,
				Status: store.StatusReceived, Ref: root.Ref, SHA256: root.SHA256, CorrelationID: newCorrelationID(),
				Control: fmt.Sprintf("replay:%d", root.ID)})
			if err != nil {
				return err
			}
			res.Message = f.ID
			return insert(IngestArgs{File: f.ID, Replay: true})
		case StepTranslate:
			if root.Kind != store.KindFile {
				return fmt.Errorf("%w: message %d is not part of a received file", ErrNothingToReplay, id)
			}
			for _, x := range lin {
				if x.Kind == store.KindSet && x.Status == store.StatusFailed && !hasChild(lin, x.ID, store.KindDocument) {
					if err := tx.SetStatus(ctx, x.ID, store.StatusAccepted, replayed); err != nil {
						return err
					}
					res.Messages = append(res.Messages, x.ID)
				}
			}
			if len(res.Messages) == 0 {
				return fmt.Errorf("%w: no set of file %d failed in translation", ErrNothingToReplay, root.ID)
			}
			if err := tx.SetStatus(ctx, root.ID, store.StatusAccepted, replayed); err != nil {
				return err
			}
			res.Message = root.ID
			return insert(TranslateArgs{File: root.ID})
		case StepPost:
			want := map[int64]bool{}
			for _, x := range lin {
				if x.Kind != store.KindDocument || x.Direction != store.Inbound || x.SHA256 == "" {
					continue
				}
				// the message itself, its document, or (for a file or an
				// interchange) every failed document under it
				if x.ID == id || x.ParentID == id || (x.Status == store.StatusFailed && under(lin, x, id)) {
					want[x.ID] = true
				}
			}
			for _, x := range lin {
				if !want[x.ID] {
					continue
				}
				if x.Status == store.StatusPosted {
					continue // already in Odoo
				}
				if err := tx.SetStatus(ctx, x.ID, store.StatusTranslated, replayed); err != nil {
					return err
				}
				if p := find(lin, x.ParentID); p != nil && p.Kind == store.KindSet {
					if err := tx.SetStatus(ctx, p.ID, store.StatusTranslated, replayed); err != nil {
						return err
					}
				}
				if err := reopen(ctx, tx, lin, x, replayed); err != nil {
					return err
				}
				res.Messages = append(res.Messages, x.ID)
			}
			if len(res.Messages) == 0 {
				return fmt.Errorf("%w: no document to post under message %d (posted ones are never posted twice)", ErrNothingToReplay, id)
			}
			res.Message = id
			return insert(PostArgs{Documents: res.Messages})
		case StepSend:
			if (m.Kind != store.KindAck && m.Kind != store.KindDocument) || m.Direction != store.Outbound || m.SHA256 == "" {
				return fmt.Errorf("%w: message %d is not an outbound acknowledgment or feed", ErrNothingToReplay, id)
			}
			if err := tx.SetStatus(ctx, m.ID, store.StatusAccepted, replayed); err != nil {
				return err
			}
			if err := reopen(ctx, tx, lin, m, replayed); err != nil {
				return err
			}
			res.Message = m.ID
			res.Messages = []int64{m.ID}
			return insert(SendArgs{Message: m.ID})
		}
		return fmt.Errorf("unknown step %q: want one of %v", step, Steps)
	})
	return res, err
}

// reopen sets the done containers above x back to accepted, so the
// lineage settles again once the replayed step ends.
func reopen(ctx context.Context, tx store.Tx, lin []store.Message, x store.Message, cause error) error {
	for p := find(lin, x.ParentID); p != nil; p = find(lin, p.ParentID) {
		if container(p.Kind) && p.Status == store.StatusDone {
			if err := tx.SetStatus(ctx, p.ID, store.StatusAccepted, cause); err != nil {
				return err
			}
		}
		if p.ParentID == 0 {
			break
		}
	}
	return nil
}

func find(lin []store.Message, id int64) *store.Message {
	if id == 0 {
		return nil
	}
	for i := range lin {
		if lin[i].ID == id {
			return &lin[i]
		}
	}
	return nil
}

func hasChild(lin []store.Message, id int64, k store.Kind) bool {
	for _, x := range lin {
		if x.ParentID == id && x.Kind == k {
			return true
		}
	}
	return false
}

// under reports whether x descends from ancestor.
func under(lin []store.Message, x store.Message, ancestor int64) bool {
	for p := find(lin, x.ParentID); p != nil; p = find(lin, p.ParentID) {
		if p.ID == ancestor {
			return true
		}
		if p.ParentID == 0 {
			break
		}
	}
	return false
}
