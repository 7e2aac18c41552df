package benchgen

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"
)

// Golden hashes of the benchmark harness's generator (bench/gen, outside this
// repository), recorded once with
//
//	cd bench/gen && go run . -size 1MB -out /tmp/x -prefix po-1m && sha256sum /tmp/x/*
//	go run . -orders 5 -seed 7 -out /tmp/x7 -prefix s7
//	go run . -size 10KB -out /tmp/x10k -prefix t
//	go run . -orders 0 -size 0 -out /tmp/x0 -prefix z
//
// The port must reproduce them byte for byte so that figures measured with
// either generator stay comparable.
var golden = []struct {
	name    string
	seed    uint64
	orders  int   // exact orders, or 0 to use size
	size    int64 // target of the X12 newline file
	wantN   int   // orders the harness reported
	x12     string
	x12NoNL string
	edifact string
}{
	{
		name: "po-1m", seed: DefaultSeed, size: 1_000_000, wantN: 728,
		x12:     "31dcebc9b99a69f7346424f9bd5b9ca18a6904f0d39d59d1eb74dd1f61b69658",
		x12NoNL: "0c3e12823bd270710813a186ba810fd3a9d51de4270ada85b4577da20901cad9",
		edifact: "f5d98fec83791f967e5acb6eac157af055f2bf610a52fab46c5b364e7975690d",
	},
	{
		name: "seed7-orders5", seed: 7, orders: 5, wantN: 5,
		x12:     "5388999179c9bd89c8bfcf03cd8fe1b93460cfec55cbe98d782cb575a3a4a2d8",
		x12NoNL: "34c9384ea87c5c01c9a258f4f200f88c4981115f550f55cad1c22fd18219a6a7",
		edifact: "9c00e67d19f95610a4ce290c7890f66396e5c01f3f7d76b8e80e312136038695",
	},
	{
		name: "size-10KB", seed: DefaultSeed, size: 10_000, wantN: 8,
		x12:     "54d75613b24f2f28642467257201930566444b4c457d8e459898c9ad15508e4b",
		x12NoNL: "43b7a975fa443b51ad14d2674471109a6187857ed710f4f304a584586ef2c866",
		edifact: "0d4279bf68f5c4a9296e2b74b9e82f751702c25a50320d8525373a0f03959c80",
	},
	{
		name: "empty", seed: DefaultSeed, size: 0, wantN: 0,
		x12:     "d9ace994cfd5abe8b85f6ce7efaf89fa37083ba7203af4139c69bed521a3daaf",
		x12NoNL: "44937b63f5e252c0d4f904f97a67e360c9f5d3e11c678577f7602172446cf285",
		edifact: "414872dba353a3c7b1d5212c08346a99dddb60149f14f35347894fcd586dd2f3",
	},
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func TestWriteFilesMatchesHarness(t *testing.T) {
	for _, tc := range golden {
		t.Run(tc.name, func(t *testing.T) {
			var x, xn, e bytes.Buffer
			st, err := New(tc.seed).WriteFiles(Outputs{X12: &x, X12NoNL: &xn, Edifact: &e}, tc.orders, tc.size)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range []struct {
				name string
				got  []byte
				st   Stats
				want string
			}{
				{"x12", x.Bytes(), st.X12, tc.x12},
				{"x12-nonl", xn.Bytes(), st.X12NoNL, tc.x12NoNL},
				{"edifact", e.Bytes(), st.Edifact, tc.edifact},
			} {
				if got := sum(f.got); got != f.want {
					t.Errorf("%s: sha256 %s, want %s (%d bytes)", f.name, got, f.want, len(f.got))
				}
				if f.st.Bytes != int64(len(f.got)) || f.st.Orders != tc.wantN {
					t.Errorf("%s: stats %+v, want %d bytes and %d orders", f.name, f.st, len(f.got), tc.wantN)
				}
			}
			if st.X12.Segments != st.X12NoNL.Segments || st.X12.Segments != bytes.Count(x.Bytes(), []byte("~")) {
				t.Errorf("x12 segments %d/%d, want %d terminators", st.X12.Segments, st.X12NoNL.Segments, bytes.Count(x.Bytes(), []byte("~")))
			}
		})
	}
}

// The in-memory helpers are what benchmarks use; they must produce the
// golden files too, not merely something similar.
func TestInMemoryHelpersMatchHarness(t *testing.T) {
	po1m := golden[0]
	tests := []struct {
		name string
		got  []byte
		want string
	}{
		{"X12Size newline", X12Size(po1m.size, true), po1m.x12},
		{"X12Size no newline", X12Size(po1m.size, false), po1m.x12NoNL},
		{"EdifactSize", EdifactSize(po1m.size), po1m.edifact},
		{"X12 728 orders", X12(728, true), po1m.x12},
		{"X12 728 orders no newline", X12(728, false), po1m.x12NoNL},
		{"Edifact 728 orders", Edifact(728), po1m.edifact},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := sum(tc.got); got != tc.want {
				t.Errorf("sha256 %s, want %s", got, tc.want)
			}
		})
	}
}

