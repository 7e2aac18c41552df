package transport_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/b2bgw/b2bgw/internal/errclass"
	"github.com/b2bgw/b2bgw/internal/transport"
)

type pickupBundle struct {
	dir, spool string
	mb         *transport.Local
	ledger     *transport.MemLedger
}

func setupPickup(t *testing.T, files map[string]string) *pickupBundle {
	t.Helper()
	b := &pickupBundle{dir: t.TempDir(), spool: t.TempDir(), ledger: transport.NewMemLedger()}
	for n, data := range files {
		p := filepath.Join(b.dir, filepath.FromSlash(n))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var err error
	if b.mb, err = transport.NewLocal(transport.LocalConfig{Name: "acme-in", Dir: b.dir}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.mb.Close() })
	return b
}

func (b *pickupBundle) cfg() transport.PollerConfig {
	return transport.PollerConfig{Partner: "acme", Mailbox: "acme-in", Dir: "inbox", After: transport.Delete,
		Stability: transport.Stability{Immediate: true}, SpoolDir: b.spool, Ledger: b.ledger}
}

// fullDisk fails after some bytes with ENOSPC, like a spool on a full disk.
type fullDisk struct {
	*os.File
	left int
}

func (f *fullDisk) Write(p []byte) (int, error) {
	if len(p) > f.left {
		n, _ := f.File.Write(p[:f.left])
		f.left = 0
		return n, &os.PathError{Op: "write", Path: f.Name(), Err: syscall.ENOSPC}
	}
	f.left -= len(p)
	return f.File.Write(p)
}

func TestPickupSpoolDiskFull(t *testing.T) {
	b := setupPickup(t, map[string]string{"inbox/a.x12": strings.Repeat("x", 100_000)})
	p, err := transport.NewPoller(b.mb, b.cfg())
	if err != nil {
		t.Fatal(err)
	}
	transport.SetCreateTemp(p, func(dir, pattern string) (transport.SpoolFile, error) {
		f, err := os.CreateTemp(dir, pattern)
		return &fullDisk{File: f, left: 1000}, err
	})
	rep, err := p.Poll(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Errors) != 1 {
		t.Fatalf("report: %s", rep)
	}
	e := rep.Errors[0]
	if !errors.Is(e, transport.ErrNoSpace) || !errclass.IsRetryable(e) {
		t.Errorf("err = %v, want retryable ErrNoSpace", e)
	}
	for _, want := range []string{`"inbox/a.x12"`, `"acme-in"`, `partner "acme"`, "free disk space"} {
		if !strings.Contains(e.Error(), want) {
			t.Errorf("message %q lacks %q", e, want)
		}
	}
	if _, err := os.Stat(filepath.Join(b.dir, "inbox/a.x12")); err != nil {
		t.Error("the remote file was deleted although the spool write failed")
	}
	if n := len(b.ledger.Entries()); n != 0 {
		t.Errorf("%d ledger entries after a failed spool write", n)
	}
	left, _ := filepath.Glob(filepath.Join(b.spool, "acme", "*"))
	left2, _ := filepath.Glob(filepath.Join(b.spool, "acme", ".*"))
	if len(left)+len(left2) != 0 {
		t.Errorf("spool not cleaned: %v %v", left, left2)
	}
}

// failingRemove refuses deletes until allowed, to show a recorded file
// whose delete failed is cleaned up by the next poll, not picked up again.
type failingRemove struct {
	*transport.Local
	refuse bool
}

func (f *failingRemove) Remove(ctx context.Context, name string) error {
	if f.refuse {
		return transport.NewError("remove", "acme-in", name, fmt.Errorf("%w: server busy", transport.ErrUnavailable))
	}
	return f.Local.Remove(ctx, name)
}

func TestPickupPostActionRetried(t *testing.T) {
	b := setupPickup(t, map[string]string{"inbox/a.x12": "ISA"})
	fr := &failingRemove{Local: b.mb, refuse: true}
	p, err := transport.NewPoller(fr, b.cfg())
	if err != nil {
		t.Fatal(err)
	}
	rep, _ := p.Poll(context.Background())
	if len(rep.Picked) != 1 || len(rep.Errors) != 1 || !errclass.IsRetryable(rep.Errors[0]) {
		t.Fatalf("first poll: %s", rep)
	}
	fr.refuse = false
	rep, _ = p.Poll(context.Background())
	if len(rep.Picked) != 0 || rep.AlreadyPicked != 1 || len(rep.Errors) != 0 {
		t.Fatalf("second poll must only finish the delete: %s", rep)
	}
	if _, err := os.Stat(filepath.Join(b.dir, "inbox/a.x12")); !os.IsNotExist(err) {
		t.Error("the delete was not retried")
	}
	if e := b.ledger.Entries(); len(e) != 1 || !e[0].PostDone {
		t.Errorf("ledger = %+v", e)
	}
}

