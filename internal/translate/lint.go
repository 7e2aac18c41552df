package translate

import (
	"errors"
	"fmt"
	"github.com/b2bgw/b2bgw/internal/partner"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	espec "github.com/b2bgw/b2bgw/internal/edifact/spec"
	"github.com/b2bgw/b2bgw/internal/mapping"
	"github.com/b2bgw/b2bgw/internal/x12"
	"github.com/b2bgw/b2bgw/mappings"
)

// LintMessage is one problem in a mapping-language or partner file.
type LintMessage struct {
	File   string
	Line   int
	Column int
	Msg    string
}

func (m LintMessage) String() string {
	return fmt.Sprintf("%s:%d:%d: %s", m.File, max(m.Line, 1), max(m.Column, 1), m.Msg)
}

// Lint checks the mapping, template, code-list and partner overlay files
// found from paths (directories are searched recursively for .yaml files;
// tests and their fixtures are left to `b2bgw test`): unknown keys, wrong
// value types, XPath that does not compile, code lists that are missing or
// not listed, extends cycles — everything the loaders refuse, each at its
// file:line:col. It also returns how many files it checked. The error is
// for paths that cannot be read.
func Lint(paths []string) ([]LintMessage, int, error) {
	var files []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, 0, err
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if n := d.Name(); path != p && (n == "testdata" || n == "tests" || strings.HasPrefix(n, ".")) {
					return filepath.SkipDir
				}
				return nil
			}
			if strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml") {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			return nil, 0, err
		}
	}
	sort.Strings(files)
	var out []LintMessage
	seen := map[string]bool{}
	add := func(ms []LintMessage) {
		for _, m := range ms {
			if k := m.String(); !seen[k] {
				seen[k] = true
				out = append(out, m)
			}
		}
	}
	checked := 0
	for _, f := range files {
		if strings.HasSuffix(f, ".test.yaml") {
			continue
		}
		checked++
		ms, err := lintFile(f)
		if err != nil {
			return nil, checked, err
		}
		add(ms)
	}
	// Cross-file checks of partner profiles (duplicate ids, two partners
	// claiming one sender identity) for every directory given.
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil && st.IsDir() && hasProfiles(p) {
			var ms []LintMessage
			for _, pr := range partner.Lint(p) {
				ms = append(ms, LintMessage{File: pr.File, Line: pr.Line, Column: pr.Col, Msg: pr.Msg})
			}
			add(ms)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].File != out[j].File {
			return out[i].File < out[j].File
		}
		if out[i].Line != out[j].Line {
			return out[i].Line < out[j].Line
		}
		return out[i].Column < out[j].Column
	})
	return out, checked, nil
}

func lintFile(path string) ([]LintMessage, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	switch kind := mappings.KindOf(data); kind {
	case "mapping":
		m, err := mapping.Load(path)
		if err != nil {
			return loadMessages(path, err), nil
		}
		return CheckTarget(m), nil
	case "template":
		_, err := mapping.LoadTemplate(path)
		return loadMessages(path, err), nil
	case "codelist":
		return lintCodeList(path)
	}
	if partner.IsProfile(data) {
		var out []LintMessage
		for _, p := range partner.LintFile(path) {
			out = append(out, LintMessage{File: p.File, Line: p.Line, Column: p.Col, Msg: p.Msg})
		}
		return out, nil
	}
	if isOverlay(path, data) {
		_, err := x12.ParseOverlay(path, data)
		if err != nil {
			// An EDIFACT overlay (a profile's edifact_overlay_file) has the
			// same top-level keys; the profile naming it checks it against
			// its directories.
			if _, eerr := espec.ParseOverlay(path, data); eerr == nil {
				return nil, nil
			}
		}
		return overlayMessages(path, err), nil
	}
	return []LintMessage{{File: path, Line: 1, Column: 1,
		Msg: "not a mapping, template, code list, partner profile or overlay: a mapping starts with mapping:, a template with template:, a code list with codelist:, a partner profile with partner:, an overlay has codes:, elements: or segments:"}}, nil
}

// isOverlay tells a partner overlay (codes:/elements:/segments: at the top,
// no mapping-language key) from other YAML.
func isOverlay(path string, data []byte) bool {
	for _, line := range strings.Split(string(data), "\n") {
		for _, k := range []string{"codes:", "elements:", "segments:"} {
			if strings.HasPrefix(line, k) {
				return true
			}
		}
	}
	return strings.Contains(filepath.Base(path), "overlay")
}

// lintCodeList loads a code list through a one-line mapping that names it,
// so it gets exactly the loader's checks; messages about the scratch
// mapping itself are dropped and the list's own are kept.
func lintCodeList(path string) ([]LintMessage, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "b2bgw-lint")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	scratch := filepath.Join(dir, "lint.yaml")
	m := "mapping: lint\nsource: {standard: json}\ncodelists:\n  l: " + strconv.Quote(abs) + "\nfields:\n  v: {from: v, codes: l}\n"
	if err := os.WriteFile(scratch, []byte(m), 0o644); err != nil {
		return nil, err
	}
	_, lerr := mapping.Load(scratch)
	var out []LintMessage
	for _, msg := range loadMessages(path, lerr) {
		switch {
		case msg.File == scratch:
			continue
		case msg.File == abs:
			msg.File = path
		default:
			if rel, err := filepath.Rel(filepath.Dir(abs), msg.File); err == nil && filepath.IsAbs(msg.File) {
				msg.File = filepath.Join(filepath.Dir(path), rel)
			}
		}
		out = append(out, msg)
	}
	return out, nil
}

func loadMessages(path string, err error) []LintMessage {
	if err == nil {
		return nil
	}
	var les mapping.LoadErrors
	var le *mapping.LoadError
	switch {
	case errors.As(err, &les):
	case errors.As(err, &le):
		les = mapping.LoadErrors{le}
	default:
		return []LintMessage{{File: path, Line: 1, Column: 1, Msg: err.Error()}}
	}
	out := make([]LintMessage, 0, len(les))
	for _, e := range les {
		out = append(out, LintMessage{File: e.File, Line: e.Line, Column: e.Column, Msg: e.Msg})
	}
	return out
}

func overlayMessages(path string, err error) []LintMessage {
	if err == nil {
		return nil
	}
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	var out []LintMessage
	for _, e := range errs {
		var oe *x12.OverlayError
		if errors.As(e, &oe) {
			out = append(out, LintMessage{File: oe.File, Line: oe.Line, Column: oe.Column, Msg: oe.Msg})
			continue
		}
		out = append(out, LintMessage{File: path, Line: 1, Column: 1, Msg: e.Error()})
	}
	return out
}

// hasProfiles reports whether dir holds partner profiles at its top level
// (the partners/ folder), where the cross-file checks apply.
func hasProfiles(dir string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if e.IsDir() || !(strings.HasSuffix(e.Name(), ".yaml") || strings.HasSuffix(e.Name(), ".yml")) {
			continue
		}
		if data, err := os.ReadFile(filepath.Join(dir, e.Name())); err == nil && partner.IsProfile(data) {
			return true
		}
	}
	return false
}
