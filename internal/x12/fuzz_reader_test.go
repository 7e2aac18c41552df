package x12

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
)

// FuzzReader feeds arbitrary bytes to both readers. It must never panic or
// loop (readerTrace bounds the calls of Next by the input length), positions must
// only move forward (readerTrace checks), every segment must lie inside the input,
// and NewReader — whole, and one byte per Read — must agree with
// NewReaderBytes call for call, errors included.
//
//	go test ./internal/x12 -run '^$' -fuzz FuzzReader -fuzztime 60s
//
// Seeds: testdata/fuzz/FuzzReader (delimiter variants, broken inputs), the
// golden inputs of testdata/reader, and the cases below.
func FuzzReader(f *testing.F) {
	seeds := []string{
		"",
		readerISA,
		readerISA + "ST*850*0001~SE*2*0001~",
		readerISA + "\r\nST*1~\r\n",
		mkISA('|', '^', "00501", ':', '\n') + "ST|1\nSE|2\n",
		mkISA('+', 'U', "00401", ':', '\'') + "ST+1'",
		mkISA(0x7F, 'U', "00401", ':', 0x15) + "ST\x7f1\x15",
		mkISA('*', 'U', "00401", '>', '~') + "ST*1~" + mkISA('^', '|', "00501", '@', '}') + "ST^2}",
		"\xEF\xBB\xBF \n" + readerISA + "ST*1~\x00\x1a",
		"ISA*00**00**ZZ*S*ZZ*R*250101*1200*^*00501*1*0*P*>~ST*1~",
		readerISA + "st*1~~*2~ST*3",
		readerISA + "NTE*" + strings.Repeat("X", 300) + "~ST*1~",
		"\x89PNG\r\n\x1a\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s), false, uint16(0))
		f.Add([]byte(s), true, uint16(64))
	}
	files, _ := filepath.Glob("testdata/reader/*.edi")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, strings.Contains(name, "lenient"), uint16(0))
	}
	f.Fuzz(func(t *testing.T, in []byte, lenient bool, max uint16) {
		open := func(r *Reader) *Reader {
			if lenient {
				r.Leniency = Lenient
			}
			r.MaxSegmentSize = int(max)
			return r
		}
		// Keep a copy: NewReaderBytes must not write to its input either.
		orig := bytes.Clone(in)
		want := readerTrace(t, open(NewReaderBytes(in)), len(in))
		if !bytes.Equal(in, orig) {
			t.Fatal("NewReaderBytes modified its input")
		}
		for _, s := range []struct {
			name string
			r    *Reader
		}{
			{"stream", open(NewReader(bytes.NewReader(in)))},
			{"one-byte", open(NewReader(iotest.OneByteReader(bytes.NewReader(in))))},
		} {
			got := readerTrace(t, s.r, len(in))
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("%s reader disagrees with NewReaderBytes:\ngot:\n\t%s\nwant:\n\t%s", s.name, strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
			}
		}
		// Every segment returned lies inside the input at its offset.
		r := open(NewReaderBytes(in))
		for {
			s, err := r.Next()
			if s != nil {
				off := s.Pos.Offset
				if off < 0 || off+int64(len(s.Raw())) > int64(len(in)) || !bytes.Equal(in[off:off+int64(len(s.Raw()))], s.Raw()) {
					t.Fatalf("segment %q at offset %d is not the input's bytes there", s.Raw(), off)
				}
			}
			if Fatal(err) {
				break
			}
		}
	})
}
