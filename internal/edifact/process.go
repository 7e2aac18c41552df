package edifact

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"sync"
)

// Detect reports whether b (the start of an input, a few bytes suffice)
// looks like EDIFACT: "UNA" and six service characters, or "UNB" and a
// data element separator, after an optional UTF-8 byte-order mark and
// white space. X12 starts with "ISA" and is never detected here.
func Detect(b []byte) bool {
	b = bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF"))
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) < 4 || b[0] != 'U' || b[1] != 'N' {
		return false
	}
	switch b[2] {
	case 'A':
		return !isAlnum(b[3]) && b[3] != ' '
	case 'B':
		return !isAlnum(b[3]) && b[3] != ' '
	}
	return false
}

// ValidateFunc validates one message (Validator.Validate fits).
type ValidateFunc func(*Message) *MessageResult

// EnvelopeOnly is a ValidateFunc that reports only what the decoder found
// (counts, references, bad tags, characters outside the repertoire), for
// messages without a directory specification.
func EnvelopeOnly(m *Message) *MessageResult {
	r := m.result()
	r.Problems = append(r.Problems, m.Problems...)
	r.Segments = append(r.Segments, m.SegmentErrors...)
	r.Status = statusOf(r, 0)
	return r
}

// statusOf derives a message's status from its findings; noted counts the
// errors an overlay accepts with a note.
func statusOf(r *MessageResult, noted int) Status {
	if hasError(r.Problems) {
		return Rejected
	}
	for i := range r.Segments {
		if r.Segments[i].HasErrors() {
			return Rejected
		}
	}
	if noted > 0 {
		return AcceptedWithErrors
	}
	return Accepted
}

// Process decodes every interchange of an input, validates each message
// with validate, and calls done with each interchange's result when the
// interchange ends (its trailer problems are known by then). Messages are
// validated as they arrive, so memory holds one message plus the small
// results.
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
		var r *MessageResult
		if ev.Kind == EventMessage {
			r = validate(ev.Message)
		}
		if err := a.add(ev, r, done); err != nil {
			return err
		}
	}
}

// assembler builds InterchangeResults from the decoder's events and the
// messages' results, in input order.
type assembler struct {
	cur *InterchangeResult
	grp *GroupResult
}

// add takes one event (with its result for a message) and calls done when
// an interchange ends.
func (a *assembler) add(ev Event, r *MessageResult, done func(*InterchangeResult) error) error {
	switch ev.Kind {
	case EventInterchangeStart:
		a.cur = &InterchangeResult{Interchange: ev.Interchange}
	case EventGroupStart:
		a.grp = &GroupResult{Group: ev.Group}
		a.cur.Groups = append(a.cur.Groups, a.grp)
	case EventMessage:
		if ev.Group != nil && a.grp != nil {
			a.grp.Messages = append(a.grp.Messages, r)
		} else {
			a.cur.Messages = append(a.cur.Messages, r)
		}
	case EventGroupEnd:
		a.grp = nil
	case EventInterchangeEnd:
		c := a.cur
		a.cur = nil
		return done(c)
	}
	return nil
}

// pipeConfig sizes the parallel pipeline; tests shrink it.
type pipeConfig struct {
	workers    int // validating goroutines
	batchMsgs  int // a batch is handed on after this many messages
	batchBytes int // ... or once its messages hold this many segment bytes
	batches    int // batches in flight at most (decoding, queued, validating, delivering)
	keepMsg    int // a message whose arena grew beyond this many bytes is not recycled
}

func defaultPipeConfig() pipeConfig {
	return pipeConfig{
		workers:    runtime.GOMAXPROCS(0),
		batchMsgs:  32,
		batchBytes: 256 << 10,
		keepMsg:    1 << 20,
	}
}

