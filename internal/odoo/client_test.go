package odoo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/b2bgw/b2bgw/internal/errclass"
	"github.com/b2bgw/b2bgw/internal/odoo/odoosim"
)

func TestProtocolAndVersion(t *testing.T) {
	t.Parallel()
	for _, v := range versions {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			b := setup(t, v)
			want := ProtocolJSONRPC
			if v == "19.0" {
				want = ProtocolJSON2
			}
			if got := b.c.Protocol(); got != want || b.c.Version().String() != v || b.c.UID() != odoosim.AdminUID {
				t.Errorf("protocol %s version %s uid %d", got, b.c.Version(), b.c.UID())
			}
			// JSON-RPC still works on 19 when asked for.
			c := b.client(func(cfg *Config) { cfg.Protocol = ProtocolJSONRPC })
			rows, err := c.SearchRead(b.ctx, "res.partner", Domain{Cond("ref", "=", "ACMERETAIL")}, []string{"name", "parent_id"}, SearchOpts{})
			if err != nil || len(rows) != 1 || rows[0].String("name") != "ACME RETAIL" || rows[0].M2OID("parent_id") != 0 {
				t.Fatalf("%v %v", rows, err)
			}
		})
	}
}

func TestErrorKinds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		req   Request
		kind  Kind
		class errclass.Class
	}{
		{"unknown model", Request{Model: "x.nope", Method: "search_read", Kwargs: map[string]any{"domain": []any{}}}, KindUnknownModel, errclass.Permanent},
		{"unknown method", Request{Model: "res.partner", Method: "do_magic", IDs: []int64{1}}, KindUnknownMethod, errclass.Permanent},
		{"unknown field", Request{Model: "res.partner", Method: "search_read", Kwargs: map[string]any{"domain": []any{}, "fields": []string{"no_such_field"}}}, KindUnknownField, errclass.Permanent},
		{"missing record", Request{Model: "sale.order", Method: "write", IDs: []int64{999}, Kwargs: map[string]any{"vals": map[string]any{"note": "x"}}}, KindMissing, errclass.Permanent},
		{"user error", Request{Model: "sale.order", Method: "action_confirm", IDs: []int64{}, HasIDs: true}, -1, errclass.Permanent},
		{"validation", Request{Model: "ir.model.data", Method: "create", Kwargs: map[string]any{"vals_list": []any{map[string]any{"module": "b2bgw", "name": "has space", "model": "sale.order"}}}}, KindValidation, errclass.Permanent},
		{"private method", Request{Model: "res.partner", Method: "_private"}, KindAccessError, errclass.Permanent},
	}
	for _, v := range versions {
		for _, tt := range tests {
			t.Run(v+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				b := setup(t, v)
				_, err := b.c.Call(b.ctx, tt.req)
				if tt.kind < 0 {
					return // some versions accept it: only "no panic, typed" matters
				}
				var oe *Error
				if !errors.As(err, &oe) || oe.Kind != tt.kind || errclass.Of(err) != tt.class {
					t.Fatalf("err %#v", err)
				}
				if oe.Message == "" || oe.Model != tt.req.Model {
					t.Errorf("message %q model %q", oe.Message, oe.Model)
				}
			})
		}
	}
}

func TestAccessErrors(t *testing.T) {
	t.Parallel()
	for _, v := range versions {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			b := setup(t, v)
			// A wrong key: authentication fails, permanently.
			bad, _ := New(Config{URL: b.url, DB: odoosim.DefaultDB, User: "admin", APIKey: "wrong"})
			err := bad.Connect(b.ctx)
			if !IsKind(err, KindAccessDenied) || errclass.Of(err) != errclass.Permanent {
				t.Errorf("bad key: %v", err)
			}
			// A portal user may not read sale orders.
			b.sim.AddUser(odoosim.User{Login: "p2", APIKey: "p2-key", Groups: []string{"base.group_portal"}})
			c := b.client(func(cfg *Config) { cfg.User, cfg.APIKey = "p2", "p2-key" })
			_, err = c.SearchRead(b.ctx, "sale.order", nil, []string{"name"}, SearchOpts{})
			if !IsKind(err, KindAccessError) {
				t.Errorf("portal: %v", err)
			}
		})
	}
}

