package partner

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/b2bgw/b2bgw/internal/errclass"
)

// Registry holds the profiles of a partners directory. It is immutable
// after Load and safe for concurrent use.
type Registry struct {
	profiles []*Profile
	byID     map[string]*Profile
}

// Sentinel errors of routing, wrapped by *RouteError.
var (
	// ErrUnknownPartner: no profile claims the sender identity.
	ErrUnknownPartner = errors.New("no partner profile has this sender identity")
	// ErrAmbiguousPartner: several profiles claim it and nothing in the
	// envelope tells them apart.
	ErrAmbiguousPartner = errors.New("several partner profiles have this sender identity")
)

// RouteError says which envelope could not be routed and why. It is
// Permanent: the interchange waits for an operator (a profile to add or
// fix), retrying does not help.
type RouteError struct {
	Standard   string   // x12, edifact
	Sender     string   // "ZZ/ACME" or "5412345000013:14"
	Receiver   string   // as Sender; "" when not given
	Candidates []string // partner ids, for ErrAmbiguousPartner
	Err        error
}

func (e *RouteError) Error() string {
	msg := fmt.Sprintf("%s interchange from %s", e.Standard, e.Sender)
	if e.Receiver != "" {
		msg += " to " + e.Receiver
	}
	if errors.Is(e.Err, ErrAmbiguousPartner) {
		return fmt.Sprintf("%s: %v (%s): give each a receiver or gs ids that tell them apart", msg, e.Err, strings.Join(e.Candidates, ", "))
	}
	return fmt.Sprintf("%s: %v: add it under identities.%s of the partner's profile", msg, e.Err, e.Standard)
}

func (e *RouteError) Unwrap() error { return e.Err }

// Class implements errclass.Classifier.
func (e *RouteError) Class() errclass.Class { return errclass.Permanent }

// Load reads every profile (*.yaml, *.yml) in dir, not recursively:
// sub-folders hold overlays and mappings the profiles name. The error is
// Problems, every problem in every file, including identities and ids
// claimed by two profiles.
func Load(dir string, opts Options) (*Registry, error) {
	r, probs := load(dir, opts)
	if err := probs.Sort().Err(); err != nil {
		return nil, err
	}
	return r, nil
}

// Lint checks every partner profile in dir as Load does, without
// resolving secrets (the variables need not be set where lint runs), and
// returns every problem sorted by file and position; nil means clean.
func Lint(dir string) []Problem {
	_, probs := load(dir, Options{SkipSecrets: true})
	return probs.Sort()
}

// LintFile checks one profile alone (no cross-profile checks).
func LintFile(path string) []Problem {
	data, err := os.ReadFile(path)
	if err != nil {
		return []Problem{{File: path, Msg: err.Error()}}
	}
	_, probs := parseProfile(path, data, Options{SkipSecrets: true})
	return probs.Sort()
}

func load(dir string, opts Options) (*Registry, Problems) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, Problems{{File: dir, Msg: fmt.Sprintf("cannot read the partners directory: %v", err)}}
	}
	var probs Problems
	r := &Registry{byID: map[string]*Profile{}}
	for _, e := range ents {
		name := e.Name()
		if e.IsDir() || strings.HasPrefix(name, ".") || !(strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")) {
			continue
		}
		path := filepath.Join(dir, name)
		data, err := os.ReadFile(path)
		if err != nil {
			probs = append(probs, Problem{File: path, Msg: err.Error()})
			continue
		}
		if !IsProfile(data) {
			probs = append(probs, Problem{File: path, Line: 1, Col: 1,
				Msg: "not a partner profile (it must start with partner: ID); move other files to a sub-folder"})
			continue
		}
		p, ps := parseProfile(path, data, opts)
		probs = append(probs, ps...)
		if p.ID == "" {
			continue
		}
		if prev, dup := r.byID[p.ID]; dup {
			probs = append(probs, p.Doc.At("partner", "partner id %q is also used by %s; ids must be unique", p.ID, prev.File))
			continue
		}
		r.byID[p.ID] = p
		r.profiles = append(r.profiles, p)
	}
	sort.Slice(r.profiles, func(i, j int) bool { return r.profiles[i].ID < r.profiles[j].ID })
	probs = append(probs, r.conflicts()...)
	return r, probs
}

