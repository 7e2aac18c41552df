// Package translate turns partner files into canonical documents: an X12
// file is decoded, every transaction set validated against its spec (a
// rejected set is never translated), shaped into a document tree, mapped
// with the partner's mapping or the built-in one for its standard, set and
// version, stamped with meta (partner, document number, file name and
// SHA-256, interchange, group and set control numbers) and checked with the
// canonical types. A CSV file is mapped the same way, one document per file
// or, for catalogs, one per row.
//
// Sets are independent, so they are translated on every core; results come
// out in input order, and memory is bounded by the sets in flight, not the
// file. A document that fails is rejected alone, with a message an analyst
// can act on: partner, document number, set control number, the target
// field, the mapping file:line, the expression and the source position.
package translate

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/b2bgw/b2bgw/internal/canonical"
	"github.com/b2bgw/b2bgw/internal/doctree"
	"github.com/b2bgw/b2bgw/internal/edifact"
	"github.com/b2bgw/b2bgw/internal/mapping"
	"github.com/b2bgw/b2bgw/internal/x12"
	"github.com/b2bgw/b2bgw/internal/x12/spec"
	"github.com/b2bgw/b2bgw/mappings"
)

// Options configure a Translator.
type Options struct {
	// Partner is the gateway's partner id written to meta.partner_id.
	// Empty: the interchange sender (x12:ZZ:ACMERETAIL) or, for files
	// without an envelope, the file name (file:catalog.csv).
	Partner string
	// Mapping, when set, is used for every document instead of the
	// built-in mapping for its standard, set and version.
	Mapping *mapping.Mapping
	// Mappings are a partner's own mappings, one per document type: a
	// document is read with the first whose source names its standard,
	// its set or message type (when the mapping names one) and its
	// version (when the mapping names one); with the built-in mapping
	// when none does. Mapping, when set, wins.
	Mappings []*mapping.Mapping
	// Trace records where every output value came from (Result.Trace).
	Trace bool
	// Workers translate sets in parallel; 0 means GOMAXPROCS.
	Workers int
	// Validator checks X12 sets; nil means the built-in specs.
	Validator *x12.Validator
	// Decoder options for X12 input (leniency, segment size).
	DecoderOptions []x12.DecoderOption
	// EDIFACTValidator checks EDIFACT messages; nil means the built-in
	// directories (see edifact.go).
	EDIFACTValidator *edifact.Validator
	// EDIFACTDecoderOptions are the decoder options for EDIFACT input.
	EDIFACTDecoderOptions []edifact.DecoderOption
	// ReuseOutput promises that emit does not keep Result.JSON after it
	// returns (it writes it out, or copies it): its memory is then reused
	// for later documents instead of allocated for each one.
	ReuseOutput bool
}

// Translator translates files. It is safe for concurrent use.
type Translator struct {
	opts     Options
	specs    x12.SpecSource
	shapes   sync.Map // "version/id" -> *doctree.Shape (nil for no spec)
	validate *x12.Validator
	noFast   bool // tests: always the Value path (finish), to compare
	edi      edifactState
	outBufs  chan []byte // ReuseOutput: JSON buffers emit is done with
}

// New prepares a Translator: the built-in specs are loaded here; each
// built-in mapping is compiled the first time a document needs it (a run
// of one kind of document compiles one file, not all of them).
func New(opts Options) (*Translator, error) {
	reg, err := spec.Builtin()
	if err != nil {
		return nil, fmt.Errorf("loading the built-in X12 specs: %w", err)
	}
	for _, m := range append([]*mapping.Mapping{opts.Mapping}, opts.Mappings...) {
		if m == nil {
			continue
		}
		if ms := CheckTarget(m); len(ms) > 0 {
			lines := make([]string, len(ms))
			for i, msg := range ms {
				lines[i] = msg.String()
			}
			return nil, fmt.Errorf("the mapping %s writes fields its target does not have:\n%s", m.File, strings.Join(lines, "\n"))
		}
	}
	t := &Translator{opts: opts, specs: reg, validate: opts.Validator}
	if t.validate == nil {
		t.validate = x12.NewValidator(reg)
	}
	if t.opts.Workers <= 0 {
		t.opts.Workers = runtime.GOMAXPROCS(0)
	}
	if t.opts.ReuseOutput {
		t.outBufs = make(chan []byte, outBufsPerWorker*t.opts.Workers)
	}
	return t, nil
}

