package option

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
)

// Secret is a credential (password, key passphrase, API key, S3 secret).
// Configuration files never hold the value itself, only a reference that
// is resolved at load:
//
//	password: {env: ACME_SFTP_PASSWORD}     # an environment variable
//	password: {file: /run/secrets/acme_pw}  # a file (trailing newline dropped)
//
// A Secret prints as "[redacted]" through fmt (%v, %s, %+v, %#v),
// encoding/json and log/slog, so a logged or dumped configuration never
// carries it; Reveal is the only way to the value.
type Secret struct {
	env, file string
	value     string
	resolved  bool
}

const redacted = "[redacted]"

// SecretFromEnv returns an unresolved reference to an environment variable.
func SecretFromEnv(name string) Secret { return Secret{env: name} }

// SecretFromFile returns an unresolved reference to a file.
func SecretFromFile(path string) Secret { return Secret{file: path} }

// SecretValue wraps a value obtained elsewhere (an environment override, a
// test).
func SecretValue(v string) Secret { return Secret{value: v, resolved: true} }

// IsZero reports whether the secret is not configured at all.
func (s Secret) IsZero() bool { return s.env == "" && s.file == "" && !s.resolved }

// Resolved reports whether the value is available to Reveal.
func (s Secret) Resolved() bool { return s.resolved }

// Ref describes where the value comes from without revealing it:
// "env ACME_SFTP_PASSWORD", "file /run/secrets/x", "value" or "".
func (s Secret) Ref() string {
	switch {
	case s.env != "":
		return "env " + s.env
	case s.file != "":
		return "file " + s.file
	case s.resolved:
		return "value"
	}
	return ""
}

// Reveal returns the value, for the wire only. It is "" before Resolve.
func (s Secret) Reveal() string { return s.value }

// Resolve reads the referenced value. lookup is os.LookupEnv in
// production; a relative file is taken from baseDir (the directory of the
// file that holds the reference). Errors say what to set.
func (s *Secret) Resolve(lookup func(string) (string, bool), baseDir string) error {
	switch {
	case s.resolved:
		return nil
	case s.env != "":
		v, ok := lookup(s.env)
		if !ok || v == "" {
			return fmt.Errorf("environment variable %s is not set: export it before starting b2bgw", s.env)
		}
		s.value, s.resolved = v, true
	case s.file != "":
		p := s.file
		if !filepath.IsAbs(p) && baseDir != "" {
			p = filepath.Join(baseDir, p)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("cannot read the secret file: %w", err)
		}
		v := strings.TrimRight(string(b), "\r\n")
		if v == "" {
			return fmt.Errorf("secret file %s is empty", p)
		}
		s.value, s.resolved = v, true
	}
	return nil
}

// String redacts.
func (s Secret) String() string {
	if s.IsZero() {
		return ""
	}
	return redacted
}

// GoString redacts %#v.
func (s Secret) GoString() string { return `option.Secret{` + s.Ref() + `}` }

// Format redacts every verb, including %q and %x.
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		fmt.Fprint(f, s.GoString())
		return
	}
	fmt.Fprint(f, s.String())
}

// MarshalJSON writes the reference ({"env": NAME} or {"file": PATH}), never
// the value; a value from elsewhere is "[redacted]".
func (s Secret) MarshalJSON() ([]byte, error) {
	switch {
	case s.env != "":
		return json.Marshal(map[string]string{"env": s.env})
	case s.file != "":
		return json.Marshal(map[string]string{"file": s.file})
	}
	return json.Marshal(s.String())
}

// LogValue redacts in slog output.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }
