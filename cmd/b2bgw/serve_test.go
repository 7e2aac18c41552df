package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/b2bgw/b2bgw/internal/odoo/odoosim"
)

const serveProfile = `partner: acme-retail
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
  outbound:
    - id: acme-out
      local: {dir: %s}
      name: "997_{control}.x12"
`

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestServe runs the real process: ready, a file becomes a 997 and a
// posted order, messages finds it, replay refuses a second posting,
// retention runs on its schedule, and SIGTERM stops it cleanly.
func TestServe(t *testing.T) {
	dir := t.TempDir()
	in, out, pdir := filepath.Join(dir, "in"), filepath.Join(dir, "out"), filepath.Join(dir, "partners")
	for _, d := range []string{in, out, pdir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(pdir, "acme-retail.yaml"), fmt.Appendf(nil, serveProfile, in, out), 0o644)
	addr := freePort(t)
	cfg := filepath.Join(dir, "b2bgw.yaml")
	os.WriteFile(cfg, fmt.Appendf(nil, "data_dir: %s\npartners_dir: %s\nodoo: {url: \"sim:\"}\nhttp: {listen: \"%s\"}\nlog: {format: json}\n"+
		"retention: {keep: 1h, schedule: \"@every 1s\"}\n",
		filepath.Join(dir, "data"), pdir, addr), 0o644)

	cmd := exec.Command(binary, "serve", "--config", cfg)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	defer func() {
		if t.Failed() {
			t.Logf("serve logs:\n%s", logs.String())
		}
	}()
	waitFor(t, 30*time.Second, func() bool {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	if code, _ := httpGet(t, "http://"+addr+"/healthz"); code != 200 {
		t.Errorf("/healthz: %d", code)
	}

	x := "ISA*00*          *00*          *ZZ*ACMERETAIL     *ZZ*B2BGWDIST      *260301*0900*U*00401*000000701*0*P*>~\n" +
		"GS*PO*ACMERETAIL*B2BGWDIST*20260301*0900*701*X*004010~\n" +
		"ST*850*0001~BEG*00*SA*PO-SERVE-1**20260301~N1*BY*ACME*UL*" + odoosim.AcmeGLN + "~PO1*1*2*EA*9.99**VN*SKU-1001~CTT*1*2~SE*6*0001~\n" +
		"GE*1*701~\nIEA*1*000000701~\n"
	os.WriteFile(filepath.Join(in, ".tmp"), []byte(x), 0o644)
	os.Rename(filepath.Join(in, ".tmp"), filepath.Join(in, "po.x12"))
	waitFor(t, 60*time.Second, func() bool {
		stdout, _, _ := run(t, "messages", "--config", cfg, "--po", "PO-SERVE-1", "--kind", "odoo_record", "--json")
		return strings.Contains(stdout, `"Status":"posted"`)
	})
	if _, err := os.Stat(filepath.Join(out, "997_1.x12")); err != nil {
		t.Errorf("no 997 in the outbox: %v", err)
	}
	stdout, _, code := run(t, "messages", "--config", cfg, "--po", "PO-SERVE-1", "--kind", "document", "--json")
	var doc struct{ ID int64 }
	if code != 0 || json.Unmarshal([]byte(strings.SplitN(stdout, "\n", 2)[0]), &doc) != nil {
		t.Fatalf("messages: %d %q", code, stdout)
	}
	if _, stderr, code := run(t, "replay", fmt.Sprint(doc.ID), "--from-step", "post", "--config", cfg); code != 1 ||
		!strings.Contains(stderr, "nothing to replay") {
		t.Errorf("replay of a posted document: exit %d, %s", code, stderr)
	}
	_, body := httpGet(t, "http://"+addr+"/metrics")
	for _, m := range []string{`b2bgw_files_picked_total{partner="acme-retail"} 1`, `b2bgw_documents_posted_total{partner="acme-retail"} 1`,
		`b2bgw_sets_total{partner="acme-retail",status="accepted"} 1`, "b2bgw_ack_latency_seconds_count 1", "b2bgw_queue_depth"} {
		if !strings.Contains(body, m) {
			t.Errorf("/metrics lacks %s", m)
		}
	}
	// The leader enqueues the retention job; it runs (and deletes nothing
	// younger than an hour).
	waitFor(t, 30*time.Second, func() bool {
		_, body := httpGet(t, "http://"+addr+"/metrics")
		return regexp.MustCompile(`(?m)^b2bgw_retention_last_success_timestamp_seconds [1-9]`).MatchString(body)
	})

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve after SIGTERM: %v", err)
		}
	case <-time.After(40 * time.Second):
		t.Fatal("serve did not stop within 40 s of SIGTERM")
	}
	if !strings.Contains(logs.String(), `"msg":"pipeline stopped"`) {
		t.Error("no graceful stop in the logs")
	}
	if !strings.Contains(logs.String(), `"msg":"retention run"`) {
		t.Error("no retention run in the logs")
	}
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func waitFor(t *testing.T, d time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if ok() {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("condition not met within %s", d)
}
