package spec

import (
	"slices"
	"testing"
)

// The sets each version must ship; a missing one is a packaging defect.
var wantSets = map[string][]string{
	"004010": {"997", "850", "856", "855", "810", "846", "945", "940"},
	"005010": {"997", "999", "850", "856", "945", "855", "810", "846", "940"},
}

func TestBuiltinLoads(t *testing.T) {
	t.Parallel()
	reg, err := Builtin()
	if err != nil {
		t.Fatalf("Builtin: %v", err)
	}
	if err := reg.LoadAll(); err != nil {
		t.Fatalf("the shipped spec data does not load:\n%v", err)
	}
	again, _ := Builtin()
	if again != reg {
		t.Error("Builtin returned a different registry on the second call; it must be loaded once")
	}
	for version, ids := range wantSets {
		for _, id := range ids {
			if _, ok := reg.Set(version, id); !ok {
				t.Errorf("Set(%s, %s) missing; have %v", version, id, reg.Sets(version))
			}
		}
	}
	for _, version := range reg.Versions() {
		d, ok := reg.Dictionary(version)
		if !ok {
			t.Errorf("Dictionary(%s) missing", version)
			continue
		}
		for _, id := range reg.Sets(version) {
			t.Run(version+"/"+id, func(t *testing.T) {
				t.Parallel()
				ts, _ := reg.Set(version, id)
				checkSet(t, ts, d)
			})
		}
		for id, seg := range d.Segments {
			for i, ref := range seg.Elements {
				if (ref.Element == nil) == (ref.Composite == nil) {
					t.Errorf("%s %s%02d: ref %q resolved to element %v, composite %v; want exactly one", version, id, i+1, ref.Ref, ref.Element != nil, ref.Composite != nil)
				}
			}
		}
		for id, c := range d.Composites {
			for i, ref := range c.Components {
				if ref.Element == nil {
					t.Errorf("%s %s-%d: ref %q not resolved to an element", version, id, i+1, ref.Ref)
				}
			}
		}
	}
}

func checkSet(t *testing.T, ts *TransactionSet, d *Dictionary) {
	t.Helper()
	st := ts.Structure
	if len(st) < 2 || st[0].Segment != "ST" || st[len(st)-1].Segment != "SE" {
		t.Fatalf("structure must start with ST and end with SE")
	}
	if ts.Dict != d || ts.Version != d.Version {
		t.Errorf("set not linked to its dictionary")
	}
	var walk func(nodes []Node, path string)
	walk = func(nodes []Node, path string) {
		for _, n := range nodes {
			if n.IsLoop() {
				if len(n.Body) == 0 || n.Body[0].Segment != n.Loop {
					t.Errorf("%s/loop %s does not begin with segment %s", path, n.Loop, n.Loop)
				}
				walk(n.Body, path+"/"+n.Loop)
				continue
			}
			if n.Def == nil || n.Def != d.Segments[n.Segment] {
				t.Errorf("%s/%s: Def not resolved to the dictionary's segment", path, n.Segment)
			}
		}
	}
	walk(st, ts.ID)
}

func TestBuiltin997(t *testing.T) {
	t.Parallel()
	reg, err := Builtin()
	if err != nil {
		t.Fatalf("Builtin: %v", err)
	}
	ts, ok := reg.Set("004010", "997")
	if !ok {
		t.Fatal("997 missing")
	}
	var ids []string
	for _, n := range ts.Structure {
		ids = append(ids, n.Segment+n.Loop)
	}
	if want := []string{"ST", "AK1", "AK2", "AK9", "SE"}; !slices.Equal(ids, want) {
		t.Errorf("997 top level = %v, want %v", ids, want)
	}
	ak2 := ts.Structure[2]
	if ak2.Max != 999999 || len(ak2.Body) != 3 || ak2.Body[1].Loop != "AK3" || ak2.Body[2].Segment != "AK5" {
		t.Errorf("AK2 loop = %+v", ak2)
	}
	ak4 := ak2.Body[1].Body[1]
	if ak4.Segment != "AK4" || ak4.Max != 99 || ak4.Def.Elements[0].Composite == nil || ak4.Def.Elements[0].Composite.ID != "C030" {
		t.Errorf("AK4 = %+v", ak4)
	}
	d := ts.Dict
	for _, el := range []string{"715", "716", "717", "718", "720", "723"} {
		if len(d.Codes[el]) == 0 {
			t.Errorf("code list %s missing", el)
		}
	}
	if d.Codes["723"]["7"] != "Invalid code value" {
		t.Errorf("723 code 7 = %q", d.Codes["723"]["7"])
	}
}
