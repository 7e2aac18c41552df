package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/b2bgw/b2bgw/internal/canonical"
	"github.com/b2bgw/b2bgw/internal/edifact"
	espec "github.com/b2bgw/b2bgw/internal/edifact/spec"
	"github.com/b2bgw/b2bgw/internal/odoo/odoosim"
	"github.com/b2bgw/b2bgw/internal/partner"
	"github.com/b2bgw/b2bgw/internal/store"
	"github.com/b2bgw/b2bgw/internal/x12"
	"github.com/b2bgw/b2bgw/mappings"
)

// europaFeedYAML is an EDIFACT partner with an overlay (RFF+DP added to
// the D96A list of 1153, CT taken off it) and an INVRPT ATP feed that it
// acknowledges with a CONTRL. %[1]s and %[2]s are its mailbox folders,
// %[3]s its edifact_overlay block.
const europaFeedYAML = `partner: europa
identities:
  edifact:
    - {id: "8712345000004", qualifier: "14"}
us:
  edifact: {id: "4012345000009", qualifier: "14"}
standards:
  - {standard: edifact, syntax: UNOC, syntax_version: 3, versions: [D96A]}
acks: {send: contrl, expect: contrl, overdue_after: 1h}
%[3]s
documents:
  - {type: ORDERS}
  - {type: CONTRL, direction: out}
  - {type: INVRPT, direction: out, mapping: edifact-d96a-invrpt-inventory}
mailboxes:
  inbound:
    - id: europa-in
      local: {dir: %[1]s}
      schedule: "@every 1h"
      stability: {immediate: true}
  outbound:
    - id: europa-out
      local: {dir: %[2]s}
      name: "{doctype}_{control}.edi"
atp:
  format: invrpt
  schedule: "0 6 * * 1"
  products: [SKU-1002, SKU-1006]
`

const europaOverlay = `edifact_overlay:
  codes:
    "1153": {add: [DP], remove: [CT]}
`

// withEuropaFeed adds europaFeedYAML with the overlay block given.
func (b *bundle) withEuropaFeed(overlay string) {
	b.t.Helper()
	in, out := filepath.Join(b.dir, "mail", "europa", "in"), filepath.Join(b.dir, "mail", "europa", "out")
	must(b.t, os.MkdirAll(in, 0o755))
	must(b.t, os.MkdirAll(out, 0o755))
	b.inbox["europa"], b.outbox["europa"] = in, out
	pdir := filepath.Join(b.dir, "partners")
	must(b.t, os.WriteFile(filepath.Join(pdir, "europa.yaml"), fmt.Appendf(nil, europaFeedYAML, in, out, overlay), 0o644))
	reg, err := partner.Load(pdir, partner.Options{})
	if err != nil {
		b.t.Fatalf("partners: %v", err)
	}
	b.reg, b.cfg.Partners = reg, reg
}

// ediOrderRef is ediOrder with one SG1 reference, RFF+qual:value.
func ediOrderRef(ref, po, gln, qual string) []string {
	m := ediOrder(ref, po, gln, true)
	out := append(append([]string{}, m[:3]...), "RFF+"+qual+":REF-"+ref)
	out = append(out, m[3:len(m)-1]...)
	return append(out, fmt.Sprintf("UNT+%d+%s", len(out)+1, ref))
}

