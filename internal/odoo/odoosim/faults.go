package odoosim

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Fault injection for the gateway's reliability tests. A fault matches
// calls by model and method (empty matches any; the common service's
// calls have Model "common"), fires with a probability or for the next N
// matching calls, and does one of the things a real Odoo deployment does
// under stress.

// FaultKind is what happens to a matching call.
type FaultKind int

const (
	// Latency delays the call by Delay, then serves it normally.
	Latency FaultKind = iota
	// SerializationFailure answers as Odoo does once its own retries on a
	// PostgreSQL serialization failure are exhausted: XML-RPC fault 1 with
	// the traceback, JSON-RPC data.name
	// "psycopg2.errors.SerializationFailure", JSON-2 HTTP 500. Nothing is
	// written.
	SerializationFailure
	// HTTPStatus answers Status (502, 503, 504) with a proxy's HTML page,
	// as nginx in front of a dead or slow worker does.
	HTTPStatus
	// DropConnection closes the connection without a response, as a killed
	// worker (limit_time_real) does.
	DropConnection
	// Hang holds the call until the client gives up (or the server closes).
	Hang
)

// Fault describes one injected failure.
type Fault struct {
	Model  string // "" = any; "common" for common.version/authenticate
	Method string // "" = any
	Kind   FaultKind
	// Probability in (0, 1] fires randomly (seeded: Options.RandSeed); 0
	// means every matching call.
	Probability float64
	// Times limits the fault to the next N firings; 0 means unlimited.
	Times int
	// Delay is the Latency fault's delay.
	Delay time.Duration
	// Status is the HTTPStatus fault's status code (default 502).
	Status int
	// AfterCommit runs the call and commits it before failing, so the
	// client sees an error for work that was done: the case idempotency
	// keys exist for. It applies to HTTPStatus and DropConnection.
	AfterCommit bool
}

type activeFault struct {
	Fault
	fired int
}

type faultSet struct {
	mu     sync.Mutex
	rnd    *rand.Rand
	faults []*activeFault
}

func (f *faultSet) init(seed uint64) {
	f.rnd = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// Inject adds a fault; faults are checked in the order they were added.
func (s *Server) Inject(f Fault) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	if f.Kind == HTTPStatus && f.Status == 0 {
		f.Status = http.StatusBadGateway
	}
	s.faults.faults = append(s.faults.faults, &activeFault{Fault: f})
}

// ClearFaults removes all faults.
func (s *Server) ClearFaults() {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.faults = nil
}

// pick returns the fault that fires for the call, if any. Faults used up
// (Times reached) are dropped.
func (f *faultSet) pick(c rpcCall) *Fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	model, method := c.model, c.kwMethod
	if c.service != "object" || model == "" {
		model, method = c.service, c.method
	}
	for i, af := range f.faults {
		if (af.Model != "" && af.Model != model) || (af.Method != "" && af.Method != method) {
			continue
		}
		if af.Probability > 0 && f.rnd.Float64() >= af.Probability {
			continue
		}
		af.fired++
		out := af.Fault
		if af.Times > 0 && af.fired >= af.Times {
			f.faults = append(f.faults[:i:i], f.faults[i+1:]...)
		}
		return &out
	}
	return nil
}

func serializationFailure() *odooError {
	e := newPyError(clsSerialization, "could not serialize access due to concurrent update\n", []frame{
		odooFrame("sql_db.py", 354, "execute", "res = self._obj.execute(query, params)"),
	})
	e.frames = append(append([]frame{}, framesExecuteKw...), e.frames...)
	e.kw = true
	return e
}

// proxyPage is nginx's error page for an upstream failure.
func proxyPage(w http.ResponseWriter, status int) {
	text := http.StatusText(status)
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(status)
	_, _ = w.Write([]byte("<html>\r\n<head><title>" + strconv.Itoa(status) + " " + text + "</title></head>\r\n<body>\r\n<center><h1>" +
		strconv.Itoa(status) + " " + text + "</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"))
}

// dropConnection closes the client's connection without a response.
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	// Not hijackable (e.g. httptest.ResponseRecorder): abort the handler,
	// which net/http turns into a reset connection.
	panic(http.ErrAbortHandler)
}

// preFault applies a fault before the call runs. It returns true when the
// response has been written (or the connection dropped).
func (s *Server) preFault(w http.ResponseWriter, r *http.Request, f *Fault) bool {
	if f == nil {
		return false
	}
	switch f.Kind {
	case Latency:
		select {
		case <-time.After(f.Delay):
		case <-r.Context().Done():
		case <-s.stop:
		}
		return false
	case Hang:
		select {
		case <-r.Context().Done():
		case <-s.stop:
		}
		dropConnection(w)
		return true
	case HTTPStatus:
		if !f.AfterCommit {
			proxyPage(w, f.Status)
			return true
		}
	case DropConnection:
		if !f.AfterCommit {
			dropConnection(w)
			return true
		}
	}
	return false
}

// postFault applies an AfterCommit fault once the call has run.
func postFault(w http.ResponseWriter, f *Fault) bool {
	if f == nil || !f.AfterCommit {
		return false
	}
	switch f.Kind {
	case HTTPStatus:
		proxyPage(w, f.Status)
		return true
	case DropConnection:
		dropConnection(w)
		return true
	}
	return false
}
