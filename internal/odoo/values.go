package odoo

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Domain is an Odoo search domain in prefix notation: conditions
// ([field, op, value]) and the operators "&", "|", "!".
type Domain []any

// Cond is one domain condition.
func Cond(field, op string, value any) []any { return []any{field, op, value} }

// Record is one row of search_read or read. Odoo writes empty values as
// false and many2one fields as [id, "display name"]; the accessors
// absorb both.
type Record map[string]json.RawMessage

// ID returns the record's id.
func (r Record) ID() int64 { return r.Int("id") }

// Int returns an integer field (0 for false).
func (r Record) Int(name string) int64 {
	var n json.Number
	d := json.NewDecoder(strings.NewReader(string(r[name])))
	d.UseNumber()
	if err := d.Decode(&n); err != nil {
		return 0
	}
	i, err := n.Int64()
	if err != nil {
		f, _ := n.Float64()
		return int64(f)
	}
	return i
}

// Float returns a float field.
func (r Record) Float(name string) float64 {
	var f float64
	_ = json.Unmarshal(r[name], &f)
	return f
}

// String returns a char, text, selection or date field ("" for false).
func (r Record) String(name string) string {
	var s string
	if err := json.Unmarshal(r[name], &s); err != nil {
		return ""
	}
	return s
}

// Bool returns a boolean field.
func (r Record) Bool(name string) bool {
	var b bool
	_ = json.Unmarshal(r[name], &b)
	return b
}

// M2O returns a many2one as id and display name (0, "" for false). A bare
// id (load=None) is accepted too.
func (r Record) M2O(name string) (int64, string) {
	raw := r[name]
	var pair []json.RawMessage
	if err := json.Unmarshal(raw, &pair); err == nil && len(pair) >= 1 {
		var id int64
		var n string
		_ = json.Unmarshal(pair[0], &id)
		if len(pair) > 1 {
			_ = json.Unmarshal(pair[1], &n)
		}
		return id, n
	}
	var id int64
	_ = json.Unmarshal(raw, &id)
	return id, ""
}

// M2OID returns a many2one's id.
func (r Record) M2OID(name string) int64 { id, _ := r.M2O(name); return id }

// IDs returns a one2many or many2many as ids.
func (r Record) IDs(name string) []int64 {
	var ids []int64
	_ = json.Unmarshal(r[name], &ids)
	return ids
}

// Has reports whether the row carries the field.
func (r Record) Has(name string) bool { _, ok := r[name]; return ok }

// SearchOpts are search_read's optional arguments.
type SearchOpts struct {
	Limit, Offset int
	Order         string
	Context       map[string]any
}

// SearchRead runs search_read.
func (c *Client) SearchRead(ctx context.Context, model string, dom Domain, fields []string, o SearchOpts) ([]Record, error) {
	kw := map[string]any{"domain": nonNilDomain(dom), "fields": fields}
	if o.Limit > 0 {
		kw["limit"] = o.Limit
	}
	if o.Offset > 0 {
		kw["offset"] = o.Offset
	}
	if o.Order != "" {
		kw["order"] = o.Order
	}
	var rows []Record
	err := c.CallInto(ctx, Request{Model: model, Method: "search_read", Kwargs: kw, Context: o.Context, Idempotent: true}, &rows)
	return rows, err
}

// Read runs read on ids. Missing ids are left out, as Odoo does.
func (c *Client) Read(ctx context.Context, model string, ids []int64, fields []string, ctxVals map[string]any) ([]Record, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var rows []Record
	err := c.CallInto(ctx, Request{Model: model, Method: "read", IDs: ids, HasIDs: true,
		Kwargs: map[string]any{"fields": fields}, Context: ctxVals, Idempotent: true}, &rows)
	return rows, err
}

// Create creates records in one call and returns their ids. It is not
// retried after an ambiguous failure: see Error.Ambiguous.
func (c *Client) Create(ctx context.Context, model string, vals []map[string]any, ctxVals map[string]any) ([]int64, error) {
	var ids []int64
	err := c.CallInto(ctx, Request{Model: model, Method: "create", Kwargs: map[string]any{"vals_list": vals}, Context: ctxVals}, &ids)
	if err == nil && len(ids) != len(vals) {
		return nil, &Error{Kind: KindProtocol, Model: model, Method: "create", Message: fmt.Sprintf("created %d records for %d values", len(ids), len(vals))}
	}
	return ids, err
}

// Write sets vals on ids. Writing absolute values is idempotent, so it is
// retried like a read.
func (c *Client) Write(ctx context.Context, model string, ids []int64, vals map[string]any, ctxVals map[string]any) error {
	return c.CallInto(ctx, Request{Model: model, Method: "write", IDs: ids, HasIDs: true,
		Kwargs: map[string]any{"vals": vals}, Context: ctxVals, Idempotent: true}, nil)
}

// Exec calls a record method (a button such as action_confirm) and
// returns its raw result.
func (c *Client) Exec(ctx context.Context, model, method string, ids []int64, ctxVals map[string]any) (json.RawMessage, error) {
	return c.Call(ctx, Request{Model: model, Method: method, IDs: ids, HasIDs: true, Context: ctxVals})
}

func nonNilDomain(d Domain) Domain {
	if d == nil {
		return Domain{}
	}
	return d
}

// odooDatetime formats t as Odoo stores datetimes: UTC, no zone.
func odooDatetime(t time.Time) string { return t.UTC().Format(time.DateTime) }

// parseOdooDatetime reads an Odoo datetime (UTC).
func parseOdooDatetime(s string) (time.Time, bool) {
	t, err := time.ParseInLocation(time.DateTime, s, time.UTC)
	return t, err == nil
}
