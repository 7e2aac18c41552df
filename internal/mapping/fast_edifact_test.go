package mapping

import (
	"math"
	"os"
	"strings"
	"testing"

	"github.com/antchfx/xpath"

	"github.com/b2bgw/b2bgw/internal/benchgen"
)

// fastEDIFACT is an ORDERS message with what the ORDERS mapping's
// expressions look at: dates in 102 and 203, NAD05 lines with gaps, PIA
// composites in several positions and repeated PIA, a GTIN too long to
// pad, release characters and non-ASCII text.
const fastEDIFACT = "UNA:+.? 'UNB+UNOC:3+SENDER:14+RECEIVER:14+251126:1200+REF1'" +
	"UNH+1+ORDERS:D:96A:UN'BGM+220+PO-1+9'DTM+137:20251126:102'DTM+2:202512050930:203'DTM+10:2025:602'" +
	"FTX+ZZZ+++Deliver to  dock 4?: ring?+bell:  second:third'FTX+AAI+++caf\u00e9   au lait'" +
	"RFF+CT:CONTRACT-9'NAD+BY+8712345000004::9++Europa Foods+Line one::Line three:+Venlo++5928 PA+NL'" +
	"NAD+DP+8712345000011::92++DC+:only second'NAD+SU'CUX+2:EUR:9'" +
	"LIN+1++4000862141404:EN'PIA+5+VP-1:SA+BUY-1:IN'PIA+1+:SA+X:IN+Y:SA'IMD+F++:::Widget'QTY+21:24:PCE'PRI+AAA:12.50'" +
	"LIN+2++123456789012345678:SRV'PIA+1+Z-9:BP'QTY+21:6:PCE'" +
	"LIN+3++\u00e9\u00e9123:EN'PIA+1+\u00e9x:SA'" +
	"UNS+S'CNT+2:3'UNT+30+1'UNZ+1+REF1'"

