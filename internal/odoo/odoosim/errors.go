package odoosim

import (
	"fmt"
	"strings"
)

// odooError is a Python exception as it leaves Odoo: its qualified class
// name (what JSON-RPC puts in data.name), str(exc), exc.args, and the frames
// of its traceback below the RPC entry point (the entry frames depend on
// the protocol and are added when the traceback is rendered).
type odooError struct {
	class  string
	msg    string
	args   []any
	frames []frame
	// status and header are for werkzeug HTTP exceptions on JSON-2, which
	// carry their own HTTP status.
	status int
	header [2]string
	// kw is set once the execute_kw frames are in frames.
	kw bool
	// tbText replaces msg on the traceback's last line when Python prints
	// the exception differently from str() (KeyError shows a repr).
	tbText string
	// cause is the rendered traceback of the exception this one was
	// raised while handling (Python's implicit chaining).
	cause string
}

func (e *odooError) Error() string { return e.class + ": " + e.msg }

// Exception classes the simulator raises.
const (
	clsAccessDenied  = "odoo.exceptions.AccessDenied"
	clsAccessError   = "odoo.exceptions.AccessError"
	clsUserError     = "odoo.exceptions.UserError"
	clsValidation    = "odoo.exceptions.ValidationError"
	clsMissing       = "odoo.exceptions.MissingError"
	clsLockError     = "odoo.exceptions.LockError"
	clsValueError    = "builtins.ValueError"
	clsTypeError     = "builtins.TypeError"
	clsKeyError      = "builtins.KeyError"
	clsAttribute     = "builtins.AttributeError"
	clsSerialization = "psycopg2.errors.SerializationFailure"
	clsOperational   = "psycopg2.OperationalError"
)

func newPyError(class, msg string, frames []frame) *odooError {
	return &odooError{class: class, msg: msg, frames: frames}
}

func userError(format string, a ...any) *odooError {
	return newPyError(clsUserError, fmt.Sprintf(format, a...), raiseAt("models.py", "raise UserError(msg)"))
}

func validationError(msg string) *odooError {
	return newPyError(clsValidation, msg, raiseAt("models.py", "raise ValidationError(msg)"))
}

func valueError(msg string, raise string) *odooError {
	return newPyError(clsValueError, msg, raiseAt("models.py", raise))
}

func accessError(msg string) *odooError {
	return newPyError(clsAccessError, msg, raiseAt("models.py", "raise AccessError(msg)"))
}

// missingError is what write/unlink/actions raise on ids that do not exist.
func missingError(model string, ids []int64, uid int64) *odooError {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprint(id)
	}
	rs := strings.Join(parts, ", ")
	if len(ids) == 1 {
		rs += ","
	}
	msg := fmt.Sprintf("Record does not exist or has been deleted.\n(Record: %s(%s), User: %d)", model, rs, uid)
	return newPyError(clsMissing, msg, raiseAt("models.py", "raise MissingError("))
}

// arguments is exc.args as JSON shows it.
func (e *odooError) arguments() []any {
	if e.args != nil {
		return e.args
	}
	return []any{e.msg}
}

// shortClass is how format_exception names the class: builtins lose their
// module, everything else keeps it.
func (e *odooError) shortClass() string {
	if s, ok := strings.CutPrefix(e.class, "builtins."); ok {
		return s
	}
	return e.class
}

// xmlrpcCode is xmlrpc_handle_exception_int's fault code: AccessError 4,
// AccessDenied 3, UserError and subclasses 2, anything else 1.
func (e *odooError) xmlrpcCode() int64 {
	switch e.class {
	case clsAccessError:
		return 4
	case clsAccessDenied:
		return 3
	case clsUserError, clsValidation, clsMissing, clsLockError:
		return 2
	}
	return 1
}

// http2Status is the HTTP status JSON-2 answers with (exceptions.py's
// http_status in 19, werkzeug's code for HTTP exceptions).
func (e *odooError) http2Status() int {
	if e.status != 0 {
		return e.status
	}
	switch e.class {
	case clsUserError, clsValidation:
		return 422
	case clsAccessError, clsAccessDenied:
		return 403
	case clsMissing:
		return 404
	case clsLockError:
		return 409
	}
	return 500
}

// ---------------------------------------------------------------------------
// Tracebacks. Odoo puts them in XML-RPC fault 1 strings and in JSON-RPC
// data.debug. The frames below are those of the Odoo 18.0 server that the
// captures come from (paths normalised to /opt/odoo as in the captures).
// The two captured tracebacks that were kept whole are reproduced exactly;
// the frames of other tracebacks are Odoo's real call path as far as the
// captures show it, ending in the line that raises.

