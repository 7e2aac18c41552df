package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/riverqueue/river"

	"github.com/b2bgw/b2bgw/internal/canonical"
	"github.com/b2bgw/b2bgw/internal/errclass"
	"github.com/b2bgw/b2bgw/internal/store"
	"github.com/b2bgw/b2bgw/internal/translate"
)

// TranslateArgs maps the accepted sets (or CSV rows) of one ingested
// file to canonical documents.
type TranslateArgs struct {
	File int64 `json:"file"`
}

// Kind implements river.JobArgs.
func (TranslateArgs) Kind() string { return "translate" }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (TranslateArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: QueueProcess} }

type translateWorker struct {
	river.WorkerDefaults[TranslateArgs]
	p *Pipeline
}

// postable says whether Odoo has a flow for a document kind.
func postable(k canonical.DocumentKind) bool {
	switch k {
	case canonical.KindOrder, canonical.KindShipmentNotice, canonical.KindWarehouseShippingAdvice, canonical.KindCatalogItem:
		return true
	}
	return false
}

func (w *translateWorker) Work(ctx context.Context, job *river.Job[TranslateArgs]) error {
	p := w.p
	f, err := p.st.Message(ctx, job.Args.File)
	if err != nil {
		return err
	}
	if f.Status != store.StatusAccepted {
		return nil
	}
	lin, err := p.st.Lineage(ctx, f.ID)
	if err != nil {
		return err
	}
	t, err := p.translateFile(f, lin)
	if err != nil {
		return err
	}
	err = p.st.WithTx(ctx, func(tx store.Tx) error {
		if err := t.record(ctx, tx); err != nil {
			return err
		}
		return complete(ctx, tx, job)
	})
	if err != nil {
		return err
	}
	t.logDone()
	return nil
}

// fileTranslation is one file's translation: made outside any
// transaction (translating, and writing the documents to the archive),
// then recorded in one, by the translate job or by the ingest job
// that accepted the file.
type fileTranslation struct {
	p    *Pipeline
	f    store.Message
	log  *slog.Logger
	sets map[int]store.Message // accepted sets by index
	csv  bool
	// results are the translator's, for accepted sets (or CSV rows); put
	// is where each document went in the archive.
	results    []*translate.Result
	put        []archived
	fileErrors []string

	docs               []int64 // set by record
	translated, failed int
}

type archived struct {
	sum  string
	size int64
}

// translateFile translates the accepted sets of file f, whose lineage is
// lin.
func (p *Pipeline) translateFile(f store.Message, lin []store.Message) (*fileTranslation, error) {
	t := &fileTranslation{p: p, f: f, sets: map[int]store.Message{},
		log: p.log.With("correlation_id", f.CorrelationID, "file_id", f.ID, "partner", f.Partner, "file", f.Ref)}
	prof, ok := p.cfg.Partners.Get(f.Partner)
	if !ok {
		return nil, errclass.With(fmt.Errorf("partner %q has no profile", f.Partner), errclass.Permanent)
	}
	kit, err := p.kit(prof)
	if err != nil {
		return nil, err
	}
	anySet := false
	for _, m := range lin {
		anySet = anySet || m.Kind == store.KindSet
		if m.Kind == store.KindSet && m.Status == store.StatusAccepted {
			if n, err := strconv.Atoi(strings.TrimPrefix(m.Ref, "set:")); err == nil {
				t.sets[n] = m
			}
		}
	}
	t.csv = !anySet
	file, err := p.archive.File(f.SHA256)
	if err != nil {
		return nil, errclass.With(err, errclass.Permanent)
	}
	_, name, _ := strings.Cut(f.Ref, ":")
	sum, err := kit.tr.FileAs(file, name, func(r *translate.Result) error {
		if _, ok := t.sets[r.Index]; ok || t.csv {
			t.results = append(t.results, r)
		}
		return nil
	})
	if err != nil {
		return nil, retryable(fmt.Errorf("translating %s: %w", file, err))
	}
	t.fileErrors = sum.FileErrors
	// The documents go to the archive before the transaction (content-
	// addressed: a retry rewrites nothing, and a crash leaves at most an
	// unreferenced copy), so that the single SQLite writer is not held
	// while each is written and synced.
	t.put = make([]archived, len(t.results))
	docs := make([][]byte, len(t.results))
	for i, r := range t.results {
		if r.Err != nil {
			continue
		}
		if docs[i], err = renameSource(r.JSON, name); err != nil {
			return nil, errclass.With(err, errclass.Permanent)
		}
	}
	sums, err := p.archive.PutAll(docs)
	if err != nil {
		return nil, err
	}
	for i, sum := range sums {
		if docs[i] != nil {
			t.put[i] = archived{sum, int64(len(docs[i]))}
		}
	}
	return t, nil
}

