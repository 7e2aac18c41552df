package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/b2bgw/b2bgw/internal/config"
	"github.com/b2bgw/b2bgw/internal/pipeline"
	"github.com/b2bgw/b2bgw/internal/server"
	"github.com/b2bgw/b2bgw/internal/store"
)

func newServeCmd() *cobra.Command {
	var cfgFile string
	c := &cobra.Command{
		Use:   "serve [--config FILE]",
		Short: "Run the gateway: poll mailboxes, acknowledge, post to Odoo, deliver feeds",
		Long: `serve runs the gateway service on the configuration FILE (every key can be
overridden by B2BGW_<KEY_PATH>; without a file the defaults run SQLite in
./data and the built-in Odoo simulator): it polls every partner mailbox on
its schedule, archives and ingests each file, sends 997/999/TA1
acknowledgments, posts documents to Odoo, builds ATP feeds, and tracks
the partner acknowledgments of what it sends.

HTTP (http.listen): /healthz (alive), /readyz (store reachable, migrations
applied, Odoo reachable, jobs running; 503 otherwise), /metrics
(Prometheus).

SIGTERM or SIGINT stops it gracefully: no new job starts, running jobs
get 30 s to finish, then they are cancelled and run again after the
next start; nothing is lost.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			g, err := config.Load(cfgFile, nil)
			if err != nil {
				return usageErr(fmt.Errorf("configuration:\n%w", err))
			}
			log := newLogger(os.Stderr, g.Log.Level, g.Log.Format).With("gateway", g.Gateway.Name)
			slog.SetDefault(log)
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			env, err := pipeline.Open(ctx, g, nil, log)
			if err != nil {
				return &exitError{code: exitRejected, err: err}
			}
			defer env.Close()
			cfg := env.Config
			cfg.Metrics = pipeline.NewMetrics()
			running := make(chan struct{})
			srv := server.New(cfg.Metrics.Registry, []server.Check{
				{Name: "store", Fn: pipeline.CheckStore(env.Store)},
				{Name: "migrations", Fn: func(context.Context) error {
					if !env.Migrated {
						return errors.New("not applied")
					}
					return nil
				}},
				{Name: "odoo", Fn: pipeline.CheckOdoo(env.Odoo)},
				{Name: "jobs", Fn: func(context.Context) error {
					select {
					case <-running:
						return nil
					default:
						return errors.New("the job client is not running")
					}
				}},
			}, log)
			if err := srv.Start(g.HTTP.Listen); err != nil {
				return &exitError{code: exitRejected, err: fmt.Errorf("http.listen %s: %w", g.HTTP.Listen, err)}
			}
			defer func() {
				sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				_ = srv.Shutdown(sctx)
			}()
			cfg.OnStart = func() { close(running) }
			if err := pipeline.Run(ctx, cfg); err != nil && !errors.Is(err, context.Canceled) {
				return &exitError{code: exitRejected, err: err}
			}
			log.Info("gateway stopped")
			return nil
		},
	}
	c.Flags().StringVar(&cfgFile, "config", "", "gateway configuration `FILE` (YAML); default: built-in defaults and B2BGW_* variables")
	return c
}

// newLogger is the slog logger of a configuration's log level and format.
func newLogger(w io.Writer, level, format string) *slog.Logger {
	var lv slog.Level
	switch strings.ToLower(level) {
	case "debug":
		lv = slog.LevelDebug
	case "warn":
		lv = slog.LevelWarn
	case "error":
		lv = slog.LevelError
	}
	opts := &slog.HandlerOptions{Level: lv}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// storeOpts selects the store of the operator commands: --store DSN, or
// the store of --config FILE (with its password).
type storeOpts struct {
	cfgFile, dsn string
}

func (o *storeOpts) register(c *cobra.Command) {
	c.Flags().StringVar(&o.cfgFile, "config", "", "gateway configuration `FILE` whose store to use")
	c.Flags().StringVar(&o.dsn, "store", "", "store `DSN` (sqlite:PATH or postgres://…), instead of --config")
}

func (o *storeOpts) open(ctx context.Context) (*store.DB, error) {
	dsn := o.dsn
	if dsn == "" {
		g, err := config.Load(o.cfgFile, nil)
		if err != nil {
			return nil, fmt.Errorf("configuration:\n%w", err)
		}
		if dsn, err = pipeline.StoreDSN(g); err != nil {
			return nil, err
		}
	}
	return store.Open(ctx, dsn)
}
