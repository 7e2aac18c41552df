package odoo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"mime"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Client talks to one Odoo database over JSON-RPC (/jsonrpc, Odoo 16–19)
// or JSON-2 (/json/2/<model>/<method>, 19+). It is safe for concurrent use
// and should be shared: its semaphore is the per-instance concurrency
// limit, its transport keeps connections alive, its cache holds master
// data.
type Client struct {
	cfg  Config
	http *http.Client
	log  *slog.Logger
	sem  chan struct{}
	id   atomic.Int64

	mu        sync.Mutex // guards the connection state below
	connected bool
	version   Version
	fields    Fields
	proto     Protocol
	uid       int64

	cache *cache
	// models remembers which models exist (from ir.model), to tell an
	// unknown model from an unknown method without reading messages.
	modelsMu sync.Mutex
	models   map[string]bool

	locks keyLocks
	// noXMLID is set once Odoo refused the bot ir.model.data (18+ without
	// "Access Rights"): orders are then guarded by their natural key.
	noXMLID atomic.Bool
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient replaces the HTTP client (tests, proxies, custom TLS).
// Its Timeout should be zero: the client bounds each call itself.
func WithHTTPClient(h *http.Client) Option { return func(c *Client) { c.http = h } }

// WithLogger sets the logger (default: slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(c *Client) { c.log = l } }

// New returns a client for cfg. It does not connect: the first call (or
// Connect) reads the server version and authenticates.
func New(cfg Config, opts ...Option) (*Client, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c := &Client{cfg: cfg, log: slog.Default(), models: map[string]bool{}}
	c.sem = make(chan struct{}, cfg.MaxConcurrent)
	c.cache = newCache(cfg.CacheTTL)
	for _, o := range opts {
		o(c)
	}
	if c.http == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		// One idle connection per concurrent call: calls reuse them instead
		// of paying a TLS handshake each.
		tr.MaxIdleConnsPerHost = cfg.MaxConcurrent
		tr.MaxConnsPerHost = cfg.MaxConcurrent
		c.http = &http.Client{Transport: tr}
	}
	return c, nil
}

// Config returns the client's configuration (defaults applied).
func (c *Client) Config() Config { return c.cfg }

// Connect reads the server version and authenticates, if not done yet.
func (c *Client) Connect(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.connected {
		return nil
	}
	v, err := c.serverVersion(ctx)
	if err != nil {
		return err
	}
	proto := c.cfg.Protocol
	if proto == ProtocolAuto {
		proto = ProtocolJSONRPC
		if v.AtLeast(19) {
			proto = ProtocolJSON2
		}
	}
	if proto == ProtocolJSON2 && !v.AtLeast(19) {
		return fmt.Errorf("odoo: JSON-2 needs Odoo 19 or newer; this server is %s", v)
	}
	c.version, c.fields, c.proto = v, FieldsFor(v), proto
	uid, err := c.authenticate(ctx)
	if err != nil {
		return err
	}
	c.uid = uid
	c.connected = true
	c.log.Debug("odoo connected", "url", c.cfg.URL, "db", c.cfg.DB, "version", v.String(), "protocol", string(proto), "uid", uid)
	return nil
}

// Version returns the server version (zero before Connect).
func (c *Client) Version() Version { c.mu.Lock(); defer c.mu.Unlock(); return c.version }

// Fields returns the version's field names (zero before Connect).
func (c *Client) Fields() Fields { c.mu.Lock(); defer c.mu.Unlock(); return c.fields }

// Protocol returns the protocol in use (empty before Connect).
func (c *Client) Protocol() Protocol { c.mu.Lock(); defer c.mu.Unlock(); return c.proto }

// UID returns the authenticated user id (0 before Connect).
func (c *Client) UID() int64 { c.mu.Lock(); defer c.mu.Unlock(); return c.uid }

