package mapping

import (
	"strings"
	"testing"

	"github.com/antchfx/xpath"

	"github.com/b2bgw/b2bgw/internal/benchgen"
)

// TestEDIFACTPathForms checks which paths get an EDIFACT form and which
// one, so the differential test below cannot pass on the general walk
// alone.
func TestEDIFACTPathForms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		src  string
		form string // "" none; elem, comp, pick, kids, segs
	}{
		{"LIN/LIN01", "elem"},
		{"LIN/LIN03/LIN03_01", "comp"},
		{"SG7/CUX/CUX01/CUX01_02", "comp"},
		{"QTY[QTY01/QTY01_01='21']/QTY01/QTY01_02", "comp"},
		{"SG28/PRI[PRI01/PRI01_01='AAA']/PRI01/PRI01_02", "comp"},
		{"IMD[IMD01='F']/IMD03/IMD03_04", "comp"},
		{"DTM[DTM01/DTM01_01='137'][DTM01/DTM01_03='102' or DTM01/DTM01_03='203']/DTM01/DTM01_02", "comp"},
		{"PIA/*[*[2] = 'SA']/*[1]", "pick"},
		{"NAD/NAD05/*", "kids"},
		{"SG2/NAD/NAD05/*", "kids"},
		{"DTM[DTM01/DTM01_03='102' or DTM01/DTM01_03='203']", "segs"},
		// The walk's: a position among segments, a predicate on a group,
		// names that are not the segment's, a path from a segment, a plain
		// step, a pick of another shape.
		{"QTY[2]/QTY01/QTY01_02", ""},
		{"SG2[NAD/NAD01='BY']/NAD/NAD02/NAD02_01", ""},
		{"QTY/PRI01", ""},
		{"QTY/QTY1", ""},
		{"QTY/QTY01/QTY02_01", ""},
		{"QTY[PRI01='x']/QTY01", ""},
		{"DTM01/DTM01_02", ""},
		{"LIN", ""},
		{"PIA/*[*[2] = 'SA' or *[2] = 'IN']/*[1]", ""},
		{"PIA/*[*[2] = 'SA']", ""},
		{"NAD/NAD05/*[1]", ""},
	}
	for _, tt := range tests {
		fp := compileFast(tt.src)
		if fp == nil {
			t.Errorf("%s: no fast form", tt.src)
			continue
		}
		form := ""
		switch p := fp.edi; {
		case p == nil:
		case p.pick != nil:
			form = "pick"
		case p.kids:
			form = "kids"
		case p.segs:
			form = "segs"
		case p.comp > 0:
			form = "comp"
		default:
			form = "elem"
		}
		if form != tt.form {
			t.Errorf("%s: form %q, want %q", tt.src, form, tt.form)
		}
	}
	// Equal paths share one interned form (and memo slot).
	if a, b := compileFast("QTY[QTY01/QTY01_01='21']/QTY01/QTY01_02"), compileFast("./QTY[ QTY01/QTY01_01 = \"21\" ]/QTY01/QTY01_02"); a.edi != b.edi {
		t.Error("equal paths were not interned together")
	}
	if c := compileFastCond("LIN/LIN03/LIN03_02 = 'EN' or LIN/LIN03/LIN03_02 = 'SRV'"); c == nil || c.in == nil || len(c.lits) != 2 {
		t.Error("an or of equalities of one path is not answered in one pass")
	}
	if c := compileFastCond("LIN/LIN03/LIN03_02 = 'EN' or LIN/LIN03/LIN03_01 = 'SRV'"); c == nil || c.in != nil {
		t.Error("an or of equalities of two paths was merged")
	}
}

