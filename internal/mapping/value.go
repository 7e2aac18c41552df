package mapping

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/b2bgw/b2bgw/internal/jsonenc"
)

// Kind is the kind of a Value.
type Kind uint8

const (
	Null Kind = iota
	String
	Number // exact decimal text, e.g. "12.50"; never a float
	Bool
	Object
	Array
)

func (k Kind) String() string {
	switch k {
	case String:
		return "string"
	case Number:
		return "number"
	case Bool:
		return "boolean"
	case Object:
		return "object"
	case Array:
		return "array"
	}
	return "null"
}

// Value is the generic output of a mapping: a JSON value whose objects keep
// their keys in mapping-file order and whose numbers are the exact decimal
// text (so "12.50" stays "12.50" on its way to canonical.Decimal). Turning
// it into canonical.Order and friends is a json.Unmarshal at the edge; the
// mapping engine does not depend on the canonical types so that one
// generic engine serves every target document.
//
// The zero Value is null.
type Value struct {
	kind    Kind
	b       bool
	s       string   // String, Number
	members []Member // Object
	items   []Value  // Array
}

// Member is one key of an object.
type Member struct {
	Key   string
	Value Value
}

// Str returns a string value.
func Str(s string) Value { return Value{kind: String, s: s} }

// Num returns a number value from its decimal text. The text must be a
// valid JSON number; the evaluator guarantees that for everything it builds.
func Num(text string) Value { return Value{kind: Number, s: text} }

// Boolean returns a boolean value.
func Boolean(b bool) Value { return Value{kind: Bool, b: b} }

// Obj returns an object with members in the given order.
func Obj(members ...Member) Value { return Value{kind: Object, members: members} }

// Arr returns an array.
func Arr(items ...Value) Value { return Value{kind: Array, items: items} }

// Kind returns the value's kind.
func (v Value) Kind() Kind { return v.kind }

// Text returns the text of a string or number, "true"/"false" for a
// boolean and "" otherwise.
func (v Value) Text() string {
	switch v.kind {
	case String, Number:
		return v.s
	case Bool:
		if v.b {
			return "true"
		}
		return "false"
	}
	return ""
}

// Members returns an object's members in order (nil for other kinds).
func (v Value) Members() []Member { return v.members }

// Items returns an array's items (nil for other kinds).
func (v Value) Items() []Value { return v.items }

// Get returns the member key of an object.
func (v Value) Get(key string) (Value, bool) {
	for _, m := range v.members {
		if m.Key == key {
			return m.Value, true
		}
	}
	return Value{}, false
}

// AppendJSON appends v as compact JSON. It is the hot-path encoder for
// translation output: no reflection, strings through jsonenc so invalid
// UTF-8 from a partner still yields valid JSON.
func (v Value) AppendJSON(b []byte) []byte {
	switch v.kind {
	case String:
		return jsonenc.AppendStr(b, v.s)
	case Number:
		return append(b, v.s...)
	case Bool:
		return strconv.AppendBool(b, v.b)
	case Object:
		b = append(b, '{')
		for i, m := range v.members {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonenc.AppendStr(b, m.Key)
			b = append(b, ':')
			b = m.Value.AppendJSON(b)
		}
		return append(b, '}')
	case Array:
		b = append(b, '[')
		for i, it := range v.items {
			if i > 0 {
				b = append(b, ',')
			}
			b = it.AppendJSON(b)
		}
		return append(b, ']')
	}
	return append(b, "null"...)
}

// MarshalJSON implements json.Marshaler.
func (v Value) MarshalJSON() ([]byte, error) { return v.AppendJSON(nil), nil }

// String returns v as compact JSON.
func (v Value) String() string { return string(v.AppendJSON(nil)) }

// Equal reports whether v and w are the same JSON value with the same key
// order and the same number text.
func (v Value) Equal(w Value) bool {
	return bytes.Equal(v.AppendJSON(nil), w.AppendJSON(nil))
}

// ParseJSON reads one JSON value keeping object key order and number text,
// the way canonical documents are read for outbound templates.
func ParseJSON(data []byte) (Value, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := parseJSONValue(dec, 0)
	if err != nil {
		return Value{}, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Value{}, fmt.Errorf("json: data after the top-level value")
	}
	return v, nil
}

// maxJSONDepth bounds nesting so hostile input cannot exhaust the stack.
const maxJSONDepth = 200

func parseJSONValue(dec *json.Decoder, depth int) (Value, error) {
	if depth > maxJSONDepth {
		return Value{}, fmt.Errorf("json: nested deeper than %d", maxJSONDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		return Value{}, fmt.Errorf("json: %w", err)
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			v := Value{kind: Object, members: []Member{}}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return Value{}, fmt.Errorf("json: %w", err)
				}
				mv, err := parseJSONValue(dec, depth+1)
				if err != nil {
					return Value{}, err
				}
				v.members = append(v.members, Member{Key: kt.(string), Value: mv})
			}
			_, err := dec.Token() // '}'
			return v, err
		case '[':
			v := Value{kind: Array, items: []Value{}}
			for dec.More() {
				it, err := parseJSONValue(dec, depth+1)
				if err != nil {
					return Value{}, err
				}
				v.items = append(v.items, it)
			}
			_, err := dec.Token() // ']'
			return v, err
		}
	case string:
		return Str(t), nil
	case json.Number:
		return Num(string(t)), nil
	case bool:
		return Boolean(t), nil
	case nil:
		return Value{}, nil
	}
	return Value{}, fmt.Errorf("json: unexpected token %v", tok)
}
