package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/b2bgw/b2bgw/internal/odoo/odoosim"
	"github.com/b2bgw/b2bgw/internal/partner"
	"github.com/b2bgw/b2bgw/internal/store"
	"github.com/b2bgw/b2bgw/internal/x12"
)

const edifactProfileYAML = `partner: europa
identities:
  edifact:
    - {id: "8712345000004", qualifier: "14"}
us:
  edifact: {id: "4012345000009", qualifier: "14"}
standards:
  - {standard: edifact, syntax: UNOC, syntax_version: 3, versions: [D96A]}
acks: {send: contrl, expect: none}
duplicates: {interchange: reject, group: warn}
documents:
  - {type: ORDERS}
  - {type: CONTRL, direction: out}
mailboxes:
  inbound:
    - id: europa-in
      local: {dir: %[1]s}
      schedule: "@every 1h"
      stability: {immediate: true}
  outbound:
    - id: europa-out
      local: {dir: %[2]s}
      name: "CONTRL_{control}.edi"
`

// withEuropa adds an EDIFACT partner to the bundle's partners.
func (b *bundle) withEuropa() {
	b.t.Helper()
	in, out := filepath.Join(b.dir, "mail", "europa", "in"), filepath.Join(b.dir, "mail", "europa", "out")
	must(b.t, os.MkdirAll(in, 0o755))
	must(b.t, os.MkdirAll(out, 0o755))
	b.inbox["europa"], b.outbox["europa"] = in, out
	pdir := filepath.Join(b.dir, "partners")
	must(b.t, os.WriteFile(filepath.Join(pdir, "europa.yaml"), fmt.Appendf(nil, edifactProfileYAML, in, out), 0o644))
	reg, err := partner.Load(pdir, partner.Options{})
	if err != nil {
		b.t.Fatalf("partners: %v", err)
	}
	b.reg, b.cfg.Partners = reg, reg
}

// ediOrder is a D96A ORDERS message for one seeded product; without BGM
// (mandatory) it is rejected.
func ediOrder(ref, po, gln string, bgm bool) []string {
	segs := []string{"UNH+" + ref + "+ORDERS:D:96A:UN:EAN008"}
	if bgm {
		segs = append(segs, "BGM+220+"+po+"+9")
	}
	segs = append(segs, "DTM+137:20260301:102", "NAD+BY+"+gln+"::9", "CUX+2:EUR:9",
		"LIN+1++4006381333917:EN", "QTY+21:5:PCE", "PRI+AAA:9.99", "UNS+S", "CNT+2:1")
	return append(segs, fmt.Sprintf("UNT+%d+%s", len(segs)+1, ref))
}

// ediInterchange envelopes messages from europa to us; ack asks for a
// CONTRL (UNB 0031 = 1).
func ediInterchange(control string, ack bool, msgs ...[]string) string {
	var s strings.Builder
	s.WriteString("UNA:+.? '\n")
	ackReq := ""
	if ack {
		ackReq = "++++1"
	}
	fmt.Fprintf(&s, "UNB+UNOC:3+8712345000004:14+4012345000009:14+260301:1200+%s%s'\n", control, ackReq)
	for _, m := range msgs {
		for _, seg := range m {
			s.WriteString(seg + "'\n")
		}
	}
	fmt.Fprintf(&s, "UNZ+%d+%s'\n", len(msgs), control)
	return s.String()
}

func TestEDIFACTEndToEnd(t *testing.T) {
	for _, db := range databases {
		t.Run(db.name, func(t *testing.T) {
			t.Parallel()
			testEDIFACTEndToEnd(t, db.dsn(t))
		})
	}
}