// mappingFor returns the mapping that reads a document of standard,
// version and set (see Options.Mappings), or nil when there is none. A
// built-in one is compiled on first use; err is set when it does not
// compile, a broken build (the mappings package's tests compile every
// embedded file) that rejects the documents of that kind, not the run.
func (t *Translator) mappingFor(standard, version, set string) (*mapping.Mapping, error) {
	if t.opts.Mapping != nil {
		return t.opts.Mapping, nil
	}
	for _, m := range t.opts.Mappings {
		if s := m.Source; s.Standard == standard && (s.Set == "" || s.Set == set) && (s.Version == "" || s.Version == version) {
			return m, nil
		}
	}
	m, err := mappings.For(standard, version, set)
	if err != nil {
		return nil, fmt.Errorf("b2bgw was built with a broken built-in mapping (run go test ./mappings to see it): %w", err)
	}
	return m, nil
}

// outBufsPerWorker is how many finished documents' buffers wait for
// reuse, per worker: about as many as can be in flight (the batches
// inOrder keeps queued), so that a buffer is dropped only when more are
// spare than the pipeline can ever hold.
const outBufsPerWorker = 4 * batchSets

// outBuf returns an empty buffer of capacity at least n for a document's
// JSON: one emit is done with (ReuseOutput), or a new one.
func (t *Translator) outBuf(n int) []byte {
	select {
	case b := <-t.outBufs: // never ready when outBufs is nil
		if cap(b) >= n {
			return b[:0]
		}
	default:
	}
	// A power of two from 4 KiB: a buffer made to the byte for one
	// document was too small for the next one about half the time (the
	// 850s of the benchmark file are 1-8 KiB of JSON), and dropped for a
	// new one; rounded up, a recycled buffer serves the documents that
	// follow.
	c := 4 << 10
	for c < n {
		c <<= 1
	}
	return make([]byte, 0, c)
}

// giveBack returns a buffer outBuf gave to the next document, with
// ReuseOutput, when the fast path does not use it after all.
func (t *Translator) giveBack(b []byte) {
	select {
	case t.outBufs <- b: // never ready when outBufs is nil
	default:
	}
}

// released wraps emit so that, with ReuseOutput, each accepted document's
// JSON buffer goes back to outBuf once emit returns.
func (t *Translator) released(emit func(*Result) error) func(*Result) error {
	if t.outBufs == nil {
		return emit
	}
	return func(r *Result) error {
		err := emit(r)
		if b := r.buf; b != nil || r.JSON != nil {
			if b == nil {
				b = r.JSON
			}
			t.giveBack(b)
			r.JSON, r.buf = nil, nil
		}
		return err
	}
}

// Result is one document of a file, translated or rejected.
type Result struct {
	File  string // the input file
	Index int    // 1-based: the set's position in the file, or the CSV row
	// Kind, SetID, SetControl and Pos say what the document came from
	// (SetID and SetControl are empty for CSV).
	Kind       canonical.DocumentKind
	SetID      string
	SetControl string
	Pos        x12.Position
	// Number is the document number (PO, ASN …) when it could be read.
	Number string
	// JSON is the canonical document, compact, when it was accepted.
	JSON []byte
	// Trace, with Options.Trace, is where each value came from (kept
	// for rejected documents too: it shows what did map).
	Trace *mapping.Trace
	// Err is why the document was rejected: a *DocError.
	Err error

	// buf is the buffer JSON is in, from its start (JSON may begin
	// further on): what ReuseOutput hands to the next document.
	buf []byte
}

