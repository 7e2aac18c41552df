package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/b2bgw/b2bgw/internal/pipeline"
	"github.com/b2bgw/b2bgw/internal/store"
	"github.com/b2bgw/b2bgw/internal/store/storetest"
)

// TestPrune runs b2bgw prune on both databases: refused while retention
// is off, a dry run that deletes nothing, then the run.
func TestPrune(t *testing.T) {
	for _, db := range []struct {
		name string
		dsn  func(testing.TB) string
	}{{"sqlite", storetest.SQLiteDSN}, {"postgres", storetest.PostgresDSN}} {
		t.Run(db.name, func(t *testing.T) {
			t.Parallel()
			testPrune(t, db.dsn(t))
		})
	}
}

func testPrune(t *testing.T, dsn string) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	// An old finished file and a new one, each with its archived raw file.
	archive := &pipeline.Archive{Dir: filepath.Join(dir, "data", "archive")}
	old := time.Now().Add(-48 * time.Hour)
	var oldFile string
	for i, at := range []time.Time{old, time.Now()} {
		sum, err := archive.Put(fmt.Appendf(nil, "file %d", i))
		if err != nil {
			t.Fatal(err)
		}
		err = st.WithTx(ctx, func(tx store.Tx) error {
			if _, err := tx.PutArchive(ctx, store.ArchiveEntry{SHA256: sum, Location: archive.Location(sum), Size: 6, ReceivedAt: at}); err != nil {
				return err
			}
			m, err := tx.AddMessage(ctx, store.Message{Kind: store.KindFile, Direction: store.Inbound, Partner: "acme",
				Status: store.StatusDone, Ref: fmt.Sprintf("in:%d.x12", i), SHA256: sum})
			if err != nil {
				return err
			}
			// The store stamps messages with its clock: age this one.
			q := `UPDATE messages SET created_ns = $1 WHERE id = $2`
			if tx.SQLTx() != nil {
				_, err = tx.SQLTx().ExecContext(ctx, q, at.UnixNano(), m.ID)
			} else {
				_, err = tx.PgxTx().Exec(ctx, q, at.UnixNano(), m.ID)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			oldFile, _ = archive.File(sum)
		}
	}

	// The password goes in store.password, never in the DSN.
	var env []string
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		if pw, ok := u.User.Password(); ok {
			env = append(env, "B2BGW_STORE_PASSWORD="+pw)
			u.User = url.User(u.User.Username())
			dsn = u.String()
		}
	}
	cfg := filepath.Join(dir, "b2bgw.yaml")
	if err := os.MkdirAll(filepath.Join(dir, "partners"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, fmt.Appendf(nil, "data_dir: data\nstore: {dsn: %q}\nretention: {pickups: 0s}\n", dsn), 0o644); err != nil {
		t.Fatal(err)
	}
	count := func(out, what string) string {
		m := regexp.MustCompile(`(?m)^  ` + what + ` +(\d+)$`).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("no %q line in:\n%s", what, out)
		}
		return m[1]
	}

	cases := []struct {
		name     string
		env      []string
		args     []string
		code     int
		wantOut  string
		lineages string
		gone     bool
	}{
		{name: "off", args: []string{"prune", "--config", cfg}, code: exitUsage, wantOut: "retention is off"},
		{name: "dry run", env: []string{"B2BGW_RETENTION_KEEP=1d"}, args: []string{"prune", "--dry-run", "--config", cfg},
			wantOut: "would delete (dry run):", lineages: "1"},
		{name: "run", env: []string{"B2BGW_RETENTION_KEEP=1d"}, args: []string{"prune", "--config", cfg},
			wantOut: "deleted:", lineages: "1", gone: true},
		{name: "nothing left", env: []string{"B2BGW_RETENTION_KEEP=1d"}, args: []string{"prune", "--config", cfg},
			wantOut: "deleted:", lineages: "0", gone: true},
	}
	for _, c := range cases {
		stdout, stderr, code := runEnv(t, append(env, c.env...), c.args...)
		if code != c.code || !strings.Contains(stdout+stderr, c.wantOut) {
			t.Fatalf("%s: exit %d, want %d with %q\nstdout:\n%s\nstderr:\n%s", c.name, code, c.code, c.wantOut, stdout, stderr)
		}
		if c.lineages != "" {
			if n := count(stdout, "message lineages"); n != c.lineages {
				t.Errorf("%s: %s lineages, want %s", c.name, n, c.lineages)
			}
			if n := count(stdout, "archived files"); n != c.lineages {
				t.Errorf("%s: %s archived files, want %s", c.name, n, c.lineages)
			}
		}
		if _, err := os.Stat(oldFile); os.IsNotExist(err) != c.gone {
			t.Errorf("%s: old archived file gone=%v, want %v", c.name, os.IsNotExist(err), c.gone)
		}
	}
	ms, err := st.Messages(ctx, store.MessageFilter{Limit: 10})
	if err != nil || len(ms) != 1 || ms[0].Ref != "in:1.x12" {
		t.Errorf("after prune: %d messages (%v), want the new one only", len(ms), err)
	}
}
