package transport_test

import (
	"errors"
	"testing"

	"github.com/b2bgw/b2bgw/internal/transport"
	"github.com/b2bgw/b2bgw/internal/transport/transporttest"
)

func TestAS2DropConformance(t *testing.T) {
	_, noDeny := denyHook("")
	transporttest.Run(t, transporttest.Harness{
		Partner: "acme",
		NoDeny:  noDeny,
		New: func(t *testing.T) transporttest.Fixture {
			dir := t.TempDir()
			d, err := transport.NewAS2Drop(transport.AS2DropConfig{
				Name: "as2-test", Dir: dir,
				Rules: []transport.RouteRule{{Partner: "acme", Name: "*"}},
			})
			if err != nil {
				t.Fatal(err)
			}
			fx := transporttest.Fixture{Mailbox: d, Server: dirServer{dir}, Drop: func() { transport.DropLocal(d.Local) }}
			if deny, _ := denyHook(dir); deny != nil {
				fx.Deny = deny(t)
			}
			return fx
		},
	})
}

func TestRouter(t *testing.T) {
	// Rules as an OpenAS2 MessageFileModule layout produces them:
	// "<sender>-<receiver>/inbox/<file>-<message id>", plus a name-based
	// rule for a server that drops everything in one folder.
	rules := []transport.RouteRule{
		{Partner: "acme", Dir: "ACMEAS2-B2BGW/inbox"},
		{Partner: "globex", Dir: "GLOBEX*-B2BGW/inbox"},
		{Partner: "initech", Dir: "flat", Name: "INITECH_*"},
		{Partner: "umbrella", Dir: "flat", Name: "*.edi"},
		{Partner: "acme", Dir: "flat", Name: "ACME_*"},
		{Partner: "acme", Dir: "flat", Name: "*_ACME.x12"}, // second rule, same partner: not ambiguous
	}
	rt, err := transport.NewRouter(rules)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		file    string
		want    string
		wantErr error
	}{
		{"sub-folder", "ACMEAS2-B2BGW/inbox/po.x12-<123@acme>", "acme", nil},
		{"sub-folder glob", "GLOBEXEU-B2BGW/inbox/orders.edi", "globex", nil},
		{"glob does not cross folders", "GLOBEX/x-B2BGW/inbox/orders.edi", "", transport.ErrUnrouted},
		{"name pattern", "flat/INITECH_850_1.x12", "initech", nil},
		{"one partner, two rules", "flat/ACME_850_ACME.x12", "acme", nil},
		{"no rule", "flat/unknown.x12", "", transport.ErrUnrouted},
		{"at the root", "stray.x12", "", transport.ErrUnrouted},
		{"two partners match", "flat/INITECH_1.edi", "", transport.ErrUnrouted},
		{"unsafe name", "../flat/ACME_1.x12", "", transport.ErrUnsafeName},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := rt.PartnerFor(tc.file)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("PartnerFor = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestNewRouterRejectsBadRules(t *testing.T) {
	tests := []struct {
		name  string
		rules []transport.RouteRule
	}{
		{"no rules", nil},
		{"no partner", []transport.RouteRule{{Dir: "x"}}},
		{"matches everything", []transport.RouteRule{{Partner: "acme"}}},
		{"bad glob", []transport.RouteRule{{Partner: "acme", Name: "[a"}}},
		{"slash in name", []transport.RouteRule{{Partner: "acme", Name: "in/*.x12"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := transport.NewRouter(tc.rules); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}
