package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/b2bgw/b2bgw/internal/errclass"
	"github.com/b2bgw/b2bgw/internal/partner"
	"github.com/b2bgw/b2bgw/internal/store"
	"github.com/b2bgw/b2bgw/internal/transport"
	"github.com/b2bgw/b2bgw/internal/transport/s3"
)

// Archive keeps raw files, acknowledgments, feeds and canonical documents
// by content hash: <root>/ab/cd/<sha256>. Writing the same content twice
// is a no-op, so every step may archive again on a retry.
//
// The root is a local folder (Dir), or an S3 bucket (NewS3Archive): then
// every write reaches the bucket before it returns, and Dir is only a
// cache of it on this instance (the translator reads files by path, and
// the next step usually runs where the previous one did). Any instance
// reads what another archived, so several gateways can share one store.
type Archive struct {
	// Dir is the archive folder, or with S3 the local cache.
	Dir string

	s3    *s3.Mailbox // nil: Dir is the archive
	s3loc string      // "s3://bucket/prefix/"
	log   *slog.Logger

	mu        sync.Mutex
	lastSweep time.Time
}

// cacheTTL is how long a cached copy of S3 content stays after its last
// use: long enough for the steps of one file, short enough that the cache
// does not become a second archive. An evicted copy is fetched again.
const cacheTTL = time.Hour

// NewS3Archive is an archive in the bucket (and under the prefix) of box,
// cached in cacheDir. Credentials come from box or the environment like
// an S3 mailbox's, and are never logged. It sends no request.
func NewS3Archive(box *partner.S3Box, cacheDir string, log *slog.Logger) (*Archive, error) {
	if log == nil {
		log = slog.Default()
	}
	addr := s3.Auto
	if box.PathStyle {
		addr = s3.PathStyle
	}
	mb, err := s3.New(s3.Config{Mailbox: "archive", Endpoint: box.Endpoint, Insecure: box.Insecure, Region: box.Region,
		Bucket: box.Bucket, Prefix: box.Prefix, Addressing: addr, AccessKey: box.AccessKeyID.Reveal(),
		SecretKey: box.SecretAccessKey.Reveal(), Logger: log})
	if err != nil {
		return nil, fmt.Errorf("archive.s3: %w", err)
	}
	loc := "s3://" + box.Bucket + "/"
	if p := strings.Trim(box.Prefix, "/"); p != "" {
		loc += p + "/"
	}
	return &Archive{Dir: cacheDir, s3: mb, s3loc: loc, log: log}, nil
}

// Check makes one request to the archive's bucket, so that a wrong
// endpoint, credentials or bucket show up at start.
func (a *Archive) Check(ctx context.Context) error {
	if a.s3 == nil {
		return nil
	}
	if _, err := a.s3.List(ctx, ""); err != nil {
		return fmt.Errorf("archive.s3 %s: %w", a.s3loc, err)
	}
	return nil
}

// Close releases the S3 client's connections.
func (a *Archive) Close() error {
	if a.s3 == nil {
		return nil
	}
	return a.s3.Close()
}

// archiveKey is the name of content with hash sum under the archive's root.
func archiveKey(sum string) string { return sum[:2] + "/" + sum[2:4] + "/" + sum }

// path is where content with hash sum lives (or is cached) locally.
func (a *Archive) path(sum string) string {
	return filepath.Join(a.Dir, sum[:2], sum[2:4], sum)
}

// Location is the archive index location of sum.
func (a *Archive) Location(sum string) string {
	if a.s3 != nil {
		return a.s3loc + archiveKey(sum)
	}
	return "file://" + a.path(sum)
}

// Put stores b and returns its hash. Locally the file is written under a
// temp name, synced and renamed, so a crash never leaves a partial
// archive file under a hash; S3 shows an object only once it is whole.
func (a *Archive) Put(b []byte) (string, error) {
	h := sha256.Sum256(b)
	sum := hex.EncodeToString(h[:])
	if err := a.put(sum, func(w io.Writer) error { _, err := w.Write(b); return err }); err != nil {
		return sum, err
	}
	return sum, a.upload(sum)
}

// putAllWorkers bounds PutAll's concurrent writes.
const putAllWorkers = 8

