package edifact

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// trace reads r to the end and returns one line per call of Next; it
// fails on a loop (more calls than input bytes + 2), on positions going
// backwards, and on a segment outside the input.
func trace(t *testing.T, r *Reader, n int) []string {
	t.Helper()
	var out []string
	var last int64 = -1
	for calls := 0; ; calls++ {
		if calls > n+2 {
			t.Fatalf("Next called %d times on %d bytes: the reader loops", calls, n)
		}
		s, err := r.Next()
		if s != nil {
			if s.Pos.Offset < last || s.Pos.Offset > int64(n) {
				t.Fatalf("position %v after %d", s.Pos, last)
			}
			last = s.Pos.Offset
			for i := 0; i <= s.Len(); i++ {
				for c := 1; c <= s.Components(i); c++ {
					_ = s.Component(i, c)
				}
			}
			out = append(out, string(s.Raw()))
		}
		if err != nil {
			out = append(out, "err: "+err.Error())
			if Fatal(err) {
				return out
			}
		}
	}
}

// FuzzReader feeds arbitrary bytes to both readers: no panic, no loop,
// and NewReader (one byte per Read) agrees with NewReaderBytes call for
// call, errors included.
//
//	go test ./internal/edifact -run '^$' -fuzz FuzzReader -fuzztime 60s
func FuzzReader(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s, false, uint16(0))
		f.Add(s, true, uint16(64))
	}
	f.Fuzz(func(t *testing.T, in []byte, lenient bool, max uint16) {
		open := func(r *Reader) *Reader {
			if lenient {
				r.Leniency = Lenient
			}
			r.MaxSegmentSize = int(max)
			return r
		}
		orig := bytes.Clone(in)
		want := trace(t, open(NewReaderBytes(in)), len(in))
		got := trace(t, open(NewReader(iotest.OneByteReader(bytes.NewReader(in)))), len(in))
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("stream and bytes readers differ:\n%q\n%q", got, want)
		}
		if !bytes.Equal(in, orig) {
			t.Fatal("the reader wrote to its input")
		}
	})
}

// FuzzProcess runs decoder, validator and CONTRL builder over arbitrary
// input: never a panic or hang; every CONTRL built reads back cleanly.
//
//	go test ./internal/edifact -run '^$' -fuzz FuzzProcess -fuzztime 60s
func FuzzProcess(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	v := testValidator(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		d := NewDecoderBytes(in, WithDuplicates(context.Background(), NewMemoryDuplicates()))
		err := Process(d, v.Validate, func(r *InterchangeResult) error {
			b, err := BuildCONTRL(context.Background(), r, ContrlOptions{References: NewMemoryReferences(), When: ContrlAlways, Now: fixedNow})
			if err != nil {
				if errors.Is(err, ErrValueHasDelimiter) || errors.Is(err, ErrEnvelopeField) || errors.Is(err, ErrBadDelimiters) {
					return nil // the inbound envelope cannot be echoed (e.g. an over-long id)
				}
				return err
			}
			if b != nil {
				rd := NewDecoderBytes(b)
				return Process(rd, func(m *Message) *MessageResult {
					if _, err := ReadCONTRL(m); err != nil {
						t.Errorf("CONTRL does not read back: %v\n%s", err, b)
					}
					return EnvelopeOnly(m)
				}, func(*InterchangeResult) error { return nil })
			}
			return nil
		})
		if err != nil && !errors.Is(err, io.EOF) && !Fatal(err) {
			t.Fatal(err)
		}
		var se *SyntaxError
		if err != nil && !errors.As(err, &se) {
			t.Fatalf("error without position: %v", err)
		}
	})
}

