package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/b2bgw/b2bgw/internal/odoo"
	"github.com/b2bgw/b2bgw/internal/odoo/odoosim"
)

// The Odoo commands are tested on the real binary against a simulator
// running in the test process, reached through the environment a real
// deployment uses.

const postData = "testdata/post/"

// testSim is a seeded simulator and the environment that points the
// binary at it.
type testSim struct {
	*odoosim.Server
	env []string
}

func newTestSim(t *testing.T) *testSim {
	t.Helper()
	sim := odoosim.New(odoosim.Options{Version: "18.0"})
	sim.Seed()
	url, err := sim.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	return &testSim{sim, odooEnv(url, sim.DB(), "admin", sim.AdminAPIKey())}
}

func odooEnv(url, db, user, key string) []string {
	return []string{odoo.EnvURL + "=" + url, odoo.EnvDB + "=" + db, odoo.EnvUser + "=" + user, odoo.EnvAPIKey + "=" + key}
}

// runEnv is run with env added to a environment cleared of any Odoo
// settings of the machine running the tests.
func runEnv(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "B2BGW_ODOO_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.ExitCode()
	default:
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

// postLines decodes post's stdout, one JSON object a line.
func postLines(t *testing.T, out string) []postLine {
	t.Helper()
	var ls []postLine
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		var l postLine
		if err := dec.Decode(&l); err != nil {
			t.Fatalf("not a JSON line: %q: %v", line, err)
		}
		ls = append(ls, l)
	}
	return ls
}

func TestPostResendReportsExisting(t *testing.T) {
	sim := newTestSim(t)
	file := postData + "850-acme.x12"

	out, errOut, code := runEnv(t, sim.env, "post", file)
	if code != 0 {
		t.Fatalf("first post: exit %d\n%s%s", code, out, errOut)
	}
	first := postLines(t, out)
	if len(first) != 2 {
		t.Fatalf("first post: want 2 lines, got %+v", first)
	}
	for i, po := range []string{"PO-77001", "PO-77002"} {
		l := first[i]
		if l.Model != "sale.order" || l.ID == 0 || !strings.HasPrefix(l.Name, "S0") || l.Action != "created" || l.State != "sale" ||
			l.Document != po || l.Kind != "order" || l.Partner != "x12:ZZ:ACMERETAIL" || l.File != file || l.Set == "" {
			t.Errorf("first post line %d: %+v", i, l)
		}
	}

	out, errOut, code = runEnv(t, sim.env, "post", file)
	if code != 0 {
		t.Fatalf("second post: exit %d\n%s%s", code, out, errOut)
	}
	second := postLines(t, out)
	if len(second) != 2 {
		t.Fatalf("second post: want 2 lines, got %+v", second)
	}
	for i := range second {
		if second[i].Action != "existing" || second[i].ID != first[i].ID || second[i].Name != first[i].Name {
			t.Errorf("resend line %d: want existing %s(%d), got %+v", i, first[i].Name, first[i].ID, second[i])
		}
	}
	if n := sim.Calls()["sale.order/create"]; n != 1 {
		t.Errorf("sale.order/create called %d times over both runs, want 1 (one batch)", n)
	}
	if !strings.Contains(errOut, "2 document(s) posted, 0 failed") {
		t.Errorf("stderr lacks the file summary:\n%s", errOut)
	}
}

