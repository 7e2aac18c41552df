package x12

// TA1Status returns the TA104 acknowledgment code and TA105 note code for
// an inbound interchange: R with the first problem's note when the
// interchange has envelope problems (Interchange.Rejected), A with 000
// otherwise. Only the first problem can be sent: TA1 carries one note.
func TA1Status(ic *Interchange) (AckCode, InterchangeNoteCode) {
	if len(ic.Problems) > 0 {
		return Rejected, ic.Problems[0].Code
	}
	return Accepted, TA1NoError
}

// TA1Wanted reports whether an interchange must be answered with a TA1:
// the sender asked for one (ISA14 = 1) or the interchange is rejected, in
// which case the TA1 is the only acknowledgment it gets (its groups are
// not acknowledged by a 997/999).
func TA1Wanted(ic *Interchange) bool {
	return ic.AckRequested == "1" || ic.Rejected()
}

// WriteTA1 writes TA1*ISA13*ISA09*ISA10*TA104*TA105 for the inbound
// interchange ic. TA101-TA103 echo the inbound ISA as sent, so the partner
// can find the interchange even when those values are themselves in error.
// In the X12 control structure TA1 segments come right after the ISA and
// before the first GS; the caller places it there.
func (w *Writer) WriteTA1(ic *Interchange) error {
	code, note := TA1Status(ic)
	return w.WriteSegment("TA1", ic.Control, ic.Date, ic.Time, string(code), string(note))
}
