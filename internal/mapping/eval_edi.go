package mapping

import (
	"strings"

	"github.com/b2bgw/b2bgw/internal/jsonenc"
)

// How objectEDI finds a value field's text on an EDIFACT tree: the
// cases of ediRaw, told apart once when the mapping is loaded (planEDI)
// instead of for every value.
const (
	opGeneral = iota // valueJSON, or fieldBody for an object or array
	opSeg            // edi with no group step: its segment step asked here
	opConst          // constJSON
	opPath           // edi with group steps: ediPath.firstText
	opSub            // sub
	opSelf           // self, when the context is a segment
	opPick           // one of a run of picks on one segment step (pickRun)
)

// planEDI sets op on fields and those nested in them, after the whole
// mapping is compiled (bindSegment gives the fields of a foreach their
// self forms after they are compiled).
func planEDI(fields []*field) {
	for _, f := range fields {
		f.op = opGeneral
		switch {
		case f.kind != valueField:
			planEDI(f.fields)
		case f.vk == vkConst:
			f.op = opConst
		case f.vk != vkEDI:
		case f.edi != nil && len(f.edi.groups) == 0:
			f.op = opSeg
		case f.edi != nil:
			f.op = opPath
		case f.sub != nil:
			f.op = opSub
		case f.self != nil:
			f.op = opSelf
		}
	}
	planPicks(fields)
}

// pickRun is consecutive fields of one object that pick from the same
// segment step with the same positions and only the literal different
// (vendor_part_number: PIA/*[*[2]='SA']/*[1], buyer_part_number:
// PIA/*[*[2]='IN']/*[1]): their first field finds all their texts in one
// pass over the step's segments (doctree SegPicks), the others read them.
type pickRun struct {
	sel  *ediSel
	k, j int
	lits []string
}

// maxPickRun bounds a run: SegPicks keeps its answers in 32 bits.
const maxPickRun = 32

// planPicks gives op opPick to the runs of fields that pickRun can
// answer together. A member has no when, so when the first is evaluated
// the others follow it in the same loop with the same context.
func planPicks(fields []*field) {
	pickable := func(f *field) bool {
		return f.kind == valueField && f.op == opSeg && f.when == nil && f.edi.pick != nil
	}
	for i := 0; i < len(fields); {
		f := fields[i]
		if !pickable(f) {
			i++
			continue
		}
		p := f.edi
		n := 1
		for i+n < len(fields) && n < maxPickRun {
			q := fields[i+n]
			if !pickable(q) || q.edi.sel != p.sel || q.edi.pick.k != p.pick.k || q.edi.pick.j != p.pick.j {
				break
			}
			n++
		}
		if n > 1 {
			r := &pickRun{sel: p.sel, k: p.pick.k, j: p.pick.j}
			for x, q := range fields[i : i+n] {
				r.lits = append(r.lits, q.edi.pick.lit)
				q.op, q.run, q.pickIdx = opPick, r, uint8(x)
			}
		}
		i += n
	}
}

// picks finds the texts of run r in ctx into e.picked, as segText does
// for each literal (the first segment from the step's first on that has
// the value): bit x of e.pickDone is set when lits[x]'s was found (only
// then is e.picked[x] read), of e.pickBad when a node of the step's name
// that is not a segment came first (the walk answers that literal).
func (e *evaluator) picks(r *pickRun, ctx Node) {
	t := e.tv.edi
	out := e.picked
	if len(out) < len(r.lits) {
		// Never cleared: only the texts whose done bits are set are read.
		out = make([][]byte, maxPickRun)
	}
	all := uint32(1)<<len(r.lits) - 1
	var done uint32
	s, bad := e.tv.memo.first(t, r.sel, ctx)
	for s != NoNode {
		if done = t.SegPicks(s, r.k, r.lits, r.j, out, done); done == all {
			break
		}
		s, bad = r.sel.seek(t, t.NextNamed(s))
	}
	e.picked, e.pickDone, e.pickBad = out, done, 0
	if bad {
		e.pickBad = all &^ done
	}
	e.pickRun, e.pickCtx = r, ctx
}