func TestPostFailures(t *testing.T) {
	sim := newTestSim(t)

	t.Run("unknown product fails one order, the other posts", func(t *testing.T) {
		out, errOut, code := runEnv(t, sim.env, "post", "--partner", "acme", postData+"850-unknown-product.x12")
		if code != 1 {
			t.Fatalf("exit %d, want 1\n%s%s", code, out, errOut)
		}
		ls := postLines(t, out)
		if len(ls) != 2 || ls[0].Action != "failed" || ls[0].Problem != "unknown_product" || ls[0].Document != "PO-77003" ||
			ls[0].Partner != "acme" || ls[1].Action != "created" || ls[1].Document != "PO-77004" {
			t.Fatalf("unexpected lines: %+v", ls)
		}
		for _, want := range []string{"PO-77003", "line 1", "SKU-9999", "1 document(s) posted, 1 failed"} {
			if !strings.Contains(errOut, want) {
				t.Errorf("stderr lacks %q:\n%s", want, errOut)
			}
		}
	})

	t.Run("a set rejected by validation is reported, not posted", func(t *testing.T) {
		out, errOut, code := runEnv(t, sim.env, "post", sample+"bad/850-4010-errors.x12")
		if code != 1 {
			t.Fatalf("exit %d, want 1\n%s%s", code, out, errOut)
		}
		var found bool
		for _, l := range postLines(t, out) {
			if l.Problem == problemTranslation {
				found = true
				if l.Set != "850 0002" || !strings.Contains(l.Error, "does not validate") {
					t.Errorf("rejected set line: %+v", l)
				}
			}
		}
		if !found || !strings.Contains(errOut, "BEG03") {
			t.Errorf("the rejected set is not reported:\n%s\n%s", out, errOut)
		}
	})

	t.Run("ship notice posts once", func(t *testing.T) {
		var lines []postLine
		for range 2 {
			out, errOut, code := runEnv(t, sim.env, "post", postData+"856-northwind.x12")
			if code != 0 {
				t.Fatalf("exit %d\n%s%s", code, out, errOut)
			}
			lines = append(lines, postLines(t, out)...)
		}
		if len(lines) != 2 || lines[0].Model != "stock.picking" || lines[0].Action != "ready" || lines[0].Name != "WH/IN/00001" ||
			lines[1].Action != "existing" || lines[1].ID != lines[0].ID || lines[0].Document != "ASN-5001" {
			t.Errorf("unexpected lines: %+v", lines)
		}
	})

	t.Run("catalog posts good rows and reports bad ones", func(t *testing.T) {
		out, errOut, code := runEnv(t, sim.env, "post", "--partner", "northwind", postData+"catalog-northwind.csv")
		if code != 1 {
			t.Fatalf("exit %d, want 1\n%s%s", code, out, errOut)
		}
		ls := postLines(t, out)
		if len(ls) != 2 || ls[0].Model != "product.supplierinfo" || ls[0].Row != 1 || ls[0].Action == "failed" ||
			ls[1].Row != 2 || ls[1].Action != "failed" || ls[1].Problem != "unknown_product" {
			t.Errorf("unexpected lines: %+v", ls)
		}
		if !strings.Contains(errOut, "catalog: 2 rows:") || !strings.Contains(errOut, "NW-999") {
			t.Errorf("stderr lacks the catalog summary or the bad row:\n%s", errOut)
		}
	})
}

func TestPostPolicyFile(t *testing.T) {
	sim := newTestSim(t)
	dir := t.TempDir()
	pol := filepath.Join(dir, "policy.yaml")
	os.WriteFile(pol, []byte("confirm: false\n"), 0o644)
	profile := filepath.Join(dir, "profile.yaml")
	os.WriteFile(profile, []byte("partner: acme-p2\nname: ACME\nodoo:\n  confirm: false\n"), 0o644)
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("confrim: false\n"), 0o644)
	invalid := filepath.Join(dir, "invalid.yaml")
	os.WriteFile(invalid, []byte("price: cheapest\n"), 0o644)

	for _, tc := range []struct{ args []string }{
		{[]string{"--policy", pol, "--partner", "p1"}},
		{[]string{"--policy", profile}}, // the profile names the partner: acme-p2
	} {
		out, errOut, code := runEnv(t, sim.env, append(append([]string{"post"}, tc.args...), postData+"850-acme.x12")...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s%s", tc.args, code, out, errOut)
		}
		ls := postLines(t, out)
		for _, l := range ls {
			if l.State != "draft" || l.Action != "created" {
				t.Errorf("%v: confirm: false should leave new quotations, got %+v", tc.args, l)
			}
		}
		if len(tc.args) == 2 && (len(ls) == 0 || ls[0].Partner != "acme-p2") {
			t.Errorf("the profile's partner id is not used: %+v", ls)
		}
	}
	for _, f := range []string{bad, invalid, filepath.Join(dir, "missing.yaml")} {
		out, errOut, code := runEnv(t, sim.env, "post", "--policy", f, postData+"850-acme.x12")
		if code != 2 || out != "" {
			t.Errorf("%s: exit %d, want 2 and no output\n%s%s", f, code, out, errOut)
		}
	}
}