// Profiles returns the profiles sorted by id.
func (r *Registry) Profiles() []*Profile { return r.profiles }

// Get returns the profile with id.
func (r *Registry) Get(id string) (*Profile, bool) {
	p, ok := r.byID[id]
	return p, ok
}

// X12Envelope is what routing reads from an ISA (and optionally a GS).
type X12Envelope struct {
	SenderQualifier, SenderID     string // ISA05, ISA06 (padding is ignored)
	ReceiverQualifier, ReceiverID string // ISA07, ISA08; may be empty
	GSSender                      string // GS02; may be empty
}

// RouteX12 finds the partner that sent an X12 interchange: the enabled
// profiles with an identity of ISA05/ISA06 whose receiver (when set)
// matches ISA07/ISA08 and whose gs list (when set and GSSender is given)
// contains GS02. When several remain, the ones whose us: identity is the
// receiver win; a tie is ErrAmbiguousPartner.
func (r *Registry) RouteX12(env X12Envelope) (*Profile, error) {
	sq, sid := strings.TrimSpace(env.SenderQualifier), strings.TrimSpace(env.SenderID)
	rq, rid := strings.TrimSpace(env.ReceiverQualifier), strings.TrimSpace(env.ReceiverID)
	var cands []*Profile
	var scores []int
	for _, p := range r.profiles {
		if p.Disabled {
			continue
		}
		best := -1
		for _, id := range p.Identities.X12 {
			if id.Qualifier != sq || id.ID != sid {
				continue
			}
			score := 0
			if id.Receiver != nil {
				if rid == "" || id.Receiver.Qualifier != rq || id.Receiver.ID != rid {
					continue
				}
				score += 4
			}
			if len(id.GS) > 0 && env.GSSender != "" {
				if !contains(id.GS, strings.TrimSpace(env.GSSender)) {
					continue
				}
				score += 2
			}
			if u := p.Us.X12; u != nil && rid != "" && u.Qualifier == rq && u.ID == rid {
				score++
			}
			best = max(best, score)
		}
		if best >= 0 {
			cands = append(cands, p)
			scores = append(scores, best)
		}
	}
	rerr := &RouteError{Standard: "x12", Sender: sq + "/" + sid}
	if rid != "" {
		rerr.Receiver = rq + "/" + rid
	}
	return pick(cands, scores, rerr)
}

// EDIFACTEnvelope is what routing reads from a UNB.
type EDIFACTEnvelope struct {
	SenderID, SenderQualifier       string // UNB02.1, UNB02.2
	RecipientID, RecipientQualifier string // UNB03.1, UNB03.2; may be empty
}

// RouteEDIFACT finds the partner that sent an EDIFACT interchange, the
// same way as RouteX12. An identity without a qualifier matches any
// qualifier.
func (r *Registry) RouteEDIFACT(env EDIFACTEnvelope) (*Profile, error) {
	var cands []*Profile
	var scores []int
	for _, p := range r.profiles {
		if p.Disabled {
			continue
		}
		best := -1
		for _, id := range p.Identities.EDIFACT {
			if id.ID != env.SenderID || (id.Qualifier != "" && id.Qualifier != env.SenderQualifier) {
				continue
			}
			score := 0
			if id.Receiver != nil {
				if id.Receiver.ID != env.RecipientID || (id.Receiver.Qualifier != "" && id.Receiver.Qualifier != env.RecipientQualifier) {
					continue
				}
				score += 4
			}
			if u := p.Us.EDIFACT; u != nil && env.RecipientID != "" && u.ID == env.RecipientID {
				score++
			}
			best = max(best, score)
		}
		if best >= 0 {
			cands = append(cands, p)
			scores = append(scores, best)
		}
	}
	rerr := &RouteError{Standard: "edifact", Sender: join(env.SenderID, env.SenderQualifier)}
	if env.RecipientID != "" {
		rerr.Receiver = join(env.RecipientID, env.RecipientQualifier)
	}
	return pick(cands, scores, rerr)
}

