package translate

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"

	"github.com/b2bgw/b2bgw/internal/mapping"
	"github.com/b2bgw/b2bgw/internal/x12"
	"github.com/b2bgw/b2bgw/mappings"
)

// RunTests runs the tests that live beside mappings and templates, found
// from paths as mapping.RunTests finds them (a directory is searched
// recursively). Inbound mapping tests are mapping.RunTests' (with CSV
// inputs split into rows for per-row targets such as CatalogItem); tests of
// outbound templates (a .test.yaml whose mapping: is a template) are run
// here: the input is a canonical JSON document and the expected file the
// X12 set (.x12/.edi, ST to SE, one segment a line) or CSV the template
// writes.
func RunTests(paths []string) ([]mapping.TestResult, error) {
	var specs, withFolders []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			switch {
			case strings.HasSuffix(p, ".test.yaml"):
				specs = append(specs, p)
			default:
				if s := strings.TrimSuffix(p, ".yaml") + ".test.yaml"; isFile(s) {
					specs = append(specs, s)
				}
				if isDir(caseDir(p)) {
					withFolders = append(withFolders, p)
				}
			}
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || !strings.HasSuffix(path, ".yaml") {
				return nil
			}
			if strings.HasSuffix(path, ".test.yaml") {
				specs = append(specs, path)
			} else if isDir(caseDir(path)) {
				withFolders = append(withFolders, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Strings(specs)
	var out []mapping.TestResult
	for _, s := range specs {
		rs, err := runSpec(s)
		if err != nil {
			return nil, err
		}
		out = append(out, rs...)
	}
	for _, m := range withFolders {
		rs, err := runFolders(m)
		if err != nil {
			return nil, err
		}
		out = append(out, rs...)
	}
	return out, nil
}

func caseDir(mapping string) string {
	return filepath.Join(filepath.Dir(mapping), "tests", strings.TrimSuffix(filepath.Base(mapping), ".yaml"))
}

func isDir(p string) bool  { st, err := os.Stat(p); return err == nil && st.IsDir() }
func isFile(p string) bool { st, err := os.Stat(p); return err == nil && !st.IsDir() }

// testSpec is the part of a .test.yaml this runner reads; mapping.RunTests
// checks the rest (and reports unknown keys) for inbound mappings.
type testSpec struct {
	Mapping string `yaml:"mapping"`
	Cases   []struct {
		Name     string   `yaml:"name"`
		Input    string   `yaml:"input"`
		Expected string   `yaml:"expected"`
		Error    []string `yaml:"-"`
	} `yaml:"cases"`
}

// target reads the mapping a .test.yaml names: its path and its kind.
func specTarget(spec string) (path, kind string, ts *testSpec, err error) {
	data, err := os.ReadFile(spec)
	if err != nil {
		return "", "", nil, err
	}
	ts = &testSpec{}
	// A malformed file is left to mapping.RunTests, which reports it
	// with line and column.
	_ = yaml.Unmarshal(data, ts)
	path = strings.TrimSuffix(spec, ".test.yaml") + ".yaml"
	if ts.Mapping != "" {
		path = filepath.Join(filepath.Dir(spec), ts.Mapping)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return path, "", ts, nil // mapping.RunTests reports the missing file
	}
	return path, mappings.KindOf(b), ts, nil
}

func runSpec(spec string) ([]mapping.TestResult, error) {
	path, kind, ts, err := specTarget(spec)
	if err != nil {
		return nil, err
	}
	if kind == "template" {
		return runTemplateSpec(spec, path, ts), nil
	}
	opts := ediParsers()
	if m, err := mapping.Load(path); err == nil && perRecord(m.Target) {
		opts = append(opts, mapping.WithParser(".csv", ParseRecords))
	}
	return mapping.RunTests([]string{spec}, opts...)
}

func runFolders(m string) ([]mapping.TestResult, error) {
	opts := ediParsers()
	if mm, err := mapping.Load(m); err == nil && perRecord(mm.Target) {
		opts = append(opts, mapping.WithParser(".csv", ParseRecords))
	}
	// mapping.RunTests over a mapping file also runs the <name>.test.yaml
	// beside it; those cases were run from the spec already, so only the
	// tests/<name>/<case>/ folder cases are kept here.
	rs, err := mapping.RunTests([]string{m}, opts...)
	if err != nil {
		return nil, err
	}
	spec := strings.TrimSuffix(m, ".yaml") + ".test.yaml"
	if !isFile(spec) {
		return rs, nil
	}
	dir := caseDir(m)
	var out []mapping.TestResult
	for _, r := range rs {
		if strings.HasPrefix(r.Input, dir+string(filepath.Separator)) || r.Case == "(load)" {
			out = append(out, r)
		}
	}
	return out, nil
}

// runTemplateSpec runs the cases of an outbound template.
func runTemplateSpec(spec, path string, ts *testSpec) []mapping.TestResult {
	t, err := mapping.LoadTemplate(path)
	if err != nil {
		return []mapping.TestResult{{Mapping: path, Case: "(load)", Err: err}}
	}
	if len(ts.Cases) == 0 {
		return []mapping.TestResult{{Mapping: spec, Case: "(test file)", Err: fmt.Errorf("%s: no cases: list them under cases: with input: and expected:", spec)}}
	}
	var out []mapping.TestResult
	for i, c := range ts.Cases {
		name := c.Name
		if name == "" {
			name = fmt.Sprintf("case %d", i+1)
		}
		res := mapping.TestResult{Mapping: t.File, Case: name}
		if c.Input == "" || c.Expected == "" {
			res.Err = fmt.Errorf("%s: case %q: a template case needs input: (canonical JSON) and expected: (the output)", spec, name)
			out = append(out, res)
			continue
		}
		res.Input = filepath.Join(filepath.Dir(spec), c.Input)
		expected := filepath.Join(filepath.Dir(spec), c.Expected)
		got, err := RenderTemplate(t, res.Input)
		if err != nil {
			res.Err = err
			out = append(out, res)
			continue
		}
		want, err := os.ReadFile(expected)
		if err != nil {
			res.Err = err
			out = append(out, res)
			continue
		}
		if !bytes.Equal(bytes.ReplaceAll(want, []byte("\r\n"), []byte("\n")), got) {
			res.Diff = mapping.Diff(string(want), string(got))
		} else {
			res.Passed = true
		}
		out = append(out, res)
	}
	return out
}

// RenderTemplate writes the canonical JSON document in file through t:
// an X12 set (ST to SE, control number 0001, default delimiters, one
// segment a line) or CSV.
func RenderTemplate(t *mapping.Template, file string) ([]byte, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	v, err := mapping.ParseJSON(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	var b bytes.Buffer
	switch t.Target.Standard {
	case "x12":
		// The segments are written first so SE01 can count them; the
		// gateway writes sets inside its envelopes with WriteX12.
		var body bytes.Buffer
		w := x12.NewWriter(&body, x12.DefaultDelimiters, x12.WithLineBreak("\n"))
		if err := t.WriteSegments(w, mapping.ValueTree(v)); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		if err := w.Flush(); err != nil {
			return nil, err
		}
		n := bytes.Count(body.Bytes(), []byte("\n"))
		env := x12.NewWriter(&b, x12.DefaultDelimiters, x12.WithLineBreak("\n"))
		env.WriteSegment("ST", t.Target.Set, "0001")
		env.Flush()
		b.Write(body.Bytes())
		env.WriteSegment("SE", strconv.Itoa(n+2), "0001")
		if err := env.Flush(); err != nil {
			return nil, err
		}
	case "edifact":
		return renderEDIFACT(t, file, v)
	case "csv":
		if err := t.WriteCSV(&b, mapping.ValueTree(v)); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
	default:
		return nil, errors.New(t.File + ": templates write x12, edifact or csv")
	}
	return b.Bytes(), nil
}
