package sftp_test

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

	"github.com/b2bgw/b2bgw/internal/transport/sftp"
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

var sftpKeys = []string{"B2BGW_IT_SFTP_ADDR", "B2BGW_IT_SFTP_KNOWN_HOSTS", "B2BGW_IT_SFTP_HOST_FINGERPRINT",
	"B2BGW_IT_SFTP_ROOT", "B2BGW_IT_SFTP_KEY_USER", "B2BGW_IT_SFTP_KEY", "B2BGW_IT_SFTP_PW_USER", "B2BGW_IT_SFTP_PASSWORD"}

// chrootServer is the partner's side of the mailbox: the test runs as root
// on the same machine as sshd and writes into the user's chroot directly,
// handing every file to the SFTP user as a partner's upload would.
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

// keyUserConfig is a working config for the key user, host key pinned by
// known_hosts, rooted at a fresh directory of the chroot.
func keyUserConfig(t testing.TB, env map[string]string) (sftp.Config, *chrootServer) {
	t.Helper()
	u, err := user.Lookup(env["B2BGW_IT_SFTP_KEY_USER"])
	if err != nil {
		t.Fatal(err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	dirName := randomName("t-")
	srv := &chrootServer{dir: filepath.Join(env["B2BGW_IT_SFTP_ROOT"], u.Username, dirName), uid: uid, gid: gid, last: map[string]time.Time{}, step: time.Second}
	if err := os.Mkdir(srv.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(srv.dir, uid, gid); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(srv.dir) })
	return sftp.Config{
		Partner:         "acme",
		Mailbox:         "acme-sftp",
		Addr:            env["B2BGW_IT_SFTP_ADDR"],
		User:            u.Username,
		PrivateKeyFile:  env["B2BGW_IT_SFTP_KEY"],
		KnownHostsFiles: []string{env["B2BGW_IT_SFTP_KNOWN_HOSTS"]},
		Root:            "/" + dirName,
		DialTimeout:     10 * time.Second,
		IOTimeout:       20 * time.Second,
	}, srv
}

func TestConformanceOpenSSH(t *testing.T) {
	env := itEnv(t, sftpKeys...)
	transporttest.Run(t, transporttest.Harness{
		Partner: "acme",
		New: func(t *testing.T) transporttest.Fixture {
			cfg, srv := keyUserConfig(t, env)
			d := &dropper{}
			cfg.DialContext = d.dial
			mb, err := sftp.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			return transporttest.Fixture{
				Mailbox: mb,
				Server:  srv,
				Drop:    d.drop,
				Deny: func(name string) {
					// Owned by root, mode 0: the SFTP user may neither read it nor
					// (the folder aside) change that.
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
	})
}