func TestPostUsageAndConnection(t *testing.T) {
	sim := newTestSim(t)
	deadURL := "http://" + closedAddr(t)
	tests := []struct {
		name   string
		env    []string
		args   []string
		code   int
		stderr string
	}{
		{"no files", sim.env, []string{"post"}, 2, "requires at least 1 arg"},
		{"unknown flag", sim.env, []string{"post", "--nope", postData + "850-acme.x12"}, 2, "unknown flag"},
		{"missing file", sim.env, []string{"post", "no-such-file.x12"}, 2, "no-such-file.x12"},
		{"not configured", nil, []string{"post", postData + "850-acme.x12"}, 2, odoo.EnvAPIKey},
		{"bad simulator version", nil, []string{"post", "--odoo", "sim:15.0", postData + "850-acme.x12"}, 2, "15.0"},
		{"odoo down", odooEnv(deadURL, "b2b", "admin", "secret-key-123"), []string{"post", postData + "850-acme.x12"}, 1, "nothing was done"},
		{"bad API key", odooEnv(sim.env[0][len(odoo.EnvURL)+1:], sim.DB(), "admin", "secret-key-123"), []string{"post", postData + "850-acme.x12"}, 1, odoo.EnvAPIKey},
		{"--odoo overrides the URL", odooEnv(deadURL, sim.DB(), "admin", sim.AdminAPIKey()),
			[]string{"post", "--odoo", sim.env[0][len(odoo.EnvURL)+1:], postData + "850-acme.x12"}, 0, "posted"},
		{"in-process simulator", nil, []string{"post", "--odoo", "sim", postData + "850-acme.x12", postData + "850-acme.x12"}, 0, "posted"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := runEnv(t, tc.env, tc.args...)
			if code != tc.code || !strings.Contains(errOut, tc.stderr) {
				t.Errorf("exit %d, want %d with %q on stderr\nstdout:\n%s\nstderr:\n%s", code, tc.code, tc.stderr, out, errOut)
			}
			if strings.Contains(out+errOut, "secret-key-123") {
				t.Errorf("the API key was printed:\n%s%s", out, errOut)
			}
		})
	}
	// The in-process simulator keeps its state for the run: the second
	// file is a resend.
	out, _, _ := runEnv(t, nil, "post", "--odoo", "sim", postData+"850-acme.x12", postData+"850-acme.x12")
	ls := postLines(t, out)
	if len(ls) != 4 || ls[0].Action != "created" || ls[2].Action != "existing" {
		t.Errorf("--odoo sim resend: %+v", ls)
	}
}

// closedAddr returns an address nothing listens on.
func closedAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestOdooCheck(t *testing.T) {
	sim := newTestSim(t)
	out, errOut, code := runEnv(t, sim.env, "odoo", "check")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"ok    connectivity", "ok    version", "ok    authentication", "ok    modules", "ok    rights", "Odoo is ready for b2bgw"} {
		if !strings.Contains(out, want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}

	out, _, code = runEnv(t, sim.env, "odoo", "check", "--json")
	var vs []odoo.Verdict
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var v odoo.Verdict
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Fatalf("not a JSON verdict: %q", line)
		}
		vs = append(vs, v)
	}
	if code != 0 || len(vs) < 5 || vs[0].Check != "connectivity" {
		t.Errorf("--json: exit %d, %+v", code, vs)
	}

	bad := odooEnv(sim.env[0][len(odoo.EnvURL)+1:], sim.DB(), "admin", "secret-key-123")
	out, errOut, code = runEnv(t, bad, "odoo", "check")
	if code != 1 || !strings.Contains(out, "fail  authentication") || !strings.Contains(out, "what to do:") || !strings.Contains(out, "NOT ready") {
		t.Errorf("bad key: exit %d\n%s%s", code, out, errOut)
	}
	if strings.Contains(out+errOut, "secret-key-123") {
		t.Error("the API key was printed")
	}
	out, errOut, code = runEnv(t, odooEnv("http://"+closedAddr(t), "b2b", "admin", "k"), "odoo", "check")
	if code != 1 || !strings.Contains(out, "fail  connectivity") {
		t.Errorf("Odoo down: exit %d\n%s%s", code, out, errOut)
	}
	if _, errOut, code = runEnv(t, nil, "odoo", "check"); code != 2 || !strings.Contains(errOut, odoo.EnvURL) {
		t.Errorf("not configured: exit %d\n%s", code, errOut)
	}
}

