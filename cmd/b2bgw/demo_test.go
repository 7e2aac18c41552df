package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestDemo runs `b2bgw demo` as a newcomer does (from the source tree,
// here cmd/b2bgw: it finds partners/ and testdata/demo/ upwards) and
// checks the summary against the sample files: what was picked up, the
// sets, the 997s on disk, the orders in the simulator, the ATP feed, and
// failures with their reason.
func TestDemo(t *testing.T) {
	out, errOut, code := run(t, "demo", "--keep", "--timeout", "90s")
	if code != 0 {
		t.Fatalf("demo: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	kept := regexp.MustCompile(`The data folder is kept: (\S+)`).FindStringSubmatch(out)
	if kept == nil {
		t.Fatalf("--keep: no data folder printed:\n%s", out)
	}
	t.Cleanup(func() { os.RemoveAll(kept[1]) })
	if _, err := os.Stat(filepath.Join(kept[1], "b2bgw.db")); err != nil {
		t.Errorf("--keep: the store is gone: %v", err)
	}

	for _, want := range []string{
		// 5 files in round 1, a resend and a 945 in round 2
		"Files picked up: 7 (6 processed, 1 duplicate resend)",
		// 2 + 2 850 sets (one without BEG), the EDIFACT ORDERS, the 856,
		// the 945
		"Transaction sets: 6 accepted, 1 rejected",
		"rejected: acme-retail 850 set 0002 in 850-PO-77003-and-a-bad-set.x12 (the 997 says why): mandatory segment BEG",
		"ATP feeds sent: 2",
		"846 to acme-retail: ",
		"INVRPT to europa-foods: ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	// the 945 validated the delivery of PO-77001, the 856 readied the
	// receipt of P00001, and the catalog rows reached supplierinfo
	for _, re := range []string{`stock\.picking\s+WH/OUT/\S+\s+validated`, `stock\.picking\s+WH/IN/\S+\s+ready`,
		`product\.supplierinfo\s+NORTHWIND SUPPLY\s+(created|updated)`, `catalog-2026-03\.csv\s+done: sets 0, documents 2, Odoo records 2`,
		// the EDIFACT ORDERS: read, acknowledged with a CONTRL, posted
		`ORDERS-PO-4711\.edi\s+done: sets 1, documents 1, Odoo records 1`} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("demo output lacks %s:\n%s", re, out)
		}
	}
	if !regexp.MustCompile(`850-PO-77001-77002-resent\.x12\s+duplicate`).MatchString(out) {
		t.Errorf("the resend is not reported as a duplicate:\n%s", out)
	}
	num := func(label string) string {
		m := regexp.MustCompile(regexp.QuoteMeta(label) + `: (\d+)`).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("no %q line:\n%s", label, out)
		}
		return m[1]
	}
	if n := num("Orders posted in Odoo"); n != "4" {
		t.Errorf("orders posted: %s, want 4 (PO-77001, PO-77002, PO-77003, PO-4711)", n)
	}
	for po, partner := range map[string]string{"PO-77001": "acme-retail", "PO-77002": "acme-retail", "PO-77003": "acme-retail",
		"PO-4711": "europa-foods"} {
		if !regexp.MustCompile(`S\d{5}\s+PO ` + po + `\s+created\s+` + partner).MatchString(out) {
			t.Errorf("no sales order created for %s:\n%s", po, out)
		}
	}
	if n := num("Acknowledgments written"); n != "5" {
		t.Errorf("acknowledgments: %s, want 5 (two ACME files, the 856, the 945, Europa's CONTRL)", n)
	}
	// Europa asked for a CONTRL (UNB 0031 = 1): one, acknowledging its
	// interchange EF000101, in its demo outbox.
	contrls := regexp.MustCompile(`(?m)^  CONTRL\s+(\S+)\s+(\S+)$`).FindAllStringSubmatch(out, -1)
	if len(contrls) != 1 || contrls[0][1] != "europa-foods" {
		t.Errorf("CONTRL lines: %v, want one for europa-foods", contrls)
	}
	for _, c := range contrls {
		if !strings.HasPrefix(c[2], filepath.Join(kept[1], "mailboxes", c[1]+"-out")+string(filepath.Separator)) {
			t.Errorf("CONTRL of %s at %s: not in its demo outbox", c[1], c[2])
		}
		if b, err := os.ReadFile(c[2]); err != nil || !strings.Contains(string(b), "CONTRL:D:3:UN") || !strings.Contains(string(b), "UCI+EF000101+") {
			t.Errorf("CONTRL at %s: %v %.200q", c[2], err, b)
		}
	}
	// Europa's ATP feed is an INVRPT in its outbox, asking for the CONTRL
	// the profile expects, and our own validator accepts it.
	invrpt := regexp.MustCompile(`(?m)^  INVRPT to europa-foods: (\S+); waits for the partner's CONTRL$`).FindStringSubmatch(out)
	if invrpt == nil {
		t.Fatalf("no INVRPT line waiting for a CONTRL:\n%s", out)
	}
	if !strings.HasPrefix(invrpt[1], filepath.Join(kept[1], "mailboxes", "europa-foods-out")+string(filepath.Separator)) {
		t.Errorf("INVRPT at %s: not in europa's demo outbox", invrpt[1])
	}
	if b, err := os.ReadFile(invrpt[1]); err != nil || !strings.Contains(string(b), "INVRPT:D:96A:UN'") || !strings.Contains(string(b), "++++1'") {
		t.Errorf("INVRPT at %s: %v %.200q", invrpt[1], err, b)
	}
	if vout, verr, code := run(t, "validate", invrpt[1]); code != 0 || !strings.Contains(vout, "1 message(s) accepted, 0 rejected") {
		t.Errorf("validate %s: exit %d\n%s%s", invrpt[1], code, vout, verr)
	}
	// Every 997 printed is on disk, in the partner's demo outbox.
	acks := regexp.MustCompile(`(?m)^  997\s+(\S+)\s+(\S+)$`).FindAllStringSubmatch(out, -1)
	if len(acks) != 4 {
		t.Errorf("997 lines: %v", acks)
	}
	for _, a := range acks {
		if !strings.HasPrefix(a[2], filepath.Join(kept[1], "mailboxes", a[1]+"-out")+string(filepath.Separator)) {
			t.Errorf("997 of %s at %s: not in its demo outbox", a[1], a[2])
		}
		if b, err := os.ReadFile(a[2]); err != nil || !strings.Contains(string(b), "ST*997*") {
			t.Errorf("997 at %s: %v %.80q", a[2], err, b)
		}
	}
	// Failures are listed with their reason; the samples have none (the
	// EDIFACT ORDERS was the last one, before EDIFACT was wired in).
	failures := regexp.MustCompile(`(?m)^  #\d+ \S+ .+: .+$`).FindAllString(out, -1)
	if num("Failures") != strconv.Itoa(len(failures)) {
		t.Errorf("failure count and lines disagree (%d lines):\n%s", len(failures), out)
	}
	if len(failures) != 0 {
		t.Errorf("failures: %v, want none", failures)
	}
	if lines := strings.Count(out, "\n"); lines > 50 {
		t.Errorf("demo output is %d lines; keep it under 50 for a newcomer", lines)
	}
}

// TestDemoCleansUp checks that without --keep the data folder is removed,
// and that a missing sample folder is a usage error.
func TestDemoCleansUp(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	out, errOut, code := run(t, "demo", "--partners", "../../partners", "--samples", "../../testdata/demo")
	if code != 0 {
		t.Fatalf("demo: exit %d\n%s%s", code, out, errOut)
	}
	if strings.Contains(out, "kept") {
		t.Errorf("data folder kept without --keep:\n%s", out)
	}
	if es, _ := os.ReadDir(tmp); len(es) != 0 {
		t.Errorf("left behind in TMPDIR: %v", es)
	}
	if _, errOut, code := run(t, "demo", "--samples", filepath.Join(tmp, "none")); code != 2 || !strings.Contains(errOut, "none") {
		t.Errorf("missing samples: exit %d, %s", code, errOut)
	}
}
