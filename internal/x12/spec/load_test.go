package spec

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// A minimal, valid version: the base every error case below breaks in one
// place. Line numbers in the expected errors refer to these texts.
const (
	minElements = `# test dictionary
"143": {name: Transaction Set Identifier Code, type: ID, min: 3, max: 3}
"329": {name: Transaction Set Control Number, type: AN, min: 4, max: 9}
"96": {name: Number of Included Segments, type: N0, min: 1, max: 10}
"355": {name: Unit or Basis for Measurement Code, type: ID, min: 2, max: 2}
"1018": {name: Exponent, type: R, min: 1, max: 15}
"649": {name: Multiplier, type: R, min: 1, max: 10}
`
	minComposites = `C001:
  name: Composite Unit of Measure
  components:
    - {ref: "355", usage: M}
    - {ref: "1018", usage: O}
    - {ref: "649", usage: O}
  rules: [C0302]
`
	minSegments = `ST:
  name: Transaction Set Header
  elements:
    - {ref: "143", usage: M}
    - {ref: "329", usage: M}
  rules: []
SE:
  name: Transaction Set Trailer
  elements:
    - {ref: "96", usage: M}
    - {ref: "329", usage: M}
MEA:
  name: Measurements
  elements:
    - {ref: "355", usage: O}
    - {ref: C001, usage: O}
  rules: [P0102]
`
	minCodes = `"355":
  "EA": Each
  "CA": Case
`
	minSet = `id: "999"
name: Test Set
functional_group: FA
sources: [unit test]
structure:
  - {segment: ST, pos: "010", usage: M, max: 1}
  - loop: MEA
    usage: O
    max: ">1"
    body:
      - {segment: MEA, pos: "020", usage: M, max: 1}
      - loop: ST
        usage: O
        max: 2
        body:
          - {segment: ST, pos: "030", usage: M, max: 1}
  - {segment: SE, pos: "040", usage: M, max: 1}
`
)

func minFS(overrides map[string]string) fstest.MapFS {
	files := map[string]string{
		"v/004010/elements.yaml":   minElements,
		"v/004010/composites.yaml": minComposites,
		"v/004010/segments.yaml":   minSegments,
		"v/004010/codes.yaml":      minCodes,
		"v/004010/999.yaml":        minSet,
	}
	for k, v := range overrides {
		if v == "" {
			delete(files, k)
			continue
		}
		files[k] = v
	}
	fsys := fstest.MapFS{}
	for k, v := range files {
		fsys[k] = &fstest.MapFile{Data: []byte(v)}
	}
	return fsys
}

func TestLoadFSMinimal(t *testing.T) {
	t.Parallel()
	fsys := minFS(nil)
	// An empty version folder (another version in preparation) and a
	// README beside the versions must not disturb loading.
	fsys["v/005010"] = &fstest.MapFile{Mode: 0o755 | 1<<31} // fs.ModeDir
	fsys["v/README.md"] = &fstest.MapFile{Data: []byte("# notes")}
	reg, err := LoadFS(fsys, "v")
	if err != nil {
		t.Fatalf("LoadFS: %v", err)
	}
	if got := reg.Versions(); !slices.Equal(got, []string{"004010"}) {
		t.Fatalf("Versions() = %v, want [004010]", got)
	}
	ts, ok := reg.Set("004010", "999")
	if !ok {
		t.Fatal("Set(004010, 999) not found")
	}
	if ts.Version != "004010" || ts.FunctionalGroup != "FA" || ts.Dict == nil {
		t.Errorf("set header = %q %q dict %v", ts.Version, ts.FunctionalGroup, ts.Dict != nil)
	}
	loop := ts.Structure[1]
	if !loop.IsLoop() || loop.Max != 0 || loop.Body[0].Def == nil || loop.Body[0].Def.ID != "MEA" {
		t.Errorf("MEA loop = %+v, want loop with unbounded max and resolved MEA", loop)
	}
	if inner := loop.Body[1]; !inner.IsLoop() || inner.Max != 2 || inner.Body[0].Def.ID != "ST" {
		t.Errorf("nested loop = %+v", inner)
	}
	mea := loop.Body[0].Def
	if mea.Elements[0].Element == nil || mea.Elements[0].Element.Type != "ID" {
		t.Errorf("MEA01 not resolved to element 355: %+v", mea.Elements[0])
	}
	c := mea.Elements[1].Composite
	if c == nil || c.ID != "C001" || c.Components[1].Element.ID != "1018" {
		t.Fatalf("MEA02 not resolved to composite C001: %+v", mea.Elements[1])
	}
	if want := (Rule{Kind: 'C', Positions: []int{3, 2}, Text: "C0302"}); !rulesEqual(c.Rules, []Rule{want}) {
		t.Errorf("C001 rules = %+v, want %+v", c.Rules, want)
	}
	d, _ := reg.Dictionary("004010")
	if d.Codes["355"]["EA"] != "Each" {
		t.Errorf("codes 355 = %v", d.Codes["355"])
	}
	if _, ok := reg.Set("005010", "999"); ok {
		t.Error("Set found in the empty 005010 folder")
	}
	if _, ok := reg.Dictionary("005010"); ok {
		t.Error("Dictionary found for the empty 005010 folder")
	}
}