// TestEDIFACTOverlayInPipeline sends the same references to the partner
// with and without its overlay: the overlay's added code is accepted and
// its removed code rejected, in the stored status and the CONTRL. The
// store plays no part in the overlay, so SQLite alone runs it.
func TestEDIFACTOverlayInPipeline(t *testing.T) {
	t.Parallel()
	gln := odoosim.GlobexGLN
	tests := []struct {
		name    string
		overlay string
		want    map[string]store.Status // UNH reference -> status
	}{
		{"no overlay", "", map[string]store.Status{"DP1": store.StatusRejected, "CT1": store.StatusPosted}},
		{"overlay", europaOverlay, map[string]store.Status{"DP1": store.StatusPosted, "CT1": store.StatusRejected}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, databases[0].dsn(t))
			b.withEuropaFeed(tt.overlay)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			p := b.start(ctx)
			defer p.Stop(context.Background())

			b.drop("europa", "refs.edi", ediInterchange("EFREF1", true,
				ediOrderRef("DP1", "PO-DP", gln, "DP"), ediOrderRef("CT1", "PO-CT", gln, "CT")))
			must(t, p.PollNow(ctx))
			ms := b.waitSettled(ctx, p, 60*time.Second)

			got := map[string]store.Status{}
			for _, m := range ms {
				if m.Kind == store.KindSet && m.Partner == "europa" {
					got[m.Control] = m.Status
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("messages: %v, want %v", got, tt.want)
			}
			var contrl string
			for name, data := range b.outFiles("europa") {
				if strings.HasPrefix(name, "CONTRL_") {
					contrl = string(data)
				}
			}
			for ref, st := range tt.want {
				// Only a rejected message gets a UCM (action 4).
				named := strings.Contains(contrl, "UCM+"+ref+"+ORDERS:D:96A:UN:EAN008+4")
				if named != (st == store.StatusRejected) {
					t.Errorf("CONTRL names %s rejected: %v, want %v:\n%s", ref, named, st == store.StatusRejected, contrl)
				}
			}
		})
	}
}

func TestINVRPTFeed(t *testing.T) {
	for _, db := range databases {
		t.Run(db.name, func(t *testing.T) {
			t.Parallel()
			testINVRPTFeed(t, db.dsn(t))
		})
	}
}

// testINVRPTFeed builds the partner's INVRPT feed, checks its envelope and
// that our own validator accepts it, then lets the partner acknowledge it
// with a CONTRL and checks the reconciliation.
func testINVRPTFeed(t *testing.T, dsn string) {
	b := setup(t, dsn)
	b.withEuropaFeed(europaOverlay)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	p := b.start(ctx)
	defer p.Stop(context.Background())

	_, err := p.jobs.Insert(ctx, ATPArgs{Partner: "europa"}, nil)
	must(t, err)
	b.waitSettledOrSent(ctx, p)
	out := b.outFiles("europa")
	feed := out["INVRPT_1.edi"]
	if len(out) != 1 || feed == nil {
		t.Fatalf("europa outbox: %v, want INVRPT_1.edi", keys(out))
	}
	// References from the store's allocator, in the CONTRL sequences.
	for kind, n := range map[string]int64{edifact.RefInterchange: 1, edifact.RefMessage: 1} {
		if last, err := b.st.LastControlNumber(ctx, x12.ControlKey{Partner: "europa", Kind: kind}); err != nil || last != n {
			t.Errorf("europa %s allocator at %d (%v), want %d", kind, last, err, n)
		}
	}
	// Us to the partner, UNOC 3 from its standards entry, a CONTRL asked
	// for (0031 = 1) because the partner is expected to send one.
	s := string(feed)
	for _, want := range []string{"UNB+UNOC:3+4012345000009:14+8712345000004:14+", "+1++++1'\n", "UNH+1+INVRPT:D:96A:UN'\n",
		"LIN+1++", "QTY+145:", "UNZ+1+1'\n"} {
		if !strings.Contains(s, want) {
			t.Errorf("INVRPT lacks %q:\n%s", want, s)
		}
	}
	if strings.HasPrefix(s, "UNA") {
		t.Errorf("UNA written for the default service characters:\n%s", s)
	}

	// Our validator accepts the feed; the partner's CONTRL is built from
	// that result as the partner would.
	reg, err := espec.Builtin()
	must(t, err)
	var contrl []byte
	err = edifact.Process(edifact.NewDecoderBytes(feed), edifact.NewValidator(reg).Validate, func(r *edifact.InterchangeResult) error {
		if r.Rejected() || len(r.Messages) != 1 || r.Messages[0].Status != edifact.Accepted {
			t.Errorf("our validator does not accept the INVRPT: %+v %+v", r.Interchange.Problems, r.Messages)
		}
		contrl, err = edifact.BuildCONTRL(ctx, r, edifact.ContrlOptions{When: edifact.ContrlOnRequest,
			References: edifact.NewMemoryReferences(), LineBreak: "\n"})
		return err
	})
	must(t, err)
	if contrl == nil {
		t.Fatal("the INVRPT asks for no CONTRL")
	}

	q := p.OverdueQuery() // the partner's overdue_after: 1h
	q.Now = time.Now().Add(2 * time.Hour)
	over, err := b.st.Overdue(ctx, q)
	must(t, err)
	if len(over) != 1 || over[0].Standard != "edifact" || over[0].InterchangeControl != "1" || over[0].SetControl != "1" {
		t.Fatalf("overdue before the partner's CONTRL: %+v, want the INVRPT (UNB 1, UNH 1)", over)
	}
	b.drop("europa", "contrl-from-europa.edi", string(contrl))
	must(t, p.PollNow(ctx))
	b.waitSettled(ctx, p, 60*time.Second)
	over, err = b.st.Overdue(ctx, q)
	must(t, err)
	if len(over) != 0 {
		t.Errorf("still overdue after the partner's CONTRL: %+v", over)
	}
	feeds, err := b.st.Messages(ctx, store.MessageFilter{Kind: store.KindDocument, Direction: store.Outbound, DocType: "INVRPT"})
	must(t, err)
	if len(feeds) != 1 || feeds[0].Status != store.StatusAcknowledged || feeds[0].Control != "1" {
		t.Errorf("INVRPT message: %+v, want acknowledged, control 1", feeds)
	}
	if got := len(b.outFiles("europa")); got != 1 {
		t.Errorf("the partner's CONTRL was answered: %d outbox files, want 1", got)
	}
}

