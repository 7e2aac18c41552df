package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/b2bgw/b2bgw/internal/canonical"
	"github.com/b2bgw/b2bgw/internal/edifact"
	espec "github.com/b2bgw/b2bgw/internal/edifact/spec"
	"github.com/b2bgw/b2bgw/internal/errclass"
	"github.com/b2bgw/b2bgw/internal/mapping"
	"github.com/b2bgw/b2bgw/internal/partner"
	"github.com/b2bgw/b2bgw/internal/store"
	"github.com/b2bgw/b2bgw/internal/x12"
)

// EDIFACT files take the X12 path step for step: ingest records every
// interchange (UNB), group (UNG) and message (UNH) with the statuses that
// validation and the duplicate policy give, builds the CONTRL with
// references from the store's allocator in the same transaction and sends
// it; inbound CONTRLs are read and reconciled against our outbound
// interchanges; translate and post are the X12 ones (the translator reads
// EDIFACT, and messages are numbered set:N in input order like X12 sets).

// ediLedgerPrefix keeps EDIFACT references apart from X12 control numbers
// in the store's inbound ledger (one table for both): the sender and
// group qualifiers are stored as "edifact:<qualifier>".
const ediLedgerPrefix = "edifact:"

// ediDupPolicy adapts the store's inbound ledger (x12.Duplicates, claimed
// by the file's hash) to edifact.Duplicates and applies the partner's
// duplicate policy, as dupPolicy does for X12.
type ediDupPolicy struct {
	d         x12.Duplicates
	ic, grp   string
	log       *slog.Logger
	dupICs    map[edifact.InterchangeKey]bool
	dupGroups map[edifact.GroupKey]bool
}

func newEDIDupPolicy(d x12.Duplicates, prof *partner.Profile, log *slog.Logger) *ediDupPolicy {
	return &ediDupPolicy{d: d, ic: prof.Duplicates.Interchange, grp: prof.Duplicates.Group, log: log,
		dupICs: map[edifact.InterchangeKey]bool{}, dupGroups: map[edifact.GroupKey]bool{}}
}

func (d *ediDupPolicy) SeenInterchange(ctx context.Context, k edifact.InterchangeKey) (bool, error) {
	seen, err := d.d.CheckInterchange(ctx, x12.InterchangeKey{SenderQualifier: ediLedgerPrefix + k.SenderQualifier,
		SenderID: k.SenderID, ReceiverQualifier: ediLedgerPrefix + k.RecipientQualifier, ReceiverID: k.RecipientID,
		Control: k.Control})
	if err != nil || !seen {
		return false, err
	}
	switch d.ic {
	case "accept":
		return false, nil
	case "warn":
		d.log.Warn("interchange reference received before; processed (duplicates.interchange: warn)", "unb0020", k.Control)
		return false, nil
	}
	d.dupICs[k] = true
	return true, nil
}

// SeenGroup: an EDIFACT duplicate (0085 code 26) is an error that rejects
// the group, so only duplicates.group: reject reports it; warn logs it.
func (d *ediDupPolicy) SeenGroup(ctx context.Context, k edifact.GroupKey) (bool, error) {
	seen, err := d.d.CheckGroup(ctx, x12.GroupKey{SenderQualifier: ediLedgerPrefix + k.SenderQualifier, SenderID: k.SenderID,
		AppSender: k.AppSender, AppReceiver: k.AppRecipient, Control: k.Control})
	if err != nil || !seen {
		return false, err
	}
	switch d.grp {
	case "reject":
		d.dupGroups[k] = true
		return true, nil
	case "accept":
	default:
		d.log.Warn("group reference received before; processed (duplicates.group: warn)", "ung0048", k.Control, "app_sender", k.AppSender)
	}
	return false, nil
}

var _ edifact.Duplicates = (*ediDupPolicy)(nil)

// txRefs allocates CONTRL references inside the acknowledgment's
// transaction from the store's allocator (sequences UNB and UNH of the
// partner), and remembers the interchange reference.
type txRefs struct {
	tx  store.Tx
	unb int64
}

