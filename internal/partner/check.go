package partner

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/b2bgw/b2bgw/internal/config/option"
	espec "github.com/b2bgw/b2bgw/internal/edifact/spec"
	"github.com/b2bgw/b2bgw/internal/mapping"
	"github.com/b2bgw/b2bgw/internal/odoo"
	"github.com/b2bgw/b2bgw/internal/transport"
	"github.com/b2bgw/b2bgw/internal/x12"
	"github.com/b2bgw/b2bgw/internal/x12/spec"
	"github.com/b2bgw/b2bgw/internal/yamlpos"
	"github.com/b2bgw/b2bgw/mappings"
)

// checker runs the checks the declaration cannot express, filling in
// derived defaults (mailbox ids, document standards, our identity) on the
// way.
type checker struct {
	p     *Profile
	doc   *option.Doc
	dir   string
	opts  Options
	probs Problems
}

func (c *checker) at(path, format string, args ...any) {
	c.probs = append(c.probs, c.doc.At(path, format, args...))
}

func (c *checker) atKey(path, format string, args ...any) {
	c.probs = append(c.probs, c.doc.AtKey(path, format, args...))
}

var (
	idRe         = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
	isaQualRe    = regexp.MustCompile(`^[0-9A-Z]{2}$`)
	x12VersionRe = regexp.MustCompile(`^[0-9]{6}[A-Z0-9]{0,6}$`)
	edVersionRe  = regexp.MustCompile(`^D[0-9]{2}[A-Z]$`)
	syntaxRe     = regexp.MustCompile(`^UNO[A-Y]$`)
	x12SetRe     = regexp.MustCompile(`^[0-9]{3}$`)
	edMsgRe      = regexp.MustCompile(`^[A-Z]{6}$`)
)

// ackTypes are outbound documents the gateway builds itself, without a
// template.
var ackTypes = []string{"997", "999", "TA1", "CONTRL"}

func (c *checker) all() {
	p := c.p
	if p.ID != "" && !idRe.MatchString(p.ID) {
		c.at("partner", "partner id %q: use lower-case letters, digits and dashes (at most 63), e.g. acme-retail", p.ID)
	}
	if _, err := time.LoadLocation(p.TimeZone); err != nil {
		c.at("time_zone", "time_zone %q is not an IANA zone name (e.g. America/Chicago, Europe/Berlin)", p.TimeZone)
	}
	if p.MaxSegmentSize < 64 || p.MaxSegmentSize > 1<<20 {
		c.at("max_segment_size", "max_segment_size %d: use a size between 64 and 1048576 bytes", p.MaxSegmentSize)
	}
	c.identities()
	c.standards()
	c.acks()
	c.overlay()
	c.edifactOverlay()
	c.mailboxes()
	c.documents()
	c.atp()
	c.odoo()
}

func (c *checker) identities() {
	p := c.p
	if len(p.Identities.X12)+len(p.Identities.EDIFACT) == 0 && c.sends("x12", "edifact") {
		c.atKey("identities", "identities: the partner sends X12 or EDIFACT but has no identity to route its interchanges by: add identities.x12 [{qualifier: ZZ, id: ...}] or identities.edifact [{id: ...}]")
	}
	for i, id := range p.Identities.X12 {
		base := fmt.Sprintf("identities.x12[%d]", i)
		c.isa(base, id.Qualifier, id.ID)
		for j, g := range id.GS {
			if g == "" || len(g) > 15 {
				c.at(fmt.Sprintf("%s.gs[%d]", base, j), "GS02 application code %q must have 1 to 15 characters", g)
			}
		}
		if id.Receiver != nil {
			c.isa(base+".receiver", id.Receiver.Qualifier, id.Receiver.ID)
		}
		for j, prev := range p.Identities.X12[:i] {
			if prev.Qualifier == id.Qualifier && prev.ID == id.ID && sameX12Receiver(prev.Receiver, id.Receiver) {
				c.at(base+".id", "identity %s/%s is listed twice (also identities.x12[%d]); merge the gs lists", id.Qualifier, id.ID, j)
			}
		}
	}
	for i, id := range p.Identities.EDIFACT {
		c.unb(fmt.Sprintf("identities.edifact[%d]", i), id.ID, id.Qualifier)
		if id.Receiver != nil {
			c.unb(fmt.Sprintf("identities.edifact[%d].receiver", i), id.Receiver.ID, id.Receiver.Qualifier)
		}
	}
	if p.Us.X12 == nil && c.opts.Us.X12 != nil {
		u := *c.opts.Us.X12
		p.Us.X12 = &u
	}
	if p.Us.EDIFACT == nil && c.opts.Us.EDIFACT != nil {
		u := *c.opts.Us.EDIFACT
		p.Us.EDIFACT = &u
	}
	if u := p.Us.X12; u != nil {
		if c.doc.Has("us.x12") {
			c.isa("us.x12", u.Qualifier, u.ID)
		}
		if u.GS == "" {
			u.GS = u.ID
		} else if len(u.GS) > 15 {
			c.at("us.x12.gs", "GS application code %q is longer than 15 characters", u.GS)
		}
	}
	if u := p.Us.EDIFACT; u != nil && c.doc.Has("us.edifact") {
		c.unb("us.edifact", u.ID, u.Qualifier)
	}
}

