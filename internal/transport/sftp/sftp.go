package sftp

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"path"
	"strings"
	"sync"

	"golang.org/x/crypto/ssh"

	"github.com/b2bgw/b2bgw/internal/transport"
)

// Mailbox is an SFTP mailbox. It connects lazily and reconnects after a
// lost connection on the next call; it is safe for concurrent use, although
// the transport contract asks only for one goroutine at a time.
type Mailbox struct {
	cfg          Config
	auth         []ssh.AuthMethod
	hostKey      ssh.HostKeyCallback
	hostKeyAlgos []string

	mu     sync.Mutex
	sess   *session
	closed bool
}

var (
	_ transport.Mailbox = (*Mailbox)(nil)
	_ transport.Renamer = (*Mailbox)(nil)
	_ transport.Stater  = (*Mailbox)(nil)
)

// New checks cfg and prepares a mailbox without connecting. Configuration
// mistakes (no host key pin, unreadable or encrypted key without passphrase)
// are reported here, classified Permanent.
func New(cfg Config) (*Mailbox, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, configError(cfg, err)
	}
	auth, err := authMethods(c)
	if err != nil {
		return nil, configError(c, err)
	}
	cb, algos, err := hostKeyCheck(c)
	if err != nil {
		return nil, configError(c, err)
	}
	return &Mailbox{cfg: c, auth: auth, hostKey: cb, hostKeyAlgos: algos}, nil
}

// Dial is New followed by a first connection, so that a wrong host key,
// password or address shows up at once.
func Dial(ctx context.Context, cfg Config) (*Mailbox, error) {
	m, err := New(cfg)
	if err != nil {
		return nil, err
	}
	if _, err := m.session(ctx); err != nil {
		return nil, m.wrap("connect", "", err)
	}
	return m, nil
}

func configError(c Config, err error) error {
	mb := c.Mailbox
	if mb == "" {
		mb = "sftp://" + c.User + "@" + c.Addr
	}
	return transport.WithPartner(&transport.Error{Op: "configure", Mailbox: mb, Err: err}, c.Partner)
}

// authMethods turns the configured key and password into SSH auth methods.
func authMethods(c Config) ([]ssh.AuthMethod, error) {
	var methods []ssh.AuthMethod
	key := c.PrivateKey
	if len(key) == 0 && c.PrivateKeyFile != "" {
		b, err := os.ReadFile(c.PrivateKeyFile)
		if err != nil {
			return nil, fmt.Errorf("reading the private key: %w", err)
		}
		key = b
	}
	if len(key) > 0 {
		var signer ssh.Signer
		var err error
		if c.Passphrase != "" {
			signer, err = ssh.ParsePrivateKeyWithPassphrase(key, []byte(c.Passphrase))
		} else {
			signer, err = ssh.ParsePrivateKey(key)
		}
		var missing *ssh.PassphraseMissingError
		switch {
		case errors.As(err, &missing):
			return nil, fmt.Errorf("%w: the private key %s is encrypted: set its passphrase", transport.ErrAuth, keyName(c))
		case err != nil && c.Passphrase != "":
			return nil, fmt.Errorf("%w: cannot decrypt the private key %s (wrong passphrase?): %v", transport.ErrAuth, keyName(c), err)
		case err != nil:
			return nil, fmt.Errorf("%w: cannot parse the private key %s (OpenSSH or PEM ed25519, RSA or ECDSA expected): %v", transport.ErrAuth, keyName(c), err)
		}
		methods = append(methods, ssh.PublicKeys(signer))
	}
	if c.Password != "" {
		pw := c.Password
		methods = append(methods, ssh.Password(pw),
			ssh.KeyboardInteractive(func(_, _ string, questions []string, _ []bool) ([]string, error) {
				answers := make([]string, len(questions))
				for i := range answers {
					answers[i] = pw
				}
				return answers, nil
			}))
	}
	return methods, nil
}

func keyName(c Config) string {
	if c.PrivateKeyFile != "" {
		return c.PrivateKeyFile
	}
	return "(inline)"
}

// Features: SFTP has directories, atomic put by rename, server-side rename
// and stat; OpenSSH reports modification times in whole seconds.
func (m *Mailbox) Features() transport.Features {
	return transport.Features{
		AtomicPut:        true,
		Rename:           true,
		Stat:             true,
		Dirs:             true,
		ModTimePrecision: 1e9,
	}
}

// session returns the live session, dialling a new one when there is none.
func (m *Mailbox) session(ctx context.Context) (*session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, transport.ErrClosed
	}
	if m.sess != nil && !m.sess.dead.Load() {
		return m.sess, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s, err := m.dial(ctx)
	if err != nil {
		return nil, err
	}
	m.sess = s
	return s, nil
}

