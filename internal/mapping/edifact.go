package mapping

import (
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/b2bgw/b2bgw/internal/doctree"
	"github.com/b2bgw/b2bgw/internal/edifact"
	espec "github.com/b2bgw/b2bgw/internal/edifact/spec"
)

// *doctree.EDIFACTTree implements the fast path's interfaces without
// importing this package: Node is an alias of int32.
var (
	_ Tree        = (*doctree.EDIFACTTree)(nil)
	_ LeafTree    = (*doctree.EDIFACTTree)(nil)
	_ Locator     = (*doctree.EDIFACTTree)(nil)
	_ NameTree    = (*doctree.EDIFACTTree)(nil)
	_ Name2Tree   = (*doctree.EDIFACTTree)(nil)
	_ ElemTree    = (*doctree.EDIFACTTree)(nil)
	_ NthElemTree = (*doctree.EDIFACTTree)(nil)
)

var builtinEDIFACT = sync.OnceValues(espec.Builtin)

// edifactShapes caches compiled message structures ("D96A/ORDERS").
var edifactShapes sync.Map

// EDIFACTShape returns the compiled group structure of a message type of
// the built-in directories, or nil (a flat tree) when there is none.
func EDIFACTShape(directory, typ string) *doctree.EDIFACTShape {
	key := directory + "/" + typ
	if s, ok := edifactShapes.Load(key); ok {
		return s.(*doctree.EDIFACTShape)
	}
	var sh *doctree.EDIFACTShape
	if reg, err := builtinEDIFACT(); err == nil {
		if ms, ok := reg.Message(directory, typ); ok {
			sh = doctree.CompileEDIFACT(ms)
		}
	}
	s, _ := edifactShapes.LoadOrStore(key, sh)
	return s.(*doctree.EDIFACTShape)
}

// ParseEDIFACT reads every message of an EDIFACT input into a Tree with
// the segment groups of the built-in directories (SG2, SG25 …). A message
// whose directory and type have no specification gets a flat tree. Like
// ParseX12 it serves mapping tests and the CLI; envelope problems are not
// reported here (b2bgw validate does that), a fatal read error is.
func ParseEDIFACT(data []byte) ([]Tree, error) {
	dec := edifact.NewDecoderBytes(data)
	var out []Tree
	for {
		ev, err := dec.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if ev.Kind != edifact.EventMessage {
			continue
		}
		m := ev.Message
		m.ToUTF8() // ISO 8859 text (UNOC …) is read as UTF-8, as translate does
		out = append(out, doctree.FromMessage(m, EDIFACTShape(m.Directory(), m.Type)))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no EDIFACT message (UNH … UNT) in the input")
	}
	return out, nil
}

// ediSegOut is one evaluated EDIFACT segment.
type ediSegOut struct {
	tag    string
	values []edifact.Value
}

// WriteEDIFACT writes doc (a canonical document as a ValueTree) as one
// EDIFACT message: UNH with reference ref and the message identifier of
// target (type from set:, version:release from version: such as "D96A",
// agency UN, association when given), the template's segments, and UNT
// with the count the writer keeps. The caller opens and closes the
// interchange. Nothing is written when any value fails.
func (t *Template) WriteEDIFACT(w *edifact.Writer, doc Tree, ref string, association string) error {
	segs, err := t.evalEDIFACT(doc)
	if err != nil {
		return err
	}
	id := edifact.MessageID{Type: t.Target.Set, Version: "D", Release: "", Agency: "UN", Association: association}
	if v := t.Target.Version; len(v) == 4 && (v[0] == 'D' || v[0] == 'S') {
		id.Version, id.Release = v[:1], v[1:]
	} else if v != "" {
		id.Release = v
	}
	if err := w.BeginMessage(ref, id); err != nil {
		return err
	}
	if err := writeEDISegs(w, segs); err != nil {
		return err
	}
	return w.EndMessage()
}

// WriteEDIFACTSegments writes only the template's segments (no UNH/UNT).
func (t *Template) WriteEDIFACTSegments(w *edifact.Writer, doc Tree) error {
	segs, err := t.evalEDIFACT(doc)
	if err != nil {
		return err
	}
	return writeEDISegs(w, segs)
}

func writeEDISegs(w *edifact.Writer, segs []ediSegOut) error {
	for _, s := range segs {
		if err := w.WriteValues(s.tag, s.values...); err != nil {
			return err
		}
	}
	return nil
}

func (t *Template) evalEDIFACT(doc Tree) ([]ediSegOut, error) {
	if t.segments == nil {
		return nil, fmt.Errorf("template %s writes CSV, not segments", t.ID)
	}
	e := evaluator{loc: t.loc, outbound: true, t: doc}
	var out []ediSegOut
	e.ediSegs(t.segments, doc.Root(), &out)
	if len(e.errs) > 0 {
		return nil, e.errs
	}
	return out, nil
}

// ediSegs is segs2 for EDIFACT: the same evaluation, EDIFACT values, and
// element names as the tree spells them (BGM02, DTM01-2 for a component).
func (e *evaluator) ediSegs(ts []*segTmpl, ctx Node, out *[]ediSegOut) {
	for _, s := range ts {
		if s.when != nil && !e.cond(s.when, ctx) {
			continue
		}
		if s.children != nil {
			if s.foreach == nil {
				e.ediSegs(s.children, ctx, out)
				continue
			}
			for i, n := range e.selectAll(s.foreach, ctx) {
				e.path = append(e.path, pathElem{name: s.foreach.src, index: -1}, pathElem{index: i})
				e.ediSegs(s.children, n, out)
				e.path = e.path[:len(e.path)-2]
			}
			continue
		}
		e.path = append(e.path, pathElem{name: s.tag, index: -1})
		vals := make([]edifact.Value, len(s.elements))
		empty := true
		for i, el := range s.elements {
			if el == nil {
				vals[i] = edifact.Simple("")
				continue
			}
			if el.components != nil {
				parts := make([]string, len(el.components))
				for c, f := range el.components {
					if f != nil {
						parts[c] = e.elementText(f, fmt.Sprintf("%s%02d_%02d", s.tag, i+1, c+1), ctx)
					}
				}
				vals[i] = edifact.Composite(parts...)
				for _, p := range parts {
					empty = empty && p == ""
				}
				continue
			}
			txt := e.elementText(el.value, fmt.Sprintf("%s%02d", s.tag, i+1), ctx)
			vals[i] = edifact.Simple(txt)
			empty = empty && txt == ""
		}
		e.path = e.path[:len(e.path)-1]
		if !empty {
			*out = append(*out, ediSegOut{tag: s.tag, values: vals})
		}
	}
}
