package sftp_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/b2bgw/b2bgw/internal/errclass"
	"github.com/b2bgw/b2bgw/internal/transport"
	"github.com/b2bgw/b2bgw/internal/transport/sftp"
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

func TestAuthMethods(t *testing.T) {
	env := transporttest.Env(t, append(sftpKeys, "B2BGW_IT_SFTP_KEY_RSA", "B2BGW_IT_SFTP_KEY_ECDSA",
		"B2BGW_IT_SFTP_KEY_ENCRYPTED", "B2BGW_IT_SFTP_KEY_PASSPHRASE")...)
	for _, c := range []struct {
		name       string
		key        string
		passphrase string
		password   bool
	}{
		{"ed25519", "B2BGW_IT_SFTP_KEY", "", false},
		{"rsa", "B2BGW_IT_SFTP_KEY_RSA", "", false},
		{"ecdsa", "B2BGW_IT_SFTP_KEY_ECDSA", "", false},
		{"encrypted-ed25519", "B2BGW_IT_SFTP_KEY_ENCRYPTED", env["B2BGW_IT_SFTP_KEY_PASSPHRASE"], false},
		{"password", "", "", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg, srv := keyUserConfig(t, env)
			if c.password {
				cfg.User, cfg.PrivateKeyFile, cfg.Password, cfg.Root = env["B2BGW_IT_SFTP_PW_USER"], "", env["B2BGW_IT_SFTP_PASSWORD"], "/inbox"
			} else {
				cfg.PrivateKeyFile, cfg.Passphrase = env[c.key], c.passphrase
				srv.Put(t, "hello.x12", strings.NewReader("ISA"), time.Time{})
			}
			mb, err := sftp.Dial(t.Context(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer mb.Close()
			if _, err := mb.List(t.Context(), ""); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestKeyProblemsAreConfigErrors(t *testing.T) {
	env := transporttest.Env(t, append(sftpKeys, "B2BGW_IT_SFTP_KEY_ENCRYPTED")...)
	cfg, _ := keyUserConfig(t, env)
	cfg.PrivateKeyFile = env["B2BGW_IT_SFTP_KEY_ENCRYPTED"]
	_, err := sftp.New(cfg)
	wantErr(t, err, transport.ErrAuth, errclass.Permanent, "encrypted", "passphrase", "acme-sftp", "acme")
	cfg.Passphrase = "wrong"
	_, err = sftp.New(cfg)
	wantErr(t, err, transport.ErrAuth, errclass.Permanent, "wrong passphrase")

	cfg, _ = keyUserConfig(t, env)
	cfg.KnownHostsFiles = nil
	_, err = sftp.New(cfg)
	if err == nil || !strings.Contains(err.Error(), "insecure_ignore_host_key") {
		t.Fatalf("no host key pin must be refused with a way out named: %v", err)
	}
}

func TestWrongPassword(t *testing.T) {
	env := transporttest.Env(t, sftpKeys...)
	cfg, _ := keyUserConfig(t, env)
	cfg.User, cfg.PrivateKeyFile, cfg.Password, cfg.Root = env["B2BGW_IT_SFTP_PW_USER"], "", "not-the-password", ""
	_, err := sftp.Dial(t.Context(), cfg)
	wantErr(t, err, transport.ErrAuth, errclass.Permanent, "acme-sftp", `"acme"`, env["B2BGW_IT_SFTP_PW_USER"], "retrying will not help")

	// A key the server does not know is refused the same way.
	cfg, _ = keyUserConfig(t, env)
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	cfg.PrivateKeyFile, cfg.PrivateKey = "", pem.EncodeToMemory(block)
	_, err = sftp.Dial(t.Context(), cfg)
	wantErr(t, err, transport.ErrAuth, errclass.Permanent)
}

func TestHostKey(t *testing.T) {
	env := transporttest.Env(t, sftpKeys...)
	addr := env["B2BGW_IT_SFTP_ADDR"]
	host, port, _ := net.SplitHostPort(addr)
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	other, _ := ssh.NewPublicKey(pub)
	line := func(h string) string {
		return fmt.Sprintf("[%s]:%s %s", h, port, strings.TrimSpace(string(ssh.MarshalAuthorizedKey(other))))
	}
	write := func(content string) string {
		p := filepath.Join(t.TempDir(), "known_hosts")
		if err := os.WriteFile(p, []byte(content+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	t.Run("mismatch", func(t *testing.T) {
		cfg, _ := keyUserConfig(t, env)
		cfg.KnownHostsFiles = []string{write(line(host))}
		_, err := sftp.Dial(t.Context(), cfg)
		wantErr(t, err, transport.ErrHostKey, errclass.Permanent, "MAN IN THE MIDDLE", env["B2BGW_IT_SFTP_HOST_FINGERPRINT"], "acme-sftp")
	})
	t.Run("unknown-host", func(t *testing.T) {
		cfg, _ := keyUserConfig(t, env)
		cfg.KnownHostsFiles = []string{write(line("partner.example"))}
		_, err := sftp.Dial(t.Context(), cfg)
		wantErr(t, err, transport.ErrHostKey, errclass.Permanent, "not in known_hosts")
	})
	t.Run("fingerprint-pin", func(t *testing.T) {
		cfg, _ := keyUserConfig(t, env)
		cfg.KnownHostsFiles = nil
		cfg.HostKeyFingerprints = []string{env["B2BGW_IT_SFTP_HOST_FINGERPRINT"]}
		mb, err := sftp.Dial(t.Context(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		mb.Close()
		cfg.HostKeyFingerprints = []string{ssh.FingerprintSHA256(other)}
		_, err = sftp.Dial(t.Context(), cfg)
		wantErr(t, err, transport.ErrHostKey, errclass.Permanent, "pinned fingerprint")
	})
	t.Run("insecure-is-logged", func(t *testing.T) {
		cfg, _ := keyUserConfig(t, env)
		cfg.KnownHostsFiles = nil
		cfg.InsecureIgnoreHostKey = true
		var logs bytes.Buffer
		cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		mb, err := sftp.Dial(t.Context(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		mb.Close()
		if out := logs.String(); !strings.Contains(out, "level=WARN") || !strings.Contains(out, "NOT verified") ||
			!strings.Contains(out, "partner=acme") {
			t.Errorf("insecure connect not logged as a warning: %q", out)
		}
	})
}

func TestServerDownIsRetryable(t *testing.T) {
	env := transporttest.Env(t, sftpKeys...)
	cfg, _ := keyUserConfig(t, env)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Addr = l.Addr().String()
	l.Close() // nothing listens there now
	_, err = sftp.Dial(t.Context(), cfg)
	wantErr(t, err, transport.ErrUnavailable, errclass.Retryable, cfg.Addr, "retries")

	// A server that accepts and then hangs: the handshake times out.
	hang, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer hang.Close()
	go func() {
		for {
			c, err := hang.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	cfg.Addr, cfg.DialTimeout = hang.Addr().String(), 300*time.Millisecond
	start := time.Now()
	_, err = sftp.Dial(t.Context(), cfg)
	wantErr(t, err, transport.ErrUnavailable, errclass.Retryable)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("handshake timeout took %v", d)
	}
}

// TestDropMidTransfer cuts the TCP connection while a file is being read
// and while one is being written: both fail Retryable, the remote file is
// still there, nothing appears under the upload's name, and the mailbox
// reconnects on its next call.
func TestDropMidTransfer(t *testing.T) {
	env := transporttest.Env(t, sftpKeys...)
	cfg, srv := keyUserConfig(t, env)
	d := &transporttest.Dropper{}
	cfg.DialContext = d.Dial
	mb, err := sftp.New(cfg)
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
	buf := make([]byte, 64<<10)
	if _, err := io.ReadFull(rc, buf); err != nil {
		t.Fatal(err)
	}
	d.Drop()
	_, err = io.Copy(io.Discard, rc)
	rc.Close()
	wantErr(t, err, transport.ErrUnavailable, errclass.Retryable, "inbox/big.x12", "acme-sftp")
	if got, ok := srv.Get(t, "inbox/big.x12"); !ok || len(got) != len(big) {
		t.Fatal("the remote file was changed by a failed read")
	}

	// Upload: the source drops the connection after 1 MB.
	r := &hookReader{r: bytes.NewReader(big), after: 1 << 20, hook: d.Drop}
	err = mb.Put(t.Context(), "outbox/out.x12", r)
	wantErr(t, err, transport.ErrUnavailable, errclass.Retryable, "outbox/out.x12")
	if _, ok := srv.Get(t, "outbox/out.x12"); ok {
		t.Fatal("a dropped upload left a file under its final name")
	}

	// The next call dials again.
	list, err := mb.List(t.Context(), "inbox")
	if err != nil || len(list) != 1 {
		t.Fatalf("after a drop the mailbox must reconnect: %v, %v", list, err)
	}
}

type hookReader struct {
	r     io.Reader
	n     int
	after int
	once  sync.Once
	hook  func()
}

func (h *hookReader) Read(p []byte) (int, error) {
	if h.n >= h.after {
		h.once.Do(h.hook)
	}
	n, err := h.r.Read(p)
	h.n += n
	return n, err
}

func TestContextCancelsTransfer(t *testing.T) {
	env := transporttest.Env(t, sftpKeys...)
	cfg, srv := keyUserConfig(t, env)
	mb, err := sftp.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer mb.Close()
	srv.Put(t, "a.x12", strings.NewReader("ISA"), time.Time{})
	ctx, cancel := context.WithCancel(t.Context())
	endless := &hookReader{r: zeros{}, after: 1 << 20, hook: cancel}
	err = mb.Put(ctx, "out.x12", endless)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Put under a cancelled context = %v", err)
	}
	if _, ok := srv.Get(t, "out.x12"); ok {
		t.Fatal("cancelled Put left the file")
	}
	if _, err := mb.List(t.Context(), ""); err != nil {
		t.Fatalf("mailbox unusable after a cancelled call: %v", err)
	}
}

func TestTransferLimit(t *testing.T) {
	env := transporttest.Env(t, sftpKeys...)
	cfg, srv := keyUserConfig(t, env)
	cfg.Limit = transport.NewTransferLimit(1)
	srv.Put(t, "a.x12", strings.NewReader("a"), time.Time{})
	mb1, err := sftp.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer mb1.Close()
	mb2, err := sftp.New(cfg) // another mailbox of the same partner
	if err != nil {
		t.Fatal(err)
	}
	defer mb2.Close()
	rc, err := mb1.Open(t.Context(), "a.x12")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	if err := mb2.Put(ctx, "b.x12", strings.NewReader("b")); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second transfer of the partner did not wait for the first: %v", err)
	}
	rc.Close()
	if err := mb2.Put(t.Context(), "b.x12", strings.NewReader("b")); err != nil {
		t.Fatal(err)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
