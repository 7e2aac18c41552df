package canonical

import (
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/b2bgw/b2bgw/internal/errclass"
)

// Problem is one thing wrong with a document, located by a JSON path in
// the document's own wire names with 0-based indexes: "lines[3].quantity".
type Problem struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

func (p Problem) String() string { return p.Path + ": " + p.Message }

// ValidationError lists every problem found in one document, so that a
// partner or analyst fixes them in one round rather than one at a time.
//
// It classifies as errclass.RejectsSet: a bad document is rejected on its
// own while the rest of the file goes on.
type ValidationError struct {
	Kind     DocumentKind
	Problems []Problem
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "canonical: invalid %s: ", e.Kind)
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// Class implements errclass.Classifier.
func (e *ValidationError) Class() errclass.Class { return errclass.RejectsSet }

var _ errclass.Classifier = (*ValidationError)(nil)

// validator collects problems in document order.
type validator struct {
	kind     DocumentKind
	problems []Problem
}

func newValidator(k DocumentKind) *validator { return &validator{kind: k} }

func (v *validator) add(path, msg string) {
	v.problems = append(v.problems, Problem{Path: path, Message: msg})
}

func (v *validator) addf(path, format string, args ...any) { v.add(path, fmt.Sprintf(format, args...)) }

// err returns nil, or a *ValidationError; never a typed nil in an
// interface.
func (v *validator) err() error {
	if len(v.problems) == 0 {
		return nil
	}
	return &ValidationError{Kind: v.kind, Problems: v.problems}
}

func (v *validator) index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

func (v *validator) required(path, s string) {
	if strings.TrimSpace(s) == "" {
		v.add(path, "is required")
	}
}

var (
	reMu    sync.Mutex
	reCache = map[string]*regexp.Regexp{}
)

// pattern checks a non-empty s against a JSON-Schema-compatible regexp,
// the same one the field's pattern tag gives the schema.
func (v *validator) pattern(path, s, expr string) {
	if s == "" {
		return
	}
	reMu.Lock()
	re, ok := reCache[expr]
	if !ok {
		re = regexp.MustCompile(expr)
		reCache[expr] = re
	}
	reMu.Unlock()
	if !re.MatchString(s) {
		v.addf(path, "%q does not match %s", s, expr)
	}
}

// enum is what every code-list type implements.
type enum interface {
	Valid() bool
	enumer
}

// enumRequired reports an empty or unknown code.
func (v *validator) enumRequired(path string, e enum) {
	if s := fmt.Sprint(e); s == "" {
		v.add(path, "is required")
		return
	}
	v.enumOptional(path, e)
}

// enumOptional reports an unknown code; empty means "not sent".
func (v *validator) enumOptional(path string, e enum) {
	if s := fmt.Sprint(e); s != "" && !e.Valid() {
		v.addf(path, "%q is not one of %s", s, strings.Join(e.enumValues(), ", "))
	}
}

func (v *validator) date(path string, d Date) {
	if !d.IsZero() && !d.Valid() {
		v.addf(path, "%04d-%02d-%02d is not a calendar date", d.Year, int(d.Month), d.Day)
	}
}

func (v *validator) qualifiedDates(path string, ds []QualifiedDate) {
	for i, d := range ds {
		p := v.index(path, i)
		v.required(p+".qualifier", d.Qualifier)
		if d.Date.IsZero() && d.DateTime.IsZero() {
			v.add(p, "needs date or date_time")
		}
		v.date(p+".date", d.Date)
	}
}

func (v *validator) uom(path string, u UOM, required bool) {
	switch {
	case u == "" && required:
		v.add(path, "is required")
	case u != "" && !u.Valid():
		v.addf(path, "%q is not a UN/ECE Rec 20 code", string(u))
	}
}

func (v *validator) quantity(path string, q *Decimal, allowZero bool) {
	switch {
	case q == nil:
	case q.Sign() < 0:
		v.add(path, "must not be negative")
	case q.Sign() == 0 && !allowZero:
		v.add(path, "must be greater than zero")
	}
}

