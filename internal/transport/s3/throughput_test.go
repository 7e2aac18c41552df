package s3_test

import (
	"testing"

	"github.com/b2bgw/b2bgw/internal/transport"
	"github.com/b2bgw/b2bgw/internal/transport/s3"
	"github.com/b2bgw/b2bgw/internal/transport/transporttest"
)

// TestThroughput measures files/s and MB/s on the real server (set
// B2BGW_IT_THROUGHPUT=1; see transporttest.Throughput).
func TestThroughput(t *testing.T) {
	transporttest.Throughput(t, s3Keys, transporttest.ThroughputCase{Name: "versitygw",
		Open: func(t *testing.T, env map[string]string) transport.Mailbox {
			cfg, _ := config(t, env)
			mb, err := s3.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			return mb
		}})
}
