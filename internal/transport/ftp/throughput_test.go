package ftp_test

import (
	"testing"

	"github.com/b2bgw/b2bgw/internal/transport"
	"github.com/b2bgw/b2bgw/internal/transport/ftp"
	"github.com/b2bgw/b2bgw/internal/transport/transporttest"
)

func tpCase(mode ftp.TLSMode) transporttest.ThroughputCase {
	return transporttest.ThroughputCase{Name: string(mode), Open: func(t *testing.T, env map[string]string) transport.Mailbox {
		cfg, _ := userConfig(t, env, mode)
		mb, err := ftp.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return mb
	}}
}

// TestThroughput measures files/s and MB/s on the real server (set
// B2BGW_IT_THROUGHPUT=1; see transporttest.Throughput).
func TestThroughput(t *testing.T) {
	transporttest.Throughput(t, ftpKeys, tpCase(ftp.Plain), tpCase(ftp.Explicit), tpCase(ftp.Implicit))
}
