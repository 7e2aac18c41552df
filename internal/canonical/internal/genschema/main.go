// Command genschema writes the canonical documents' JSON Schema. It runs
// from go generate in internal/canonical:
//
//	go run ./internal/genschema -o ../../docs/schema/canonical-v1.json
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/b2bgw/b2bgw/internal/canonical"
)

func main() {
	out := flag.String("o", "", "output file (default standard output)")
	flag.Parse()
	b, err := canonical.SchemaJSON()
	if err != nil {
		fmt.Fprintln(os.Stderr, "genschema:", err)
		os.Exit(1)
	}
	if *out == "" {
		_, err = os.Stdout.Write(b)
	} else {
		err = os.WriteFile(*out, b, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "genschema:", err)
		os.Exit(1)
	}
}
