package partner

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/b2bgw/b2bgw/internal/config/option"
	espec "github.com/b2bgw/b2bgw/internal/edifact/spec"
	"github.com/b2bgw/b2bgw/internal/mapping"
	"github.com/b2bgw/b2bgw/internal/transport"
	"github.com/b2bgw/b2bgw/internal/x12"
)

// Problem is one thing wrong in a partner file, at file:line:col.
type Problem = option.Problem

// Problems is every problem found; it is the error type of Load and
// LoadFile.
type Problems = option.Problems

// Options say how profiles are loaded.
type Options struct {
	// Lookup reads environment variables for {env: NAME} secrets;
	// os.LookupEnv when nil.
	Lookup func(string) (string, bool)
	// SkipSecrets checks secret references without resolving them (lint,
	// where the variables are not set).
	SkipSecrets bool
	// Us is the gateway's identity, used where a profile's us: is unset.
	Us Us
	// DataDir is where relative local mailbox folders are taken from.
	DataDir string
	// Demo, when not empty, replaces every mailbox by a local folder
	// Demo/<mailbox id> polled every 5 seconds (see DemoMailboxes).
	Demo string
}

// IsProfile reports whether a YAML file is a partner profile: its first
// top-level key is partner:.
func IsProfile(data []byte) bool {
	for _, line := range bytes.Split(data, []byte("\n")) {
		if len(line) == 0 || line[0] == ' ' || line[0] == '\t' || line[0] == '#' || line[0] == '-' {
			continue
		}
		key, _, ok := bytes.Cut(line, []byte(":"))
		return ok && string(bytes.TrimSpace(key)) == "partner"
	}
	return false
}

// LoadFile reads, checks and (unless opts.SkipSecrets) resolves one
// profile. The error is Problems: everything wrong in the file, each at
// its line and column, in one pass.
func LoadFile(path string, opts Options) (*Profile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, Problems{{File: path, Msg: err.Error()}}
	}
	p, probs := parseProfile(path, data, opts)
	if err := probs.Sort().Err(); err != nil {
		return nil, err
	}
	return p, nil
}

// parseProfile decodes and checks one profile, returning it (possibly
// partial) with every problem.
func parseProfile(path string, data []byte, opts Options) (*Profile, Problems) {
	p := &Profile{File: path}
	doc, probs := option.Decode(path, data, p)
	p.Doc = doc
	c := &checker{p: p, doc: doc, dir: filepath.Dir(path), opts: opts}
	c.all()
	// An inline overlay is read twice: by the declaration (keys and types,
	// for the schema) and by its own parser (the rules). A place both
	// object to is reported once, in the declaration's words.
	type place struct {
		file      string
		line, col int
	}
	decoded := map[place]bool{}
	for _, pr := range probs {
		decoded[place{pr.File, pr.Line, pr.Col}] = true
	}
	for _, pr := range c.probs {
		inline := strings.HasPrefix(pr.Msg, "overlay: ") || strings.HasPrefix(pr.Msg, "edifact overlay: ")
		if !inline || !decoded[place{pr.File, pr.Line, pr.Col}] {
			probs = append(probs, pr)
		}
	}
	if opts.Demo != "" {
		p.DemoMailboxes(opts.Demo)
	}
	if !opts.SkipSecrets && len(probs) == 0 {
		probs = append(probs, option.ResolveSecrets(p, doc, opts.Lookup, filepath.Dir(path))...)
	}
	return p, probs
}

// DemoMailboxes replaces every mailbox by a local folder dir/<mailbox id>
// that is polled every 5 seconds and picks files immediately (the demo
// writes them atomically). Remote settings and their secrets are dropped,
// so the demo needs no credentials.
func (p *Profile) DemoMailboxes(dir string) {
	for i := range p.Mailboxes.Inbound {
		m := &p.Mailboxes.Inbound[i]
		m.Transport = Transport{Local: &LocalBox{Dir: filepath.Join(dir, m.ID)}}
		m.Dir, m.Schedule, m.Jitter = "", "@every 5s", 0
		m.Stability = Stability{Immediate: true}
		if m.After == "move" && m.ArchiveDir == "" {
			m.After = "delete"
		}
	}
	for i := range p.Mailboxes.Outbound {
		m := &p.Mailboxes.Outbound[i]
		m.Transport = Transport{Local: &LocalBox{Dir: filepath.Join(dir, m.ID)}}
		m.Dir = ""
	}
}

// Location returns the partner's time zone (UTC when unset or invalid,
// which Load reports).
func (p *Profile) Location() *time.Location {
	if loc, err := time.LoadLocation(p.TimeZone); err == nil {
		return loc
	}
	return time.UTC
}

// CodeOverlay returns the compiled X12 overlay (inline or from
// overlay_file), or nil when the profile has none.
func (p *Profile) CodeOverlay() *x12.Overlay { return p.overlay }

// EDIFACTCodeOverlay returns the compiled EDIFACT overlay (inline or
// from edifact_overlay_file), or nil when the profile has none.
func (p *Profile) EDIFACTCodeOverlay() *espec.Overlay { return p.edOverlay }

// Mapping returns the compiled mapping file of a document read from a
// mapping_file (nil for built-in mappings: look those up in the mappings
// package by Document.Mapping, or by standard, version and type).
func (p *Profile) Mapping(d *Document) *mapping.Mapping { return p.mappings[d] }

// Template returns the compiled outbound template of a document read
// from a mapping_file.
func (p *Profile) Template(d *Document) *mapping.Template { return p.templates[d] }

// Schedule returns an inbound mailbox's parsed poll schedule, in the
// partner's time zone unless the spec names one (CRON_TZ=).
func (p *Profile) Schedule(m *Inbound) (transport.Schedule, error) {
	return transport.ParseSchedule(p.cronSpec(m.Schedule), m.Jitter)
}

// ATPSchedule returns the parsed ATP feed schedule.
func (p *Profile) ATPSchedule() (transport.Schedule, error) {
	if p.ATP == nil {
		return transport.Schedule{}, fmt.Errorf("partner %s has no atp feed", p.ID)
	}
	return transport.ParseSchedule(p.cronSpec(p.ATP.Schedule), 0)
}

func (p *Profile) cronSpec(spec string) string {
	if strings.HasPrefix(spec, "CRON_TZ=") || strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "@every") ||
		p.TimeZone == "" || p.TimeZone == "UTC" {
		return spec
	}
	if _, err := time.LoadLocation(p.TimeZone); err != nil {
		return spec // reported at time_zone
	}
	return "CRON_TZ=" + p.TimeZone + " " + spec
}

// Outbox returns the outbound mailbox with id, or the first one when id is
// empty; nil when there is none.
func (p *Profile) Outbox(id string) *Outbound {
	for i := range p.Mailboxes.Outbound {
		if id == "" || p.Mailboxes.Outbound[i].ID == id {
			return &p.Mailboxes.Outbound[i]
		}
	}
	return nil
}

// Inbound returns the inbound document of standard and type, or nil.
func (p *Profile) Inbound(standard, typ string) *Document {
	for i := range p.Documents {
		d := &p.Documents[i]
		if d.Direction == "in" && d.Standard == standard && d.Type == typ {
			return d
		}
	}
	return nil
}

// Sends reports whether the partner sends standard in version (any
// version when the profile lists none).
func (p *Profile) Sends(standard, version string) bool {
	for _, s := range p.Standards {
		if s.Standard != standard {
			continue
		}
		if len(s.Versions) == 0 {
			return true
		}
		for _, v := range s.Versions {
			if v == version {
				return true
			}
		}
	}
	return false
}
