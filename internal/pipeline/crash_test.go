package pipeline

// The exactly-once proof: the real `b2bgw serve` process, killed with
// SIGKILL at random points and restarted, over a mailbox of partner files
// with duplicates, resends and bad files, against the Odoo simulator (in
// this test process, so it outlives every gateway run). TestCrash kills;
// TestFaults makes Odoo misbehave instead. Both end with the same audit
// of the store, the outboxes and Odoo.
//
// Reproduce a run with B2BGW_CRASH_SEED=<seed from the log>; scale it
// with B2BGW_CRASH_FILES and B2BGW_CRASH_KILLS.

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/b2bgw/b2bgw/internal/odoo"
	"github.com/b2bgw/b2bgw/internal/odoo/odoosim"
	"github.com/b2bgw/b2bgw/internal/store"
	"github.com/b2bgw/b2bgw/internal/x12"
)

func TestCrash(t *testing.T) {
	bin := buildGateway(t)
	for _, db := range databases {
		t.Run(db.name, func(t *testing.T) {
			files, kills := envInt("B2BGW_CRASH_FILES", 540), envInt("B2BGW_CRASH_KILLS", 60)
			rig := newCrashRig(t, bin, db.dsn(t), crashSeed(t), files)
			// A little latency on every Odoo call widens the windows a kill
			// can land in (between reserve, create and confirm).
			rig.sim.Inject(odoosim.Fault{Kind: odoosim.Latency, Delay: 2 * time.Millisecond})
			rig.killLoop(kills)
			rig.finish(150 * time.Second)
			rig.audit()
		})
	}
}

func TestFaults(t *testing.T) {
	bin := buildGateway(t)
	for _, db := range databases {
		t.Run(db.name, func(t *testing.T) {
			seed := crashSeed(t)
			rig := newCrashRig(t, bin, db.dsn(t), seed, envInt("B2BGW_FAULT_FILES", 150))
			for _, f := range []odoosim.Fault{
				{Kind: odoosim.Latency, Delay: 40 * time.Millisecond, Probability: 0.05},
				{Kind: odoosim.SerializationFailure, Probability: 0.03},
				{Kind: odoosim.HTTPStatus, Status: 502, Probability: 0.02},
				{Kind: odoosim.HTTPStatus, Status: 502, Probability: 0.02, AfterCommit: true},
				{Kind: odoosim.DropConnection, Probability: 0.02},
				{Kind: odoosim.DropConnection, Probability: 0.02, AfterCommit: true},
			} {
				rig.sim.Inject(f)
			}
			rig.env = append(rig.env, "B2BGW_LOG_LEVEL=debug") // the Odoo client logs its retries at debug
			rig.drop(len(rig.corpus.files))
			rig.finish(120 * time.Second)
			rig.sim.ClearFaults()
			rig.audit()
			// Retries bounded: every job within MaxAttempts (audit), and
			// the Odoo calls per order stay a small multiple of the three
			// an order costs at steady state.
			if rig.stats.odooRetries == 0 {
				t.Error("no Odoo call was retried: the faults did not fire")
			}
			if per := float64(rig.stats.odooCalls) / float64(len(rig.corpus.orders)); per > 10 {
				t.Errorf("%.1f Odoo calls per order under faults: retries are not bounded", per)
			}
		})
	}
}

// --- the gateway binary ---

var gatewayBin struct {
	once sync.Once
	path string
	err  error
	out  []byte
}

// buildGateway builds cmd/b2bgw once per test binary.
func buildGateway(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: the crash and fault tests build and run the gateway process")
	}
	gatewayBin.once.Do(func() {
		dir, err := os.MkdirTemp("", "b2bgw-crash-bin-")
		if err != nil {
			gatewayBin.err = err
			return
		}
		gatewayBin.path = filepath.Join(dir, "b2bgw")
		cmd := exec.Command("go", "build", "-o", gatewayBin.path, "github.com/b2bgw/b2bgw/cmd/b2bgw")
		gatewayBin.out, gatewayBin.err = cmd.CombinedOutput()
	})
	if gatewayBin.err != nil {
		t.Fatalf("building the gateway: %v\n%s", gatewayBin.err, gatewayBin.out)
	}
	return gatewayBin.path
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func crashSeed(t *testing.T) uint64 {
	seed := uint64(time.Now().UnixNano())
	if v, err := strconv.ParseUint(os.Getenv("B2BGW_CRASH_SEED"), 10, 64); err == nil {
		seed = v
	}
	t.Logf("seed %d (B2BGW_CRASH_SEED=%d reproduces the files, faults and kill points)", seed, seed)
	return seed
}

