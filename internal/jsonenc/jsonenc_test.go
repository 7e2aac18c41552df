package jsonenc

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestAppendString(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "ACME DC 1", `"ACME DC 1"`},
		{"quote and backslash", `a"b\c`, `"a\"b\\c"`},
		{"controls", "a\nb\rc\td\x00e\x1f", `"a\nb\rc\td\u0000e\u001f"`},
		{"utf8 kept", "Müller & Söhne", `"Müller & Söhne"`},
		{"invalid utf8 replaced", "ab\xffcd", `"ab\ufffdcd"`},
		{"empty", "", `""`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := string(AppendStr(nil, tc.in))
			if got != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
			var back string
			if err := json.Unmarshal([]byte(got), &back); err != nil {
				t.Fatalf("not valid JSON: %v", err)
			}
		})
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "abc", "\x00\xff\"\\", "Müller", "a\u2028b\u2029<>&", "ACME DISTRIBUTION CTR\xc3"} {
		f.Add([]byte(s), 0)
	}
	f.Fuzz(func(t *testing.T, s []byte, prefix int) {
		checkAgainstOld(t, s, prefix)
		var back string
		if out := AppendString(nil, s); json.Unmarshal(out, &back) != nil {
			t.Fatalf("invalid JSON %q for input %q", out, s)
		}
	})
}

// checkAgainstOld appends s after prefix bytes already in a buffer of
// several capacities (exactly enough, one byte short, roomy) whose spare
// capacity holds a marker, and wants oldAppendString's bytes, the prefix
// intact and the spare capacity past the result untouched.
func checkAgainstOld(t *testing.T, s []byte, prefix int) {
	t.Helper()
	prefix = min(max(prefix, 0), 64)
	head := bytes.Repeat([]byte{'h'}, prefix)
	want := oldAppendString(slices.Clone(head), s)
	for _, room := range []int{len(want) - prefix, len(want) - prefix - 1, len(want) - prefix + 24} {
		buf := make([]byte, prefix, prefix+room)
		copy(buf, head)
		spare := buf[prefix:cap(buf)]
		for i := range spare {
			spare[i] = 0xa5
		}
		got := AppendString(buf, s)
		if !bytes.Equal(got, want) {
			t.Fatalf("AppendString(%q) after %d bytes, room %d = %q, want %q", s, prefix, room, got, want)
		}
		if cap(got) == cap(buf) && &got[:1][0] == &buf[:1][0] {
			for i, c := range got[len(got):cap(got)] {
				if c != 0xa5 {
					t.Fatalf("AppendString(%q) wrote %#x at %d past its result", s, c, len(got)+i)
				}
			}
		}
	}
}

// TestAppendStringMatchesOld holds AppendString to the byte loop it
// replaced: every byte value at every position of plain values 1 to 24
// bytes long (each word lane, the overlapping last word and the short
// value forms), then random values over the bytes that matter: controls,
// '"', '\\', <>& (kept), DEL, and UTF-8 pieces whole, truncated and
// invalid, U+2028/U+2029 (kept, unlike encoding/json) and surrogates.
func TestAppendStringMatchesOld(t *testing.T) {
	for n := 1; n <= 24; n++ {
		for pos := 0; pos < n; pos++ {
			for c := 0; c < 256; c++ {
				s := []byte(strings.Repeat("A1 ~", 6)[:n])
				s[pos] = byte(c)
				checkAgainstOld(t, s, pos%3)
			}
		}
	}
	pieces := []string{
		"A", "z", "0", " ", "~", "\x7f", "<", ">", "&", `"`, `\`, "\x00", "\n", "\r", "\t", "\x1f", "\x80", "\xbf", "\xc0", "\xff",
		"é", "ü", "€", "\u2028", "\u2029", "\ufffd", "😀", "\xc3", "\xe2\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc0\xaf",
		"ACME ", "12345678",
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		var s []byte
		for range rng.IntN(16) {
			s = append(s, pieces[rng.IntN(len(pieces))]...)
		}
		checkAgainstOld(t, s, rng.IntN(10))
	}
}

// TestBadBytes checks the word test against the byte table for every
// pair of byte values in every pair of lanes of a plain word (one byte
// value alone when the lanes are the same), so each borrow a byte can
// pass to the lanes above meets each byte there.
func TestBadBytes(t *testing.T) {
	needsEscape := func(c byte) bool { return c >= 0x80 || !safe[c] }
	for i := range 8 {
		for j := i; j < 8; j++ {
			for c := range 256 {
				for e := range 256 {
					w := []byte("A1 ~z0|}")
					w[i], w[j] = byte(c), byte(e)
					want := needsEscape(w[i]) || needsEscape(w[j])
					if got := badBytes(binary.LittleEndian.Uint64(w)) != 0; got != want {
						t.Fatalf("badBytes(%q) != 0 is %v, want %v", w, got, want)
					}
				}
			}
		}
	}
}

// oldAppendString is AppendString as it was before the word-at-a-time
// copy, kept as the reference the tests and FuzzAppendString hold the
// new code to byte for byte.
func oldAppendString(b []byte, s []byte) []byte {
	b = append(b, '"')
	i := oldPlainPrefix(s)
	if i == len(s) {
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

func oldPlainPrefix(s []byte) int {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := binary.LittleEndian.Uint64(s[i:])
		q, bs := w^(lsb*'"'), w^(lsb*'\\')
		ctl := (w - lsb*0x20) &^ w
		quo := (q - lsb) &^ q
		bsl := (bs - lsb) &^ bs
		if (ctl|quo|bsl|w)&msb != 0 {
			break
		}
	}
	for ; i < len(s) && s[i] < utf8.RuneSelf && safe[s[i]]; i++ {
	}
	return i
}

// benchValues are the kinds of string a translated order writes: codes,
// numbers kept as strings, names, addresses, a hash, and the rarer values
// that take the escaping path.
var benchValues = []struct{ name, s string }{
	{"code2", "EA"},
	{"code3", "850"},
	{"date", "2025-07-23"},
	{"upc", "072787145903"},
	{"name", "INITECH STORES WAREHOUSE"},
	{"desc", "STAINLESS EXTENSION CORD 25FT"},
	{"sha256", "e2b16148c1b32ebe1969771241b193bdf5be0e117c110a08e96fb6c659926efc"},
	{"quote", `12" PIPE`},
	{"utf8", "Müller & Söhne"},
}

func BenchmarkAppendStr(b *testing.B) {
	for _, v := range benchValues {
		b.Run(v.name, func(b *testing.B) {
			buf := make([]byte, 0, 256)
			b.SetBytes(int64(len(v.s)))
			for b.Loop() {
				buf = AppendStr(buf[:0], v.s)
			}
		})
	}
	// mix: one order's worth of values in the proportions above.
	b.Run("mix", func(b *testing.B) {
		buf := make([]byte, 0, 1024)
		for b.Loop() {
			buf = buf[:0]
			for _, v := range benchValues {
				buf = AppendStr(buf, v.s)
			}
		}
	})
}
