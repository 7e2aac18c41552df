package pipeline

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/b2bgw/b2bgw/internal/config"
	"github.com/b2bgw/b2bgw/internal/config/option"
	"github.com/b2bgw/b2bgw/internal/errclass"
	"github.com/b2bgw/b2bgw/internal/odoo/odoosim"
	"github.com/b2bgw/b2bgw/internal/partner"
	"github.com/b2bgw/b2bgw/internal/store"
	"github.com/b2bgw/b2bgw/internal/transport/transporttest"
)

var s3Keys = []string{"B2BGW_IT_S3_ENDPOINT", "B2BGW_IT_S3_REGION", "B2BGW_IT_S3_ACCESS_KEY", "B2BGW_IT_S3_SECRET_KEY",
	"B2BGW_IT_S3_BUCKET", "B2BGW_IT_S3_DATA"}

// testS3Box is a fresh prefix of the test bucket on the versitygw server
// (skipped without it, failed under CI=true), and the folder where the
// server keeps its objects as plain files (posix backend).
func testS3Box(t *testing.T) (*partner.S3Box, string) {
	t.Helper()
	env := transporttest.Env(t, s3Keys...)
	prefix := transporttest.RandomName("archive-")
	return &partner.S3Box{Endpoint: env["B2BGW_IT_S3_ENDPOINT"], Region: env["B2BGW_IT_S3_REGION"],
		Bucket: env["B2BGW_IT_S3_BUCKET"], Prefix: prefix, Insecure: true, PathStyle: true,
		AccessKeyID: option.SecretValue(env["B2BGW_IT_S3_ACCESS_KEY"]), SecretAccessKey: option.SecretValue(env["B2BGW_IT_S3_SECRET_KEY"]),
	}, filepath.Join(env["B2BGW_IT_S3_DATA"], env["B2BGW_IT_S3_BUCKET"], prefix)
}

// archiveBackend is one archive implementation under the shared suite:
// the archive, a second instance on the same storage with nothing cached
// (another gateway), and where the storage keeps content sum (to damage
// it behind the archive's back).
type archiveBackend struct {
	name string
	open func(t *testing.T) (a, other *Archive, stored func(sum string) string)
}

var archiveBackends = []archiveBackend{
	{"local", func(t *testing.T) (*Archive, *Archive, func(string) string) {
		dir := t.TempDir()
		a := &Archive{Dir: dir}
		return a, &Archive{Dir: dir}, a.path
	}},
	{"s3", func(t *testing.T) (*Archive, *Archive, func(string) string) {
		box, data := testS3Box(t)
		a, err := NewS3Archive(box, t.TempDir(), nil)
		must(t, err)
		other, err := NewS3Archive(box, t.TempDir(), nil)
		must(t, err)
		t.Cleanup(func() { a.Close(); other.Close() })
		return a, other, func(sum string) string { return filepath.Join(data, archiveKey(sum)) }
	}},
}

// TestArchiveBackends is the suite every archive backend passes.
func TestArchiveBackends(t *testing.T) {
	for _, be := range archiveBackends {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			testArchive(t, be)
		})
	}
}

