#!/usr/bin/env bash
# End-to-end figures for `make bench`: 10,000 orders in 1,000 files on a
# local mailbox → the pipeline (production defaults) → the Odoo simulator
# answering every call after 5 ms → 997s written. Prints orders/s and Odoo
# calls per order for SQLite, and for PostgreSQL when B2BGW_IT_PG_DSN is set
# (bash scripts/it-servers.sh start; set -a; . "$(bash scripts/it-servers.sh envfile)"; set +a).
# Scale with B2BGW_E2E_FILES, B2BGW_E2E_ORDERS (per file), B2BGW_E2E_LATENCY.
# B2BGW_E2E_STATS=1 adds, for SQLite, each job kind's average queue wait
# and run time, and the span from its first start to its last end: the
# stage whose span is the run's is the one that limits it.
set -euo pipefail
cd "$(dirname "$0")/.."
export B2BGW_E2E_FILES=${B2BGW_E2E_FILES:-1000} B2BGW_E2E_ORDERS=${B2BGW_E2E_ORDERS:-10} B2BGW_E2E_LATENCY=${B2BGW_E2E_LATENCY:-5ms}
run='sqlite'
if [ -n "${B2BGW_IT_PG_DSN:-}" ]; then run='sqlite|postgres'; else echo "B2BGW_IT_PG_DSN is not set: SQLite only"; fi
echo
echo "End to end: $((B2BGW_E2E_FILES * B2BGW_E2E_ORDERS)) orders in $B2BGW_E2E_FILES files, Odoo latency $B2BGW_E2E_LATENCY per call (target >= 300 orders/s with SQLite):"
echo
go test -run '^$' -bench "^BenchmarkEndToEnd\$/^($run)\$" -benchtime 1x -timeout 40m ./internal/pipeline/ |
  grep -E '^(Benchmark|    e2e_bench)' || { echo "bench-e2e: the benchmark failed" >&2; exit 1; }
