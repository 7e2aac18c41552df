// Package transporttest is the conformance suite every transport backend
// must pass, run against its real server (or an in-process one).
//
// A backend test provides a Harness: a constructor for a fresh, empty
// mailbox together with direct access to the server side of it, and hooks
// to drop the connection and to deny access. What a backend cannot do is
// declared, in its Features or in a Harness field with the reason; the
// suite then skips with that reason printed, never silently.
package transporttest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"github.com/b2bgw/b2bgw/internal/errclass"
	"github.com/b2bgw/b2bgw/internal/transport"
)

// Server manipulates the mailbox behind the backend's back, as a partner
// would. Names are relative to the fixture's mailbox root.
type Server interface {
	// Put writes a file (creating folders); a zero mtime means "now".
	// Backends that cannot set times ignore mtime (Features.NoModTime or
	// the Harness.NoSetModTime reason).
	Put(t testing.TB, name string, r io.Reader, mtime time.Time)
	// Get returns a file's content, or ok=false when it does not exist.
	Get(t testing.TB, name string) (data []byte, ok bool)
	// Remove deletes a file.
	Remove(t testing.TB, name string)
}

// Fixture is one fresh, empty mailbox.
type Fixture struct {
	Mailbox transport.Mailbox
	Server  Server
	// Drop breaks the mailbox's connection: in-flight reads and later
	// calls fail with a Retryable error. Nil only with Harness.NoDrop.
	Drop func()
	// Deny makes name unreadable and undeletable for the mailbox's account.
	// Nil only with Harness.NoDeny.
	Deny func(name string)
}

// Harness describes a backend to the suite.
type Harness struct {
	// New returns a fresh, empty mailbox. The suite closes it.
	New func(t *testing.T) Fixture
	// Partner is the partner id the pickup tests expect for every file;
	// for a shared mailbox, the harness routes "*" to it.
	Partner string
	// NoDrop, NoDeny and NoSetModTime give the reason a hook is missing.
	NoDrop, NoDeny, NoSetModTime string
	// BigFileSize overrides the 200 MB of the streaming test (for slow
	// remote servers; the reason must be in BigFileReason).
	BigFileSize   int64
	BigFileReason string
}

// Run runs the whole suite.
func Run(t *testing.T, h Harness) {
	if h.Partner == "" {
		h.Partner = "acme"
	}
	tests := []struct {
		name string
		fn   func(*testing.T, Harness)
	}{
		{"FeaturesMatchInterfaces", testFeatures},
		{"List", testList},
		{"ListMissingDir", testListMissing},
		{"UnicodeNames", testUnicode},
		{"OpenMissing", testOpenMissing},
		{"PutGetOverwrite", testPut},
		{"PutFailingReaderLeavesNothing", testPutFailing},
		{"Remove", testRemove},
		{"Rename", testRename},
		{"Stat", testStat},
		{"UnsafeNamesRefused", testUnsafe},
		{"ClosedMailbox", testClosed},
		{"PickupPostActions", testPickupActions},
		{"PickupDuplicatesAndReuse", testPickupDuplicates},
		{"PickupFilters", testPickupFilters},
		{"PickupStability", testPickupStability},
		{"PickupVanishedFile", testPickupVanished},
		{"PickupConnectionDropped", testPickupDropped},
		{"PermissionDenied", testPermission},
		{"UploadIdempotentAndOverwrite", testUpload},
		{"BigFileBoundedMemory", testBigFile},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, h) })
	}
}

func fresh(t *testing.T, h Harness) Fixture {
	t.Helper()
	fx := h.New(t)
	t.Cleanup(func() { fx.Mailbox.Close() })
	return fx
}

func ctx(t *testing.T) context.Context { return t.Context() }

func put(t *testing.T, fx Fixture, name, data string) {
	t.Helper()
	fx.Server.Put(t, name, bytes.NewReader([]byte(data)), time.Time{})
}

func mustIs(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error = %v, want one wrapping %v", err, target)
	}
}

func names(fis []transport.FileInfo) []string {
	var out []string
	for _, fi := range fis {
		out = append(out, fi.Name)
	}
	sort.Strings(out)
	return out
}

