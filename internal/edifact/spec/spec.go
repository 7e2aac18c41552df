// Package spec holds UN/EDIFACT directory specifications as embedded data
// files generated from the UN/EDIFACT directory tables (UNTDID: messages
// EDMD, segments EDSD, composites EDCD, elements EDED) and the ISO 9735
// service directories, and the types the reader and validator walk.
//
// Layout of the data (see data/README.md for the file format):
//
//	data/<dir>/directory.yaml   the directory: id, default syntax version, sources
//	data/<dir>/elements.yaml    data elements (id -> name, format such as an..35)
//	data/<dir>/composites.yaml  composites (id -> components with status)
//	data/<dir>/segments.yaml    segments (id -> data elements and composites with status, repeats)
//	data/<dir>/codes.yaml       code lists for the important coded elements
//	data/<dir>/<MESSAGE>.yaml   one message's structure (segments and nested segment groups)
//
// <dir> is a UN directory (D96A, D01B) or a service (syntax) directory: S3
// and S4 for ISO 9735 syntax versions 3 and 4, holding the service segments
// (UNA, UNB, UNG, UNH, UNS, UNT, UNE, UNZ, UCI, UCM, UCS, UCD, UCF), their
// composites (S001 ...), elements (0001 ...), codes and CONTRL.
//
// A UN directory names a default syntax version; the service segments its
// messages use (UNH, UNS, UNT) resolve in that service directory, and
// Registry.Message(dir, "CONTRL") finds CONTRL there.
package spec

// Status is a segment's, group's, element's or component's status.
type Status string

const (
	Mandatory   Status = "M"
	Conditional Status = "C"
)

// Class is a data element's character class.
type Class string

const (
	Alpha        Class = "a"  // letters (and, per ISO 9735, space and the other non-digits of the set)
	Numeric      Class = "n"  // digits, with optional sign and decimal mark (not counted in length)
	Alphanumeric Class = "an" // any character of the character set
)

// Format is a data element's representation, e.g. an..35, n..15, a3.
type Format struct {
	Class Class
	Min   int  // minimum length: Max for a fixed length, 1 for "..n"
	Max   int  // maximum length
	Fixed bool // true for "an3" (exactly Max), false for "an..3" (up to Max)
}

// String returns the format in the standard's notation (an..35, a3).
func (f Format) String() string {
	if f.Fixed {
		return string(f.Class) + itoa(f.Max)
	}
	return string(f.Class) + ".." + itoa(f.Max)
}

// Element is a simple data element of the directory (1001, 2005, 0062 ...).
type Element struct {
	ID     string
	Name   string
	Format Format
}

// ComponentRef is a component data element's use in a composite.
type ComponentRef struct {
	Pos     string // position in the standard, "010", "020" ...
	Ref     string // element id
	Status  Status
	Element *Element // resolved at load
}

// Composite is a composite data element (C002, C506, S009 ...).
type Composite struct {
	ID         string
	Name       string
	Components []ComponentRef // in order; component n is Components[n-1]
}

// ElementRef is a data element's or composite's use in a segment.
//
// Positions are listed in order and one entry is one position of the
// segment: position n of the segment is Elements[n-1]. (Some directories
// write a repeated element as several positions, e.g. ALI's five 4183;
// those are separate entries here, each with Repeat 1.)
type ElementRef struct {
	Pos    string // position in the standard, "010", "020" ...
	Ref    string // element id ("1225") or composite id ("C002", "S009")
	Status Status
	// Repeat is the maximum number of repetitions of the position (syntax
	// version 4 repetition, e.g. UCM S020 99); 1 when it does not repeat.
	Repeat int

	Element   *Element   // resolved at load when Ref is a simple element
	Composite *Composite // resolved at load when Ref is a composite
}

// Segment is an entry of the segment directory.
type Segment struct {
	ID       string
	Name     string
	Elements []ElementRef
	// Service is true for the service segments of a syntax directory
	// (UNB, UNH, UCI ...).
	Service bool
}

// Node is one entry of a message's structure: a segment or a segment group.
type Node struct {
	Segment string // segment tag, for a segment node
	Group   string // group id, for a group node: "SG1", "SG25" ...
	Status  Status // M or C
	// Max is the maximum repetitions of the segment or the group.
	Max  int
	Body []Node // a group's content; its first entry is the trigger segment (M, 1)

	Def *Segment // resolved at load for a segment node
}

// IsGroup reports whether the node is a segment group.
func (n *Node) IsGroup() bool { return n.Group != "" }

// Message is the structure of one message type in one directory.
type Message struct {
	Type      string   // "ORDERS"
	Name      string   // "Purchase order message"
	Directory string   // "D96A", or "S3"/"S4" for CONTRL
	Version   string   // UNH S009 0052 as sent: "D"
	Release   string   // UNH S009 0054: "96A"; "3" for CONTRL under syntax 3
	Agency    string   // UNH S009 0051: "UN"
	Sources   []string // where the facts were read
	Structure []Node   // UNH first, UNT last

	Dict *Directory
}

// CodeList is a coded element's list of values. The validator treats
// every list as closed: a value not listed is an invalid code. Complete
// says whether the list is the standard's full list for the directory;
// when false it is a deliberate subset (analysts extend it per partner
// with an Overlay), and messages about unknown codes should say so.
type CodeList struct {
	Element  string
	Complete bool
	Note     string            // where the list comes from, what is left out
	Codes    map[string]string // code -> name
}

// Directory is one directory's elements, composites, segments and codes:
// a UN directory (D96A, D01B) or a service directory (S3, S4).
type Directory struct {
	ID string // "D96A", "D01B", "S3", "S4"
	// Syntax is the syntax version: for a service directory its own (3,
	// 4); for a UN directory the default whose service segments its
	// messages use.
	Syntax     int
	Sources    []string
	Elements   map[string]*Element
	Composites map[string]*Composite
	Segments   map[string]*Segment
	Codes      map[string]*CodeList // element id -> list

	// Service is the service directory of Syntax (nil for a service
	// directory itself). Segment, Element, Composite and Code look there
	// after this directory.
	Service *Directory
}

// Segment returns a segment definition, looking in the service directory
// after this one.
func (d *Directory) Segment(tag string) (*Segment, bool) {
	if s, ok := d.Segments[tag]; ok {
		return s, true
	}
	if d.Service != nil {
		return d.Service.Segment(tag)
	}
	return nil, false
}

// Element returns a simple data element, looking in the service directory
// after this one.
func (d *Directory) Element(id string) (*Element, bool) {
	if e, ok := d.Elements[id]; ok {
		return e, true
	}
	if d.Service != nil {
		return d.Service.Element(id)
	}
	return nil, false
}

// Composite returns a composite, looking in the service directory after
// this one.
func (d *Directory) Composite(id string) (*Composite, bool) {
	if c, ok := d.Composites[id]; ok {
		return c, true
	}
	if d.Service != nil {
		return d.Service.Composite(id)
	}
	return nil, false
}

// Code returns an element's code list, looking in the service directory
// after this one.
func (d *Directory) Code(id string) (*CodeList, bool) {
	if c, ok := d.Codes[id]; ok {
		return c, true
	}
	if d.Service != nil {
		return d.Service.Code(id)
	}
	return nil, false
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
