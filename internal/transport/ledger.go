package transport

import (
	"context"
	"sync"
	"time"
)

// FileKey identifies one version of a remote file: the same path with a
// different size or modification time is a different version (a partner
// re-using a daily name), and is downloaded again.
type FileKey struct {
	Partner string
	Mailbox string
	Path    string
	Size    int64
	ModTime time.Time
	// Seq tells apart files that arrive again under the same path, size and
	// modification time after the earlier one was deleted or moved away:
	// listings give times in whole seconds (SFTP, S3) or minutes (FTP), so
	// a partner's next daily file can look identical to the last one. 0 is
	// the first arrival; the poller counts up past entries whose remote
	// copy it removed itself.
	Seq int
}

// LedgerEntry is one picked-up file.
type LedgerEntry struct {
	ID int64
	FileKey
	// SHA256 is the lowercase hex digest of the content.
	SHA256 string
	// SpoolPath is where the content was stored locally.
	SpoolPath string
	PickedAt  time.Time
	// DuplicateOf is the ID of the first entry with the same partner and
	// content, or 0 when this entry is the original. Duplicates are
	// recorded (so a read-only mailbox does not download them again) but
	// not processed.
	DuplicateOf int64
	// PostDone is set once the post-pickup action (delete, move) succeeded;
	// until then the next poll retries only the action, never the pickup.
	PostDone bool
}

// Ledger records picked-up files. It is the exactly-once gate of intake:
// a file is recorded before the remote copy is removed, so a crash between
// the two leaves a recorded file the next poll recognises, never a lost one.
//
// Implementations must be safe for concurrent use and, for a shared store,
// make Record atomic: two gateway instances recording the same content for
// a partner must end with one original and one duplicate.
type Ledger interface {
	// LookupFile returns the entry for exactly this remote file version.
	LookupFile(ctx context.Context, key FileKey) (LedgerEntry, bool, error)
	// Record stores e, assigning ID and DuplicateOf (when an entry with
	// the same partner and SHA256 exists), and reports created=true. For a
	// FileKey that is already recorded (another instance was faster) it
	// returns the existing entry and created=false.
	Record(ctx context.Context, e LedgerEntry) (entry LedgerEntry, created bool, err error)
	// MarkPostDone notes that the post-pickup action for id succeeded.
	MarkPostDone(ctx context.Context, id int64) error
}

// MemLedger is an in-memory Ledger for tests, the demo and one-shot polls.
// It forgets everything when the process exits; the durable store replaces
// it in the server.
type MemLedger struct {
	mu      sync.Mutex
	entries []LedgerEntry
	byKey   map[memKey]int
	byHash  map[[2]string]int64
}

// memKey is FileKey with the time reduced to a comparable value (time.Time
// carries a location and a monotonic reading that == would compare).
type memKey struct {
	partner, mailbox, path string
	size                   int64
	mtime                  int64
	seq                    int
}

func keyOf(k FileKey) memKey {
	return memKey{k.Partner, k.Mailbox, k.Path, k.Size, k.ModTime.UnixNano(), k.Seq}
}

var _ Ledger = (*MemLedger)(nil)

// NewMemLedger returns an empty ledger.
func NewMemLedger() *MemLedger {
	return &MemLedger{byKey: map[memKey]int{}, byHash: map[[2]string]int64{}}
}

// LookupFile implements Ledger.
func (m *MemLedger) LookupFile(_ context.Context, key FileKey) (LedgerEntry, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	i, ok := m.byKey[keyOf(key)]
	if !ok {
		return LedgerEntry{}, false, nil
	}
	return m.entries[i], true, nil
}

// Record implements Ledger.
func (m *MemLedger) Record(_ context.Context, e LedgerEntry) (LedgerEntry, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if i, ok := m.byKey[keyOf(e.FileKey)]; ok {
		return m.entries[i], false, nil
	}
	e.ID = int64(len(m.entries) + 1)
	e.DuplicateOf = 0
	hk := [2]string{e.Partner, e.SHA256}
	if orig, ok := m.byHash[hk]; ok {
		e.DuplicateOf = orig
	} else {
		m.byHash[hk] = e.ID
	}
	m.entries = append(m.entries, e)
	m.byKey[keyOf(e.FileKey)] = len(m.entries) - 1
	return e, true, nil
}

// MarkPostDone implements Ledger.
func (m *MemLedger) MarkPostDone(_ context.Context, id int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if id >= 1 && int(id) <= len(m.entries) {
		m.entries[id-1].PostDone = true
	}
	return nil
}

// Entries returns a copy of all entries in recording order.
func (m *MemLedger) Entries() []LedgerEntry {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]LedgerEntry(nil), m.entries...)
}
