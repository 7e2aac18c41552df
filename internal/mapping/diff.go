package mapping

import (
	"fmt"
	"strings"
)

// Diff returns a line diff of want and got ("-" lines only in want, "+"
// lines only in got, two lines of context), for test failures an analyst
// has to read. It is a plain longest-common-subsequence diff: mapping
// outputs are small.
func Diff(want, got string) string {
	a := strings.Split(strings.TrimSuffix(want, "\n"), "\n")
	b := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if len(a)*len(b) > 4_000_000 {
		return fmt.Sprintf("--- want (%d lines)\n+++ got (%d lines)\n(too large to diff)", len(a), len(b))
	}
	// lcs[i][j] = length of the LCS of a[i:] and b[j:]
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	type line struct {
		op   byte
		text string
	}
	var lines []line
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			lines = append(lines, line{' ', a[i]})
			i++
			j++
		case i < len(a) && (j == len(b) || lcs[i+1][j] >= lcs[i][j+1]):
			// deletions first, the way diff(1) prints a change
			lines = append(lines, line{'-', a[i]})
			i++
		default:
			lines = append(lines, line{'+', b[j]})
			j++
		}
	}
	const context = 2
	var out strings.Builder
	out.WriteString("--- want\n+++ got\n")
	last := -1
	for k, l := range lines {
		if l.op == ' ' {
			near := false
			for d := -context; d <= context; d++ {
				if k+d >= 0 && k+d < len(lines) && lines[k+d].op != ' ' {
					near = true
				}
			}
			if !near {
				continue
			}
		}
		if last >= 0 && k > last+1 {
			out.WriteString("@@\n")
		}
		out.WriteByte(l.op)
		out.WriteByte(' ')
		out.WriteString(l.text)
		out.WriteByte('\n')
		last = k
	}
	return out.String()
}
