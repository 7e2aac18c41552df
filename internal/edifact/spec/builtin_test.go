package spec

import (
	"strings"
	"testing"
)

var shipped = map[string][]string{
	"D96A": {"APERAK", "CONTRL", "DESADV", "INVOIC", "INVRPT", "ORDERS", "ORDRSP"},
	"D01B": {"APERAK", "CONTRL", "DESADV", "INVOIC", "INVRPT", "ORDERS", "ORDRSP"},
	"S3":   {"CONTRL"},
	"S4":   {"CONTRL"},
}

func TestBuiltinLoads(t *testing.T) {
	reg, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if err := reg.LoadAll(); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(reg.Directories(), " "); got != "D01B D96A S3 S4" {
		t.Errorf("directories = %s", got)
	}
	for dir, msgs := range shipped {
		for _, typ := range msgs {
			m, ok := reg.Message(dir, typ)
			if !ok {
				t.Errorf("%s %s missing", dir, typ)
				continue
			}
			checkResolved(t, dir+" "+typ, m.Structure)
		}
	}
}

func checkResolved(t *testing.T, what string, nodes []Node) {
	t.Helper()
	for _, n := range nodes {
		if n.IsGroup() {
			checkResolved(t, what+" "+n.Group, n.Body)
			continue
		}
		if n.Def == nil {
			t.Errorf("%s: segment %s unresolved", what, n.Segment)
			continue
		}
		for _, e := range n.Def.Elements {
			if e.Element == nil && e.Composite == nil {
				t.Errorf("%s: %s %s unresolved", what, n.Segment, e.Ref)
			}
		}
	}
}

// shape writes a structure as the standard lists it: tags, groups in
// brackets, with status and max.
func shape(nodes []Node) string {
	var b strings.Builder
	for i, n := range nodes {
		if i > 0 {
			b.WriteByte(' ')
		}
		if n.IsGroup() {
			b.WriteString(n.Group + "(" + string(n.Status) + itoa(n.Max) + ")[" + shape(n.Body) + "]")
			continue
		}
		b.WriteString(n.Segment + "(" + string(n.Status) + itoa(n.Max) + ")")
	}
	return b.String()
}

func group(t *testing.T, nodes []Node, id string) *Node {
	t.Helper()
	for i := range nodes {
		if nodes[i].Group == id {
			return &nodes[i]
		}
		if nodes[i].IsGroup() {
			if g := groupOrNil(nodes[i].Body, id); g != nil {
				return g
			}
		}
	}
	t.Fatalf("group %s not found", id)
	return nil
}

func groupOrNil(nodes []Node, id string) *Node {
	for i := range nodes {
		if nodes[i].Group == id {
			return &nodes[i]
		}
		if g := groupOrNil(nodes[i].Body, id); g != nil {
			return g
		}
	}
	return nil
}

func message(t *testing.T, dir, typ string) *Message {
	t.Helper()
	reg, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	m, ok := reg.Message(dir, typ)
	if !ok {
		t.Fatalf("%s %s missing", dir, typ)
	}
	return m
}

