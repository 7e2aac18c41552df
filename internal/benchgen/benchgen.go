// Package benchgen writes deterministic synthetic purchase orders for the
// parser benchmarks and tests: X12 004010 850 interchanges (with or without a
// newline after each terminator) and the same orders as one UN/EDIFACT D96A
// ORDERS interchange.
//
// It is a faithful port of the benchmark harness's generator (bench/gen,
// which is not shipped with the repository): with the same seed and the same
// number of orders the output is byte-identical, so figures measured with
// either are comparable. Keep it that way: a change to any table, field or
// the order in which random numbers are drawn changes every file, and the
// golden hashes in the tests will say so.
//
// Order i depends only on (seed, i), so files of every size share their first
// orders.
package benchgen

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// DefaultSeed is the seed of the published benchmark files.
const DefaultSeed uint64 = 850

// Stats describes one generated file.
type Stats struct {
	Orders   int   // purchase orders (transaction sets / messages)
	Segments int   // segments, including the envelope (UNA is not a segment)
	Bytes    int64 // bytes written
}

// Generator generates files for one seed. The zero value uses seed 0, which
// is valid but not the published files' seed; use New(DefaultSeed) or the
// package-level functions for those.
type Generator struct {
	Seed uint64
}

// New returns a Generator for seed.
func New(seed uint64) Generator { return Generator{Seed: seed} }

// X12 returns an X12 850 interchange of exactly orders orders with the
// default seed; newline adds "\n" after every segment terminator.
func X12(orders int, newline bool) []byte {
	var b bytes.Buffer
	_, _ = New(DefaultSeed).WriteX12(&b, orders, newline) // bytes.Buffer does not fail
	return b.Bytes()
}

// X12Size returns an X12 850 interchange with the default seed holding the
// orders needed for the newline variant to reach target bytes (see
// Generator.OrdersForSize). With newline false the orders are the same, so
// the file is a little smaller than target, as in the benchmark harness.
func X12Size(target int64, newline bool) []byte {
	g := New(DefaultSeed)
	return X12(g.OrdersForSize(target), newline)
}

// Edifact returns a D96A ORDERS interchange of exactly orders orders with
// the default seed.
func Edifact(orders int) []byte {
	var b bytes.Buffer
	_, _ = New(DefaultSeed).WriteEdifact(&b, orders)
	return b.Bytes()
}

// EdifactSize returns the EDIFACT interchange holding the same orders as
// X12Size(target, true); it is about 19 % larger than target.
func EdifactSize(target int64) []byte {
	return Edifact(New(DefaultSeed).OrdersForSize(target))
}

// WriteX12 writes an X12 850 interchange of orders orders to w.
func (g Generator) WriteX12(w io.Writer, orders int, newline bool) (Stats, error) {
	st, err := g.WriteFiles(Outputs{X12: pick(newline, w), X12NoNL: pick(!newline, w)}, orders, 0)
	if newline {
		return st.X12, err
	}
	return st.X12NoNL, err
}

// WriteEdifact writes a D96A ORDERS interchange of orders orders to w.
func (g Generator) WriteEdifact(w io.Writer, orders int) (Stats, error) {
	st, err := g.WriteFiles(Outputs{Edifact: w}, orders, 0)
	return st.Edifact, err
}

func pick(ok bool, w io.Writer) io.Writer {
	if ok {
		return w
	}
	return nil
}

// OrdersForSize returns the number of orders the benchmark harness puts in a
// file of target bytes: orders are added until the X12 file with newlines
// reaches target (the GE/IEA trailer is not counted), so the file is at
// least target bytes and at most one order plus the trailer larger.
func (g Generator) OrdersForSize(target int64) int {
	st, _ := g.WriteFiles(Outputs{}, 0, target)
	return st.X12.Orders
}

// Outputs are the destinations of WriteFiles; a nil writer is skipped.
type Outputs struct {
	X12     io.Writer // X12 with a newline after each terminator
	X12NoNL io.Writer // the same without newlines
	Edifact io.Writer // the same orders as EDIFACT
}

// FilesStats are the statistics of the three files of WriteFiles. X12 and
// X12NoNL are always filled in (the size target needs them); Edifact only
// when it was written.
type FilesStats struct {
	X12, X12NoNL, Edifact Stats
}

