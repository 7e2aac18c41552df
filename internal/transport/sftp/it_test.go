package sftp_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/b2bgw/b2bgw/internal/transport/sftp"
	"github.com/b2bgw/b2bgw/internal/transport/transporttest"
)

var sftpKeys = []string{"B2BGW_IT_SFTP_ADDR", "B2BGW_IT_SFTP_KNOWN_HOSTS", "B2BGW_IT_SFTP_HOST_FINGERPRINT",
	"B2BGW_IT_SFTP_ROOT", "B2BGW_IT_SFTP_KEY_USER", "B2BGW_IT_SFTP_KEY", "B2BGW_IT_SFTP_PW_USER", "B2BGW_IT_SFTP_PASSWORD"}

// keyUserConfig is a working config for the key user, host key pinned by
// known_hosts, rooted at a fresh directory of the chroot. The server is the
// partner's side of the mailbox: the test runs as root on the same machine
// as sshd and writes into the user's chroot directly. SFTP v3 reports
// times in seconds.
func keyUserConfig(t testing.TB, env map[string]string) (sftp.Config, *transporttest.DirServer) {
	t.Helper()
	user := env["B2BGW_IT_SFTP_KEY_USER"]
	dirName := transporttest.RandomName("t-")
	srv := transporttest.NewUserDirServer(t, filepath.Join(env["B2BGW_IT_SFTP_ROOT"], user, dirName), user, time.Second)
	return sftp.Config{
		Partner:         "acme",
		Mailbox:         "acme-sftp",
		Addr:            env["B2BGW_IT_SFTP_ADDR"],
		User:            user,
		PrivateKeyFile:  env["B2BGW_IT_SFTP_KEY"],
		KnownHostsFiles: []string{env["B2BGW_IT_SFTP_KNOWN_HOSTS"]},
		Root:            "/" + dirName,
		DialTimeout:     10 * time.Second,
		IOTimeout:       20 * time.Second,
	}, srv
}

func TestConformanceOpenSSH(t *testing.T) {
	env := transporttest.Env(t, sftpKeys...)
	transporttest.Run(t, transporttest.Harness{
		Partner: "acme",
		New: func(t *testing.T) transporttest.Fixture {
			cfg, srv := keyUserConfig(t, env)
			d := &transporttest.Dropper{}
			cfg.DialContext = d.Dial
			mb, err := sftp.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			return srv.Fixture(t, mb, d)
		},
	})
}
