package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Migrations are numbered SQL files per dialect, NNNN_name.sql, applied in
// order, each once; b2bgw_migrations records what was applied. A file is
// never edited after release: a change is a new file.
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFS embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

func loadMigrations(dir string) ([]migration, error) {
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		num, name, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration file %s: want NNNN_name.sql", e.Name())
		}
		b, err := fs.ReadFile(migrationFS, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: name, sql: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("migrations in %s: version %d where %d was expected", dir, m.version, i+1)
		}
	}
	return out, nil
}

// SchemaVersion is the newest store migration this build knows.
func SchemaVersion(d Dialect) int {
	dir := "migrations/sqlite"
	if d == Postgres {
		dir = "migrations/postgres"
	}
	ms, err := loadMigrations(dir)
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
}

// Migrate implements Store.
func (s *DB) Migrate(ctx context.Context) error {
	ms, err := loadMigrations(s.drv.migrations())
	if err != nil {
		return &Error{Op: "migrate", Dialect: s.Dialect(), Err: err}
	}
	q, finish, unlock, err := s.drv.lockMigrations(ctx)
	if err != nil {
		return wrapErr(s.Dialect(), "migrate", err)
	}
	defer unlock()
	if err := finish(applyMigrations(ctx, q, ms)); err != nil {
		return wrapErr(s.Dialect(), "migrate", err)
	}
	if err := s.drv.migrateRiver(ctx); err != nil {
		return wrapErr(s.Dialect(), "migrate River", err)
	}
	return nil
}

func applyMigrations(ctx context.Context, q querier, ms []migration) error {
	if _, err := q.exec(ctx, `CREATE TABLE IF NOT EXISTS b2bgw_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT    NOT NULL,
		applied_ns BIGINT  NOT NULL)`); err != nil {
		return err
	}
	applied := map[int]bool{}
	vs, err := collect(ctx, q, func(r rows) (int, error) {
		var v int
		return v, r.Scan(&v)
	}, `SELECT version FROM b2bgw_migrations`)
	if err != nil {
		return err
	}
	for _, v := range vs {
		applied[v] = true
		if v > len(ms) {
			return fmt.Errorf("%w: the database is at migration %d, this build knows %d: run the newer b2bgw",
				ErrSchemaTooNew, v, len(ms))
		}
	}
	for _, m := range ms {
		if applied[m.version] {
			continue
		}
		if _, err := q.exec(ctx, m.sql); err != nil {
			return fmt.Errorf("migration %d (%s): %w", m.version, m.name, err)
		}
		if _, err := q.exec(ctx, `INSERT INTO b2bgw_migrations (version, name, applied_ns) VALUES ($1, $2, $3)`,
			m.version, m.name, nowNS()); err != nil {
			return err
		}
	}
	return nil
}
