package main

// EDIFACT branches of parse, validate and ack: a file whose first bytes
// look like EDIFACT (edifact.Detect: UNA or UNB) goes here instead of the
// X12 decoder. Exit codes are those of the X12 commands.

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/b2bgw/b2bgw/internal/edifact"
	espec "github.com/b2bgw/b2bgw/internal/edifact/spec"
)

// isEDIFACT reports whether the file starts like an EDIFACT interchange.
// An unreadable file is not EDIFACT: the X12 path reports the I/O error.
func isEDIFACT(name string) bool {
	f, err := os.Open(name)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 64)
	n, _ := io.ReadFull(f, head)
	return edifact.Detect(head[:n])
}

// edifactDecoderOptions are the EDIFACT decoder options from the shared
// input flags.
func (o *inputOpts) edifactDecoderOptions() []edifact.DecoderOption {
	opts := []edifact.DecoderOption{edifact.WithMaxSegmentSize(o.maxSeg)}
	if o.lenient {
		opts = append(opts, edifact.WithLeniency(edifact.Lenient))
	}
	return opts
}

// edifactValidator builds the EDIFACT validator; --overlay names an
// EDIFACT overlay (codes by data element id, elements as NAD03-1), else
// the --partner's profile may have one.
func (o *specOpts) edifactValidator() (*edifact.Validator, error) {
	reg, err := espec.Builtin()
	if err != nil {
		return nil, fmt.Errorf("loading the built-in EDIFACT directories: %w", err)
	}
	var opts []edifact.ValidatorOption
	switch {
	case o.overlay != "":
		ov, err := espec.LoadOverlayFile(o.overlay)
		if err != nil {
			return nil, err
		}
		opts = append(opts, edifact.WithOverlay(ov))
	case o.ediOverlay != nil:
		opts = append(opts, edifact.WithOverlay(o.ediOverlay))
	}
	return edifact.NewValidator(reg, opts...), nil
}

// ediReport is everything validate found in one EDIFACT file.
type ediReport struct {
	File         string                       `json:"file"`
	Standard     string                       `json:"standard"`
	Interchanges []*edifact.InterchangeResult `json:"interchanges"`
	Stray        []string                     `json:"stray,omitempty"`
	Error        string                       `json:"error,omitempty"`

	accepted, rejected int
}

func (r *ediReport) ok() bool {
	if r.Error != "" || len(r.Stray) > 0 || r.rejected > 0 {
		return false
	}
	for _, ic := range r.Interchanges {
		if len(ic.Interchange.Problems) > 0 && ic.Interchange.Rejected() {
			return false
		}
		for _, g := range ic.Groups {
			if g.Group != nil && g.Group.Rejected() {
				return false
			}
		}
	}
	return true
}

// checkEDIFACTFile decodes and validates one EDIFACT file. A non-nil error
// is an I/O error (exit 2); what is wrong with the content is in the
// report.
func checkEDIFACTFile(name string, in *inputOpts, v *edifact.Validator, each func(*edifact.InterchangeResult)) (*ediReport, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rep := &ediReport{File: name, Standard: "edifact"}
	d := edifact.NewDecoder(bufio.NewReaderSize(f, 1<<16), append(in.edifactDecoderOptions(), edifact.WithReusedMessages())...)
	count := func(ms []*edifact.MessageResult) {
		for _, m := range ms {
			if m.Status == edifact.Rejected {
				rep.rejected++
			} else {
				rep.accepted++
			}
		}
	}
	err = edifact.Process(d, v.Validate, func(r *edifact.InterchangeResult) error {
		count(r.Messages)
		for _, g := range r.Groups {
			count(g.Messages)
		}
		rep.Interchanges = append(rep.Interchanges, r)
		if each != nil {
			each(r)
		}
		return nil
	})
	for _, s := range d.Stray() {
		rep.Stray = append(rep.Stray, s.Error())
	}
	if err != nil {
		var se *edifact.SyntaxError
		if !errors.As(err, &se) {
			return rep, err
		}
		rep.Error = err.Error()
	}
	return rep, nil
}