// --- the files ---

type crashPartner struct {
	id, isa, gln, prefix string
	customer             int64 // Odoo res.partner of the buyer
}

type crashFile struct {
	partner, name string
	data          []byte
}

// crashCorpus is the files and what must come of them.
type crashCorpus struct {
	files []crashFile
	// orders: PO → the Odoo customer it belongs to; each exactly once.
	orders map[string]int64
	// failedPOs: documents Odoo refuses (unknown product): failed, no order.
	failedPOs map[string]bool
	// acks: partner → received ISA13 → interchanges with that number
	// (each one acknowledged once: a 997, or a TA1 for the resent number).
	acks map[string]map[int]int
	ta1  map[string]int
	// garbage: files that are no EDI at all (failed, with the error).
	garbage  map[string]bool // mailbox:name
	distinct int             // distinct file contents
	sets     int             // sets in distinct files
}

var crashSKUs = func() []string {
	var s []string
	for i := 1001; i <= 1019; i++ { // SKU-1020 is lot-tracked
		s = append(s, fmt.Sprintf("SKU-%d", i))
	}
	return s
}()

// genCorpus writes n files spread over the partners: mostly good orders
// (1–3 sets per interchange, sometimes two interchanges per file), with
// byte-identical copies of earlier files, resends of an interchange under
// its old control number (new timestamp, same orders), POs resent under
// new interchange numbers, sets without their BEG, orders with an unknown
// product, and files that are no EDI at all.
func genCorpus(rnd *rand.Rand, partners []crashPartner, n int) *crashCorpus {
	c := &crashCorpus{orders: map[string]int64{}, failedPOs: map[string]bool{}, acks: map[string]map[int]int{},
		ta1: map[string]int{}, garbage: map[string]bool{}}
	type sent struct {
		data []byte
		isa  int
		sets []string
		icx  int
	}
	type state struct {
		isa, po int
		resends int
		good    []sent
		pos     []string
	}
	st := map[string]*state{}
	for _, p := range partners {
		st[p.id] = &state{isa: 100}
		c.acks[p.id] = map[int]int{}
	}
	for i := range n {
		p := partners[i%len(partners)]
		s := st[p.id]
		name := fmt.Sprintf("f%04d.x12", i)
		r := rnd.Float64()
		switch {
		case r < 0.06 && len(s.good) > 0: // byte-identical copy
			c.files = append(c.files, crashFile{p.id, name, s.good[rnd.IntN(len(s.good))].data})
			continue
		case r < 0.10 && len(s.good) > 0: // the same interchange number again, new timestamp, same orders
			var one []sent
			for _, g := range s.good {
				if g.icx == 1 {
					one = append(one, g)
				}
			}
			if len(one) > 0 {
				g := one[rnd.IntN(len(one))]
				s.resends++ // a new timestamp each time: no two resends are byte-identical
				data := []byte(interchange(p.isa, g.isa, "P", fmt.Sprintf("%04d", 1300+s.resends), g.sets...))
				c.files = append(c.files, crashFile{p.id, name, data})
				c.acks[p.id][g.isa]++
				c.ta1[p.id]++
				c.distinct++
				c.sets += len(g.sets)
				continue
			}
		case r < 0.13:
			junk := make([]byte, 64+rnd.IntN(400))
			for j := range junk {
				junk[j] = byte(' ' + rnd.IntN(90))
			}
			c.files = append(c.files, crashFile{p.id, name, append([]byte("NOT EDI "), junk...)})
			c.garbage[p.id+"-in:"+name] = true
			c.distinct++
			continue
		}
		icx := 1
		if rnd.IntN(5) == 0 {
			icx = 2
		}
		var body strings.Builder
		var first []string
		for k := range icx {
			s.isa++
			var sets []string
			for j := range 1 + rnd.IntN(3) {
				stn := j + 1
				switch q := rnd.Float64(); {
				case q < 0.05:
					sets = append(sets, badOrder(stn, p.gln))
				case q < 0.08:
					s.po++
					po := fmt.Sprintf("%s-%05d", p.prefix, s.po)
					c.failedPOs[po] = true
					sets = append(sets, crashOrder(stn, po, p.gln, "SKU-9999", 1+rnd.IntN(9)))
				case q < 0.23 && len(s.pos) > 0: // a PO resent under a new interchange number
					po := s.pos[rnd.IntN(len(s.pos))]
					sets = append(sets, crashOrder(stn, po, p.gln, crashSKUs[rnd.IntN(len(crashSKUs))], 1+rnd.IntN(9)))
				default:
					s.po++
					po := fmt.Sprintf("%s-%05d", p.prefix, s.po)
					s.pos = append(s.pos, po)
					c.orders[po] = p.customer
					sets = append(sets, crashOrder(stn, po, p.gln, crashSKUs[rnd.IntN(len(crashSKUs))], 1+rnd.IntN(9)))
				}
			}
			body.WriteString(interchange(p.isa, s.isa, "P", "1200", sets...))
			c.acks[p.id][s.isa]++
			c.sets += len(sets)
			if k == 0 {
				first = sets
			}
		}
		data := []byte(body.String())
		c.files = append(c.files, crashFile{p.id, name, data})
		c.distinct++
		s.good = append(s.good, sent{data: data, isa: s.isa, sets: first, icx: icx})
	}
	return c
}

