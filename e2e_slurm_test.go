package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeSbatch stands in for Slurm's sbatch --parsable SCRIPT: it runs the
// script's array tasks at once, one after the other, with the variables a
// Slurm array task has, and prints a job id (the first is 500).
const fakeSbatch = `#!/bin/bash
set -eu
script="${@: -1}"
arr=$(sed -n 's/^#SBATCH --array=//p' "$script")
out=$(sed -n 's/^#SBATCH --output=//p' "$script")
n=$(cat "$(dirname "$0")/next" 2>/dev/null || echo 500)
echo $((n + 10)) > "$(dirname "$0")/next"
idx=()
IFS=, read -ra parts <<< "$arr"
for p in "${parts[@]}"; do
  if [[ $p == *-* ]]; then for i in $(seq "${p%-*}" "${p#*-}"); do idx+=("$i"); done; else idx+=("$p"); fi
done
for i in "${idx[@]}"; do
  SLURM_ARRAY_TASK_ID=$i SLURM_ARRAY_TASK_COUNT=${#idx[@]} SLURM_JOB_ID=$((n + i + 1)) SLURM_ARRAY_JOB_ID=$n \
    SLURMD_NODENAME=fake-node bash "$script" > "${out//%a/$i}" 2>&1 || true
done
echo "$n"
`

// TestSlurmFakeScheduler: exp slurm submit --wait and exp slurm collect
// against stand-ins for sbatch and squeue (the real cluster is
// .ci/slurm.sh's): the shards run, record their array job and node, and
// are merged; a shard whose run failed and a shard without a database are
// each named with the command that resubmits it alone, the other shards
// still merged; and --only resubmits one shard, moving its old database
// aside, after which the merged file holds every shard.
func TestSlurmFakeScheduler(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, bin, "sbatch", fakeSbatch)
	writeFile(t, bin, "squeue", "#!/bin/sh\nexit 0\n") // no task pending or running
	for _, f := range []string{"sbatch", "squeue"} {
		if err := os.Chmod(filepath.Join(bin, f), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	env := []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")}
	writeFile(t, dir, "e.yaml", `name: fake-slurm
seed: 3
kernel: synthetic
synthetic: {mode: sleep, serial: 1ms, parallel: 4ms}
workers: [1, 2, 3, 4]
repeats: 2
warmup: 0
`)
	results := filepath.Join(dir, "exp-slurm-exp-fake-slurm")
	merged := filepath.Join(results, "merged.db")
	doneShards := func(t *testing.T) int {
		t.Helper()
		return queryInt(t, openDB(t, merged), `SELECT count(*) FROM runs WHERE status = 'done' AND shard_count = 2
			AND slurm_array_job_id IS NOT NULL AND node = 'fake-node'`)
	}

	r := exp(t, dir, env, "slurm", "submit", "e.yaml", "--shards", "2", "--wait")
	if r.code != 0 || strings.TrimSpace(r.stdout) == "" || !strings.HasPrefix(r.stdout, "500\n") {
		t.Fatalf("exp slurm submit --wait: exit %d, stdout %q, want 0 and the job id 500 first\n%s", r.code, r.stdout, r.stderr)
	}
	if n := doneShards(t); n != 2 {
		t.Fatalf("merged.db holds %d done shard runs with their array job and node, want 2", n)
	}
	if n := queryInt(t, openDB(t, merged), `SELECT count(DISTINCT shard_index) FROM runs WHERE slurm_array_job_id = '500'`); n != 2 {
		t.Errorf("merged.db holds %d shards of array job 500, want 2", n)
	}

	t.Run("FailedShard", func(t *testing.T) {
		execFK(t, filepath.Join(results, "shard-1.db"), `UPDATE runs SET status = 'failed', error = 'boom'`)
		if err := os.Remove(merged); err != nil {
			t.Fatal(err)
		}
		r := exp(t, dir, env, "slurm", "collect", "500")
		if r.code != 1 || !strings.Contains(r.stderr, "shard 1: ") || !strings.Contains(r.stderr, "is failed: boom") ||
			!strings.Contains(r.stderr, "--shards 2 --only 1") {
			t.Fatalf("exp slurm collect of a failed shard: exit %d, want 1, shard 1 named as failed with the --only 1 command\n%s", r.code, r.stderr)
		}
		if n := queryInt(t, openDB(t, merged), `SELECT count(*) FROM runs`); n != 1 {
			t.Errorf("merged.db holds %d runs, want the one done shard", n)
		}
		r = exp(t, dir, env, "slurm", "submit", "e.yaml", "--shards", "2", "--only", "1", "--wait")
		if r.code != 0 {
			t.Fatalf("exp slurm submit --only 1: exit %d\n%s", r.code, r.stderr)
		}
		aside, _ := filepath.Glob(filepath.Join(results, "shard-1.db.failed-*"))
		if len(aside) != 1 {
			t.Errorf("the failed shard's database was not moved aside: %v", aside)
		}
		if n := doneShards(t); n != 2 {
			t.Errorf("after resubmitting shard 1, merged.db holds %d done shard runs, want 2", n)
		}
	})

	t.Run("MissingShard", func(t *testing.T) {
		if err := os.Rename(filepath.Join(results, "shard-0.db"), filepath.Join(dir, "lost.db")); err != nil {
			t.Fatal(err)
		}
		r := exp(t, dir, env, "slurm", "collect", "500", "--out", filepath.Join(dir, "partial.db"))
		if r.code != 1 || !strings.Contains(r.stderr, "shard 0: no database") || !strings.Contains(r.stderr, "--only 0") {
			t.Fatalf("exp slurm collect of a missing shard: exit %d, want 1, shard 0 named with --only 0\n%s", r.code, r.stderr)
		}
	})
}
