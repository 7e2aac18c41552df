package transport

import "time"

// Clock is the time source of the poller and the scheduler, so that tests
// can drive stability windows and cron ticks without sleeping.
type Clock interface {
	Now() time.Time
	// After is time.After: it sends the time once d has passed.
	After(d time.Duration) <-chan time.Time
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// After returns time.After(d).
func (SystemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }
