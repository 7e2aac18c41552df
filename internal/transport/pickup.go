package transport

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// PostAction is what happens to a remote file once it is safely recorded.
type PostAction int

const (
	// Leave keeps the remote file (a read-only mailbox); the ledger stops
	// it from being picked up again.
	Leave PostAction = iota
	// Delete removes the remote file.
	Delete
	// Move renames the remote file into PollerConfig.ArchiveDir (needs a
	// Renamer).
	Move
)

func (a PostAction) String() string {
	switch a {
	case Delete:
		return "delete"
	case Move:
		return "move"
	default:
		return "leave"
	}
}

// Stability decides when a remote file is completely written. Partners
// upload slowly and without temp names; picking up a half-written file is
// the classic failure (rclone#1316, sftpgo#242). Every configured rule must
// hold; with no rule at all the poller uses DefaultStabilityWindow.
type Stability struct {
	// Window: the file's size and modification time must be unchanged
	// between two listings at least Window apart.
	Window time.Duration
	// WaitInPoll makes a poll that sees a file for the first time wait for
	// the window and list again, instead of leaving it to the next poll
	// (for one-shot runs such as `b2bgw poll`).
	WaitInPoll bool
	// MinAge: the file's modification time must be at least MinAge old.
	MinAge time.Duration
	// Markers: the partner signals completion with a marker file named
	// after the data file plus one of these suffixes (".done", ".ok").
	// When set, a file without a marker is never picked up. Markers get the
	// same post-pickup action as their file.
	Markers []string
	// Immediate picks files as soon as they are listed, for senders that
	// are known to write atomically. It cannot be combined with the rules.
	Immediate bool
}

// DefaultStabilityWindow applies when no stability rule is configured.
const DefaultStabilityWindow = time.Minute

// PollerConfig configures a Poller for one mailbox.
type PollerConfig struct {
	// Partner owns every file in the mailbox. Leave it empty for a shared
	// mailbox (Features.Shared), whose Router names the partner per file.
	Partner string
	// Mailbox is the configuration id, recorded in the ledger and errors.
	Mailbox string
	// Dir is the folder to poll, relative to the mailbox root ("" = root).
	Dir string
	// Recursive also polls sub-folders (always on for shared mailboxes,
	// which route by sub-folder).
	Recursive bool
	// Include and Exclude are path.Match globs. A pattern without '/' is
	// matched against the base name, one with '/' against the whole name.
	// An empty Include includes everything.
	Include, Exclude []string
	// MaxSize refuses larger files (0 = no limit) with an error, so that an
	// operator looks at them instead of the gateway filling its disk.
	MaxSize   int64
	Stability Stability
	After     PostAction
	// ArchiveDir receives moved files (After == Move), keeping their path
	// relative to the root: "archive" + "inbox/a.x12" -> "archive/inbox/a.x12".
	// It is never polled itself.
	ArchiveDir string
	// SpoolDir is the local directory downloads go to, one sub-folder per
	// partner, each file named by its sha256.
	SpoolDir string
	// Ledger records pickups; required.
	Ledger Ledger
	// Clock defaults to the system clock.
	Clock Clock
}

// PollReport is the outcome of one poll, printed by `b2bgw poll`.
type PollReport struct {
	Partner, Mailbox  string
	Started, Finished time.Time
	// Picked are new files, recorded and spooled: the pipeline processes them.
	Picked []LedgerEntry
	// Duplicates repeat the content of an earlier file of the same partner;
	// they are recorded and cleared remotely but not processed.
	Duplicates []LedgerEntry
	// Unstable files may still be being written; a later poll retries them.
	Unstable []string
	// AlreadyPicked counts files the ledger already has (left in place, or
	// picked by another instance).
	AlreadyPicked int
	// Ignored counts temp files, markers and files outside the globs.
	Ignored int
	// Errors are per-file failures; nothing was recorded or deleted for a
	// file whose download failed. Each is an *Error with the partner set.
	Errors []error
}

// Err joins the per-file errors (nil when there were none).
func (r *PollReport) Err() error { return errors.Join(r.Errors...) }