// The spot checks below compare with the published UNSMs (UNTDID D.96A and
// D.01B message directories) as listed in the standard.
func TestOrdersD96A(t *testing.T) {
	m := message(t, "D96A", "ORDERS")
	if m.Name != "Purchase order message" || m.Version != "D" || m.Release != "96A" || m.Agency != "UN" {
		t.Errorf("header = %+v", m)
	}
	s := shape(m.Structure)
	for _, want := range []string{
		"UNH(M1) BGM(M1) DTM(M35) PAI(C1) ALI(C5) IMD(C1) FTX(C99) SG1(C10)[RFF(M1) DTM(C5)] " +
			"SG2(C99)[NAD(M1) LOC(C25) FII(C5) SG3(C10)[RFF(M1) DTM(C5)] SG4(C5)[DOC(M1) DTM(C5)] SG5(C5)[CTA(M1) COM(C5)]] SG6(C5)[TAX(M1)",
		"SG25(C200000)[LIN(M1) PIA(C25) IMD(C99) MEA(C5) QTY(C10) PCD(C5) ALI(C5) DTM(C35) MOA(C10) GIN(C1000)",
		"SG28(C25)[PRI(M1) CUX(C1) APR(C1) RNG(C1) DTM(C5)]",
		"UNS(M1) MOA(C12) CNT(C10) SG54(C10)[ALC(M1) ALI(C1) MOA(M2)] UNT(M1)",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("ORDERS D96A lacks %q\nhave %s", want, s)
		}
	}
	if !strings.HasSuffix(s, "UNT(M1)") {
		t.Error("ORDERS does not end with UNT")
	}
	d := m.Dict
	bgm, _ := d.Segment("BGM")
	if len(bgm.Elements) != 4 || bgm.Elements[0].Ref != "C002" || bgm.Elements[2].Ref != "1225" || bgm.Elements[0].Composite.Components[0].Ref != "1001" {
		t.Errorf("BGM = %+v", bgm.Elements)
	}
	dtm, _ := d.Segment("DTM")
	c507 := dtm.Elements[0].Composite
	if c507 == nil || c507.ID != "C507" || c507.Components[0].Ref != "2005" || c507.Components[0].Status != Mandatory || c507.Components[2].Ref != "2379" {
		t.Errorf("DTM = %+v", dtm.Elements)
	}
	for id, want := range map[string]string{"1004": "an..35", "2380": "an..35", "6060": "n..15", "1225": "an..3", "3035": "an..3", "5118": "n..15"} {
		el, ok := d.Element(id)
		if !ok || el.Format.String() != want {
			t.Errorf("element %s = %+v, want %s", id, el, want)
		}
	}
	unh, _ := d.Segment("UNH")
	if !unh.Service || len(unh.Elements) != 4 || d.Service.ID != "S3" {
		t.Errorf("D96A UNH should be syntax 3's (4 positions): %+v", unh)
	}
}

func TestDesadvPackaging(t *testing.T) {
	m := message(t, "D96A", "DESADV")
	s := shape(group(t, m.Structure, "SG10").Body)
	want := "CPS(M1) FTX(C5) SG11(C9999)[PAC(M1) MEA(C10) QTY(C10) SG12(C10)[HAN(M1) FTX(C10)] " +
		"SG13(C1000)[PCI(M1) RFF(C1) DTM(C5) GIR(C99) SG14(C99)[GIN(M1) DLM(C10)]]] SG15(C9999)[LIN(M1)"
	if !strings.HasPrefix(s, want) {
		t.Errorf("DESADV D96A SG10 = %s\nwant prefix %s", s, want)
	}
	m = message(t, "D01B", "DESADV")
	s = shape(group(t, m.Structure, "SG10").Body)
	want = "CPS(M1) FTX(C5) QVR(C9) SG11(C9999)[PAC(M1) MEA(C10) QTY(C10) SG12(C10)[HAN(M1) FTX(C10)] " +
		"SG13(C1000)[PCI(M1) RFF(C1) DTM(C5) SG14(C99)[GIR(M1) DTM(C5)] SG15(C99)[GIN(M1) DLM(C10)]"
	if !strings.HasPrefix(s, want) {
		t.Errorf("DESADV D01B SG10 = %s\nwant prefix %s", s, want)
	}
	gin, _ := m.Dict.Segment("GIN")
	if gin.Elements[0].Ref != "7405" || gin.Elements[1].Ref != "C208" {
		t.Errorf("GIN = %+v", gin.Elements)
	}
	if cl, ok := m.Dict.Code("7405"); !ok || cl.Codes["BJ"] == "" {
		t.Errorf("7405 lacks BJ (serial shipping container code)")
	}
}

func TestOrdersD01B(t *testing.T) {
	m := message(t, "D01B", "ORDERS")
	s := shape(m.Structure)
	for _, want := range []string{
		"UNH(M1) BGM(M1) DTM(M35) PAI(C1) ALI(C5) IMD(C999) FTX(C99) GIR(C10) SG1(C9999)[RFF(M1) DTM(C5)] SG2(C99)[NAD(M1)",
		"SG28(C200000)[LIN(M1)",
		"UNS(M1) MOA(C99) CNT(C10) SG60(C10)[",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("ORDERS D01B lacks %q\nhave %s", want, s)
		}
	}
	unh, _ := m.Dict.Segment("UNH")
	if len(unh.Elements) != 7 || unh.Elements[5].Ref != "S017" || m.Dict.Service.ID != "S4" {
		t.Errorf("D01B UNH should be syntax 4's (7 positions, S017 at 060): %+v", unh.Elements)
	}
}

