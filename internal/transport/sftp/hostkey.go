package sftp

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"strings"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/b2bgw/b2bgw/internal/transport"
)

// hostKeyError is a refused server key. It wraps transport.ErrHostKey and
// carries the presented fingerprint so an operator can compare it with what
// the partner announces.
type hostKeyError struct {
	host        string
	fingerprint string
	keyType     string
	why         string
}

func (e *hostKeyError) Error() string {
	return fmt.Sprintf("%s: server %s presented %s key %s, %s", transport.ErrHostKey, e.host, e.keyType, e.fingerprint, e.why)
}

func (e *hostKeyError) Unwrap() error { return transport.ErrHostKey }

// hostKeyCheck builds the callback for c and the host key algorithms to ask
// for, so that a server holding several keys presents the pinned kind.
func hostKeyCheck(c Config) (ssh.HostKeyCallback, []string, error) {
	if c.InsecureIgnoreHostKey && len(c.KnownHostsFiles) == 0 && len(c.HostKeyFingerprints) == 0 {
		log := c.Logger
		return func(hostname string, _ net.Addr, key ssh.PublicKey) error {
			log.Warn("sftp: host key NOT verified (insecure_ignore_host_key is set): a man in the middle could read and alter this partner's files; pin the key instead",
				"partner", c.Partner, "mailbox", c.Mailbox, "host", hostname,
				"key_type", key.Type(), "fingerprint", ssh.FingerprintSHA256(key))
			return nil
		}, nil, nil
	}
	var kh ssh.HostKeyCallback
	if len(c.KnownHostsFiles) > 0 {
		cb, err := knownhosts.New(c.KnownHostsFiles...)
		if err != nil {
			return nil, nil, fmt.Errorf("reading known_hosts %s: %w", strings.Join(c.KnownHostsFiles, ", "), err)
		}
		kh = cb
	}
	pins := make(map[string]bool, len(c.HostKeyFingerprints))
	for _, fp := range c.HostKeyFingerprints {
		fp = strings.TrimSpace(fp)
		if !strings.HasPrefix(fp, "SHA256:") {
			fp = "SHA256:" + fp
		}
		pins[strings.TrimRight(fp, "=")] = true
	}
	cb := func(hostname string, remote net.Addr, key ssh.PublicKey) error {
		fp := ssh.FingerprintSHA256(key)
		if pins[fp] {
			return nil
		}
		he := &hostKeyError{host: hostname, fingerprint: fp, keyType: key.Type()}
		if kh == nil {
			he.why = "which is not the pinned fingerprint " + strings.Join(c.HostKeyFingerprints, " or ")
			return he
		}
		err := kh(hostname, remote, key)
		if err == nil {
			return nil
		}
		var ke *knownhosts.KeyError
		switch {
		case errors.As(err, &ke) && len(ke.Want) > 0:
			he.why = fmt.Sprintf("which differs from the known_hosts entry (%s line %d, %s %s): POSSIBLE MAN IN THE MIDDLE or a changed server key",
				ke.Want[0].Filename, ke.Want[0].Line, ke.Want[0].Key.Type(), ssh.FingerprintSHA256(ke.Want[0].Key))
		case errors.As(err, &ke):
			he.why = "and the host is not in known_hosts (" + strings.Join(c.KnownHostsFiles, ", ") +
				"): confirm the fingerprint with the partner, then add the line ssh-keyscan prints"
		default:
			var re *knownhosts.RevokedError
			if errors.As(err, &re) {
				he.why = "which is marked @revoked in known_hosts"
			} else {
				he.why = err.Error()
			}
		}
		return he
	}
	if len(pins) > 0 {
		return cb, nil, nil // a pinned key may be of any type
	}
	return cb, knownAlgorithms(kh, c.Addr), nil
}

// knownAlgorithms asks the known_hosts callback which key types it holds for
// addr, by offering a throwaway key and reading the KeyError. Without this
// the server may present an RSA key while known_hosts pins its ed25519 key,
// and a perfectly good server would be refused.
func knownAlgorithms(kh ssh.HostKeyCallback, addr string) []string {
	if kh == nil {
		return nil
	}
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil
	}
	probe, err := ssh.NewPublicKey(pub)
	if err != nil {
		return nil
	}
	remote, _ := net.ResolveTCPAddr("tcp", addr)
	if remote == nil {
		remote = &net.TCPAddr{}
	}
	var ke *knownhosts.KeyError
	if err := kh(addr, remote, probe); !errors.As(err, &ke) || len(ke.Want) == 0 {
		return nil
	}
	var algos []string
	seen := map[string]bool{}
	add := func(a ...string) {
		for _, s := range a {
			if !seen[s] {
				seen[s] = true
				algos = append(algos, s)
			}
		}
	}
	for _, k := range ke.Want {
		switch t := k.Key.Type(); t {
		case ssh.KeyAlgoRSA:
			add(ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA)
		default:
			add(t)
		}
	}
	return algos
}
