package x12

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// The -update flag rewrites testdata/reader/*.golden:
// go test -run ReaderGolden -update. Other golden tests of the package share
// the flag, so it is defined only when nobody has defined it yet.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files under testdata/")
	}
}

func readerGoldenUpdate() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// readerErrNames names the reader's errors in traces.
var readerErrNames = []struct {
	err  error
	name string
}{
	{ErrEmpty, "ErrEmpty"}, {ErrNoISA, "ErrNoISA"}, {ErrBOM, "ErrBOM"}, {ErrLeadingSpace, "ErrLeadingSpace"},
	{ErrISALength, "ErrISALength"}, {ErrDelimiters, "ErrDelimiters"}, {ErrSegmentTooLong, "ErrSegmentTooLong"},
	{ErrTruncated, "ErrTruncated"}, {ErrBadTag, "ErrBadTag"}, {ErrEmptySegment, "ErrEmptySegment"},
}

func readerErrName(err error) string {
	for _, s := range readerErrNames {
		if errors.Is(err, s.err) {
			return s.name
		}
	}
	if err == io.EOF {
		return "EOF"
	}
	return "read: " + err.Error()
}

func readerPos(p Position) string { return fmt.Sprintf("%d:%d:%d", p.Offset, p.Line, p.Index) }

// readerSeg shows what the tokenizer decided: for an ISA the delimiters it
// took, for other segments the elements it split, joined with '|'.
func readerSeg(s *Segment) string {
	if s.Is("ISA") {
		d := s.Delimiters()
		rep := "none"
		if d.Repetition != 0 {
			rep = printable(d.Repetition)
		}
		return fmt.Sprintf("ISA e=%s r=%s c=%s s=%s", printable(d.Element), rep, printable(d.Component), printable(d.Segment))
	}
	if len(s.Raw()) == 0 {
		return `""`
	}
	parts := make([]string, 0, s.Len()+1)
	for i := 0; i <= s.Len(); i++ {
		q := fmt.Sprintf("%q", s.Element(i)) // escapes control bytes
		parts = append(parts, q[1:len(q)-1])
	}
	return strings.Join(parts, "|")
}

// readerTrace reads r to the end (or a fatal error) and returns one line per call
// of Next: "offset:line:index segment [!error]" or "[offset:line:index] !error".
// It also checks the invariants every input must keep: positions only move
// forward, a fatal error is sticky, and the number of calls is bounded by the
// input (each call consumes at least one byte).
func readerTrace(t testing.TB, r *Reader, inputLen int) []string {
	t.Helper()
	var out []string
	var last Position
	for calls := 0; ; calls++ {
		if calls > inputLen+2 {
			t.Fatalf("more than %d calls of Next for %d bytes: the reader does not advance", calls, inputLen)
		}
		s, err := r.Next()
		var line string
		var p Position
		havePos := false
		if s != nil {
			p, havePos = s.Pos, true
			line = readerPos(p) + " " + readerSeg(s)
		}
		if err != nil {
			var se *SyntaxError
			if s == nil && errors.As(err, &se) {
				p, havePos = se.Pos, true
				line = readerPos(p)
			}
			line = strings.TrimSpace(line + " !" + readerErrName(err))
		}
		if havePos {
			if p.Offset < last.Offset || p.Line < last.Line || p.Index < last.Index {
				t.Fatalf("position went backwards: %s after %s", readerPos(p), readerPos(last))
			}
			last = p
		}
		out = append(out, line)
		if Fatal(err) {
			if s2, err2 := r.Next(); s2 != nil || err2 != err {
				t.Fatalf("after fatal %v, Next returned %v, %v", err, s2, err2)
			}
			return out
		}
	}
}

// readerOpeners are the ways to read one input. Every case of every table runs
// through all of them and must give the same readerTrace: NewReaderBytes must
// agree with NewReader, and neither may depend on how Read splits the input.
var readerOpeners = []struct {
	name string
	open func([]byte) *Reader
}{
	{"bytes", func(b []byte) *Reader { return NewReaderBytes(b) }},
	{"stream", func(b []byte) *Reader { return NewReader(bytes.NewReader(b)) }},
	{"one-byte", func(b []byte) *Reader { return NewReader(iotest.OneByteReader(bytes.NewReader(b))) }},
	{"half", func(b []byte) *Reader { return NewReader(iotest.HalfReader(bytes.NewReader(b))) }},
	{"data-err", func(b []byte) *Reader { return NewReader(iotest.DataErrReader(bytes.NewReader(b))) }},
}