// crashOrder is an 850 for one product.
func crashOrder(st int, po, gln, sku string, qty int) string {
	return fmt.Sprintf("ST*850*%04d~BEG*00*SA*%s**20260301~N1*BY*BUYER*UL*%s~PO1*1*%d*EA*9.99**VN*%s~CTT*1*%d~SE*6*%04d~",
		st, po, gln, qty, sku, qty, st)
}

// --- the rig ---

const crashProfile = `partner: %[1]s
identities:
  x12:
    - {qualifier: ZZ, id: %[2]s}
us:
  x12: {qualifier: ZZ, id: B2BGWDIST}
standards:
  - {standard: x12, versions: ["004010"]}
acks: {send: "997", expect: "997", overdue_after: 1h}
duplicates: {interchange: reject, group: warn}
documents:
  - {type: "850"}
  - {type: "997", direction: out}
mailboxes:
  inbound:
    - id: %[1]s-in
      local: {dir: %[3]s}
      schedule: "@every 1s"
      stability: {immediate: true}
  outbound:
    - id: %[1]s-out
      local: {dir: %[4]s}
      name: "{doctype}_{control}.x12"
`

type crashRig struct {
	t        *testing.T
	bin, dir string
	dsn      string
	cfgPath  string
	env      []string
	addr     string
	rnd      *rand.Rand
	sim      *odoosim.Server
	client   *odoo.Client
	partners []crashPartner
	inbox    map[string]string
	outbox   map[string]string
	corpus   *crashCorpus
	dropped  int
	runs     int
	started  time.Time
	stats    struct {
		kills, beforeReady     int
		recovered              int
		odooCalls, odooRetries int
	}
}

