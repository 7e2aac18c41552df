package partner

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/b2bgw/b2bgw/internal/errclass"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const samples = "../../partners"

// sampleEnv has every variable the sample profiles reference.
func sampleEnv(name string) (string, bool) {
	switch name {
	case "ACME_SFTP_PASSWORD", "GLOBEX_S3_ACCESS_KEY_ID", "GLOBEX_S3_SECRET_ACCESS_KEY", "EUROPA_FTP_PASSWORD":
		return "value-of-" + name, true
	}
	return "", false
}

func TestSamplesLintClean(t *testing.T) {
	t.Parallel()
	if probs := Lint(samples); len(probs) > 0 {
		t.Fatalf("sample profiles have problems:\n%v", Problems(probs))
	}
}

func TestSamplesLoad(t *testing.T) {
	t.Parallel()
	r, err := Load(samples, Options{Lookup: sampleEnv, Us: Us{X12: &X12Us{Qualifier: "ZZ", ID: "B2BGWDEMO"}}})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range r.Profiles() {
		ids = append(ids, p.ID)
	}
	if got, want := strings.Join(ids, ","), "acme-retail,europa-foods,globex-supplier,northwind-3pl"; got != want {
		t.Fatalf("profiles = %s, want %s", got, want)
	}
	acme, _ := r.Get("acme-retail")
	if got := acme.Mailboxes.Inbound[0].SFTP.Password.Reveal(); got != "value-of-ACME_SFTP_PASSWORD" {
		t.Errorf("secret not resolved: %q", got)
	}
	if acme.CodeOverlay() == nil {
		t.Error("acme overlay_file not compiled")
	}
	if acme.EDIFACTCodeOverlay() != nil {
		t.Error("acme has an EDIFACT overlay; it wrote only an X12 one")
	}
	europa, _ := r.Get("europa-foods")
	if o := europa.EDIFACTCodeOverlay(); o == nil || len(o.Codes["1153"].Add) != 1 {
		t.Errorf("europa edifact_overlay_file not compiled: %+v", o)
	}
	if europa.CodeOverlay() != nil {
		t.Error("europa has an X12 overlay; it wrote only an EDIFACT one")
	}
	if m := acme.Mapping(&acme.Documents[0]); m == nil || m.ID != "acme-retail-850-order" {
		t.Errorf("acme 850 mapping_file not compiled: %v", m)
	}
	if acme.Mailboxes.Inbound[0].ID != "acme-retail-in" || acme.Mailboxes.Outbound[0].ID != "acme-retail-out" {
		t.Errorf("default mailbox ids: %s, %s", acme.Mailboxes.Inbound[0].ID, acme.Mailboxes.Outbound[0].ID)
	}
	if s, err := acme.Schedule(&acme.Mailboxes.Inbound[0]); err != nil || !strings.HasPrefix(s.Spec, "CRON_TZ=America/Chicago ") {
		t.Errorf("schedule not in the partner's zone: %q %v", s.Spec, err)
	}
	pol := acme.OdooPolicy()
	if len(pol.ATP.Products) != 4 || pol.TimeZone != "America/Chicago" || *pol.Confirm != true {
		t.Errorf("odoo policy: %+v", pol)
	}
	nw, _ := r.Get("northwind-3pl")
	if nw.Us.X12 == nil || nw.Us.X12.ID != "B2BGWDEMO" || nw.Us.X12.GS != "B2BGWDEMO" {
		t.Errorf("gateway identity not used as default us: %+v", nw.Us.X12)
	}
	if nw.Documents[0].Mapping != "x12-004010-945-warehouse-shipping-advice" {
		t.Errorf("default mapping for the 945: %q", nw.Documents[0].Mapping)
	}
	if nw.Duplicates.Window.Hours() != 2160 || nw.MaxSegmentSize != 4096 || nw.Acks.OverdueAfter.Hours() != 24 {
		t.Errorf("defaults not applied: %+v %d %+v", nw.Duplicates, nw.MaxSegmentSize, nw.Acks)
	}
}