func (c *Client) serverVersion(ctx context.Context) (Version, error) {
	var info struct {
		ServerVersion     string `json:"server_version"`
		ServerVersionInfo []any  `json:"server_version_info"`
	}
	raw, err := c.do(ctx, Request{Model: "common", Method: "version", Idempotent: true}, func(ctx context.Context) (json.RawMessage, error) {
		return c.jsonrpc(ctx, "common", "version", []any{})
	})
	if err == nil {
		if err := json.Unmarshal(raw, &info); err != nil {
			return Version{}, &Error{Kind: KindProtocol, Model: "common", Method: "version", Err: err}
		}
		return parseVersionInfo(info.ServerVersionInfo, info.ServerVersion)
	}
	// A post-19 server may refuse the deprecated endpoint; /web/version
	// (19+) answers without authentication.
	var oe *Error
	if !errors.As(err, &oe) || oe.Kind != KindProtocol {
		return Version{}, err
	}
	var wv struct {
		VersionInfo []any  `json:"version_info"`
		Version     string `json:"version"`
	}
	raw, err2 := c.do(ctx, Request{Model: "web", Method: "version", Idempotent: true}, func(ctx context.Context) (json.RawMessage, error) {
		return c.send(ctx, http.MethodGet, "/web/version", nil, "web", "version")
	})
	if err2 != nil {
		return Version{}, err
	}
	if err := json.Unmarshal(raw, &wv); err != nil {
		return Version{}, &Error{Kind: KindProtocol, Model: "web", Method: "version", Err: err}
	}
	return parseVersionInfo(wv.VersionInfo, wv.Version)
}

func (c *Client) authenticate(ctx context.Context) (int64, error) {
	if c.proto == ProtocolJSON2 {
		// JSON-2 has no login: the bearer key is checked per call, and
		// context_get tells whose key it is.
		raw, err := c.do(ctx, Request{Model: "res.users", Method: "context_get", Idempotent: true}, func(ctx context.Context) (json.RawMessage, error) {
			return c.json2(ctx, Request{Model: "res.users", Method: "context_get"})
		})
		if err != nil {
			return 0, err
		}
		var r struct {
			UID int64 `json:"uid"`
		}
		if err := json.Unmarshal(raw, &r); err != nil || r.UID == 0 {
			return 0, &Error{Kind: KindProtocol, Model: "res.users", Method: "context_get", Message: "no uid in context_get's answer"}
		}
		return r.UID, nil
	}
	raw, err := c.do(ctx, Request{Model: "common", Method: "authenticate", Idempotent: true}, func(ctx context.Context) (json.RawMessage, error) {
		return c.jsonrpc(ctx, "common", "authenticate", []any{c.cfg.DB, c.cfg.User, c.cfg.APIKey.Reveal(), map[string]any{}})
	})
	if err != nil {
		return 0, err
	}
	var uid int64
	if err := json.Unmarshal(raw, &uid); err != nil || uid == 0 {
		// authenticate answers false, not an error, for bad credentials.
		return 0, &Error{Kind: KindAccessDenied, Model: "common", Method: "authenticate",
			Message: fmt.Sprintf("login %q with the configured API key was refused by database %q", c.cfg.User, c.cfg.DB)}
	}
	return uid, nil
}

// Request is one model method call. Named arguments go in Kwargs (both
// protocols accept them by name), record ids in IDs.
type Request struct {
	Model, Method string
	// IDs are the records a method runs on (write, read, buttons). HasIDs
	// distinguishes "no records" from a model-level call.
	IDs    []int64
	HasIDs bool
	Kwargs map[string]any
	// Context is Odoo's context (lang, warehouse, skip_backorder…).
	Context map[string]any
	// Idempotent calls are retried even after an ambiguous failure (the
	// call may have been applied): reads, and writes that set absolute
	// values. Creates and most buttons are not.
	Idempotent bool
}

// Call runs req and returns the raw JSON result ("null" for None). Transient
// failures are retried with exponential backoff and jitter, at most
// Config.MaxAttempts times; a non-idempotent call whose failure is
// ambiguous is not retried but returned with Error.Ambiguous set, so the
// caller can look before it writes again.
func (c *Client) Call(ctx context.Context, req Request) (json.RawMessage, error) {
	if err := c.Connect(ctx); err != nil {
		return nil, err
	}
	c.mu.Lock()
	proto := c.proto
	c.mu.Unlock()
	raw, err := c.do(ctx, req, func(ctx context.Context) (json.RawMessage, error) {
		if proto == ProtocolJSON2 {
			return c.json2(ctx, req)
		}
		args := []any{}
		if req.HasIDs || req.IDs != nil {
			args = append(args, nonNilIDs(req.IDs))
		}
		kw := map[string]any{}
		for k, v := range req.Kwargs {
			kw[k] = v
		}
		if req.Context != nil {
			kw["context"] = req.Context
		}
		return c.jsonrpc(ctx, "object", "execute_kw", []any{c.cfg.DB, c.UID(), c.cfg.APIKey.Reveal(), req.Model, req.Method, args, kw})
	})
	if err != nil {
		c.refineUnknown(ctx, err)
	}
	return raw, err
}