// TestMarkRepeats checks which EDIFACT paths are memoized: those one
// object's fields ask more than once (in values, conditions and
// functions), not those asked once per object.
func TestMarkRepeats(t *testing.T) {
	t.Parallel()
	m := loadString(t, `mapping: m
source: {standard: edifact}
fields:
  a: {from: ZZQ/ZZQ02, when: "ZZQ/ZZQ02 and ZZQ/ZZQ04"}
  b: ZZQ/ZZQ01
  c: {from: "concat(ZZQ/ZZQ05, substring(ZZQ/ZZQ05, 1, 2))"}
  d: {fields: {e: ZZQ/ZZQ03, f: ZZQ/ZZQ04}}
  g: {foreach: ZZR, fields: {h: ZZQ/ZZQ03}}
  i: {from: ZZQ/ZZQ06, when: "ZZQ/ZZQ07 = 'a' or ZZQ/ZZQ07 = 'b'"}
`)
	_ = m
	for _, tt := range []struct {
		src  string
		memo bool
	}{
		{"ZZQ/ZZQ02", true}, {"ZZQ/ZZQ05", true}, {"ZZQ/ZZQ01", false}, {"ZZQ/ZZQ03", false}, {"ZZQ/ZZQ04", false},
		{"ZZQ/ZZQ06", false}, {"ZZQ/ZZQ07", false},
	} {
		if got := compileFast(tt.src).edi.memo.Load(); got != tt.memo {
			t.Errorf("%s: memo %v, want %v", tt.src, got, tt.memo)
		}
	}
}

// edifactOddities is an ORDERS message with what the EDIFACT forms must
// get right beyond fastEDIFACT and edifactRepetitions: a stray segment
// named like a group (SG2) and one named like the message's elements
// (LIN01), repeated segments where only a later one matches, a pick whose
// match has no jth component, and composites the directory does not know.
const edifactOddities = "UNA:+.?*'UNB+UNOC:4+S:14+R:14+20251126:1200+1'UNH+1+ORDERS:D:96A:UN'BGM+220+PO-7+9'" +
	"DTM+2:2025:602'DTM+137:20251126:102*137:20251127:203'DTM+137:202511261200:203'SG2+x:y+z'" +
	"NAD+BY+1::9++Line?:1:Line 2*Again+Street*:Second'NAD+SU++Name'" +
	"LIN+1++4000862141404:EN'LIN01+a:b'PIA+1+:SA+X::IN*Y:SA:Z'PIA+5+P:IN'QTY+12:5*21:6:PCE'QTY+21:7'" +
	"PRI+AAB:1'PRI+AAA:2'ZZZ+a:b+c*d:e'IMD+C++:::no'IMD+F++:::Yes'UNS+S'UNT+20+1'UNZ+1+1'"

