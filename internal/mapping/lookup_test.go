package mapping

import (
	"fmt"
	"testing"

	"github.com/antchfx/xpath"

	"github.com/b2bgw/b2bgw/internal/benchgen"
)

// plainTree hides every optional interface but Locator of the tree it
// wraps: the
// evaluator then walks it with FirstChild, NextNamed and Text alone, the
// reference for the compiled-name lookups (NameTree, Name2Tree), the
// positional pair pick and the leaf shortcuts of the document trees.
type plainTree struct{ Tree }

// Locate keeps the wrapped tree's positions, so errors compare equal.
func (p plainTree) Locate(n Node) (line, segment, element int) { return p.Tree.(Locator).Locate(n) }

// x12Lookups is an 850 with what the built-in mapping's lookups meet:
// pairs in every rank order and beyond the segment's end, a repeated
// qualifier, repetitions (00501, ^) with empty ones, a PO1 loop without
// PO1 pairs, segments the loop does not have, and N1 loops with PER.
const x12Lookups = "ISA*00*          *00*          *ZZ*ACMERETAIL     *ZZ*B2BGWDIST      *251126*1200*^*00501*000000303*0*P*:~" +
	"GS*PO*ACMERETAIL*B2BGWDIST*20251126*1200*303*X*005010~ST*850*0001~BEG*00*SA*PO-9**20251126~" +
	"CUR*BY*USD~REF*DP*^HARDWARE^~REF*IA*V-77~REF*DP*SECOND~DTM*002*20251205~DTM*037*20251201~DTM*002*20251206~" +
	"TD5**2*SCAC*M*ROUTE~ITD*01*3*2**10**30*****NET 30~MSG*NOTE ONE~MSG*NOTE TWO~" +
	"N1*ST*ACME DC*UL*0001234~N3*1 MAIN ST~N3*DOCK 4~N4*CHICAGO*IL*60601*US~PER*IC*JO*TE*555*EM*JO@EXAMPLE.COM~" +
	"N1*BT*ACME*1*42~N1*BY*ACME BUYER~" +
	"PO1*1*2*EA*1.5*PE*VN*V-1*BP*B-1*UK*00012345678905*VP*VP-1*IN*IN-1~PID*F****WIDGET~PID*S****SKIP~PO4*12~" +
	"PO1*2*3*EA*2**IN*IN-2*UK*^00012345678912*BP*B-2~PID*X****NOT F~" +
	"PO1*3*4*EA~" +
	"PO1*4*5*CS*3**ZZ*Z-4*ZZ*Z-5*ZZ*Z-6*ZZ*Z-7*ZZ*Z-8*ZZ*Z-9*ZZ*Z-10*ZZ*Z-11*ZZ*Z-12*VP*LAST~" +
	"CTT*4*14~SE*27*0001~GE*1*303~IEA*1*000000303~"

// TestDocTreeLookupsSameDocument maps X12 and EDIFACT documents through
// the document trees' own lookups and through plainTree: the documents
// and errors must be identical, and TranslateJSON must write exactly
// Translate's JSON.
func TestDocTreeLookupsSameDocument(t *testing.T) {
	t.Parallel()
	type input struct {
		mapping string
		trees   []Tree
	}
	var inputs []input
	for _, in := range [][]byte{[]byte(x12Lookups), benchgen.X12(30, true), mustRead(t, "../../testdata/x12/850-4010-basic.x12"),
		mustRead(t, "../../testdata/x12/850-5010-nonl.x12"), mustRead(t, "../../testdata/x12/850-4010-pipe-crlf.x12")} {
		trees, err := ParseX12(in)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, input{"../../mappings/x12-004010-850.yaml", trees})
	}
	for _, in := range [][]byte{[]byte(fastEDIFACT), []byte(edifactRepetitions), benchgen.Edifact(30), mustRead(t, "../../testdata/edifact/orders-d96a.edi")} {
		trees, err := ParseEDIFACT(in)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, input{"../../testdata/edifact/bench-orders.yaml", trees})
	}
	for _, in := range inputs {
		m, err := Load(in.mapping)
		if err != nil {
			t.Fatal(err)
		}
		for i, tr := range in.trees {
			name := fmt.Sprintf("%s document %d", in.mapping, i)
			got, gerr := m.Translate(tr)
			want, werr := m.Translate(plainTree{tr})
			if (gerr == nil) != (werr == nil) || gerr != nil && gerr.Error() != werr.Error() {
				t.Errorf("%s: error %v, plain tree error %v", name, gerr, werr)
				continue
			}
			if !got.Equal(want) {
				t.Errorf("%s: outputs differ:\n%s", name, Diff(string(indent(t, want)), string(indent(t, got))))
			}
			js, jerr := m.TranslateJSON(tr, []byte("x"))
			if (jerr == nil) != (gerr == nil) || gerr == nil && string(js) != "x"+string(got.AppendJSON(nil)) {
				t.Errorf("%s: TranslateJSON %s differs from Translate", name, js)
			}
		}
	}
}

