package odoosim

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Options configure a simulated Odoo server.
type Options struct {
	// Version is the Odoo series: "16.0", "17.0", "18.0" (default) or
	// "19.0". It decides field names, messages, and whether JSON-2 exists.
	Version string
	// DB is the database name (default "b2b", as in the captures).
	DB string
	// ServerVersion is common.version's server_version (default: Version;
	// nightly builds say e.g. "18.0-20250702").
	ServerVersion string
	// Now is the server clock (default time.Now). Dates are stored in UTC.
	Now func() time.Time
	// AdminPassword and AdminAPIKey are uid 2's credentials (defaults
	// "admin" and DefaultAPIKey).
	AdminPassword, AdminAPIKey string
	// RandSeed seeds fault injection probabilities (default 1), so a test
	// run is reproducible.
	RandSeed uint64
}

// Credentials and ids of the users every simulator has.
const (
	DefaultDB       = "b2b"
	DefaultAPIKey   = "b2bgw-sim-admin-api-key"
	AdminUID        = 2
	PortalUID       = 7
	PortalLogin     = "portal"
	PortalPassword  = "portal"
	defaultVersion  = "18.0"
	jsonContentType = "application/json; charset=utf-8"
)

// User is an account that can authenticate. Groups are Odoo group xmlids
// ("sales_team.group_sale_salesman_all_leads"); implied groups are added.
type User struct {
	Login    string
	Password string
	APIKey   string
	Name     string
	Groups   []string
}

type user struct {
	id       int64
	login    string
	password string
	apiKeys  []string
	groups   []string
	active   bool
}

func (u *user) has(g string) bool { return slices.Contains(u.groups, g) }

// Server is a simulated Odoo: an http.Handler speaking XML-RPC, JSON-RPC
// and (19.0) JSON-2 over one in-memory database. It is safe for concurrent
// use; calls are serialised like transactions on one database.
type Server struct {
	opts Options

	mu    sync.Mutex // guards db, calls, clock
	db    *db
	calls map[string]int
	clock func() time.Time

	faults faultSet

	lnMu sync.Mutex
	http *http.Server
	stop chan struct{}
}

// New returns a server with the base data of a fresh database that has
// sale, purchase and stock installed: company, warehouse WH and its
// locations and operation types, units, currencies, the admin (uid 2) and
// portal (uid 7) users. Call Seed for the demo business data.
func New(opts Options) *Server {
	if opts.Version == "" {
		opts.Version = defaultVersion
	}
	switch opts.Version {
	case "16.0", "17.0", "18.0", "19.0":
	default:
		panic(fmt.Sprintf("odoosim: unsupported version %q", opts.Version))
	}
	if opts.DB == "" {
		opts.DB = DefaultDB
	}
	if opts.ServerVersion == "" {
		opts.ServerVersion = opts.Version
	}
	if opts.AdminPassword == "" {
		opts.AdminPassword = "admin"
	}
	if opts.AdminAPIKey == "" {
		opts.AdminAPIKey = DefaultAPIKey
	}
	if opts.RandSeed == 0 {
		opts.RandSeed = 1
	}
	s := &Server{opts: opts, calls: map[string]int{}, stop: make(chan struct{})}
	s.clock = opts.Now
	if s.clock == nil {
		s.clock = time.Now
	}
	s.faults.init(opts.RandSeed)
	d := &db{name: opts.DB, version: opts.Version, models: map[string]*model{}, tables: map[string]*table{},
		seqs: map[string]int64{}, users: map[int64]*user{}}
	d.now = func() time.Time { return s.clock() }
	d.defineModels()
	s.db = d
	s.seedBase()
	return s
}

// Version returns the simulated Odoo series.
func (s *Server) Version() string { return s.opts.Version }

// DB returns the database name.
func (s *Server) DB() string { return s.opts.DB }

// AdminAPIKey returns uid 2's API key.
func (s *Server) AdminAPIKey() string { return s.opts.AdminAPIKey }

// SetClock replaces the server clock (tests replaying captures use it).
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clock = now
}

// AddUser creates an internal or portal user and returns its uid.
func (s *Server) AddUser(u User) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addUser(0, u)
}

func (s *Server) addUser(id int64, u User) int64 {
	e := s.rootEnv()
	name := u.Name
	if name == "" {
		name = u.Login
	}
	pid := e.insert("res.partner", row{"name": name, "email": u.Login + "@example.com", "company_id": int64(1)})
	vals := row{"login": u.Login, "partner_id": pid, "company_id": int64(1), "active": true}
	if id != 0 {
		vals["id"] = id
	}
	uid := e.insert("res.users", vals)
	us := &user{id: uid, login: u.Login, password: u.Password, groups: expandGroups(u.Groups), active: true}
	if u.APIKey != "" {
		us.apiKeys = []string{u.APIKey}
	}
	s.db.users[uid] = us
	return uid
}