func TestATP(t *testing.T) {
	sim := newTestSim(t)
	dir := t.TempDir()
	pol := filepath.Join(dir, "policy.yaml")
	os.WriteFile(pol, []byte("atp: {products: [SKU-1001, SKU-1004], warehouses: [WH]}\n"), 0o644)
	feed := filepath.Join(dir, "atp.x12")

	out, errOut, code := runEnv(t, sim.env, "atp", "--partner", "x12:ZZ:ACMERETAIL", "--policy", pol, "--sender", "ZZ:B2BGWDIST", "-o", feed)
	if code != 0 || out != "" {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	data, err := os.ReadFile(feed)
	if err != nil {
		t.Fatal(err)
	}
	x := string(data)
	for _, want := range []string{
		"*ZZ*B2BGWDIST      *ZZ*ACMERETAIL     *", "*U*00401*000000001*0*P*>~\n", "GS*IB*B2BGWDIST*ACMERETAIL*",
		"ST*846*0001~\nBIA*00*MM*ATP-", "LIN**UK*00036000291452*VN*SKU-1001~\nPID*F****Widget Small~\nREF*WS*WH~\nQTY*33*100*EA~\nQTY*02*50*EA~",
		"VN*SKU-1004~\nPID*F****Gadget Basic~\nREF*WS*WH~\nQTY*33*0*EA~", // out of stock
		"CTT*2~\nSE*", "GE*1*1~\nIEA*1*000000001~\n",
	} {
		if !strings.Contains(x, want) {
			t.Errorf("846 lacks %q:\n%s", want, x)
		}
	}
	// The feed is valid X12 by our own specs.
	if out, errOut, code := run(t, "validate", feed); code != 0 {
		t.Errorf("the 846 does not validate: exit %d\n%s%s", code, out, errOut)
	}

	out, errOut, code = runEnv(t, sim.env, "atp", "--partner", "acme", "--format", "csv", "--products", "SKU-1001,SKU-1002")
	rows := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(rows) != 3 || !strings.HasPrefix(rows[0], "advice_id,as_of,gtin,") ||
		!strings.Contains(rows[1], ",00036000291452,SKU-1001,,Widget Small,WH,100,50,EA,") {
		t.Errorf("csv: exit %d\n%s%s", code, out, errOut)
	}

	// A product Odoo does not know: the feed is written without it, and
	// the exit status says so.
	out, errOut, code = runEnv(t, sim.env, "atp", "--partner", "acme", "--format", "csv", "--products", "SKU-1001,NOPE-1")
	if code != 1 || !strings.Contains(out, "SKU-1001") || !strings.Contains(errOut, "NOPE-1") {
		t.Errorf("unknown product: exit %d\n%s%s", code, out, errOut)
	}

	// A partner profile gives the partner id, both identities, the format
	// and the products.
	profile := filepath.Join(dir, "acme.yaml")
	os.WriteFile(profile, []byte(`partner: acme-retail
identities:
  x12: [{qualifier: ZZ, id: ACMERETAIL}]
us:
  x12: {qualifier: "01", id: "123456789"}
odoo:
  confirm: true
atp:
  format: "846"
  schedule: "0 6 * * *"
  products: [SKU-1002]
`), 0o644)
	out, errOut, code = runEnv(t, sim.env, "atp", "--policy", profile)
	if code != 0 || !strings.Contains(out, "*01*123456789      *ZZ*ACMERETAIL     *") || !strings.Contains(out, "VN*SKU-1002~") {
		t.Errorf("atp from a profile: exit %d\n%s%s", code, out, errOut)
	}
	if out, errOut, code = runEnv(t, sim.env, "atp", "--policy", profile, "--format", "csv"); code != 0 || !strings.HasPrefix(out, "advice_id,") {
		t.Errorf("--format overrides the profile: exit %d\n%s%s", code, out, errOut)
	}

	// INVRPT: from flags, then from an EDIFACT partner's profile; both
	// valid by our own EDIFACT validator.
	invrpt := filepath.Join(dir, "atp.edi")
	out, errOut, code = runEnv(t, sim.env, "atp", "--partner", "edifact:14:8712345000004", "--format", "invrpt",
		"--sender", "14:4012345000009", "--products", "SKU-1001,SKU-1004", "-o", invrpt)
	if code != 0 {
		t.Fatalf("invrpt: exit %d\n%s%s", code, out, errOut)
	}
	data, err = os.ReadFile(invrpt)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"UNB+UNOC:3+4012345000009:14+8712345000004:14+", "UNH+1+INVRPT:D:96A:UN", "SKU-1001", "UNZ+1+1'"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("INVRPT lacks %q:\n%s", want, data)
		}
	}
	if out, errOut, code := run(t, "validate", invrpt); code != 0 {
		t.Errorf("the INVRPT does not validate: exit %d\n%s%s", code, out, errOut)
	}
	europa := filepath.Join(dir, "europa.yaml")
	os.WriteFile(europa, []byte(`partner: europa-foods
identities:
  edifact: [{qualifier: "14", id: "8712345000004"}]
us:
  edifact: {qualifier: "14", id: "4012345000009"}
standards:
  - {standard: edifact, syntax: UNOB, syntax_version: 4, versions: [D96A]}
atp:
  format: invrpt
  schedule: "0 6 * * *"
  products: [SKU-1002]
`), 0o644)
	out, errOut, code = runEnv(t, sim.env, "atp", "--policy", europa)
	if code != 0 || !strings.Contains(out, "UNB+UNOB:4+4012345000009:14+8712345000004:14+") || !strings.Contains(out, "SKU-1002") {
		t.Errorf("invrpt from a profile: exit %d\n%s%s", code, out, errOut)
	}

	for _, args := range [][]string{
		{"atp", "--partner", "europa", "--format", "invrpt", "--products", "SKU-1001"},                      // INVRPT without sender
		{"atp", "--partner", "europa", "--format", "invrpt", "--products", "SKU-1001", "--sender", "14:US"}, // no receiver
		{"atp", "--products", "SKU-1001", "--format", "csv"},                                                // no partner
		{"atp", "--partner", "acme", "--products", "SKU-1001", "--format", "edifact"},                       // bad format
		{"atp", "--partner", "acme", "--products", "SKU-1001"},                                              // 846 without sender
		{"atp", "--partner", "acme", "--products", "SKU-1001", "--sender", "ZZ:US"},                         // no receiver
		{"atp", "--partner", "x12:ZZ:ACME", "--products", "SKU-1001", "--sender", "B2BGW"},                  // malformed sender
		{"atp", "--partner", "acme", "--format", "csv"},                                                     // no products
		{"atp", "--partner", "x12:ZZ:ACME", "--sender", "ZZ:US", "--products", "A", "--usage", "X"},         // bad usage
	} {
		if out, errOut, code := runEnv(t, sim.env, args...); code != 2 || out != "" {
			t.Errorf("%v: exit %d, want 2 and no output\n%s%s", args, code, out, errOut)
		}
	}
}

