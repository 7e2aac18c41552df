// Package strchunk makes many short strings without one allocation each:
// they are cut from shared chunks of memory. A decoder's messages and
// sets carry a few short strings each (references, control numbers) and
// a file has tens of thousands of them.
package strchunk

import "unsafe"

// Sizes: a chunk holds some hundreds of short strings; longer ones get
// an allocation of their own, so that no chunk is mostly wasted.
const (
	chunkSize = 4 << 10
	maxLen    = 64
)

// Cutter cuts strings from its current chunk. Bytes of a chunk are never
// written again once a string was cut from them, so every string stays
// valid for as long as it is referenced, after the bytes it was made
// from are reused. The zero Cutter is ready; it is not safe for
// concurrent use.
type Cutter struct {
	chunk []byte
}

// String returns b as a string.
func (c *Cutter) String(b []byte) string {
	switch {
	case len(b) == 0:
		return ""
	case len(b) > maxLen:
		return string(b)
	}
	if cap(c.chunk)-len(c.chunk) < len(b) {
		c.chunk = make([]byte, 0, chunkSize)
	}
	n := len(c.chunk)
	c.chunk = append(c.chunk, b...)
	return unsafe.String(&c.chunk[n], len(b))
}
