package transport

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"sync/atomic"
	"syscall"
)

var (
	_ Mailbox = (*Local)(nil)
	_ Renamer = (*Local)(nil)
	_ Stater  = (*Local)(nil)
)

// LocalConfig configures a Local mailbox.
type LocalConfig struct {
	// Name identifies the mailbox in errors and logs (the configuration id).
	Name string
	// Dir is the mailbox root; it must exist.
	Dir string
	// ReadOnly refuses Put, Remove and Rename with ErrPermission, for a
	// folder the gateway may only read (the ledger prevents re-pickup).
	ReadOnly bool
}

// Local is a mailbox in a local directory: a shared folder, a mounted
// partner share, or the inbox of a co-located SFTP server.
//
// All access goes through an os.Root, so no name can reach outside the
// directory, not even through a symbolic link planted inside it; on top of
// that Local never follows symbolic links at all: List leaves them out and
// Open refuses them, because a link in a partner folder is either a mistake
// or an attack.
type Local struct {
	cfg    LocalConfig
	root   *os.Root
	closed atomic.Bool

	// fault, when set (by tests through the conformance suite's Drop hook),
	// makes every read and call fail as a dropped connection would.
	fault atomic.Bool
}

// NewLocal opens the directory cfg.Dir as a mailbox.
func NewLocal(cfg LocalConfig) (*Local, error) {
	if cfg.Name == "" {
		cfg.Name = cfg.Dir
	}
	root, err := os.OpenRoot(cfg.Dir)
	if err != nil {
		return nil, NewError("connect", cfg.Name, "", fmt.Errorf("opening mailbox directory %s: %w", cfg.Dir, err))
	}
	return &Local{cfg: cfg, root: root}, nil
}

// Features: everything but case-insensitivity, which depends on the file
// system and is not probed.
func (l *Local) Features() Features {
	return Features{AtomicPut: true, Rename: true, Stat: true, Dirs: true, ReadOnly: l.cfg.ReadOnly}
}

// String returns the mailbox name.
func (l *Local) String() string { return l.cfg.Name }

// Close releases the directory handle.
func (l *Local) Close() error {
	if l.closed.Swap(true) {
		return nil
	}
	return l.root.Close()
}

// check validates the state and name before an operation.
func (l *Local) check(op, name string, write bool) error {
	if l.closed.Load() {
		return NewError(op, l.cfg.Name, name, ErrClosed)
	}
	if l.fault.Load() {
		return NewError(op, l.cfg.Name, name, errDropped)
	}
	if write && l.cfg.ReadOnly {
		return NewError(op, l.cfg.Name, name, fmt.Errorf("%w: mailbox is configured read-only", ErrPermission))
	}
	return nil
}

// errDropped is what a Local returns after its test fault is injected: it
// mirrors the ECONNRESET a network backend sees.
var errDropped = fmt.Errorf("%w: %w", ErrUnavailable, syscall.ECONNRESET)

