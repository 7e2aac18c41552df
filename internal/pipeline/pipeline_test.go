package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/b2bgw/b2bgw/internal/odoo"
	"github.com/b2bgw/b2bgw/internal/odoo/odoosim"
	"github.com/b2bgw/b2bgw/internal/partner"
	"github.com/b2bgw/b2bgw/internal/store"
	"github.com/b2bgw/b2bgw/internal/store/storetest"
	"github.com/b2bgw/b2bgw/internal/x12"
	"github.com/b2bgw/b2bgw/internal/x12/spec"
)

var databases = []struct {
	name string
	dsn  func(testing.TB) string
}{
	{"sqlite", storetest.SQLiteDSN},
	{"postgres", storetest.PostgresDSN},
}

// bundle is one gateway under test: a store, partners with local
// mailboxes, the Odoo simulator.
type bundle struct {
	t        *testing.T
	dir      string
	st       *store.DB
	reg      *partner.Registry
	sim      *odoosim.Server
	client   *odoo.Client
	inbox    map[string]string // partner -> folder
	outbox   map[string]string
	cfg      Config
	logs     *syncBuffer
	dialect  string
	archived string
}

type syncBuffer struct {
	mu chan struct{}
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu <- struct{}{}
	defer func() { <-s.mu }()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu <- struct{}{}
	defer func() { <-s.mu }()
	return s.b.String()
}

const profileYAML = `partner: %[1]s
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
  - {type: "846", direction: out, mapping: x12-004010-846-inventory}
mailboxes:
  inbound:
    - id: %[1]s-in
      local: {dir: %[3]s}
      schedule: "@every 1h"
      stability: {immediate: true}
  outbound:
    - id: %[1]s-out
      local: {dir: %[4]s}
      name: "{doctype}_{control}.x12"
atp:
  format: "846"
  schedule: "0 6 * * 1"
  products: [SKU-1001, SKU-1002]
`

func setup(t *testing.T, dsn string) *bundle {
	t.Helper()
	dir := t.TempDir()
	b := &bundle{t: t, dir: dir, inbox: map[string]string{}, outbox: map[string]string{},
		logs: &syncBuffer{mu: make(chan struct{}, 1)}}
	pdir := filepath.Join(dir, "partners")
	must(t, os.MkdirAll(pdir, 0o755))
	for _, p := range []struct{ id, isa string }{{"acme-retail", "ACMERETAIL"}, {"globex-stores", "GLOBEXSTORES"}} {
		in, out := filepath.Join(dir, "mail", p.id, "in"), filepath.Join(dir, "mail", p.id, "out")
		must(t, os.MkdirAll(in, 0o755))
		must(t, os.MkdirAll(out, 0o755))
		b.inbox[p.id], b.outbox[p.id] = in, out
		must(t, os.WriteFile(filepath.Join(pdir, p.id+".yaml"), fmt.Appendf(nil, profileYAML, p.id, p.isa, in, out), 0o644))
	}
	reg, err := partner.Load(pdir, partner.Options{})
	if err != nil {
		t.Fatalf("partners: %v", err)
	}
	b.reg = reg
	ctx := context.Background()
	b.st, err = store.Open(ctx, dsn)
	must(t, err)
	t.Cleanup(func() { b.st.Close() })
	must(t, b.st.Migrate(ctx))
	b.dialect = string(b.st.Dialect())
	b.sim = odoosim.New(odoosim.Options{})
	b.sim.Seed()
	u, err := b.sim.Start("127.0.0.1:0")
	must(t, err)
	t.Cleanup(func() { b.sim.Close() })
	b.client, err = odoo.New(odoo.Config{URL: u, DB: b.sim.DB(), User: "admin", APIKey: odoo.Secret(b.sim.AdminAPIKey()),
		BackoffBase: 10 * time.Millisecond, BackoffMax: 50 * time.Millisecond})
	must(t, err)
	var w io.Writer = b.logs
	if testing.Verbose() {
		w = io.MultiWriter(b.logs, os.Stderr)
	}
	b.cfg = Config{Store: b.st, Partners: reg, Odoo: b.client, ArchiveDir: filepath.Join(dir, "archive"),
		SpoolDir: filepath.Join(dir, "spool"), Logger: slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo})),
		NoSchedules: true, FetchPollInterval: 30 * time.Millisecond, RetryBase: 30 * time.Millisecond, RetryMax: time.Second,
		StopTimeout: 5 * time.Second}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("logs:\n%s", b.logs.String())
		}
	})
	return b
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (b *bundle) start(ctx context.Context) *Pipeline {
	b.t.Helper()
	p, err := New(b.cfg)
	must(b.t, err)
	must(b.t, p.Start(ctx))
	return p
}

