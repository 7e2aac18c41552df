// Package jsonenc appends JSON values to byte slices without reflection or
// allocation. It is the hot-path encoder for parse and translate output,
// where encoding/json's reflection would cost more than the parsing.
package jsonenc

import (
	"encoding/binary"
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
func AppendString(b []byte, s []byte) []byte {
	b = append(b, '"')
	i := plainPrefix(s)
	if i == len(s) {
		// Most values (codes, numbers, names) need no escaping: one copy.
		b = append(b, s...)
		return append(b, '"')
	}
	start := 0
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if safe[c] {
				i++
				continue
			}
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

// Word-at-a-time masks for plainPrefix.
const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// plainPrefix returns the length of s's leading run of 8-byte words that
// need no escaping (printable ASCII other than '"' and '\\'), then of
// such bytes: AppendString's byte loop starts where it stops. The word
// tests are the classic "has a byte less than n" and "has a zero byte"
// bit tricks, exact for whether any byte of the word matches.
func plainPrefix(s []byte) int {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := binary.LittleEndian.Uint64(s[i:])
		q, bs := w^(lsb*'"'), w^(lsb*'\\')
		ctl := (w - lsb*0x20) &^ w // a byte < 0x20
		quo := (q - lsb) &^ q      // a '"' (a zero byte in q)
		bsl := (bs - lsb) &^ bs    // a '\\'
		// w&msb: a byte >= 0x80, left to the byte loop's UTF-8 check.
		if (ctl|quo|bsl|w)&msb != 0 {
			break
		}
	}
	for ; i < len(s) && s[i] < utf8.RuneSelf && safe[s[i]]; i++ {
	}
	return i
}

// AppendStr is AppendString for a string.
func AppendStr(b []byte, s string) []byte { return AppendString(b, []byte(s)) }