func (r *txRefs) NextReference(ctx context.Context, partnerID, kind string) (int64, error) {
	n, err := r.tx.Next(ctx, x12.ControlKey{Partner: partnerID, Kind: kind})
	if kind == edifact.RefInterchange {
		r.unb = n
	}
	return n, err
}

var _ edifact.References = (*txRefs)(nil)

// ediContrlWhen is when the partner gets a CONTRL: acks.send contrl
// answers when the sender asks (UNB 0031) or something was rejected;
// none never; a partner acknowledged with 997/999 for its X12 still gets a
// CONTRL for EDIFACT when it asks for one.
func ediContrlWhen(prof *partner.Profile) (edifact.ContrlWhen, bool) {
	switch prof.Acks.Send {
	case "none":
		return 0, false
	case "contrl":
		return edifact.ContrlOnRequestOrError, true
	}
	return edifact.ContrlOnRequest, true
}

// ingestEDIFACT records every interchange of an EDIFACT file, each in its
// own transaction with its CONTRL; interchanges recorded by an earlier run
// of the job are skipped (see ingestX12).
func (p *Pipeline) ingestEDIFACT(ctx context.Context, f store.Message, prof *partner.Profile, data []byte, replay bool, log *slog.Logger) (readErr, err error) {
	kit, err := p.kit(prof)
	if err != nil {
		return nil, err
	}
	if kit.evalidator == nil {
		return nil, errclass.With(errors.New("the EDIFACT directories could not be loaded"), errclass.Permanent)
	}
	lin, err := p.st.Lineage(ctx, f.ID)
	if err != nil {
		return nil, err
	}
	done := map[string]bool{}
	for _, m := range lin {
		if m.Kind == store.KindInterchange {
			done[m.Ref] = true
		}
	}
	dup := newEDIDupPolicy(p.st.Claim(f.SHA256), prof, log)
	opts := append(append([]edifact.DecoderOption{}, kit.eopts...), edifact.WithDuplicates(ctx, dup))
	d := edifact.NewDecoderBytes(data, opts...)
	contrls := map[string]*edifact.ContrlReport{}
	validate := func(m *edifact.Message) *edifact.MessageResult {
		r := kit.evalidator.Validate(m)
		if m.Type == "CONTRL" && m.Interchange != nil {
			if rep, err := edifact.ReadCONTRL(m); err == nil {
				contrls[ediMsgKey(m.Interchange.Control, m.Group, m.Ref)] = rep
			} else {
				log.Warn("inbound CONTRL cannot be read", "unh0062", m.Ref, "err", err)
			}
		}
		return r
	}
	icIndex, msgIndex := 0, 0
	procErr := edifact.Process(d, validate, func(r *edifact.InterchangeResult) error {
		icIndex++
		first := msgIndex
		msgIndex += len(r.Messages)
		for _, g := range r.Groups {
			msgIndex += len(g.Messages)
		}
		ref := "ic:" + strconv.Itoa(icIndex)
		if done[ref] {
			return nil
		}
		return p.recordEDIFACTInterchange(ctx, f, prof, r, ref, first, contrls, dup, replay, log)
	})
	for _, s := range d.Stray() {
		log.Warn("content outside any interchange", "err", s)
	}
	if procErr != nil {
		var se *edifact.SyntaxError
		if errors.As(procErr, &se) || errclass.Of(procErr) != errclass.Retryable {
			log.Warn("file could not be read to the end", "err", procErr)
			return errclass.With(procErr, errclass.Permanent), nil
		}
		return nil, procErr
	}
	if icIndex == 0 {
		var msgs []string
		for _, s := range d.Stray() {
			msgs = append(msgs, s.Error())
		}
		return errclass.With(fmt.Errorf("no EDIFACT interchange (UNB … UNZ) in the file: %s", strings.Join(msgs, "; ")), errclass.Permanent), nil
	}
	return nil, nil
}