// Calls returns how many RPC calls each "model/method" (or
// "common/method") received since the last ResetCalls.
func (s *Server) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.calls)
}

// ResetCalls zeroes the call counters.
func (s *Server) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.calls)
}

func (s *Server) count(key string) {
	s.mu.Lock()
	s.calls[key]++
	s.mu.Unlock()
}

// rootEnv is a superuser environment outside any RPC transaction.
func (s *Server) rootEnv() *env {
	return &env{db: s.db, uid: 1, ctx: newDict(), su: true}
}

// Start listens on addr (e.g. "127.0.0.1:0") and serves in the background.
// It returns the base URL.
func (s *Server) Start(addr string) (string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", err
	}
	s.lnMu.Lock()
	s.http = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	srv := s.http
	s.lnMu.Unlock()
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), nil
}

// Close stops a server started with Start and releases hanging calls.
func (s *Server) Close() error {
	s.lnMu.Lock()
	defer s.lnMu.Unlock()
	select {
	case <-s.stop:
	default:
		close(s.stop)
	}
	if s.http == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := s.http.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = s.http.Close()
	}
	return err
}

// ServeHTTP routes like Odoo's RPC controllers.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Werkzeug's development server closes every connection.
	w.Header().Set("Connection", "close")
	path := r.URL.Path
	switch {
	case strings.HasPrefix(path, "/xmlrpc/"):
		rest := strings.TrimPrefix(path, "/xmlrpc/")
		legacy := true
		if svc, ok := strings.CutPrefix(rest, "2/"); ok {
			rest, legacy = svc, false
		}
		if rest == "" || strings.Contains(rest, "/") {
			writeHTMLError(w, http.StatusNotFound, "")
			return
		}
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", "POST")
			writeHTMLError(w, http.StatusMethodNotAllowed, "")
			return
		}
		s.serveXMLRPC(w, r, rest, legacy)
	case path == "/jsonrpc":
		s.serveJSONRPC(w, r)
	case strings.HasPrefix(path, "/json/"):
		s.serveJSON2(w, r)
	case path == "/web/version" && s.db.since("19.0"):
		w.Header().Set("Content-Type", jsonContentType)
		major := strings.SplitN(s.opts.Version, ".", 2)[0]
		var mj int64
		fmt.Sscan(major, &mj)
		_, _ = w.Write(pyJSON(newDict("version_info", []any{mj, int64(0), int64(0), "final", int64(0), ""}, "version", s.opts.Version)))
	default:
		writeHTMLError(w, http.StatusNotFound, "")
	}
}

// werkzeug's HTML error page.
var httpErrorText = map[int][2]string{
	400: {"Bad Request", "The browser (or proxy) sent a request that this server could not understand."},
	401: {"Unauthorized", "The server could not verify that you are authorized to access the URL requested. You either supplied the wrong credentials (e.g. a bad password), or your browser doesn't understand how to supply the credentials required."},
	404: {"Not Found", "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again."},
	405: {"Method Not Allowed", "The method is not allowed for the requested URL."},
	415: {"Unsupported Media Type", "The server does not support the media type transmitted in the request."},
}

func writeHTMLError(w http.ResponseWriter, status int, desc string) {
	t := httpErrorText[status]
	if desc == "" {
		desc = t[1]
	}
	body := fmt.Sprintf("<!doctype html>\n<html lang=en>\n<title>%d %s</title>\n<h1>%s</h1>\n<p>%s</p>\n",
		status, t[0], t[0], strings.ReplaceAll(markupEscape(desc), "\n", "<br>"))
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// markupEscape is markupsafe.escape.
func markupEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "'", "&#39;", `"`, "&#34;").Replace(s)
}

// ---------------------------------------------------------------------------
// RPC dispatch shared by XML-RPC and JSON-RPC (odoo.http.dispatch_rpc).

// rpcCall identifies a call for counting and fault injection.
type rpcCall struct {
	service, method string
	model, kwMethod string // for object.execute_kw / execute
}

func (c rpcCall) key() string {
	if c.service == "object" && c.model != "" {
		return c.model + "/" + c.kwMethod
	}
	return c.service + "/" + c.method
}

func identify(service, method string, params []any) rpcCall {
	c := rpcCall{service: service, method: method}
	if service == "object" && (method == "execute_kw" || method == "execute") && len(params) >= 5 {
		c.model, _ = params[3].(string)
		c.kwMethod, _ = params[4].(string)
	}
	return c
}

