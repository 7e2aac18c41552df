package mapping

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The fast path for the string functions mappings use on ordinary fields:
// normalize-space(p), string(p) and concat(a, 'lit', b, …) where every
// argument is a fast path, a quoted literal or another of these calls.
// Through antchfx/xpath each costs ~25 allocations (the query objects are
// cloned per evaluation, antchfx/xpath#43); here it appends to the
// evaluator's scratch buffer. The results are those of antchfx/xpath: a
// path argument is its first node's string-value ("" when none),
// normalize-space trims and collapses Unicode white space exactly as
// antchfx does (including its rune decoding of invalid UTF-8).

type fastFunc struct {
	op   byte // 'n' normalize-space, 's' string, 'c' concat
	args []fastArg
}

// fastArg is exactly one of path, fn and lit (isLit).
type fastArg struct {
	path  *fastPath
	fn    *fastFunc
	lit   string
	isLit bool
}

// compileFastFunc returns the fast form of src, or nil when src is not a
// call of a supported function with supported arguments.
func compileFastFunc(src string) *fastFunc {
	p := &pathParser{s: src}
	f := p.call()
	p.space()
	if f == nil || p.i != len(p.s) {
		return nil
	}
	return f
}

var fastFuncs = map[string]byte{"normalize-space": 'n', "string": 's', "concat": 'c'}

// call parses name(args).
func (p *pathParser) call() *fastFunc {
	p.space()
	start := p.i
	for p.i < len(p.s) && (p.s[p.i] >= 'a' && p.s[p.i] <= 'z' || p.s[p.i] == '-') {
		p.i++
	}
	op, ok := fastFuncs[p.s[start:p.i]]
	if !ok {
		return nil
	}
	p.space()
	if p.i >= len(p.s) || p.s[p.i] != '(' {
		return nil
	}
	p.i++
	f := &fastFunc{op: op}
	for {
		p.space()
		a, ok := p.arg()
		if !ok {
			return nil
		}
		f.args = append(f.args, a)
		p.space()
		if p.i >= len(p.s) {
			return nil
		}
		if p.s[p.i] == ')' {
			p.i++
			break
		}
		if p.s[p.i] != ',' {
			return nil
		}
		p.i++
	}
	switch {
	case op == 'c' && len(f.args) < 2, op != 'c' && len(f.args) != 1:
		return nil // XPath arity errors stay antchfx's to report
	}
	return f
}

func (p *pathParser) arg() (fastArg, bool) {
	if p.i >= len(p.s) {
		return fastArg{}, false
	}
	if q := p.s[p.i]; q == '\'' || q == '"' {
		end := strings.IndexByte(p.s[p.i+1:], q)
		if end < 0 {
			return fastArg{}, false
		}
		lit := p.s[p.i+1 : p.i+1+end]
		p.i += end + 2
		return fastArg{lit: lit, isLit: true}, true
	}
	save := p.i
	if f := p.call(); f != nil {
		return fastArg{fn: f}, true
	}
	p.i = save
	fp := p.path()
	if fp == nil {
		return fastArg{}, false
	}
	return fastArg{path: fp}, true
}

// eval appends the function's string result to buf.
func (f *fastFunc) eval(t Tree, ctx Node, buf []byte) []byte {
	switch f.op {
	case 'c':
		for i := range f.args {
			buf = f.args[i].eval(t, ctx, buf)
		}
		return buf
	case 's':
		return f.args[0].eval(t, ctx, buf)
	}
	start := len(buf)
	buf = f.args[0].eval(t, ctx, buf)
	return normalizeSpace(buf, start)
}

func (a *fastArg) eval(t Tree, ctx Node, buf []byte) []byte {
	switch {
	case a.isLit:
		return append(buf, a.lit...)
	case a.fn != nil:
		return a.fn.eval(t, ctx, buf)
	}
	txt, _ := a.path.firstText(t, ctx)
	return append(buf, txt...)
}

// normalizeSpace rewrites buf[start:] as antchfx's normalize-space does:
// strings.TrimSpace, then every run of unicode.IsSpace runes becomes its
// last rune, turned into a space.
func normalizeSpace(buf []byte, start int) []byte {
	s := buf[start:]
	ascii := true
	for _, c := range s {
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if !ascii {
		// The exact antchfx loop, runes and all (invalid UTF-8 becomes
		// U+FFFD there, so it does here).
		runes := []rune(strings.TrimSpace(string(s)))
		out := buf[:start]
		for i, r := range runes {
			sp := unicode.IsSpace(r)
			if sp && i+1 < len(runes) && unicode.IsSpace(runes[i+1]) {
				continue
			}
			if sp {
				r = ' '
			}
			out = utf8.AppendRune(out, r)
		}
		return out
	}
	// ASCII: the same rule in place (the white space of unicode.IsSpace
	// below 0x80 is \t \n \v \f \r and space).
	i, j := 0, len(s)
	for i < j && asciiSpace(s[i]) {
		i++
	}
	for j > i && asciiSpace(s[j-1]) {
		j--
	}
	w := start
	for k := i; k < j; k++ {
		c := s[k]
		if asciiSpace(c) {
			if asciiSpace(s[k+1]) { // k+1 < j: the run ends before j
				continue
			}
			c = ' '
		}
		buf[w] = c
		w++
	}
	return buf[:w]
}

func asciiSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}
