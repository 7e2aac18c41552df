package ftp

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	goftp "github.com/jlaffaye/ftp"

	"github.com/b2bgw/b2bgw/internal/transport"
)

// conn is one logged-in FTP control connection plus the data connections
// opened for it; kill closes them all.
type conn struct {
	sc       *goftp.ServerConn
	mu       sync.Mutex
	raws     []net.Conn
	dead     atomic.Bool
	lastUsed time.Time
}

func (c *conn) track(nc net.Conn) {
	c.mu.Lock()
	defer c.mu.Unlock()
	// Forget data connections that are done with, keep the control one.
	if len(c.raws) > 8 {
		c.raws = append(c.raws[:1], c.raws[len(c.raws)-4:]...)
	}
	c.raws = append(c.raws, nc)
}

func (c *conn) kill() {
	c.dead.Store(true)
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range c.raws {
		_ = r.Close()
	}
}

// ioConn refreshes read and write deadlines on every call, so a silent
// server fails the call after the I/O timeout instead of hanging it.
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

// tlsDataConn closes a TLS data connection gracefully. With TLS 1.3 the
// server sends session tickets after the handshake, which an upload never
// reads; closing a socket with unread input makes the kernel send a reset,
// and the server then loses the tail of the file ("426 Failure reading
// network stream", seen with vsftpd on a 200 MB upload). So Close sends
// close_notify, drains the server's remaining records until it closes (at
// most 2 s), then closes.
type tlsDataConn struct {
	*tls.Conn
}

func (c *tlsDataConn) Close() error {
	if c.ConnectionState().HandshakeComplete {
		if err := c.CloseWrite(); err == nil {
			t := time.AfterFunc(2*time.Second, func() { _ = c.Conn.NetConn().Close() })
			_, _ = io.CopyN(io.Discard, c.Conn, 1<<20)
			t.Stop()
		}
	}
	return c.Conn.Close()
}

// dial connects and logs in. The dial function handed to jlaffaye/ftp does
// TLS itself: with a custom dial function the library leaves data
// connections unencrypted, so the first connection (control) is wrapped for
// implicit FTPS and every later one (data) for both FTPS modes, all with the
// same tls.Config and its session cache.
func (m *Mailbox) dial(ctx context.Context) (*conn, error) {
	c := m.cfg
	dctx, cancel := context.WithTimeout(ctx, c.DialTimeout)
	defer cancel()
	cn := &conn{}
	var n atomic.Int32
	dialFn := func(network, addr string) (net.Conn, error) {
		first := n.Add(1) == 1
		dc := dctx
		if !first {
			// Data connection, dialled during a later call.
			var cancel context.CancelFunc
			dc, cancel = context.WithTimeout(context.Background(), c.DialTimeout)
			defer cancel()
		}
		raw, err := c.DialContext(dc, network, addr)
		if err != nil {
			return nil, err
		}
		cn.track(raw)
		var nc net.Conn = &ioConn{Conn: raw, timeout: c.IOTimeout}
		if m.tls != nil && (!first || c.TLS == Implicit) {
			tc := tls.Client(nc, m.tls)
			if first {
				if err := tc.HandshakeContext(dc); err != nil {
					_ = raw.Close()
					return nil, err
				}
				return tc, nil
			}
			return &tlsDataConn{Conn: tc}, nil
		}
		return nc, nil
	}
	opts := []goftp.DialOption{
		goftp.DialWithDialFunc(dialFn),
		goftp.DialWithDisabledEPSV(c.DisableEPSV),
		goftp.DialWithShutTimeout(c.IOTimeout),
	}
	switch c.TLS {
	case Explicit:
		opts = append(opts, goftp.DialWithExplicitTLS(m.tls))
	case Implicit:
		// The dial function does the TLS; the option makes Login send
		// PBSZ 0 and PROT P.
		opts = append(opts, goftp.DialWithTLS(m.tls))
	}
	if m.tls != nil && c.InsecureSkipVerify {
		c.Logger.Warn("ftp: TLS certificate NOT verified (insecure_skip_verify is set): a man in the middle could read and alter this partner's files; configure the partner's CA instead",
			"partner", c.Partner, "mailbox", c.Mailbox, "addr", c.Addr)
	}
	stop := context.AfterFunc(dctx, cn.kill) // bounds connect + TLS + login
	defer stop()
	sc, err := goftp.Dial(c.Addr, opts...)
	if err != nil {
		cn.kill()
		return nil, dialError(dctx, c, err)
	}
	cn.sc = sc
	if err := sc.Login(c.User, c.Password); err != nil {
		cn.kill()
		var pe *textproto.Error
		if errors.As(err, &pe) && (pe.Code == goftp.StatusNotLoggedIn || pe.Code == goftp.StatusInvalidCredentials) {
			return nil, fmt.Errorf("%w: server refused user %q: %v", transport.ErrAuth, c.User, err)
		}
		return nil, dialError(dctx, c, fmt.Errorf("login: %w", err))
	}
	if !m.hasBase() {
		pwd, err := sc.CurrentDir()
		if err != nil {
			cn.kill()
			return nil, dialError(dctx, c, fmt.Errorf("PWD: %w", err))
		}
		m.setBase(pwd)
	}
	cn.lastUsed = time.Now()
	return cn, nil
}

