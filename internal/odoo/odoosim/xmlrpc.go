package odoosim

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// XML-RPC as Odoo speaks it: requests parsed like Python's
// xmlrpc.client.loads(data, use_datetime=True), responses written like
// Odoo's OdooMarshaller(allow_none=False) wrapped by rpc.py's dumps():
//
//	<?xml version="1.0"?>\n<methodResponse>\n{marshalled}\n</methodResponse>\n
//
// where the marshalled part already ends in a newline, hence the blank line
// before </methodResponse> in every captured body.

// xmlNode is a minimal element tree; XML-RPC needs no more.
type xmlNode struct {
	name     string
	text     strings.Builder
	children []*xmlNode
}

// parseXMLTree reads a document into a tree. Errors are phrased as expat
// phrases them, since Odoo's fault text is Python's ExpatError message.
func parseXMLTree(data []byte) (*xmlNode, error) {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 {
		return nil, expatError("no element found", data, len(data))
	}
	if trimmed[0] != '<' {
		// expat reports text before the root element at its first byte.
		return nil, expatError("syntax error", data, len(data)-len(trimmed))
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	var stack []*xmlNode
	var root *xmlNode
	for {
		off := int(dec.InputOffset())
		tok, err := dec.Token()
		if err == io.EOF {
			if root == nil || len(stack) > 0 {
				return nil, expatError("no element found", data, len(data))
			}
			return root, nil
		}
		if err != nil {
			var se *xml.SyntaxError
			msg := "not well-formed (invalid token)"
			if errors.As(err, &se) {
				switch {
				case strings.Contains(se.Msg, "closed by"), strings.Contains(se.Msg, "unexpected end element"):
					msg = "mismatched tag"
				case strings.Contains(se.Msg, "unexpected EOF"):
					msg = "no element found"
				}
			}
			return nil, expatError(msg, data, off)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &xmlNode{name: t.Name.Local}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			} else if root != nil {
				return nil, expatError("junk after document element", data, off)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text.Write(t)
			}
		}
	}
}

// expatError builds the "msg: line L, column C" text at byte offset off.
func expatError(msg string, data []byte, off int) *odooError {
	if off > len(data) {
		off = len(data)
	}
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	col := off - (bytes.LastIndexByte(data[:off], '\n') + 1)
	text := fmt.Sprintf("%s: line %d, column %d", msg, line, col)
	return newPyError("xml.parsers.expat.ExpatError", text, tbExpat)
}

// decodeMethodCall returns the method name and the parameters.
func decodeMethodCall(data []byte) (string, []any, error) {
	root, err := parseXMLTree(data)
	if err != nil {
		return "", nil, err
	}
	if root.name != "methodCall" {
		// Python's Unmarshaller only complains later, when the caller
		// unpacks a missing method name.
		return "", nil, newPyError("builtins.ValueError", "not enough values to unpack (expected 2, got 1)", tbGeneric)
	}
	var method string
	params := []any{}
	for _, c := range root.children {
		switch c.name {
		case "methodName":
			method = c.text.String()
		case "params":
			for _, p := range c.children {
				if p.name != "param" {
					continue
				}
				for _, v := range p.children {
					if v.name == "value" {
						val, err := decodeXMLValue(v)
						if err != nil {
							return "", nil, err
						}
						params = append(params, val)
					}
				}
			}
		}
	}
	return method, params, nil
}

func decodeXMLValue(v *xmlNode) (any, error) {
	if len(v.children) == 0 {
		return v.text.String(), nil // untyped <value> is a string
	}
	t := v.children[0]
	text := strings.TrimSpace(t.text.String())
	switch t.name {
	case "int", "i4", "i8", "i1", "i2", "biginteger":
		i, err := strconv.ParseInt(text, 10, 64)
		if err != nil {
			return nil, newPyError("builtins.ValueError", fmt.Sprintf("invalid literal for int() with base 10: %s", pyStrRepr(text)), tbGeneric)
		}
		return i, nil
	case "boolean":
		switch text {
		case "0":
			return false, nil
		case "1":
			return true, nil
		}
		return nil, newPyError("builtins.TypeError", "bad boolean value", tbGeneric)
	case "string":
		return t.text.String(), nil
	case "double", "float", "bigdecimal":
		f, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return nil, newPyError("builtins.ValueError", fmt.Sprintf("could not convert string to float: %s", pyStrRepr(text)), tbGeneric)
		}
		return f, nil
	case "dateTime.iso8601":
		// use_datetime=True yields a datetime, which the ORM takes for a
		// Datetime field exactly like its "YYYY-MM-DD HH:MM:SS" string.
		s := strings.ReplaceAll(text, "-", "")
		if len(s) >= 17 && s[8] == 'T' {
			return fmt.Sprintf("%s-%s-%s %s", s[0:4], s[4:6], s[6:8], s[9:17]), nil
		}
		return text, nil
	case "base64":
		return strings.Join(strings.Fields(text), ""), nil
	case "nil":
		return nil, nil
	case "array":
		out := []any{}
		for _, d := range t.children {
			if d.name != "data" {
				continue
			}
			for _, e := range d.children {
				if e.name != "value" {
					continue
				}
				x, err := decodeXMLValue(e)
				if err != nil {
					return nil, err
				}
				out = append(out, x)
			}
		}
		return out, nil
	case "struct":
		d := newDict()
		for _, m := range t.children {
			if m.name != "member" {
				continue
			}
			var name string
			var val any
			for _, f := range m.children {
				switch f.name {
				case "name":
					name = f.text.String()
				case "value":
					x, err := decodeXMLValue(f)
					if err != nil {
						return nil, err
					}
					val = x
				}
			}
			d.Set(name, val)
		}
		return d, nil
	}
	return nil, newPyError("builtins.TypeError", "unknown tag "+pyStrRepr(t.name), tbGeneric)
}

