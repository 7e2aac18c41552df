// Package orderedpipe runs the validation of a decoded EDI stream on
// several cores while delivering the results in input order, as the
// sequential loop would: one goroutine decodes, workers validate batches
// of units (X12 transaction sets, EDIFACT messages), and the caller's
// goroutine delivers every event with its unit's result, in order.
//
// The format packages (x12, edifact) describe their decoder to it with a
// Source and keep their own assembly of results.
package orderedpipe

import (
	"errors"
	"io"
	"runtime"
	"sync"
)

// Config sizes the pipeline; tests shrink it.
type Config struct {
	Workers    int // validating goroutines
	BatchUnits int // a batch is handed on after this many units
	BatchBytes int // ... or once its units hold this many bytes
	Batches    int // batches in flight at most (decoding, queued, validating, delivering); 0: 2*Workers+2
	KeepUnit   int // a unit whose memory grew beyond this many bytes is not recycled
}

// DefaultConfig is GOMAXPROCS workers, batches of 32 units or 256 KiB, and
// units of up to 1 MiB recycled.
func DefaultConfig() Config {
	return Config{
		Workers:    runtime.GOMAXPROCS(0),
		BatchUnits: 32,
		BatchBytes: 256 << 10,
		KeepUnit:   1 << 20,
	}
}

// Source describes a decoder of events E, some of which carry a unit U to
// validate. Next, Recycle and Mark are called on the decoding goroutine;
// Unit there and on the workers, Take and Cap on the workers (for the
// events of the batch they validate), EndsInterchange on the decoding and
// the calling goroutine, and Rewind on the calling goroutine once decoding
// stopped. Events are handed between goroutines through channels.
type Source[E, U any] struct {
	// Next returns the next event; io.EOF at the end of the input, or the
	// decoder's fatal error.
	Next func() (E, error)
	// Unit returns the unit an event carries and its size in bytes, ok
	// false for an event without one (called on the decoding goroutine).
	Unit func(ev E) (u U, size int, ok bool)
	// Take removes the unit from the event once it is validated, so that
	// the event no longer refers to memory about to be recycled (called
	// on a worker).
	Take func(ev *E)
	// Cap is the memory a validated unit holds, in bytes (called on a
	// worker); a unit over Config.KeepUnit is not recycled.
	Cap func(u U) int
	// Recycle offers the decoder a validated unit's memory: get returns
	// one (ok false when none is free). Recycle may ignore the offer.
	Recycle func(get func() (U, bool))
	// EndsInterchange reports whether an event closes an interchange: the
	// batch is handed on at once, so that on a slow stream its result does
	// not wait for the next units to arrive.
	EndsInterchange func(ev E) bool
	// Gate: the decoder must not read past an interchange that deliver
	// has not accepted yet (a duplicates ledger records what it reads).
	Gate bool
	// Mark and Rewind keep decoder side state (stray data found between
	// interchanges) to what the sequential loop would have found: Mark is
	// taken after each event, and on an early return Rewind gets the mark
	// of the last event delivered. Both may be nil.
	Mark   func() int
	Rewind func(mark int)
}

// Sequential is the pipeline on the calling goroutine only: each event is
// decoded, its unit validated, and delivered, one after the other. It
// returns nil at the end of the input, the decoder's fatal error, or
// deliver's error.
func Sequential[E, U, R any](src Source[E, U], validate func(U) R, deliver func(ev E, r R) error) error {
	for {
		ev, err := src.Next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		var r R
		if u, _, ok := src.Unit(ev); ok {
			r = validate(u)
		}
		if err := deliver(ev, r); err != nil {
			return err
		}
	}
}

// item is one decoder event in a batch, with what it needs downstream.
type item[E, R any] struct {
	ev   E
	res  R
	mark int // src.Mark() when the event was handed out
}

// batch is a run of consecutive events. The decoder goroutine fills it, a
// worker validates its units, the caller's goroutine delivers it.
type batch[E, R any] struct {
	items []item[E, R]
	final bool  // the decoder's last word: err follows the items
	err   error // io.EOF or the decoder's fatal error
	// set by the worker: validate panicked on item panicAt
	panicked bool
	panicVal any
	panicAt  int
	ready    chan struct{} // signalled once the units are validated (capacity 1)
}

