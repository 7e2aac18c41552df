package translate

import "testing"

func TestTopLevel(t *testing.T) {
	tests := []struct {
		in, field    string
		whole        bool
		members, num string
		ok           bool
	}{
		{`{"a":1,"po_number":"PO1","lines":[{"x":"}"}]}`, "po_number", true, `"a":1,"po_number":"PO1","lines":[{"x":"}"}]`, `"PO1"`, true},
		{`{"a":1,"po_number":"PO1","lines":[{"x":"}"}]}`, "po_number", false, `"a":1,"po_number":"PO1","lines":[{"x":"}"}]`, `"PO1"`, true},
		{`{"po_number":42}`, "po_number", true, `"po_number":42`, `42`, true},
		{`{"po_number":""}`, "po_number", false, `"po_number":""`, ``, true},
		{`{"a":"x"}`, "po_number", false, `"a":"x"`, ``, true},
		{`{}`, "po_number", true, ``, ``, true},
		{`{"po_number":"P\"1"}`, "po_number", true, ``, ``, false}, // escapes: finish handles it
		{`{"po_number":true}`, "po_number", true, ``, ``, false},
		{`{"meta":{},"po_number":"1"}`, "po_number", true, ``, ``, false},
		{`{"po_number":"1","meta":{}}`, "po_number", true, ``, ``, false},
		{`[1]`, "po_number", true, ``, ``, false},
		{`{"a":1,}`, "po_number", true, ``, ``, false},
	}
	for _, tc := range tests {
		m, n, ok := topLevel([]byte(tc.in), tc.field, tc.whole)
		if ok != tc.ok || (ok && (string(m) != tc.members || string(n) != tc.num)) {
			t.Errorf("topLevel(%s, %s, %v) = %q, %q, %v; want %q, %q, %v", tc.in, tc.field, tc.whole, m, n, ok, tc.members, tc.num, tc.ok)
		}
	}
}
