#!/usr/bin/env bash
# Side-by-side schedule comparison with exp itself: one run of
# bench/schedules.yaml (trials interleaved), then the report as a table and
# the per-item / chunked median ratio per range and worker count.
#
#   bash bench/schedules.sh [DB]     # default DB: a temporary file
set -euo pipefail
cd "$(dirname "$0")/.."
db=${1:-$(mktemp -d)/bench.db}
go run . run bench/schedules.yaml --db "$db"
go run . report --db "$db"
echo
echo "median ratio per-item / chunked and static / chunked (1.00 = same speed):"
go run . report --db "$db" --format csv | python3 -c '
import csv, sys
rows = list(csv.DictReader(sys.stdin))
med = {(r["range_start"], r["workers"], r["schedule"]): float(r["median_s"]) for r in rows}
for (start, w, s), m in sorted(med.items()):
    if s == "chunked":
        pi, st = med[(start, w, "per-item")] / m, med[(start, w, "static")] / m
        print("range_start=%15s workers=%s: per-item %6.2fx  static %6.2fx" % (start, w, pi, st))
'
