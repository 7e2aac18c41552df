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
	op   byte // 'n' normalize-space, 's' string, 'c' concat, 'u' substring
	args []fastArg
	// substring: the start and the length (integers: the
	// fast path takes only integer literals, string-length, + and -, so
	// XPath's rounding never applies).
	start, length *fastNum
}

// fastNum is an integer expression: a literal, string-length(arg), or a
// sum or difference of two.
type fastNum struct {
	op   byte // 'l' literal, 'L' string-length, '+', '-'
	n    int
	arg  *fastArg
	a, b *fastNum
}

func (x *fastNum) eval(v *treeView, ctx Node, buf []byte) int {
	switch x.op {
	case 'l':
		return x.n
	case 'L':
		if x.arg.path != nil {
			// A path's text is counted where it is: nothing to copy.
			txt, _ := x.arg.path.firstText(v, ctx)
			return utf8.RuneCount(txt)
		}
		start := len(buf)
		buf = x.arg.eval(v, ctx, buf)
		return utf8.RuneCount(buf[start:])
	case '+':
		return x.a.eval(v, ctx, buf) + x.b.eval(v, ctx, buf)
	}
	return x.a.eval(v, ctx, buf) - x.b.eval(v, ctx, buf)
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

var fastFuncs = map[string]byte{"normalize-space": 'n', "string": 's', "concat": 'c', "substring": 'u'}

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
	if op == 'u' {
		return p.substring(f)
	}
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

// substring reads the arguments of substring(s, start, length) after the
// opening parenthesis.
func (p *pathParser) substring(f *fastFunc) *fastFunc {
	p.space()
	a, ok := p.arg()
	if !ok {
		return nil
	}
	f.args = []fastArg{a}
	p.space()
	if p.i >= len(p.s) || p.s[p.i] != ',' {
		return nil
	}
	p.i++
	if f.start = p.num(); f.start == nil {
		return nil
	}
	// Only the three-argument form: substring(s, n) stays antchfx's.
	p.space()
	if p.i >= len(p.s) || p.s[p.i] != ',' {
		return nil
	}
	p.i++
	if f.length = p.num(); f.length == nil {
		return nil
	}
	p.space()
	if p.i >= len(p.s) || p.s[p.i] != ')' {
		return nil
	}
	p.i++
	return f
}

// num reads an integer expression: operands are unsigned integer
// literals and string-length(arg), joined by + and - (left to right, as
// XPath does).
func (p *pathParser) num() *fastNum {
	x := p.numOperand()
	for x != nil {
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != '+' && p.s[p.i] != '-' {
			return x
		}
		op := p.s[p.i]
		p.i++
		y := p.numOperand()
		if y == nil {
			return nil
		}
		x = &fastNum{op: op, a: x, b: y}
	}
	return nil
}

func (p *pathParser) numOperand() *fastNum {
	p.space()
	if p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		n, digits := 0, 0
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			n = n*10 + int(p.s[p.i]-'0')
			p.i++
			if digits++; digits > 9 {
				return nil
			}
		}
		if p.i < len(p.s) && (p.s[p.i] == '.' || p.s[p.i] == 'e' || p.s[p.i] == 'E') {
			return nil
		}
		return &fastNum{op: 'l', n: n}
	}
	const sl = "string-length"
	if !strings.HasPrefix(p.s[p.i:], sl) {
		return nil
	}
	p.i += len(sl)
	p.space()
	if p.i >= len(p.s) || p.s[p.i] != '(' {
		return nil
	}
	p.i++
	p.space()
	a, ok := p.arg()
	if !ok {
		return nil
	}
	p.space()
	if p.i >= len(p.s) || p.s[p.i] != ')' {
		return nil
	}
	p.i++
	return &fastNum{op: 'L', arg: &a}
}

// appendSubstring appends XPath substring(s, start, length) (length < 0:
// no length) as antchfx/xpath computes it: positions in runes, invalid
// UTF-8 decoded to U+FFFD.
func appendSubstring(buf, s []byte, start, length int, hasLength bool) []byte {
	ascii := true
	for _, c := range s {
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if !ascii {
		rs := []rune(string(s))
		if start > len(rs) {
			return buf
		}
		if !hasLength {
			if start <= 0 {
				return append(buf, s...)
			}
			return append(buf, string(rs[start-1:])...)
		}
		first, last := max(start, 1), min(start+length, len(rs)+1)
		if last <= first {
			return buf
		}
		return append(buf, string(rs[first-1:last-1])...)
	}
	if start > len(s) {
		return buf
	}
	if !hasLength {
		if start <= 0 {
			return append(buf, s...)
		}
		return append(buf, s[start-1:]...)
	}
	first, last := max(start, 1), min(start+length, len(s)+1)
	if last <= first {
		return buf
	}
	return append(buf, s[first-1:last-1]...)
}

// eval appends the function's string result to buf.
func (f *fastFunc) eval(v *treeView, ctx Node, buf []byte) []byte {
	switch f.op {
	case 'c':
		for i := range f.args {
			buf = f.args[i].eval(v, ctx, buf)
		}
		return buf
	case 's':
		return f.args[0].eval(v, ctx, buf)
	case 'u':
		start := len(buf)
		buf = f.args[0].eval(v, ctx, buf)
		// The numbers are evaluated past the string, in the same buffer.
		from := f.start.eval(v, ctx, buf)
		n := 0
		if f.length != nil {
			n = f.length.eval(v, ctx, buf)
		}
		// The result is a part of buf[start:] moved to start (append
		// moves overlapping bytes correctly).
		return appendSubstring(buf[:start], buf[start:], from, n, f.length != nil)
	}
	start := len(buf)
	buf = f.args[0].eval(v, ctx, buf)
	return normalizeSpace(buf, start)
}

func (a *fastArg) eval(v *treeView, ctx Node, buf []byte) []byte {
	switch {
	case a.isLit:
		return append(buf, a.lit...)
	case a.fn != nil:
		return a.fn.eval(v, ctx, buf)
	}
	txt, _ := a.path.firstText(v, ctx)
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
