package doctree

import (
	"fmt"
	"strings"

	"github.com/b2bgw/b2bgw/internal/x12"
)

// Source locates a node in its input: where a mapped value came from, for
// --trace output and for error messages. Positions are fields; String
// renders them for people.
type Source struct {
	Format Format
	Name   string // the node's XPath name ("PO102", "Unit_Price"); "" for text
	Line   int    // 1-based line in the input; 0 when unknown

	// X12: the segment holding the node (for a loop or the root, its first
	// segment), its 1-based index in the set (ST is 1, as in AK302), and
	// the element position, repetition and component (0 when not inside
	// one).
	Pos                            x12.Position
	Segment                        string
	SegmentIndex                   int
	Element, Repetition, Component int

	// CSV: the column's header as written in the file and its 1-based
	// index (0 for rows and the root).
	Column      string
	ColumnIndex int
}

// Source locates the node in its input.
func (n Node) Source() Source {
	if n.t == nil {
		return Source{}
	}
	s := Source{Format: n.t.format, Name: n.Name()}
	if n.t.format == FormatCSV {
		return n.t.csvSource(n, s)
	}
	i := n.n
	switch n.kind {
	case KindDocument, KindRoot, KindLoop, KindAttribute:
		// A loop starts with its beginning segment, the root (and its
		// attributes) with ST: report that segment.
		for i != none && n.t.nodes[i].kind != KindSegment {
			i = n.t.nodes[i].first
		}
		if i == none {
			return s
		}
	default:
		s.Element, s.Repetition, s.Component = int(n.el), int(n.rep), int(n.comp)
	}
	seg := n.t.segment(i)
	s.Pos, s.Line = seg.Pos, seg.Pos.Line
	s.Segment = n.t.nodes[i].name
	s.SegmentIndex = int(n.t.nodes[i].src) + 1
	return s
}

// String renders the position for messages: "PO102 in segment PO1
// (segment 7 of the set, line 7, byte 312)", "Unit_Price (column "Unit
// Price") at line 5".
func (s Source) String() string {
	var b strings.Builder
	switch s.Format {
	case FormatX12:
		if s.Name != "" && s.Name != s.Segment {
			fmt.Fprintf(&b, "%s in ", s.Name)
		}
		fmt.Fprintf(&b, "segment %s (segment %d of the set, %s)", s.Segment, s.SegmentIndex, s.Pos)
		if s.Repetition > 1 {
			fmt.Fprintf(&b, ", repetition %d", s.Repetition)
		}
	case FormatCSV:
		if s.Name != "" {
			b.WriteString(s.Name)
			if s.Column != "" && s.Column != s.Name {
				fmt.Fprintf(&b, " (column %q)", s.Column)
			}
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "at line %d", s.Line)
	default:
		if s.Name != "" {
			b.WriteString(s.Name + " ")
		}
		if s.Line > 0 {
			fmt.Fprintf(&b, "at line %d", s.Line)
		} else {
			b.WriteString("(line unknown)")
		}
	}
	return b.String()
}