// DocError is a rejected document: who and what it is, and every problem
// found, each with the mapping line and the source position when known.
type DocError struct {
	File       string
	Partner    string
	Number     string // document number, "" when unknown
	SetID      string
	SetControl string
	Pos        x12.Position // of the ST (X12) or row (CSV line)
	Problems   []Problem
}

// Problem is one reason a document was rejected.
type Problem struct {
	Field   string            // target field, e.g. lines[0].uom ("" for the whole set)
	Message string            // what is wrong and, where it helps, what to do
	Mapping string            // mapping file:line that produces the field
	Expr    string            // the expression evaluated
	Source  mapping.SourcePos // where in the input
	Raw     string            // the raw value read
}

func (e *DocError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Pos.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Pos.Line)
	}
	b.WriteString(": ")
	if e.SetID != "" {
		fmt.Fprintf(&b, "set %s %s", e.SetID, e.SetControl)
	} else {
		b.WriteString("document")
	}
	fmt.Fprintf(&b, " (partner %s, document %s) rejected:", e.Partner, orUnknown(e.Number))
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		if p.Mapping != "" {
			b.WriteString(p.Mapping + ": ")
		}
		if p.Field != "" {
			b.WriteString(p.Field)
			if p.Expr != "" {
				fmt.Fprintf(&b, " (%s)", p.Expr)
			}
			if p.Raw != "" {
				fmt.Fprintf(&b, " = %q", p.Raw)
			}
			if s := p.Source.String(); s != "" {
				b.WriteString(" at " + s)
			}
			b.WriteString(": ")
		}
		b.WriteString(p.Message)
	}
	return b.String()
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// Summary counts what a file gave, and carries the problems that are not
// one document's: envelope errors, a syntax error that stopped reading.
type Summary struct {
	Accepted, Rejected int
	// FileErrors are problems of the file or its envelopes, each
	// "file:line: message". Documents read before them were delivered.
	FileErrors []string
}

// OK reports whether every document was translated and the file had no
// envelope problem.
func (s *Summary) OK() bool { return s.Rejected == 0 && len(s.FileErrors) == 0 }

// File translates the file at path and calls emit with every document in
// input order, on the calling goroutine. A non-nil error is an I/O error
// or emit's error; what is wrong with the content is in the Results and
// the Summary.
func (t *Translator) File(path string, emit func(*Result) error) (*Summary, error) {
	return t.FileAs(path, path, emit)
}

// FileAs is File for content stored under another path than the name it
// arrived with (the gateway's archive keeps files by SHA-256): name is
// what documents' meta reports and what tells a CSV file by its .csv.
func (t *Translator) FileAs(path, name string, emit func(*Result) error) (*Summary, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// The file is read twice, streaming: once for its SHA-256 (every
	// document's meta names it, before the end of the file is reached),
	// once to translate. Memory stays bounded by the sets in flight. The
	// hash is computed alongside: sets are decoded, validated and mapped
	// meanwhile, and only their meta waits for it.
	hash := hashFile(f)
	defer hash.wait() // f is closed after the hashing goroutine is done
	src := fileSource{name: name, hash: hash}
	br := bufio.NewReaderSize(f, 1<<16)
	emit = t.released(emit)
	head, _ := br.Peek(512)
	var sum *Summary
	switch sniff(name, head) {
	case "x12":
		sum, err = t.x12(src, br, emit)
	case "csv":
		var data []byte
		if data, err = io.ReadAll(br); err == nil {
			sum, err = t.csv(src, data, emit)
		}
	case "edifact":
		sum, err = t.edifact(src, br, emit)
	default:
		sum = &Summary{FileErrors: []string{name + ": neither X12 (no ISA at the start) nor CSV (.csv): nothing to translate"}}
	}
	if _, _, herr := hash.wait(); herr != nil && err == nil {
		err = herr // documents carry no SHA-256: the file could not be read
	}
	return sum, err
}

