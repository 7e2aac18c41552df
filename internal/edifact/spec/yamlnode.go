package spec

import "github.com/b2bgw/b2bgw/internal/yamlpos"

// The spec files are read through yamlpos (goccy/go-yaml's AST) so that every
// fact keeps the line and column it was written at: a wrong reference found
// while resolving (long after decoding) must still point the analyst at the
// exact place in the file.

// LoadError is one problem in a spec file, at a position; File is the path
// within the loaded fs.FS, e.g. "D96A/segments.yaml".
type LoadError = yamlpos.Error

// fileReader reads one spec file, collecting all its problems; the loaders
// add the readers of their own shapes (required fields, rules, ...) to it.
type fileReader struct{ yamlpos.Reader }

// pair is one key: value entry of a mapping.
type pair = yamlpos.Pair