func newCrashRig(t *testing.T, bin, dsn string, seed uint64, files int) *crashRig {
	t.Helper()
	dir := t.TempDir()
	r := &crashRig{t: t, bin: bin, dir: dir, dsn: dsn, rnd: rand.New(rand.NewPCG(seed, 0xb2b)), inbox: map[string]string{},
		outbox: map[string]string{}, started: time.Now()}
	// The simulator's clock runs a reservation lease behind: a reservation
	// a killed run left between reserving and creating an order has
	// expired at once, where production waits odoo.ReservationLease.
	r.sim = odoosim.New(odoosim.Options{RandSeed: seed, Now: func() time.Time {
		return time.Now().Add(-odoo.ReservationLease - time.Minute)
	}})
	ids := r.sim.Seed()
	simURL, err := r.sim.Start("127.0.0.1:0")
	must(t, err)
	t.Cleanup(func() { r.sim.Close() })
	r.client, err = odoo.New(odoo.Config{URL: simURL, DB: r.sim.DB(), User: "admin", APIKey: odoo.Secret(r.sim.AdminAPIKey())})
	must(t, err)
	r.partners = []crashPartner{
		{"acme-retail", "ACMERETAIL", odoosim.AcmeGLN, "A", ids.AcmeRetail},
		{"globex-stores", "GLOBEXSTORES", odoosim.GlobexGLN, "G", ids.Globex},
		{"acme-west", "ACMEWEST", odoosim.AcmeGLN, "W", ids.AcmeRetail},
	}
	pdir := filepath.Join(dir, "partners")
	must(t, os.MkdirAll(pdir, 0o755))
	for _, p := range r.partners {
		in, out := filepath.Join(dir, "mail", p.id, "in"), filepath.Join(dir, "mail", p.id, "out")
		must(t, os.MkdirAll(in, 0o755))
		must(t, os.MkdirAll(out, 0o755))
		r.inbox[p.id], r.outbox[p.id] = in, out
		must(t, os.WriteFile(filepath.Join(pdir, p.id+".yaml"), fmt.Appendf(nil, crashProfile, p.id, p.isa, in, out), 0o644))
	}
	r.corpus = genCorpus(r.rnd, r.partners, files)

	// A fixed HTTP port: the instance is the same one after each restart.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	r.addr = l.Addr().String()
	l.Close()

	storeDSN, password := dsn, ""
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		password, _ = u.User.Password()
		u.User = url.User(u.User.Username())
		storeDSN = u.String()
	}
	r.cfgPath = filepath.Join(dir, "b2bgw.yaml")
	must(t, os.WriteFile(r.cfgPath, fmt.Appendf(nil, `gateway: {name: crash}
data_dir: %s
partners_dir: %s
store: {dsn: %q, max_conns: 8}
odoo: {url: %q, db: %s, user: admin, api_key: {env: CRASH_ODOO_KEY}, protocol: jsonrpc}
http: {listen: %q}
log: {level: info, format: json}
`, filepath.Join(dir, "data"), pdir, storeDSN, simURL, r.sim.DB(), r.addr), 0o644))
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "B2BGW_") {
			r.env = append(r.env, kv)
		}
	}
	r.env = append(r.env, "CRASH_ODOO_KEY="+r.sim.AdminAPIKey())
	if password != "" {
		r.env = append(r.env, "B2BGW_STORE_PASSWORD="+password)
	}
	must(t, os.MkdirAll(filepath.Join(dir, "logs"), 0o755))
	t.Logf("%d files (%d distinct, %d sets, %d orders to post, %d refused by Odoo, %d garbage), %d partners",
		len(r.corpus.files), r.corpus.distinct, r.corpus.sets, len(r.corpus.orders), len(r.corpus.failedPOs),
		len(r.corpus.garbage), len(r.partners))
	t.Cleanup(func() {
		if t.Failed() {
			r.dumpLogs()
		}
	})
	return r
}

// drop writes the next n files into their inboxes (temp name, rename).
func (r *crashRig) drop(n int) {
	for ; n > 0 && r.dropped < len(r.corpus.files); n-- {
		f := r.corpus.files[r.dropped]
		r.dropped++
		tmp := filepath.Join(r.inbox[f.partner], ".tmp-"+f.name)
		must(r.t, os.WriteFile(tmp, f.data, 0o644))
		must(r.t, os.Rename(tmp, filepath.Join(r.inbox[f.partner], f.name)))
	}
}

// start runs `b2bgw serve` once more.
func (r *crashRig) start() *exec.Cmd {
	r.runs++
	logf, err := os.Create(filepath.Join(r.dir, "logs", fmt.Sprintf("run-%03d.log", r.runs)))
	must(r.t, err)
	cmd := exec.Command(r.bin, "serve", "--config", r.cfgPath)
	cmd.Env = r.env
	cmd.Stdout, cmd.Stderr = logf, logf
	must(r.t, cmd.Start())
	logf.Close() // the child has its own descriptor
	return cmd
}

func (r *crashRig) ready() bool {
	c := http.Client{Timeout: 200 * time.Millisecond}
	res, err := c.Get("http://" + r.addr + "/readyz")
	if err != nil {
		return false
	}
	res.Body.Close()
	return res.StatusCode == http.StatusOK
}