func (c *checker) isa(base, qual, id string) {
	if qual != "" && !isaQualRe.MatchString(qual) {
		c.at(base+".qualifier", "ISA id qualifier %q must be two characters such as 01, 12, 14 or ZZ", qual)
	}
	if id != "" && (len(id) > 15 || strings.TrimSpace(id) != id) {
		c.at(base+".id", "ISA id %q must have 1 to 15 characters without surrounding spaces (the padding is added on output)", id)
	}
}

func (c *checker) unb(base, id, qual string) {
	if len(id) > 35 || strings.TrimSpace(id) != id {
		c.at(base+".id", "UNB party id %q must have 1 to 35 characters without surrounding spaces", id)
	}
	if len(qual) > 4 {
		c.at(base+".qualifier", "UNB code qualifier %q has more than 4 characters", qual)
	}
}

// sends reports whether the profile lists one of the standards.
func (c *checker) sends(standards ...string) bool {
	for _, s := range c.p.Standards {
		if slices.Contains(standards, s.Standard) {
			return true
		}
	}
	return false
}

func (c *checker) standards() {
	seen := map[string]int{}
	for i, s := range c.p.Standards {
		base := fmt.Sprintf("standards[%d]", i)
		if j, dup := seen[s.Standard]; dup && s.Standard != "" {
			c.at(base+".standard", "standard %s is listed twice (also standards[%d]); list its versions together", s.Standard, j)
		}
		seen[s.Standard] = i
		for j, v := range s.Versions {
			vp := fmt.Sprintf("%s.versions[%d]", base, j)
			switch s.Standard {
			case "x12":
				if !x12VersionRe.MatchString(v) {
					c.at(vp, "X12 version %q: write the GS08 version as a quoted string, e.g. \"004010\" or \"005010X222A1\"", v)
				}
			case "edifact":
				if !edVersionRe.MatchString(v) {
					c.at(vp, "EDIFACT version %q: write the directory such as D96A or D01B", v)
				}
			default:
				c.at(vp, "versions apply to x12 and edifact only; remove them from %s", s.Standard)
			}
		}
		if s.Standard != "edifact" {
			if s.Syntax != "" {
				c.at(base+".syntax", "syntax is an EDIFACT setting; remove it from %s", s.Standard)
			}
			if s.SyntaxVersion != 0 {
				c.at(base+".syntax_version", "syntax_version is an EDIFACT setting; remove it from %s", s.Standard)
			}
			continue
		}
		if s.Syntax != "" && !syntaxRe.MatchString(s.Syntax) {
			c.at(base+".syntax", "syntax %q is not a UNB syntax identifier such as UNOA, UNOB or UNOC", s.Syntax)
		}
		if s.SyntaxVersion != 0 && (s.SyntaxVersion < 1 || s.SyntaxVersion > 4) {
			c.at(base+".syntax_version", "syntax_version %d: EDIFACT syntax versions are 1 to 4", s.SyntaxVersion)
		}
	}
}