// do runs fn on a live session. A context that ends while fn runs kills the
// session (pkg/sftp calls take no context), so fn returns promptly.
func (m *Mailbox) do(ctx context.Context, op, name string, fn func(s *session) error) error {
	s, err := m.session(ctx)
	if err != nil {
		return m.wrap(op, name, err)
	}
	stop := context.AfterFunc(ctx, s.kill)
	err = fn(s)
	if !stop() && err != nil {
		err = fmt.Errorf("%w (%w)", ctx.Err(), err)
	}
	if connLost(err) {
		s.kill() // the next call dials a new session
	}
	return m.wrap(op, name, err)
}

// wrap turns err into a *transport.Error naming partner, mailbox and path.
func (m *Mailbox) wrap(op, name string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, transport.ErrClosed) || errors.Is(err, transport.ErrUnsafeName) {
		return transport.WithPartner(&transport.Error{Op: op, Mailbox: m.cfg.Mailbox, Path: name, Err: err}, m.cfg.Partner)
	}
	if connLost(err) && !errors.Is(err, transport.ErrUnavailable) {
		err = &unavailableError{err}
	}
	return transport.WithPartner(transport.NewError(op, m.cfg.Mailbox, name, err), m.cfg.Partner)
}

// remote maps a mailbox name to the server path.
func (m *Mailbox) remote(name string) string {
	if m.cfg.Root == "" {
		if name == "" {
			return "."
		}
		return name
	}
	return path.Join(m.cfg.Root, name)
}