// fileHash is the SHA-256 and size of a file, computed on a goroutine of
// its own (ReadAt: the translation's reads keep their own offset).
type fileHash struct {
	done chan struct{}
	sum  string
	size int64
	err  error
}

func hashFile(f *os.File) *fileHash {
	h := &fileHash{done: make(chan struct{})}
	go func() {
		defer close(h.done)
		d := sha256.New()
		h.size, h.err = io.Copy(d, io.NewSectionReader(f, 0, 1<<62))
		if h.err == nil {
			h.sum = hex.EncodeToString(d.Sum(nil))
		}
	}()
	return h
}

// wait returns the hash once it is computed.
func (h *fileHash) wait() (sum string, size int64, err error) {
	<-h.done
	return h.sum, h.size, h.err
}

// sniff tells the syntax of a file from its first bytes and name.
func sniff(name string, head []byte) string {
	h := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\ufeff")), " \t\r\n")
	switch {
	case bytes.HasPrefix(h, []byte("ISA")):
		return "x12"
	case edifact.Detect(h):
		return "edifact"
	case strings.EqualFold(filepath.Ext(name), ".csv"):
		return "csv"
	}
	return ""
}

type fileSource struct {
	name string
	hash *fileHash // meta's sha256 and size
}

func (t *Translator) x12(src fileSource, r io.Reader, emit func(*Result) error) (*Summary, error) {
	d := x12.NewDecoder(r, t.opts.DecoderOptions...)
	sum := &Summary{}
	var decodeErr error
	var envelope []string // envelope problems, appended by the decoding goroutine
	produce := func(push func(*x12.Set) bool) {
		for {
			ev, err := d.Next()
			if err != nil {
				if !errors.Is(err, io.EOF) {
					decodeErr = err
				}
				break
			}
			switch ev.Kind {
			case x12.EventSet:
				if !push(ev.Set) {
					return
				}
			case x12.EventGroupEnd:
				for _, p := range ev.Group.Problems {
					envelope = append(envelope, fmt.Sprintf("%s:%d: group %s: %s", src.name, p.Pos.Line, ev.Group.Control, p.Message))
				}
			case x12.EventInterchangeEnd:
				for _, p := range ev.Interchange.Problems {
					envelope = append(envelope, fmt.Sprintf("%s:%d: interchange %s: %s", src.name, p.Pos.Line, ev.Interchange.Control, p.Message))
				}
			}
		}
		for _, s := range d.Stray() {
			envelope = append(envelope, src.name+": "+s.Error())
		}
	}
	translate := func(w *worker, set *x12.Set, index int) *Result { return t.translateSet(w, src, set, index) }
	// An accepted document keeps nothing of its set (its JSON and number
	// are copies), so the decoder may refill the set's memory; a rejected
	// one or a trace may quote the set's bytes, and is left alone.
	recycle := func(set *x12.Set, res *Result) {
		if res.Err == nil && res.Trace == nil {
			d.Reuse(set)
		}
	}
	if err := inOrder(t.opts.Workers, func() *worker { return &worker{} }, produce, translate, emit, sum, recycle); err != nil {
		return sum, err
	}
	sum.FileErrors = append(sum.FileErrors, envelope...)
	if decodeErr != nil {
		sum.FileErrors = append(sum.FileErrors, src.name+": "+decodeErr.Error())
	}
	if sum.Accepted+sum.Rejected == 0 && decodeErr == nil {
		sum.FileErrors = append(sum.FileErrors, src.name+": no transaction set in the file")
	}
	return sum, nil
}

// shape returns the compiled loop shape of a set type (nil when there is no
// spec: the tree is then flat).
func (t *Translator) shape(version, id string) *doctree.Shape {
	key := version + "/" + id
	if s, ok := t.shapes.Load(key); ok {
		return s.(*doctree.Shape)
	}
	var sh *doctree.Shape
	if ts, ok := t.specs.Set(version, id); ok {
		sh = doctree.Compile(ts)
	}
	t.shapes.Store(key, sh)
	return sh
}