// printEDIFACTResult writes findings for people: each problem with its
// position and the CONTRL code (list 0085) it will carry.
func printEDIFACTResult(w *bufio.Writer, file string, r *edifact.InterchangeResult, quiet bool) {
	ic := r.Interchange
	if !quiet {
		fmt.Fprintf(w, "%s: interchange %s from %s:%s to %s:%s (%s:%d)\n", file, ic.Control,
			ic.SenderQualifier, ic.SenderID, ic.RecipientQualifier, ic.RecipientID, ic.SyntaxID, ic.SyntaxVersion)
	}
	for _, p := range ic.Problems {
		fmt.Fprintf(w, "%s: %s: interchange %s: %s: %s [UCI 0085=%s]\n", file, p.Pos, ic.Control, p.Severity, p.Message, p.Code)
	}
	msgs := func(ms []*edifact.MessageResult) {
		for _, m := range ms {
			if m.Status == edifact.Accepted && len(m.Segments) == 0 && len(m.Problems) == 0 {
				continue
			}
			fmt.Fprintf(w, "%s: %s: message %s %s: %s\n", file, m.Pos, m.Type, m.Ref, m.Status)
			for _, p := range m.Problems {
				fmt.Fprintf(w, "  %s: %s: %s [UCM 0085=%s]\n", p.Pos, p.Severity, p.Message, p.Code)
			}
			for i := range m.Segments {
				fmt.Fprintf(w, "  %s\n", m.Segments[i].Describe())
			}
		}
	}
	msgs(r.Messages)
	for _, g := range r.Groups {
		if g.Group != nil {
			for _, p := range g.Group.Problems {
				fmt.Fprintf(w, "%s: %s: group %s: %s: %s [UCF 0085=%s]\n", file, p.Pos, g.Group.Control, p.Severity, p.Message, p.Code)
			}
		}
		msgs(g.Messages)
	}
}

// validateEDIFACT is validate's EDIFACT branch for one file: it prints
// the findings and reports ok (false: exit 1) or an I/O error (exit 2).
func validateEDIFACT(out *bufio.Writer, name string, in *inputOpts, so *specOpts, asJSON, quiet bool) (rep *ediReport, err error) {
	v, err := so.edifactValidator()
	if err != nil {
		return nil, err
	}
	var each func(*edifact.InterchangeResult)
	if !asJSON {
		each = func(r *edifact.InterchangeResult) { printEDIFACTResult(out, name, r, quiet) }
	}
	rep, err = checkEDIFACTFile(name, in, v, each)
	if err != nil {
		return nil, err
	}
	if asJSON {
		return rep, nil
	}
	for _, s := range rep.Stray {
		fmt.Fprintf(out, "%s: %s\n", name, s)
	}
	if rep.Error != "" {
		fmt.Fprintf(out, "%s: %s\n", name, rep.Error)
	}
	verdict := "OK"
	if !rep.ok() {
		verdict = "REJECTED"
	}
	fmt.Fprintf(out, "%s: %s: %d interchange(s), %d message(s) accepted, %d rejected\n",
		name, verdict, len(rep.Interchanges), rep.accepted, rep.rejected)
	return rep, nil
}

// ackEDIFACT is ack's EDIFACT branch: the CONTRL the gateway would send
// for every interchange (whether or not the partner asked for one, so
// operators see it), references from 1.
func ackEDIFACT(name string, in *inputOpts, so *specOpts, typ string) error {
	if t := strings.ToLower(typ); t != "contrl" && t != "" {
		return usageErr(fmt.Errorf("--type %q: an EDIFACT file is acknowledged with a CONTRL (--type contrl)", typ))
	}
	v, err := so.edifactValidator()
	if err != nil {
		return usageErr(err)
	}
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	refs := edifact.NewMemoryReferences()
	var buildErr error
	rep, err := checkEDIFACTFile(name, in, v, func(r *edifact.InterchangeResult) {
		lineBreak := "\n"
		if term := r.Interchange.Delimiters.Segment; term == '\n' || term == '\r' {
			lineBreak = ""
		}
		b, err := edifact.BuildCONTRL(context.Background(), r, edifact.ContrlOptions{
			When: edifact.ContrlAlways, References: refs, Partner: "cli", Now: time.Now, LineBreak: lineBreak,
		})
		if err != nil && buildErr == nil {
			buildErr = err
		}
		out.Write(b)
	})
	if err != nil {
		return usageErr(err)
	}
	if buildErr != nil {
		return usageErr(fmt.Errorf("building the CONTRL: %w", buildErr))
	}
	if rep.Error != "" {
		fmt.Fprintf(os.Stderr, "%s: %s\n", name, rep.Error)
	}
	for _, s := range rep.Stray {
		fmt.Fprintf(os.Stderr, "%s: %s\n", name, s)
	}
	if err := out.Flush(); err != nil {
		return usageErr(err)
	}
	if !rep.ok() {
		return rejected
	}
	return nil
}