func TestFastPathAgreesWithXPathEDIFACT(t *testing.T) {
	t.Parallel()
	trees, err := ParseEDIFACT([]byte(fastEDIFACT))
	if err != nil {
		t.Fatal(err)
	}
	xmlTree := mustXML(t, sampleXML)
	x12Tree := x12Trees(t, "../../testdata/x12/850-4010-basic.x12")[0]
	type tc struct {
		tree     Tree
		contexts []string
		paths    []string
		funcs    []string
		conds    []string
	}
	cases := []tc{{
		tree:     trees[0],
		contexts: []string{".", "SG2", "SG25", "SG25/PIA", "NAD/NAD05", "SG2/NAD/NAD05"},
		paths: []string{
			"*", "*[2]", "*[*[2] = 'SA']", "PIA/*[*[2] = 'SA']/*[1]", "PIA/*[*[2]='IN']/*[1]", "NAD/NAD05/*", "*/*",
			"NAD05/*", ".", "*[1]", "*[3]", "PIA/*", "PIA/*/*", "LIN/*[1]", "*[2]/*[1]",
			"DTM[DTM01/DTM01_01='137'][DTM01/DTM01_03='102' or DTM01/DTM01_03='203']/DTM01/DTM01_02",
			"DTM[DTM01/DTM01_03='102' or DTM01/DTM01_03='203']", "DTM[DTM01/DTM01_03='602' or DTM01/DTM01_03 = '9' or DTM01/DTM01_01='2']",
			"DTM[DTM01/DTM01_03='102' or DTM01/DTM01_03='203'][2]", "SG2[NAD/NAD01='DP' or NAD/NAD01='SU']/NAD/NAD02/NAD02_01",
			"./*", "NAD/*[1]",
			// *[n] ending a predicate's path or a value below the first
			// step, and past the last child.
			"PIA[*[3]/*[2] = 'IN']/*[2]/*[1]", "PIA[*[2]/*[1] = 'X']/*[1]", "*[2]/*[2]", "*[40]", "PIA/*[2]/*[3]",
		},
		funcs: []string{
			"substring(DTM[DTM01/DTM01_01='137'][DTM01/DTM01_03='102' or DTM01/DTM01_03='203']/DTM01/DTM01_02, 1, 8)",
			"substring(DTM[DTM01/DTM01_01='2'][DTM01/DTM01_03='102' or DTM01/DTM01_03='203']/DTM01/DTM01_02, 1, 8)",
			"substring(DTM[DTM01/DTM01_01='99']/DTM01/DTM01_02, 1, 8)",
			"concat(substring('00000000000000', 1, 14 - string-length(LIN/LIN03/LIN03_01)), LIN/LIN03/LIN03_01)",
			"normalize-space(concat(FTX04/FTX04_01, ' ', FTX04/FTX04_02, ' ', FTX04/FTX04_03, ' ', FTX04/FTX04_04, ' ', FTX04/FTX04_05))",
			"normalize-space(concat(FTX/FTX04/FTX04_01, ' ', FTX/FTX04/FTX04_02, ' ', FTX/FTX04/FTX04_03))",
			"substring(FTX/FTX04/FTX04_01, 3, 5)", "substring(FTX[2]/FTX04/FTX04_01, 2, 4)", "substring('abc', 0, 2)",
			"substring('abc', 2, 0)", "substring('abc', 5, 2)", "substring('abc', 1 + 1, 10 - 8 - 1)",
			"substring(LIN/LIN03/LIN03_01, 1, string-length(LIN/LIN03/LIN03_01) - 2)", "substring(., 1, 3)",
			"concat(substring('0000', 1, 4 - string-length(PIA/*[*[2]='SA']/*[1])), PIA/*[*[2]='SA']/*[1])",
			"string(.)",
		},
		conds: []string{
			"LIN/LIN03/LIN03_01 and (LIN/LIN03/LIN03_02 = 'EN' or LIN/LIN03/LIN03_02 = 'SRV') and string-length(LIN/LIN03/LIN03_01) <= 14",
			"NAD/NAD02/NAD02_01 and NAD/NAD02/NAD02_03", "NAD/NAD02/NAD02_03 = '9'", "DTM01/DTM01_03 = '102'",
			"SG28/PRI/PRI01/PRI01_01 = 'AAA'", "PRI/PRI01/PRI01_01 = 'AAA' or QTY", "(QTY and PRI) or PIA/*[*[2]='BP']",
			"string-length(LIN/LIN03/LIN03_01) > 13", "string-length(.) >= 3", "1 = 1", "2 < 1", "3 != 3",
			"PIA/*[2] != 'SA'", "PIA/*[3]/*[2] = 'IN'", "PIA/*[4]", "*", "Nope or NAD", "NAD and Nope", "LIN/LIN03/LIN03_02 = 'EN' or LIN/LIN03/LIN03_02 = 'SRV' and Nope",
		},
	}, {
		tree:     xmlTree,
		contexts: []string{".", "N1Loop", "PO1Loop"},
		paths:    []string{"*", "*[2]", "N1Loop/*", "*/*[1]", "N1Loop[N1/N101='ST' or N1/N101='BY']/N1/N102", "."},
		conds:    []string{"N1Loop and (BEG or Nope)", "string-length(BEG/BEG03) < 3"},
		funcs:    []string{"substring(BEG/BEG03, 2, 3)", "substring(*, 1, 2)"},
	}, {
		tree:     x12Tree,
		contexts: []string{".", "N1Loop", "PO1Loop"},
		paths:    []string{"*", "*[2]", "N1Loop/*", "*/*[1]", "N1Loop[N1/N101='ST' or N1/N101='BY']/N1/N102", ".", "BEG/*", "*[*[1]='00']/*[3]"},
		conds:    []string{"N1Loop and (BEG or Nope)", "string-length(BEG/BEG03) < 3", "N1/N101 = 'ST' or N1/N101='BY'"},
		funcs:    []string{"substring(BEG/BEG03, 2, 3)", "substring(*, 1, 2)", "substring(PO1/*[2], 1, 1)"},
	}}
	for _, c := range cases {
		tr := c.tree
		var ctxs []Node
		for _, cs := range c.contexts {
			it := xpath.MustCompile(cs).Select(tr.Navigator(tr.Root()))
			for it.MoveNext() {
				ctxs = append(ctxs, tr.NodeOf(it.Current()))
			}
		}
		if len(ctxs) < len(c.contexts) {
			t.Fatalf("contexts %q found %d nodes", c.contexts, len(ctxs))
		}
		for _, ctx := range ctxs {
			for _, src := range c.paths {
				fp := compileFast(src)
				if fp == nil {
					t.Errorf("%s: not on the fast path", src)
					continue
				}
				fast := texts(tr, fp.selectAll(viewOf(tr), ctx, nil))
				var slow []string
				it := xpath.MustCompile(src).Select(tr.Navigator(ctx))
				for it.MoveNext() {
					slow = append(slow, it.Current().Value())
				}
				if strings.Join(fast, "|") != strings.Join(slow, "|") {
					t.Errorf("%s at %q: fast %q, xpath %q", src, tr.Text(ctx), fast, slow)
				}
				txt, ok := fp.firstText(viewOf(tr), ctx)
				if ok != (len(slow) > 0) || ok && string(txt) != slow[0] {
					t.Errorf("%s at %q: firstText %q %v, xpath %q", src, tr.Text(ctx), txt, ok, slow)
				}
				first := fp.selectFirst(viewOf(tr), ctx)
				if (first == NoNode) != (len(slow) == 0) || first != NoNode && string(tr.Text(first)) != slow[0] {
					t.Errorf("%s: selectFirst disagrees with xpath %q", src, slow)
				}
			}
			for _, src := range c.funcs {
				fn := compileFastFunc(src)
				if fn == nil {
					t.Errorf("%s: no fast form", src)
					continue
				}
				got := string(fn.eval(viewOf(tr), ctx, []byte("prefix:")))
				want := xpath.MustCompile(src).Evaluate(tr.Navigator(ctx))
				if got != "prefix:"+want.(string) {
					t.Errorf("%s at %q: fast %q, xpath %q", src, tr.Text(ctx), strings.TrimPrefix(got, "prefix:"), want)
				}
			}
			for _, src := range c.conds {
				fc := compileFastCond(src)
				if fc == nil {
					t.Errorf("%s: no fast condition", src)
					continue
				}
				var want bool
				switch r := xpath.MustCompile(src).Evaluate(tr.Navigator(ctx)).(type) {
				case *xpath.NodeIterator:
					want = r.MoveNext()
				case string:
					want = r != ""
				case float64:
					want = r != 0 && !math.IsNaN(r)
				case bool:
					want = r
				}
				if got := fc.eval(viewOf(tr), ctx); got != want {
					t.Errorf("%s at %q: fast %v, xpath %v", src, tr.Text(ctx), got, want)
				}
			}
		}
	}
	for _, src := range []string{
		"substring(A, 1)", "substring(A, 1.5, 2)", "substring(A, -1, 2)", "substring(A, 1, B)", "substring(A, 1, 2, 3)",
		"*[1.5]", ".[1]", "..", "*:x", "**", "A[B='x' and C='y']", "A[B='x' or C]", "A[B='x' or]",
	} {
		if compileFast(src) != nil || compileFastFunc(src) != nil {
			t.Errorf("%q was given a fast form", src)
		}
	}
	for _, src := range []string{
		"A = B", "A = 1", "'x' = A", "A < 'b'", "string-length(A) < B", "A and", "(A", "A or or B", "not(A)", "string-length() > 1",
	} {
		if compileFastCond(src) != nil {
			t.Errorf("%q was given a fast condition", src)
		}
	}
}

