package x12

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
)

const isa4010 = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *251126*1200*U*00401*000000001*0*P*>~"

// trace renders the decoder's events and problems compactly, one line each.
func trace(t *testing.T, d *Decoder) (string, error) {
	t.Helper()
	var b strings.Builder
	for {
		ev, err := d.Next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = nil
			}
			for _, s := range d.Stray() {
				fmt.Fprintf(&b, "stray %s\n", s.Err)
			}
			return b.String(), err
		}
		switch ev.Kind {
		case EventInterchangeStart:
			fmt.Fprintf(&b, "ISA %s\n", ev.Interchange.Control)
		case EventGroupStart:
			fmt.Fprintf(&b, "GS %s %s %s\n", ev.Group.FunctionalID, ev.Group.Control, ev.Group.Version)
		case EventSet:
			fmt.Fprintf(&b, "ST %s %s segs=%d", ev.Set.ID, ev.Set.Control, len(ev.Set.Segments))
			for _, p := range ev.Set.Problems {
				fmt.Fprintf(&b, " AK5:%s", p.Code)
			}
			for _, p := range ev.Set.SegmentErrors {
				fmt.Fprintf(&b, " AK3:%s@%d", p.Code, p.Position)
			}
			b.WriteString("\n")
		case EventGroupEnd:
			fmt.Fprintf(&b, "GE %s sets=%d", ev.Group.Control, ev.Group.Sets)
			for _, p := range ev.Group.Problems {
				fmt.Fprintf(&b, " AK9:%s", p.Code)
			}
			b.WriteString("\n")
		case EventInterchangeEnd:
			fmt.Fprintf(&b, "IEA %s groups=%d", ev.Interchange.Control, ev.Interchange.Groups)
			for _, p := range ev.Interchange.Problems {
				fmt.Fprintf(&b, " TA1:%s", p.Code)
			}
			b.WriteString("\n")
		}
	}
}