func join(id, qual string) string {
	if qual == "" {
		return id
	}
	return id + ":" + qual
}

// pick returns the single best-scoring candidate.
func pick(cands []*Profile, scores []int, rerr *RouteError) (*Profile, error) {
	top := -1
	for _, s := range scores {
		top = max(top, s)
	}
	var best []*Profile
	for i, p := range cands {
		if scores[i] == top {
			best = append(best, p)
		}
	}
	switch len(best) {
	case 0:
		rerr.Err = ErrUnknownPartner
		return nil, rerr
	case 1:
		return best[0], nil
	}
	for _, p := range best {
		rerr.Candidates = append(rerr.Candidates, p.ID)
	}
	rerr.Err = ErrAmbiguousPartner
	return nil, rerr
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// conflicts reports identities two profiles claim in a way routing cannot
// tell apart: same sender, the same (or no) receiver, the same us
// identity, and gs lists that overlap (an empty list overlaps anything).
func (r *Registry) conflicts() Problems {
	var probs Problems
	type claim struct {
		p    *Profile
		i    int
		id   X12ID
		ed   EDIFACTID
		isED bool
	}
	var claims []claim
	for _, p := range r.profiles {
		if p.Disabled {
			continue
		}
		for i, id := range p.Identities.X12 {
			claims = append(claims, claim{p: p, i: i, id: id})
		}
		for i, id := range p.Identities.EDIFACT {
			claims = append(claims, claim{p: p, i: i, ed: id, isED: true})
		}
	}
	for a := range claims {
		for b := a + 1; b < len(claims); b++ {
			x, y := claims[a], claims[b]
			if x.p == y.p || x.isED != y.isED {
				continue
			}
			var clash bool
			var path, what string
			if !x.isED {
				clash = x.id.Qualifier == y.id.Qualifier && x.id.ID == y.id.ID &&
					sameX12Receiver(x.id.Receiver, y.id.Receiver) && sameUsX12(x.p.Us.X12, y.p.Us.X12) && overlap(x.id.GS, y.id.GS)
				path, what = fmt.Sprintf("identities.x12[%d].id", y.i), x.id.Qualifier+"/"+x.id.ID
			} else {
				clash = x.ed.ID == y.ed.ID && (x.ed.Qualifier == "" || y.ed.Qualifier == "" || x.ed.Qualifier == y.ed.Qualifier) &&
					sameEDRef(x.ed.Receiver, y.ed.Receiver) && sameEDRef(x.p.Us.EDIFACT, y.p.Us.EDIFACT)
				path, what = fmt.Sprintf("identities.edifact[%d].id", y.i), x.ed.ID
			}
			if !clash {
				continue
			}
			line, _ := x.p.Doc.Pos(strings.Replace(path, fmt.Sprintf("[%d]", y.i), fmt.Sprintf("[%d]", x.i), 1))
			probs = append(probs, y.p.Doc.At(path,
				"identity %s is also claimed by partner %s (%s:%d) and nothing tells them apart: give one a receiver:, a different us: identity or disjoint gs ids",
				what, x.p.ID, x.p.File, line))
		}
	}
	return probs
}

func sameUsX12(a, b *X12Us) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Qualifier == b.Qualifier && a.ID == b.ID
}

func sameEDRef(a, b *EDIFACTRef) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.ID == b.ID && (a.Qualifier == b.Qualifier || a.Qualifier == "" || b.Qualifier == "")
}

func overlap(a, b []string) bool {
	if len(a) == 0 || len(b) == 0 {
		return true
	}
	for _, s := range a {
		if contains(b, s) {
			return true
		}
	}
	return false
}
