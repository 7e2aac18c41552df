package option

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

type inner struct {
	Host string `yaml:"host" required:"true" doc:"Host name."`
	Port int    `yaml:"port" default:"22"`
}

type sample struct {
	_       struct{}       `oneof:"a|b"`
	Name    string         `yaml:"name" default:"x"`
	Mode    string         `yaml:"mode" enum:"fast|slow" default:"fast"`
	On      bool           `yaml:"on"`
	Wait    time.Duration  `yaml:"wait" default:"5s"`
	Tags    []string       `yaml:"tags"`
	Limits  map[string]int `yaml:"limits"`
	A       *inner         `yaml:"a"`
	B       *inner         `yaml:"b"`
	Nested  inner          `yaml:"nested"`
	Key     Secret         `yaml:"key"`
	Version string         `yaml:"version"`
}

func TestDecode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, yaml string
		want       []string // problems
		check      func(t *testing.T, s *sample)
	}{
		{name: "defaults", yaml: "a: {host: h}\n", check: func(t *testing.T, s *sample) {
			if s.Name != "x" || s.Mode != "fast" || s.Wait != 5*time.Second || s.A.Port != 22 || s.Nested.Port != 22 {
				t.Errorf("defaults: %+v", s)
			}
		}},
		{name: "scalars as written", yaml: "a: {host: h}\nversion: 004010\n", check: func(t *testing.T, s *sample) {
			if s.Version != "004010" {
				t.Errorf("version = %q", s.Version)
			}
		}},
		{name: "unknown key", yaml: "a: {host: h}\nnmae: y\n", want: []string{`f:2:1: unknown key "nmae" in the file; did you mean "name"?`}},
		{name: "unknown key no suggestion", yaml: "a: {host: h, zzzzzz: 1}\n", want: []string{`f:1:14: unknown key "zzzzzz" in a; known keys: host, port`}},
		{name: "enum", yaml: "a: {host: h}\nmode: fsat\n", want: []string{`f:2:7: mode: "fsat" is not one of fast, slow; did you mean "fast"?`}},
		{name: "types", yaml: "a: {host: h, port: many}\non: yes\nwait: soon\ntags: one\nlimits: [1]\n", want: []string{
			`f:1:20: a.port: want a whole number, got "many"`,
			`f:2:5: on: want true or false, got "yes"`,
			`f:3:7: wait: want a duration such as 90s, 5m or 24h, got "soon"`,
			`f:4:7: tags: want a list, got "one"; for one item write [one]`,
			`f:5:9: limits: want a mapping of key: value, got a list`}},
		{name: "required", yaml: "a: {port: 1}\n", want: []string{`f:1:4: a: missing required key "host" (Host name)`}},
		{name: "oneof none", yaml: "name: y\n", want: []string{`f:1:1: the file: set one of a, b`}},
		{name: "oneof two", yaml: "a: {host: h}\nb: {host: h}\n", want: []string{`f:2:1: the file: a and b cannot both be set; keep one`}},
		{name: "literal secret", yaml: "a: {host: h}\nkey: s3cr3t\n", want: []string{`f:2:6: key is a secret and must not be written in the file: write {env: VARIABLE} or {file: PATH} and put the value there`}},
		{name: "bad env name", yaml: "a: {host: h}\nkey: {env: 1X}\n", want: []string{`f:2:12: key.env: "1X" is not an environment variable name (letters, digits and _, not starting with a digit)`}},
		{name: "duplicate key", yaml: "a: {host: h}\nname: a\nname: b\n", want: []string{`f:3:1: not valid YAML: mapping key "name" already defined at [2:1]`}},
		{name: "merge key", yaml: "a: {host: h}\nnested:\n  <<: {host: x}\n", want: []string{`f:3:3: YAML merge keys (<<) are not supported here; write the keys out`, `f:3:3: nested: missing required key "host" (Host name)`}},
		{name: "two documents", yaml: "a: {host: h}\n---\nname: b\n", want: []string{`f:1:1: holds 2 YAML documents (--- separators); write one file per document`}},
		{name: "syntax", yaml: "a: {host: h\n", want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var s sample
			_, probs := Decode("f", []byte(tt.yaml), &s)
			if tt.name == "syntax" {
				if len(probs) != 1 || !strings.HasPrefix(probs[0].Msg, "not valid YAML") || probs[0].Line == 0 {
					t.Errorf("syntax error: %v", probs)
				}
				return
			}
			var got []string
			for _, p := range probs.Sort() {
				got = append(got, p.String())
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if tt.check != nil {
				tt.check(t, &s)
			}
		})
	}
}

func TestDocPositions(t *testing.T) {
	t.Parallel()
	var s sample
	doc, _ := Decode("f", []byte("a:\n  host: h\ntags:\n  - x\n  - y\n"), &s)
	for _, tt := range []struct {
		path      string
		line, col int
		key       bool
	}{{"a.host", 2, 9, false}, {"a.host", 2, 3, true}, {"tags[1]", 5, 5, false}, {"a.port", 2, 3, false}, {"b.host", 1, 1, false}} {
		var l, c int
		if tt.key {
			l, c = doc.KeyPos(tt.path)
		} else {
			l, c = doc.Pos(tt.path)
		}
		if l != tt.line || c != tt.col {
			t.Errorf("%s (key %v) at %d:%d, want %d:%d", tt.path, tt.key, l, c, tt.line, tt.col)
		}
	}
}

