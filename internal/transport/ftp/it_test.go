package ftp_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/b2bgw/b2bgw/internal/transport/ftp"
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

var ftpKeys = []string{"B2BGW_IT_FTP_ADDR", "B2BGW_IT_FTPS_IMPLICIT_ADDR", "B2BGW_IT_FTP_USER",
	"B2BGW_IT_FTP_PASSWORD", "B2BGW_IT_FTP_CA", "B2BGW_IT_FTP_ROOT"}

// chrootServer is the partner's side of the mailbox: the test runs as root
// on the same machine as vsftpd and writes into the user's home directly,
// handing every file to the FTP user as a partner's upload would.
type chrootServer struct {
	dir      string
	uid, gid int
	last     map[string]time.Time // mtime of the last Put per name
	step     time.Duration        // the backend's ModTimePrecision
}

func (s *chrootServer) path(name string) string {
	return filepath.Join(s.dir, filepath.FromSlash(name))
}

func (s *chrootServer) mkdirs(t testing.TB, dir string) {
	t.Helper()
	rel, err := filepath.Rel(s.dir, dir)
	if err != nil {
		t.Fatal(err)
	}
	cur := s.dir
	for _, part := range strings.Split(rel, string(filepath.Separator)) {
		if part == "." {
			continue
		}
		cur = filepath.Join(cur, part)
		if err := os.Mkdir(cur, 0o755); err != nil && !os.IsExist(err) {
			t.Fatal(err)
		}
		if err := os.Chown(cur, s.uid, s.gid); err != nil {
			t.Fatal(err)
		}
	}
}

func (s *chrootServer) Put(t testing.TB, name string, r io.Reader, mtime time.Time) {
	t.Helper()
	p := s.path(name)
	s.mkdirs(t, filepath.Dir(p))
	if mtime.IsZero() {
		// The server reports times in steps (SFTP v3: seconds, FTP LIST:
		// minutes) and the poller's ledger keys on (path, size, mtime): a
		// same-size re-upload of a name within one step would look already
		// picked (reported to the pickup owner). Give a quick re-upload in
		// a test the next step, as a real partner's next upload would have.
		mtime = time.Now()
		if last, ok := s.last[name]; ok && mtime.Sub(last) < s.step {
			mtime = last.Add(s.step)
		}
	}
	s.last[name] = mtime
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
	if err := os.Chown(p, s.uid, s.gid); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}

func (s *chrootServer) Get(t testing.TB, name string) ([]byte, bool) {
	b, err := os.ReadFile(s.path(name))
	if err != nil {
		return nil, false
	}
	return b, true
}

func (s *chrootServer) Remove(t testing.TB, name string) {
	if err := os.Remove(s.path(name)); err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
}

// dropper records the connections a mailbox dials so a test can cut them.
//
// It also caps each connection's reads at 100 MB/s, a fast WAN link: plain
// FTP on loopback moves the suite's 8 MB drop-test file in a few
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

// userConfig is a working config for mode, rooted at a fresh folder of the
// FTP user's home.
func userConfig(t testing.TB, env map[string]string, mode ftp.TLSMode) (ftp.Config, *chrootServer) {
	t.Helper()
	u, err := user.Lookup(env["B2BGW_IT_FTP_USER"])
	if err != nil {
		t.Fatal(err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	dirName := randomName("t-")
	srv := &chrootServer{dir: filepath.Join(env["B2BGW_IT_FTP_ROOT"], dirName), uid: uid, gid: gid,
		last: map[string]time.Time{}, step: time.Minute}
	if err := os.Mkdir(srv.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(srv.dir, uid, gid); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(srv.dir) })
	addr := env["B2BGW_IT_FTP_ADDR"]
	if mode == ftp.Implicit {
		addr = env["B2BGW_IT_FTPS_IMPLICIT_ADDR"]
	}
	return ftp.Config{
		Partner:     "acme",
		Mailbox:     "acme-ftp",
		Addr:        addr,
		User:        u.Username,
		Password:    env["B2BGW_IT_FTP_PASSWORD"],
		TLS:         mode,
		CAFile:      env["B2BGW_IT_FTP_CA"],
		Root:        "/" + dirName,
		DialTimeout: 10 * time.Second,
		IOTimeout:   20 * time.Second,
	}, srv
}

func TestConformanceVsftpd(t *testing.T) {
	env := itEnv(t, ftpKeys...)
	for _, mode := range []ftp.TLSMode{ftp.Explicit, ftp.Implicit, ftp.Plain} {
		t.Run(string(mode), func(t *testing.T) {
			h := transporttest.Harness{
				Partner: "acme",
				New: func(t *testing.T) transporttest.Fixture {
					cfg, srv := userConfig(t, env, mode)
					d := &dropper{}
					cfg.DialContext = d.dial
					mb, err := ftp.New(cfg)
					if err != nil {
						t.Fatal(err)
					}
					return transporttest.Fixture{
						Mailbox: mb,
						Server:  srv,
						Drop:    d.drop,
						Deny: func(name string) {
							p := srv.path(name)
							if err := os.Chown(p, 0, 0); err != nil {
								t.Fatal(err)
							}
							if err := os.Chmod(p, 0); err != nil {
								t.Fatal(err)
							}
						},
					}
				},
			}
			transporttest.Run(t, h)
		})
	}
}
