package edifact

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/b2bgw/b2bgw/internal/benchgen"
	"github.com/b2bgw/b2bgw/internal/edifact/spec"
)

// procInput builds interchanges with clean and damaged ORDERS, groups,
// duplicate references, wrong counts and stray content; trunc adds a
// last interchange cut off inside a segment (a fatal error).
func procInput(rng *rand.Rand, interchanges int, trunc bool) string {
	var msgs [][]string
	var all []string
	var cur []string
	for _, s := range bytes.Split(benchgen.Edifact(8), []byte("'")) {
		seg := string(bytes.TrimSpace(s))
		if seg == "" {
			continue
		}
		all = append(all, seg)
		if strings.HasPrefix(seg, "UNH") {
			cur = nil
		}
		cur = append(cur, seg)
		if strings.HasPrefix(seg, "UNT") {
			msgs = append(msgs, cur)
		}
	}
	var b strings.Builder
	add := func(s string) { b.WriteString(s); b.WriteByte('\'') }
	message := func(ref int) int {
		segs := msgs[rng.IntN(len(msgs))]
		if rng.IntN(3) == 0 {
			segs = mutate(rng, segs, all)
		}
		n := 0
		for _, s := range segs {
			switch {
			case strings.HasPrefix(s, "UNH+"):
				s = fmt.Sprintf("UNH+%d+%s", ref, s[strings.Index(s[4:], "+")+5:])
			case strings.HasPrefix(s, "UNT+"):
				s = fmt.Sprintf("UNT+%d+%d", n+1, ref)
			}
			add(s)
			n++
		}
		return n
	}
	for i := 0; i < interchanges; i++ {
		ctrl := 100 + rng.IntN(4) // repeats now and then: duplicates
		if rng.IntN(2) == 0 {
			add("UNA:+.? ")
		}
		add(fmt.Sprintf("UNB+UNOA:3+SENDER:ZZ+RECEIVER:ZZ+250101:1200+%d", ctrl))
		count := 0
		if rng.IntN(3) == 0 {
			groups := 1 + rng.IntN(3)
			for g := 0; g < groups; g++ {
				gref := 7 + rng.IntN(3)
				add(fmt.Sprintf("UNG+ORDERS+S:ZZ+R:ZZ+250101:1200+%d+UN+D:96A", gref))
				k := 1 + rng.IntN(8)
				for m := 0; m < k; m++ {
					message(m + 1)
				}
				add(fmt.Sprintf("UNE+%d+%d", k, gref))
			}
			count = groups
		} else {
			count = 1 + rng.IntN(40)
			for m := 0; m < count; m++ {
				message(m + 1)
			}
		}
		if rng.IntN(8) == 0 {
			count++
		}
		add(fmt.Sprintf("UNZ+%d+%d", count, ctrl))
		if rng.IntN(10) == 0 {
			add("FTX+AAI+++STRAY") // content after the interchange
		}
	}
	if trunc {
		add("UNB+UNOA:3+SENDER:ZZ+RECEIVER:ZZ+250101:1200+999")
		message(1)
		b.WriteString("UNH+2+ORDERS:D:96A:UN'BGM+220+PO1") // no terminator: fatal
	}
	return b.String()
}

// procOutcome is everything a caller of Process can observe.
type procOutcome struct {
	results []*InterchangeResult
	err     error
	stray   []string
	ics     map[InterchangeKey]bool
	groups  map[GroupKey]bool
	panic   any
}

type procRun func(d *Decoder, v ValidateFunc, done func(*InterchangeResult) error) error

func runProc(run procRun, in string, v ValidateFunc, failAt int, ledger bool, opts ...DecoderOption) (out procOutcome) {
	var dup *MemoryDuplicates
	if ledger {
		dup = NewMemoryDuplicates()
		opts = append(opts, WithDuplicates(context.Background(), dup))
	}
	d := NewDecoder(strings.NewReader(in), opts...)
	defer func() {
		out.panic = recover()
		for _, s := range d.Stray() {
			out.stray = append(out.stray, s.Error())
		}
		if dup != nil {
			out.ics, out.groups = dup.ics, dup.groups
		}
	}()
	out.err = run(d, v, func(r *InterchangeResult) error {
		out.results = append(out.results, r)
		if len(out.results) == failAt {
			return fmt.Errorf("done fails on interchange %d", failAt)
		}
		return nil
	})
	return out
}

