package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
	log := p.log.With("correlation_id", f.CorrelationID, "file_id", f.ID, "partner", f.Partner, "file", f.Ref)
	if f.Status != store.StatusAccepted {
		return nil
	}
	prof, ok := p.cfg.Partners.Get(f.Partner)
	if !ok {
		return errclass.With(fmt.Errorf("partner %q has no profile", f.Partner), errclass.Permanent)
	}
	kit, err := p.kit(prof)
	if err != nil {
		return err
	}
	lin, err := p.st.Lineage(ctx, f.ID)
	if err != nil {
		return err
	}
	sets := map[int]store.Message{}
	anySet := false
	for _, m := range lin {
		anySet = anySet || m.Kind == store.KindSet
		if m.Kind == store.KindSet && m.Status == store.StatusAccepted {
			if n, err := strconv.Atoi(strings.TrimPrefix(m.Ref, "set:")); err == nil {
				sets[n] = m
			}
		}
	}
	csv := !anySet
	file, err := p.archive.File(f.SHA256)
	if err != nil {
		return errclass.With(err, errclass.Permanent)
	}
	_, name, _ := strings.Cut(f.Ref, ":")
	var results []*translate.Result
	sum, err := kit.tr.FileAs(file, name, func(r *translate.Result) error {
		if _, ok := sets[r.Index]; ok || csv {
			results = append(results, r)
		}
		return nil
	})
	if err != nil {
		return retryable(fmt.Errorf("translating %s: %w", file, err))
	}
	var docs []int64
	var translated, failed int
	err = p.st.WithTx(ctx, func(tx store.Tx) error {
		docs, translated, failed = docs[:0], 0, 0
		seen := map[int]bool{}
		for _, r := range results {
			parent := f.ID
			set, isSet := sets[r.Index]
			if isSet {
				parent = set.ID
				seen[r.Index] = true
			}
			if r.Err != nil {
				failed++
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
			js, err := renameSource(r.JSON, name)
			if err != nil {
				return errclass.With(err, errclass.Permanent)
			}
			sum, err := p.archive.Put(js)
			if err != nil {
				return err
			}
			if err := p.archive.index(ctx, tx, sum, int64(len(js))); err != nil {
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
			translated++
			if status == store.StatusTranslated {
				docs = append(docs, doc.ID)
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
		for idx, set := range sets {
			if !seen[idx] {
				failed++
				if err := tx.SetStatus(ctx, set.ID, store.StatusFailed, errclass.With(
					fmt.Errorf("the translator gave no document for set %d (%s %s)", idx, set.DocType, set.Control), errclass.Permanent)); err != nil {
					return err
				}
			}
		}
		if csv && len(results) == 0 {
			cause := errclass.With(fmt.Errorf("nothing to translate: %s", strings.Join(sum.FileErrors, "; ")), errclass.Permanent)
			if err := tx.SetStatus(ctx, f.ID, store.StatusRejected, cause); err != nil {
				return err
			}
		}
		if len(docs) > 0 {
			if err := p.insert(ctx, tx, PostArgs{Documents: docs}); err != nil {
				return err
			}
		}
		if err := p.settle(ctx, tx, f.ID); err != nil {
			return err
		}
		return complete(ctx, tx, job)
	})
	if err != nil {
		return err
	}
	log.Info("file translated", "documents", translated, "failed", failed)
	return nil
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
