package mapping

import (
	"sync/atomic"
	"unsafe"
)

// arena hands out the member and item slices and the strings of one
// Translate result. Each object reserves room for all its fields (and
// each array for all its nodes) before its children reserve theirs, so a
// bump allocator over a few blocks serves the whole tree; the three-index
// slices it returns cannot grow into a neighbour. Blocks are sized from
// what the mapping's previous documents used (arenaHint), so a typical
// document takes one block of each kind.
//
// Blocks are never written again once handed out, so strings made with
// unsafe.String over them are immutable, as Go requires; the value keeps
// its blocks alive.
type arena struct {
	hint *arenaHint
	mem  []Member
	its  []Value
	buf  []byte
	// totals of this document, for the hint
	nMem, nIts, nBuf int
}

// arenaHint remembers block sizes per mapping (racy by design: any recent
// document's size is a fine guess).
type arenaHint struct {
	mem, its, buf atomic.Int32
}

const (
	minArenaMembers = 32
	minArenaItems   = 8
	minArenaBytes   = 512
	maxArenaHint    = 1 << 16 // a huge document does not set the size of all later blocks
)

func (a *arena) members(n int) []Member {
	a.nMem += n
	if cap(a.mem)-len(a.mem) < n {
		size := max(n, minArenaMembers, int(a.hint.mem.Load()), 2*cap(a.mem))
		a.mem = make([]Member, 0, size)
	}
	l := len(a.mem)
	a.mem = a.mem[:l+n]
	return a.mem[l : l : l+n]
}

func (a *arena) items(n int) []Value {
	a.nIts += n
	if cap(a.its)-len(a.its) < n {
		size := max(n, minArenaItems, int(a.hint.its.Load()), 2*cap(a.its))
		a.its = make([]Value, 0, size)
	}
	l := len(a.its)
	a.its = a.its[:l+n]
	return a.its[l : l : l+n]
}

// string returns a copy of s that lives in the arena.
func (a *arena) string(s string) string {
	if len(s) == 0 {
		return ""
	}
	a.nBuf += len(s)
	if cap(a.buf)-len(a.buf) < len(s) {
		size := max(len(s), minArenaBytes, int(a.hint.buf.Load()), 2*cap(a.buf))
		a.buf = make([]byte, 0, size)
	}
	l := len(a.buf)
	a.buf = append(a.buf, s...)
	return unsafe.String(&a.buf[l], len(s))
}

// done records this document's sizes for the next.
func (a *arena) done() {
	a.hint.mem.Store(int32(min(a.nMem, maxArenaHint)))
	a.hint.its.Store(int32(min(a.nIts, maxArenaHint)))
	a.hint.buf.Store(int32(min(a.nBuf, maxArenaHint)))
}

// view returns b as a string without copying. The caller must not let the
// string outlive b's contents (see evaluator.keep).
func view(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}
