package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/b2bgw/b2bgw/internal/config"
	"github.com/b2bgw/b2bgw/internal/edifact"
	"github.com/b2bgw/b2bgw/internal/partner"
	"github.com/b2bgw/b2bgw/internal/pipeline"
	"github.com/b2bgw/b2bgw/internal/store"
)

type demoOpts struct {
	keep, verbose     bool
	timeout           time.Duration
	partners, samples string
}

func newDemoCmd() *cobra.Command {
	var o demoOpts
	c := &cobra.Command{
		Use:   "demo [--keep]",
		Short: "Run the whole gateway on the sample partners and files, and show what it did",
		Long: `demo runs the gateway exactly as 'b2bgw serve' does, on its embedded
defaults: a SQLite store in a temporary data folder, the sample partner
profiles (partners/) in demo mode — every mailbox becomes a local folder
<data>/mailboxes/<mailbox id> — and the built-in, seeded Odoo simulator.

It drops the sample files of testdata/demo/ into the inbound mailboxes in
rounds (testdata/demo/1/<mailbox id>/…, then 2/…), polls, waits until the
pipeline has settled after each round, triggers the ATP feeds, and prints
what happened: files picked up, sets accepted and rejected, the
acknowledgments written, the records posted in Odoo, the feed sent and the
failures with their reason.

The pipeline's own logs go to <data>/demo.log (--verbose: also stderr).
--keep leaves the data folder (store, archive, mailboxes, log) in place so
'b2bgw messages' and 'b2bgw replay' can look at it.

Exit status: 0 when the demo ran (failures of sample documents are part of
the show), 1 when it broke (did not settle in --timeout, nothing posted,
no acknowledgment or feed written), 2 for usage errors.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runDemo(ctx, os.Stdout, os.Stderr, o)
		},
	}
	c.Flags().BoolVar(&o.keep, "keep", false, "keep the data folder and print its path")
	c.Flags().BoolVarP(&o.verbose, "verbose", "v", false, "also write the pipeline's logs to stderr")
	c.Flags().DurationVar(&o.timeout, "timeout", 2*time.Minute, "give up when the pipeline has not settled within `D`")
	c.Flags().StringVar(&o.partners, "partners", "", "partner profiles `DIR` (default: partners/ of the source tree)")
	c.Flags().StringVar(&o.samples, "samples", "", "sample files `DIR` (default: testdata/demo/ of the source tree)")
	return c
}

// findDemoTree finds the folder holding partners/ and testdata/demo/: the
// working folder or one of its parents (so `go run ./cmd/b2bgw demo`
// works anywhere in the source tree).
func findDemoTree() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if isDir(filepath.Join(dir, "partners")) && isDir(filepath.Join(dir, "testdata", "demo")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("partners/ and testdata/demo/ not found here or in a parent folder: run the demo from the b2bgw source tree, or pass --partners and --samples")
		}
		dir = parent
	}
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// demoRun is one demo: the gateway it runs and what it prints.
type demoRun struct {
	out     io.Writer
	g       *config.Gateway
	env     *pipeline.Env
	p       *pipeline.Pipeline
	dir     string
	logPath string
	until   time.Time
}

func runDemo(ctx context.Context, stdout, stderr io.Writer, o demoOpts) (err error) {
	if o.partners == "" || o.samples == "" {
		root, err := findDemoTree()
		if err != nil {
			return usageErr(err)
		}
		if o.partners == "" {
			o.partners = filepath.Join(root, "partners")
		}
		if o.samples == "" {
			o.samples = filepath.Join(root, "testdata", "demo")
		}
	}
	rounds, err := demoRounds(o.samples)
	if err != nil {
		return usageErr(err)
	}
	dir, err := os.MkdirTemp("", "b2bgw-demo-")
	if err != nil {
		return usageErr(err)
	}
	d := &demoRun{out: stdout, dir: dir, logPath: filepath.Join(dir, "demo.log"), until: time.Now().Add(o.timeout)}
	defer func() {
		switch {
		case o.keep || err != nil:
			fmt.Fprintf(stdout, "\nThe data folder is kept: %s (pipeline log: %s)\n", dir, d.logPath)
			fmt.Fprintf(stdout, "  b2bgw messages --store sqlite:%s --status failed\n", filepath.Join(dir, "b2bgw.db"))
		default:
			os.RemoveAll(dir)
		}
	}()
	logFile, err := os.Create(d.logPath)
	if err != nil {
		return usageErr(err)
	}
	defer logFile.Close()
	var logW io.Writer = logFile
	if o.verbose {
		logW = io.MultiWriter(logFile, stderr)
	}
	log := slog.New(slog.NewTextHandler(logW, &slog.HandlerOptions{Level: slog.LevelInfo})).With("gateway", "b2bgw-demo")

	// Only these settings: the demo must never pick up the machine's
	// B2BGW_* variables (a production store or Odoo).
	vars := map[string]string{"B2BGW_DATA_DIR": dir, "B2BGW_PARTNERS_DIR": o.partners, "B2BGW_DEMO": "true",
		"B2BGW_ODOO_URL": config.SimURL, "B2BGW_GATEWAY_NAME": "b2bgw-demo"}
	lookup := func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
	if d.g, err = config.Load("", lookup); err != nil {
		return usageErr(fmt.Errorf("demo configuration:\n%w", err))
	}
	if d.env, err = pipeline.Open(ctx, d.g, lookup, log); err != nil {
		return &exitError{code: exitRejected, err: err}
	}
	defer d.env.Close()
	cfg := d.env.Config
	cfg.NoSchedules = true // the demo polls and triggers the feeds itself
	cfg.FetchPollInterval = 50 * time.Millisecond
	cfg.RetryBase, cfg.RetryMax, cfg.MaxAttempts = 100*time.Millisecond, time.Second, 4
	cfg.StopTimeout = 5 * time.Second
	if d.p, err = pipeline.New(cfg); err != nil {
		return &exitError{code: exitRejected, err: err}
	}
	if err := d.p.Start(ctx); err != nil {
		return &exitError{code: exitRejected, err: err}
	}
	defer d.p.Stop(context.Background())

	if err := d.mailboxDirs(); err != nil {
		return &exitError{code: exitRejected, err: err}
	}
	profiles := d.g.Partners
	fmt.Fprintln(stdout, "b2bgw demo: the whole gateway (the pipeline of `b2bgw serve`) on its embedded defaults")
	fmt.Fprintf(stdout, "  store     SQLite in %s (a temporary folder; --keep keeps it)\n", dir)
	fmt.Fprintf(stdout, "  Odoo      the built-in simulator, seeded with customers, products, stock and a purchase order\n")
	fmt.Fprintf(stdout, "  partners  %d profiles from %s, every mailbox a local folder <data>/mailboxes/<id>\n\n",
		len(cfg.Partners.Profiles()), rel(profiles))

	for i, r := range rounds {
		n, err := d.drop(r)
		if err != nil {
			return &exitError{code: exitRejected, err: err}
		}
		start := time.Now()
		if err := d.p.PollNow(ctx); err != nil {
			return &exitError{code: exitRejected, err: err}
		}
		if _, err := d.settle(ctx); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Round %d: %d sample files dropped into %s; settled in %s\n", i+1, n,
			strings.Join(r.mailboxes(), ", "), time.Since(start).Round(10*time.Millisecond))
	}
	start := time.Now()
	var feeds []string
	for _, prof := range cfg.Partners.Profiles() {
		if prof.ATP != nil && !prof.Disabled {
			if _, err := d.p.Jobs().Insert(ctx, pipeline.ATPArgs{Partner: prof.ID}, nil); err != nil {
				return &exitError{code: exitRejected, err: err}
			}
			feeds = append(feeds, prof.ID)
		}
	}
	ms, err := d.settle(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "ATP feed triggered for %s; settled in %s\n\n", strings.Join(feeds, ", "),
		time.Since(start).Round(10*time.Millisecond))
	return d.report(ctx, ms, cfg.Partners)
}

// settle waits for the pipeline within what is left of the timeout.
func (d *demoRun) settle(ctx context.Context) ([]store.Message, error) {
	ms, err := d.p.WaitSettled(ctx, time.Until(d.until), 50*time.Millisecond)
	if err != nil {
		return nil, &exitError{code: exitRejected, err: fmt.Errorf("demo: %w (see the log %s)", err, d.logPath)}
	}
	return ms, nil
}

// demoRound is one round of sample files: mailbox id -> files.
type demoRound map[string][]string

func (r demoRound) mailboxes() []string {
	var ids []string
	for id := range r {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// demoRounds reads the sample folder: one numbered folder per round,
// one folder per inbound mailbox id in it.
func demoRounds(dir string) ([]demoRound, error) {
	es, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var nums []int
	for _, e := range es {
		if n, err := strconv.Atoi(e.Name()); err == nil && e.IsDir() {
			nums = append(nums, n)
		}
	}
	slices.Sort(nums)
	var rounds []demoRound
	for _, n := range nums {
		rd := filepath.Join(dir, strconv.Itoa(n))
		boxes, err := os.ReadDir(rd)
		if err != nil {
			return nil, err
		}
		r := demoRound{}
		for _, b := range boxes {
			if !b.IsDir() {
				continue
			}
			files, err := os.ReadDir(filepath.Join(rd, b.Name()))
			if err != nil {
				return nil, err
			}
			for _, f := range files {
				if f.Type().IsRegular() {
					r[b.Name()] = append(r[b.Name()], filepath.Join(rd, b.Name(), f.Name()))
				}
			}
		}
		if len(r) > 0 {
			rounds = append(rounds, r)
		}
	}
	if len(rounds) == 0 {
		return nil, fmt.Errorf("%s: no sample files (want %s/1/<mailbox id>/FILE)", dir, dir)
	}
	return rounds, nil
}

// drop writes a round's files into the demo mailbox folders, each under a
// temporary name renamed into place (the demo mailboxes pick files
// immediately).
func (d *demoRun) drop(r demoRound) (int, error) {
	n := 0
	for _, id := range r.mailboxes() {
		box := d.inbox(id)
		if box == "" {
			return n, fmt.Errorf("sample folder %s: no partner has an inbound mailbox %q", filepath.Dir(r[id][0]), id)
		}
		if err := os.MkdirAll(box, 0o755); err != nil {
			return n, err
		}
		for _, src := range r[id] {
			data, err := os.ReadFile(src)
			if err != nil {
				return n, err
			}
			name := filepath.Base(src)
			tmp := filepath.Join(box, ".demo-"+name)
			if err := os.WriteFile(tmp, data, 0o644); err != nil {
				return n, err
			}
			if err := os.Rename(tmp, filepath.Join(box, name)); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

// inbox is the local folder of an inbound mailbox id ("" when no partner
// has it).
func (d *demoRun) inbox(id string) string {
	for _, prof := range d.env.Config.Partners.Profiles() {
		for _, m := range prof.Mailboxes.Inbound {
			if m.ID == id && m.Local != nil {
				return m.Local.Dir
			}
		}
	}
	return ""
}

// mailboxDirs creates the local folders of every demo mailbox (a local
// mailbox must exist: a missing folder is a configuration error).
func (d *demoRun) mailboxDirs() error {
	for _, prof := range d.env.Config.Partners.Profiles() {
		for _, m := range prof.Mailboxes.Inbound {
			if m.Local != nil {
				if err := os.MkdirAll(m.Local.Dir, 0o755); err != nil {
					return err
				}
			}
		}
		for _, m := range prof.Mailboxes.Outbound {
			if m.Local != nil {
				if err := os.MkdirAll(m.Local.Dir, 0o755); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// demoFile is one file written to a partner's outbound mailbox.
type demoFile struct {
	partner, docType, path string
}

// outboxFiles lists what the gateway wrote to the partners' outbound
// mailboxes.
func (d *demoRun) outboxFiles(reg *partner.Registry) ([]demoFile, error) {
	var out []demoFile
	for _, prof := range reg.Profiles() {
		for _, ob := range prof.Mailboxes.Outbound {
			if ob.Local == nil {
				continue
			}
			err := filepath.WalkDir(ob.Local.Dir, func(p string, e fs.DirEntry, err error) error {
				if errors.Is(err, fs.ErrNotExist) {
					return nil
				}
				if err != nil || !e.Type().IsRegular() || strings.HasPrefix(e.Name(), ".") {
					return err
				}
				data, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				out = append(out, demoFile{partner: prof.ID, docType: docTypeOf(data), path: p})
				return nil
			})
			if err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// docTypeOf names what an outbound file holds: the X12 set id of its
// first ST, the EDIFACT message type of its first UNH (CONTRL, INVRPT),
// or "file" (CSV).
func docTypeOf(b []byte) string {
	if len(b) > 106 && bytes.HasPrefix(b, []byte("ISA")) {
		el, term := b[3], b[105]
		for _, seg := range bytes.Split(b, []byte{term}) {
			seg = bytes.TrimLeft(seg, "\r\n")
			if f := bytes.Split(seg, []byte{el}); len(f) > 1 && string(f[0]) == "ST" {
				return string(f[1])
			}
		}
		return "X12"
	}
	if edifact.Detect(b) {
		d := edifact.DefaultDelimiters
		if bytes.HasPrefix(b, []byte("UNA")) && len(b) > 5 {
			d.Component, d.Element = b[3], b[4]
		}
		// UNH+ref+TYPE:version:release:agency
		if i := bytes.Index(b, []byte{'U', 'N', 'H', d.Element}); i >= 0 {
			if f := bytes.SplitN(b[i:], []byte{d.Element}, 3); len(f) == 3 {
				typ, _, _ := bytes.Cut(f[2], []byte{d.Component})
				return string(typ)
			}
		}
		return "EDIFACT"
	}
	return "file"
}

// isFeed tells the ATP feeds (846, INVRPT, CSV) from acknowledgments.
func isFeed(docType string) bool {
	return docType == "846" || docType == "INVRPT" || docType == "file"
}

// report prints what the demo's pipeline did, from the store, the
// outbound mailboxes and Odoo.
func (d *demoRun) report(ctx context.Context, ms []store.Message, reg *partner.Registry) error {
	w := d.out
	byRoot := map[int64][]store.Message{}
	byID := map[int64]store.Message{}
	for _, m := range ms {
		byRoot[m.RootID] = append(byRoot[m.RootID], m)
		byID[m.ID] = m
	}
	fileName := func(m store.Message) string {
		root := byID[m.RootID]
		if root.Kind != store.KindFile {
			return ""
		}
		_, p, _ := strings.Cut(root.Ref, ":")
		return filepath.Base(p)
	}

	// Files and sets.
	var files []store.Message
	sets := map[store.Status]int{}
	var failed, rejected []store.Message
	for _, m := range ms {
		switch {
		case m.Kind == store.KindFile && m.Direction == store.Inbound:
			files = append(files, m)
		case m.Kind == store.KindSet && m.Direction == store.Inbound:
			sets[m.Status]++
		}
		if m.Status == store.StatusFailed {
			failed = append(failed, m)
		}
		if m.Status == store.StatusRejected && m.Kind == store.KindSet {
			rejected = append(rejected, m)
		}
	}
	sort.SliceStable(files, func(i, j int) bool { return files[i].Partner < files[j].Partner })
	dups := 0
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	for _, f := range files {
		outcome := string(f.Status)
		if f.Status == store.StatusDuplicate {
			dups++
			outcome = "duplicate: same content as a file already received, not processed again"
		} else if f.Status != store.StatusFailed {
			count := map[store.Kind]int{}
			nf := 0
			for _, x := range byRoot[f.ID] {
				count[x.Kind]++
				if x.Status == store.StatusFailed && (x.Kind == store.KindDocument || x.Kind == store.KindFile) {
					nf++
				}
			}
			outcome += fmt.Sprintf(": sets %d, documents %d, Odoo records %d", count[store.KindSet], count[store.KindDocument], count[store.KindOdooRecord])
			if nf > 0 {
				outcome += fmt.Sprintf(", %d failed", nf)
			}
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", f.Partner, fileName(f), outcome)
	}
	fmt.Fprintf(w, "Files picked up: %d (%d processed, %d duplicate resend)\n", len(files), len(files)-dups, dups)
	tw.Flush()
	accepted := 0
	for st, n := range sets {
		if st != store.StatusRejected && st != store.StatusDuplicate {
			accepted += n
		}
	}
	fmt.Fprintf(w, "Transaction sets: %d accepted, %d rejected", accepted, sets[store.StatusRejected])
	if n := sets[store.StatusDuplicate]; n > 0 {
		fmt.Fprintf(w, ", %d duplicate", n)
	}
	fmt.Fprintln(w)
	for _, m := range rejected {
		ack := "997"
		if strings.HasPrefix(m.Error, "UCM ") { // an EDIFACT message (see the pipeline's edifact.go)
			ack = "CONTRL"
		}
		fmt.Fprintf(w, "  rejected: %s %s set %s in %s (the %s says why): %s\n", m.Partner, m.DocType, m.Control, fileName(m),
			ack, firstProblem(m.Error))
	}

	// Outbound files: acknowledgments and feeds.
	outFiles, err := d.outboxFiles(reg)
	if err != nil {
		return &exitError{code: exitRejected, err: err}
	}
	var acks, feeds []demoFile
	for _, f := range outFiles {
		if isFeed(f.docType) {
			feeds = append(feeds, f)
		} else {
			acks = append(acks, f)
		}
	}
	fmt.Fprintf(w, "Acknowledgments written: %d\n", len(acks))
	for _, f := range acks {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", f.docType, f.partner, f.path)
	}
	tw.Flush()

	// Odoo records.
	orders, others, err := d.odooRecords(ctx, ms)
	if err != nil {
		return &exitError{code: exitRejected, err: err}
	}
	fmt.Fprintf(w, "Orders posted in Odoo: %d\n", len(orders))
	for _, r := range orders {
		fmt.Fprintf(tw, "  %s\tPO %s\t%s\t%s\n", r.name, r.number, r.action, r.partner)
	}
	tw.Flush()
	if len(others) > 0 {
		fmt.Fprintf(w, "Other Odoo records: %d\n", len(others))
		for _, r := range others {
			fmt.Fprintf(tw, "  %s\t%s\t%s\tfrom %s %s\n", r.model, r.name, r.action, r.partner, r.number)
		}
		tw.Flush()
	}

	// The feed.
	var feedMsgs []store.Message
	for _, m := range ms {
		if m.Kind == store.KindDocument && m.Direction == store.Outbound {
			feedMsgs = append(feedMsgs, m)
		}
	}
	fmt.Fprintf(w, "ATP feeds sent: %d\n", len(feeds))
	for _, f := range feeds {
		note := ""
		for _, m := range feedMsgs {
			if m.Partner == f.partner && m.Status == store.StatusSent {
				note = "; waits for the partner's 997"
				if m.DocType == "INVRPT" {
					note = "; waits for the partner's CONTRL"
				}
			}
		}
		fmt.Fprintf(w, "  %s to %s: %s%s\n", f.docType, f.partner, f.path, note)
	}

	failedChild := map[int64]bool{}
	for _, m := range failed {
		failedChild[m.ParentID] = true
	}
	failed = slices.DeleteFunc(failed, func(m store.Message) bool { return m.Kind == store.KindSet && failedChild[m.ID] })
	fmt.Fprintf(w, "Failures: %d (dead letters: `b2bgw messages --status failed` lists them, `b2bgw replay ID` runs one again)\n", len(failed))
	for _, m := range failed {
		what := strings.TrimSpace(string(m.Kind) + " " + m.DocType + " " + m.DocNumber)
		if m.Kind == store.KindFile {
			what = "file " + fileName(m)
		}
		fmt.Fprintf(w, "  #%d %s %s: %s\n", m.ID, m.Partner, what, oneLine(m.Error, 110))
	}

	var broke []string
	if len(orders) == 0 {
		broke = append(broke, "no order was posted in Odoo")
	}
	if len(acks) == 0 {
		broke = append(broke, "no acknowledgment was written")
	}
	if len(feeds) == 0 {
		broke = append(broke, "no ATP feed was written")
	}
	if len(broke) > 0 {
		return &exitError{code: exitRejected, err: fmt.Errorf("the demo broke: %s (see the log %s)", strings.Join(broke, "; "), d.logPath)}
	}
	return nil
}

// problemRe finds the first segment problem in a rejected set's error.
var problemRe = regexp.MustCompile(`in the set[^:]*: (.*?) \[AK`)

// firstProblem is the first problem a rejected set's error describes.
func firstProblem(e string) string {
	if m := problemRe.FindStringSubmatch(e); m != nil {
		return oneLine(m[1], 100)
	}
	return oneLine(e, 100)
}

// odooRecord is a record the pipeline created or matched in Odoo.
type odooRecord struct {
	model, name, action, number, partner string
}

// odooRecords reads the names of the records the odoo_record messages
// point at: sales orders, and the rest (transfers, vendor prices).
func (d *demoRun) odooRecords(ctx context.Context, ms []store.Message) (orders, others []odooRecord, err error) {
	ids := map[string][]int64{}
	type ref struct {
		m     store.Message
		model string
		id    int64
	}
	var refs []ref
	for _, m := range ms {
		if m.Kind != store.KindOdooRecord {
			continue
		}
		model, idStr, _ := strings.Cut(m.Ref, ",")
		id, _ := strconv.ParseInt(idStr, 10, 64)
		refs = append(refs, ref{m, model, id})
		ids[model] = append(ids[model], id)
	}
	names := map[string]string{}
	for model, list := range ids {
		recs, err := d.env.Odoo.Read(ctx, model, list, []string{"display_name"}, nil)
		if err != nil {
			return nil, nil, fmt.Errorf("reading %s back from Odoo: %w", model, err)
		}
		for _, r := range recs {
			names[model+","+strconv.FormatInt(r.ID(), 10)] = r.String("display_name")
		}
	}
	for _, r := range refs {
		rec := odooRecord{model: r.model, name: names[r.m.Ref], action: r.m.Control, number: r.m.DocNumber, partner: r.m.Partner}
		if rec.name == "" {
			rec.name = r.m.Ref
		}
		if r.model == "sale.order" {
			orders = append(orders, rec)
		} else {
			others = append(others, rec)
		}
	}
	return orders, others, nil
}

// rel shortens a path under the working folder.
func rel(p string) string {
	if wd, err := os.Getwd(); err == nil {
		if r, err := filepath.Rel(wd, p); err == nil && !strings.HasPrefix(r, "..") {
			return r + string(filepath.Separator)
		}
	}
	return p
}