func TestDecoderEnvelopes(t *testing.T) {
	gs := "GS*PO*SENDER*RECEIVER*20251126*1200*7*X*004010~"
	set := "ST*850*0001~BEG*00*SA*PO1**20251126~SE*3*0001~"
	tests := []struct {
		name, in, want string
		wantErr        error
	}{
		{"clean", isa4010 + gs + set + "GE*1*7~IEA*1*000000001~",
			"ISA 000000001\nGS PO 7 004010\nST 850 0001 segs=3\nGE 7 sets=1\nIEA 000000001 groups=1\n", nil},
		{"zero padded counts", isa4010 + gs + "ST*850*0001~BEG*00*SA*PO1**20251126~SE*0003*0001~GE*0001*7~IEA*00001*000000001~",
			"ISA 000000001\nGS PO 7 004010\nST 850 0001 segs=3\nGE 7 sets=1\nIEA 000000001 groups=1\n", nil},
		{"SE count wrong", isa4010 + gs + "ST*850*0001~BEG*00*SA*PO1**20251126~SE*4*0001~GE*1*7~IEA*1*000000001~",
			"ISA 000000001\nGS PO 7 004010\nST 850 0001 segs=3 AK5:4\nGE 7 sets=1\nIEA 000000001 groups=1\n", nil},
		{"SE control mismatch", isa4010 + gs + "ST*850*0001~BEG*00*SA*PO1**20251126~SE*3*0002~GE*1*7~IEA*1*000000001~",
			"ISA 000000001\nGS PO 7 004010\nST 850 0001 segs=3 AK5:3\nGE 7 sets=1\nIEA 000000001 groups=1\n", nil},
		{"SE missing before next ST", isa4010 + gs + "ST*850*0001~BEG*00*SA*PO1**20251126~" + set + "GE*2*7~IEA*1*000000001~",
			"ISA 000000001\nGS PO 7 004010\nST 850 0001 segs=2 AK5:2\nST 850 0001 segs=3 AK5:23\nGE 7 sets=2\nIEA 000000001 groups=1\n", nil},
		{"GE count and control wrong", isa4010 + gs + set + "GE*2*8~IEA*1*000000001~",
			"ISA 000000001\nGS PO 7 004010\nST 850 0001 segs=3\nGE 7 sets=1 AK9:5 AK9:4\nIEA 000000001 groups=1\n", nil},
		{"GE missing", isa4010 + gs + set + "IEA*1*000000001~",
			"ISA 000000001\nGS PO 7 004010\nST 850 0001 segs=3\nGE 7 sets=1 AK9:3\nIEA 000000001 groups=1\n", nil},
		{"IEA wrong", isa4010 + gs + set + "GE*1*7~IEA*2*000000009~",
			"ISA 000000001\nGS PO 7 004010\nST 850 0001 segs=3\nGE 7 sets=1\nIEA 000000001 groups=1 TA1:021 TA1:001\n", nil},
		{"IEA missing at EOF", isa4010 + gs + set + "GE*1*7~",
			"ISA 000000001\nGS PO 7 004010\nST 850 0001 segs=3\nGE 7 sets=1\nIEA 000000001 groups=1 TA1:023\n", nil},
		{"truncated inside a set", isa4010 + gs + "ST*850*0001~BEG*00*SA*PO1**2025",
			"ISA 000000001\nGS PO 7 004010\nST 850 0001 segs=1 AK5:2\nGE 7 sets=1 AK9:3\nIEA 000000001 groups=1 TA1:023\n", ErrTruncated},
		{"stray segment between sets", isa4010 + gs + set + "XYZ*1~GE*1*7~IEA*1*000000001~",
			"ISA 000000001\nGS PO 7 004010\nST 850 0001 segs=3\nGE 7 sets=1\nIEA 000000001 groups=1 TA1:024\n", nil},
		{"set outside group", isa4010 + set + "IEA*0*000000001~",
			"ISA 000000001\nST 850 0001 segs=3 AK5:18\nIEA 000000001 groups=0\n", nil},
		{"bad tag inside set", isa4010 + gs + "ST*850*0001~BEG*00*SA*PO1**20251126~b@d*1~SE*4*0001~GE*1*7~IEA*1*000000001~",
			"ISA 000000001\nGS PO 7 004010\nST 850 0001 segs=4 AK3:1@3\nGE 7 sets=1\nIEA 000000001 groups=1\n", nil},
		{"two interchanges, different delimiters", isa4010 + gs + set + "GE*1*7~IEA*1*000000001~\n" +
			"ISA|00|          |00|          |ZZ|SENDER         |ZZ|RECEIVER       |251126|1200|U|00401|000000002|0|P|:\n" +
			"GS|PO|SENDER|RECEIVER|20251126|1200|8|X|004010\nST|850|0001\nBEG|00|SA|PO2||20251126\nSE|3|0001\nGE|1|8\nIEA|1|000000002\n",
			"ISA 000000001\nGS PO 7 004010\nST 850 0001 segs=3\nGE 7 sets=1\nIEA 000000001 groups=1\nISA 000000002\nGS PO 8 004010\nST 850 0001 segs=3\nGE 8 sets=1\nIEA 000000002 groups=1\n", nil},
		{"new ISA before IEA", isa4010 + gs + set + strings.Replace(isa4010, "000000001", "000000002", 1) + "IEA*0*000000002~",
			"ISA 000000001\nGS PO 7 004010\nST 850 0001 segs=3\nGE 7 sets=1 AK9:3\nIEA 000000001 groups=1 TA1:022\nISA 000000002\nIEA 000000002 groups=0\n", nil},
		{"content after IEA", isa4010 + gs + set + "GE*1*7~IEA*1*000000001~ZZZ*1~",
			"ISA 000000001\nGS PO 7 004010\nST 850 0001 segs=3\nGE 7 sets=1\nIEA 000000001 groups=1\nstray segment ZZZ is outside any transaction set\n", nil},
		{"bad ISA values", strings.NewReplacer("*251126*", "*251399*", "1200*U*", "2500*U*", "*0*P*", "*2*X*").Replace(isa4010) + "IEA*0*000000001~",
			"ISA 000000001\nIEA 000000001 groups=0 TA1:014 TA1:015 TA1:019 TA1:020\n", nil},
		{"duplicate group control in interchange", isa4010 + gs + set + "GE*1*7~" + gs + set + "GE*1*7~IEA*2*000000001~",
			"ISA 000000001\nGS PO 7 004010\nST 850 0001 segs=3\nGE 7 sets=1\nGS PO 7 004010\nST 850 0001 segs=3\nGE 7 sets=1 AK9:19\nIEA 000000001 groups=2\n", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, mode := range []string{"stream", "bytes", "reuse"} {
				var d *Decoder
				switch mode {
				case "stream":
					d = NewDecoder(strings.NewReader(tc.in))
				case "bytes":
					d = NewDecoderBytes([]byte(tc.in))
				default:
					d = NewDecoderBytes([]byte(tc.in), WithReusedSets())
				}
				got, err := trace(t, d)
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("%s: error = %v, want %v", mode, err, tc.wantErr)
				}
				if got != tc.want {
					t.Errorf("%s: events:\n%s\nwant:\n%s", mode, got, tc.want)
				}
			}
		})
	}
}

