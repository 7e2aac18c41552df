package s3_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/b2bgw/b2bgw/internal/errclass"
	"github.com/b2bgw/b2bgw/internal/transport"
	"github.com/b2bgw/b2bgw/internal/transport/s3"
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

func TestWrongCredentials(t *testing.T) {
	env := transporttest.Env(t, s3Keys...)
	cfg, _ := config(t, env)
	cfg.SecretKey = "not-the-secret-key-0000000000"
	_, err := s3.Dial(t.Context(), cfg)
	wantErr(t, err, transport.ErrAuth, errclass.Permanent, "acme-s3", `"acme"`, "retrying will not help")
	if strings.Contains(err.Error(), cfg.SecretKey) {
		t.Error("the secret key appears in the error")
	}
	cfg.AccessKey = "AKIANOSUCHUSER"
	_, err = s3.Dial(t.Context(), cfg)
	wantErr(t, err, transport.ErrAuth, errclass.Permanent)
}

// TestPermissionDenied uses a valid account that has no right on the
// bucket: every call is ErrPermission, Permanent.
func TestPermissionDenied(t *testing.T) {
	env := transporttest.Env(t, s3Keys...)
	cfg, srv := config(t, env)
	srv.Put(t, "inbox/a.x12", strings.NewReader("ISA"), time.Time{})
	cfg.AccessKey, cfg.SecretKey = env["B2BGW_IT_S3_NOACCESS_KEY"], env["B2BGW_IT_S3_NOACCESS_SECRET"]
	_, err := s3.Dial(t.Context(), cfg)
	wantErr(t, err, transport.ErrPermission, errclass.Permanent, "acme-s3", "grant")
	mb, err := s3.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer mb.Close()
	_, err = mb.Open(t.Context(), "inbox/a.x12")
	wantErr(t, err, transport.ErrPermission, errclass.Permanent, "inbox/a.x12")
	err = mb.Put(t.Context(), "outbox/b.x12", strings.NewReader("ISA"))
	wantErr(t, err, transport.ErrPermission, errclass.Permanent, "outbox/b.x12")
	err = mb.Remove(t.Context(), "inbox/a.x12")
	wantErr(t, err, transport.ErrPermission, errclass.Permanent)
	if _, ok := srv.Get(t, "inbox/a.x12"); !ok {
		t.Fatal("a denied account deleted the file")
	}
}

func TestMissingBucket(t *testing.T) {
	env := transporttest.Env(t, s3Keys...)
	cfg, _ := config(t, env)
	cfg.Bucket = "b2bgw-no-such-bucket"
	_, err := s3.Dial(t.Context(), cfg)
	if err == nil || errors.Is(err, transport.ErrNotExist) || errclass.Of(err) != errclass.Permanent ||
		!strings.Contains(err.Error(), `bucket "b2bgw-no-such-bucket" does not exist`) {
		t.Fatalf("a missing bucket must be a permanent configuration error, not a missing file: %v", err)
	}
}

func TestCredentialSources(t *testing.T) {
	env := transporttest.Env(t, s3Keys...)
	t.Run("environment", func(t *testing.T) {
		cfg, _ := config(t, env)
		t.Setenv("AWS_ACCESS_KEY_ID", cfg.AccessKey)
		t.Setenv("AWS_SECRET_ACCESS_KEY", cfg.SecretKey)
		cfg.AccessKey, cfg.SecretKey = "", ""
		mb, err := s3.Dial(t.Context(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		mb.Close()
	})
	t.Run("file", func(t *testing.T) {
		cfg, _ := config(t, env)
		f := filepath.Join(t.TempDir(), "credentials")
		content := "[partner-acme]\naws_access_key_id = " + cfg.AccessKey + "\naws_secret_access_key = " + cfg.SecretKey + "\n"
		if err := os.WriteFile(f, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		t.Setenv("AWS_ACCESS_KEY_ID", "")
		t.Setenv("AWS_SECRET_ACCESS_KEY", "")
		cfg.AccessKey, cfg.SecretKey, cfg.CredentialsFile, cfg.Profile = "", "", f, "partner-acme"
		mb, err := s3.Dial(t.Context(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		mb.Close()
	})
	t.Run("none", func(t *testing.T) {
		cfg, _ := config(t, env)
		for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY", "AWS_SECRET_KEY",
			"MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD", "MINIO_ACCESS_KEY", "MINIO_SECRET_KEY"} {
			t.Setenv(k, "")
		}
		cfg.AccessKey, cfg.SecretKey = "", ""
		_, err := s3.New(cfg)
		wantErr(t, err, transport.ErrAuth, errclass.Permanent, "AWS_ACCESS_KEY_ID")
	})
}

func TestServerDownIsRetryable(t *testing.T) {
	env := transporttest.Env(t, s3Keys...)
	cfg, _ := config(t, env)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Endpoint = "http://" + l.Addr().String()
	l.Close()
	_, err = s3.Dial(t.Context(), cfg)
	wantErr(t, err, transport.ErrUnavailable, errclass.Retryable, "retries")

	// A store that answers 503 is busy, not broken.
	busy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, `<?xml version="1.0"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>`)
	}))
	defer busy.Close()
	cfg.Endpoint = busy.URL
	_, err = s3.Dial(t.Context(), cfg)
	wantErr(t, err, transport.ErrUnavailable, errclass.Retryable)
}

