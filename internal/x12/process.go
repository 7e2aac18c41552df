package x12

import "github.com/b2bgw/b2bgw/internal/orderedpipe"

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
	return orderedpipe.Sequential(d.source(), validate, a.deliver(done))
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

// deliver is add as the pipeline's deliver function.
func (a *assembler) deliver(done func(*InterchangeResult) error) func(Event, *SetResult) error {
	return func(ev Event, r *SetResult) error { return a.add(ev, r, done) }
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
	c := orderedpipe.DefaultConfig()
	return pipeConfig{workers: c.Workers, batchSets: c.BatchUnits, batchBytes: c.BatchBytes, keepSet: c.KeepUnit}
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

// source describes the decoder to the pipeline.
func (d *Decoder) source() orderedpipe.Source[Event, *Set] {
	return orderedpipe.Source[Event, *Set]{
		Next: d.Next,
		Unit: func(ev Event) (*Set, int, bool) {
			if ev.Kind != EventSet {
				return nil, 0, false
			}
			return ev.Set, len(ev.Set.bytes), true
		},
		Take: func(ev *Event) { ev.Set = nil },
		Cap:  func(s *Set) int { return cap(s.bytes) },
		Recycle: func(get func() (*Set, bool)) {
			// One validated set per set decoded keeps the free list from
			// running dry without hoarding.
			if len(d.free) == 0 {
				if s, ok := get(); ok {
					d.Reuse(s)
				}
			}
		},
		EndsInterchange: func(ev Event) bool { return ev.Kind == EventInterchangeEnd },
		Gate:            d.dup != nil, // do not read past an interchange done has not accepted
		Mark:            func() int { return len(d.strays) },
		Rewind:          func(n int) { d.strays = d.strays[:n] },
	}
}

func processParallel(d *Decoder, validate ValidateFunc, done func(*InterchangeResult) error, cfg pipeConfig) error {
	// The pipeline owns set memory: sets come back through Recycle once
	// validated, so the decoder must not take back the one it handed out.
	reuse := d.reuse
	d.reuse, d.last = false, nil
	defer func() { d.reuse = reuse }()
	var a assembler
	return orderedpipe.Parallel(d.source(), validate, a.deliver(done), orderedpipe.Config{
		Workers: cfg.workers, BatchUnits: cfg.batchSets, BatchBytes: cfg.batchBytes, Batches: cfg.batches, KeepUnit: cfg.keepSet,
	})
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