// ediMsgKey names a message of an inbound interchange.
func ediMsgKey(ic string, g *edifact.Group, ref string) string {
	gc := ""
	if g != nil {
		gc = g.Control
	}
	return ic + "|" + gc + "|" + ref
}

// ediProblems renders envelope problems for the store.
func ediProblems(level string, ps []edifact.Problem) string {
	var out []string
	for _, pr := range ps {
		if pr.Severity == edifact.SevError {
			out = append(out, fmt.Sprintf("%s 0085=%s: %s", level, pr.Code, pr.Message))
		}
	}
	return strings.Join(out, "; ")
}

// recordEDIFACTInterchange writes an interchange's lineage and CONTRL in
// one transaction (see recordInterchange).
func (p *Pipeline) recordEDIFACTInterchange(ctx context.Context, f store.Message, prof *partner.Profile, r *edifact.InterchangeResult,
	ref string, first int, contrls map[string]*edifact.ContrlReport, dup *ediDupPolicy, replay bool, log *slog.Logger) error {
	ic := r.Interchange
	log = log.With("unb0020", ic.Control)
	if got, err := p.cfg.Partners.RouteEDIFACT(partner.EDIFACTEnvelope{SenderID: ic.SenderID, SenderQualifier: ic.SenderQualifier,
		RecipientID: ic.RecipientID, RecipientQualifier: ic.RecipientQualifier}); err != nil || got.ID != prof.ID {
		routed := ""
		if got != nil {
			routed = got.ID
		}
		log.Warn("the UNB sender is not one of the partner's EDIFACT identities; processed as the mailbox's partner",
			"sender", ic.SenderID+":"+ic.SenderQualifier, "routes_to", routed, "route_err", err)
	}
	counts := map[store.Status]int{}
	var ackMsg store.Message
	err := p.st.WithTx(ctx, func(tx store.Tx) error {
		clear(counts)
		ackMsg = store.Message{}
		icStatus := store.StatusAccepted
		switch {
		case dup.dupICs[ic.Key()]:
			icStatus = store.StatusDuplicate
		case ic.Rejected():
			icStatus = store.StatusRejected
		}
		icMsg, err := tx.AddMessage(ctx, store.Message{ParentID: f.ID, Kind: store.KindInterchange, Status: icStatus,
			DocType: "UNB", Control: ic.Control, Ref: ref, Error: ediProblems("UCI", ic.Problems)})
		if err != nil {
			return err
		}
		idx := first
		addMessages := func(parent int64, status store.Status, g *edifact.Group, ms []*edifact.MessageResult) error {
			for _, m := range ms {
				idx++
				st := status
				var mErr string
				if st == store.StatusAccepted && m.Status == edifact.Rejected {
					st = store.StatusRejected
				}
				if m.Status != edifact.Accepted {
					var what []string
					for _, pr := range m.Problems {
						if pr.Severity == edifact.SevError {
							what = append(what, fmt.Sprintf("0085=%s %s", pr.Code, pr.Message))
						}
					}
					for i := range m.Segments {
						if len(what) >= 5 {
							break
						}
						if m.Segments[i].HasErrors() {
							what = append(what, m.Segments[i].Describe())
						}
					}
					mErr = "UCM " + string(m.Status) + ": " + strings.Join(what, "; ")
				}
				var rep *edifact.ContrlReport
				if m.Type == "CONTRL" && st == store.StatusAccepted {
					rep = contrls[ediMsgKey(ic.Control, g, m.Ref)]
					st = store.StatusDone
				}
				sm, err := tx.AddMessage(ctx, store.Message{ParentID: parent, Kind: store.KindSet, Status: st, DocType: m.Type,
					Control: m.Ref, Ref: "set:" + strconv.Itoa(idx), Error: mErr})
				if err != nil {
					return err
				}
				counts[st]++
				if rep != nil {
					if err := p.reconcileCONTRL(ctx, tx, prof.ID, rep, sm.ID, log); err != nil {
						return err
					}
				}
			}
			return nil
		}
		if err := addMessages(icMsg.ID, icStatus, nil, r.Messages); err != nil {
			return err
		}
		for _, g := range r.Groups {
			gStatus := icStatus
			if gStatus == store.StatusAccepted {
				switch {
				case dup.dupGroups[g.Group.Key()]:
					gStatus = store.StatusDuplicate
				case g.Group.Rejected():
					gStatus = store.StatusRejected
				}
			}
			gm, err := tx.AddMessage(ctx, store.Message{ParentID: icMsg.ID, Kind: store.KindGroup, Status: gStatus,
				DocType: g.Group.ID, Control: g.Group.Control, Error: ediProblems("UCF", g.Group.Problems)})
			if err != nil {
				return err
			}
			if err := addMessages(gm.ID, gStatus, g.Group, g.Messages); err != nil {
				return err
			}
		}
		if replay {
			return nil
		}
		when, ok := ediContrlWhen(prof)
		if !ok {
			return nil
		}
		refs := &txRefs{tx: tx}
		opts := edifact.ContrlOptions{When: when, References: refs, Partner: prof.ID, Now: p.cfg.Now, LineBreak: "\n"}
		if u := prof.Us.EDIFACT; u != nil {
			opts.Identity = &edifact.ContrlIdentity{SenderID: u.ID, SenderQualifier: u.Qualifier}
		}
		b, err := edifact.BuildCONTRL(ctx, r, opts)
		if err != nil {
			if errclass.Of(err) == errclass.Retryable {
				return err
			}
			return errclass.With(fmt.Errorf("building the CONTRL: %w", err), errclass.Permanent)
		}
		if b == nil {
			return nil
		}
		sum, err := p.archive.Put(b)
		if err != nil {
			return err
		}
		if err := p.archive.index(ctx, tx, sum, int64(len(b))); err != nil {
			return err
		}
		ackMsg, err = tx.AddMessage(ctx, store.Message{ParentID: icMsg.ID, Kind: store.KindAck, Direction: store.Outbound,
			Status: store.StatusAccepted, DocType: "CONTRL", Control: strconv.FormatInt(refs.unb, 10), SHA256: sum})
		if err != nil {
			return err
		}
		return p.insert(ctx, tx, SendArgs{Message: ackMsg.ID})
	})
	if err != nil {
		return err
	}
	for st, n := range counts {
		p.m.Sets.WithLabelValues(prof.ID, string(st)).Add(float64(n))
	}
	log.Debug("interchange recorded", "accepted", counts[store.StatusAccepted], "rejected", counts[store.StatusRejected],
		"duplicate", counts[store.StatusDuplicate], "contrl", ackMsg.ID)
	return nil
}

