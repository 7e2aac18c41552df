package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	espec "github.com/b2bgw/b2bgw/internal/edifact/spec"
	"github.com/b2bgw/b2bgw/internal/mapping"
	"github.com/b2bgw/b2bgw/internal/partner"
	"github.com/b2bgw/b2bgw/internal/x12"
	"github.com/b2bgw/b2bgw/internal/x12/spec"
)

// specOpts are the flags that choose how sets are validated.
type specOpts struct {
	overlay  string
	partners string // --partners DIR: where --partner ID finds its profile

	// The overlays of the --partner's profile, used when no --overlay is
	// given (see usePartner).
	x12Overlay *x12.Overlay
	ediOverlay *espec.Overlay
	profile    string             // the profile file they came from
	mappings   []*mapping.Mapping // the profile's inbound mappings (translate)
}

func (o *specOpts) register(c *cobra.Command) {
	c.Flags().StringVar(&o.overlay, "overlay", "", "partner overlay `FILE` (YAML) that extends or relaxes code lists and rules")
}

// registerPartners adds --partners, for commands whose --partner ID
// validates with that partner's overlays.
func (o *specOpts) registerPartners(c *cobra.Command) {
	c.Flags().StringVar(&o.partners, "partners", "partners", "`DIR` of partner profiles, where --partner ID finds its X12 and EDIFACT overlays")
}

// usePartner takes the overlays of partner id's profile in the partners
// directory (overlay/overlay_file for X12, edifact_overlay/
// edifact_overlay_file for EDIFACT), unless --overlay names one. Without
// a profile of that id the partner id is only a name (as in
// x12:ZZ:ACME), except when --partners was given: then it is an error.
// A directory whose profiles do not load is an error.
func (o *specOpts) usePartner(c *cobra.Command, id string) error {
	if id == "" {
		return nil
	}
	explicit := c.Flags().Changed("partners")
	if st, err := os.Stat(o.partners); err != nil || !st.IsDir() {
		if explicit {
			return fmt.Errorf("--partners %s: not a folder of partner profiles", o.partners)
		}
		return nil
	}
	reg, err := partner.Load(o.partners, partner.Options{SkipSecrets: true})
	if err != nil {
		return fmt.Errorf("partner profiles in %s: %w", o.partners, err)
	}
	p, ok := reg.Get(id)
	if !ok {
		if explicit {
			return fmt.Errorf("--partner %s: no profile in %s has this id", id, o.partners)
		}
		return nil
	}
	// The profile's mappings read its inbound documents, as in the
	// gateway (translate); its overlays validate unless --overlay is given.
	for i := range p.Documents {
		if d := &p.Documents[i]; d.Direction == "in" || d.Direction == "" {
			if m := p.Mapping(d); m != nil {
				o.mappings = append(o.mappings, m)
			}
		}
	}
	if o.overlay == "" {
		o.x12Overlay, o.ediOverlay, o.profile = p.CodeOverlay(), p.EDIFACTCodeOverlay(), p.File
	}
	return nil
}

// fromProfile reports whether a partner profile chose the overlays.
func (o *specOpts) fromProfile() bool { return o.profile != "" }

func (o *specOpts) validator() (*x12.Validator, error) {
	reg, err := spec.Builtin()
	if err != nil {
		return nil, fmt.Errorf("loading the built-in X12 specs: %w", err)
	}
	var opts []x12.ValidatorOption
	switch {
	case o.overlay != "":
		ov, err := x12.LoadOverlayFile(o.overlay)
		if err != nil {
			return nil, err
		}
		opts = append(opts, x12.WithOverlay(ov))
	case o.x12Overlay != nil:
		opts = append(opts, x12.WithOverlay(o.x12Overlay))
	}
	return x12.NewValidator(reg, opts...), nil
}

// fileReport is everything validate found in one file.
type fileReport struct {
	File         string                   `json:"file"`
	Interchanges []*x12.InterchangeResult `json:"interchanges"`
	Stray        []string                 `json:"stray,omitempty"`
	Error        string                   `json:"error,omitempty"`

	accepted, rejected int
}

// ok reports whether everything in the file was accepted.
func (r *fileReport) ok() bool {
	if r.Error != "" || len(r.Stray) > 0 || r.rejected > 0 {
		return false
	}
	for _, ic := range r.Interchanges {
		if len(ic.Interchange.Problems) > 0 {
			return false
		}
		for _, g := range ic.Groups {
			if g.Group != nil && len(g.Group.Problems) > 0 {
				return false
			}
		}
	}
	return true
}

