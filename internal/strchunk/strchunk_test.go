package strchunk

import (
	"strings"
	"testing"
)

func TestCutter(t *testing.T) {
	var c Cutter
	buf := []byte("0001")
	cases := []struct {
		in   []byte
		want string
	}{
		{nil, ""},
		{[]byte{}, ""},
		{buf, "0001"},
		{[]byte(strings.Repeat("x", maxLen)), strings.Repeat("x", maxLen)},
		{[]byte(strings.Repeat("y", maxLen+1)), strings.Repeat("y", maxLen+1)},
	}
	var got []string
	for _, tc := range cases {
		got = append(got, c.String(tc.in))
	}
	// The strings must not change when the bytes they came from do, nor
	// when later strings fill (and outgrow) the chunk.
	copy(buf, "9999")
	for i := 0; i < 2*chunkSize/maxLen; i++ {
		if s := c.String([]byte(strings.Repeat("z", maxLen))); s != strings.Repeat("z", maxLen) {
			t.Fatalf("filler %d = %q", i, s)
		}
	}
	for i, tc := range cases {
		if got[i] != tc.want {
			t.Errorf("String(%q) = %q, want %q", tc.in, got[i], tc.want)
		}
	}
}

func TestCutterAllocs(t *testing.T) {
	var c Cutter
	b := []byte("REF12345")
	c.String(b)
	if n := testing.AllocsPerRun(1000, func() { c.String(b) }); n > 0.01 {
		t.Errorf("%.3f allocations per short string, want about 1 per %d bytes", n, chunkSize)
	}
}