func TestTransientErrorsRetriedAndBounded(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		fault     odoosim.Fault
		ok        bool
		ambiguous bool
	}{
		{"serialization then ok", odoosim.Fault{Kind: odoosim.SerializationFailure, Times: 2}, true, false},
		{"502 then ok", odoosim.Fault{Kind: odoosim.HTTPStatus, Status: 502, Times: 2}, true, false},
		{"504 then ok", odoosim.Fault{Kind: odoosim.HTTPStatus, Status: 504, Times: 1}, true, false},
		{"drop then ok", odoosim.Fault{Kind: odoosim.DropConnection, Times: 1}, true, false},
		{"serialization forever", odoosim.Fault{Kind: odoosim.SerializationFailure}, false, false},
		{"503 forever", odoosim.Fault{Kind: odoosim.HTTPStatus, Status: 503}, false, true},
	}
	for _, v := range []string{"16.0", "19.0"} {
		for _, tt := range tests {
			t.Run(v+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				b := setup(t, v)
				b.sim.Inject(tt.fault)
				b.calls()
				_, err := b.c.SearchRead(b.ctx, "res.partner", nil, []string{"name"}, SearchOpts{Limit: 1})
				n, _ := b.calls()
				if tt.ok {
					if err != nil {
						t.Fatal(err)
					}
					return
				}
				var oe *Error
				if !errors.As(err, &oe) || oe.Kind != KindTransient || !errclass.IsRetryable(err) || oe.Ambiguous != tt.ambiguous {
					t.Fatalf("err %#v", err)
				}
				if n != b.c.Config().MaxAttempts || oe.Attempts != n {
					t.Errorf("%d calls, %d attempts, want %d", n, oe.Attempts, b.c.Config().MaxAttempts)
				}
			})
		}
	}
}

func TestAmbiguousCreateNotResent(t *testing.T) {
	t.Parallel()
	b := setup(t, "18.0")
	b.sim.Inject(odoosim.Fault{Model: "res.partner", Method: "create", Kind: odoosim.HTTPStatus, Status: 502, AfterCommit: true, Times: 1})
	_, err := b.c.Create(b.ctx, "res.partner", []map[string]any{{"name": "Once Only"}}, nil)
	var oe *Error
	if !errors.As(err, &oe) || !oe.Ambiguous || oe.Attempts != 1 {
		t.Fatalf("err %#v", err)
	}
	if n := b.count("res.partner", Domain{Cond("name", "=", "Once Only")}); n != 1 {
		t.Errorf("%d partners", n)
	}
}

func TestConnectionRefusedIsRetryableAndSafe(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c, _ := New(Config{URL: "http://" + addr, DB: "x", User: "u", APIKey: "k", MaxAttempts: 2, BackoffBase: time.Millisecond})
	err = c.Connect(t.Context())
	var oe *Error
	if !errors.As(err, &oe) || oe.Kind != KindTransient || oe.Ambiguous || oe.Attempts != 2 {
		t.Fatalf("err %#v", err)
	}
}

func TestConcurrencyLimit(t *testing.T) {
	t.Parallel()
	b := setup(t, "18.0")
	c := b.client(func(cfg *Config) { cfg.MaxConcurrent = 2 })
	b.sim.Inject(odoosim.Fault{Kind: odoosim.Latency, Delay: 30 * time.Millisecond})
	start := time.Now()
	errs := make(chan error, 6)
	for range 6 {
		go func() {
			_, err := c.SearchRead(b.ctx, "res.partner", nil, []string{"name"}, SearchOpts{Limit: 1})
			errs <- err
		}()
	}
	for range 6 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	// 6 calls, 2 at a time, 30ms each: at least 3 rounds.
	if d := time.Since(start); d < 85*time.Millisecond {
		t.Errorf("6 calls took %v: the limit of 2 was not applied", d)
	}
}

func TestSecretNeverPrinted(t *testing.T) {
	t.Parallel()
	cfg := Config{URL: "http://odoo", DB: "db", User: "bot", APIKey: "s3cr3t-key"}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("cfg", "config", cfg, "key", cfg.APIKey)
	j, _ := json.Marshal(cfg)
	for name, s := range map[string]string{"fmt %v": fmt.Sprintf("%v", cfg), "fmt %+v": fmt.Sprintf("%+v", cfg),
		"fmt %#v": fmt.Sprintf("%#v", cfg), "json": string(j), "slog": buf.String(), "String": cfg.APIKey.String()} {
		if strings.Contains(s, "s3cr3t") {
			t.Errorf("%s leaks the key: %s", name, s)
		}
	}
	if cfg.APIKey.Reveal() != "s3cr3t-key" {
		t.Error("Reveal")
	}
}

func TestFromEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		wantErr []string
	}{
		{"complete", map[string]string{EnvURL: "https://erp.example.com/", EnvDB: "prod", EnvUser: "edi", EnvAPIKey: "k"}, nil},
		{"empty", map[string]string{}, []string{EnvURL, EnvDB, EnvUser, EnvAPIKey}},
		{"bad url", map[string]string{EnvURL: "erp.example.com", EnvDB: "prod", EnvUser: "edi", EnvAPIKey: "k"}, []string{EnvURL}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range []string{EnvURL, EnvDB, EnvUser, EnvAPIKey} {
				t.Setenv(k, tt.env[k])
			}
			cfg, err := FromEnv()
			for _, w := range tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("error %v does not name %s", err, w)
				}
			}
			if tt.wantErr == nil {
				if err != nil {
					t.Fatal(err)
				}
				if cfg.URL != "https://erp.example.com" || cfg.APIKey.Reveal() != "k" || cfg.MaxConcurrent != 4 {
					t.Errorf("%+v", cfg)
				}
			}
		})
	}
}