func keyError(key string) *odooError {
	e := newPyError(clsKeyError, key, nil)
	e.tbText = pyStrRepr(key)
	return e
}

// dispatchRPC runs one call under the database lock.
func (s *Server) dispatchRPC(service, method string, params []any) (any, *odooError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch service {
	case "common":
		return s.dispatchCommon(method, params)
	case "object":
		return s.dispatchObject(method, params)
	case "db":
		if method == "list" {
			return []any{s.db.name}, nil
		}
		if method == "server_version" {
			return s.opts.ServerVersion, nil
		}
		return nil, keyError("exp_" + method)
	}
	return nil, keyError(service)
}

func (s *Server) versionInfo() *pyDict {
	var major int64
	fmt.Sscan(strings.SplitN(s.opts.Version, ".", 2)[0], &major)
	return newDict(
		"server_version", s.opts.ServerVersion,
		"server_version_info", []any{major, int64(0), int64(0), "final", int64(0), ""},
		"server_serie", s.opts.Version,
		"protocol_version", int64(1),
	)
}

func (s *Server) dispatchCommon(method string, params []any) (any, *odooError) {
	fnArgs := map[string][]string{
		"version":      {},
		"authenticate": {"db", "login", "password", "user_agent_env"},
		"login":        {"db", "login", "password"},
		"about":        {},
	}
	names, ok := fnArgs[method]
	if !ok {
		return nil, keyError("exp_" + method)
	}
	if len(params) < len(names) {
		missing := names[len(params):]
		quoted := make([]string, len(missing))
		for i, m := range missing {
			quoted[i] = "'" + m + "'"
		}
		list := quoted[0]
		if len(quoted) > 1 {
			list = strings.Join(quoted[:len(quoted)-1], ", ") + " and " + quoted[len(quoted)-1]
		}
		return nil, typeError(fmt.Sprintf("exp_%s() missing %d required positional argument%s: %s", method, len(missing), plural(len(missing)), list))
	}
	if len(params) > len(names) {
		return nil, typeError(fmt.Sprintf("exp_%s() takes %d positional argument%s but %d were given", method, len(names), plural(len(names)), len(params)))
	}
	switch method {
	case "version":
		return s.versionInfo(), nil
	case "about":
		return "See http://openerp.com", nil
	}
	dbName, _ := params[0].(string)
	if err := s.checkDB(dbName); err != nil {
		return nil, err
	}
	login, _ := params[1].(string)
	secret, _ := params[2].(string)
	// exp_authenticate turns AccessDenied into False.
	for _, u := range s.db.users {
		if u.login == login && u.active && (u.password == secret && secret != "" || slices.Contains(u.apiKeys, secret)) {
			return u.id, nil
		}
	}
	return false, nil
}

func (s *Server) checkDB(name string) *odooError {
	if name == s.db.name {
		return nil
	}
	// The host and port are those of the server the captures come from.
	msg := fmt.Sprintf("connection to server at \"127.0.0.1\", port 5433 failed: FATAL:  database \"%s\" does not exist\n", name)
	e := newPyError(clsOperational, msg, []frame{
		odooFrame("modules/registry.py", 108, "__new__", "return cls.new(db_name)"),
		odooFrame("modules/registry.py", 127, "new", "registry.init(db_name)"),
		odooFrame("sql_db.py", 714, "borrow", "result = psycopg2.connect("),
	})
	// Registry(db) first misses its cache, and the connection error is
	// raised while handling that KeyError.
	e.cause = "Traceback (most recent call last):\n" +
		"  File \"" + odooRoot + "modules/registry.py\", line 106, in __new__\n" +
		"    return cls.registries[db_name]\n" +
		"           ~~~~~~~~~~~~~~^^^^^^^^^\n" +
		"  File \"" + odooRoot + "tools/lru.py\", line 46, in __getitem__\n" +
		"    a = self.d[obj]\n" +
		"        ~~~~~~^^^^^\n" +
		"KeyError: " + pyStrRepr(name) + "\n"
	return e
}

// checkCredentials is security.check: AccessDenied unless uid's password
// or one of its API keys matches.
func (s *Server) checkCredentials(uid int64, secret string) *odooError {
	u := s.db.users[uid]
	if u != nil && u.active && secret != "" && (u.password == secret || slices.Contains(u.apiKeys, secret)) {
		return nil
	}
	return newPyError(clsAccessDenied, "Access Denied", framesAccessDenied)
}

