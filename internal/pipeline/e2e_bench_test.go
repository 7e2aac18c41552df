package pipeline

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/b2bgw/b2bgw/internal/odoo"
	"github.com/b2bgw/b2bgw/internal/odoo/odoosim"
	"github.com/b2bgw/b2bgw/internal/partner"
	"github.com/b2bgw/b2bgw/internal/store"
)

// BenchmarkEndToEnd is the gateway's throughput from mailbox to Odoo:
// B2BGW_E2E_FILES files (default 1,000) of B2BGW_E2E_ORDERS orders each
// (default 10; 3 lines per order) in a local mailbox, the pipeline with
// its production defaults (workers, River polling), the Odoo simulator
// answering every call after 5 ms (B2BGW_E2E_LATENCY), until every
// order is posted and every file's 997 is in the outbox. It reports
// orders/s and Odoo calls per order; run it with -benchtime 1x
// (scripts/bench-e2e.sh does, for `make bench`).
func BenchmarkEndToEnd(b *testing.B) {
	for _, db := range databases {
		b.Run(db.name, func(b *testing.B) {
			for range b.N {
				dsn := db.dsn(b)
				if s := os.Getenv("B2BGW_E2E_SQLITE_SYNC"); s != "" && db.name == "sqlite" {
					dsn += "?synchronous=" + s // full (the default) or normal
				}
				benchEndToEnd(b, dsn)
			}
		})
	}
}