func testFeatures(t *testing.T, h Harness) {
	fx := fresh(t, h)
	f := fx.Mailbox.Features()
	_, isRenamer := fx.Mailbox.(transport.Renamer)
	_, isStater := fx.Mailbox.(transport.Stater)
	_, isRouter := fx.Mailbox.(transport.Router)
	for _, c := range []struct {
		what          string
		declared, has bool
	}{
		{"Rename / Renamer", f.Rename, isRenamer},
		{"Stat / Stater", f.Stat, isStater},
		{"Shared / Router", f.Shared, isRouter},
	} {
		if c.declared && !c.has {
			t.Errorf("Features declares %s but the mailbox does not implement it", c.what)
		}
	}
}

func testList(t *testing.T, h Harness) {
	fx := fresh(t, h)
	put(t, fx, "a.x12", "ISA*a")
	put(t, fx, "inbox/b.x12", "ISA*bb")
	put(t, fx, "inbox/deep/c.x12", "ISA*ccc")
	mb := fx.Mailbox

	root, err := mb.List(ctx(t), "")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := names(root), []string{"a.x12", "inbox"}; !slices.Equal(got, want) {
		t.Fatalf("List(root) = %v, want %v", got, want)
	}
	for _, fi := range root {
		if fi.Name == "inbox" && !fi.IsDir {
			t.Error("inbox is not reported as a directory")
		}
		if fi.Name == "a.x12" && (fi.Size != 5 || fi.IsDir) {
			t.Errorf("a.x12 = %+v, want size 5, not a dir", fi)
		}
	}
	sub, err := mb.List(ctx(t), "inbox")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := names(sub), []string{"inbox/b.x12", "inbox/deep"}; !slices.Equal(got, want) {
		t.Fatalf("List(inbox) = %v, want names relative to the root %v", got, want)
	}
	deep, err := mb.List(ctx(t), "inbox/deep")
	if err != nil {
		t.Fatal(err)
	}
	if len(deep) != 1 || deep[0].Name != "inbox/deep/c.x12" || deep[0].Size != 7 {
		t.Fatalf("List(inbox/deep) = %+v", deep)
	}
	if !mb.Features().NoModTime {
		prec := max(mb.Features().ModTimePrecision, 2*time.Second)
		if age := time.Since(deep[0].ModTime); age < -prec || age > time.Hour+prec {
			t.Errorf("ModTime %v is not close to now (precision %v)", deep[0].ModTime, prec)
		}
	}
}

func testListMissing(t *testing.T, h Harness) {
	fx := fresh(t, h)
	_, err := fx.Mailbox.List(ctx(t), "no-such-dir")
	if !fx.Mailbox.Features().Dirs {
		// Prefix stores list a missing prefix as empty: both are fine.
		if err != nil {
			mustIs(t, err, transport.ErrNotExist)
		}
		return
	}
	mustIs(t, err, transport.ErrNotExist)
}

