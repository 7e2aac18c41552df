package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/b2bgw/b2bgw/internal/odoo/odoosim"
)

// pollProfile has a read-only style inbound mailbox (after: leave): the
// files stay, so only the ledger keeps a second poll, or serve's own
// polls, from taking them again.
const pollProfile = `partner: acme-retail
identities:
  x12:
    - {qualifier: ZZ, id: ACMERETAIL}
us:
  x12: {qualifier: ZZ, id: B2BGWDIST}
standards:
  - {standard: x12, versions: ["004010"]}
documents:
  - {type: "850"}
  - {type: "997", direction: out}
mailboxes:
  inbound:
    - id: acme-in
      local: {dir: %s}
      schedule: "@every 1s"
      jitter: 0s
      stability: {immediate: true}
      after: leave
    - id: acme-gone
      local: {dir: %s}
      schedule: "@every 1h"
      stability: {immediate: true}
  outbound:
    - id: acme-out
      local: {dir: %s}
      name: "997_{control}.x12"
`

type pollJSONOut struct {
	Partner, Mailbox string
	Picked           []struct {
		Path, SHA256 string
		Size         int64
		DuplicateOf  int64 `json:"duplicate_of"`
	}
	Duplicates []struct {
		Path        string
		DuplicateOf int64 `json:"duplicate_of"`
	}
	AlreadyPicked int `json:"already_picked"`
	Errors        []string
}

func pollOnce(t *testing.T, args ...string) ([]pollJSONOut, string, int) {
	t.Helper()
	out, errOut, code := run(t, append([]string{"poll", "--json"}, args...)...)
	var reps []pollJSONOut
	dec := json.NewDecoder(strings.NewReader(out))
	for dec.More() {
		var r pollJSONOut
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("poll --json: %v\n%s", err, out)
		}
		reps = append(reps, r)
	}
	return reps, errOut, code
}

