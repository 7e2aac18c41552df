package ftp_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/b2bgw/b2bgw/internal/transport/ftp"
	"github.com/b2bgw/b2bgw/internal/transport/transporttest"
)

var ftpKeys = []string{"B2BGW_IT_FTP_ADDR", "B2BGW_IT_FTPS_IMPLICIT_ADDR", "B2BGW_IT_FTP_USER",
	"B2BGW_IT_FTP_PASSWORD", "B2BGW_IT_FTP_CA", "B2BGW_IT_FTP_ROOT"}

// userConfig is a working config for mode, rooted at a fresh folder of the
// FTP user's home. The server is the partner's side of the mailbox: the
// test runs as root on the same machine as vsftpd and writes into the
// user's home directly. FTP LIST reports times in minutes.
func userConfig(t testing.TB, env map[string]string, mode ftp.TLSMode) (ftp.Config, *transporttest.DirServer) {
	t.Helper()
	dirName := transporttest.RandomName("t-")
	srv := transporttest.NewUserDirServer(t, filepath.Join(env["B2BGW_IT_FTP_ROOT"], dirName),
		env["B2BGW_IT_FTP_USER"], time.Minute)
	addr := env["B2BGW_IT_FTP_ADDR"]
	if mode == ftp.Implicit {
		addr = env["B2BGW_IT_FTPS_IMPLICIT_ADDR"]
	}
	return ftp.Config{
		Partner:     "acme",
		Mailbox:     "acme-ftp",
		Addr:        addr,
		User:        env["B2BGW_IT_FTP_USER"],
		Password:    env["B2BGW_IT_FTP_PASSWORD"],
		TLS:         mode,
		CAFile:      env["B2BGW_IT_FTP_CA"],
		Root:        "/" + dirName,
		DialTimeout: 10 * time.Second,
		IOTimeout:   20 * time.Second,
	}, srv
}

func TestConformanceVsftpd(t *testing.T) {
	env := transporttest.Env(t, ftpKeys...)
	for _, mode := range []ftp.TLSMode{ftp.Explicit, ftp.Implicit, ftp.Plain} {
		t.Run(string(mode), func(t *testing.T) {
			transporttest.Run(t, transporttest.Harness{
				Partner: "acme",
				New: func(t *testing.T) transporttest.Fixture {
					cfg, srv := userConfig(t, env, mode)
					d := &transporttest.Dropper{}
					cfg.DialContext = d.Dial
					mb, err := ftp.New(cfg)
					if err != nil {
						t.Fatal(err)
					}
					return srv.Fixture(t, mb, d)
				},
			})
		})
	}
}
