package doctree

import (
	"sync"
	"sync/atomic"
)

// A mapping evaluates the same few hundred names (BEG, PO1Loop, PO102,
// DTM01_02) against every document. Comparing them as strings at every
// step, and parsing "PO102" back into "element 2 of PO1" at every lookup,
// was most of the cost of a walk. So names are interned once into small
// integer symbols: stored nodes carry the symbol of their name (taken from
// the shape, never looked up while a tree is built), and a mapping
// compiles each step's name once into a Name that knows its symbol and
// what element or component position it denotes for which segment tag.

// maxSymbols bounds the process-wide symbol table whatever the input
// (damaged tags, many mappings); a name that gets no symbol (0) is simply
// compared as a string.
const maxSymbols = 1 << 16

var symtab struct {
	m sync.Map // string -> int32
	n atomic.Int32
}

// intern returns the symbol of name, making one if needed; 0 when name is
// empty or the table is full.
func intern(name string) int32 {
	if name == "" {
		return 0
	}
	if s, ok := symtab.m.Load(name); ok {
		return s.(int32)
	}
	id := symtab.n.Add(1)
	if id >= maxSymbols {
		symtab.n.Add(-1)
		return 0
	}
	s, _ := symtab.m.LoadOrStore(name, id)
	return s.(int32)
}

// lookup returns the symbol of name, 0 when it has none.
func lookup(name string) int32 {
	if s, ok := symtab.m.Load(name); ok {
		return s.(int32)
	}
	return 0
}

// Symbols of the names every tree has.
var (
	symX12Root     = intern(X12RootName)
	symEDIFACTRoot = intern(EDIFACTRootName)
	symCSVRoot     = intern(CSVRootName)
	symCSVRow      = intern(CSVRowName)
)

// sameName reports whether stored names a (symbol sa) and b (symbol sb)
// are equal: by symbol when both have one (symbols are one-to-one with
// names), else by text.
func sameName(sa, sb int32, a, b string) bool {
	if sa != 0 && sb != 0 {
		return sa == sb
	}
	return a == b
}

// symBit is a stored node's bit in its parent's kids mask: a one-word
// Bloom filter of the children's names, so looking up a segment that a
// loop does not have (most of a mapping's optional fields) costs one test
// instead of a scan of the loop. A name without a symbol sets every bit.
func symBit(sym int32) uint64 {
	if sym == 0 {
		return ^uint64(0)
	}
	return 1 << (uint32(sym) & 63)
}

// mayHave reports whether a stored node whose children have the kids
// mask may have a child called name; false is certain.
func mayHave(kids uint64, name *Name) bool {
	return name.sym == 0 || kids&symBit(name.sym) != 0
}

// maxSplits bounds the ways a Name is read as an element or component
// name; a name with more (none in practice) is resolved by text.
const maxSplits = 3

// Name is a child-step name compiled for the tree lookups below
// (Handles.FirstChildName and friends): the name itself, its symbol, and
// every way it reads as an element name (tag + position: "PO102" is
// element 2 of PO1 or element 102 of PO) or a component name ("DTM01_02"
// is component 2 of element 1 of DTM). Make one with CompileName when a
// mapping is loaded; it is read-only and shared.
type Name struct {
	s   string
	sym int32
	// elems and comps are the readings of s by segment-tag symbol.
	elems  [maxSplits]nameSplit
	comps  [maxSplits]nameSplit
	nElems int8
	nComps int8
	// bySym: every reading's tag has a symbol, so a segment whose tag has
	// one resolves s by comparing integers; otherwise s is parsed the
	// usual way (tagNames.elemIndex).
	bySym bool
}

type nameSplit struct {
	tag      int32
	el, comp int32
}

// compiled holds the Names made so far, so that equal names compiled for
// different expressions are one pointer: the mapping evaluator remembers
// its last lookup by the Name's pointer (PO1/PO101 then PO1/PO102 find
// their PO1 once). Bounded like the symbols.
var compiled struct {
	m sync.Map // string -> *Name
	n atomic.Int32
}

// CompileName prepares name for the *Name lookups. Equal names give the
// same Name (until maxSymbols of them are made).
func CompileName(name string) *Name {
	if n, ok := compiled.m.Load(name); ok {
		return n.(*Name)
	}
	n := compileName(name)
	if compiled.n.Add(1) > maxSymbols {
		compiled.n.Add(-1)
		return n
	}
	got, _ := compiled.m.LoadOrStore(name, n)
	return got.(*Name)
}

func compileName(name string) *Name {
	n := &Name{s: name, sym: intern(name), bySym: true}
	add := func(list *[maxSplits]nameSplit, count *int8, tag string, el, comp int) {
		sym := intern(tag)
		if sym == 0 || int(*count) == maxSplits {
			n.bySym = false
			return
		}
		list[*count] = nameSplit{tag: sym, el: int32(el), comp: int32(comp)}
		*count++
	}
	for k := 1; k+2 <= len(name); k++ {
		if el := position(name[k:]); el > 0 {
			add(&n.elems, &n.nElems, name[:k], el, 0)
		}
	}
	// A component name is an element name, "_" and a position.
	for i := len(name) - 1; i > 0; i-- {
		if name[i] != '_' {
			continue
		}
		c := position(name[i+1:])
		if c == 0 {
			break
		}
		e := name[:i]
		for k := 1; k+2 <= len(e); k++ {
			if el := position(e[k:]); el > 0 {
				add(&n.comps, &n.nComps, e[:k], el, c)
			}
		}
		break
	}
	return n
}

// String returns the name.
func (n *Name) String() string { return n.s }

// elemIn returns the element position n denotes for a segment with names
// tn, or 0: tn.elemIndex(n.s), without parsing.
func (n *Name) elemIn(tn *tagNames) int {
	if tn.sym == 0 || !n.bySym {
		return tn.elemIndex(n.s)
	}
	for i := range n.nElems {
		if sp := &n.elems[i]; sp.tag == tn.sym {
			return int(sp.el)
		}
	}
	return 0
}

// compIn returns the component position n denotes for element el of a
// segment with names tn, or 0: tn.compIndex(el, n.s), without parsing.
func (n *Name) compIn(tn *tagNames, el int) int {
	if tn.sym == 0 || !n.bySym {
		return tn.compIndex(el, n.s)
	}
	for i := range n.nComps {
		if sp := &n.comps[i]; sp.tag == tn.sym && int(sp.el) == el {
			return int(sp.comp)
		}
	}
	return 0
}

// ElemPos returns the position of the element that name denotes in a
// segment tagged tag ("QTY01" in QTY: 1), or 0 when it names no element
// of one: what the lookups of a compiled Name resolve on every call, for
// a mapping to resolve once (EDIFACTTree.SegElemText).
func ElemPos(tag, name string) int {
	if tag == "" || len(name) < len(tag)+2 || name[:len(tag)] != tag {
		return 0
	}
	return position(name[len(tag):])
}

// CompPos returns the component position that name denotes in element el
// of a segment tagged tag ("QTY01_02" for QTY and 1: 2), or 0.
func CompPos(tag string, el int, name string) int {
	if tag == "" || el < 1 {
		return 0
	}
	e := elemName(tag, el)
	if len(name) < len(e)+3 || name[:len(e)] != e || name[len(e)] != '_' {
		return 0
	}
	return position(name[len(e)+1:])
}