func TestSubDocument(t *testing.T) {
	t.Parallel()
	src := "x: 1\nov:\n  codes:\n    a: 1\n  # note\n  b: 2\nafter: 3\n"
	type T struct {
		X     int               `yaml:"x"`
		OV    map[string]string `yaml:"ov"`
		After int               `yaml:"after"`
	}
	var t2 T
	doc, _ := Decode("f", []byte(src), &t2)
	got := string(doc.SubDocument("ov"))
	want := "\n\n  codes:\n    a: 1\n  # note\n  b: 2\n\n"
	if got != want {
		t.Errorf("SubDocument = %q, want %q", got, want)
	}
	src = "ov: {a: b}\n"
	doc, _ = Decode("f", []byte(src), &t2)
	if got := string(doc.SubDocument("ov")); got != "    {a: b}\n" {
		t.Errorf("flow SubDocument = %q", got)
	}
}

func TestEnv(t *testing.T) {
	t.Parallel()
	var s sample
	Defaults(&s)
	env := map[string]string{
		"APP_NAME": "fromenv", "APP_ON": "true", "APP_TAGS": "a, b", "APP_WAIT": "1m",
		"APP_B_HOST": "bh", "APP_KEY": "k3y", "APP_MODE": "warp",
	}
	applied, probs := ApplyEnv(&s, "APP", func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if s.Name != "fromenv" || !s.On || len(s.Tags) != 2 || s.Tags[1] != "b" || s.Wait != time.Minute || s.B == nil || s.B.Host != "bh" || s.B.Port != 22 || s.Key.Reveal() != "k3y" {
		t.Errorf("env not applied: %+v", s)
	}
	if len(applied) != 6 {
		t.Errorf("applied = %v", applied)
	}
	if len(probs) != 1 || probs[0].String() != `environment: APP_MODE (mode): "warp" is not one of fast, slow` {
		t.Errorf("problems = %v", probs)
	}
	var names []string
	for _, e := range EnvVars(&s, "APP") {
		names = append(names, e.Name)
	}
	if got := strings.Join(names, " "); got != "APP_NAME APP_MODE APP_ON APP_WAIT APP_TAGS APP_A_HOST APP_A_PORT APP_B_HOST APP_B_PORT APP_NESTED_HOST APP_NESTED_PORT APP_KEY APP_VERSION" {
		t.Errorf("EnvVars = %s", got)
	}
}

func TestSecretRedaction(t *testing.T) {
	t.Parallel()
	s := SecretValue("hunter2")
	holder := struct {
		User string
		Pass Secret
	}{"u", s}
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("x", "pass", s, "holder", holder)
	slog.New(slog.NewTextHandler(&logs, nil)).Info("x", "pass", s)
	js, _ := json.Marshal(holder)
	outs := []string{
		fmt.Sprint(s), fmt.Sprintf("%v %s %q %x %+v %#v", s, s, s, s, holder, holder), string(js), logs.String(),
	}
	for _, o := range outs {
		if strings.Contains(o, "hunter2") || strings.Contains(o, "68756e74657232") {
			t.Errorf("secret leaked: %s", o)
		}
	}
	if s.Reveal() != "hunter2" {
		t.Error("Reveal")
	}
	ref, _ := json.Marshal(SecretFromEnv("PW"))
	if string(ref) != `{"env":"PW"}` {
		t.Errorf("reference JSON = %s", ref)
	}
	r := SecretFromEnv("PW")
	if err := r.Resolve(func(string) (string, bool) { return "", false }, ""); err == nil || !strings.Contains(err.Error(), "PW is not set") {
		t.Errorf("unset variable: %v", err)
	}
}

func TestSuggest(t *testing.T) {
	t.Parallel()
	keys := []string{"schedule", "stability", "include", "exclude", "after"}
	for in, want := range map[string]string{"shedule": "schedule", "Schedule": "schedule", "stabilty": "stability", "afetr": "after", "zzz": "", "includes": "include"} {
		if got := Suggest(in, keys); got != want {
			t.Errorf("Suggest(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSchemaIsValidJSON(t *testing.T) {
	t.Parallel()
	var m map[string]any
	if err := json.Unmarshal(JSONSchema(&sample{}, "id", "t", "d"), &m); err != nil {
		t.Fatal(err)
	}
	props := m["properties"].(map[string]any)
	if props["mode"].(map[string]any)["default"] != "fast" || props["key"].(map[string]any)["maxProperties"] != 1.0 {
		t.Errorf("schema: %v", props)
	}
	md := Markdown(&sample{}, "APP")
	if !strings.Contains(md, "| `a.host` | string |  | `APP_A_HOST` | **Required.** Host name. |") {
		t.Errorf("markdown:\n%s", md)
	}
}

func TestParseDuration(t *testing.T) {
	cases := []struct {
		in   string
		want time.Duration
		bad  bool
	}{
		{in: "90d", want: 90 * 24 * time.Hour},
		{in: "0d", want: 0},
		{in: "36h", want: 36 * time.Hour},
		{in: "1h30m", want: 90 * time.Minute},
		{in: "0", want: 0},
		{in: "d", bad: true},
		{in: "1.5d", bad: true},
		{in: "-3d", bad: true},
		{in: "1d12h", bad: true},
		{in: "999999999999d", bad: true},
	}
	for _, c := range cases {
		got, err := ParseDuration(c.in)
		if (err != nil) != c.bad || (!c.bad && got != c.want) {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v (error: %v)", c.in, got, err, c.want, c.bad)
		}
	}
}