// contrlStatus is the acknowledgment status recorded for a CONTRL action
// (the X12 AK9/AK5 letters, so reports read alike): A acknowledged or
// received, R rejected.
func contrlStatus(a edifact.Action) string {
	if a == edifact.ActionRejected {
		return "R"
	}
	return "A"
}

// reconcileCONTRL records a partner's CONTRL against the outbound
// interchanges that wait for it (matched by our UNB 0020, and by UNH 0062
// for the messages it names), and marks their messages acknowledged.
func (p *Pipeline) reconcileCONTRL(ctx context.Context, tx store.Tx, partnerID string, rep *edifact.ContrlReport, ackMsgID int64, log *slog.Logger) error {
	if rep.Interchange == "" {
		log.Warn("partner CONTRL names no interchange (UCI 0020)")
		return nil
	}
	var n int64
	named := append([]edifact.ContrlMessage{}, rep.Messages...)
	for _, g := range rep.Groups {
		named = append(named, g.Messages...)
	}
	for _, m := range named {
		k, err := tx.AckOutbound(ctx, store.AckMatch{Partner: partnerID, InterchangeControl: rep.Interchange, SetControl: m.Ref},
			contrlStatus(rep.MessageStatus(m.Ref)), ackMsgID)
		if err != nil {
			return err
		}
		n += k
	}
	// The UCI covers every message not named.
	k, err := tx.AckOutbound(ctx, store.AckMatch{Partner: partnerID, InterchangeControl: rep.Interchange},
		contrlStatus(rep.Action), ackMsgID)
	if err != nil {
		return err
	}
	n += k
	if n == 0 {
		log.Warn("partner CONTRL matches nothing we wait for (never sent, or acknowledged already)",
			"interchange", rep.Interchange, "action", rep.Action)
		return nil
	}
	sent, err := tx.Messages(ctx, store.MessageFilter{Partner: partnerID, Direction: store.Outbound, Kind: store.KindDocument,
		Status: store.StatusSent, Limit: 10_000})
	if err != nil {
		return err
	}
	for _, m := range sent {
		if m.Control != rep.Interchange {
			continue
		}
		var cause error
		if !rep.Accepted() {
			cause = errclass.With(fmt.Errorf("the partner's CONTRL says UCI action %s (interchange rejected)", rep.Action), errclass.Permanent)
		}
		if err := tx.SetStatus(ctx, m.ID, store.StatusAcknowledged, cause); err != nil {
			return err
		}
		log.Info("outbound document acknowledged by the partner", "message_id", m.ID, "doc_type", m.DocType,
			"interchange", m.Control, "action", rep.Action)
	}
	return nil
}

