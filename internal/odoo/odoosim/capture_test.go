package odoosim

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The replay of wire-captures-18.0.md. testdata/captures-18.0 holds one
// request and one response per captured case, in the order they were sent
// (their Date headers); MANIFEST says which requests were captured and
// which were rebuilt from the heading and the response. Each request is
// sent to a simulator seeded to the state of the captured database, with
// its clock at the response's Date, and the response compared.
//
// Comparison, and the only normalisations:
//   - Status, Content-Type, Location, WWW-Authenticate, and whether
//     X-Content-Type-Options is present: equal.
//   - Server and Date headers: ignored (server build and capture clock).
//     Header line endings: the captures show LF for CRLF.
//   - Body: byte for byte, except where the note-taker elided a traceback:
//     an XML-RPC fault-1 string must start with the lines kept before the
//     "[... N traceback lines elided ...]" marker and end with the
//     exception line (and what follows) kept after it; a JSON-RPC
//     data.debug "<traceback elided …, last line: X>" must end with line X
//     (quotes folded: the note writes a quoted name with ' where the text
//     has "), and the rest of that JSON body must then be byte-identical.
//   - Content-Length: equal to the body length where the body is compared
//     byte for byte, except for the two tracebacks "kept whole": their
//     paths were normalised to /opt/odoo in the captures, which changed
//     their length but not the Content-Length header.

const captureDir = "testdata/captures-18.0"

type captureCase struct {
	name, provenance string
}

func loadManifest(t *testing.T) []captureCase {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(captureDir, "MANIFEST"))
	if err != nil {
		t.Fatal(err)
	}
	var out []captureCase
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.SplitN(line, "\t", 3)
		out = append(out, captureCase{name: f[0], provenance: f[1]})
	}
	return out
}

// captureServer is a simulator in the state of the captured database at
// the first capture: the demo products the captures touch (ids 5–12, with
// the stock shown), and the id counters where the captures continue.
func captureServer(t *testing.T) *Server {
	t.Helper()
	s := New(Options{Version: "18.0", ServerVersion: "18.0-20250702"})
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.rootEnv()
	products := []struct {
		id             int64
		code, name     string
		storable, sale bool
		price, qty     float64
	}{
		{1, "", "Service on Timesheets", false, true, 40, 0},
		{2, "", "Down Payment", false, true, 0, 0},
		{3, "E-COM07", "Large Cabinet", false, true, 320, 0},
		{4, "E-COM08", "Storage Box", false, true, 79, 0},
		{5, "FURN_7777", "Office Chair", true, true, 70, 0},
		{6, "FURN_8888", "Office Lamp", true, true, 40, 0},
		{7, "FURN_9999", "Office Design Software", true, true, 280, 0},
		{8, "FURN_7800", "Desk Combination", true, true, 450, 60},
		{9, "FURN_6666", "Acoustic Bloc Screens", false, true, 295, 0},
		{10, "FURN_0269", "Office Chair Black", true, false, 120.5, 0},
		{11, "E-COM11", "Cabinet with Doors", false, true, 140, 0},
		{12, "FURN_0096", "Customizable Desk (Steel, White)", true, true, 750, 45},
	}
	for _, p := range products {
		e.insert("product.template", row{"id": p.id, "name": p.name, "type": "consu", "is_storable": p.storable, "sale_ok": p.sale,
			"purchase_ok": true, "list_price": p.price, "uom_id": int64(1), "uom_po_id": int64(1), "categ_id": int64(1), "active": true, "tracking": "none"})
		r := row{"id": p.id, "product_tmpl_id": p.id, "active": true}
		if p.code != "" {
			r["default_code"] = p.code
		}
		e.insert("product.product", r)
		if p.qty > 0 {
			e.insert("stock.quant", row{"product_id": p.id, "location_id": int64(StockLocationID), "quantity": p.qty, "company_id": int64(1)})
		}
	}
	s.db.tables["res.partner"].next = 44
	s.db.tables["sale.order"].next = 25
	s.db.seqs["sale.order"] = 24
	s.db.tables["sale.order.line"].next = 51
	s.db.tables["stock.picking"].next = 18
	s.db.seqs["stock.picking.type/2"] = 11
	s.db.tables["stock.move"].next = 40
	return s
}

type httpMessage struct {
	first  string
	header http.Header
	body   []byte
}

// parseMessage splits a request or response file: first line, headers,
// blank line, body (header lines end in LF in the captures).
func parseMessage(t *testing.T, data []byte) httpMessage {
	t.Helper()
	head, body, ok := bytes.Cut(data, []byte("\n\n"))
	if !ok {
		t.Fatalf("no blank line after headers")
	}
	lines := strings.Split(string(head), "\n")
	m := httpMessage{first: lines[0], header: http.Header{}, body: body}
	for _, l := range lines[1:] {
		k, v, _ := strings.Cut(l, ": ")
		m.header.Add(k, v)
	}
	return m
}