// countingDialer takes the server away once bytes went through: every open
// connection is cut and new ones are refused until the next arm. A single
// cut would not do: minio-go retries a part whose body it can seek, and a
// retry that heals the drop is correct behaviour, but it made the test
// depend on timing.
type countingDialer struct {
	mu    sync.Mutex
	conns []net.Conn
	n     int
	after int
	down  bool
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
		d.after, d.down = 0, true
		for _, c := range d.conns {
			c.Close()
		}
	}
}

func (d *countingDialer) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	d.mu.Lock()
	down := d.down
	d.mu.Unlock()
	if down {
		return nil, &net.OpError{Op: "dial", Net: network, Err: syscall.ECONNREFUSED}
	}
	var nd net.Dialer
	c, err := nd.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.conns = append(d.conns, c)
	return &countingConn{Conn: c, d: d}, nil
}

func (d *countingDialer) arm(after int) {
	d.mu.Lock()
	d.n, d.after, d.down = 0, after, false
	d.mu.Unlock()
}

// TestDropMidTransfer takes the server away after 1 MB of a download and of
// an upload: both fail Retryable, the stored object is untouched, and no
// object appears under the upload's name.
func TestDropMidTransfer(t *testing.T) {
	env := transporttest.Env(t, s3Keys...)
	cfg, srv := config(t, env)
	d := &countingDialer{}
	cfg.DialContext = d.dial
	mb, err := s3.New(cfg)
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
	wantErr(t, err, transport.ErrUnavailable, errclass.Retryable, "inbox/big.x12", "acme-s3")
	if got, ok := srv.Get(t, "inbox/big.x12"); !ok || len(got) != len(big) {
		t.Fatal("the stored object was changed by a failed read")
	}

	for _, c := range []struct {
		name string
		r    io.Reader
	}{
		{"sized", bytes.NewReader(big)},                            // single PUT
		{"unsized", io.MultiReader(bytes.NewReader(big[:20<<20]))}, // multipart upload
	} {
		d.arm(1 << 20)
		err = mb.Put(t.Context(), "outbox/"+c.name+".x12", c.r)
		wantErr(t, err, transport.ErrUnavailable, errclass.Retryable, "outbox/"+c.name+".x12")
		if _, ok := srv.Get(t, "outbox/"+c.name+".x12"); ok {
			t.Fatalf("a dropped %s upload left an object under its final name", c.name)
		}
	}
	d.arm(0) // the server is back
	if list, err := mb.List(t.Context(), "inbox"); err != nil || len(list) != 1 {
		t.Fatalf("after a drop the mailbox must work again: %v, %v", list, err)
	}
}

// TestAddressing checks the request URLs of both addressing styles.
func TestAddressing(t *testing.T) {
	var mu sync.Mutex
	var hosts, paths []string
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hosts, paths = append(hosts, r.Host), append(paths, r.URL.Path)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/xml")
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>bkt</Name><IsTruncated>false</IsTruncated></ListBucketResult>`)
	}))
	defer ts.Close()
	_, port, _ := net.SplitHostPort(ts.Listener.Addr().String())
	toServer := func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, ts.Listener.Addr().String())
	}
	for _, c := range []struct {
		style      s3.Addressing
		host, path string
	}{
		{s3.PathStyle, "store.example:" + port, "/bkt/"},
		{s3.VirtualHost, "bkt.store.example:" + port, "/"},
	} {
		t.Run(string(c.style), func(t *testing.T) {
			hosts, paths = nil, nil
			mb, err := s3.Dial(t.Context(), s3.Config{Endpoint: "http://store.example:" + port, Region: "us-east-1",
				Bucket: "bkt", Prefix: "acme", Addressing: c.style, AccessKey: "AK", SecretKey: "SK", DialContext: toServer})
			if err != nil {
				t.Fatal(err)
			}
			mb.Close()
			mu.Lock()
			defer mu.Unlock()
			if len(hosts) == 0 || hosts[len(hosts)-1] != c.host || paths[len(paths)-1] != c.path {
				t.Errorf("requests went to %v %v, want host %s path %s", hosts, paths, c.host, c.path)
			}
		})
	}
}

func TestTransferLimit(t *testing.T) {
	env := transporttest.Env(t, s3Keys...)
	cfg, srv := config(t, env)
	cfg.Limit = transport.NewTransferLimit(1)
	srv.Put(t, "a.x12", strings.NewReader("a"), time.Time{})
	mb, err := s3.New(cfg)
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
	rc.Close()
	if err := mb.Put(t.Context(), "b.x12", strings.NewReader("b")); err != nil {
		t.Fatal(err)
	}
}