// translateSet validates, maps and checks one set.
func (t *Translator) translateSet(w *worker, src fileSource, set *x12.Set, index int) *Result {
	res := &Result{File: src.name, Index: index, SetID: set.ID, SetControl: set.Control, Pos: set.Pos}
	if w.partnerIC != set.Interchange || w.partner == "" {
		w.partnerIC, w.partner = set.Interchange, t.partner(src, set.Interchange)
	}
	partner := w.partner
	reject := func(number string, ps ...Problem) *Result {
		res.Number = number
		res.Err = &DocError{File: src.name, Partner: partner, Number: number, SetID: set.ID, SetControl: set.Control, Pos: set.Pos, Problems: ps}
		return res
	}
	vr := t.validate.ValidatePlaced(set, &w.placed)
	if vr.Status == x12.Rejected {
		ps := []Problem{{Message: "the set does not validate against its X12 spec, so it is not translated; run `b2bgw validate` for every finding, fix the file with the partner, and send it again"}}
		for _, c := range vr.Codes {
			if c == x12.SetSegmentsInError {
				continue // the segments follow
			}
			ps = append(ps, Problem{Message: fmt.Sprintf("%s [AK502=%s]", setCodeText[c], c)})
		}
		for i := range vr.Segments {
			if len(ps) > 20 {
				break
			}
			ps = append(ps, Problem{Message: vr.Segments[i].Describe()})
		}
		return reject("", ps...)
	}
	version := set.Version()
	m, err := t.mappingFor("x12", version, set.ID)
	if err != nil {
		return reject("", Problem{Message: err.Error()})
	}
	if m == nil {
		return reject("", Problem{Message: fmt.Sprintf("no built-in mapping reads X12 %s %s; give one with --mapping FILE", version, set.ID)})
	}
	// The tree is the worker's, rebuilt for every set: nothing the Result
	// keeps refers to it.
	w.tree = doctree.ReusePlaced(w.tree, set, t.shape(version, set.ID), &w.placed)
	tree := mapping.DocTree(w.tree)
	if !t.opts.Trace && !t.noFast && t.finishFast(w, res, m, tree, partner, src, set, index) {
		return res
	}
	meta := t.meta(m, partner, src, set, index)
	t.finish(res, m, tree, meta, partner, func(number string, ps []Problem) { reject(number, ps...) })
	return res
}

// csv maps a CSV file: one document, or one per row for per-record targets.
func (t *Translator) csv(src fileSource, data []byte, emit func(*Result) error) (*Summary, error) {
	sum := &Summary{}
	m, err := t.mappingFor("csv", "", "")
	if err != nil {
		sum.FileErrors = append(sum.FileErrors, src.name+": "+err.Error())
		return sum, nil
	}
	if m == nil {
		sum.FileErrors = append(sum.FileErrors, src.name+": no built-in mapping reads CSV; give one with --mapping FILE")
		return sum, nil
	}
	if m.Source.Standard != "csv" {
		sum.FileErrors = append(sum.FileErrors, fmt.Sprintf("%s: the mapping %s reads %s, not CSV", src.name, m.File, m.Source.Standard))
		return sum, nil
	}
	tree, err := mapping.ParseCSV(data)
	if err != nil {
		sum.FileErrors = append(sum.FileErrors, src.name+": "+err.Error())
		return sum, nil
	}
	docs := []mapping.Tree{tree}
	if perRecord(m.Target) {
		docs = records(tree)
	}
	partner := t.opts.Partner
	if partner == "" {
		partner = "file:" + filepath.Base(src.name)
	}
	for i, doc := range docs {
		res := &Result{File: src.name, Index: i + 1}
		if l, ok := doc.(mapping.Locator); ok {
			res.Pos.Line, _, _ = l.Locate(doc.Root())
		}
		record := 0
		if len(docs) > 1 || perRecord(m.Target) {
			record = i + 1
		}
		meta := t.csvMeta(m, partner, src, record)
		t.finish(res, m, doc, meta, partner, func(number string, ps []Problem) {
			res.Number = number
			res.Err = &DocError{File: src.name, Partner: partner, Number: number, Pos: res.Pos, Problems: ps}
		})
		if res.Err != nil {
			sum.Rejected++
		} else {
			sum.Accepted++
		}
		if err := emit(res); err != nil {
			return sum, err
		}
	}
	if len(docs) == 0 {
		sum.FileErrors = append(sum.FileErrors, src.name+": the CSV file has no rows")
	}
	return sum, nil
}