func TestPickupArchiveKeepsEarlierCopy(t *testing.T) {
	b := setupPickup(t, map[string]string{"inbox/daily.csv": "monday", "archive/inbox/daily.csv": "last week"})
	cfg := b.cfg()
	cfg.After, cfg.ArchiveDir, cfg.Dir = transport.Move, "archive", "inbox"
	p, err := transport.NewPoller(b.mb, cfg)
	if err != nil {
		t.Fatal(err)
	}
	rep, _ := p.Poll(context.Background())
	if len(rep.Picked) != 1 || len(rep.Errors) != 0 {
		t.Fatalf("report: %s", rep)
	}
	old, _ := os.ReadFile(filepath.Join(b.dir, "archive/inbox/daily.csv"))
	moved, _ := filepath.Glob(filepath.Join(b.dir, "archive/inbox/daily.csv.*"))
	if string(old) != "last week" || len(moved) != 1 {
		t.Errorf("archive: old = %q, new copies = %v", old, moved)
	}
}

func TestNewPollerRefusesBadConfig(t *testing.T) {
	b := setupPickup(t, nil)
	ro, err := transport.NewLocal(transport.LocalConfig{Name: "ro", Dir: b.dir, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		mb   transport.Mailbox
		mod  func(*transport.PollerConfig)
		is   error
	}{
		{"no ledger", b.mb, func(c *transport.PollerConfig) { c.Ledger = nil }, nil},
		{"no spool", b.mb, func(c *transport.PollerConfig) { c.SpoolDir = "" }, nil},
		{"no partner", b.mb, func(c *transport.PollerConfig) { c.Partner = "" }, nil},
		{"partner with slash", b.mb, func(c *transport.PollerConfig) { c.Partner = "a/b" }, transport.ErrUnsafeName},
		{"unsafe dir", b.mb, func(c *transport.PollerConfig) { c.Dir = "../x" }, transport.ErrUnsafeName},
		{"bad glob", b.mb, func(c *transport.PollerConfig) { c.Include = []string{"[x"} }, nil},
		{"immediate plus window", b.mb, func(c *transport.PollerConfig) { c.Stability.Window = 1 }, nil},
		{"move without archive", b.mb, func(c *transport.PollerConfig) { c.After = transport.Move }, nil},
		{"delete on read-only", ro, nil, transport.ErrPermission},
		{"move without rename", struct{ transport.Mailbox }{b.mb}, func(c *transport.PollerConfig) {
			c.After, c.ArchiveDir = transport.Move, "archive"
		}, transport.ErrNotSupported},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := b.cfg()
			if tc.mod != nil {
				tc.mod(&cfg)
			}
			_, err := transport.NewPoller(tc.mb, cfg)
			if err == nil || (tc.is != nil && !errors.Is(err, tc.is)) {
				t.Fatalf("err = %v, want an error wrapping %v", err, tc.is)
			}
		})
	}
}

