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
// reports (a yes there would hide the finding); saying yes, it says
// whether every byte is in the repertoire (UNOA here).
func TestWalkerClean(t *testing.T) {
	t.Parallel()
	qtyStrict := &spec.Overlay{Elements: map[string]spec.ElementOverlay{"QTY01-2": {Min: 2}}}
	tests := []struct {
		name    string
		seg     string
		syntax4 bool
		overlay *spec.Overlay
		want    bool
		chars   bool // in UNOA, when want
	}{
		{"bgm", "BGM+220+PO1+9", false, nil, true, true},
		{"bgm composite in full", "BGM+220:1:2:NAME+PO1+9", false, nil, true, true},
		{"dtm", "DTM+137:20250101:102", false, nil, true, true},
		{"qty decimal", "QTY+21:48.5:PCE", false, nil, true, true},
		{"qty negative", "QTY+21:-48:PCE", false, nil, true, true},
		{"lin empty position", "LIN+1++4000862141404:SRS", false, nil, true, true},
		{"nad mandatory component sent", "NAD+BY+123::9", false, nil, true, true},
		{"trailing component separator before syntax 4", "NAD+BY+123:", false, nil, true, true},
		{"too many elements", "BGM+220+1+9+1+2", false, nil, false, false},
		{"too many components", "BGM+220:1:2:3:4", false, nil, false, false},
		{"components in a simple element", "BGM+220+A:B", false, nil, false, false},
		{"mandatory element missing", "DTM", false, nil, false, false},
		{"mandatory element empty", "NAD++123", false, nil, false, false},
		{"mandatory first component empty", "DTM+:20250101:102", false, nil, false, false},
		{"mandatory component empty", "NAD+BY+:1", false, nil, false, false},
		{"mandatory component not sent", "QTY+21", false, nil, false, false},
		{"too long", "BGM+220+" + strings.Repeat("X", 36), false, nil, false, false},
		{"too short (overlay)", "QTY+21:5:PCE", false, qtyStrict, false, false},
		{"bad code", "BGM+220+PO1+7", false, nil, false, false},
		{"letters in n", "LIN+A1", false, nil, false, false},
		{"bad decimal", "QTY+21:1.:PCE", false, nil, false, false},
		{"digits in a", "UNS+1", false, nil, false, false},
		{"trailing separator in syntax 4", "NAD+BY+123:", true, nil, false, false},
		{"release character (full check)", "BGM+220+P?+O1+9", false, nil, false, false},
		{"lower case", "BGM+220+po1+9", false, nil, true, false},
		{"lower case in a composite", "DTM+137:20250101:102:x", false, nil, false, false},
		{"lower case in a component", "NAD+BY+abc::9", false, nil, true, false},
		{"outside UNOA", "NAD+BY+1#3::9", false, nil, true, false},
		{"control character in the last word", "QTY+21:48.5:PC\x01", false, nil, true, false},
		{"long, all in UNOA", "FTX+AAI+++ONE TWO THREE FOUR FIVE:SIX SEVEN", false, nil, true, true},
		{"long, bad byte in the last word", "FTX+AAI+++ONE TWO THREE FOUR FIVE:SIX SEVEn", false, nil, true, false},
		{"long, bad byte in the first word", "FTX+aAI+++ONE TWO THREE FOUR FIVE:SIX SEVEN", false, nil, true, false},
		{"long, too many components", "FTX+AAI+++ONE TWO THREE FOUR FIVE:SIX:SEVEN", false, nil, false, false},
		{"repetition separator (full check)", "BGM+220+PO1*PO2+9", true, nil, false, false},
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
			unoa, _ := LookupRepertoire("UNOA")
			w := &walker{syntax4: tc.syntax4, chars: newCharCheck(unoa, d, SevError)}
			if got, chars := w.clean(s, cs); got != tc.want || got && chars != tc.chars {
				t.Errorf("clean(%s) = %v, %v; want %v, %v", tc.seg, got, chars, tc.want, tc.chars)
			}
		})
	}
}

// TestListFind: the lookup of a tag in a node list gives the first node
// at or after j with its key, as a search along the list does, for lists
// with repeated tags, long lists (several slots probed) and absent tags.
func TestListFind(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		tags []string
	}{
		{"one", []string{"LIN"}},
		{"repeated", []string{"UNH", "BGM", "DTM", "FTX", "DTM", "NAD", "FTX", "DTM", "UNT"}},
		{"long", strings.Fields("UNH BGM DTM PAI ALI IMD FTX RFF NAD LOC FII CTA COM TAX MOA CUX PAT TDT TOD EQD HAN SCC APR RCS LIN PIA QTY PRI UNS CNT UNT FTX")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := &cList{}
			for _, tag := range tc.tags {
				l.nodes = append(l.nodes, cNode{tag: tag, key: tagKey([]byte(tag))})
				l.keys = append(l.keys, tagKey([]byte(tag)))
			}
			l.index()
			for _, tag := range append(tc.tags, "XYZ", "ZZZ") {
				key := tagKey([]byte(tag))
				for j := 0; j <= len(l.nodes); j++ {
					want := j
					for want < len(l.keys) && l.keys[want] != key {
						want++
					}
					if got := l.find(key, j); got != want {
						t.Errorf("find(%s, %d) = %d, want %d", tag, j, got, want)
					}
				}
			}
		})
	}
}