type frame struct {
	file string
	line int
	fn   string
	code string
}

// render prints a frame like Python 3.11's traceback module, including the
// caret line under the called expression when it is not the whole line.
func (f frame) render(b *strings.Builder) {
	fmt.Fprintf(b, "  File \"%s\", line %d, in %s\n    %s\n", f.file, f.line, f.fn, f.code)
	start := exprStart(f.code)
	if start > 0 {
		b.WriteString(strings.Repeat(" ", 4+start))
		b.WriteString(strings.Repeat("^", len(f.code)-start))
		b.WriteByte('\n')
	}
}

// exprStart finds where the called expression of a statement starts: after
// "return " or after the last top-level "= " of an assignment. Zero means
// the call is the whole line, where Python prints no carets.
func exprStart(code string) int {
	if strings.HasPrefix(code, "return ") {
		return len("return ")
	}
	if strings.HasPrefix(code, "raise ") {
		return 0
	}
	depth, last := 0, 0
	for i := 0; i < len(code); i++ {
		switch code[i] {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		case '=':
			if depth == 0 && i > 0 && code[i-1] == ' ' && i+1 < len(code) && code[i+1] == ' ' {
				last = i + 2
			}
		}
	}
	return last
}

const odooRoot = "/opt/odoo/odoo/"

func odooFrame(file string, line int, fn, code string) frame {
	return frame{file: odooRoot + file, line: line, fn: fn, code: code}
}

