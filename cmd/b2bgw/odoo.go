package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/b2bgw/b2bgw/internal/partner"
	"os"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/spf13/cobra"

	"github.com/b2bgw/b2bgw/internal/odoo"
	"github.com/b2bgw/b2bgw/internal/odoo/odoosim"
)

// odooOpts are the flags that say which Odoo a command talks to and how
// the partner's documents are posted there.
type odooOpts struct {
	target   string // --odoo: "" (environment), a URL, "sim" or "sim:VERSION"
	policy   string // --policy FILE
	partners string // --partners DIR: where --partner ID finds its profile
}

const odooEnvHelp = `Odoo is reached with B2BGW_ODOO_URL, B2BGW_ODOO_DB, B2BGW_ODOO_USER and
B2BGW_ODOO_API_KEY (the key is never printed); --odoo URL overrides the URL,
and --odoo sim runs a seeded Odoo simulator inside the command instead
(--odoo sim:17.0 for another version), for trying things out.`

func (o *odooOpts) registerTarget(c *cobra.Command) {
	c.Flags().StringVar(&o.target, "odoo", "", "Odoo base `URL` (default "+odoo.EnvURL+"), or \"sim\" for an in-process seeded simulator")
}

func (o *odooOpts) registerPolicy(c *cobra.Command) {
	c.Flags().StringVar(&o.policy, "policy", "", "posting policy `FILE`: YAML of odoo.Policy, or a partner profile with an odoo: key (default: the --partner's profile, else the built-in defaults)")
	c.Flags().StringVar(&o.partners, "partners", "partners", "`DIR` of partner profiles, where --partner ID finds its Odoo policy")
}

// profileFor points --policy at the profile of partner id in the partners
// directory when no --policy was given, so `--partner acme-retail` posts
// with that partner's policy. A partner without a profile keeps the
// defaults; a directory whose profiles do not load is an error.
func (o *odooOpts) profileFor(id string) error {
	if o.policy != "" || id == "" {
		return nil
	}
	if st, err := os.Stat(o.partners); err != nil || !st.IsDir() {
		return nil
	}
	reg, err := partner.Load(o.partners, partner.Options{SkipSecrets: true})
	if err != nil {
		return fmt.Errorf("partner profiles in %s: %w", o.partners, err)
	}
	if p, ok := reg.Get(id); ok {
		o.policy = p.File
	}
	return nil
}

// connect returns a client for the chosen Odoo and a function that
// releases what connect started (the in-process simulator). Errors are
// usage errors: the configuration is incomplete or malformed.
func (o *odooOpts) connect() (*odoo.Client, func(), error) {
	noop := func() {}
	if o.target == "sim" || strings.HasPrefix(o.target, "sim:") {
		version := strings.TrimPrefix(strings.TrimPrefix(o.target, "sim"), ":")
		sim, url, err := startSim("127.0.0.1:0", version)
		if err != nil {
			return nil, noop, err
		}
		c, err := odoo.New(simConfig(sim, url))
		if err != nil {
			sim.Close()
			return nil, noop, err
		}
		return c, func() { sim.Close() }, nil
	}
	cfg, _ := odoo.FromEnv()
	if o.target != "" {
		cfg.URL = strings.TrimRight(o.target, "/")
	}
	if err := cfg.Validate(); err != nil {
		return nil, noop, fmt.Errorf("Odoo is not configured (or use --odoo sim to try the simulator):\n%w", err)
	}
	c, err := odoo.New(cfg)
	if err != nil {
		return nil, noop, err
	}
	return c, noop, nil
}

// startSim starts a seeded simulator of version ("" is the default).
func startSim(addr, version string) (sim *odoosim.Server, url string, err error) {
	switch version {
	case "", "16.0", "17.0", "18.0", "19.0":
	default:
		return nil, "", fmt.Errorf("simulator version %q: want 16.0, 17.0, 18.0 or 19.0", version)
	}
	sim = odoosim.New(odoosim.Options{Version: version})
	sim.Seed()
	url, err = sim.Start(addr)
	if err != nil {
		return nil, "", fmt.Errorf("starting the Odoo simulator: %w", err)
	}
	return sim, url, nil
}

func simConfig(sim *odoosim.Server, url string) odoo.Config {
	return odoo.Config{URL: url, DB: sim.DB(), User: "admin", APIKey: odoo.Secret(sim.AdminAPIKey()),
		// A short backoff: the simulator never needs long to recover.
		BackoffBase: 20 * time.Millisecond, BackoffMax: 200 * time.Millisecond}
}

// profileBits is what the Odoo commands read from a partner profile
// (internal/partner's YAML) given as --policy, until the commands load
// profiles by partner id: the id, the Odoo policy, the ATP feed and the
// envelope identities.
// qualifiedID is an interchange id with its qualifier.
type qualifiedID struct {
	Qualifier string `yaml:"qualifier"`
	ID        string `yaml:"id"`
}