// PutAll stores each non-nil b (like Put) and returns their hashes, in
// order. The writes run concurrently: their fsyncs then overlap, and the
// file system commits several in one journal transaction instead of one
// after another (a 10-order file's documents are 20 fsyncs). It returns
// the first error; what was written before it stays, content-addressed.
func (a *Archive) PutAll(bs [][]byte) ([]string, error) {
	sums := make([]string, len(bs))
	errs := make([]error, len(bs))
	sem := make(chan struct{}, putAllWorkers)
	var wg sync.WaitGroup
	for i, b := range bs {
		if b == nil {
			continue
		}
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			sums[i], errs[i] = a.Put(b)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return sums, err
		}
	}
	return sums, nil
}

// PutFile copies the file at src (whose hash the caller knows) into the
// archive; its hash is checked on the way. The caller must not change src
// in place afterwards (the pickup spool never does: it only writes new
// files and renames them): when src is on the archive's file system it is
// hard-linked instead of copied (see link).
func (a *Archive) PutFile(src, sum string) error {
	if !validSum(sum) {
		return fmt.Errorf("archive: bad hash %q", sum)
	}
	if a.link(src, sum) == nil {
		return a.upload(sum)
	}
	// Another file system, or no hard links there: copy.
	err := a.put(sum, func(w io.Writer) error {
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
	if err != nil {
		return err
	}
	return a.upload(sum)
}

// put writes content sum into the local folder (the archive or the
// cache) unless it is there.
func (a *Archive) put(sum string, write func(io.Writer) error) error {
	final := a.path(sum)
	if _, err := os.Stat(final); err == nil {
		a.touch(final)
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

// link makes src, whose content is already synced (the spool fsyncs a
// pickup before renaming it into place), the archive's copy of sum with a
// hard link: no second copy of the bytes and one fsync (the folder's)
// instead of two. The hash is checked first, like a copy's.
func (a *Archive) link(src, sum string) error {
	final := a.path(sum)
	if _, err := os.Stat(final); err == nil {
		a.touch(final)
		return nil
	}
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	h := sha256.New()
	_, err = io.Copy(h, f)
	f.Close()
	if err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sum {
		return fmt.Errorf("archive: %s has sha256 %s, the ledger says %s", src, got, sum)
	}
	dir := filepath.Dir(final)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	if err := os.Link(src, final); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// upload copies the local copy of sum to S3 unless the bucket holds it
// with the same size already (content-addressed: same key, same bytes).
// S3 errors are classified by the S3 client: an unreachable or busy
// store is retryable, a refusal permanent.
func (a *Archive) upload(sum string) error {
	if a.s3 == nil {
		return nil
	}
	a.sweep()
	f, err := os.Open(a.path(sum))
	if err != nil {
		return archiveErr(err)
	}
	defer f.Close()
	local, err := f.Stat()
	if err != nil {
		return archiveErr(err)
	}
	ctx := context.Background() // Put has no context; the S3 client's timeouts bound it
	if fi, err := a.s3.Stat(ctx, archiveKey(sum)); err == nil && fi.Size == local.Size() {
		return nil
	} else if err != nil && !errors.Is(err, transport.ErrNotExist) {
		return fmt.Errorf("archive: %w", err)
	}
	// The cache copy may be older than this call: only the right bytes go
	// up under a hash.
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return archiveErr(err)
	}
	if hex.EncodeToString(h.Sum(nil)) != sum {
		_ = os.Remove(f.Name())
		return errclass.With(fmt.Errorf("archive: the cached copy %s was damaged; removed, the next attempt writes it again", f.Name()), errclass.Retryable)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return archiveErr(err)
	}
	if err := a.s3.Put(ctx, archiveKey(sum), f); err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	return nil
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

// validSum reports whether sum is a SHA-256 in lower-case hex (what Put
// returns and the ledger records), so it can never name a path elsewhere.
func validSum(sum string) bool {
	if len(sum) != 64 {
		return false
	}
	for i := range len(sum) {
		if c := sum[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// Read returns archived content and checks its hash.
func (a *Archive) Read(sum string) ([]byte, error) {
	if !validSum(sum) {
		return nil, fmt.Errorf("archive: bad hash %q", sum)
	}
	p := a.path(sum)
	b, err := os.ReadFile(p)
	if err != nil && a.s3 != nil && errors.Is(err, fs.ErrNotExist) {
		if err = a.fetch(sum); err != nil {
			return nil, err
		}
		b, err = os.ReadFile(p)
	}
	if err != nil {
		return nil, fmt.Errorf("archive: reading %s: %w", sum, err)
	}
	a.touch(p)
	h := sha256.Sum256(b)
	if hex.EncodeToString(h[:]) == sum {
		return b, nil
	}
	if a.s3 == nil {
		return nil, fmt.Errorf("archive: %s is corrupt (hash mismatch)", p)
	}
	// A damaged cache copy: drop it and take the bucket's.
	a.log.Warn("archive cache copy is corrupt; fetching it again from S3", "sha256", sum, "path", p)
	if err := os.Remove(p); err != nil {
		return nil, archiveErr(err)
	}
	if err := a.fetch(sum); err != nil {
		return nil, err
	}
	return os.ReadFile(p)
}

// File returns the local path of archived content, for readers that take
// a path; with S3 it is fetched into the cache first (size and hash
// checked).
func (a *Archive) File(sum string) (string, error) {
	if !validSum(sum) {
		return "", fmt.Errorf("archive: bad hash %q", sum)
	}
	p := a.path(sum)
	_, err := os.Stat(p)
	switch {
	case err == nil:
		a.touch(p)
		return p, nil
	case a.s3 == nil || !errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("archive: %s: %w", sum, err)
	}
	if err := a.fetch(sum); err != nil {
		return "", err
	}
	return p, nil
}

// fetch copies S3 content sum into the cache, checking its size against
// the object's and its hash against the name.
func (a *Archive) fetch(sum string) error {
	a.sweep()
	ctx := context.Background()
	fi, err := a.s3.Stat(ctx, archiveKey(sum))
	if err != nil {
		return fmt.Errorf("archive: %s%s: %w", a.s3loc, archiveKey(sum), err)
	}
	r, err := a.s3.Open(ctx, archiveKey(sum))
	if err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	defer r.Close()
	return a.put(sum, func(w io.Writer) error {
		h := sha256.New()
		n, err := io.Copy(io.MultiWriter(w, h), r)
		if err != nil {
			return err
		}
		if n != fi.Size {
			return errclass.With(fmt.Errorf("archive: %s%s: read %d of %d bytes", a.s3loc, archiveKey(sum), n, fi.Size), errclass.Retryable)
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != sum {
			return fmt.Errorf("archive: %s%s is corrupt: its sha256 is %s (restore it from a backup, or hold the file's messages)",
				a.s3loc, archiveKey(sum), got)
		}
		return nil
	})
}

// Remove deletes an archived file (for store.PruneOptions.RemoveFile); a
// missing one counts as removed. Locations of a local archive stay
// removable after a switch to S3, so retention clears what is left there.
func (a *Archive) Remove(ctx context.Context, e store.ArchiveEntry) error {
	if p, ok := strings.CutPrefix(e.Location, "file://"); ok {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		return nil
	}
	key, ok := strings.CutPrefix(e.Location, a.s3loc)
	if a.s3 == nil || !ok {
		return fmt.Errorf("archive: %s is not a location of this archive (%s)", e.Location, a.Location("<sha256>"))
	}
	if err := a.s3.Remove(ctx, key); err != nil && !errors.Is(err, transport.ErrNotExist) {
		return fmt.Errorf("archive: %w", err)
	}
	if validSum(e.SHA256) {
		if err := os.Remove(a.path(e.SHA256)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return archiveErr(err)
		}
	}
	return nil
}

// index records sum in the store's archive index inside tx.
func (a *Archive) index(ctx context.Context, tx store.Tx, sum string, size int64) error {
	_, err := tx.PutArchive(ctx, store.ArchiveEntry{SHA256: sum, Location: a.Location(sum), Size: size})
	return err
}

// touch marks a cache copy used, so the sweep keeps it.
func (a *Archive) touch(p string) {
	if a.s3 != nil {
		now := time.Now()
		_ = os.Chtimes(p, now, now)
	}
}

// sweep removes cache copies unused for cacheTTL, at most every
// cacheTTL/4. It runs inside an archive call (no goroutine to stop); a
// copy a running step still reads is either recently touched or already
// open, which a removal does not disturb.
func (a *Archive) sweep() {
	now := time.Now()
	a.mu.Lock()
	if now.Sub(a.lastSweep) < cacheTTL/4 {
		a.mu.Unlock()
		return
	}
	a.lastSweep = now
	a.mu.Unlock()
	_ = filepath.WalkDir(a.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if fi, err := d.Info(); err == nil && now.Sub(fi.ModTime()) > cacheTTL {
			_ = os.Remove(p)
		}
		return nil
	})
}
