// Package ftp is the FTP and FTPS mailbox backend, built on
// github.com/jlaffaye/ftp: plain FTP, explicit FTPS (AUTH TLS) and implicit
// FTPS, always in passive mode.
//
// TLS verifies the server certificate against the system roots or a
// configured CA; InsecureSkipVerify exists but is logged as a warning on
// every connect. Data connections resume the control connection's TLS
// session, which vsftpd's default require_ssl_reuse=YES (and many partner
// servers) insist on. Put uploads to a hidden temp name and renames it, so a
// partner never picks up half a file.
//
// FTP has one command stream per connection and an open download blocks it,
// so a Mailbox keeps a small pool of logged-in connections: each call takes
// one, an open reader holds its own until it is closed.
package ftp

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"github.com/b2bgw/b2bgw/internal/transport"
)

// TLSMode selects plain FTP or one of the two FTPS flavours.
type TLSMode string

const (
	// Plain is unencrypted FTP: passwords and files cross the network in
	// clear text. Only for partners that offer nothing else.
	Plain TLSMode = "plain"
	// Explicit FTPS: connect in clear, then AUTH TLS, PBSZ 0, PROT P
	// (usually port 21).
	Explicit TLSMode = "explicit"
	// Implicit FTPS: TLS from the first byte (usually port 990).
	Implicit TLSMode = "implicit"
)

// Config describes one FTP mailbox. Password is never logged or put into
// error messages.
type Config struct {
	// Partner is the partner id, used in errors and logs.
	Partner string
	// Mailbox is the mailbox id from the configuration, used in errors and
	// logs; "ftp://User@Addr" when empty.
	Mailbox string

	// Addr is host:port; the port defaults to 21 (990 for Implicit).
	Addr     string
	User     string
	Password string

	// TLS is Plain, Explicit or Implicit; empty means Explicit.
	TLS TLSMode
	// CAFile is a PEM file of CA certificates the server certificate must
	// chain to, instead of the system roots (a partner's private CA).
	CAFile string
	// ServerName overrides the name checked in the certificate (default:
	// the host of Addr).
	ServerName string
	// InsecureSkipVerify accepts any certificate; a man in the middle could
	// read and alter files. Logged as a warning on every connect.
	InsecureSkipVerify bool

	// Root is the server folder that is the mailbox root; names are
	// relative to it. Empty means the login folder; a relative Root is
	// taken from the login folder.
	Root string

	// DialTimeout bounds connect, TLS handshake and login (default 30 s).
	DialTimeout time.Duration
	// IOTimeout fails a call when the server sends or accepts nothing for
	// this long (default 60 s).
	IOTimeout time.Duration
	// DisableEPSV uses PASV only, for servers and firewalls that mishandle
	// EPSV.
	DisableEPSV bool
	// MaxIdleConns is the number of logged-in connections kept for reuse
	// (default 2). Idle connections are checked with NOOP after 30 s.
	MaxIdleConns int
	// Limit caps the concurrent transfers of every mailbox sharing it;
	// give all mailboxes of one partner the same Limit. Nil means no cap.
	Limit *transport.TransferLimit

	// DialContext replaces net.Dialer.DialContext for control and data
	// connections (tests use it to cut connections mid-transfer).
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	// Logger receives warnings; slog.Default() when nil.
	Logger *slog.Logger
}

const (
	defaultDialTimeout = 30 * time.Second
	defaultIOTimeout   = 60 * time.Second
)

func (c Config) withDefaults() (Config, *tls.Config, error) {
	if c.TLS == "" {
		c.TLS = Explicit
	}
	switch c.TLS {
	case Plain, Explicit, Implicit:
	default:
		return c, nil, fmt.Errorf("tls mode %q: use plain, explicit or implicit", c.TLS)
	}
	if c.Addr == "" {
		return c, nil, errors.New("addr is empty: set host:port of the partner's FTP server")
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		port := "21"
		if c.TLS == Implicit {
			port = "990"
		}
		c.Addr = net.JoinHostPort(strings.Trim(c.Addr, "[]"), port)
	}
	if c.User == "" {
		return c, nil, errors.New("user is empty: set the login name the partner gave you")
	}
	if c.Mailbox == "" {
		scheme := "ftps"
		if c.TLS == Plain {
			scheme = "ftp"
		}
		c.Mailbox = scheme + "://" + c.User + "@" + c.Addr
	}
	if c.DialTimeout <= 0 {
		c.DialTimeout = defaultDialTimeout
	}
	if c.IOTimeout <= 0 {
		c.IOTimeout = defaultIOTimeout
	}
	if c.MaxIdleConns <= 0 {
		c.MaxIdleConns = 2
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.DialContext == nil {
		d := &net.Dialer{KeepAlive: 30 * time.Second}
		c.DialContext = d.DialContext
	}
	if c.TLS == Plain {
		return c, nil, nil
	}
	host, _, _ := net.SplitHostPort(c.Addr)
	tc := &tls.Config{
		ServerName: host,
		MinVersion: tls.VersionTLS12,
		// Data connections must resume the control connection's session:
		// vsftpd's require_ssl_reuse=YES answers "522 SSL connection
		// failed: session reuse required" otherwise.
		ClientSessionCache: tls.NewLRUClientSessionCache(16),
		InsecureSkipVerify: c.InsecureSkipVerify,
	}
	if c.ServerName != "" {
		tc.ServerName = c.ServerName
	}
	if c.CAFile != "" {
		pem, err := os.ReadFile(c.CAFile)
		if err != nil {
			return c, nil, fmt.Errorf("reading the CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return c, nil, fmt.Errorf("the CA file %s holds no PEM certificate", c.CAFile)
		}
		tc.RootCAs = pool
	}
	return c, tc, nil
}
