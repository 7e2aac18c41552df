// Package canonical defines the documents that pass between the EDI side of
// the gateway (X12, EDIFACT, partner CSV and XML) and the Odoo side: Order,
// ShipmentNotice, WarehouseShippingAdvice, InventoryAdvice, CatalogItem and
// Acknowledgment. Neither side knows the other's formats; this package is
// the whole contract between them.
//
// Design rules, and why:
//   - Codes are canonical words ("cancellation", "ship_to"), never X12 or
//     EDIFACT codes; mapping files translate. Raw qualifier/value pairs
//     are kept next to the typed fields as evidence and for rare needs.
//   - Quantities and money are Decimal, never float64: EDI numbers are
//     exact strings and must arrive in Odoo unchanged.
//   - Dates are Date (civil) or DateTime (instant with its offset).
//   - Validate reports every problem with a JSON path, as a
//     *ValidationError that rejects just that document.
//   - The JSON Schema in docs/schema is generated from these types
//     (go generate) and a test keeps it current.
package canonical

//go:generate go run ./internal/genschema -o ../../docs/schema/canonical-v1.json

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// Document is implemented by every canonical document type (as a pointer).
type Document interface {
	// DocMeta returns the document's envelope, for reading and filling in.
	DocMeta() *Meta
	// Validate returns nil or a *ValidationError listing every problem.
	Validate() error
}

var (
	_ Document = (*Order)(nil)
	_ Document = (*ShipmentNotice)(nil)
	_ Document = (*WarehouseShippingAdvice)(nil)
	_ Document = (*InventoryAdvice)(nil)
	_ Document = (*CatalogItem)(nil)
	_ Document = (*Acknowledgment)(nil)
)

// New returns an empty document of kind k with Meta.Kind and
// Meta.SchemaVersion filled in, or nil for an unknown kind.
func New(k DocumentKind) Document {
	var d Document
	switch k {
	case KindOrder:
		d = new(Order)
	case KindShipmentNotice:
		d = new(ShipmentNotice)
	case KindWarehouseShippingAdvice:
		d = new(WarehouseShippingAdvice)
	case KindInventoryAdvice:
		d = new(InventoryAdvice)
	case KindCatalogItem:
		d = new(CatalogItem)
	case KindAcknowledgment:
		d = new(Acknowledgment)
	default:
		return nil
	}
	m := d.DocMeta()
	m.Kind, m.SchemaVersion = k, SchemaVersion
	return d
}

// Decode reads one canonical document of any kind from JSON, choosing the
// type by meta.kind. Unknown fields are errors: within one schema major
// version the producer and consumer are the same program, so an unknown
// field means a bug or a document from an incompatible version. Decode
// does not Validate.
func Decode(data []byte) (Document, error) {
	var head struct {
		Meta struct {
			Kind          DocumentKind `json:"kind"`
			SchemaVersion string       `json:"schema_version"`
		} `json:"meta"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("canonical: decode: %w", err)
	}
	d := New(head.Meta.Kind)
	if d == nil {
		return nil, fmt.Errorf("canonical: decode: unknown meta.kind %q", head.Meta.Kind)
	}
	if v := head.Meta.SchemaVersion; len(v) < len(SchemaMajor)+1 || v[:len(SchemaMajor)+1] != SchemaMajor+"." {
		return nil, fmt.Errorf("canonical: decode: schema_version %q is not %s.x", v, SchemaMajor)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(d); err != nil {
		return nil, fmt.Errorf("canonical: decode %s: %w", head.Meta.Kind, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("canonical: decode %s: data after the document", head.Meta.Kind)
	}
	return d, nil
}