func (c *checker) acks() {
	a := c.p.Acks
	if len(c.p.Standards) == 0 {
		return
	}
	switch a.Send {
	case "997", "999":
		if !c.sends("x12") && c.doc.Has("acks.send") {
			c.at("acks.send", "acks.send %s is an X12 acknowledgment but the partner sends no X12; use contrl or none", a.Send)
		}
	case "contrl":
		if !c.sends("edifact") {
			c.at("acks.send", "acks.send contrl is an EDIFACT acknowledgment but the partner sends no EDIFACT; use 997, 999 or none")
		}
	}
	if a.Send == "999" {
		for i, s := range c.p.Standards {
			for j, v := range s.Versions {
				if s.Standard == "x12" && v < "005010" {
					c.at(fmt.Sprintf("standards[%d].versions[%d]", i, j), "acks.send 999 needs X12 005010 or later, but the partner sends %s: use 997 for it", v)
				}
			}
		}
	}
	if a.OverdueAfter < 0 {
		c.at("acks.overdue_after", "acks.overdue_after must not be negative")
	}
	if a.Expect != "none" && len(c.p.Mailboxes.Outbound) == 0 && c.doc.Has("acks.expect") {
		c.at("acks.expect", "acks.expect %s: we send the partner nothing (no outbound mailbox), so there is nothing to acknowledge", a.Expect)
	}
	if c.p.Duplicates.Window <= 0 {
		c.at("duplicates.window", "duplicates.window must be positive (e.g. 2160h for 90 days)")
	}
}

func (c *checker) overlay() {
	p := c.p
	var ov *x12.Overlay
	var err error
	key := "overlay"
	switch {
	case p.Overlay != nil:
		ov, err = x12.ParseOverlay(c.p.File, c.doc.SubDocument("overlay"))
	case p.OverlayFile != "":
		key = "overlay_file"
		f := c.rel(p.OverlayFile)
		if _, serr := os.Stat(f); serr != nil {
			c.at(key, "overlay_file: %v", serr)
			return
		}
		ov, err = x12.LoadOverlayFile(f)
	default:
		return
	}
	if !c.sends("x12") && c.sends("edifact") {
		// Before edifact_overlay existed, an EDIFACT partner's overlay
		// could only be written here, where it silently did nothing.
		c.atKey(key, "%s is the X12 overlay, but the partner sends no X12: write an EDIFACT overlay under edifact_overlay or edifact_overlay_file", key)
	}
	if err == nil {
		if reg, rerr := spec.Builtin(); rerr == nil {
			for _, s := range p.Standards {
				if s.Standard != "x12" {
					continue
				}
				for _, v := range s.Versions {
					if d, ok := reg.Dictionary(v); ok {
						err = errors.Join(err, ov.Check(d))
					}
				}
			}
		}
	}
	p.overlay = ov
	c.overlayErrors(key, err)
}

// edifactOverlay compiles the EDIFACT overlay and checks its entries
// against every directory the partner sends (the X12 overlay's rules).
func (c *checker) edifactOverlay() {
	p := c.p
	var ov *espec.Overlay
	var err error
	key := "edifact_overlay"
	switch {
	case p.EDIFACTOverlay != nil:
		ov, err = espec.ParseOverlay(p.File, c.doc.SubDocument(key))
	case p.EDIFACTOverlayFile != "":
		key = "edifact_overlay_file"
		f := c.rel(p.EDIFACTOverlayFile)
		if _, serr := os.Stat(f); serr != nil {
			c.at(key, "edifact_overlay_file: %v", serr)
			return
		}
		ov, err = espec.LoadOverlayFile(f)
	default:
		return
	}
	if len(p.Standards) > 0 && !c.sends("edifact") {
		c.atKey(key, "%s: the partner's standards do not list edifact; add it, or remove the overlay", key)
	}
	if err == nil {
		if reg, rerr := espec.Builtin(); rerr == nil {
			for _, s := range p.Standards {
				if s.Standard != "edifact" {
					continue
				}
				for _, v := range s.Versions {
					if d, ok := reg.Directory(v); ok {
						err = errors.Join(err, ov.Check(d))
					}
				}
			}
		}
	}
	p.edOverlay = ov
	c.overlayErrors(key, err)
}

