package edifact

import (
	"strings"
	"testing"

	"github.com/b2bgw/b2bgw/internal/edifact/spec"
)

// findSeg returns the compiled checks of the first node with tag in l.
func findSeg(l *cList, tag string) *cSeg {
	for i := range l.nodes {
		n := &l.nodes[i]
		if n.tag == tag && n.seg != nil {
			return n.seg
		}
		if n.body != nil {
			if s := findSeg(n.body, tag); s != nil {
				return s
			}
		}
	}
	return nil
}

// TestWalkerClean: the walker's quick check says yes for segments
// without findings and no for every kind of finding the full check
// reports (a yes there would hide the finding).
func TestWalkerClean(t *testing.T) {
	t.Parallel()
	qtyStrict := &spec.Overlay{Elements: map[string]spec.ElementOverlay{"QTY01-2": {Min: 2}}}
	tests := []struct {
		name    string
		seg     string
		syntax4 bool
		overlay *spec.Overlay
		want    bool
	}{
		{"bgm", "BGM+220+PO1+9", false, nil, true},
		{"bgm composite in full", "BGM+220:1:2:NAME+PO1+9", false, nil, true},
		{"dtm", "DTM+137:20250101:102", false, nil, true},
		{"qty decimal", "QTY+21:48.5:PCE", false, nil, true},
		{"qty negative", "QTY+21:-48:PCE", false, nil, true},
		{"lin empty position", "LIN+1++4000862141404:SRS", false, nil, true},
		{"nad mandatory component sent", "NAD+BY+123::9", false, nil, true},
		{"trailing component separator before syntax 4", "NAD+BY+123:", false, nil, true},
		{"too many elements", "BGM+220+1+9+1+2", false, nil, false},
		{"too many components", "BGM+220:1:2:3:4", false, nil, false},
		{"components in a simple element", "BGM+220+A:B", false, nil, false},
		{"mandatory element missing", "DTM", false, nil, false},
		{"mandatory element empty", "NAD++123", false, nil, false},
		{"mandatory first component empty", "DTM+:20250101:102", false, nil, false},
		{"mandatory component empty", "NAD+BY+:1", false, nil, false},
		{"mandatory component not sent", "QTY+21", false, nil, false},
		{"too long", "BGM+220+" + strings.Repeat("X", 36), false, nil, false},
		{"too short (overlay)", "QTY+21:5:PCE", false, qtyStrict, false},
		{"bad code", "BGM+220+PO1+7", false, nil, false},
		{"letters in n", "LIN+A1", false, nil, false},
		{"bad decimal", "QTY+21:1.:PCE", false, nil, false},
		{"digits in a", "UNS+1", false, nil, false},
		{"trailing separator in syntax 4", "NAD+BY+123:", true, nil, false},
		{"release character (full check)", "BGM+220+P?+O1+9", false, nil, false},
		{"repetition separator (full check)", "BGM+220+PO1*PO2+9", true, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var opts []ValidatorOption
			if tc.overlay != nil {
				opts = append(opts, WithOverlay(tc.overlay))
			}
			v := testValidator(t, opts...)
			ms, _ := v.src.Message("D96A", "ORDERS")
			c := v.compiled(ms)
			tag := tc.seg[:3]
			cs := findSeg(&c.root, tag)
			if cs == nil {
				t.Fatalf("no %s in the test ORDERS", tag)
			}
			d := DefaultDelimiters
			if !tc.syntax4 {
				d.Repetition = 0
			}
			r := NewReaderBytes([]byte("UNA" + d.UNA()[3:] + tc.seg + "'"))
			s, err := r.Next()
			if err == nil && s.Is("UNA") {
				s, err = r.Next()
			}
			if err != nil {
				t.Fatal(err)
			}
			w := &walker{syntax4: tc.syntax4}
			if got := w.clean(s, cs); got != tc.want {
				t.Errorf("clean(%s) = %v, want %v", tc.seg, got, tc.want)
			}
		})
	}
}
