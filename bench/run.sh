#!/usr/bin/env bash
# The performance benchmark in one command: exp against references and
# against itself, every comparison measured side by side in this one run
# (A B A B ... alternation, medians with min-max), then a summary table.
# It writes nothing outside a temporary directory: copy the results into
# BENCHMARKS.md by hand.
#
#   bash bench/run.sh                  # all parts, about 6 minutes on 2 cores
#   QUICK=1 bash bench/run.sh          # fewer rounds and repeats, about 4-5 minutes
#   PARTS=ab ROUNDS=9 bash bench/run.sh
#   QUIET_MACHINE=30s bash bench/run.sh   # (c) waits for a quiet machine before each trial
#
# (a) kernel: exp's primes kernel on one worker (bench/run-kernel.yaml)
#     against bench/ref/prime.c, the same trial division in C (gcc -O2).
# (b) process: a whole `exp run` of the seed's workload (bench/run-seed.yaml)
#     against the seed's Python program, bench/ref/seed.py.
# (c) schedules: per-item, chunked and static at 1 to 2 x CPUs workers
#     (bench/run-scaling.yaml): speedups with intervals, the noise guard's
#     contention, per-item's dispatch cost per number, static's imbalance.
# (d) overhead: `exp run experiments.yaml` wall time less its trials' time.
# (e) scale: exp report on 1,000,000 trials and exp runs on 10,000 runs
#     (wall time and peak RSS from /usr/bin/time -v), exp merge of 200,000
#     trials (trials/s), and committing one trial (store.BenchmarkAddTrial).
#
# Needs go, gcc and python3; installs GNU time with apt-get if missing.
# hyperfine is not used: it runs each command's repetitions in a block,
# and these comparisons alternate.
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C # a decimal point in $EPOCHREALTIME and printf
export PYTHONDONTWRITEBYTECODE=1 # no __pycache__ in bench/

quick=${QUICK:-0}
parts=${PARTS:-abcde}
if [ "$quick" = 1 ]; then rounds=${ROUNDS:-5}; else rounds=${ROUNDS:-7}; fi
if [ "$rounds" -lt 5 ]; then echo "ROUNDS must be >= 5, got $rounds"; exit 2; fi
quiet_machine=${QUIET_MACHINE:-}
cpus=$(nproc)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
summary=$tmp/summary.tsv
: > "$summary"

analyze() { python3 bench/analyze.py "$@"; }

# wall SAMPLES OUT CMD...: run CMD with its stdout in OUT and append its
# wall time in seconds to SAMPLES ($EPOCHREALTIME: no process is started
# to read the clock).
wall() {
  local samples=$1 out=$2 t0 t1
  shift 2
  t0=$EPOCHREALTIME
  "$@" > "$out"
  t1=$EPOCHREALTIME
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f\n", b - a }' >> "$samples"
}

# set_key FILE KEY VALUE: set the top-level "KEY: ..." line of a YAML copy.
set_key() {
  grep -q "^$2:" "$1" || { echo "set_key: no top-level $2 in $1"; exit 1; }
  sed -i "s/^$2:.*/$2: $3/" "$1"
}

# median_s REPORT.json: the first cell's median wall time in seconds.
median_s() {
  python3 -c 'import json, sys; print("%.9f" % json.load(open(sys.argv[1]))["cells"][0]["median_s"])' "$1"
}

for tool in go gcc python3; do
  command -v "$tool" >/dev/null || { echo "bench/run.sh needs $tool"; exit 1; }
done
if [ ! -x /usr/bin/time ] && [[ $parts == *e* ]]; then
  echo "installing GNU time (Debian package time) for peak RSS"
  (apt-get install -y -qq time >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq time >/dev/null 2>&1; }) || true
  [ -x /usr/bin/time ] || { echo "/usr/bin/time could not be installed (Debian package time)"; exit 1; }
fi

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain 2>/dev/null)" ]; then commit="$commit (modified)"; fi
echo "== bench/run.sh: $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $commit, QUICK=$quick, $rounds rounds"
echo "   $cpus CPUs: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'); $(go version | cut -d' ' -f3); $(gcc --version | head -1); $(python3 --version)"
echo "   load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
began=$SECONDS

go build -o "$tmp/exp" .
exp=$tmp/exp

if [[ $parts == *a* ]]; then
  echo
  echo "== (a) kernel: [10^13, 10^13+1000) on one worker, C (gcc -O2) and exp, alternating, $rounds rounds"
  echo "   C: one pass per process, timed inside (CLOCK_MONOTONIC); exp: one exp run of bench/run-kernel.yaml"
  echo "   per round (static, 1 worker), the median of its 3 measured trials after 1 warmup"
  gcc -O2 -o "$tmp/prime" bench/ref/prime.c
  for i in $(seq "$rounds"); do
    "$tmp/prime" > "$tmp/a-c.out"
    read -r count seconds < "$tmp/a-c.out"
    [ "$count" = 34 ] || { echo "prime.c counted $count primes, want 34"; exit 1; }
    echo "$seconds" >> "$tmp/a-c.txt"
    "$exp" run bench/run-kernel.yaml --db "$tmp/a-$i.db" --quiet
    "$exp" report --db "$tmp/a-$i.db" --format json > "$tmp/a-$i.json"
    median_s "$tmp/a-$i.json" >> "$tmp/a-exp.txt"
  done
  analyze pair "$summary" "a kernel, 1 worker" "C -O2" "$tmp/a-c.txt" "exp" "$tmp/a-exp.txt"
