package transporttest

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
	"sync"
	"time"
)

// PatternReader yields n bytes of deterministic, non-repeating-looking data
// without holding them, and hashes what it yielded, so tests can stream
// hundreds of megabytes and still check the digest.
type PatternReader struct {
	left  int64
	state uint64
	h     hash.Hash
}

// NewPatternReader returns a reader of n bytes.
func NewPatternReader(n int64) *PatternReader {
	return &PatternReader{left: n, state: 0x9E3779B97F4A7C15, h: sha256.New()}
}

func (r *PatternReader) Read(p []byte) (int, error) {
	if r.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.left {
		p = p[:r.left]
	}
	for i := range p {
		// xorshift: cheap, and it defeats any compression in the path.
		r.state ^= r.state << 13
		r.state ^= r.state >> 7
		r.state ^= r.state << 17
		p[i] = byte(r.state)
	}
	r.h.Write(p)
	r.left -= int64(len(p))
	return len(p), nil
}

// Sum returns the hex sha256 of the bytes read so far (all of them once
// the reader hit EOF).
func (r *PatternReader) Sum() string { return hex.EncodeToString(r.h.Sum(nil)) }

// FakeClock is a transport.Clock that only moves when told to.
type FakeClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []fakeWaiter
	changed chan struct{}
}

type fakeWaiter struct {
	at time.Time
	ch chan time.Time
}

// NewFakeClock starts at now.
func NewFakeClock(now time.Time) *FakeClock {
	return &FakeClock{now: now, changed: make(chan struct{})}
}

// Now returns the fake time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// After fires once Advance has moved the clock d forward.
func (c *FakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.waiters = append(c.waiters, fakeWaiter{at: c.now.Add(d), ch: ch})
	c.signal()
	return ch
}

// signal wakes BlockUntil; c.mu is held.
func (c *FakeClock) signal() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// Advance moves the clock and fires the waiters that are due.
func (c *FakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.waiters[:0]
	for _, w := range c.waiters {
		if !w.at.After(c.now) {
			w.ch <- c.now
		} else {
			kept = append(kept, w)
		}
	}
	c.waiters = kept
	c.signal()
}

// BlockUntil waits until n goroutines wait on After.
func (c *FakeClock) BlockUntil(n int) {
	for {
		c.mu.Lock()
		if len(c.waiters) >= n {
			c.mu.Unlock()
			return
		}
		ch := c.changed
		c.mu.Unlock()
		<-ch
	}
}

// Waiters returns how many After channels have not fired.
func (c *FakeClock) Waiters() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.waiters)
}
