package canonical

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// SchemaID is the JSON Schema $id of the canonical schema.
const SchemaID = "urn:b2bgw:schema:canonical:v" + SchemaMajor

// Schema is the subset of a JSON Schema (draft 2020-12) the generator
// writes. Its field order is the order keys appear in the file.
type Schema struct {
	Schema               string      `json:"$schema,omitempty"`
	ID                   string      `json:"$id,omitempty"`
	Ref                  string      `json:"$ref,omitempty"`
	Title                string      `json:"title,omitempty"`
	Version              string      `json:"version,omitempty"`
	Description          string      `json:"description,omitempty"`
	Type                 string      `json:"type,omitempty"`
	Format               string      `json:"format,omitempty"`
	Pattern              string      `json:"pattern,omitempty"`
	Const                string      `json:"const,omitempty"`
	Enum                 []string    `json:"enum,omitempty"`
	Items                *Schema     `json:"items,omitempty"`
	Properties           *Properties `json:"properties,omitempty"`
	Required             []string    `json:"required,omitempty"`
	AdditionalProperties *bool       `json:"additionalProperties,omitempty"`
	OneOf                []*Schema   `json:"oneOf,omitempty"`
	Defs                 *Properties `json:"$defs,omitempty"`
}

// Properties is an ordered name → schema map: struct fields keep their Go
// order so the schema reads like the documents.
type Properties struct {
	Names   []string
	Schemas map[string]*Schema
}

func (p *Properties) set(name string, s *Schema) {
	if p.Schemas == nil {
		p.Schemas = map[string]*Schema{}
	}
	if _, ok := p.Schemas[name]; !ok {
		p.Names = append(p.Names, name)
	}
	p.Schemas[name] = s
}