fi

if [[ $parts == *b* ]]; then
  echo
  echo "== (b) process: the seed's workload, whole process, alternating, $rounds rounds"
  echo "   exp run bench/run-seed.yaml (2 workers, per-item, 1 trial, no warmup, fresh --db) vs"
  echo "   python3 bench/ref/seed.py (ProcessPoolExecutor, 50 processes); both on all $cpus CPUs"
  for i in $(seq "$rounds"); do
    wall "$tmp/b-exp.txt" "$tmp/b-exp.out" "$exp" run bench/run-seed.yaml --db "$tmp/b-$i.db" --quiet
    wall "$tmp/b-py.txt" "$tmp/b-py.out" python3 bench/ref/seed.py
    grep -q '^34 primes' "$tmp/b-py.out" || { echo "seed.py did not find 34 primes:"; tail -1 "$tmp/b-py.out"; exit 1; }
  done
  analyze pair "$summary" "b process, seed workload" "exp run" "$tmp/b-exp.txt" "seed.py" "$tmp/b-py.txt"
fi

if [[ $parts == *c* ]]; then
  cp bench/run-scaling.yaml "$tmp/scaling.yaml"
  set_key "$tmp/scaling.yaml" workers "[$(seq -s ', ' 1 $((2 * cpus)))]"
  if [ "$quick" = 1 ]; then set_key "$tmp/scaling.yaml" repeats 5; fi
  echo
  echo "== (c) schedules on [10^13, 10^13+10^4): $(grep -E '^(workers|repeats|warmup):' "$tmp/scaling.yaml" | tr '\n' ' ')"
  flags=(--quiet)
  if [ -n "$quiet_machine" ]; then flags+=("--quiet-machine=$quiet_machine"); fi
  wall "$tmp/c-wall.txt" "$tmp/c-run.out" "$exp" run "$tmp/scaling.yaml" --db "$tmp/c.db" "${flags[@]}"
  echo "   exp run took $(awk '{ printf "%.0f", $1 }' "$tmp/c-wall.txt") s"
  "$exp" report --db "$tmp/c.db" --format json > "$tmp/c.json"
  analyze scaling "$summary" "$tmp/c.json" "$tmp/c.db"
fi

if [[ $parts == *d* ]]; then
  cp experiments.yaml "$tmp/matrix.yaml"
  if [ "$quick" = 1 ]; then set_key "$tmp/matrix.yaml" repeats 3; fi
  echo
  echo "== (d) runner overhead: exp run experiments.yaml$([ "$quick" = 1 ] && echo ' with repeats: 3 (QUICK)')"
  wall "$tmp/d-wall.txt" "$tmp/d-run.out" "$exp" run "$tmp/matrix.yaml" --db "$tmp/d.db" --quiet
  analyze overhead "$summary" "$tmp/d.db" "$(cat "$tmp/d-wall.txt")"
fi

if [[ $parts == *e* ]]; then
  echo
  echo "== (e) scale: exp report on 1,000,000 trials of one run, exp runs on 10,000 runs, exp merge of 200,000 trials, one trial's commit"
  "$exp" run bench/run-tiny.yaml --db "$tmp/tiny.db" --quiet
  cp "$tmp/tiny.db" "$tmp/big.db"
  cp "$tmp/tiny.db" "$tmp/runs.db"
  python3 bench/bigdb.py trials "$tmp/big.db" 1000000
  python3 bench/bigdb.py runs "$tmp/runs.db" 10000
  for i in 1 2 3; do
    /usr/bin/time -v -o "$tmp/e-report-$i.txt" "$exp" report --db "$tmp/big.db" > /dev/null
    /usr/bin/time -v -o "$tmp/e-runs-$i.txt" "$exp" runs --db "$tmp/runs.db" > /dev/null
  done
  analyze timev "$summary" "e scale" "exp report, 1M trials" 1.5 150 "$tmp"/e-report-*.txt
  analyze timev "$summary" "e scale" "exp runs, 10k runs" 0.5 0 "$tmp"/e-runs-*.txt
  # The bulk path: exp merge of one run of 200,000 trials into a new file.
  cp "$tmp/tiny.db" "$tmp/m200k.db"
  python3 bench/bigdb.py trials "$tmp/m200k.db" 200000
  for i in 1 2 3; do
    rm -f "$tmp/merged.db"
    /usr/bin/time -v -o "$tmp/e-merge-$i.txt" "$exp" merge -q "$tmp/merged.db" "$tmp/m200k.db" > /dev/null
  done
  analyze rate "$summary" "e scale" "exp merge, 200k trials: trials/s" 200000 100000 "$tmp"/e-merge-*.txt
  # Committing one trial (with 2 worker rows) to a real file, WAL, synchronous=NORMAL.
  go test -run '^$' -bench 'AddTrial$' -count 5 ./store > "$tmp/e-addtrial.txt"
  analyze gobench "$summary" "e scale" "store.AddTrial, one committed trial" 60 "$tmp/e-addtrial.txt"
fi

echo
echo "== summary (medians [min-max]; load average now: $(cut -d' ' -f1-3 /proc/loadavg); took $((SECONDS - began)) s)"
analyze summary "$summary"
