// Package transport moves files between the gateway and partner mailboxes:
// SFTP, FTP(S), S3, an AS2 server's drop folder or a plain local directory.
//
// Every backend implements one small interface, [Mailbox]. What only some
// backends can do is expressed twice, the way rclone does it: as a separate
// optional interface ([Renamer], [Stater], [Router]) that callers discover
// with a type assertion, and as a [Features] value so that configuration
// checks, docs and the conformance suite (package transporttest) can ask
// what a backend does without holding a live connection.
//
// Names. A mailbox is addressed with slash-separated names relative to its
// root ("inbox/ORDERS_0001.x12"), never with local or absolute paths. Names
// that come from a remote listing are data from a partner and are never
// trusted as paths: every backend checks them with [SafeName] before use,
// and so does the spool that writes them to local disk.
//
// Errors. Backends map their protocol errors onto the sentinel errors below
// ([ErrNotExist], [ErrPermission], [ErrAuth], [ErrHostKey], [ErrUnavailable]
// ...) and wrap them in an [*Error] that names the operation, mailbox and
// path, so that callers test with errors.Is and the job engine learns with
// errclass.Of whether to retry.
package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path"
	"strings"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/b2bgw/b2bgw/internal/errclass"
)

// FileInfo describes one entry of a mailbox listing.
type FileInfo struct {
	// Name is relative to the mailbox root, separated by '/', in the form
	// SafeName accepts ("inbox/a.x12", never "/inbox/a.x12" or "./a").
	Name string
	// Size in bytes; 0 for directories.
	Size int64
	// ModTime as reported by the server. Its precision varies (FTP LIST
	// can be a minute); see Features.ModTimePrecision. Zero when unknown.
	ModTime time.Time
	// IsDir is true for directories (and S3 common prefixes).
	IsDir bool
}

// Base returns the last element of the name ("a.x12" for "inbox/a.x12").
func (fi FileInfo) Base() string { return path.Base(fi.Name) }

// Mailbox is a partner's file drop, seen from the gateway.
//
// Implementations must be safe for use by one goroutine at a time; the
// poller and uploader never share a Mailbox between concurrent operations.
// All names are checked with SafeName; an unsafe name fails with
// ErrUnsafeName before any I/O.
type Mailbox interface {
	// List returns the entries directly inside dir ("" or "." for the
	// root), not recursively, in no particular order. A missing dir is
	// ErrNotExist.
	List(ctx context.Context, dir string) ([]FileInfo, error)

	// Open streams a file. The reader may fail mid-transfer (a dropped
	// connection); such errors are classified Retryable. A missing file
	// is ErrNotExist, from Open or from the first Read.
	Open(ctx context.Context, name string) (io.ReadCloser, error)

	// Put stores r under name, creating missing parent directories where
	// the backend has directories, and replacing an existing file. Where
	// Features.AtomicPut is true, readers never observe partial content
	// (temp name + rename, or a single PUT); on error nothing is left
	// under name that was not there before.
	Put(ctx context.Context, name string, r io.Reader) error

	// Remove deletes a file. A missing file is ErrNotExist.
	Remove(ctx context.Context, name string) error

	// Features declares what this backend can and cannot do.
	Features() Features

	// Close releases the connection. Calling other methods afterwards
	// returns ErrClosed.
	Close() error
}

// Renamer is implemented by mailboxes that can move a file server-side,
// which the poller uses to move picked-up files to an archive folder and
// the uploader uses to publish a temp file under its final name.
type Renamer interface {
	// Rename moves from to to, creating to's missing parent directories.
	// It may replace an existing file at to (POSIX rename, SFTP
	// posix-rename); callers that must not replace check first.
	Rename(ctx context.Context, from, to string) error
}

// Stater is implemented by mailboxes that can describe one file without
// listing its directory.
type Stater interface {
	// Stat returns the file's info; a missing file is ErrNotExist.
	Stat(ctx context.Context, name string) (FileInfo, error)
}

// Router is implemented by mailboxes shared by several partners (an AS2
// server's drop folder): it tells which partner a file belongs to.
type Router interface {
	// PartnerFor returns the partner id for a file name from List. A file
	// no rule matches is an error wrapping ErrUnrouted.
	PartnerFor(name string) (string, error)
}

// Features declares a backend's abilities. The zero value is the most
// limited backend: no atomic put, no rename, no stat, no directories.
type Features struct {
	// AtomicPut: Put never exposes partial content under the final name.
	AtomicPut bool
	// Rename: the mailbox implements Renamer.
	Rename bool
	// Stat: the mailbox implements Stater.
	Stat bool
	// Dirs: directories exist on their own (false for S3, where a
	// "directory" is only a prefix of existing objects and vanishes with
	// its last file).
	Dirs bool
	// ModTimePrecision is the coarsest step of FileInfo.ModTime (0 when
	// exact enough to treat as nanoseconds). Stability checks compare
	// modification times only to this precision.
	ModTimePrecision time.Duration
	// NoModTime: FileInfo.ModTime is never set; stability must rely on
	// size and done markers.
	NoModTime bool
	// ReadOnly: the gateway may not delete, rename or write here; the
	// ledger alone prevents a second pickup.
	ReadOnly bool
	// CaseInsensitive: "A.x12" and "a.x12" are the same file.
	CaseInsensitive bool
	// NoUnicodeNames: the server mangles or refuses non-ASCII names.
	NoUnicodeNames bool
	// Shared: one mailbox holds files of several partners; the mailbox
	// implements Router.
	Shared bool
}

