package odoosim

import (
	"net/http/httptest"
	"strings"
	"testing"
)

func TestPyValueFormatting(t *testing.T) {
	t.Parallel()
	floats := []struct {
		in   float64
		want string
	}{
		{0, "0.0"}, {1350, "1350.0"}, {0.1, "0.1"}, {1e16, "1e+16"}, {1.5e-5, "1.5e-05"},
		{123456789012345678, "1.2345678901234568e+17"}, {0.0001, "0.0001"}, {-2.5, "-2.5"}, {1e15, "1000000000000000.0"},
	}
	for _, tt := range floats {
		if got := pyFloatRepr(tt.in); got != tt.want {
			t.Errorf("pyFloatRepr(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
	values := []struct {
		in         any
		json, repr string
	}{
		{newDict("a", int64(1), "b", []any{true, nil, 2.0}), `{"a": 1, "b": [true, null, 2.0]}`, "{'a': 1, 'b': [True, None, 2.0]}"},
		{"<é\"\\\n\x01>", `"<é\"\\\n\u0001>"`, `'<é"\\\n\x01>'`},
		{"it's", `"it's"`, `"it's"`},
		{[]any{}, "[]", "[]"},
	}
	for _, tt := range values {
		if got := string(pyJSON(tt.in)); got != tt.json {
			t.Errorf("pyJSON = %s, want %s", got, tt.json)
		}
		if got := pyRepr(tt.in); got != tt.repr {
			t.Errorf("pyRepr = %s, want %s", got, tt.repr)
		}
	}
}

func postXML(s *Server, path, body string) (int, string) {
	req := httptest.NewRequest("POST", path, strings.NewReader(body))
	req.Header.Set("Content-Type", "text/xml")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

func TestXMLRPC(t *testing.T) {
	t.Parallel()
	s := New(Options{})
	s.Seed()
	key := s.AdminAPIKey()
	call := func(path, method string, params ...string) string {
		body := "<?xml version='1.0'?>\n<methodCall>\n<methodName>" + method + "</methodName>\n<params>\n"
		for _, p := range params {
			body += "<param>\n<value>" + p + "</value>\n</param>\n"
		}
		_, out := postXML(s, path, body+"</params>\n</methodCall>\n")
		return out
	}
	kw := func(path, model, method, args string) string {
		return call(path, "execute_kw", "<string>b2b</string>", "<int>2</int>", "<string>"+key+"</string>",
			"<string>"+model+"</string>", "<string>"+method+"</string>", args)
	}
	const resp = "<?xml version=\"1.0\"?>\n<methodResponse>\n"
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"untyped value is a string; nil and doubles", kw("/xmlrpc/2/object", "res.partner", "search_count",
			"<array><data><value><array><data><value><array><data><value>ref</value><value><string>=</string></value><value>GLOBEX</value></data></array></value></data></array></value></data></array>"),
			resp + "<params>\n<param>\n<value><int>1</int></value>\n</param>\n</params>\n\n</methodResponse>\n"},
		{"struct result with false and double", kw("/xmlrpc/2/object", "res.partner", "read",
			"<array><data><value><array><data><value><int>8</int></value></data></array></value><value><array><data><value>vat</value><value>customer_rank</value></data></array></value></data></array>"),
			resp + "<params>\n<param>\n<value><array><data>\n<value><struct>\n<member>\n<name>id</name>\n<value><int>8</int></value>\n</member>\n" +
				"<member>\n<name>vat</name>\n<value><boolean>0</boolean></value>\n</member>\n<member>\n<name>customer_rank</name>\n<value><int>1</int></value>\n</member>\n" +
				"</struct></value>\n</data></array></value>\n</param>\n</params>\n\n</methodResponse>\n"},
		{"legacy UserError", kw("/xmlrpc/object", "no.such.model", "search", "<array><data/></array>"),
			resp + "<fault>\n<value><struct>\n<member>\n<name>faultCode</name>\n<value><string>warning -- UserError\n\nObject no.such.model doesn't exist</string></value>\n</member>\n" +
				"<member>\n<name>faultString</name>\n<value><string></string></value>\n</member>\n</struct></value>\n</fault>\n\n</methodResponse>\n"},
		{"escaping", kw("/xmlrpc/2/object", "res.partner", "create",
			"<array><data><value><struct><member><name>name</name><value><string>A &amp; B &lt;x&gt;</string></value></member></struct></value></data></array>"),
			resp + "<params>\n<param>\n<value><int>10</int></value>\n</param>\n</params>\n\n</methodResponse>\n"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, tt.got, tt.want)
		}
	}
	// XML cannot carry C0 controls: text stored through JSON-RPC loses
	// them on the way out through XML-RPC, as with OdooMarshaller.
	newClient(t, s).must("res.partner", "write", L(L(10), D("name", "A & B <x>\x01\x1f\t")))
	if out := kw("/xmlrpc/2/object", "res.partner", "read", "<array><data><value><int>10</int></value><value><array><data><value>name</value></data></array></value></data></array>"); !strings.Contains(out, "<string>A &amp; B &lt;x&gt;\t</string>") {
		t.Errorf("control characters must be stripped on output: %q", out)
	}
	if out := call("/xmlrpc/2/nosuch", "version"); !strings.Contains(out, "<int>1</int>") || !strings.HasSuffix(out, "KeyError: 'nosuch'\n</string></value>\n</member>\n</struct></value>\n</fault>\n\n</methodResponse>\n") {
		t.Errorf("unknown service: %q", out)
	}
	if out := call("/xmlrpc/2/common", "login", "<string>b2b</string>", "<string>admin</string>", "<string>admin</string>"); !strings.Contains(out, "<int>2</int>") {
		t.Errorf("login: %q", out)
	}
	if out := call("/xmlrpc/2/common", "authenticate", "<string>b2b</string>"); !strings.Contains(out, "TypeError: exp_authenticate() missing 3 required positional arguments: &#39;login&#39;") &&
		!strings.Contains(out, "TypeError: exp_authenticate() missing 3 required positional arguments: 'login', 'password' and 'user_agent_env'") {
		t.Errorf("missing args: %q", out)
	}
	if code, _ := postXML(s, "/xmlrpc/2/common", "<methodCall><methodName>version</methodName><params>"); code != 200 {
		t.Errorf("truncated XML: HTTP %d", code)
	}
	req := httptest.NewRequest("GET", "/xmlrpc/2/common", nil)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != 405 || rec.Header().Get("Allow") != "POST" {
		t.Errorf("GET: %d %v", rec.Code, rec.Header())
	}
	rec = httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("POST", "/nope", nil))
	if rec.Code != 404 || !strings.Contains(rec.Body.String(), "<title>404 Not Found</title>") {
		t.Errorf("unknown path: %d %s", rec.Code, rec.Body)
	}
}