// sameSets reports whether lin has exactly the accepted sets t was made
// for (the lineage read inside the recording transaction).
func (t *fileTranslation) sameSets(lin []store.Message) bool {
	n, anySet := 0, false
	for _, m := range lin {
		anySet = anySet || m.Kind == store.KindSet
		if m.Kind != store.KindSet || m.Status != store.StatusAccepted {
			continue
		}
		n++
		idx, err := strconv.Atoi(strings.TrimPrefix(m.Ref, "set:"))
		if s, ok := t.sets[idx]; err != nil || !ok || s.ID != m.ID {
			return false
		}
	}
	return n == len(t.sets) && t.csv == !anySet
}

// record writes the documents, the sets' statuses and the post job in tx,
// and settles the file. It may run again when tx is retried.
func (t *fileTranslation) record(ctx context.Context, tx store.Tx) error {
	p, f := t.p, t.f
	t.docs, t.translated, t.failed = t.docs[:0], 0, 0
	seen := map[int]bool{}
	for i, r := range t.results {
		parent := f.ID
		set, isSet := t.sets[r.Index]
		if isSet {
			parent = set.ID
			seen[r.Index] = true
		}
		if r.Err != nil {
			t.failed++
			cause := errclass.With(r.Err, errclass.RejectsSet)
			if isSet {
				if err := tx.SetStatus(ctx, set.ID, store.StatusFailed, cause); err != nil {
					return err
				}
				if r.Number != "" {
					if err := tx.SetDocNumber(ctx, set.ID, r.Number); err != nil {
						return err
					}
				}
				continue
			}
			if _, err := tx.AddMessage(ctx, store.Message{ParentID: parent, Kind: store.KindDocument, Status: store.StatusFailed,
				DocNumber: r.Number, Ref: "row:" + strconv.Itoa(r.Index), Error: cause.Error(),
				ErrorClass: errclass.RejectsSet.String()}); err != nil {
				return err
			}
			continue
		}
		sum := t.put[i].sum
		if err := p.archive.index(ctx, tx, sum, t.put[i].size); err != nil {
			return err
		}
		status := store.StatusTranslated
		if !postable(r.Kind) {
			status = store.StatusDone // nothing posts it (an inbound advice, an acknowledgment)
		}
		doc, err := tx.AddMessage(ctx, store.Message{ParentID: parent, Kind: store.KindDocument, Status: status,
			DocType: string(r.Kind), DocNumber: r.Number, SHA256: sum, Ref: "doc:" + strconv.Itoa(r.Index)})
		if err != nil {
			return err
		}
		t.translated++
		if status == store.StatusTranslated {
			t.docs = append(t.docs, doc.ID)
		}
		if isSet {
			if r.Number != "" {
				if err := tx.SetDocNumber(ctx, set.ID, r.Number); err != nil {
					return err
				}
			}
			st := store.StatusTranslated
			if status == store.StatusDone {
				st = store.StatusDone
			}
			if err := tx.SetStatus(ctx, set.ID, st, nil); err != nil {
				return err
			}
		}
	}
	for idx, set := range t.sets {
		if !seen[idx] {
			t.failed++
			if err := tx.SetStatus(ctx, set.ID, store.StatusFailed, errclass.With(
				fmt.Errorf("the translator gave no document for set %d (%s %s)", idx, set.DocType, set.Control), errclass.Permanent)); err != nil {
				return err
			}
		}
	}
	if t.csv && len(t.results) == 0 {
		cause := errclass.With(fmt.Errorf("nothing to translate: %s", strings.Join(t.fileErrors, "; ")), errclass.Permanent)
		if err := tx.SetStatus(ctx, f.ID, store.StatusRejected, cause); err != nil {
			return err
		}
	}
	if len(t.docs) > 0 {
		if err := p.insert(ctx, tx, PostArgs{Documents: t.docs}); err != nil {
			return err
		}
	}
	return p.settle(ctx, tx, f.ID)
}

// logDone logs the file's translation once recorded.
func (t *fileTranslation) logDone() {
	t.log.Info("file translated", "documents", t.translated, "failed", t.failed)
}

// renameSource replaces the archive path the translator saw by the file's
// name in the partner's mailbox in meta.source.file.name.
func renameSource(js []byte, name string) ([]byte, error) {
	d, err := canonical.Decode(js)
	if err != nil {
		return nil, fmt.Errorf("the translator's document does not decode: %w", err)
	}
	if m := d.DocMeta(); m.Source != nil && m.Source.File != nil && name != "" {
		m.Source.File.Name = name
	}
	out, err := json.Marshal(d)
	if err != nil {
		return nil, errors.New("encoding the canonical document: " + err.Error())
	}
	return out, nil
}