func testUnicode(t *testing.T, h Harness) {
	fx := fresh(t, h)
	if fx.Mailbox.Features().NoUnicodeNames {
		t.Skip("backend declares NoUnicodeNames")
	}
	names := []string{"Bestellung Müller.edi", "注文/発注 01.x12", "Zamówienie-ąę.csv"}
	for _, n := range names {
		put(t, fx, n, "data:"+n)
	}
	for _, n := range names {
		rc, err := fx.Mailbox.Open(ctx(t), n)
		if err != nil {
			t.Fatalf("Open(%q): %v", n, err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if string(b) != "data:"+n {
			t.Errorf("Open(%q) = %q", n, b)
		}
	}
	list, err := fx.Mailbox.List(ctx(t), "注文")
	if err != nil || len(list) != 1 || list[0].Name != "注文/発注 01.x12" {
		t.Fatalf("List(注文) = %+v, %v", list, err)
	}
}

func testOpenMissing(t *testing.T, h Harness) {
	fx := fresh(t, h)
	rc, err := fx.Mailbox.Open(ctx(t), "missing.x12")
	if err == nil {
		// Some protocols only report the missing file on the first read.
		_, err = io.ReadAll(rc)
		rc.Close()
	}
	mustIs(t, err, transport.ErrNotExist)
	if errclass.IsRetryable(err) {
		t.Errorf("a missing file is classified retryable: %v", err)
	}
}

func testPut(t *testing.T, h Harness) {
	fx := fresh(t, h)
	mb := fx.Mailbox
	if mb.Features().ReadOnly {
		t.Skip("backend declares ReadOnly")
	}
	for _, c := range []struct{ name, data string }{
		{"out/997_000000001.x12", "first"},
		{"out/997_000000001.x12", "second, longer content"}, // replaces
		{"out/new/dir/a.csv", "nested dirs are created"},
		{"empty.txt", ""},
	} {
		if err := mb.Put(ctx(t), c.name, bytes.NewReader([]byte(c.data))); err != nil {
			t.Fatalf("Put(%q): %v", c.name, err)
		}
		got, ok := fx.Server.Get(t, c.name)
		if !ok || string(got) != c.data {
			t.Fatalf("server has %q (exists %v), want %q", got, ok, c.data)
		}
	}
	// No temp file may be left visible after a successful Put.
	list, err := mb.List(ctx(t), "out")
	if err != nil {
		t.Fatal(err)
	}
	if got := names(list); !slices.Equal(got, []string{"out/997_000000001.x12", "out/new"}) {
		t.Errorf("after Put, List(out) = %v: temp files left behind?", got)
	}
}

// failingReader returns some data, then an error.
type failingReader struct{ n int }

var errSource = errors.New("source broke")

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errSource
	}
	n := min(len(p), f.n)
	for i := range n {
		p[i] = 'x'
	}
	f.n -= n
	return n, nil
}

func testPutFailing(t *testing.T, h Harness) {
	fx := fresh(t, h)
	mb := fx.Mailbox
	if mb.Features().ReadOnly {
		t.Skip("backend declares ReadOnly")
	}
	err := mb.Put(ctx(t), "out/broken.x12", &failingReader{n: 100 << 10})
	if err == nil {
		t.Fatal("Put succeeded with a failing source")
	}
	if !mb.Features().AtomicPut {
		return // declared: a partial file may remain
	}
	if _, ok := fx.Server.Get(t, "out/broken.x12"); ok {
		t.Error("a failed atomic Put left a file under the final name")
	}
	if list, err := mb.List(ctx(t), "out"); err == nil {
		for _, fi := range list {
			if !fi.IsDir {
				t.Errorf("a failed Put left %q behind", fi.Name)
			}
		}
	}
}

func testRemove(t *testing.T, h Harness) {
	fx := fresh(t, h)
	if fx.Mailbox.Features().ReadOnly {
		t.Skip("backend declares ReadOnly")
	}
	put(t, fx, "inbox/a.x12", "a")
	if err := fx.Mailbox.Remove(ctx(t), "inbox/a.x12"); err != nil {
		t.Fatal(err)
	}
	if _, ok := fx.Server.Get(t, "inbox/a.x12"); ok {
		t.Fatal("file still there after Remove")
	}
	mustIs(t, fx.Mailbox.Remove(ctx(t), "inbox/a.x12"), transport.ErrNotExist)
}

func testRename(t *testing.T, h Harness) {
	fx := fresh(t, h)
	rn, ok := fx.Mailbox.(transport.Renamer)
	if !fx.Mailbox.Features().Rename || !ok {
		t.Skip("backend declares no Rename")
	}
	put(t, fx, "inbox/a.x12", "a")
	if err := rn.Rename(ctx(t), "inbox/a.x12", "archive/2024/a.x12"); err != nil {
		t.Fatal(err)
	}
	if got, ok := fx.Server.Get(t, "archive/2024/a.x12"); !ok || string(got) != "a" {
		t.Fatalf("renamed file = %q, %v", got, ok)
	}
	if _, ok := fx.Server.Get(t, "inbox/a.x12"); ok {
		t.Fatal("source still there after Rename")
	}
	mustIs(t, rn.Rename(ctx(t), "inbox/a.x12", "x"), transport.ErrNotExist)
}

