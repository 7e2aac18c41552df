package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/b2bgw/b2bgw/internal/store"
	"github.com/b2bgw/b2bgw/internal/transport"
	"github.com/b2bgw/b2bgw/internal/x12"
)

func fileKey(partner, path string, size int64, mtime time.Time) transport.FileKey {
	return transport.FileKey{Partner: partner, Mailbox: "inbox", Path: path, Size: size, ModTime: mtime}
}

func testLedger(t *testing.T, h Harness) {
	b := setup(t, h)
	ctx, s := b.ctx, b.s
	// Nanoseconds on purpose: the ledger must compare mtimes exactly.
	mtime := time.Date(2026, 11, 26, 8, 30, 0, 123456789, time.UTC)
	first := must3(s.Record(ctx, transport.LedgerEntry{FileKey: fileKey("acme", "po1.x12", 10, mtime),
		SHA256: "aaaa", SpoolPath: "/spool/aaaa"}))
	tests := []struct {
		name        string
		e           transport.LedgerEntry
		wantCreated bool
		wantID      int64 // 0: a new id
		wantDupOf   int64
	}{
		{"same file version again: the existing entry",
			transport.LedgerEntry{FileKey: fileKey("acme", "po1.x12", 10, mtime), SHA256: "aaaa"}, false, first.ID, 0},
		{"same content under another name: a duplicate of the first",
			transport.LedgerEntry{FileKey: fileKey("acme", "po1-resent.x12", 10, mtime), SHA256: "aaaa"}, true, 0, first.ID},
		{"same name, new mtime, same content: a duplicate",
			transport.LedgerEntry{FileKey: fileKey("acme", "po1.x12", 10, mtime.Add(time.Nanosecond)), SHA256: "aaaa"}, true, 0, first.ID},
		{"same content, another partner: an original",
			transport.LedgerEntry{FileKey: fileKey("globex", "po1.x12", 10, mtime), SHA256: "aaaa"}, true, 0, 0},
		{"same name, size and time again after the first was removed (Seq 1): a new entry",
			transport.LedgerEntry{FileKey: withSeq(fileKey("acme", "po1.x12", 10, mtime), 1), SHA256: "cccc"}, true, 0, 0},
		{"daily name reused with new content: an original",
			transport.LedgerEntry{FileKey: fileKey("acme", "po1.x12", 11, mtime.Add(24*time.Hour)), SHA256: "bbbb"}, true, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer catch(t)
			e, created, err := s.Record(ctx, tc.e)
			if err != nil {
				t.Fatal(err)
			}
			if created != tc.wantCreated || e.DuplicateOf != tc.wantDupOf || (tc.wantID != 0 && e.ID != tc.wantID) ||
				(tc.wantID == 0 && e.ID == first.ID) {
				t.Errorf("Record = %+v created=%v; want created=%v id=%d duplicateOf=%d", e, created,
					tc.wantCreated, tc.wantID, tc.wantDupOf)
			}
			got, ok, err := s.LookupFile(ctx, tc.e.FileKey)
			if err != nil || !ok || got.ID != e.ID || !got.ModTime.Equal(tc.e.ModTime) || got.SHA256 != tc.e.SHA256 {
				t.Errorf("LookupFile = %+v %v %v", got, ok, err)
			}
		})
	}
	t.Run("lookup of an unknown version", func(t *testing.T) {
		defer catch(t)
		if _, ok, err := s.LookupFile(ctx, fileKey("acme", "po1.x12", 10, mtime.Add(time.Second))); ok || err != nil {
			t.Errorf("LookupFile = %v %v, want not found", ok, err)
		}
	})
	t.Run("post action done", func(t *testing.T) {
		defer catch(t)
		if first.PostDone {
			t.Fatal("new entry already post-done")
		}
		if err := s.MarkPostDone(ctx, first.ID); err != nil {
			t.Fatal(err)
		}
		e := must(s.Pickup(ctx, first.ID))
		if !e.PostDone || e.SpoolPath != "/spool/aaaa" || e.PickedAt.IsZero() {
			t.Errorf("entry = %+v", e)
		}
	})
}

func must3[A, B any](a A, _ B, err error) A { return must(a, err) }

