// Package spec holds X12 transaction-set specifications as embedded data
// files written from the standard's facts (segment order, loops, usage,
// repeats, element types and lengths, code lists, syntax rules), and the
// types the validator walks.
//
// Layout of the data (see data/README.md for the file format):
//
//	data/<version>/elements.yaml    data element dictionary (id -> name, type, min, max)
//	data/<version>/composites.yaml  composite dictionary (id -> components)
//	data/<version>/segments.yaml    segment directory (id -> elements with usage, syntax rules)
//	data/<version>/codes.yaml       code lists for the important ID elements
//	data/<version>/<set>.yaml       transaction set structure (segments and nested loops)
package spec

// Usage is an element's or segment's requirement designator.
type Usage string

const (
	Mandatory Usage = "M"
	Optional  Usage = "O"
	NotUsed   Usage = "X" // relational: governed by the segment's syntax rules
)

// Element is a data element in the dictionary.
type Element struct {
	ID   string `yaml:"-"`
	Name string `yaml:"name"`
	// Type is AN, ID, DT, TM, R, B, or Nn (N0..N9: implied decimal places).
	Type string `yaml:"type"`
	Min  int    `yaml:"min"`
	Max  int    `yaml:"max"`
}

// Composite is a composite data structure (C001, C040 ...).
type Composite struct {
	ID         string       `yaml:"-"`
	Name       string       `yaml:"name"`
	Components []ElementRef `yaml:"components"`
	Rules      []Rule       `yaml:"rules"`
}

// ElementRef is an element's (or composite's) use in a segment or composite.
type ElementRef struct {
	Ref    string `yaml:"ref"`    // element id ("353") or composite id ("C001")
	Usage  Usage  `yaml:"usage"`  // M, O or X
	Repeat int    `yaml:"repeat"` // maximum repetitions; 0 or 1 means it does not repeat

	Element   *Element   `yaml:"-"` // resolved at load when Ref is an element
	Composite *Composite `yaml:"-"` // resolved at load when Ref is a composite
}

// Segment is an entry of the segment directory.
type Segment struct {
	ID       string       `yaml:"-"`
	Name     string       `yaml:"name"`
	Elements []ElementRef `yaml:"elements"`
	Rules    []Rule       `yaml:"rules"`
}

// Rule is a syntax note in the standard's notation: a kind letter and
// two-digit positions, e.g. "P0304" (paired), "R0203" (at least one),
// "E0102" (at most one), "C0405" (if first then all others),
// "L010203" (if first then at least one of the others).
type Rule struct {
	Kind      byte  // 'P', 'R', 'E', 'C' or 'L'
	Positions []int // 1-based element (or component) positions
	Text      string
}

// Node is one entry of a transaction set's structure: a segment or a loop.
type Node struct {
	Segment string `yaml:"segment"` // segment id, for a segment node
	Loop    string `yaml:"loop"`    // loop id, for a loop node (e.g. "N1", "PO1", "HL")
	Usage   Usage  `yaml:"usage"`   // M or O
	// Max is the maximum use of a segment or repeat of a loop; 0 means
	// unbounded (">1" in the standard).
	Max  int    `yaml:"max"`
	Pos  string `yaml:"pos"`  // position number in the standard, e.g. "010"
	Body []Node `yaml:"body"` // a loop's content; its first entry is the loop's beginning segment

	Def *Segment `yaml:"-"` // resolved at load for a segment node
}

// IsLoop reports whether the node is a loop.
func (n *Node) IsLoop() bool { return n.Loop != "" }

// TransactionSet is the structure of one transaction set in one version.
type TransactionSet struct {
	ID              string   `yaml:"id"`               // "850"
	Name            string   `yaml:"name"`             // "Purchase Order"
	FunctionalGroup string   `yaml:"functional_group"` // GS01, "PO"
	Version         string   `yaml:"-"`                // "004010"
	Sources         []string `yaml:"sources"`          // where the facts were read
	Structure       []Node   `yaml:"structure"`        // ST first, SE last

	Dict *Dictionary `yaml:"-"`
}

// Dictionary is one version's elements, composites, segments and codes.
type Dictionary struct {
	Version    string
	Elements   map[string]*Element
	Composites map[string]*Composite
	Segments   map[string]*Segment
	// Codes maps an element id to its code list: code -> description.
	Codes map[string]map[string]string
}