// WriteFiles writes the three variants in one pass. With orders > 0 it
// writes exactly that many orders; otherwise it adds orders until the X12
// file with newlines reaches target bytes (target <= 0 gives an empty
// interchange). The first write error stops it.
func (g Generator) WriteFiles(out Outputs, orders int, target int64) (FilesStats, error) {
	x := newEmitter(out.X12, '*', "~\n")
	xn := newEmitter(out.X12NoNL, '*', "~")
	e := newEmitter(out.Edifact, '+', "'")
	// Only the X12 newline file decides the size, so it is always formatted
	// (and discarded when not wanted); the others only when written.
	doXN, doE := out.X12NoNL != nil, out.Edifact != nil

	x12s := []*emitter{x}
	if doXN {
		x12s = append(x12s, xn)
	}
	for _, w := range x12s {
		// The ISA is fixed width (106 bytes with its terminator); ISA16 '>'
		// is the component separator.
		w.seg("ISA", "00", "          ", "00", "          ", "ZZ", "B2BGWSENDER    ", "ZZ", "B2BGWRECEIVER  ",
			"250101", "1200", "U", "00401", "000000001", "0", "P", ">")
		w.seg("GS", "PO", "B2BGWSENDER", "B2BGWRECEIVER", "20250101", "1200", "1", "X", "004010")
	}
	if doE {
		e.raw("UNA:+.? '")
		e.seg("UNB", "UNOA:2", "B2BGWSENDER:ZZ", "B2BGWRECEIVER:ZZ", "250101:1200", "1")
	}

	n := 0
	for {
		if orders > 0 && n >= orders {
			break
		}
		if orders <= 0 && x.bytes >= target {
			break
		}
		if err := firstErr(x, xn, e); err != nil {
			return FilesStats{}, err
		}
		o := makeOrder(g.Seed, n)
		ctl := fmt.Sprintf("%04d", n+1)
		for _, w := range x12s {
			writeX12Order(w, o, ctl)
		}
		if doE {
			writeEdifactOrder(e, o, strconv.Itoa(n+1))
		}
		n++
	}
	for _, w := range x12s {
		w.seg("GE", strconv.Itoa(n), "1")
		w.seg("IEA", "1", "000000001")
	}
	if doE {
		e.seg("UNZ", strconv.Itoa(n), "1")
	}
	for _, w := range []*emitter{x, xn, e} {
		w.flush()
	}
	if err := firstErr(x, xn, e); err != nil {
		return FilesStats{}, err
	}
	st := FilesStats{
		X12:     Stats{Orders: n, Segments: x.segments, Bytes: x.bytes},
		X12NoNL: Stats{Orders: n, Segments: x.segments, Bytes: x.bytes - int64(x.segments)},
		Edifact: Stats{Orders: n, Segments: e.segments, Bytes: e.bytes},
	}
	return st, nil
}

func firstErr(ws ...*emitter) error {
	for _, w := range ws {
		if w.err != nil {
			return w.err
		}
	}
	return nil
}

// emitter formats segments into a buffer and writes it out in large chunks;
// with a nil writer it only counts.
type emitter struct {
	w        io.Writer
	buf      []byte
	sep      byte
	term     string
	segments int
	bytes    int64
	err      error
}

const flushAt = 64 << 10

func newEmitter(w io.Writer, sep byte, term string) *emitter {
	return &emitter{w: w, buf: make([]byte, 0, flushAt+4096), sep: sep, term: term}
}

func (w *emitter) raw(s string) {
	w.buf = append(w.buf, s...)
	w.bytes += int64(len(s))
}

// seg writes one segment: the tag, the elements each preceded by the
// element separator, then the terminator (and newline).
func (w *emitter) seg(tag string, els ...string) {
	n := len(w.buf)
	w.buf = append(w.buf, tag...)
	for _, e := range els {
		w.buf = append(w.buf, w.sep)
		w.buf = append(w.buf, e...)
	}
	w.buf = append(w.buf, w.term...)
	w.bytes += int64(len(w.buf) - n)
	w.segments++
	if len(w.buf) >= flushAt {
		w.flush()
	}
}

func (w *emitter) flush() {
	if w.w != nil && w.err == nil && len(w.buf) > 0 {
		_, w.err = w.w.Write(w.buf)
	}
	w.buf = w.buf[:0]
}

// ParseSize reads a size such as "50MB", "1.5GB", "800KB" or "1000"
// (decimal units: 1 MB = 10^6 bytes, as in the benchmark results).
func ParseSize(s string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	mult := int64(1)
	switch {
	case strings.HasSuffix(t, "KB"):
		mult, t = 1000, strings.TrimSuffix(t, "KB")
	case strings.HasSuffix(t, "MB"):
		mult, t = 1000*1000, strings.TrimSuffix(t, "MB")
	case strings.HasSuffix(t, "GB"):
		mult, t = 1000*1000*1000, strings.TrimSuffix(t, "GB")
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil {
		return 0, fmt.Errorf("size %q: want a number with an optional KB, MB or GB suffix", s)
	}
	if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("size %q: must be a finite number, not negative", s)
	}
	return int64(v * float64(mult)), nil
}
