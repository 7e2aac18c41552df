package mapping

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
)

const head = "mapping: m\nsource: {standard: x12}\n"

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		files map[string]string // m.yaml is loaded
		want  []string          // each must appear as a whole line of the error
	}{
		{
			name:  "unknown key suggests the closest",
			files: map[string]string{"m.yaml": head + "fields:\n  a: {form: BEG/BEG03}\n"},
			want:  []string{`m.yaml:4:7: unknown key "form" in field a; did you mean "from"?`},
		},
		{
			name:  "unknown top-level key lists nothing close",
			files: map[string]string{"m.yaml": head + "zzz: 1\nfields: {a: X}\n"},
			want:  []string{`m.yaml:3:1: unknown key "zzz" in the mapping; known keys: mapping, description, extends, source, target, timezone, codelists, fields`},
		},
		{
			name:  "wrong type",
			files: map[string]string{"m.yaml": head + "fields:\n  a: {from: X, required: sometimes}\n"},
			want:  []string{`m.yaml:4:26: required must be true or false`},
		},
		{
			name:  "XPath that does not compile",
			files: map[string]string{"m.yaml": head + "fields:\n  a: {from: \"BEG[[\"}\n"},
			want:  []string{`m.yaml:4:13: from: XPath "BEG[[" does not compile:`},
		},
		{
			name:  "unknown code list name",
			files: map[string]string{"m.yaml": head + "codelists: {uom: {codes: {EA: EA}}}\nfields:\n  a: {from: X, codes: uoms}\n"},
			want:  []string{`m.yaml:5:23: no code list "uoms" in codelists:; did you mean "uom"?`},
		},
		{
			name:  "missing code list file",
			files: map[string]string{"m.yaml": head + "codelists: {uom: lists/nope.yaml}\nfields: {a: X}\n"},
			want:  []string{`m.yaml:3:18: cannot read code list:`},
		},
		{
			name: "extends cycle",
			files: map[string]string{
				"m.yaml": head + "extends: b.yaml\nfields: {a: X}\n",
				"b.yaml": "mapping: b\nextends: m.yaml\nfields: {b: X}\n",
			},
			want: []string{`b.yaml:2:10: extends makes a cycle: m.yaml → b.yaml → m.yaml`},
		},
		{
			name:  "pair range ends on a qualifier",
			files: map[string]string{"m.yaml": head + "fields:\n  g: {pair: {segment: PO1, first: 6, last: 24, qualifier: UP}}\n"},
			want:  []string{`m.yaml:4:44: pair 6..24 is an odd number of elements;`},
		},
		{
			name:  "pair segment must be a plain path",
			files: map[string]string{"m.yaml": head + "fields:\n  g: {pair: {segment: \"//PO1\", first: 6, last: 7, qualifier: UP}}\n"},
			want:  []string{`m.yaml:4:23: pair segment must be a plain path`},
		},
		{
			name:  "implied needs decimals",
			files: map[string]string{"m.yaml": head + "fields:\n  p: {from: X, type: implied}\n"},
			want:  []string{`m.yaml:4:22: type: implied needs decimals:`},
		},
		{
			name:  "datetime needs a timezone",
			files: map[string]string{"m.yaml": head + "fields:\n  d: {from: X, type: datetime}\n"},
			want:  []string{`m.yaml:4:22: type: datetime needs the mapping's timezone:`},
		},
		{
			name:  "unknown type suggests",
			files: map[string]string{"m.yaml": head + "fields:\n  d: {from: X, type: decmal}\n"},
			want:  []string{`m.yaml:4:22: type "decmal" is not one of string, decimal, integer, implied, date, datetime, time, boolean; did you mean "decimal"?`},
		},
		{
			name:  "two sources",
			files: map[string]string{"m.yaml": head + "fields:\n  d: {from: X, const: 1}\n"},
			want:  []string{`m.yaml:4:3: field "d" has from and const: write only one of from, const and pair`},
		},
		{
			name:  "key without effect",
			files: map[string]string{"m.yaml": head + "fields:\n  d: {const: 1, type: decimal}\n"},
			want:  []string{`m.yaml:4:17: type has no effect with const: a constant is written as it is`},
		},
		{
			name:  "bad timezone",
			files: map[string]string{"m.yaml": head + "timezone: Central\nfields: {a: X}\n"},
			want:  []string{`m.yaml:3:11: timezone "Central" is not an IANA zone name such as America/Chicago`},
		},
		{
			name:  "remove without extends",
			files: map[string]string{"m.yaml": head + "fields:\n  a: {remove: true}\n"},
			want:  []string{`m.yaml:4:7: remove: only drops a field inherited through extends; this mapping extends nothing`},
		},
		{
			name:  "remove of a field the base lacks",
			files: map[string]string{"m.yaml": head + "extends: b.yaml\nfields:\n  zz: {remove: true}\n", "b.yaml": head + "fields: {a: X}\n"},
			want:  []string{`m.yaml:5:3: remove: the mapping this one extends has no field "zz"`},
		},
		{
			name:  "not YAML",
			files: map[string]string{"m.yaml": "mapping: [unclosed\n"},
			want:  []string{`m.yaml:1:10: not valid YAML:`},
		},
		{
			name:  "missing required top-level keys",
			files: map[string]string{"m.yaml": "target: Order\n"},
			want:  []string{`m.yaml:1:1: missing mapping: <id>`, `m.yaml:1:1: missing source: {standard: …}`, `m.yaml:1:1: missing fields:`},
		},
		{
			name:  "bad standard",
			files: map[string]string{"m.yaml": "mapping: m\nsource: {standard: x21}\nfields: {a: X}\n"},
			want:  []string{`m.yaml:2:20: standard "x21" is not one of x12, edifact, csv, xml, json; did you mean "x12"?`},
		},
		{
			name:  "code list cycle",
			files: map[string]string{"m.yaml": head + "codelists: {u: a.yaml}\nfields: {a: X}\n", "a.yaml": "extends: b.yaml\ncodes: {A: a}\n", "b.yaml": "extends: a.yaml\ncodes: {B: b}\n"},
			want:  []string{`b.yaml:1:10: code list extends makes a cycle: a.yaml → b.yaml → a.yaml`},
		},
		{
			name:  "bad date format",
			files: map[string]string{"m.yaml": head + "fields:\n  d: {from: X, type: date, format: MM/DD/CCYQ}\n"},
			want:  []string{`m.yaml:4:36: format "MM/DD/CCYQ": unexpected 'C' at 7;`},
		},
		{
			name:  "foreach needs content",
			files: map[string]string{"m.yaml": head + "fields:\n  l: {foreach: PO1Loop}\n"},
			want:  []string{`m.yaml:4:3: field "l": foreach needs fields:`},
		},
		{
			name:  "every error in one run",
			files: map[string]string{"m.yaml": head + "fields:\n  a: {form: X}\n  b: {from: X, type: nope}\n"},
			want:  []string{`m.yaml:4:7: unknown key "form"`, `m.yaml:5:22: type "nope" is not one of`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fsys := fstest.MapFS{}
			for name, body := range tc.files {
				fsys[name] = &fstest.MapFile{Data: []byte(body)}
			}
			_, err := LoadFS(fsys, "m.yaml")
			if err == nil {
				t.Fatal("loaded without error")
			}
			var les LoadErrors
			if !errors.As(err, &les) {
				t.Fatalf("%T is not LoadErrors", err)
			}
			for _, w := range tc.want {
				found := false
				for _, line := range strings.Split(err.Error(), "\n") {
					if strings.HasPrefix(line, w) {
						found = true
					}
				}
				if !found {
					t.Errorf("no error line starts with\n  %s\ngot:\n  %s", w, strings.ReplaceAll(err.Error(), "\n", "\n  "))
				}
			}
		})
	}
}