func testStat(t *testing.T, h Harness) {
	fx := fresh(t, h)
	st, ok := fx.Mailbox.(transport.Stater)
	if !fx.Mailbox.Features().Stat || !ok {
		t.Skip("backend declares no Stat")
	}
	put(t, fx, "inbox/a.x12", "abc")
	fi, err := st.Stat(ctx(t), "inbox/a.x12")
	if err != nil || fi.Size != 3 || fi.IsDir || fi.Name != "inbox/a.x12" {
		t.Fatalf("Stat = %+v, %v", fi, err)
	}
	_, err = st.Stat(ctx(t), "inbox/missing")
	mustIs(t, err, transport.ErrNotExist)
}

func testUnsafe(t *testing.T, h Harness) {
	fx := fresh(t, h)
	mb := fx.Mailbox
	for _, name := range []string{"../etc/passwd", "/etc/passwd", "a/../../b", `..\win.ini`, "a\x00b", "C:evil"} {
		t.Run(name, func(t *testing.T) {
			_, err := mb.Open(ctx(t), name)
			mustIs(t, err, transport.ErrUnsafeName)
			mustIs(t, mb.Put(ctx(t), name, bytes.NewReader(nil)), transport.ErrUnsafeName)
			mustIs(t, mb.Remove(ctx(t), name), transport.ErrUnsafeName)
			_, err = mb.List(ctx(t), name)
			mustIs(t, err, transport.ErrUnsafeName)
		})
	}
}

func testClosed(t *testing.T, h Harness) {
	fx := fresh(t, h)
	if err := fx.Mailbox.Close(); err != nil {
		t.Fatal(err)
	}
	_, err := fx.Mailbox.List(ctx(t), "")
	mustIs(t, err, transport.ErrClosed)
}

// env is a poller over a fixture with an in-memory ledger and a fake clock.
type env struct {
	fx     Fixture
	ledger *transport.MemLedger
	spool  string
	clock  *FakeClock
}

func newEnv(t *testing.T, h Harness) *env {
	return &env{fx: fresh(t, h), ledger: transport.NewMemLedger(), spool: t.TempDir(), clock: NewFakeClock(time.Now())}
}