func testArchive(t *testing.T, be archiveBackend) {
	ctx := context.Background()
	cases := []struct {
		name string
		run  func(t *testing.T, a, other *Archive, stored func(string) string)
	}{
		{"put is idempotent and readable everywhere", func(t *testing.T, a, other *Archive, _ func(string) string) {
			b := []byte("ISA*00*hello~")
			sum, err := a.Put(b)
			must(t, err)
			sum2, err := a.Put(b)
			must(t, err)
			if sum2 != sum {
				t.Fatalf("second Put: %s, want %s", sum2, sum)
			}
			for i, ar := range []*Archive{a, other} {
				got, err := ar.Read(sum)
				must(t, err)
				if !bytes.Equal(got, b) {
					t.Errorf("instance %d reads %q", i, got)
				}
				p, err := ar.File(sum)
				must(t, err)
				if got, _ := os.ReadFile(p); !bytes.Equal(got, b) {
					t.Errorf("instance %d File holds %q", i, got)
				}
			}
			if loc := a.Location(sum); !strings.HasSuffix(loc, "/"+archiveKey(sum)) || loc != other.Location(sum) {
				t.Errorf("locations %s and %s", loc, other.Location(sum))
			}
		}},
		{"put file checks the hash", func(t *testing.T, a, other *Archive, _ func(string) string) {
			src := filepath.Join(t.TempDir(), "in.x12")
			must(t, os.WriteFile(src, []byte("ST*850*0001~"), 0o600))
			good, err := (&Archive{Dir: t.TempDir()}).Put([]byte("ST*850*0001~"))
			must(t, err)
			must(t, a.PutFile(src, good))
			if got, err := other.Read(good); err != nil || string(got) != "ST*850*0001~" {
				t.Errorf("Read after PutFile: %q, %v", got, err)
			}
			wrong := strings.Repeat("ab", 32)
			if err := a.PutFile(src, wrong); err == nil || !strings.Contains(err.Error(), "the ledger says") {
				t.Errorf("PutFile with a wrong hash: %v", err)
			}
			if _, err := other.Read(wrong); err == nil {
				t.Error("content stored under a wrong hash")
			}
			if err := a.PutFile(src, "abc"); err == nil {
				t.Error("PutFile with a malformed hash: no error")
			}
		}},
		{"damaged content is refused", func(t *testing.T, a, other *Archive, stored func(string) string) {
			sum, err := a.Put([]byte("original content"))
			must(t, err)
			must(t, os.WriteFile(stored(sum), []byte("tampered content"), 0o600))
			if _, err := other.Read(sum); err == nil || !strings.Contains(err.Error(), "corrupt") {
				t.Errorf("Read of damaged content: %v", err)
			}
		}},
		{"remove tolerates already gone", func(t *testing.T, a, other *Archive, _ func(string) string) {
			sum, err := a.Put([]byte("to be pruned"))
			must(t, err)
			e := store.ArchiveEntry{SHA256: sum, Location: a.Location(sum)}
			must(t, other.Remove(ctx, e))
			must(t, a.Remove(ctx, e))
			for i, ar := range []*Archive{other, a} {
				if _, err := ar.Read(sum); err == nil {
					t.Errorf("instance %d still reads removed content", i)
				}
			}
			if err := a.Remove(ctx, store.ArchiveEntry{SHA256: sum, Location: "s3://elsewhere/" + archiveKey(sum)}); err == nil {
				t.Error("Remove of another archive's location: no error")
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, other, stored := be.open(t)
			c.run(t, a, other, stored)
		})
	}
}

// TestS3ArchiveCache: a damaged or evicted cache copy is fetched again
// from the bucket; a truncated object is uploaded again.
func TestS3ArchiveCache(t *testing.T) {
	t.Parallel()
	box, data := testS3Box(t)
	a, err := NewS3Archive(box, t.TempDir(), nil)
	must(t, err)
	defer a.Close()
	b := []byte(strings.Repeat("PO1*1*5*EA*9.99~", 100))
	sum, err := a.Put(b)
	must(t, err)
	must(t, os.WriteFile(a.path(sum), bytes.ReplaceAll(b, []byte("5"), []byte("6")), 0o600))
	if got, err := a.Read(sum); err != nil || !bytes.Equal(got, b) {
		t.Fatalf("Read over a damaged cache copy: %v", err)
	}
	must(t, os.Remove(a.path(sum)))
	if p, err := a.File(sum); err != nil || p != a.path(sum) {
		t.Fatalf("File after eviction: %s, %v", p, err)
	}
	// The bucket lost half the object (a crash of the store): Put repairs it.
	must(t, os.WriteFile(filepath.Join(data, archiveKey(sum)), b[:len(b)/2], 0o600))
	_, err = a.Put(b)
	must(t, err)
	fresh, err := NewS3Archive(box, t.TempDir(), nil)
	must(t, err)
	defer fresh.Close()
	if got, err := fresh.Read(sum); err != nil || !bytes.Equal(got, b) {
		t.Fatalf("Read after repair: %v", err)
	}
	// A damaged cache copy never goes up: the write fails (retryable) and
	// the retry writes the right bytes.
	must(t, os.Remove(filepath.Join(data, archiveKey(sum))))
	must(t, os.WriteFile(a.path(sum), bytes.ReplaceAll(b, []byte("5"), []byte("6")), 0o600))
	if _, err := a.Put(b); !errclass.IsRetryable(err) {
		t.Fatalf("Put over a damaged cache copy: %v, want a retryable error", err)
	}
	_, err = a.Put(b)
	must(t, err)
	if got, err := os.ReadFile(filepath.Join(data, archiveKey(sum))); err != nil || !bytes.Equal(got, b) {
		t.Fatalf("the bucket holds %.20q after the retry (%v)", got, err)
	}
}

// TestS3ArchiveErrors: an unreachable store is retryable, refused
// credentials are permanent and stop OpenArchive.
func TestS3ArchiveErrors(t *testing.T) {
	t.Parallel()
	box, _ := testS3Box(t)
	down := *box
	down.Endpoint = "127.0.0.1:1"
	a, err := NewS3Archive(&down, t.TempDir(), nil)
	must(t, err)
	defer a.Close()
	if _, err := a.Put([]byte("x")); !errclass.IsRetryable(err) {
		t.Errorf("Put to an unreachable store: %v (class %s), want retryable", err, errclass.Of(err))
	}
	denied := *box
	denied.SecretAccessKey = option.SecretValue("wrong")
	g := &config.Gateway{DataDir: t.TempDir(), Archive: config.Archive{S3: &denied}}
	if _, err := OpenArchive(context.Background(), g, nil); err == nil || errclass.IsRetryable(err) {
		t.Errorf("OpenArchive with wrong credentials: %v, want a permanent error", err)
	}
}

// TestS3ArchivePipeline runs files through a gateway whose archive is on
// S3, replays one from the bucket alone (nothing cached), then prunes:
// the bucket's objects go with their entries.
func TestS3ArchivePipeline(t *testing.T) {
	for _, db := range databases {
		t.Run(db.name, func(t *testing.T) {
			t.Parallel()
			testS3ArchivePipeline(t, db.dsn(t))
		})
	}
}

func testS3ArchivePipeline(t *testing.T, dsn string) {
	box, data := testS3Box(t)
	b := setup(t, dsn)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	g := &config.Gateway{DataDir: b.dir, Archive: config.Archive{S3: box}}
	archive, err := OpenArchive(ctx, g, b.cfg.Logger)
	must(t, err)
	defer archive.Close()
	b.cfg.ArchiveDir, b.cfg.Archive = "", archive
	acme := odoosim.AcmeGLN
	raw := interchange("ACMERETAIL", 1001, "P", "1200", order(1, "PO-S3A", acme), order(2, "PO-S3B", acme))
	b.drop("acme-retail", "s1.x12", raw)
	p := b.start(ctx)
	defer p.Stop(context.Background())
	must(t, p.PollNow(ctx))
	b.waitSettled(ctx, p, 60*time.Second)

	files, err := b.st.Messages(ctx, store.MessageFilter{Kind: store.KindFile, Limit: 10})
	must(t, err)
	if len(files) != 1 {
		t.Fatalf("%d file messages, want 1", len(files))
	}
	f := files[0]
	e, err := b.st.Archived(ctx, f.SHA256)
	must(t, err)
	if want := "s3://" + box.Bucket + "/" + box.Prefix + "/" + archiveKey(f.SHA256); e.Location != want {
		t.Errorf("raw file archived at %s, want %s", e.Location, want)
	}
	if got, err := os.ReadFile(filepath.Join(data, archiveKey(f.SHA256))); err != nil || string(got) != raw {
		t.Fatalf("the bucket does not hold the raw file: %v", err)
	}
	// Another gateway (an empty cache) replays the file from the bucket.
	must(t, os.RemoveAll(archive.Dir))
	res, err := Replay(ctx, b.st, p.jobs, f.ID, StepIngest)
	must(t, err)
	b.waitSettled(ctx, p, 60*time.Second)
	nf, err := b.st.Message(ctx, res.Message)
	must(t, err)
	if nf.Status != store.StatusDone {
		t.Errorf("replayed file: %s %s", nf.Status, nf.Error)
	}
	if got := b.orders(ctx); got["PO-S3A"] != 1 || got["PO-S3B"] != 1 {
		t.Errorf("orders %v, want one of each", got)
	}

	r := &Retainer{Store: b.st, Archive: archive, Partners: b.reg, Config: config.Retention{Keep: time.Hour, Batch: 200}}
	pr, err := r.Run(ctx, time.Now().Add(2*time.Hour))
	must(t, err)
	if pr.Archived == 0 {
		t.Fatalf("retention removed no archived file: %+v", pr)
	}
	if _, err := os.Stat(filepath.Join(data, archiveKey(f.SHA256))); !os.IsNotExist(err) {
		t.Errorf("the raw file is still in the bucket after retention: %v", err)
	}
}