// overlayErrors reports an overlay's own problems (X12 or EDIFACT) at
// their places in the file that holds them; others at key.
func (c *checker) overlayErrors(key string, err error) {
	if err == nil {
		return
	}
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	label := "overlay"
	if strings.HasPrefix(key, "edifact") {
		label = "edifact overlay"
	}
	for _, e := range errs {
		if _, ok := e.(interface{ Unwrap() []error }); ok {
			c.overlayErrors(key, e) // errors.Join of several Checks
			continue
		}
		// x12.OverlayError and the EDIFACT spec.LoadError are both
		// yamlpos.Error.
		var ye *yamlpos.Error
		if errors.As(e, &ye) {
			c.probs = append(c.probs, Problem{File: ye.File, Line: ye.Line, Col: ye.Column, Msg: label + ": " + ye.Msg})
			continue
		}
		c.at(key, "%s: %v", label, e)
	}
}

// rel resolves a path written in the profile against its folder.
func (c *checker) rel(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.dir, filepath.FromSlash(p))
}

func (c *checker) mailboxes() {
	p := c.p
	ids := map[string]string{}
	claim := func(id, at string) {
		if prev, dup := ids[id]; dup {
			c.at(at, "mailbox id %q is already used by %s; ids must be unique", id, prev)
		}
		ids[id] = at
	}
	for i := range p.Mailboxes.Inbound {
		m := &p.Mailboxes.Inbound[i]
		base := fmt.Sprintf("mailboxes.inbound[%d]", i)
		if m.ID == "" {
			m.ID = defaultID(p.ID, "in", i)
		} else if !idRe.MatchString(m.ID) {
			c.at(base+".id", "mailbox id %q: use lower-case letters, digits and dashes", m.ID)
		}
		claim(m.ID, base)
		c.transport(base, &m.Transport)
		if _, err := transport.SafeDir(m.Dir); err != nil {
			c.at(base+".dir", "dir: %v", err)
		}
		if _, err := transport.ParseSchedule(p.cronSpec(m.Schedule), m.Jitter); err != nil {
			c.at(base+".schedule", "%v", err)
		}
		for _, g := range []struct {
			key  string
			pats []string
		}{{"include", m.Include}, {"exclude", m.Exclude}} {
			for j, pat := range g.pats {
				if _, err := path.Match(pat, ""); err != nil {
					c.at(fmt.Sprintf("%s.%s[%d]", base, g.key, j), "%q is not a valid glob pattern: %v", pat, err)
				}
			}
		}
		if m.MaxSize < 0 {
			c.at(base+".max_size", "max_size must not be negative (0 means no limit)")
		}
		st := m.Stability
		if st.Immediate && (st.MinAge > 0 || len(st.Markers) > 0) {
			c.at(base+".stability.immediate", "stability.immediate cannot be combined with min_age or markers")
		}
		for j, mk := range st.Markers {
			if !strings.HasPrefix(mk, ".") || strings.Contains(mk, "/") {
				c.at(fmt.Sprintf("%s.stability.markers[%d]", base, j), "marker %q: write a suffix starting with a dot, e.g. .done", mk)
			}
		}
		switch {
		case m.After == "move" && m.ArchiveDir == "":
			c.at(base+".after", "after: move needs archive_dir, the folder picked files are moved to")
		case m.After != "move" && m.ArchiveDir != "":
			c.at(base+".archive_dir", "archive_dir is only used with after: move")
		case m.After == "move":
			if _, err := transport.SafeDir(m.ArchiveDir); err != nil {
				c.at(base+".archive_dir", "archive_dir: %v", err)
			}
		}
		if m.S3 != nil && m.After == "move" {
			c.at(base+".after", "S3 has no rename: use after: delete or leave")
		}
		if m.Local != nil && m.Local.ReadOnly && m.After != "leave" {
			c.at(base+".after", "the mailbox is read_only: use after: leave")
		}
	}
	for i := range p.Mailboxes.Outbound {
		m := &p.Mailboxes.Outbound[i]
		base := fmt.Sprintf("mailboxes.outbound[%d]", i)
		if m.ID == "" {
			m.ID = defaultID(p.ID, "out", i)
		} else if !idRe.MatchString(m.ID) {
			c.at(base+".id", "mailbox id %q: use lower-case letters, digits and dashes", m.ID)
		}
		claim(m.ID, base)
		c.transport(base, &m.Transport)
		if m.AS2Drop != nil {
			c.at(base+".as2drop", "an AS2 drop folder only receives; deliver through the AS2 server's outbox folder with local:")
		}
		if m.Local != nil && m.Local.ReadOnly {
			c.at(base+".local.read_only", "an outbound mailbox cannot be read_only")
		}
		if _, err := transport.SafeDir(m.Dir); err != nil {
			c.at(base+".dir", "dir: %v", err)
		}
		if _, err := transport.ParseNameTemplate(m.Name); err != nil {
			c.at(base+".name", "%v", err)
		}
	}
}

