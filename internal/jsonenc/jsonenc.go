// Package jsonenc appends JSON values to byte slices without reflection or
// allocation. It is the hot-path encoder for parse and translate output,
// where encoding/json's reflection would cost more than the parsing.
package jsonenc

import (
	"encoding/binary"
	"slices"
	"unicode/utf8"
)

const hex = "0123456789abcdef"

// safe[b] is true for ASCII bytes that need no escaping inside a JSON string.
var safe = func() (t [utf8.RuneSelf]bool) {
	for i := 0x20; i < utf8.RuneSelf; i++ {
		t[i] = i != '"' && i != '\\'
	}
	return t
}()

// AppendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD, so
// the output is always valid JSON whatever bytes a partner sent.
//
// Most values (codes, numbers, names, 2-30 bytes) need no escaping and fit
// in b's capacity. For them s is copied with one to four word loads and
// stores, each word tested as it goes and one branch on all the tests at
// the end: no byte loop and no memmove call. A value shorter than 8 bytes
// is one word of overlapping loads, a longer one's words overlap at the
// end. The copy lands in b's capacity before the test is known; when s
// needs escaping, appendSlow's output overwrites it and is never shorter.
// Longer values and the rest go to helpers, so that their loops and calls
// do not cost the short values registers.
func AppendString(b []byte, s []byte) []byte {
	n, m := len(b), len(s)
	if cap(b)-n < m+2 {
		return appendSlow(b, s)
	}
	d := b[n : n+m+2]
	if len(d) != m+2 {
		return nil // never (d is m+2 long): proves the stores below in bounds
	}
	var bad uint64 // badBytes of the words of s, together
	switch {
	case m > 32:
		return appendLong(b, s)
	case m > 16:
		w0, w1 := le64(s[0:8]), le64(s[8:16])
		w2, w3 := le64(s[m-16:m-8]), le64(s[m-8:m])
		put64(d[1:9], w0)
		put64(d[9:17], w1)
		put64(d[m-15:m-7], w2)
		put64(d[m-7:m+1], w3)
		bad = (byteTests(w0) | byteTests(w1) | byteTests(w2) | byteTests(w3)) & msb
	case m >= 8:
		w0, w1 := le64(s[0:8]), le64(s[m-8:m])
		put64(d[1:9], w0)
		put64(d[m-7:m+1], w1)
		bad = (byteTests(w0) | byteTests(w1)) & msb
	case m >= 4:
		lo, hi := binary.LittleEndian.Uint32(s[:4]), binary.LittleEndian.Uint32(s[m-4:m])
		binary.LittleEndian.PutUint32(d[1:5], lo)
		binary.LittleEndian.PutUint32(d[m-3:m+1], hi)
		bad = badBytes(uint64(lo) | uint64(hi)<<32)
	case m >= 2:
		lo, hi := binary.LittleEndian.Uint16(s[:2]), binary.LittleEndian.Uint16(s[m-2:m])
		binary.LittleEndian.PutUint16(d[1:3], lo)
		binary.LittleEndian.PutUint16(d[m-1:m+1], hi)
		w := uint64(lo) | uint64(hi)<<16
		bad = badBytes(w | w<<32)
	case m == 1:
		d[1] = s[0]
		bad = badBytes(lsb * uint64(s[0]))
	}
	if bad != 0 {
		return appendSlow(b, s)
	}
	d[0] = '"'
	d[m+1] = '"'
	return b[:n+m+2]
}

// copyWords copies s to d, as long, a word at a time and returns
// badBytes of all its words together: AppendString's loop for values
// longer than 32 bytes, kept out of it so that its registers are free.
func copyWords(d, s []byte) uint64 {
	if len(s) < 8 || len(d) != len(s) {
		panic("jsonenc: copyWords needs d as long as s and at least 8 bytes")
	}
	w := le64(s[len(s)-8:])
	put64(d[len(d)-8:], w)
	bad := badBytes(w)
	for len(s) > 8 && len(d) >= 8 {
		w := le64(s[:8])
		put64(d[:8], w)
		bad |= badBytes(w)
		s, d = s[8:], d[8:]
	}
	return bad
}

func le64(b []byte) uint64     { return binary.LittleEndian.Uint64(b) }
func put64(b []byte, w uint64) { binary.LittleEndian.PutUint64(b, w) }

// appendLong is AppendString for values longer than 32 bytes, which
// fit in b: its loop is kept out of AppendString so that the short
// values' registers are not spilled for it.
func appendLong(b []byte, s []byte) []byte {
	n, m := len(b), len(s)
	if copyWords(b[n+1:n+1+m], s) != 0 {
		return appendEscaped(append(b, '"'), s)
	}
	b = b[:n+m+2]
	b[n] = '"'
	b[n+m+1] = '"'
	return b
}

// appendSlow is AppendString for the values its fast path leaves: b is
// grown and the fast path tried again, or s needs escaping.
func appendSlow(b []byte, s []byte) []byte {
	if cap(b)-len(b) < len(s)+2 {
		return AppendString(slices.Grow(b, len(s)+2), s)
	}
	return appendEscaped(append(b, '"'), s)
}

// appendEscaped appends s as the rest of a JSON string, escaping what
// needs it, and the closing quote. Runs of plain bytes are skipped a word
// at a time, so a long value with one escape is not a byte loop.
func appendEscaped(b []byte, s []byte) []byte {
	i, start := 0, 0
	for {
		for i+8 <= len(s) && badBytes(binary.LittleEndian.Uint64(s[i:])) == 0 {
			i += 8
		}
		for i < len(s) && s[i] < utf8.RuneSelf && safe[s[i]] {
			i++
		}
		if i == len(s) {
			break
		}
		if c := s[i]; c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// Word-at-a-time masks for badBytes.
const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// badBytes returns w's top bits, some of them set exactly when some byte
// of w needs escaping: >= 0x80 (left to appendEscaped's UTF-8 check),
// < 0x20, '"' or '\\'. A byte >= 0x80 sets its own top bit; with none
// such, each subtraction in byteTests sets a top bit exactly when some byte is
// < 0x20, '"' or '\\': the lowest such byte borrows (its result wraps to
// 0xe0-0xff), below it nothing borrows and every result stays under 0x80.
// Above a byte >= 0x80 the other terms may be wrong, but that byte's top
// bit is already set.
func badBytes(w uint64) uint64 { return byteTests(w) & msb }

// byteTests is badBytes before the mask, for ORing several words' tests
// and masking once.
func byteTests(w uint64) uint64 {
	return w | (w - lsb*0x20) | ((w ^ lsb*'"') - lsb) | ((w ^ lsb*'\\') - lsb)
}

// AppendStr is AppendString for a string.
func AppendStr(b []byte, s string) []byte { return AppendString(b, []byte(s)) }
