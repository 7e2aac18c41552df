// Command b2bgw-gen writes the deterministic synthetic purchase-order files
// used by the parser benchmarks (see internal/benchgen):
//
//	<prefix>-x12.edi        X12 004010 850, one ISA/GS, '~' + newline after each segment
//	<prefix>-x12-nonl.edi   the same bytes without the newlines
//	<prefix>-edifact.edi    the same orders as one UN/EDIFACT D96A ORDERS interchange
//
// The files are byte-identical to those of the benchmark harness's generator
// for the same flags, so published figures can be reproduced from a clone:
//
//	go run ./cmd/b2bgw-gen -size 50MB -out /tmp/b2bgw-bench/data -prefix po-50m
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/b2bgw/b2bgw/internal/benchgen"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit code (0 ok, 1 I/O
// error, 2 usage) so tests can call it.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("b2bgw-gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	size := fs.String("size", "50MB", "target size of the X12 (newline) file; orders are added until it is reached (KB/MB/GB are powers of 1000)")
	orders := fs.Int("orders", 0, "exact number of orders (overrides -size)")
	seed := fs.Uint64("seed", benchgen.DefaultSeed, "PRNG seed")
	out := fs.String("out", ".", "output directory")
	prefix := fs.String("prefix", "po", "file name prefix")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "b2bgw-gen: unexpected arguments %q\n", fs.Args())
		return 2
	}
	if *orders < 0 {
		fmt.Fprintln(stderr, "b2bgw-gen: -orders must not be negative")
		return 2
	}
	target, err := benchgen.ParseSize(*size)
	if err != nil {
		fmt.Fprintln(stderr, "b2bgw-gen: -size:", err)
		return 2
	}
	if err := generate(benchgen.New(*seed), *out, *prefix, *orders, target, stdout); err != nil {
		fmt.Fprintln(stderr, "b2bgw-gen:", err)
		return 1
	}
	return 0
}

func generate(g benchgen.Generator, dir, prefix string, orders int, target int64, stdout io.Writer) (err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	base := filepath.Join(dir, prefix)
	names := []string{base + "-x12.edi", base + "-x12-nonl.edi", base + "-edifact.edi"}
	var files []*os.File
	var bufs []*bufio.Writer
	defer func() {
		for _, f := range files {
			if cerr := f.Close(); cerr != nil && err == nil {
				err = cerr
			}
		}
	}()
	for _, name := range names {
		f, err := os.Create(name)
		if err != nil {
			return err
		}
		files = append(files, f)
		bufs = append(bufs, bufio.NewWriterSize(f, 1<<20))
	}
	st, err := g.WriteFiles(benchgen.Outputs{X12: bufs[0], X12NoNL: bufs[1], Edifact: bufs[2]}, orders, target)
	if err != nil {
		return err
	}
	for i, s := range []benchgen.Stats{st.X12, st.X12NoNL, st.Edifact} {
		if err := bufs[i].Flush(); err != nil {
			return err
		}
		// Same report line as the harness's generator.
		fmt.Fprintf(stdout, "%-40s orders=%d segments=%d bytes=%d (%.2f MB)\n", names[i], s.Orders, s.Segments, s.Bytes, float64(s.Bytes)/1e6)
	}
	return nil
}