// dialError sorts a failed connect into certificate, network and protocol
// failures.
func dialError(ctx context.Context, c Config, err error) error {
	var (
		unknownCA *x509.UnknownAuthorityError
		hostErr   x509.HostnameError
		invalid   x509.CertificateInvalidError
		verify    *tls.CertificateVerificationError
	)
	switch {
	case errors.As(err, &verify), errors.As(err, &unknownCA), errors.As(err, &hostErr), errors.As(err, &invalid):
		return fmt.Errorf("%w: the TLS certificate of %s was refused (configure the partner's CA file, or check the server name): %w",
			transport.ErrHostKey, c.Addr, err)
	case ctx.Err() != nil:
		return fmt.Errorf("%w: connect and login to %s did not finish within %s: %w", transport.ErrUnavailable, c.Addr, c.DialTimeout, err)
	}
	var pe *textproto.Error
	if errors.As(err, &pe) && c.TLS == Explicit && (pe.Code == 500 || pe.Code == 502 || pe.Code == 504 || pe.Code == 534) {
		return fmt.Errorf("the server at %s refused AUTH TLS: it may offer plain FTP or implicit FTPS only: %w", c.Addr, err)
	}
	return fmt.Errorf("connecting to %s: %w", c.Addr, classify(err))
}

// classify attaches a sentinel to FTP reply codes and connection errors.
func classify(err error) error {
	if err == nil || classified(err) {
		return err
	}
	var pe *textproto.Error
	if errors.As(err, &pe) {
		switch pe.Code {
		case goftp.StatusNotLoggedIn, goftp.StatusInvalidCredentials:
			return fmt.Errorf("%w: %w", transport.ErrAuth, err)
		case goftp.StatusNotAvailable, goftp.StatusCanNotOpenDataConnection, goftp.StatusTransfertAborted,
			goftp.StatusFileActionIgnored, goftp.StatusActionAborted:
			return fmt.Errorf("%w: %w", transport.ErrUnavailable, err)
		case goftp.Status452, goftp.StatusExceededStorage:
			return fmt.Errorf("%w: %w", transport.ErrNoSpace, err)
		case goftp.StatusBadFileName:
			return fmt.Errorf("%w: %w", transport.ErrPermission, err)
		}
		return err
	}
	if connErr(err) {
		return fmt.Errorf("%w: %w", transport.ErrUnavailable, err)
	}
	return err
}

// classified reports whether err already carries a sentinel.
func classified(err error) bool {
	for _, s := range []error{transport.ErrUnavailable, transport.ErrAuth, transport.ErrPermission, transport.ErrNotExist,
		transport.ErrNoSpace, transport.ErrHostKey, transport.ErrClosed, transport.ErrUnsafeName} {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// connErr reports whether err means the connection is unusable.
func connErr(err error) bool {
	if err == nil {
		return false
	}
	var ne net.Error
	var pe *textproto.Error
	if errors.As(err, &pe) {
		return pe.Code == goftp.StatusNotAvailable
	}
	return errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, net.ErrClosed) || errors.Is(err, os.ErrDeadlineExceeded) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// is550 reports a "file unavailable" reply, which FTP servers give both for
// a missing file and for one the account may not touch.
func is550(err error) bool {
	var pe *textproto.Error
	return errors.As(err, &pe) && pe.Code == goftp.StatusFileUnavailable
}
