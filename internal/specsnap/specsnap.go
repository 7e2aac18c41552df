// Package specsnap is the binary encoding of the pre-resolved spec
// snapshots that internal/x12/spec and internal/edifact/spec embed:
// unsigned varints, booleans as 0 or 1, strings as a length and their
// bytes, string lists as a count and their strings. Each spec package
// writes its own structures with these primitives.
//
// A Decoder reads from one string, so every string it returns is a
// substring of it (no allocation), and it panics with ErrCorrupt on bad
// input: decoding code stays straight-line, and Recover turns the panic
// back into an error at the top.
package specsnap

import (
	"encoding/binary"
	"errors"
)

// ErrCorrupt is the error of a snapshot that does not decode.
var ErrCorrupt = errors.New("spec: corrupt snapshot")

// Encoder appends to B.
type Encoder struct{ B []byte }

// Uint appends v as an unsigned varint.
func (e *Encoder) Uint(v int) { e.B = binary.AppendUvarint(e.B, uint64(v)) }

// Bool appends v as 1 or 0.
func (e *Encoder) Bool(v bool) {
	if v {
		e.Uint(1)
	} else {
		e.Uint(0)
	}
}

// Str appends the length of s and its bytes.
func (e *Encoder) Str(s string) {
	e.Uint(len(s))
	e.B = append(e.B, s...)
}

// Strs appends the number of strings and each string.
func (e *Encoder) Strs(list []string) {
	e.Uint(len(list))
	for _, s := range list {
		e.Str(s)
	}
}

// Decoder reads S from offset I.
type Decoder struct {
	S string
	I int
}

// Uint reads an unsigned varint of at most 2^31.
func (dc *Decoder) Uint() int {
	var v uint64
	for shift := uint(0); ; shift += 7 {
		if dc.I >= len(dc.S) || shift > 56 {
			panic(ErrCorrupt)
		}
		c := dc.S[dc.I]
		dc.I++
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			break
		}
	}
	if v > 1<<31 {
		panic(ErrCorrupt)
	}
	return int(v)
}

// Bool reads 0 or 1.
func (dc *Decoder) Bool() bool {
	switch dc.Uint() {
	case 0:
		return false
	case 1:
		return true
	}
	panic(ErrCorrupt)
}

// Str reads a string (a substring of S).
func (dc *Decoder) Str() string {
	n := dc.Count()
	s := dc.S[dc.I : dc.I+n]
	dc.I += n
	return s
}

// Count reads a length that bounds how many items follow (each takes at
// least one byte), so corrupt input cannot ask for a huge allocation.
func (dc *Decoder) Count() int {
	n := dc.Uint()
	if n > len(dc.S)-dc.I {
		panic(ErrCorrupt)
	}
	return n
}

// Strs reads a list of strings; an empty list is nil, as the YAML loaders
// leave it.
func (dc *Decoder) Strs() []string {
	n := dc.Count()
	if n == 0 {
		return nil
	}
	list := make([]string, n)
	for i := range list {
		list[i] = dc.Str()
	}
	return list
}

// Done reports whether everything was read: trailing bytes are corruption.
func (dc *Decoder) Done() bool { return dc.I == len(dc.S) }

// Recover, deferred, turns a Decoder's ErrCorrupt panic into *err = ErrCorrupt
// and calls reset (to clear half-built results); other panics go on.
func Recover(err *error, reset func()) {
	if p := recover(); p != nil {
		if p != ErrCorrupt {
			panic(p)
		}
		reset()
		*err = ErrCorrupt
	}
}
