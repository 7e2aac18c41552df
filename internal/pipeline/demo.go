package pipeline

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/b2bgw/b2bgw/internal/store"
)

// Busy counts the jobs waiting or running on every queue (available,
// running, retryable and scheduled), at most 10,000 per queue and state.
func (p *Pipeline) Busy(ctx context.Context) (int, error) {
	q, err := p.queueDepth(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, k := range q {
		n += k
	}
	return n, nil
}

// WaitSettled waits until no job has waited or run on two checks in a
// row, checking every poll interval, and returns every message (oldest
// first). Each state change inserts its next job in its own transaction,
// so no job means nothing more happens until a new file, a schedule or an
// operator. On timeout the error names the messages that were still
// moving (neither final, nor failed, nor sent and waiting for the
// partner's acknowledgment).
func (p *Pipeline) WaitSettled(ctx context.Context, timeout, poll time.Duration) ([]store.Message, error) {
	deadline := time.Now().Add(timeout)
	idle := 0
	for {
		busy, err := p.Busy(ctx)
		if err != nil {
			return nil, err
		}
		if busy == 0 {
			idle++
		} else {
			idle = 0
		}
		if idle >= 2 {
			ms, err := p.st.Messages(ctx, store.MessageFilter{Limit: 10_000})
			if err != nil {
				return nil, err
			}
			sort.Slice(ms, func(i, j int) bool { return ms[i].ID < ms[j].ID })
			return ms, nil
		}
		if time.Now().After(deadline) {
			what := fmt.Sprintf("%d jobs waiting or running", busy)
			if ms, err := p.st.Messages(ctx, store.MessageFilter{Limit: 10_000}); err == nil {
				var open []string
				for _, m := range ms {
					if !m.Status.Final() && m.Status != store.StatusFailed && m.Status != store.StatusSent && !container(m.Kind) {
						open = append(open, fmt.Sprintf("message %d (%s %s %s) is %s", m.ID, m.Partner, m.Kind, m.DocType, m.Status))
					}
				}
				if len(open) > 5 {
					open = append(open[:5], fmt.Sprintf("and %d more", len(open)-5))
				}
				if len(open) > 0 {
					what += "; " + strings.Join(open, "; ")
				}
			}
			return nil, fmt.Errorf("the pipeline did not settle within %s: %s", timeout.Round(time.Second), what)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(poll):
		}
	}
}