// TestPoll polls a local mailbox with the real binary: the file is
// picked with its hash and size and recorded in the store's ledger with
// its file message; a second poll, a resend and serve's own polls do not
// take it again; serve then processes it exactly once.
func TestPoll(t *testing.T) {
	dir := t.TempDir()
	in, gone, out, pdir := filepath.Join(dir, "in"), filepath.Join(dir, "gone"), filepath.Join(dir, "out"), filepath.Join(dir, "partners")
	for _, d := range []string{in, out, pdir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(pdir, "acme-retail.yaml"), fmt.Appendf(nil, pollProfile, in, gone, out), 0o644)
	cfg := filepath.Join(dir, "b2bgw.yaml")
	os.WriteFile(cfg, fmt.Appendf(nil, "data_dir: %s\npartners_dir: %s\nodoo: {url: \"sim:\"}\nhttp: {listen: \"%s\"}\n",
		filepath.Join(dir, "data"), pdir, freePort(t)), 0o644)

	x := "ISA*00*          *00*          *ZZ*ACMERETAIL     *ZZ*B2BGWDIST      *260301*0900*U*00401*000000801*0*P*>~\n" +
		"GS*PO*ACMERETAIL*B2BGWDIST*20260301*0900*801*X*004010~\n" +
		"ST*850*0001~BEG*00*SA*PO-POLL-1**20260301~N1*BY*ACME*UL*" + odoosim.AcmeGLN + "~PO1*1*2*EA*9.99**VN*SKU-1001~CTT*1*2~SE*6*0001~\n" +
		"GE*1*801~\nIEA*1*000000801~\n"
	os.WriteFile(filepath.Join(in, "po.x12"), []byte(x), 0o644)
	os.WriteFile(filepath.Join(in, ".po2.x12.part"), []byte("half"), 0o644) // a temp name: ignored

	// Usage errors.
	for _, args := range [][]string{
		{"--config", cfg},
		{"--config", cfg, "--partner", "nobody"},
		{"--config", cfg, "--partner", "acme-retail", "--mailbox", "nope"},
		{"--config", filepath.Join(dir, "missing.yaml"), "--partner", "acme-retail"},
	} {
		if _, errOut, code := run(t, append([]string{"poll"}, args...)...); code != 2 || errOut == "" {
			t.Errorf("poll %v: exit %d, want 2 with a message; stderr %q", args, code, errOut)
		}
	}
	if _, errOut, _ := run(t, "poll", "--config", cfg, "--partner", "acme-retail", "--mailbox", "nope"); !strings.Contains(errOut, "acme-in") {
		t.Errorf("unknown mailbox: the error should list the partner's mailboxes: %s", errOut)
	}

	// The first poll picks the file.
	reps, errOut, code := pollOnce(t, "--config", cfg, "--partner", "acme-retail", "--mailbox", "acme-in")
	if code != 0 || len(reps) != 1 || len(reps[0].Picked) != 1 {
		t.Fatalf("first poll: exit %d %+v %s", code, reps, errOut)
	}
	p := reps[0].Picked[0]
	if p.Path != "po.x12" || p.Size != int64(len(x)) || len(p.SHA256) != 64 || reps[0].Mailbox != "acme-in" || reps[0].Partner != "acme-retail" {
		t.Errorf("picked: %+v", reps[0])
	}
	// Again: the ledger has it (the file was left in the mailbox).
	reps, _, code = pollOnce(t, "--config", cfg, "--partner", "acme-retail", "--mailbox", "acme-in")
	if code != 0 || len(reps[0].Picked) != 0 || reps[0].AlreadyPicked != 1 {
		t.Errorf("second poll: exit %d %+v", code, reps)
	}
	// The same content under another name: a duplicate, not processed.
	os.WriteFile(filepath.Join(in, "po-resent.x12"), []byte(x), 0o644)
	stdout, _, code := run(t, "poll", "--config", cfg, "--partner", "acme-retail", "--mailbox", "acme-in")
	if code != 0 || !strings.Contains(stdout, "0 picked, 1 duplicates") || !strings.Contains(stdout, "duplicate  po-resent.x12") {
		t.Errorf("resend: exit %d\n%s", code, stdout)
	}

	// Every mailbox of the partner: acme-gone's folder does not exist, an
	// error naming partner, mailbox and path; exit 1.
	stdout, _, code = run(t, "poll", "--config", cfg, "--partner", "acme-retail")
	if code != 1 || !strings.Contains(stdout, "mailbox acme-in: 0 picked") ||
		!strings.Contains(stdout, `in mailbox "acme-gone" of partner "acme-retail"`) || !strings.Contains(stdout, gone) {
		t.Errorf("poll of every mailbox with a missing folder: exit %d\n%s", code, stdout)
	}

	// The store has the file waiting for serve, and the duplicate.
	files, _, _ := run(t, "messages", "--config", cfg, "--kind", "file", "--json")
	if strings.Count(files, `"Status":"received"`) != 1 || strings.Count(files, `"Status":"duplicate"`) != 1 {
		t.Fatalf("file messages after poll:\n%s", files)
	}

	// serve processes what poll picked, once: its own polls every second
	// find the files in the ledger.
	cmd := exec.Command(binary, "serve", "--config", cfg)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("serve logs:\n%s", logs.String())
		}
	}()
	waitFor(t, 60*time.Second, func() bool {
		stdout, _, _ := run(t, "messages", "--config", cfg, "--po", "PO-POLL-1", "--kind", "odoo_record", "--json")
		return strings.Contains(stdout, `"Status":"posted"`)
	})
	time.Sleep(2500 * time.Millisecond) // two more of serve's polls
	files, _, _ = run(t, "messages", "--config", cfg, "--kind", "file", "--json")
	if n := strings.Count(files, "\n"); n != 2 || strings.Count(files, `"Status":"duplicate"`) != 1 {
		t.Errorf("after serve: want the file and its duplicate only, got %d:\n%s", n, files)
	}
	if es, _ := os.ReadDir(out); len(es) != 1 {
		t.Errorf("outbox: want one 997, got %v", es)
	}
}