// String summarises the report in one line per file, for the CLI.
func (r *PollReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "mailbox %s: %d picked, %d duplicates, %d unstable, %d already picked, %d ignored, %d errors\n",
		r.Mailbox, len(r.Picked), len(r.Duplicates), len(r.Unstable), r.AlreadyPicked, r.Ignored, len(r.Errors))
	for _, e := range r.Picked {
		fmt.Fprintf(&b, "  picked     %s (partner %s, %d bytes, sha256 %s)\n", e.Path, e.Partner, e.Size, e.SHA256)
	}
	for _, e := range r.Duplicates {
		fmt.Fprintf(&b, "  duplicate  %s (partner %s, same content as ledger entry %d)\n", e.Path, e.Partner, e.DuplicateOf)
	}
	for _, n := range r.Unstable {
		fmt.Fprintf(&b, "  unstable   %s (still changing or not marked done; retried next poll)\n", n)
	}
	for _, err := range r.Errors {
		fmt.Fprintf(&b, "  error      %v\n", err)
	}
	return b.String()
}

// ErrPollRunning is returned when a poll is started while the previous one
// on the same Poller still runs.
var ErrPollRunning = errors.New("a poll of this mailbox is already running")

// Poller picks up stable files from one mailbox into the local spool.
type Poller struct {
	mb  Mailbox
	cfg PollerConfig

	running sync.Mutex
	// seen remembers, per name, the size and mtime first observed and when,
	// for the stability window. It is in memory on purpose: after a restart
	// a file simply waits one more window.
	seen map[string]observation

	// createTemp makes the spool temp file; tests replace it to simulate a
	// full disk.
	createTemp func(dir, pattern string) (spoolFile, error)
}

type observation struct {
	size  int64
	mtime time.Time
	since time.Time
}

// spoolFile is the part of *os.File the spool writes through.
type spoolFile interface {
	io.Writer
	Sync() error
	Close() error
	Name() string
}

// NewPoller checks cfg against the mailbox's features.
func NewPoller(mb Mailbox, cfg PollerConfig) (*Poller, error) {
	f := mb.Features()
	bad := func(format string, a ...any) (*Poller, error) {
		return nil, fmt.Errorf("poller for mailbox %q: "+format, append([]any{cfg.Mailbox}, a...)...)
	}
	if cfg.Ledger == nil {
		return bad("no ledger configured")
	}
	if cfg.SpoolDir == "" {
		return bad("no spool directory configured")
	}
	if cfg.Clock == nil {
		cfg.Clock = SystemClock{}
	}
	var err error
	if cfg.Dir, err = SafeDir(cfg.Dir); err != nil {
		return bad("dir: %w", err)
	}
	if f.Shared {
		if _, ok := mb.(Router); !ok {
			return bad("the mailbox declares Shared but cannot route files to partners")
		}
		cfg.Recursive = true
	} else if err := safePartner(cfg.Partner); err != nil {
		return bad("%w", err)
	}
	for _, p := range slices.Concat(cfg.Include, cfg.Exclude) {
		if _, err := path.Match(p, ""); err != nil {
			return bad("glob %q: %w", p, err)
		}
	}
	st := &cfg.Stability
	switch {
	case st.Immediate && (st.Window > 0 || st.MinAge > 0 || len(st.Markers) > 0):
		return bad("stability: immediate cannot be combined with window, min age or markers")
	case !st.Immediate && st.Window == 0 && st.MinAge == 0 && len(st.Markers) == 0:
		st.Window = DefaultStabilityWindow
	}
	if st.MinAge > 0 && f.NoModTime {
		return bad("stability: min age needs modification times, which this mailbox does not report; use a window or markers")
	}
	for _, m := range st.Markers {
		if m == "" || strings.Contains(m, "/") {
			return bad("stability: marker suffix %q must be non-empty and contain no '/'", m)
		}
	}
	switch cfg.After {
	case Move:
		if _, ok := mb.(Renamer); !ok || !f.Rename {
			return bad("after=move needs a mailbox that can rename: %w", ErrNotSupported)
		}
		if cfg.ArchiveDir, err = SafeDir(cfg.ArchiveDir); err != nil || cfg.ArchiveDir == "" {
			return bad("after=move needs an archive dir inside the mailbox (got %q)", cfg.ArchiveDir)
		}
		if f.ReadOnly {
			return bad("after=move on a read-only mailbox: %w", ErrPermission)
		}
	case Delete:
		if f.ReadOnly {
			return bad("after=delete on a read-only mailbox: %w", ErrPermission)
		}
	}
	if err := os.MkdirAll(cfg.SpoolDir, 0o750); err != nil {
		return bad("spool: %w", err)
	}
	return &Poller{mb: mb, cfg: cfg, seen: map[string]observation{}, createTemp: createOSTemp}, nil
}

