package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/b2bgw/b2bgw/internal/errclass"
	"github.com/b2bgw/b2bgw/internal/store"
)

// Archive keeps raw files, acknowledgments, feeds and canonical documents
// on local disk by content hash: dir/ab/cd/<sha256>. Writing the same
// content twice is a no-op, so every step may archive again on a retry.
type Archive struct {
	Dir string
}

// path is where content with hash sum lives.
func (a *Archive) path(sum string) string {
	return filepath.Join(a.Dir, sum[:2], sum[2:4], sum)
}

// Location is the archive index location of sum.
func (a *Archive) Location(sum string) string { return "file://" + a.path(sum) }

// Put stores b and returns its hash. The file is written under a temp
// name, synced and renamed, so a crash never leaves a partial archive
// file under a hash.
func (a *Archive) Put(b []byte) (string, error) {
	h := sha256.Sum256(b)
	sum := hex.EncodeToString(h[:])
	return sum, a.put(sum, func(w io.Writer) error { _, err := w.Write(b); return err })
}

// PutFile copies the file at src (whose hash the caller knows) into the
// archive.
func (a *Archive) PutFile(src, sum string) error {
	if len(sum) != 64 {
		return fmt.Errorf("archive: bad hash %q", sum)
	}
	return a.put(sum, func(w io.Writer) error {
		f, err := os.Open(src)
		if err != nil {
			return err
		}
		defer f.Close()
		h := sha256.New()
		if _, err := io.Copy(io.MultiWriter(w, h), f); err != nil {
			return err
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != sum {
			return fmt.Errorf("archive: %s has sha256 %s, the ledger says %s", src, got, sum)
		}
		return nil
	})
}

func (a *Archive) put(sum string, write func(io.Writer) error) error {
	final := a.path(sum)
	if _, err := os.Stat(final); err == nil {
		return nil
	}
	dir := filepath.Dir(final)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return archiveErr(err)
	}
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return archiveErr(err)
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return archiveErr(err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return archiveErr(err)
	}
	if err := tmp.Close(); err != nil {
		return archiveErr(err)
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return archiveErr(err)
	}
	d, err := os.Open(dir)
	if err != nil {
		return archiveErr(err)
	}
	defer d.Close()
	return archiveErr(d.Sync())
}

// archiveErr classifies local disk errors: a full disk is retryable, the
// rest permanent.
func archiveErr(err error) error {
	if err == nil {
		return nil
	}
	if strings.Contains(err.Error(), "no space left") {
		return errclass.With(fmt.Errorf("archive: %w", err), errclass.Retryable)
	}
	return fmt.Errorf("archive: %w", err)
}

// Read returns archived content and checks its hash.
func (a *Archive) Read(sum string) ([]byte, error) {
	if len(sum) != 64 {
		return nil, fmt.Errorf("archive: bad hash %q", sum)
	}
	b, err := os.ReadFile(a.path(sum))
	if err != nil {
		return nil, fmt.Errorf("archive: reading %s: %w", sum, err)
	}
	h := sha256.Sum256(b)
	if hex.EncodeToString(h[:]) != sum {
		return nil, fmt.Errorf("archive: %s is corrupt (hash mismatch)", a.path(sum))
	}
	return b, nil
}

// File returns the local path of archived content, for readers that
// take a path.
func (a *Archive) File(sum string) (string, error) {
	p := a.path(sum)
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("archive: %s: %w", sum, err)
	}
	return p, nil
}

// Remove deletes an archived file; a missing one counts as removed (for
// store.PruneOptions.RemoveFile).
func (a *Archive) Remove(_ context.Context, e store.ArchiveEntry) error {
	p, ok := strings.CutPrefix(e.Location, "file://")
	if !ok {
		return fmt.Errorf("archive: %s is not a local archive location", e.Location)
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// index records sum in the store's archive index inside tx.
func (a *Archive) index(ctx context.Context, tx store.Tx, sum string, size int64) error {
	_, err := tx.PutArchive(ctx, store.ArchiveEntry{SHA256: sum, Location: a.Location(sum), Size: size})
	return err
}
