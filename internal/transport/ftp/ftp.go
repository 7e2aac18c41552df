package ftp

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"sync"
	"time"

	goftp "github.com/jlaffaye/ftp"

	"github.com/b2bgw/b2bgw/internal/transport"
)

// Mailbox is an FTP or FTPS mailbox. It is safe for concurrent use.
type Mailbox struct {
	cfg Config
	tls *tls.Config

	mu     sync.Mutex
	base   string // absolute server path of the mailbox root
	idle   []*conn
	closed bool
}

var (
	_ transport.Mailbox = (*Mailbox)(nil)
	_ transport.Renamer = (*Mailbox)(nil)
	_ transport.Stater  = (*Mailbox)(nil)
)

// New checks cfg and prepares a mailbox without connecting.
func New(cfg Config) (*Mailbox, error) {
	c, tc, err := cfg.withDefaults()
	if err != nil {
		mb := c.Mailbox
		if mb == "" {
			mb = "ftp://" + c.User + "@" + c.Addr
		}
		return nil, transport.WithPartner(&transport.Error{Op: "configure", Mailbox: mb, Err: err}, c.Partner)
	}
	m := &Mailbox{cfg: c, tls: tc}
	if strings.HasPrefix(c.Root, "/") {
		m.base = path.Clean(c.Root)
	}
	return m, nil
}

// Dial is New followed by a first connection and login, so that a wrong
// certificate, password or address shows up at once.
func Dial(ctx context.Context, cfg Config) (*Mailbox, error) {
	m, err := New(cfg)
	if err != nil {
		return nil, err
	}
	cn, err := m.get(ctx)
	if err != nil {
		return nil, m.wrap("connect", "", err)
	}
	m.put(cn)
	return m, nil
}

// Features: directories, atomic put by rename, rename and stat (SIZE and
// MDTM). LIST shows minutes only, so listing times have minute precision.
// Hidden files (names starting with '.') are not listed.
func (m *Mailbox) Features() transport.Features {
	return transport.Features{
		AtomicPut:        true,
		Rename:           true,
		Stat:             true,
		Dirs:             true,
		ModTimePrecision: time.Minute,
	}
}

func (m *Mailbox) hasBase() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.base != ""
}

func (m *Mailbox) setBase(pwd string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.base != "" {
		return
	}
	if pwd == "" {
		pwd = "/"
	}
	m.base = path.Join(pwd, m.cfg.Root)
}

// remote maps a mailbox name ("" for the root) to an absolute server path.
func (m *Mailbox) remote(name string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return path.Join(m.base, name)
}

// get returns a logged-in connection: an idle one (checked with NOOP when
// it idled for a while) or a new one.
func (m *Mailbox) get(ctx context.Context) (*conn, error) {
	for {
		m.mu.Lock()
		if m.closed {
			m.mu.Unlock()
			return nil, transport.ErrClosed
		}
		var cn *conn
		if n := len(m.idle); n > 0 {
			cn, m.idle = m.idle[n-1], m.idle[:n-1]
		}
		m.mu.Unlock()
		if cn == nil {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			return m.dial(ctx)
		}
		if cn.dead.Load() {
			continue
		}
		if time.Since(cn.lastUsed) > 30*time.Second {
			if err := cn.sc.NoOp(); err != nil {
				cn.kill()
				continue
			}
		}
		return cn, nil
	}
}

// put returns a healthy connection to the pool.
func (m *Mailbox) put(cn *conn) {
	if cn.dead.Load() {
		return
	}
	cn.lastUsed = time.Now()
	m.mu.Lock()
	if !m.closed && len(m.idle) < m.cfg.MaxIdleConns {
		m.idle = append(m.idle, cn)
		cn = nil
	}
	m.mu.Unlock()
	if cn != nil {
		_ = cn.sc.Quit()
		cn.kill()
	}
}

// do runs fn on a pooled connection. A context that ends while fn runs
// kills the connection (jlaffaye/ftp calls take no context).
func (m *Mailbox) do(ctx context.Context, op, name string, fn func(cn *conn) error) error {
	cn, err := m.get(ctx)
	if err != nil {
		return m.wrap(op, name, err)
	}
	stop := context.AfterFunc(ctx, cn.kill)
	err = fn(cn)
	if !stop() && err != nil {
		err = fmt.Errorf("%w (%w)", ctx.Err(), err)
	}
	if connErr(err) {
		cn.kill()
	}
	m.put(cn)
	return m.wrap(op, name, err)
}

func (m *Mailbox) wrap(op, name string, err error) error {
	if err == nil {
		return nil
	}
	err = classify(err)
	if errors.Is(err, transport.ErrClosed) || errors.Is(err, transport.ErrUnsafeName) {
		return transport.WithPartner(&transport.Error{Op: op, Mailbox: m.cfg.Mailbox, Path: name, Err: err}, m.cfg.Partner)
	}
	return transport.WithPartner(transport.NewError(op, m.cfg.Mailbox, name, err), m.cfg.Partner)
}

