// Package config loads the gateway configuration, the file given to
// `b2bgw serve --config FILE`: our identity, the store, the Odoo
// connection, where partner profiles, the archive and the data live, the
// HTTP listener, logging and worker counts.
//
// Every option is declared once, in the structs below (see package
// option), and every one can be overridden by an environment variable
// derived from its key path: store.dsn is B2BGW_STORE_DSN, odoo.url is
// B2BGW_ODOO_URL, workers.post is B2BGW_WORKERS_POST. Secrets (the Odoo
// API key, the store and S3 passwords) come only from {env: NAME} or
// {file: PATH} references in the file, or from their variable (or
// VARIABLE_FILE) in the environment.
//
// With no file at all the defaults run the embedded demo: SQLite in
// ./data, the built-in Odoo simulator (odoo.url sim:), partners/ with
// B2BGW_DEMO=1 mapping every mailbox to a local folder.
package config

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/b2bgw/b2bgw/internal/config/option"
	"github.com/b2bgw/b2bgw/internal/odoo"
	"github.com/b2bgw/b2bgw/internal/partner"
	"github.com/b2bgw/b2bgw/internal/transport"
)

// EnvPrefix starts every environment override.
const EnvPrefix = "B2BGW"

// SimURL selects the built-in Odoo simulator.
const SimURL = "sim:"

// Gateway is the gateway configuration.
type Gateway struct {
	Gateway  Identity `yaml:"gateway" doc:"Who the gateway is."`
	DataDir  string   `yaml:"data_dir" default:"data" doc:"Folder for the SQLite store, spool, local archive and demo mailboxes; relative to the configuration file's folder (the working folder without a file)."`
	SpoolDir string   `yaml:"spool_dir" doc:"Where picked-up files wait for processing; default <data_dir>/spool. Must be on local disk."`
	Partners string   `yaml:"partners_dir" default:"partners" doc:"Folder of partner profiles (one YAML file per partner); relative like data_dir."`
	Demo     bool     `yaml:"demo" doc:"Demo mode: every partner mailbox becomes a local folder <data_dir>/mailboxes/<mailbox id>, polled every 5s, without credentials."`

	Store     Store     `yaml:"store" doc:"The message store and job queue."`
	Odoo      Odoo      `yaml:"odoo" doc:"The Odoo database documents are posted to."`
	Archive   Archive   `yaml:"archive" doc:"Where raw inbound and outbound files are archived (before anything else happens to them)."`
	Retention Retention `yaml:"retention" doc:"What the gateway deletes once it is old, and when (off until retention.keep is set)."`
	HTTP      HTTP      `yaml:"http" doc:"The HTTP server: health, readiness, metrics, API."`
	Log       Log       `yaml:"log" doc:"Logging."`
	Workers   Workers   `yaml:"workers" doc:"How many jobs of each kind run at once in this instance."`

	// File is the configuration file ("" without one); Doc where each key
	// was written; Env the environment variables that were applied.
	File string      `yaml:"-"`
	Doc  *option.Doc `yaml:"-"`
	Env  []string    `yaml:"-"`
}

// Identity is the gateway's own identity, used for every partner whose
// profile does not set us:.
type Identity struct {
	Name string     `yaml:"name" default:"b2bgw" doc:"Name of this gateway in logs and metrics."`
	Us   partner.Us `yaml:"identity" noenv:"true" doc:"Our default X12 and EDIFACT identity (ISA/GS/UNB receiver of inbound, sender of outbound)."`
}

// Store is the database.
type Store struct {
	DSN      string        `yaml:"dsn" doc:"Database: sqlite:PATH (default <data_dir>/b2bgw.db) or postgres://user@host:5432/db?sslmode=verify-full. Put the password in password, not here."`
	Password option.Secret `yaml:"password" doc:"PostgreSQL password, added to the DSN at connect."`
	MaxConns int           `yaml:"max_conns" default:"10" doc:"Connections in the pool (PostgreSQL); SQLite uses one writer."`
}