func createOSTemp(dir, pattern string) (spoolFile, error) { return os.CreateTemp(dir, pattern) }

// safePartner refuses partner ids that cannot be a spool folder name.
func safePartner(p string) error {
	if p == "" {
		return errors.New("no partner configured")
	}
	if err := SafeName(p); err != nil || strings.Contains(p, "/") {
		return fmt.Errorf("partner id %q cannot name a spool folder: %w", p, ErrUnsafeName)
	}
	return nil
}

// Poll lists the mailbox once, picks up every stable file, and returns
// what happened. The error is non-nil only when the poll as a whole failed
// (the listing); per-file failures are in PollReport.Errors.
func (p *Poller) Poll(ctx context.Context) (*PollReport, error) {
	if !p.running.TryLock() {
		return nil, &Error{Op: "poll", Partner: p.cfg.Partner, Mailbox: p.cfg.Mailbox, Err: ErrPollRunning}
	}
	defer p.running.Unlock()
	rep := &PollReport{Partner: p.cfg.Partner, Mailbox: p.cfg.Mailbox, Started: p.cfg.Clock.Now()}
	defer func() { rep.Finished = p.cfg.Clock.Now() }()

	files, err := p.list(ctx)
	if err != nil {
		return rep, WithPartner(err, p.cfg.Partner)
	}
	pending := p.pass(ctx, files, rep, false)
	if len(pending) > 0 && p.cfg.Stability.WaitInPoll {
		select {
		case <-ctx.Done():
			return rep, WithPartner(NewError("poll", p.cfg.Mailbox, p.cfg.Dir, ctx.Err()), p.cfg.Partner)
		case <-p.cfg.Clock.After(p.cfg.Stability.Window):
		}
		if files, err = p.list(ctx); err != nil {
			return rep, WithPartner(err, p.cfg.Partner)
		}
		// Only the files that were waiting for the window get a second
		// look: the others were already handled or reported.
		files = slices.DeleteFunc(files, func(fi FileInfo) bool { return !slices.Contains(pending, fi.Name) })
		p.pass(ctx, files, rep, true)
	}
	return rep, nil
}

// list returns every regular file under Dir (recursively if configured),
// leaving out the archive folder.
func (p *Poller) list(ctx context.Context) ([]FileInfo, error) {
	var out []FileInfo
	dirs := []string{p.cfg.Dir}
	for len(dirs) > 0 {
		dir := dirs[0]
		dirs = dirs[1:]
		entries, err := p.mb.List(ctx, dir)
		if err != nil {
			return nil, err
		}
		for _, fi := range entries {
			if err := SafeName(fi.Name); err != nil {
				// A backend must not return such names; refuse rather than trust.
				return nil, NewError("list", p.cfg.Mailbox, fi.Name, err)
			}
			if fi.IsDir {
				if p.cfg.Recursive && !p.inArchive(fi.Name) {
					dirs = append(dirs, fi.Name)
				}
				continue
			}
			out = append(out, fi)
		}
	}
	return out, nil
}

func (p *Poller) inArchive(name string) bool {
	a := p.cfg.ArchiveDir
	return a != "" && (name == a || strings.HasPrefix(name, a+"/"))
}

