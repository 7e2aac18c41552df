package translate

import "sync"

// unit is one set or message on its way through the pipeline.
type unit[U any] struct {
	u     U
	index int
	res   *Result
}

// unitBatch is a run of consecutive units; batches keep the input order.
type unitBatch[U any] struct {
	units []unit[U]
	ready chan struct{}
}

const batchSets = 32

// inOrder translates the units that produce pushes on t.opts.Workers
// goroutines, each with its own scratch from newWorker, and emits the
// results in input order on the calling goroutine, counting them in sum.
// produce runs on its own goroutine; push returns false once emitting
// failed and produce must stop. Memory stays bounded by the batches in
// flight. It returns emit's first error.
//
// recycle, when not nil, takes back a unit translate is done with (and
// whose Result does not refer to it): it is called on the producing
// goroutine, inside push, so the decoder can refill the unit's memory
// instead of allocating for every set.
func inOrder[U, W any](workers int, newWorker func() W, produce func(push func(U) bool),
	translate func(w W, u U, index int) *Result, emit func(*Result) error, sum *Summary,
	recycle func(u U, res *Result)) error {
	inflight := 2*workers + 2
	order := make(chan *unitBatch[U], inflight)
	work := make(chan *unitBatch[U], inflight)
	stop := make(chan struct{})
	// done carries finished units back to the producer; it is sized so a
	// worker never waits on it (a full channel just drops the unit).
	var done chan unit[U]
	if recycle != nil {
		done = make(chan unit[U], (inflight+1)*batchSets)
	}

	go func() {
		defer close(order)
		defer close(work)
		index := 0
		b := &unitBatch[U]{ready: make(chan struct{}, 1)}
		flush := func() bool {
			if len(b.units) == 0 {
				return true
			}
			// work first: a batch the consumer waits for is always
			// being translated, even when the consumer stopped.
			select {
			case work <- b:
			case <-stop:
				return false
			}
			select {
			case order <- b:
			case <-stop:
				return false
			}
			b = &unitBatch[U]{ready: make(chan struct{}, 1)}
			return true
		}
		stopped := false
		produce(func(u U) bool {
			if stopped {
				return false
			}
			// One unit back for each unit pushed: units come back a batch
			// at a time, and a decoder keeps only a small free list, so
			// the rest wait in done until the next units need them.
			if done != nil {
				select {
				case x := <-done:
					recycle(x.u, x.res)
				default:
				}
			}
			index++
			b.units = append(b.units, unit[U]{u: u, index: index})
			if len(b.units) >= batchSets && !flush() {
				stopped = true
			}
			return !stopped
		})
		if !stopped {
			flush()
		}
	}()

	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := newWorker()
			for b := range work {
				for i := range b.units {
					x := &b.units[i]
					x.res = translate(w, x.u, x.index)
					if done != nil {
						select {
						case done <- *x:
						default:
						}
					}
					var zero U
					x.u = zero
				}
				b.ready <- struct{}{}
			}
		}()
	}

	var emitErr error
	for b := range order {
		<-b.ready
		for i := range b.units {
			res := b.units[i].res
			if res.Err != nil {
				sum.Rejected++
			} else {
				sum.Accepted++
			}
			if emitErr == nil {
				if emitErr = emit(res); emitErr != nil {
					close(stop)
				}
			}
		}
	}
	wg.Wait()
	return emitErr
}
