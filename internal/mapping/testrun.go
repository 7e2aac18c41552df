package mapping

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Mapping tests live beside the mapping, so the analyst who changes a
// mapping runs its examples with `b2bgw test` (and CI runs them all). Two
// forms, described with examples in docs/mappings.md:
//
//   - <name>.test.yaml next to <name>.yaml lists cases, each an input file
//     and either an expected JSON file or the text the error must contain.
//   - a folder tests/<name>/<case>/ next to <name>.yaml holding input.* and
//     expected.json (or expected-error.txt: lines the error must contain)
//     is one case per folder.
//
// The input's extension picks its parser: .x12/.edi (every transaction
// set, shaped by the built-in specs), .csv, .xml and .json are built in;
// WithParser adds or replaces one.

// TestResult is one case's outcome.
type TestResult struct {
	Mapping string // mapping file
	Case    string // case name
	Input   string // input file
	Passed  bool
	// Diff is a readable line diff of expected and actual output (or
	// error text) when the case failed on content.
	Diff string
	// Err is set when the case could not run (unreadable input, mapping
	// that does not load) or failed with an unexpected error.
	Err error
}

// Parser turns an input file into the documents it holds (an X12 file may
// hold several transaction sets).
type Parser func(name string, data []byte) ([]Tree, error)

// RunOption configures RunTests.
type RunOption func(*runner)

// WithParser registers the parser for inputs whose name ends in ext
// (".x12", ".csv" …).
func WithParser(ext string, p Parser) RunOption {
	return func(r *runner) { r.parsers[strings.ToLower(ext)] = p }
}

type runner struct {
	parsers map[string]Parser
}

// RunTests runs the mapping tests found from paths: a mapping file (its
// <name>.test.yaml and tests/<name>/ cases), a .test.yaml file, or a
// directory (searched recursively). The error is for paths that cannot be
// read at all; a failing case is a TestResult with Passed false.
func RunTests(paths []string, opts ...RunOption) ([]TestResult, error) {
	r := &runner{parsers: map[string]Parser{
		".xml": func(_ string, data []byte) ([]Tree, error) {
			t, err := ParseXML(bytes.NewReader(data))
			return []Tree{t}, err
		},
		".json": func(_ string, data []byte) ([]Tree, error) {
			v, err := ParseJSON(data)
			return []Tree{ValueTree(v)}, err
		},
		".x12": func(_ string, data []byte) ([]Tree, error) { return ParseX12(data) },
		".edi": func(_ string, data []byte) ([]Tree, error) { return ParseX12(data) },
		".csv": func(_ string, data []byte) ([]Tree, error) {
			t, err := ParseCSV(data)
			return []Tree{t}, err
		},
	}}
	for _, o := range opts {
		o(r)
	}
	var specs []string // .test.yaml files
	var mappings []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if st.IsDir() {
			err := filepath.WalkDir(p, func(path string, d os.DirEntry, err error) error {
				if err != nil {
					return err
				}
				if d.IsDir() || !strings.HasSuffix(path, ".yaml") {
					return nil
				}
				if strings.HasSuffix(path, ".test.yaml") {
					specs = append(specs, path)
				} else if dir := caseDir(path); isDir(dir) {
					mappings = append(mappings, path)
				}
				return nil
			})
			if err != nil {
				return nil, err
			}
			continue
		}
		if strings.HasSuffix(p, ".test.yaml") {
			specs = append(specs, p)
			continue
		}
		if spec := strings.TrimSuffix(p, ".yaml") + ".test.yaml"; isFile(spec) {
			specs = append(specs, spec)
		}
		mappings = append(mappings, p)
	}
	var out []TestResult
	for _, s := range specs {
		out = append(out, r.runSpec(s)...)
	}
	for _, m := range mappings {
		out = append(out, r.runFolders(m)...)
	}
	return out, nil
}

func caseDir(mapping string) string {
	return filepath.Join(filepath.Dir(mapping), "tests", strings.TrimSuffix(filepath.Base(mapping), ".yaml"))
}

func isDir(p string) bool  { st, err := os.Stat(p); return err == nil && st.IsDir() }
func isFile(p string) bool { st, err := os.Stat(p); return err == nil && !st.IsDir() }

var testSpecKeys = []keyDecl{
	{name: "mapping", kind: kText, doc: "Mapping under test, relative to this file; default <name>.yaml."},
	{name: "cases", kind: kList, ref: "testCase", doc: "The cases."},
}

var testCaseKeys = []keyDecl{
	{name: "name", kind: kText, doc: "Case name."},
	{name: "input", kind: kText, doc: "Input file, relative to this file."},
	{name: "expected", kind: kText, doc: "Expected output JSON file."},
	{name: "error", kind: kTexts, doc: "Text(s) the error must contain, for cases that must be rejected."},
}