type readerCase struct {
	name    string
	in      string
	lenient bool
	max     int // MaxSegmentSize, 0 for the default
	want    []string
}

func runReaderCase(t *testing.T, tc readerCase) {
	t.Helper()
	for _, o := range readerOpeners {
		r := o.open([]byte(tc.in))
		if tc.lenient {
			r.Leniency = Lenient
		}
		r.MaxSegmentSize = tc.max
		got := readerTrace(t, r, len(tc.in))
		if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("%s reader:\ngot:\n\t%s\nwant:\n\t%s", o.name, strings.Join(got, "\n\t"), strings.Join(tc.want, "\n\t"))
			return // the other readers usually fail alike
		}
	}
}

// isa returns a fixed-width ISA (106 bytes with its terminator).
func mkISA(elem, isa11 byte, version string, comp, term byte) string {
	f := []string{"ISA", "00", "          ", "00", "          ", "ZZ", "SENDER         ", "ZZ", "RECEIVER       ",
		"250101", "1200", byteStr(isa11), version, "000000001", "0", "P", byteStr(comp)}
	return strings.Join(f, byteStr(elem)) + byteStr(term)
}

// byteStr makes a one-byte string (string(b) would UTF-8 encode bytes >= 0x80).
func byteStr(b byte) string { return string([]byte{b}) }

// the 106-byte ISA with the common delimiters
var readerISA = mkISA('*', '^', "00501", '>', '~')

func TestISABuilder(t *testing.T) {
	if len(readerISA) != isaLen {
		t.Fatalf("test ISA is %d bytes, want %d", len(readerISA), isaLen)
	}
}

