package jsonenc

import (
	"encoding/json"
	"strings"
	"testing"
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
	for _, s := range []string{"", "abc", "\x00\xff\"\\", "Müller"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, s []byte) {
		out := AppendString(nil, s)
		var back string
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("invalid JSON %q for input %q: %v", out, s, err)
		}
	})
}

// TestPlainPrefix checks the word-at-a-time scan against the byte table:
// every byte value at every position of plain strings 1 to 24 bytes long,
// so each of the word tests meets each kind of byte in each lane and in
// the tail.
func TestPlainPrefix(t *testing.T) {
	naive := func(s []byte) int {
		i := 0
		for i < len(s) && s[i] < 0x80 && safe[s[i]] {
			i++
		}
		return i
	}
	for n := 1; n <= 24; n++ {
		for pos := 0; pos < n; pos++ {
			for c := 0; c < 256; c++ {
				s := []byte(strings.Repeat("A1 ~", 6)[:n])
				s[pos] = byte(c)
				if got, want := plainPrefix(s), naive(s); got != want {
					t.Fatalf("plainPrefix(%q) = %d, want %d", s, got, want)
				}
			}
		}
	}
}