func rulesEqual(a, b []Rule) bool {
	return slices.EqualFunc(a, b, func(x, y Rule) bool {
		return x.Kind == y.Kind && x.Text == y.Text && slices.Equal(x.Positions, y.Positions)
	})
}

func TestLoadFSErrors(t *testing.T) {
	t.Parallel()
	const (
		el  = "v/004010/elements.yaml"
		co  = "v/004010/composites.yaml"
		seg = "v/004010/segments.yaml"
		cod = "v/004010/codes.yaml"
		set = "v/004010/999.yaml"
	)
	tests := []struct {
		name     string
		override map[string]string
		want     string // the error text must contain this
	}{
		{
			name:     "unknown element in segment",
			override: map[string]string{seg: strings.Replace(minSegments, `{ref: "329", usage: M}`, `{ref: "3290", usage: M}`, 1)},
			want:     `v/004010/segments.yaml:5:13: ST02: unknown element or composite "3290"`,
		},
		{
			name:     "unknown composite in segment",
			override: map[string]string{seg: strings.Replace(minSegments, "ref: C001", "ref: C999", 1)},
			want:     `v/004010/segments.yaml:16:13: MEA02: unknown element or composite "C999"`,
		},
		{
			name:     "unknown element in composite",
			override: map[string]string{co: strings.Replace(minComposites, `"1018"`, `"1019"`, 1)},
			want:     `v/004010/composites.yaml:5:13: composite C001 component 2: unknown element or composite "1019"`,
		},
		{
			name:     "unknown segment in set",
			override: map[string]string{set: strings.Replace(minSet, "segment: MEA", "segment: MEX", 1)},
			want:     `v/004010/999.yaml:11:19: unknown segment "MEX"`,
		},
		{
			name:     "rule beyond the segment's elements",
			override: map[string]string{seg: strings.Replace(minSegments, "rules: [P0102]", "rules: [P0103]", 1)},
			want:     `v/004010/segments.yaml:17:11: segment MEA: syntax rule P0103 names position 03, but the segment has only 2 elements`,
		},
		{
			name:     "rule beyond the composite's components",
			override: map[string]string{co: strings.Replace(minComposites, "C0302", "C0402", 1)},
			want:     `v/004010/composites.yaml:7:11: composite C001: syntax rule C0402 names position 04, but the composite has only 3 components`,
		},
		{
			name:     "malformed rule",
			override: map[string]string{seg: strings.Replace(minSegments, "rules: [P0102]", "rules: [Q0102]", 1)},
			want:     `v/004010/segments.yaml:17:11: segment MEA: syntax rule "Q0102": kind 'Q' is not one of`,
		},
		{
			name: "loop whose first entry is a loop",
			override: map[string]string{set: strings.Replace(minSet,
				"      - {segment: MEA, pos: \"020\", usage: M, max: 1}\n", "", 1)},
			want: `v/004010/999.yaml:11:9: loop MEA: the first entry of a loop's body must be a segment`,
		},
		{
			name:     "loop not named after its first segment",
			override: map[string]string{set: strings.Replace(minSet, "loop: MEA", "loop: N1", 1)},
			want:     `v/004010/999.yaml:11:9: loop N1 begins with segment MEA; name a loop after its beginning segment`,
		},
		{
			name:     "unknown usage in segment",
			override: map[string]string{seg: strings.Replace(minSegments, `{ref: "355", usage: O}`, `{ref: "355", usage: Z}`, 1)},
			want:     `v/004010/segments.yaml:15:27: MEA01: unknown usage "Z" (use M, O or X)`,
		},
		{
			name:     "conditional usage as in bots",
			override: map[string]string{seg: strings.Replace(minSegments, `{ref: "355", usage: O}`, `{ref: "355", usage: C}`, 1)},
			want:     `v/004010/segments.yaml:15:27: MEA01: usage "C": write a conditional element as O`,
		},
		{
			name:     "unknown usage in structure",
			override: map[string]string{set: strings.Replace(minSet, `{segment: SE, pos: "040", usage: M`, `{segment: SE, pos: "040", usage: X`, 1)},
			want:     `v/004010/999.yaml:17:38: SE: unknown usage "X" (use M or O)`,
		},
		{
			name:     "unknown type",
			override: map[string]string{el: strings.Replace(minElements, "type: N0", "type: N", 1)},
			want:     `v/004010/elements.yaml:4:49: element 96: type "N" is not one of AN, ID, DT, TM, R, B, N0..N9`,
		},
		{
			name:     "min greater than max",
			override: map[string]string{el: strings.Replace(minElements, "min: 4, max: 9", "min: 10, max: 9", 1)},
			want:     `v/004010/elements.yaml:3:62: element 329: min 10 is greater than max 9`,
		},
		{
			name:     "max neither integer nor >1",
			override: map[string]string{set: strings.Replace(minSet, `max: ">1"`, `max: many`, 1)},
			want:     `v/004010/999.yaml:9:10: loop MEA max must be a non-negative integer, found "many"`,
		},
		{
			name:     "structure not starting with ST",
			override: map[string]string{set: strings.Replace(minSet, `{segment: ST, pos: "010", usage: M, max: 1}`, `{segment: MEA, pos: "010", usage: O, max: 1}`, 1)},
			want:     `v/004010/999.yaml:6:3: structure must start with segment ST`,
		},
		{
			name:     "set id not matching file",
			override: map[string]string{set: strings.Replace(minSet, `id: "999"`, `id: "998"`, 1)},
			want:     `v/004010/999.yaml:1:5: id "998" does not match the file name 999.yaml`,
		},
		{
			name:     "unknown key",
			override: map[string]string{set: strings.Replace(minSet, `max: 2`, `maxx: 2`, 1)},
			want:     `v/004010/999.yaml:14:9: unknown key "maxx" in a structure entry`,
		},
		{
			name:     "code list for unknown element",
			override: map[string]string{cod: minCodes + "\"98\":\n  \"BY\": Buying Party\n"},
			want:     `v/004010/codes.yaml:4:1: code list for unknown element "98"`,
		},
		{
			name:     "code longer than its element",
			override: map[string]string{cod: strings.Replace(minCodes, `"CA"`, `"CAS"`, 1)},
			want:     `v/004010/codes.yaml:3:3: code "CAS" of element 355 (Unit or Basis for Measurement Code) has length 3, outside the element's 2..2`,
		},
		{
			name:     "duplicate key",
			override: map[string]string{cod: minCodes + "  \"EA\": Each again\n"},
			want:     `v/004010/codes.yaml:4:3: not valid YAML: mapping key "EA" already defined at [2:3]`,
		},
		{
			name:     "not YAML",
			override: map[string]string{cod: "\"355\": {\"EA\": Each\n"},
			want:     `v/004010/codes.yaml:`,
		},
		{
			name:     "missing elements file",
			override: map[string]string{el: ""},
			want:     `v/004010/elements.yaml: missing`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := LoadFS(minFS(tt.override), "v")
			if err == nil {
				t.Fatalf("LoadFS succeeded, want error containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("LoadFS error:\n%v\nwant it to contain:\n%s", err, tt.want)
			}
			var le *LoadError
			if !errors.As(err, &le) {
				t.Errorf("error is not a *LoadError: %T", err)
			}
		})
	}
}