// defaultID names the n-th (from 0) mailbox of a direction.
func defaultID(partner, dir string, n int) string {
	if n == 0 {
		return partner + "-" + dir
	}
	return partner + "-" + dir + "-" + strconv.Itoa(n+1)
}

func (c *checker) transport(base string, t *Transport) {
	switch {
	case t.Local != nil:
		if t.Local.Dir != "" && !filepath.IsAbs(t.Local.Dir) && c.opts.DataDir != "" {
			t.Local.Dir = filepath.Join(c.opts.DataDir, t.Local.Dir)
		}
	case t.AS2Drop != nil:
		r := t.AS2Drop.Route
		if r.Dir == "" && r.Name == "" {
			c.at(base+".as2drop.route", "route: set dir or name (or both): a rule matching every file would claim the other partners' files")
		}
		for _, pat := range []struct{ key, v string }{{"dir", r.Dir}, {"name", r.Name}} {
			if _, err := path.Match(pat.v, ""); err != nil {
				c.at(base+".as2drop.route."+pat.key, "%q is not a valid glob pattern: %v", pat.v, err)
			}
		}
		if strings.Contains(r.Name, "/") {
			c.at(base+".as2drop.route.name", "name matches the base name only; put the folder in dir")
		}
	case t.SFTP != nil:
		s := t.SFTP
		if s.Password.IsZero() && s.PrivateKeyFile == "" && !c.doc.Has(base+".sftp.password") {
			c.at(base+".sftp", "sftp: no credentials: set password: {env: NAME} or private_key_file")
		}
		if len(s.KnownHosts) == 0 && len(s.HostKeyFingerprints) == 0 && !s.InsecureIgnoreHostKey {
			c.at(base+".sftp", "sftp: pin the server key with host_key_fingerprints (ssh-keyscan HOST | ssh-keygen -lf - shows it; confirm it with the partner) or known_hosts")
		}
		if s.InsecureIgnoreHostKey && (len(s.KnownHosts) > 0 || len(s.HostKeyFingerprints) > 0) {
			c.at(base+".sftp.insecure_ignore_host_key", "insecure_ignore_host_key contradicts the pinned host key; remove it")
		}
		for j, fp := range s.HostKeyFingerprints {
			if !strings.HasPrefix(fp, "SHA256:") {
				c.at(fmt.Sprintf("%s.sftp.host_key_fingerprints[%d]", base, j), "fingerprint %q: write it as ssh-keygen -l prints it, starting with SHA256:", fp)
			}
		}
		if s.MaxTransfers < 1 {
			c.at(base+".sftp.max_transfers", "max_transfers must be at least 1")
		}
	case t.FTP != nil:
		if t.FTP.InsecureSkipVerify && t.FTP.TLS == "plain" {
			c.at(base+".ftp.insecure_skip_verify", "insecure_skip_verify has no effect with tls: plain")
		}
		if t.FTP.MaxTransfers < 1 {
			c.at(base+".ftp.max_transfers", "max_transfers must be at least 1")
		}
	case t.S3 != nil:
		if c.doc.Has(base+".s3.access_key_id") != c.doc.Has(base+".s3.secret_access_key") {
			c.at(base+".s3", "s3: set both access_key_id and secret_access_key, or neither (to use the environment's credentials)")
		}
		if t.S3.Prefix != "" && !strings.HasSuffix(t.S3.Prefix, "/") {
			c.at(base+".s3.prefix", "prefix %q should end with / so that it names a folder", t.S3.Prefix)
		}
	}
}

