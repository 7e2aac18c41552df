package x12

import (
	"errors"
	"io"
	"runtime"
	"sync"
)

// ValidateFunc validates one set (Validator.Validate fits).
type ValidateFunc func(*Set) *SetResult

// Process decodes every interchange of an input, validates each set with
// validate, and calls done with each interchange's result when the
// interchange ends (its trailer problems are known by then). Sets are
// validated as they arrive, so memory holds one set plus the small results.
//
// It returns nil at the end of the input, the decoder's fatal error (after
// done was called for the interchange it broke off), or done's error.
func Process(d *Decoder, validate ValidateFunc, done func(*InterchangeResult) error) error {
	var a assembler
	for {
		ev, err := d.Next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		var r *SetResult
		if ev.Kind == EventSet {
			r = validate(ev.Set)
		}
		if err := a.add(ev, r, done); err != nil {
			return err
		}
	}
}

// assembler builds InterchangeResults from the decoder's events and the
// sets' results, in input order.
type assembler struct {
	cur *InterchangeResult
	grp *GroupResult
}

// add takes one event (with its result for a set) and calls done when an
// interchange ends.
func (a *assembler) add(ev Event, r *SetResult, done func(*InterchangeResult) error) error {
	switch ev.Kind {
	case EventInterchangeStart:
		a.cur = &InterchangeResult{Interchange: ev.Interchange}
	case EventGroupStart:
		a.grp = &GroupResult{Group: ev.Group}
		a.cur.Groups = append(a.cur.Groups, a.grp)
	case EventSet:
		if ev.Group == nil {
			// A set outside any group still gets a result (it is
			// rejected with AK502 18); it is kept under a nil group.
			a.cur.Groups = append(a.cur.Groups, &GroupResult{Sets: []*SetResult{r}})
			return nil
		}
		a.grp.Sets = append(a.grp.Sets, r)
	case EventGroupEnd:
		a.grp = nil
	case EventInterchangeEnd:
		cur := a.cur
		a.cur = nil
		return done(cur)
	}
	return nil
}

// pipeConfig sizes the parallel pipeline; tests shrink it.
type pipeConfig struct {
	workers    int // validating goroutines
	batchSets  int // a batch is handed on after this many sets
	batchBytes int // ... or once its sets hold this many segment bytes
	batches    int // batches in flight at most (decoding, queued, validating, delivering)
	keepSet    int // a set whose arena grew beyond this many bytes is not recycled
}

func defaultPipeConfig() pipeConfig {
	return pipeConfig{
		workers:    runtime.GOMAXPROCS(0),
		batchSets:  32,
		batchBytes: 256 << 10,
		keepSet:    1 << 20,
	}
}

// ProcessParallel is Process with the sets validated on several cores: one
// goroutine decodes, GOMAXPROCS workers validate batches of sets, and the
// results are put back in input order before they are assembled, so done
// sees exactly what Process would give it, in the same order, and the
// return value is the same (nil at the end of the input, the decoder's
// fatal error after done was called for the interchange it broke off, or
// done's first error). done is called on the calling goroutine.
//
// validate must be safe for concurrent use (Validator.Validate is) and must
// not keep the set after it returns: set memory is recycled for the sets
// decoded later (the decoder's WithReusedSets is overridden for that
// reason). At most a few hundred sets (and a few MiB of them) are in
// flight. When done fails, decoding stops; Stray then reports only what
// was found before the interchange done failed on, as with Process. With a
// duplicates ledger (WithDuplicates) the decoder never reads past an
// interchange that done has not accepted yet, so the ledger records
// exactly what Process would record (except after a panic in validate,
// which is re-raised on the calling goroutine: the ledger may then hold
// groups of the same interchange that come after the panicking set).
//
// With GOMAXPROCS 1 it is Process.
func ProcessParallel(d *Decoder, validate ValidateFunc, done func(*InterchangeResult) error) error {
	cfg := defaultPipeConfig()
	if cfg.workers < 2 {
		return Process(d, validate, done)
	}
	return processParallel(d, validate, done, cfg)
}

// pItem is one decoder event in a batch, with what it needs downstream.
type pItem struct {
	ev     Event
	res    *SetResult
	strays int // len(d.strays) when the event was handed out
}

// pBatch is a run of consecutive events. The decoder goroutine fills it,
// a worker validates its sets, the caller's goroutine assembles it.
type pBatch struct {
	items []pItem
	final bool  // the decoder's last word: err follows the items
	err   error // io.EOF or the decoder's fatal error
	// set by the worker: validate panicked on item panicAt
	panicked bool
	panicVal any
	panicAt  int
	ready    chan struct{} // signalled once the sets are validated (capacity 1)
}

