package spec

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
)

const svcDir = `id: S3
syntax: 3
sources: [test]
`
const svcElements = `"0062": {name: Message reference number, format: an..14}
"0065": {name: Message type, format: an..6}
"0074": {name: Number of segments in a message, format: n..6}
`
const svcComposites = `S009:
  name: MESSAGE IDENTIFIER
  components:
    - {pos: "010", ref: "0065", status: M}
`
const svcSegments = `UNH:
  name: MESSAGE HEADER
  elements:
    - {pos: "010", ref: "0062", status: M}
    - {pos: "020", ref: "S009", status: M}
UNT:
  name: MESSAGE TRAILER
  elements:
    - {pos: "010", ref: "0074", status: M}
    - {pos: "020", ref: "0062", status: M}
`

func testFS(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{
		"d/S3/directory.yaml":   {Data: []byte(svcDir)},
		"d/S3/elements.yaml":    {Data: []byte(svcElements)},
		"d/S3/composites.yaml":  {Data: []byte(svcComposites)},
		"d/S3/segments.yaml":    {Data: []byte(svcSegments)},
		"d/D96A/directory.yaml": {Data: []byte("id: D96A\nsyntax: 3\nsources: [test]\n")},
		"d/D96A/elements.yaml": {Data: []byte(`"1225": {name: "Message function, coded", format: an..3}
"1004": {name: Document/message number, format: an..35}
`)},
		"d/D96A/segments.yaml": {Data: []byte(`BGM:
  name: BEGINNING OF MESSAGE
  elements:
    - {pos: "010", ref: "1004", status: C}
    - {pos: "020", ref: "1225", status: C}
`)},
		"d/D96A/codes.yaml": {Data: []byte(`"1225":
  complete: true
  note: test
  codes: {"9": Original}
`)},
		"d/D96A/ORDERS.yaml": {Data: []byte(`type: ORDERS
name: Purchase order message
version: D
release: 96A
agency: UN
sources: [test]
structure:
  - {segment: UNH, status: M, max: 1}
  - {segment: BGM, status: M, max: 1}
  - group: SG1
    status: C
    max: 10
    body:
      - {segment: BGM, status: M, max: 1}
  - {segment: UNT, status: M, max: 1}
`)},
	}
	for k, v := range files {
		if v == "" {
			delete(fsys, k)
			continue
		}
		fsys[k] = &fstest.MapFile{Data: []byte(v)}
	}
	return fsys
}

func TestLoadFSGood(t *testing.T) {
	reg, err := LoadFS(testFS(nil), "d")
	if err != nil {
		t.Fatal(err)
	}
	m, ok := reg.Message("D96A", "ORDERS")
	if !ok || len(m.Structure) != 4 || m.Structure[0].Def == nil || !m.Structure[0].Def.Service || m.Structure[2].Body[0].Def == nil {
		t.Fatalf("ORDERS = %+v", m)
	}
	d, _ := reg.Directory("D96A")
	if el, _ := d.Element("0062"); el == nil || el.Format.Max != 14 {
		t.Errorf("service element not found through the directory")
	}
	if cl, _ := d.Code("1225"); cl == nil || !cl.Complete || cl.Codes["9"] != "Original" {
		t.Errorf("codes = %+v", cl)
	}
}

func TestLoadFSErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"bad format", map[string]string{"d/D96A/elements.yaml": "\"1225\": {name: x, format: an..3}\n\"1004\": {name: y, format: x35}\n"},
			`d/D96A/elements.yaml:2:27: element 1004: format "x35" must start with a, n or an`},
		{"unknown ref", map[string]string{"d/D96A/segments.yaml": "BGM:\n  name: B\n  elements:\n    - {pos: \"010\", ref: \"9999\", status: C}\n"},
			`d/D96A/segments.yaml:4:25: segment BGM position 1: unknown element or composite "9999"`},
		{"position gap", map[string]string{"d/D96A/segments.yaml": "BGM:\n  name: B\n  elements:\n    - {pos: \"010\", ref: \"1004\", status: C}\n    - {pos: \"030\", ref: \"1225\", status: C}\n"},
			`d/D96A/segments.yaml:5:13: segment BGM position 2: pos 030 where 020 was expected`},
		{"bad status", map[string]string{"d/D96A/segments.yaml": "BGM:\n  name: B\n  elements:\n    - {pos: \"010\", ref: \"1004\", status: O}\n"},
			`d/D96A/segments.yaml:4:41: segment BGM position 1: unknown status "O" (use M or C)`},
		{"unknown segment", map[string]string{"d/D96A/ORDERS.yaml": "type: ORDERS\nname: x\nversion: D\nrelease: 96A\nagency: UN\nsources: [t]\nstructure:\n  - {segment: UNH, status: M, max: 1}\n  - {segment: XYZ, status: C, max: 1}\n  - {segment: UNT, status: M, max: 1}\n"},
			`d/D96A/ORDERS.yaml:9:15: unknown segment "XYZ"`},
		{"trigger", map[string]string{"d/D96A/ORDERS.yaml": "type: ORDERS\nname: x\nversion: D\nrelease: 96A\nagency: UN\nsources: [t]\nstructure:\n  - {segment: UNH, status: M, max: 1}\n  - group: SG1\n    status: C\n    max: 2\n    body:\n      - {segment: BGM, status: C, max: 1}\n  - {segment: UNT, status: M, max: 1}\n"},
			`d/D96A/ORDERS.yaml:13:9: group SG1: the trigger segment of a group has status M and max 1`},
		{"code too long", map[string]string{"d/D96A/codes.yaml": "\"1225\":\n  complete: true\n  codes: {\"9999\": x}\n"},
			`d/D96A/codes.yaml:3:11: code "9999" of element 1225`},
		{"wrong directory", map[string]string{"d/D96A/ORDERS.yaml": "type: ORDERS\nname: x\nversion: D\nrelease: 01B\nagency: UN\nsources: [t]\nstructure:\n  - {segment: UNH, status: M, max: 1}\n  - {segment: UNT, status: M, max: 1}\n"},
			`d/D96A/ORDERS.yaml:3:10: version D release 01B do not name directory D96A`},
		{"unknown key", map[string]string{"d/D96A/elements.yaml": "\"1225\": {name: x, format: an..3, fromat: a}\n\"1004\": {name: y, format: an..35}\n"},
			`d/D96A/elements.yaml:1:34: unknown key "fromat"`},
		{"service redefined", map[string]string{"d/D96A/segments.yaml": "BGM:\n  name: B\n  elements:\n    - {pos: \"010\", ref: \"1004\", status: C}\nUNH:\n  name: H\n  elements:\n    - {pos: \"010\", ref: \"1004\", status: C}\n"},
			`d/D96A/segments.yaml:5:1: segment UNH is a service segment of S3`},
		{"no service dir", map[string]string{"d/D96A/directory.yaml": "id: D96A\nsyntax: 4\nsources: [t]\n"},
			`d/D96A/directory.yaml:2:9: syntax 4: there is no service directory S4`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadFS(testFS(tc.files), "d")
			if err == nil {
				t.Fatal("loaded")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error\n%v\nwant it to contain\n%s", err, tc.want)
			}
			var le *LoadError
			if !errors.As(err, &le) {
				t.Errorf("not a *LoadError: %T", err)
			}
		})
	}
}

func TestParseFormat(t *testing.T) {
	for s, want := range map[string]Format{
		"an..35": {Alphanumeric, 1, 35, false}, "n..15": {Numeric, 1, 15, false}, "a3": {Alpha, 3, 3, true},
		"n8": {Numeric, 8, 8, true}, "an1": {Alphanumeric, 1, 1, true}, "a..35": {Alpha, 1, 35, false},
	} {
		got, err := ParseFormat(s)
		if err != nil || got != want || got.String() != s {
			t.Errorf("ParseFormat(%q) = %+v, %v", s, got, err)
		}
	}
	for _, s := range []string{"", "x3", "an..", "an..0", "n..-1", "an3.5"} {
		if _, err := ParseFormat(s); err == nil {
			t.Errorf("ParseFormat(%q) accepted", s)
		}
	}
}
