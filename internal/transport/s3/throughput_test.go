package s3_test

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"testing"
	"time"

	"github.com/b2bgw/b2bgw/internal/transport"
	"github.com/b2bgw/b2bgw/internal/transport/s3"
)

type tpCase struct {
	name string
	open func(t *testing.T, env map[string]string) transport.Mailbox
}

var tpCases = []tpCase{{"versitygw", func(t *testing.T, env map[string]string) transport.Mailbox {
	cfg, _ := config(t, env)
	mb, err := s3.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return mb
}}}

// TestThroughput measures files/s for 200 small files and MB/s for one
// 200 MB file, up and down, on the real server. It is a measurement, not a
// check: run it with B2BGW_IT_THROUGHPUT=1 (make test does not).
func TestThroughput(t *testing.T) {
	if os.Getenv("B2BGW_IT_THROUGHPUT") == "" {
		t.Skip("measurement only: set B2BGW_IT_THROUGHPUT=1 to run it")
	}
	env := itEnv(t, s3Keys...)
	for _, c := range tpCases {
		t.Run(c.name, func(t *testing.T) {
			mb := c.open(t, env)
			defer mb.Close()
			measureThroughput(t, mb)
		})
	}
}

func measureThroughput(t *testing.T, mb transport.Mailbox) {
	ctx := t.Context()
	small := bytes.Repeat([]byte("ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       ~"), 12) // ~1 KB
	const n = 200
	start := time.Now()
	for i := range n {
		if err := mb.Put(ctx, fmt.Sprintf("small/f%03d.x12", i), bytes.NewReader(small)); err != nil {
			t.Fatal(err)
		}
	}
	putSmall := time.Since(start)
	start = time.Now()
	list, err := mb.List(ctx, "small")
	if err != nil || len(list) != n {
		t.Fatalf("list: %d entries, %v", len(list), err)
	}
	for _, fi := range list {
		rc, err := mb.Open(ctx, fi.Name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, rc); err != nil {
			t.Fatal(err)
		}
		rc.Close()
	}
	getSmall := time.Since(start)

	const size = 200 << 20
	big := make([]byte, size)
	for i := range big {
		big[i] = byte(i*7 + i>>11)
	}
	start = time.Now()
	if err := mb.Put(ctx, "big/big.x12", bytes.NewReader(big)); err != nil {
		t.Fatal(err)
	}
	putBig := time.Since(start)
	start = time.Now()
	rc, err := mb.Open(ctx, "big/big.x12")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.Copy(io.Discard, rc)
	rc.Close()
	if err != nil || got != size {
		t.Fatalf("read %d bytes, %v", got, err)
	}
	getBig := time.Since(start)
	mbps := func(d time.Duration) float64 { return float64(size) / (1 << 20) / d.Seconds() }
	t.Logf("THROUGHPUT %s: 200 small files put %.0f files/s, list+get %.0f files/s; 200 MB put %.0f MB/s, get %.0f MB/s",
		t.Name(), n/putSmall.Seconds(), n/getSmall.Seconds(), mbps(putBig), mbps(getBig))
}
