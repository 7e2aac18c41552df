package doctree_test

import (
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/antchfx/xpath"

	"github.com/b2bgw/b2bgw/internal/doctree"
	"github.com/b2bgw/b2bgw/internal/edifact"
	espec "github.com/b2bgw/b2bgw/internal/edifact/spec"
)

// edifactTree reads the first message of a file and builds its tree with
// the built-in directory (shaped), or flat.
func edifactTree(t *testing.T, file string, shaped bool) *doctree.EDIFACTTree {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return edifactTreeBytes(t, data, shaped)
}

func edifactTreeBytes(t *testing.T, data []byte, shaped bool) *doctree.EDIFACTTree {
	t.Helper()
	d := edifact.NewDecoderBytes(data)
	for {
		ev, err := d.Next()
		if errors.Is(err, io.EOF) {
			t.Fatal("no message")
		}
		if err != nil {
			t.Fatal(err)
		}
		if ev.Kind != edifact.EventMessage {
			continue
		}
		var sh *doctree.EDIFACTShape
		if shaped {
			reg, err := espec.Builtin()
			if err != nil {
				t.Fatal(err)
			}
			ms, ok := reg.Message(ev.Message.Directory(), ev.Message.Type)
			if !ok {
				t.Fatalf("no spec for %s %s", ev.Message.Directory(), ev.Message.Type)
			}
			sh = doctree.CompileEDIFACT(ms)
		}
		return doctree.FromMessage(ev.Message, sh)
	}
}

// outline renders the stored structure: groups by name, segments by raw
// text, indented.
func outline(n doctree.ENode, depth int, b *strings.Builder) {
	for c := n.FirstChild(); !c.IsZero(); c = c.NextSibling() {
		switch c.Kind() {
		case doctree.KindLoop:
			b.WriteString(strings.Repeat("  ", depth) + c.Name() + "\n")
			outline(c, depth+1, b)
		case doctree.KindSegment:
			b.WriteString(strings.Repeat("  ", depth) + c.Value() + "\n")
		}
	}
}

const sampleDir = "../../testdata/edifact/"

func TestEDIFACTTreeDESADV(t *testing.T) {
	tr := edifactTree(t, sampleDir+"desadv-d96a.edi", true)
	var b strings.Builder
	outline(tr.RootNode(), 0, &b)
	want := `UNH+1+DESADV:D:96A:UN:EAN007
BGM+351+ASN-2201+9
DTM+137:20251128:102
DTM+11:202511280730:203
DTM+17:20251201:102
SG1
  RFF+ON:PO-4711
  DTM+171:20251126:102
SG2
  NAD+SU+4012345000009::9
SG2
  NAD+DP+8712345000011::9++Europa DC Venlo+Industrieweg 12+Venlo++5928 PA+NL
SG10
  CPS+1
  SG11
    PAC+1++PX
  SG10
    CPS+2+1
    SG11
      PAC+1++PX
      SG13
        PCI+33E
        SG14
          GIN+BJ+354123450000000014
    SG10
      CPS+3+2
      SG11
        PAC+1++CT
        SG13
          PCI+33E
          SG14
            GIN+BJ+354123450000000021
      SG15
        LIN+1++4000862141404:EN
        PIA+1+VP-100200:SA
        QTY+12:24:PCE
        QTY+21:24:PCE
        SG20
          PCI+36E
          DTM+361:20260630:102
          SG21
            GIN+BX+LOT-A1
    SG10
      CPS+4+2
      SG11
        PAC+1++CT
        SG13
          PCI+33E
          SG14
            GIN+BJ+354123450000000038
      SG15
        LIN+2++4000862141411:EN
        QTY+12:2:PCE
        SG20
          PCI+17
          SG21
            GIN+BN+SN-0001
          SG21
            GIN+BN+SN-0002
CNT+2:2
UNT+37+1
`
	if got := b.String(); got != want {
		t.Errorf("DESADV tree:\n%s\nwant:\n%s", got, want)
	}
	xp := []struct{ expr, want string }{
		{"string(/Message/@type)", "DESADV"},
		{"string(/Message/@reference)", "1"},
		{"string(BGM/BGM02)", "ASN-2201"},
		{"string(DTM[DTM01/DTM01_01='11']/DTM01/DTM01_02)", "202511280730"},
		{"count(SG10)", "1"},
		{"count(SG10/SG10)", "1"},
		{"count(SG10/SG10/SG10)", "2"},
		{"count(//SG15)", "2"},
		{"string(SG10/SG10/SG10[2]/SG11/SG13/SG14/GIN[GIN01='BJ']/GIN02/GIN02_01)", "354123450000000038"},
		{"string(SG10/SG10/SG11/PAC/PAC03/PAC03_01)", "PX"},
		{"string(//SG15[LIN/LIN01='1']/SG20/SG21/GIN[GIN01='BX']/GIN02/GIN02_01)", "LOT-A1"},
		{"count(//SG15[LIN/LIN01='2']/SG20/SG21/GIN[GIN01='BN'])", "2"},
		{"string(//SG15[1]/QTY[QTY01/QTY01_01='12']/QTY01/QTY01_02)", "24"},
		{"string(SG1/RFF/RFF01/RFF01_02)", "PO-4711"},
		{"string(SG2[NAD/NAD01='DP']/NAD/NAD04/NAD04_01)", "Europa DC Venlo"},
		{"string(SG2[NAD/NAD01='DP']/NAD/NAD09)", "NL"},
	}
	for _, x := range xp {
		if got := eval(t, tr, x.expr); got != x.want {
			t.Errorf("%s = %q, want %q", x.expr, got, x.want)
		}
	}
}

