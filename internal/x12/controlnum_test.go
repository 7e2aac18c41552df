package x12

import (
	"context"
	"errors"
	"sync"
	"testing"
)

func TestMemoryControlNumbers(t *testing.T) {
	t.Parallel()
	isa := ControlKey{Partner: "ZZ:ACME", Kind: KindISA}
	tests := []struct {
		name  string
		start int64 // Set(key, start) first; -1 to leave the sequence new
		key   ControlKey
		want  []int64
	}{
		{"new sequence starts at 1", -1, isa, []int64{1, 2, 3}},
		{"continues after Set", 41, isa, []int64{42, 43}},
		{"wraps to 1, never 0", MaxControlNumber - 1, isa, []int64{MaxControlNumber, 1, 2}},
		{"kinds are separate sequences", 9, ControlKey{Partner: "ZZ:ACME", Kind: KindST}, []int64{10}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := NewMemoryControlNumbers()
			if tc.start >= 0 {
				if err := m.Set(tc.key, tc.start); err != nil {
					t.Fatal(err)
				}
			}
			for i, want := range tc.want {
				got, err := m.Next(context.Background(), tc.key)
				if err != nil || got != want {
					t.Fatalf("call %d: got %d, %v; want %d", i+1, got, err, want)
				}
			}
		})
	}
}

func TestMemoryControlNumbersErrors(t *testing.T) {
	t.Parallel()
	m := NewMemoryControlNumbers()
	if _, err := m.Next(context.Background(), ControlKey{Partner: "p", Kind: "IEA"}); err == nil {
		t.Error("unknown kind accepted")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.Next(ctx, ControlKey{Partner: "p", Kind: KindGS}); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled context: %v", err)
	}
	if err := m.Set(ControlKey{Partner: "p", Kind: KindGS}, MaxControlNumber+1); err == nil {
		t.Error("Set beyond the maximum accepted")
	}
}

// Concurrent callers never get the same number (run with -race).
func TestMemoryControlNumbersConcurrent(t *testing.T) {
	t.Parallel()
	m := NewMemoryControlNumbers()
	key := ControlKey{Partner: "p", Kind: KindST}
	const workers, each = 8, 500
	var mu sync.Mutex
	seen := map[int64]bool{}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range each {
				n, err := m.Next(context.Background(), key)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				if seen[n] {
					t.Errorf("number %d handed out twice", n)
				}
				seen[n] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != workers*each {
		t.Errorf("got %d distinct numbers, want %d", len(seen), workers*each)
	}
}