func (v *validator) meta(path string, m *Meta, want DocumentKind) {
	switch {
	case m.Kind == "":
		v.add(path+".kind", "is required")
	case m.Kind != want:
		v.addf(path+".kind", "is %q in a %s document", string(m.Kind), want)
	}
	switch {
	case m.SchemaVersion == "":
		v.add(path+".schema_version", "is required")
	case !strings.HasPrefix(m.SchemaVersion, SchemaMajor+"."):
		v.addf(path+".schema_version", "%q is not version %s.x", m.SchemaVersion, SchemaMajor)
	}
	v.enumOptional(path+".direction", m.Direction)
	v.required(path+".partner_id", m.PartnerID)
	if s := m.Source; s != nil {
		p := path + ".source"
		v.enumRequired(p+".standard", s.Standard)
		if s.File != nil {
			v.required(p+".file.name", s.File.Name)
			v.pattern(p+".file.sha256", s.File.SHA256, `^[0-9a-f]{64}$`)
		}
		if s.Interchange != nil {
			v.required(p+".interchange.control_number", s.Interchange.ControlNumber)
		}
		if s.Group != nil {
			v.required(p+".group.control_number", s.Group.ControlNumber)
		}
		if s.Set != nil {
			v.required(p+".set.id", s.Set.ID)
			v.required(p+".set.control_number", s.Set.ControlNumber)
		}
	}
}

func (v *validator) gln(path, s string) {
	if s != "" && !ValidGLN(s) {
		v.addf(path, "%q is not a 13-digit GLN with a valid check digit", s)
	}
}

func (v *validator) parties(path string, ps []Party) {
	for i := range ps {
		p := v.index(path, i)
		pt := &ps[i]
		v.enumRequired(p+".role", pt.Role)
		if pt.Name == "" && pt.GLN == "" && pt.DUNS == "" && len(pt.IDs) == 0 {
			v.add(p, "needs a name or an id")
		}
		v.gln(p+".gln", pt.GLN)
		v.pattern(p+".duns", pt.DUNS, `^([0-9]{9}|[0-9]{13})$`)
		for j, id := range pt.IDs {
			v.required(v.index(p+".ids", j)+".value", id.Value)
		}
		if pt.Address != nil {
			v.pattern(p+".address.country", pt.Address.Country, `^[A-Z]{2}$`)
		}
	}
}

// product checks a ProductRef; need says at least one id is required.
func (v *validator) product(path string, r ProductRef, need bool) {
	if need && r.empty() {
		v.add(path, "needs at least one product id (gtin, vendor_part_number, buyer_part_number or ids)")
	}
	if r.GTIN != "" && !validGS1(r.GTIN, 14) {
		v.addf(path+".gtin", "%q is not a 14-digit GTIN with a valid check digit (use NormalizeGTIN)", r.GTIN)
	}
	for j, id := range r.IDs {
		v.required(v.index(path+".ids", j)+".value", id.Value)
	}
}

func (v *validator) sscc(path, s string) {
	if s != "" && !validGS1(s, 18) {
		v.addf(path, "%q is not an 18-digit SSCC with a valid check digit (use NormalizeSSCC)", s)
	}
}

func (v *validator) carrier(path string, c *Carrier) {
	if c == nil {
		return
	}
	v.pattern(path+".scac", c.SCAC, `^[A-Z]{2,4}$`)
	v.enumOptional(path+".mode", c.Mode)
}

func (v *validator) lots(path string, ls []Lot) {
	for i, l := range ls {
		p := v.index(path, i)
		v.required(p+".number", l.Number)
		v.quantity(p+".quantity", l.Quantity, false)
		v.date(p+".expiry_date", l.ExpiryDate)
		v.date(p+".production_date", l.ProductionDate)
	}
}

func (v *validator) measure(path string, m *Measure) {
	if m == nil {
		return
	}
	if m.Value.Sign() < 0 {
		v.add(path+".value", "must not be negative")
	}
	v.uom(path+".uom", m.UOM, true)
}

// lotTotal checks that lot quantities, when every lot has one, add up to
// the line's quantity: Odoo move lines are created per lot, and a mismatch
// would silently ship more or less than the notice says.
func (v *validator) lotTotal(path string, ls []Lot, want Decimal) {
	if len(ls) == 0 {
		return
	}
	var sum Decimal
	for _, l := range ls {
		if l.Quantity == nil {
			return
		}
		var err error
		if sum, err = sum.Add(*l.Quantity); err != nil {
			v.add(path, err.Error())
			return
		}
	}
	if !sum.Equal(want) {
		v.addf(path, "lot quantities add up to %s, not %s", sum, want)
	}
}
