package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/b2bgw/b2bgw/internal/canonical"
	"github.com/b2bgw/b2bgw/internal/errclass"
	"github.com/b2bgw/b2bgw/internal/odoo"
	"github.com/b2bgw/b2bgw/internal/translate"
)

// postLine is one line of `b2bgw post` output: a record created or matched
// in Odoo, or a document (or catalog row) that failed.
type postLine struct {
	Model    string `json:"model,omitempty"`
	ID       int64  `json:"id,omitempty"`
	Name     string `json:"name,omitempty"`
	Action   string `json:"action"` // created, existing, updated, cancelled, validated, ready, or failed
	State    string `json:"state,omitempty"`
	Document string `json:"document"`
	Kind     string `json:"kind,omitempty"`
	Partner  string `json:"partner,omitempty"`
	File     string `json:"file"`
	Set      string `json:"set,omitempty"` // X12 set id and control number, e.g. "850 0001"
	Row      int    `json:"row,omitempty"` // catalog row
	Problem  string `json:"problem,omitempty"`
	Error    string `json:"error,omitempty"`
}

const actionFailed = "failed"

// Problems the CLI adds to odoo.Problem for documents that never reached
// Odoo's flows.
const (
	problemTranslation = "not_translated"       // rejected by validation or mapping
	problemUnavailable = "odoo_unavailable"     // transient failures outlasted the retries
	problemUnsupported = "unsupported_for_odoo" // a document kind nothing posts
)

// pending is one translated document of a file, with its outcome.
type pending struct {
	res   *translate.Result
	doc   canonical.Document
	lines []postLine
}

