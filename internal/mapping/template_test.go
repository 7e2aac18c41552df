package mapping

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/b2bgw/b2bgw/internal/x12"
)

func canonicalOrder(t testing.TB) Tree {
	t.Helper()
	data, err := os.ReadFile("testdata/outbound/order.json")
	if err != nil {
		t.Fatal(err)
	}
	v, err := ParseJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	return ValueTree(v)
}

func TestTemplateX12Golden(t *testing.T) {
	t.Parallel()
	tp, err := LoadTemplate("testdata/outbound/855.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	w := x12.NewWriter(&b, x12.Delimiters{Element: '*', Component: ':', Segment: '~'}, x12.WithLineBreak("\n"))
	if err := tp.WriteSegments(w, canonicalOrder(t)); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	golden(t, "855-segments.x12", b.Bytes())
}

func TestTemplateWriteX12CountsSE(t *testing.T) {
	t.Parallel()
	tp, err := LoadTemplate("testdata/outbound/855.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	w := x12.NewWriter(&b, x12.Delimiters{Element: '*', Component: ':', Segment: '~'}, x12.WithLineBreak("\n"))
	ic := &x12.Interchange{SenderQualifier: "ZZ", SenderID: "US", ReceiverQualifier: "ZZ", ReceiverID: "ACME",
		Date: "240301", Time: "1200", Version: "00401", Control: "1", Usage: "T"}
	g := &x12.Group{FunctionalID: "PR", AppSender: "US", AppReceiver: "ACME", Date: "20240301", Time: "1200", Control: "1", Version: "004010"}
	steps := []func() error{
		func() error { return w.BeginInterchange(ic) },
		func() error { return w.BeginGroup(g) },
		func() error { return tp.WriteX12(w, canonicalOrder(t), "0001") },
		w.EndGroup, w.EndInterchange, w.Flush,
	}
	for _, s := range steps {
		if err := s(); err != nil {
			t.Fatal(err)
		}
	}
	// ST + 10 body segments + SE = 12.
	if !strings.Contains(b.String(), "\nSE*12*0001~") {
		t.Errorf("SE count wrong:\n%s", b.String())
	}
}

func TestTemplateCSVGolden(t *testing.T) {
	t.Parallel()
	tp, err := LoadTemplate("testdata/outbound/lines-csv.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := tp.WriteCSV(&b, canonicalOrder(t)); err != nil {
		t.Fatal(err)
	}
	golden(t, "order-lines.csv", b.Bytes())
}

func TestTemplateErrors(t *testing.T) {
	t.Parallel()
	const x12Head = "template: t\ntarget: {standard: x12, set: \"855\"}\n"
	tests := []struct {
		name    string
		body    string
		loadErr string // prefix of an error line; "" when it loads
		evalErr error
		want    string
	}{
		{name: "bad tag", body: x12Head + "segments:\n  - segment: bak\n", loadErr: `t.yaml:4:14: segment tag "bak" must be`},
		{name: "element position", body: x12Head + "segments:\n  - segment: BAK\n    elements: {0: x}\n", loadErr: `t.yaml:5:16: element key "0" must be a position from 1 to 99`},
		{name: "foreach on a segment", body: x12Head + "segments:\n  - {segment: BAK, foreach: lines}\n", loadErr: `t.yaml:4:5: foreach repeats a group`},
		{name: "unknown element key", body: x12Head + "segments:\n  - segment: BAK\n    elements: {1: {from: x, requierd: true}}\n", loadErr: `t.yaml:5:29: unknown key "requierd" in element 1; did you mean "required"?`},
		{name: "neither segments nor csv", body: "template: t\n", loadErr: `t.yaml:1:1: a template has either segments: (X12) or csv:, exactly one`},
		{name: "required missing", body: x12Head + "segments:\n  - segment: BAK\n    elements: {3: {from: nope, required: true}}\n", evalErr: ErrRequired,
			want: `t.yaml:5:16: BAK.BAK03 (nope): required value is missing`},
		{name: "too precise for implied", body: x12Head + "segments:\n  - foreach: lines\n    segments:\n      - segment: PO1\n        elements: {4: {from: unit_price, type: implied, decimals: 1}}\n", evalErr: ErrTooPrecise,
			want: `t.yaml:7:20: lines[1].PO1.PO104 (unit_price) = "9.99": more decimal places than the element holds: 9.99 has 2, the element 1`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tp, err := LoadTemplateFS(fstest.MapFS{"t.yaml": {Data: []byte(tc.body)}}, "t.yaml")
			if tc.loadErr != "" {
				if err == nil || !hasLinePrefix(err.Error(), tc.loadErr) {
					t.Fatalf("load error %v\nwant a line starting %s", err, tc.loadErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			w := x12.NewWriter(&b, x12.DefaultDelimiters)
			err = tp.WriteSegments(w, canonicalOrder(t))
			if !errors.Is(err, tc.evalErr) {
				t.Fatalf("err = %v, want %v", err, tc.evalErr)
			}
			if err.Error() != tc.want {
				t.Errorf("error text:\n%s\nwant:\n%s", err, tc.want)
			}
			if w.Flush(); b.Len() != 0 {
				t.Errorf("a failed document wrote %q", b.String())
			}
		})
	}
}

func hasLinePrefix(s, prefix string) bool {
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(line, prefix) {
			return true
		}
	}
	return false
}
