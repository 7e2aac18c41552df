package edifact

// ToUTF8 rewrites the message's segments from the ISO 8859 part of its
// interchange's syntax level (UNOC ... UNOL) to UTF-8, so that the values
// a mapping reads are text in the right characters: "M\xFCller" sent as
// UNOC becomes "Müller". Element, component and repetition boundaries,
// release characters and positions (Pos, byte offsets into the input)
// stay as they were; only the bytes of data values change.
//
// Run it after validation: the repertoire check and the length checks of
// the directory judge the characters as sent, one byte each. Messages of
// other levels (UNOA/UNOB have no byte above 0x7F when valid, UNOW/UNOY
// are UTF-8 already), messages without such a byte, and messages whose
// service characters are themselves above 0x7F (a UTF-8 continuation byte
// could then be read as a separator) are left alone; a byte an 8859 part
// leaves undefined becomes U+FFFD. A second call does nothing. ToUTF8
// allocates new memory for the message's bytes only when it converts
// something.
func (m *Message) ToUTF8() {
	if m.utf8 || m.Interchange == nil || len(m.Segments) == 0 || !hasHigh(m.bytes) {
		return
	}
	rep, ok := LookupRepertoire(m.Interchange.SyntaxID)
	if !ok || rep.latin == nil {
		return
	}
	d := m.Segments[0].delims
	for _, c := range [...]byte{d.Component, d.Element, d.Release, d.Repetition, d.Segment} {
		if c >= 0x80 {
			return
		}
	}
	n := 0
	for _, c := range m.bytes {
		if c >= 0x80 {
			n++
		}
	}
	// Every part maps into the BMP: at most three bytes for one.
	nb := make([]byte, 0, len(m.bytes)+2*n)
	ne := make([]int32, 0, len(m.ends))
	for i := range m.Segments {
		s := &m.Segments[i]
		bs, es := len(nb), len(ne)
		if !hasHigh(s.raw) {
			nb = append(nb, s.raw...)
			ne = append(ne, s.ends...)
		} else {
			nb, ne = rep.latin.appendSegment(nb, ne, s)
		}
		s.raw = nb[bs:len(nb):len(nb)]
		s.ends = ne[es:len(ne):len(ne)]
	}
	m.bytes, m.ends, m.utf8 = nb, ne, true
}

// appendSegment appends s's bytes converted to UTF-8 to b and its element
// ends, moved to match, to ends. The separators are ASCII (ToUTF8 checks),
// so every end falls on an ASCII byte or the end of the segment.
func (t *latinTable) appendSegment(b []byte, ends []int32, s *Segment) ([]byte, []int32) {
	start := len(b)
	k := 0
	for j, c := range s.raw {
		for k < len(s.ends) && int(s.ends[k]) == j {
			ends = append(ends, int32(len(b)-start))
			k++
		}
		if c < 0x80 {
			b = append(b, c)
			continue
		}
		e := &t[c-0x80]
		b = append(b, e.b[:e.n]...)
	}
	for ; k < len(s.ends); k++ {
		ends = append(ends, int32(len(b)-start))
	}
	return b, ends
}