func compareOutcomes(t *testing.T, what string, want, got procOutcome) {
	t.Helper()
	if fmt.Sprint(want.err) != fmt.Sprint(got.err) {
		t.Fatalf("%s: error %v, Process %v", what, got.err, want.err)
	}
	if fmt.Sprint(want.panic) != fmt.Sprint(got.panic) {
		t.Fatalf("%s: panic %v, Process %v", what, got.panic, want.panic)
	}
	if len(want.results) != len(got.results) {
		t.Fatalf("%s: %d interchange results, Process %d", what, len(got.results), len(want.results))
	}
	for i := range want.results {
		if !reflect.DeepEqual(want.results[i], got.results[i]) {
			t.Fatalf("%s: interchange result %d differs:\nparallel %s\nProcess  %s", what, i, dumpResult(got.results[i]), dumpResult(want.results[i]))
		}
	}
	if !reflect.DeepEqual(want.stray, got.stray) {
		t.Fatalf("%s: strays %q, Process %q", what, got.stray, want.stray)
	}
	if want.panic != nil {
		return // the decoder may have read further into the same interchange
	}
	if !reflect.DeepEqual(want.ics, got.ics) || !reflect.DeepEqual(want.groups, got.groups) {
		t.Fatalf("%s: ledger %v %v, Process %v %v", what, got.ics, got.groups, want.ics, want.groups)
	}
}

func dumpResult(r *InterchangeResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "UNB %s %v", r.Interchange.Control, r.Interchange.Problems)
	msgs := func(ms []*MessageResult) {
		for _, m := range ms {
			fmt.Fprintf(&b, "\n  UNH %s %s %s %d segs", m.Ref, m.Type, m.Status, len(m.Segments))
		}
	}
	msgs(r.Messages)
	for _, g := range r.Groups {
		fmt.Fprintf(&b, "\n UNG %s %v", g.Group.Control, g.Group.Problems)
		msgs(g.Messages)
	}
	return b.String()
}

// shuffled wraps a ValidateFunc so messages finish out of order.
func shuffled(v ValidateFunc, seed uint64) ValidateFunc {
	var n atomic.Uint64
	return func(m *Message) *MessageResult {
		if (n.Add(1)*seed)%7 == 0 {
			time.Sleep(time.Duration(n.Load()%3) * 100 * time.Microsecond)
		}
		return v(m)
	}
}

func parallelWith(cfg pipeConfig) procRun {
	return func(d *Decoder, v ValidateFunc, done func(*InterchangeResult) error) error {
		return processParallel(d, v, done, cfg)
	}
}

func TestProcessParallelMatchesProcess(t *testing.T) {
	reg, err := spec.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	v := NewValidator(reg)
	configs := []pipeConfig{
		{workers: 2, batchMsgs: 1, batchBytes: 1 << 20, batches: 1, keepMsg: 1 << 20},
		{workers: 3, batchMsgs: 2, batchBytes: 1 << 20, batches: 3, keepMsg: 1 << 20},
		{workers: 2, batchMsgs: 5, batchBytes: 200, batches: 2, keepMsg: 0},
		{workers: 4, batchMsgs: 32, batchBytes: 256 << 10, keepMsg: 1 << 20},
	}
	seeds := uint64(16)
	if testing.Short() {
		seeds = 4
	}
	for seed := uint64(1); seed <= seeds; seed++ {
		rng := rand.New(rand.NewPCG(seed, 96))
		in := procInput(rng, 1+rng.IntN(6), seed%3 == 0)
		ledger := seed%2 == 0
		var opts []DecoderOption
		if seed%4 == 1 {
			opts = append(opts, WithReusedMessages()) // the CLI's option; the pipeline must override it
		}
		want := runProc(Process, in, v.Validate, 0, ledger)
		if len(want.results) == 0 {
			t.Fatalf("seed %d: the input has no interchange", seed)
		}
		for ci, cfg := range configs {
			what := fmt.Sprintf("seed %d config %d", seed, ci)
			got := runProc(parallelWith(cfg), in, shuffled(v.Validate, seed), 0, ledger, opts...)
			compareOutcomes(t, what, want, got)

			// done fails on one of the interchanges
			k := 1 + int(seed)%len(want.results)
			wantF := runProc(Process, in, v.Validate, k, ledger)
			gotF := runProc(parallelWith(cfg), in, shuffled(v.Validate, seed), k, ledger, opts...)
			compareOutcomes(t, what+fmt.Sprintf(" done fails at %d", k), wantF, gotF)
		}
	}
}

