package transport

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
)

var (
	_ Mailbox = (*AS2Drop)(nil)
	_ Renamer = (*AS2Drop)(nil)
	_ Stater  = (*AS2Drop)(nil)
	_ Router  = (*AS2Drop)(nil)
)

// RouteRule assigns files in an AS2 drop folder to a partner. Both
// patterns use path.Match syntax; an empty pattern matches anything. A
// rule with both patterns empty is refused: it would claim every file.
//
// OpenAS2's default MessageFileModule stores payloads under
// "$msg.sender.as2_id$-$msg.receiver.as2_id$/inbox/<filename>-<message-id>",
// so a typical rule is {Partner: "acme", Dir: "ACMEAS2-*/inbox"}. Servers
// that drop everything in one folder are routed by name instead:
// {Partner: "acme", Name: "ACME_*"}.
type RouteRule struct {
	Partner string
	// Dir matches the directory part of the name ("" for files at the root).
	Dir string
	// Name matches the base name.
	Name string
}

// RuleRouter maps files to partners by an ordered list of rules. Exactly one
// partner must match: a file matched by rules of two different partners is
// refused (ErrUnrouted), because guessing would post one partner's orders
// under another's account.
type RuleRouter struct {
	rules []RouteRule
}

// NewRouter checks the rules (syntax, partner ids) and returns a router.
func NewRouter(rules []RouteRule) (*RuleRouter, error) {
	if len(rules) == 0 {
		return nil, errors.New("as2drop: no routing rules: add at least one {partner, dir or name} rule to the profile")
	}
	var errs []error
	for i, r := range rules {
		if r.Partner == "" {
			errs = append(errs, fmt.Errorf("as2drop: rule %d: partner is empty", i+1))
		}
		if r.Dir == "" && r.Name == "" {
			errs = append(errs, fmt.Errorf("as2drop: rule %d (partner %q): set dir or name; a rule matching every file would hide routing mistakes", i+1, r.Partner))
		}
		for _, p := range []string{r.Dir, r.Name} {
			if _, err := path.Match(p, ""); err != nil {
				errs = append(errs, fmt.Errorf("as2drop: rule %d (partner %q): pattern %q: %w", i+1, r.Partner, p, err))
			}
		}
		if strings.Contains(r.Name, "/") {
			errs = append(errs, fmt.Errorf("as2drop: rule %d (partner %q): name pattern %q contains '/': put the folder in dir", i+1, r.Partner, r.Name))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &RuleRouter{rules: slices.Clone(rules)}, nil
}

// PartnerFor returns the partner of the one matching rule set.
func (rt *RuleRouter) PartnerFor(name string) (string, error) {
	if err := SafeName(name); err != nil {
		return "", err
	}
	dir, base := path.Split(name)
	dir = strings.TrimSuffix(dir, "/")
	var partners []string
	for _, r := range rt.rules {
		if !match(r.Dir, dir) || !match(r.Name, base) {
			continue
		}
		if !slices.Contains(partners, r.Partner) {
			partners = append(partners, r.Partner)
		}
	}
	switch len(partners) {
	case 0:
		return "", fmt.Errorf("%w: %q", ErrUnrouted, name)
	case 1:
		return partners[0], nil
	default:
		return "", fmt.Errorf("%w: %q matches the rules of several partners (%s); make the rules disjoint", ErrUnrouted, name, strings.Join(partners, ", "))
	}
}

// match is path.Match where an empty pattern matches anything. Patterns
// were validated by NewRouter, so the error cannot occur.
func match(pattern, s string) bool {
	if pattern == "" {
		return true
	}
	ok, _ := path.Match(pattern, s)
	return ok
}

// AS2DropConfig configures an AS2Drop mailbox.
type AS2DropConfig struct {
	// Name identifies the mailbox in errors and logs.
	Name string
	// Dir is the folder the AS2 server writes decrypted payloads to.
	Dir string
	// Rules route each file to a partner (see RouteRule).
	Rules []RouteRule
}

// AS2Drop is the folder where an AS2 server (OpenAS2, pyAS2, ...) drops
// the decrypted payloads it received. The AS2 server has already verified
// signatures and returned the MDN; the gateway only collects the files.
// It is a Local mailbox shared by many partners, which is why it also
// implements Router. Files are picked up recursively by the poller.
type AS2Drop struct {
	*Local
	router *RuleRouter
}

// NewAS2Drop opens the drop folder and compiles the routing rules.
func NewAS2Drop(cfg AS2DropConfig) (*AS2Drop, error) {
	if cfg.Name == "" {
		cfg.Name = cfg.Dir
	}
	rt, err := NewRouter(cfg.Rules)
	if err != nil {
		return nil, fmt.Errorf("mailbox %q: %w", cfg.Name, err)
	}
	l, err := NewLocal(LocalConfig{Name: cfg.Name, Dir: cfg.Dir})
	if err != nil {
		return nil, err
	}
	return &AS2Drop{Local: l, router: rt}, nil
}

// Features: those of a local folder, shared between partners.
func (a *AS2Drop) Features() Features {
	f := a.Local.Features()
	f.Shared = true
	return f
}

// PartnerFor routes a dropped file to its partner.
func (a *AS2Drop) PartnerFor(name string) (string, error) {
	p, err := a.router.PartnerFor(name)
	if err != nil {
		return "", NewError("route", a.cfg.Name, name, err)
	}
	return p, nil
}