func (r *runner) runSpec(spec string) []TestResult {
	fail := func(err error) []TestResult {
		return []TestResult{{Mapping: spec, Case: "(test file)", Err: err}}
	}
	data, err := os.ReadFile(spec)
	if err != nil {
		return fail(err)
	}
	var d diag
	body, ok := parseYAML(&d, spec, data)
	if !ok {
		return fail(d.err())
	}
	es, _ := entries(&d, spec, body, "the test file", testSpecKeys)
	mapping := strings.TrimSuffix(spec, ".test.yaml") + ".yaml"
	if e := get(es, "mapping"); e != nil {
		if s, ok := e.text(&d); ok {
			mapping = filepath.Join(filepath.Dir(spec), s)
		}
	}
	type tcase struct {
		name, input, expected string
		errs                  []string
	}
	var cases []tcase
	if e := get(es, "cases"); e != nil {
		items, _ := sequenceItems(&d, e)
		for i, it := range items {
			ces, _ := entries(&d, spec, it, "a case", testCaseKeys)
			c := tcase{name: fmt.Sprintf("case %d", i+1)}
			for _, ce := range ces {
				switch ce.key {
				case "name":
					c.name, _ = ce.text(&d)
				case "input":
					s, _ := ce.text(&d)
					c.input = filepath.Join(filepath.Dir(spec), s)
				case "expected":
					s, _ := ce.text(&d)
					c.expected = filepath.Join(filepath.Dir(spec), s)
				case "error":
					c.errs, _ = ce.texts(&d)
				}
			}
			if c.input == "" || (c.expected == "") == (c.errs == nil) {
				d.at(spec, it, "a case needs input: and exactly one of expected: or error:")
			}
			cases = append(cases, c)
		}
	}
	if err := d.err(); err != nil {
		return fail(err)
	}
	m, err := Load(mapping)
	if err != nil {
		return []TestResult{{Mapping: mapping, Case: "(load)", Err: err}}
	}
	var out []TestResult
	for _, c := range cases {
		out = append(out, r.runCase(m, c.name, c.input, c.expected, c.errs))
	}
	return out
}

func sequenceItems(d *diag, e *entry) ([]astNode, bool) {
	seq, ok := asSequence(e.val)
	if !ok {
		d.at(e.file, e.val, "%s must be a list", e.key)
	}
	return seq, ok
}

func (r *runner) runFolders(mapping string) []TestResult {
	dir := caseDir(mapping)
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []TestResult
	var m *Mapping
	for _, ent := range ents {
		if !ent.IsDir() {
			continue
		}
		cdir := filepath.Join(dir, ent.Name())
		inputs, _ := filepath.Glob(filepath.Join(cdir, "input.*"))
		sort.Strings(inputs)
		if len(inputs) != 1 {
			out = append(out, TestResult{Mapping: mapping, Case: ent.Name(), Err: fmt.Errorf("%s: want exactly one input.* file, found %d", cdir, len(inputs))})
			continue
		}
		if m == nil {
			if m, err = Load(mapping); err != nil {
				return append(out, TestResult{Mapping: mapping, Case: "(load)", Err: err})
			}
		}
		expected := filepath.Join(cdir, "expected.json")
		var errs []string
		if b, err := os.ReadFile(filepath.Join(cdir, "expected-error.txt")); err == nil {
			for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
				if l = strings.TrimSpace(l); l != "" {
					errs = append(errs, l)
				}
			}
			expected = ""
		}
		out = append(out, r.runCase(m, ent.Name(), inputs[0], expected, errs))
	}
	return out
}

func (r *runner) runCase(m *Mapping, name, input, expected string, wantErrs []string) TestResult {
	res := TestResult{Mapping: m.File, Case: name, Input: input}
	data, err := os.ReadFile(input)
	if err != nil {
		res.Err = err
		return res
	}
	parse, ok := r.parsers[strings.ToLower(filepath.Ext(input))]
	if !ok {
		res.Err = fmt.Errorf("%s: no parser for %s inputs", input, filepath.Ext(input))
		return res
	}
	trees, err := parse(input, data)
	if err != nil {
		res.Err = fmt.Errorf("%s: %w", input, err)
		return res
	}
	var outs []Value
	var terr error
	for _, t := range trees {
		v, err := m.Translate(t)
		if err != nil {
			terr = errors.Join(terr, err)
			continue
		}
		outs = append(outs, v)
	}
	if wantErrs != nil {
		if terr == nil {
			res.Diff = "the input was expected to be rejected, but it mapped"
			return res
		}
		var missing []string
		for _, w := range wantErrs {
			if !strings.Contains(terr.Error(), w) {
				missing = append(missing, w)
			}
		}
		if missing != nil {
			res.Diff = Diff(strings.Join(missing, "\n"), terr.Error())
			return res
		}
		res.Passed = true
		return res
	}
	if terr != nil {
		res.Err = terr
		return res
	}
	got := outs[0]
	if len(outs) > 1 {
		got = Arr(outs...)
	}
	want, err := os.ReadFile(expected)
	if err != nil {
		res.Err = err
		return res
	}
	wantN, err := normalizeJSON(want)
	if err != nil {
		res.Err = fmt.Errorf("%s: %w", expected, err)
		return res
	}
	gotN, err := normalizeJSON(got.AppendJSON(nil))
	if err != nil {
		res.Err = err
		return res
	}
	if wantN != gotN {
		res.Diff = Diff(wantN, gotN)
		return res
	}
	res.Passed = true
	return res
}

// normalizeJSON indents JSON with sorted keys so a hand-written expected
// file compares by content, not key order, while numbers keep their exact
// text (12.50 is not 12.5: the canonical Decimal keeps digits).
func normalizeJSON(b []byte) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", err
	}
	out, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return "", err
	}
	return string(out) + "\n", nil
}
