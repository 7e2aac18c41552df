package x12

import (
	"context"
	"fmt"
	"sync"
)

// Control number kinds: which envelope level a number is for.
const (
	KindISA = "ISA" // ISA13/IEA02
	KindGS  = "GS"  // GS06/GE02
	KindST  = "ST"  // ST02/SE02
)

// MaxControlNumber is the largest control number of every kind: ISA13 is
// N0 9/9, GS06 N0 1/9 and ST02 AN 4/9, so nine digits fit all three.
const MaxControlNumber = 999_999_999

// ControlKey names one control-number sequence: a partner and an envelope
// level (KindISA, KindGS or KindST).
type ControlKey struct {
	Partner string
	Kind    string
}

// ControlNumbers allocates outbound control numbers. Next returns the next
// number of the sequence, in 1..MaxControlNumber; after MaxControlNumber
// the sequence wraps to 1 (never 0: ISA13 0 is invalid, and partners treat
// 0 as "unset"). The durable store implements it in the same transaction
// as the outbound message, so a crash neither reuses nor skips a number
// that was sent.
type ControlNumbers interface {
	Next(ctx context.Context, key ControlKey) (int64, error)
}

// MemoryControlNumbers is an in-memory ControlNumbers, safe for concurrent
// use, for tests, the demo and one-shot CLI runs. Numbers are lost when the
// process ends.
type MemoryControlNumbers struct {
	mu   sync.Mutex
	last map[ControlKey]int64
}

var _ ControlNumbers = (*MemoryControlNumbers)(nil)

// NewMemoryControlNumbers returns an allocator whose sequences all start
// at 1.
func NewMemoryControlNumbers() *MemoryControlNumbers {
	return &MemoryControlNumbers{last: map[ControlKey]int64{}}
}

// Set makes the next number of key's sequence n+1 (n = 0 restarts it at
// 1): for tests, golden files and an audited reset.
func (m *MemoryControlNumbers) Set(key ControlKey, n int64) error {
	if n < 0 || n > MaxControlNumber {
		return fmt.Errorf("control number %d for %s/%s: want 0..%d", n, key.Partner, key.Kind, MaxControlNumber)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.last[key] = n
	return nil
}

// Next returns the next number of key's sequence.
func (m *MemoryControlNumbers) Next(ctx context.Context, key ControlKey) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := checkControlKind(key.Kind); err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	n := m.last[key] + 1
	if n > MaxControlNumber {
		n = 1
	}
	m.last[key] = n
	return n, nil
}

func checkControlKind(kind string) error {
	switch kind {
	case KindISA, KindGS, KindST:
		return nil
	}
	return fmt.Errorf("control number kind %q: want %s, %s or %s", kind, KindISA, KindGS, KindST)
}