func (t *Translator) partner(src fileSource, ic *x12.Interchange) string {
	if t.opts.Partner != "" {
		return t.opts.Partner
	}
	if ic != nil {
		return "x12:" + ic.SenderQualifier + ":" + ic.SenderID
	}
	return "file:" + filepath.Base(src.name)
}

// finish maps a document, adds meta, checks it with the canonical types
// and fills res (JSON or the rejection through reject).
func (t *Translator) finish(res *Result, m *mapping.Mapping, tree mapping.Tree, meta []mapping.Member, partner string, reject func(string, []Problem)) {
	kind := kindOf(m.Target)
	res.Kind = kind
	var v mapping.Value
	var err error
	if t.opts.Trace {
		v, res.Trace, err = m.TranslateTrace(tree)
	} else {
		v, err = m.Translate(tree)
	}
	if err != nil {
		number := ""
		if res.Trace != nil {
			number = documentNumber(kind, v)
		} else if pv, _, _ := m.TranslateTrace(tree); pv.Kind() == mapping.Object {
			number = documentNumber(kind, pv)
		}
		reject(number, fieldProblems(err))
		return
	}
	if v.Kind() != mapping.Object {
		reject("", []Problem{{Mapping: m.File, Message: fmt.Sprintf("the mapping produced %s, not an object; a canonical document is a JSON object", v.Kind())}})
		return
	}
	number := documentNumber(kind, v)
	res.Number = number
	if kind == "" {
		reject(number, []Problem{{Mapping: m.File, Message: fmt.Sprintf("target %q is not a canonical document (Order, ShipmentNotice, WarehouseShippingAdvice, InventoryAdvice, CatalogItem, Acknowledgment)", m.Target)}})
		return
	}
	if number != "" { // before source, where a reader looks for it
		n := len(meta) - 1
		meta = append(meta[:n:n], mapping.Member{Key: "document_number", Value: mapping.Str(number)}, meta[n])
	}
	members := make([]mapping.Member, 0, len(v.Members())+2)
	metaObj := mapping.Obj(meta...)
	members = append(members, mapping.Member{Key: "meta", Value: metaObj})
	for _, mb := range v.Members() {
		if mb.Key == "meta" {
			continue
		}
		members = append(members, mb)
	}
	if kind == canonical.KindCatalogItem && res.Index > 0 {
		if _, ok := v.Get("row_number"); !ok {
			members = append(members, mapping.Member{Key: "row_number", Value: mapping.Num(strconv.Itoa(res.Index))})
		}
	}
	doc := mapping.Obj(members...).AppendJSON(make([]byte, 0, 2048))
	// The canonical check: strict decoding into the canonical type
	// (unknown fields refused) and Validate, by the fast checker with the
	// strict path's errors.
	if err := canonical.Check(kind, doc); err != nil {
		reject(number, t.canonicalProblems(err, m, tree, res.Trace))
		return
	}
	res.JSON = doc
}