// Sentinel errors. Backends wrap one of these (inside an *Error) for every
// failure they understand, so callers never match on message text.
var (
	// ErrNotExist: the file or directory does not exist (or vanished
	// between a listing and an open).
	ErrNotExist = errors.New("file does not exist")
	// ErrExist: the target already exists and may not be replaced.
	ErrExist = errors.New("file already exists")
	// ErrPermission: the account may not read, write or delete this path.
	ErrPermission = errors.New("permission denied")
	// ErrAuth: the server refused the credentials.
	ErrAuth = errors.New("authentication refused")
	// ErrHostKey: the server's host key (or TLS certificate) does not
	// match what is pinned for this mailbox.
	ErrHostKey = errors.New("host key mismatch")
	// ErrUnavailable: the server could not be reached, timed out or
	// dropped the connection. Always Retryable.
	ErrUnavailable = errors.New("server unavailable")
	// ErrUnsafeName: a name failed SafeName (traversal, absolute, NUL...).
	ErrUnsafeName = errors.New("unsafe file name")
	// ErrNotSupported: the backend cannot do this (see Features).
	ErrNotSupported = errors.New("not supported by this mailbox")
	// ErrClosed: the mailbox was used after Close.
	ErrClosed = errors.New("mailbox is closed")
	// ErrUnrouted: a shared mailbox holds a file no partner rule matches.
	ErrUnrouted = errors.New("no partner matches this file")
	// ErrNoSpace: the local disk (spool) or the remote quota is full.
	ErrNoSpace = errors.New("no space left")
)

// Error is a failed mailbox operation. Backends set Op, Mailbox, Path and
// Err; the poller and uploader add Partner with WithPartner.
type Error struct {
	Op      string // "list", "open", "read", "put", "remove", "rename", "stat", "connect"
	Partner string // partner id, when known
	Mailbox string // mailbox id from the configuration, or the backend's address
	Path    string // name inside the mailbox
	Err     error  // wraps a sentinel above, or the backend's own error
}

// NewError wraps err for op on path in mailbox, mapping well-known OS and
// network errors onto the sentinels (so a backend built on os or net gets
// the mapping for free). nil stays nil.
func NewError(op, mailbox, name string, err error) error {
	if err == nil {
		return nil
	}
	var te *Error
	if errors.As(err, &te) && te.Op == op && te.Path == name {
		return err // already wrapped by a lower layer
	}
	return &Error{Op: op, Mailbox: mailbox, Path: name, Err: mapErr(err)}
}

// mapErr attaches the matching sentinel to errors from os, syscall, net and
// context, keeping the original in the chain.
func mapErr(err error) error {
	var sentinel error
	switch {
	case isAnySentinel(err):
		return err
	case errors.Is(err, os.ErrNotExist):
		sentinel = ErrNotExist
	case errors.Is(err, os.ErrExist):
		sentinel = ErrExist
	case errors.Is(err, os.ErrPermission):
		sentinel = ErrPermission
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		sentinel = ErrNoSpace
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EPIPE),
		errors.Is(err, net.ErrClosed):
		sentinel = ErrUnavailable
	default:
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			sentinel = ErrUnavailable
		}
	}
	if sentinel == nil {
		return err
	}
	return fmt.Errorf("%w: %w", sentinel, err)
}

var sentinels = []error{ErrNotExist, ErrExist, ErrPermission, ErrAuth, ErrHostKey,
	ErrUnavailable, ErrUnsafeName, ErrNotSupported, ErrClosed, ErrUnrouted, ErrNoSpace}

