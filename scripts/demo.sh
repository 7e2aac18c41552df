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
say b2bgw translate --jsonl mappings/testdata/850-basic.x12 "   # X12 850 -> canonical Order (built-in mapping)"
$b translate --jsonl mappings/testdata/850-basic.x12 | head -c 900; echo " …"
say b2bgw post --odoo sim cmd/b2bgw/testdata/post/850-acme.x12 "   # into a seeded Odoo simulator"
$b post --odoo sim cmd/b2bgw/testdata/post/850-acme.x12 || true
say b2bgw atp --odoo sim --partner x12:ZZ:ACMERETAIL --sender ZZ:B2BGWDIST --products SKU-1001,SKU-1002 "   # the ATP feed as an X12 846"
$b atp --odoo sim --partner x12:ZZ:ACMERETAIL --sender ZZ:B2BGWDIST --products SKU-1001,SKU-1002 || true
say b2bgw lint mappings partners
$b lint mappings partners
