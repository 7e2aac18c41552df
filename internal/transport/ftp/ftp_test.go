package ftp_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/b2bgw/b2bgw/internal/errclass"
	"github.com/b2bgw/b2bgw/internal/transport"
	"github.com/b2bgw/b2bgw/internal/transport/ftp"
	"github.com/b2bgw/b2bgw/internal/transport/transporttest"
)

func wantErr(t *testing.T, err, sentinel error, class errclass.Class, mentions ...string) {
	t.Helper()
	t.Logf("as an operator sees it: %v", err)
	if !errors.Is(err, sentinel) {
		t.Fatalf("error = %v, want one wrapping %v", err, sentinel)
	}
	if got := errclass.Of(err); got != class {
		t.Errorf("class = %v, want %v: %v", got, class, err)
	}
	var te *transport.Error
	if !errors.As(err, &te) {
		t.Errorf("not a *transport.Error: %T %v", err, err)
	}
	for _, m := range mentions {
		if !strings.Contains(err.Error(), m) {
			t.Errorf("message does not mention %q: %v", m, err)
		}
	}
}

var modes = []ftp.TLSMode{ftp.Plain, ftp.Explicit, ftp.Implicit}

func TestWrongPassword(t *testing.T) {
	env := transporttest.Env(t, ftpKeys...)
	for _, mode := range modes {
		t.Run(string(mode), func(t *testing.T) {
			cfg, _ := userConfig(t, env, mode)
			cfg.Password = "not-the-password"
			_, err := ftp.Dial(t.Context(), cfg)
			wantErr(t, err, transport.ErrAuth, errclass.Permanent, "acme-ftp", `"acme"`, cfg.User, "retrying will not help")
			if strings.Contains(err.Error(), cfg.Password) {
				t.Error("the password appears in the error")
			}
		})
	}
}

// TestCertificateRefused: a server certificate that does not chain to the
// configured CA is ErrHostKey (Permanent), for both FTPS modes.
func TestCertificateRefused(t *testing.T) {
	env := transporttest.Env(t, ftpKeys...)
	otherCA := filepath.Join(t.TempDir(), "other-ca.pem")
	writeSelfSignedCA(t, otherCA)
	for _, mode := range []ftp.TLSMode{ftp.Explicit, ftp.Implicit} {
		t.Run(string(mode), func(t *testing.T) {
			cfg, _ := userConfig(t, env, mode)
			cfg.CAFile = otherCA
			_, err := ftp.Dial(t.Context(), cfg)
			wantErr(t, err, transport.ErrHostKey, errclass.Permanent, "certificate", "CA file")

			cfg, _ = userConfig(t, env, mode)
			cfg.ServerName = "partner.example" // certificate is for 127.0.0.1/localhost
			_, err = ftp.Dial(t.Context(), cfg)
			wantErr(t, err, transport.ErrHostKey, errclass.Permanent)
		})
	}
	t.Run("insecure-is-logged", func(t *testing.T) {
		cfg, _ := userConfig(t, env, ftp.Explicit)
		cfg.CAFile, cfg.InsecureSkipVerify = "", true
		var logs bytes.Buffer
		cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		mb, err := ftp.Dial(t.Context(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		mb.Close()
		if out := logs.String(); !strings.Contains(out, "level=WARN") || !strings.Contains(out, "NOT verified") {
			t.Errorf("insecure connect not logged as a warning: %q", out)
		}
	})
}

func writeSelfSignedCA(t *testing.T, file string) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "other CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestServerDownIsRetryable(t *testing.T) {
	env := transporttest.Env(t, ftpKeys...)
	cfg, _ := userConfig(t, env, ftp.Explicit)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Addr = l.Addr().String()
	l.Close()
	_, err = ftp.Dial(t.Context(), cfg)
	wantErr(t, err, transport.ErrUnavailable, errclass.Retryable, cfg.Addr)

	// Accepts, then says nothing: the connect times out.
	hang, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer hang.Close()
	var conns []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := hang.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	defer func() {
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	}()
	cfg.Addr, cfg.DialTimeout = hang.Addr().String(), 300*time.Millisecond
	start := time.Now()
	_, err = ftp.Dial(t.Context(), cfg)
	wantErr(t, err, transport.ErrUnavailable, errclass.Retryable)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("connect timeout took %v", d)
	}
}

// countingDialer cuts every connection of the mailbox once the data
// connections have carried after bytes.
type countingDialer struct {
	mu    sync.Mutex
	conns []net.Conn
	n     int
	after int
	first bool
}

type countingConn struct {
	net.Conn
	d *countingDialer
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.d.add(n)
	return n, err
}
func (c *countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.d.add(n)
	return n, err
}

func (d *countingDialer) add(n int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.n += n
	if d.after > 0 && d.n >= d.after {
		d.after = 0
		for _, c := range d.conns {
			c.Close()
		}
	}
}