// ediValidatorOptions are the partner's EDIFACT validator options: its
// overlay (edifact_overlay or edifact_overlay_file), when it has one. The
// partner kit builds its validator with them, so ingest, the CONTRL and
// translate judge the partner's messages alike.
func ediValidatorOptions(prof *partner.Profile) []edifact.ValidatorOption {
	if o := prof.EDIFACTCodeOverlay(); o != nil {
		return []edifact.ValidatorOption{edifact.WithOverlay(o)}
	}
	return nil
}

// ediOutbound is the UNB of an outbound EDIFACT document (the ATP feed's
// INVRPT): from us to the partner's first EDIFACT identity, in the syntax
// level and version of the partner's edifact standards entry (UNOC 3, the
// EANCOM default, when the entry leaves them out). A partner that expects
// a CONTRL is asked for one (UNB 0031 = 1).
func ediOutbound(prof *partner.Profile, control string, now time.Time) (edifact.InterchangeHeader, error) {
	if prof.Us.EDIFACT == nil || len(prof.Identities.EDIFACT) == 0 {
		return edifact.InterchangeHeader{}, fmt.Errorf("partner %s: an EDIFACT document needs us.edifact (or the gateway's identity.edifact) and identities.edifact", prof.ID)
	}
	h := edifact.InterchangeHeader{SyntaxID: "UNOC", SyntaxVersion: 3,
		SenderID: prof.Us.EDIFACT.ID, SenderQualifier: prof.Us.EDIFACT.Qualifier,
		RecipientID: prof.Identities.EDIFACT[0].ID, RecipientQualifier: prof.Identities.EDIFACT[0].Qualifier,
		Time: now.Format("1504"), Control: control}
	for _, s := range prof.Standards {
		if s.Standard != "edifact" {
			continue
		}
		if s.Syntax != "" {
			h.SyntaxID = s.Syntax
		}
		if s.SyntaxVersion != 0 {
			h.SyntaxVersion = s.SyntaxVersion
		}
	}
	h.Date = now.Format("060102")
	if h.SyntaxVersion >= 4 {
		h.Date = now.Format("20060102")
	}
	if prof.Acks.Expect == "contrl" {
		h.AckRequest = "1"
	}
	return h, nil
}