func (e *env) poller(t *testing.T, h Harness, mod func(*transport.PollerConfig)) *transport.Poller {
	t.Helper()
	cfg := transport.PollerConfig{
		Partner: h.Partner, Mailbox: "conformance", Dir: "inbox",
		Stability: transport.Stability{Immediate: true},
		SpoolDir:  e.spool, Ledger: e.ledger, Clock: e.clock,
	}
	if e.fx.Mailbox.Features().Shared {
		cfg.Partner = ""
	}
	if mod != nil {
		mod(&cfg)
	}
	p, err := transport.NewPoller(e.fx.Mailbox, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func poll(t *testing.T, p *transport.Poller) *transport.PollReport {
	t.Helper()
	rep, err := p.Poll(ctx(t))
	if err != nil {
		t.Fatalf("Poll: %v", err)
	}
	return rep
}

// spoolFiles lists every file in the spool, temp files included.
func spoolFiles(t *testing.T, dir string) []string {
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	return out
}

func sum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func testPickupActions(t *testing.T, h Harness) {
	for _, c := range []struct {
		action transport.PostAction
		// where the file is afterwards on the server
		remaining []string
	}{
		{transport.Delete, nil},
		{transport.Move, []string{"archive/inbox/order.x12"}},
		{transport.Leave, []string{"inbox/order.x12"}},
	} {
		t.Run(c.action.String(), func(t *testing.T) {
			e := newEnv(t, h)
			f := e.fx.Mailbox.Features()
			if c.action == transport.Move && !f.Rename {
				_, err := transport.NewPoller(e.fx.Mailbox, transport.PollerConfig{Partner: h.Partner, After: transport.Move,
					ArchiveDir: "archive", SpoolDir: e.spool, Ledger: e.ledger})
				mustIs(t, err, transport.ErrNotSupported)
				return
			}
			if c.action != transport.Leave && f.ReadOnly {
				t.Skip("backend declares ReadOnly")
			}
			put(t, e.fx, "inbox/order.x12", "ISA*order")
			p := e.poller(t, h, func(cfg *transport.PollerConfig) { cfg.After = c.action; cfg.ArchiveDir = "archive" })
			rep := poll(t, p)
			if len(rep.Picked) != 1 || len(rep.Errors) != 0 {
				t.Fatalf("report: %s", rep)
			}
			got := rep.Picked[0]
			if got.SHA256 != sum("ISA*order") || got.Size != 9 || got.Path != "inbox/order.x12" || got.Partner != h.Partner {
				t.Errorf("entry = %+v", got)
			}
			if b, err := os.ReadFile(got.SpoolPath); err != nil || string(b) != "ISA*order" {
				t.Errorf("spool copy = %q, %v", b, err)
			}
			for _, n := range []string{"inbox/order.x12", "archive/inbox/order.x12"} {
				_, ok := e.fx.Server.Get(t, n)
				if want := slices.Contains(c.remaining, n); ok != want {
					t.Errorf("after %s, %s exists = %v, want %v", c.action, n, ok, want)
				}
			}
			// A second poll picks nothing up again.
			rep = poll(t, p)
			if len(rep.Picked)+len(rep.Duplicates)+len(rep.Errors) != 0 {
				t.Errorf("second poll: %s", rep)
			}
			if c.action == transport.Leave && rep.AlreadyPicked != 1 {
				t.Errorf("second poll of a left file: AlreadyPicked = %d, want 1", rep.AlreadyPicked)
			}
		})
	}
}

func testPickupDuplicates(t *testing.T, h Harness) {
	e := newEnv(t, h)
	if e.fx.Mailbox.Features().ReadOnly {
		t.Skip("backend declares ReadOnly")
	}
	p := e.poller(t, h, func(cfg *transport.PollerConfig) { cfg.After = transport.Delete })
	put(t, e.fx, "inbox/daily.csv", "day 1")
	put(t, e.fx, "inbox/resend.csv", "day 1") // same content, other name
	rep := poll(t, p)
	if len(rep.Picked) != 1 || len(rep.Duplicates) != 1 {
		t.Fatalf("want one picked and one duplicate: %s", rep)
	}
	if d := rep.Duplicates[0]; d.DuplicateOf != rep.Picked[0].ID {
		t.Errorf("duplicate points to %d, want %d", d.DuplicateOf, rep.Picked[0].ID)
	}
	if len(spoolFiles(t, e.spool)) != 1 {
		t.Errorf("spool holds %v, want the one original", spoolFiles(t, e.spool))
	}
	// The same name with new content the next day is a new file.
	put(t, e.fx, "inbox/daily.csv", "day 2")
	rep = poll(t, p)
	if len(rep.Picked) != 1 || rep.Picked[0].SHA256 != sum("day 2") {
		t.Fatalf("same name, new content: %s", rep)
	}
}

func testPickupFilters(t *testing.T, h Harness) {
	e := newEnv(t, h)
	for n, data := range map[string]string{
		"inbox/ok.x12":           "ok",
		"inbox/skip.txt":         "excluded by include",
		"inbox/draft_ok.x12":     "excluded by exclude",
		"inbox/up.x12.part":      "temp",
		"inbox/up.x12.filepart":  "temp",
		"inbox/x.tmp":            "temp",
		"inbox/.hidden.x12":      "dot",
		"inbox/backup.x12~":      "tilde",
		"inbox/huge.x12":         "0123456789abcdef",
		"inbox/sub/nested.x12":   "nested",
		"inbox/sub/archived.x12": "recursive",
	} {
		put(t, e.fx, n, data)
	}
	p := e.poller(t, h, func(cfg *transport.PollerConfig) {
		cfg.Include = []string{"*.x12"}
		cfg.Exclude = []string{"draft_*"}
		cfg.MaxSize = 10
	})
	rep := poll(t, p)
	var picked []string
	for _, pe := range rep.Picked {
		picked = append(picked, pe.Path)
	}
	sort.Strings(picked)
	want := []string{"inbox/ok.x12"}
	if e.fx.Mailbox.Features().Shared { // shared mailboxes are always polled recursively
		want = []string{"inbox/ok.x12", "inbox/sub/archived.x12", "inbox/sub/nested.x12"}
	}
	if !slices.Equal(picked, want) {
		t.Errorf("picked %v, want %v\n%s", picked, want, rep)
	}
	if len(rep.Errors) != 1 || !errors.As(rep.Errors[0], new(*transport.Error)) {
		t.Errorf("want one error for the oversized file: %v", rep.Errors)
	}
}

func testPickupStability(t *testing.T, h Harness) {
	t.Run("window", func(t *testing.T) {
		e := newEnv(t, h)
		p := e.poller(t, h, func(cfg *transport.PollerConfig) {
			cfg.Stability = transport.Stability{Window: 30 * time.Second}
		})
		put(t, e.fx, "inbox/slow.x12", "part one")
		if rep := poll(t, p); len(rep.Unstable) != 1 || len(rep.Picked) != 0 {
			t.Fatalf("first sight must be unstable: %s", rep)
		}
		// It grows before the window passes: the window restarts.
		e.clock.Advance(20 * time.Second)
		put(t, e.fx, "inbox/slow.x12", "part one, part two")
		if rep := poll(t, p); len(rep.Unstable) != 1 {
			t.Fatalf("a growing file must be unstable: %s", rep)
		}
		e.clock.Advance(29 * time.Second)
		if rep := poll(t, p); len(rep.Unstable) != 1 {
			t.Fatalf("window not yet passed: %s", rep)
		}
		e.clock.Advance(2 * time.Second)
		if rep := poll(t, p); len(rep.Picked) != 1 || rep.Picked[0].Size != 18 {
			t.Fatalf("stable after the window: %s", rep)
		}
	})
	t.Run("wait-in-poll", func(t *testing.T) {
		e := newEnv(t, h)
		p := e.poller(t, h, func(cfg *transport.PollerConfig) {
			cfg.Stability = transport.Stability{Window: 10 * time.Second, WaitInPoll: true}
		})
		put(t, e.fx, "inbox/a.x12", "a")
		done := make(chan *transport.PollReport)
		go func() { rep, _ := p.Poll(context.Background()); done <- rep }()
		e.clock.BlockUntil(1)
		e.clock.Advance(10 * time.Second)
		if rep := <-done; len(rep.Picked) != 1 {
			t.Fatalf("one-shot poll waiting for the window: %s", rep)
		}
	})
	t.Run("marker", func(t *testing.T) {
		e := newEnv(t, h)
		if e.fx.Mailbox.Features().ReadOnly {
			t.Skip("backend declares ReadOnly")
		}
		p := e.poller(t, h, func(cfg *transport.PollerConfig) {
			cfg.Stability = transport.Stability{Markers: []string{".done", ".ok"}}
			cfg.After = transport.Delete
		})
		put(t, e.fx, "inbox/a.x12", "a")
		if rep := poll(t, p); len(rep.Unstable) != 1 {
			t.Fatalf("no marker yet: %s", rep)
		}
		put(t, e.fx, "inbox/a.x12.ok", "")
		rep := poll(t, p)
		if len(rep.Picked) != 1 || rep.Ignored != 1 {
			t.Fatalf("with marker: %s", rep)
		}
		if _, ok := e.fx.Server.Get(t, "inbox/a.x12.ok"); ok {
			t.Error("the marker was not deleted with its file")
		}
	})
	t.Run("min-age", func(t *testing.T) {
		e := newEnv(t, h)
		if e.fx.Mailbox.Features().NoModTime {
			t.Skip("backend declares NoModTime")
		}
		if h.NoSetModTime != "" {
			t.Skip(h.NoSetModTime)
		}
		p := e.poller(t, h, func(cfg *transport.PollerConfig) {
			cfg.Stability = transport.Stability{MinAge: 5 * time.Minute}
		})
		now := e.clock.Now()
		e.fx.Server.Put(t, "inbox/old.x12", bytes.NewReader([]byte("old")), now.Add(-time.Hour))
		e.fx.Server.Put(t, "inbox/new.x12", bytes.NewReader([]byte("new")), now.Add(-time.Minute))
		rep := poll(t, p)
		if len(rep.Picked) != 1 || rep.Picked[0].Path != "inbox/old.x12" || len(rep.Unstable) != 1 {
			t.Fatalf("min age: %s", rep)
		}
	})
}

// hookMailbox runs a hook before Open, keeping the optional abilities.
type hookMailbox struct {
	transport.Mailbox
	beforeOpen func(name string)
}

func (m *hookMailbox) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	m.beforeOpen(name)
	return m.Mailbox.Open(ctx, name)
}

type hookRenamerStater struct{ *hookMailbox }

func (m hookRenamerStater) Rename(ctx context.Context, a, b string) error {
	return m.Mailbox.(transport.Renamer).Rename(ctx, a, b)
}

func (m hookRenamerStater) PartnerFor(name string) (string, error) {
	return m.Mailbox.(transport.Router).PartnerFor(name)
}

func testPickupVanished(t *testing.T, h Harness) {
	e := newEnv(t, h)
	put(t, e.fx, "inbox/gone.x12", "soon gone")
	hm := &hookMailbox{Mailbox: e.fx.Mailbox, beforeOpen: func(n string) { e.fx.Server.Remove(t, n) }}
	var mb transport.Mailbox = hm
	if e.fx.Mailbox.Features().Shared {
		mb = hookRenamerStater{hm}
	}
	cfg := transport.PollerConfig{Partner: h.Partner, Mailbox: "conformance", Dir: "inbox", After: transport.Leave,
		Stability: transport.Stability{Immediate: true}, SpoolDir: e.spool, Ledger: e.ledger}
	if e.fx.Mailbox.Features().Shared {
		cfg.Partner = ""
	}
	p, err := transport.NewPoller(mb, cfg)
	if err != nil {
		t.Fatal(err)
	}
	rep := poll(t, p)
	if len(rep.Errors) != 1 {
		t.Fatalf("want one error: %s", rep)
	}
	mustIs(t, rep.Errors[0], transport.ErrNotExist)
	assertNothingKept(t, e)
}

func assertNothingKept(t *testing.T, e *env) {
	t.Helper()
	if n := len(e.ledger.Entries()); n != 0 {
		t.Errorf("ledger recorded %d entries for a failed pickup", n)
	}
	if f := spoolFiles(t, e.spool); len(f) != 0 {
		t.Errorf("spool kept %v after a failed pickup", f)
	}
}

func testPickupDropped(t *testing.T, h Harness) {
	if h.NoDrop != "" {
		t.Skip(h.NoDrop)
	}
	e := newEnv(t, h)
	if e.fx.Mailbox.Features().ReadOnly {
		t.Skip("backend declares ReadOnly")
	}
	// Big enough that the transfer is still running after the first read.
	e.fx.Server.Put(t, "inbox/big.x12", NewPatternReader(8<<20), time.Time{})
	var dropped atomic.Bool
	p := e.poller(t, h, func(cfg *transport.PollerConfig) { cfg.After = transport.Delete })
	go func() {
		// Drop as soon as the spool temp file has grown.
		for range 2000 {
			for _, f := range spoolFiles(t, e.spool) {
				if st, err := os.Stat(f); err == nil && st.Size() > 0 {
					e.fx.Drop()
					dropped.Store(true)
					return
				}
			}
			time.Sleep(time.Millisecond)
		}
	}()
	rep, err := p.Poll(ctx(t))
	if err != nil {
		t.Fatalf("Poll: %v", err)
	}
	if !dropped.Load() {
		t.Skip("the transfer finished before the drop could be injected; nothing to check")
	}
	if len(rep.Errors) != 1 {
		t.Fatalf("want one error: %s", rep)
	}
	if !errclass.IsRetryable(rep.Errors[0]) {
		t.Errorf("a dropped connection must be retryable: %v", rep.Errors[0])
	}
	assertNothingKept(t, e)
	if _, ok := e.fx.Server.Get(t, "inbox/big.x12"); !ok {
		t.Error("the remote file was deleted after a failed transfer")
	}
}

func testPermission(t *testing.T, h Harness) {
	if h.NoDeny != "" {
		t.Skip(h.NoDeny)
	}
	e := newEnv(t, h)
	put(t, e.fx, "inbox/secret.x12", "no")
	e.fx.Deny("inbox/secret.x12")
	_, err := e.fx.Mailbox.Open(ctx(t), "inbox/secret.x12")
	mustIs(t, err, transport.ErrPermission)
	if errclass.Of(err) != errclass.Permanent {
		t.Errorf("permission denied must be permanent: %v", err)
	}
	rep := poll(t, e.poller(t, h, nil))
	if len(rep.Errors) != 1 || !errors.Is(rep.Errors[0], transport.ErrPermission) {
		t.Fatalf("want a permission error: %s", rep)
	}
	assertNothingKept(t, e)
}

func testUpload(t *testing.T, h Harness) {
	fx := fresh(t, h)
	if fx.Mailbox.Features().ReadOnly {
		t.Skip("backend declares ReadOnly")
	}
	tmpl, err := transport.ParseNameTemplate("997_{control}.x12")
	if err != nil {
		t.Fatal(err)
	}
	name, err := tmpl.Execute(transport.NameVars{Control: "000000042"})
	if err != nil {
		t.Fatal(err)
	}
	name = "outbox/" + name
	u := &transport.Uploader{Mailbox: fx.Mailbox, Partner: h.Partner, MailboxID: "conformance"}
	steps := []struct {
		name         string
		overwrite    bool
		data         string
		wantErr      error
		wantPresent  bool
		wantOnServer string
	}{
		{"first upload", false, "ISA*997", nil, false, "ISA*997"},
		{"retry with same content", false, "ISA*997", nil, true, "ISA*997"},
		{"other content refused", false, "ISA*999", transport.ErrConflict, false, "ISA*997"},
		{"other content, same size, refused", false, "ISA*998", transport.ErrConflict, false, "ISA*997"},
		{"overwrite allowed", true, "ISA*997 v2", nil, false, "ISA*997 v2"},
	}
	for _, s := range steps {
		u.Overwrite = s.overwrite
		res, err := u.Upload(ctx(t), name, bytes.NewReader([]byte(s.data)))
		if s.wantErr != nil {
			if !errors.Is(err, s.wantErr) {
				t.Fatalf("%s: err = %v, want %v", s.name, err, s.wantErr)
			}
		} else if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if res.AlreadyPresent != s.wantPresent {
			t.Errorf("%s: AlreadyPresent = %v", s.name, res.AlreadyPresent)
		}
		if got, _ := fx.Server.Get(t, name); string(got) != s.wantOnServer {
			t.Errorf("%s: server has %q, want %q", s.name, got, s.wantOnServer)
		}
	}
	list, err := fx.Mailbox.List(ctx(t), "outbox")
	if err != nil || len(list) != 1 {
		t.Errorf("outbox after uploads = %v, %v; temp files left?", names(list), err)
	}
}

func testBigFile(t *testing.T, h Harness) {
	if testing.Short() {
		t.Skip("-short: the 200 MB streaming test is skipped")
	}
	size := int64(200 << 20)
	if h.BigFileSize > 0 {
		if h.BigFileReason == "" {
			t.Fatal("Harness.BigFileSize set without BigFileReason")
		}
		t.Logf("big file reduced to %d bytes: %s", h.BigFileSize, h.BigFileReason)
		size = h.BigFileSize
	}
	e := newEnv(t, h)
	src := NewPatternReader(size)
	e.fx.Server.Put(t, "inbox/big.x12", src, time.Time{})
	want := src.Sum()

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	rep := poll(t, e.poller(t, h, nil))
	close(stop)
	<-sampled
	var after runtime.MemStats
	runtime.ReadMemStats(&after)

	if len(rep.Picked) != 1 || rep.Picked[0].SHA256 != want || rep.Picked[0].Size != size {
		t.Fatalf("big file: %s (want sha256 %s)", rep, want)
	}
	const limit = 32 << 20
	if grew := int64(peak.Load()) - int64(before.HeapInuse); grew > limit {
		t.Errorf("heap in use grew by %d MB while streaming %d MB; the file is being buffered", grew>>20, size>>20)
	}
	// Total allocation is reported, not limited: SSH and SFTP libraries
	// allocate per packet (x/crypto/ssh copies every packet it reads,
	// pkg/sftp allocates each reply) and the garbage collector reclaims it;
	// what must stay bounded is the heap in use, checked above.
	t.Logf("streamed %d MB: heap in use grew by at most %d MB, %d MB allocated in total",
		size>>20, (int64(peak.Load())-int64(before.HeapInuse))>>20, (after.TotalAlloc-before.TotalAlloc)>>20)
}