// drop writes a file into a partner's inbox atomically.
func (b *bundle) drop(partner, name, content string) {
	b.t.Helper()
	dir := b.inbox[partner]
	tmp := filepath.Join(dir, ".tmp-"+name)
	must(b.t, os.WriteFile(tmp, []byte(content), 0o644))
	must(b.t, os.Rename(tmp, filepath.Join(dir, name)))
}

// order is an 850 set.
func order(st int, po, gln string) string {
	return fmt.Sprintf("ST*850*%04d~BEG*00*SA*%s**20260301~N1*BY*BUYER*UL*%s~PO1*1*5*EA*9.99**VN*SKU-1004~CTT*1*5~SE*6*%04d~",
		st, po, gln, st)
}

// badOrder is an 850 without its mandatory BEG.
func badOrder(st int, gln string) string {
	return fmt.Sprintf("ST*850*%04d~N1*BY*BUYER*UL*%s~PO1*1*5*EA*9.99**VN*SKU-1004~CTT*1*5~SE*5*%04d~", st, gln, st)
}

func interchange(sender string, isa13 int, usage, hhmm string, sets ...string) string {
	var s strings.Builder
	fmt.Fprintf(&s, "ISA*00*          *00*          *ZZ*%-15s*ZZ*B2BGWDIST      *260301*%s*U*00401*%09d*0*%s*>~\n", sender, hhmm, isa13, usage)
	fmt.Fprintf(&s, "GS*PO*%s*B2BGWDIST*20260301*%s*%d*X*004010~\n", sender, hhmm, isa13)
	for _, x := range sets {
		s.WriteString(x + "\n")
	}
	fmt.Fprintf(&s, "GE*%d*%d~\nIEA*1*%09d~\n", len(sets), isa13, isa13)
	return s.String()
}