// explain550 turns a 550 reply on an existing path into ErrPermission and
// on a missing one into ErrNotExist: FTP servers use 550 for both.
func explain550(cn *conn, full string, err error) error {
	if !is550(err) {
		return err
	}
	if _, serr := cn.sc.FileSize(full); serr == nil {
		return fmt.Errorf("%w: %w", transport.ErrPermission, err)
	}
	if cerr := cn.sc.ChangeDir(full); cerr == nil {
		return fmt.Errorf("%s is a folder: %w", full, err)
	}
	return fmt.Errorf("%w: %w", transport.ErrNotExist, err)
}

// List returns the entries directly inside dir. It changes into the folder
// and lists it without an argument, which avoids servers' glob and option
// parsing of LIST arguments and tells a missing folder from an empty one.
func (m *Mailbox) List(ctx context.Context, dir string) ([]transport.FileInfo, error) {
	d, err := transport.SafeDir(dir)
	if err != nil {
		return nil, m.wrap("list", dir, err)
	}
	var out []transport.FileInfo
	err = m.do(ctx, "list", d, func(cn *conn) error {
		full := m.remote(d)
		if err := cn.sc.ChangeDir(full); err != nil {
			if is550(err) {
				return fmt.Errorf("%w: %w", transport.ErrNotExist, err)
			}
			return err
		}
		entries, err := cn.sc.List("")
		if err != nil {
			return err
		}
		out = make([]transport.FileInfo, 0, len(entries))
		for _, e := range entries {
			base := e.Name
			if strings.Contains(base, "/") {
				// Some servers list full paths: accept only ones inside dir.
				rel, ok := strings.CutPrefix(base, full+"/")
				if !ok {
					rel, ok = strings.CutPrefix(base, d+"/")
				}
				if !ok || strings.Contains(rel, "/") {
					m.cfg.Logger.Warn("ftp: listing holds a path outside the listed folder; ignored",
						"partner", m.cfg.Partner, "mailbox", m.cfg.Mailbox, "dir", d, "name", base)
					continue
				}
				base = rel
			}
			if base == "." || base == ".." || base == "" {
				continue
			}
			name, err := transport.Join(d, base)
			if err != nil {
				m.cfg.Logger.Warn("ftp: listing holds a name that could escape the mailbox; ignored, tell the partner",
					"partner", m.cfg.Partner, "mailbox", m.cfg.Mailbox, "dir", d, "name", base)
				continue
			}
			fi := transport.FileInfo{Name: name, ModTime: e.Time}
			switch e.Type {
			case goftp.EntryTypeFolder:
				fi.IsDir = true
			case goftp.EntryTypeFile, goftp.EntryTypeLink:
				fi.Size = int64(e.Size)
			default:
				continue
			}
			out = append(out, fi)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Stat describes one file (SIZE, MDTM) or folder (CWD).
func (m *Mailbox) Stat(ctx context.Context, name string) (transport.FileInfo, error) {
	if err := transport.SafeName(name); err != nil {
		return transport.FileInfo{}, m.wrap("stat", name, err)
	}
	fi := transport.FileInfo{Name: name}
	err := m.do(ctx, "stat", name, func(cn *conn) error {
		full := m.remote(name)
		size, err := cn.sc.FileSize(full)
		if err != nil {
			if !is550(err) {
				return err
			}
			if cerr := cn.sc.ChangeDir(full); cerr == nil {
				fi.IsDir = true
				return nil
			}
			return fmt.Errorf("%w: %w", transport.ErrNotExist, err)
		}
		fi.Size = size
		if cn.sc.IsGetTimeSupported() {
			if t, err := cn.sc.GetTime(full); err == nil {
				fi.ModTime = t
			}
		}
		return nil
	})
	return fi, err
}

// Open streams a file over its own connection, held (with a transfer slot
// of Config.Limit) until the reader is closed.
func (m *Mailbox) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	if err := transport.SafeName(name); err != nil {
		return nil, m.wrap("open", name, err)
	}
	release, err := m.cfg.Limit.Acquire(ctx)
	if err != nil {
		return nil, m.wrap("open", name, err)
	}
	cn, err := m.get(ctx)
	if err != nil {
		release()
		return nil, m.wrap("open", name, err)
	}
	full := m.remote(name)
	resp, err := cn.sc.Retr(full)
	if err != nil {
		err = explain550(cn, full, err)
		if connErr(err) {
			cn.kill()
		}
		m.put(cn)
		release()
		return nil, m.wrap("open", name, err)
	}
	return &reader{m: m, cn: cn, name: name, resp: resp, release: release, stop: context.AfterFunc(ctx, cn.kill)}, nil
}

type reader struct {
	m       *Mailbox
	cn      *conn
	name    string
	resp    *goftp.Response
	release func()
	stop    func() bool
	failed  bool
	closed  bool
}

func (r *reader) Read(p []byte) (int, error) {
	n, err := r.resp.Read(p)
	if err != nil && err != io.EOF {
		r.failed = true
		if connErr(err) {
			r.cn.kill()
		}
		err = r.m.wrap("read", r.name, err)
	}
	return n, err
}

// Close ends the transfer and reads the server's final reply; a transfer
// the server reports as aborted is an error here.
func (r *reader) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	r.stop()
	err := r.resp.Close()
	if err != nil && r.failed {
		err = nil // already reported by Read
	}
	if err != nil || r.failed {
		r.cn.kill() // the control stream may be out of step
	}
	r.m.put(r.cn)
	r.release()
	return r.m.wrap("close", r.name, err)
}

// Put uploads to a hidden temp name in the target's folder, then renames it
// over name. On error the temp file is deleted (best effort: a dead
// connection may leave a ".b2bgw-*.part" file behind) and nothing appears
// under name.
func (m *Mailbox) Put(ctx context.Context, name string, r io.Reader) error {
	if err := transport.SafeName(name); err != nil {
		return m.wrap("put", name, err)
	}
	release, err := m.cfg.Limit.Acquire(ctx)
	if err != nil {
		return m.wrap("put", name, err)
	}
	defer release()
	return m.do(ctx, "put", name, func(cn *conn) error {
		full := m.remote(name)
		dir := path.Dir(full)
		m.mkdirAll(cn, dir)
		tmp := path.Join(dir, tempName(path.Base(full)))
		err := cn.sc.Stor(tmp, ctxReader{ctx, r})
		if err == nil {
			err = publish(cn, tmp, full)
		}
		if err != nil && !cn.dead.Load() {
			_ = cn.sc.Delete(tmp)
		}
		if is550(err) {
			err = fmt.Errorf("%w: %w", transport.ErrPermission, err)
		}
		return err
	})
}

// publish renames tmp over full, deleting an existing full first when the
// server refuses to replace it.
func publish(cn *conn, tmp, full string) error {
	err := cn.sc.Rename(tmp, full)
	if err == nil || !is550(err) {
		return err
	}
	if _, serr := cn.sc.FileSize(full); serr != nil {
		return err
	}
	if derr := cn.sc.Delete(full); derr != nil {
		return fmt.Errorf("replacing %s: %w", full, derr)
	}
	return cn.sc.Rename(tmp, full)
}

// mkdirAll creates the folders of dir below the mailbox root. Errors are
// ignored: most mean "exists", and a real problem shows in the next command.
func (m *Mailbox) mkdirAll(cn *conn, dir string) {
	root := m.remote("")
	rel, ok := strings.CutPrefix(dir, root)
	if !ok || rel == "" || rel == "/" {
		return
	}
	cur := root
	for part := range strings.SplitSeq(strings.Trim(rel, "/"), "/") {
		cur = path.Join(cur, part)
		_ = cn.sc.MakeDir(cur)
	}
}

func tempName(base string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	if len(base) > 180 {
		base = base[:180]
	}
	return ".b2bgw-" + hex.EncodeToString(b[:]) + "-" + strings.ToValidUTF8(base, "_") + ".part"
}

// Remove deletes a file.
func (m *Mailbox) Remove(ctx context.Context, name string) error {
	if err := transport.SafeName(name); err != nil {
		return m.wrap("remove", name, err)
	}
	return m.do(ctx, "remove", name, func(cn *conn) error {
		full := m.remote(name)
		return explain550(cn, full, cn.sc.Delete(full))
	})
}

// Rename moves from to to, creating to's folder; it replaces an existing
// file at to (deleting it first where the server will not).
func (m *Mailbox) Rename(ctx context.Context, from, to string) error {
	for _, n := range []string{from, to} {
		if err := transport.SafeName(n); err != nil {
			return m.wrap("rename", n, err)
		}
	}
	return m.do(ctx, "rename", from, func(cn *conn) error {
		src, dst := m.remote(from), m.remote(to)
		if _, err := cn.sc.FileSize(src); err != nil {
			return explain550(cn, src, err)
		}
		m.mkdirAll(cn, path.Dir(dst))
		if err := publish(cn, src, dst); err != nil {
			if is550(err) {
				return fmt.Errorf("%w: to %s: %w", transport.ErrPermission, to, err)
			}
			return fmt.Errorf("to %s: %w", to, err)
		}
		return nil
	})
}

// Close logs out of every idle connection. Later calls fail with ErrClosed.
func (m *Mailbox) Close() error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil
	}
	m.closed = true
	idle := m.idle
	m.idle = nil
	m.mu.Unlock()
	for _, cn := range idle {
		_ = cn.sc.Quit()
		cn.kill()
	}
	return nil
}

// ctxReader stops a Put's source at the next Read once ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