func TestPickupSharedMailboxRoutes(t *testing.T) {
	dir, spool := t.TempDir(), t.TempDir()
	for n, data := range map[string]string{
		"ACMEAS2-B2BGW/inbox/po1.x12":  "acme order",
		"GLOBEX-B2BGW/inbox/po2.x12":   "globex order",
		"STRANGER-B2BGW/inbox/po3.x12": "nobody's",
	} {
		p := filepath.Join(dir, filepath.FromSlash(n))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(data), 0o644)
	}
	d, err := transport.NewAS2Drop(transport.AS2DropConfig{Name: "as2", Dir: dir, Rules: []transport.RouteRule{
		{Partner: "acme", Dir: "ACMEAS2-*/inbox"}, {Partner: "globex", Dir: "GLOBEX-*/inbox"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	p, err := transport.NewPoller(d, transport.PollerConfig{Mailbox: "as2", After: transport.Delete,
		Stability: transport.Stability{Immediate: true}, SpoolDir: spool, Ledger: transport.NewMemLedger()})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := p.Poll(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range rep.Picked {
		got[e.Path] = e.Partner
	}
	if got["ACMEAS2-B2BGW/inbox/po1.x12"] != "acme" || got["GLOBEX-B2BGW/inbox/po2.x12"] != "globex" || len(got) != 2 {
		t.Errorf("routing: %v", got)
	}
	if len(rep.Errors) != 1 || !errors.Is(rep.Errors[0], transport.ErrUnrouted) {
		t.Errorf("the unroutable file must be an error: %v", rep.Errors)
	}
	if _, err := os.Stat(filepath.Join(dir, "STRANGER-B2BGW/inbox/po3.x12")); err != nil {
		t.Error("an unroutable file must stay in place")
	}
}

func TestLocalRefusesSymlinks(t *testing.T) {
	b := setupPickup(t, map[string]string{"inbox/real.x12": "real"})
	outside := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(outside, []byte("secret"), 0o644)
	if err := os.Symlink(outside, filepath.Join(b.dir, "inbox/link.x12")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real.x12", filepath.Join(b.dir, "inbox/inner.x12")); err != nil {
		t.Fatal(err)
	}
	list, err := b.mb.List(context.Background(), "inbox")
	if err != nil || len(list) != 1 || list[0].Name != "inbox/real.x12" {
		t.Fatalf("List = %+v, %v; links must be left out", list, err)
	}
	for _, n := range []string{"inbox/link.x12", "inbox/inner.x12"} {
		if _, err := b.mb.Open(context.Background(), n); !errors.Is(err, transport.ErrUnsafeName) {
			t.Errorf("Open(%s) = %v, want ErrUnsafeName", n, err)
		}
	}
}

// TestPickupSameNameSizeAndTimeAgain: listings carry whole seconds (SFTP,
// S3) or minutes (FTP), so a partner's next file can have the same name,
// size and time as the one we picked and deleted. It must be picked, not
// taken for the one already in the ledger; the same content again is a
// reported duplicate.
func TestPickupSameNameSizeAndTimeAgain(t *testing.T) {
	ctx := context.Background()
	b := setupPickup(t, map[string]string{"inbox/daily.x12": "AAAA"})
	mtime := time.Date(2025, 11, 26, 12, 0, 0, 0, time.UTC)
	path := filepath.Join(b.dir, "inbox", "daily.x12")
	if err := os.Chtimes(path, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	p, err := transport.NewPoller(b.mb, b.cfg())
	if err != nil {
		t.Fatal(err)
	}
	for i, tc := range []struct {
		content       string
		picked, dupes int
	}{
		{"AAAA", 1, 0}, // first arrival
		{"BBBB", 1, 0}, // new content under the same name, size and time
		{"BBBB", 1, 1}, // the same content again: recorded as a duplicate
	} {
		if i > 0 {
			if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("round %d: the picked file was not deleted (%v)", i, err)
			}
			if err := os.WriteFile(path, []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Chtimes(path, mtime, mtime); err != nil {
				t.Fatal(err)
			}
		}
		rep, err := p.Poll(ctx)
		if err != nil {
			t.Fatalf("round %d: %v", i, err)
		}
		if len(rep.Picked)+len(rep.Duplicates) != tc.picked || len(rep.Duplicates) != tc.dupes || rep.AlreadyPicked != 0 {
			t.Fatalf("round %d (%q): %s; want %d picked of which %d duplicates", i, tc.content, rep, tc.picked, tc.dupes)
		}
	}
	if n := len(b.ledger.Entries()); n != 3 {
		t.Errorf("ledger has %d entries, want 3", n)
	}
}

// stuckLedger fails MarkPostDone once, like a gateway that stopped right
// after deleting a file and before noting it.
type stuckLedger struct {
	*transport.MemLedger
	failOnce bool
}

func (l *stuckLedger) MarkPostDone(ctx context.Context, id int64) error {
	if l.failOnce {
		l.failOnce = false
		return errors.New("gateway stopped")
	}
	return l.MemLedger.MarkPostDone(ctx, id)
}

// TestPickupNewFileWhilePostActionOwed: the gateway deleted a picked file
// but stopped before recording that; the partner then uploads a new file
// with the same name, size and time. The next poll must pick it, not delete
// it as the one still owed a delete.
func TestPickupNewFileWhilePostActionOwed(t *testing.T) {
	ctx := context.Background()
	b := setupPickup(t, map[string]string{"inbox/daily.x12": "AAAA"})
	mtime := time.Date(2025, 11, 26, 12, 0, 0, 0, time.UTC)
	path := filepath.Join(b.dir, "inbox", "daily.x12")
	os.Chtimes(path, mtime, mtime)
	led := &stuckLedger{MemLedger: b.ledger, failOnce: true}
	cfg := b.cfg()
	cfg.Ledger = led
	p, err := transport.NewPoller(b.mb, cfg)
	if err != nil {
		t.Fatal(err)
	}
	p.Poll(ctx) // picked and deleted; noting the delete fails
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("first file not deleted: %v", err)
	}
	os.WriteFile(path, []byte("BBBB"), 0o644)
	os.Chtimes(path, mtime, mtime)
	rep, err := p.Poll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Picked) != 1 || rep.Picked[0].SHA256 == b.ledger.Entries()[0].SHA256 {
		t.Fatalf("the new file was not picked: %s", rep)
	}
	// The same content again while a delete is owed is the recorded file:
	// its delete is completed, nothing is picked twice.
	led.failOnce = true
	os.WriteFile(path, []byte("CCCC"), 0o644)
	os.Chtimes(path, mtime, mtime)
	p.Poll(ctx) // picked, delete done, noting fails
	os.WriteFile(path, []byte("CCCC"), 0o644)
	os.Chtimes(path, mtime, mtime)
	rep, _ = p.Poll(ctx)
	if len(rep.Picked) != 0 || rep.AlreadyPicked != 1 {
		t.Fatalf("same content while its delete is owed: %s; want it recognised as already picked", rep)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("owed delete not completed: %v", err)
	}
}