// TestEDIFACTPathsAgreeWithXPath runs the EDIFACT forms (with and
// without an evaluator's memo) and antchfx/xpath over the same messages,
// contexts and paths: the first text, every equality and every selection
// must agree.
func TestEDIFACTPathsAgreeWithXPath(t *testing.T) {
	t.Parallel()
	contexts := []string{".", "SG2", "SG25", "SG28", "SG25/SG28"}
	paths := []string{
		"BGM/BGM02", "BGM/BGM01", "BGM/BGM02/BGM02_01", "BGM/BGM99", "SG2/SG201", "SG2/SG201/SG201_02", "SG2/NAD/NAD01",
		"LIN/LIN01", "LIN/LIN03", "LIN/LIN03/LIN03_01", "LIN/LIN03/LIN03_02", "LIN/LIN01/LIN01_01", "LIN01/LIN0101",
		"QTY[QTY01/QTY01_01='21']/QTY01/QTY01_02", "QTY[QTY01/QTY01_01='21']/QTY01/QTY01_03", "QTY[QTY01/QTY01_01='12' or QTY01/QTY01_02='7']/QTY01/QTY01_02",
		"PRI[PRI01/PRI01_01='AAA']/PRI01/PRI01_02", "SG28/PRI[PRI01/PRI01_01='AAA']/PRI01/PRI01_02", "SG28/PRI/PRI01/PRI01_01",
		"IMD[IMD01='F']/IMD03/IMD03_04", "IMD[IMD01='F' or IMD01='C']/IMD03/IMD03_04", "IMD[IMD03='F']/IMD01",
		"DTM[DTM01/DTM01_01='137'][DTM01/DTM01_03='102' or DTM01/DTM01_03='203']/DTM01/DTM01_02",
		"DTM[DTM01/DTM01_01='2'][DTM01/DTM01_03='102' or DTM01/DTM01_03='203']/DTM01/DTM01_02",
		"DTM[DTM01/DTM01_03='203'][DTM01/DTM01_01='137']/DTM01", "DTM[DTM01/DTM01_03='102' or DTM01/DTM01_03='203']",
		"DTM[DTM01/DTM01_03='102' or DTM01/DTM01_01='2' or DTM01/DTM01_03='203']", "QTY[QTY01/QTY01_01='21']",
		"PIA/*[*[2] = 'SA']/*[1]", "PIA/*[*[2] = 'IN']/*[1]", "PIA/*[*[2] = 'IN']/*[3]", "PIA/*[*[1] = 'X']/*[2]", "PIA/*[*[3] = 'Z']/*[1]",
		"ZZZ/*[*[1] = 'd']/*[2]", "NAD/NAD05/*", "NAD/NAD04/*", "NAD/NAD01/*", "SG2/NAD/NAD05/*", "ZZZ/ZZZ02/*",
		"FTX/FTX04/FTX04_01", "RFF/RFF01/RFF01_02", "SG1/RFF[RFF01/RFF01_01='CT']/RFF01/RFF01_02", "SG1/RFF/RFF01",
		// The segment step selects a group: the general walk answers.
		"SG25/SG2501", "SG25/SG2501/SG2501_01", "SG25/SG2501/*", "SG25[SG2501='x']", "SG25/*[*[1]='x']/*[1]",
		"SG25/SG28/SG2801", "SG25/SG28/SG2801/SG2801_01", "SG25/SG28[SG2801='x']",
		// One plain step: the named children, without the walk.
		"LIN", "SG25", "DTM", "SG2", "Nope",
	}
	for _, in := range []string{edifactOddities, fastEDIFACT, edifactRepetitions} {
		trees, err := ParseEDIFACT([]byte(in))
		if err != nil {
			t.Fatal(err)
		}
		tr := trees[0]
		var ctxs []Node
		for _, cs := range contexts {
			it := xpath.MustCompile(cs).Select(tr.Navigator(tr.Root()))
			for it.MoveNext() {
				ctxs = append(ctxs, tr.NodeOf(it.Current()))
			}
		}
		e := &evaluator{t: tr} // its view has the memo
		compiled := 0
		for _, src := range paths {
			fp := compileFast(src)
			if fp == nil {
				t.Fatalf("%s: no fast form", src)
			}
			if fp.edi != nil {
				fp.edi.memo.Store(true) // e.view() remembers its texts
			}
			if fp.edi != nil {
				compiled++
			}
			for _, ctx := range ctxs {
				var slow []string
				it := xpath.MustCompile(src).Select(tr.Navigator(ctx))
				for it.MoveNext() {
					slow = append(slow, it.Current().Value())
				}
				at := string(tr.Text(ctx))
				if fast := texts(tr, fp.selectAll(viewOf(tr), ctx, nil)); strings.Join(fast, "|") != strings.Join(slow, "|") {
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
					if got := fp.anyEquals(viewOf(tr), ctx, lit); got != want {
						t.Errorf("%s = %q at %q: fast %v, xpath %v", src, lit, at, got, want)
					}
					if p := fp.edi; p.texts() && p.pick == nil {
						if got := p.anyEquals(viewOf(tr), ctx, "nope", lit); got != want {
							t.Errorf("%s = 'nope' or = %q at %q: fast %v, xpath %v", src, lit, at, got, want)
						}
					}
				}
			}
		}
		if compiled < len(paths)-9 {
			t.Errorf("only %d of %d paths have an EDIFACT form", compiled, len(paths))
		}
	}
}

// FuzzEDIFACTPaths checks the EDIFACT forms against antchfx/xpath on
// random messages and paths, from the root and from every group.
func FuzzEDIFACTPaths(f *testing.F) {
	for _, in := range []string{edifactOddities, fastEDIFACT, edifactRepetitions} {
		f.Add(in, "QTY[QTY01/QTY01_01='21']/QTY01/QTY01_02")
		f.Add(in, "PIA/*[*[2] = 'SA']/*[1]")
	}
	f.Add(edifactOddities, "SG2/NAD/NAD05/*")
	f.Add(fastEDIFACT, "DTM[DTM01/DTM01_03='102' or DTM01/DTM01_03='203']")
	f.Fuzz(func(t *testing.T, in, src string) {
		fp := compileFast(src)
		if fp == nil || fp.edi == nil || positionAfterPredicate(fp) {
			return
		}
		x, err := compileXPath(src)
		if err != nil {
			t.Fatalf("%q has an EDIFACT form but does not compile as XPath: %v", src, err)
		}
		trees, err := ParseEDIFACT([]byte(in))
		if err != nil {
			return
		}
		tr := trees[0]
		ctxs := []Node{tr.Root()}
		it := xpath.MustCompile("//*[starts-with(name(), 'SG')]").Select(tr.Navigator(tr.Root()))
		for it.MoveNext() {
			ctxs = append(ctxs, tr.NodeOf(it.Current()))
		}
		e := &evaluator{t: tr}
		for _, ctx := range ctxs {
			var slow []string
			it := x.Select(tr.Navigator(ctx))
			for it.MoveNext() {
				slow = append(slow, it.Current().Value())
			}
			if fast := texts(tr, fp.selectAll(e.view(), ctx, nil)); strings.Join(fast, "\x00") != strings.Join(slow, "\x00") {
				t.Fatalf("%q: selectAll %q, xpath %q", src, fast, slow)
			}
			txt, ok := fp.firstText(e.view(), ctx)
			if ok != (len(slow) > 0) || ok && string(txt) != slow[0] {
				t.Fatalf("%q: firstText %q %v, xpath %q", src, txt, ok, slow)
			}
			if len(slow) > 0 && !fp.anyEquals(e.view(), ctx, slow[len(slow)-1]) {
				t.Fatalf("%q: anyEquals(%q) is false", src, slow[len(slow)-1])
			}
		}
	})
}

