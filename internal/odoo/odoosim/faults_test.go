package odoosim

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// httpCall posts one JSON-RPC execute_kw over a real connection.
func httpCall(ctx context.Context, url, key, model, method string, args []any) (int, string, error) {
	body := pyJSON(D("jsonrpc", "2.0", "method", "call", "id", 1, "params", D("service", "object", "method", "execute_kw",
		"args", L("b2b", AdminUID, key, model, method, args))))
	req, _ := http.NewRequestWithContext(ctx, "POST", url+"/jsonrpc", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

func TestFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fault Fault
		// check gets the outcome of the first call and whether the record
		// it tried to create exists afterwards.
		check func(t *testing.T, status int, body string, err error, created bool)
	}{
		{"serialization failure", Fault{Model: "res.partner", Method: "create", Kind: SerializationFailure, Times: 1},
			func(t *testing.T, status int, body string, err error, created bool) {
				if err != nil || status != 200 || !strings.Contains(body, `"name": "psycopg2.errors.SerializationFailure", "debug": "Traceback`) ||
					!strings.Contains(body, `"message": "could not serialize access due to concurrent update\n"`) || created {
					t.Errorf("got %d %q %v created=%v", status, body, err, created)
				}
			}},
		{"503", Fault{Kind: HTTPStatus, Status: 503, Times: 1},
			func(t *testing.T, status int, body string, err error, created bool) {
				if err != nil || status != 503 || !strings.Contains(body, "<title>503 Service Unavailable</title>") || created {
					t.Errorf("got %d %q %v created=%v", status, body, err, created)
				}
			}},
		{"502 after commit", Fault{Model: "res.partner", Kind: HTTPStatus, AfterCommit: true, Times: 1},
			func(t *testing.T, status int, body string, err error, created bool) {
				if status != 502 || !created {
					t.Errorf("got %d, created=%v; want 502 with the record created", status, created)
				}
			}},
		{"dropped connection", Fault{Method: "create", Kind: DropConnection, Times: 1},
			func(t *testing.T, status int, body string, err error, created bool) {
				if err == nil || created {
					t.Errorf("got %d %q %v created=%v; want a transport error", status, body, err, created)
				}
			}},
		{"dropped after commit", Fault{Method: "create", Kind: DropConnection, AfterCommit: true, Times: 1},
			func(t *testing.T, status int, body string, err error, created bool) {
				if err == nil || !created {
					t.Errorf("got %v created=%v; want a transport error and the record", err, created)
				}
			}},
		{"hang until the client gives up", Fault{Kind: Hang, Times: 1},
			func(t *testing.T, status int, body string, err error, created bool) {
				if !errors.Is(err, context.DeadlineExceeded) || created {
					t.Errorf("got %v created=%v; want the client's deadline", err, created)
				}
			}},
		{"latency", Fault{Kind: Latency, Delay: 30 * time.Millisecond, Times: 1},
			func(t *testing.T, status int, body string, err error, created bool) {
				if err != nil || status != 200 || !created {
					t.Errorf("latency must still serve: %d %v", status, err)
				}
			}},
		{"other model unaffected", Fault{Model: "sale.order", Kind: HTTPStatus, Status: 504},
			func(t *testing.T, status int, body string, err error, created bool) {
				if status != 200 || !created {
					t.Errorf("got %d created=%v", status, created)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := New(Options{})
			ts := httptest.NewServer(s)
			defer ts.Close()
			defer s.Close()
			s.Inject(tt.fault)
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			start := time.Now()
			status, body, err := httpCall(ctx, ts.URL, s.AdminAPIKey(), "res.partner", "create", L(D("name", "Faulty")))
			if tt.fault.Kind == Latency && time.Since(start) < tt.fault.Delay {
				t.Errorf("answered after %v, before the delay", time.Since(start))
			}
			n := newClient(t, s).must("res.partner", "search_count", L(L(L("name", "=", "Faulty"))))
			tt.check(t, status, body, err, n == int64(1))
			// The fault was for one call (or another model): the next works.
			if status, _, err := httpCall(context.Background(), ts.URL, s.AdminAPIKey(), "res.partner", "search_count", L(L())); err != nil || status != 200 {
				t.Errorf("next call: %d %v", status, err)
			}
		})
	}
}

func TestFaultXMLRPCAndJSON2Shapes(t *testing.T) {
	t.Parallel()
	s := New(Options{Version: "19.0"})
	s.Inject(Fault{Kind: SerializationFailure, Times: 2})
	_, out := postXML(s, "/xmlrpc/2/common", "<?xml version='1.0'?><methodCall><methodName>version</methodName><params></params></methodCall>")
	if !strings.Contains(out, "<int>1</int>") || !strings.HasSuffix(out, "psycopg2.errors.SerializationFailure: could not serialize access due to concurrent update\n\n</string></value>\n</member>\n</struct></value>\n</fault>\n\n</methodResponse>\n") {
		t.Errorf("XML-RPC: %q", out)
	}
	req := httptest.NewRequest("POST", "/json/2/res.partner/search", strings.NewReader(`{"domain":[]}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "bearer "+s.AdminAPIKey())
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != 500 || !strings.HasPrefix(rec.Body.String(), `{"name": "psycopg2.errors.SerializationFailure"`) {
		t.Errorf("JSON-2: %d %s", rec.Code, rec.Body)
	}
}

func TestFaultProbabilityIsSeeded(t *testing.T) {
	t.Parallel()
	run := func() []bool {
		s := New(Options{RandSeed: 42})
		s.Inject(Fault{Model: "res.partner", Kind: SerializationFailure, Probability: 0.3})
		c := newClient(t, s)
		var out []bool
		for range 200 {
			_, err := c.call("res.partner", "search_count", L(L()), nil)
			out = append(out, err != nil)
		}
		return out
	}
	a, b := run(), run()
	fired := 0
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("call %d differs between runs with the same seed", i)
		}
		if a[i] {
			fired++
		}
	}
	if fired < 35 || fired > 85 {
		t.Errorf("fired %d/200 times at p=0.3", fired)
	}
}

func TestCallsCounter(t *testing.T) {
	t.Parallel()
	s := New(Options{})
	c := newClient(t, s)
	c.rpc("common", "version", L())
	c.must("res.partner", "search_read", L(L()), D("fields", L("name")))
	c.must("res.partner", "search_read", L(L()), D("fields", L("name")))
	c.fails(clsUserError, "no.such", "search", L(L()), nil)
	want := map[string]int{"common/version": 1, "res.partner/search_read": 2, "no.such/search": 1}
	got := s.Calls()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("Calls()[%q] = %d, want %d (all: %v)", k, got[k], v, got)
		}
	}
	if len(got) != len(want) {
		t.Errorf("Calls() = %v", got)
	}
	s.ResetCalls()
	if len(s.Calls()) != 0 {
		t.Errorf("ResetCalls left %v", s.Calls())
	}
}

// TestConcurrentOrders races workers creating and confirming orders over
// real connections; run with -race.
func TestConcurrentOrders(t *testing.T) {
	t.Parallel()
	s := New(Options{})
	d := s.Seed()
	url, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const workers, each = 8, 5
	var wg sync.WaitGroup
	errs := make(chan string, workers*each)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				_, body, err := httpCall(context.Background(), url, s.AdminAPIKey(), "sale.order", "create",
					L(D("partner_id", d.AcmeRetail, "client_order_ref", "W"+string(rune('A'+w))+string(rune('0'+i)),
						"order_line", L(L(0, 0, D("product_id", d.Products["SKU-1005"], "product_uom_qty", 1))))))
				if err != nil || !strings.Contains(body, `"result"`) {
					errs <- body
					continue
				}
				var id int64
				v, _ := decodeJSON([]byte(body))
				r, _ := v.(*pyDict).Get("result")
				id, _ = r.(int64)
				if _, body, err := httpCall(context.Background(), url, s.AdminAPIKey(), "sale.order", "action_confirm", L(L(id))); err != nil || !strings.Contains(body, `"result": true`) {
					errs <- body
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	c := newClient(t, s)
	if n := c.must("stock.picking", "search_count", L(L(L("picking_type_code", "=", "outgoing")))); n != int64(workers*each) {
		t.Errorf("%v deliveries, want %d", n, workers*each)
	}
	names := c.must("sale.order", "search_read", L(L()), D("fields", L("name"))).([]any)
	seen := map[any]bool{}
	for _, r := range names {
		n, _ := r.(*pyDict).Get("name")
		if seen[n] {
			t.Errorf("duplicate order name %v", n)
		}
		seen[n] = true
	}
	if got := s.Calls()["sale.order/create"]; got != workers*each {
		t.Errorf("counted %d creates", got)
	}
}

func TestClearFaults(t *testing.T) {
	t.Parallel()
	s := New(Options{})
	s.Inject(Fault{Kind: SerializationFailure})
	c := newClient(t, s)
	c.fails(clsSerialization, "res.partner", "search_count", L(L()), nil)
	c.fails(clsSerialization, "res.partner", "search_count", L(L()), nil)
	s.ClearFaults()
	c.must("res.partner", "search_count", L(L()))
}
