// Command b2bgw is the b2bgw EDI gateway: it parses, validates,
// acknowledges and translates X12 and EDIFACT, and runs the gateway
// service. Run `b2bgw help` for the commands.
package main

import (
	"errors"
	"fmt"
	"os"
	"runtime/pprof"

	"github.com/spf13/cobra"
)

// Exit codes are a contract for scripts (see README):
const (
	exitOK       = 0 // everything accepted
	exitRejected = 1 // something was rejected or failed
	exitUsage    = 2 // usage or I/O error
)

// exitError carries an exit code out of a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// usageErr marks an I/O or usage failure (exit 2).
func usageErr(err error) error { return &exitError{code: exitUsage, err: err} }

// rejected is returned when a command ran but something was rejected
// (exit 1); the details were already printed.
var rejected = &exitError{code: exitRejected}

func main() {
	stop := startProfile()
	root := newRoot()
	err := root.Execute()
	stop()
	if err == nil {
		return
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(os.Stderr, "b2bgw:", ee.err)
		}
		os.Exit(ee.code)
	}
	// cobra's own errors are usage errors (unknown flag, missing argument).
	fmt.Fprintln(os.Stderr, "b2bgw:", err)
	os.Exit(exitUsage)
}

// startProfile writes a CPU profile of the whole run to the file
// B2BGW_CPUPROFILE names, for `go tool pprof` (how make bench's figures
// are taken apart); the function it returns ends it. Unset, it does nothing.
func startProfile() func() {
	name := os.Getenv("B2BGW_CPUPROFILE")
	if name == "" {
		return func() {}
	}
	f, err := os.Create(name)
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "b2bgw: B2BGW_CPUPROFILE:", err)
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:           "b2bgw",
		Short:         "EDI and file-transfer B2B gateway for Odoo",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newParseCmd(), newValidateCmd(), newAckCmd(), newTranslateCmd(), newTestCmd(), newLintCmd())
	root.AddCommand(newPostCmd(), newOdooCmd(), newATPCmd(), newOdooSimCmd())
	root.AddCommand(newServeCmd(), newMessagesCmd(), newReplayCmd(), newPruneCmd())
	root.AddCommand(newDemoCmd(), newPollCmd())
	return root
}
