package mapping

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/b2bgw/b2bgw/internal/x12"
)

const docPath = "../../docs/mappings.md"

type docBlock struct {
	lang, file, run string
	line            int
	body            string
}

// docBlocks returns the fenced code blocks of the doc with their info
// string attributes (```yaml file=base-850.yaml run=map:input).
func docBlocks(t *testing.T) []docBlock {
	t.Helper()
	data, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	var out []docBlock
	var cur *docBlock
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.HasPrefix(line, "```") {
			if cur != nil {
				out = append(out, *cur)
				cur = nil
				continue
			}
			fields := strings.Fields(strings.TrimPrefix(line, "```"))
			cur = &docBlock{line: n}
			for i, f := range fields {
				switch {
				case i == 0 && !strings.Contains(f, "="):
					cur.lang = f
				case strings.HasPrefix(f, "file="):
					cur.file = strings.TrimPrefix(f, "file=")
				case strings.HasPrefix(f, "run="):
					cur.run = strings.TrimPrefix(f, "run=")
				}
			}
			continue
		}
		if cur != nil {
			cur.body += line + "\n"
		}
	}
	if cur != nil {
		t.Fatalf("%s:%d: unclosed code block", docPath, cur.line)
	}
	return out
}

// TestDocExamples runs docs/mappings.md: every YAML example is a file that
// must load (mappings, templates, test files), and every run= block is the
// exact output of running a mapping or template over an example input.
func TestDocExamples(t *testing.T) {
	dir := t.TempDir()
	blocks := docBlocks(t)
	for _, b := range blocks {
		if b.lang == "yaml" && b.file == "" {
			t.Errorf("%s:%d: a yaml example without file= is not run by this test; name it", docPath, b.line)
		}
		if b.file == "" {
			continue
		}
		p := filepath.Join(dir, filepath.FromSlash(b.file))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(b.body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, b := range blocks {
		if b.lang != "yaml" || b.file == "" {
			continue
		}
		p := filepath.Join(dir, b.file)
		switch {
		case strings.HasSuffix(b.file, ".test.yaml"):
			res, err := RunTests([]string{p})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range res {
				if !r.Passed {
					t.Errorf("%s:%d: case %q failed: %v\n%s", docPath, b.line, r.Case, r.Err, r.Diff)
				}
			}
		case strings.Contains(b.body, "\ntemplate:") || strings.HasPrefix(b.body, "template:"):
			if _, err := LoadTemplate(p); err != nil {
				t.Errorf("%s:%d: %v", docPath, b.line, err)
			}
		case strings.Contains(b.body, "\nmapping:") || strings.HasPrefix(b.body, "mapping:"):
			if _, err := Load(p); err != nil {
				t.Errorf("%s:%d: %v", docPath, b.line, err)
			}
		}
	}
	runs := 0
	for _, b := range blocks {
		if b.run == "" {
			continue
		}
		runs++
		spec, input, _ := strings.Cut(b.run, ":")
		got, err := runDocExample(filepath.Join(dir, spec), filepath.Join(dir, input))
		if err != nil {
			t.Errorf("%s:%d: %v", docPath, b.line, err)
			continue
		}
		want := b.body
		if b.lang == "json" {
			if want, err = normalizeJSON([]byte(b.body)); err != nil {
				t.Fatalf("%s:%d: %v", docPath, b.line, err)
			}
		}
		if got != want {
			t.Errorf("%s:%d: %s over %s:\n%s", docPath, b.line, spec, input, Diff(want, got))
		}
	}
	if runs < 4 {
		t.Errorf("only %d runnable examples found", runs)
	}
}

func runDocExample(spec, input string) (string, error) {
	body, err := os.ReadFile(spec)
	if err != nil {
		return "", err
	}
	if !bytes.HasPrefix(body, []byte("template:")) {
		m, err := Load(spec)
		if err != nil {
			return "", err
		}
		data, err := os.ReadFile(input)
		if err != nil {
			return "", err
		}
		trees, err := ParseX12(data)
		if err != nil {
			return "", err
		}
		v, err := m.Translate(trees[0])
		if err != nil {
			return "", err
		}
		return normalizeJSON(v.AppendJSON(nil))
	}
	tp, err := LoadTemplate(spec)
	if err != nil {
		return "", err
	}
	data, err := os.ReadFile(input)
	if err != nil {
		return "", err
	}
	v, err := ParseJSON(data)
	if err != nil {
		return "", err
	}
	var out bytes.Buffer
	if tp.csv != nil {
		err = tp.WriteCSV(&out, ValueTree(v))
		return out.String(), err
	}
	w := x12.NewWriter(&out, x12.Delimiters{Element: '*', Component: ':', Segment: '~'}, x12.WithLineBreak("\n"))
	if err := tp.WriteSegments(w, ValueTree(v)); err != nil {
		return "", err
	}
	if err := w.Flush(); err != nil {
		return "", err
	}
	return out.String(), nil
}

// TestDocCoversEveryKey keeps the doc in step with the key declarations:
// every key an analyst can write is explained in docs/mappings.md.
func TestDocCoversEveryKey(t *testing.T) {
	data, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, decls := range [][]keyDecl{mappingKeys, sourceKeys, fieldKeys, pairKeys, codelistKeys, templateKeys, segmentKeys, elementKeys, csvKeys, columnKeys} {
		for _, d := range decls {
			if !bytes.Contains(data, []byte(d.name+":")) && !bytes.Contains(data, []byte("`"+d.name+"`")) {
				t.Errorf("docs/mappings.md never shows key %q", d.name)
			}
		}
	}
	for _, typ := range valueTypes {
		if !bytes.Contains(data, []byte("`"+typ+"`")) {
			t.Errorf("docs/mappings.md does not explain type %q", typ)
		}
	}
}