// killLoop starts the gateway, kills it with SIGKILL after a random time
// (from its first instructions to well into its work), and again, kills
// times; files arrive between runs over the first 80% of them.
func (r *crashRig) killLoop(kills int) {
	per := (len(r.corpus.files) + kills*8/10 - 1) / (kills * 8 / 10)
	for k := range kills {
		r.drop(per)
		cmd := r.start()
		wait := time.Duration(30+r.rnd.IntN(1400)) * time.Millisecond
		time.Sleep(wait)
		if !r.ready() {
			r.stats.beforeReady++
		}
		must(r.t, cmd.Process.Signal(syscall.SIGKILL))
		_ = cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
			r.t.Fatalf("run %d ended by itself (%v) before its kill: see its log", k+1, cmd.ProcessState)
		}
		r.stats.kills++
	}
	r.drop(len(r.corpus.files))
	r.t.Logf("%d SIGKILLs in %s (%d before the gateway was ready)", r.stats.kills, time.Since(r.started).Round(time.Millisecond),
		r.stats.beforeReady)
}

// finish runs the gateway until every file went its whole way, then stops
// it with SIGTERM (a graceful stop must exit 0).
func (r *crashRig) finish(timeout time.Duration) {
	t := r.t
	ctx := context.Background()
	cmd := r.start()
	deadline := time.Now().Add(timeout)
	for !r.ready() {
		if time.Now().After(deadline) {
			t.Fatal("the gateway did not become ready")
		}
		time.Sleep(50 * time.Millisecond)
	}
	st, err := store.Open(ctx, r.dsn)
	must(t, err)
	defer st.Close()
	jobs, err := st.Jobs(nil)
	must(t, err)
	settleStart := time.Now()
	var why string
	for {
		why = r.unsettled(ctx, st, jobs)
		if why == "" {
			break
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Signal(syscall.SIGKILL)
			_ = cmd.Wait()
			t.Fatalf("not settled after %s: %s", timeout, why)
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Logf("settled %s after the last start; %s in all", time.Since(settleStart).Round(time.Millisecond),
		time.Since(r.started).Round(time.Millisecond))
	must(t, cmd.Process.Signal(syscall.SIGTERM))
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("graceful stop: %v", err)
		}
	case <-time.After(40 * time.Second):
		_ = cmd.Process.Signal(syscall.SIGKILL)
		t.Fatal("the gateway did not stop within 40s of SIGTERM")
	}
}

// unsettled says what is still under way ("" when nothing).
func (r *crashRig) unsettled(ctx context.Context, st *store.DB, jobs *store.Jobs) string {
	for p, dir := range r.inbox {
		es, err := os.ReadDir(dir)
		must(r.t, err)
		for _, e := range es {
			if !strings.HasPrefix(e.Name(), ".") {
				return "files waiting in " + p + "'s inbox"
			}
		}
	}
	ms := allMessages(r.t, ctx, st)
	files := 0
	dead := deadLetterRoots(ms)
	for _, m := range ms {
		if m.Kind == store.KindFile {
			files++
		}
		if !m.Status.Final() && m.Status != store.StatusFailed && !(container(m.Kind) && m.Status == store.StatusAccepted && dead[m.RootID]) {
			why := fmt.Sprintf("message %d (%s %s %s) is %s; its lineage:", m.ID, m.Kind, m.DocType, m.DocNumber, m.Status)
			lin, err := st.Lineage(ctx, m.RootID)
			must(r.t, err)
			for _, x := range lin {
				why += fmt.Sprintf("\n  %d ← %d %s %s %s %s %s %q", x.ID, x.ParentID, x.Kind, x.DocType, x.DocNumber, x.Ref, x.Status, x.Error)
			}
			return why
		}
	}
	if files != len(r.corpus.files) {
		return fmt.Sprintf("%d of %d files recorded", files, len(r.corpus.files))
	}
	for _, q := range []string{QueueProcess, QueuePost, QueueOutbound} {
		params := river.NewJobListParams().Queues(q).States(rivertype.JobStateAvailable, rivertype.JobStateRunning,
			rivertype.JobStateRetryable, rivertype.JobStateScheduled, rivertype.JobStatePending).First(10)
		res, err := listJobs(ctx, jobs, params)
		must(r.t, err)
		if len(res) > 0 {
			return fmt.Sprintf("job %s %d is %s", res[0].Kind, res[0].ID, res[0].State)
		}
	}
	return ""
}

func listJobs(ctx context.Context, jobs *store.Jobs, params *river.JobListParams) ([]*rivertype.JobRow, error) {
	if c := jobs.SQLite(); c != nil {
		res, err := c.JobList(ctx, params)
		if err != nil {
			return nil, err
		}
		return res.Jobs, nil
	}
	res, err := jobs.Postgres().JobList(ctx, params)
	if err != nil {
		return nil, err
	}
	return res.Jobs, nil
}