func eval(t *testing.T, tr *doctree.EDIFACTTree, expr string) string {
	t.Helper()
	e, err := xpath.Compile(expr)
	if err != nil {
		t.Fatal(err)
	}
	v := e.Evaluate(tr.RootNavigator())
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return strings.TrimSuffix(strings.TrimRight(strings.TrimRight(strconvF(v), "0"), "."), ".")
	case bool:
		if v {
			return "true"
		}
		return "false"
	case *xpath.NodeIterator:
		var out []string
		for v.MoveNext() {
			out = append(out, v.Current().Value())
		}
		return strings.Join(out, "|")
	}
	return ""
}

func strconvF(f float64) string { return strconv.FormatFloat(f, 'f', 6, 64) }

func TestEDIFACTTreeORDERS(t *testing.T) {
	tr := edifactTree(t, sampleDir+"orders-d96a.edi", true)
	var b strings.Builder
	outline(tr.RootNode(), 0, &b)
	want := `UNH+ME000001+ORDERS:D:96A:UN:EAN008
BGM+220+PO-4711+9
DTM+137:20251126:102
DTM+2:202512050930:203
FTX+ZZZ+++Deliver to dock 4?: ring?+bell
SG1
  RFF+CT:CONTRACT-9
SG2
  NAD+BY+8712345000004::9++Europa Foods B.V.
SG2
  NAD+DP+8712345000011::9++Europa DC Venlo+Industrieweg 12+Venlo++5928 PA+NL
SG2
  NAD+SU+4012345000009::9
SG7
  CUX+2:EUR:9
SG25
  LIN+1++4000862141404:EN
  PIA+1+VP-100200:SA
  IMD+F++:::Stainless widget
  QTY+21:24:PCE
  SG28
    PRI+AAA:12.50
SG25
  LIN+2++4000862141411:EN
  QTY+21:6:PCE
  SG28
    PRI+AAA:40
UNS+S
CNT+2:2
UNT+21+ME000001
`
	if got := b.String(); got != want {
		t.Errorf("ORDERS tree:\n%s\nwant:\n%s", got, want)
	}
	for _, x := range []struct{ expr, want string }{
		{"string(/Message/@version)", "D"},
		{"string(/Message/@release)", "96A"},
		{"string(FTX/FTX04/FTX04_01)", "Deliver to dock 4: ring+bell"}, // release characters resolved
		{"string(FTX/FTX04)", "Deliver to dock 4?: ring?+bell"},        // a composite's value is its raw text
		{"count(SG25)", "2"},
		{"string(SG25[2]/SG28/PRI/PRI01/PRI01_02)", "40"},
		{"string(SG25[1]/IMD/IMD03/IMD03_04)", "Stainless widget"},
		{"count(SG25[1]/IMD/IMD03/*)", "1"},     // empty components have no node
		{"boolean(SG25[1]/LIN/LIN02)", "false"}, // nor empty elements
		{"string(SG2[NAD/NAD02/NAD02_03='9'][1]/NAD/NAD02/NAD02_01)", "8712345000004"},
		{"string(BGM/BGM01)", "220"}, // C002 with one component: a composite
		{"string(BGM/BGM01/BGM01_01)", "220"},
		{"string(SG25/LIN/LIN03/LIN03_01/text())", "4000862141404"},
		{"count(SG25/LIN/LIN03/LIN03_01/../../../PIA)", "1"},
	} {
		if got := eval(t, tr, x.expr); got != x.want {
			t.Errorf("%s = %q, want %q", x.expr, got, x.want)
		}
	}

	// The handle interface the mapping fast path walks.
	root := tr.Root()
	sg25 := tr.FirstChild(root, "SG25")
	if sg25 < 0 || tr.NextNamed(sg25) < 0 || tr.NextNamed(tr.NextNamed(sg25)) != doctree.NoHandle {
		t.Fatalf("SG25 handles: %d", sg25)
	}
	lin := tr.FirstChild(sg25, "LIN")
	if v, ok := tr.ChildText(lin, "LIN01"); !ok || string(v) != "1" {
		t.Errorf("ChildText(LIN, LIN01) = %q %v", v, ok)
	}
	lin03 := tr.FirstChild(lin, "LIN03")
	if v, ok := tr.ChildText(lin03, "LIN03_02"); !ok || string(v) != "EN" {
		t.Errorf("ChildText(LIN03, LIN03_02) = %q %v", v, ok)
	}
	if !tr.ChildEquals(lin03, "LIN03_02", "EN") || tr.ChildEquals(lin03, "LIN03_02", "SA") {
		t.Error("ChildEquals on a composite")
	}
	ftx := tr.FirstChild(root, "FTX")
	c := tr.FirstChild(tr.FirstChild(ftx, "FTX04"), "FTX04_01")
	if got := string(tr.Text(c)); got != "Deliver to dock 4: ring+bell" {
		t.Errorf("Text(FTX04_01) = %q", got)
	}
	if line, seg, el := tr.Locate(c); line != 7 || seg != 5 || el != 4 {
		t.Errorf("Locate(FTX04_01) = line %d, segment %d, element %d; want 7, 5, 4", line, seg, el)
	}
	if n := tr.NodeOf(tr.Navigator(c)); n != c {
		t.Errorf("NodeOf(Navigator(h)) = %d, want %d", n, c)
	}
	if tr.FirstChild(lin, "LIN1") != doctree.NoHandle || tr.FirstChild(lin, "QTY01") != doctree.NoHandle {
		t.Error("names of other segments or malformed positions must not match")
	}

	// Without a directory the tree is flat.
	flat := edifactTree(t, sampleDir+"orders-d96a.edi", false)
	if got := eval(t, flat, "count(LIN)"); got != "2" {
		t.Errorf("flat tree: count(LIN) = %s", got)
	}
	if got := eval(t, flat, "count(SG25)"); got != "0" {
		t.Errorf("flat tree: count(SG25) = %s", got)
	}
}

