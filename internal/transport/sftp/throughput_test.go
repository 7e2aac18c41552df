package sftp_test

import (
	"testing"

	"github.com/b2bgw/b2bgw/internal/transport"
	"github.com/b2bgw/b2bgw/internal/transport/sftp"
	"github.com/b2bgw/b2bgw/internal/transport/transporttest"
)

// TestThroughput measures files/s and MB/s on the real server (set
// B2BGW_IT_THROUGHPUT=1; see transporttest.Throughput).
func TestThroughput(t *testing.T) {
	transporttest.Throughput(t, sftpKeys, transporttest.ThroughputCase{Name: "openssh",
		Open: func(t *testing.T, env map[string]string) transport.Mailbox {
			cfg, _ := keyUserConfig(t, env)
			mb, err := sftp.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			return mb
		}})
}