// Odoo is the Odoo connection (odoo.Config).
type Odoo struct {
	URL           string        `yaml:"url" default:"sim:" doc:"Base URL of Odoo (https://erp.example.com), or sim: for the built-in simulator used by the demo and tests."`
	DB            string        `yaml:"db" doc:"Database name."`
	User          string        `yaml:"user" doc:"Login of the bot user the API key belongs to."`
	APIKey        option.Secret `yaml:"api_key" doc:"API key of that user (Preferences → Account Security → New API Key)."`
	Protocol      string        `yaml:"protocol" enum:"auto|jsonrpc|json2" default:"auto" doc:"Wire protocol: auto picks JSON-2 on Odoo 19+ and JSON-RPC before."`
	CallTimeout   time.Duration `yaml:"call_timeout" default:"30s" doc:"Bound on one HTTP exchange; keep it below Odoo's limit_time_real."`
	MaxConcurrent int           `yaml:"max_concurrent" default:"4" doc:"Calls at once against the instance: Odoo queues beyond its workers."`
	MaxAttempts   int           `yaml:"max_attempts" default:"4" doc:"Tries of one call on transient errors."`
	CacheTTL      time.Duration `yaml:"cache_ttl" default:"10m" doc:"How long partners, products and units stay cached."`
}

// Archive is the raw-file archive.
type Archive struct {
	_   struct{}       `exclusive:"dir|s3"`
	Dir string         `yaml:"dir" doc:"Local archive folder; default <data_dir>/archive."`
	S3  *partner.S3Box `yaml:"s3" doc:"An S3 bucket instead of a local folder; each file is in the bucket before its mailbox copy is removed. <data_dir>/archive-cache keeps recently used copies."`
}

// Retention is what store.Prune deletes, run by serve on a schedule and
// by b2bgw prune.
type Retention struct {
	Keep                  time.Duration `yaml:"keep" default:"0s" doc:"Delete finished message lineages created longer ago than this (none failed, none awaiting a partner acknowledgment), then archived files older than this that no kept message refers to and that are not on hold. 0 keeps everything: retention is off." example:"90d"`
	InboundControlNumbers time.Duration `yaml:"inbound_control_numbers" default:"365d" doc:"With keep set, also forget inbound interchange and group control numbers last seen longer ago than this: an older resend is no longer recognised as a duplicate. 0 keeps them."`
	Pickups               time.Duration `yaml:"pickups" default:"30d" doc:"With keep set, also forget pickup-ledger entries older than this whose file was deleted or moved from the mailbox and whose content no kept message refers to. 0 keeps them. Skipped while any mailbox has after: leave (its files would be picked up again)."`
	Schedule              string        `yaml:"schedule" default:"0 3 * * *" doc:"Cron schedule of the retention run in serve (one instance runs it); 5 fields, 6 with seconds first, or @every 24h; CRON_TZ=Zone/Name prefix for a zone."`
	Batch                 int           `yaml:"batch" default:"200" doc:"Lineages or files deleted per transaction: a run never holds the database's write lock for long."`
}

// HTTP is the HTTP listener.
type HTTP struct {
	Listen string `yaml:"listen" default:"127.0.0.1:8080" doc:"host:port to listen on; :8080 for every interface."`
}

// Log is logging.
type Log struct {
	Level  string `yaml:"level" enum:"debug|info|warn|error" default:"info" doc:"Least severe level logged."`
	Format string `yaml:"format" enum:"text|json" default:"text" doc:"text for people, json for log collectors."`
}

// Workers are per-instance concurrency limits.
type Workers struct {
	Pickup   int `yaml:"pickup" default:"4" doc:"Mailbox polls at once."`
	Process  int `yaml:"process" default:"0" doc:"Files parsed, validated and mapped at once; 0 means one per CPU."`
	Post     int `yaml:"post" default:"4" doc:"Documents posted to Odoo at once (odoo.max_concurrent also applies)."`
	Outbound int `yaml:"outbound" default:"2" doc:"Acknowledgments and feeds built and delivered at once."`
}

// Load reads the configuration file at path ("" for none: defaults and
// environment only), applies the environment overrides read through
// lookup (os.LookupEnv when nil), resolves secrets and checks the result.
// The error is option.Problems, each at its file:line:col or naming its
// environment variable.
func Load(path string, lookup func(string) (string, bool)) (*Gateway, error) {
	g, probs := load(path, lookup, true)
	if err := probs.Sort().Err(); err != nil {
		return nil, err
	}
	return g, nil
}

