package doctree

import "bytes"

// SegPicks is SegPickText(i, k, lits[x], j) for each literal x whose bit
// in done is clear, in one pass over stored segment i: a mapping's picks
// on one segment differ only in the literal (PIA/*[*[2]='SA']/*[1] and
// PIA/*[*[2]='IN']/*[1]), so each composite's component k is found once
// for all of them. A value found goes to out[x] (len(out) >= len(lits),
// at most 32 literals) and sets bit x; the bits are returned.
func (t *EDIFACTTree) SegPicks(i int32, k int, lits []string, j int, out [][]byte, done uint32) uint32 {
	nd := &t.nodes[i]
	if nd.psep == 0 || k < 1 || j < 1 {
		// Repetitions or released characters: one lookup per literal.
		for x, lit := range lits {
			if done&(1<<x) == 0 {
				if c, ok := t.SegPickText(i, k, lit, j); ok {
					out[x], done = c, done|1<<x
				}
			}
		}
		return done
	}
	// As plainPick, with the test on component k for every literal.
	seg, sep := nd.sp, nd.psep
	all := uint32(1)<<len(lits) - 1
	for el, n := 1, seg.Len(); el <= n && done != all; el++ {
		byDef := compositeByDef(nd.def, el)
		if byDef == 0 {
			continue // a simple element has no child elements
		}
		v := seg.Element(el)
		if len(v) == 0 || byDef < 0 && bytes.IndexByte(v, sep) < 0 {
			continue
		}
		q, ok := nthPart(v, sep, k)
		if !ok {
			continue
		}
		for x, lit := range lits {
			if done&(1<<x) == 0 && same(q, lit) {
				if c, ok := nthPart(v, sep, j); ok {
					out[x], done = c, done|1<<x
				}
			}
		}
	}
	return done
}

// nthPart is plainNth with the separators found by bytes.IndexByte
// instead of a byte loop: a pick's composite (PIA's VP-469095:VP) is
// mostly one long component, skipped in one call.
func nthPart(v []byte, sep byte, n int) ([]byte, bool) {
	for len(v) > 0 {
		i := bytes.IndexByte(v, sep)
		if i < 0 {
			if n == 1 {
				return v, true
			}
			return nil, false
		}
		if i > 0 {
			if n--; n == 0 {
				return v[:i], true
			}
		}
		v = v[i+1:]
	}
	return nil, false
}