// fieldProblems turns the mapping's field errors into problems.
func fieldProblems(err error) []Problem {
	var fes mapping.FieldErrors
	var fe *mapping.FieldError
	switch {
	case errors.As(err, &fes):
	case errors.As(err, &fe):
		fes = mapping.FieldErrors{fe}
	default:
		return []Problem{{Message: err.Error()}}
	}
	ps := make([]Problem, 0, len(fes))
	for _, e := range fes {
		msg := e.Err.Error()
		switch {
		case errors.Is(e.Err, mapping.ErrUnknownCode):
			msg += ": add the code to the code list (or a partner overlay of it), or have the partner send a listed code"
		case errors.Is(e.Err, mapping.ErrRequired):
			msg += ": the partner must send it, or the mapping must read it from elsewhere or give a default"
		}
		ps = append(ps, Problem{Field: e.Field, Message: msg, Mapping: fmt.Sprintf("%s:%d", e.File, e.Line), Expr: e.Expr, Source: e.Source, Raw: e.Raw})
	}
	return ps
}

// canonicalProblems explains a canonical validation failure with the
// mapping lines and source positions of the fields concerned, found by
// tracing the document again (only rejected documents pay for it).
func (t *Translator) canonicalProblems(err error, m *mapping.Mapping, tree mapping.Tree, tr *mapping.Trace) []Problem {
	var ve *canonical.ValidationError
	if !errors.As(err, &ve) {
		return []Problem{{Mapping: m.File, Message: "the mapping's output is not a valid canonical document: " + err.Error()}}
	}
	if tr == nil {
		_, tr, _ = m.TranslateTrace(tree)
	}
	ps := make([]Problem, 0, len(ve.Problems))
	for _, p := range ve.Problems {
		pr := Problem{Field: p.Path, Message: p.Message + " (canonical check)"}
		if e := traceFor(tr, p.Path); e != nil {
			pr.Mapping = fmt.Sprintf("%s:%d", e.File, e.Line)
			pr.Expr, pr.Source, pr.Raw = e.Expr, e.Source, e.Raw
		}
		ps = append(ps, pr)
	}
	return ps
}

// traceFor returns the trace entry of path, or of the nearest field it is
// inside (a problem with lines[0].product is found at lines[0].product's
// first value), or nil.
func traceFor(tr *mapping.Trace, path string) *mapping.TraceEntry {
	if tr == nil {
		return nil
	}
	for p := path; p != ""; p = parentPath(p) {
		for i := range tr.Entries {
			e := &tr.Entries[i]
			if e.Field == p {
				return e
			}
		}
		for i := range tr.Entries {
			e := &tr.Entries[i]
			if strings.HasPrefix(e.Field, p+".") || strings.HasPrefix(e.Field, p+"[") {
				return e
			}
		}
	}
	return nil
}

func parentPath(p string) string {
	i := strings.LastIndexAny(p, ".[")
	if i <= 0 {
		return ""
	}
	return p[:i]
}

// kindOf maps a mapping's target to the canonical document kind.
func kindOf(target string) canonical.DocumentKind {
	switch target {
	case "Order":
		return canonical.KindOrder
	case "ShipmentNotice":
		return canonical.KindShipmentNotice
	case "WarehouseShippingAdvice":
		return canonical.KindWarehouseShippingAdvice
	case "InventoryAdvice":
		return canonical.KindInventoryAdvice
	case "CatalogItem":
		return canonical.KindCatalogItem
	case "Acknowledgment":
		return canonical.KindAcknowledgment
	}
	return ""
}

// numberField is the field that carries each kind's document number.
var numberField = map[canonical.DocumentKind]string{
	canonical.KindOrder:                   "po_number",
	canonical.KindShipmentNotice:          "shipment_id",
	canonical.KindWarehouseShippingAdvice: "depositor_order_number",
	canonical.KindInventoryAdvice:         "advice_id",
	canonical.KindCatalogItem:             "vendor_product_code",
}

func documentNumber(kind canonical.DocumentKind, v mapping.Value) string {
	f, ok := numberField[kind]
	if !ok || v.Kind() != mapping.Object {
		return ""
	}
	n, _ := v.Get(f)
	return n.Text()
}

func str(k, v string) mapping.Member { return mapping.Member{Key: k, Value: mapping.Str(v)} }

