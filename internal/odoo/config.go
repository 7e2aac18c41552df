package odoo

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"time"
)

// Secret holds a credential. Every way a value reaches a log or a file
// (fmt, encoding/json, log/slog) prints a redaction, so an API key cannot
// leak by being part of a struct someone logs; Reveal is the one way out.
type Secret string

const redacted = "[redacted]"

// Reveal returns the secret itself, for the wire only.
func (s Secret) Reveal() string { return string(s) }

// String redacts, so %v and %s never print the key.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString redacts %#v too.
func (s Secret) GoString() string { return `odoo.Secret("` + s.String() + `")` }

// MarshalJSON redacts: config dumps and API answers never carry the key.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// LogValue redacts in slog output.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// Protocol selects the wire protocol.
type Protocol string

// Protocols. Auto picks JSON-2 on Odoo 19+ and JSON-RPC before.
const (
	ProtocolAuto    Protocol = ""
	ProtocolJSONRPC Protocol = "jsonrpc"
	ProtocolJSON2   Protocol = "json2"
)

// Config says how to reach one Odoo database.
type Config struct {
	// URL is the base URL, e.g. https://erp.example.com (no path).
	URL string `yaml:"url" json:"url"`
	// DB is the database name (JSON-RPC needs it; JSON-2 sends it as
	// X-Odoo-Database, which only multi-database servers need).
	DB string `yaml:"db" json:"db"`
	// User is the login of the bot user the API key belongs to.
	User string `yaml:"user" json:"user"`
	// APIKey replaces the password on every call (Preferences → Account
	// Security → New API Key). Keys expire after at most 3 months in 19.
	APIKey Secret `yaml:"api_key" json:"api_key"`
	// Protocol forces a wire protocol; empty chooses by server version.
	Protocol Protocol `yaml:"protocol" json:"protocol,omitempty"`

	// CallTimeout bounds one HTTP exchange (default 30s). Keep it below
	// the proxy's timeout and Odoo's limit_time_real (120s), so the gateway
	// gives up before a worker is killed under it.
	CallTimeout time.Duration `yaml:"call_timeout" json:"call_timeout,omitempty"`
	// MaxConcurrent is how many calls this client runs at once against the
	// instance (default 4): Odoo queues requests beyond its worker count
	// and has no 429, so the gateway must be the polite one.
	MaxConcurrent int `yaml:"max_concurrent" json:"max_concurrent,omitempty"`
	// MaxAttempts bounds tries of one call on transient errors (default 4).
	MaxAttempts int `yaml:"max_attempts" json:"max_attempts,omitempty"`
	// BackoffBase and BackoffMax shape the exponential backoff with full
	// jitter between tries (defaults 200ms and 5s).
	BackoffBase time.Duration `yaml:"backoff_base" json:"backoff_base,omitempty"`
	BackoffMax  time.Duration `yaml:"backoff_max" json:"backoff_max,omitempty"`
	// CacheTTL is how long master data (partners, products, units) stays
	// cached (default 10m). Zero means the default; negative disables.
	CacheTTL time.Duration `yaml:"cache_ttl" json:"cache_ttl,omitempty"`
}

// Environment variables FromEnv reads.
const (
	EnvURL    = "B2BGW_ODOO_URL"
	EnvDB     = "B2BGW_ODOO_DB"
	EnvUser   = "B2BGW_ODOO_USER"
	EnvAPIKey = "B2BGW_ODOO_API_KEY"
)

// FromEnv reads B2BGW_ODOO_URL, B2BGW_ODOO_DB, B2BGW_ODOO_USER and
// B2BGW_ODOO_API_KEY, applies defaults and validates. The error names every
// missing variable at once.
func FromEnv() (Config, error) {
	c := Config{
		URL:    strings.TrimSpace(os.Getenv(EnvURL)),
		DB:     strings.TrimSpace(os.Getenv(EnvDB)),
		User:   strings.TrimSpace(os.Getenv(EnvUser)),
		APIKey: Secret(strings.TrimSpace(os.Getenv(EnvAPIKey))),
	}
	return c.withDefaults(), c.Validate()
}

// Validate reports every missing or malformed setting.
func (c Config) Validate() error {
	var errs []error
	if c.URL == "" {
		errs = append(errs, fmt.Errorf("odoo: URL is not set (%s)", EnvURL))
	} else if u, err := url.Parse(c.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("odoo: URL %q must be http(s)://host[:port] (%s)", c.URL, EnvURL))
	}
	if c.DB == "" {
		errs = append(errs, fmt.Errorf("odoo: database is not set (%s)", EnvDB))
	}
	if c.User == "" {
		errs = append(errs, fmt.Errorf("odoo: user is not set (%s)", EnvUser))
	}
	if c.APIKey == "" {
		errs = append(errs, fmt.Errorf("odoo: API key is not set (%s)", EnvAPIKey))
	}
	switch c.Protocol {
	case ProtocolAuto, ProtocolJSONRPC, ProtocolJSON2:
	default:
		errs = append(errs, fmt.Errorf("odoo: protocol %q is not jsonrpc or json2", c.Protocol))
	}
	return errors.Join(errs...)
}

func (c Config) withDefaults() Config {
	c.URL = strings.TrimRight(c.URL, "/")
	if c.CallTimeout <= 0 {
		c.CallTimeout = 30 * time.Second
	}
	if c.MaxConcurrent <= 0 {
		c.MaxConcurrent = 4
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 4
	}
	if c.BackoffBase <= 0 {
		c.BackoffBase = 200 * time.Millisecond
	}
	if c.BackoffMax <= 0 {
		c.BackoffMax = 5 * time.Second
	}
	if c.CacheTTL == 0 {
		c.CacheTTL = 10 * time.Minute
	}
	return c
}