// checkFile decodes and validates one file. A non-nil error is an I/O
// error (exit 2); what is wrong with the content is in the report.
func checkFile(name string, in *inputOpts, v *x12.Validator, each func(*x12.InterchangeResult)) (*fileReport, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rep := &fileReport{File: name}
	d := x12.NewDecoder(bufio.NewReaderSize(f, 1<<16), in.decoderOptions()...)
	// Sets are validated on all cores; results arrive in input order.
	err = x12.ProcessParallel(d, v.Validate, func(r *x12.InterchangeResult) error {
		for _, g := range r.Groups {
			for _, s := range g.Sets {
				if s.Status == x12.Rejected {
					rep.rejected++
				} else {
					rep.accepted++
				}
			}
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
		var se *x12.SyntaxError
		if !errors.As(err, &se) {
			return rep, err
		}
		rep.Error = err.Error()
	}
	return rep, nil
}

func newValidateCmd() *cobra.Command {
	var in inputOpts
	var so specOpts
	var asJSON, quiet bool
	var partnerID string
	c := &cobra.Command{
		Use:   "validate [--partner ID] FILE...",
		Short: "Check X12 and EDIFACT files: envelopes, control numbers and every set or message against its spec",
		Long: `validate reads X12 files, checks envelopes, counts and control numbers, and
validates every transaction set against the spec of its version (GS08):
segment order, loops, usage, repeats, element types, lengths, code lists
and syntax rules. Each finding names the file position, segment, element
and the X12 error code the acknowledgment will carry. EDIFACT files (UNA or
UNB at the start) are checked against their directory (D96A, D01B) and each
finding names the CONTRL syntax error code (list 0085); --overlay then
names an EDIFACT overlay. --partner ID validates with the X12 and EDIFACT
overlays of that partner's profile (in --partners DIR), as the gateway does.

Exit status: 0 if every set is accepted, 1 if anything is rejected or in
error, 2 for usage or I/O errors.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := so.usePartner(cmd, partnerID); err != nil {
				return usageErr(err)
			}
			v, err := so.validator()
			if err != nil {
				return usageErr(err)
			}
			out := bufio.NewWriter(os.Stdout)
			defer out.Flush()
			allOK, ioFail := true, false
			var reports []*fileReport
			var ediReports []*ediReport
			for _, name := range args {
				if isEDIFACT(name) {
					rep, err := validateEDIFACT(out, name, &in, &so, asJSON, quiet)
					if err != nil {
						fmt.Fprintf(os.Stderr, "b2bgw: %s: %v\n", name, err)
						ioFail = true
						continue
					}
					allOK = allOK && rep.ok()
					ediReports = append(ediReports, rep)
					continue
				}
				var each func(*x12.InterchangeResult)
				if !asJSON {
					each = func(r *x12.InterchangeResult) { printInterchangeResult(out, name, r, quiet) }
				}
				rep, err := checkFile(name, &in, v, each)
				if err != nil {
					fmt.Fprintf(os.Stderr, "b2bgw: %s: %v\n", name, err)
					ioFail = true
					continue
				}
				allOK = allOK && rep.ok()
				if asJSON {
					reports = append(reports, rep)
					continue
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
				fmt.Fprintf(out, "%s: %s: %d interchange(s), %d set(s) accepted, %d rejected\n",
					name, verdict, len(rep.Interchanges), rep.accepted, rep.rejected)
			}
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				var all any = reports
				if len(ediReports) > 0 {
					// EDIFACT reports (standard: edifact) follow the X12 ones.
					mixed := make([]any, 0, len(reports)+len(ediReports))
					for _, r := range reports {
						mixed = append(mixed, r)
					}
					for _, r := range ediReports {
						mixed = append(mixed, r)
					}
					all = mixed
				}
				if err := enc.Encode(all); err != nil {
					return usageErr(err)
				}
			}
			if err := out.Flush(); err != nil {
				return usageErr(err)
			}
			switch {
			case ioFail:
				return &exitError{code: exitUsage}
			case !allOK:
				return rejected
			}
			return nil
		},
	}
	in.register(c)
	so.register(c)
	so.registerPartners(c)
	c.Flags().StringVar(&partnerID, "partner", "", "validate with the overlays of this partner `ID`'s profile in --partners")
	c.Flags().BoolVar(&asJSON, "json", false, "write the findings as JSON")
	c.Flags().BoolVarP(&quiet, "quiet", "q", false, "print only problems and the summary")
	return c
}

// printInterchangeResult writes findings for people: every problem with
// its position, and one line per rejected set.
func printInterchangeResult(w *bufio.Writer, file string, r *x12.InterchangeResult, quiet bool) {
	ic := r.Interchange
	if !quiet {
		fmt.Fprintf(w, "%s: interchange %s from %s:%s to %s:%s (version %s)\n", file, ic.Control,
			ic.SenderQualifier, ic.SenderID, ic.ReceiverQualifier, ic.ReceiverID, ic.Version)
	}
	for _, p := range ic.Problems {
		fmt.Fprintf(w, "%s: %s: interchange %s: %s [TA105=%s]\n", file, p.Pos, ic.Control, p.Message, p.Code)
	}
	for _, g := range r.Groups {
		if g.Group != nil {
			for _, p := range g.Group.Problems {
				fmt.Fprintf(w, "%s: %s: group %s: %s [AK905=%s]\n", file, p.Pos, g.Group.Control, p.Message, p.Code)
			}
		}
		for _, s := range g.Sets {
			if s.Status == x12.Accepted && len(s.Segments) == 0 {
				continue
			}
			fmt.Fprintf(w, "%s: %s: set %s %s: %s", file, s.Pos, s.ID, s.Control, statusText(s.Status))
			for _, c := range s.Codes {
				fmt.Fprintf(w, " [AK502=%s]", c)
			}
			fmt.Fprintln(w)
			for i := range s.Segments {
				fmt.Fprintf(w, "  %s\n", s.Segments[i].Describe())
			}
		}
	}
}

func statusText(c x12.AckCode) string {
	switch c {
	case x12.Accepted:
		return "accepted"
	case x12.AcceptedWithErrors:
		return "accepted with errors noted"
	case x12.Rejected:
		return "rejected"
	}
	return string(c)
}
