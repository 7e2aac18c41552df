package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/b2bgw/b2bgw/internal/config"
	"github.com/b2bgw/b2bgw/internal/errclass"
	"github.com/b2bgw/b2bgw/internal/odoo"
	"github.com/b2bgw/b2bgw/internal/odoo/odoosim"
	"github.com/b2bgw/b2bgw/internal/store"
)

// Env is everything a gateway configuration opens: the migrated store,
// the partner profiles, the Odoo client (and the simulator behind it for
// odoo.url sim:), ready to become a pipeline Config.
type Env struct {
	Gateway *config.Gateway
	Store   *store.DB
	Odoo    *odoo.Client
	Sim     *odoosim.Server // nil unless odoo.url is sim:
	Archive *Archive
	Config  Config
	// Migrated is true once the store's and River's migrations ran.
	Migrated bool
}

// StoreDSN is the store DSN of a configuration: for PostgreSQL with the
// password and the pool size (store.max_conns, pgx's pool_max_conns)
// added.
func StoreDSN(g *config.Gateway) (string, error) {
	dsn := g.Store.DSN
	if !(strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")) {
		return dsn, nil
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "", fmt.Errorf("store.dsn: %w", err)
	}
	if pw := g.Store.Password.Reveal(); pw != "" {
		user := ""
		if u.User != nil {
			user = u.User.Username()
		}
		u.User = url.UserPassword(user, pw)
	}
	q := u.Query()
	if q.Get("pool_max_conns") == "" && g.Store.MaxConns > 0 {
		q.Set("pool_max_conns", fmt.Sprint(g.Store.MaxConns))
		u.RawQuery = q.Encode()
	}
	return u.String(), nil
}

// Open opens what g describes and migrates the store. Close releases it.
func Open(ctx context.Context, g *config.Gateway, lookup func(string) (string, bool), log *slog.Logger) (*Env, error) {
	if log == nil {
		log = slog.Default()
	}
	reg, err := g.LoadPartners(lookup)
	if err != nil {
		return nil, fmt.Errorf("partner profiles in %s:\n%w", g.Partners, err)
	}
	dsn, err := StoreDSN(g)
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	e := &Env{Gateway: g, Store: st}
	if e.Archive, err = OpenArchive(ctx, g, log); err != nil {
		st.Close()
		return nil, err
	}
	if err := st.Migrate(ctx); err != nil {
		e.Close()
		return nil, err
	}
	e.Migrated = true
	ocfg := g.OdooConfig()
	if g.Odoo.URL == config.SimURL {
		e.Sim = odoosim.New(odoosim.Options{})
		e.Sim.Seed()
		u, err := e.Sim.Start("127.0.0.1:0")
		if err != nil {
			e.Close()
			return nil, fmt.Errorf("starting the Odoo simulator: %w", err)
		}
		ocfg = odoo.Config{URL: u, DB: e.Sim.DB(), User: "admin", APIKey: odoo.Secret(e.Sim.AdminAPIKey()),
			BackoffBase: 20 * time.Millisecond, BackoffMax: 200 * time.Millisecond}
	}
	e.Odoo, err = odoo.New(ocfg, odoo.WithLogger(log.With("component", "odoo")))
	if err != nil {
		e.Close()
		return nil, err
	}
	cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	if err := e.Odoo.Connect(cctx); err != nil {
		log.Warn("Odoo is not reachable yet; documents wait and are retried, /readyz reports it", "err", err)
	}
	cancel()
	e.Config = Config{Store: st, Partners: reg, Odoo: e.Odoo,
		ArchiveDir: e.Archive.Dir, Archive: e.Archive, Retention: g.Retention, SpoolDir: g.SpoolDir, DataDir: g.DataDir, Logger: log,
		PickupWorkers: g.Workers.Pickup, ProcessWorkers: g.Workers.Process, PostWorkers: g.Workers.Post,
		OutboundWorkers: g.Workers.Outbound, InstanceID: instanceID(g)}
	return e, nil
}

// Close releases the store and the archive's connections, and stops the
// simulator.
func (e *Env) Close() error {
	if e.Sim != nil {
		_ = e.Sim.Close()
	}
	if e.Archive != nil {
		_ = e.Archive.Close()
	}
	return e.Store.Close()
}

// OpenArchive opens the archive of g: its local folder, or its S3 bucket
// cached in <data_dir>/archive-cache. A bucket that refuses us (wrong
// credentials, no such bucket) is an error now; one that is unreachable
// only a warning: archiving is retried until it is back.
func OpenArchive(ctx context.Context, g *config.Gateway, log *slog.Logger) (*Archive, error) {
	if g.Archive.S3 == nil {
		return &Archive{Dir: g.Archive.Dir}, nil
	}
	if log == nil {
		log = slog.Default()
	}
	a, err := NewS3Archive(g.Archive.S3, filepath.Join(g.DataDir, "archive-cache"), log)
	if err != nil {
		return nil, err
	}
	cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := a.Check(cctx); err != nil {
		if !errclass.IsRetryable(err) {
			a.Close()
			return nil, err
		}
		log.Warn("the S3 archive is not reachable yet; files wait in their mailboxes until it is", "err", err)
	}
	return a, nil
}

// CheckStore is the readiness check of the store: a read succeeds.
func CheckStore(st store.Store) func(context.Context) error {
	return func(ctx context.Context) error {
		_, err := st.Messages(ctx, store.MessageFilter{Limit: 1})
		return err
	}
}

// CheckOdoo is the readiness check of Odoo: connected, and a read
// succeeds.
func CheckOdoo(c *odoo.Client) func(context.Context) error {
	return func(ctx context.Context) error {
		if err := c.Connect(ctx); err != nil {
			return err
		}
		_, err := c.SearchRead(ctx, "res.users", odoo.Domain{odoo.Cond("id", "=", c.UID())}, []string{"id"}, odoo.SearchOpts{Limit: 1})
		return err
	}
}