// parseEDIFACTFile is parse's EDIFACT branch: the structure of the file
// and its envelope problems. It reports whether there were problems; a
// returned *edifact.SyntaxError is a fatal read error.
func parseEDIFACTFile(w *bufio.Writer, name string, asJSON bool, in *inputOpts) (problems bool, err error) {
	f, err := os.Open(name)
	if err != nil {
		return false, err
	}
	defer f.Close()
	d := edifact.NewDecoder(bufio.NewReaderSize(f, 1<<16), append(in.edifactDecoderOptions(), edifact.WithReusedMessages())...)
	type jsonMsg struct {
		*edifact.Message
		Line     int        `json:"line"`
		Segments [][]string `json:"segments"`
	}
	type jsonIC struct {
		*edifact.Interchange
		Delims   string     `json:"delimiters"`
		Messages []*jsonMsg `json:"messages"`
	}
	var ics []*jsonIC
	var cur *jsonIC
	counts := map[string]int{}
	for {
		ev, err := d.Next()
		if err != nil {
			for _, s := range d.Stray() {
				problems = true
				if !asJSON {
					fmt.Fprintf(w, "%s: %v\n", name, s)
				}
			}
			if asJSON {
				out := struct {
					File         string    `json:"file"`
					Standard     string    `json:"standard"`
					Interchanges []*jsonIC `json:"interchanges"`
					Stray        []string  `json:"stray,omitempty"`
				}{File: name, Standard: "edifact", Interchanges: ics}
				for _, s := range d.Stray() {
					out.Stray = append(out.Stray, s.Error())
				}
				b, _ := json.Marshal(out)
				w.Write(b)
			}
			if errors.Is(err, io.EOF) {
				return problems, nil
			}
			return true, err
		}
		switch ev.Kind {
		case edifact.EventInterchangeStart:
			ic := ev.Interchange
			cur = &jsonIC{Interchange: ic, Delims: ic.Delimiters.String()}
			ics = append(ics, cur)
			if !asJSON {
				test := ""
				if ic.Test() {
					test = ", test"
				}
				fmt.Fprintf(w, "%s: interchange %s from %s:%s to %s:%s, %s syntax %d%s (%s)\n", name, ic.Control,
					ic.SenderQualifier, ic.SenderID, ic.RecipientQualifier, ic.RecipientID, ic.SyntaxID, ic.SyntaxVersion, test, ic.Delimiters)
			}
			counts = map[string]int{}
		case edifact.EventGroupStart:
			if !asJSON {
				g := ev.Group
				fmt.Fprintf(w, "  group %s %s from %s to %s\n", g.ID, g.Control, g.AppSender, g.AppRecipient)
			}
		case edifact.EventMessage:
			m := ev.Message
			problems = problems || len(m.Problems) > 0 || len(m.SegmentErrors) > 0
			counts[m.Type+" "+m.Version+":"+m.Release]++
			if asJSON && cur != nil {
				jm := &jsonMsg{Message: m, Line: m.Pos.Line}
				// The decoder reuses the message: copy what is printed.
				c := *m
				c.Problems = append([]edifact.Problem(nil), m.Problems...)
				c.SegmentErrors = append([]edifact.SegmentError(nil), m.SegmentErrors...)
				jm.Message = &c
				for i := range m.Segments {
					s := &m.Segments[i]
					els := []string{s.ID()}
					for e := 1; e <= s.Len(); e++ {
						els = append(els, string(s.Element(e)))
					}
					jm.Segments = append(jm.Segments, els)
				}
				cur.Messages = append(cur.Messages, jm)
			}
			if !asJSON {
				for _, p := range m.Problems {
					fmt.Fprintf(w, "    message %s %s: %s: %s [UCM 0085=%s]\n", m.Type, m.Ref, p.Pos, p.Message, p.Code)
				}
				for i := range m.SegmentErrors {
					fmt.Fprintf(w, "    message %s %s: %s\n", m.Type, m.Ref, m.SegmentErrors[i].Describe())
				}
			}
		case edifact.EventGroupEnd:
			problems = problems || len(ev.Group.Problems) > 0
			if !asJSON {
				for _, p := range ev.Group.Problems {
					fmt.Fprintf(w, "  group %s: %s: %s [UCF 0085=%s]\n", ev.Group.Control, p.Pos, p.Message, p.Code)
				}
			}
		case edifact.EventInterchangeEnd:
			ic := ev.Interchange
			problems = problems || len(ic.Problems) > 0
			if !asJSON {
				keys := make([]string, 0, len(counts))
				for k := range counts {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				var b strings.Builder
				for _, k := range keys {
					fmt.Fprintf(&b, " %s×%d", k, counts[k])
				}
				fmt.Fprintf(w, "  messages:%s\n", b.String())
				for _, p := range ic.Problems {
					fmt.Fprintf(w, "  interchange %s: %s: %s [UCI 0085=%s]\n", ic.Control, p.Pos, p.Message, p.Code)
				}
			}
		}
	}
}
