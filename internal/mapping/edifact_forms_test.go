package mapping

import (
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
	}
	var docs []Tree
	for _, in := range [][]byte{[]byte(fastEDIFACT), []byte(edifactOddities), []byte(edifactRepetitions), benchgen.Edifact(3),
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