// CallInto runs req and decodes the result into out.
func (c *Client) CallInto(ctx context.Context, req Request, out any) error {
	raw, err := c.Call(ctx, req)
	if err != nil {
		return err
	}
	if out == nil || len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return &Error{Kind: KindProtocol, Model: req.Model, Method: req.Method, Message: "cannot decode result", Err: err}
	}
	return nil
}

func nonNilIDs(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

// do runs one call with the concurrency limit, the per-call timeout and
// the retry policy.
func (c *Client) do(ctx context.Context, req Request, once func(context.Context) (json.RawMessage, error)) (json.RawMessage, error) {
	var last error
	for attempt := 1; ; attempt++ {
		raw, err := c.attempt(ctx, once)
		if err == nil {
			return raw, nil
		}
		var oe *Error
		if !errors.As(err, &oe) {
			return nil, err // the caller's context ended
		}
		oe.Model, oe.Method, oe.Attempts = req.Model, req.Method, attempt
		last = oe
		if oe.Kind != KindTransient || (oe.Ambiguous && !req.Idempotent) || attempt >= c.cfg.MaxAttempts {
			return nil, last
		}
		d := c.backoff(attempt)
		c.log.Debug("odoo retry", "model", req.Model, "method", req.Method, "attempt", attempt, "wait", d, "err", oe.Error())
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(d):
		}
	}
}

// backoff is exponential with full jitter: spreading retries of many
// workers hit by the same failure keeps them from failing together again.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.cfg.BackoffBase << min(attempt-1, 20)
	if d <= 0 || d > c.cfg.BackoffMax {
		d = c.cfg.BackoffMax
	}
	return time.Duration(rand.Int64N(int64(d)) + 1)
}

func (c *Client) attempt(ctx context.Context, once func(context.Context) (json.RawMessage, error)) (json.RawMessage, error) {
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-c.sem }()
	cctx, cancel := context.WithTimeout(ctx, c.cfg.CallTimeout)
	defer cancel()
	raw, err := once(cctx)
	if err != nil && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return raw, err
}