// Entry frames per protocol.
var (
	framesXMLRPC2 = []frame{
		odooFrame("addons/base/controllers/rpc.py", 165, "xmlrpc_2", "response = self._xmlrpc(service)"),
	}
	framesXMLRPC1 = []frame{
		odooFrame("addons/base/controllers/rpc.py", 151, "xmlrpc_1", "response = self._xmlrpc(service)"),
	}
	framesXMLDispatch = []frame{
		odooFrame("addons/base/controllers/rpc.py", 139, "_xmlrpc", "result = dispatch_rpc(service, method, params)"),
		odooFrame("http.py", 412, "dispatch_rpc", "return dispatch(method, params)"),
	}
	framesJSONRPC = []frame{
		odooFrame("http.py", 2122, "_transactioning", "return service_model.retrying(func, env=self.env)"),
		odooFrame("service/model.py", 156, "retrying", "result = func()"),
		odooFrame("http.py", 2089, "_serve_ir_http", "response = self.dispatcher.dispatch(rule.endpoint, args)"),
		odooFrame("http.py", 2337, "dispatch", "result = self.request.registry['ir.http']._dispatch(endpoint)"),
		odooFrame("addons/base/models/ir_http.py", 333, "_dispatch", "result = endpoint(**request.params)"),
		odooFrame("http.py", 754, "route_wrapper", "result = endpoint(self, *args, **params_ok)"),
		odooFrame("addons/base/controllers/rpc.py", 178, "jsonrpc", "return dispatch_rpc(service, method, args)"),
		odooFrame("http.py", 412, "dispatch_rpc", "return dispatch(method, params)"),
	}
	framesJSON2 = []frame{
		odooFrame("http.py", 2200, "_transactioning", "return service_model.retrying(func, env=self.env)"),
		odooFrame("service/model.py", 184, "retrying", "result = func()"),
		odooFrame("http.py", 2167, "_serve_ir_http", "response = self.dispatcher.dispatch(rule.endpoint, args)"),
		odooFrame("http.py", 2580, "dispatch", "result = self.request.registry['ir.http']._dispatch(endpoint)"),
		odooFrame("addons/base/models/ir_http.py", 341, "_dispatch", "result = endpoint(**request.params)"),
		odooFrame("http.py", 787, "route_wrapper", "result = endpoint(self, *args, **params_ok)"),
		odooFrame("addons/rpc/controllers/json2.py", 97, "call_model", "result = call_kw(Model, method_name, args, kwargs)"),
	}
	// Below dispatch_rpc for the object service, down to the model method.
	framesExecuteKw = []frame{
		odooFrame("service/model.py", 58, "dispatch", "res = execute_kw(db, uid, *params[3:])"),
		odooFrame("service/model.py", 81, "execute_kw", "return execute(db, uid, obj, method, *args, **kw or {})"),
		odooFrame("service/model.py", 87, "execute", "res = execute_cr(cr, uid, obj, method, *args, **kw)"),
		odooFrame("service/model.py", 72, "execute_cr", "result = retrying(partial(odoo.api.call_kw, recs, method, args, kw), env)"),
		odooFrame("service/model.py", 156, "retrying", "result = func()"),
		odooFrame("api.py", 533, "call_kw", "result = getattr(recs, name)(*args, **kwargs)"),
	}
	framesAccessDenied = []frame{
		odooFrame("service/model.py", 49, "dispatch", "security.check(db, uid, passwd)"),
		odooFrame("service/security.py", 11, "check", "return res_users.check(db, uid, passwd)"),
		{file: "/usr/lib/python3/dist-packages/decorator.py", line: 232, fn: "fun", code: "return caller(func, *(extras + args), **kw)"},
		odooFrame("tools/cache.py", 110, "lookup", "value = d[key] = self.method(*args, **kwargs)"),
		odooFrame("addons/base/models/res_users.py", 995, "check", "self._check_credentials(credential, {'interactive': False})"),
		odooFrame("addons/base/models/res_users.py", 2320, "_check_credentials", "raise AccessDenied()"),
	}
	// search_read with an unknown name in fields: kept whole in the captures.
	framesSearchReadBadField = []frame{
		odooFrame("models.py", 6121, "search_read", "records = self.search_fetch(domain or [], fields, offset=offset, limit=limit, order=order)"),
		odooFrame("models.py", 1779, "search_fetch", "fields_to_fetch = self._determine_fields_to_fetch(field_names)"),
		odooFrame("models.py", 4171, "_determine_fields_to_fetch", `raise ValueError(f"Invalid field {field_name!r} on model {self._name!r}")`),
	}
	tbExpat = []frame{
		odooFrame("addons/base/controllers/rpc.py", 138, "_xmlrpc", "params, method = xmlrpc.client.loads(data, use_datetime=True)"),
		{file: "/usr/lib/python3.11/xmlrpc/client.py", line: 1029, fn: "loads", code: "p.feed(data)"},
		{file: "/usr/lib/python3.11/xmlrpc/client.py", line: 451, fn: "feed", code: "self._parser.Parse(data, False)"},
	}
	tbMarshalNone = []frame{
		odooFrame("addons/base/controllers/rpc.py", 140, "_xmlrpc", "return dumps((result,))"),
		odooFrame("addons/base/controllers/rpc.py", 101, "dumps", "response = OdooMarshaller(allow_none=False).dumps(params)"),
		{file: "/usr/lib/python3.11/xmlrpc/client.py", line: 519, fn: "dumps", code: "dump(v, write)"},
		{file: "/usr/lib/python3.11/xmlrpc/client.py", line: 541, fn: "__dump", code: "f(self, value, write)"},
		{file: "/usr/lib/python3.11/xmlrpc/client.py", line: 547, fn: "dump_nil", code: `raise TypeError("cannot marshal None unless allow_none is enabled")`},
	}
	tbGeneric = []frame{}
)

// raiseAt is the innermost frame of an exception raised by model code.
// The file and the raising statement are Odoo's; these frames are elided in
// the captures, so the line number is not Odoo's and is left at 1.
func raiseAt(file, code string) []frame {
	return []frame{odooFrame(file, 1, "check", code)}
}

// underCallKw prepends the execute_kw → call_kw frames to an error raised
// inside a model method (only once: errors can pass several layers).
func underCallKw(e *odooError) *odooError {
	if !e.kw {
		e.kw = true
		e.frames = append(append([]frame{}, framesExecuteKw...), e.frames...)
	}
	return e
}

// traceback renders the whole text, entry being the protocol's own frames.
func (e *odooError) traceback(entry []frame) string {
	var b strings.Builder
	if e.cause != "" {
		b.WriteString(e.cause)
		b.WriteString("\nDuring handling of the above exception, another exception occurred:\n\n")
	}
	b.WriteString("Traceback (most recent call last):\n")
	for _, f := range entry {
		f.render(&b)
	}
	for _, f := range e.frames {
		f.render(&b)
	}
	b.WriteString(e.shortClass())
	text := e.msg
	if e.tbText != "" {
		text = e.tbText
	}
	if text != "" {
		b.WriteString(": ")
		b.WriteString(text)
	}
	b.WriteByte('\n')
	return b.String()
}
