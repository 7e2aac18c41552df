package edifact

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/b2bgw/b2bgw/internal/benchgen"
	"github.com/b2bgw/b2bgw/internal/edifact/spec"
)

// equivOverlay touches every kind of overlay entry the compiled tables
// fold in: code lists extended, restricted and relaxed; element status,
// lengths and modes; segment and group repeats, status and modes.
func equivOverlay() *spec.Overlay {
	return &spec.Overlay{
		Codes: map[string]spec.CodeOverlay{
			"1225": {Add: []string{"ZZZ", "LONGCODE9"}, Remove: []string{"9", "ZZZ"}, Mode: spec.ModeWarn},
			"3035": {Remove: []string{"ST"}},
			"6063": {Mode: spec.ModeNote},
			"6411": {Add: []string{"PCE", "KGM"}, Mode: spec.ModeStrict},
			"9999": {Add: []string{"X"}},
		},
		Elements: map[string]spec.ElementOverlay{
			"BGM02":   {Status: spec.Conditional, Mode: spec.ModeWarn},
			"BGM03":   {Status: spec.Conditional},
			"NAD02-1": {Max: 5},
			"NAD01":   {Status: spec.Conditional, Mode: spec.ModeNote},
			"QTY01-2": {Min: 2, Mode: spec.ModeNote},
			"DTM01-1": {Status: spec.Conditional},
			"DTM01-2": {Max: 6, Mode: spec.ModeWarn},
			"PRI01-2": {Min: 3, Max: 4},
			"LIN03-1": {Max: 8, Mode: spec.ModeStrict},
		},
		Segments: map[string]spec.SegmentOverlay{
			"LIN": {Max: 3, Mode: spec.ModeWarn},
			"DTM": {Max: 1},
			"BGM": {Status: spec.Conditional},
			"NAD": {Mode: spec.ModeNote},
			"UNS": {Status: spec.Conditional, Mode: spec.ModeWarn},
			"IMD": {Max: 1, Mode: spec.ModeNote},
			"CNT": {Status: spec.Mandatory},
		},
	}
}