func (c *checker) documents() {
	p := c.p
	builtin, berr := mappings.Load()
	p.mappings = map[*Document]*mapping.Mapping{}
	p.templates = map[*Document]*mapping.Template{}
	seen := map[string]int{}
	for i := range p.Documents {
		d := &p.Documents[i]
		base := fmt.Sprintf("documents[%d]", i)
		if d.Standard == "" {
			switch len(p.Standards) {
			case 1:
				d.Standard = p.Standards[0].Standard
			case 0:
				c.at(base, "documents[%d]: set standard (the profile lists no standards)", i)
			default:
				c.at(base, "documents[%d]: set standard: the partner sends several", i)
			}
		} else if len(p.Standards) > 0 && !c.sends(d.Standard) && d.Direction == "in" {
			c.at(base+".standard", "the partner sends %s documents but standards does not list %s; add it", d.Standard, d.Standard)
		}
		switch d.Standard {
		case "x12":
			if !x12SetRe.MatchString(d.Type) && d.Type != "TA1" {
				c.at(base+".type", "X12 transaction set %q: write its three-digit id, quoted (\"850\")", d.Type)
			}
		case "edifact":
			if !edMsgRe.MatchString(d.Type) {
				c.at(base+".type", "EDIFACT message type %q: write six capital letters such as ORDERS", d.Type)
			}
		}
		key := d.Direction + " " + d.Standard + " " + d.Type
		if j, dup := seen[key]; dup {
			c.at(base+".type", "document %s %s is listed twice (also documents[%d])", d.Standard, d.Type, j)
		}
		seen[key] = i
		isAck := slices.Contains(ackTypes, d.Type)
		if d.Mailbox != "" {
			if d.Direction == "in" {
				c.at(base+".mailbox", "mailbox is for outbound documents; inbound ones come from any inbound mailbox")
			} else if p.Outbox(d.Mailbox) == nil {
				c.at(base+".mailbox", "no outbound mailbox has id %q", d.Mailbox)
			}
		}
		if d.Direction == "out" && len(p.Mailboxes.Outbound) == 0 {
			c.at(base+".direction", "outbound document %s but no outbound mailbox to deliver it: add mailboxes.outbound", d.Type)
		}
		switch {
		case d.MappingFile != "":
			c.mappingFile(d, base)
		case d.Mapping != "":
			if berr != nil {
				c.at(base+".mapping", "built-in mappings do not load: %v", berr)
				continue
			}
			if !c.builtinExists(builtin, d) {
				c.at(base+".mapping", "%s", unknownBuiltin(builtin, d))
			}
		case isAck && d.Direction == "out":
			// built by the gateway
		case berr == nil && d.Direction == "in" && c.defaultMapping(builtin, d) != "":
			d.Mapping = c.defaultMapping(builtin, d)
		default:
			what := "mapping"
			if d.Direction == "out" {
				what = "template"
			}
			c.atKey(base, "documents[%d] (%s %s %s): no built-in %s reads it: set mapping or mapping_file", i, d.Direction, d.Standard, d.Type, what)
		}
	}
}

// defaultMapping finds the built-in mapping for an inbound document by
// standard, the partner's versions and type.
func (c *checker) defaultMapping(s *mappings.Set, d *Document) string {
	versions := []string{""}
	for _, st := range c.p.Standards {
		if st.Standard == d.Standard && len(st.Versions) > 0 {
			versions = st.Versions
		}
	}
	if versions[0] == "" && (d.Standard == "x12" || d.Standard == "edifact") {
		// No versions listed: any built-in version of the document.
		for _, m := range s.Mappings {
			if m.Source.Standard == d.Standard && m.Source.Set == d.Type {
				return m.ID
			}
		}
		return ""
	}
	for _, v := range versions {
		set := d.Type
		if d.Standard == "csv" || d.Standard == "xml" {
			v, set = "", ""
		}
		if m := s.For(d.Standard, v, set); m != nil {
			return m.ID
		}
	}
	return ""
}

func builtinNames(s *mappings.Set, d *Document) []string {
	var names []string
	if d.Direction == "in" {
		for _, m := range s.Mappings {
			names = append(names, m.ID, strings.TrimSuffix(path.Base(m.File), ".yaml"))
		}
	} else {
		for _, t := range s.Templates {
			names = append(names, t.ID, strings.TrimSuffix(path.Base(t.File), ".yaml"))
		}
	}
	return names
}

func (c *checker) builtinExists(s *mappings.Set, d *Document) bool {
	return slices.Contains(builtinNames(s, d), d.Mapping)
}