func TestJSONRPCEnvelope(t *testing.T) {
	t.Parallel()
	post := func(s *Server, ctype, body string) (int, string) {
		req := httptest.NewRequest("POST", "/jsonrpc", strings.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	s16, s18, s19 := New(Options{Version: "16.0"}), New(Options{}), New(Options{Version: "19.0"})
	bad := `{"jsonrpc":"2.0","method":"call","params":{"service":"common","method":"nope","args":[]},"id":"x"}`
	tests := []struct {
		name       string
		s          *Server
		ctype      string
		body       string
		wantStatus int
		wantPrefix string
	}{
		{"18 error envelope", s18, "application/json", bad, 200,
			`{"jsonrpc": "2.0", "id": "x", "error": {"code": 200, "message": "Odoo Server Error", "data": {"name": "builtins.KeyError", "debug": "Traceback (most recent call last):\n`},
		{"19 error code 0 and key order", s19, "application/json", bad, 200,
			`{"jsonrpc": "2.0", "id": "x", "error": {"code": 0, "message": "Odoo Server Error", "data": {"name": "builtins.KeyError", "message": "exp_nope", "arguments": ["exp_nope"], "context": {}, "debug": "Traceback`},
		{"json-rpc content type", s18, "application/json-rpc; charset=utf-8", `{"params":{"service":"common","method":"version","args":[]},"id":1.5}`, 200,
			`{"jsonrpc": "2.0", "id": 1.5, "result": {"server_version": "18.0", `},
		{"not an object", s18, "application/json", `[1]`, 200,
			`{"jsonrpc": "2.0", "id": null, "error": {"code": 200, "message": "Odoo Server Error", "data": {"name": "builtins.AttributeError", "debug": "Traceback (most recent call last):\n`},
		{"missing params", s18, "application/json", `{"id":3,"params":{"service":"common"}}`, 200,
			`{"jsonrpc": "2.0", "id": 3, "error": {"code": 200, "message": "Odoo Server Error", "data": {"name": "builtins.TypeError", "debug": `},
		{"wrong content type 17+", s18, "text/plain", `{}`, 415,
			"<!doctype html>\n<html lang=en>\n<title>415 Unsupported Media Type</title>\n<h1>Unsupported Media Type</h1>\n<p>Request inferred type is compatible with [&#39;http&#39;] but &#39;/jsonrpc&#39; is type=&#39;json&#39;.<br><br>Please verify"},
		{"wrong content type 16", s16, "text/plain", `{}`, 400,
			"<!doctype html>\n<html lang=en>\n<title>400 Bad Request</title>\n<h1>Bad Request</h1>\n<p>Request inferred type is compatible with [&#39;http&#39;] but &#39;/jsonrpc&#39; is type=&#39;json&#39;.</p>\n"},
		{"malformed", s18, "application/json", `{"x":`, 400, "Invalid JSON data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := post(tt.s, tt.ctype, tt.body)
			if code != tt.wantStatus || !strings.HasPrefix(body, tt.wantPrefix) {
				t.Errorf("HTTP %d %q\nwant %d %q", code, body, tt.wantStatus, tt.wantPrefix)
			}
		})
	}
}

func TestJSON2(t *testing.T) {
	t.Parallel()
	s := New(Options{Version: "19.0"})
	d := s.Seed()
	portalKey := "portal-json2-key"
	s.AddUser(User{Login: "portal2", APIKey: portalKey, Groups: []string{"base.group_portal"}})
	post := func(path, auth, ctype, body string) (int, string, string) {
		req := httptest.NewRequest("POST", path, strings.NewReader(body))
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String(), rec.Header().Get("WWW-Authenticate")
	}
	admin := "bearer " + s.AdminAPIKey()
	const js = "application/json"
	tests := []struct {
		name, path, auth, ctype, body string
		wantStatus                    int
		wantBody                      string // prefix
	}{
		{"search_read", "/json/2/res.partner/search_read", admin, js, `{"domain":[["ref","=","ACMERETAIL"]],"fields":["name","parent_id"],"limit":1,"context":{"lang":"en_US"}}`,
			200, `[{"id": 5, "name": "ACME RETAIL", "parent_id": false}]`},
		{"create returns ids", "/json/2/res.partner/create", "Bearer " + s.AdminAPIKey(), js, `{"vals_list":[{"name":"J2"}]}`, 200, `[11]`},
		{"write", "/json/2/res.partner/write", admin, js, `{"ids":[11],"vals":{"ref":"J2REF"}}`, 200, `true`},
		{"search returns ids", "/json/2/sale.order/search", admin, js, `{"domain":[]}`, 200, `[]`},
		{"context_get", "/json/2/res.users/context_get", admin, js, `{}`, 200, `{"lang": "en_US", "tz": "Europe/Brussels", "uid": 2}`},
		{"no Authorization", "/json/2/res.partner/search", "", js, `{"domain":[]}`, 401,
			`{"name": "werkzeug.exceptions.Unauthorized", "message": "User not authenticated, use the \"Authorization\" header", "arguments": ["User not authenticated, use the \"Authorization\" header", 401], "context": {}, "debug": "Traceback`},
		{"bad key", "/json/2/res.partner/search", "bearer nope", js, `{"domain":[]}`, 401, `{"name": "werkzeug.exceptions.Unauthorized", "message": "Invalid apikey", "arguments": ["Invalid apikey", 401]`},
		{"password is not a key", "/json/2/res.partner/search", "bearer admin", js, `{"domain":[]}`, 401, `{"name": "werkzeug.exceptions.Unauthorized"`},
		{"body not JSON", "/json/2/res.partner/search", admin, js, `nope`, 400,
			`{"name": "werkzeug.exceptions.BadRequest", "message": "could not parse the body as json: Expecting value: line 1 column 1 (char 0)"`},
		{"body null", "/json/2/res.partner/search", admin, js, `null`, 400, `{"name": "werkzeug.exceptions.BadRequest", "message": "could not parse the body, expecting a json object"`},
		{"missing argument", "/json/2/res.partner/search", admin, js, `{}`, 422, `{"name": "werkzeug.exceptions.UnprocessableEntity", "message": "missing a required argument: 'domain'"`},
		{"unexpected argument", "/json/2/res.partner/search", admin, js, `{"domain":[],"bogus":1}`, 422, `{"name": "werkzeug.exceptions.UnprocessableEntity", "message": "got an unexpected keyword argument 'bogus'"`},
		{"ids on a model method", "/json/2/res.partner/create", admin, js, `{"ids":[1],"vals_list":[]}`, 422, `{"name": "werkzeug.exceptions.UnprocessableEntity", "message": "cannot call res.partner.create with ids"`},
		{"unknown model", "/json/2/x/search", admin, js, `{"domain":[]}`, 404, `{"name": "werkzeug.exceptions.NotFound", "message": "the model 'x' does not exist"`},
		{"unknown method", "/json/2/res.partner/nope", admin, js, `{}`, 404, `{"name": "werkzeug.exceptions.NotFound", "message": "The method 'res.partner.nope' does not exist"`},
		{"private method", "/json/2/res.partner/_read", admin, js, `{}`, 403, `{"name": "odoo.exceptions.AccessError"`},
		{"bad domain field", "/json/2/res.partner/search", admin, js, `{"domain":[["bad field","=","foo"]]}`, 500,
			`{"name": "builtins.ValueError", "message": "Invalid field res.partner.bad field in condition ('bad field', '=', 'foo')"`},
		{"ACL", "/json/2/product.product/create", "bearer " + portalKey, js, `{"vals_list":[{"name":"x"}]}`, 403,
			`{"name": "odoo.exceptions.AccessError", "message": "You are not allowed to create 'Product Variant' (product.product) records.`},
		{"MissingError", "/json/2/res.partner/write", admin, js, `{"ids":[999999],"vals":{"name":"x"}}`, 404, `{"name": "odoo.exceptions.MissingError"`},
		{"UserError", "/json/2/purchase.order/unlink", admin, js, `{"ids":[1]}`, 422, `{"name": "odoo.exceptions.UserError", "message": "In order to delete a purchase order, you must cancel it first."`},
		{"wrong content type", "/json/2/res.partner/search", admin, "text/plain", `{}`, 415, "<!doctype html>"},
		{"other path", "/json/2/res.partner", admin, js, `{}`, 404, "<!doctype html>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body, www := post(tt.path, tt.auth, tt.ctype, tt.body)
			if code != tt.wantStatus || !strings.HasPrefix(body, tt.wantBody) {
				t.Errorf("HTTP %d %s\nwant %d %s", code, body, tt.wantStatus, tt.wantBody)
			}
			if (tt.name == "no Authorization") != (www == "bearer") {
				t.Errorf("WWW-Authenticate = %q", www)
			}
		})
	}
	_ = d
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("GET", "/web/version", nil))
	if rec.Body.String() != `{"version_info": [19, 0, 0, "final", 0, ""], "version": "19.0"}` {
		t.Errorf("/web/version = %s", rec.Body)
	}
	for v, want := range map[string]int{"16.0": 404, "17.0": 404, "18.0": 303} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("POST", "/json/2/res.partner/search", strings.NewReader("{}"))
		req.Header.Set("Content-Type", js)
		New(Options{Version: v}).ServeHTTP(rec, req)
		if rec.Code != want {
			t.Errorf("%s: JSON-2 answered %d, want %d", v, rec.Code, want)
		}
	}
}