func TestOrdersForSize(t *testing.T) {
	g := New(DefaultSeed)
	tests := []struct {
		name   string
		target int64
		want   int
	}{
		{"zero", 0, 0},
		{"negative", -5, 0},
		{"inside the header", 165, 0}, // ISA+GS are 165 B
		{"just past the header", 166, 1},
		{"10KB", 10_000, 8},
		{"1MB", 1_000_000, 728},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := g.OrdersForSize(tc.target); got != tc.want {
				t.Errorf("OrdersForSize(%d) = %d, want %d", tc.target, got, tc.want)
			}
		})
	}
}

// Each file must be the nonl file plus one newline per segment, and X12Size
// must reach its target: the properties the benchmark figures rely on.
func TestShape(t *testing.T) {
	x := X12Size(200_000, true)
	xn := X12Size(200_000, false)
	if len(x) < 200_000 {
		t.Errorf("X12Size(200000) is %d bytes, want >= 200000", len(x))
	}
	if !bytes.Equal(bytes.ReplaceAll(x, []byte("~\n"), []byte("~")), xn) {
		t.Error("the nonl file is not the newline file without its newlines")
	}
	if !bytes.HasPrefix(x, []byte("ISA*00*          *00*          *ZZ*B2BGWSENDER    *ZZ*B2BGWRECEIVER  *250101*1200*U*00401*000000001*0*P*>~\n")) {
		t.Errorf("unexpected ISA: %q", x[:min(len(x), 110)])
	}
	if i := bytes.IndexByte(x, '\n'); i != 106 {
		t.Errorf("ISA with terminator is %d bytes, want 106", i)
	}
	// Orders depend only on (seed, i): a small file is a prefix of a large
	// one up to its trailer.
	small, large := X12(3, true), X12(10, true)
	body := small[:bytes.Index(small, []byte("GE*"))]
	if !bytes.HasPrefix(large, body) {
		t.Error("the first orders differ between file sizes")
	}
	if bytes.Equal(New(1).x12(t, 3), New(2).x12(t, 3)) {
		t.Error("different seeds gave the same file")
	}
}

func (g Generator) x12(t *testing.T, orders int) []byte {
	t.Helper()
	var b bytes.Buffer
	if _, err := g.WriteX12(&b, orders, true); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

type failAfter struct {
	n   int
	err error
}

func (f *failAfter) Write(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, f.err
	}
	f.n--
	return len(p), nil
}

func TestWriteErrorStops(t *testing.T) {
	boom := errors.New("disk full")
	tests := []struct {
		name  string
		write func(w io.Writer) error
	}{
		{"x12", func(w io.Writer) error { _, err := New(DefaultSeed).WriteX12(w, 2000, true); return err }},
		{"x12 nonl", func(w io.Writer) error { _, err := New(DefaultSeed).WriteX12(w, 2000, false); return err }},
		{"edifact", func(w io.Writer) error { _, err := New(DefaultSeed).WriteEdifact(w, 2000); return err }},
		{"first write", func(w io.Writer) error { _, err := New(DefaultSeed).WriteEdifact(&failAfter{err: boom}, 0); return err }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.write(&failAfter{n: 3, err: boom}); !errors.Is(err, boom) {
				t.Errorf("err = %v, want %v", err, boom)
			}
		})
	}
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		in      string
		want    int64
		wantErr bool
	}{
		{"50MB", 50_000_000, false},
		{"1mb", 1_000_000, false},
		{" 1.5GB ", 1_500_000_000, false},
		{"800KB", 800_000, false},
		{"1234", 1234, false},
		{"0", 0, false},
		{"", 0, true},
		{"MB", 0, true},
		{"10MiB", 0, true},
		{"-1MB", 0, true},
		{"NaN", 0, true},
		{"InfMB", 0, true},
	}
	for _, tc := range tests {
		t.Run(strings.ReplaceAll(tc.in, " ", "_"), func(t *testing.T) {
			got, err := ParseSize(tc.in)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("ParseSize(%q) = %d, %v; want %d, error %v", tc.in, got, err, tc.want, tc.wantErr)
			}
		})
	}
}
