package mapping

import (
	"os"
	"strings"
	"testing"

	"github.com/antchfx/xpath"

	"github.com/b2bgw/b2bgw/internal/doctree"
)

// x12Oddities is a 5010 order (repetition separator ^) with what the X12
// forms must get right: repeated segments, a repeated element whose first
// repetition is empty or not the one a predicate matches, empty and
// missing elements, an N1 loop without N1 qualifier, a PID loop with
// several PIDs, an unknown segment.
const x12Oddities = "ISA*00*          *00*          *ZZ*ACMERETAIL     *ZZ*B2BGWDIST      *251126*1200*^*00501*000000303*0*P*:~" +
	"GS*PO*ACMERETAIL*B2BGWDIST*20251126*1200*303*X*005010~ST*850*0001~" +
	"BEG*00*SA*PO5010**20251126~CUR*BY*USD~" +
	"REF*DP*HARDWARE~REF*IA^DP*V-77*NOTE~REF*^CT*C-1~REF*PD**P-EMPTY~REF*DP*SECOND~" +
	"DTM*002*20251205~DTM*010~DTM*002*20251206~DTM*037*20251201*1200~" +
	"TD5**2*ABCD*M*ROUTE 9~" +
	"N1*ST*ACME DC 1*UL*0614141000012~N3*100 MAIN ST~N3*SUITE 4~N4*CHICAGO*IL*60601*US~PER*IC*JO*TE*555-1212*EM*jo@example.com~" +
	"N1*BT*ACME RETAIL INC*1*123456789~PER*IC*AL*EM*al@example.com~" +
	"N1*VN~" +
	"PO1*1*24*EA*12.5**UP*012345678905*VP*VP-100200*BP*B-1~PID*X****OTHER~PID*F****STAINLESS WIDGET~PID*F****SECOND F~PO4*12~" +
	"PO1*2*6*CS*40**UK*00012345678912*VN*VN-3*VP*VP-100300~PID*F~PID*F****WORK GLOVES~" +
	"PO1*3*1*EA~ZZZ*A*B~" +
	"CTT*3*31~SE*30*0001~GE*1*303~IEA*1*000000303~"

// TestX12PathForms checks which paths get an X12 form, so the
// differential test below cannot pass on the general walk alone.
func TestX12PathForms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		src  string
		form bool
	}{
		{"BEG/BEG03", true},
		{"DTM[DTM01='002']/DTM02", true},
		{"REF[REF01='DP' or REF01='IA']/REF02", true},
		{"REF[REF01='DP'][REF03='NOTE']/REF02", true},
		{"PIDLoop/PID[PID01='F']/PID05", true},
		{"CTTLoop/CTT/CTT01", true},
		{"PO1Loop/PIDLoop/PID/PID05", true},
		// The walk's: one step (named against the context's tag), a
		// position, a predicate on a loop or of another shape, names that
		// are not the segment's, * and . steps.
		{"BEG03", false},
		{"REF[2]/REF02", false},
		{"N1Loop[N1/N101='ST']/N1/N102", false},
		{"REF[REF01/REF01_01='DP']/REF02", false},
		{"REF[N101='DP']/REF02", false},
		{"REF/N102", false},
		{"REF/REF1", false},
		{"REF/REF02/REF02_01", false},
		{"*/REF02", false},
		{"REF/*", false},
		{"./BEG/BEG03", true},
		{"N1Loop", false},
	}
	for _, tt := range tests {
		fp := compileFast(tt.src)
		if fp == nil {
			t.Errorf("%s: no fast form", tt.src)
			continue
		}
		if got := fp.x12 != nil; got != tt.form {
			t.Errorf("%s: X12 form %v, want %v", tt.src, got, tt.form)
		}
	}
}

