// Command b2bgw-bench holds the whole-process measuring tools behind
// `make bench`: a plain byte-scan baseline (the floor any parser is
// compared with, as in the project's benchmark notes) and a timer that runs
// a command several times and reports median wall time, MB/s and peak RSS
// from the kernel's rusage.
//
//	b2bgw-bench scan FILE                  # ReadFile + count segment terminators
//	b2bgw-bench time -n 5 -file F -label L -- CMD ARGS...
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: b2bgw-bench scan FILE | time [flags] -- CMD ARGS...")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "scan":
		scan(os.Args[2:])
	case "time":
		timeCmd(os.Args[2:])
	default:
		fmt.Fprintf(os.Stderr, "b2bgw-bench: unknown command %q\n", os.Args[1])
		os.Exit(2)
	}
}

// scan is the baseline: read the whole file and count the segment
// terminator (the byte after ISA16 for X12, ' for EDIFACT).
func scan(args []string) {
	if len(args) != 1 {
		fmt.Fprintln(os.Stderr, "usage: b2bgw-bench scan FILE")
		os.Exit(2)
	}
	b, err := os.ReadFile(args[0])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	term := byte('\'')
	if len(b) >= 106 && bytes.HasPrefix(b, []byte("ISA")) {
		term = b[105]
	}
	n := 0
	for i := 0; ; {
		j := bytes.IndexByte(b[i:], term)
		if j < 0 {
			break
		}
		n++
		i += j + 1
	}
	fmt.Println(n)
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func timeCmd(args []string) {
	fs := flag.NewFlagSet("time", flag.ExitOnError)
	n := fs.Int("n", 5, "timed runs")
	warm := fs.Int("warmup", 1, "untimed warm-up runs")
	label := fs.String("label", "", "row label")
	file := fs.String("file", "", "input file (for MB/s)")
	fs.Parse(args)
	cmdArgs := fs.Args()
	if len(cmdArgs) == 0 {
		fmt.Fprintln(os.Stderr, "b2bgw-bench time: no command")
		os.Exit(2)
	}
	var size int64
	if *file != "" {
		st, err := os.Stat(*file)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		size = st.Size()
	}
	var walls, rss, cpu []float64
	codes := map[int]int{}
	for i := 0; i < *warm+*n; i++ {
		c := exec.Command(cmdArgs[0], cmdArgs[1:]...)
		c.Stdout, c.Stderr = nil, nil
		start := time.Now()
		err := c.Run()
		wall := time.Since(start).Seconds()
		code := 0
		if err != nil {
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(2)
			}
		}
		if i < *warm {
			continue
		}
		codes[code]++
		walls = append(walls, wall)
		if ru, ok := c.ProcessState.SysUsage().(*syscall.Rusage); ok {
			rss = append(rss, float64(ru.Maxrss)/1024) // KiB -> MiB
			cpu = append(cpu, time.Duration(ru.Utime.Nano()+ru.Stime.Nano()).Seconds())
		}
	}
	sorted := append([]float64(nil), walls...)
	sort.Float64s(sorted)
	med := median(walls)
	mbps := "-"
	if size > 0 && med > 0 {
		mbps = fmt.Sprintf("%.0f", float64(size)/1e6/med)
	}
	var cs []string
	for c, k := range codes {
		cs = append(cs, fmt.Sprintf("exit %d ×%d", c, k))
	}
	sort.Strings(cs)
	fmt.Printf("| %-44s | %8s MB/s | %.3f s [%.3f..%.3f] | %6.1f MiB | cpu %.2f s | %s |\n",
		*label, mbps, med, sorted[0], sorted[len(sorted)-1], median(rss), median(cpu), strings.Join(cs, ", "))
}