// TestEDIFACTTreeRepetitionsAndStray: syntax 4 repetitions are repeated
// siblings; a segment the directory does not place stays where it is.
func TestEDIFACTTreeRepetitionsAndStray(t *testing.T) {
	in := "UNA:+.?*'UNB+UNOC:4+S:14+R:14+20251126:1200+1'UNH+1+ORDERS:D:96A:UN'BGM+220+PO1+9'" +
		"NAD+BY+1::9'ZZZ+x'LIN+1'QTY+21:1'FTX+AAA+++a*b??c'UNS+S'UNT+9+1'UNZ+1+1'"
	tr := edifactTreeBytes(t, []byte(in), true)
	var b strings.Builder
	outline(tr.RootNode(), 0, &b)
	want := "UNH+1+ORDERS:D:96A:UN\nBGM+220+PO1+9\nSG2\n  NAD+BY+1::9\n  ZZZ+x\nSG25\n  LIN+1\n  QTY+21:1\n  FTX+AAA+++a*b??c\nUNS+S\nUNT+9+1\n"
	if got := b.String(); got != want {
		t.Errorf("tree:\n%s\nwant:\n%s", got, want)
	}
	for _, x := range []struct{ expr, want string }{
		{"count(SG25/FTX/FTX04)", "2"},
		{"string(SG25/FTX/FTX04[2]/FTX04_01)", "b?c"},
		{"string(SG2/ZZZ/ZZZ01)", "x"},
	} {
		if got := eval(t, tr, x.expr); got != x.want {
			t.Errorf("%s = %q, want %q", x.expr, got, x.want)
		}
	}
	ftx := tr.FirstChild(tr.FirstChild(tr.Root(), "SG25"), "FTX")
	r1 := tr.FirstChild(ftx, "FTX04")
	r2 := tr.NextNamed(r1)
	if r2 == doctree.NoHandle || string(tr.Text(tr.FirstChild(r2, "FTX04_01"))) != "b?c" {
		t.Errorf("second repetition by handle: %d", r2)
	}
}