func TestDecoderDuplicates(t *testing.T) {
	in := isa4010 + "GS*PO*SENDER*RECEIVER*20251126*1200*7*X*004010~ST*850*0001~BEG*00*SA*PO1**20251126~SE*3*0001~GE*1*7~IEA*1*000000001~"
	dup := NewMemoryDuplicates()
	ctx := context.Background()
	first, _ := trace(t, NewDecoderBytes([]byte(in), WithDuplicates(ctx, dup)))
	second, _ := trace(t, NewDecoderBytes([]byte(in), WithDuplicates(ctx, dup)))
	if strings.Contains(first, "TA1:") || strings.Contains(first, "AK9:") {
		t.Errorf("first receipt flagged:\n%s", first)
	}
	if !strings.Contains(second, "TA1:025") || !strings.Contains(second, "AK9:19") {
		t.Errorf("resend not flagged as duplicate:\n%s", second)
	}
}

type failingLedger struct{}

func (failingLedger) CheckInterchange(context.Context, InterchangeKey) (bool, error) {
	return false, errors.New("database is down")
}
func (failingLedger) CheckGroup(context.Context, GroupKey) (bool, error) { return false, nil }

func TestDecoderLedgerErrorStops(t *testing.T) {
	d := NewDecoderBytes([]byte(isa4010+"IEA*0*000000001~"), WithDuplicates(context.Background(), failingLedger{}))
	_, err := d.Next()
	if err == nil || !strings.Contains(err.Error(), "database is down") {
		t.Fatalf("err = %v, want the ledger's error", err)
	}
}

func TestDecoderSampleFiles(t *testing.T) {
	tests := []struct {
		file  string
		delim Delimiters
		sets  int
	}{
		{"850-4010-basic.x12", Delimiters{'*', 0, '>', '~'}, 1},
		{"850-4010-pipe-crlf.x12", Delimiters{'|', 0, '^', '\''}, 1},
		{"850-5010-nonl.x12", Delimiters{'*', '^', ':', '~'}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			f, err := os.Open("../../testdata/x12/" + tc.file)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			d := NewDecoder(f)
			sets := 0
			for {
				ev, err := d.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if ev.Kind == EventInterchangeStart && ev.Interchange.Delimiters != tc.delim {
					t.Errorf("delimiters = %v, want %v", ev.Interchange.Delimiters, tc.delim)
				}
				if ev.Kind == EventInterchangeEnd && len(ev.Interchange.Problems) > 0 {
					t.Errorf("interchange problems: %+v", ev.Interchange.Problems)
				}
				if ev.Kind == EventGroupEnd && len(ev.Group.Problems) > 0 {
					t.Errorf("group problems: %+v", ev.Group.Problems)
				}
				if ev.Kind == EventSet {
					sets++
					if len(ev.Set.Problems) > 0 {
						t.Errorf("set problems: %+v", ev.Set.Problems)
					}
				}
			}
			if sets != tc.sets {
				t.Errorf("sets = %d, want %d", sets, tc.sets)
			}
		})
	}
}

func TestControlSet(t *testing.T) {
	tests := []struct {
		name string
		seq  []string
		want []bool
	}{
		{"increasing", []string{"0001", "0002", "0010"}, []bool{true, true, true}},
		{"repeat of the last", []string{"0001", "0002", "0002"}, []bool{true, true, false}},
		{"repeat out of order", []string{"0001", "0005", "0003", "0005", "0003"}, []bool{true, true, true, false, false}},
		{"same value other width", []string{"0001", "00001", "1"}, []bool{true, true, true}},
		{"alphanumeric", []string{"A001", "0001", "A001"}, []bool{true, true, false}},
		{"long numbers", []string{"12345678901234567", "12345678901234567"}, []bool{true, false}},
		{"map entry then increasing", []string{"0005", "0002", "0009", "0002"}, []bool{true, true, true, false}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var c controlSet
			for i, v := range tc.seq {
				if got := c.add(v); got != tc.want[i] {
					t.Errorf("add(%q) #%d = %v, want %v", v, i, got, tc.want[i])
				}
			}
			c.reset()
			if !c.add(tc.seq[0]) {
				t.Error("reset did not forget")
			}
		})
	}
}