// allMessages pages through every message.
func allMessages(t *testing.T, ctx context.Context, st *store.DB) []store.Message {
	var out []store.Message
	before := int64(0)
	for {
		ms, err := st.Messages(ctx, store.MessageFilter{Limit: 10_000, BeforeID: before})
		must(t, err)
		out = append(out, ms...)
		if len(ms) < 10_000 {
			return out
		}
		before = ms[len(ms)-1].ID
		for _, m := range ms {
			before = min(before, m.ID)
		}
	}
}

// deadLetterRoots are the lineages (by root) holding a failed message:
// their containers stay accepted until the dead letter is replayed.
func deadLetterRoots(ms []store.Message) map[int64]bool {
	out := map[int64]bool{}
	for _, m := range ms {
		if m.Status == store.StatusFailed {
			out[m.RootID] = true
		}
	}
	return out
}

type pickupRow struct{ mailbox, path, sha string }

// pickups reads the pickup ledger.
func pickups(t *testing.T, ctx context.Context, st *store.DB) []pickupRow {
	var out []pickupRow
	must(t, st.WithTx(ctx, func(tx store.Tx) error {
		out = out[:0]
		const q = `SELECT mailbox, path, sha256 FROM pickups`
		if s := tx.SQLTx(); s != nil {
			rows, err := s.QueryContext(ctx, q)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var p pickupRow
				if err := rows.Scan(&p.mailbox, &p.path, &p.sha); err != nil {
					return err
				}
				out = append(out, p)
			}
			return rows.Err()
		}
		rows, err := tx.PgxTx().Query(ctx, q)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p pickupRow
			if err := rows.Scan(&p.mailbox, &p.path, &p.sha); err != nil {
				return err
			}
			out = append(out, p)
		}
		return rows.Err()
	}))
	return out
}

var (
	reTA1 = regexp.MustCompile(`TA1\*(\d+)\*`)
	reAK1 = regexp.MustCompile(`AK1\*PO\*(\d+)`)
	reGS  = regexp.MustCompile(`~\s*GS\*FA\*[^*]*\*[^*]*\*[^*]*\*[^*]*\*(\d+)\*`)
)