// ProcessParallel is Process with the messages validated on several
// cores: one goroutine decodes, GOMAXPROCS workers validate batches of
// messages, and the results are put back in input order before they are
// assembled, so done sees exactly what Process would give it, in the same
// order, and the return value is the same (nil at the end of the input,
// the decoder's fatal error after done was called for the interchange it
// broke off, or done's first error). done is called on the calling
// goroutine.
//
// validate must be safe for concurrent use (Validator.Validate is) and
// must not keep the message after it returns: message memory is recycled
// for the messages decoded later (the decoder's WithReusedMessages is
// overridden for that reason). At most a few hundred messages (and a few
// MiB of them) are in flight. When done fails, decoding stops; Stray then
// reports only what was found before the interchange done failed on, as
// with Process. With a duplicates ledger (WithDuplicates) the decoder
// never reads past an interchange that done has not accepted yet, so the
// ledger records exactly what Process would record (except after a panic
// in validate, which is re-raised on the calling goroutine).
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
	res    *MessageResult
	strays int // len(d.strays) when the event was handed out
}

// pBatch is a run of consecutive events. The decoder goroutine fills it,
// a worker validates its messages, the caller's goroutine assembles it.
type pBatch struct {
	items []pItem
	final bool  // the decoder's last word: err follows the items
	err   error // io.EOF or the decoder's fatal error
	// set by the worker: validate panicked on item panicAt
	panicked bool
	panicVal any
	panicAt  int
	ready    chan struct{} // signalled once the messages are validated (capacity 1)
}

func processParallel(d *Decoder, validate ValidateFunc, done func(*InterchangeResult) error, cfg pipeConfig) error {
	if cfg.batches <= 0 {
		cfg.batches = 2*cfg.workers + 2
	}
	// The pipeline owns message memory: messages come back through
	// freeMsgs once validated, so the decoder must not recycle the one it
	// handed out.
	reuse := d.reuse
	d.reuse, d.handedOut = false, nil

	gate := d.dup != nil // do not read past an interchange done has not accepted
	free := make(chan *pBatch, cfg.batches)
	for i := 0; i < cfg.batches; i++ {
		free <- &pBatch{ready: make(chan struct{}, 1)}
	}
	order := make(chan *pBatch, cfg.batches) // every batch, in input order
	work := make(chan *pBatch, cfg.batches)  // batches with messages to validate
	freeMsgs := make(chan *Message, cfg.batches*cfg.batchMsgs)
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
			msgs, size, waitDone := 0, 0, false
			for {
				if d.spare == nil {
					select {
					case m := <-freeMsgs:
						d.spare = m
					default:
					}
				}
				ev, err := d.Next()
				if err != nil {
					b.final, b.err = true, err
					break
				}
				b.items = append(b.items, pItem{ev: ev, strays: len(d.strays)})
				if ev.Kind == EventMessage {
					msgs++
					size += len(ev.Message.bytes)
					if msgs >= cfg.batchMsgs || size >= cfg.batchBytes {
						break
					}
				}
				if ev.Kind == EventInterchangeEnd {
					// Hand the interchange on now: on a slow stream its
					// result must not wait for the next messages to arrive.
					waitDone = gate
					break
				}
			}
			// Capacity for every batch: these sends never block.
			order <- b
			if msgs > 0 {
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
					validateBatch(b, validate, freeMsgs, cfg.keepMsg)
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

// validateBatch validates the messages of b and recycles their memory. A
// panic in validate is kept for the consumer, which re-raises it where
// Process would have.
func validateBatch(b *pBatch, validate ValidateFunc, freeMsgs chan<- *Message, keepMsg int) {
	i := 0
	defer func() {
		if p := recover(); p != nil {
			b.panicked, b.panicVal, b.panicAt = true, p, i
		}
	}()
	for ; i < len(b.items); i++ {
		it := &b.items[i]
		if it.ev.Kind != EventMessage {
			continue
		}
		m := it.ev.Message
		it.res = validate(m)
		it.ev.Message = nil
		if cap(m.bytes) <= keepMsg {
			select {
			case freeMsgs <- m:
			default:
			}
		}
	}
}
