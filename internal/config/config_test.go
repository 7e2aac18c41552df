package config

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/b2bgw/b2bgw/internal/config/option"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestDefaultsRunTheDemo(t *testing.T) {
	t.Parallel()
	g, err := Load("", env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if g.Odoo.URL != SimURL || g.Store.DSN != "sqlite:"+filepath.Join("data", "b2bgw.db") || g.SpoolDir != filepath.Join("data", "spool") ||
		g.Archive.Dir != filepath.Join("data", "archive") || g.Partners != "partners" || g.HTTP.Listen != "127.0.0.1:8080" ||
		g.Log.Level != "info" || g.Workers.Post != 4 || g.Odoo.CallTimeout != 30*time.Second || g.Demo {
		t.Errorf("defaults: %+v", g)
	}
}

func TestEnvOverrides(t *testing.T) {
	t.Parallel()
	g, err := Load("", env(map[string]string{
		"B2BGW_STORE_DSN": "postgres://gw@db/gw", "B2BGW_STORE_PASSWORD": "pw",
		"B2BGW_ODOO_URL": "https://erp.example.com", "B2BGW_ODOO_DB": "prod", "B2BGW_ODOO_USER": "bot", "B2BGW_ODOO_API_KEY": "k",
		"B2BGW_DEMO": "true", "B2BGW_WORKERS_POST": "8", "B2BGW_DATA_DIR": "/srv/gw", "B2BGW_LOG_FORMAT": "json",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if g.Store.DSN != "postgres://gw@db/gw" || g.Store.Password.Reveal() != "pw" || g.Odoo.APIKey.Reveal() != "k" || !g.Demo ||
		g.Workers.Post != 8 || g.SpoolDir != "/srv/gw/spool" || g.Log.Format != "json" {
		t.Errorf("overrides: %+v", g)
	}
	if len(g.Env) != 10 {
		t.Errorf("Env = %v", g.Env)
	}
	oc := g.OdooConfig()
	if oc.APIKey.Reveal() != "k" || oc.DB != "prod" || oc.Protocol != "" {
		t.Errorf("OdooConfig = %+v", oc)
	}
	po := g.PartnerOptions(nil)
	if po.Demo != "/srv/gw/mailboxes" {
		t.Errorf("demo mailboxes at %q", po.Demo)
	}
}

func TestFullFile(t *testing.T) {
	t.Parallel()
	g, err := Load("testdata/full.yaml", env(map[string]string{"DB_PASSWORD": "pw", "ODOO_KEY": "key", "B2BGW_LOG_LEVEL": "debug"}))
	if err != nil {
		t.Fatal(err)
	}
	if g.Log.Level != "debug" || g.Odoo.APIKey.Reveal() != "key" || g.Archive.S3 == nil || g.Archive.S3.Endpoint != "s3.amazonaws.com" ||
		g.Gateway.Us.X12.ID != "B2BGWDIST" || g.Partners != filepath.Join("testdata", "../../../partners") {
		t.Errorf("full: %+v", g)
	}
	// The sample partners load under this configuration (secrets from the
	// environment, our identity as the default us:).
	reg, err := g.LoadPartners(env(map[string]string{"ACME_SFTP_PASSWORD": "a", "GLOBEX_S3_ACCESS_KEY_ID": "b", "GLOBEX_S3_SECRET_ACCESS_KEY": "c", "EUROPA_FTP_PASSWORD": "d"}))
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := reg.Get("globex-supplier"); p.Us.X12 == nil || p.Us.X12.ID != "B2BGWDIST" {
		t.Errorf("gateway identity not passed to partners")
	}
}

func TestProblems(t *testing.T) {
	t.Parallel()
	want := []string{
		`testdata/bad.yaml:3:10: gateway.identity.x12: missing required key "id" (e.g. id: B2BGW)`,
		`testdata/bad.yaml:5:8: store.dsn holds a password: remove it and set store.password: {env: B2BGW_STORE_PASSWORD} (or the variable itself)`,
		`testdata/bad.yaml:7:8: odoo.url "erp.example.com": write https://host[:port] (no path), or sim: for the built-in simulator`,
		`testdata/bad.yaml:8:12: odoo.api_key is a secret and must not be written in the file: write {env: VARIABLE} or {file: PATH} and put the value there`,
		`testdata/bad.yaml:9:16: http.listen "8080": write host:port such as 127.0.0.1:8080 or :8080`,
		`testdata/bad.yaml:10:7: unknown key "levle" in log; did you mean "level"?`,
		`testdata/bad.yaml:11:17: workers.post must be at least 1`,
	}
	got := Lint("testdata/bad.yaml")
	var lines []string
	for _, p := range got {
		lines = append(lines, p.String())
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	_, err := Load("", env(map[string]string{"B2BGW_WORKERS_POST": "lots", "B2BGW_ODOO_URL": "ftp://x"}))
	var probs option.Problems
	if !errors.As(err, &probs) || len(probs) != 2 ||
		probs[0].String() != `environment: B2BGW_WORKERS_POST (workers.post): want a whole number, got "lots"` ||
		probs[1].String() != `environment: B2BGW_ODOO_URL: odoo.url "ftp://x": write https://host[:port] (no path), or sim: for the built-in simulator` {
		t.Errorf("env problems: %v", err)
	}
}

func TestRetention(t *testing.T) {
	t.Parallel()
	day := 24 * time.Hour
	cases := []struct {
		name    string
		env     map[string]string
		want    Retention
		problem string
	}{
		{name: "defaults: off", want: Retention{InboundControlNumbers: 365 * day, Pickups: 30 * day, Schedule: "0 3 * * *", Batch: 200}},
		{name: "from the environment", env: map[string]string{"B2BGW_RETENTION_KEEP": "90d", "B2BGW_RETENTION_PICKUPS": "0",
			"B2BGW_RETENTION_SCHEDULE": "@every 6h"},
			want: Retention{Keep: 90 * day, InboundControlNumbers: 365 * day, Schedule: "@every 6h", Batch: 200}},
		{name: "too short", env: map[string]string{"B2BGW_RETENTION_KEEP": "5m"},
			problem: "environment: B2BGW_RETENTION_KEEP: retention.keep 5m0s is under an hour: write a period such as 90d (0 turns retention off)"},
		{name: "negative", env: map[string]string{"B2BGW_RETENTION_INBOUND_CONTROL_NUMBERS": "-1h"},
			problem: "environment: B2BGW_RETENTION_INBOUND_CONTROL_NUMBERS: retention.inbound_control_numbers is negative: write a period such as 90d, or 0 to keep everything"},
		{name: "bad schedule", env: map[string]string{"B2BGW_RETENTION_SCHEDULE": "daily"},
			problem: `environment: B2BGW_RETENTION_SCHEDULE: retention.schedule: schedule "daily"`},
		{name: "no batch", env: map[string]string{"B2BGW_RETENTION_BATCH": "0"},
			problem: "environment: B2BGW_RETENTION_BATCH: retention.batch must be at least 1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g, err := Load("", env(c.env))
			if c.problem != "" {
				if err == nil || !strings.HasPrefix(err.Error(), c.problem) {
					t.Fatalf("error %v, want one starting %q", err, c.problem)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if g.Retention != c.want {
				t.Errorf("retention %+v, want %+v", g.Retention, c.want)
			}
		})
	}
}