// x12DiffPaths are the paths the differential tests evaluate: every X12
// form, the general walk's shapes next to them, and paths whose segment
// step meets a CSV row (the forms hand those to the walk).
var x12DiffPaths = []string{
	"BEG/BEG03", "BEG/BEG04", "BEG/BEG99", "CUR/CUR02", "REF/REF02", "REF/REF01", "REF/REF03",
	"REF[REF01='DP']/REF02", "REF[REF01='IA']/REF02", "REF[REF01='CT']/REF02", "REF[REF01='PD']/REF02",
	"REF[REF01='']/REF02", "REF[REF01='DP' or REF01='CT']/REF02", "REF[REF01='DP'][REF03='NOTE']/REF02",
	"REF[REF01='DP']/REF01", "REF[REF02='P-EMPTY']/REF01",
	"DTM[DTM01='002']/DTM02", "DTM[DTM01='010']/DTM02", "DTM[DTM01='037']/DTM03", "DTM/DTM02",
	"TD5/TD503", "TD5/TD502", "TD5/TD501", "N1/N101", "N1/N104", "N1/N103", "N3/N301", "N4/N402",
	"PER/PER04", "PER[PER03='EM']/PER04", "PER[PER05='EM']/PER06",
	"N1Loop/N1/N102", "N1Loop/N4/N401", "N1Loop/PER[PER03='TE']/PER04",
	"PO1/PO101", "PO1/PO106", "PO1/PO107", "PO1/PO112", "PO4/PO401",
	"PIDLoop/PID[PID01='F']/PID05", "PIDLoop/PID/PID05", "PIDLoop/PID[PID01='X']/PID05",
	"PO1Loop/PIDLoop/PID[PID01='F']/PID05", "PO1Loop/PO1/PO103", "CTTLoop/CTT/CTT01", "CTTLoop/CTT/CTT02",
	"ZZZ/ZZZ02", "Nope/Nope01", "REF01", "N101",
	// CSV: the segment step selects rows.
	"Row/Row01", "Row[Row01='a']/Row02", "Row/c",
}

// TestX12PathsAgreeWithXPath evaluates paths with and without an X12
// form from the root, from loops and from segments, over X12 and CSV
// trees: selectAll, firstText (with and without the evaluator's memos,
// twice) and anyEquals must be antchfx/xpath's.
func TestX12PathsAgreeWithXPath(t *testing.T) {
	t.Parallel()
	basic, err := os.ReadFile("../../testdata/x12/850-4010-basic.x12")
	if err != nil {
		t.Fatal(err)
	}
	var trees []Tree
	for _, in := range []string{x12Oddities, string(basic)} {
		ts, err := ParseX12([]byte(in))
		if err != nil {
			t.Fatal(err)
		}
		trees = append(trees, ts...)
	}
	csv, err := ParseCSV([]byte("Row01,Row02,c\na,b,c\n,x,y\na,z,\n"))
	if err != nil {
		t.Fatal(err)
	}
	trees = append(trees, csv)
	contexts := []string{".", "N1Loop", "PO1Loop", "PO1Loop/PIDLoop", "REF", "N1Loop/PER", "Row"}
	compiled := 0
	for _, tr := range trees {
		var ctxs []Node
		for _, cs := range contexts {
			it := xpath.MustCompile(cs).Select(tr.Navigator(tr.Root()))
			for it.MoveNext() {
				ctxs = append(ctxs, tr.NodeOf(it.Current()))
			}
		}
		e := &evaluator{t: tr} // its view has the memo
		for _, src := range x12DiffPaths {
			fp := compileFast(src)
			if fp == nil {
				t.Fatalf("%s: no fast form", src)
			}
			if fp.x12 != nil {
				compiled++
			}
			for _, ctx := range ctxs {
				checkX12Path(t, tr, e, src, fp, ctx)
			}
		}
	}
	if compiled < len(trees)*(len(x12DiffPaths)-6) {
		t.Errorf("only %d of %d paths have an X12 form", compiled, len(trees)*len(x12DiffPaths))
	}
}

// checkX12Path compares fp with antchfx/xpath in ctx.
func checkX12Path(t *testing.T, tr Tree, e *evaluator, src string, fp *fastPath, ctx Node) {
	t.Helper()
	var slow []string
	it := xpath.MustCompile(src).Select(tr.Navigator(ctx))
	for it.MoveNext() {
		slow = append(slow, it.Current().Value())
	}
	at := string(tr.Text(ctx))
	if fast := texts(tr, fp.selectAll(viewOf(tr), ctx, nil)); strings.Join(fast, "\x00") != strings.Join(slow, "\x00") {
		t.Errorf("%s at %q: selectAll %q, xpath %q", src, at, fast, slow)
	}
	for round, v := range []*treeView{viewOf(tr), e.view(), e.view()} {
		txt, ok := fp.firstText(v, ctx)
		if ok != (len(slow) > 0) || ok && string(txt) != slow[0] {
			t.Errorf("%s at %q (round %d): firstText %q %v, xpath %q", src, at, round, txt, ok, slow)
		}
	}
	for _, lit := range append(slow, "nope", "") {
		if strings.Contains(lit, "'") {
			continue // not an XPath 1.0 literal in quotes
		}
		want := xpath.MustCompile(src + " = '" + lit + "'").Evaluate(tr.Navigator(ctx)).(bool)
		for round, v := range []*treeView{viewOf(tr), e.view()} {
			if got := fp.anyEquals(v, ctx, lit); got != want {
				t.Errorf("%s = %q at %q (round %d): fast %v, xpath %v", src, lit, at, round, got, want)
			}
		}
	}
}