// testLedgerConcurrent: gateway instances (separate stores on one
// database) record the same file, and the same content, at once.
func testLedgerConcurrent(t *testing.T, h Harness) {
	b := setup(t, h)
	ctx := b.ctx
	stores := []*store.DB{b.s, Open(t, b.dsn, false), Open(t, b.dsn, false)}
	const n = 12
	mtime := time.Unix(1_700_000_000, 0)
	t.Run("same file: exactly one created", func(t *testing.T) {
		defer catch(t)
		var wg sync.WaitGroup
		results := make([]transport.LedgerEntry, n)
		created := make([]bool, n)
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], created[i], errs[i] = stores[i%len(stores)].Record(ctx, transport.LedgerEntry{
					FileKey: fileKey("acme", "race.x12", 5, mtime), SHA256: "cccc"})
			}()
		}
		wg.Wait()
		nCreated := 0
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("Record %d: %v", i, errs[i])
			}
			if created[i] {
				nCreated++
			}
			if results[i].ID != results[0].ID {
				t.Errorf("Record %d returned entry %d, others %d", i, results[i].ID, results[0].ID)
			}
		}
		if nCreated != 1 {
			t.Errorf("%d Records created the entry, want exactly 1", nCreated)
		}
	})
	t.Run("same content, different files: exactly one original", func(t *testing.T) {
		defer catch(t)
		var wg sync.WaitGroup
		results := make([]transport.LedgerEntry, n)
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], _, errs[i] = stores[i%len(stores)].Record(ctx, transport.LedgerEntry{
					FileKey: fileKey("acme", fmt.Sprintf("copy-%d.x12", i), 5, mtime), SHA256: "dddd"})
			}()
		}
		wg.Wait()
		var orig int64
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("Record %d: %v", i, errs[i])
			}
			if results[i].DuplicateOf == 0 {
				if orig != 0 {
					t.Fatalf("two originals: %d and %d", orig, results[i].ID)
				}
				orig = results[i].ID
			}
		}
		for i := range n {
			if results[i].ID != orig && results[i].DuplicateOf != orig {
				t.Errorf("entry %d is a duplicate of %d, want %d", results[i].ID, results[i].DuplicateOf, orig)
			}
		}
	})
}

func icKey(sender, control string) x12.InterchangeKey {
	return x12.InterchangeKey{SenderQualifier: "ZZ", SenderID: sender, ReceiverQualifier: "ZZ", ReceiverID: "B2BGW", Control: control}
}

func grpKey(sender, appSender, control string) x12.GroupKey {
	return x12.GroupKey{SenderQualifier: "ZZ", SenderID: sender, AppSender: appSender, AppReceiver: "B2BGW", Control: control}
}

