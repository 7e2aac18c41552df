package odoosim_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/b2bgw/b2bgw/internal/odoo/odoosim"
)

// A seeded simulator answering a JSON-RPC search_read as Odoo 18 does.
func Example() {
	sim := odoosim.New(odoosim.Options{Version: "18.0"})
	sim.Seed()
	ts := httptest.NewServer(sim)
	defer ts.Close()

	body := `{"jsonrpc": "2.0", "method": "call", "id": 1, "params": {"service": "object", "method": "execute_kw",
	  "args": ["b2b", 2, "` + sim.AdminAPIKey() + `", "res.partner", "search_read",
	           [[["ref", "=", "ACMERETAIL"]]], {"fields": ["name", "barcode", "parent_id"]}]}}`
	resp, err := http.Post(ts.URL+"/jsonrpc", "application/json", strings.NewReader(body))
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	fmt.Println(string(out))
	fmt.Println(sim.Calls())
	// Output:
	// {"jsonrpc": "2.0", "id": 1, "result": [{"id": 5, "name": "ACME RETAIL", "barcode": "5412345000013", "parent_id": false}]}
	// map[res.partner/search_read:1]
}