func testEDIFACTEndToEnd(t *testing.T, dsn string) {
	b := setup(t, dsn)
	b.withEuropa()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	gln := odoosim.GlobexGLN
	p := b.start(ctx)
	defer p.Stop(context.Background())

	// One interchange: a good ORDERS and one without its BGM.
	b.drop("europa", "e1.edi", ediInterchange("EF0001", true, ediOrder("ME0001", "PO-E1", gln, true), ediOrder("ME0002", "", gln, false)))
	must(t, p.PollNow(ctx))
	b.waitSettled(ctx, p, 60*time.Second)

	if got := b.orders(ctx); got["PO-E1"] != 1 || len(got) != 1 {
		t.Errorf("orders after e1: %v, want one PO-E1", got)
	}
	out := b.outFiles("europa")
	c1 := string(out["CONTRL_1.edi"])
	if len(out) != 1 || c1 == "" {
		t.Fatalf("europa outbox after e1: %v, want CONTRL_1.edi", keys(out))
	}
	// Acknowledged as a whole (UCI 7), the message without BGM rejected
	// (UCM 4), our identity on the UNB.
	for _, want := range []string{"UNB+UNOC:3+4012345000009:14+8712345000004:14+", "UNH+1+CONTRL:D:3:UN",
		"UCI+EF0001+8712345000004:14+4012345000009:14+7'", "UCM+ME0002+ORDERS:D:96A:UN:EAN008+4"} {
		if !strings.Contains(c1, want) {
			t.Errorf("CONTRL_1 lacks %q:\n%s", want, c1)
		}
	}
	if strings.Contains(c1, "UCM+ME0001+") {
		t.Errorf("CONTRL_1 names the accepted message:\n%s", c1)
	}

	// The interchange reference again with other content: a duplicate
	// (0085 code 26), rejected in its CONTRL, nothing posted.
	b.drop("europa", "e2.edi", ediInterchange("EF0001", true, ediOrder("ME0001", "PO-E9", gln, true)))
	// The partner's CONTRL for an interchange of ours: read and recorded,
	// never answered.
	contrl := []string{"UNH+C1+CONTRL:D:3:UN", "UCI+77+4012345000009:14+8712345000004:14+7", "UNT+3+C1"}
	b.drop("europa", "c1.edi", ediInterchange("EF0002", false, contrl))
	must(t, p.PollNow(ctx))
	ms := b.waitSettled(ctx, p, 60*time.Second)

	if got := b.orders(ctx); got["PO-E1"] != 1 || got["PO-E9"] != 0 || len(got) != 1 {
		t.Errorf("orders: %v, want one PO-E1 and no PO-E9", got)
	}
	out = b.outFiles("europa")
	c2 := string(out["CONTRL_2.edi"])
	if len(out) != 2 || c2 == "" {
		t.Fatalf("europa outbox: %v, want CONTRL_1.edi and CONTRL_2.edi (none for the partner's CONTRL)", keys(out))
	}
	if !strings.Contains(c2, "UCI+EF0001+8712345000004:14+4012345000009:14+4+26") {
		t.Errorf("CONTRL_2 does not reject the duplicate interchange (UCI action 4, code 26):\n%s", c2)
	}

	// Lineage: statuses of files, interchanges and messages.
	files := map[string]store.Status{}
	ics := map[string][]string{}
	sets := map[string]store.Status{}
	for _, m := range ms {
		if m.Partner != "europa" {
			continue
		}
		switch m.Kind {
		case store.KindFile:
			files[m.Ref] = m.Status
		case store.KindInterchange:
			ics[m.Control] = append(ics[m.Control], string(m.Status))
		case store.KindSet:
			key := m.DocType + " " + m.Control
			if m.DocNumber != "" {
				key += " " + m.DocNumber
			}
			if _, ok := sets[key]; ok {
				key += " again"
			}
			sets[key] = m.Status
		}
	}
	for ref, st := range map[string]store.Status{"europa-in:e1.edi": store.StatusDone, "europa-in:e2.edi": store.StatusDone,
		"europa-in:c1.edi": store.StatusDone} {
		if files[ref] != st {
			t.Errorf("file %s: %s, want %s (all %v)", ref, files[ref], st, files)
		}
	}
	sort.Strings(ics["EF0001"])
	if fmt.Sprint(ics["EF0001"]) != "[done duplicate]" {
		t.Errorf("interchanges EF0001: %v, want one done and one duplicate", ics["EF0001"])
	}
	want := map[string]store.Status{"ORDERS ME0001 PO-E1": store.StatusPosted, "ORDERS ME0002": store.StatusRejected,
		"ORDERS ME0001": store.StatusDuplicate, "CONTRL C1": store.StatusDone}
	if fmt.Sprint(sets) != fmt.Sprint(want) {
		t.Errorf("messages: %v, want %v", sets, want)
	}
	for _, m := range ms {
		if m.Kind == store.KindSet && m.Control == "ME0002" && !strings.Contains(m.Error, "BGM") {
			t.Errorf("rejected message's error does not name the missing BGM: %q", m.Error)
		}
	}
	// CONTRL references come from the store's allocator, per partner.
	for kind, n := range map[string]int64{"UNB": 2, "UNH": 2} {
		if last, err := b.st.LastControlNumber(ctx, x12.ControlKey{Partner: "europa", Kind: kind}); err != nil || last != n {
			t.Errorf("europa %s allocator at %d (%v), want %d", kind, last, err, n)
		}
	}
	if !strings.Contains(b.logs.String(), "partner CONTRL matches nothing we wait for") {
		t.Errorf("the partner's CONTRL was not reconciled")
	}
}
