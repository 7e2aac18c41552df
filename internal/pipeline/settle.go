package pipeline

import (
	"context"
	"errors"

	"github.com/b2bgw/b2bgw/internal/errclass"

	"github.com/b2bgw/b2bgw/internal/store"
)

// container kinds are done once everything under them is final.
func container(k store.Kind) bool {
	return k == store.KindFile || k == store.KindInterchange || k == store.KindGroup
}

// settle marks the accepted files, interchanges and groups of a lineage
// done once every other message in it is final. It first rewrites the
// root row unchanged: on PostgreSQL that row lock makes two transactions
// settling the same lineage take turns, and the second one (its reads
// start after the first committed, at READ COMMITTED) sees the first's
// statuses, so the last to finish settles; on SQLite the write lock
// already serialises them.
func (p *Pipeline) settle(ctx context.Context, tx store.Tx, anyID int64) error {
	m, err := tx.Message(ctx, anyID)
	if err != nil {
		return err
	}
	root, err := tx.Message(ctx, m.RootID)
	if err != nil {
		return err
	}
	if err := tx.SetDocNumber(ctx, root.ID, root.DocNumber); err != nil {
		return err
	}
	lin, err := tx.Lineage(ctx, root.ID)
	if err != nil {
		return err
	}
	var open []store.Message
	for _, x := range lin {
		switch {
		case container(x.Kind) && x.Status == store.StatusAccepted:
			open = append(open, x)
		case !x.Status.Final():
			return nil
		}
	}
	for _, x := range open {
		var keep error // a problem noted on an accepted file stays visible
		if x.Error != "" {
			keep = errclass.With(errors.New(x.Error), errclass.Permanent)
		}
		if err := tx.SetStatus(ctx, x.ID, store.StatusDone, keep); err != nil {
			return err
		}
	}
	return nil
}
