package pipeline

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/b2bgw/b2bgw/internal/config"
	"github.com/b2bgw/b2bgw/internal/odoo/odoosim"
	"github.com/b2bgw/b2bgw/internal/partner"
	"github.com/b2bgw/b2bgw/internal/store"
)

func TestRetentionPlan(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 6, 1, 3, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	cases := []struct {
		name          string
		cfg           config.Retention
		after         string // of every inbound mailbox
		wantErr       bool
		before        time.Time
		inbound, pick time.Time
		readOnly      []string
	}{
		{name: "off", cfg: config.Retention{}, wantErr: true},
		{name: "all", cfg: config.Retention{Keep: 90 * day, InboundControlNumbers: 365 * day, Pickups: 30 * day}, after: "delete",
			before: now.Add(-90 * day), inbound: now.Add(-365 * day), pick: now.Add(-30 * day)},
		{name: "moved files", cfg: config.Retention{Keep: 90 * day, Pickups: 30 * day}, after: "move",
			before: now.Add(-90 * day), pick: now.Add(-30 * day)},
		{name: "read-only mailbox keeps pickups", cfg: config.Retention{Keep: 90 * day, InboundControlNumbers: day, Pickups: 30 * day}, after: "leave",
			before: now.Add(-90 * day), inbound: now.Add(-day), readOnly: []string{"acme-retail/acme-retail-in"}},
		{name: "only messages", cfg: config.Retention{Keep: 7 * day}, after: "delete", before: now.Add(-7 * day)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := &Retainer{Config: c.cfg, Archive: &Archive{Dir: t.TempDir()}}
			if c.after != "" {
				r.Partners = testPartners(t, c.after)
			}
			pl, err := r.Plan(now)
			if c.wantErr {
				if err == nil || !strings.Contains(err.Error(), "retention.keep") {
					t.Fatalf("Plan: %v, want an error naming retention.keep", err)
				}
				return
			}
			must(t, err)
			o := pl.Options
			if !o.Before.Equal(c.before) || !o.InboundBefore.Equal(c.inbound) || !o.PickupsBefore.Equal(c.pick) ||
				!slices.Equal(pl.ReadOnly, c.readOnly) || o.RemoveFile == nil {
				t.Errorf("plan: before %v inbound %v pickups %v read-only %v; want %v %v %v %v",
					o.Before, o.InboundBefore, o.PickupsBefore, pl.ReadOnly, c.before, c.inbound, c.pick, c.readOnly)
			}
		})
	}
}

// testPartners is one partner whose inbound mailbox has after: after.
func testPartners(t *testing.T, after string) *partner.Registry {
	t.Helper()
	dir := t.TempDir()
	extra := "      after: " + after + "\n"
	if after == "move" {
		extra += "      archive_dir: done\n"
	}
	y := strings.Replace(profileYAML, "      schedule: \"@every 1h\"\n", "      schedule: \"@every 1h\"\n"+extra, 1)
	must(t, os.WriteFile(filepath.Join(dir, "acme.yaml"),
		[]byte(strings.NewReplacer("%[1]s", "acme-retail", "%[2]s", "ACMERETAIL", "%[3]s", dir, "%[4]s", dir).Replace(y)), 0o644))
	reg, err := partner.Load(dir, partner.Options{})
	must(t, err)
	return reg
}

// TestRetention runs files through, then retention: the dry run counts
// exactly what the run deletes; failed lineages and held files stay.
func TestRetention(t *testing.T) {
	for _, db := range databases {
		t.Run(db.name, func(t *testing.T) {
			t.Parallel()
			testRetention(t, db.dsn(t))
		})
	}
}

