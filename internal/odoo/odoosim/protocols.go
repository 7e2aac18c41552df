package odoosim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

const maxBody = 64 << 20

// ---------------------------------------------------------------------------
// XML-RPC: /xmlrpc/2/<service> (int fault codes) and /xmlrpc/<service>
// (legacy string fault codes). Always HTTP 200.

func (s *Server) serveXMLRPC(w http.ResponseWriter, r *http.Request, service string, legacy bool) {
	entry := framesXMLRPC2
	if legacy {
		entry = framesXMLRPC1
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxBody))
	method, params, perr := decodeMethodCall(body)
	if perr != nil {
		var oe *odooError
		errors.As(perr, &oe)
		if oe.class == "xml.parsers.expat.ExpatError" {
			oe.frames = tbExpat
		}
		writeXML(w, s.xmlFaultBody(oe, entry, legacy), false)
		return
	}
	call := identify(service, method, params)
	s.count(call.key())
	f := s.faults.pick(call)
	if s.preFault(w, r, f) {
		return
	}
	var res any
	var err *odooError
	if f != nil && f.Kind == SerializationFailure {
		err = serializationFailure()
	} else {
		res, err = s.dispatchRPC(service, method, params)
	}
	if postFault(w, f) {
		return
	}
	if err != nil {
		// Raised under dispatch_rpc: its frames come first.
		err.frames = append(slices.Clone(framesXMLDispatch), err.frames...)
		writeXML(w, s.xmlFaultBody(err, entry, legacy), false)
		return
	}
	out, merr := xmlResponse(res)
	if merr != nil {
		writeXML(w, s.xmlFaultBody(merr, entry, legacy), false)
		return
	}
	writeXML(w, out, true)
}

func writeXML(w http.ResponseWriter, body []byte, ok bool) {
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	if ok {
		// Odoo's Response sets nosniff on success only; faults are written
		// by a path that does not.
		w.Header().Set("X-Content-Type-Options", "nosniff")
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body)
}

// xmlFaultBody is xmlrpc_handle_exception_int / _string.
func (s *Server) xmlFaultBody(e *odooError, entry []frame, legacy bool) []byte {
	if !legacy {
		code := e.xmlrpcCode()
		if code == 1 {
			return xmlFault(code, e.traceback(entry))
		}
		return xmlFault(code, e.msg)
	}
	switch e.class {
	case clsMissing:
		return xmlFault("warning -- MissingError\n\n"+e.msg, "")
	case clsAccessError:
		return xmlFault("warning -- AccessError\n\n"+e.msg, "")
	case clsAccessDenied:
		return xmlFault("AccessDenied", e.msg)
	case clsUserError, clsValidation, clsLockError:
		return xmlFault("warning -- UserError\n\n"+e.msg, "")
	}
	return xmlFault(e.msg, e.traceback(entry))
}

// ---------------------------------------------------------------------------
// JSON-RPC: /jsonrpc. HTTP 200 for every RPC error, 400 for a body that is
// not JSON, 415 (400 in 16) for a wrong Content-Type.

func mimeType(r *http.Request) string {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt
}

func (s *Server) checkJSONContentType(w http.ResponseWriter, r *http.Request, route string) bool {
	mt := mimeType(r)
	if mt == "application/json" || mt == "application/json-rpc" {
		return true
	}
	compatible := "['http']"
	if s.db.since("17.0") {
		w.Header().Set("Accept", "application/json, application/json-rpc")
		writeHTMLError(w, http.StatusUnsupportedMediaType, fmt.Sprintf("Request inferred type is compatible with %s but '%s' is type='json'.\n\nPlease verify the Content-Type request header and try again.", compatible, route))
	} else {
		writeHTMLError(w, http.StatusBadRequest, fmt.Sprintf("Request inferred type is compatible with %s but '%s' is type='json'.", compatible, route))
	}
	return false
}

