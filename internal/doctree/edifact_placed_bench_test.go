package doctree

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"

	"github.com/b2bgw/b2bgw/internal/edifact"
	espec "github.com/b2bgw/b2bgw/internal/edifact/spec"
)

// BenchmarkEDIFACTPerMessage measures what translate's EDIFACT side costs
// per message after decoding, one message per op over the benchmark
// file's first 2,000 ORDERS (decoded once, kept): "validate" validates
// with the benchmark's overlay (every message accepted), "tree" also
// builds the mapping's tree from the validator's placement as translate
// does, "walk" builds it by walking the groups itself. cpu-ns/msg (the
// process's CPU time) of "tree" minus that of "validate" is the tree's
// share; one message per op suits callgrind (bash /tmp/h1/ir.sh).
// Skips without the file (B2BGW_BENCH_EDIFACT overrides
// /tmp/b2bgw-bench/data/po-50m-edifact.edi).
//
//	go test ./internal/doctree -run '^$' -bench EDIFACTPerMessage -benchmem -cpu 1 -count 5
func BenchmarkEDIFACTPerMessage(b *testing.B) {
	name := os.Getenv("B2BGW_BENCH_EDIFACT")
	if name == "" {
		name = "/tmp/b2bgw-bench/data/po-50m-edifact.edi"
	}
	data, err := os.ReadFile(name)
	if err != nil {
		b.Skipf("no benchmark input: %v", err)
	}
	// Cut after the 2000th UNT; the decoder reports the missing UNZ,
	// which costs nothing measurable.
	cut := 0
	for n := 0; n < 2000; n++ {
		i := bytes.Index(data[cut:], []byte("'UNT+"))
		if i < 0 {
			break
		}
		cut += i + 1
	}
	cut += bytes.IndexByte(data[cut:], '\'') + 1
	var msgs []*edifact.Message
	d := edifact.NewDecoderBytes(data[:cut])
	for {
		ev, err := d.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		if ev.Kind == edifact.EventMessage {
			ev.Message.ToUTF8()
			msgs = append(msgs, ev.Message)
		}
	}
	reg, err := espec.Builtin()
	if err != nil {
		b.Fatal(err)
	}
	ms, ok := reg.Message("D96A", "ORDERS")
	if !ok {
		b.Fatal("no D96A ORDERS spec")
	}
	ov, err := espec.LoadOverlayFile("../../testdata/edifact/overlay-dp.yaml")
	if err != nil {
		b.Fatal(err)
	}
	shape := CompileEDIFACT(ms)
	v := edifact.NewValidator(reg, edifact.WithOverlay(ov))
	for _, stage := range []string{"validate", "tree", "walk"} {
		b.Run(stage, func(b *testing.B) {
			b.ReportAllocs()
			var tree *EDIFACTTree
			var placed edifact.Placement
			i := 0
			cpu := processCPU()
			for b.Loop() {
				m := msgs[i]
				if i++; i == len(msgs) {
					i = 0
				}
				if r := v.ValidatePlaced(m, &placed); r.Status != edifact.Accepted {
					b.Fatalf("message %s is not clean: %v", m.Ref, r.Segments)
				}
				switch stage {
				case "tree":
					tree = ReuseMessagePlaced(tree, m, shape, &placed)
				case "walk":
					tree = ReuseMessage(tree, m, shape)
				}
			}
			b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/msg")
		})
	}
}