// mutate damages one message (segments without terminators) in a few
// random ways that reach every finding of the walk.
func mutate(rng *rand.Rand, segs []string, extra []string) []string {
	out := append([]string(nil), segs...)
	const alphabet = "ABCZ019 .,-+:?*'\n\x01\xe9"
	for n := 1 + rng.IntN(3); n > 0 && len(out) > 2; n-- {
		i := 1 + rng.IntN(len(out)-2) // keep UNH and UNT mostly
		switch rng.IntN(12) {
		case 0: // one byte replaced
			s := []byte(out[i])
			s[rng.IntN(len(s))] = alphabet[rng.IntN(len(alphabet))]
			out[i] = string(s)
		case 1: // segment dropped
			out = append(out[:i], out[i+1:]...)
		case 2: // segment repeated
			k := 1 + rng.IntN(40)
			rep := make([]string, k)
			for j := range rep {
				rep[j] = out[i]
			}
			out = append(out[:i], append(rep, out[i:]...)...)
		case 3: // two segments swapped
			j := 1 + rng.IntN(len(out)-2)
			out[i], out[j] = out[j], out[i]
		case 4: // a segment from elsewhere inserted
			out = append(out[:i], append([]string{extra[rng.IntN(len(extra))]}, out[i:]...)...)
		case 5: // a release character
			s := out[i]
			k := rng.IntN(len(s) + 1)
			out[i] = s[:k] + "?" + s[k:]
		case 6: // an element added or emptied
			if rng.IntN(2) == 0 {
				out[i] += "+" + []string{"", "X", "1:2", "ZZ:?+", "12.5"}[rng.IntN(5)]
			} else {
				s := []byte(out[i])
				for k := 3; k < len(s); k++ {
					if s[k] == '+' && rng.IntN(3) == 0 {
						j := k + 1
						for j < len(s) && s[j] != '+' {
							j++
						}
						s = append(s[:k+1], s[j:]...)
						break
					}
				}
				out[i] = string(s)
			}
		case 7: // a component separator or a repetition
			s := out[i]
			k := rng.IntN(len(s) + 1)
			out[i] = s[:k] + []string{":", "*", "::", ":*", "*X:Y"}[rng.IntN(5)] + s[k:]
		case 8: // a value lengthened
			s := out[i]
			k := rng.IntN(len(s) + 1)
			out[i] = s[:k] + []string{"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "9999999999999999999", "-", "1,5", "1.5.5", "A1"}[rng.IntN(6)] + s[k:]
		case 9: // trailing separator
			out[i] += []string{":", "*", "+", "?:"}[rng.IntN(4)]
		case 10: // UNT dropped or UNH damaged
			if rng.IntN(2) == 0 {
				out = out[:len(out)-1]
			} else {
				out[0] = []string{"UNH+1+ORDERS:D:01B:UN", "UNH+1+ORDERS:D:96A:UN:EAN008", "UNH+1+DESADV:D:96A:UN"}[rng.IntN(3)]
			}
		case 11: // a tag changed
			s := out[i]
			if len(s) >= 3 {
				out[i] = []string{"LIN", "QTY", "NAD", "UNS", "CNT", "XYZ", "BGM", "DTM", "RFF", "LOC", "ABC:1"}[rng.IntN(11)] + s[3:]
			}
		}
	}
	return out
}

// TestCompiledWalkEquivalence: the compiled walk gives exactly the
// findings of the reference walk (validate_ref_test.go) over thousands of
// damaged messages, for several validators, both syntax versions and
// several repertoires; so does it for messages whose repertoire check
// the decoder left to it (WithDeferredRepertoire), which it does along
// with the walk, and those messages end with the decoder's findings.
func TestCompiledWalkEquivalence(t *testing.T) {
	reg, err := spec.Builtin()
	if err != nil {
		t.Skip(err)
	}
	validators := map[string]*Validator{
		"builtin":         NewValidator(reg),
		"builtin+overlay": NewValidator(reg, WithOverlay(equivOverlay())),
		"builtin+note":    NewValidator(reg, WithOverlay(&spec.Overlay{Codes: map[string]spec.CodeOverlay{"1153": {Mode: spec.ModeNote}}})),
		"test":            NewValidator(testSource{"D96A/ORDERS": d96aOrders()}),
		"test+overlay":    NewValidator(testSource{"D96A/ORDERS": d96aOrders()}, WithOverlay(equivOverlay())),
	}
	// messages of the generated orders, split into segments
	in := benchgen.Edifact(60)
	var msgs [][]string
	var all []string
	var cur []string
	for _, s := range bytes.Split(in, []byte("'")) {
		seg := string(bytes.TrimSpace(s))
		if seg == "" {
			continue
		}
		all = append(all, seg)
		if len(seg) >= 3 && seg[:3] == "UNH" {
			cur = nil
		}
		cur = append(cur, seg)
		if len(seg) >= 3 && seg[:3] == "UNT" {
			msgs = append(msgs, cur)
		}
	}
	if len(msgs) == 0 {
		t.Fatal("no messages in the generated input")
	}
	n := 2500
	if testing.Short() {
		n = 500
	}
	rng := rand.New(rand.NewPCG(7, 9))
	compared, findings := 0, 0
	seen := map[string]int{} // finding codes (and element codes) reached, by severity
	for i := 0; i < n; i++ {
		syntax := 3 + i%2
		segs := mutate(rng, msgs[rng.IntN(len(msgs))], all)
		if i%3 == 2 {
			// Lower case (outside UNOA), and a segment with nothing but a
			// tag whose bad character the repertoire check reports for the
			// segment as a whole.
			segs = mutate(rng, segs, []string{"FTX+AAI+++lower case", "UNS", "UNS:\x01", "CNT+2:1#"})
		}
		repertoire := [][]string{{"UNOB", "UNOA", "UNOW"}, {"UNOC", "UNOA", "UNOY"}}[syntax-3][i/2%3]
		var b bytes.Buffer
		if syntax == 4 {
			b.WriteString("UNA:+.?*'UNB+" + repertoire + ":4+S:ZZ+R:ZZ+20250101:1200+1'")
		} else {
			b.WriteString("UNA:+.? 'UNB+" + repertoire + ":3+S:ZZ+R:ZZ+250101:1200+1'")
		}
		for _, s := range segs {
			b.WriteString(s)
			b.WriteByte('\'')
		}
		b.WriteString("UNZ+1+1'")
		for name, v := range validators {
			checked, deferred := decodeAllMessages(b.Bytes()), decodeAllMessages(b.Bytes(), WithDeferredRepertoire())
			if len(checked) != len(deferred) {
				t.Fatalf("%d messages decoded, %d with the repertoire check deferred", len(checked), len(deferred))
			}
			for k, m := range checked {
				want := v.validateRef(m)
				got := v.Validate(m)
				d := deferred[k]
				if d.chars != nil && !d.chars.rep.UTF8 {
					seen["repertoire checked by the walk"]++
				}
				if gotDeferred := v.Validate(d); !reflect.DeepEqual(want, gotDeferred) {
					t.Fatalf("%s, message %d (syntax %d, %s), repertoire check deferred:\n%s\nreference: %s\ncompiled:  %s", name, i, syntax, repertoire, b.Bytes(), dump(want), dump(gotDeferred))
				}
				if !reflect.DeepEqual(m.SegmentErrors, d.SegmentErrors) {
					t.Fatalf("%s, message %d: the decoder's findings\n%+v\nthe validator's\n%+v", name, i, m.SegmentErrors, d.SegmentErrors)
				}
				compared++
				findings += len(want.Segments)
				for _, se := range want.Segments {
					if se.Code != "" {
						seen[fmt.Sprintf("segment %s %s", se.Code, se.Severity)]++
					}
					for _, ee := range se.Elements {
						seen[fmt.Sprintf("element %s %s", ee.Code, ee.Severity)]++
					}
				}
				if want.Status == AcceptedWithErrors {
					seen["accepted-with-errors"]++
				}
				if !reflect.DeepEqual(want, got) {
					t.Fatalf("%s, message %d (syntax %d, %s):\n%s\nreference: %s\ncompiled:  %s", name, i, syntax, repertoire, b.Bytes(), dump(want), dump(got))
				}
			}
		}
	}
	t.Logf("%d results compared, %d segment findings; reached: %v", compared, findings, seen)
	for _, k := range []string{"segment 13 error", "segment 13 warning", "segment 15 error", "segment 16 error", "segment 35 error", "segment 35 warning",
		"segment 36 error", "element 12 error", "element 12 warning", "element 13 error", "element 16 error", "element 35 error", "element 37 error",
		"element 39 error", "element 40 error", "element 45 error", "element 39 warning", "accepted-with-errors",
		"element 21 error", "segment 21 error", "repertoire checked by the walk"} {
		if seen[k] == 0 {
			t.Errorf("the mutations never reach %q", k)
		}
	}
}

// decodeAllMessages returns the messages of in, decoded with opts.
func decodeAllMessages(in []byte, opts ...DecoderOption) []*Message {
	var msgs []*Message
	d := NewDecoderBytes(in, opts...)
	for {
		ev, err := d.Next()
		if err == io.EOF || err != nil && Fatal(err) {
			return msgs
		}
		if err == nil && ev.Kind == EventMessage {
			msgs = append(msgs, ev.Message)
		}
	}
}

func dump(r *MessageResult) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "status %s, problems %+v\n", r.Status, r.Problems)
	for _, s := range r.Segments {
		fmt.Fprintf(&b, "  %+v\n", s)
	}
	return b.String()
}
