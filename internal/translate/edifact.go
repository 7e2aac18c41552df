package translate

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/b2bgw/b2bgw/internal/canonical"
	"github.com/b2bgw/b2bgw/internal/doctree"
	"github.com/b2bgw/b2bgw/internal/edifact"
	espec "github.com/b2bgw/b2bgw/internal/edifact/spec"
	"github.com/b2bgw/b2bgw/internal/mapping"
)

// EDIFACT files go the way X12 files do: the decoder checks the envelope,
// every message is validated against its directory (a rejected message is
// never translated), shaped into a tree with its segment groups, mapped
// with the partner's mapping or the built-in one for its directory and
// type (edifact D96A ORDERS), stamped with meta and checked with the
// canonical types. Messages are translated on every core and come out in
// input order.

// edifactState is what the EDIFACT path loads once per Translator.
type edifactState struct {
	once     sync.Once
	err      error
	validate *edifact.Validator
}

func (t *Translator) edifactValidator() (*edifact.Validator, error) {
	if t.opts.EDIFACTValidator != nil {
		return t.opts.EDIFACTValidator, nil
	}
	st := &t.edi
	st.once.Do(func() {
		reg, err := espec.Builtin()
		if err != nil {
			st.err = fmt.Errorf("loading the built-in EDIFACT directories: %w", err)
			return
		}
		st.validate = edifact.NewValidator(reg)
	})
	return st.validate, st.err
}

func (t *Translator) edifact(src fileSource, r io.Reader, emit func(*Result) error) (*Summary, error) {
	v, err := t.edifactValidator()
	if err != nil {
		return nil, err
	}
	// The workers check each message's characters (Validate runs the
	// check the decoder leaves): the decoder is the serial stage.
	opts := append(t.opts.EDIFACTDecoderOptions[:len(t.opts.EDIFACTDecoderOptions):len(t.opts.EDIFACTDecoderOptions)], edifact.WithDeferredRepertoire())
	d := edifact.NewDecoder(r, opts...)
	sum := &Summary{}
	var decodeErr error
	var envelope []string // envelope problems, appended by the decoding goroutine
	produce := func(push func(*edifact.Message) bool) {
		for {
			ev, err := d.Next()
			if err != nil {
				if !errors.Is(err, io.EOF) {
					decodeErr = err
				}
				break
			}
			switch ev.Kind {
			case edifact.EventMessage:
				if !push(ev.Message) {
					return
				}
			case edifact.EventGroupEnd:
				for _, p := range ev.Group.Problems {
					envelope = append(envelope, fmt.Sprintf("%s:%d: group %s: %s [UCF 0085=%s]", src.name, p.Pos.Line, ev.Group.Control, p.Message, p.Code))
				}
			case edifact.EventInterchangeEnd:
				for _, p := range ev.Interchange.Problems {
					envelope = append(envelope, fmt.Sprintf("%s:%d: interchange %s: %s [UCI 0085=%s]", src.name, p.Pos.Line, ev.Interchange.Control, p.Message, p.Code))
				}
			}
		}
		for _, s := range d.Stray() {
			envelope = append(envelope, src.name+": "+s.Error())
		}
	}
	translate := func(w *eworker, msg *edifact.Message, index int) *Result {
		return t.translateMessage(w, v, src, msg, index)
	}
	// As for X12 sets: an accepted message's Result holds copies only.
	recycle := func(msg *edifact.Message, res *Result) {
		if res.Err == nil && res.Trace == nil {
			d.Reuse(msg)
		}
	}
	if err := inOrder(t.opts.Workers, func() *eworker { return &eworker{} }, produce, translate, emit, sum, recycle); err != nil {
		return sum, err
	}
	sum.FileErrors = append(sum.FileErrors, envelope...)
	if decodeErr != nil {
		sum.FileErrors = append(sum.FileErrors, src.name+": "+decodeErr.Error())
	}
	if sum.Accepted+sum.Rejected == 0 && decodeErr == nil {
		sum.FileErrors = append(sum.FileErrors, src.name+": no EDIFACT message (UNH … UNT) in the file")
	}
	return sum, nil
}

