package sftp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	pkgsftp "github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"

	"github.com/b2bgw/b2bgw/internal/transport"
)

// session is one SSH connection with its SFTP channel. It is replaced as a
// whole when the connection dies; the Mailbox dials a new one on next use.
type session struct {
	conn        net.Conn
	ssh         *ssh.Client
	sftp        *pkgsftp.Client
	posixRename bool
	dead        atomic.Bool
	stop        chan struct{}
	closeOnce   sync.Once
}

// kill closes the connection; every pending operation fails at once.
func (s *session) kill() {
	s.dead.Store(true)
	s.closeOnce.Do(func() {
		close(s.stop)
		_ = s.sftp.Close()
		_ = s.ssh.Close()
		_ = s.conn.Close()
	})
}

// ioConn refreshes the read and write deadlines before every call, so a
// server that goes silent for timeout fails the connection instead of
// hanging it. Keepalives keep a healthy idle connection alive.
type ioConn struct {
	net.Conn
	timeout time.Duration
}

func (c *ioConn) Read(p []byte) (int, error) {
	_ = c.Conn.SetReadDeadline(time.Now().Add(c.timeout))
	return c.Conn.Read(p)
}

func (c *ioConn) Write(p []byte) (int, error) {
	_ = c.Conn.SetWriteDeadline(time.Now().Add(c.timeout))
	return c.Conn.Write(p)
}

// authError is a login the server refused.
type authError struct {
	user string
	err  error
}

func (e *authError) Error() string {
	return fmt.Sprintf("%s: server refused user %q: %v", transport.ErrAuth, e.user, e.err)
}
func (e *authError) Unwrap() []error { return []error{transport.ErrAuth, e.err} }

// unavailableError marks a connection-level failure (refused, reset, closed
// mid-handshake, lost during a transfer).
type unavailableError struct{ err error }

func (e *unavailableError) Error() string {
	return transport.ErrUnavailable.Error() + ": " + e.err.Error()
}
func (e *unavailableError) Unwrap() []error { return []error{transport.ErrUnavailable, e.err} }

// dial opens a new session: TCP connect, SSH handshake with host key check
// and authentication, SFTP subsystem, keepalive loop.
func (m *Mailbox) dial(ctx context.Context) (*session, error) {
	c := m.cfg
	dctx, cancel := context.WithTimeout(ctx, c.DialTimeout)
	defer cancel()
	raw, err := c.DialContext(dctx, "tcp", c.Addr)
	if err != nil {
		return nil, &unavailableError{fmt.Errorf("connecting to %s: %w", c.Addr, err)}
	}
	conn := &ioConn{Conn: raw, timeout: c.IOTimeout}
	stopWatch := context.AfterFunc(dctx, func() { _ = raw.Close() }) // bounds the whole handshake

	var hostKeyOK bool
	cfg := &ssh.ClientConfig{
		User: c.User,
		Auth: m.auth,
		HostKeyCallback: func(hostname string, remote net.Addr, key ssh.PublicKey) error {
			err := m.hostKey(hostname, remote, key)
			hostKeyOK = err == nil
			return err
		},
		HostKeyAlgorithms: m.hostKeyAlgos,
		ClientVersion:     "SSH-2.0-b2bgw",
	}
	sc, chans, reqs, err := ssh.NewClientConn(conn, c.Addr, cfg)
	if err != nil {
		_ = raw.Close()
		stopWatch()
		return nil, handshakeError(dctx, c, hostKeyOK, err)
	}
	if !stopWatch() {
		_ = sc.Close()
		return nil, &unavailableError{fmt.Errorf("SSH handshake with %s: %w", c.Addr, dctx.Err())}
	}
	client := ssh.NewClient(sc, chans, reqs)
	sc2, err := pkgsftp.NewClient(client,
		pkgsftp.UseConcurrentWrites(true),
		pkgsftp.UseConcurrentReads(true),
		pkgsftp.MaxConcurrentRequestsPerFile(64),
	)
	if err != nil {
		_ = client.Close()
		return nil, fmt.Errorf("starting the sftp subsystem on %s (is SFTP enabled for user %q?): %w", c.Addr, c.User, err)
	}
	s := &session{conn: raw, ssh: client, sftp: sc2, stop: make(chan struct{})}
	_, s.posixRename = sc2.HasExtension("posix-rename@openssh.com")
	go func() { _ = client.Wait(); s.kill() }()
	if c.KeepAlive > 0 {
		go keepAlive(s, c.KeepAlive)
	}
	return s, nil
}

// keepAlive sends keepalive@openssh.com until the session ends. A server
// that does not answer makes the ioConn read deadline fire, which kills the
// session.
func keepAlive(s *session, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			if _, _, err := s.ssh.SendRequest("keepalive@openssh.com", true, nil); err != nil {
				s.kill()
				return
			}
		}
	}
}

// handshakeError sorts a failed SSH handshake into host key, auth and
// network failures.
func handshakeError(ctx context.Context, c Config, hostKeyOK bool, err error) error {
	if errors.Is(err, transport.ErrHostKey) {
		return err
	}
	if ctx.Err() != nil {
		return &unavailableError{fmt.Errorf("SSH handshake with %s did not finish within %s: %w", c.Addr, c.DialTimeout, ctx.Err())}
	}
	// x/crypto/ssh has no typed client-side auth error: its message is the
	// only signal, and only counts once the host key was accepted.
	msg := err.Error()
	if hostKeyOK && (strings.Contains(msg, "unable to authenticate") ||
		strings.Contains(msg, "no supported methods remain") ||
		strings.Contains(msg, "Too many authentication failures")) {
		return &authError{user: c.User, err: err}
	}
	return &unavailableError{fmt.Errorf("SSH handshake with %s: %w", c.Addr, err)}
}

// connLost reports whether err means the session is gone.
func connLost(err error) bool {
	if err == nil {
		return false
	}
	var se *pkgsftp.StatusError
	if errors.As(err, &se) {
		switch se.FxCode() {
		case pkgsftp.ErrSSHFxConnectionLost, pkgsftp.ErrSSHFxNoConnection:
			return true
		}
		return false
	}
	var ne net.Error
	// A wrapped io.EOF ("failed to send packet: EOF") is a closed channel;
	// a plain io.EOF from Read never gets here.
	return errors.Is(err, pkgsftp.ErrSSHFxConnectionLost) || errors.Is(err, pkgsftp.ErrSSHFxNoConnection) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, net.ErrClosed) || errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne)
}