func (s *Server) dispatchObject(method string, params []any) (any, *odooError) {
	if len(params) < 3 {
		return nil, newPyError("builtins.IndexError", "tuple index out of range", nil)
	}
	dbName, _ := params[0].(string)
	uid, ok := asInt(params[1])
	if !ok {
		return nil, valueError(fmt.Sprintf("invalid literal for int() with base 10: %s", pyRepr(params[1])), "db, uid, passwd = params[0], int(params[1]), params[2]")
	}
	secret, _ := params[2].(string)
	if err := s.checkDB(dbName); err != nil {
		return nil, err
	}
	if err := s.checkCredentials(uid, secret); err != nil {
		return nil, err
	}
	rest := params[3:]
	switch method {
	case "execute_kw":
		if len(rest) < 3 {
			missing := []string{"obj", "method", "args"}[len(rest):]
			return nil, typeError(fmt.Sprintf("execute_kw() missing %d required positional argument%s: '%s'", len(missing), plural(len(missing)), strings.Join(missing, "', '")))
		}
		args, ok := rest[2].([]any)
		if !ok && rest[2] != nil {
			return nil, typeError(fmt.Sprintf("odoo.service.model.execute() argument after * must be an iterable, not %s", pyTypeName(rest[2])))
		}
		var kw *pyDict
		if len(rest) > 3 {
			kw, _ = rest[3].(*pyDict)
		}
		model, _ := rest[0].(string)
		name, _ := rest[1].(string)
		return s.execute(uid, model, name, args, kw)
	case "execute":
		if len(rest) < 2 {
			return nil, typeError("execute() missing 2 required positional arguments: 'obj' and 'method'")
		}
		model, _ := rest[0].(string)
		name, _ := rest[1].(string)
		return s.execute(uid, model, name, rest[2:], nil)
	}
	return nil, newPyError("builtins.NameError", "Method not available "+method, nil)
}

// execute is service.model.execute_cr + api.call_kw for one model method,
// in its own transaction.
func (s *Server) execute(uid int64, model, name string, args []any, kwargs *pyDict) (any, *odooError) {
	m := s.db.models[model]
	if m == nil {
		e := userError("Object %s doesn't exist", model)
		e.frames = append(slices.Clone(framesExecuteKw[:4]), odooFrame("service/model.py", 69, "execute_cr", `raise UserError(_("Object %s doesn't exist", obj))`))
		e.kw = true
		return nil, e
	}
	if strings.HasPrefix(name, "_") {
		e := accessError(fmt.Sprintf("Private methods (such as '%s.%s') cannot be called remotely.", model, name))
		e.frames = append(slices.Clone(framesExecuteKw[:3]), odooFrame("service/model.py", 86, "execute", "check_method_name(method)"),
			odooFrame("service/model.py", 42, "check_method_name", "raise AccessError(_('Private methods (such as %s) cannot be called remotely.', name))"))
		e.kw = true
		return nil, e
	}
	mt := m.methods[name]
	if mt == nil {
		e := newPyError(clsAttribute, fmt.Sprintf("The method '%s.%s' does not exist", model, name),
			[]frame{odooFrame("api.py", 515, "call_kw", `raise AttributeError(f"The method '{model._name}.{name}' does not exist")`)})
		e.frames = append(slices.Clone(framesExecuteKw[:5]), e.frames...)
		e.kw = true
		return nil, e
	}
	ctx := newDict()
	if kwargs != nil {
		kwargs = kwargs.Copy()
		if c, ok := kwargs.Get("context"); ok {
			if cd, ok := c.(*pyDict); ok {
				ctx = cd
			}
			kwargs.Delete("context")
		}
	}
	var ids []int64
	if mt.multi {
		if len(args) == 0 {
			return nil, underCallKw(newPyError("builtins.IndexError", "list index out of range", nil))
		}
		var err *odooError
		if ids, err = idsArg(args[0]); err != nil {
			return nil, underCallKw(err)
		}
		args = args[1:]
	}
	bound, extra, err := mt.bind(name, args, kwargs)
	if err != nil {
		return nil, underCallKw(err)
	}
	return s.run(uid, m, name, mt, ids, bound, extra, ctx, false)
}

// run executes a bound method in a transaction, rolled back on error.
func (s *Server) run(uid int64, m *model, name string, mt *method, ids []int64, bound map[string]any, extra, ctx *pyDict, json2 bool) (any, *odooError) {
	e := &env{db: s.db, uid: uid, ctx: ctx, tx: &tx{saved: map[string]map[int64]row{}}}
	res, err := mt.fn(&call{e: e, m: m, name: name, ids: ids, args: bound, extra: extra, json2: json2})
	if err != nil {
		e.rollback()
		if json2 {
			return nil, err
		}
		return nil, underCallKw(err)
	}
	return res, nil
}
