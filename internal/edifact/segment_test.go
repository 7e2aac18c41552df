package edifact

import "testing"

// TestSegmentComponents: components gives, for each component asked for,
// what Component gives, and value what Value gives, with and without
// release characters, repetitions and missing parts.
func TestSegmentComponents(t *testing.T) {
	t.Parallel()
	syntax3 := DefaultDelimiters
	syntax3.Repetition = 0
	for _, c := range []struct {
		name  string
		d     Delimiters
		elems []string
	}{
		{"full", syntax3, []string{"1", "ORDERS:D:96A:UN:EAN008"}},
		{"more than asked", syntax3, []string{"1", "ORDERS:D:96A:UN:EAN008:X:Y"}},
		{"fewer", syntax3, []string{"1", "ORDERS:D"}},
		{"empty parts", syntax3, []string{"1", "::96A::"}},
		{"empty", syntax3, []string{"1", ""}},
		{"absent", syntax3, []string{"1"}},
		{"released", syntax3, []string{"1", "OR?:DERS:D?:X:96A"}},
		{"released at end", syntax3, []string{"1", "ORDERS:D??:96A"}},
		{"repetitions", DefaultDelimiters, []string{"1", "ORDERS:D*INVOIC:S:93A"}},
		{"released repetition", DefaultDelimiters, []string{"1", "ORD?*ERS:D*X"}},
		{"repetition first", DefaultDelimiters, []string{"1*2:3", "A*B:C", "*:"}},
		{"released value", syntax3, []string{"1?:2:3", "A?'B", "??"}},
	} {
		s := NewSegment(c.d, "UNH", c.elems...)
		var got [5][]byte
		s.components(2, got[:])
		for i := range got {
			want := s.Component(2, i+1)
			if string(got[i]) != string(want) || (got[i] == nil) != (want == nil) {
				t.Errorf("%s: component %d = %q, Component gives %q (segment %s)", c.name, i+1, got[i], want, s.Format())
			}
		}
		for i := 0; i <= 3; i++ {
			if got, want := s.value(i), s.Value(i); string(got) != string(want) || (got == nil) != (want == nil) {
				t.Errorf("%s: value(%d) = %q, Value gives %q (segment %s)", c.name, i, got, want, s.Format())
			}
		}
	}
}

// TestRefSet: the set of message references finds a repeat whether the
// reference is a plain number (the bit set) or anything else (the map),
// and never takes two different strings for the same reference.
func TestRefSet(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		refs []string
		want []bool // add's answers in turn
	}{
		{"numbers", []string{"1", "2", "3", "2", "1"}, []bool{false, false, false, true, true}},
		{"zero", []string{"0", "0"}, []bool{false, true}},
		{"leading zero is another reference", []string{"1", "01", "001", "01"}, []bool{false, false, false, true}},
		{"word boundary", []string{"63", "64", "127", "128", "64"}, []bool{false, false, false, false, true}},
		{"large", []string{"1048575", "1048576", "9999999", "1048576", "1048575"}, []bool{false, false, false, true, true}},
		{"long", []string{"12345678", "12345678"}, []bool{false, true}},
		{"letters", []string{"MSG1", "msg1", "MSG1"}, []bool{false, false, true}},
		{"empty", []string{"", ""}, []bool{false, true}},
		{"signs", []string{"+1", "1", "-1", "+1"}, []bool{false, false, false, true}},
	} {
		var s refSet
		for i, ref := range c.refs {
			if got := s.add(ref); got != c.want[i] {
				t.Errorf("%s: add(%q) #%d = %v, want %v", c.name, ref, i+1, got, c.want[i])
			}
		}
		s.reset()
		if s.add(c.refs[0]) {
			t.Errorf("%s: %q still there after reset", c.name, c.refs[0])
		}
	}
}
