package odoo

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
)

// keyLocks serialises work on one document inside a process (two workers
// picking up a resend at once); ir.model.data does the same across
// processes.
type keyLocks struct {
	mu sync.Mutex
	m  map[string]*keyLock
}

type keyLock struct {
	mu   sync.Mutex
	refs int
}

func (l *keyLocks) lock(key string) func() {
	l.mu.Lock()
	if l.m == nil {
		l.m = map[string]*keyLock{}
	}
	k := l.m[key]
	if k == nil {
		k = &keyLock{}
		l.m[key] = k
	}
	k.refs++
	l.mu.Unlock()
	k.mu.Lock()
	return func() {
		k.mu.Unlock()
		l.mu.Lock()
		if k.refs--; k.refs == 0 {
			delete(l.m, key)
		}
		l.mu.Unlock()
	}
}

// XMLIDModule is the ir.model.data module of the gateway's external ids.
const XMLIDModule = "b2bgw"

// OrderXMLID is the external id name of a partner's purchase order:
// deterministic, so every gateway process derives the same one, and
// escaped, because external ids may not contain spaces and a dot would
// read as a module separator.
func OrderXMLID(partner, po string) string {
	return "so_" + escapeXMLID(partner) + "__" + escapeXMLID(po)
}

// escapeXMLID keeps letters, digits and '-', and writes anything else as
// _XX (hex), so distinct inputs never collide ("PO 1" vs "PO_1").
func escapeXMLID(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-':
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "_%02x", c)
		}
	}
	return b.String()
}

// newToken returns a reservation owner token. A reservation's res_id is
// the negated token until the order exists, so whoever finds a
// reservation can tell its own (a create whose answer was lost) from
// another process's.
func newToken() int64 { return 1 + rand.Int64N(1<<31-2) }