// TestEDIOutbound checks the UNB of outbound EDIFACT documents from the
// partner's standards entry and acknowledgment policy.
func TestEDIOutbound(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 6, 30, 0, 0, time.UTC)
	base := func() *partner.Profile {
		return &partner.Profile{ID: "p", Us: partner.Us{EDIFACT: &partner.EDIFACTRef{ID: "US", Qualifier: "14"}},
			Identities: partner.Identities{EDIFACT: []partner.EDIFACTID{{ID: "THEM", Qualifier: "ZZZ"}}},
			Standards:  []partner.Standard{{Standard: "x12"}, {Standard: "edifact"}}, Acks: partner.Acks{Expect: "none"}}
	}
	tests := []struct {
		name   string
		change func(*partner.Profile)
		want   edifact.InterchangeHeader
		err    string
	}{
		{"defaults", func(*partner.Profile) {},
			edifact.InterchangeHeader{SyntaxID: "UNOC", SyntaxVersion: 3, Date: "260301"}, ""},
		{"syntax of the standards entry", func(p *partner.Profile) { p.Standards[1].Syntax, p.Standards[1].SyntaxVersion = "UNOA", 2 },
			edifact.InterchangeHeader{SyntaxID: "UNOA", SyntaxVersion: 2, Date: "260301"}, ""},
		{"syntax 4 dates", func(p *partner.Profile) { p.Standards[1].SyntaxVersion = 4 },
			edifact.InterchangeHeader{SyntaxID: "UNOC", SyntaxVersion: 4, Date: "20260301"}, ""},
		{"CONTRL expected", func(p *partner.Profile) { p.Acks.Expect = "contrl" },
			edifact.InterchangeHeader{SyntaxID: "UNOC", SyntaxVersion: 3, Date: "260301", AckRequest: "1"}, ""},
		{"no us", func(p *partner.Profile) { p.Us.EDIFACT = nil }, edifact.InterchangeHeader{},
			"partner p: an EDIFACT document needs us.edifact (or the gateway's identity.edifact) and identities.edifact"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := base()
			tt.change(p)
			got, err := ediOutbound(p, "42", now)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Errorf("error %v, want %q", err, tt.err)
				}
				return
			}
			must(t, err)
			tt.want.SenderID, tt.want.SenderQualifier, tt.want.RecipientID, tt.want.RecipientQualifier = "US", "14", "THEM", "ZZZ"
			tt.want.Time, tt.want.Control = "0630", "42"
			if got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestWriteINVRPT writes one advice in several syntax levels: UNA only