func TestParseRule(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		kind    byte
		pos     []int
		wantErr string
	}{
		{in: "P0304", kind: 'P', pos: []int{3, 4}},
		{in: "R020304", kind: 'R', pos: []int{2, 3, 4}},
		{in: "E0102", kind: 'E', pos: []int{1, 2}},
		{in: "C0405", kind: 'C', pos: []int{4, 5}},
		{in: "C0302", kind: 'C', pos: []int{3, 2}},
		{in: "L010203", kind: 'L', pos: []int{1, 2, 3}},
		{in: "P1011", kind: 'P', pos: []int{10, 11}},
		{in: "P03", wantErr: "at least two positions"},
		{in: "P030", wantErr: "two digits per position"},
		{in: "X0102", wantErr: "is not one of P"},
		{in: "L0102", wantErr: "at least two others"},
		{in: "P0a02", wantErr: "not a two-digit position"},
		{in: "P0003", wantErr: "position 00 does not exist"},
		{in: "R0303", wantErr: "names position 03 twice"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			r, err := ParseRule(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseRule(%q) error = %v, want %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseRule(%q): %v", tt.in, err)
			}
			if r.Kind != tt.kind || !slices.Equal(r.Positions, tt.pos) || r.String() != tt.in {
				t.Errorf("ParseRule(%q) = %c %v %q", tt.in, r.Kind, r.Positions, r.String())
			}
		})
	}
}