// TestOdooSimCommand runs `b2bgw odoo-sim`, points `b2bgw odoo check` at
// it with the environment it prints, and stops it with SIGINT.
func TestOdooSimCommand(t *testing.T) {
	addr := closedAddr(t)
	cmd := exec.Command(binary, "odoo-sim", "--addr", addr, "--version", "17.0")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var env []string
	sc := bufio.NewScanner(stdout)
	var banner strings.Builder
	for sc.Scan() {
		line := sc.Text()
		banner.WriteString(line + "\n")
		if kv, ok := strings.CutPrefix(line, "export "); ok {
			env = append(env, kv)
		}
		if strings.HasPrefix(line, "Press Ctrl-C") {
			break
		}
	}
	if len(env) != 4 || !strings.Contains(banner.String(), "Odoo simulator 17.0 listening at http://"+addr) {
		t.Fatalf("unexpected banner:\n%s\nstderr:\n%s", banner.String(), errOut.String())
	}
	go io.Copy(io.Discard, stdout)
	out, checkErr, code := runEnv(t, env, "odoo", "check")
	if code != 0 || !strings.Contains(out, "Odoo 17.0") {
		t.Errorf("check against odoo-sim: exit %d\n%s%s", code, out, checkErr)
	}
	cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("odoo-sim did not exit cleanly on SIGINT: %v\n%s", err, errOut.String())
		}
	case <-time.After(10 * time.Second):
		t.Error("odoo-sim did not stop on SIGINT")
	}
	if _, _, code := run(t, "odoo-sim", "--version", "12.0"); code != 2 {
		t.Errorf("odoo-sim --version 12.0: exit %d, want 2", code)
	}
}

