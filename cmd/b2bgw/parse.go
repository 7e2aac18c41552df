package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/b2bgw/b2bgw/internal/edifact"
	"github.com/b2bgw/b2bgw/internal/jsonenc"
	"github.com/b2bgw/b2bgw/internal/x12"
)

type inputOpts struct {
	lenient bool
	maxSeg  int
}

func (o *inputOpts) register(c *cobra.Command) {
	c.Flags().BoolVar(&o.lenient, "lenient", false, "accept a BOM, leading white space, an unpadded ISA and trailing padding (the partner leniency policy)")
	c.Flags().IntVar(&o.maxSeg, "max-segment-size", x12.DefaultMaxSegmentSize, "longest segment accepted, in bytes")
}

func (o *inputOpts) decoderOptions() []x12.DecoderOption {
	opts := []x12.DecoderOption{x12.WithMaxSegmentSize(o.maxSeg)}
	if o.lenient {
		opts = append(opts, x12.WithLeniency(x12.Lenient))
	}
	return opts
}

// openOutput returns stdout or the -o file, and a function that flushes
// and closes it (reporting a write error, which matters for -o FILE).
func openOutput(path string) (*bufio.Writer, func() error, error) {
	if path == "" || path == "-" {
		w := bufio.NewWriterSize(os.Stdout, 1<<16)
		return w, w.Flush, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, nil, err
	}
	w := bufio.NewWriterSize(f, 1<<16)
	return w, func() error {
		if err := w.Flush(); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}, nil
}