// pass handles one listing and returns the names still waiting only for
// the stability window (first seen in this listing).
func (p *Poller) pass(ctx context.Context, files []FileInfo, rep *PollReport, second bool) (pending []string) {
	now := p.cfg.Clock.Now()
	names := make(map[string]bool, len(files))
	for _, fi := range files {
		names[fi.Name] = true
	}
	if !second {
		// Forget observations of files that are gone, so a re-upload
		// starts a new window.
		for n := range p.seen {
			if !names[n] {
				delete(p.seen, n)
			}
		}
	}
	for _, fi := range files {
		if ctx.Err() != nil {
			rep.Errors = append(rep.Errors, WithPartner(NewError("poll", p.cfg.Mailbox, fi.Name, ctx.Err()), p.cfg.Partner))
			return nil
		}
		if IsTempName(fi.Base()) || p.isMarker(fi.Name) || !p.selected(fi.Name) {
			rep.Ignored++
			continue
		}
		partner := p.cfg.Partner
		if rt, ok := p.mb.(Router); ok && p.mb.Features().Shared {
			var err error
			if partner, err = rt.PartnerFor(fi.Name); err != nil {
				rep.Errors = append(rep.Errors, err)
				continue
			}
			if err := safePartner(partner); err != nil {
				rep.Errors = append(rep.Errors, NewError("route", p.cfg.Mailbox, fi.Name, err))
				continue
			}
		}
		key := FileKey{Partner: partner, Mailbox: p.cfg.Mailbox, Path: fi.Name, Size: fi.Size, ModTime: fi.ModTime}
		e, ok, err := p.lookup(ctx, key)
		if err == nil && ok && !e.PostDone && p.cfg.After != Leave {
			e, ok, err = p.stillOurs(ctx, e)
		}
		if err != nil {
			rep.Errors = append(rep.Errors, WithPartner(NewError("ledger", p.cfg.Mailbox, fi.Name, err), partner))
			continue
		}
		key.Seq = e.Seq
		if ok {
			// Recorded before: only the post action may still be owed
			// (a crash or a refused delete after the record).
			if !e.PostDone {
				if err := p.postAction(ctx, e, names); err != nil {
					rep.Errors = append(rep.Errors, WithPartner(err, partner))
					continue
				}
			}
			rep.AlreadyPicked++
			continue
		}
		if p.cfg.MaxSize > 0 && fi.Size > p.cfg.MaxSize {
			rep.Errors = append(rep.Errors, &Error{Op: "pickup", Partner: partner, Mailbox: p.cfg.Mailbox, Path: fi.Name,
				Err: fmt.Errorf("%d bytes exceeds the mailbox's max size of %d bytes: raise max_size or ask the partner to split the file", fi.Size, p.cfg.MaxSize)})
			continue
		}
		stable, waitingForWindow := p.stable(fi, names, now)
		if !stable {
			if waitingForWindow && !second {
				pending = append(pending, fi.Name)
			} else {
				rep.Unstable = append(rep.Unstable, fi.Name)
			}
			continue
		}
		e, created, err := p.fetch(ctx, partner, fi, key.Seq)
		if err != nil {
			rep.Errors = append(rep.Errors, WithPartner(err, partner))
			continue
		}
		if !created {
			rep.AlreadyPicked++ // another gateway instance recorded it first
			continue
		}
		if e.DuplicateOf != 0 {
			rep.Duplicates = append(rep.Duplicates, e)
		} else {
			rep.Picked = append(rep.Picked, e)
		}
		if err := p.postAction(ctx, e, names); err != nil {
			rep.Errors = append(rep.Errors, WithPartner(err, partner))
		}
	}
	// Files pending the window on the first pass are reported unstable
	// unless this poll waits for them.
	if !second && !p.cfg.Stability.WaitInPoll {
		rep.Unstable = append(rep.Unstable, pending...)
		return nil
	}
	return pending
}

// IsTempName reports whether a base name looks like a file still being
// written by a transfer tool: dot-files, "~" backups and the .part,
// .filepart (WinSCP), .tmp, .crdownload and .partial suffixes.
func IsTempName(base string) bool {
	if strings.HasPrefix(base, ".") || strings.HasSuffix(base, "~") {
		return true
	}
	lower := strings.ToLower(base)
	for _, s := range []string{".part", ".filepart", ".tmp", ".crdownload", ".partial"} {
		if strings.HasSuffix(lower, s) {
			return true
		}
	}
	return false
}

// isMarker reports whether name is a done marker (of a listed file or an
// orphan one: neither is data).
func (p *Poller) isMarker(name string) bool {
	for _, m := range p.cfg.Stability.Markers {
		if strings.HasSuffix(name, m) && len(name) > len(m) {
			return true
		}
	}
	return false
}

// selected applies the include and exclude globs.
func (p *Poller) selected(name string) bool {
	matches := func(patterns []string) bool {
		for _, pat := range patterns {
			subject := path.Base(name)
			if strings.Contains(pat, "/") {
				subject = name
			}
			if ok, _ := path.Match(pat, subject); ok {
				return true
			}
		}
		return false
	}
	if len(p.cfg.Include) > 0 && !matches(p.cfg.Include) {
		return false
	}
	return !matches(p.cfg.Exclude)
}