// when the service characters need advice, release characters for data
// holding separators, Latin-1 for UNOC, and our validator's verdict on
// text outside the level's repertoire.
func TestWriteINVRPT(t *testing.T) {
	t.Parallel()
	set, err := mappings.Load()
	must(t, err)
	tmpl := set.Template("InventoryAdvice", "edifact")
	if tmpl == nil {
		t.Fatal("no built-in InventoryAdvice template writes edifact")
	}
	advice := func(desc string) *canonical.InventoryAdvice {
		return &canonical.InventoryAdvice{
			Meta:     canonical.Meta{Kind: canonical.KindInventoryAdvice, SchemaVersion: canonical.SchemaVersion, Direction: canonical.Outbound, PartnerID: "p"},
			AdviceID: "ATP-1", AsOf: canonical.NewDateTime(time.Date(2026, 3, 1, 6, 30, 0, 0, time.UTC)),
			Items: []canonical.InventoryItem{{Product: canonical.ProductRef{VendorPartNumber: "SKU-1"}, Description: desc,
				Warehouse: "WH", QuantityAvailable: canonical.NewDecimal(5, 0), UOM: "EA"}},
		}
	}
	tests := []struct {
		name, syntax, desc string
		want               []string // substrings of the output
		err                string   // substring of the error
	}{
		{"plain", "UNOC", "Widget", []string{"UNB+UNOC:3+", "IMD+F++:::Widget'"}, ""},
		{"released separators", "UNOC", "A+B: it's 1?", []string{"IMD+F++:::A?+B?: it?'s 1??'"}, ""},
		{"latin-1", "UNOC", "Crème brûlée", []string{"IMD+F++:::Cr\xe8me br\xfbl\xe9e'"}, ""},
		{"utf-8 level", "UNOY", "Crème", []string{"UNB+UNOY:3+", "IMD+F++:::Crème'"}, ""},
		{"level B advises its characters", "UNOB", "Widget", []string{"UNA:+.? '\nUNB+UNOB:3+"}, ""},
		{"outside Latin-1", "UNOC", "Widget €", nil, "is not in UNOC"},
		{"outside level A", "UNOA", "Widget", nil, "fails our own EDIFACT validation"},
		{"no transcoding", "UNOD", "Zażółć", nil, "writes it only as UNOC"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := edifact.InterchangeHeader{SyntaxID: tt.syntax, SyntaxVersion: 3, SenderID: "US", RecipientID: "THEM",
				Date: "260301", Time: "0630", Control: "7"}
			var buf bytes.Buffer
			err := WriteINVRPT(&buf, tmpl, advice(tt.desc), h, "9")
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one saying %q", err, tt.err)
				}
				if buf.Len() != 0 {
					t.Errorf("written despite the error:\n%s", buf.String())
				}
				return
			}
			must(t, err)
			for _, want := range tt.want {
				if !strings.Contains(buf.String(), want) {
					t.Errorf("output lacks %q:\n%s", want, buf.String())
				}
			}
			if tt.syntax != "UNOB" && strings.HasPrefix(buf.String(), "UNA") {
				t.Errorf("UNA written for the default service characters:\n%s", buf.String())
			}
		})
	}
}
