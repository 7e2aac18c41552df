package storetest

import (
	"context"
	"errors"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/b2bgw/b2bgw/internal/store"
	"github.com/b2bgw/b2bgw/internal/transport"
)

func testArchive(t *testing.T, h Harness) {
	b := setup(t, h)
	ctx, s := b.ctx, b.s
	at := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	e := store.ArchiveEntry{SHA256: "abcd", Location: "s3://archive/ab/abcd", Size: 42, ReceivedAt: at}
	tests := []struct {
		name        string
		e           store.ArchiveEntry
		wantCreated bool
	}{
		{"first copy is recorded", e, true},
		{"the same content again keeps the first location", store.ArchiveEntry{SHA256: "abcd", Location: "file:///elsewhere", Size: 42}, false},
	}
	for _, tc := range tests {
		if created := must(s.PutArchive(ctx, tc.e)); created != tc.wantCreated {
			t.Errorf("%s: created = %v", tc.name, created)
		}
	}
	got := must(s.Archived(ctx, "abcd"))
	if got.Location != e.Location || got.Size != 42 || !got.ReceivedAt.Equal(at) || got.Hold {
		t.Errorf("Archived = %+v", got)
	}
	if err := s.HoldArchive(ctx, "abcd", true); err != nil {
		t.Fatal(err)
	}
	if !must(s.Archived(ctx, "abcd")).Hold {
		t.Error("hold not kept")
	}
	if _, err := s.PutArchive(ctx, store.ArchiveEntry{SHA256: "x"}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("entry without location: %v", err)
	}
}

// fileRemover records RemoveFile calls and fails for some hashes.
type fileRemover struct {
	mu      sync.Mutex
	removed []string
	fail    map[string]bool
}

func (f *fileRemover) remove(_ context.Context, e store.ArchiveEntry) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail[e.SHA256] {
		return errors.New("permission denied")
	}
	f.removed = append(f.removed, e.SHA256)
	return nil
}