func (s *Server) serveJSONRPC(w http.ResponseWriter, r *http.Request) {
	if !s.checkJSONContentType(w, r, "/jsonrpc") {
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxBody))
	req, perr := decodeJSON(body)
	if perr != nil {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte("Invalid JSON data"))
		return
	}
	rd, ok := req.(*pyDict)
	if !ok {
		s.writeJSONRPCError(w, nil, newPyError(clsAttribute, fmt.Sprintf("'%s' object has no attribute 'get'", pyTypeName(req)), nil))
		return
	}
	id, _ := rd.Get("id")
	params, _ := rd.Get("params")
	pd, _ := params.(*pyDict)
	var missing []string
	for _, k := range []string{"service", "method", "args"} {
		if !pd.Has(k) {
			missing = append(missing, "'"+k+"'")
		}
	}
	if len(missing) > 0 {
		list := missing[0]
		if len(missing) > 1 {
			list = strings.Join(missing[:len(missing)-1], ", ") + " and " + missing[len(missing)-1]
		}
		s.writeJSONRPCError(w, id, typeError(fmt.Sprintf("RPC.jsonrpc() missing %d required positional argument%s: %s", len(missing), plural(len(missing)), list)))
		return
	}
	service, _ := pd.vals["service"].(string)
	method, _ := pd.vals["method"].(string)
	args, _ := pd.vals["args"].([]any)
	call := identify(service, method, args)
	s.count(call.key())
	f := s.faults.pick(call)
	if s.preFault(w, r, f) {
		return
	}
	var res any
	var err *odooError
	if f != nil && f.Kind == SerializationFailure {
		err = serializationFailure()
	} else {
		res, err = s.dispatchRPC(service, method, args)
	}
	if postFault(w, f) {
		return
	}
	if err != nil {
		s.writeJSONRPCError(w, id, err)
		return
	}
	resp := newDict("jsonrpc", "2.0", "id", id)
	if res != nil {
		// A method returning None gives no "result" key at all.
		resp.Set("result", res)
	}
	out := pyJSON(resp)
	w.Header().Set("Content-Type", jsonContentType)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	_, _ = w.Write(out)
}

// serializeException is odoo.http.serialize_exception: 16-18 order the
// keys name, debug, message, arguments, context; 19 name, message,
// arguments, context, debug.
func (s *Server) serializeException(e *odooError, entry []frame) *pyDict {
	debug := e.traceback(entry)
	args := e.arguments()
	if s.db.since("19.0") {
		return newDict("name", e.class, "message", e.msg, "arguments", args, "context", newDict(), "debug", debug)
	}
	return newDict("name", e.class, "debug", debug, "message", e.msg, "arguments", args, "context", newDict())
}