func TestContrl(t *testing.T) {
	for _, tc := range []struct{ dir, svc, want string }{
		{"D96A", "S3", "UNH(M1) UCI(M1) SG1(C999999)[UCM(M1) SG2(C999)[UCS(M1) UCD(C99)]] SG3(C999999)[UCF(M1) SG4(C999999)[UCM(M1) SG5(C999)[UCS(M1) UCD(C99)]]] UNT(M1)"},
		{"D01B", "S4", "UNH(M1) UCI(M1) SG1(C999999)[UCM(M1) SG2(C999)[UCS(M1) UCD(C99)]] SG3(C999999)[UCF(M1) SG4(C999999)[UCM(M1) SG5(C999)[UCS(M1) UCD(C99)]]] UNT(M1)"},
	} {
		m := message(t, tc.dir, "CONTRL")
		if m.Directory != tc.svc {
			t.Errorf("%s CONTRL comes from %s, want %s", tc.dir, m.Directory, tc.svc)
		}
		if s := shape(m.Structure); s != tc.want {
			t.Errorf("%s CONTRL = %s", tc.dir, s)
		}
	}
	s3 := message(t, "S3", "CONTRL").Dict
	s4 := message(t, "S4", "CONTRL").Dict
	if n := len(s3.Segments["UCI"].Elements); n != 7 {
		t.Errorf("S3 UCI has %d positions, want 7", n)
	}
	if n := len(s4.Segments["UCI"].Elements); n != 9 {
		t.Errorf("S4 UCI has %d positions, want 9", n)
	}
	if r := s4.Segments["UCM"].Elements[7]; r.Ref != "S020" || r.Repeat != 99 {
		t.Errorf("S4 UCM 080 = %+v, want S020 repeating 99", r)
	}
	for _, d := range []*Directory{s3, s4} {
		unb := d.Segments["UNB"]
		if unb.Elements[0].Ref != "S001" || unb.Elements[3].Ref != "S004" || unb.Elements[4].Ref != "0020" {
			t.Errorf("%s UNB = %+v", d.ID, unb.Elements)
		}
		if f := d.Elements["0001"].Format.String(); f != "a4" {
			t.Errorf("%s 0001 format %s", d.ID, f)
		}
		if d.Codes["0085"].Codes["13"] != "Missing" || d.Codes["0083"].Codes["4"] == "" {
			t.Errorf("%s service codes missing", d.ID)
		}
		for _, tag := range []string{"UNB", "UNG", "UNH", "UNS", "UNT", "UNE", "UNZ", "UCI", "UCM", "UCS", "UCD", "UCF"} {
			if s := d.Segments[tag]; s == nil || !s.Service {
				t.Errorf("%s lacks service segment %s", d.ID, tag)
			}
		}
	}
	if f := s3.Composites["S004"].Components[0].Element.Format.String(); f != "n6" {
		t.Errorf("S3 S004 date format %s, want n6", f)
	}
	if f := s4.Composites["S004"].Components[0].Element.Format.String(); f != "n8" {
		t.Errorf("S4 S004 date format %s, want n8", f)
	}
}

func TestCodeLists(t *testing.T) {
	reg, _ := Builtin()
	for _, dir := range []string{"D96A", "D01B"} {
		d, _ := reg.Directory(dir)
		for id, code := range map[string]string{"1001": "220", "1225": "9", "2005": "137", "2379": "102", "3035": "BY", "3055": "9", "1153": "ON", "6063": "21", "7143": "SRV", "5125": "AAA", "6411": "PCE", "7065": "CT", "7405": "BJ", "4343": "AC", "1229": "1"} {
			cl, ok := d.Code(id)
			if !ok || cl.Codes[code] == "" {
				t.Errorf("%s code list %s lacks %s", dir, id, code)
			}
		}
		for _, id := range []string{"6411", "7065"} {
			if cl, _ := d.Code(id); cl.Complete {
				t.Errorf("%s %s should be marked a subset", dir, id)
			}
		}
	}
}