func TestProcessParallelFatalError(t *testing.T) {
	reg, err := spec.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	v := NewValidator(reg)
	in := procInput(rand.New(rand.NewPCG(9, 9)), 3, true)
	want := runProc(Process, in, v.Validate, 0, false)
	if want.err == nil || !Fatal(want.err) {
		t.Fatalf("the truncated input gives %v, want a fatal error", want.err)
	}
	got := runProc(parallelWith(pipeConfig{workers: 2, batchMsgs: 3, batchBytes: 1 << 20, keepMsg: 1 << 20}), in, v.Validate, 0, false)
	compareOutcomes(t, "truncated", want, got)

	// an I/O error from the reader
	ioErr := errors.New("disk on fire")
	mk := func() io.Reader { return io.MultiReader(strings.NewReader(in[:len(in)/2]), iotestErr{ioErr}) }
	var res []procOutcome
	for _, run := range []procRun{Process, parallelWith(pipeConfig{workers: 2, batchMsgs: 4, batchBytes: 1 << 20, keepMsg: 1 << 20})} {
		d := NewDecoder(mk())
		var out procOutcome
		out.err = run(d, v.Validate, func(r *InterchangeResult) error { out.results = append(out.results, r); return nil })
		res = append(res, out)
	}
	if !errors.Is(res[0].err, ioErr) {
		t.Fatalf("Process returned %v, want the reader's error", res[0].err)
	}
	compareOutcomes(t, "I/O error", res[0], res[1])
}

type iotestErr struct{ err error }

func (r iotestErr) Read([]byte) (int, error) { return 0, r.err }

func TestProcessParallelPanic(t *testing.T) {
	reg, err := spec.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	v := NewValidator(reg)
	in := procInput(rand.New(rand.NewPCG(4, 4)), 5, false)
	// The validator panics on one particular message (the pipeline
	// validates out of order, so "the 17th call" would not be the same).
	var target string
	d := NewDecoderBytes([]byte(in))
	for n := 0; ; {
		ev, err := d.Next()
		if err != nil {
			break
		}
		if ev.Kind == EventMessage {
			if n++; n == 17 {
				target = fmt.Sprint(ev.Message.Pos)
			}
		}
	}
	if target == "" {
		t.Fatal("the input has fewer than 17 messages")
	}
	onTarget := func(m *Message) *MessageResult {
		if fmt.Sprint(m.Pos) == target {
			panic("validator bug")
		}
		return v.Validate(m)
	}
	want := runProc(Process, in, onTarget, 0, true)
	if want.panic == nil {
		t.Fatal("Process did not panic")
	}
	got := runProc(parallelWith(pipeConfig{workers: 2, batchMsgs: 4, batchBytes: 1 << 20, keepMsg: 1 << 20}), in, onTarget, 0, true)
	compareOutcomes(t, "panic", want, got)
}

// BenchmarkProcessParallel: BenchmarkValidate through ProcessParallel.
func BenchmarkProcessParallel(b *testing.B) {
	reg, err := spec.Builtin()
	if err != nil {
		b.Skip(err)
	}
	v := NewValidator(reg)
	in := benchInput()
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if err := ProcessParallel(NewDecoderBytes(in, WithReusedMessages()), v.Validate, func(*InterchangeResult) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkProcessFile: decode and validate a file streamed from disk
// (B2BGW_EDIFACT_FILE, e.g. the 60 MB ORDERS of cmd/b2bgw-gen), with
// Process and with ProcessParallel.
//
//	B2BGW_EDIFACT_FILE=/tmp/b2bgw-bench/data/po-50m-edifact.edi go test ./internal/edifact -run '^$' -bench ProcessFile -benchtime 3x
func BenchmarkProcessFile(b *testing.B) {
	path := os.Getenv("B2BGW_EDIFACT_FILE")
	if path == "" {
		b.Skip("B2BGW_EDIFACT_FILE not set")
	}
	reg, err := spec.Builtin()
	if err != nil {
		b.Skip(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	v := NewValidator(reg)
	for _, run := range []struct {
		name string
		fn   procRun
	}{{"serial", Process}, {"parallel", ProcessParallel}} {
		b.Run(run.name, func(b *testing.B) {
			b.SetBytes(st.Size())
			b.ReportAllocs()
			for b.Loop() {
				f, err := os.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				msgs := 0
				err = run.fn(NewDecoder(f, WithReusedMessages()), v.Validate, func(r *InterchangeResult) error { msgs += len(r.Messages); return nil })
				f.Close()
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(msgs), "messages/op")
			}
		})
	}
}