func TestReplayCaptures18(t *testing.T) {
	s := captureServer(t)
	key := s.AdminAPIKey()
	for _, c := range loadManifest(t) {
		ok := t.Run(c.name, func(t *testing.T) {
			reqData, err := os.ReadFile(filepath.Join(captureDir, c.name+".request"))
			if err != nil {
				t.Fatal(err)
			}
			respData, err := os.ReadFile(filepath.Join(captureDir, c.name+".response"))
			if err != nil {
				t.Fatal(err)
			}
			want := parseMessage(t, respData)
			date, err := time.Parse(http.TimeFormat, want.header.Get("Date"))
			if err != nil {
				t.Fatal(err)
			}
			s.SetClock(func() time.Time { return date })

			rq := parseMessage(t, reqData)
			body := strings.NewReplacer("<API_KEY>", key, "&lt;API_KEY&gt;", key).Replace(string(rq.body))
			method, target, _ := strings.Cut(rq.first, " ")
			target, _, _ = strings.Cut(target, " ")
			req := httptest.NewRequest(method, target, strings.NewReader(body))
			for k, vs := range rq.header {
				if k != "Content-Length" {
					req.Header[k] = vs
				}
			}
			if a := req.Header.Get("Authorization"); a != "" {
				req.Header.Set("Authorization", strings.ReplaceAll(a, "<API_KEY>", key))
			}
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			got := rec.Result()

			wantStatus, _ := strconv.Atoi(strings.Fields(want.first)[1])
			if got.StatusCode != wantStatus {
				t.Errorf("status = %d, want %d", got.StatusCode, wantStatus)
			}
			for _, h := range []string{"Content-Type", "Location", "WWW-Authenticate", "Connection"} {
				if g, w := got.Header.Get(h), want.header.Get(h); g != w {
					t.Errorf("%s = %q, want %q", h, g, w)
				}
			}
			if g, w := got.Header.Get("X-Content-Type-Options"), want.header.Get("X-Content-Type-Options"); g != w {
				t.Errorf("X-Content-Type-Options = %q, want %q", g, w)
			}
			gotBody := rec.Body.String()
			wantBody := string(want.body)
			switch {
			case strings.Contains(wantBody, "traceback lines elided by the note-taker"):
				compareElidedXML(t, gotBody, wantBody)
			case strings.Contains(wantBody, "<traceback elided by the note-taker"):
				compareElidedJSON(t, gotBody, wantBody)
			default:
				if gotBody != wantBody {
					t.Errorf("body differs\n got: %q\nwant: %q", gotBody, wantBody)
				}
				cl, _ := strconv.Atoi(want.header.Get("Content-Length"))
				if cl != len(gotBody) && !strings.Contains(c.name, "kept-whole") {
					t.Errorf("Content-Length %d in capture, body %d bytes", cl, len(gotBody))
				}
			}
		})
		if !ok {
			// Later cases depend on the state earlier ones leave.
			t.Logf("state after %s may differ from the capture's", c.name)
		}
	}
}

// compareElidedXML checks a fault whose traceback the note-taker shortened.
func compareElidedXML(t *testing.T, got, want string) {
	t.Helper()
	lines := strings.Split(want, "\n")
	marker := -1
	for i, l := range lines {
		if strings.HasPrefix(l, "[... ") && strings.HasSuffix(l, "elided by the note-taker ...]") {
			marker = i
		}
	}
	if marker < 0 {
		t.Fatal("no elision marker")
	}
	head := strings.Join(lines[:marker], "\n") + "\n"
	// The tail from the exception line on: frames are indented, the
	// exception line is not.
	tailStart := marker + 1
	for tailStart < len(lines) && strings.HasPrefix(lines[tailStart], " ") {
		tailStart++
	}
	tail := strings.Join(lines[tailStart:], "\n")
	if !strings.HasPrefix(got, head) {
		t.Errorf("traceback head differs\n got: %q\nwant prefix: %q", got[:min(len(got), len(head)+80)], head)
	}
	if !strings.HasSuffix(got, tail) {
		t.Errorf("traceback tail differs\n got: %q\nwant suffix: %q", got[max(0, len(got)-len(tail)-80):], tail)
	}
}

// compareElidedJSON checks a JSON-RPC error whose data.debug was elided.
func compareElidedJSON(t *testing.T, got, want string) {
	t.Helper()
	var g, w struct {
		Error struct {
			Data struct {
				Debug string `json:"debug"`
			} `json:"data"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("response is not JSON: %v\n%s", err, got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	_, last, ok := strings.Cut(w.Error.Data.Debug, "last line: ")
	if !ok {
		t.Fatalf("unexpected elision note %q", w.Error.Data.Debug)
	}
	last = strings.TrimSuffix(last, ">")
	gotLines := strings.Split(strings.TrimRight(g.Error.Data.Debug, "\n"), "\n")
	gotLast := gotLines[len(gotLines)-1]
	fold := strings.NewReplacer(`"`, "'")
	if fold.Replace(gotLast) != fold.Replace(last) {
		t.Errorf("debug last line = %q, want %q", gotLast, last)
	}
	if !strings.HasPrefix(g.Error.Data.Debug, "Traceback (most recent call last):\n") {
		t.Errorf("debug is not a traceback: %q", g.Error.Data.Debug)
	}
	// Put the note in place of our traceback: the rest must be identical.
	normalized := strings.Replace(got, string(pyJSON(g.Error.Data.Debug)), string(pyJSON(w.Error.Data.Debug)), 1)
	if normalized != want {
		t.Errorf("body differs (debug normalised)\n got: %q\nwant: %q", normalized, want)
	}
}
