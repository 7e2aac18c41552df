#!/usr/bin/env bash
# Whole-process figures for `make bench`: generates the benchmark files with
# the project's own generator (same shape as the published figures), then
# times the byte-scan baseline and b2bgw on them, median of 5 runs.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${BENCH_SIZE:-50MB}
DIR=${BENCH_DIR:-/tmp/b2bgw-bench}
RUNS=${BENCH_RUNS:-5}
tag=$(echo "$SIZE" | tr 'A-Z' 'a-z')
prefix="po-$tag"

go build -o bin/b2bgw ./cmd/b2bgw
go build -o bin/b2bgw-gen ./cmd/b2bgw-gen
go build -o bin/b2bgw-bench ./cmd/b2bgw-bench

mkdir -p "$DIR"
x12="$DIR/$prefix-x12.edi"
if [ ! -s "$x12" ]; then
  bin/b2bgw-gen -size "$SIZE" -out "$DIR" -prefix "$prefix"
fi

t() { bin/b2bgw-bench time -n "$RUNS" "$@"; }
median() { awk -F'|' '{print $4}' <<<"$1" | awk '{print $1}'; }

echo
echo "Whole-process, $x12 ($(stat -c %s "$x12") bytes), median of $RUNS runs:"
echo
scan=$(t -label "byte scan (ReadFile + IndexByte)" -file "$x12" -- bin/b2bgw-bench scan "$x12"); echo "$scan"
parse=$(t -label "b2bgw parse --json -o /dev/null" -file "$x12" -- bin/b2bgw parse --json -o /dev/null "$x12"); echo "$parse"
val=$(t -label "b2bgw validate -q" -file "$x12" -- bin/b2bgw validate -q "$x12"); echo "$val"
tr=$(t -label "b2bgw translate --jsonl -o /dev/null" -file "$x12" -- bin/b2bgw translate --jsonl -o /dev/null "$x12"); echo "$tr"
echo
awk -v s="$(median "$scan")" -v v="$(median "$val")" -v p="$(median "$parse")" \
  'BEGIN{printf "validate / byte scan = %.2fx (target <= 4x); parse / byte scan = %.2fx\n", v/s, p/s}'
awk -v s="$(median "$scan")" -v tr="$(median "$tr")" -v size="$(stat -c %s "$x12")" \
  'BEGIN{printf "translate / byte scan = %.2fx; translate = %.0f MB/s (target >= 100 MB/s, peak RSS <= 64 MiB)\n", tr/s, size/tr/1e6}'
