#!/bin/sh
# Writes examples/data/sort-input.txt, the input of sort-parallel.yaml:
# 2,000,000 lines of 10-digit pseudo-random numbers (21 MB), the same on
# every machine: the MINSTD generator, x -> 48271 x mod (2^31 - 1), whose
# products stay below 2^53, so that awk's floating point computes them
# exactly. Run it from the repository's root: sh examples/gen-sort-input.sh
set -eu
dir=$(dirname "$0")/data
mkdir -p "$dir"
awk 'BEGIN { x = 1; for (i = 0; i < 2000000; i++) { x = (x * 48271) % 2147483647; printf "%010d\n", x } }' > "$dir/sort-input.txt.tmp"
mv "$dir/sort-input.txt.tmp" "$dir/sort-input.txt"