// stable applies the stability rules. waitingForWindow is true when the
// window is the only rule not yet met and the file was first seen now.
func (p *Poller) stable(fi FileInfo, names map[string]bool, now time.Time) (ok, waitingForWindow bool) {
	st := p.cfg.Stability
	if st.Immediate {
		return true, false
	}
	ok = true
	if len(st.Markers) > 0 && !slices.ContainsFunc(st.Markers, func(m string) bool { return names[fi.Name+m] }) {
		ok = false
	}
	if st.MinAge > 0 && now.Sub(fi.ModTime.Add(p.mb.Features().ModTimePrecision)) < st.MinAge {
		ok = false
	}
	if st.Window > 0 {
		prec := p.mb.Features().ModTimePrecision
		o, seen := p.seen[fi.Name]
		if !seen || o.size != fi.Size || !sameTime(o.mtime, fi.ModTime, prec) {
			p.seen[fi.Name] = observation{size: fi.Size, mtime: fi.ModTime, since: now}
			return false, ok
		}
		if now.Sub(o.since) < st.Window {
			return false, false
		}
	}
	return ok, false
}

func sameTime(a, b time.Time, prec time.Duration) bool {
	if prec > 0 {
		return a.Truncate(prec).Equal(b.Truncate(prec))
	}
	return a.Equal(b)
}