// MarshalJSON writes the properties in order.
func (p *Properties) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, n := range p.Names {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(n)
		b.Write(k)
		b.WriteByte(':')
		v, err := marshalNoEscape(p.Schemas[n])
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// schemaProvider is implemented by leaf types whose JSON is not their Go
// structure (Decimal is a number, Date a string).
type schemaProvider interface{ jsonSchema() *Schema }

func (Decimal) jsonSchema() *Schema {
	return &Schema{Type: "number"}
}

func (Date) jsonSchema() *Schema { return &Schema{Type: "string", Format: "date"} }

func (DateTime) jsonSchema() *Schema { return &Schema{Type: "string", Format: "date-time"} }

func (UOM) jsonSchema() *Schema { return &Schema{Type: "string", Pattern: uomPattern} }

// documentTypes are the schema's roots, in the order of DocumentKind.
var documentTypes = []struct {
	kind DocumentKind
	typ  reflect.Type
}{
	{KindOrder, reflect.TypeFor[Order]()},
	{KindShipmentNotice, reflect.TypeFor[ShipmentNotice]()},
	{KindWarehouseShippingAdvice, reflect.TypeFor[WarehouseShippingAdvice]()},
	{KindInventoryAdvice, reflect.TypeFor[InventoryAdvice]()},
	{KindCatalogItem, reflect.TypeFor[CatalogItem]()},
	{KindAcknowledgment, reflect.TypeFor[Acknowledgment]()},
}

// typeDocs describe the named types in $defs. Go doc comments are not
// visible to reflection, so the short form lives here; TestSchemaTypeDocs
// fails when a type in the schema has none.
var typeDocs = map[string]string{
	"Order":                   "A customer's purchase order (X12 850, EDIFACT ORDERS, CSV/XML orders); becomes an Odoo sale.order.",
	"OrderLine":               "One ordered item.",
	"OrderTotals":             "Control totals as the partner sent them.",
	"ShipmentNotice":          "Advance ship notice (X12 856, EDIFACT DESADV): shipment → orders → packs → items.",
	"ShipmentOrder":           "The part of a shipment that fulfils one order.",
	"ShipmentItem":            "One product shipped, with quantity, lots and serial numbers.",
	"ShipmentTotals":          "Control totals as sent.",
	"Pack":                    "A handling unit (pallet, carton) with the units and items inside it.",
	"ItemPack":                "A unit filled with a single item (standard carton pack shape).",
	"PackageCount":            "How many handling units of one type.",
	"WarehouseShippingAdvice": "A 3PL's report that it shipped an order (X12 945).",
	"AdviceLine":              "One order line as the warehouse shipped it.",
	"AdviceTotals":            "Warehouse shipping advice totals as sent.",
	"InventoryAdvice":         "Available-to-promise feed sent to a partner (X12 846, EDIFACT INVRPT, CSV).",
	"InventoryItem":           "Stock position of one product at one location.",
	"CatalogItem":             "One row of a supplier price catalog; becomes an Odoo product.supplierinfo.",
	"Acknowledgment":          "A functional or syntax acknowledgment (X12 997/999/TA1, EDIFACT CONTRL), received or sent.",
	"AckGroup":                "The verdict on one functional group.",
	"AckSet":                  "The verdict on one transaction set or message.",
	"AckError":                "One error an acknowledgment reports; positions are 1-based.",
	"Meta":                    "Envelope every canonical document carries.",
	"Source":                  "Where the document was read from or written to.",
	"FileRef":                 "An archived file.",
	"InterchangeRef":          "An interchange envelope (ISA or UNB).",
	"GroupRef":                "A functional group (GS or UNG).",
	"SetRef":                  "A transaction set (ST) or message (UNH).",
	"Identifier":              "An id as the partner sent it, with its qualifier.",
	"Reference":               "A reference as the partner sent it (REF, N9, RFF).",
	"QualifiedDate":           "A date as sent, with its qualifier.",
	"Party":                   "An organisation or place in a role.",
	"Address":                 "A postal address.",
	"Contact":                 "A person or desk and how to reach them.",
	"ProductRef":              "Product identification: normalized GTIN, vendor and buyer part numbers, and every id as sent.",
	"Measure":                 "A quantity with its unit.",
	"Lot":                     "A lot or batch with its dates.",
	"Note":                    "Free text with its kind as sent.",
	"Carrier":                 "Who moves the goods and how.",
	"PaymentTerms":            "Terms of sale.",
	"ShippingTerms":           "Freight payment and Incoterms.",
	"Tracking":                "Numbers that identify the shipment at the carrier.",
	"Decimal":                 "An exact decimal number; digits are significant and never rounded (12.50 stays 12.50).",
	"Date":                    "A calendar date, YYYY-MM-DD.",
	"DateTime":                "An instant with its UTC offset, RFC 3339.",
	"UOM":                     "Unit of measure, a UN/ECE Recommendation 20 common code (EA, C62, KGM, XCT…).",
	"DocumentKind":            "Canonical document type.",
	"Direction":               "inbound = from the partner, outbound = to it.",
	"Standard":                "Syntax of a source or acknowledgment.",
	"Purpose":                 "Why the document was sent.",
	"OrderType":               "Kind of purchase order.",
	"PartyRole":               "What a party is to the document.",
	"PriceBasis":              "What a unit price is.",
	"TransportMode":           "How goods travel.",
	"FreightPayment":          "Who pays the freight.",
	"PackType":                "Kind of handling unit.",
	"PackingStructure":        "How an 856 arranged its hierarchy.",
	"LineStatus":              "Outcome of a shipped line.",
	"AckStatus":               "Verdict of an acknowledgment.",
	"AckType":                 "Which acknowledgment message it is.",
}

// GenerateSchema builds the JSON Schema of every canonical document from
// the Go types: field order, json names, omitempty (optional) and the doc,
// pattern and schema:"required" tags.
func GenerateSchema() (*Schema, error) {
	g := &schemaGen{defs: map[string]*Schema{}}
	root := &Schema{
		Schema:  "https://json-schema.org/draft/2020-12/schema",
		ID:      SchemaID,
		Title:   "b2bgw canonical documents",
		Version: SchemaVersion,
		Description: "The documents b2bgw passes between partners' EDI (X12, EDIFACT, CSV, XML) and Odoo. " +
			"Generated from internal/canonical by go generate; do not edit.",
	}
	for _, d := range documentTypes {
		ref, err := g.typeSchema(d.typ)
		if err != nil {
			return nil, err
		}
		// Pin meta.kind per document so that oneOf picks exactly one branch
		// and a validator's error names the right document type.
		kind := &Schema{Properties: &Properties{}}
		kind.Properties.set("kind", &Schema{Const: string(d.kind)})
		branch := &Schema{Ref: ref.Ref, Properties: &Properties{}}
		branch.Properties.set("meta", kind)
		root.OneOf = append(root.OneOf, branch)
	}
	names := make([]string, 0, len(g.defs))
	for n := range g.defs {
		names = append(names, n)
	}
	slices.Sort(names)
	root.Defs = &Properties{}
	for _, n := range names {
		root.Defs.set(n, g.defs[n])
	}
	return root, nil
}

// SchemaJSON returns the schema as indented JSON with a final newline, the
// exact bytes of docs/schema/canonical-v1.json.
func SchemaJSON() ([]byte, error) {
	s, err := GenerateSchema()
	if err != nil {
		return nil, err
	}
	flat, err := marshalNoEscape(s)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, flat, "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// marshalNoEscape marshals without HTML escaping: the schema is read by
// people, and "→" or "&" should look like themselves.
func marshalNoEscape(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

type schemaGen struct {
	defs map[string]*Schema
}

var (
	providerType = reflect.TypeFor[schemaProvider]()
	enumerType   = reflect.TypeFor[enumer]()
)

// typeSchema returns the schema to use where a value of type t appears:
// a $ref for named types (defining them once), inline for the rest.
func (g *schemaGen) typeSchema(t reflect.Type) (*Schema, error) {
	if t.Kind() == reflect.Pointer {
		return g.typeSchema(t.Elem())
	}
	named := t.PkgPath() == reflect.TypeFor[Decimal]().PkgPath() && t.Name() != ""
	if named {
		ref := &Schema{Ref: "#/$defs/" + t.Name()}
		if _, done := g.defs[t.Name()]; done {
			return ref, nil
		}
		g.defs[t.Name()] = nil // reserve: recursive types (Pack) refer to themselves
		def, err := g.define(t)
		if err != nil {
			return nil, err
		}
		def.Description = typeDocs[t.Name()]
		g.defs[t.Name()] = def
		return ref, nil
	}
	switch t.Kind() {
	case reflect.String:
		return &Schema{Type: "string"}, nil
	case reflect.Bool:
		return &Schema{Type: "boolean"}, nil
	case reflect.Int, reflect.Int32, reflect.Int64, reflect.Uint8:
		return &Schema{Type: "integer"}, nil
	case reflect.Slice:
		items, err := g.typeSchema(t.Elem())
		if err != nil {
			return nil, err
		}
		return &Schema{Type: "array", Items: items}, nil
	}
	return nil, fmt.Errorf("canonical: schema: unsupported type %s", t)
}

// define builds the $defs entry of a named package type.
func (g *schemaGen) define(t reflect.Type) (*Schema, error) {
	switch {
	case t.Implements(providerType):
		return reflect.Zero(t).Interface().(schemaProvider).jsonSchema(), nil
	case t.Implements(enumerType):
		return &Schema{Type: "string", Enum: reflect.Zero(t).Interface().(enumer).enumValues()}, nil
	case t.Kind() == reflect.Struct:
		return g.object(t)
	}
	return nil, fmt.Errorf("canonical: schema: %s is neither a struct, an enum nor a schema provider", t)
}

func (g *schemaGen) object(t reflect.Type) (*Schema, error) {
	no := false
	s := &Schema{Type: "object", Properties: &Properties{}, AdditionalProperties: &no}
	for f := range t.Fields() {
		if !f.IsExported() {
			continue
		}
		if f.Anonymous {
			return nil, fmt.Errorf("canonical: schema: %s.%s: embedded fields are not supported", t.Name(), f.Name)
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			return nil, fmt.Errorf("canonical: schema: %s.%s has no json name", t.Name(), f.Name)
		}
		doc := f.Tag.Get("doc")
		if doc == "" {
			return nil, fmt.Errorf("canonical: schema: %s.%s has no doc tag", t.Name(), f.Name)
		}
		fs, err := g.typeSchema(f.Type)
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %w", t.Name(), f.Name, err)
		}
		fs.Description = doc
		if p := f.Tag.Get("pattern"); p != "" {
			if fs.Type != "string" {
				return nil, fmt.Errorf("canonical: schema: %s.%s: pattern on a non-string", t.Name(), f.Name)
			}
			fs.Pattern = p
		}
		s.Properties.set(name, fs)
		optional := slices.Contains(strings.Split(opts, ","), "omitempty") ||
			slices.Contains(strings.Split(opts, ","), "omitzero")
		if !optional || f.Tag.Get("schema") == "required" {
			s.Required = append(s.Required, name)
		}
	}
	return s, nil
}
