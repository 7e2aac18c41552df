package config

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/b2bgw/b2bgw/internal/partner"
)

var update = flag.Bool("update", false, "rewrite the generated schemas and docs/partners.md tables")

const repo = "../.."

// TestGeneratedFilesInSync keeps docs/schema/{partner,config}.schema.json
// and the reference tables of docs/partners.md equal to what the option
// declarations generate.
func TestGeneratedFilesInSync(t *testing.T) {
	files := []struct {
		path string
		want []byte
	}{
		{"docs/schema/partner.schema.json", partner.Schema()},
		{"docs/schema/config.schema.json", Schema()},
	}
	for _, f := range files {
		t.Run(f.path, func(t *testing.T) {
			p := filepath.Join(repo, f.path)
			if *update {
				if err := os.WriteFile(p, f.want, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := os.ReadFile(p)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/config -update)", err)
			}
			if !bytes.Equal(got, f.want) {
				t.Errorf("%s is stale: run go test ./internal/config -update", f.path)
			}
		})
	}
	t.Run("docs/partners.md", func(t *testing.T) {
		p := filepath.Join(repo, "docs/partners.md")
		doc, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		want := doc
		for _, sec := range []struct{ name, table string }{{"partner", partner.Reference()}, {"config", Reference()}} {
			re := regexp.MustCompile(`(?s)(<!-- BEGIN GENERATED ` + sec.name + ` [^>]*-->\n).*?(<!-- END GENERATED ` + sec.name + ` -->)`)
			if !re.Match(want) {
				t.Fatalf("docs/partners.md lacks the GENERATED %s markers", sec.name)
			}
			want = re.ReplaceAllFunc(want, func(m []byte) []byte {
				sm := re.FindSubmatch(m)
				return append(append(append([]byte{}, sm[1]...), sec.table...), sm[2]...)
			})
		}
		if *update && !bytes.Equal(doc, want) {
			if err := os.WriteFile(p, want, 0o644); err != nil {
				t.Fatal(err)
			}
			doc = want
		}
		if !bytes.Equal(doc, want) {
			t.Error("docs/partners.md reference tables are stale: run go test ./internal/config -update")
		}
	})
}

// TestOperationsExamples lints every configuration example of
// docs/operations.md (the YAML blocks that declare the config schema):
// the documented keys and values must load.
func TestOperationsExamples(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(repo, "docs/operations.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```yaml\n(# yaml-language-server: \\$schema=schema/config.schema.json\n.*?)```").FindAllSubmatch(doc, -1)
	if len(blocks) < 4 {
		t.Fatalf("found %d configuration examples in docs/operations.md, want the general one, archive (2) and retention", len(blocks))
	}
	for i, b := range blocks {
		p := filepath.Join(t.TempDir(), "example.yaml")
		if err := os.WriteFile(p, b[1], 0o644); err != nil {
			t.Fatal(err)
		}
		for _, prob := range Lint(p) {
			t.Errorf("docs/operations.md example %d: %s", i+1, prob)
		}
	}
}