// audit checks the end state against the corpus.
func (r *crashRig) audit() {
	t, c := r.t, r.corpus
	ctx := context.Background()
	st, err := store.Open(ctx, r.dsn)
	must(t, err)
	defer st.Close()
	ms := allMessages(t, ctx, st)

	// 1. Every file picked exactly once: one ledger entry and one file
	// message per file; of byte-identical files one is processed, the
	// others are recorded as duplicates.
	want := map[string]bool{}
	for _, f := range c.files {
		want[f.partner+"-in:"+f.name] = true
	}
	led := map[string]int{}
	for _, p := range pickups(t, ctx, st) {
		led[p.mailbox+":"+p.path]++
	}
	for ref := range want {
		if led[ref] != 1 {
			t.Errorf("pickup ledger: %s recorded %d times, want 1", ref, led[ref])
		}
	}
	if len(led) != len(want) {
		t.Errorf("pickup ledger: %d files, want %d", len(led), len(want))
	}
	fileMsgs := map[string]int{}
	processed := map[string]int{} // sha → non-duplicate file messages
	for _, m := range ms {
		if m.Kind != store.KindFile {
			continue
		}
		fileMsgs[m.Ref]++
		if m.Status != store.StatusDuplicate {
			processed[m.SHA256]++
		}
		if c.garbage[m.Ref] && (m.Status != store.StatusFailed || m.Error == "") {
			t.Errorf("garbage file %s: %s %q, want failed with its error", m.Ref, m.Status, m.Error)
		}
	}
	for ref := range want {
		if fileMsgs[ref] != 1 {
			t.Errorf("%s: %d file messages, want 1", ref, fileMsgs[ref])
		}
	}
	for sha, n := range processed {
		if n != 1 {
			t.Errorf("content %s processed %d times, want once", sha[:12], n)
		}
	}
	if len(processed) != c.distinct {
		t.Errorf("%d distinct contents processed, want %d", len(processed), c.distinct)
	}

	// 2. Nothing left under way; every failure carries its error, and
	// only what must fail failed.
	byStatus := map[store.Status]int{}
	dead := deadLetterRoots(ms)
	for _, m := range ms {
		byStatus[m.Status]++
		switch {
		case m.Status == store.StatusFailed || m.Status == store.StatusRejected:
			if m.Error == "" {
				t.Errorf("message %d (%s %s) is %s without an error", m.ID, m.Kind, m.DocNumber, m.Status)
			}
			if m.Status == store.StatusFailed && m.Kind == store.KindDocument && !c.failedPOs[m.DocNumber] {
				t.Errorf("document %s failed: %s", m.DocNumber, m.Error)
			}
		case container(m.Kind) && m.Status == store.StatusAccepted && dead[m.RootID]:
			// A file with a dead letter stays accepted until it is replayed.
		case !m.Status.Final():
			t.Errorf("message %d (%s %s %s) left %s", m.ID, m.Kind, m.DocType, m.DocNumber, m.Status)
		}
	}
	jobs, err := st.Jobs(nil)
	must(t, err)
	for _, s := range []rivertype.JobState{rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStateDiscarded} {
		rows, err := listJobs(ctx, jobs, river.NewJobListParams().States(s).First(100))
		must(t, err)
		for _, j := range rows {
			if j.Kind != "poll" || s == rivertype.JobStateDiscarded {
				t.Errorf("job %s %d left %s (attempt %d): %v", j.Kind, j.ID, s, j.Attempt, j.Errors)
			}
		}
	}
	var ncompleted, attempts, maxAttempt int
	perKind := map[string]string{}
	must(t, st.WithTx(ctx, func(tx store.Tx) error {
		const q = `SELECT kind, count(*), coalesce(sum(attempt), 0), coalesce(max(attempt), 0) FROM river_job
			WHERE state = 'completed' GROUP BY kind`
		var kind string
		var n, sum, mx int
		scan := func() {
			ncompleted, attempts, maxAttempt = ncompleted+n, attempts+sum, max(maxAttempt, mx)
			perKind[kind] = fmt.Sprintf("%d jobs/%d attempts/max %d", n, sum, mx)
		}
		if s := tx.SQLTx(); s != nil {
			rows, err := s.QueryContext(ctx, q)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				if err := rows.Scan(&kind, &n, &sum, &mx); err != nil {
					return err
				}
				scan()
			}
			return rows.Err()
		}
		rows, err := tx.PgxTx().Query(ctx, q)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := rows.Scan(&kind, &n, &sum, &mx); err != nil {
				return err
			}
			scan()
		}
		return rows.Err()
	}))
	if maxAttempt > 8 {
		t.Errorf("a job took %d attempts, more than MaxAttempts 8", maxAttempt)
	}

	// 3. One Odoo order per partner and PO; none for refused documents.
	rows, err := r.client.SearchRead(ctx, "sale.order", odoo.Domain{}, []string{"client_order_ref", "partner_id", "state"}, odoo.SearchOpts{})
	must(t, err)
	orders := map[string]int{}
	for _, row := range rows {
		po := row.String("client_order_ref")
		if po == "" {
			continue
		}
		orders[po]++
		if cust, ok := c.orders[po]; ok && row.M2OID("partner_id") != cust {
			t.Errorf("order %s for customer %d, want %d", po, row.M2OID("partner_id"), cust)
		}
		if _, ok := c.orders[po]; ok && row.String("state") != "sale" {
			t.Errorf("order %s left %s, want confirmed", po, row.String("state"))
		}
	}
	for po := range c.orders {
		if orders[po] != 1 {
			t.Errorf("PO %s: %d Odoo orders, want 1", po, orders[po])
		}
	}
	for po, n := range orders {
		if _, ok := c.orders[po]; !ok {
			t.Errorf("PO %s: %d Odoo orders, want none", po, n)
		}
	}

	// 4. Exactly one acknowledgment per received interchange; our
	// control numbers unique and without gaps per partner.
	acks, temps := 0, 0
	for _, p := range r.partners {
		es, err := os.ReadDir(r.outbox[p.id])
		must(t, err)
		got := map[int]int{}
		var isas, gss []int
		ta1 := 0
		for _, e := range es {
			if strings.HasPrefix(e.Name(), ".") {
				// An upload killed between writing its temp file and the
				// rename leaves it: hidden, ending in .part, the form
				// pollers skip (transport.TempName); the retry uploads
				// under a new temp name.
				if !strings.HasSuffix(e.Name(), ".part") {
					t.Errorf("%s: %s left in the outbox", p.id, e.Name())
				}
				temps++
				continue
			}
			data, err := os.ReadFile(filepath.Join(r.outbox[p.id], e.Name()))
			must(t, err)
			if len(data) < 106 || !bytes.HasPrefix(data, []byte("ISA")) {
				t.Errorf("%s: %s is no interchange", p.id, e.Name())
				continue
			}
			n, err := strconv.Atoi(string(data[90:99]))
			must(t, err)
			isas = append(isas, n)
			if m := reGS.FindSubmatch(data); m != nil {
				g, _ := strconv.Atoi(string(m[1]))
				gss = append(gss, g)
			}
			refs := reAK1.FindAllSubmatch(data, -1)
			if tm := reTA1.FindSubmatch(data); tm != nil {
				ta1++
				refs = append(refs, tm)
			}
			if len(refs) != 1 {
				t.Errorf("%s: %s acknowledges %d interchanges, want 1", p.id, e.Name(), len(refs))
			}
			for _, m := range refs {
				n, _ := strconv.Atoi(string(m[1]))
				got[n]++
			}
		}
		acks += len(isas)
		for isa, n := range c.acks[p.id] {
			if got[isa] != n {
				t.Errorf("%s: interchange %d acknowledged %d times, want %d", p.id, isa, got[isa], n)
			}
		}
		for isa, n := range got {
			if c.acks[p.id][isa] == 0 {
				t.Errorf("%s: %d acknowledgments of interchange %d, never received", p.id, n, isa)
			}
		}
		if ta1 != c.ta1[p.id] {
			t.Errorf("%s: %d TA1s, want %d (one per resent interchange number)", p.id, ta1, c.ta1[p.id])
		}
		for kind, nums := range map[string][]int{x12.KindISA: isas, x12.KindGS: gss} {
			sort.Ints(nums)
			for i, n := range nums {
				if n != i+1 {
					t.Errorf("%s: our %s control numbers are not 1..%d without gaps or repeats: %v", p.id, kind, len(nums), nums)
					break
				}
			}
			last, err := st.LastControlNumber(ctx, x12.ControlKey{Partner: p.id, Kind: kind})
			must(t, err)
			if last != int64(len(nums)) {
				t.Errorf("%s: %s allocator at %d, %d used: a number was allocated and not sent", p.id, kind, last, len(nums))
			}
		}
	}

	// 5. No panics in any run.
	logs, _ := filepath.Glob(filepath.Join(r.dir, "logs", "*.log"))
	for _, l := range logs {
		data, _ := os.ReadFile(l)
		if bytes.Contains(data, []byte("panic")) {
			t.Errorf("%s: a panic", filepath.Base(l))
		}
		r.stats.recovered += bytes.Count(data, []byte("stopped without shutting down"))
		r.stats.odooRetries += bytes.Count(data, []byte(`"msg":"odoo retry"`))
	}
	calls := 0
	for _, n := range r.sim.Calls() {
		calls += n
	}
	r.stats.odooCalls = calls
	t.Logf("audit: %d files, %d messages %v, %d Odoo orders, %d acknowledgments, %d jobs completed in %d attempts (max %d; %v), "+
		"%d runs recovered a killed run's jobs, %d Odoo calls (%d retried by the client), %d upload temp files left by killed uploads",
		len(c.files), len(ms), byStatus, len(orders), acks, ncompleted, attempts, maxAttempt, perKind, r.stats.recovered, calls, r.stats.odooRetries, temps)
}

// dumpLogs prints the tail of the last runs' logs.
func (r *crashRig) dumpLogs() {
	logs, _ := filepath.Glob(filepath.Join(r.dir, "logs", "*.log"))
	slices.Sort(logs)
	if len(logs) > 2 {
		logs = logs[len(logs)-2:]
	}
	for _, l := range logs {
		f, err := os.Open(l)
		if err != nil {
			continue
		}
		var lines []string
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			lines = append(lines, sc.Text())
		}
		f.Close()
		if len(lines) > 60 {
			lines = lines[len(lines)-60:]
		}
		r.t.Logf("--- %s (last %d lines)\n%s", filepath.Base(l), len(lines), strings.Join(lines, "\n"))
	}
}