func fuzzSeeds(f *testing.F) [][]byte {
	seeds := []string{
		"", una, "UNB+UNOA:3+S+R+250101:1200+1'UNZ+0+1'",
		unb3 + "UNH+M1+ORDERS:D:96A:UN'BGM+220+PO1+9'DTM+137:20250101:102'UNS+S'UNT+5+M1'UNZ+1+IC1'",
		unb4 + "UNH+M1+ORDERS:D:96A:UN'FTX+AAI+++A*B:C?*D'UNT+3+M1'UNZ+1+IC1'",
		"UNA|^,\\ ~UNB^UNOA|3^S^R^250101|1200^1~FTX^A\\^B|C~",
		"UNB\x1dUNOB\x1f3\x1dS\x1dR\x1d250101\x1f1200\x1d1\x1cUNZ\x1d0\x1d1\x1c",
		"UNB+UNOA:3+S+R+250101:1200+1'FTX+A?", "\x89PNG\r\n\x1a\n", "UNA:+.?",
	}
	var out [][]byte
	for _, s := range seeds {
		out = append(out, []byte(s))
	}
	files, _ := filepath.Glob("testdata/contrl/*.edi")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// FuzzDeferredRepertoire: the validator does the repertoire check the
// decoder left to it (WithDeferredRepertoire) along with its walk; the
// result and the message's SegmentErrors are exactly those of the check
// run first, on its own (CheckRepertoire), over arbitrary input.
//
//	go test ./internal/edifact -run '^$' -fuzz FuzzDeferredRepertoire -fuzztime 60s
func FuzzDeferredRepertoire(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Add([]byte(unb3 + "UNH+M1+ORDERS:D:96A:UN'BGM+220+po1+9'DTM+137:20250101:102'UNS'UNS:\x01'UNT+6+M1'UNZ+1+IC1'"))
	f.Add([]byte("UNA:+.? 'UNB+UNOA:3+S+R+250101:1200+1'UNH+M1+ORDERS:D:96A:UN'BGM+220+PO#1+9'UNT+3+M1'UNZ+1+1'"))
	// The UNZ's bad character is reported at the position of the UNH of
	// the message it closes, which the repertoire check then leaves alone.
	f.Add([]byte("UNB+UNOA:1+0+0+000101:0+0'UNH+00+ORDERS:D:96A:0000000a'UNZ+1a'"))
	f.Add([]byte("UNB+UNOA:1+0+0+000101:0+0'UNH+00+ORDERS:D:96A:UN'UNS:a'UNZ+1a'"))
	// The walk checks the characters of UNH and UNT itself, so that a
	// message with nothing outside the repertoire skips the check after
	// it: a bad character in either, or in both, is still found.
	f.Add([]byte(unb3 + "UNH+m1+ORDERS:D:96A:UN'BGM+220+PO1+9'UNT+3+m1'UNZ+1+IC1'"))
	f.Add([]byte(unb3 + "UNH+M1+ORDERS:D:96A:UN'BGM+220+PO1+9'UNT+3+M1:#'UNZ+1+IC1'"))
	f.Add([]byte(unb3 + "UNH+M1+ORDERS:D:96A:UN:@'BGM+220+PO1+9'UNT+3+M1'UNZ+1+IC1'"))
	f.Add([]byte(unb3 + "UNH+M1+ORDERS:D:96A:UN+\x80'BGM+220+PO1+9'UNT+3+M1'UNZ+1+IC1'"))
	v := testValidator(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		first, walked := decodeAllMessages(in, WithDeferredRepertoire()), decodeAllMessages(in, WithDeferredRepertoire())
		if len(first) != len(walked) {
			t.Fatalf("%d messages, then %d", len(first), len(walked))
		}
		for i, m := range first {
			m.CheckRepertoire()
			want, got := v.Validate(m), v.Validate(walked[i])
			if !reflect.DeepEqual(want, got) {
				t.Fatalf("message %d:\nchecked first: %s\nby the walk:   %s", i+1, dump(want), dump(got))
			}
			if !reflect.DeepEqual(m.SegmentErrors, walked[i].SegmentErrors) {
				t.Fatalf("message %d: SegmentErrors\nchecked first: %+v\nby the walk:   %+v", i+1, m.SegmentErrors, walked[i].SegmentErrors)
			}
		}
	})
}
