package mapping

// Every key an analyst may write is declared once here, with its kind and
// a one-line description. The declarations drive the loader's unknown-key
// check (with "did you mean"), the generated JSON Schema
// (docs/schema/mapping.schema.json, kept in sync by a test) and the key
// tables in docs/mappings.md, so the three cannot drift apart.

type valKind uint8

const (
	kText   valKind = iota // a scalar, read as text exactly as written
	kExpr                  // an XPath expression (text)
	kBool                  // true or false
	kInt                   // an integer
	kScalar                // any scalar, keeping its YAML type (const, default)
	kTexts                 // a scalar or a list of scalars
	kObject                // a nested object described by ref
	kMapOf                 // a map whose values are described by ref
	kCodes                 // a code-list name or an inline {code: value} map
	kList                  // a list of items described by ref
)

type keyDecl struct {
	name string
	kind valKind
	ref  string   // $defs name for kObject, kMapOf, kList
	enum []string // allowed values for kText
	doc  string
}

// valueTypes are the conversions a field can apply (see convert.go).
var valueTypes = []string{"string", "decimal", "integer", "implied", "date", "datetime", "time", "boolean"}

var standards = []string{"x12", "edifact", "csv", "xml", "json"}

var mappingKeys = []keyDecl{
	{name: "mapping", kind: kText, doc: "Identifier of this mapping, e.g. x12-004010-850-order."},
	{name: "description", kind: kText, doc: "Free text for people."},
	{name: "extends", kind: kText, doc: "Path (relative to this file) of a mapping this one changes: only the keys and fields written here differ."},
	{name: "source", kind: kObject, ref: "source", doc: "What documents this mapping reads."},
	{name: "target", kind: kText, doc: "Canonical document produced, e.g. Order."},
	{name: "timezone", kind: kText, doc: "IANA zone of the partner's local date+time values, e.g. America/Chicago; needed by type: datetime."},
	{name: "codelists", kind: kMapOf, ref: "codelistRef", doc: "Translation tables by name: a file path (relative to this file) or an inline code list."},
	{name: "fields", kind: kMapOf, ref: "field", doc: "Output fields in output order."},
}

var sourceKeys = []keyDecl{
	{name: "standard", kind: kText, enum: standards, doc: "Syntax of the input."},
	{name: "version", kind: kText, doc: "Standard version, e.g. \"004010\" (quote it: it is not a number)."},
	{name: "set", kind: kText, doc: "Transaction set or message, e.g. \"850\" or ORDERS."},
}

var fieldKeys = []keyDecl{
	{name: "from", kind: kExpr, doc: "XPath expression for the value, relative to the current context (the document, or the foreach item)."},
	{name: "const", kind: kScalar, doc: "A fixed value; YAML numbers and booleans stay numbers and booleans."},
	{name: "pair", kind: kObject, ref: "pair", doc: "Pick a value from qualifier/value element pairs (PO106/PO107 … PO124/PO125)."},
	{name: "foreach", kind: kExpr, doc: "XPath selecting repeated nodes (a loop): the field becomes an array with one item per node."},
	{name: "fields", kind: kMapOf, ref: "field", doc: "Nested fields: an object (or, with foreach, an array of objects)."},
	{name: "type", kind: kText, enum: valueTypes, doc: "Conversion of the raw text; default string."},
	{name: "decimals", kind: kInt, doc: "Implied decimal places for type: implied (X12 N2 is 2)."},
	{name: "format", kind: kText, doc: "Date/time layout for date, datetime and time, e.g. MM/DD/CCYY or CCYYMMDD HHMI (tokens CCYY YYYY YY MM DD HH MI SS)."},
	{name: "time", kind: kExpr, doc: "XPath for the time of day (HHMM[SS]) combined with the date for type: datetime."},
	{name: "codes", kind: kCodes, doc: "Code list to translate the value through: a name from codelists or an inline {code: value} map."},
	{name: "default", kind: kScalar, doc: "Value used when the source is absent or empty."},
	{name: "required", kind: kBool, doc: "Reject the document when the value is absent (for foreach: when there are no items)."},
	{name: "when", kind: kExpr, doc: "XPath condition; the field is produced only when it is true."},
	{name: "trim", kind: kBool, doc: "Remove leading and trailing spaces from the raw text; default true."},
	{name: "remove", kind: kBool, doc: "In a mapping that extends another: drop this inherited field."},
	{name: "description", kind: kText, doc: "Free text for people."},
}

