package transport

// DropLocal makes l behave as if its connection dropped: the conformance
// suite's Drop hook for local folders, which have no connection to break.
func DropLocal(l *Local) { l.fault.Store(true) }

// SetCreateTemp replaces the spool temp-file constructor (disk-full tests).
func SetCreateTemp(p *Poller, fn func(dir, pattern string) (SpoolFile, error)) {
	p.createTemp = func(dir, pattern string) (spoolFile, error) { return fn(dir, pattern) }
}

// SpoolFile exports spoolFile to the tests.
type SpoolFile = spoolFile
