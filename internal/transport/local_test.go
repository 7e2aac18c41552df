package transport_test

import (
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/b2bgw/b2bgw/internal/transport"
	"github.com/b2bgw/b2bgw/internal/transport/transporttest"
)

// dirServer is the partner side of a local mailbox: the directory itself.
type dirServer struct{ dir string }

func (s dirServer) path(t testing.TB, name string) string {
	t.Helper()
	if err := transport.SafeName(name); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(s.dir, filepath.FromSlash(name))
}

func (s dirServer) Put(t testing.TB, name string, r io.Reader, mtime time.Time) {
	t.Helper()
	p := s.path(t, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(f, r); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if !mtime.IsZero() {
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
}

func (s dirServer) Get(t testing.TB, name string) ([]byte, bool) {
	t.Helper()
	b, err := os.ReadFile(s.path(t, name))
	if os.IsNotExist(err) {
		return nil, false
	} else if err != nil {
		t.Fatal(err)
	}
	return b, true
}

func (s dirServer) Remove(t testing.TB, name string) {
	t.Helper()
	if err := os.Remove(s.path(t, name)); err != nil {
		t.Fatal(err)
	}
}

// denyHook returns a Deny hook using file modes, or the reason it cannot
// work: root bypasses file modes, so a root test run cannot provoke
// permission errors this way.
func denyHook(dir string) (func(t *testing.T) func(string), string) {
	if os.Geteuid() == 0 {
		return nil, "running as root: file modes do not deny access, so permission errors cannot be provoked on a local folder"
	}
	return func(t *testing.T) func(string) {
		return func(name string) {
			p := filepath.Join(dir, filepath.FromSlash(name))
			if err := os.Chmod(p, 0); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.Chmod(p, 0o644) })
		}
	}, ""
}

func TestLocalConformance(t *testing.T) {
	_, noDeny := denyHook("")
	transporttest.Run(t, transporttest.Harness{
		Partner: "acme",
		NoDeny:  noDeny,
		New: func(t *testing.T) transporttest.Fixture {
			dir := t.TempDir()
			l, err := transport.NewLocal(transport.LocalConfig{Name: "local-test", Dir: dir})
			if err != nil {
				t.Fatal(err)
			}
			fx := transporttest.Fixture{Mailbox: l, Server: dirServer{dir}, Drop: func() { transport.DropLocal(l) }}
			if deny, _ := denyHook(dir); deny != nil {
				fx.Deny = deny(t)
			}
			return fx
		},
	})
}