func testInbound(t *testing.T, h Harness) {
	b := setup(t, h)
	ctx, s := b.ctx, b.s
	fileA, fileB := s.Claim("sha-a"), s.Claim("sha-b")
	steps := []struct {
		name     string
		check    func() (bool, error)
		wantSeen bool
	}{
		{"new interchange", func() (bool, error) { return s.CheckInterchange(ctx, icKey("ACME", "000000001")) }, false},
		{"same interchange again", func() (bool, error) { return s.CheckInterchange(ctx, icKey("ACME", "000000001")) }, true},
		{"same ISA13 from another sender", func() (bool, error) { return s.CheckInterchange(ctx, icKey("GLOBEX", "000000001")) }, false},
		{"same ISA13 to another receiver", func() (bool, error) {
			k := icKey("ACME", "000000001")
			k.ReceiverID = "OTHER"
			return s.CheckInterchange(ctx, k)
		}, false},
		{"new group", func() (bool, error) { return s.CheckGroup(ctx, grpKey("ACME", "ACMEPO", "1")) }, false},
		{"same group again", func() (bool, error) { return s.CheckGroup(ctx, grpKey("ACME", "ACMEPO", "1")) }, true},
		{"group of another application sender", func() (bool, error) { return s.CheckGroup(ctx, grpKey("ACME", "ACMEASN", "1")) }, false},
		{"claimed by file A", func() (bool, error) { return fileA.CheckInterchange(ctx, icKey("ACME", "000000002")) }, false},
		{"file A re-read (a retried job) is not its own duplicate", func() (bool, error) {
			return fileA.CheckInterchange(ctx, icKey("ACME", "000000002"))
		}, false},
		{"file B resending it is a duplicate", func() (bool, error) { return fileB.CheckInterchange(ctx, icKey("ACME", "000000002")) }, true},
		{"unclaimed check of a claimed key is a duplicate", func() (bool, error) {
			return s.CheckInterchange(ctx, icKey("ACME", "000000002"))
		}, true},
		{"claimed group re-read", func() (bool, error) {
			if _, err := fileA.CheckGroup(ctx, grpKey("ACME", "ACMEPO", "2")); err != nil {
				return false, err
			}
			return fileA.CheckGroup(ctx, grpKey("ACME", "ACMEPO", "2"))
		}, false},
		{"non-numeric control number", func() (bool, error) { return s.CheckInterchange(ctx, icKey("ACME", "ABC")) }, false},
	}
	for _, st := range steps {
		seen, err := st.check()
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if seen != st.wantSeen {
			t.Errorf("%s: seen = %v, want %v", st.name, seen, st.wantSeen)
		}
	}
	// Inside a transaction the check rolls back with it.
	_ = s.WithTx(ctx, func(tx store.Tx) error {
		if seen, err := tx.CheckInterchange(ctx, icKey("ACME", "000000099")); err != nil || seen {
			t.Errorf("in tx: %v %v", seen, err)
		}
		return fmt.Errorf("roll back")
	})
	if seen, err := s.CheckInterchange(ctx, icKey("ACME", "000000099")); err != nil || seen {
		t.Errorf("after rollback: seen=%v err=%v, want not seen", seen, err)
	}
}

// testInboundPeek: Peek answers what Claim would, and remembers nothing.
func testInboundPeek(t *testing.T, h Harness) {
	b := setup(t, h)
	ctx, s := b.ctx, b.s
	must(s.Claim("sha-a").CheckInterchange(ctx, icKey("ACME", "000000001")))
	must(s.Claim("sha-a").CheckGroup(ctx, grpKey("ACME", "ACMEPO", "1")))
	steps := []struct {
		name     string
		claimant string
		ic       x12.InterchangeKey
		grp      x12.GroupKey
		wantSeen bool
	}{
		{"unknown interchange", "sha-a", icKey("ACME", "000000002"), x12.GroupKey{}, false},
		{"interchange claimed by the same file", "sha-a", icKey("ACME", "000000001"), x12.GroupKey{}, false},
		{"interchange claimed by another file", "sha-b", icKey("ACME", "000000001"), x12.GroupKey{}, true},
		{"unknown group", "sha-a", x12.InterchangeKey{}, grpKey("ACME", "ACMEPO", "2"), false},
		{"group claimed by the same file", "sha-a", x12.InterchangeKey{}, grpKey("ACME", "ACMEPO", "1"), false},
		{"group claimed by another file", "sha-b", x12.InterchangeKey{}, grpKey("ACME", "ACMEPO", "1"), true},
	}
	for _, st := range steps {
		for range 2 { // a peek changes nothing: the same answer twice
			var seen bool
			var err error
			if st.ic != (x12.InterchangeKey{}) {
				seen, err = s.Peek(st.claimant).CheckInterchange(ctx, st.ic)
			} else {
				seen, err = s.Peek(st.claimant).CheckGroup(ctx, st.grp)
			}
			if err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			if seen != st.wantSeen {
				t.Errorf("%s: Peek says seen = %v, want %v", st.name, seen, st.wantSeen)
			}
		}
		// Claim agrees, and its upsert is what records the key.
		var seen bool
		if st.ic != (x12.InterchangeKey{}) {
			seen = must(s.Claim(st.claimant).CheckInterchange(ctx, st.ic))
		} else {
			seen = must(s.Claim(st.claimant).CheckGroup(ctx, st.grp))
		}
		if seen != st.wantSeen {
			t.Errorf("%s: Claim says seen = %v after Peek said %v", st.name, seen, st.wantSeen)
		}
	}
}