// List returns the regular files and directories directly inside dir.
func (l *Local) List(ctx context.Context, dir string) ([]FileInfo, error) {
	if err := l.check("list", dir, false); err != nil {
		return nil, err
	}
	clean, err := SafeDir(dir)
	if err != nil {
		return nil, NewError("list", l.cfg.Name, dir, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, NewError("list", l.cfg.Name, dir, err)
	}
	d, err := l.root.Open(orDot(clean))
	if err != nil {
		return nil, NewError("list", l.cfg.Name, dir, err)
	}
	defer d.Close()
	if st, err := d.Stat(); err != nil {
		return nil, NewError("list", l.cfg.Name, dir, err)
	} else if !st.IsDir() {
		return nil, NewError("list", l.cfg.Name, dir, fmt.Errorf("%w: not a directory", ErrNotExist))
	}
	entries, err := d.ReadDir(-1)
	if err != nil {
		return nil, NewError("list", l.cfg.Name, dir, err)
	}
	out := make([]FileInfo, 0, len(entries))
	for _, e := range entries {
		// Symbolic links, devices, sockets and pipes are not mailbox files.
		if e.Type()&^fs.ModeDir != 0 {
			continue
		}
		name, err := Join(clean, e.Name())
		if err != nil {
			// A local file name SafeName refuses (a backslash, a control
			// character) cannot be addressed safely; leaving it out of
			// the listing would hide it, so fail loudly instead.
			return nil, NewError("list", l.cfg.Name, dir, err)
		}
		info, err := e.Info()
		if errors.Is(err, fs.ErrNotExist) {
			continue // removed since ReadDir: it is simply not there any more
		} else if err != nil {
			return nil, NewError("list", l.cfg.Name, name, err)
		}
		fi := FileInfo{Name: name, ModTime: info.ModTime(), IsDir: info.IsDir()}
		if !fi.IsDir {
			fi.Size = info.Size()
		}
		out = append(out, fi)
	}
	return out, nil
}

func orDot(dir string) string {
	if dir == "" {
		return "."
	}
	return dir
}

// Stat describes one regular file or directory; symbolic links are
// reported as not existing, as List leaves them out.
func (l *Local) Stat(ctx context.Context, name string) (FileInfo, error) {
	if err := l.check("stat", name, false); err != nil {
		return FileInfo{}, err
	}
	if err := SafeName(name); err != nil {
		return FileInfo{}, NewError("stat", l.cfg.Name, name, err)
	}
	st, err := l.root.Lstat(name)
	if err != nil {
		return FileInfo{}, NewError("stat", l.cfg.Name, name, err)
	}
	if st.Mode()&^fs.ModeDir != 0 && !st.Mode().IsRegular() {
		return FileInfo{}, NewError("stat", l.cfg.Name, name, fmt.Errorf("%w: not a regular file", ErrNotExist))
	}
	fi := FileInfo{Name: name, ModTime: st.ModTime(), IsDir: st.IsDir()}
	if !fi.IsDir {
		fi.Size = st.Size()
	}
	return fi, nil
}

// Open streams a regular file. A symbolic link is refused with
// ErrUnsafeName rather than followed.
func (l *Local) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	if err := l.check("open", name, false); err != nil {
		return nil, err
	}
	if err := SafeName(name); err != nil {
		return nil, NewError("open", l.cfg.Name, name, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, NewError("open", l.cfg.Name, name, err)
	}
	// Lstat first so a link is refused; os.Root already guarantees that a
	// link swapped in after this check still cannot escape the root.
	if st, err := l.root.Lstat(name); err != nil {
		return nil, NewError("open", l.cfg.Name, name, err)
	} else if st.Mode()&fs.ModeSymlink != 0 {
		return nil, NewError("open", l.cfg.Name, name, fmt.Errorf("%w: is a symbolic link, which the gateway does not follow", ErrUnsafeName))
	}
	f, err := l.root.Open(name)
	if err != nil {
		return nil, NewError("open", l.cfg.Name, name, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, NewError("open", l.cfg.Name, name, err)
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, NewError("open", l.cfg.Name, name, fmt.Errorf("%w: not a regular file", ErrNotExist))
	}
	return &localReader{l: l, f: f, name: name, ctx: ctx}, nil
}

// localReader maps read errors to transport errors and honours the
// context and the test fault between reads.
type localReader struct {
	l    *Local
	f    *os.File
	name string
	ctx  context.Context
}

func (r *localReader) Read(p []byte) (int, error) {
	if r.l.fault.Load() {
		return 0, NewError("read", r.l.cfg.Name, r.name, errDropped)
	}
	if err := r.ctx.Err(); err != nil {
		return 0, NewError("read", r.l.cfg.Name, r.name, err)
	}
	n, err := r.f.Read(p)
	if err != nil && err != io.EOF {
		err = NewError("read", r.l.cfg.Name, r.name, err)
	}
	return n, err
}

func (r *localReader) Close() error { return r.f.Close() }

// Put writes r to a hidden temp file next to name, syncs it, renames it
// over name and syncs the directory, so that a reader (or a crash) sees the
// old content or the new, never a part.
func (l *Local) Put(ctx context.Context, name string, r io.Reader) (err error) {
	if err := l.check("put", name, true); err != nil {
		return err
	}
	if err := SafeName(name); err != nil {
		return NewError("put", l.cfg.Name, name, err)
	}
	dir := path.Dir(name)
	if err := l.root.MkdirAll(dir, 0o755); err != nil {
		return NewError("put", l.cfg.Name, name, err)
	}
	tmp := path.Join(dir, TempName(path.Base(name)))
	f, err := l.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return NewError("put", l.cfg.Name, name, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			_ = l.root.Remove(tmp)
		}
	}()
	if _, err = io.Copy(f, &ctxReader{ctx: ctx, r: r, fault: &l.fault}); err != nil {
		return NewError("put", l.cfg.Name, name, err)
	}
	if err = f.Sync(); err != nil {
		return NewError("put", l.cfg.Name, name, err)
	}
	if err = f.Close(); err != nil {
		return NewError("put", l.cfg.Name, name, err)
	}
	if err = l.root.Rename(tmp, name); err != nil {
		return NewError("put", l.cfg.Name, name, err)
	}
	return l.syncDir(dir, name)
}

// syncDir makes a rename durable.
func (l *Local) syncDir(dir, name string) error {
	d, err := l.root.Open(dir)
	if err != nil {
		return NewError("put", l.cfg.Name, name, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) { // some file systems cannot sync a directory
		return NewError("put", l.cfg.Name, name, err)
	}
	return nil
}

// ctxReader stops a copy when the context ends or the test fault is set.
type ctxReader struct {
	ctx   context.Context
	r     io.Reader
	fault *atomic.Bool
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	if c.fault != nil && c.fault.Load() {
		return 0, errDropped
	}
	return c.r.Read(p)
}

// Remove deletes a regular file (or an empty directory).
func (l *Local) Remove(ctx context.Context, name string) error {
	if err := l.check("remove", name, true); err != nil {
		return err
	}
	if err := SafeName(name); err != nil {
		return NewError("remove", l.cfg.Name, name, err)
	}
	if err := ctx.Err(); err != nil {
		return NewError("remove", l.cfg.Name, name, err)
	}
	return NewError("remove", l.cfg.Name, name, l.root.Remove(name))
}

// Rename moves from to to inside the mailbox, creating to's directory.
func (l *Local) Rename(ctx context.Context, from, to string) error {
	if err := l.check("rename", from, true); err != nil {
		return err
	}
	for _, n := range []string{from, to} {
		if err := SafeName(n); err != nil {
			return NewError("rename", l.cfg.Name, n, err)
		}
	}
	if err := ctx.Err(); err != nil {
		return NewError("rename", l.cfg.Name, from, err)
	}
	if _, err := l.root.Lstat(from); err != nil {
		return NewError("rename", l.cfg.Name, from, err)
	}
	dir := path.Dir(to)
	if err := l.root.MkdirAll(dir, 0o755); err != nil {
		return NewError("rename", l.cfg.Name, to, err)
	}
	if err := l.root.Rename(from, to); err != nil {
		return NewError("rename", l.cfg.Name, from, fmt.Errorf("to %q: %w", to, err))
	}
	return l.syncDir(dir, to)
}

// TempName returns a hidden, unique temp name for base, in the form the
// poller ignores (a dot-file ending in ".part"), so that a partner's or our
// own poller never picks up a file still being written.
func TempName(base string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	// Keep the result well below common 255-byte name limits.
	if len(base) > 200 {
		base = strings.ToValidUTF8(base[:200], "")
	}
	return "." + base + "." + hex.EncodeToString(b[:]) + ".part"
}
