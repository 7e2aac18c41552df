package option

import (
	"fmt"
	"strings"
)

// Markdown returns a reference table of every option of the declared
// struct type of v: key path, type, default, the environment variable
// that overrides it (when envPrefix is not empty) and the doc text. Lists
// of mappings appear as key[].child, maps as key.NAME.
func Markdown(v any, envPrefix string) string {
	env := map[string]string{}
	if envPrefix != "" {
		for _, e := range EnvVars(v, envPrefix) {
			env[e.Path] = e.Name
		}
	}
	var b strings.Builder
	if envPrefix != "" {
		b.WriteString("| key | type | default | environment | description |\n|---|---|---|---|---|\n")
	} else {
		b.WriteString("| key | type | default | description |\n|---|---|---|---|\n")
	}
	var rec func(o *Option, shown, path string)
	rec = func(o *Option, shown, path string) {
		for _, f := range o.Fields {
			s, p := join(shown, f.Key), join(path, f.Key)
			row(&b, f, s, env[p], envPrefix != "")
			switch {
			case f.Kind == Struct:
				rec(f, s, p)
			case f.Kind == List && f.Elem.Kind == Struct:
				rec(f.Elem, s+"[]", p+"[]")
			case f.Kind == Map && f.Elem.Kind == Struct:
				rec(f.Elem, s+".NAME", p+".NAME")
			}
		}
	}
	rec(SpecOf(v), "", "")
	return b.String()
}

func row(b *strings.Builder, o *Option, key, env string, withEnv bool) {
	def := ""
	if o.Default != "" {
		def = "`" + o.Default + "`"
	}
	doc := o.Doc
	if o.Required {
		doc = "**Required.** " + doc
	}
	if o.Example != "" {
		doc += fmt.Sprintf(" Example: `%s`.", o.Example)
	}
	cells := []string{"`" + key + "`", o.typeName(), def}
	if withEnv {
		e := ""
		if env != "" {
			e = "`" + env + "`"
		}
		cells = append(cells, e)
	}
	cells = append(cells, strings.TrimSpace(doc))
	for i, c := range cells {
		if i == len(cells)-1 {
			c = strings.NewReplacer("<", `\<`, ">", `\>`).Replace(c)
		}
		cells[i] = strings.ReplaceAll(c, "|", `\|`)
	}
	fmt.Fprintf(b, "| %s |\n", strings.Join(cells, " | "))
}
