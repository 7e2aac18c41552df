package x12

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/b2bgw/b2bgw/internal/x12/spec"
)

// ProcessParallel must be indistinguishable from Process: the same
// InterchangeResults in the same order, the same error, the same strays,
// the same ledger entries, whatever the batch sizes and the order in which
// the workers finish.

// procInput builds a file of several interchanges and groups with clean
// sets, sets in error, missing trailers, sets outside groups, stray
// content and (when trunc) a final interchange cut off inside a segment.
func procInput(rng *rand.Rand, interchanges int, trunc bool) string {
	var b strings.Builder
	add := func(s string) { b.WriteString(s); b.WriteString("~\n") }
	clean := func(ctl string, lines int) {
		body := []string{"BEG*00*SA*4500012345**20240115", "REF*DP*038", "DTM*002*20240201",
			"N1*ST*ACME DC 42*92*0042", "N3*100 MAIN STREET", "N4*SPRINGFIELD*IL*62701"}
		for i := 1; i <= lines; i++ {
			body = append(body, fmt.Sprintf("PO1*%d*%d*EA*%d.95**UP*0123456%05d", i, i%7+1, i%50+1, i), "PID*F****BLUE WIDGET")
		}
		body = append(body, fmt.Sprintf("CTT*%d", lines))
		add("ST*850*" + ctl)
		for _, s := range body {
			add(s)
		}
		add(fmt.Sprintf("SE*%d*%s", len(body)+2, ctl))
	}
	set := func(ctl string) {
		switch rng.IntN(12) {
		case 0: // element errors: bad code, bad date, too long
			add("ST*850*" + ctl)
			add("BEG*99*SA*4500012345**20241399")
			add("PO1*1*10*ZZ*9.95**UP*012345678905")
			add("CTT*2")
			add("SE*5*" + ctl)
		case 1: // unknown and misplaced segments, missing BEG
			add("ST*850*" + ctl)
			add("ZZZ*1")
			add("PO1*1*10*EA*9.95**UP*012345678905")
			add("N1*ST*LATE")
			add("CTT*1")
			add("SE*6*" + ctl)
		case 2: // wrong SE01 and SE02
			add("ST*850*" + ctl)
			add("BEG*00*SA*1**20240115")
			add("SE*9*X" + ctl)
		case 3: // SE missing: the next ST (or GE) closes it
			add("ST*850*" + ctl)
			add("BEG*00*SA*1**20240115")
		case 4: // a bad tag and an empty segment inside the set
			add("ST*850*" + ctl)
			add("BEG*00*SA*1**20240115")
			add("b@d*1")
			b.WriteString("~\n")
			add("SE*5*" + ctl)
		case 5: // a set nobody has a spec for
			add("ST*999*" + ctl)
			add("AK1*PO*1")
			add("SE*3*" + ctl)
		default:
			clean(ctl, 1+rng.IntN(8))
		}
	}
	for ic := 1; ic <= interchanges; ic++ {
		ctl := fmt.Sprintf("%09d", ic)
		if rng.IntN(8) == 0 && ic > 1 {
			ctl = fmt.Sprintf("%09d", ic-1) // duplicate control number
		}
		add("ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240115*1200*U*00401*" + ctl + "*0*P*>")
		if rng.IntN(10) == 0 {
			set("0900") // outside any group
		}
		groups := 1 + rng.IntN(3)
		for g := 1; g <= groups; g++ {
			add(fmt.Sprintf("GS*PO*S*R*20240115*1200*%d*X*004010", g))
			n := rng.IntN(12)
			for s := 1; s <= n; s++ {
				set(fmt.Sprintf("%04d", s))
			}
			if rng.IntN(8) != 0 {
				add(fmt.Sprintf("GE*%d*%d", n+rng.IntN(2), g))
			}
		}
		if rng.IntN(8) != 0 {
			add(fmt.Sprintf("IEA*%d*%s", groups, ctl))
		}
		if rng.IntN(10) == 0 {
			add("REF*ZZ*STRAY") // content after the interchange
		}
	}
	if trunc {
		add("ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240115*1200*U*00401*000000999*0*P*>")
		add("GS*PO*S*R*20240115*1200*1*X*004010")
		clean("0001", 2)
		b.WriteString("ST*850*0002~BEG*00*SA*1") // no terminator: fatal
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
		// After a panic in validate the decoder may have read further into
		// the same interchange (its later GS are in the ledger).
		return
	}
	if !reflect.DeepEqual(want.ics, got.ics) || !reflect.DeepEqual(want.groups, got.groups) {
		t.Fatalf("%s: ledger %v %v, Process %v %v", what, got.ics, got.groups, want.ics, want.groups)
	}
}

