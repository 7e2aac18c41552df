package store_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/b2bgw/b2bgw/internal/store"
	"github.com/b2bgw/b2bgw/internal/store/storetest"
	"github.com/b2bgw/b2bgw/internal/transport"
	"github.com/b2bgw/b2bgw/internal/x12"
)

// BenchmarkControlNumbers: allocations per second, each its own committed
// transaction (Next on the store), serially and from parallel goroutines
// (all contending for one sequence: the worst case), and inside a
// transaction that also records the outbound message (NextTx, as the
// pipeline does).
func BenchmarkControlNumbers(b *testing.B) {
	for _, db := range databases {
		b.Run(db.name, func(b *testing.B) {
			ctx := context.Background()
			s := storetest.Open(b, db.dsn(b), true)
			key := x12.ControlKey{Partner: "acme", Kind: x12.KindISA}
			b.Run("Next", func(b *testing.B) {
				for b.Loop() {
					if _, err := s.Next(ctx, key); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "numbers/s")
			})
			b.Run("NextParallel", func(b *testing.B) {
				b.SetParallelism(4)
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if _, err := s.Next(ctx, key); err != nil {
							b.Error(err)
							return
						}
					}
				})
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "numbers/s")
			})
			b.Run("NextTxWithMessage", func(b *testing.B) {
				for b.Loop() {
					if err := s.WithTx(ctx, func(tx store.Tx) error {
						n, err := s.NextTx(ctx, tx, key)
						if err != nil {
							return err
						}
						_, err = tx.AddMessage(ctx, store.Message{Kind: store.KindAck, Direction: store.Outbound,
							Partner: "acme", Control: fmt.Sprint(n)})
						return err
					}); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "numbers/s")
			})
		})
	}
}

// BenchmarkRecord: pickup-ledger records per second (distinct files and
// contents), serially and in parallel.
func BenchmarkRecord(b *testing.B) {
	for _, db := range databases {
		b.Run(db.name, func(b *testing.B) {
			ctx := context.Background()
			s := storetest.Open(b, db.dsn(b), true)
			var seq atomic.Int64
			record := func() error {
				i := seq.Add(1)
				_, _, err := s.Record(ctx, transport.LedgerEntry{
					FileKey: transport.FileKey{Partner: "acme", Mailbox: "inbox", Path: fmt.Sprintf("po-%d.x12", i),
						Size: 100, ModTime: time.Unix(1_700_000_000, i)},
					SHA256: fmt.Sprintf("%064x", i)})
				return err
			}
			b.Run("Serial", func(b *testing.B) {
				for b.Loop() {
					if err := record(); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
			})
			b.Run("Parallel", func(b *testing.B) {
				b.SetParallelism(4)
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if err := record(); err != nil {
							b.Error(err)
							return
						}
					}
				})
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
			})
		})
	}
}
