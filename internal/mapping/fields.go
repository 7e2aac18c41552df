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

// FieldInfo is an output field as the mapping declares it (a partner
// mapping's own and those it extends): where it is written, and whether it
// holds fields of its own, for checking the names against the target's
// structure.
type FieldInfo struct {
	Name      string
	File      string
	Line, Col int
	Fields    []FieldInfo // an object, or an array of objects
}

// Fields lists the mapping's top-level output fields, nested ones under
// them.
func (m *Mapping) Fields() []FieldInfo { return fieldInfos(m.fields) }

func fieldInfos(fs []*field) []FieldInfo {
	out := make([]FieldInfo, 0, len(fs))
	for _, f := range fs {
		fi := FieldInfo{Name: f.name, File: f.file, Line: f.line, Col: f.col}
		if !f.hasValue() && (f.kind == objectField || f.kind == arrayField) {
			fi.Fields = fieldInfos(f.fields)
		}
		out = append(out, fi)
	}
	return out
}