func testRetention(t *testing.T, h Harness) {
	b := setup(t, h)
	ctx, s := b.ctx, b.s
	old := time.Now().Add(-100 * 24 * time.Hour)
	cutoff := time.Now().Add(-90 * 24 * time.Hour)

	// Lineages: messages get "now" as creation time, so the cut-off is set
	// just after creating the old ones instead.
	lineage := func(rootStatus store.Status, childStatus store.Status, sha string) store.Message {
		f := must(s.AddMessage(ctx, store.Message{Kind: store.KindFile, Partner: "acme", SHA256: sha, Status: rootStatus}))
		must(s.AddMessage(ctx, store.Message{Kind: store.KindSet, ParentID: f.ID, Status: childStatus}))
		return f
	}
	done := lineage(store.StatusDone, store.StatusPosted, "sha-done")
	failedChild := lineage(store.StatusDone, store.StatusFailed, "sha-failed-child")
	notFinal := lineage(store.StatusReceived, store.StatusAccepted, "sha-open")
	awaiting := lineage(store.StatusDone, store.StatusPosted, "")
	ack := must(s.AddMessage(ctx, store.Message{Kind: store.KindAck, ParentID: awaiting.ID, Status: store.StatusSent}))
	must(s.TrackOutbound(ctx, store.OutboundDoc{MessageID: ack.ID, Partner: "acme", GroupControl: "7"}))
	time.Sleep(2 * time.Millisecond)
	msgCutoff := time.Now()
	young := lineage(store.StatusDone, store.StatusPosted, "sha-young")

	for _, a := range []store.ArchiveEntry{
		{SHA256: "sha-done", Location: "l1", ReceivedAt: old},         // its lineage goes: goes
		{SHA256: "sha-failed-child", Location: "l2", ReceivedAt: old}, // still referenced: stays
		{SHA256: "sha-open", Location: "l3", ReceivedAt: old},         // still referenced: stays
		{SHA256: "sha-young", Location: "l4", ReceivedAt: old},        // referenced by a young lineage: stays
		{SHA256: "sha-orphan", Location: "l5", ReceivedAt: old},       // nobody refers to it: goes
		{SHA256: "sha-held", Location: "l6", ReceivedAt: old, Hold: true},
		{SHA256: "sha-recent", Location: "l7", ReceivedAt: time.Now()}, // too young
		{SHA256: "sha-stuck", Location: "l8", ReceivedAt: old},         // RemoveFile fails: entry stays
	} {
		must(s.PutArchive(ctx, a))
	}
	must(s.CheckInterchange(ctx, icKey("ACME", "000000001")))
	must3(s.Record(ctx, transport.LedgerEntry{FileKey: fileKey("acme", "a.x12", 1, old), SHA256: "sha-orphan", PickedAt: old}))

	rm := &fileRemover{fail: map[string]bool{"sha-stuck": true}}
	// Two cut-offs: lineages by msgCutoff, archive by cutoff (both "older
	// than N days" in production; one Before here would need a fake clock).
	res, err := s.Prune(ctx, store.PruneOptions{Before: msgCutoff, RemoveFile: rm.remove, Batch: 1})
	if err == nil || len(res.FileErrors) != 1 {
		t.Errorf("Prune = %+v, %v; want one file error", res, err)
	}
	if res.Lineages != 1 || res.Messages != 2 {
		t.Errorf("pruned %d lineages / %d messages, want 1 / 2", res.Lineages, res.Messages)
	}
	sort.Strings(rm.removed)
	if want := []string{"sha-done", "sha-orphan"}; !equalStrings(rm.removed, want) {
		t.Errorf("files removed = %v, want %v", rm.removed, want)
	}
	if res.Archived != 2 {
		t.Errorf("archive entries pruned = %d, want 2", res.Archived)
	}
	for _, c := range []struct {
		id   int64
		kept bool
	}{{done.ID, false}, {failedChild.ID, true}, {notFinal.ID, true}, {awaiting.ID, true}, {young.ID, true}} {
		_, err := s.Message(ctx, c.id)
		if kept := err == nil; kept != c.kept {
			t.Errorf("lineage %d kept = %v (%v), want %v", c.id, kept, err, c.kept)
		}
	}
	for sha, kept := range map[string]bool{"sha-done": false, "sha-orphan": false, "sha-failed-child": true,
		"sha-open": true, "sha-young": true, "sha-held": true, "sha-recent": true, "sha-stuck": true} {
		_, err := s.Archived(ctx, sha)
		if got := err == nil; got != kept {
			t.Errorf("archive %s kept = %v, want %v", sha, got, kept)
		}
	}
	// Ledgers are kept unless asked for.
	if seen := must(s.CheckInterchange(ctx, icKey("ACME", "000000001"))); !seen {
		t.Error("Prune without InboundBefore forgot a control number")
	}
	res, err = s.Prune(ctx, store.PruneOptions{Before: cutoff, RemoveFile: rm.remove,
		InboundBefore: time.Now().Add(time.Second), PickupsBefore: cutoff})
	if err == nil || res.Inbound != 1 || res.Pickups != 0 {
		t.Errorf("second Prune = %+v, %v; want 1 inbound, 0 pickups (not post-done), the stuck file error", res, err)
	}
	if _, err := s.Prune(ctx, store.PruneOptions{}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("Prune without options: %v", err)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func testOutbound(t *testing.T, h Harness) {
	b := setup(t, h)
	ctx, s := b.ctx, b.s
	now := time.Now()
	track := func(partner, group, set string, age time.Duration) store.OutboundDoc {
		return must(s.TrackOutbound(ctx, store.OutboundDoc{Partner: partner, Standard: "x12", InterchangeControl: "1",
			GroupControl: group, SetControl: set, DocType: "856", DocNumber: "ASN-" + set, SentAt: now.Add(-age)}))
	}
	a1 := track("acme", "100", "0001", 30*time.Hour)
	a2 := track("acme", "100", "0002", 30*time.Hour)
	a3 := track("acme", "101", "0001", 2*time.Hour)
	g1 := track("globex", "5", "0001", 3*time.Hour)
	g2 := track("globex", "6", "0001", 30*time.Minute)

	overdue := func(q store.OverdueQuery) []int64 {
		t.Helper()
		q.Now = now
		var ids []int64
		for _, d := range must(s.Overdue(ctx, q)) {
			ids = append(ids, d.ID)
		}
		return ids
	}
	tests := []struct {
		name string
		q    store.OverdueQuery
		want []int64
	}{
		{"default 24h", store.OverdueQuery{}, []int64{a1.ID, a2.ID}},
		{"per-partner threshold", store.OverdueQuery{PerPartner: map[string]time.Duration{"globex": time.Hour}},
			[]int64{a1.ID, a2.ID, g1.ID}},
		{"shorter default", store.OverdueQuery{Default: time.Hour, PerPartner: map[string]time.Duration{"globex": 4 * time.Hour}},
			[]int64{a1.ID, a2.ID, a3.ID}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer catch(t)
			if got := overdue(tc.q); !equalIDs(got, tc.want) {
				t.Errorf("Overdue = %v, want %v", got, tc.want)
			}
		})
	}
	// A group-level 997 (AK1 without AK2) covers every set of the group.
	if n := must(s.AckOutbound(ctx, store.AckMatch{Partner: "acme", GroupControl: "100"}, "A", 0)); n != 2 {
		t.Errorf("group ack matched %d, want 2", n)
	}
	// A set-level ack matches one; a repeat matches nothing.
	for i, want := range []int64{1, 0} {
		if n := must(s.AckOutbound(ctx, store.AckMatch{Partner: "globex", GroupControl: "5", SetControl: "0001"}, "E", 0)); n != want {
			t.Errorf("set ack #%d matched %d, want %d", i+1, n, want)
		}
	}
	if got := overdue(store.OverdueQuery{Default: time.Minute}); !equalIDs(got, []int64{a3.ID, g2.ID}) {
		t.Errorf("after acks, overdue = %v, want [%d %d]", got, a3.ID, g2.ID)
	}
	if _, err := s.AckOutbound(ctx, store.AckMatch{Partner: "acme"}, "A", 0); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("ack without a control number: %v", err)
	}
}