func testRetention(t *testing.T, dsn string) {
	b := setup(t, dsn)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	acme := odoosim.AcmeGLN
	b.drop("acme-retail", "a1.x12", interchange("ACMERETAIL", 1001, "P", "1200", order(1, "PO-R1", acme), badOrder(2, acme)))
	b.drop("acme-retail", "a2.x12", interchange("ACMERETAIL", 1002, "P", "1200", order(1, "PO-R2", acme)))
	p := b.start(ctx)
	must(t, p.PollNow(ctx))
	b.waitSettled(ctx, p, 60*time.Second)
	must(t, p.Stop(ctx))

	// A failed lineage (replayable: kept) and a held file (kept).
	failedSum, err := p.archive.Put([]byte("failed file"))
	must(t, err)
	heldSum, err := p.archive.Put([]byte("held file"))
	must(t, err)
	must(t, b.st.WithTx(ctx, func(tx store.Tx) error {
		for _, sum := range []string{failedSum, heldSum} {
			if err := p.archive.index(ctx, tx, sum, 9); err != nil {
				return err
			}
		}
		_, err := tx.AddMessage(ctx, store.Message{Kind: store.KindFile, Direction: store.Inbound, Partner: "acme-retail",
			Status: store.StatusFailed, Ref: "acme-retail-in:failed.x12", SHA256: failedSum})
		return err
	}))
	must(t, b.st.HoldArchive(ctx, heldSum, true))

	reg := prometheus.NewRegistry()
	r := &Retainer{Store: b.st, Archive: p.archive, Partners: b.reg, Logger: p.log, Metrics: NewRetentionMetrics(reg),
		Config: config.Retention{Keep: time.Hour, InboundControlNumbers: time.Hour, Pickups: time.Hour, Batch: 2}}
	later := time.Now().Add(2 * time.Hour)
	dry, _, err := r.DryRun(ctx, later)
	must(t, err)
	if dry.Lineages < 2 || dry.Archived < 2 || dry.Inbound < 2 || dry.Pickups != 2 {
		t.Errorf("dry run counts %+v: want at least 2 lineages, 2 files, 2 control numbers and exactly 2 pickups", dry)
	}
	res, err := r.Run(ctx, later)
	must(t, err)
	if counts(res) != counts(dry) || len(res.FileErrors) > 0 {
		t.Errorf("run deleted %+v, dry run said %+v", res, dry)
	}
	if again, _, err := r.DryRun(ctx, later); err != nil || counts(again) != [5]int64{} {
		t.Errorf("dry run after the run: %+v, %v; want nothing left", again, err)
	}
	ms, err := b.st.Messages(ctx, store.MessageFilter{Limit: 100})
	must(t, err)
	if len(ms) != 1 || ms[0].Status != store.StatusFailed {
		t.Errorf("after retention %d messages, want only the failed file", len(ms))
	}
	var left []string
	must(t, filepath.WalkDir(p.archive.Dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			left = append(left, filepath.Base(path))
		}
		return err
	}))
	slices.Sort(left)
	want := []string{failedSum, heldSum}
	slices.Sort(want)
	if !slices.Equal(left, want) {
		t.Errorf("archive holds %d files after retention, want the failed and the held one", len(left))
	}
	if got := metricValue(t, r.Metrics.Deleted.WithLabelValues("lineages")); got != float64(dry.Lineages) {
		t.Errorf("metric lineages deleted %v, want %d", got, dry.Lineages)
	}
	if metricValue(t, r.Metrics.LastSuccess) == 0 {
		t.Error("last success not set")
	}

	// A file the archive cannot remove: the run goes on, the entry stays
	// for the next run, the error is counted.
	foreign := strings.Repeat("f", 64)
	_, err = b.st.PutArchive(ctx, store.ArchiveEntry{SHA256: foreign, Location: "s3://another-bucket/" + archiveKey(foreign), Size: 1})
	must(t, err)
	res, err = r.Run(ctx, later)
	if err != nil || len(res.FileErrors) != 1 || res.Archived != 0 {
		t.Errorf("run with an unremovable file: %+v, %v; want one file error and no error", res, err)
	}
	if _, err := b.st.Archived(ctx, foreign); err != nil {
		t.Errorf("the unremovable file's entry was deleted: %v", err)
	}
	if got := metricValue(t, r.Metrics.Errors.WithLabelValues("file")); got != 1 {
		t.Errorf("file errors counted %v, want 1", got)
	}
}

// TestRetentionScheduled: serve's periodic job prunes (River enqueues it
// on the leader), counts in the pipeline's metrics and logs the run.
func TestRetentionScheduled(t *testing.T) {
	for _, db := range databases {
		t.Run(db.name, func(t *testing.T) {
			t.Parallel()
			testRetentionScheduled(t, db.dsn(t))
		})
	}
}

func testRetentionScheduled(t *testing.T, dsn string) {
	b := setup(t, dsn)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	b.drop("acme-retail", "a1.x12", interchange("ACMERETAIL", 1001, "P", "1200", order(1, "PO-S1", odoosim.AcmeGLN)))
	p := b.start(ctx)
	must(t, p.PollNow(ctx))
	b.waitSettled(ctx, p, 60*time.Second)
	must(t, p.Stop(ctx))

	// The next start runs two hours later with retention every second.
	b.cfg.NoSchedules = false
	b.cfg.Now = func() time.Time { return time.Now().Add(2 * time.Hour) }
	b.cfg.Retention = config.Retention{Keep: time.Hour, Schedule: "@every 1s", Batch: 200}
	p = b.start(ctx)
	defer p.Stop(context.Background())
	m := NewRetentionMetrics(p.m.Registry)
	deadline := time.Now().Add(90 * time.Second)
	for metricValue(t, m.Deleted.WithLabelValues("lineages")) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the scheduled retention run deleted nothing in 90s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	ms, err := b.st.Messages(ctx, store.MessageFilter{Limit: 10})
	must(t, err)
	if len(ms) != 0 {
		t.Errorf("%d messages left after the scheduled run", len(ms))
	}
	if !strings.Contains(b.logs.String(), "retention run") {
		t.Error("the run was not logged")
	}
}

// metricValue is the value of a counter or gauge.
func metricValue(t *testing.T, c prometheus.Metric) float64 {
	t.Helper()
	var m dto.Metric
	must(t, c.Write(&m))
	if m.Counter != nil {
		return m.Counter.GetValue()
	}
	return m.Gauge.GetValue()
}

func counts(r store.PruneResult) [5]int64 {
	return [5]int64{r.Lineages, r.Messages, r.Archived, r.Inbound, r.Pickups}
}
