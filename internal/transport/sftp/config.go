// Package sftp is the SFTP mailbox backend (OpenSSH and any SFTP v3 server),
// built on github.com/pkg/sftp and golang.org/x/crypto/ssh.
//
// It is secure by default: the server's host key must match a known_hosts
// file or a pinned SHA256 fingerprint, and a connection without either is
// refused at Dial unless the configuration says InsecureIgnoreHostKey, which
// is logged as a warning on every connect. Put writes a hidden temp file next
// to the target and renames it into place (posix-rename@openssh.com when the
// server has it), so partners never pick up half a file.
package sftp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"github.com/b2bgw/b2bgw/internal/transport"
)

// Config describes one SFTP mailbox. Secrets (Password, PrivateKey,
// Passphrase) are never logged or put into error messages.
type Config struct {
	// Partner is the partner id, used in errors and logs.
	Partner string
	// Mailbox is the mailbox id from the configuration, used in errors and
	// logs; "sftp://User@Addr" when empty.
	Mailbox string

	// Addr is host:port; ":22" is added when the port is missing.
	Addr string
	// User is the login name.
	User string
	// Password, when set, is offered as password authentication.
	Password string
	// PrivateKey is a PEM or OpenSSH private key (ed25519, RSA, ECDSA),
	// PrivateKeyFile a file holding one. Passphrase decrypts an encrypted
	// key. Key and password may both be set; the key is offered first.
	PrivateKey     []byte
	PrivateKeyFile string
	Passphrase     string

	// KnownHostsFiles are OpenSSH known_hosts files ("[host]:port key"
	// lines for non-standard ports). The server key must match one entry.
	KnownHostsFiles []string
	// HostKeyFingerprints pins the server key by its SHA256 fingerprint as
	// ssh-keygen -l prints it ("SHA256:base64"); two allow a key rollover.
	HostKeyFingerprints []string
	// InsecureIgnoreHostKey accepts any server key. It defeats the
	// protection against a man in the middle; each connect logs a warning.
	InsecureIgnoreHostKey bool

	// Root is the server directory that is the mailbox root; names are
	// relative to it. Empty means the login directory.
	Root string

	// DialTimeout bounds the TCP connect plus the SSH handshake (default 30 s).
	DialTimeout time.Duration
	// IOTimeout fails an operation when the server sends nothing for this
	// long while the gateway waits for it (default 60 s).
	IOTimeout time.Duration
	// KeepAlive is the interval of keepalive@openssh.com requests on an idle
	// connection (default 15 s; negative disables). A keepalive that gets
	// no answer within IOTimeout closes the connection.
	KeepAlive time.Duration
	// Limit caps the concurrent transfers (open readers plus running Puts)
	// of every mailbox sharing it; give all mailboxes of one partner the same
	// Limit. Nil means no cap.
	Limit *transport.TransferLimit

	// DialContext replaces net.Dialer.DialContext (tests wrap the net.Conn
	// to drop it mid-transfer; deployments may route through a proxy).
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	// Logger receives warnings (insecure host key, reconnects); slog.Default()
	// when nil.
	Logger *slog.Logger
}

const (
	defaultDialTimeout = 30 * time.Second
	defaultIOTimeout   = 60 * time.Second
	defaultKeepAlive   = 15 * time.Second
)

// withDefaults returns a copy of c with defaults filled in, or an error
// saying which setting is wrong.
func (c Config) withDefaults() (Config, error) {
	if c.Addr == "" {
		return c, errors.New("addr is empty: set host:port of the partner's SFTP server")
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		c.Addr = net.JoinHostPort(strings.Trim(c.Addr, "[]"), "22")
	}
	if c.User == "" {
		return c, errors.New("user is empty: set the login name the partner gave you")
	}
	if c.Password == "" && len(c.PrivateKey) == 0 && c.PrivateKeyFile == "" {
		return c, errors.New("no credentials: set a password, a private key or a private key file")
	}
	if len(c.KnownHostsFiles) == 0 && len(c.HostKeyFingerprints) == 0 && !c.InsecureIgnoreHostKey {
		return c, errors.New("no host key pin: set known_hosts files or a SHA256 host key fingerprint " +
			"(ssh-keyscan -p PORT HOST | ssh-keygen -lf - shows it; confirm it with the partner), " +
			"or set insecure_ignore_host_key explicitly")
	}
	for _, f := range c.KnownHostsFiles {
		if _, err := os.Stat(f); err != nil {
			return c, fmt.Errorf("known_hosts file: %w", err)
		}
	}
	if c.Mailbox == "" {
		c.Mailbox = "sftp://" + c.User + "@" + c.Addr
	}
	if c.DialTimeout <= 0 {
		c.DialTimeout = defaultDialTimeout
	}
	if c.IOTimeout <= 0 {
		c.IOTimeout = defaultIOTimeout
	}
	if c.KeepAlive == 0 {
		c.KeepAlive = defaultKeepAlive
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.DialContext == nil {
		d := &net.Dialer{KeepAlive: 30 * time.Second}
		c.DialContext = d.DialContext
	}
	return c, nil
}
