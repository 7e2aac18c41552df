#!/usr/bin/env bash
# `make demo` until the gateway service lands: shows what b2bgw does to the
# sample partner files in testdata/ (validate, acknowledge, parse).
set -euo pipefail
cd "$(dirname "$0")/.."
go build -o bin/b2bgw ./cmd/b2bgw
b=bin/b2bgw
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

say b2bgw validate testdata/x12/*.x12
$b validate testdata/x12/850-4010-basic.x12 testdata/x12/850-4010-pipe-crlf.x12 testdata/x12/850-5010-nonl.x12 || true
say b2bgw ack testdata/x12/850-4010-basic.x12
$b ack testdata/x12/850-4010-basic.x12 || true
say b2bgw ack --type ta1 testdata/x12/850-4010-pipe-crlf.x12 "   # the partner asked for a TA1 (ISA14=1)"
$b ack --type ta1 testdata/x12/850-4010-pipe-crlf.x12 || true
say b2bgw validate testdata/x12/bad/850-4010-errors.x12 "   # a set with errors: AK3/AK4 detail"
$b validate testdata/x12/bad/850-4010-errors.x12 || true
say b2bgw ack testdata/x12/bad/850-4010-errors.x12
$b ack testdata/x12/bad/850-4010-errors.x12 || true
