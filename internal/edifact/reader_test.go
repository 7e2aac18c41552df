package edifact

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

const una = "UNA:+.? '"

// readAll returns "TAG|elem|elem..." per segment (values unescaped, first
// component shown raw per element) and the final error.
func readAll(t testing.TB, r *Reader) ([]string, error) {
	t.Helper()
	var out []string
	for n := 0; n < 10000; n++ {
		s, err := r.Next()
		if err != nil {
			if s != nil {
				out = append(out, "!"+s.ID())
			}
			if Fatal(err) {
				return out, err
			}
			out = append(out, "ERR:"+err.Error())
			continue
		}
		parts := []string{s.ID()}
		for i := 1; i <= s.Len(); i++ {
			parts = append(parts, string(s.Element(i)))
		}
		out = append(out, strings.Join(parts, "|"))
	}
	t.Fatal("reader does not stop")
	return nil, nil
}

func TestReaderSegments(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		len  Leniency
		want []string
		err  error
	}{
		{"una-and-defaults", una + "UNB+UNOA:3+S+R+250101:1200+1'UNH+1+ORDERS:D:96A:UN'UNT+2+1'UNZ+1+1'", Strict,
			[]string{"UNA", "UNB|UNOA:3|S|R|250101:1200|1", "UNH|1|ORDERS:D:96A:UN", "UNT|2|1", "UNZ|1|1"}, io.EOF},
		{"no-una", "UNB+UNOC:4+S+R+20250101:1200+1'UNZ+0+1'", Strict,
			[]string{"UNB|UNOC:4|S|R|20250101:1200|1", "UNZ|0|1"}, io.EOF},
		{"released-separators", una + "UNB+UNOA:3+S+R+250101:1200+1'FTX+AAI+++A?+B?:C?'D??E'", Strict,
			[]string{"UNA", "UNB|UNOA:3|S|R|250101:1200|1", "FTX|AAI|||A?+B?:C?'D??E"}, io.EOF},
		{"crlf-between", una + "\r\nUNB+UNOA:3+S+R+250101:1200+1'\r\nUNZ+0+1'\r\n", Strict,
			[]string{"UNA", "UNB|UNOA:3|S|R|250101:1200|1", "UNZ|0|1"}, io.EOF},
		{"crlf-exact", "UNB+UNOA:3+S+R+250101:1200+1'\nUNZ+0+1'", Exact,
			[]string{"UNB|UNOA:3|S|R|250101:1200|1", "!\nUNZ", "ERR:line 1, segment 2, byte 29: segment tag is not 3 upper-case letters or digits starting with a letter (found \"\\nUNZ+0+1\"; the file may contain garbage between segments, or an unreleased segment terminator inside the previous segment's data)"}, io.EOF},
		{"custom-una", "UNA|^,\\ ~UNB^UNOA|3^S^R^250101|1200^1~FTX^A\\^B|C~", Strict,
			[]string{"UNA", "UNB|UNOA|3|S|R|250101|1200|1", "FTX|A\\^B|C"}, io.EOF},
		{"level-b-is", "UNB\x1dUNOB\x1f3\x1dS\x1dR\x1d250101\x1f1200\x1d1\x1cUNZ\x1d0\x1d1\x1c", Strict,
			[]string{"UNB|UNOB\x1f3|S|R|250101\x1f1200|1", "UNZ|0|1"}, io.EOF},
		{"release-at-end", "UNB+UNOA:3+S+R+250101:1200+1'FTX+A?", Strict,
			[]string{"UNB|UNOA:3|S|R|250101:1200|1"}, ErrReleaseAtEnd},
		{"released-terminator-at-end", "UNB+UNOA:3+S+R+250101:1200+1'FTX+A?'", Strict,
			[]string{"UNB|UNOA:3|S|R|250101:1200|1"}, ErrTruncated},
		{"truncated", "UNB+UNOA:3+S+R+250101:1200+1'UNZ+0", Strict,
			[]string{"UNB|UNOA:3|S|R|250101:1200|1"}, ErrTruncated},
		{"empty", "", Strict, nil, ErrEmpty},
		{"x12", "ISA*00*          *00*", Strict, nil, ErrNoUNB},
		{"binary", "\x89PNG\r\n\x1a\n", Strict, nil, ErrNoUNB},
		{"bom-strict", "\xEF\xBB\xBFUNB+UNOA:3'", Strict, nil, ErrBOM},
		{"bom-lenient", "\xEF\xBB\xBF \nUNB+UNOA:3+S+R+250101:1200+1'  UNZ+0+1'\x00\x1a", Lenient,
			[]string{"UNB|UNOA:3|S|R|250101:1200|1", "UNZ|0|1"}, io.EOF},
		{"una-conflict", "UNA++.? 'UNB+'", Strict, nil, ErrUNA},
		{"una-short", "UNA:+", Strict, nil, ErrUNA},
		{"unb-wrong-sep", "UNB|UNOA:3'", Strict, nil, ErrServiceChars},
		{"una-unb-mismatch", una + "UNB|UNOA'", Strict, []string{"UNA"}, ErrServiceChars},
		{"two-interchanges", una + "UNB+UNOA:4+S+R+20250101:1200+1'UNZ+0+1'UNA|^.? ~UNB^UNOA|4^S^R^20250101|1200^2~UNZ^0^2~", Strict,
			[]string{"UNA", "UNB|UNOA:4|S|R|20250101:1200|1", "UNZ|0|1", "UNA", "UNB|UNOA|4|S|R|20250101|1200|2", "UNZ|0|2"}, io.EOF},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, mode := range []string{"bytes", "stream1"} {
				var r *Reader
				if mode == "bytes" {
					r = NewReaderBytes([]byte(tc.in))
				} else {
					r = NewReader(iotest.OneByteReader(strings.NewReader(tc.in)))
				}
				r.Leniency = tc.len
				got, err := readAll(t, r)
				if !errors.Is(err, tc.err) {
					t.Fatalf("%s: error %v, want %v", mode, err, tc.err)
				}
				if fmt.Sprint(got) != fmt.Sprint(tc.want) {
					t.Errorf("%s:\n got %q\nwant %q", mode, got, tc.want)
				}
			}
		})
	}
}