func processParallel(d *Decoder, validate ValidateFunc, done func(*InterchangeResult) error, cfg pipeConfig) error {
	if cfg.batches <= 0 {
		cfg.batches = 2*cfg.workers + 2
	}
	// The pipeline owns set memory: sets come back through freeSets once
	// validated, so the decoder must not recycle the one it handed out.
	reuse := d.reuse
	d.reuse, d.handedOut = false, nil

	gate := d.dup != nil // do not read past an interchange done has not accepted
	free := make(chan *pBatch, cfg.batches)
	for i := 0; i < cfg.batches; i++ {
		free <- &pBatch{ready: make(chan struct{}, 1)}
	}
	order := make(chan *pBatch, cfg.batches) // every batch, in input order
	work := make(chan *pBatch, cfg.batches)  // batches with sets to validate
	freeSets := make(chan *Set, cfg.batches*cfg.batchSets)
	accepted := make(chan struct{}, 1) // done accepted the interchange that ended a batch
	stop := make(chan struct{})
	var wg sync.WaitGroup

	// decoder
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(work)
		for {
			var b *pBatch
			select {
			case b = <-free:
			case <-stop:
				return
			}
			b.items, b.final, b.err, b.panicked, b.panicVal = b.items[:0], false, nil, false, nil
			sets, size, waitDone := 0, 0, false
			for {
				if d.spare == nil {
					select {
					case s := <-freeSets:
						d.spare = s
					default:
					}
				}
				ev, err := d.Next()
				if err != nil {
					b.final, b.err = true, err
					break
				}
				b.items = append(b.items, pItem{ev: ev, strays: len(d.strays)})
				if ev.Kind == EventSet {
					sets++
					size += len(ev.Set.bytes)
					if sets >= cfg.batchSets || size >= cfg.batchBytes {
						break
					}
				}
				if ev.Kind == EventInterchangeEnd {
					// Hand the interchange on now: on a slow stream its
					// result must not wait for the next sets to arrive.
					waitDone = gate
					break
				}
			}
			// Capacity for every batch: these sends never block.
			order <- b
			if sets > 0 {
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
	for i := 0; i < cfg.workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range work {
				select {
				case <-stop:
				default:
					validateBatch(b, validate, freeSets, cfg.keepSet)
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
	// cut, when >= 0, is where Stray is cut back to on the way out: Process
	// would not have decoded past the event being delivered.
	cut := -1
	defer func() {
		shutdown()
		if cut >= 0 {
			d.strays = d.strays[:cut]
		}
		d.reuse = reuse
	}()
	var a assembler
	for {
		b := <-order
		<-b.ready
		for i := range b.items {
			it := &b.items[i]
			cut = it.strays
			if b.panicked && i == b.panicAt {
				panic(b.panicVal)
			}
			if err := a.add(it.ev, it.res, done); err != nil {
				return err
			}
			if gate && it.ev.Kind == EventInterchangeEnd && i == len(b.items)-1 && !b.final {
				accepted <- struct{}{}
			}
			*it = pItem{}
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

// validateBatch validates the sets of b and recycles their memory. A panic
// in validate is kept for the consumer, which re-raises it where Process
// would have.
func validateBatch(b *pBatch, validate ValidateFunc, freeSets chan<- *Set, keepSet int) {
	i := 0
	defer func() {
		if p := recover(); p != nil {
			b.panicked, b.panicVal, b.panicAt = true, p, i
		}
	}()
	for ; i < len(b.items); i++ {
		it := &b.items[i]
		if it.ev.Kind != EventSet {
			continue
		}
		s := it.ev.Set
		it.res = validate(s)
		it.ev.Set = nil
		if cap(s.bytes) <= keepSet {
			select {
			case freeSets <- s:
			default:
			}
		}
	}
}

// EnvelopeOnly is a ValidateFunc that reports only what the decoder found
// (counts, control numbers, bad tags), for sets without a spec.
func EnvelopeOnly(s *Set) *SetResult {
	r := &SetResult{ID: s.ID, Control: s.Control, ImplementationRef: s.ImplementationRef, Pos: s.Pos, Status: Accepted}
	for _, p := range s.Problems {
		r.Codes = append(r.Codes, p.Code)
	}
	r.Segments = append(r.Segments, s.SegmentErrors...)
	if len(r.Segments) > 0 && len(r.Codes) == 0 {
		r.Codes = append(r.Codes, SetSegmentsInError)
	}
	if len(r.Codes) > 0 {
		r.Status = Rejected
	}
	return r
}