func omitEmpty(ms ...mapping.Member) []mapping.Member {
	out := ms[:0]
	for _, m := range ms {
		if m.Value.Kind() == mapping.String && m.Value.Text() == "" {
			continue
		}
		out = append(out, m)
	}
	return out
}

func (t *Translator) fileRef(src fileSource) mapping.Member {
	sum, size, _ := src.hash.wait()
	return mapping.Member{Key: "file", Value: mapping.Obj(str("name", src.name), str("sha256", sum),
		mapping.Member{Key: "size", Value: mapping.Num(strconv.FormatInt(size, 10))})}
}

// meta is the envelope of a document read from an X12 set, without the
// document number (added once the mapping ran).
func (t *Translator) meta(m *mapping.Mapping, partner string, src fileSource, set *x12.Set, index int) []mapping.Member {
	source := []mapping.Member{str("standard", "x12"), t.fileRef(src)}
	if ic := set.Interchange; ic != nil {
		source = append(source, mapping.Member{Key: "interchange", Value: mapping.Obj(omitEmpty(
			str("sender_qualifier", ic.SenderQualifier), str("sender_id", ic.SenderID),
			str("receiver_qualifier", ic.ReceiverQualifier), str("receiver_id", ic.ReceiverID),
			str("control_number", ic.Control), str("date", strings.TrimSpace(ic.Date+" "+ic.Time)))...)})
	}
	if g := set.Group; g != nil {
		source = append(source, mapping.Member{Key: "group", Value: mapping.Obj(omitEmpty(
			str("functional_id", g.FunctionalID), str("sender_code", g.AppSender), str("receiver_code", g.AppReceiver),
			str("control_number", g.Control), str("version", g.Version))...)})
	}
	source = append(source, mapping.Member{Key: "set", Value: mapping.Obj(omitEmpty(
		str("id", set.ID), str("version", set.Version()), str("control_number", set.Control),
		mapping.Member{Key: "index", Value: mapping.Num(strconv.Itoa(index))})...)})
	ms := []mapping.Member{
		str("kind", string(kindOf(m.Target))), str("schema_version", canonical.SchemaVersion),
		str("direction", string(canonical.Inbound)), str("partner_id", partner),
	}
	if ic := set.Interchange; ic != nil && ic.Test() {
		ms = append(ms, mapping.Member{Key: "test", Value: mapping.Boolean(true)})
	}
	return append(ms, mapping.Member{Key: "source", Value: mapping.Obj(source...)})
}

func (t *Translator) csvMeta(m *mapping.Mapping, partner string, src fileSource, record int) []mapping.Member {
	source := []mapping.Member{str("standard", "csv"), t.fileRef(src)}
	if record > 0 {
		source = append(source, mapping.Member{Key: "record", Value: mapping.Num(strconv.Itoa(record))})
	}
	return []mapping.Member{
		str("kind", string(kindOf(m.Target))), str("schema_version", canonical.SchemaVersion),
		str("direction", string(canonical.Inbound)), str("partner_id", partner),
		{Key: "source", Value: mapping.Obj(source...)},
	}
}

// setCodeText explains the X12 718 set error codes (AK502) a rejected set
// carries besides segment errors.
var setCodeText = map[x12.SetErrorCode]string{
	x12.SetNotSupported:      "the transaction set is not supported: there is no spec for its id and version",
	x12.SetTrailerMissing:    "the SE trailer is missing",
	x12.SetControlMismatch:   "ST02 and SE02 (the set control numbers) differ",
	x12.SetCountMismatch:     "SE01 does not match the number of segments from ST to SE",
	x12.SetBadIdentifier:     "ST01 (the set id) is missing or invalid",
	x12.SetBadControlNumber:  "ST02 (the set control number) is missing or invalid",
	x12.SetNotInGroup:        "the set is not inside a functional group (GS/GE)",
	x12.SetBadImplementation: "ST03 (the implementation convention reference) is invalid",
	x12.SetControlNotUnique:  "the set control number is used twice in the group",
}