func newPostCmd() *cobra.Command {
	var oo odooOpts
	var partner string
	c := &cobra.Command{
		Use:   "post [--partner ID] [--policy FILE] [--odoo URL|sim] FILE...",
		Short: "Translate files and post the documents to Odoo",
		Long: `post translates each file as 'b2bgw translate' does and posts every
document to Odoo: orders (850) become sales orders, ship notices (856)
fill the receipts of our purchase orders, warehouse shipping advices (945)
fill the deliveries of our sales orders, and catalog rows (CSV) update
vendor prices. Posting is idempotent: a file sent again reports the
records it matched as "existing" instead of creating them twice.

Each record created or matched prints one JSON line on stdout: model, id,
name, action (created, existing, updated, cancelled, validated, ready),
state, document number, kind, partner and file. A document that fails —
rejected by validation or mapping, or refused by Odoo — prints a line with
action "failed", its problem and message, and the message for the analyst
on stderr.

The posting policy (customer and product matching, confirmation,
validation of transfers, ...) comes from --policy, a YAML odoo.Policy or a
partner profile with an odoo: key; without it the defaults apply (see
docs/odoo.md).

` + odooEnvHelp + `

Exit status: 0 if every document was posted, 1 if any failed (or Odoo
cannot be reached), 2 for usage or I/O errors.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := oo.profileFor(partner); err != nil {
				return usageErr(err)
			}
			pol, prof, err := oo.loadPolicy()
			if err != nil {
				return usageErr(err)
			}
			if partner == "" && prof != nil {
				partner = prof.Partner
			}
			tr, err := translate.New(translate.Options{Partner: partner})
			if err != nil {
				return usageErr(err)
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
			p := &poster{client: client, pol: pol, out: bufio.NewWriter(os.Stdout), errw: bufio.NewWriter(os.Stderr)}
			defer p.errw.Flush()
			ioFail := false
			for _, name := range args {
				if err := p.file(ctx, tr, name); err != nil {
					p.flush()
					fmt.Fprintf(p.errw, "b2bgw: %s: %v\n", name, err)
					ioFail = true
				}
				if err := p.flush(); err != nil {
					return usageErr(err)
				}
				if ctx.Err() != nil {
					return &exitError{code: exitRejected, err: errors.New("interrupted: the files not reported above were not posted")}
				}
			}
			switch {
			case ioFail:
				return &exitError{code: exitUsage}
			case p.failed:
				return rejected
			}
			return nil
		},
	}
	oo.registerTarget(c)
	oo.registerPolicy(c)
	c.Flags().StringVar(&partner, "partner", "", "partner `ID` the documents are posted for (default: the profile's partner: given with --policy, else the interchange sender, x12:QUAL:ID, or file:NAME); keys idempotency")
	return c
}

// poster posts the documents of files and writes what happened.
type poster struct {
	client *odoo.Client
	pol    odoo.Policy
	out    *bufio.Writer
	errw   *bufio.Writer
	failed bool
}

func (p *poster) flush() error {
	if err := p.errw.Flush(); err != nil {
		return err
	}
	return p.out.Flush()
}

// file translates one file, posts its documents and prints the outcome
// in input order. The error is an I/O error (the file cannot be read).
func (p *poster) file(ctx context.Context, tr *translate.Translator, name string) error {
	var docs []*pending
	sum, err := tr.File(name, func(r *translate.Result) error {
		pd := &pending{res: r}
		docs = append(docs, pd)
		if r.Err != nil {
			pd.fail(problemTranslation, r.Err)
			return nil
		}
		d, err := canonical.Decode(r.JSON)
		if err != nil {
			pd.fail(problemTranslation, err)
			return nil
		}
		pd.doc = d
		return nil
	})
	if err != nil {
		return err
	}
	for _, fe := range sum.FileErrors {
		fmt.Fprintln(p.errw, fe)
		p.failed = true
	}
	p.post(ctx, docs)
	posted, failed := 0, 0
	for _, pd := range docs {
		bad := false
		for _, l := range pd.lines {
			if l.Action == actionFailed {
				bad = true
				p.failed = true
				fmt.Fprintf(p.errw, "%s: %s\n", name, l.Error)
			}
			js, _ := json.Marshal(l)
			p.out.Write(js)
			p.out.WriteByte('\n')
		}
		if bad {
			failed++
		} else {
			posted++
		}
	}
	fmt.Fprintf(p.errw, "%s: %d document(s) posted, %d failed\n", name, posted, failed)
	return nil
}

// post sends the translated documents of one file: orders in one batch,
// catalog rows in one upsert, notices and advices one by one.
func (p *poster) post(ctx context.Context, docs []*pending) {
	var orders []*canonical.Order
	var orderAt []*pending
	var items []*canonical.CatalogItem
	var itemAt []*pending
	for _, pd := range docs {
		switch d := pd.doc.(type) {
		case nil:
		case *canonical.Order:
			orders, orderAt = append(orders, d), append(orderAt, pd)
		case *canonical.CatalogItem:
			items, itemAt = append(items, d), append(itemAt, pd)
		case *canonical.ShipmentNotice:
			rs, err := p.client.PostShipmentNotice(ctx, p.pol, d)
			for _, r := range rs {
				pd.ok(r)
			}
			if err != nil {
				pd.failOdoo(err)
			}
		case *canonical.WarehouseShippingAdvice:
			r, err := p.client.PostWarehouseShippingAdvice(ctx, p.pol, d)
			if err != nil {
				pd.failOdoo(err)
			} else {
				pd.ok(r)
			}
		default:
			pd.fail(problemUnsupported, fmt.Errorf("%s documents are sent to partners, not posted to Odoo", pd.res.Kind))
		}
	}
	if len(orders) > 0 {
		rs, errs := p.client.PostOrders(ctx, p.pol, orders)
		p.fillOrderNames(ctx, rs)
		for i, pd := range orderAt {
			if errs[i] != nil {
				pd.failOdoo(errs[i])
			} else {
				pd.ok(rs[i])
			}
		}
	}
	if len(items) > 0 {
		sum, err := p.client.PostCatalog(ctx, p.pol, items)
		for i, pd := range itemAt {
			switch {
			case err != nil:
				pd.failOdoo(err)
			case sum.Errors[i] != nil:
				pd.failOdoo(sum.Errors[i])
			default:
				pd.ok(sum.Results[i])
			}
			pd.lines[len(pd.lines)-1].Row = items[i].RowNumber
		}
		if err == nil {
			fmt.Fprintf(p.errw, "%s: catalog: %s\n", itemAt[0].res.File, sum)
		}
	}
}

// fillOrderNames reads the names of orders the single path created
// without one (one call for all of them). Names are for people: a
// failed read leaves them empty.
func (p *poster) fillOrderNames(ctx context.Context, rs []odoo.Result) {
	var ids []int64
	for _, r := range rs {
		if r.ID != 0 && r.Name == "" {
			ids = append(ids, r.ID)
		}
	}
	if len(ids) == 0 {
		return
	}
	rows, err := p.client.Read(ctx, "sale.order", ids, []string{"name"}, nil)
	if err != nil {
		return
	}
	names := map[int64]string{}
	for _, r := range rows {
		names[r.ID()] = r.String("name")
	}
	for i := range rs {
		if rs[i].Name == "" {
			rs[i].Name = names[rs[i].ID]
		}
	}
}

func (pd *pending) base() postLine {
	r := pd.res
	l := postLine{Document: r.Number, Kind: string(r.Kind), File: r.File}
	if r.SetID != "" {
		l.Set = r.SetID + " " + r.SetControl
	}
	if pd.doc != nil {
		m := pd.doc.DocMeta()
		l.Partner = m.PartnerID
		if l.Document == "" {
			l.Document = m.DocumentNumber
		}
	} else {
		var de *translate.DocError
		if errors.As(pd.res.Err, &de) {
			l.Partner = de.Partner
		}
	}
	return l
}

func (pd *pending) ok(r odoo.Result) {
	l := pd.base()
	l.Model, l.ID, l.Name, l.Action, l.State = r.Model, r.ID, r.Name, string(r.Action), r.State
	pd.lines = append(pd.lines, l)
}

func (pd *pending) fail(problem string, err error) {
	l := pd.base()
	l.Action, l.Problem, l.Error = actionFailed, problem, err.Error()
	pd.lines = append(pd.lines, l)
}

// failOdoo reports an error from a posting flow: a DocumentError says
// what did not match; an error that outlasted the retries says to resend.
func (pd *pending) failOdoo(err error) {
	var de *odoo.DocumentError
	switch {
	case errors.As(err, &de):
		pd.fail(string(de.Problem), err)
	case errclass.IsRetryable(err):
		pd.fail(problemUnavailable, fmt.Errorf("%w\n  what to do: Odoo was busy or unreachable; post the file again later (a resend never duplicates what was posted)", err))
	default:
		msg := err.Error()
		if !strings.HasPrefix(msg, "odoo") {
			msg = "odoo: " + msg
		}
		pd.fail(string(odoo.ProblemRefused), errors.New(msg))
	}
}
