package mapping

// HasField reports whether the mapping writes a top-level field called
// name (it may still leave it out of a document when it has no value).
func (m *Mapping) HasField(name string) bool {
	for _, f := range m.fields {
		if f.name == name {
			return true
		}
	}
	return false
}