// jsonrpc posts one JSON-RPC call and unwraps the envelope.
func (c *Client) jsonrpc(ctx context.Context, service, method string, args []any) (json.RawMessage, error) {
	body, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "method": "call", "id": c.id.Add(1),
		"params": map[string]any{"service": service, "method": method, "args": args}})
	if err != nil {
		return nil, &Error{Kind: KindProtocol, Message: "cannot encode request", Err: err}
	}
	raw, err := c.send(ctx, http.MethodPost, "/jsonrpc", body, service, method)
	if err != nil {
		return nil, err
	}
	var env struct {
		Result json.RawMessage `json:"result"`
		Error  *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
			Data    struct {
				Name    string `json:"name"`
				Message string `json:"message"`
			} `json:"data"`
		} `json:"error"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return nil, &Error{Kind: KindProtocol, Status: http.StatusOK, Message: "malformed JSON-RPC answer", Err: err}
	}
	if env.Error != nil {
		msg := env.Error.Data.Message
		if msg == "" {
			msg = env.Error.Message
		}
		status := 0
		if env.Error.Code == http.StatusNotFound {
			status = http.StatusNotFound
		}
		return nil, &Error{Kind: kindOf(env.Error.Data.Name, status), Name: env.Error.Data.Name, Message: msg, Status: http.StatusOK}
	}
	if env.Result == nil {
		// A method returning None gives no result key at all.
		return json.RawMessage("null"), nil
	}
	return env.Result, nil
}

// json2 posts one JSON-2 call: named arguments, ids and context in a JSON
// object, the API key as a bearer token.
func (c *Client) json2(ctx context.Context, req Request) (json.RawMessage, error) {
	kw := map[string]any{}
	for k, v := range req.Kwargs {
		kw[k] = v
	}
	if req.HasIDs || req.IDs != nil {
		kw["ids"] = nonNilIDs(req.IDs)
	}
	if req.Context != nil {
		kw["context"] = req.Context
	}
	body, err := json.Marshal(kw)
	if err != nil {
		return nil, &Error{Kind: KindProtocol, Message: "cannot encode request", Err: err}
	}
	return c.send(ctx, http.MethodPost, "/json/2/"+req.Model+"/"+req.Method, body, req.Model, req.Method)
}

// send does the HTTP exchange and turns every failure into an *Error.
func (c *Client) send(ctx context.Context, method, path string, body []byte, model, odooMethod string) (json.RawMessage, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	hreq, err := http.NewRequestWithContext(ctx, method, c.cfg.URL+path, rd)
	if err != nil {
		return nil, &Error{Kind: KindProtocol, Err: err}
	}
	hreq.Header.Set("User-Agent", "b2bgw")
	hreq.Header.Set("Accept", "application/json")
	if body != nil {
		hreq.Header.Set("Content-Type", "application/json")
	}
	if strings.HasPrefix(path, "/json/2/") {
		hreq.Header.Set("Authorization", "bearer "+c.cfg.APIKey.Reveal())
		hreq.Header.Set("X-Odoo-Database", c.cfg.DB)
	}
	resp, err := c.http.Do(hreq)
	if err != nil {
		return nil, transportError(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return nil, transportError(err)
	}
	ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	isJSON := ct == "application/json"
	switch {
	case resp.StatusCode == http.StatusOK && isJSON:
		return raw, nil
	case resp.StatusCode == http.StatusOK:
		return nil, &Error{Kind: KindProtocol, Status: resp.StatusCode, Message: "answer is " + ct + ", not JSON"}
	case isJSON:
		// JSON-2 error: {name, message, arguments, context, debug}.
		var e struct {
			Name    string `json:"name"`
			Message string `json:"message"`
		}
		_ = json.Unmarshal(raw, &e)
		k := kindOf(e.Name, resp.StatusCode)
		if e.Name == "werkzeug.exceptions.NotFound" {
			k = KindUnknownMethod // refined to KindUnknownModel by refineUnknown
		}
		return nil, &Error{Kind: k, Name: e.Name, Message: e.Message, Status: resp.StatusCode}
	}
	// An HTML page: a proxy in front of a dead worker (502/503/504), or a
	// route this server does not have (404: no JSON-RPC or no JSON-2).
	oe := &Error{Kind: KindProtocol, Status: resp.StatusCode, Message: http.StatusText(resp.StatusCode)}
	switch resp.StatusCode {
	case http.StatusBadGateway, http.StatusGatewayTimeout:
		oe.Kind, oe.Ambiguous = KindTransient, true
	case http.StatusServiceUnavailable, http.StatusTooManyRequests:
		// A proxy answers 503 before forwarding, but cannot promise it.
		oe.Kind, oe.Ambiguous = KindTransient, true
	case http.StatusUnauthorized:
		oe.Kind = KindAccessDenied
	}
	return nil, oe
}

// transportError classifies a failed exchange. A refused connection never
// reached Odoo, so it is safe to resend anything; a reset, EOF or timeout
// after the request went out may have been applied.
func transportError(err error) *Error {
	oe := &Error{Kind: KindTransient, Err: err, Ambiguous: true}
	if errors.Is(err, syscall.ECONNREFUSED) {
		oe.Ambiguous = false
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		oe.Ambiguous = false
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		oe.Ambiguous = false
	}
	return oe
}

// refineUnknown tells an unknown model from an unknown method (JSON-2
// answers 404 for both) and from a business UserError (JSON-RPC answers
// UserError for an unknown model) by asking ir.model whether the model
// exists — one extra call, on the error path only, and cached.
func (c *Client) refineUnknown(ctx context.Context, err error) {
	var oe *Error
	if !errors.As(err, &oe) || (oe.Kind != KindUnknownMethod && oe.Kind != KindUserError) || oe.Model == "" || oe.Model == "ir.model" {
		return
	}
	if oe.Kind == KindUserError && oe.Name != "odoo.exceptions.UserError" {
		return
	}
	exists, ok := c.modelExists(ctx, oe.Model)
	if ok && !exists {
		oe.Kind = KindUnknownModel
	}
}

func (c *Client) modelExists(ctx context.Context, model string) (exists, known bool) {
	c.modelsMu.Lock()
	v, ok := c.models[model]
	c.modelsMu.Unlock()
	if ok {
		return v, true
	}
	// search_read, not search_count: its domain parameter is "args" in 16.
	rows, err := c.SearchRead(ctx, "ir.model", Domain{Cond("model", "=", model)}, []string{"model"}, SearchOpts{Limit: 1})
	if err != nil {
		return false, false
	}
	c.modelsMu.Lock()
	c.models[model] = len(rows) > 0
	c.modelsMu.Unlock()
	return len(rows) > 0, true
}
