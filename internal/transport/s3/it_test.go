package s3_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/b2bgw/b2bgw/internal/transport/s3"
	"github.com/b2bgw/b2bgw/internal/transport/transporttest"
)

// itEnv returns the integration server settings written by
// scripts/it-servers.sh (from the environment, else from its env file).
// Locally a missing server skips loudly; in CI (CI=true) it fails, so a
// broken server setup can never turn the real-server tests into a silent
// pass.
func itEnv(t testing.TB, keys ...string) map[string]string {
	t.Helper()
	vals := map[string]string{}
	file := os.Getenv("B2BGW_IT_ENV")
	if file == "" {
		dir := os.Getenv("B2BGW_IT_DIR")
		if dir == "" {
			dir = "/tmp/b2bgw-it"
		}
		file = filepath.Join(dir, "env")
	}
	if f, err := os.Open(file); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), "="); ok {
				vals[k] = v
			}
		}
		f.Close()
	}
	for _, k := range keys {
		if v := os.Getenv(k); v != "" {
			vals[k] = v
		}
		if vals[k] == "" {
			msg := "integration server not configured: " + k + " is not set and not in " + file +
				"; start the servers with `bash scripts/it-servers.sh install && bash scripts/it-servers.sh start`"
			if os.Getenv("CI") == "true" {
				t.Fatal("CI=true: " + msg)
			}
			t.Skip("SKIPPING REAL-SERVER TEST: " + msg)
		}
	}
	return vals
}

var s3Keys = []string{"B2BGW_IT_S3_ENDPOINT", "B2BGW_IT_S3_REGION", "B2BGW_IT_S3_ACCESS_KEY", "B2BGW_IT_S3_SECRET_KEY",
	"B2BGW_IT_S3_BUCKET", "B2BGW_IT_S3_DATA", "B2BGW_IT_S3_NOACCESS_KEY", "B2BGW_IT_S3_NOACCESS_SECRET"}

// dropper records the connections a mailbox dials so a test can cut them.
//
// It also caps each connection's reads at 100 MB/s, a fast WAN link: a fast
// transport on loopback moves the suite's 8 MB drop-test file in a few
// milliseconds, before the suite's polling goroutine can cut it, and the
// test would then pass or fail by chance.
type dropper struct {
	mu    sync.Mutex
	conns []net.Conn
}

func (d *dropper) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	var nd net.Dialer
	c, err := nd.DialContext(ctx, network, addr)
	if err == nil {
		d.mu.Lock()
		d.conns = append(d.conns, c)
		d.mu.Unlock()
		c = &throttled{Conn: c, start: time.Now()}
	}
	return c, err
}

const throttleRate = 100 << 20 // bytes per second

type throttled struct {
	net.Conn
	start time.Time
	n     int64
}

func (c *throttled) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.n += int64(n)
	if ahead := time.Duration(float64(c.n)/throttleRate*float64(time.Second)) - time.Since(c.start); ahead > time.Millisecond {
		time.Sleep(ahead)
	}
	return n, err
}

func (d *dropper) drop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, c := range d.conns {
		c.Close()
	}
	d.conns = nil
}

func randomName(prefix string) string {
	var b [6]byte
	rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// bucketServer is the partner's side: versitygw's posix backend stores an
// object as a plain file (bucket = folder), so the test writes and reads
// them directly, with any modification time it likes.
type bucketServer struct {
	dir  string
	last map[string]time.Time
}

func (s *bucketServer) path(name string) string {
	return filepath.Join(s.dir, filepath.FromSlash(name))
}

func (s *bucketServer) Put(t testing.TB, name string, r io.Reader, mtime time.Time) {
	t.Helper()
	p := s.path(name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(f, r); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if mtime.IsZero() {
		// S3 times are whole seconds and the poller's ledger keys on
		// (path, size, mtime); a real re-upload is never within the
		// same second (reported to the pickup owner).
		mtime = time.Now()
		if last, ok := s.last[name]; ok && mtime.Sub(last) < time.Second {
			mtime = last.Add(time.Second)
		}
	}
	s.last[name] = mtime
	if err := os.Chtimes(p, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}

func (s *bucketServer) Get(t testing.TB, name string) ([]byte, bool) {
	b, err := os.ReadFile(s.path(name))
	if err != nil {
		return nil, false
	}
	return b, true
}

func (s *bucketServer) Remove(t testing.TB, name string) {
	if err := os.Remove(s.path(name)); err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
}

// config is a working config rooted at a fresh prefix of the test bucket.
func config(t testing.TB, env map[string]string) (s3.Config, *bucketServer) {
	t.Helper()
	prefix := randomName("t-")
	srv := &bucketServer{dir: filepath.Join(env["B2BGW_IT_S3_DATA"], env["B2BGW_IT_S3_BUCKET"], prefix), last: map[string]time.Time{}}
	if err := os.MkdirAll(srv.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(srv.dir) })
	return s3.Config{
		Partner:     "acme",
		Mailbox:     "acme-s3",
		Endpoint:    "http://" + env["B2BGW_IT_S3_ENDPOINT"],
		Region:      env["B2BGW_IT_S3_REGION"],
		Bucket:      env["B2BGW_IT_S3_BUCKET"],
		Prefix:      prefix,
		Addressing:  s3.PathStyle,
		AccessKey:   env["B2BGW_IT_S3_ACCESS_KEY"],
		SecretKey:   env["B2BGW_IT_S3_SECRET_KEY"],
		DialTimeout: 5 * time.Second,
		IOTimeout:   20 * time.Second,
		MaxRetries:  1,
	}, srv
}

func TestConformanceVersitygw(t *testing.T) {
	env := itEnv(t, s3Keys...)
	transporttest.Run(t, transporttest.Harness{
		Partner: "acme",
		NoDeny: "S3 grants rights per account and bucket, not per file; TestPermissionDenied uses a second " +
			"account without rights on the bucket",
		New: func(t *testing.T) transporttest.Fixture {
			cfg, srv := config(t, env)
			d := &dropper{}
			cfg.DialContext = d.dial
			mb, err := s3.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			return transporttest.Fixture{Mailbox: mb, Server: srv, Drop: d.drop}
		},
	})
}
