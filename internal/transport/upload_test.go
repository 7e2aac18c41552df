package transport_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/b2bgw/b2bgw/internal/transport"
)

func TestNameTemplate(t *testing.T) {
	at := time.Date(2024, 3, 9, 14, 5, 6, 0, time.UTC)
	vars := transport.NameVars{Partner: "acme", Control: "000000042", DocType: "846", Time: at, Seq: 7}
	tests := []struct {
		tmpl     string
		want     string
		parseErr bool
		execErr  bool
	}{
		{tmpl: "997_{control}.x12", want: "997_000000042.x12"},
		{tmpl: "{partner}_{date:20060102}_{seq}.csv", want: "acme_20240309_7.csv"},
		{tmpl: "{partner}_{date}_{seq:6}.csv", want: "acme_20240309_000007.csv"},
		{tmpl: "out/{doctype}/{date:2006-01-02T150405}.edi", want: "out/846/2024-03-09T140506.edi"},
		{tmpl: "{{literal}}_{control}", want: "{literal}_000000042"},
		{tmpl: "{controll}.x12", parseErr: true},
		{tmpl: "{partner:x}.x12", parseErr: true},
		{tmpl: "{seq:0}", parseErr: true},
		{tmpl: "{seq:abc}", parseErr: true},
		{tmpl: "{date:}", parseErr: true},
		{tmpl: "{control", parseErr: true},
		{tmpl: "control}", parseErr: true},
		{tmpl: "", parseErr: true},
		{tmpl: "../{control}", execErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.tmpl, func(t *testing.T) {
			tm, err := transport.ParseNameTemplate(tc.tmpl)
			if tc.parseErr {
				if !errors.Is(err, transport.ErrTemplate) {
					t.Fatalf("parse err = %v, want ErrTemplate", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := tm.Execute(vars)
			if tc.execErr {
				if !errors.Is(err, transport.ErrTemplate) {
					t.Fatalf("exec err = %v, want ErrTemplate", err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Execute = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestNameTemplateRefusesBadValues(t *testing.T) {
	tm, err := transport.ParseNameTemplate("{partner}_{control}.x12")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []transport.NameVars{
		{Partner: "acme"},                   // missing control
		{Partner: "../x", Control: "1"},     // separator in a value
		{Partner: `a\b`, Control: "1"},      // backslash in a value
		{Partner: "acme", Control: "1\x00"}, // NUL
	} {
		if name, err := tm.Execute(v); !errors.Is(err, transport.ErrTemplate) {
			t.Errorf("Execute(%+v) = %q, %v; want ErrTemplate", v, name, err)
		}
	}
}

// plainMailbox hides Local's optional abilities and atomic put, to exercise
// the uploader's fallbacks (temp + Rename, List instead of Stat).
type plainMailbox struct {
	*transport.Local
	feat   transport.Features
	rename bool
	puts   []string
}

func (p *plainMailbox) Features() transport.Features { return p.feat }
func (p *plainMailbox) Put(ctx context.Context, name string, r io.Reader) error {
	p.puts = append(p.puts, name)
	return p.Local.Put(ctx, name, r)
}

type renamingMailbox struct{ *plainMailbox }

func (r renamingMailbox) Rename(ctx context.Context, a, b string) error {
	return r.Local.Rename(ctx, a, b)
}

func TestUploaderFallbacks(t *testing.T) {
	tests := []struct {
		name          string
		feat          transport.Features
		rename        bool
		wantTemp      bool
		wantNotAtomic bool
	}{
		{"atomic put", transport.Features{AtomicPut: true}, false, false, false},
		{"temp then rename", transport.Features{Rename: true}, true, true, false},
		{"neither: declared not atomic", transport.Features{}, false, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, err := transport.NewLocal(transport.LocalConfig{Name: "out", Dir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			pm := &plainMailbox{Local: l, feat: tc.feat}
			var mb transport.Mailbox = struct {
				transport.Mailbox
			}{pm}
			if tc.rename {
				mb = renamingMailbox{pm}
			}
			u := &transport.Uploader{Mailbox: mb, Partner: "acme", MailboxID: "out"}
			res, err := u.Upload(context.Background(), "outbox/a.x12", bytes.NewReader([]byte("ISA")))
			if err != nil {
				t.Fatal(err)
			}
			if res.NotAtomic != tc.wantNotAtomic || res.Size != 3 {
				t.Errorf("result = %+v", res)
			}
			if len(pm.puts) != 1 {
				t.Fatalf("puts = %v", pm.puts)
			}
			if isTemp := strings.HasSuffix(pm.puts[0], ".part"); isTemp != tc.wantTemp {
				t.Errorf("put to %q, want temp name = %v", pm.puts[0], tc.wantTemp)
			}
			if _, err := u.Upload(context.Background(), "outbox/a.x12", bytes.NewReader([]byte("ISB"))); !errors.Is(err, transport.ErrConflict) {
				t.Errorf("conflict not detected through the List fallback: %v", err)
			}
		})
	}
}
