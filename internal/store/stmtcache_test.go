package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"testing"
)

// TestStmtCache runs queries on the SQLite writer pool the way the store
// and River do, including the same query again while its rows are still
// open, and checks the answers and what the connection keeps compiled.
func TestStmtCache(t *testing.T) {
	ctx := context.Background()
	d, err := openSQLite(ctx, filepath.Join(t.TempDir(), "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.close()
	const (
		create = `CREATE TABLE t (n INTEGER NOT NULL)`
		insert = `INSERT INTO t (n) VALUES ($1)`
		all    = `SELECT n FROM t ORDER BY n`
		bad    = `SELECT n FROM nowhere`
	)
	tests := []struct {
		name string
		run  func(tx *sql.Tx) error
	}{
		{"create", func(tx *sql.Tx) error { _, err := tx.ExecContext(ctx, create); return err }},
		{"insert three times", func(tx *sql.Tx) error {
			for n := 1; n <= 3; n++ {
				if _, err := tx.ExecContext(ctx, insert, n); err != nil {
					return err
				}
			}
			return nil
		}},
		{"the same query while its rows are open", func(tx *sql.Tx) error {
			rs, err := tx.QueryContext(ctx, all)
			if err != nil {
				return err
			}
			defer rs.Close()
			var got []int
			for rs.Next() {
				var n, first int
				if err := rs.Scan(&n); err != nil {
					return err
				}
				if err := tx.QueryRowContext(ctx, all).Scan(&first); err != nil {
					return err
				}
				if first != 1 {
					t.Errorf("inner query's first row = %d, want 1", first)
				}
				got = append(got, n)
			}
			if !slices.Equal(got, []int{1, 2, 3}) {
				t.Errorf("outer query = %v, want [1 2 3]", got)
			}
			return rs.Err()
		}},
		{"again, from the cache", func(tx *sql.Tx) error {
			var sum int
			return tx.QueryRowContext(ctx, `SELECT sum(n) FROM t WHERE n >= $1`, 2).Scan(&sum)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tx, err := d.w.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := tt.run(tx); err != nil {
				tx.Rollback()
				t.Fatal(err)
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
		})
	}
	if _, err := d.w.ExecContext(ctx, bad); err == nil {
		t.Error("a query on a missing table succeeded")
	}
	conn, err := d.w.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var cached []string
	if err := conn.Raw(func(dc any) error {
		for q := range dc.(*stmtCacheConn).stmts {
			cached = append(cached, q)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	slices.Sort(cached)
	want := []string{create, insert, all, `SELECT sum(n) FROM t WHERE n >= $1`}
	slices.Sort(want)
	if !slices.Equal(cached, want) {
		t.Errorf("compiled statements %q, want %q (each once; not the failed one)", cached, want)
	}
}