// TestLoadOK checks that the valid forms load: the shorthand field, inline
// code lists, a code-list overlay, YAML-typed constants.
func TestLoadOK(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"m.yaml": {Data: []byte(head + `timezone: Europe/Berlin
codelists:
  u: lists/u.yaml
fields:
  a: BEG/BEG03
  n: {const: 3}
  s: {const: "3"}
  z: {const: 010}
  b: {const: true}
  q: {from: X, codes: u}
  w: {from: X, type: datetime, format: "CCYY-MM-DD HH:MI"}
`)},
		"lists/u.yaml":    {Data: []byte("extends: base.yaml\ncodes: {BX: CS}\n")},
		"lists/base.yaml": {Data: []byte("default: EA\ncodes: {\"01\": EA}\n")},
	}
	m, err := LoadFS(fsys, "m.yaml")
	if err != nil {
		t.Fatal(err)
	}
	consts := map[string]string{"n": `3`, "s": `"3"`, "z": `"010"`, "b": `true`}
	for _, f := range m.fields {
		if want, ok := consts[f.name]; ok {
			if got := f.constV.String(); got != want {
				t.Errorf("const %s = %s, want %s", f.name, got, want)
			}
		}
		if f.name == "q" {
			for code, want := range map[string]string{"01": "EA", "BX": "CS", "??": "EA"} {
				if v, ok := f.codes.lookup(code); !ok || v.Text() != want {
					t.Errorf("code %s = %v, want %s", code, v, want)
				}
			}
		}
	}
	if m.Timezone().String() != "Europe/Berlin" {
		t.Errorf("timezone %v", m.Timezone())
	}
}
