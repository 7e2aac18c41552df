package doctree

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
)

// CSVOptions configure FromCSV. The zero value reads RFC 4180 files with
// a comma delimiter.
type CSVOptions struct {
	// Comma is the field delimiter; 0 means ','. Use ';' for the files
	// European spreadsheets write, '\t' for tab-separated ones.
	Comma rune
	// Comment, when not 0, starts comment lines, which are skipped.
	Comment rune
	// LazyQuotes accepts a quote in an unquoted field and a non-doubled
	// quote in a quoted field (see encoding/csv).
	LazyQuotes bool
	// TrimLeadingSpace ignores leading white space in a field.
	TrimLeadingSpace bool
}

// Errors of FromCSV, wrapped in a *CSVError that carries the position.
var (
	// ErrNoHeader: the input has no header row (it is empty).
	ErrNoHeader = errors.New("the file has no header row")
	// ErrDuplicateColumn: two headers normalize to the same name, so a
	// mapping could not tell them apart.
	ErrDuplicateColumn = errors.New("two columns have the same name")
	// ErrExtraField: a record has a non-empty field beyond the last header;
	// it could not be named, and data is never dropped silently.
	ErrExtraField = errors.New("a record has more fields than the header")
)

// CSVError is a problem with a CSV input that is not a syntax error
// (encoding/csv reports those as *csv.ParseError, returned as is).
type CSVError struct {
	Line   int    // 1-based line of the header or record
	Column int    // 1-based column
	Header string // the column's header as written, when there is one
	Err    error  // one of the Err* sentinels
	Detail string // what to do about it
}

func (e *CSVError) Error() string {
	msg := fmt.Sprintf("csv: line %d, column %d", e.Line, e.Column)
	if e.Header != "" {
		msg += fmt.Sprintf(" (%q)", e.Header)
	}
	msg += ": " + e.Err.Error()
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	return msg
}

func (e *CSVError) Unwrap() error { return e.Err }

// csvData is a CSV tree's content.
type csvData struct {
	names   []string       // normalized headers: the cell element names
	headers []string       // headers as written, for messages
	index   map[string]int // name -> 1-based column
	records [][]string
	lines   []int // line of each record
	comma   rune
}

// FromCSV reads a CSV file with a header row into a tree: the root element
// Rows holds one Row element per record (attribute line: the record's line
// number), whose children are its non-empty fields, each named by its
// column's header. Columns are matched by header name, never by position,
// so partners can reorder or add columns.
//
// Header names are normalized for XPath (see NormalizeHeader); two headers
// with the same normalized name are an error. A record may have fewer
// fields than the header (the missing ones are empty); more is an error
// unless the extra fields are empty (a trailing delimiter).
func FromCSV(r io.Reader, opts CSVOptions) (*Tree, error) {
	cr := csv.NewReader(r)
	if opts.Comma != 0 {
		cr.Comma = opts.Comma
	}
	cr.Comment = opts.Comment
	cr.LazyQuotes = opts.LazyQuotes
	cr.TrimLeadingSpace = opts.TrimLeadingSpace
	cr.FieldsPerRecord = -1 // ragged records are checked below, with better messages

	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, &CSVError{Line: 1, Column: 1, Err: ErrNoHeader, Detail: "the first line must name the columns"}
	}
	if err != nil {
		return nil, err
	}
	headerLine, _ := cr.FieldPos(0)
	d := &csvData{headers: header, names: make([]string, len(header)), index: make(map[string]int, len(header)), comma: cr.Comma}
	if len(header) > 0 {
		// Spreadsheets often start the file with a UTF-8 byte order mark.
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
	}
	for i, h := range header {
		name := NormalizeHeader(h)
		if name == "" {
			name = "_" + strconv.Itoa(i+1)
		}
		if prev, dup := d.index[name]; dup {
			return nil, &CSVError{Line: headerLine, Column: i + 1, Header: h, Err: ErrDuplicateColumn,
				Detail: fmt.Sprintf("it and column %d (%q) are both named %s in mappings; rename one of them", prev, header[prev-1], name)}
		}
		d.names[i], d.index[name] = name, i+1
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		line, _ := cr.FieldPos(0)
		for j := len(header); j < len(rec); j++ {
			if rec[j] != "" {
				return nil, &CSVError{Line: line, Column: j + 1, Err: ErrExtraField,
					Detail: fmt.Sprintf("the header names %d columns; add a header for the extra field or remove it", len(header))}
			}
		}
		if len(rec) > len(header) {
			rec = rec[:len(header)]
		}
		d.records = append(d.records, rec)
		d.lines = append(d.lines, line)
	}

	t := &Tree{format: FormatCSV, csv: d}
	t.nodes = make([]node, 0, 2+len(d.records))
	t.add("", 0, KindDocument, none)
	root := t.add(CSVRootName, symCSVRoot, KindRoot, none)
	t.appendChild(0, root)
	for i := range d.records {
		t.appendChild(root, t.add(CSVRowName, symCSVRow, KindRow, int32(i)))
	}
	t.markLater()
	return t, nil
}

