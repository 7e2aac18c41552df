package transporttest

// Helpers for the backends' real-server tests: the servers are started by
// scripts/it-servers.sh on the test machine, and the test reaches their
// storage directly (as root for the chrooted SFTP and FTP users) to play
// the partner's side.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
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

	"github.com/b2bgw/b2bgw/internal/transport"
)

// Env returns the integration server settings written by
// scripts/it-servers.sh: each key from the environment, else from its env
// file ($B2BGW_IT_ENV, else $B2BGW_IT_DIR/env, else /tmp/b2bgw-it/env).
// Locally a missing key skips the test loudly; in CI (CI=true) it fails,
// so a broken server setup can never turn the real-server tests into a
// silent pass.
func Env(t testing.TB, keys ...string) map[string]string {
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

// RandomName returns prefix followed by 12 random hex digits, for a fresh
// folder or prefix per test.
func RandomName(prefix string) string {
	var b [6]byte
	rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// Dropper records the connections a mailbox dials (set Dial as the
// backend config's DialContext) so that a test can cut them with Drop.
//
// It also caps each connection's reads at 100 MB/s, a fast WAN link: a fast
// transport on loopback moves the suite's 8 MB drop-test file in a few
// milliseconds, before the suite's polling goroutine can cut it, and the
// test would then pass or fail by chance.
type Dropper struct {
	mu    sync.Mutex
	conns []net.Conn
}

// Dial dials, records and throttles a connection.
func (d *Dropper) Dial(ctx context.Context, network, addr string) (net.Conn, error) {
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

// Drop closes every connection dialled so far.
func (d *Dropper) Drop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, c := range d.conns {
		c.Close()
	}
	d.conns = nil
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

// DirServer is the partner's side of a mailbox whose server keeps its files
// as plain files in a local folder (vsftpd's and sshd's chroot, versitygw's
// posix backend): the test writes and reads them directly, with any
// modification time it likes. It is a Server.
type DirServer struct {
	// Dir is the folder the mailbox's root is.
	Dir string

	step     time.Duration        // the backend's ModTimePrecision
	chown    bool                 // hand every file and folder to uid:gid
	uid, gid int                  //
	last     map[string]time.Time // mtime of the last Put per name
}

// NewDirServer serves dir (created, and removed when the test ends) for a
// backend whose times have the resolution step.
func NewDirServer(t testing.TB, dir string, step time.Duration) *DirServer {
	t.Helper()
	s := &DirServer{Dir: dir, step: step, last: map[string]time.Time{}}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return s
}

// NewUserDirServer serves dir, a new folder in the home or chroot of the
// server's system user username, as a partner's upload would: the test runs
// as root on the server's machine and hands every file it writes to the
// user. dir is removed when the test ends.
func NewUserDirServer(t testing.TB, dir, username string, step time.Duration) *DirServer {
	t.Helper()
	u, err := user.Lookup(username)
	if err != nil {
		t.Fatal(err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	s := &DirServer{Dir: dir, step: step, chown: true, uid: uid, gid: gid, last: map[string]time.Time{}}
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, uid, gid); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return s
}

// Path is where the file name of the mailbox is.
func (s *DirServer) Path(name string) string {
	return filepath.Join(s.Dir, filepath.FromSlash(name))
}

func (s *DirServer) mkdirs(t testing.TB, dir string) {
	t.Helper()
	if !s.chown {
		// Also Dir itself: a server may remove a folder it emptied (S3
		// has no folders, only prefixes of object names).
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return
	}
	rel, err := filepath.Rel(s.Dir, dir)
	if err != nil {
		t.Fatal(err)
	}
	cur := s.Dir
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

// Put writes a file, creating its folders; a zero mtime is now.
func (s *DirServer) Put(t testing.TB, name string, r io.Reader, mtime time.Time) {
	t.Helper()
	p := s.Path(name)
	s.mkdirs(t, filepath.Dir(p))
	if mtime.IsZero() {
		// The server reports times in steps (SFTP v3 and S3: seconds, FTP
		// LIST: minutes) and the poller's ledger keys on (path, size,
		// mtime): a same-size re-upload of a name within one step would
		// look already picked (reported to the pickup owner). Give a quick
		// re-upload in a test the next step, as a real partner's next
		// upload would have.
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
	if s.chown {
		if err := os.Chown(p, s.uid, s.gid); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chtimes(p, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}

// Get returns a file's content, or ok=false when it does not exist.
func (s *DirServer) Get(t testing.TB, name string) ([]byte, bool) {
	b, err := os.ReadFile(s.Path(name))
	if err != nil {
		return nil, false
	}
	return b, true
}

// Remove deletes a file.
func (s *DirServer) Remove(t testing.TB, name string) {
	if err := os.Remove(s.Path(name)); err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
}

// Deny gives a file to root with mode 0: the server's user may neither
// read it nor (the folder aside) change that.
func (s *DirServer) Deny(t testing.TB, name string) {
	p := s.Path(name)
	if err := os.Chown(p, 0, 0); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, 0); err != nil {
		t.Fatal(err)
	}
}

// Fixture is the conformance fixture of mb, a mailbox on s dialling through
// d; Deny is set only for a server created by NewUserDirServer (file rights
// are what denies access there).
func (s *DirServer) Fixture(t testing.TB, mb transport.Mailbox, d *Dropper) Fixture {
	fx := Fixture{Mailbox: mb, Server: s, Drop: d.Drop}
	if s.chown {
		fx.Deny = func(name string) { s.Deny(t, name) }
	}
	return fx
}

// ThroughputCase is one way to open a mailbox on the real server for
// Throughput, from the settings Env returned.
type ThroughputCase struct {
	Name string
	Open func(t *testing.T, env map[string]string) transport.Mailbox
}

// Throughput measures, for each case, files/s for 200 small files and MB/s
// for one 200 MB file, up and down, on the real server whose settings are
// keys. It is a measurement, not a check: it runs only with
// B2BGW_IT_THROUGHPUT=1 (make test does not set it).
func Throughput(t *testing.T, keys []string, cases ...ThroughputCase) {
	if os.Getenv("B2BGW_IT_THROUGHPUT") == "" {
		t.Skip("measurement only: set B2BGW_IT_THROUGHPUT=1 to run it")
	}
	env := Env(t, keys...)
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			mb := c.Open(t, env)
			defer mb.Close()
			measureThroughput(t, mb)
		})
	}
}

func measureThroughput(t *testing.T, mb transport.Mailbox) {
	ctx := t.Context()
	small := bytes.Repeat([]byte("ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       ~"), 12) // ~1 KB
	const n = 200
	start := time.Now()
	for i := range n {
		if err := mb.Put(ctx, fmt.Sprintf("small/f%03d.x12", i), bytes.NewReader(small)); err != nil {
			t.Fatal(err)
		}
	}
	putSmall := time.Since(start)
	start = time.Now()
	list, err := mb.List(ctx, "small")
	if err != nil || len(list) != n {
		t.Fatalf("list: %d entries, %v", len(list), err)
	}
	for _, fi := range list {
		rc, err := mb.Open(ctx, fi.Name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, rc); err != nil {
			t.Fatal(err)
		}
		rc.Close()
	}
	getSmall := time.Since(start)

	const size = 200 << 20
	big := make([]byte, size)
	for i := range big {
		big[i] = byte(i*7 + i>>11)
	}
	start = time.Now()
	if err := mb.Put(ctx, "big/big.x12", bytes.NewReader(big)); err != nil {
		t.Fatal(err)
	}
	putBig := time.Since(start)
	start = time.Now()
	rc, err := mb.Open(ctx, "big/big.x12")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.Copy(io.Discard, rc)
	rc.Close()
	if err != nil || got != size {
		t.Fatalf("read %d bytes, %v", got, err)
	}
	getBig := time.Since(start)
	mbps := func(d time.Duration) float64 { return float64(size) / (1 << 20) / d.Seconds() }
	t.Logf("THROUGHPUT %s: 200 small files put %.0f files/s, list+get %.0f files/s; 200 MB put %.0f MB/s, get %.0f MB/s",
		t.Name(), n/putSmall.Seconds(), n/getSmall.Seconds(), mbps(putBig), mbps(getBig))
}