func unknownBuiltin(s *mappings.Set, d *Document) string {
	names := builtinNames(s, d)
	kind := "mapping"
	if d.Direction == "out" {
		kind = "template"
	}
	msg := fmt.Sprintf("no built-in %s is named %q", kind, d.Mapping)
	if sug := option.Suggest(d.Mapping, names); sug != "" {
		return msg + fmt.Sprintf("; did you mean %q?", sug)
	}
	var ids []string
	for i := 0; i < len(names); i += 2 {
		ids = append(ids, names[i])
	}
	return msg + "; built-in: " + strings.Join(ids, ", ")
}

func (c *checker) mappingFile(d *Document, base string) {
	f := c.rel(d.MappingFile)
	data, err := os.ReadFile(f)
	if err != nil {
		c.at(base+".mapping_file", "mapping_file: %v", err)
		return
	}
	kind := mappings.KindOf(data)
	switch {
	case d.Direction == "in" && kind == "mapping":
		m, err := mapping.Load(f)
		c.mappingErrors(base, err)
		if m != nil {
			c.p.mappings[d] = m
		}
	case d.Direction == "out" && kind == "template":
		t, err := mapping.LoadTemplate(f)
		c.mappingErrors(base, err)
		if t != nil {
			c.p.templates[d] = t
		}
	default:
		want := map[string]string{"in": "mapping", "out": "template"}[d.Direction]
		c.at(base+".mapping_file", "%s is a %s file, but a %s document needs a %s (a file starting with %s:)", d.MappingFile, orNone(kind), d.Direction+"bound", want, want)
	}
}

func orNone(k string) string {
	if k == "" {
		return "non-mapping"
	}
	return k
}

// mappingErrors reports a mapping file's own problems at their places in
// that file.
func (c *checker) mappingErrors(base string, err error) {
	if err == nil {
		return
	}
	var les mapping.LoadErrors
	var le *mapping.LoadError
	switch {
	case errors.As(err, &les):
	case errors.As(err, &le):
		les = mapping.LoadErrors{le}
	default:
		c.at(base+".mapping_file", "mapping_file: %v", err)
		return
	}
	for _, e := range les {
		c.probs = append(c.probs, Problem{File: e.File, Line: e.Line, Col: e.Column, Msg: e.Msg})
	}
}

func (c *checker) atp() {
	a := c.p.ATP
	if a == nil {
		return
	}
	if _, err := transport.ParseSchedule(c.p.cronSpec(a.Schedule), 0); err != nil {
		c.at("atp.schedule", "%v", err)
	}
	if len(a.Products) == 0 && a.Domain == "" {
		c.atKey("atp", "atp: say which products to report: products [default codes] or domain")
	}
	if c.p.Outbox(a.Mailbox) == nil {
		if a.Mailbox != "" {
			c.at("atp.mailbox", "no outbound mailbox has id %q", a.Mailbox)
		} else {
			c.atKey("atp", "atp: the feed needs an outbound mailbox: add mailboxes.outbound")
		}
	}
	if a.Format == "invrpt" && !c.sends("edifact") && len(c.p.Standards) > 0 {
		c.at("atp.format", "format invrpt is EDIFACT, but the partner's standards do not list edifact")
	}
	if a.Domain != "" && !strings.HasPrefix(strings.TrimSpace(a.Domain), "[") {
		c.at("atp.domain", "domain %q: write an Odoo domain list such as [('sale_ok', '=', True)]", a.Domain)
	}
}

func (c *checker) odoo() {
	p := c.p
	if err := p.Odoo.Validate(); err != nil {
		c.atKey("odoo", "%v", err)
	}
	if p.ATP != nil && (len(p.Odoo.ATP.Products) > 0 || len(p.Odoo.ATP.Warehouses) > 0) {
		c.atKey("odoo.atp", "the ATP feed's products and warehouses are declared under atp:, not odoo.atp; move them")
	}
}

// OdooPolicy returns the partner's posting policy with defaults applied
// and the ATP selection (declared under atp:) filled in.
func (p *Profile) OdooPolicy() odoo.Policy {
	pol := p.Odoo
	if p.ATP != nil {
		pol.ATP.Products = slices.Clone(p.ATP.Products)
		pol.ATP.Warehouses = slices.Clone(p.ATP.Warehouses)
	}
	if pol.TimeZone == "" {
		pol.TimeZone = p.TimeZone
	}
	return pol.Defaults()
}

func sameX12Receiver(a, b *X12Ref) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