func TestSegmentAccessors(t *testing.T) {
	t.Parallel()
	in := "UNB+UNOC:4+S+R+20250101:1200+1'FTX+AAI++A?:B*C:D+T?+1:T??2:T?'3*X:Y'NAD+BY+++'"
	r := NewReaderBytes([]byte(in))
	mustNext := func() *Segment {
		s, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	mustNext()
	s := mustNext()
	checks := []struct {
		name string
		got  any
		want any
	}{
		{"id", s.ID(), "FTX"},
		{"len", s.Len(), 4},
		{"value1", s.String(1), "AAI"},
		{"empty2", s.String(2), ""},
		{"reps3", s.Repetitions(3), 2},
		{"comp3.1", string(s.RepComponent(3, 1, 1)), "A:B"},
		{"comps3.1", s.RepComponents(3, 1), 1},
		{"comp3.2.2", string(s.RepComponent(3, 2, 2)), "D"},
		{"comps4", s.Components(4), 3},
		{"comp4.1", s.ComponentString(4, 1), "T+1"},
		{"comp4.2", s.ComponentString(4, 2), "T?2"},
		{"comp4.3", string(s.RepComponent(4, 1, 3)), "T'3"},
		{"comp4.rep2", string(s.RepComponent(4, 2, 1)), "X"},
		{"raw4", string(s.Element(4)), "T?+1:T??2:T?'3*X:Y"},
		{"absent", s.Value(9) == nil, true},
		{"released", s.HasRelease(), true},
	}
	for _, c := range checks {
		if fmt.Sprint(c.got) != fmt.Sprint(c.want) {
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
	}
	// Values of one segment stay valid together until Next.
	a, b := s.ComponentString(4, 1), string(s.Component(4, 1))
	if a != b {
		t.Errorf("scratch reuse broke an earlier value: %q vs %q", a, b)
	}
	c := s.Clone()
	n := mustNext()
	if n.Len() != 4 || n.String(1) != "BY" {
		t.Errorf("NAD: %v", n.Format())
	}
	if got := c.ComponentString(4, 2); got != "T?2" {
		t.Errorf("clone unescape: %q", got)
	}
}

func TestReaderPositions(t *testing.T) {
	t.Parallel()
	in := una + "\nUNB+UNOA:3+S+R+250101:1200+1'\nFTX+A?\nB'\r\nUNZ+0+1'"
	r := NewReaderBytes([]byte(in))
	want := []Position{{0, 1, 1}, {10, 2, 2}, {40, 3, 3}, {51, 5, 4}}
	for i, w := range want {
		s, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		if s.Pos != w {
			t.Errorf("segment %d (%s): pos %+v, want %+v", i+1, s.ID(), s.Pos, w)
		}
	}
}

func TestReaderMaxSegmentSize(t *testing.T) {
	t.Parallel()
	long := "FTX+" + strings.Repeat("X", 300) + "?'" + strings.Repeat("Y", 300) + "'"
	in := "UNB+UNOA:3+S+R+250101:1200+1'" + long + "UNZ+0+1'"
	for _, mode := range []string{"bytes", "stream"} {
		var r *Reader
		if mode == "bytes" {
			r = NewReaderBytes([]byte(in))
		} else {
			r = NewReader(iotest.HalfReader(bytes.NewReader([]byte(in))))
		}
		r.MaxSegmentSize = 100
		got, err := readAll(t, r)
		if err != io.EOF {
			t.Fatalf("%s: %v", mode, err)
		}
		if len(got) != 3 || !strings.Contains(got[1], "longer than the maximum") || got[2] != "UNZ|0|1" {
			t.Errorf("%s: %q", mode, got)
		}
	}
}

func TestDetect(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]bool{
		una: true, "UNB+UNOA:3": true, "\xEF\xBB\xBF\r\nUNB+": true, "UNB\x1d": true,
		"ISA*00*": false, "UNH+1": false, "": false, "UNBX": false, "UNA": false,
	} {
		if got := Detect([]byte(in)); got != want {
			t.Errorf("Detect(%q) = %v, want %v", in, got, want)
		}
	}
}