func newParseCmd() *cobra.Command {
	var in inputOpts
	var asJSON bool
	var out string
	c := &cobra.Command{
		Use:   "parse FILE...",
		Short: "Show the interchanges, groups, sets and segments of X12 files",
		Long: `parse reads X12 files and shows their structure: interchanges, functional
groups, transaction sets and (with --json) every segment with its elements.
Envelope problems (wrong counts, control numbers that do not match) are
shown; use 'b2bgw validate' to check the sets against their specs.

Exit status: 0 when every file was read, 1 when a file has envelope
problems, 2 for usage or I/O errors.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			w, closeOut, err := openOutput(out)
			if err != nil {
				return usageErr(err)
			}
			bad, ioErr := false, error(nil)
			if asJSON && len(args) > 1 {
				w.WriteString("[")
			}
			for i, name := range args {
				if asJSON && i > 0 {
					w.WriteString(",")
				}
				parse := parseFile
				if isEDIFACT(name) {
					parse = parseEDIFACTFile
				}
				problems, err := parse(w, name, asJSON, &in)
				if err != nil {
					var se *x12.SyntaxError
					var ee *edifact.SyntaxError
					if !errors.As(err, &se) && !errors.As(err, &ee) {
						ioErr = err
						fmt.Fprintf(os.Stderr, "b2bgw: %s: %v\n", name, err)
						continue
					}
					fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
					bad = true
				}
				bad = bad || problems
			}
			if asJSON && len(args) > 1 {
				w.WriteString("]")
			}
			if asJSON {
				w.WriteString("\n")
			}
			if err := closeOut(); err != nil {
				return usageErr(err)
			}
			switch {
			case ioErr != nil:
				return &exitError{code: exitUsage}
			case bad:
				return rejected
			}
			return nil
		},
	}
	in.register(c)
	c.Flags().BoolVar(&asJSON, "json", false, "write JSON: every interchange, group, set and segment")
	c.Flags().StringVarP(&out, "output", "o", "", "write to `FILE` instead of standard output")
	return c
}

// parseFile writes one file's structure and reports whether it had envelope
// problems. A returned *x12.SyntaxError is a fatal read error (the output
// for what was read before it is complete and valid).
func parseFile(w *bufio.Writer, name string, asJSON bool, in *inputOpts) (problems bool, err error) {
	f, err := os.Open(name)
	if err != nil {
		return false, err
	}
	defer f.Close()
	d := x12.NewDecoder(f, append(in.decoderOptions(), x12.WithReusedSets())...)
	var p parsePrinter
	if asJSON {
		p = &jsonPrinter{w: w}
	} else {
		p = &textPrinter{w: w}
	}
	p.begin(name)
	for {
		ev, err := d.Next()
		if err != nil {
			p.end(d.Stray(), err)
			if errors.Is(err, io.EOF) {
				return problems || len(d.Stray()) > 0, nil
			}
			return true, err
		}
		switch ev.Kind {
		case x12.EventSet:
			problems = problems || len(ev.Set.Problems) > 0 || len(ev.Set.SegmentErrors) > 0
		case x12.EventGroupEnd:
			problems = problems || len(ev.Group.Problems) > 0
		case x12.EventInterchangeEnd:
			problems = problems || len(ev.Interchange.Problems) > 0
		}
		p.event(ev)
	}
}

type parsePrinter interface {
	begin(file string)
	event(ev x12.Event)
	end(stray []*x12.SyntaxError, err error)
}

// textPrinter writes a summary for people: one line per interchange and
// group, set counts by type, and every problem with its position.
type textPrinter struct {
	w      *bufio.Writer
	file   string
	counts map[string]int
}

func (p *textPrinter) begin(file string) { p.file = file }

func (p *textPrinter) event(ev x12.Event) {
	w := p.w
	switch ev.Kind {
	case x12.EventInterchangeStart:
		ic := ev.Interchange
		usage := map[string]string{"P": "production", "T": "test", "I": "information"}[ic.Usage]
		fmt.Fprintf(w, "%s: interchange %s from %s:%s to %s:%s, version %s, %s (%s)\n", p.file, ic.Control,
			ic.SenderQualifier, ic.SenderID, ic.ReceiverQualifier, ic.ReceiverID, ic.Version, usage, ic.Delimiters)
	case x12.EventGroupStart:
		g := ev.Group
		fmt.Fprintf(w, "  group %s %s from %s to %s, version %s\n", g.FunctionalID, g.Control, g.AppSender, g.AppReceiver, g.Version)
		p.counts = map[string]int{}
	case x12.EventSet:
		s := ev.Set
		if p.counts == nil {
			p.counts = map[string]int{}
		}
		p.counts[s.ID]++
		for _, pr := range s.Problems {
			fmt.Fprintf(w, "    set %s %s: %s: %s [AK502=%s]\n", s.ID, s.Control, pr.Pos, pr.Message, pr.Code)
		}
		for _, se := range s.SegmentErrors {
			fmt.Fprintf(w, "    set %s %s: %s\n", s.ID, s.Control, se.Describe())
		}
	case x12.EventGroupEnd:
		g := ev.Group
		fmt.Fprintf(w, "    %d transaction sets:%s\n", g.Sets, formatCounts(p.counts))
		for _, pr := range g.Problems {
			fmt.Fprintf(w, "    group %s: %s: %s [AK905=%s]\n", g.Control, pr.Pos, pr.Message, pr.Code)
		}
		p.counts = nil
	case x12.EventInterchangeEnd:
		ic := ev.Interchange
		for _, pr := range ic.Problems {
			fmt.Fprintf(w, "  interchange %s: %s: %s [TA105=%s]\n", ic.Control, pr.Pos, pr.Message, pr.Code)
		}
	}
}

func formatCounts(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, " %s×%d", k, m[k])
	}
	return b.String()
}

func (p *textPrinter) end(stray []*x12.SyntaxError, err error) {
	for _, s := range stray {
		fmt.Fprintf(p.w, "%s: %v\n", p.file, s)
	}
}

// jsonPrinter streams JSON as events arrive, so a 2 GB file needs no more
// memory than its largest set. Keys follow the envelope: an interchange's
// problems and trailer come after its groups because they are known last.
type jsonPrinter struct {
	w        *bufio.Writer
	buf      []byte
	firstIC  bool
	firstGrp bool
	firstSet bool
	inGroup  bool
	looseGrp bool // a set outside any group is in a group object of its own
}

func (p *jsonPrinter) flush() {
	p.w.Write(p.buf)
	p.buf = p.buf[:0]
}

func (p *jsonPrinter) begin(file string) {
	p.buf = append(p.buf, `{"file":`...)
	p.buf = appendJSONString(p.buf, file)
	p.buf = append(p.buf, `,"interchanges":[`...)
	p.firstIC = true
	p.flush()
}

func (p *jsonPrinter) event(ev x12.Event) {
	b := p.buf
	switch ev.Kind {
	case x12.EventInterchangeStart:
		if !p.firstIC {
			b = append(b, ',')
		}
		p.firstIC, p.firstGrp = false, true
		ic := ev.Interchange
		b = append(b, `{"isa":`...)
		b = appendSegment(b, &ic.Header)
		b = append(b, `,"sender":`...)
		b = appendJSONString(b, ic.SenderQualifier+":"+ic.SenderID)
		b = append(b, `,"receiver":`...)
		b = appendJSONString(b, ic.ReceiverQualifier+":"+ic.ReceiverID)
		b = append(b, `,"control":`...)
		b = appendJSONString(b, ic.Control)
		b = append(b, `,"version":`...)
		b = appendJSONString(b, ic.Version)
		b = append(b, `,"usage":`...)
		b = appendJSONString(b, ic.Usage)
		b = append(b, `,"groups":[`...)
	case x12.EventGroupStart:
		b = p.closeLoose(b)
		if !p.firstGrp {
			b = append(b, ',')
		}
		p.firstGrp, p.firstSet, p.inGroup = false, true, true
		g := ev.Group
		b = append(b, `{"gs":`...)
		b = appendSegment(b, &g.Header)
		b = append(b, `,"functional_id":`...)
		b = appendJSONString(b, g.FunctionalID)
		b = append(b, `,"control":`...)
		b = appendJSONString(b, g.Control)
		b = append(b, `,"version":`...)
		b = appendJSONString(b, g.Version)
		b = append(b, `,"sets":[`...)
	case x12.EventSet:
		if !p.inGroup && !p.looseGrp {
			if !p.firstGrp {
				b = append(b, ',')
			}
			p.firstGrp, p.firstSet, p.looseGrp = false, true, true
			b = append(b, `{"gs":null,"sets":[`...)
		}
		if !p.firstSet {
			b = append(b, ',')
		}
		p.firstSet = false
		s := ev.Set
		b = append(b, `{"id":`...)
		b = appendJSONString(b, s.ID)
		b = append(b, `,"control":`...)
		b = appendJSONString(b, s.Control)
		b = append(b, `,"line":`...)
		b = strconv.AppendInt(b, int64(s.Pos.Line), 10)
		b = append(b, `,"segments":[`...)
		for i := range s.Segments {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendSegment(b, &s.Segments[i])
		}
		b = append(b, ']')
		b = appendSetProblems(b, s)
		b = append(b, '}')
	case x12.EventGroupEnd:
		g := ev.Group
		b = append(b, `],"trailer":`...)
		if g.HasTrailer {
			b = append(b, `{"count":`...)
			b = appendJSONString(b, g.TrailerSetCount)
			b = append(b, `,"control":`...)
			b = appendJSONString(b, g.TrailerControl)
			b = append(b, '}')
		} else {
			b = append(b, "null"...)
		}
		b = append(b, `,"problems":[`...)
		for i, pr := range g.Problems {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendProblem(b, string(pr.Code), pr.Message, pr.Pos)
		}
		b = append(b, "]}"...)
		p.inGroup = false
	case x12.EventInterchangeEnd:
		b = p.closeLoose(b)
		ic := ev.Interchange
		b = append(b, `],"trailer":`...)
		if ic.HasTrailer {
			b = append(b, `{"count":`...)
			b = appendJSONString(b, ic.TrailerGroupCount)
			b = append(b, `,"control":`...)
			b = appendJSONString(b, ic.TrailerControl)
			b = append(b, '}')
		} else {
			b = append(b, "null"...)
		}
		b = append(b, `,"problems":[`...)
		for i, pr := range ic.Problems {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendProblem(b, string(pr.Code), pr.Message, pr.Pos)
		}
		b = append(b, "]}"...)
	}
	p.buf = b
	if len(p.buf) > 32<<10 {
		p.flush()
	}
}

func (p *jsonPrinter) closeLoose(b []byte) []byte {
	if p.looseGrp {
		b = append(b, "]}"...)
		p.looseGrp = false
	}
	return b
}

func (p *jsonPrinter) end(stray []*x12.SyntaxError, err error) {
	b := append(p.buf, `],"stray":[`...)
	for i, s := range stray {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendProblem(b, "", s.Error(), s.Pos)
	}
	b = append(b, ']')
	if err != nil && !errors.Is(err, io.EOF) {
		b = append(b, `,"error":`...)
		b = appendJSONString(b, err.Error())
	}
	b = append(b, '}')
	p.buf = b
	p.flush()
}

func appendSetProblems(b []byte, s *x12.Set) []byte {
	if len(s.Problems) == 0 && len(s.SegmentErrors) == 0 {
		return b
	}
	b = append(b, `,"problems":[`...)
	n := 0
	for _, pr := range s.Problems {
		if n > 0 {
			b = append(b, ',')
		}
		n++
		b = appendProblem(b, string(pr.Code), pr.Message, pr.Pos)
	}
	for _, se := range s.SegmentErrors {
		if n > 0 {
			b = append(b, ',')
		}
		n++
		b = appendProblem(b, string(se.Code), se.Message, se.Pos)
	}
	return append(b, ']')
}

func appendProblem(b []byte, code, msg string, pos x12.Position) []byte {
	b = append(b, '{')
	if code != "" {
		b = append(b, `"code":`...)
		b = appendJSONString(b, code)
		b = append(b, ',')
	}
	b = append(b, `"line":`...)
	b = strconv.AppendInt(b, int64(pos.Line), 10)
	b = append(b, `,"segment_index":`...)
	b = strconv.AppendInt(b, int64(pos.Index), 10)
	b = append(b, `,"offset":`...)
	b = strconv.AppendInt(b, pos.Offset, 10)
	b = append(b, `,"message":`...)
	b = appendJSONString(b, msg)
	return append(b, '}')
}

// appendSegment writes a segment as an array: the tag, then each element;
// an element with components is an array of them, and a repeated element
// is {"repeat":[...]}.
func appendSegment(b []byte, s *x12.Segment) []byte {
	d := s.Delimiters()
	b = append(b, '[')
	b = appendJSONBytes(b, s.IDBytes())
	// The ISA carries the delimiters themselves as values (ISA11, ISA16):
	// its elements are never split.
	isISA := s.Is("ISA")
	for i := 1; i <= s.Len(); i++ {
		b = append(b, ',')
		e := s.Element(i)
		if isISA {
			b = appendJSONBytes(b, e)
			continue
		}
		if d.Repetition != 0 && indexByte(e, d.Repetition) >= 0 {
			b = append(b, `{"repeat":[`...)
			for r := 1; ; r++ {
				part := s.Repetition(i, r)
				if part == nil {
					break
				}
				if r > 1 {
					b = append(b, ',')
				}
				b = appendElement(b, part, d.Component)
			}
			b = append(b, "]}"...)
			continue
		}
		b = appendElement(b, e, d.Component)
	}
	return append(b, ']')
}

func appendElement(b, e []byte, comp byte) []byte {
	if indexByte(e, comp) < 0 {
		return appendJSONBytes(b, e)
	}
	b = append(b, '[')
	start := 0
	for i := 0; i <= len(e); i++ {
		if i == len(e) || e[i] == comp {
			if start > 0 {
				b = append(b, ',')
			}
			b = appendJSONBytes(b, e[start:i])
			start = i + 1
		}
	}
	return append(b, ']')
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

func appendJSONString(b []byte, s string) []byte { return appendJSONBytes(b, []byte(s)) }

func appendJSONBytes(b, s []byte) []byte { return jsonenc.AppendString(b, s) }
