package spec

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseFormat reads a representation in the standard's notation: a class
// (a, n or an) and a length, fixed ("a3", "n8") or maximum ("an..35",
// "n..15").
func ParseFormat(s string) (Format, error) {
	var f Format
	rest := s
	switch {
	case strings.HasPrefix(s, "an"):
		f.Class, rest = Alphanumeric, s[2:]
	case strings.HasPrefix(s, "a"):
		f.Class, rest = Alpha, s[1:]
	case strings.HasPrefix(s, "n"):
		f.Class, rest = Numeric, s[1:]
	default:
		return f, fmt.Errorf("format %q must start with a, n or an (e.g. an..35, n..15, a3)", s)
	}
	f.Fixed = !strings.HasPrefix(rest, "..")
	rest = strings.TrimPrefix(rest, "..")
	n, err := strconv.Atoi(rest)
	if err != nil || n < 1 || strings.HasPrefix(rest, "+") {
		return Format{}, fmt.Errorf("format %q: the length %q must be a positive number (e.g. an..35, n..15, a3)", s, rest)
	}
	f.Max, f.Min = n, 1
	if f.Fixed {
		f.Min = n
	}
	return f, nil
}
