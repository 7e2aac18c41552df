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
# The peers, measured in the same run: the hand-written reference mapper of
# the project's benchmark harness (stdlib only, its own module) and
# omniparser's schema transform, built in a scratch module under $DIR so its
# dependency never enters go.mod. Without the module proxy it is skipped.
(cd scripts/bench-peers/scan && go build -o ../../../bin/refscan .)
omni=""
if [ ! -x bin/omni ] || [ scripts/bench-peers/omniparser/main.go -nt bin/omni ]; then
  mkdir -p "$DIR/omni"
  cp scripts/bench-peers/omniparser/main.go scripts/bench-peers/omniparser/go.mod "$DIR/omni/"
  if (cd "$DIR/omni" && go mod tidy >/dev/null 2>&1 && go build -o "$OLDPWD/bin/omni" .); then omni=bin/omni; fi
else
  omni=bin/omni
fi
SLOW_RUNS=${BENCH_SLOW_RUNS:-1}

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

# ref OURS-LINE FILE: the reference mapper on FILE and the ratio of our
# translate to it.
ref() {
  local ours=$1 file=$2 r
  r=$(t -label "reference mapper (hand-written, bench/scan json)" -file "$file" -- bin/refscan json "$file" -o /dev/null); echo "$r"
  echo
  awk -v o="$(median "$ours")" -v r="$(median "$r")" 'BEGIN{printf "translate takes %.2fx the reference mapper'"'"'s time (it is declarative, validates every element and checks every document)\n", o/r}'
}

# slow_peer OURS-LINE FILE SCHEMA: omniparser on FILE and the ratio to our
# translate. Run after everything else: it keeps both cores busy for tens
# of seconds, and on a shared host what runs right after such a burst is
# measured slow.
slow_peer() {
  local ours=$1 file=$2 schema=$3 om
  if [ -z "$omni" ]; then
    echo "omniparser: not built (no Go module proxy?): skipped"
    return
  fi
  om=$(bin/b2bgw-bench time -n "$SLOW_RUNS" -label "omniparser v1.0.5 schema transform -> JSON" -file "$file" -- "$omni" schema "$file" "$schema" -o /dev/null); echo "$om"
  awk -v o="$(median "$ours")" -v m="$(median "$om")" 'BEGIN{printf "translate is %.1fx faster than omniparser'"'"'s schema transform\n", m/o}'
}
echo
echo "The hand-written reference mapper on the same file, same run:"
echo
ref "$tr" "$x12"

edi="$DIR/$prefix-edifact.edi"
echo
echo "Whole-process, $edi ($(stat -c %s "$edi") bytes), median of $RUNS runs:"
echo
escan=$(t -label "byte scan (ReadFile + IndexByte)" -file "$edi" -- bin/b2bgw-bench scan "$edi"); echo "$escan"
eval_=$(t -label "b2bgw validate -q (bench overlay)" -file "$edi" -- bin/b2bgw validate -q --overlay testdata/edifact/overlay-dp.yaml "$edi"); echo "$eval_"
etr=$(t -label "b2bgw translate --jsonl -o /dev/null (bench mapping)" -file "$edi" -- bin/b2bgw translate --jsonl -o /dev/null --overlay testdata/edifact/overlay-dp.yaml --mapping testdata/edifact/bench-orders.yaml "$edi"); echo "$etr"
echo
awk -v s="$(median "$escan")" -v tr="$(median "$etr")" -v size="$(stat -c %s "$edi")" \
  'BEGIN{printf "translate / byte scan = %.2fx; translate = %.0f MB/s (target >= 100 MB/s, peak RSS <= 64 MiB)\n", tr/s, size/tr/1e6}'
echo
ref "$etr" "$edi"

echo
echo "omniparser on both files, last ($SLOW_RUNS run each):"
echo
slow_peer "$tr" "$x12" scripts/bench-peers/omniparser/x12-850.schema.json
slow_peer "$etr" "$edi" scripts/bench-peers/omniparser/edifact-orders.schema.json