var pairKeys = []keyDecl{
	{name: "segment", kind: kExpr, doc: "Path to the segment holding the pairs, relative to the context, e.g. PO1."},
	{name: "first", kind: kInt, doc: "Element position of the first qualifier, e.g. 6 for PO106."},
	{name: "last", kind: kInt, doc: "Element position of the last value, e.g. 25 for PO125."},
	{name: "qualifier", kind: kTexts, doc: "Qualifier(s) to look for, in order of preference."},
}

var codelistKeys = []keyDecl{
	{name: "codelist", kind: kText, doc: "Identifier of this code list."},
	{name: "description", kind: kText, doc: "Free text for people."},
	{name: "extends", kind: kText, doc: "Path of a code list this one overlays: codes here add to or replace the base codes."},
	{name: "default", kind: kScalar, doc: "Value for codes not in the list; without it an unknown code rejects the document."},
	{name: "codes", kind: kMapOf, ref: "codeValue", doc: "code: translation."},
}

var templateKeys = []keyDecl{
	{name: "template", kind: kText, doc: "Identifier of this outbound template."},
	{name: "description", kind: kText, doc: "Free text for people."},
	{name: "source", kind: kText, doc: "Canonical document read, e.g. Acknowledgment."},
	{name: "target", kind: kObject, ref: "source", doc: "What the template writes."},
	{name: "timezone", kind: kText, doc: "IANA zone to write date+time values in."},
	{name: "codelists", kind: kMapOf, ref: "codelistRef", doc: "Translation tables by name, as in mappings."},
	{name: "segments", kind: kList, ref: "segment", doc: "X12 segments to write between ST and SE (the writer counts SE01)."},
	{name: "csv", kind: kObject, ref: "csv", doc: "CSV output: one row per foreach item."},
}

var segmentKeys = []keyDecl{
	{name: "segment", kind: kText, doc: "Segment tag, e.g. BAK."},
	{name: "elements", kind: kMapOf, ref: "element", doc: "Element position (1, 2 …) to value; positions not written are empty."},
	{name: "foreach", kind: kExpr, doc: "Repeat the nested segments once per node selected."},
	{name: "segments", kind: kList, ref: "segment", doc: "Segments written for each foreach item (or when the condition holds)."},
	{name: "when", kind: kExpr, doc: "XPath condition; the segment is written only when true."},
	{name: "description", kind: kText, doc: "Free text for people."},
}

// elementKeys are the value keys of fieldKeys plus composite components.
var elementKeys = append(valueKeys(), keyDecl{name: "components", kind: kList, ref: "element", doc: "Composite element: component values in order."})

var csvKeys = []keyDecl{
	{name: "foreach", kind: kExpr, doc: "XPath selecting one node per row, e.g. lines."},
	{name: "header", kind: kBool, doc: "Write a header row with the column names; default true."},
	{name: "delimiter", kind: kText, doc: "Field delimiter, one character; default a comma."},
	{name: "columns", kind: kList, ref: "column", doc: "Columns in order."},
}

var columnKeys = append([]keyDecl{{name: "name", kind: kText, doc: "Column header."}}, valueKeys()...)

// valueKeys are the field keys that produce a single value.
func valueKeys() []keyDecl {
	var out []keyDecl
	for _, k := range fieldKeys {
		switch k.name {
		case "foreach", "fields", "remove":
			continue
		}
		out = append(out, k)
	}
	return out
}

func keyNames(decls []keyDecl) []string {
	out := make([]string, len(decls))
	for i, d := range decls {
		out[i] = d.name
	}
	return out
}

func findDecl(decls []keyDecl, name string) *keyDecl {
	for i := range decls {
		if decls[i].name == name {
			return &decls[i]
		}
	}
	return nil
}

// suggest returns the declared name closest to s, or "" when none is close
// enough to be a plausible typo.
func suggest(s string, names []string) string {
	best, bestD := "", 3
	for _, n := range names {
		d := editDistance(s, n)
		if d < bestD || (d == bestD && best == "") {
			best, bestD = n, d
		}
	}
	if bestD > 2 || bestD >= len(s) {
		return ""
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
