#!/usr/bin/env bash
# Go microbenchmarks of exp's hot paths (kernel, schedules, store writes,
# statistics), each run COUNT times, summarised by benchstat as the median
# with the spread of the runs.
#
#   bash bench/go.sh                 # all benchmarks, COUNT=8
#   BENCH=Execute COUNT=12 bash bench/go.sh
set -euo pipefail
cd "$(dirname "$0")/.."
count=${COUNT:-8}
pattern=${BENCH:-.}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
go test -run '^$' -bench "$pattern" -benchmem -count "$count" ./experiment ./store ./report ./scaling | tee "$out" >/dev/null
go run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da "$out"
