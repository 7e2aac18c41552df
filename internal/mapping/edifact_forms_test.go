package mapping

import (
	"fmt"
	"testing"

	"github.com/b2bgw/b2bgw/internal/benchgen"
)

// TestEDIFACTFormsMatchXPath maps EDIFACT messages with mappings whose
// fields take the evaluator's EDIFACT forms (a path asked directly, a
// substring of one, a value or condition of a foreach item's own segment,
// remembered steps) and fail in them (required, unknown code, bad date),
// against the same mappings with no fast form at all: TranslateJSON,
// Translate and TranslateTrace must give the same values, errors
// (fields, positions) and trace entries.
func TestEDIFACTFormsMatchXPath(t *testing.T) {
	t.Parallel()
	const head = "mapping: m\nsource: {standard: edifact}\ntimezone: UTC\nfields:\n"
	tests := []struct {
		name   string
		fields string
	}{
		{"item segments", `
  ids:
    foreach: SG25/LIN
    fields:
      q: {from: LIN03/LIN03_02, required: true}
      v: LIN03/LIN03_01
      n: {from: LIN01, codes: {"1": one, "2": two, a: x}}
      missing: {from: LIN03/LIN03_04, required: true}
      en: {const: yes, when: "LIN03/LIN03_02 = 'EN'"}
      has: {const: yes, when: "LIN03/LIN03_01 and LIN01 = '2'"}
      inner: {fields: {q2: LIN03/LIN03_02, e: {from: LIN02, required: true}}}
      pia: {foreach: PIA, when: "LIN03", fields: {p: PIA01}}
`},
		{"group items", `
  groups:
    foreach: SG2
    fields:
      a: SG201
      b: SG201/SG201_02
      c: {from: NAD/NAD01, required: true}
      d: {const: x, when: "SG201/SG201_01 = 'x'"}
`},
		{"dates", `
  dates:
    foreach: "DTM[DTM01/DTM01_03='102' or DTM01/DTM01_03='203']"
    fields:
      qualifier: {from: DTM01/DTM01_01, required: true}
      date: {from: DTM01/DTM01_02, type: date, when: "DTM01/DTM01_03 = '102'"}
      bad: {from: DTM01/DTM01_02, type: date, when: "DTM01/DTM01_03 = '203'"}
  first: {from: "substring(DTM[DTM01/DTM01_03='203']/DTM01/DTM01_02, 1, 8)", type: date}
  shifted: {from: "substring(DTM[DTM01/DTM01_03='203']/DTM01/DTM01_02, 3, 8)", type: date}
  none: {from: "substring(DTM[DTM01/DTM01_01='99']/DTM01/DTM01_02, 1, 8)", required: true}
`},
		{"paths", `
  qty: {from: "SG25/QTY[QTY01/QTY01_01='21']/QTY01/QTY01_02", type: decimal, required: true}
  unit: {from: "SG25/QTY[QTY01/QTY01_01='21']/QTY01/QTY01_03", codes: {PCE: piece}}
  nope: {from: "SG25/QTY[QTY01/QTY01_01='99']/QTY01/QTY01_02", required: true}
  price: {from: "SG25/SG28/PRI[PRI01/PRI01_01='AAA']/PRI01/PRI01_02", type: decimal}
  basis: {const: net, when: "SG25/SG28/PRI/PRI01/PRI01_01 = 'AAA'"}
  lines:
    foreach: SG25
    fields:
      n: {from: LIN/LIN01, required: true}
      q: {from: "QTY[QTY01/QTY01_01='21']/QTY01/QTY01_02", type: decimal, required: true}
      u: {from: "QTY[QTY01/QTY01_01='21']/QTY01/QTY01_03", codes: {PCE: piece, EA: each}, default: H87}
      sa: "PIA/*[*[2] = 'SA']/*[1]"
      in: {from: "PIA/*[*[2] = 'IN']/*[1]", required: true}
      d: "IMD[IMD01='F']/IMD03/IMD03_04"
      g: {const: yes, when: "LIN/LIN03/LIN03_01 and (LIN/LIN03/LIN03_02 = 'EN' or LIN/LIN03/LIN03_02 = 'SRV')"}
      p: {from: "SG28/PRI[PRI01/PRI01_01='AAA']/PRI01/PRI01_02", type: decimal}
      b: {const: net, when: "SG28/PRI/PRI01/PRI01_01 = 'AAA'"}
      qq: "QTY[QTY01/QTY01_01='12' or QTY01/QTY01_01='21']/QTY01/QTY01_02"
      qe: {const: yes, when: "QTY/QTY01/QTY01_01 = '12' or QTY/QTY01/QTY01_01 = '21'"}
      sg: "SG28[SG2801='x']/SG2802"
      sge: {const: yes, when: "SG28/SG2801 = 'x'"}
`},
		{"object loop", `
  spaced: FTX/FTX04/FTX04_02
  wide: "FTX[FTX01='AAI']/FTX04/FTX04_01"
  a_field_name_too_long_for_one_32_byte_key: BGM/BGM02
  po: {from: BGM/BGM02, required: true}
  num: {from: "SG25/QTY[QTY01/QTY01_01='21']/QTY01/QTY01_02", type: decimal}
  price: {from: "SG25/SG28/PRI[PRI01/PRI01_01='AAA']/PRI01/PRI01_02", type: decimal}
  coded: {from: BGM/BGM01, codes: {"220": 7}}
  nulled: {from: BGM/BGM03, codes: {"9": ~, "1": one}}
  dflt: {from: BGM/BGM04, default: none}
  empty: {fields: {x: CUX/CUX01/CUX01_02}}
  obj: {fields: {po: BGM/BGM02, k: {const: 1}}}
  lines:
    foreach: SG25/LIN
    fields:
      gtin: {from: "concat('0', LIN03/LIN03_01)", when: "LIN03/LIN03_02 = 'EN'"}
      n: {from: LIN01, type: decimal}
`},
		{"pick runs", `
  hsa: "PIA/*[*[2] = 'SA']/*[1]"
  hin: {from: "PIA/*[*[2] = 'IN']/*[1]", default: none}
  lines:
    foreach: SG25
    fields:
      sa: "PIA/*[*[2] = 'SA']/*[1]"
      in: {from: "PIA/*[*[2] = 'IN']/*[1]", required: true}
      sa2: {from: "PIA/*[*[2] = 'SA']/*[1]", codes: {VP-1: one, X: ex}}
      bp: {from: "PIA/*[*[2] = 'BP']/*[1]", default: none}
      nx: "PIA/*[*[2] = '']/*[1]"
      third: "PIA/*[*[2] = 'IN']/*[3]"
      x2: "PIA/*[*[1] = 'X']/*[2]"
      y2: "PIA/*[*[1] = 'Y']/*[2]"
      gap: {const: x}
      in2: "PIA/*[*[2] = 'IN']/*[1]"
      w: {from: "PIA/*[*[2] = 'SA']/*[1]", when: "LIN"}
      sa3: "PIA/*[*[2] = 'SA']/*[1]"
      sa4: "PIA[PIA01='1']/*[*[2] = 'SA']/*[1]"
      in5: "PIA[PIA01='1']/*[*[2] = 'IN']/*[1]"
`},
		{"object loop errors", `
  price: {from: "SG25/SG28/PRI[PRI01/PRI01_01='AAA']/PRI01/PRI01_02", type: decimal, required: true}
  unknown: {from: BGM/BGM03, codes: {"1": one}}
  must: {required: true, fields: {x: CUX/CUX01/CUX01_02}}
`},
	}
	var docs []Tree
	for _, in := range [][]byte{[]byte(fastEDIFACT), []byte(edifactOddities), []byte(edifactRepetitions), []byte(edifactNumbers), benchgen.Edifact(3),
		mustRead(t, "../../testdata/edifact/orders-d96a.edi")} {
		ts, err := ParseEDIFACT(in)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, ts...)
	}
	for _, tt := range tests {
		m := loadString(t, head+tt.fields)
		slow := withoutFastPath(m)
		for i, doc := range docs {
			want, werr := slow.Translate(doc)
			for round := range 2 { // the second with a pooled evaluator
				js, jerr := m.TranslateJSON(doc, nil)
				if errText(jerr) != errText(werr) || werr == nil && string(js) != string(want.AppendJSON(nil)) {
					t.Errorf("%s, doc %d, round %d: TranslateJSON\n%s\n%v\nwant\n%s\n%v", tt.name, i, round, js, jerr, want.AppendJSON(nil), werr)
				}
			}
			if got, err := m.Translate(doc); errText(err) != errText(werr) || !got.Equal(want) {
				t.Errorf("%s, doc %d: Translate %v %v, want %v %v", tt.name, i, got, err, want, werr)
			}
			_, ftr, _ := m.TranslateTrace(doc)
			_, str, _ := slow.TranslateTrace(doc)
			if len(ftr.Entries) != len(str.Entries) {
				t.Errorf("%s, doc %d: %d trace entries, want %d", tt.name, i, len(ftr.Entries), len(str.Entries))
				continue
			}
			for k, e := range ftr.Entries {
				w := str.Entries[k]
				e.Fast, w.Fast = false, false
				if e != w {
					t.Errorf("%s, doc %d: trace entry %d\n%+v\nwant\n%+v", tt.name, i, k, e, w)
				}
			}
		}
	}
}