func TestSamplesMissingSecret(t *testing.T) {
	t.Parallel()
	_, err := LoadFile(filepath.Join(samples, "acme-retail.yaml"), Options{Lookup: func(string) (string, bool) { return "", false }})
	var probs Problems
	if !errors.As(err, &probs) || len(probs) != 2 {
		t.Fatalf("want two problems (inbound and outbound password), got %v", err)
	}
	want := "../../partners/acme-retail.yaml:39:19: mailboxes.inbound[0].sftp.password: environment variable ACME_SFTP_PASSWORD is not set: export it before starting b2bgw"
	if probs[0].String() != want {
		t.Errorf("got  %s\nwant %s", probs[0], want)
	}
}

func TestDemoMailboxes(t *testing.T) {
	t.Parallel()
	demo := t.TempDir()
	// No secrets: demo mode drops the remote settings that need them.
	r, err := Load(samples, Options{Lookup: func(string) (string, bool) { return "", false }, Demo: demo})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range r.Profiles() {
		for _, m := range p.Mailboxes.Inbound {
			if m.Type() != "local" || m.Local.Dir != filepath.Join(demo, m.ID) || m.Schedule != "@every 5s" || !m.Stability.Immediate {
				t.Errorf("%s: inbound %s not mapped to the demo folder: %+v", p.ID, m.ID, m)
			}
		}
		for _, m := range p.Mailboxes.Outbound {
			if m.Type() != "local" || m.Local.Dir != filepath.Join(demo, m.ID) {
				t.Errorf("%s: outbound %s not mapped to the demo folder", p.ID, m.ID)
			}
		}
	}
}

