package server

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestEndpoints(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "b2bgw_test_total", Help: "test"})
	reg.MustRegister(c)
	c.Add(3)
	var odooDown atomic.Bool
	odooDown.Store(true)
	s := New(reg, []Check{
		{Name: "store", Fn: func(context.Context) error { return nil }},
		{Name: "odoo", Fn: func(context.Context) error {
			if odooDown.Load() {
				return errors.New("connection refused")
			}
			return nil
		}},
	}, nil)
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(context.Background())
	base := "http://" + s.Addr()

	if code, body := get(t, base+"/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("/healthz: %d %q", code, body)
	}
	code, body := get(t, base+"/readyz")
	var rep readyReport
	if err := json.Unmarshal([]byte(body), &rep); err != nil {
		t.Fatal(err)
	}
	if code != 503 || rep.Ready || rep.Checks["odoo"] != "connection refused" || rep.Checks["store"] != "ok" {
		t.Errorf("/readyz with Odoo down: %d %s", code, body)
	}
	odooDown.Store(false)
	if code, body := get(t, base+"/readyz"); code != 200 || !strings.Contains(body, `"ready":true`) {
		t.Errorf("/readyz: %d %s", code, body)
	}
	if code, body := get(t, base+"/metrics"); code != 200 || !strings.Contains(body, "b2bgw_test_total 3") {
		t.Errorf("/metrics: %d %s", code, body)
	}
}