func (s *Server) writeJSONRPCError(w http.ResponseWriter, id any, e *odooError) {
	code := int64(200)
	if s.db.since("19.0") {
		code = 0
	}
	resp := newDict("jsonrpc", "2.0", "id", id, "error", newDict("code", code, "message", "Odoo Server Error", "data", s.serializeException(e, framesJSONRPC)))
	out := pyJSON(resp)
	w.Header().Set("Content-Type", jsonContentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	_, _ = w.Write(out)
}

// ---------------------------------------------------------------------------
// JSON-2 (19.0): POST /json/2/<model>/<method>, bearer API key, named
// arguments, bare JSON results and real HTTP statuses.

func werkzeugError(class string, status int, msg string) *odooError {
	e := newPyError("werkzeug.exceptions."+class, msg, nil)
	e.status = status
	e.args = []any{msg, int64(status)}
	return e
}

func (s *Server) writeJSON2Error(w http.ResponseWriter, e *odooError) {
	out := pyJSON(s.serializeException(e, framesJSON2))
	if e.header[0] != "" {
		w.Header().Set(e.header[0], e.header[1])
	}
	w.Header().Set("Content-Type", jsonContentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(e.http2Status())
	_, _ = w.Write(out)
}

func (s *Server) serveJSON2(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/json/2/")
	if !s.db.since("19.0") {
		if s.db.since("18.0") {
			// 18's /json/<path> web route wants a session: to the login page.
			loc := "/web/login?redirect=" + url.QueryEscape(r.URL.Path+"?"+r.URL.RawQuery)
			loc = strings.ReplaceAll(loc, "+", "%20")
			body := "<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n" +
				"<p>You should be redirected automatically to the target URL: <a href=\"" + markupEscape(loc) + "\">" + markupEscape(loc) + "</a>. If not, click the link.\n"
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Location", loc)
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.WriteHeader(http.StatusSeeOther)
			_, _ = w.Write([]byte(body))
			return
		}
		writeHTMLError(w, http.StatusNotFound, "")
		return
	}
	parts := strings.Split(rest, "/")
	if !ok || len(parts) != 2 || parts[0] == "" || parts[1] == "" {
		writeHTMLError(w, http.StatusNotFound, "Did you mean POST /json/2/<model>/<method>?")
		return
	}
	model, name := parts[0], parts[1]
	if db := r.Header.Get("X-Odoo-Database"); db != "" && db != s.db.name {
		writeHTMLError(w, http.StatusNotFound, "")
		return
	}
	if r.Method != http.MethodPost {
		s.writeJSON2Error(w, werkzeugError("MethodNotAllowed", 405, "The method is not allowed for the requested URL."))
		return
	}
	if mimeType(r) != "application/json" {
		w.Header().Set("Accept", "application/json")
		writeHTMLError(w, http.StatusUnsupportedMediaType, "Request inferred type is compatible with ['http'] but '/json/2/<model>/<method>' is type='/json/2/rpc'.\n\nPlease verify the Content-Type request header and try again.")
		return
	}
	auth := r.Header.Get("Authorization")
	scheme, key, _ := strings.Cut(auth, " ")
	if auth == "" || !strings.EqualFold(scheme, "bearer") {
		e := werkzeugError("Unauthorized", 401, `User not authenticated, use the "Authorization" header`)
		e.header = [2]string{"WWW-Authenticate", "bearer"}
		s.writeJSON2Error(w, e)
		return
	}
	call := rpcCall{service: "object", model: model, kwMethod: name}
	s.count(call.key())
	f := s.faults.pick(call)
	if s.preFault(w, r, f) {
		return
	}
	var res any
	var err *odooError
	if f != nil && f.Kind == SerializationFailure {
		err = serializationFailure()
	} else {
		body, _ := io.ReadAll(io.LimitReader(r.Body, maxBody))
		res, err = s.json2Call(strings.TrimSpace(key), model, name, body)
	}
	if postFault(w, f) {
		return
	}
	if err != nil {
		s.writeJSON2Error(w, err)
		return
	}
	out := pyJSON(res)
	w.Header().Set("Content-Type", jsonContentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	_, _ = w.Write(out)
}

// pyJSONError phrases a JSON syntax error like Python's json module, which
// reports "Expecting value" at the start of the value it could not read
// (other Python wordings are not reproduced).
func pyJSONError(body []byte) string {
	var se *json.SyntaxError
	off := 0
	if err := json.Unmarshal(body, new(any)); errors.As(err, &se) {
		off = max(0, min(int(se.Offset)-1, len(body)))
	}
	// Back to the start of the token Go stopped in ("nope" fails at 'o').
	for off > 0 && isTokenByte(body[off-1]) {
		off--
	}
	for off < len(body) && strings.IndexByte(" \t\r\n", body[off]) >= 0 {
		off++
	}
	line := 1 + bytes.Count(body[:off], []byte("\n"))
	col := off - bytes.LastIndexByte(body[:off], '\n')
	return fmt.Sprintf("Expecting value: line %d column %d (char %d)", line, col, off)
}

func isTokenByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.'
}

func (s *Server) json2Call(key, model, name string, body []byte) (any, *odooError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var uid int64
	for _, u := range s.db.users {
		if u.active && key != "" && slices.Contains(u.apiKeys, key) {
			uid = u.id
		}
	}
	if uid == 0 {
		return nil, werkzeugError("Unauthorized", 401, "Invalid apikey")
	}
	v, perr := decodeJSON(body)
	if perr != nil {
		return nil, werkzeugError("BadRequest", 400, "could not parse the body as json: "+pyJSONError(body))
	}
	kw, ok := v.(*pyDict)
	if !ok {
		return nil, werkzeugError("BadRequest", 400, "could not parse the body, expecting a json object")
	}
	m := s.db.models[model]
	if m == nil {
		return nil, werkzeugError("NotFound", 404, fmt.Sprintf("the model %s does not exist", pyStrRepr(model)))
	}
	if strings.HasPrefix(name, "_") {
		return nil, accessError(fmt.Sprintf("Private methods (such as '%s.%s') cannot be called remotely.", model, name))
	}
	mt := m.methods[name]
	if mt == nil {
		return nil, werkzeugError("NotFound", 404, fmt.Sprintf("The method '%s.%s' does not exist", model, name))
	}
	kw = kw.Copy()
	ctx := newDict()
	if c, ok := kw.Get("context"); ok {
		if cd, ok := c.(*pyDict); ok {
			ctx = cd
		}
		kw.Delete("context")
	}
	var ids []int64
	if raw, ok := kw.Get("ids"); ok {
		kw.Delete("ids")
		var err *odooError
		if ids, err = idsArg(raw); err != nil {
			return nil, err
		}
		if !mt.multi && len(ids) > 0 {
			return nil, werkzeugError("UnprocessableEntity", 422, fmt.Sprintf("cannot call %s.%s with ids", model, name))
		}
	}
	bound, extra, err := mt.bind(name, nil, kw)
	if err != nil {
		// inspect.Signature.bind words it differently from a call.
		msg := err.msg
		if i := strings.Index(msg, "missing "); i >= 0 {
			if q := strings.Index(msg, ": "); q > 0 {
				first, _, _ := strings.Cut(msg[q+2:], " and ")
				first, _, _ = strings.Cut(first, ", ")
				msg = "missing a required argument: " + first
			}
		} else if i := strings.Index(msg, "got "); i >= 0 {
			msg = msg[i:]
		}
		return nil, werkzeugError("UnprocessableEntity", 422, msg)
	}
	return s.run(uid, m, name, mt, ids, bound, extra, ctx, true)
}