func TestAuthAndRights(t *testing.T) {
	t.Parallel()
	for _, v := range versions {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			s := New(Options{Version: v})
			s.Seed()
			c := newClient(t, s)
			for _, tc := range []struct {
				secret string
				want   any
			}{{"admin", int64(2)}, {s.AdminAPIKey(), int64(2)}, {"wrong", false}, {"", false}} {
				if got, err := c.rpc("common", "authenticate", L("b2b", "admin", tc.secret, D())); err != nil || got != tc.want {
					t.Errorf("authenticate(%q) = %v, %v", tc.secret, got, err)
				}
			}
			if _, err := c.rpc("common", "authenticate", L("nodb", "admin", "admin", D())); err == nil || err.Name != clsOperational {
				t.Errorf("unknown db: %v", err)
			}
			bad := &client{t: t, s: s, uid: AdminUID, key: "bad-key"}
			if msg := bad.fails(clsAccessDenied, "res.partner", "search_count", L(L()), nil); msg != "Access Denied" {
				t.Errorf("AccessDenied %q", msg)
			}
			portal := &client{t: t, s: s, uid: PortalUID, key: PortalPassword}
			portal.must("product.product", "search", L(L()))
			msg := portal.fails(clsAccessError, "sale.order", "create", L(D("partner_id", 5)), nil)
			if !strings.HasPrefix(msg, "You are not allowed to create 'Sales Order' (sale.order) records.\n\nThis operation is allowed for the following groups:\n\t- Sales/User: Own Documents Only") {
				t.Errorf("portal AccessError %q", msg)
			}
			// A bot with business rights but not "Access Rights": 18 took
			// ir.model.data away from it.
			bot := s.AddUser(User{Login: "edi-bot", APIKey: "bot-key", Groups: []string{"sales_team.group_sale_salesman_all_leads", "stock.group_stock_user", "purchase.group_purchase_user"}})
			bc := &client{t: t, s: s, uid: bot, key: "bot-key"}
			_, err := bc.call("ir.model.data", "create", L(D("module", "__b2bgw__", "name", "so_x", "model", "sale.order", "res_id", 0)), nil)
			if old := v == "16.0" || v == "17.0"; (err == nil) != old {
				t.Errorf("bot ir.model.data create error = %v", err)
			} else if err != nil && err.Message != "You are not allowed to create 'Model Data' (ir.model.data) records.\n\nThis operation is allowed for the following groups:\n\t- Administration/Access Rights\n\nContact your administrator to request access if necessary." {
				t.Errorf("message %q", err.Message)
			}
			hg := func(cl *client, uid int64) any {
				args := L("base.group_erp_manager")
				if v != "16.0" {
					args = L(L(uid), "base.group_erp_manager")
				}
				return cl.must("res.users", "has_group", args)
			}
			if hg(c, AdminUID) != true || hg(bc, bot) != false {
				t.Errorf("has_group: admin %v, bot %v", hg(c, AdminUID), hg(bc, bot))
			}
			mods := c.must("ir.module.module", "search_read", L(L(L("name", "in", L("sale", "purchase", "stock")), L("state", "=", "installed"))), D("fields", L("name"))).([]any)
			if len(mods) != 3 {
				t.Errorf("installed modules %s", pyRepr(mods))
			}
		})
	}
}