// fetch downloads fi into the spool while hashing it, then records it. On
// any failure the partial spool file is removed and nothing is recorded.
func (p *Poller) fetch(ctx context.Context, partner string, fi FileInfo, seq int) (LedgerEntry, bool, error) {
	dir := filepath.Join(p.cfg.SpoolDir, partner)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return LedgerEntry{}, false, NewError("spool", p.cfg.Mailbox, fi.Name, fmt.Errorf("creating spool folder %s: %w", dir, err))
	}
	rc, err := p.mb.Open(ctx, fi.Name)
	if err != nil {
		return LedgerEntry{}, false, err
	}
	defer rc.Close()

	tmp, err := p.createTemp(dir, ".pickup-*.part")
	if err != nil {
		return LedgerEntry{}, false, NewError("spool", p.cfg.Mailbox, fi.Name, err)
	}
	tmpName := tmp.Name()
	committed := false
	defer func() {
		if !committed {
			tmp.Close()
			os.Remove(tmpName)
		}
	}()
	h := sha256.New()
	// The spool writer tags its own errors so a full disk is not mistaken
	// for a remote read error; the 256 KiB buffer bounds memory whatever
	// the file size.
	sw := &spoolWriter{w: tmp, mailbox: p.cfg.Mailbox, name: fi.Name, local: tmpName}
	n, err := io.CopyBuffer(io.MultiWriter(sw, h), rc, make([]byte, 256<<10))
	if err != nil {
		var te *Error
		if errors.As(err, &te) {
			return LedgerEntry{}, false, err // the backend or the spool writer named it
		}
		return LedgerEntry{}, false, NewError("read", p.cfg.Mailbox, fi.Name, err)
	}
	if n != fi.Size {
		// The file changed between the listing and the download: it was
		// not stable after all. Leave it for the next poll.
		return LedgerEntry{}, false, &Error{Op: "read", Mailbox: p.cfg.Mailbox, Path: fi.Name,
			Err: fmt.Errorf("%w: listed as %d bytes but %d were read; the file is still changing and is retried next poll", ErrUnavailable, fi.Size, n)}
	}
	if err := tmp.Sync(); err != nil {
		return LedgerEntry{}, false, sw.wrap(err)
	}
	if err := tmp.Close(); err != nil {
		return LedgerEntry{}, false, sw.wrap(err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	final := filepath.Join(dir, sum)
	_, statErr := os.Lstat(final)
	existed := statErr == nil
	if err := os.Rename(tmpName, final); err != nil {
		return LedgerEntry{}, false, sw.wrap(err)
	}
	committed = true
	if err := syncDir(dir); err != nil {
		return LedgerEntry{}, false, sw.wrap(err)
	}
	e, created, err := p.cfg.Ledger.Record(ctx, LedgerEntry{
		FileKey:   FileKey{Partner: partner, Mailbox: p.cfg.Mailbox, Path: fi.Name, Size: fi.Size, ModTime: fi.ModTime, Seq: seq},
		SHA256:    sum,
		SpoolPath: final,
		PickedAt:  p.cfg.Clock.Now(),
	})
	if err != nil || !created || e.DuplicateOf != 0 {
		// Not recorded, recorded by another instance, or a duplicate: our
		// spooled copy is not needed (unless the content was already there).
		if !existed {
			os.Remove(final)
		}
	}
	if err != nil {
		return LedgerEntry{}, false, NewError("ledger", p.cfg.Mailbox, fi.Name, err)
	}
	return e, created, nil
}

type spoolWriter struct {
	w                    io.Writer
	mailbox, name, local string
}

func (s *spoolWriter) Write(b []byte) (int, error) {
	n, err := s.w.Write(b)
	if err != nil {
		err = s.wrap(err)
	}
	return n, err
}

func (s *spoolWriter) wrap(err error) error {
	return &Error{Op: "spool", Mailbox: s.mailbox, Path: s.name, Err: fmt.Errorf("writing %s: %w", s.local, mapErr(err))}
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// postAction deletes or archives a recorded file (and its markers), then
// notes it in the ledger. A file already gone counts as done.
func (p *Poller) postAction(ctx context.Context, e LedgerEntry, names map[string]bool) error {
	targets := []string{e.Path}
	for _, m := range p.cfg.Stability.Markers {
		if names[e.Path+m] {
			targets = append(targets, e.Path+m)
		}
	}
	for _, name := range targets {
		var err error
		switch p.cfg.After {
		case Delete:
			err = p.mb.Remove(ctx, name)
		case Move:
			err = p.mb.(Renamer).Rename(ctx, name, p.archiveName(ctx, name, e.SHA256))
		}
		if err != nil && !errors.Is(err, ErrNotExist) {
			return fmt.Errorf("%s after pickup (the file is recorded and will not be processed twice; the %s is retried next poll): %w", p.cfg.After, p.cfg.After, err)
		}
	}
	if err := p.cfg.Ledger.MarkPostDone(ctx, e.ID); err != nil {
		return NewError("ledger", p.cfg.Mailbox, e.Path, err)
	}
	return nil
}

// archiveName keeps the path under ArchiveDir; when a file of that name is
// already archived (a partner re-using a daily name) it appends a short
// content hash so the earlier archive copy is not replaced.
func (p *Poller) archiveName(ctx context.Context, name, sum string) string {
	dest := p.cfg.ArchiveDir + "/" + name
	if st, ok := p.mb.(Stater); ok {
		if _, err := st.Stat(ctx, dest); err == nil {
			dest += "." + sum[:12]
		}
	}
	return dest
}

// lookup finds the ledger entry for a listed file. An entry whose remote
// copy this poller deleted or moved away cannot be the file listed now: that
// is a new arrival with the same name, size and time, so the lookup moves on
// to the next Seq. It returns the entry found (ok) or, when none, a zero
// entry carrying the Seq to record the new arrival under.
func (p *Poller) lookup(ctx context.Context, key FileKey) (LedgerEntry, bool, error) {
	for {
		e, ok, err := p.cfg.Ledger.LookupFile(ctx, key)
		if err != nil {
			return LedgerEntry{}, false, err
		}
		if !ok {
			return LedgerEntry{FileKey: key}, false, nil
		}
		if e.PostDone && p.cfg.After != Leave {
			key.Seq = e.Seq + 1
			continue
		}
		return e, true, nil
	}
}

// stillOurs handles a recorded file whose delete or move is still owed (the
// gateway stopped between recording it and removing it). Before removing
// what is listed now, make sure it is the file that was recorded: if the
// partner uploaded a new file with the same name, size and time meanwhile,
// removing it would lose it. The content is hashed again (this happens only
// after a crash or a refused delete); a different hash makes the listed file
// a new arrival under the next Seq.
func (p *Poller) stillOurs(ctx context.Context, e LedgerEntry) (LedgerEntry, bool, error) {
	sum, err := p.remoteSHA256(ctx, e.Path)
	if err != nil {
		return e, false, err
	}
	for sum != e.SHA256 {
		next := e.FileKey
		next.Seq = e.Seq + 1
		ne, ok, err := p.lookup(ctx, next)
		if err != nil || !ok {
			return ne, ok, err
		}
		e = ne
	}
	return e, true, nil
}

// remoteSHA256 streams a remote file through SHA-256 without keeping it.
func (p *Poller) remoteSHA256(ctx context.Context, name string) (string, error) {
	rc, err := p.mb.Open(ctx, name)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	h := sha256.New()
	if _, err := io.Copy(h, rc); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
