package pipeline

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// Metrics are the pipeline's Prometheus metrics, on a registry of their
// own (Registry) that the server exposes at /metrics.
type Metrics struct {
	Registry *prometheus.Registry

	FilesPicked     *prometheus.CounterVec   // partner
	FilesDuplicate  *prometheus.CounterVec   // partner
	Sets            *prometheus.CounterVec   // partner, status (accepted, rejected, duplicate)
	DocsPosted      *prometheus.CounterVec   // partner
	DocsFailed      *prometheus.CounterVec   // partner, class
	OdooLatency     *prometheus.HistogramVec // op
	AckLatency      prometheus.Histogram     // pickup to acknowledgment delivered
	AcksSent        *prometheus.CounterVec   // partner
	OverdueAcks     prometheus.Gauge
	JobsFailed      *prometheus.CounterVec // kind
	queueDepthQuery func(ctx context.Context) (map[string]int, error)
}

// NewMetrics creates the metrics on a fresh registry (with the Go and
// process collectors).
func NewMetrics() *Metrics {
	r := prometheus.NewRegistry()
	m := &Metrics{Registry: r}
	m.FilesPicked = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "b2bgw_files_picked_total",
		Help: "Files picked up from partner mailboxes (originals)."}, []string{"partner"})
	m.FilesDuplicate = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "b2bgw_files_duplicate_total",
		Help: "Files picked up whose content was already received from the partner."}, []string{"partner"})
	m.Sets = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "b2bgw_sets_total",
		Help: "Inbound transaction sets by validation outcome."}, []string{"partner", "status"})
	m.DocsPosted = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "b2bgw_documents_posted_total",
		Help: "Canonical documents posted to Odoo."}, []string{"partner"})
	m.DocsFailed = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "b2bgw_documents_failed_total",
		Help: "Documents stopped in the failed state (dead letters), by error class."}, []string{"partner", "class"})
	m.OdooLatency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "b2bgw_odoo_seconds",
		Help: "Duration of Odoo posting flows and reads.", Buckets: prometheus.ExponentialBuckets(0.005, 2, 14)}, []string{"op"})
	m.AckLatency = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "b2bgw_ack_latency_seconds",
		Help: "From file pickup to its acknowledgment delivered to the partner.", Buckets: prometheus.ExponentialBuckets(0.05, 2, 14)})
	m.AcksSent = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "b2bgw_outbound_sent_total",
		Help: "Acknowledgments and feeds delivered to partner mailboxes."}, []string{"partner", "doc_type"})
	m.OverdueAcks = prometheus.NewGauge(prometheus.GaugeOpts{Name: "b2bgw_overdue_acks",
		Help: "Outbound documents whose partner acknowledgment is overdue (at the last check)."})
	m.JobsFailed = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "b2bgw_job_errors_total",
		Help: "Job runs that returned an error (retried or not)."}, []string{"kind"})
	r.MustRegister(m.FilesPicked, m.FilesDuplicate, m.Sets, m.DocsPosted, m.DocsFailed, m.OdooLatency, m.AckLatency,
		m.AcksSent, m.OverdueAcks, m.JobsFailed, &queueCollector{m: m},
		prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	return m
}

var queueDepthDesc = prometheus.NewDesc("b2bgw_queue_depth", "Jobs waiting or running, by queue and state (at most 10,000 counted per state).",
	[]string{"queue", "state"}, nil)

// queueCollector counts River jobs at scrape time.
type queueCollector struct{ m *Metrics }

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- queueDepthDesc }

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	q := c.m.queueDepthQuery
	if q == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	counts, err := q(ctx)
	if err != nil {
		return
	}
	for k, n := range counts {
		queue, state := splitKey(k)
		ch <- prometheus.MustNewConstMetric(queueDepthDesc, prometheus.GaugeValue, float64(n), queue, state)
	}
}

func splitKey(k string) (string, string) {
	for i := range len(k) {
		if k[i] == '|' {
			return k[:i], k[i+1:]
		}
	}
	return k, ""
}

// queueDepth lists non-final jobs through River's job list.
func (p *Pipeline) queueDepth(ctx context.Context) (map[string]int, error) {
	out := map[string]int{}
	for _, q := range []string{QueueIntake, QueueProcess, QueuePost, QueueOutbound} {
		for _, s := range []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStateRunning,
			rivertype.JobStateRetryable, rivertype.JobStateScheduled} {
			params := river.NewJobListParams().Queues(q).States(s).First(10_000)
			var n int
			if c := p.jobs.SQLite(); c != nil {
				res, err := c.JobList(ctx, params)
				if err != nil {
					return nil, err
				}
				n = len(res.Jobs)
			} else {
				res, err := p.jobs.Postgres().JobList(ctx, params)
				if err != nil {
					return nil, err
				}
				n = len(res.Jobs)
			}
			out[q+"|"+string(s)] = n
		}
	}
	return out, nil
}

func observe(h prometheus.Observer, start time.Time) { h.Observe(time.Since(start).Seconds()) }