func isAnySentinel(err error) bool {
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("transport: ")
	b.WriteString(e.Op)
	if e.Path != "" {
		fmt.Fprintf(&b, " %q", e.Path)
	}
	if e.Mailbox != "" {
		fmt.Fprintf(&b, " in mailbox %q", e.Mailbox)
	}
	if e.Partner != "" {
		fmt.Fprintf(&b, " of partner %q", e.Partner)
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	if h := Hint(e.Err); h != "" {
		b.WriteString(" (")
		b.WriteString(h)
		b.WriteString(")")
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Class tells the job engine what to do: an explicit class from the wrapped
// error wins; otherwise an unreachable server and a full disk are worth
// retrying, and everything else (refused credentials, permissions, a host
// key mismatch, a bad name) needs a human.
func (e *Error) Class() errclass.Class {
	var c errclass.Classifier
	if errors.As(e.Err, &c) {
		return c.Class()
	}
	switch {
	case errors.Is(e.Err, ErrUnavailable), errors.Is(e.Err, ErrNoSpace):
		return errclass.Retryable
	default:
		return errclass.Permanent
	}
}

// Hint says what an operator should do about err, or "" when there is
// nothing specific to say.
func Hint(err error) string {
	switch {
	case errors.Is(err, ErrAuth):
		return "check the user, password or key configured for this mailbox; retrying will not help"
	case errors.Is(err, ErrHostKey):
		return "the server presented a key that differs from the pinned known_hosts entry: confirm the new key with the partner out of band before updating the pin"
	case errors.Is(err, ErrPermission):
		return "ask the partner to grant this account the right on that folder, or mark the mailbox read-only"
	case errors.Is(err, ErrUnavailable):
		return "the server is unreachable or dropped the connection; the gateway retries with backoff"
	case errors.Is(err, ErrNoSpace):
		return "free disk space or raise the quota; the gateway retries"
	case errors.Is(err, ErrUnsafeName):
		return "the server listed a name that could escape the mailbox; it is refused, tell the partner"
	case errors.Is(err, ErrUnrouted):
		return "add a routing rule for this file to the AS2 drop profile, or remove the file"
	case errors.Is(err, ErrNotExist):
		return "the file is gone: another process or the partner removed it"
	}
	return ""
}

// WithPartner returns err with Partner set on its *Error (copied, the
// original is not modified), or wrapped in a new *Error when it has none.
func WithPartner(err error, partner string) error {
	if err == nil || partner == "" {
		return err
	}
	var te *Error
	if errors.As(err, &te) {
		cp := *te
		cp.Partner = partner
		if te == err { // err is the *Error itself, not a wrapper around it
			return &cp
		}
		return fmt.Errorf("partner %q: %w", partner, err)
	}
	return &Error{Op: "transfer", Partner: partner, Err: err}
}

// SafeName reports whether name may be used as a file name inside a
// mailbox and, after joining with a local directory, on local disk. It
// rejects, with an error wrapping ErrUnsafeName:
//   - empty names, "." and names longer than 1024 bytes;
//   - absolute names ("/x", "\\x") and Windows drive or UNC forms ("C:x");
//   - any ".." or "." element and empty elements ("a//b", "a/");
//   - backslashes (a Windows separator a remote server may not treat as
//     one, but the local OS might), NUL and other control characters;
//   - invalid UTF-8.
//
// It accepts any other Unicode, spaces included: partners name files
// "Bestellung Müller.edi".
func SafeName(name string) error {
	bad := func(why string) error {
		return fmt.Errorf("%w: %q %s", ErrUnsafeName, name, why)
	}
	switch {
	case name == "" || name == ".":
		return bad("is empty")
	case len(name) > 1024:
		return bad("is longer than 1024 bytes")
	case !utf8.ValidString(name):
		return bad("is not valid UTF-8")
	case strings.HasPrefix(name, "/"):
		return bad("is absolute")
	case len(name) >= 2 && name[1] == ':' && name[0] < utf8.RuneSelf && unicode.IsLetter(rune(name[0])):
		return bad("starts with a drive letter")
	}
	for _, r := range name {
		switch {
		case r == '\\':
			return bad("contains a backslash")
		case r == 0:
			return bad("contains NUL")
		case unicode.IsControl(r):
			return bad("contains a control character")
		}
	}
	for elem := range strings.SplitSeq(name, "/") {
		switch elem {
		case "":
			return bad("has an empty path element")
		case ".", "..":
			return bad("has a relative path element")
		}
	}
	return nil
}

// SafeDir is SafeName for a directory argument of List, where "" and "."
// mean the mailbox root. It returns the canonical form ("" for the root).
func SafeDir(dir string) (string, error) {
	if dir == "" || dir == "." {
		return "", nil
	}
	if err := SafeName(dir); err != nil {
		return "", err
	}
	return dir, nil
}

// Join joins a directory from SafeDir with a base name from a listing; the
// result is checked with SafeName.
func Join(dir, base string) (string, error) {
	name := base
	if dir != "" {
		name = dir + "/" + base
	}
	return name, SafeName(name)
}

// TransferLimit is a counting semaphore for concurrent transfers: a
// backend holds a slot for each file it reads or writes. One limit can be
// shared by several mailboxes (a partner's inbox and outbox on one server).
// A nil limit does not limit.
type TransferLimit struct{ slots chan struct{} }

// NewTransferLimit returns a limit of n concurrent transfers (n < 1 means 1).
func NewTransferLimit(n int) *TransferLimit {
	if n < 1 {
		n = 1
	}
	return &TransferLimit{slots: make(chan struct{}, n)}
}

// Acquire waits for a slot or ctx; the returned func releases the slot
// (calling it more than once releases it once).
func (l *TransferLimit) Acquire(ctx context.Context) (release func(), err error) {
	if l == nil {
		return func() {}, nil
	}
	select {
	case l.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	done := false
	return func() {
		if !done {
			done = true
			<-l.slots
		}
	}, nil
}