// BenchmarkEDIFACTShapes measures one evaluation of each expression shape
// of the built-in ORDERS mapping on the benchmark orders (ns/op is per
// evaluation; cpu-ns/op is the figure to compare on a busy machine).
func BenchmarkEDIFACTShapes(b *testing.B) {
	trees, err := ParseEDIFACT(benchgen.Edifact(50))
	if err != nil {
		b.Fatal(err)
	}
	tests := []struct {
		name, ctx, expr string
		kind            byte // 't' text, 'c' condition, 'f' function, 's' selection
	}{
		{"elem", "SG25", "LIN/LIN01", 't'},
		{"comp", "SG25", "LIN/LIN03/LIN03_01", 't'},
		{"pred-comp", "SG25", "QTY[QTY01/QTY01_01='21']/QTY01/QTY01_02", 't'},
		{"group-pred-comp", "SG25", "SG28/PRI[PRI01/PRI01_01='AAA']/PRI01/PRI01_02", 't'},
		{"pick", "SG25", "PIA/*[*[2] = 'SA']/*[1]", 't'},
		{"absent", "SG25", "FTX/FTX04/FTX04_01", 't'},
		{"cond-gtin", "SG25", "LIN/LIN03/LIN03_01 and (LIN/LIN03/LIN03_02 = 'EN' or LIN/LIN03/LIN03_02 = 'SRV') and string-length(LIN/LIN03/LIN03_01) <= 14", 'c'},
		{"fn-gtin", "SG25", "concat(substring('00000000000000', 1, 14 - string-length(LIN/LIN03/LIN03_01)), LIN/LIN03/LIN03_01)", 'f'},
		{"fn-date", ".", "substring(DTM[DTM01/DTM01_01='137'][DTM01/DTM01_03='102' or DTM01/DTM01_03='203']/DTM01/DTM01_02, 1, 8)", 'f'},
		{"foreach-kids", "SG2", "NAD/NAD05/*", 's'},
		{"foreach-segs", ".", "DTM[DTM01/DTM01_03='102' or DTM01/DTM01_03='203']", 's'},
		{"foreach-step", "SG25", "LIN", 's'},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			type at struct {
				v   *treeView
				ctx Node
			}
			var ctxs []at
			for _, tr := range trees {
				v := viewOf(tr)
				it := xpath.MustCompile(tt.ctx).Select(tr.Navigator(tr.Root()))
				for it.MoveNext() {
					ctxs = append(ctxs, at{v, tr.NodeOf(it.Current())})
				}
			}
			x, err := compileXPath(tt.expr)
			if err != nil {
				b.Fatal(err)
			}
			ex := newExpr(tt.expr, x)
			var buf []byte
			var nodes []Node
			b.ReportAllocs()
			defer reportCPU(b)()
			i := 0
			for b.Loop() {
				c := ctxs[i%len(ctxs)]
				switch tt.kind {
				case 't':
					ex.fast.firstText(c.v, c.ctx)
				case 'c':
					ex.cond.eval(c.v, c.ctx)
				case 'f':
					buf = ex.fn.eval(c.v, c.ctx, buf[:0])
				case 's':
					nodes = ex.fast.selectAll(c.v, c.ctx, nodes[:0])
				}
				i++
			}
		})
	}
}