func (d *countingDialer) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	var nd net.Dialer
	c, err := nd.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.conns = append(d.conns, c)
	if !d.first { // the control connection is not counted
		d.first = true
		return c, nil
	}
	return &countingConn{Conn: c, d: d}, nil
}

func (d *countingDialer) arm(after int) {
	d.mu.Lock()
	d.n, d.after = 0, after
	d.mu.Unlock()
}

// TestDropMidTransfer cuts the connections after 1 MB of a download and of
// an upload: both fail Retryable, the remote file is untouched, no file
// appears under the upload's name, and the mailbox reconnects.
func TestDropMidTransfer(t *testing.T) {
	env := transporttest.Env(t, ftpKeys...)
	for _, mode := range modes {
		t.Run(string(mode), func(t *testing.T) {
			cfg, srv := userConfig(t, env, mode)
			d := &countingDialer{}
			cfg.DialContext = d.dial
			mb, err := ftp.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer mb.Close()
			big := bytes.Repeat([]byte("0123456789abcdef"), 2<<20) // 32 MB
			srv.Put(t, "inbox/big.x12", bytes.NewReader(big), time.Time{})

			rc, err := mb.Open(t.Context(), "inbox/big.x12")
			if err != nil {
				t.Fatal(err)
			}
			d.arm(1 << 20)
			_, err = io.Copy(io.Discard, rc)
			rc.Close()
			wantErr(t, err, transport.ErrUnavailable, errclass.Retryable, "inbox/big.x12", "acme-ftp")
			if got, ok := srv.Get(t, "inbox/big.x12"); !ok || len(got) != len(big) {
				t.Fatal("the remote file was changed by a failed read")
			}

			d.first = false
			d.arm(1 << 20)
			err = mb.Put(t.Context(), "outbox/out.x12", bytes.NewReader(big))
			wantErr(t, err, transport.ErrUnavailable, errclass.Retryable, "outbox/out.x12")
			if _, ok := srv.Get(t, "outbox/out.x12"); ok {
				t.Fatal("a dropped upload left a file under its final name")
			}

			list, err := mb.List(t.Context(), "inbox")
			if err != nil || len(list) != 1 {
				t.Fatalf("after a drop the mailbox must reconnect: %v, %v", list, err)
			}
		})
	}
}

func TestReadonlyFolderIsPermissionDenied(t *testing.T) {
	env := transporttest.Env(t, ftpKeys...)
	cfg, _ := userConfig(t, env, ftp.Explicit)
	cfg.Root = "/readonly" // root-owned folder made by it-servers.sh
	mb, err := ftp.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer mb.Close()
	err = mb.Put(t.Context(), "x.x12", strings.NewReader("ISA"))
	wantErr(t, err, transport.ErrPermission, errclass.Permanent, "x.x12", "acme-ftp", "grant")
}

func TestTransferLimit(t *testing.T) {
	env := transporttest.Env(t, ftpKeys...)
	cfg, srv := userConfig(t, env, ftp.Explicit)
	cfg.Limit = transport.NewTransferLimit(1)
	srv.Put(t, "a.x12", strings.NewReader("a"), time.Time{})
	mb, err := ftp.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer mb.Close()
	rc, err := mb.Open(t.Context(), "a.x12")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	if err := mb.Put(ctx, "b.x12", strings.NewReader("b")); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second transfer did not wait for the first: %v", err)
	}
	if _, err := io.ReadAll(rc); err != nil {
		t.Fatal(err)
	}
	rc.Close()
	if err := mb.Put(t.Context(), "b.x12", strings.NewReader("b")); err != nil {
		t.Fatal(err)
	}
	// While a download is open, other calls use another connection.
	rc, err = mb.Open(t.Context(), "a.x12")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mb.List(t.Context(), ""); err != nil {
		t.Fatalf("List during an open download: %v", err)
	}
	rc.Close()
}

// TestLargeUploadOverTLS: a large upload over FTPS arrives whole. Without a
// graceful close of the TLS data connection, unread TLS 1.3 session tickets
// made the kernel reset it and vsftpd lost the tail ("426 Failure reading
// network stream").
func TestLargeUploadOverTLS(t *testing.T) {
	env := transporttest.Env(t, ftpKeys...)
	data := make([]byte, 96<<20)
	for i := range data {
		data[i] = byte(i*31 + i>>13)
	}
	for _, mode := range []ftp.TLSMode{ftp.Explicit, ftp.Implicit} {
		t.Run(string(mode), func(t *testing.T) {
			cfg, srv := userConfig(t, env, mode)
			mb, err := ftp.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer mb.Close()
			for i := range 2 {
				if err := mb.Put(t.Context(), "outbox/big.x12", bytes.NewReader(data)); err != nil {
					t.Fatalf("upload %d: %v", i, err)
				}
				if got, _ := srv.Get(t, "outbox/big.x12"); !bytes.Equal(got, data) {
					t.Fatalf("upload %d: server has %d bytes, want %d", i, len(got), len(data))
				}
			}
		})
	}
}