// pickText is the text of field f of a pickRun in ctx. The run's first
// field finds the texts of all (a document's nodes are numbered as the
// last one's were: always look), the others read them. (A function of
// its own: in objectEDI's loop it would cost every field registers.)
func (e *evaluator) pickText(f *field, ctx Node) ([]byte, bool) {
	x := f.pickIdx
	if x == 0 || e.pickRun != f.run || e.pickCtx != ctx {
		e.picks(f.run, ctx)
	}
	if e.pickBad>>x&1 != 0 {
		return f.edi.gen.firstTextWalk(&e.tv, ctx)
	}
	if e.pickDone>>x&1 != 0 {
		return e.picked[x], true
	}
	return nil, false
}

// objectEDI is objectJSON on an EDIFACT tree. Value fields are evaluated
// in its loop: the text found by the field's op, then, for the common
// values (a string or a decimal already canonical, either through a code
// list to a string), written with its key at once.
func (e *evaluator) objectEDI(fields []*field, ctx Node) int {
	t, m := e.tv.edi, e.tv.memo
	e.out = append(e.out, '{')
	n := 0
	e.path = append(e.path, pathElem{index: -1, fields: fields})
	slot := len(e.path) - 1
	for _, f := range fields {
		if w := f.when; w != nil {
			if w.edi != nil {
				if !e.ediCond(w.edi, ctx) {
					continue
				}
			} else if !e.cond(w, ctx) {
				continue
			}
		}
		if f.kind != valueField {
			mark := len(e.out)
			e.out = putKey(e.out, f, n > 0)
			if e.fieldBody(f, ctx) {
				n++
			} else {
				e.out = e.out[:mark]
			}
			continue
		}
		var txt []byte
		var found bool
		switch f.op {
		case opSeg:
			p := f.edi
			if p.memo.Load() {
				txt, found = p.memoText(&e.tv, ctx)
				break
			}
			var bad bool
			if txt, found, bad = p.segText(t, m, ctx); bad {
				txt, found = p.gen.firstTextWalk(&e.tv, ctx)
			}
		case opPick:
			txt, found = e.pickText(f, ctx)
		case opConst:
			e.out = append(putKey(e.out, f, n > 0), f.constJSON...)
			n++
			continue
		case opPath:
			txt, found = f.edi.firstText(&e.tv, ctx)
		case opSub:
			txt, found = f.sub.text(e, ctx)
		case opSelf:
			if t.IsSegment(ctx) {
				txt, found = f.self.text(t, ctx)
				break
			}
			fallthrough
		default:
			if e.valueJSON(f, ctx, n > 0, f.keyJSON) {
				n++
			}
			continue
		}
		raw := view(txt)
		if found && f.trim && len(raw) > 0 && (spaceOrWide(raw[0]) || spaceOrWide(raw[len(raw)-1])) {
			raw = strings.TrimSpace(raw)
		}
		if raw == "" {
			if f.def == nil && !f.required {
				continue // absent and optional: most optional fields
			}
		} else if f.quick == quickString || f.quick == quickDecimal {
			text, ok := raw, true
			if f.codes != nil {
				text, ok = f.codes.lookupString(raw)
			}
			if ok && f.quick == quickString {
				e.out = jsonenc.AppendStr(putKey(e.out, f, n > 0), text)
				n++
				continue
			}
			if ok && canonicalNumber(text) {
				e.out = append(putKey(e.out, f, n > 0), text...)
				n++
				continue
			}
		}
		if v, ok := e.finish(f, f.from, ctx, NoNode, raw); ok {
			e.out = v.AppendJSON(putKey(e.out, f, n > 0))
			n++
		}
	}
	e.path = e.path[:slot]
	e.out = append(e.out, '}')
	return n
}

// putKey is appendKey for f's key, written as one array store when it
// fits (most do) and out has room for the whole array: no memmove call.
func putKey(out []byte, f *field, comma bool) []byte {
	n := len(out)
	if !f.keyFits || cap(out)-n < 32 {
		return appendKey(out, comma, f.keyJSON)
	}
	c := 0
	if comma {
		c = 1
	}
	*(*[32]byte)(out[n : n+32]) = f.key32[c]
	return out[:n+len(f.keyJSON)-1+c]
}

// appendKey is prefix on a slice: key with its comma when comma is set.
func appendKey(out []byte, comma bool, key []byte) []byte {
	if !comma {
		key = key[1:]
	}
	return append(out, key...)
}