// TestSlowPathSameDocumentEDIFACT maps ORDERS messages with the built-in
// mapping (through the benchmark's extension) with and without the fast
// path: values and errors must be identical.
func TestSlowPathSameDocumentEDIFACT(t *testing.T) {
	t.Parallel()
	m, err := Load("../../testdata/edifact/bench-orders.yaml")
	if err != nil {
		t.Fatal(err)
	}
	slowM := withoutFastPath(m)
	var trees []Tree
	for _, in := range [][]byte{benchgen.Edifact(40), []byte(fastEDIFACT), mustRead(t, "../../testdata/edifact/orders-d96a.edi")} {
		ts, err := ParseEDIFACT(in)
		if err != nil {
			t.Fatal(err)
		}
		trees = append(trees, ts...)
	}
	for i, tr := range trees {
		fast, ferr := m.Translate(tr)
		slow, serr := slowM.Translate(tr)
		if (ferr == nil) != (serr == nil) || ferr != nil && ferr.Error() != serr.Error() {
			t.Errorf("message %d: fast error %v, xpath error %v", i, ferr, serr)
			continue
		}
		if !fast.Equal(slow) {
			t.Errorf("message %d: fast and xpath-only outputs differ:\n%s", i, Diff(string(indent(t, slow)), string(indent(t, fast))))
		}
		js, jerr := m.TranslateJSON(tr, nil)
		if (jerr == nil) != (ferr == nil) || ferr == nil && string(js) != string(fast.AppendJSON(nil)) {
			t.Errorf("message %d: TranslateJSON differs from Translate", i)
		}
	}
}

func mustRead(t *testing.T, path string) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