// FuzzX12Paths checks the X12 forms against antchfx/xpath on random
// interchanges and paths, from the root and from every loop and segment.
func FuzzX12Paths(f *testing.F) {
	basic, err := os.ReadFile("../../testdata/x12/850-4010-basic.x12")
	if err != nil {
		f.Fatal(err)
	}
	for _, in := range []string{x12Oddities, string(basic)} {
		f.Add(in, "REF[REF01='DP']/REF02")
		f.Add(in, "PO1Loop/PIDLoop/PID[PID01='F']/PID05")
		f.Add(in, "N1Loop/N1/N104")
	}
	f.Add(x12Oddities, "DTM[DTM01='002' or DTM01='010'][DTM02='20251206']/DTM02")
	f.Fuzz(func(t *testing.T, in, src string) {
		fp := compileFast(src)
		if fp == nil || fp.x12 == nil || positionAfterPredicate(fp) {
			return
		}
		if _, err := compileXPath(src); err != nil {
			t.Fatalf("%q has an X12 form but does not compile as XPath: %v", src, err)
		}
		trees, err := ParseX12([]byte(in))
		if err != nil {
			return
		}
		tr := trees[0]
		ctxs := []Node{tr.Root()}
		it := xpath.MustCompile("//*[*]").Select(tr.Navigator(tr.Root()))
		for it.MoveNext() {
			ctxs = append(ctxs, tr.NodeOf(it.Current()))
		}
		e := &evaluator{t: tr}
		for _, ctx := range ctxs {
			checkX12Path(t, tr, e, src, fp, ctx)
		}
	})
}

// TestPairMemoAgrees checks the pair picks read through the memo against
// pickPairX12 for every segment of the test orders, with picks of one
// segment asked in turn (the memo filled by another pick) and picks whose
// pairs start elsewhere.
func TestPairMemoAgrees(t *testing.T) {
	t.Parallel()
	trees, err := ParseX12([]byte(x12Oddities))
	if err != nil {
		t.Fatal(err)
	}
	m := loadString(t, head+`fields:
  a: {pair: {segment: PO1, first: 6, last: 25, qualifier: UK}}
  b: {pair: {segment: PO1, first: 6, last: 25, qualifier: [VN, VP]}}
  c: {pair: {segment: PO1, first: 6, last: 25, qualifier: [BP, IN]}}
  d: {pair: {segment: PO1, first: 6, last: 11, qualifier: [VP, UP]}}
  e: {pair: {segment: PO1, first: 2, last: 5, qualifier: [EA]}}
  f: {pair: {segment: REF, first: 1, last: 2, qualifier: [DP, PD]}}
  g: {pair: {segment: PO1, first: 1, last: 40, qualifier: [VP]}}
`)
	var picks []*pairSpec
	for _, f := range m.fields {
		picks = append(picks, f.pair)
	}
	h := trees[0].(*doctree.Handles)
	var memo pairMemo
	it := xpath.MustCompile("//PO1 | //REF | //N1").Select(h.Navigator(h.Root()))
	for it.MoveNext() {
		s := h.NodeOf(it.Current())
		for round := range 2 {
			for i, p := range picks {
				for bestRank := range len(p.quals) + 1 {
					wb, wr, wok := pickPairX12(h, p, s, bestRank)
					gb, gr, gok := memo.pick(h, p, s, bestRank)
					if string(gb) != string(wb) || gr != wr || gok != wok {
						t.Errorf("%s pick %d (round %d, rank %d): memo %q %d %v, direct %q %d %v",
							h.Text(s), i, round, bestRank, gb, gr, gok, wb, wr, wok)
					}
				}
			}
		}
	}
}