func benchEndToEnd(b *testing.B, dsn string) {
	b.StopTimer()
	files, perFile := envInt("B2BGW_E2E_FILES", 1000), envInt("B2BGW_E2E_ORDERS", 10)
	latency := 5 * time.Millisecond
	if d, err := time.ParseDuration(os.Getenv("B2BGW_E2E_LATENCY")); err == nil {
		latency = d
	}
	ctx := context.Background()
	dir := b.TempDir()
	in, out := filepath.Join(dir, "in"), filepath.Join(dir, "out")
	pdir := filepath.Join(dir, "partners")
	for _, d := range []string{in, out, pdir} {
		must(b, os.MkdirAll(d, 0o755))
	}
	must(b, os.WriteFile(filepath.Join(pdir, "acme-retail.yaml"), fmt.Appendf(nil, crashProfile, "acme-retail", "ACMERETAIL", in, out), 0o644))
	reg, err := partner.Load(pdir, partner.Options{})
	must(b, err)
	st, err := store.Open(ctx, dsn)
	must(b, err)
	defer st.Close()
	must(b, st.Migrate(ctx))
	sim := odoosim.New(odoosim.Options{})
	sim.Seed()
	if latency > 0 {
		sim.Inject(odoosim.Fault{Kind: odoosim.Latency, Delay: latency})
	}
	u, err := sim.Start("127.0.0.1:0")
	must(b, err)
	defer sim.Close()
	client, err := odoo.New(odoo.Config{URL: u, DB: sim.DB(), User: "admin", APIKey: odoo.Secret(sim.AdminAPIKey())})
	must(b, err)
	must(b, client.Connect(ctx))

	// The files: interchange numbers 1..files, POs unique, SKUs rotating.
	for f := range files {
		sets := make([]string, perFile)
		for i := range sets {
			n := f*perFile + i
			sets[i] = benchOrder(i+1, fmt.Sprintf("E2E-%06d", n), odoosim.AcmeGLN, n)
		}
		name := fmt.Sprintf("po-%05d.x12", f)
		must(b, os.WriteFile(filepath.Join(in, name), []byte(interchange("ACMERETAIL", f+1, "P", "1200", sets...)), 0o644))
	}

	p, err := New(Config{Store: st, Partners: reg, Odoo: client, ArchiveDir: filepath.Join(dir, "archive"),
		SpoolDir: filepath.Join(dir, "spool"), Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)), NoSchedules: true, FetchPollInterval: benchPoll()})
	must(b, err)
	must(b, p.Start(ctx))
	defer p.Stop(context.Background())
	sim.ResetCalls()

	b.StartTimer()
	start := time.Now()
	must(b, p.PollNow(ctx))
	deadline := start.Add(15 * time.Minute)
	for {
		time.Sleep(100 * time.Millisecond)
		if time.Now().After(deadline) {
			b.Fatalf("not done after %s", time.Since(start))
		}
		es, err := os.ReadDir(out)
		must(b, err)
		acks := 0
		for _, e := range es {
			if !strings.HasPrefix(e.Name(), ".") {
				acks++
			}
		}
		if acks < files {
			continue
		}
		q, err := p.queueDepth(ctx)
		must(b, err)
		busy := 0
		for _, n := range q {
			busy += n
		}
		if busy == 0 {
			break
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()

	posted, err := st.Messages(ctx, store.MessageFilter{Kind: store.KindDocument, Status: store.StatusPosted, Limit: 10_000})
	must(b, err)
	if want := min(files*perFile, 10_000); len(posted) < want {
		b.Fatalf("%d documents posted, want %d", len(posted), want)
	}
	calls := 0
	for _, n := range sim.Calls() {
		calls += n
	}
	orders := float64(files * perFile)
	b.ReportMetric(orders/elapsed.Seconds(), "orders/s")
	b.ReportMetric(float64(calls)/orders, "odoo-calls/order")
	b.ReportMetric(elapsed.Seconds(), "s/run")
	b.Logf("%s: %d orders in %d files, Odoo latency %s: %s, %.0f orders/s, %.2f Odoo calls/order (%v)",
		st.Dialect(), files*perFile, files, latency, elapsed.Round(time.Millisecond), orders/elapsed.Seconds(),
		float64(calls)/orders, sim.Calls())
	if os.Getenv("B2BGW_E2E_STATS") != "" && st.Dialect() == store.SQLite {
		logJobStats(b, strings.TrimPrefix(dsn, "sqlite://"))
	}
}

// logJobStats logs, per job kind, how long jobs waited in their queue and
// ran (River's own timestamps): where a run's time went
// (B2BGW_E2E_STATS=1, SQLite).
func logJobStats(b *testing.B, path string) {
	path, _, _ = strings.Cut(path, "?")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=query_only(1)")
	must(b, err)
	defer db.Close()
	rows, err := db.Query(`SELECT kind, count(*),
		avg(julianday(attempted_at) - julianday(scheduled_at)) * 86400000,
		avg(julianday(finalized_at) - julianday(attempted_at)) * 86400000,
		(julianday(max(finalized_at)) - julianday(min(attempted_at))) * 86400
		FROM river_job GROUP BY kind ORDER BY min(id)`)
	must(b, err)
	defer rows.Close()
	for rows.Next() {
		var kind string
		var n int
		var wait, run, span sql.NullFloat64
		must(b, rows.Scan(&kind, &n, &wait, &run, &span))
		b.Logf("jobs %-9s %5d: waited %6.1f ms, ran %6.1f ms on average; first start to last end %.1f s",
			kind, n, wait.Float64, run.Float64, span.Float64)
	}
	must(b, rows.Err())
}

// benchOrder is an 850 with three lines.
func benchOrder(st int, po, gln string, n int) string {
	var s strings.Builder
	fmt.Fprintf(&s, "ST*850*%04d~BEG*00*SA*%s**20260301~N1*BY*BUYER*UL*%s~", st, po, gln)
	for l := range 3 {
		fmt.Fprintf(&s, "PO1*%d*%d*EA*9.99**VN*%s~", l+1, 1+(n+l)%9, crashSKUs[(n+l)%len(crashSKUs)])
	}
	fmt.Fprintf(&s, "CTT*3~SE*%d*%04d~", 3+3+2, st)
	return s.String()
}

func benchPoll() time.Duration {
	d, _ := time.ParseDuration(os.Getenv("B2BGW_E2E_FETCH_POLL"))
	return d
}