// edifactNumbers has decimals that are not their own JSON numbers and
// values with spaces around them.
const edifactNumbers = "UNA:+.? 'UNB+UNOC:3+S:14+R:14+251126:1200+R3'UNH+1+ORDERS:D:96A:UN'BGM+220+ PO-9 +9'" +
	"FTX+ZZZ+++ one :  two  '" +
	"LIN+01++00123:EN'QTY+21:007.50:PCE'SG28'PRI+AAA:-0.50'LIN+2++9:EN'QTY+21:.5'PRI+AAA:1e3'UNS+S'UNT+9+1'UNZ+1+R3'"

// TestPlanEDI checks the op objectEDI evaluates each kind of field by:
// a field planned wrongly (opGeneral) would still map right, only
// slowly, so TestEDIFACTFormsMatchXPath cannot tell.
func TestPlanEDI(t *testing.T) {
	t.Parallel()
	m := loadString(t, `mapping: m
source: {standard: edifact}
timezone: UTC
fields:
  seg: BGM/BGM02
  pick: "PIA/*[*[2] = 'SA']/*[1]"
  pick2: "PIA/*[*[2] = 'IN']/*[1]"
  pick3: "PIA/*[*[2] = 'IN']/*[2]"
  path: SG7/CUX/CUX01/CUX01_02
  sub: {from: "substring(DTM[DTM01/DTM01_01='137']/DTM01/DTM01_02, 1, 8)", type: date}
  const: {const: x, when: "BGM/BGM01 = '220'"}
  fn: "concat(BGM/BGM02, 'x')"
  obj: {fields: {inner: BGM/BGM03}}
  items:
    foreach: SG25/LIN
    fields:
      self: LIN03/LIN03_01
      elem: LIN01
      other: "string-length(LIN01)"
`)
	want := map[string]uint8{"seg": opSeg, "pick": opPick, "pick2": opPick, "pick3": opSeg, "path": opPath, "sub": opSub, "const": opConst,
		"fn": opGeneral, "obj": opGeneral, "inner": opSeg, "items": opGeneral, "self": opSelf, "elem": opSelf, "other": opGeneral}
	var check func(fs []*field)
	check = func(fs []*field) {
		for _, f := range fs {
			if op, ok := want[f.name]; !ok || f.op != op {
				t.Errorf("%s: op %d, want %d", f.name, f.op, op)
			}
			delete(want, f.name)
			check(f.fields)
		}
	}
	check(m.fields)
	for name := range want {
		t.Errorf("no field %s", name)
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestShareSteps checks which conditions are asked as the step of a
// value of the same object (see shareSteps): those whose path with the
// compared value as a predicate is that step, and only those.
func TestShareSteps(t *testing.T) {
	t.Parallel()
	m := loadString(t, `mapping: m
source: {standard: edifact}
fields:
  lines:
    foreach: SG25
    fields:
      p: "SG28/PRI[PRI01/PRI01_01='AAB']/PRI01/PRI01_02"
      shared: {const: net, when: "SG28/PRI/PRI01/PRI01_01 = 'AAB'"}
      other: {const: net, when: "SG28/PRI/PRI01/PRI01_01 = 'AAC'"}
      q: "QTY[QTY01/QTY01_01='12' or QTY01/QTY01_01='22']/QTY01/QTY01_02"
      in: {const: x, when: "LIN and (QTY/QTY01/QTY01_01 = '12' or QTY/QTY01/QTY01_01 = '22')"}
      nested: {fields: {n: {const: x, when: "SG28/PRI/PRI01/PRI01_01 = 'AAB'"}}}
`)
	ops := map[string]byte{}
	for _, f := range m.fields[0].fields {
		if f.when != nil && f.when.edi != nil {
			c := f.when.edi
			if c.op == '&' {
				c = c.kids[len(c.kids)-1]
			}
			ops[f.name] = c.op
		}
	}
	for name, want := range map[string]byte{"shared": 'E', "other": '=', "in": 'E'} {
		if ops[name] != want {
			t.Errorf("%s: op %q, want %q", name, ops[name], want)
		}
	}
	if c := m.fields[0].fields[5].fields[0].when.edi; c.op != '=' {
		t.Errorf("a nested object's condition shares a step of its parent: op %q", c.op)
	}
}

// TestPickRunsEachDocument maps messages whose nodes are numbered alike
// (same segments, other texts) one after the other with one mapping, so
// with a pooled evaluator: a run of picks must find its texts in each
// document, not reuse those of the same context in the last one.
func TestPickRunsEachDocument(t *testing.T) {
	t.Parallel()
	m := loadString(t, `mapping: m
source: {standard: edifact}
fields:
  lines:
    foreach: SG25
    fields:
      sa: "PIA/*[*[2] = 'SA']/*[1]"
      in: "PIA/*[*[2] = 'IN']/*[1]"
`)
	msg := func(ref, sa, in string) string {
		return "UNH+" + ref + "+ORDERS:D:96A:UN'BGM+220+PO+9'LIN+1++1:EN'PIA+5+" + sa + ":SA+" + in + ":IN'UNS+S'UNT+6+" + ref + "'"
	}
	docs, err := ParseEDIFACT([]byte("UNA:+.? 'UNB+UNOC:3+S:14+R:14+251126:1200+1'" +
		msg("1", "A1", "B1") + msg("2", "A2", "B2") + msg("3", "A3", "B3") + "UNZ+3+1'"))
	if err != nil {
		t.Fatal(err)
	}
	for i, doc := range docs {
		js, err := m.TranslateJSON(doc, nil)
		want := fmt.Sprintf(`{"lines":[{"sa":"A%d","in":"B%d"}]}`, i+1, i+1)
		if err != nil || string(js) != want {
			t.Errorf("doc %d: %s %v, want %s", i, js, err, want)
		}
	}
}
