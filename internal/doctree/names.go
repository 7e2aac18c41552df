package doctree

import (
	"strconv"
	"sync"
	"sync/atomic"
)

// XPath asks every node for its name (LocalName) at every step, so element
// and component names ("PO102", "PO103_01") must not be built per call.
// They are built once per segment tag per process and shared by all trees
// and goroutines: a copy-on-write map read with one atomic load, so readers
// never contend on a lock.

// tagNames holds the names of one segment tag's elements and components.
// It is immutable except for comps, whose slots are filled on first use.
type tagNames struct {
	tag   string
	sym   int32    // symbol of tag; 0 for tags kept out of the symbol table
	elems []string // elems[i-1] = tag + two-digit i
	// comps[i-1] holds the component names of element i, created on first
	// use (most elements are never composite) and replaced when a longer
	// composite turns up.
	comps []atomic.Pointer[[]string]
}

// Limits that keep the shared cache bounded whatever the input: a hostile
// or broken file could otherwise invent any number of tags and elements.
const (
	maxCachedTags  = 4096
	maxCachedElems = 128 // elements per tag kept in the cache
	maxCachedComps = 64  // components per element kept in the cache
	minElems       = 16  // names prepared up front for an unknown tag
	minComps       = 8   // component names prepared on first use
)

var nameCache struct {
	mu sync.Mutex // serializes writers; readers only load m
	m  atomic.Pointer[map[string]*tagNames]
}

// namesFor returns names for tag that cover at least n elements. The result
// is shared; callers must not modify it.
func namesFor(tag []byte, n int) *tagNames {
	if m := nameCache.m.Load(); m != nil {
		if tn := (*m)[string(tag)]; tn != nil && len(tn.elems) >= n {
			return tn
		}
	}
	if !cacheableTag(tag) {
		return newTagNames(string(tag), n)
	}
	if n > maxCachedElems {
		tn := newTagNames(string(tag), n)
		tn.sym = lookup(tn.tag)
		return tn
	}
	nameCache.mu.Lock()
	defer nameCache.mu.Unlock()
	old := nameCache.m.Load()
	var cur map[string]*tagNames
	if old != nil {
		cur = *old
		if tn := cur[string(tag)]; tn != nil && len(tn.elems) >= n {
			return tn // another goroutine added it meanwhile
		}
		if len(cur) >= maxCachedTags {
			tn := newTagNames(string(tag), n)
			tn.sym = lookup(tn.tag)
			return tn
		}
	}
	size := max(n, minElems)
	if tn := cur[string(tag)]; tn != nil {
		size = max(size, 2*len(tn.elems)) // grow geometrically: fewer rebuilds
	}
	tn := newTagNames(string(tag), min(size, maxCachedElems))
	tn.sym = intern(tn.tag)
	next := make(map[string]*tagNames, len(cur)+1)
	for k, v := range cur {
		next[k] = v
	}
	next[tn.tag] = tn
	nameCache.m.Store(&next)
	return tn
}

// cacheableTag reports whether tag looks like a segment tag (2 to 4
// upper-case letters or digits). Anything else is data damage; its names
// are built per tree rather than kept forever.
func cacheableTag(tag []byte) bool {
	if len(tag) < 2 || len(tag) > 4 {
		return false
	}
	for _, c := range tag {
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

func newTagNames(tag string, n int) *tagNames {
	tn := &tagNames{tag: tag, elems: make([]string, n), comps: make([]atomic.Pointer[[]string], n)}
	for i := range tn.elems {
		tn.elems[i] = elemName(tag, i+1)
	}
	return tn
}

// elem returns the name of element i (1-based), e.g. "BEG03".
func (tn *tagNames) elem(i int) string {
	if i >= 1 && i <= len(tn.elems) {
		return tn.elems[i-1]
	}
	return elemName(tn.tag, i) // beyond the cache: rare, allocates
}

// comp returns the name of component c of element i, e.g. "PO103_01".
func (tn *tagNames) comp(i, c int) string {
	if i < 1 || i > len(tn.comps) || c < 1 {
		return compName(tn.elem(i), c)
	}
	slot := &tn.comps[i-1]
	if p := slot.Load(); p != nil && c <= len(*p) {
		return (*p)[c-1]
	}
	if c > maxCachedComps {
		return compName(tn.elems[i-1], c)
	}
	n := max(c, minComps)
	if p := slot.Load(); p != nil {
		n = max(n, 2*len(*p))
	}
	n = min(n, maxCachedComps)
	names := make([]string, n)
	for k := range names {
		names[k] = compName(tn.elems[i-1], k+1)
	}
	// A concurrent writer may store its own copy; both are equal, so
	// whichever wins is fine.
	slot.Store(&names)
	return names[c-1]
}

func elemName(tag string, i int) string { return tag + twoDigits(i) }

func compName(elem string, c int) string { return elem + "_" + twoDigits(c) }

// twoDigits formats n with at least two digits, as the standard numbers
// element positions ("01", "12", "105").
func twoDigits(n int) string {
	if n >= 0 && n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}