// TestPostConcurrentProcesses posts the same file from several gateway
// processes at once: each PO becomes one order, created by exactly one of
// them and reported as existing by the others.
func TestPostConcurrentProcesses(t *testing.T) {
	sim := newTestSim(t)
	const procs = 4
	outs := make([]string, procs)
	codes := make([]int, procs)
	done := make(chan int)
	for i := range procs {
		go func() {
			defer func() { done <- i }()
			cmd := exec.Command(binary, "post", postData+"850-acme.x12")
			cmd.Env = append(os.Environ(), sim.env...)
			var o bytes.Buffer
			cmd.Stdout = &o
			err := cmd.Run()
			outs[i] = o.String()
			if ee, ok := err.(*exec.ExitError); ok {
				codes[i] = ee.ExitCode()
			}
		}()
	}
	for range procs {
		<-done
	}
	created := map[string]int{}
	ids := map[string]map[int64]bool{}
	for i := range procs {
		if codes[i] != 0 {
			t.Errorf("process %d: exit %d\n%s", i, codes[i], outs[i])
		}
		for _, l := range postLines(t, outs[i]) {
			if l.Action == "created" {
				created[l.Document]++
			}
			if ids[l.Document] == nil {
				ids[l.Document] = map[int64]bool{}
			}
			ids[l.Document][l.ID] = true
		}
	}
	for _, po := range []string{"PO-77001", "PO-77002"} {
		if created[po] != 1 || len(ids[po]) != 1 {
			t.Errorf("%s: created %d times, ids %v; want once, one id", po, created[po], ids[po])
		}
	}
}

// TestPostFaults: an answer lost after Odoo committed the order is settled
// without a duplicate; Odoo unavailable for good fails the documents with
// what to do, and a later resend posts them.
func TestPostFaults(t *testing.T) {
	sim := newTestSim(t)
	file := postData + "850-acme.x12"
	sim.Inject(odoosim.Fault{Model: "sale.order", Method: "create", Kind: odoosim.DropConnection, AfterCommit: true, Times: 1})
	out, errOut, code := runEnv(t, sim.env, "post", file)
	if code != 0 {
		t.Fatalf("lost answer: exit %d\n%s%s", code, out, errOut)
	}
	first := postLines(t, out)
	out, _, _ = runEnv(t, sim.env, "post", file)
	again := postLines(t, out)
	if len(first) != 2 || len(again) != 2 || again[0].ID != first[0].ID || again[1].ID != first[1].ID || again[0].Action != "existing" {
		t.Errorf("lost answer: first %+v, resend %+v", first, again)
	}
	c, err := odoo.New(odoo.Config{URL: sim.env[0][len(odoo.EnvURL)+1:], DB: sim.DB(), User: "admin", APIKey: odoo.Secret(sim.AdminAPIKey())})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := c.SearchRead(t.Context(), "sale.order", odoo.Domain{odoo.Cond("client_order_ref", "in", []string{"PO-77001", "PO-77002"})}, []string{"name"}, odoo.SearchOpts{})
	if err != nil || len(rows) != 2 {
		t.Errorf("want 2 orders in Odoo, got %d (%v)", len(rows), err)
	}

	sim.Inject(odoosim.Fault{Model: "res.partner", Kind: odoosim.HTTPStatus, Status: 503})
	other := postData + "850-unknown-product.x12"
	out, errOut, code = runEnv(t, sim.env, "post", other)
	if code != 1 || !strings.Contains(errOut, "post the file again later") {
		t.Fatalf("Odoo unavailable: exit %d\n%s%s", code, out, errOut)
	}
	for _, l := range postLines(t, out) {
		if l.Action != "failed" || l.Problem != problemUnavailable {
			t.Errorf("Odoo unavailable: %+v", l)
		}
	}
	sim.ClearFaults()
	out, _, code = runEnv(t, sim.env, "post", other)
	if ls := postLines(t, out); code != 1 || len(ls) != 2 || ls[1].Action != "created" {
		t.Errorf("resend after the outage: exit %d, %+v", code, ls)
	}
}