// WriteINVRPT envelopes an inventory advice as one EDIFACT interchange
// (UNB, the template's message with reference msgRef, UNZ), one segment a
// line, and checks the result with our own validator: what we would
// reject is never sent. `b2bgw atp --format invrpt` uses it too.
func WriteINVRPT(buf *bytes.Buffer, tmpl *mapping.Template, adv *canonical.InventoryAdvice, h edifact.InterchangeHeader, msgRef string) error {
	opts := []edifact.WriterOption{edifact.WithLineBreak("\n")}
	if h.SyntaxID == "UNOB" {
		// Without a UNA a level B reader may expect the IS1-IS4
		// separators; say which ones we use.
		opts = append(opts, edifact.WithUNA())
	}
	var raw bytes.Buffer
	w := edifact.NewWriter(&raw, edifact.DefaultDelimiters, opts...)
	if err := w.BeginInterchange(h); err != nil {
		return err
	}
	if err := renderDoc(adv, func(t mapping.Tree) error { return tmpl.WriteEDIFACT(w, t, msgRef, "") }); err != nil {
		return err
	}
	if err := w.EndInterchange(); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	b, err := encodeRepertoire(raw.Bytes(), h.SyntaxID)
	if err != nil {
		return err
	}
	if err := checkOutboundEDIFACT(b); err != nil {
		return err
	}
	buf.Write(b)
	return nil
}

// encodeRepertoire turns the writer's UTF-8 into the bytes of the syntax
// level: Latin-1 for UNOC, unchanged for UTF-8 levels (UNOW, UNOY) and
// for ASCII text. Other ISO 8859 levels are not transcoded: non-ASCII text
// there is an error rather than bytes the partner reads as other letters.
// UNOA and UNOB outside their repertoire are left to the validator, which
// names the character and its place.
func encodeRepertoire(b []byte, syntax string) ([]byte, error) {
	ascii := true
	for _, c := range b {
		if c >= 0x80 {
			ascii = false
			break
		}
	}
	switch {
	case ascii, syntax == "UNOW", syntax == "UNOY", syntax == "UNOA", syntax == "UNOB":
		return b, nil
	case syntax != "UNOC":
		return nil, fmt.Errorf("the document holds non-ASCII text, and b2bgw writes it only as UNOC (ISO 8859-1) or UNOY (UTF-8), not %s: set the partner's standards syntax to one of them", syntax)
	}
	out := make([]byte, 0, len(b))
	for i, r := range string(b) {
		if r > 0xFF { // invalid UTF-8 too: utf8.RuneError
			return nil, fmt.Errorf("byte %d: %q is not in UNOC (ISO 8859-1): change the text in Odoo, or use syntax UNOY (UTF-8) with the partner", i, r)
		}
		out = append(out, byte(r))
	}
	return out, nil
}

// checkOutboundEDIFACT validates a document we built against the built-in
// directories (the standard, not the partner's overlay, which describes
// what the partner sends) and says what is wrong.
func checkOutboundEDIFACT(b []byte) error {
	reg, err := espec.Builtin()
	if err != nil {
		return err
	}
	v := edifact.NewValidator(reg)
	var problems []string
	add := func(what string, ps []edifact.Problem) {
		for _, pr := range ps {
			if pr.Severity == edifact.SevError {
				problems = append(problems, fmt.Sprintf("%s: %s [0085=%s]", what, pr.Message, pr.Code))
			}
		}
	}
	n := 0
	err = edifact.Process(edifact.NewDecoderBytes(b), v.Validate, func(r *edifact.InterchangeResult) error {
		add("UNB "+r.Interchange.Control, r.Interchange.Problems)
		for _, m := range r.Messages {
			n++
			add(m.Type+" "+m.Ref, m.Problems)
			for i := range m.Segments {
				if m.Segments[i].HasErrors() {
					problems = append(problems, m.Type+" "+m.Ref+": "+m.Segments[i].Describe())
				}
			}
		}
		return nil
	})
	switch {
	case err != nil:
		return fmt.Errorf("the document we built does not read back: %w", err)
	case n == 0:
		return errors.New("the document we built holds no message")
	case len(problems) > 0:
		return fmt.Errorf("the document we built fails our own EDIFACT validation (fix the template or the data): %s", strings.Join(problems, "; "))
	}
	return nil
}