// Lint checks a configuration file without reading the environment or
// resolving secrets.
func Lint(path string) []option.Problem {
	_, probs := load(path, func(string) (string, bool) { return "", false }, false)
	return probs.Sort()
}

func load(path string, lookup func(string) (string, bool), resolve bool) (*Gateway, option.Problems) {
	if lookup == nil {
		lookup = os.LookupEnv
	}
	g := &Gateway{File: path}
	var probs option.Problems
	base := "."
	if path == "" {
		option.Defaults(g)
	} else {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, option.Problems{{File: path, Msg: err.Error()}}
		}
		g.Doc, probs = option.Decode(path, data, g)
		base = filepath.Dir(path)
	}
	env, eprobs := option.ApplyEnv(g, EnvPrefix, lookup)
	g.Env = env
	probs = append(probs, eprobs...)
	g.resolvePaths(base)
	probs = append(probs, g.check()...)
	if resolve && len(probs) == 0 {
		probs = append(probs, option.ResolveSecrets(g, g.Doc, lookup, base)...)
	}
	return g, probs
}

func (g *Gateway) resolvePaths(base string) {
	abs := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(base, p)
	}
	g.DataDir = abs(g.DataDir)
	g.Partners = abs(g.Partners)
	if g.SpoolDir == "" {
		g.SpoolDir = filepath.Join(g.DataDir, "spool")
	} else {
		g.SpoolDir = abs(g.SpoolDir)
	}
	if g.Archive.S3 == nil {
		if g.Archive.Dir == "" {
			g.Archive.Dir = filepath.Join(g.DataDir, "archive")
		} else {
			g.Archive.Dir = abs(g.Archive.Dir)
		}
	}
	if g.Store.DSN == "" {
		g.Store.DSN = "sqlite:" + filepath.Join(g.DataDir, "b2bgw.db")
	} else if p, ok := strings.CutPrefix(g.Store.DSN, "sqlite:"); ok && !filepath.IsAbs(p) && !strings.HasPrefix(p, ":memory:") {
		g.Store.DSN = "sqlite:" + abs(p)
	}
}

// check reports settings that cannot work; positions come from the file
// or name the environment variable that set the value.
func (g *Gateway) check() option.Problems {
	var probs option.Problems
	at := func(path, format string, args ...any) {
		name := EnvPrefix + "_" + strings.ToUpper(strings.ReplaceAll(path, ".", "_"))
		switch {
		case slices.Contains(g.Env, name):
			probs = append(probs, option.Problem{File: "environment", Msg: name + ": " + fmt.Sprintf(format, args...)})
		case g.Doc != nil:
			probs = append(probs, g.Doc.At(path, format, args...))
		default:
			probs = append(probs, option.Problem{File: "defaults", Msg: fmt.Sprintf(format, args...)})
		}
	}
	switch {
	case strings.HasPrefix(g.Store.DSN, "sqlite:"):
	case strings.HasPrefix(g.Store.DSN, "postgres://"), strings.HasPrefix(g.Store.DSN, "postgresql://"):
		if u, err := url.Parse(g.Store.DSN); err != nil {
			at("store.dsn", "store.dsn is not a valid URL: %v", err)
		} else if _, has := u.User.Password(); has {
			at("store.dsn", "store.dsn holds a password: remove it and set store.password: {env: B2BGW_STORE_PASSWORD} (or the variable itself)")
		}
	default:
		at("store.dsn", "store.dsn %q: use sqlite:PATH or postgres://user@host/db", g.Store.DSN)
	}
	if g.Odoo.URL != SimURL {
		u, err := url.Parse(g.Odoo.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			at("odoo.url", "odoo.url %q: write https://host[:port] (no path), or sim: for the built-in simulator", g.Odoo.URL)
		} else {
			if g.Odoo.DB == "" {
				at("odoo.db", "odoo.db is not set: the database name is needed for a real Odoo")
			}
			if g.Odoo.User == "" {
				at("odoo.user", "odoo.user is not set: the login of the API user")
			}
			if g.Odoo.APIKey.IsZero() {
				at("odoo.api_key", "odoo.api_key is not set: write api_key: {env: ODOO_API_KEY} or set B2BGW_ODOO_API_KEY")
			}
		}
	}
	if _, _, err := net.SplitHostPort(g.HTTP.Listen); err != nil {
		at("http.listen", "http.listen %q: write host:port such as 127.0.0.1:8080 or :8080", g.HTTP.Listen)
	}
	for _, w := range []struct {
		key string
		n   int
		min int
	}{{"workers.pickup", g.Workers.Pickup, 1}, {"workers.process", g.Workers.Process, 0}, {"workers.post", g.Workers.Post, 1}, {"workers.outbound", g.Workers.Outbound, 1},
		{"odoo.max_concurrent", g.Odoo.MaxConcurrent, 1}, {"odoo.max_attempts", g.Odoo.MaxAttempts, 1}, {"store.max_conns", g.Store.MaxConns, 1}} {
		if w.n < w.min {
			at(w.key, "%s must be at least %d", w.key, w.min)
		}
	}
	g.checkRetention(at)
	return probs
}

