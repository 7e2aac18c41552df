#!/usr/bin/env bash
# `make demo`: build b2bgw and run the whole gateway on the sample partners
# (partners/) and files (testdata/demo/) — SQLite in a temporary folder, local
# mailboxes, the built-in Odoo simulator — and print what happened.
# Arguments go to `b2bgw demo` (e.g. --keep, --verbose).
set -euo pipefail
cd "$(dirname "$0")/.."
go build -o bin/b2bgw ./cmd/b2bgw
exec bin/b2bgw demo "$@"
