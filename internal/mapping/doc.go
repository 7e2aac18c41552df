// Package mapping compiles and runs the YAML mapping files that turn a
// partner document (an X12 set, CSV, XML or JSON, seen as a document tree)
// into a canonical document, and the outbound templates that write a
// canonical document back out as X12 segments or CSV rows. The language is
// documented, with examples a test runs, in docs/mappings.md.
//
// Load compiles a mapping once (XPath compiled, code lists read, extends
// merged, every problem reported as file:line:col); the *Mapping is
// immutable and shared across goroutines. Translate evaluates it over a
// Tree: the common XPath subset runs on a fast path over the tree, the rest
// through antchfx/xpath. Values that cannot be mapped reject the document
// with FieldErrors; TranslateTrace records where every value came from.
// RunTests runs the golden-file tests that live beside mappings.
package mapping