// List returns the files and directories directly inside dir. Entries whose
// names fail SafeName are left out with a warning; symlinks are followed.
func (m *Mailbox) List(ctx context.Context, dir string) ([]transport.FileInfo, error) {
	d, err := transport.SafeDir(dir)
	if err != nil {
		return nil, m.wrap("list", dir, err)
	}
	var out []transport.FileInfo
	err = m.do(ctx, "list", d, func(s *session) error {
		full := m.remote(d)
		entries, err := s.sftp.ReadDirContext(ctx, full)
		if err != nil {
			return err
		}
		out = make([]transport.FileInfo, 0, len(entries))
		for _, e := range entries {
			base := e.Name()
			if base == "." || base == ".." {
				continue
			}
			name, err := transport.Join(d, base)
			if err != nil {
				m.cfg.Logger.Warn("sftp: listing holds a name that could escape the mailbox; ignored, tell the partner",
					"partner", m.cfg.Partner, "mailbox", m.cfg.Mailbox, "dir", d, "name", base)
				continue
			}
			if e.Mode()&iofs.ModeSymlink != 0 {
				t, err := s.sftp.Stat(path.Join(full, base))
				if err != nil {
					continue // dangling link
				}
				e = t
			}
			if !e.Mode().IsRegular() && !e.IsDir() {
				continue
			}
			fi := transport.FileInfo{Name: name, ModTime: e.ModTime(), IsDir: e.IsDir()}
			if !fi.IsDir {
				fi.Size = e.Size()
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

// Stat describes one file or directory.
func (m *Mailbox) Stat(ctx context.Context, name string) (transport.FileInfo, error) {
	if err := transport.SafeName(name); err != nil {
		return transport.FileInfo{}, m.wrap("stat", name, err)
	}
	var fi transport.FileInfo
	err := m.do(ctx, "stat", name, func(s *session) error {
		st, err := s.sftp.Stat(m.remote(name))
		if err != nil {
			return err
		}
		fi = transport.FileInfo{Name: name, ModTime: st.ModTime(), IsDir: st.IsDir()}
		if !fi.IsDir {
			fi.Size = st.Size()
		}
		return nil
	})
	return fi, err
}

// Open streams a file. The returned reader takes a transfer slot from
// Config.Limit until it is closed; read errors are *transport.Error values
// (a dropped connection is Retryable).
func (m *Mailbox) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	if err := transport.SafeName(name); err != nil {
		return nil, m.wrap("open", name, err)
	}
	release, err := m.cfg.Limit.Acquire(ctx)
	if err != nil {
		return nil, m.wrap("open", name, err)
	}
	s, err := m.session(ctx)
	if err != nil {
		release()
		return nil, m.wrap("open", name, err)
	}
	f, err := s.sftp.Open(m.remote(name))
	if err == nil {
		var st os.FileInfo
		if st, err = f.Stat(); err == nil && st.IsDir() {
			err = fmt.Errorf("%s is a directory", name)
		}
		if err != nil {
			_ = f.Close()
		}
	}
	if err != nil {
		release()
		return nil, m.wrap("open", name, err)
	}
	return &reader{m: m, s: s, name: name, f: f, release: release, stop: context.AfterFunc(ctx, s.kill)}, nil
}

// reader streams one remote file; WriteTo keeps pkg/sftp's concurrent reads
// when the caller uses io.Copy.
type reader struct {
	m    *Mailbox
	s    *session
	name string
	f    interface {
		io.ReadCloser
		io.WriterTo
	}
	release func()
	stop    func() bool
	closed  bool
}

func (r *reader) Read(p []byte) (int, error) {
	n, err := r.f.Read(p)
	if err != nil && err != io.EOF {
		err = r.fail(err)
	}
	return n, err
}

func (r *reader) WriteTo(w io.Writer) (int64, error) {
	n, err := r.f.WriteTo(w)
	if err != nil {
		err = r.fail(err)
	}
	return n, err
}

func (r *reader) fail(err error) error {
	if connLost(err) {
		r.s.kill()
	}
	return r.m.wrap("read", r.name, err)
}

func (r *reader) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	r.stop()
	err := r.f.Close()
	r.release()
	if connLost(err) {
		return nil // the read already reported the broken connection; nothing is left open
	}
	return r.m.wrap("close", r.name, err)
}

// Put writes r to a hidden temp file in the target's directory and renames
// it over name, so readers never see partial content. On any error the temp
// file is removed (best effort: a dead connection may leave a ".b2bgw-*.part"
// file behind) and nothing appears under name.
func (m *Mailbox) Put(ctx context.Context, name string, r io.Reader) error {
	if err := transport.SafeName(name); err != nil {
		return m.wrap("put", name, err)
	}
	release, err := m.cfg.Limit.Acquire(ctx)
	if err != nil {
		return m.wrap("put", name, err)
	}
	defer release()
	return m.do(ctx, "put", name, func(s *session) error {
		full := m.remote(name)
		dir := path.Dir(full)
		if err := s.sftp.MkdirAll(dir); err != nil {
			return fmt.Errorf("creating folder %s: %w", dir, err)
		}
		tmp := path.Join(dir, tempName(path.Base(full)))
		f, err := s.sftp.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL)
		if err != nil {
			return err
		}
		_, err = f.ReadFromWithConcurrency(ctxReader{ctx, r}, 0)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = m.publish(s, tmp, full)
		}
		if err != nil && !s.dead.Load() {
			_ = s.sftp.Remove(tmp)
		}
		return err
	})
}

// publish renames tmp over full: posix-rename replaces atomically; plain
// SFTP v3 rename refuses an existing target, so that is removed first.
func (m *Mailbox) publish(s *session, tmp, full string) error {
	if s.posixRename {
		return s.sftp.PosixRename(tmp, full)
	}
	err := s.sftp.Rename(tmp, full)
	if err == nil {
		return nil
	}
	if _, serr := s.sftp.Stat(full); serr != nil {
		return err
	}
	if rerr := s.sftp.Remove(full); rerr != nil {
		return fmt.Errorf("replacing %s: %w", full, rerr)
	}
	return s.sftp.Rename(tmp, full)
}

// tempName is the hidden name Put writes to before the rename.
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
	return m.do(ctx, "remove", name, func(s *session) error {
		full := m.remote(name)
		st, err := s.sftp.Lstat(full)
		if err != nil {
			return err
		}
		if st.IsDir() {
			return fmt.Errorf("%s is a directory, not a file", name)
		}
		return s.sftp.Remove(full)
	})
}

// Rename moves from to to, creating to's folder, replacing an existing file
// where the server supports posix-rename.
func (m *Mailbox) Rename(ctx context.Context, from, to string) error {
	for _, n := range []string{from, to} {
		if err := transport.SafeName(n); err != nil {
			return m.wrap("rename", n, err)
		}
	}
	return m.do(ctx, "rename", from, func(s *session) error {
		src, dst := m.remote(from), m.remote(to)
		if _, err := s.sftp.Lstat(src); err != nil {
			return err
		}
		if err := s.sftp.MkdirAll(path.Dir(dst)); err != nil {
			return fmt.Errorf("creating folder %s: %w", path.Dir(dst), err)
		}
		if err := m.publish(s, src, dst); err != nil {
			return fmt.Errorf("to %s: %w", to, err)
		}
		return nil
	})
}

// Close ends the connection. Later calls fail with ErrClosed.
func (m *Mailbox) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil
	}
	m.closed = true
	if m.sess != nil {
		m.sess.kill()
		m.sess = nil
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