func TestReader(t *testing.T) {
	std := readerISA
	tests := []readerCase{
		{
			name: "minimal interchange, no line breaks",
			in:   std + "GS*PO*S*R~ST*850*0001~SE*2*0001~GE*1*1~IEA*1*000000001~",
			want: []string{
				"0:1:1 ISA e='*' r='^' c='>' s='~'",
				"106:1:2 GS|PO|S|R",
				"116:1:3 ST|850|0001",
				"128:1:4 SE|2|0001",
				"138:1:5 GE|1|1",
				"145:1:6 IEA|1|000000001",
				"!EOF",
			},
		},
		{
			name: "newline after each terminator",
			in:   std + "\nST*850*0001~\nSE*2*0001~\n",
			want: []string{"0:1:1 ISA e='*' r='^' c='>' s='~'", "107:2:2 ST|850|0001", "120:3:3 SE|2|0001", "!EOF"},
		},
		{
			name: "CRLF after each terminator",
			in:   std + "\r\nST*850*0001~\r\nSE*2*0001~\r\n",
			want: []string{"0:1:1 ISA e='*' r='^' c='>' s='~'", "108:2:2 ST|850|0001", "122:3:3 SE|2|0001", "!EOF"},
		},
		{
			name: "newline as the segment terminator",
			in:   mkISA('*', 'U', "00401", '>', '\n') + "ST*850*0001\nSE*2*0001\n",
			want: []string{"0:1:1 ISA e='*' r=none c='>' s=0x0A", "106:2:2 ST|850|0001", "118:3:3 SE|2|0001", "!EOF"},
		},
		{
			name: "CRLF files whose ISA says CR is the terminator",
			in:   mkISA('*', 'U', "00401", '>', '\r') + "\nST*850*0001\r\nSE*2*0001\r\n",
			want: []string{"0:1:1 ISA e='*' r=none c='>' s=0x0D", "107:2:2 ST|850|0001", "120:3:3 SE|2|0001", "!EOF"},
		},
		{
			name: "empty elements and trailing separators",
			in:   std + "N1*ST**92*~N1**~",
			want: []string{"0:1:1 ISA e='*' r='^' c='>' s='~'", "106:1:2 N1|ST||92|", "117:1:3 N1||", "!EOF"},
		},
		{
			name: "component and repetition separators are not split by the tokenizer",
			in:   std + "SV1*HC>99213>25*12^13~",
			want: []string{"0:1:1 ISA e='*' r='^' c='>' s='~'", "106:1:2 SV1|HC>99213>25|12^13", "!EOF"},
		},
		{
			name: "line feed inside a segment counts for the next positions",
			in:   std + "NTE*A\nB~ST*1~",
			want: []string{"0:1:1 ISA e='*' r='^' c='>' s='~'", "106:1:2 NTE|A\\nB", "114:2:3 ST|1", "!EOF"},
		},
		{
			name: "empty input",
			in:   "",
			want: []string{"0:1:1 !ErrEmpty"},
		},
		{
			name: "not X12",
			in:   "UNA:+.? 'UNB+UNOA:2'",
			want: []string{"0:1:1 !ErrNoISA"},
		},
		{
			name: "binary garbage",
			in:   "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00",
			want: []string{"0:1:1 !ErrNoISA"},
		},
		{
			name: "ISA alone, cut short",
			in:   std[:50],
			want: []string{"0:1:1 !ErrISALength"},
		},
		{
			name: "ISA tag only",
			in:   "ISA",
			want: []string{"0:1:1 !ErrNoISA"},
		},
		{
			name: "truncated: no final terminator",
			in:   std + "ST*850*0001~SE*2*00",
			want: []string{"0:1:1 ISA e='*' r='^' c='>' s='~'", "106:1:2 ST|850|0001", "118:1:3 !ErrTruncated"},
		},
		{
			name: "truncated after a line break",
			in:   std + "\nST*850*0001~\nSE",
			want: []string{"0:1:1 ISA e='*' r='^' c='>' s='~'", "107:2:2 ST|850|0001", "120:3:3 !ErrTruncated"},
		},
		{
			name: "wrong terminator: the whole rest is one truncated segment",
			in:   std + "ST*850*0001'SE*2*0001'",
			want: []string{"0:1:1 ISA e='*' r='^' c='>' s='~'", "106:1:2 !ErrTruncated"},
		},
		{
			name: "bad tags come with their segment and reading continues",
			in:   std + "st*1~1AB*2~ABCD*3~*4~ST*5~",
			want: []string{
				"0:1:1 ISA e='*' r='^' c='>' s='~'",
				"106:1:2 st|1 !ErrBadTag",
				"111:1:3 1AB|2 !ErrBadTag",
				"117:1:4 ABCD|3 !ErrBadTag",
				"124:1:5 |4 !ErrBadTag",
				"127:1:6 ST|5",
				"!EOF",
			},
		},
		{
			name: "empty segment",
			in:   std + "ST*1~~SE*2~",
			want: []string{"0:1:1 ISA e='*' r='^' c='>' s='~'", "106:1:2 ST|1", `111:1:3 "" !ErrEmptySegment`, "112:1:4 SE|2", "!EOF"},
		},
		{
			name: "segment over MaxSegmentSize is skipped, reading continues",
			in:   std + "ST*1~NTE*" + strings.Repeat("X", 40) + "~SE*2~",
			max:  20,
			want: []string{"0:1:1 ISA e='*' r='^' c='>' s='~'", "106:1:2 ST|1", "111:1:3 !ErrSegmentTooLong", "156:1:4 SE|2", "!EOF"},
		},
		{
			name: "segment of exactly MaxSegmentSize is accepted",
			in:   std + "NTE*" + strings.Repeat("X", 16) + "~",
			max:  20,
			want: []string{"0:1:1 ISA e='*' r='^' c='>' s='~'", "106:1:2 NTE|XXXXXXXXXXXXXXXX", "!EOF"},
		},
		{
			name: "too-long segment with line feeds keeps the line count",
			in:   std + "NTE*" + strings.Repeat("X\n", 20) + "~ST*1~",
			max:  10,
			want: []string{"0:1:1 ISA e='*' r='^' c='>' s='~'", "106:1:2 !ErrSegmentTooLong", "151:21:3 ST|1", "!EOF"},
		},
		{
			name: "too-long last segment, properly terminated, then EOF",
			in:   std + "NTE*" + strings.Repeat("X", 40) + "~",
			max:  10,
			want: []string{"0:1:1 ISA e='*' r='^' c='>' s='~'", "106:1:2 !ErrSegmentTooLong", "!EOF"},
		},
		{
			name: "too-long unterminated segment: skipped, then truncated",
			in:   std + "NTE*" + strings.Repeat("X", 40),
			max:  10,
			want: []string{"0:1:1 ISA e='*' r='^' c='>' s='~'", "106:1:2 !ErrSegmentTooLong", "106:1:2 !ErrTruncated"},
		},
		{
			name: "ISA11 is a repetition separator from 00402 on",
			in:   mkISA('*', '^', "00402", ':', '~') + "ST*1~",
			want: []string{"0:1:1 ISA e='*' r='^' c=':' s='~'", "106:1:2 ST|1", "!EOF"},
		},
		{
			name: "ISA11 U in 00401 is the standards identifier, not a separator",
			in:   mkISA('*', 'U', "00401", ':', '~') + "ST*1~",
			want: []string{"0:1:1 ISA e='*' r=none c=':' s='~'", "106:1:2 ST|1", "!EOF"},
		},
		{
			name: "ISA11 punctuation in 00401 is still not a separator",
			in:   mkISA('*', '^', "00401", ':', '~') + "ST*1~",
			want: []string{"0:1:1 ISA e='*' r=none c=':' s='~'", "106:1:2 ST|1", "!EOF"},
		},
		{
			name: "two interchanges with different delimiters",
			in: mkISA('*', 'U', "00401", '>', '~') + "\nST*1~\nIEA*1*000000001~\n" +
				mkISA('|', '^', "00501", ':', '\'') + "\nST|2'\nIEA|1|000000002'\n",
			want: []string{
				"0:1:1 ISA e='*' r=none c='>' s='~'",
				"107:2:2 ST|1",
				"113:3:3 IEA|1|000000001",
				"130:4:4 ISA e='|' r='^' c=':' s='\\''",
				"237:5:5 ST|2",
				"243:6:6 IEA|1|000000002",
				"!EOF",
			},
		},
		{
			name: "a second ISA that is broken is fatal",
			in:   std + "IEA*1*1~ISA*00*short~",
			want: []string{"0:1:1 ISA e='*' r='^' c='>' s='~'", "106:1:2 IEA|1|1", "114:1:3 !ErrISALength"},
		},
		{
			name: "conflicting delimiters",
			in:   mkISA('*', '^', "00501", '*', '~'),
			want: []string{"0:1:1 !ErrDelimiters"},
		},
		{
			name: "repetition equals terminator",
			in:   mkISA('*', '~', "00501", '>', '~'),
			want: []string{"0:1:1 !ErrDelimiters"},
		},
		{
			name: "letter as terminator",
			in:   mkISA('*', 'U', "00401", '>', 'X'),
			want: []string{"0:1:1 !ErrDelimiters"},
		},
		{
			name: "element separator inside a field is not a fixed-width ISA",
			in:   strings.Replace(readerISA, "SENDER         ", "SEND*R         ", 1) + "ST*1~",
			want: []string{"0:1:1 !ErrISALength"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { runReaderCase(t, tc) })
	}
}

// Leniency is the partner's policy: each near-X12 habit is refused when
// strict and accepted when lenient, with the same positions in both readers.
func TestReaderLeniency(t *testing.T) {
	std := readerISA
	unpadded := "ISA*00**00**ZZ*SENDER*ZZ*RECEIVER*250101*1200*^*00501*1*0*P*>~"
	tests := []struct {
		name    string
		in      string
		strict  []string
		lenient []string
	}{
		{
			name:    "UTF-8 BOM",
			in:      "\xEF\xBB\xBF" + std + "ST*1~",
			strict:  []string{"0:1:1 !ErrBOM"},
			lenient: []string{"3:1:1 ISA e='*' r='^' c='>' s='~'", "109:1:2 ST|1", "!EOF"},
		},
		{
			name:    "leading white space",
			in:      " \r\n\t\n" + std + "ST*1~",
			strict:  []string{"0:1:1 !ErrLeadingSpace"},
			lenient: []string{"5:3:1 ISA e='*' r='^' c='>' s='~'", "111:3:2 ST|1", "!EOF"},
		},
		{
			name:    "BOM then white space",
			in:      "\xEF\xBB\xBF\n" + std,
			strict:  []string{"0:1:1 !ErrBOM"},
			lenient: []string{"4:2:1 ISA e='*' r='^' c='>' s='~'", "!EOF"},
		},
		{
			name:    "only white space",
			in:      " \n ",
			strict:  []string{"0:1:1 !ErrLeadingSpace"},
			lenient: []string{"3:2:1 !ErrEmpty"},
		},
		{
			name:    "unpadded ISA",
			in:      unpadded + "ST*1~",
			strict:  []string{"0:1:1 !ErrISALength"},
			lenient: []string{"0:1:1 ISA e='*' r='^' c='>' s='~'", "62:1:2 ST|1", "!EOF"},
		},
		{
			name:    "unpadded ISA cut before its terminator",
			in:      strings.TrimSuffix(unpadded, ">~"),
			strict:  []string{"0:1:1 !ErrISALength"},
			lenient: []string{"0:1:1 !ErrISALength"},
		},
		{
			name:    "trailing NUL padding",
			in:      std + "ST*1~\n" + strings.Repeat("\x00", 300),
			strict:  []string{"0:1:1 ISA e='*' r='^' c='>' s='~'", "106:1:2 ST|1", "112:2:3 !ErrTruncated"},
			lenient: []string{"0:1:1 ISA e='*' r='^' c='>' s='~'", "106:1:2 ST|1", "!EOF"},
		},
		{
			name:    "trailing SUB (0x1A, DOS end of file) and spaces",
			in:      std + "ST*1~\x1A  \x00",
			strict:  []string{"0:1:1 ISA e='*' r='^' c='>' s='~'", "106:1:2 ST|1", "111:1:3 !ErrTruncated"},
			lenient: []string{"0:1:1 ISA e='*' r='^' c='>' s='~'", "106:1:2 ST|1", "!EOF"},
		},
		{
			name:    "NULs followed by data are not padding",
			in:      std + "ST*1~\x00\x00SE*1~",
			strict:  []string{"0:1:1 ISA e='*' r='^' c='>' s='~'", "106:1:2 ST|1", "111:1:3 \\x00\\x00SE|1 !ErrBadTag", "!EOF"},
			lenient: []string{"0:1:1 ISA e='*' r='^' c='>' s='~'", "106:1:2 ST|1", "111:1:3 \\x00\\x00SE|1 !ErrBadTag", "!EOF"},
		},
		{
			name:    "spaces and tabs between segments",
			in:      std + "ST*1~ \t SE*1~",
			strict:  []string{"0:1:1 ISA e='*' r='^' c='>' s='~'", "106:1:2 ST|1", "111:1:3  \\t SE|1 !ErrBadTag", "!EOF"},
			lenient: []string{"0:1:1 ISA e='*' r='^' c='>' s='~'", "106:1:2 ST|1", "114:1:3 SE|1", "!EOF"},
		},
		{
			name:    "padding longer than MaxSegmentSize is a too-long segment",
			in:      std + "ST*1~" + strings.Repeat("\x00", 64),
			strict:  []string{"0:1:1 ISA e='*' r='^' c='>' s='~'", "106:1:2 ST|1", "111:1:3 !ErrSegmentTooLong", "111:1:3 !ErrTruncated"},
			lenient: []string{"0:1:1 ISA e='*' r='^' c='>' s='~'", "106:1:2 ST|1", "111:1:3 !ErrSegmentTooLong", "111:1:3 !ErrTruncated"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			max := 0
			if strings.Contains(tc.name, "MaxSegmentSize") {
				max = 32
			}
			t.Run("strict", func(t *testing.T) { runReaderCase(t, readerCase{in: tc.in, max: max, want: tc.strict}) })
			t.Run("lenient", func(t *testing.T) {
				runReaderCase(t, readerCase{in: tc.in, max: max, lenient: true, want: tc.lenient})
			})
		})
	}
}

// Every delimiter a real file may use, in each role, with each kind of
// line break after the terminators: positions are computed from the parts,
// elements must split at the declared separator and nowhere else.
func TestReaderDelimiters(t *testing.T) {
	type delims struct {
		name             string
		elem, comp, term byte
		isa11            byte
		version, wantRep string
	}
	sets := []delims{
		{"star caret gt tilde 00501", '*', '>', '~', '^', "00501", "'^'"},
		{"pipe colon tilde (HIPAA)", '|', ':', '~', '^', "00501", "'^'"},
		{"plus colon apostrophe", '+', ':', '\'', 'U', "00401", "none"},
		{"caret as element separator", '^', ':', '~', '|', "00501", "'|'"},
		{"colon as element separator", ':', '+', '\'', 'U', "00401", "none"},
		{"at sign and brace", '@', '}', '~', 'U', "00401", "none"},
		{"brace as terminator", '*', '@', '}', '^', "00402", "'^'"},
		{"control bytes 0x1D 0x1F 0x1C", 0x1D, 0x1F, 0x1C, 'U', "00401", "none"},
		{"0x7F element, 0x15 terminator", 0x7F, ':', 0x15, 'U', "00401", "none"},
		{"0x15 element, 0x7F terminator", 0x15, ':', 0x7F, '^', "00501", "'^'"},
		{"newline terminator", '*', ':', '\n', 'U', "00401", "none"},
		{"high bytes", 0xE0, 0xE1, 0xE2, 0xE3, "00501", "0xE3"},
	}
	body := []string{"GS*PO*S*R", "ST*850*0001", "BEG*00*SA*PO1**20250101", "N1*ST*A AND B CO", "SE*4*0001", "GE*1*1", "IEA*1*000000001"}
	for _, d := range sets {
		for _, after := range []string{"", "\n", "\r\n"} {
			if d.term == '\n' && after != "" {
				continue // a newline after a newline terminator is an empty line, tested elsewhere
			}
			t.Run(fmt.Sprintf("%s/after=%q", d.name, after), func(t *testing.T) {
				var in strings.Builder
				in.WriteString(mkISA(d.elem, d.isa11, d.version, d.comp, d.term))
				in.WriteString(after)
				want := []string{fmt.Sprintf("0:1:1 ISA e=%s r=%s c=%s s=%s", printable(d.elem), d.wantRep, printable(d.comp), printable(d.term))}
				line := 1 + strings.Count(after, "\n")
				if d.term == '\n' {
					line++
				}
				for i, s := range body {
					off := in.Len()
					in.WriteString(strings.ReplaceAll(s, "*", byteStr(d.elem)))
					in.WriteByte(d.term)
					in.WriteString(after)
					want = append(want, fmt.Sprintf("%d:%d:%d %s", off, line, i+2, strings.ReplaceAll(s, "*", "|")))
					line += strings.Count(after, "\n")
					if d.term == '\n' {
						line++
					}
				}
				want = append(want, "!EOF")
				for _, lenient := range []bool{false, true} {
					runReaderCase(t, readerCase{in: in.String(), lenient: lenient, want: want})
				}
			})
		}
	}
}

// Golden files: realistic inputs under testdata/reader/*.edi (lenient when
// the name says so), their traces in *.golden. go test -run ReaderGolden -update
// rewrites them; review the diff.
func TestReaderGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/reader/*.edi")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden inputs: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			in, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			lenient := strings.Contains(filepath.Base(f), "lenient")
			var want []string
			golden := strings.TrimSuffix(f, ".edi") + ".golden"
			if !readerGoldenUpdate() {
				g, err := os.ReadFile(golden)
				if err != nil {
					t.Fatal(err)
				}
				want = strings.Split(strings.TrimSuffix(string(g), "\n"), "\n")
			}
			r := NewReaderBytes(in)
			if lenient {
				r.Leniency = Lenient
			}
			got := readerTrace(t, r, len(in))
			if readerGoldenUpdate() {
				if err := os.WriteFile(golden, []byte(strings.Join(got, "\n")+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				want = got
			}
			runReaderCase(t, readerCase{in: string(in), lenient: lenient, want: want})
		})
	}
}

type noProgressReader struct{}

func (noProgressReader) Read([]byte) (int, error) { return 0, nil }

// Read errors surface where the data runs out, after every complete
// segment already read, and stay.
func TestReaderReadErrors(t *testing.T) {
	boom := errors.New("connection reset")
	complete := readerISA + "ST*1~SE*1~"
	tests := []struct {
		name string
		r    io.Reader
		want []string
	}{
		{
			name: "timeout after the first read",
			r:    iotest.TimeoutReader(strings.NewReader(complete)),
			want: []string{"0:1:1 ISA e='*' r='^' c='>' s='~'", "106:1:2 ST|1", "111:1:3 SE|1", "!read: timeout"},
		},
		{
			name: "timeout inside a segment wins over truncation",
			r:    iotest.TimeoutReader(strings.NewReader(complete + "IEA*1")),
			want: []string{"0:1:1 ISA e='*' r='^' c='>' s='~'", "106:1:2 ST|1", "111:1:3 SE|1", "!read: timeout"},
		},
		{
			name: "error in the middle of the stream",
			r:    io.MultiReader(iotest.OneByteReader(strings.NewReader(complete+"IEA*")), iotest.ErrReader(boom)),
			want: []string{"0:1:1 ISA e='*' r='^' c='>' s='~'", "106:1:2 ST|1", "111:1:3 SE|1", "!read: connection reset"},
		},
		{
			name: "error before any data",
			r:    iotest.ErrReader(boom),
			want: []string{"!read: connection reset"},
		},
		{
			name: "error inside the ISA",
			r:    io.MultiReader(strings.NewReader(readerISA[:40]), iotest.ErrReader(boom)),
			want: []string{"0:1:1 !ErrISALength"},
		},
		{
			name: "reader that never makes progress",
			r:    io.MultiReader(strings.NewReader(complete), noProgressReader{}),
			want: []string{"0:1:1 ISA e='*' r='^' c='>' s='~'", "106:1:2 ST|1", "111:1:3 SE|1", "!read: multiple Read calls return no data or error"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := readerTrace(t, NewReader(tc.r), 1000)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got:\n\t%s\nwant:\n\t%s", strings.Join(got, "\n\t"), strings.Join(tc.want, "\n\t"))
			}
		})
	}
}

// endlessXReader generates n bytes of 'X' without holding them: a 2 GB "line" costs
// no memory in the test itself.
type endlessXReader struct{ n int64 }

var xBlock = bytes.Repeat([]byte("X"), 64<<10)

func (r *endlessXReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	k := 0
	for k < len(p) && int64(k) < r.n {
		k += copy(p[k:min(len(p), k+int(r.n)-k)], xBlock)
	}
	r.n -= int64(k)
	return k, nil
}

// A partner file with no terminators at all (a wrong terminator, or not
// X12): the reader must neither hold it in memory nor take long.
func TestReaderHugeSegmentBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 2 GiB of generated input")
	}
	const size = 2 << 30
	tests := []struct {
		name string
		tail string
		want []string
	}{
		{"terminated, reading continues", "~ST*1~", []string{
			"0:1:1 ISA e='*' r='^' c='>' s='~'", "106:1:2 !ErrSegmentTooLong", fmt.Sprintf("%d:1:3 ST|1", 106+4+size+1), "!EOF"}},
		{"never terminated", "", []string{
			"0:1:1 ISA e='*' r='^' c='>' s='~'", "106:1:2 !ErrSegmentTooLong", "106:1:2 !ErrTruncated"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := io.MultiReader(strings.NewReader(readerISA+"NTE*"), &endlessXReader{n: size}, strings.NewReader(tc.tail))
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			got := readerTrace(t, NewReader(in), 10)
			elapsed := time.Since(start)
			runtime.ReadMemStats(&after)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got:\n\t%s\nwant:\n\t%s", strings.Join(got, "\n\t"), strings.Join(tc.want, "\n\t"))
			}
			// The buffer grows to about 2*MaxSegmentSize and no further.
			const budget = 8 << 20
			if grew := after.TotalAlloc - before.TotalAlloc; grew > budget {
				t.Errorf("allocated %d bytes reading a %d-byte segment, want at most %d", grew, size, budget)
			}
			if elapsed > 30*time.Second {
				t.Errorf("took %v for 2 GiB", elapsed)
			}
			t.Logf("2 GiB without terminator: %v, %d bytes allocated", elapsed, after.TotalAlloc-before.TotalAlloc)
		})
	}
}

// Long segments split across every possible buffer refill: a 200 KB BIN-like
// segment exceeds the initial 64 KB buffer, so the stream reader must grow
// and move it; its elements must come out identical.
func TestReaderSegmentAcrossRefills(t *testing.T) {
	big := strings.Repeat("ABCDEFGHIJ*", 20000) // 220 KB, 20000 elements
	in := readerISA + "\nST*1~\nBIN*" + big + "Z~\nSE*3*1~\n"
	want := []string{
		"0:1:1 ISA e='*' r='^' c='>' s='~'",
		"107:2:2 ST|1",
		"113:3:3 BIN|" + strings.ReplaceAll(big, "*", "|") + "Z",
		fmt.Sprintf("%d:4:4 SE|3|1", 113+4+len(big)+3),
		"!EOF",
	}
	runReaderCase(t, readerCase{in: in, want: want})
}

// The segment's delimiters are those of its own interchange, and the
// Reader's Delimiters follow the current ISA.
func TestReaderDelimitersFollowISA(t *testing.T) {
	in := mkISA('*', 'U', "00401", '>', '~') + "ST*1~" + mkISA('|', '^', "00501", ':', '\n') + "ST|2\n"
	r := NewReaderBytes([]byte(in))
	want := []Delimiters{
		{Element: '*', Component: '>', Segment: '~'},
		{Element: '*', Component: '>', Segment: '~'},
		{Element: '|', Repetition: '^', Component: ':', Segment: '\n'},
		{Element: '|', Repetition: '^', Component: ':', Segment: '\n'},
	}
	for i, w := range want {
		s, err := r.Next()
		if err != nil {
			t.Fatalf("segment %d: %v", i+1, err)
		}
		if s.Delimiters() != w || r.Delimiters() != w {
			t.Errorf("segment %d: segment %v, reader %v, want %v", i+1, s.Delimiters(), r.Delimiters(), w)
		}
	}
	if off := r.InputOffset(); off != int64(len(in)) {
		t.Errorf("InputOffset %d, want %d", off, len(in))
	}
}

// Errors carry what an operator needs: position, tag and a hint.
func TestReaderErrorDetails(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		max     int
		wantTag string
		wantMsg string
	}{
		{"truncated names the tag and the terminator", readerISA + "ST*850*0001", 0, "ST", "terminator is not '~'"},
		{"too long names the limit", readerISA + "NTE*" + strings.Repeat("X", 30) + "~", 10, "NTE", "the limit is 10 bytes"},
		{"no ISA shows the start of the file", "hello world", 0, "", `"hello world"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := NewReaderBytes([]byte(tc.in))
			r.MaxSegmentSize = tc.max
			var err error
			for err == nil {
				_, err = r.Next()
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("err %v is not a SyntaxError", err)
			}
			if se.SegmentID != tc.wantTag || !strings.Contains(se.Error(), tc.wantMsg) {
				t.Errorf("tag %q, message %q; want tag %q and %q", se.SegmentID, se.Error(), tc.wantTag, tc.wantMsg)
			}
		})
	}
}

// A default-constructed limit and a non-positive one both mean the default:
// a zero limit must not reject every segment.
func TestReaderMaxSegmentSizeDefault(t *testing.T) {
	for _, max := range []int{0, -1} {
		r := NewReaderBytes([]byte(readerISA + "ST*1~"))
		r.MaxSegmentSize = max
		for i := 0; i < 2; i++ {
			if _, err := r.Next(); err != nil {
				t.Errorf("MaxSegmentSize %d: %v", max, err)
			}
		}
	}
}