// waitSettled waits until no job is waiting or running and every message
// is final.
func (b *bundle) waitSettled(ctx context.Context, p *Pipeline, timeout time.Duration) []store.Message {
	b.t.Helper()
	deadline := time.Now().Add(timeout)
	var last string
	for time.Now().Before(deadline) {
		q, err := p.queueDepth(ctx)
		must(b.t, err)
		busy := 0
		for _, n := range q {
			busy += n
		}
		ms, err := b.st.Messages(ctx, store.MessageFilter{Limit: 10_000})
		must(b.t, err)
		open := 0
		for _, m := range ms {
			if !m.Status.Final() {
				open++
				last = fmt.Sprintf("message %d %s %s %s %s", m.ID, m.Kind, m.DocType, m.Status, m.Error)
			}
		}
		if busy == 0 && open == 0 && len(ms) > 0 {
			return ms
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.t.Fatalf("not settled after %s; last open: %s", timeout, last)
	return nil
}

// orders counts sale orders per client_order_ref.
func (b *bundle) orders(ctx context.Context) map[string]int {
	b.t.Helper()
	rows, err := b.client.SearchRead(ctx, "sale.order", odoo.Domain{}, []string{"client_order_ref"}, odoo.SearchOpts{})
	must(b.t, err)
	out := map[string]int{}
	for _, r := range rows {
		out[r.String("client_order_ref")]++
	}
	return out
}

// outFiles returns the files in a partner's outbox.
func (b *bundle) outFiles(partner string) map[string][]byte {
	b.t.Helper()
	es, err := os.ReadDir(b.outbox[partner])
	must(b.t, err)
	out := map[string][]byte{}
	for _, e := range es {
		data, err := os.ReadFile(filepath.Join(b.outbox[partner], e.Name()))
		must(b.t, err)
		out[e.Name()] = data
	}
	return out
}

func TestEndToEnd(t *testing.T) {
	for _, db := range databases {
		t.Run(db.name, func(t *testing.T) {
			t.Parallel()
			testEndToEnd(t, db.dsn(t))
		})
	}
}

func testEndToEnd(t *testing.T, dsn string) {
	b := setup(t, dsn)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	acme, globex := odoosim.AcmeGLN, odoosim.GlobexGLN
	a1 := interchange("ACMERETAIL", 1001, "P", "1200", order(1, "PO-A1", acme), order(2, "PO-A2", acme), badOrder(3, acme))
	// First half, then a restart, then the second half.
	b.drop("acme-retail", "a1.x12", a1)
	b.drop("acme-retail", "a2.x12", interchange("ACMERETAIL", 1002, "P", "1200", order(1, "PO-A3", acme)))
	b.drop("globex-stores", "g1.x12", interchange("GLOBEXSTORES", 2001, "P", "1200", order(1, "PO-G1", globex))+
		interchange("GLOBEXSTORES", 2002, "P", "1200", order(1, "PO-G2", globex)))

	p1 := b.start(ctx)
	must(t, p1.PollNow(ctx))
	// Stop the first client as soon as some work is done: whatever it was
	// doing is finished or abandoned, never lost.
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		ms, err := b.st.Messages(ctx, store.MessageFilter{Kind: store.KindInterchange, Limit: 10})
		must(t, err)
		if len(ms) > 0 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	must(t, p1.Stop(ctx))

	// Second half: a byte-identical resend, a resent interchange control
	// number with other content, the same PO again under a new
	// interchange, test data.
	b.drop("acme-retail", "a1-again.x12", a1)
	b.drop("acme-retail", "a3.x12", interchange("ACMERETAIL", 1001, "P", "1300", order(1, "PO-A9", acme)))
	b.drop("acme-retail", "a4.x12", interchange("ACMERETAIL", 1003, "P", "1200", order(1, "PO-A1", acme)))
	b.drop("globex-stores", "g2.x12", interchange("GLOBEXSTORES", 2003, "T", "1200", order(1, "PO-G3", globex)))

	p2 := b.start(ctx)
	defer p2.Stop(context.Background())
	must(t, p2.PollNow(ctx))
	ms := b.waitSettled(ctx, p2, 90*time.Second)

	// One Odoo order per partner and PO; none for the duplicate
	// interchange (PO-A9) nor for test data (PO-G3).
	got := b.orders(ctx)
	for _, po := range []string{"PO-A1", "PO-A2", "PO-A3", "PO-G1", "PO-G2"} {
		if got[po] != 1 {
			t.Errorf("%s: %d orders in Odoo, want 1 (all: %v)", po, got[po], got)
		}
	}
	for _, po := range []string{"PO-A9", "PO-G3"} {
		if got[po] != 0 {
			t.Errorf("%s: %d orders in Odoo, want none", po, got[po])
		}
	}

	// Every file picked exactly once; the byte-identical resend recorded
	// as a duplicate.
	files := map[string][]store.Message{}
	for _, m := range ms {
		if m.Kind == store.KindFile {
			files[m.Ref] = append(files[m.Ref], m)
		}
	}
	wantFiles := map[string]store.Status{
		"acme-retail-in:a1.x12": store.StatusDone, "acme-retail-in:a2.x12": store.StatusDone,
		"acme-retail-in:a1-again.x12": store.StatusDuplicate, "acme-retail-in:a3.x12": store.StatusDone,
		"acme-retail-in:a4.x12": store.StatusDone, "globex-stores-in:g1.x12": store.StatusDone,
		"globex-stores-in:g2.x12": store.StatusDone,
	}
	for ref, st := range wantFiles {
		if len(files[ref]) != 1 {
			t.Errorf("%s: %d file messages, want 1", ref, len(files[ref]))
			continue
		}
		if files[ref][0].Status != st {
			t.Errorf("%s: status %s, want %s", ref, files[ref][0].Status, st)
		}
	}
	if len(files) != len(wantFiles) {
		t.Errorf("%d files recorded, want %d", len(files), len(wantFiles))
	}

	// Sets: the bad one rejected, the resent interchange's set a
	// duplicate, test data done without posting.
	count := map[store.Status]int{}
	for _, m := range ms {
		if m.Kind == store.KindSet {
			count[m.Status]++
		}
	}
	if want := (map[store.Status]int{store.StatusPosted: 6, store.StatusRejected: 1, store.StatusDuplicate: 1, store.StatusDone: 1}); !mapsEqual(count, want) {
		t.Errorf("sets by status %v, want %v", count, want)
	}

	// Exactly one acknowledgment per received interchange (6: a1, a2,
	// a3 (TA1 for the duplicate), a4, g1 ×2, g2 → 7), numbered 1..n per
	// partner without gaps.
	for partnerID, want := range map[string]int{"acme-retail": 4, "globex-stores": 3} {
		out := b.outFiles(partnerID)
		var nums []int
		for name, data := range out {
			if strings.HasPrefix(name, ".") {
				t.Errorf("%s: temp file %s left in the outbox", partnerID, name)
			}
			isa := string(data[90:99])
			n, err := strconv.Atoi(isa)
			must(t, err)
			nums = append(nums, n)
		}
		sort.Ints(nums)
		if len(nums) != want {
			t.Errorf("%s: %d acknowledgments in the outbox, want %d: %v", partnerID, len(nums), want, keys(out))
		}
		for i, n := range nums {
			if n != i+1 {
				t.Errorf("%s: acknowledgment control numbers %v, want 1..%d without gaps", partnerID, nums, want)
				break
			}
		}
	}
	if last, err := b.st.LastControlNumber(ctx, x12.ControlKey{Partner: "acme-retail", Kind: x12.KindISA}); err != nil || last != 4 {
		t.Errorf("acme ISA allocator at %d (%v), want 4", last, err)
	}

	// The test-data document carries why it was not posted.
	docs, err := b.st.Messages(ctx, store.MessageFilter{DocNumber: "PO-G3", Kind: store.KindDocument})
	must(t, err)
	if len(docs) != 1 || docs[0].Status != store.StatusDone || !strings.Contains(docs[0].Error, "test data") {
		t.Errorf("PO-G3 document: %+v, want done with the test-data reason", docs)
	}
	// Lineage reaches the Odoo record; the correlation id follows it.
	recs, err := b.st.Messages(ctx, store.MessageFilter{DocNumber: "PO-A2", Kind: store.KindOdooRecord})
	must(t, err)
	if len(recs) != 1 || !strings.HasPrefix(recs[0].Ref, "sale.order,") {
		t.Fatalf("PO-A2 Odoo record: %+v", recs)
	}
	lin, err := b.st.Lineage(ctx, recs[0].ID)
	must(t, err)
	for _, m := range lin {
		if m.CorrelationID != lin[0].CorrelationID || m.CorrelationID == "" {
			t.Errorf("message %d has correlation id %q, its file %q", m.ID, m.CorrelationID, lin[0].CorrelationID)
		}
	}
	if !strings.Contains(b.logs.String(), "correlation_id="+lin[0].CorrelationID) {
		t.Errorf("no log line carries the correlation id %s", lin[0].CorrelationID)
	}

	testFeedAndAck(t, ctx, b, p2)
	testReplay(t, ctx, b, p2)
}

// testFeedAndAck sends an ATP feed, lets the partner acknowledge it with
// a 997 and checks the reconciliation.
func testFeedAndAck(t *testing.T, ctx context.Context, b *bundle, p *Pipeline) {
	before := b.outFiles("acme-retail")
	_, err := p.jobs.Insert(ctx, ATPArgs{Partner: "acme-retail"}, nil)
	must(t, err)
	b.waitSettledOrSent(ctx, p)
	var feed []byte
	for name, data := range b.outFiles("acme-retail") {
		if _, ok := before[name]; !ok && strings.HasPrefix(name, "846_") {
			feed = data
		}
	}
	if feed == nil {
		t.Fatalf("no 846 in the outbox: %v", keys(b.outFiles("acme-retail")))
	}
	over, err := b.st.Overdue(ctx, store.OverdueQuery{Now: time.Now().Add(2 * time.Hour), PerPartner: map[string]time.Duration{"acme-retail": time.Hour}})
	must(t, err)
	if len(over) != 1 {
		t.Fatalf("overdue before the partner's 997: %d, want 1", len(over))
	}
	// The partner's 997 for our 846: built as the partner would.
	reg, err := spec.Builtin()
	must(t, err)
	v := x12.NewValidator(reg)
	var ack []byte
	err = x12.Process(x12.NewDecoderBytes(feed), v.Validate, func(r *x12.InterchangeResult) error {
		ack, err = x12.BuildAck(ctx, r, x12.AckOptions{Type: x12.Ack997, Controls: x12.NewMemoryControlNumbers(), LineBreak: "\n"})
		return err
	})
	must(t, err)
	b.drop("acme-retail", "997-from-acme.x12", string(ack))
	must(t, p.PollNow(ctx))
	b.waitSettled(ctx, p, 60*time.Second)
	over, err = b.st.Overdue(ctx, store.OverdueQuery{Now: time.Now().Add(2 * time.Hour)})
	must(t, err)
	if len(over) != 0 {
		t.Errorf("still overdue after the partner's 997: %+v", over)
	}
	feeds, err := b.st.Messages(ctx, store.MessageFilter{Kind: store.KindDocument, Direction: store.Outbound, DocType: "846"})
	must(t, err)
	if len(feeds) != 1 || feeds[0].Status != store.StatusAcknowledged {
		t.Errorf("846 message: %+v, want acknowledged", feeds)
	}
	if got := len(b.outFiles("acme-retail")); got != len(before)+1 {
		t.Errorf("the partner's 997 was acknowledged: %d outbox files, want %d", got, len(before)+1)
	}
}

// waitSettledOrSent waits for the queue to drain (a feed stays sent).
func (b *bundle) waitSettledOrSent(ctx context.Context, p *Pipeline) {
	b.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		q, err := p.queueDepth(ctx)
		must(b.t, err)
		busy := 0
		for _, n := range q {
			busy += n
		}
		if busy == 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.t.Fatal("queue did not drain")
}

// testReplay replays a posted file from its raw bytes: recorded, and no
// second Odoo order.
func testReplay(t *testing.T, ctx context.Context, b *bundle, p *Pipeline) {
	files, err := b.st.Messages(ctx, store.MessageFilter{Kind: store.KindFile, Limit: 100})
	must(t, err)
	var a1 store.Message
	for _, f := range files {
		if f.Ref == "acme-retail-in:a1.x12" {
			a1 = f
		}
	}
	acksBefore := len(b.outFiles("acme-retail"))
	res, err := Replay(ctx, b.st, p.jobs, a1.ID, StepIngest)
	must(t, err)
	if res.Message == 0 || res.Job == 0 {
		t.Fatalf("replay result %+v", res)
	}
	b.waitSettled(ctx, p, 60*time.Second)
	got := b.orders(ctx)
	if got["PO-A1"] != 1 || got["PO-A2"] != 1 {
		t.Errorf("after replay: orders %v, want one PO-A1 and one PO-A2", got)
	}
	nf, err := b.st.Message(ctx, res.Message)
	must(t, err)
	if nf.Control != fmt.Sprintf("replay:%d", a1.ID) || nf.Status != store.StatusDone {
		t.Errorf("replayed file message %+v", nf)
	}
	lin, err := b.st.Lineage(ctx, nf.ID)
	must(t, err)
	posted := 0
	for _, m := range lin {
		if m.Kind == store.KindOdooRecord {
			posted++
			if m.Control != string(odoo.Existing) {
				t.Errorf("replayed posting: action %s, want existing", m.Control)
			}
		}
	}
	if posted != 2 {
		t.Errorf("replay: %d Odoo records, want 2 (existing)", posted)
	}
	if n := len(b.outFiles("acme-retail")); n != acksBefore {
		t.Errorf("replay sent an acknowledgment again: %d outbox files, want %d", n, acksBefore)
	}
	// Nothing left to post: a replay of the posted set's document is refused.
	if _, err := Replay(ctx, b.st, p.jobs, lin[len(lin)-1].ID, StepPost); err == nil {
		t.Error("replaying a posted document from post: no error")
	}
}

func mapsEqual[K comparable](a, b map[K]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
