package edifact

import (
	"bytes"

	"github.com/b2bgw/b2bgw/internal/orderedpipe"
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
	m.CheckRepertoire()
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
	check := func(m *Message) *MessageResult {
		m.CheckRepertoire() // when the decoder left it (WithDeferredRepertoire)
		return validate(m)
	}
	return orderedpipe.Sequential(d.source(), check, a.deliver(done))
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

// deliver is add as the pipeline's deliver function.
func (a *assembler) deliver(done func(*InterchangeResult) error) func(Event, *MessageResult) error {
	return func(ev Event, r *MessageResult) error { return a.add(ev, r, done) }
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
	c := orderedpipe.DefaultConfig()
	return pipeConfig{workers: c.Workers, batchMsgs: c.BatchUnits, batchBytes: c.BatchBytes, keepMsg: c.KeepUnit}
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

// source describes the decoder to the pipeline.
func (d *Decoder) source() orderedpipe.Source[Event, *Message] {
	return orderedpipe.Source[Event, *Message]{
		Next: d.Next,
		Unit: func(ev Event) (*Message, int, bool) {
			if ev.Kind != EventMessage {
				return nil, 0, false
			}
			return ev.Message, len(ev.Message.bytes), true
		},
		Take: func(ev *Event) { ev.Message = nil },
		Cap:  func(m *Message) int { return m.footprint() },
		Recycle: func(get func() (*Message, bool)) {
			if len(d.free) == 0 {
				if m, ok := get(); ok {
					d.Reuse(m)
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
	// The pipeline owns message memory: messages come back through
	// Recycle once validated, so the decoder must not recycle the one it
	// handed out.
	reuse := d.reuse
	d.reuse, d.handedOut = false, nil
	defer func() { d.reuse = reuse }()
	// The workers check the characters: the decoder is the serial stage.
	deferChars := d.deferChars
	d.deferChars = true
	defer func() { d.deferChars = deferChars }()
	check := func(m *Message) *MessageResult {
		m.CheckRepertoire()
		return validate(m)
	}
	var a assembler
	return orderedpipe.Parallel(d.source(), check, a.deliver(done), orderedpipe.Config{
		Workers: cfg.workers, BatchUnits: cfg.batchMsgs, BatchBytes: cfg.batchBytes, Batches: cfg.batches, KeepUnit: cfg.keepMsg,
	})
}