// TestLintGolden lints each folder under testdata and compares the
// problems, one per line, with testdata/<folder>.golden.
func TestLintGolden(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{"bad", "conflict"} {
		t.Run(dir, func(t *testing.T) {
			var b strings.Builder
			for _, p := range Lint(filepath.Join("testdata", dir)) {
				b.WriteString(p.String() + "\n")
			}
			golden := filepath.Join("testdata", dir+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if b.String() != string(want) {
				t.Errorf("lint %s:\n%s\nwant:\n%s(go test -update rewrites the golden file)", dir, b.String(), want)
			}
		})
	}
}

func TestLintFileProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, yaml, want string
	}{
		{"missing id", "name: x\n", "f.yaml:1:1: the file: missing required key \"partner\" (e.g. partner: acme-retail)"},
		{"bad id", "partner: ACME Retail\nstandards: [{standard: csv}]\ndocuments: [{type: catalog}]\n", "f.yaml:1:10: partner id \"ACME Retail\": use lower-case letters, digits and dashes (at most 63), e.g. acme-retail"},
		{"literal s3 key", "partner: s\nstandards: [{standard: csv}]\ndocuments: [{type: catalog}]\nmailboxes:\n  inbound:\n    - s3: {bucket: b, access_key_id: AKIA, secret_access_key: {env: S}}\n",
			"f.yaml:6:38: mailboxes.inbound[0].s3.access_key_id is a secret and must not be written in the file: write {env: VARIABLE} or {file: PATH} and put the value there"},
		{"no transport", "partner: s\nstandards: [{standard: csv}]\ndocuments: [{type: catalog}]\nmailboxes:\n  inbound:\n    - dir: in\n",
			"f.yaml:6:7: mailboxes.inbound[0]: set one of local, as2drop, sftp, ftp, s3"},
		{"secret shape", "partner: s\nstandards: [{standard: csv}]\ndocuments: [{type: catalog}]\nmailboxes:\n  inbound:\n    - ftp: {addr: h, user: u, password: {vault: x}}\n",
			"f.yaml:6:41: mailboxes.inbound[0].ftp.password: a secret is {env: VARIABLE} or {file: PATH}, got a mapping"},
		{"edifact syntax on x12", "partner: s\nidentities: {x12: [{qualifier: ZZ, id: S}]}\nstandards: [{standard: x12, syntax: UNOC}]\ndocuments: [{type: \"850\"}]\n",
			"f.yaml:3:37: syntax is an EDIFACT setting; remove it from x12"},
		{"999 on 4010", "partner: s\nidentities: {x12: [{qualifier: ZZ, id: S}]}\nstandards: [{standard: x12, versions: [\"004010\"]}]\nacks: {send: \"999\"}\ndocuments: [{type: \"850\"}]\n",
			"f.yaml:3:40: acks.send 999 needs X12 005010 or later, but the partner sends 004010: use 997 for it"},
		{"alias", "partner: s\nname: &n x\nstandards: [{standard: csv}]\ndocuments: [{type: catalog}]\ntime_zone: *n\n",
			"f.yaml:5:12: YAML aliases (*name) are not supported here; write the value out"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			f := filepath.Join(dir, "f.yaml")
			if err := os.WriteFile(f, []byte(tt.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			probs := LintFile(f)
			var got []string
			for _, p := range probs {
				got = append(got, strings.TrimPrefix(p.String(), dir+string(filepath.Separator)))
			}
			if len(got) != 1 || got[0] != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestRoute(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := map[string]string{
		"a.yaml": "partner: a\nidentities:\n  x12:\n    - {qualifier: ZZ, id: ACME, gs: [ACMEEAST]}\n  edifact:\n    - {id: \"111\", qualifier: \"14\"}\nstandards: [{standard: x12}, {standard: edifact}]\n",
		"b.yaml": "partner: b\nidentities:\n  x12:\n    - {qualifier: ZZ, id: ACME, gs: [ACMEWEST]}\n    - {qualifier: \"01\", id: \"123456789\", receiver: {qualifier: ZZ, id: US2}}\nstandards: [{standard: x12}]\n",
		"c.yaml": "partner: c\nidentities:\n  x12:\n    - {qualifier: \"01\", id: \"123456789\"}\n  edifact:\n    - {id: \"222\"}\nstandards: [{standard: x12}, {standard: edifact}]\n",
		"d.yaml": "partner: d\ndisabled: true\nidentities:\n  x12:\n    - {qualifier: ZZ, id: OFF}\nstandards: [{standard: x12}]\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r, err := Load(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	x12 := []struct {
		name string
		env  X12Envelope
		want string // partner id, or the error
	}{
		{"gs tells apart", X12Envelope{SenderQualifier: "ZZ", SenderID: "ACME           ", GSSender: "ACMEWEST"}, "b"},
		{"gs other", X12Envelope{SenderQualifier: "ZZ", SenderID: "ACME", GSSender: "ACMEEAST"}, "a"},
		{"no gs: ambiguous", X12Envelope{SenderQualifier: "ZZ", SenderID: "ACME"}, "x12 interchange from ZZ/ACME: several partner profiles have this sender identity (a, b): give each a receiver or gs ids that tell them apart"},
		{"unknown gs", X12Envelope{SenderQualifier: "ZZ", SenderID: "ACME", GSSender: "ACMENORTH"}, "x12 interchange from ZZ/ACME: no partner profile has this sender identity: add it under identities.x12 of the partner's profile"},
		{"receiver wins", X12Envelope{SenderQualifier: "01", SenderID: "123456789", ReceiverQualifier: "ZZ", ReceiverID: "US2"}, "b"},
		{"other receiver", X12Envelope{SenderQualifier: "01", SenderID: "123456789", ReceiverQualifier: "ZZ", ReceiverID: "US1"}, "c"},
		{"qualifier matters", X12Envelope{SenderQualifier: "ZZ", SenderID: "123456789"}, "x12 interchange from ZZ/123456789: no partner profile has this sender identity: add it under identities.x12 of the partner's profile"},
		{"disabled", X12Envelope{SenderQualifier: "ZZ", SenderID: "OFF"}, "x12 interchange from ZZ/OFF: no partner profile has this sender identity: add it under identities.x12 of the partner's profile"},
	}
	for _, tt := range x12 {
		t.Run(tt.name, func(t *testing.T) {
			p, err := r.RouteX12(tt.env)
			check(t, p, err, tt.want)
		})
	}
	ed := []struct {
		name string
		env  EDIFACTEnvelope
		want string
	}{
		{"with qualifier", EDIFACTEnvelope{SenderID: "111", SenderQualifier: "14"}, "a"},
		{"wrong qualifier", EDIFACTEnvelope{SenderID: "111", SenderQualifier: "ZZZ"}, "edifact interchange from 111:ZZZ: no partner profile has this sender identity: add it under identities.edifact of the partner's profile"},
		{"any qualifier", EDIFACTEnvelope{SenderID: "222", SenderQualifier: "14"}, "c"},
	}
	for _, tt := range ed {
		t.Run(tt.name, func(t *testing.T) {
			p, err := r.RouteEDIFACT(tt.env)
			check(t, p, err, tt.want)
		})
	}
}

func check(t *testing.T, p *Profile, err error, want string) {
	t.Helper()
	if err != nil {
		if err.Error() != want {
			t.Errorf("error %q\nwant  %q", err, want)
		}
		if errclass.Of(err) != errclass.Permanent {
			t.Errorf("routing errors are permanent, got %v", errclass.Of(err))
		}
		if !errors.Is(err, ErrUnknownPartner) && !errors.Is(err, ErrAmbiguousPartner) {
			t.Errorf("error wraps no sentinel: %v", err)
		}
		return
	}
	if p.ID != want {
		t.Errorf("routed to %s, want %s", p.ID, want)
	}
}

func TestIsProfile(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]bool{
		"# comment\npartner: a\n":      true,
		"mapping: x\npartner: a\n":     false,
		"codes:\n  \"355\": {}\n":      false,
		"---\n# yaml\npartner: acme\n": true,
	} {
		if got := IsProfile([]byte(in)); got != want {
			t.Errorf("IsProfile(%q) = %v", in, got)
		}
	}
}

// TestEDIFACTOverlay loads profiles with an EDIFACT overlay, inline or in
// a file: compiled for the validator, problems at their place in the file
// that holds them.
func TestEDIFACTOverlay(t *testing.T) {
	t.Parallel()
	const head = "partner: e\nidentities: {edifact: [{id: \"1\"}]}\nstandards: [{standard: edifact, versions: [D96A]}]\ndocuments: [{type: ORDERS}]\n"
	tests := []struct {
		name, yaml, overlay string
		want                []string // problems; none means it compiles
	}{
		{"inline", head + "edifact_overlay:\n  codes:\n    \"1153\": {add: [DP]}\n", "", nil},
		{"file", head + "edifact_overlay_file: ov.yaml\n", "codes:\n  \"1153\": {add: [DP]}\n", nil},
		{"inline entry naming nothing", head + "edifact_overlay:\n  segments:\n    XYZ: {max: 2}\n",
			"", []string{"f.yaml:7:5: edifact overlay: segments: segment XYZ does not exist in directory D96A"}},
		{"file entry naming nothing", head + "edifact_overlay_file: ov.yaml\n", "elements:\n  BGM09: {status: C}\n",
			[]string{"ov.yaml:2:3: edifact overlay: elements: segment BGM has 4 positions in directory D96A; there is no BGM09"}},
		{"inline problem reported once", head + "edifact_overlay:\n  codes:\n    \"1153\": {add: [DP], mod: warn}\n", "",
			[]string{`f.yaml:7:25: unknown key "mod" in edifact_overlay.codes.1153; did you mean "mode"?`}},
		{"missing file", head + "edifact_overlay_file: none.yaml\n", "",
			[]string{"f.yaml:5:23: edifact_overlay_file: stat none.yaml: no such file or directory"}},
		{"x12 overlay on an EDIFACT partner", head + "overlay_file: ov.yaml\n", "codes:\n  \"355\": {add: [CU]}\n",
			[]string{"f.yaml:5:1: overlay_file is the X12 overlay, but the partner sends no X12: write an EDIFACT overlay under edifact_overlay or edifact_overlay_file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if tt.overlay != "" {
				if err := os.WriteFile(filepath.Join(dir, "ov.yaml"), []byte(tt.overlay), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			f := filepath.Join(dir, "f.yaml")
			if err := os.WriteFile(f, []byte(tt.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			p, err := LoadFile(f, Options{})
			var got []string
			var probs Problems
			if errors.As(err, &probs) {
				for _, pr := range probs {
					got = append(got, strings.ReplaceAll(pr.String(), dir+string(filepath.Separator), ""))
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Fatalf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if tt.want == nil && len(p.EDIFACTCodeOverlay().Codes["1153"].Add) != 1 {
				t.Errorf("overlay not compiled: %+v", p.EDIFACTCodeOverlay())
			}
		})
	}
}