// Parallel is Sequential with the units validated on cfg.Workers
// goroutines: deliver (called on the calling goroutine) sees exactly the
// events and results Sequential would give it, in the same order, and the
// return value is the same (nil at the end of the input, the decoder's
// fatal error after the events before it were delivered, or deliver's
// first error). A panic in validate is re-raised on the calling goroutine
// where Sequential would have raised it.
//
// validate must be safe for concurrent use and must not keep the unit
// after it returns: its memory is offered back to the decoder. When
// deliver fails, decoding stops.
func Parallel[E, U, R any](src Source[E, U], validate func(U) R, deliver func(ev E, r R) error, cfg Config) error {
	if cfg.Batches <= 0 {
		cfg.Batches = 2*cfg.Workers + 2
	}
	mark := src.Mark
	if mark == nil {
		mark = func() int { return 0 }
	}
	free := make(chan *batch[E, R], cfg.Batches)
	for i := 0; i < cfg.Batches; i++ {
		free <- &batch[E, R]{ready: make(chan struct{}, 1)}
	}
	order := make(chan *batch[E, R], cfg.Batches) // every batch, in input order
	work := make(chan *batch[E, R], cfg.Batches)  // batches with units to validate
	freeUnits := make(chan U, cfg.Batches*cfg.BatchUnits)
	getFree := func() (U, bool) {
		select {
		case u := <-freeUnits:
			return u, true
		default:
			var zero U
			return zero, false
		}
	}
	accepted := make(chan struct{}, 1) // deliver accepted the interchange that ended a batch
	stop := make(chan struct{})
	var wg sync.WaitGroup

	// decoder
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(work)
		for {
			var b *batch[E, R]
			select {
			case b = <-free:
			case <-stop:
				return
			}
			b.items, b.final, b.err, b.panicked, b.panicVal = b.items[:0], false, nil, false, nil
			units, size, waitDone := 0, 0, false
			for {
				src.Recycle(getFree)
				ev, err := src.Next()
				if err != nil {
					b.final, b.err = true, err
					break
				}
				b.items = append(b.items, item[E, R]{ev: ev, mark: mark()})
				if _, n, ok := src.Unit(ev); ok {
					units++
					size += n
					if units >= cfg.BatchUnits || size >= cfg.BatchBytes {
						break
					}
				}
				if src.EndsInterchange(ev) {
					waitDone = src.Gate
					break
				}
			}
			// Capacity for every batch: these sends never block.
			order <- b
			if units > 0 {
				work <- b
			} else {
				b.ready <- struct{}{}
			}
			if b.final {
				return
			}
			if waitDone {
				select {
				case <-accepted:
				case <-stop:
					return
				}
			}
		}
	}()

	// validators
	for i := 0; i < cfg.Workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range work {
				select {
				case <-stop:
				default:
					validateBatch(b, src, validate, freeUnits, cfg.KeepUnit)
				}
				b.ready <- struct{}{}
			}
		}()
	}

	var once sync.Once
	shutdown := func() {
		once.Do(func() {
			close(stop)
			wg.Wait()
		})
	}
	// cut, when >= 0, is the mark to rewind to on the way out: Sequential
	// would not have decoded past the event being delivered.
	cut := -1
	defer func() {
		shutdown()
		if cut >= 0 && src.Rewind != nil {
			src.Rewind(cut)
		}
	}()
	for {
		b := <-order
		<-b.ready
		for i := range b.items {
			it := &b.items[i]
			cut = it.mark
			if b.panicked && i == b.panicAt {
				panic(b.panicVal)
			}
			if err := deliver(it.ev, it.res); err != nil {
				return err
			}
			if src.Gate && i == len(b.items)-1 && !b.final && src.EndsInterchange(it.ev) {
				accepted <- struct{}{}
			}
			*it = item[E, R]{}
		}
		if b.final {
			cut = -1
			if errors.Is(b.err, io.EOF) {
				return nil
			}
			return b.err
		}
		free <- b
	}
}

// validateBatch validates the units of b and recycles their memory. A
// panic in validate is kept for the consumer, which re-raises it where
// Sequential would have.
func validateBatch[E, U, R any](b *batch[E, R], src Source[E, U], validate func(U) R, freeUnits chan<- U, keep int) {
	i := 0
	defer func() {
		if p := recover(); p != nil {
			b.panicked, b.panicVal, b.panicAt = true, p, i
		}
	}()
	for ; i < len(b.items); i++ {
		it := &b.items[i]
		u, _, ok := src.Unit(it.ev)
		if !ok {
			continue
		}
		it.res = validate(u)
		src.Take(&it.ev)
		if src.Cap(u) <= keep {
			select {
			case freeUnits <- u:
			default:
			}
		}
	}
}