// edifactRepetitions is a syntax 4 ORDERS message (repetition separator
// *) with repeated elements and composites, empty repetitions and
// release characters before separators.
const edifactRepetitions = "UNA:+.?*'UNB+UNOC:4+SENDER:14+RECEIVER:14+251126:1200+REF2'" +
	"UNH+1+ORDERS:D:96A:UN'BGM+220+PO-4*PO-5+9'DTM+137:20251126:102*2:20251201:102'DTM+2:20251205?:00:203'" +
	"RFF+DP:HARD?*WARE*CT:C-1'NAD+BY+*8712345000004::9++Name?+One*Name Two+Line?*1*Line 2'" +
	"LIN+1++**4000862141404:EN'PIA+5+VP?:1:SA*BUY-1:IN'QTY+21:24:PCE*21:25:PCE'PRI+AAA:12.50'" +
	"UNS+S'CNT+2:1'UNT+13+1'UNZ+1+REF2'"

// TestFastPathRepetitionsEDIFACT checks the element and component lookups
// of the EDIFACT tree (one pass over repetitions) against antchfx/xpath.
func TestFastPathRepetitionsEDIFACT(t *testing.T) {
	t.Parallel()
	trees, err := ParseEDIFACT([]byte(edifactRepetitions))
	if err != nil {
		t.Fatal(err)
	}
	tr := trees[0]
	paths := []string{
		"BGM/BGM02", "DTM/DTM01/DTM01_02", "DTM[DTM01/DTM01_01='2']/DTM01/DTM01_02", "DTM/DTM01", "SG1/RFF/RFF01/RFF01_02",
		"SG1/RFF[RFF01/RFF01_01='CT']/RFF01/RFF01_02", "SG2/NAD/NAD02/NAD02_01", "SG2/NAD/NAD04", "SG2/NAD/NAD05",
		"SG2/NAD/NAD05/*", "SG2/NAD[NAD04='Name Two']/NAD01", "SG2/NAD[NAD04='Name+One']/NAD01", "SG25/LIN/LIN03/LIN03_01",
		"SG25/PIA/PIA02/PIA02_01", "SG25/PIA[PIA02/PIA02_02='IN']/PIA02/PIA02_01", "SG25/QTY/QTY01/QTY01_02",
		"SG25/QTY[QTY01/QTY01_02='25']/QTY01/QTY01_03", "SG25/PIA/*[*[2]='IN']/*[1]",
	}
	for _, src := range paths {
		fp := compileFast(src)
		if fp == nil {
			t.Errorf("%s: not on the fast path", src)
			continue
		}
		slow := xpathTexts(t, tr, src)
		txt, ok := fp.firstText(viewOf(tr), tr.Root())
		if ok != (len(slow) > 0) || ok && string(txt) != slow[0] {
			t.Errorf("%s: firstText %q %v, xpath %q", src, txt, ok, slow)
		}
		for _, lit := range append(slow, "", "nope") {
			eq := compileFastCond(src + " = '" + lit + "'")
			if eq == nil {
				continue // a literal with a quote
			}
			want := false
			for _, s := range slow {
				want = want || s == lit
			}
			if got := eq.eval(viewOf(tr), tr.Root()); got != want {
				t.Errorf("%s = %q: fast %v, xpath %v", src, lit, got, want)
			}
		}
	}
}

// xpathTexts is what antchfx/xpath selects for src from the root, as
// texts.
func xpathTexts(t *testing.T, tr Tree, src string) []string {
	t.Helper()
	var out []string
	it := xpath.MustCompile(src).Select(tr.Navigator(tr.Root()))
	for it.MoveNext() {
		out = append(out, it.Current().Value())
	}
	return out
}

// TestCodeListTable checks the packed-code table against the map it is
// built from: every code, codes it does not have (short and long), and
// the default.
func TestCodeListTable(t *testing.T) {
	t.Parallel()
	def := Str("other")
	codes := map[string]Value{"EA": Str("each"), "CS": Str("case"), "A": Num("1"), "1234567": Str("seven"),
		"12345678": Str("eight"), "": Str("empty"), "PK": Boolean(true), "\x00": Str("nul")}
	for i := range 40 {
		codes[fmt.Sprintf("C%d", i)] = Num(fmt.Sprint(i))
	}
	tests := []struct {
		name string
		def  *Value
	}{{"no default", nil}, {"default", &def}}
	for _, tt := range tests {
		cl := &codeList{name: tt.name, codes: codes, def: tt.def}
		for _, code := range []string{"EA", "CS", "A", "1234567", "12345678", "", "PK", "\x00", "C0", "C39",
			"ea", "E", "EAX", "C40", "123456", "123456789", "\x00\x00"} {
			got, gok := cl.lookup(code)
			want, wok := codes[code]
			if !wok && tt.def != nil {
				want, wok = *tt.def, true
			}
			if gok != wok || !got.Equal(want) {
				t.Errorf("%s: lookup(%q) = %v %v, want %v %v", tt.name, code, got, gok, want, wok)
			}
		}
	}
}