// NormalizeHeader turns a CSV header into an XPath element name: surrounding
// space is trimmed; each run of characters other than letters, digits and
// '_' becomes one '_' (dropped at either end); a name starting with a digit
// gets a leading '_'. "Unit Price" -> "Unit_Price", "PO #" -> "PO",
// "Ship-To (GLN)" -> "Ship_To_GLN", "2nd Line" -> "_2nd_Line". It returns
// "" for a header with no letters or digits; FromCSV names such a column
// "_<n>" after its 1-based position.
func NormalizeHeader(h string) string {
	var b strings.Builder
	pending := false
	for _, r := range strings.TrimSpace(h) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' {
			if pending && b.Len() > 0 {
				b.WriteByte('_')
			}
			pending = false
			if b.Len() == 0 && unicode.IsDigit(r) {
				b.WriteByte('_')
			}
			b.WriteRune(r)
			continue
		}
		pending = true
	}
	return b.String()
}

// csvCell returns field col (1-based) of row node i ("" when missing).
func (t *Tree) csvCell(i int32, col int) string {
	rec := t.csv.records[t.nodes[i].src]
	if col < 1 || col > len(rec) {
		return ""
	}
	return rec[col-1]
}

// nextCell returns the first non-empty column after col, or 0.
func (t *Tree) nextCell(i int32, col int) int {
	rec := t.csv.records[t.nodes[i].src]
	for c := col + 1; c <= len(rec); c++ {
		if rec[c-1] != "" {
			return c
		}
	}
	return 0
}

// prevCell returns the last non-empty column before col, or 0.
func (t *Tree) prevCell(i int32, col int) int {
	rec := t.csv.records[t.nodes[i].src]
	for c := min(col, len(rec)+1) - 1; c >= 1; c-- {
		if rec[c-1] != "" {
			return c
		}
	}
	return 0
}

// csvValue is Node.Value for CSV trees.
func (t *Tree) csvValue(n Node) string {
	switch n.kind {
	case KindCell, KindText:
		return t.csvCell(n.n, int(n.el))
	case KindRow:
		return strings.Join(t.csv.records[t.nodes[n.n].src], string(t.csv.comma))
	}
	var b strings.Builder
	for c := t.nodes[1].first; c != none; c = t.nodes[c].next {
		b.WriteString(strings.Join(t.csv.records[t.nodes[c].src], string(t.csv.comma)))
		b.WriteByte('\n')
	}
	return b.String()
}

// csvSource is Node.Source for CSV trees.
func (t *Tree) csvSource(n Node, s Source) Source {
	switch n.kind {
	case KindRow, KindCell, KindText, KindAttribute:
		s.Line = t.csv.lines[t.nodes[n.n].src]
	}
	if n.kind == KindCell || n.kind == KindText {
		s.ColumnIndex = int(n.el)
		s.Column = t.csv.headers[n.el-1]
	}
	return s
}