func testInboundConcurrent(t *testing.T, h Harness) {
	b := setup(t, h)
	ctx := b.ctx
	stores := []*store.DB{b.s, Open(t, b.dsn, false), Open(t, b.dsn, false)}
	const n = 12
	for _, level := range []string{"interchange", "group"} {
		t.Run(level, func(t *testing.T) {
			defer catch(t)
			var wg sync.WaitGroup
			seen := make([]bool, n)
			errs := make([]error, n)
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					s := stores[i%len(stores)]
					if level == "interchange" {
						seen[i], errs[i] = s.CheckInterchange(ctx, icKey("RACE", "000000777"))
					} else {
						seen[i], errs[i] = s.CheckGroup(ctx, grpKey("RACE", "RACEPO", "777"))
					}
				}()
			}
			wg.Wait()
			notSeen := 0
			for i := range n {
				if errs[i] != nil {
					t.Fatal(errs[i])
				}
				if !seen[i] {
					notSeen++
				}
			}
			if notSeen != 1 {
				t.Errorf("%d of %d concurrent checks were told 'not seen', want exactly 1", notSeen, n)
			}
		})
	}
}

func testInboundGapsAndReset(t *testing.T, h Harness) {
	b := setup(t, h)
	ctx, s := b.ctx, b.s
	for _, c := range []string{"000000001", "000000002", "000000005", "000000006", "000000010", "X-1"} {
		must(s.CheckInterchange(ctx, icKey("ACME", c)))
	}
	for _, c := range []string{"7", "8", "10"} {
		must(s.CheckGroup(ctx, grpKey("ACME", "ACMEPO", c)))
	}
	must(s.CheckInterchange(ctx, icKey("GLOBEX", "000000050"))) // another sender: its own sequence
	tests := []struct {
		name string
		got  func() ([]store.Gap, error)
		want []store.Gap
	}{
		{"interchange gaps", func() ([]store.Gap, error) {
			return s.InterchangeGaps(ctx, store.InterchangeSeq{SenderQualifier: "ZZ", SenderID: "ACME"}, 0)
		}, []store.Gap{{From: 3, To: 4}, {From: 7, To: 9}}},
		{"limit", func() ([]store.Gap, error) {
			return s.InterchangeGaps(ctx, store.InterchangeSeq{SenderQualifier: "ZZ", SenderID: "ACME"}, 1)
		}, []store.Gap{{From: 3, To: 4}}},
		{"group gaps", func() ([]store.Gap, error) {
			return s.GroupGaps(ctx, store.GroupSeq{SenderQualifier: "ZZ", SenderID: "ACME", AppSender: "ACMEPO"}, 0)
		}, []store.Gap{{From: 9, To: 9}}},
		{"a single interchange has no gap", func() ([]store.Gap, error) {
			return s.InterchangeGaps(ctx, store.InterchangeSeq{SenderQualifier: "ZZ", SenderID: "GLOBEX"}, 0)
		}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer catch(t)
			got := must(tc.got())
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("gaps = %v, want %v", got, tc.want)
			}
		})
	}
	t.Run("reset is audited and forgets the sender only", func(t *testing.T) {
		defer catch(t)
		if _, err := s.ResetInbound(ctx, store.InboundReset{SenderQualifier: "ZZ", SenderID: "ACME"}); err == nil {
			t.Error("a reset without actor and reason was accepted")
		}
		n := must(s.ResetInbound(ctx, store.InboundReset{SenderQualifier: "ZZ", SenderID: "ACME",
			Actor: "ops@example.com", Reason: "partner restarted ISA13 at 1 after migration"}))
		if n != 9 {
			t.Errorf("reset removed %d rows, want 9 (6 interchanges + 3 groups)", n)
		}
		if seen := must(s.CheckInterchange(ctx, icKey("ACME", "000000001"))); seen {
			t.Error("after reset ISA13 1 is still a duplicate")
		}
		if seen := must(s.CheckInterchange(ctx, icKey("GLOBEX", "000000050"))); !seen {
			t.Error("the reset forgot another sender")
		}
		a := must(s.Audit(ctx, 10))
		if len(a) != 1 || a[0].Action != "inbound-reset" || a[0].Subject != "ZZ:ACME" || a[0].Actor != "ops@example.com" ||
			a[0].Before != 10 || a[0].Reason == "" {
			t.Errorf("audit = %+v", a)
		}
	})
}

func withSeq(k transport.FileKey, seq int) transport.FileKey {
	k.Seq = seq
	return k
}