type profileBits struct {
	Partner    string       `yaml:"partner"`
	Odoo       *odoo.Policy `yaml:"odoo"`
	Identities struct {
		X12     []qualifiedID `yaml:"x12"`
		EDIFACT []qualifiedID `yaml:"edifact"`
	} `yaml:"identities"`
	Us struct {
		X12     *qualifiedID `yaml:"x12"`
		EDIFACT *qualifiedID `yaml:"edifact"`
	} `yaml:"us"`
	Standards []struct {
		Standard      string `yaml:"standard"`
		Syntax        string `yaml:"syntax"`
		SyntaxVersion int    `yaml:"syntax_version"`
	} `yaml:"standards"`
	ATP *struct {
		Format     string   `yaml:"format"`
		Products   []string `yaml:"products"`
		Warehouses []string `yaml:"warehouses"`
	} `yaml:"atp"`
}

// loadPolicy reads --policy: a YAML odoo.Policy, or a partner profile
// whose odoo: key holds one (its atp: products and warehouses fill the
// policy's when that has none). No file means the defaults.
func (o *odooOpts) loadPolicy() (odoo.Policy, *profileBits, error) {
	var pol odoo.Policy
	if o.policy == "" {
		return pol, nil, nil
	}
	data, err := os.ReadFile(o.policy)
	if err != nil {
		return pol, nil, err
	}
	prof := &profileBits{}
	if err := yaml.Unmarshal(data, prof); err == nil && (prof.Odoo != nil || prof.Partner != "") {
		if prof.Odoo != nil {
			pol = *prof.Odoo
		}
		if prof.ATP != nil && len(pol.ATP.Products) == 0 {
			pol.ATP.Products, pol.ATP.Warehouses = prof.ATP.Products, prof.ATP.Warehouses
		}
	} else {
		prof = nil
		if err := yaml.UnmarshalWithOptions(data, &pol, yaml.Strict()); err != nil {
			return pol, nil, fmt.Errorf("%s: not an Odoo policy:\n%s", o.policy, yaml.FormatError(err, false, true))
		}
	}
	if err := pol.Validate(); err != nil {
		return pol, nil, fmt.Errorf("%s: %w", o.policy, err)
	}
	return pol, prof, nil
}

// connectFailure explains a failed Connect: what happened and what to do.
func connectFailure(err error) error {
	var oe *odoo.Error
	hint := "check that Odoo runs and " + odoo.EnvURL + " points at it (run `b2bgw odoo check`)"
	if errors.As(err, &oe) && oe.Kind == odoo.KindAccessDenied {
		hint = "check " + odoo.EnvUser + ", " + odoo.EnvDB + " and the API key in " + odoo.EnvAPIKey + " (run `b2bgw odoo check`)"
	}
	return fmt.Errorf("cannot connect to Odoo, nothing was done: %v\n  what to do: %s", err, hint)
}

func newOdooCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "odoo",
		Short: "Check the connection to Odoo",
	}
	c.AddCommand(newOdooCheckCmd())
	return c
}

func newOdooCheckCmd() *cobra.Command {
	var oo odooOpts
	var jsonOut bool
	var timeout time.Duration
	c := &cobra.Command{
		Use:   "check",
		Short: "Check connectivity, version, login, modules and user rights in Odoo",
		Long: `check verifies, in order, that Odoo answers, runs a supported version
(16.0 to 19.0), accepts the user and API key, has the modules the flows
need (sale, sale_stock, purchase, purchase_stock, stock) and gives the
user the rights they use. Every check prints a verdict (ok, warn, fail)
and, when it is not ok, what to do.

` + odooEnvHelp + `

Exit status: 0 if no check failed (warnings allowed), 1 if any failed,
2 for usage errors (Odoo not configured).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			client, stop, err := oo.connect()
			defer stop()
			if err != nil {
				return usageErr(err)
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			verdicts := client.Check(ctx)
			failed := false
			var b bytes.Buffer
			for _, v := range verdicts {
				failed = failed || v.Status == odoo.StatusFail
				if jsonOut {
					js, _ := json.Marshal(v)
					b.Write(js)
					b.WriteByte('\n')
					continue
				}
				fmt.Fprintf(&b, "%-4s  %-14s %s\n", v.Status, v.Check, v.Detail)
				if v.Fix != "" && v.Status != odoo.StatusOK {
					fmt.Fprintf(&b, "      %-14s what to do: %s\n", "", v.Fix)
				}
			}
			if !jsonOut {
				cfg := client.Config()
				verdict := "Odoo is ready for b2bgw"
				if failed {
					verdict = "Odoo is NOT ready for b2bgw: fix the failed checks above"
				}
				fmt.Fprintf(&b, "\n%s (%s, database %s, user %s)\n", verdict, cfg.URL, cfg.DB, cfg.User)
			}
			if _, err := os.Stdout.Write(b.Bytes()); err != nil {
				return usageErr(err)
			}
			if failed {
				return rejected
			}
			return nil
		},
	}
	oo.registerTarget(c)
	c.Flags().BoolVar(&jsonOut, "json", false, "print one JSON verdict a line (check, status, detail, fix)")
	c.Flags().DurationVar(&timeout, "timeout", 2*time.Minute, "give up after this long")
	return c
}