// eworker is a translating goroutine's scratch for EDIFACT.
type eworker struct {
	room room                 // the document's JSON put together in place
	tree *doctree.EDIFACTTree // reused from message to message
	ic   *edifact.Interchange
	grp  *edifact.Group
	m    *mapping.Mapping
	head []byte // {"kind":…,"partner_id":…[,"test":true]   (open)
	src  []byte // {"standard":"edifact","file":…,"interchange":…[,"group":…]   (open)

	partnerIC *edifact.Interchange // partner is edifactPartner for it
	partner   string

	verOf [3]string // version, release and agency of ver
	ver   string    // meta.source.set.version (D:96A:UN)

	// placed is where validation put each segment of the message in its
	// segment groups: the tree takes it instead of walking them again.
	placed edifact.Placement
}

// translateMessage validates, maps and checks one message.
func (t *Translator) translateMessage(w *eworker, v *edifact.Validator, src fileSource, msg *edifact.Message, index int) *Result {
	res := &Result{File: src.name, Index: index, SetID: msg.Type, SetControl: msg.Ref}
	res.Pos.Line, res.Pos.Offset = msg.Pos.Line, msg.Pos.Offset
	if w.partnerIC != msg.Interchange || w.partner == "" {
		w.partnerIC, w.partner = msg.Interchange, t.edifactPartner(src, msg.Interchange)
	}
	partner := w.partner
	reject := func(number string, ps ...Problem) *Result {
		res.Number = number
		res.Err = &DocError{File: src.name, Partner: partner, Number: number, SetID: msg.Type, SetControl: msg.Ref, Pos: res.Pos, Problems: ps}
		return res
	}
	vr := v.ValidatePlaced(msg, &w.placed)
	if vr.Status == edifact.Rejected {
		ps := []Problem{{Message: "the message does not validate against its EDIFACT directory, so it is not translated; run `b2bgw validate` for every finding, fix the file with the partner, and send it again"}}
		for _, p := range vr.Problems {
			if p.Severity == edifact.SevError {
				ps = append(ps, Problem{Message: fmt.Sprintf("%s [UCM 0085=%s]", p.Message, p.Code)})
			}
		}
		for i := range vr.Segments {
			if len(ps) > 20 {
				break
			}
			if vr.Segments[i].HasErrors() {
				ps = append(ps, Problem{Message: vr.Segments[i].Describe()})
			}
		}
		return reject("", ps...)
	}
	// Validated as sent; mapped as text: ISO 8859 data (UNOC ... UNOL)
	// becomes UTF-8 before the mapping reads it.
	msg.ToUTF8()
	dir := msg.Directory()
	m, err := t.mappingFor("edifact", dir, msg.Type)
	if err != nil {
		return reject("", Problem{Message: err.Error()})
	}
	if m == nil {
		return reject("", Problem{Message: fmt.Sprintf("no built-in mapping reads EDIFACT %s %s; give one with --mapping FILE", dir, msg.Type)})
	}
	// The tree is the worker's, rebuilt for every message: nothing the
	// Result keeps refers to it.
	tree := doctree.ReuseMessagePlaced(w.tree, msg, mapping.EDIFACTShape(dir, msg.Type), &w.placed)
	w.tree = tree
	if !t.opts.Trace && !t.noFast && t.finishFastEDIFACT(w, res, m, tree, partner, src, msg, index) {
		return res
	}
	meta := t.edifactMeta(m, partner, src, msg, index)
	t.finish(res, m, tree, meta, partner, func(number string, ps []Problem) { reject(number, ps...) })
	return res
}

func (t *Translator) edifactPartner(src fileSource, ic *edifact.Interchange) string {
	if t.opts.Partner != "" {
		return t.opts.Partner
	}
	if ic != nil {
		return "edifact:" + ic.SenderQualifier + ":" + ic.SenderID
	}
	return "file:" + src.name
}

// edifactMeta is the envelope of a document read from an EDIFACT message,
// without the document number (added once the mapping ran). Its last
// member is source, whose last member is set.
func (t *Translator) edifactMeta(m *mapping.Mapping, partner string, src fileSource, msg *edifact.Message, index int) []mapping.Member {
	ms, source := t.edifactMetaParts(m, partner, src, msg)
	source = append(source, mapping.Member{Key: "set", Value: mapping.Obj(edifactSetRef(msg, index)...)})
	return append(ms, mapping.Member{Key: "source", Value: mapping.Obj(source...)})
}

