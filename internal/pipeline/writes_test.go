package pipeline

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/b2bgw/b2bgw/internal/errclass"
	"github.com/b2bgw/b2bgw/internal/store"
	"github.com/b2bgw/b2bgw/internal/store/storetest"
	"github.com/b2bgw/b2bgw/internal/x12"
)

func TestArchivePutAll(t *testing.T) {
	tests := []struct {
		name string
		in   [][]byte
	}{
		{"none", nil},
		{"one", [][]byte{[]byte("a")}},
		{"skips nil", [][]byte{[]byte("a"), nil, []byte("c")}},
		{"same content twice", [][]byte{[]byte("same"), []byte("same"), []byte("other")}},
		{"more than the workers", bytes.Fields([]byte("1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &Archive{Dir: t.TempDir()}
			sums, err := a.PutAll(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if len(sums) != len(tt.in) {
				t.Fatalf("%d sums for %d inputs", len(sums), len(tt.in))
			}
			for i, b := range tt.in {
				if b == nil {
					if sums[i] != "" {
						t.Errorf("input %d is nil but has sum %q", i, sums[i])
					}
					continue
				}
				h := sha256.Sum256(b)
				if want := hex.EncodeToString(h[:]); sums[i] != want {
					t.Errorf("input %d: sum %s, want %s", i, sums[i], want)
				}
				got, err := a.Read(sums[i])
				if err != nil || !bytes.Equal(got, b) {
					t.Errorf("input %d: read back %q, %v", i, got, err)
				}
			}
			// No temp file is left behind.
			_ = filepath.WalkDir(a.Dir, func(p string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() && filepath.Base(p)[0] == '.' {
					t.Errorf("left behind: %s", p)
				}
				return nil
			})
		})
	}
	t.Run("error", func(t *testing.T) {
		dir := t.TempDir()
		blocked := filepath.Join(dir, "archive")
		must(t, os.WriteFile(blocked, nil, 0o644)) // a file where the folder should be
		if _, err := (&Archive{Dir: blocked}).PutAll([][]byte{[]byte("x"), []byte("y")}); err == nil {
			t.Fatal("PutAll into a file: no error")
		}
	})
}

// TestDupPolicyClaimChanged: when another file claims a key between the
// reading (a peek) and the recording transaction, the transaction fails
// retryably instead of recording statuses from a stale answer.
func TestDupPolicyClaimChanged(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, storetest.SQLiteDSN(t))
	must(t, err)
	defer st.Close()
	must(t, st.Migrate(ctx))
	k := x12.InterchangeKey{SenderQualifier: "ZZ", SenderID: "ACME", ReceiverQualifier: "ZZ", ReceiverID: "US", Control: "000000007"}
	r := &x12.InterchangeResult{Interchange: &x12.Interchange{SenderQualifier: k.SenderQualifier, SenderID: k.SenderID,
		ReceiverQualifier: k.ReceiverQualifier, ReceiverID: k.ReceiverID, Control: k.Control}}
	tests := []struct {
		name      string
		between   string // a claimant claiming k between peek and claim ("": none)
		wantErr   bool
		wantFinal bool // whether another claimant then sees k
	}{
		{"nobody in between", "", false, true},
		{"the same file in between (a retried job)", "sha-a", false, true},
		{"another file in between", "sha-b", true, true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := k
			k.Control = "00000010" + string(rune('0'+i))
			r.Interchange.Control = k.Control
			d := &dupPolicy{d: st.Peek("sha-a"), log: slog.New(slog.DiscardHandler), icClaims: map[x12.InterchangeKey]bool{},
				grpClaims: map[x12.GroupKey]bool{}, dupICs: map[x12.InterchangeKey]bool{}, warnedICs: map[x12.InterchangeKey]bool{}}
			if dup, err := d.CheckInterchange(ctx, k); err != nil || dup {
				t.Fatalf("first reading: duplicate=%v err=%v", dup, err)
			}
			if tt.between != "" {
				_, err := st.Claim(tt.between).CheckInterchange(ctx, k)
				must(t, err)
			}
			err := st.WithTx(ctx, func(tx store.Tx) error { return d.claim(ctx, tx.Claim("sha-a"), r) })
			if (err != nil) != tt.wantErr {
				t.Fatalf("claim: %v, want error %v", err, tt.wantErr)
			}
			if err != nil && !errclass.IsRetryable(err) {
				t.Errorf("claim: %v is not retryable", err)
			}
			seen, err := st.Peek("sha-other").CheckInterchange(ctx, k)
			must(t, err)
			if seen != tt.wantFinal {
				t.Errorf("another file then sees the key: %v, want %v", seen, tt.wantFinal)
			}
		})
	}
}

// TestArchivePutFileLinks: a spooled pickup on the archive's file system
// becomes the archive's copy by a hard link, which outlives the spool's
// name; a wrong hash is refused before anything is linked.
func TestArchivePutFileLinks(t *testing.T) {
	dir := t.TempDir()
	a := &Archive{Dir: filepath.Join(dir, "archive")}
	content := []byte("ISA*00*...~")
	h := sha256.Sum256(content)
	sum := hex.EncodeToString(h[:])
	tests := []struct {
		name     string
		sum      string
		wantErr  bool
		wantLink bool
	}{
		{"wrong hash", hex.EncodeToString(make([]byte, 32)), true, false},
		{"linked", sum, false, true},
		{"again: already archived", sum, false, true},
	}
	src := filepath.Join(dir, "spool", sum)
	must(t, os.MkdirAll(filepath.Dir(src), 0o750))
	must(t, os.WriteFile(src, content, 0o600))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := a.PutFile(src, tt.sum)
			if (err != nil) != tt.wantErr {
				t.Fatalf("PutFile: %v, want error %v", err, tt.wantErr)
			}
			fi, err := os.Stat(a.path(tt.sum))
			if !tt.wantLink {
				if err == nil {
					t.Errorf("%s archived after an error", tt.sum)
				}
				return
			}
			must(t, err)
			sfi, err := os.Stat(src)
			must(t, err)
			if !os.SameFile(fi, sfi) {
				t.Errorf("the archive's copy is not a link to the spooled file")
			}
		})
	}
	must(t, os.Remove(src))
	if got, err := a.Read(sum); err != nil || !bytes.Equal(got, content) {
		t.Errorf("Read after the spool's copy is gone: %q, %v", got, err)
	}
}
