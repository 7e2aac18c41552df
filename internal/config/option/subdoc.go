package option

import (
	"bytes"
	"strings"
)

// SubDocument returns the file's text with everything but the block value
// at path blanked out (lines kept, characters before the value replaced by
// spaces), so another parser that reads it reports the same line and
// column as the whole file. It is how an inline block with its own loader
// (a partner's inline code-list overlay) gets exact positions. It returns
// nil when path is not in the file.
func (d *Doc) SubDocument(path string) []byte {
	if !d.Has(path) {
		return nil
	}
	_, kc := d.KeyPos(path)
	vl, vc := d.Pos(path)
	lines := bytes.SplitAfter(d.Source, []byte("\n"))
	var out bytes.Buffer
	in := true
	for i, ln := range lines {
		n := i + 1
		switch {
		case n < vl || !in:
			out.Write(blank(ln))
		case n == vl:
			r := []rune(string(ln))
			for j := 0; j < vc-1 && j < len(r); j++ {
				if r[j] != '\n' && r[j] != '\r' {
					r[j] = ' '
				}
			}
			out.WriteString(string(r))
		default:
			t := strings.TrimLeft(string(ln), " ")
			indent := len(ln) - len(t)
			if s := strings.TrimSpace(t); s != "" && !strings.HasPrefix(s, "#") && indent < kc {
				in = false
				out.Write(blank(ln))
				continue
			}
			out.Write(ln)
		}
	}
	return out.Bytes()
}

// blank keeps only a line's end.
func blank(ln []byte) []byte {
	if bytes.HasSuffix(ln, []byte("\r\n")) {
		return []byte("\r\n")
	}
	if bytes.HasSuffix(ln, []byte("\n")) {
		return []byte("\n")
	}
	return nil
}