func (t *Translator) edifactMetaParts(m *mapping.Mapping, partner string, src fileSource, msg *edifact.Message) (head, source []mapping.Member) {
	source = []mapping.Member{str("standard", "edifact"), t.fileRef(src)}
	if ic := msg.Interchange; ic != nil {
		source = append(source, mapping.Member{Key: "interchange", Value: mapping.Obj(omitEmpty(
			str("sender_qualifier", ic.SenderQualifier), str("sender_id", ic.SenderID),
			str("receiver_qualifier", ic.RecipientQualifier), str("receiver_id", ic.RecipientID),
			str("control_number", ic.Control), str("date", strings.TrimSpace(ic.Date+" "+ic.Time)))...)})
	}
	if g := msg.Group; g != nil {
		ver := ""
		if g.Version != "" {
			ver = g.Version + ":" + g.Release
		}
		source = append(source, mapping.Member{Key: "group", Value: mapping.Obj(omitEmpty(
			str("functional_id", g.ID), str("sender_code", g.AppSender), str("receiver_code", g.AppRecipient),
			str("control_number", g.Control), str("version", ver))...)})
	}
	head = []mapping.Member{
		str("kind", string(kindOf(m.Target))), str("schema_version", canonical.SchemaVersion),
		str("direction", string(canonical.Inbound)), str("partner_id", partner),
	}
	if ic := msg.Interchange; ic != nil && ic.Test() {
		head = append(head, mapping.Member{Key: "test", Value: mapping.Boolean(true)})
	}
	return head, source
}

// edifactSetRef is meta.source.set: the message type, its identifier
// version:release:agency (D:96A:UN) and its reference (UNH 0062).
func edifactSetRef(msg *edifact.Message, index int) []mapping.Member {
	ver := ""
	if msg.Version != "" || msg.Release != "" {
		ver = msg.Version + ":" + msg.Release + ":" + msg.Agency
	}
	return omitEmpty(str("id", msg.Type), str("version", ver), str("control_number", msg.Ref),
		mapping.Member{Key: "index", Value: mapping.Num(strconv.Itoa(index))})
}

// finishFastEDIFACT is finishFast for an EDIFACT message.
func (t *Translator) finishFastEDIFACT(w *eworker, res *Result, m *mapping.Mapping, tree mapping.Tree, partner string, src fileSource, msg *edifact.Message, index int) bool {
	kind := kindOf(m.Target)
	r := &w.room
	out, members, number, ok := t.mapFast(r, m, tree, kind)
	if !ok {
		return false
	}
	if w.head == nil || w.ic != msg.Interchange || w.grp != msg.Group || w.m != m {
		h, s := t.edifactMetaParts(m, partner, src, msg)
		w.head = trimBrace(mapping.Obj(h...).AppendJSON(nil))
		w.src = trimBrace(mapping.Obj(s...).AppendJSON(nil))
		w.ic, w.grp, w.m = msg.Interchange, msg.Group, m
	}
	pre := appendMetaHead(r.pre[:0], w.head, number, w.src)
	pre = w.appendSetRef(pre, msg, index)
	return t.sealFast(res, r, out, pre, kind, number, len(members) > 0)
}

// appendSetRef appends meta.source.set for msg as edifactSetRef has it.
// Its version is the last message's string when the parts are the same
// (a file's messages share them): no string is built per message.
func (w *eworker) appendSetRef(b []byte, msg *edifact.Message, index int) []byte {
	if msg.Version == "" && msg.Release == "" {
		return appendSetRef(b, msg.Type, "", msg.Ref, index)
	}
	if parts := [3]string{msg.Version, msg.Release, msg.Agency}; w.ver == "" || w.verOf != parts {
		w.verOf, w.ver = parts, msg.Version+":"+msg.Release+":"+msg.Agency
	}
	return appendSetRef(b, msg.Type, w.ver, msg.Ref, index)
}

func trimBrace(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '}' {
		return b[:n-1]
	}
	return b
}