// xmlResponse renders a successful result. A value Python's marshaller
// refuses (None, an int beyond 32 bits) is an error that Odoo reports as a
// fault-1 traceback like any other exception.
func xmlResponse(v any) ([]byte, *odooError) {
	var b bytes.Buffer
	b.WriteString("<params>\n<param>\n")
	if err := marshalXMLValue(&b, v); err != nil {
		return nil, err
	}
	b.WriteString("</param>\n</params>\n")
	return wrapMethodResponse(b.Bytes()), nil
}

// xmlFault renders a fault whose code is an int (/xmlrpc/2) or a string
// (legacy /xmlrpc).
func xmlFault(code any, msg string) []byte {
	var b bytes.Buffer
	b.WriteString("<fault>\n")
	_ = marshalXMLValue(&b, newDict("faultCode", code, "faultString", msg))
	b.WriteString("</fault>\n")
	return wrapMethodResponse(b.Bytes())
}

func wrapMethodResponse(inner []byte) []byte {
	out := make([]byte, 0, len(inner)+64)
	out = append(out, "<?xml version=\"1.0\"?>\n<methodResponse>\n"...)
	out = append(out, inner...)
	out = append(out, "\n</methodResponse>\n"...)
	return out
}

func marshalXMLValue(b *bytes.Buffer, v any) *odooError {
	switch x := v.(type) {
	case nil:
		return newPyError("builtins.TypeError", "cannot marshal None unless allow_none is enabled", tbMarshalNone)
	case bool:
		if x {
			b.WriteString("<value><boolean>1</boolean></value>\n")
		} else {
			b.WriteString("<value><boolean>0</boolean></value>\n")
		}
	case int64:
		if x > math.MaxInt32 || x < math.MinInt32 {
			return newPyError("builtins.OverflowError", "int exceeds XML-RPC limits", tbGeneric)
		}
		fmt.Fprintf(b, "<value><int>%d</int></value>\n", x)
	case int:
		return marshalXMLValue(b, int64(x))
	case float64:
		b.WriteString("<value><double>" + pyFloatRepr(x) + "</double></value>\n")
	case string:
		b.WriteString("<value><string>")
		xmlEscape(b, stripControl(x))
		b.WriteString("</string></value>\n")
	case []int64:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = e
		}
		return marshalXMLValue(b, l)
	case []any:
		b.WriteString("<value><array><data>\n")
		for _, e := range x {
			if err := marshalXMLValue(b, e); err != nil {
				return err
			}
		}
		b.WriteString("</data></array></value>\n")
	case *pyDict:
		b.WriteString("<value><struct>\n")
		for _, k := range x.Keys() {
			b.WriteString("<member>\n<name>")
			xmlEscape(b, k)
			b.WriteString("</name>\n")
			if err := marshalXMLValue(b, x.vals[k]); err != nil {
				return err
			}
			b.WriteString("</member>\n")
		}
		b.WriteString("</struct></value>\n")
	default:
		return newPyError("builtins.TypeError", fmt.Sprintf("cannot marshal %T objects", v), tbGeneric)
	}
	return nil
}

// xmlEscape is xmlrpc.client.escape: only &, < and > are replaced.
func xmlEscape(b *bytes.Buffer, s string) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		default:
			b.WriteByte(c)
		}
	}
}

// stripControl drops C0 controls but tab, LF and CR, as OdooMarshaller does
// (XML 1.0 cannot carry them and clients choke on them).
func stripControl(s string) string {
	if strings.IndexFunc(s, isStrippedControl) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isStrippedControl(r) {
			return -1
		}
		return r
	}, s)
}

func isStrippedControl(r rune) bool { return r < 32 && r != '\t' && r != '\n' && r != '\r' }
