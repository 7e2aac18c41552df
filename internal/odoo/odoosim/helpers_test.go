package odoosim

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// L builds a Python list; Go ints become Python ints.
func L(xs ...any) []any {
	for i, x := range xs {
		if n, ok := x.(int); ok {
			xs[i] = int64(n)
		}
	}
	return xs
}

// D builds a Python dict from key/value pairs.
func D(kv ...any) *pyDict {
	for i := 1; i < len(kv); i += 2 {
		if n, ok := kv[i].(int); ok {
			kv[i] = int64(n)
		}
	}
	return newDict(kv...)
}

// rpcErr is a JSON-RPC error as the client sees it.
type rpcErr struct {
	Name, Message string
}

// client speaks JSON-RPC to a simulator through ServeHTTP.
type client struct {
	t   testing.TB
	s   *Server
	uid int64
	key string
}

func newClient(t testing.TB, s *Server) *client {
	return &client{t: t, s: s, uid: AdminUID, key: s.AdminAPIKey()}
}

func (c *client) rpc(service, method string, args []any) (any, *rpcErr) {
	c.t.Helper()
	body := pyJSON(D("jsonrpc", "2.0", "method", "call", "id", 1, "params", D("service", service, "method", method, "args", args)))
	req := httptest.NewRequest("POST", "/jsonrpc", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	c.s.ServeHTTP(rec, req)
	if rec.Code != 200 {
		c.t.Fatalf("HTTP %d: %s", rec.Code, rec.Body)
	}
	v, err := decodeJSON(rec.Body.Bytes())
	if err != nil {
		c.t.Fatalf("bad JSON %q: %v", rec.Body, err)
	}
	d := v.(*pyDict)
	if e, ok := d.Get("error"); ok {
		data, _ := e.(*pyDict).Get("data")
		name, _ := data.(*pyDict).Get("name")
		msg, _ := data.(*pyDict).Get("message")
		return nil, &rpcErr{Name: name.(string), Message: msg.(string)}
	}
	res, _ := d.Get("result")
	return res, nil
}

// call is execute_kw as the client's user.
func (c *client) call(model, method string, args []any, kw *pyDict) (any, *rpcErr) {
	c.t.Helper()
	a := L("b2b", c.uid, c.key, model, method, args)
	if kw != nil {
		a = append(a, kw)
	}
	return c.rpc("object", "execute_kw", a)
}

// must is call that fails the test on an RPC error.
func (c *client) must(model, method string, args []any, kw ...*pyDict) any {
	c.t.Helper()
	var k *pyDict
	if len(kw) > 0 {
		k = kw[0]
	}
	res, err := c.call(model, method, args, k)
	if err != nil {
		c.t.Fatalf("%s.%s: %s: %s", model, method, err.Name, err.Message)
	}
	return res
}

// fails is call that expects an error of the given class.
func (c *client) fails(name, model, method string, args []any, kw *pyDict) string {
	c.t.Helper()
	res, err := c.call(model, method, args, kw)
	if err == nil {
		c.t.Fatalf("%s.%s succeeded (%s), want %s", model, method, pyRepr(res), name)
	}
	if err.Name != name {
		c.t.Fatalf("%s.%s: error %s (%s), want %s", model, method, err.Name, err.Message, name)
	}
	return err.Message
}

// read1 reads one record's fields.
func (c *client) read1(model string, id int64, fields ...string) *pyDict {
	c.t.Helper()
	fl := make([]any, len(fields))
	for i, f := range fields {
		fl[i] = f
	}
	rows := c.must(model, "read", L(L(id)), D("fields", fl)).([]any)
	if len(rows) != 1 {
		c.t.Fatalf("read %s(%d): %d rows", model, id, len(rows))
	}
	return rows[0].(*pyDict)
}

func (c *client) get(model string, id int64, field string) any {
	c.t.Helper()
	v, _ := c.read1(model, id, field).Get(field)
	return v
}

func ids(v any) []int64 {
	var out []int64
	for _, x := range v.([]any) {
		out = append(out, x.(int64))
	}
	return out
}

var versions = []string{"16.0", "17.0", "18.0", "19.0"}
