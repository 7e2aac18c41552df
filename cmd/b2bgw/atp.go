package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/b2bgw/b2bgw/internal/canonical"
	"github.com/b2bgw/b2bgw/internal/edifact"
	"github.com/b2bgw/b2bgw/internal/mapping"
	"github.com/b2bgw/b2bgw/internal/odoo"
	"github.com/b2bgw/b2bgw/internal/pipeline"
	"github.com/b2bgw/b2bgw/internal/x12"
	"github.com/b2bgw/b2bgw/mappings"
)

// atpOpts are the envelope and output settings of `b2bgw atp`.
type atpOpts struct {
	partner  string
	format   string
	out      string
	sender   string // QUAL:ID, ours
	receiver string // QUAL:ID, the partner's
	syntax   string // invrpt: UNOC:3
	usage    string
	products []string
}

func newATPCmd() *cobra.Command {
	var oo odooOpts
	var o atpOpts
	c := &cobra.Command{
		Use:   "atp --partner ID [--policy FILE] [--odoo URL|sim] [-o FILE] [--format 846|invrpt|csv]",
		Short: "Build a partner's inventory (ATP) feed from Odoo now",
		Long: `atp reads what can be promised now (Odoo free_qty, never below zero) and
what is on order (incoming_qty), per warehouse, for the partner's product
list (the policy's atp.products, our default_codes, or --products), builds
the canonical inventory advice and renders it with the built-in outbound
template: an X12 004010 846 (x12-004010-846.yaml) in its own interchange,
an EDIFACT D96A INVRPT (edifact-d96a-invrpt.yaml, checked with our own
validator before it is written), or CSV (csv-inventory.yaml).

The envelope is ours: --sender is our interchange id and --receiver the
partner's, both QUAL:ID (the receiver defaults to the partner id when that
is x12:QUAL:ID or edifact:QUAL:ID); an INVRPT uses --syntax (UNOC:3 by
default). Given a partner profile as --policy, the partner id, both
identities (us.x12 and identities.x12, or their edifact ones for an
INVRPT), the syntax, the format and the product list come from it unless
the flags say otherwise. Control numbers start at 1 in every run: the
gateway service allocates real ones from its store.

` + odooEnvHelp + `

Exit status: 0 if the feed was written for every product, 1 if a product
of the list is not in Odoo (the feed is still written, without it) or
Odoo cannot be reached, 2 for usage or I/O errors.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := oo.profileFor(o.partner); err != nil {
				return usageErr(err)
			}
			pol, prof, err := oo.loadPolicy()
			if err != nil {
				return usageErr(err)
			}
			o.fromProfile(prof, cmd.Flags().Changed("format"))
			if o.partner == "" {
				return usageErr(errors.New("--partner is required"))
			}
			standard := map[string]string{"846": "x12", "csv": "csv", "invrpt": "edifact"}[o.format]
			if standard == "" {
				return usageErr(fmt.Errorf("--format %q: want 846, invrpt or csv", o.format))
			}
			var from, to [2]string
			switch standard {
			case "edifact":
				if from, to, err = o.edifactEnvelope(); err != nil {
					return usageErr(err)
				}
			case "x12":
				if from, to, err = o.envelope(); err != nil {
					return usageErr(err)
				}
				if o.usage != "P" && o.usage != "T" {
					return usageErr(fmt.Errorf("--usage %q: want P (production) or T (test)", o.usage))
				}
			}
			if len(o.products) > 0 {
				pol.ATP.Products = o.products
			}
			if len(pol.ATP.Products) == 0 {
				return usageErr(errors.New("no products to report: list them under atp.products in --policy FILE, or give --products"))
			}
			tmpl, err := mappings.Template("InventoryAdvice", standard)
			if err != nil {
				return usageErr(err)
			}
			if tmpl == nil {
				return usageErr(fmt.Errorf("no built-in InventoryAdvice template writes %s", standard))
			}
			client, stop, err := oo.connect()
			defer stop()
			if err != nil {
				return usageErr(err)
			}
			ctx, cancel := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer cancel()
			if err := client.Connect(ctx); err != nil {
				return &exitError{code: exitRejected, err: connectFailure(err)}
			}
			adv, atpErr := client.ATP(ctx, pol, o.partner)
			var de *odoo.DocumentError
			if atpErr != nil && !(adv != nil && len(adv.Items) > 0 && errors.As(atpErr, &de)) {
				return &exitError{code: exitRejected, err: fmt.Errorf("reading stock from Odoo: %w", atpErr)}
			}
			now := time.Now()
			if adv.AdviceID == "" {
				adv.AdviceID = "ATP-" + now.Format("20060102-150405")
			}
			var buf bytes.Buffer
			switch standard {
			case "x12":
				err = writeATP846(ctx, &buf, tmpl, adv, o.partner, from, to, o.usage, now)
			case "edifact":
				err = pipeline.WriteINVRPT(&buf, tmpl, adv, o.edifactHeader(from, to, now), "1")
			default:
				err = renderDoc(adv, func(t mapping.Tree) error { return tmpl.WriteCSV(&buf, t) })
			}
			if err != nil {
				return &exitError{code: exitRejected, err: fmt.Errorf("the inventory advice cannot be written as %s: %w", o.format, err)}
			}
			w, closeOut, err := openOutput(o.out)
			if err != nil {
				return usageErr(err)
			}
			w.Write(buf.Bytes())
			if err := closeOut(); err != nil {
				return usageErr(err)
			}
			fmt.Fprintf(os.Stderr, "%s: ATP feed %s: %d item(s) for %d product(s)\n", o.partner, adv.AdviceID, len(adv.Items), len(pol.ATP.Products))
			if atpErr != nil {
				fmt.Fprintf(os.Stderr, "b2bgw: %v (left out of the feed)\n", atpErr)
				return rejected
			}
			return nil
		},
	}
	oo.registerTarget(c)
	oo.registerPolicy(c)
	c.Flags().StringVar(&o.partner, "partner", "", "partner `ID` the feed is for (required, unless --policy is its profile)")
	c.Flags().StringVar(&o.format, "format", "846", "feed format: 846 (X12 004010), invrpt (EDIFACT D96A) or csv")
	c.Flags().StringVarP(&o.out, "output", "o", "", "write the feed to `FILE` instead of stdout")
	c.Flags().StringVar(&o.sender, "sender", "", "our interchange id `QUAL:ID` (846: ISA05:ISA06, GS02; invrpt: UNB 0007:0004), required")
	c.Flags().StringVar(&o.receiver, "receiver", "", "the partner's interchange id `QUAL:ID` (846: ISA07:ISA08, GS03; invrpt: UNB 0007:0010); default: the partner id when it is x12:QUAL:ID or edifact:QUAL:ID")
	c.Flags().StringVar(&o.syntax, "syntax", "", "invrpt: syntax identifier and version, e.g. UNOC:3 (default: the profile's edifact standards entry, else UNOC:3)")
	c.Flags().StringVar(&o.usage, "usage", "P", "ISA15: P (production) or T (test)")
	c.Flags().StringSliceVar(&o.products, "products", nil, "our default_codes to report, comma-separated, instead of the policy's atp.products")
	return c
}

// fromProfile fills what the flags left unset from a partner profile
// given as --policy: the partner id, our and its X12 ids, the format.
func (o *atpOpts) fromProfile(prof *profileBits, formatSet bool) {
	if prof == nil {
		return
	}
	if o.partner == "" {
		o.partner = prof.Partner
	}
	if !formatSet && prof.ATP != nil && prof.ATP.Format != "" {
		o.format = prof.ATP.Format
	}
	if o.format == "invrpt" {
		if o.sender == "" && prof.Us.EDIFACT != nil {
			o.sender = prof.Us.EDIFACT.Qualifier + ":" + prof.Us.EDIFACT.ID
		}
		if o.receiver == "" && len(prof.Identities.EDIFACT) > 0 {
			o.receiver = prof.Identities.EDIFACT[0].Qualifier + ":" + prof.Identities.EDIFACT[0].ID
		}
		for _, st := range prof.Standards {
			if o.syntax == "" && st.Standard == "edifact" && st.Syntax != "" {
				o.syntax = st.Syntax
				if st.SyntaxVersion != 0 {
					o.syntax += ":" + strconv.Itoa(st.SyntaxVersion)
				}
			}
		}
		return
	}
	if o.sender == "" && prof.Us.X12 != nil {
		o.sender = prof.Us.X12.Qualifier + ":" + prof.Us.X12.ID
	}
	if o.receiver == "" && len(prof.Identities.X12) > 0 {
		o.receiver = prof.Identities.X12[0].Qualifier + ":" + prof.Identities.X12[0].ID
	}
}

// edifactEnvelope returns our and the partner's EDIFACT ids (qualifier,
// id) for an INVRPT.
func (o *atpOpts) edifactEnvelope() (from, to [2]string, err error) {
	parse := func(flag, s string) ([2]string, error) {
		q, id, ok := strings.Cut(s, ":")
		if !ok || q == "" || len(q) > 4 || id == "" || len(id) > 35 {
			return [2]string{}, fmt.Errorf("%s %q: want QUAL:ID, the UNB identification code qualifier (e.g. 14 for a GLN) and an id of up to 35 characters", flag, s)
		}
		return [2]string{q, id}, nil
	}
	if o.sender == "" {
		return from, to, errors.New("--sender QUAL:ID is required for an INVRPT: our interchange id (UNB 0007:0004), e.g. 14:4012345000009")
	}
	if from, err = parse("--sender", o.sender); err != nil {
		return
	}
	recv := o.receiver
	if recv == "" {
		rest, ok := strings.CutPrefix(o.partner, "edifact:")
		if !ok {
			return from, to, fmt.Errorf("--receiver QUAL:ID is required: the partner id %q does not say the partner's interchange id", o.partner)
		}
		recv = rest
	}
	to, err = parse("--receiver", recv)
	return
}

// edifactHeader is the UNB of an INVRPT from --syntax (UNOC:3 by default),
// with interchange reference 1: the CLI writes one feed, the gateway
// allocates references from its store.
func (o *atpOpts) edifactHeader(from, to [2]string, now time.Time) edifact.InterchangeHeader {
	id, ver := "UNOC", 3
	if o.syntax != "" {
		s, v, _ := strings.Cut(o.syntax, ":")
		id = s
		if n, err := strconv.Atoi(v); err == nil {
			ver = n
		}
	}
	h := edifact.InterchangeHeader{SyntaxID: id, SyntaxVersion: ver, SenderQualifier: from[0], SenderID: from[1],
		RecipientQualifier: to[0], RecipientID: to[1], Date: now.Format("060102"), Time: now.Format("1504"), Control: "1"}
	if ver >= 4 {
		h.Date = now.Format("20060102")
	}
	return h
}

// envelope returns our and the partner's interchange ids.
func (o *atpOpts) envelope() (from, to [2]string, err error) {
	if o.sender == "" {
		return from, to, errors.New("--sender QUAL:ID is required for an 846: our interchange id (ISA05:ISA06)")
	}
	if from, err = qualID("--sender", o.sender); err != nil {
		return
	}
	recv := o.receiver
	if recv == "" {
		if rest, ok := strings.CutPrefix(o.partner, "x12:"); ok {
			recv = rest
		} else {
			return from, to, fmt.Errorf("--receiver QUAL:ID is required: the partner id %q does not say the partner's interchange id", o.partner)
		}
	}
	to, err = qualID("--receiver", recv)
	return
}

func qualID(flag, s string) ([2]string, error) {
	q, id, ok := strings.Cut(s, ":")
	if !ok || len(q) != 2 || id == "" || len(id) > 15 {
		return [2]string{}, fmt.Errorf("%s %q: want QUAL:ID, a 2-character qualifier and an id of up to 15 characters (e.g. ZZ:B2BGWDIST)", flag, s)
	}
	return [2]string{q, id}, nil
}

// renderDoc validates a canonical document and hands it to a template as
// a mapping tree.
func renderDoc(d canonical.Document, write func(mapping.Tree) error) error {
	if err := d.Validate(); err != nil {
		return err
	}
	js, err := json.Marshal(d)
	if err != nil {
		return err
	}
	v, err := mapping.ParseJSON(js)
	if err != nil {
		return err
	}
	return write(mapping.ValueTree(v))
}

// writeATP846 writes adv as one 846 in its own interchange and group
// (IB), X12 004010, default delimiters, one segment a line, with control
// numbers from an in-memory allocator.
func writeATP846(ctx context.Context, buf *bytes.Buffer, tmpl *mapping.Template, adv *canonical.InventoryAdvice,
	partner string, from, to [2]string, usage string, now time.Time) error {
	controls := x12.NewMemoryControlNumbers()
	next := func(kind string) (int64, error) {
		return controls.Next(ctx, x12.ControlKey{Partner: partner, Kind: kind})
	}
	isa, err := next(x12.KindISA)
	if err != nil {
		return err
	}
	gs, err := next(x12.KindGS)
	if err != nil {
		return err
	}
	st, err := next(x12.KindST)
	if err != nil {
		return err
	}
	d := x12.DefaultDelimiters
	d.Repetition = 0 // 00401 has none
	var b bytes.Buffer
	w := x12.NewWriter(&b, d, x12.WithLineBreak("\n"))
	w.BeginInterchange(&x12.Interchange{SenderQualifier: from[0], SenderID: from[1], ReceiverQualifier: to[0], ReceiverID: to[1],
		Date: now.Format("060102"), Time: now.Format("1504"), Version: "00401", Control: strconv.FormatInt(isa, 10),
		AckRequested: "0", Usage: usage})
	w.BeginGroup(&x12.Group{FunctionalID: "IB", AppSender: from[1], AppReceiver: to[1], Date: now.Format("20060102"),
		Time: now.Format("1504"), Control: strconv.FormatInt(gs, 10), Version: tmpl.Target.Version})
	if err := w.Err(); err != nil {
		return err
	}
	if err := renderDoc(adv, func(t mapping.Tree) error { return tmpl.WriteX12(w, t, fmt.Sprintf("%04d", st)) }); err != nil {
		return err
	}
	w.EndGroup()
	w.EndInterchange()
	if err := w.Flush(); err != nil {
		return err
	}
	buf.Write(b.Bytes())
	return nil
}