func dumpResult(r *InterchangeResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "ISA %s %v", r.Interchange.Control, r.Interchange.Problems)
	for _, g := range r.Groups {
		if g.Group != nil {
			fmt.Fprintf(&b, "\n GS %s %v", g.Group.Control, g.Group.Problems)
		}
		for _, s := range g.Sets {
			fmt.Fprintf(&b, "\n  ST %s %s %s %v %d segs", s.ID, s.Control, s.Status, s.Codes, len(s.Segments))
		}
	}
	return b.String()
}

// shuffled wraps a ValidateFunc so sets finish out of order.
func shuffled(v ValidateFunc, seed uint64) ValidateFunc {
	var n atomic.Uint64
	return func(s *Set) *SetResult {
		if (n.Add(1)*seed)%7 == 0 {
			time.Sleep(time.Duration(n.Load()%3) * 100 * time.Microsecond)
		}
		return v(s)
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
		{workers: 2, batchSets: 1, batchBytes: 1 << 20, batches: 1, keepSet: 1 << 20},
		{workers: 3, batchSets: 2, batchBytes: 1 << 20, batches: 3, keepSet: 1 << 20},
		{workers: 2, batchSets: 5, batchBytes: 200, batches: 2, keepSet: 0},
		{workers: 4, batchSets: 32, batchBytes: 256 << 10, keepSet: 1 << 20},
	}
	for seed := uint64(1); seed <= 24; seed++ {
		rng := rand.New(rand.NewPCG(seed, 850))
		in := procInput(rng, 1+rng.IntN(6), seed%3 == 0)
		ledger := seed%2 == 0
		var opts []DecoderOption
		if seed%4 == 1 {
			opts = append(opts, WithReusedSets()) // the CLI's option; the pipeline must override it
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
	last := want.results[len(want.results)-1].Interchange
	if len(last.Problems) == 0 || last.Problems[len(last.Problems)-1].Code != TA1PrematureEOF {
		t.Fatalf("the broken-off interchange has no TA1 023: %v", last.Problems)
	}
	got := runProc(parallelWith(pipeConfig{workers: 2, batchSets: 3, batchBytes: 1 << 20, keepSet: 1 << 20}), in, v.Validate, 0, false)
	compareOutcomes(t, "truncated", want, got)

	// an I/O error from the reader
	ioErr := errors.New("disk on fire")
	mk := func() io.Reader { return io.MultiReader(strings.NewReader(in[:len(in)/2]), iotestErr{ioErr}) }
	var res []procOutcome
	for _, run := range []procRun{Process, parallelWith(defaultPipeConfig())} {
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
	// The validator panics on one particular set (the pipeline validates
	// out of order, so "the 17th call" would not be the same set).
	var target string
	d := NewDecoderBytes([]byte(in))
	for n := 0; ; {
		ev, err := d.Next()
		if err != nil {
			break
		}
		if ev.Kind == EventSet {
			if n++; n == 17 {
				target = fmt.Sprint(ev.Set.Pos)
			}
		}
	}
	if target == "" {
		t.Fatal("the input has fewer than 17 sets")
	}
	onTarget := func(s *Set) *SetResult {
		if fmt.Sprint(s.Pos) == target {
			panic("validator bug")
		}
		return v.Validate(s)
	}
	want := runProc(Process, in, onTarget, 0, true)
	if want.panic == nil {
		t.Fatal("Process did not panic")
	}
	got := runProc(parallelWith(pipeConfig{workers: 2, batchSets: 4, batchBytes: 1 << 20, keepSet: 1 << 20}), in, onTarget, 0, true)
	compareOutcomes(t, "panic", want, got)
}

type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// TestProcessParallelBounded: while the set delivered next is held up, the
// decoder stops after a bounded number of sets instead of reading on.
func TestProcessParallelBounded(t *testing.T) {
	reg, err := spec.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	v := NewValidator(reg)
	var b strings.Builder
	b.WriteString(isa4010 + "\nGS*PO*S*R*20240115*1200*1*X*004010~\n")
	const sets = 20000
	for i := 1; i <= sets; i++ {
		fmt.Fprintf(&b, "ST*850*%05d~BEG*00*SA*1**20240115~PO1*1*1*EA*1**UP*012345678905~CTT*1~SE*5*%05d~\n", i, i)
	}
	fmt.Fprintf(&b, "GE*%d*1~IEA*1*000000001~\n", sets)
	in := b.String() // about 2 MB
	var read, readWhileBlocked atomic.Int64
	var calls atomic.Int64
	slowFirst := func(s *Set) *SetResult {
		if s.Control == "00001" {
			time.Sleep(200 * time.Millisecond)
			readWhileBlocked.Store(read.Load())
		}
		calls.Add(1)
		return v.Validate(s)
	}
	cfg := pipeConfig{workers: 2, batchSets: 8, batchBytes: 1 << 20, batches: 4, keepSet: 1 << 20}
	d := NewDecoder(countingReader{strings.NewReader(in), &read})
	var got *InterchangeResult
	if err := processParallel(d, slowFirst, func(r *InterchangeResult) error { got = r; return nil }, cfg); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != sets || got == nil || len(got.Groups) != 1 || len(got.Groups[0].Sets) != sets {
		t.Fatalf("validated %d sets, delivered %v", calls.Load(), got != nil)
	}
	for i, r := range got.Groups[0].Sets {
		if want := fmt.Sprintf("%05d", i+1); r.Control != want || r.Status != Accepted {
			t.Fatalf("set %d is %s %s, want %s accepted", i, r.Control, r.Status, want)
		}
	}
	// 4 batches of 8 sets of ~100 bytes, plus the reader's buffer
	if n := readWhileBlocked.Load(); n > 256<<10 {
		t.Fatalf("the decoder read %d bytes ahead while the first set was held up", n)
	}
}

func BenchmarkProcessFile(b *testing.B) {
	data := benchX12File(b)
	if len(data) > 10<<20 {
		// the first ~10 MB: whole interchange structure is not needed
		data = data[:10<<20]
	}
	reg, err := spec.Builtin()
	if err != nil {
		b.Fatal(err)
	}
	v := NewValidator(reg)
	for _, mode := range []struct {
		name string
		run  procRun
		opts []DecoderOption
	}{
		{"sequential", Process, []DecoderOption{WithReusedSets()}},
		{"parallel", ProcessParallel, nil},
	} {
		b.Run(mode.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				d := NewDecoderBytes(data, mode.opts...)
				_ = mode.run(d, v.Validate, func(*InterchangeResult) error { return nil })
			}
		})
	}
}

// TestProcessParallelStrayAfterFailure: content after an IEA is found by
// the decoder's next step; when done fails on that interchange, Process
// never takes that step, so Stray must not report it either.
func TestProcessParallelStrayAfterFailure(t *testing.T) {
	reg, err := spec.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	v := NewValidator(reg)
	var b strings.Builder
	for ic := 1; ic <= 3; ic++ {
		ctl := fmt.Sprintf("%09d", ic)
		b.WriteString("ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240115*1200*U*00401*" + ctl + "*0*P*>~\n")
		b.WriteString("GS*PO*S*R*20240115*1200*1*X*004010~\nST*850*0001~BEG*00*SA*1**20240115~PO1*1*1*EA*1**UP*012345678905~CTT*1~SE*5*0001~\nGE*1*1~\n")
		b.WriteString("IEA*1*" + ctl + "~\nREF*ZZ*STRAY" + ctl + "~\n")
	}
	in := b.String()
	for k := 0; k <= 3; k++ {
		want := runProc(Process, in, v.Validate, k, false)
		if k > 0 && len(want.stray) != k-1 {
			t.Fatalf("done fails at %d: Process reports %d strays, want %d", k, len(want.stray), k-1)
		}
		got := runProc(parallelWith(pipeConfig{workers: 2, batchSets: 8, batchBytes: 1 << 20, keepSet: 1 << 20}), in, v.Validate, k, false)
		compareOutcomes(t, fmt.Sprintf("done fails at %d", k), want, got)
	}
}
