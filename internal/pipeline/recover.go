package pipeline

import (
	"context"
	"fmt"
	"net"
	"os"
	"strings"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/b2bgw/b2bgw/internal/config"
	"github.com/b2bgw/b2bgw/internal/store"
)

// instanceID names a `b2bgw serve` instance so that it is the same after a
// restart and unique among running processes: the gateway name, the host
// and the HTTP listen address (two live processes cannot listen on the
// same address of one host). With port 0 there is no stable name: "".
func instanceID(g *config.Gateway) string {
	_, port, err := net.SplitHostPort(g.HTTP.Listen)
	if err != nil || port == "0" || port == "" {
		return ""
	}
	host, _ := os.Hostname()
	if host == "" {
		host = "unknown-host"
	}
	id := g.Gateway.Name + "@" + host + "/" + g.HTTP.Listen
	if len(id) > 100 { // River's limit on client ids
		id = id[len(id)-100:]
	}
	return id
}

// recoverInstance takes back what the previous run of this instance left
// when it was killed (SIGKILL, OOM, power loss) without stopping: its jobs
// still marked running, which River's rescuer would only free after
// JobTimeout + 1 h, and its leadership, which blocks the periodic polls
// until the lease runs out. It runs before the job client starts; the
// instance id is unique among live processes, so whatever "running" job
// carries it as its last attempt belongs to a dead process. A job whose
// killed attempt was its last is discarded, as River's rescuer does; a
// killed poll is dropped (the schedule polls again at start).
func (p *Pipeline) recoverInstance(ctx context.Context) error {
	id := p.cfg.InstanceID
	params := river.NewJobListParams().States(rivertype.JobStateRunning).First(10_000)
	var rows []*rivertype.JobRow
	if c := p.jobs.SQLite(); c != nil {
		res, err := c.JobList(ctx, params)
		if err != nil {
			return err
		}
		rows = res.Jobs
	} else {
		res, err := p.jobs.Postgres().JobList(ctx, params)
		if err != nil {
			return err
		}
		rows = res.Jobs
	}
	var again, dead, polls []int64
	for _, j := range rows {
		if len(j.AttemptedBy) == 0 || j.AttemptedBy[len(j.AttemptedBy)-1] != id {
			continue
		}
		switch {
		case j.Kind == (PollArgs{}).Kind():
			// What the poll picked is recorded file by file; the schedule
			// polls again at start. Rerunning it would only count a kill
			// against it each time (a long poll is often the one killed).
			polls = append(polls, j.ID)
		case j.Attempt >= j.MaxAttempts:
			dead = append(dead, j.ID)
			p.log.Error("job was running on its last attempt when this instance died; discarded", "job", j.Kind, "job_id", j.ID,
				"attempt", j.Attempt)
		default:
			again = append(again, j.ID)
		}
	}
	var leader int64
	err := p.st.WithTx(ctx, func(tx store.Tx) error {
		if t := tx.SQLTx(); t != nil {
			res, err := t.ExecContext(ctx, `DELETE FROM river_leader WHERE leader_id = ?`, id)
			if err != nil {
				return err
			}
			leader, _ = res.RowsAffected()
			for _, ids := range []struct {
				ids []int64
				set string
			}{{again, `UPDATE river_job SET state = 'available'`}, {dead, `UPDATE river_job SET state = 'discarded', finalized_at = datetime('now', 'subsec')`},
				{polls, `DELETE FROM river_job`}} {
				if len(ids.ids) == 0 {
					continue
				}
				in := strings.TrimSuffix(strings.Repeat("?,", len(ids.ids)), ",")
				args := make([]any, len(ids.ids))
				for i, v := range ids.ids {
					args[i] = v
				}
				if _, err := t.ExecContext(ctx, ids.set+` WHERE state = 'running' AND id IN (`+in+`)`, args...); err != nil {
					return err
				}
			}
			return nil
		}
		t := tx.PgxTx()
		tag, err := t.Exec(ctx, `DELETE FROM river_leader WHERE leader_id = $1`, id)
		if err != nil {
			return err
		}
		leader = tag.RowsAffected()
		if len(again) > 0 {
			if _, err := t.Exec(ctx, `UPDATE river_job SET state = 'available' WHERE state = 'running' AND id = ANY($1)`, again); err != nil {
				return err
			}
		}
		if len(polls) > 0 {
			if _, err := t.Exec(ctx, `DELETE FROM river_job WHERE state = 'running' AND id = ANY($1)`, polls); err != nil {
				return err
			}
		}
		if len(dead) > 0 {
			if _, err := t.Exec(ctx, `UPDATE river_job SET state = 'discarded', finalized_at = now() WHERE state = 'running' AND id = ANY($1)`, dead); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("pipeline: recovering the jobs of the previous run of %s: %w", id, err)
	}
	if len(again)+len(dead)+len(polls) > 0 || leader > 0 {
		p.log.Warn("the previous run of this instance stopped without shutting down; its jobs run again",
			"instance", id, "jobs", len(again), "discarded", len(dead), "polls_dropped", len(polls), "leadership_released", leader > 0)
	}
	return nil
}