// checkRetention reports retention settings that cannot work.
func (g *Gateway) checkRetention(at func(path, format string, args ...any)) {
	r := g.Retention
	for _, d := range []struct {
		key string
		v   time.Duration
	}{{"retention.keep", r.Keep}, {"retention.inbound_control_numbers", r.InboundControlNumbers}, {"retention.pickups", r.Pickups}} {
		if d.v < 0 {
			at(d.key, "%s is negative: write a period such as 90d, or 0 to keep everything", d.key)
		}
	}
	if r.Keep > 0 && r.Keep < time.Hour {
		at("retention.keep", "retention.keep %s is under an hour: write a period such as 90d (0 turns retention off)", r.Keep)
	}
	if _, err := transport.ParseSchedule(r.Schedule, 0); err != nil {
		at("retention.schedule", "retention.schedule: %v", err)
	}
	if r.Batch < 1 {
		at("retention.batch", "retention.batch must be at least 1")
	}
}

// OdooConfig returns the client configuration (internal/odoo). With
// odoo.url sim: the caller starts the simulator and sets URL to it.
func (g *Gateway) OdooConfig() odoo.Config {
	p := odoo.ProtocolAuto
	if g.Odoo.Protocol != "auto" {
		p = odoo.Protocol(g.Odoo.Protocol)
	}
	return odoo.Config{
		URL: g.Odoo.URL, DB: g.Odoo.DB, User: g.Odoo.User,
		APIKey:        odoo.Secret(g.Odoo.APIKey.Reveal()),
		Protocol:      p,
		CallTimeout:   g.Odoo.CallTimeout,
		MaxConcurrent: g.Odoo.MaxConcurrent,
		MaxAttempts:   g.Odoo.MaxAttempts,
		CacheTTL:      g.Odoo.CacheTTL,
	}
}

// PartnerOptions returns how the partner profiles are loaded under this
// configuration: our identity as the default us:, relative local
// mailboxes from the data folder, and in demo mode every mailbox local.
func (g *Gateway) PartnerOptions(lookup func(string) (string, bool)) partner.Options {
	o := partner.Options{Lookup: lookup, Us: g.Gateway.Us, DataDir: g.DataDir}
	if g.Demo {
		o.Demo = filepath.Join(g.DataDir, "mailboxes")
	}
	return o
}

// LoadPartners loads the partners directory with PartnerOptions.
func (g *Gateway) LoadPartners(lookup func(string) (string, bool)) (*partner.Registry, error) {
	return partner.Load(g.Partners, g.PartnerOptions(lookup))
}

// Schema returns the JSON Schema of the configuration file, the content
// of docs/schema/config.schema.json.
func Schema() []byte {
	return option.JSONSchema(&Gateway{}, "https://b2bgw.dev/schema/config.schema.json", "b2bgw gateway configuration",
		"The b2bgw serve --config file. Every key can be overridden by B2BGW_<KEY_PATH>; see docs/partners.md.")
}

// Reference returns the Markdown table of every configuration option with
// its environment variable, generated into docs/partners.md.
func Reference() string { return option.Markdown(&Gateway{}, EnvPrefix) }
