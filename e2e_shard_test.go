package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// cellRows returns the sorted rows of the cells the run(s) in the file at
// path hold: range, schedule, workers and the oracle's answer.
func cellRows(t *testing.T, path string) []string {
	t.Helper()
	rows, err := openDB(t, path).Query(`SELECT range_start, range_count, schedule, workers, expected_primes, expected_checksum FROM cells`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var start, n, workers, primes int64
		var schedule, sum string
		if err := rows.Scan(&start, &n, &schedule, &workers, &primes, &sum); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%d+%d %s w=%d primes=%d %s", start, n, schedule, workers, primes, sum))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// TestShardsMergeToTheWholeMatrix runs a matrix as 3 shards, each into
// its own file, merges them, and checks the merged cells against one run
// of the whole matrix: the same cells, the same oracle answers, every
// trial right, and each shard's run recording its shard.
func TestShardsMergeToTheWholeMatrix(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "s.yaml", smallYAML)
	if r := exp(t, dir, nil, "run", "s.yaml", "--db", "whole.db", "-q"); r.code != 0 {
		t.Fatalf("whole run: exit %d\n%s", r.code, r.stderr)
	}
	shards := []string{}
	for i := range 3 {
		// Shard 1 takes its index from a Slurm array's environment; the others from --shard.
		args, env := []string{"run", "s.yaml", "--shard", fmt.Sprintf("%d/3", i), "--db", "part-{shard}-of-{shards}.db", "-q"}, []string(nil)
		if i == 1 {
			args = []string{"run", "s.yaml", "--db", "part-{shard}-of-{shards}.db", "-q"}
			env = []string{"SLURM_ARRAY_TASK_ID=1", "SLURM_ARRAY_TASK_COUNT=3", "SLURM_ARRAY_JOB_ID=77", "SLURM_JOB_ID=78", "SLURMD_NODENAME=node7"}
		}
		if r := exp(t, dir, env, args...); r.code != 0 {
			t.Fatalf("shard %d: exit %d\n%s", i, r.code, r.stderr)
		}
		shards = append(shards, fmt.Sprintf("part-%d-of-3.db", i))
	}
	if r := exp(t, dir, nil, append([]string{"merge", "all.db"}, shards...)...); r.code != 0 {
		t.Fatalf("merge: exit %d\n%s", r.code, r.stderr)
	}
	all, whole := filepath.Join(dir, "all.db"), filepath.Join(dir, "whole.db")
	if got, want := cellRows(t, all), cellRows(t, whole); !slices.Equal(got, want) {
		t.Errorf("merged shards' cells:\n%s\nwant the whole run's:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	db := openDB(t, all)
	if n := queryInt(t, db, `SELECT count(*) FROM trials`); n != 18 {
		t.Errorf("merged trials = %d, want 18", n)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM trials WHERE ok = 0`); n != 0 {
		t.Errorf("%d trials with a wrong answer", n)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM runs WHERE status = 'done' AND shard_count = 3`); n != 3 {
		t.Errorf("done runs with shard_count 3 = %d, want 3", n)
	}
	if n := queryInt(t, db, `SELECT count(DISTINCT shard_index) FROM runs`); n != 3 {
		t.Errorf("distinct shard_index = %d, want 3", n)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM runs WHERE shard_index = 1 AND slurm_array_job_id = '77'
		AND slurm_array_task_id = 1 AND slurm_job_id = '78' AND node = 'node7'`); n != 1 {
		t.Errorf("shard 1's run does not record its Slurm job and node")
	}
	// exp show says which shard a run is and which Slurm job started it.
	show := exp(t, dir, nil, "show", "2", "--db", "all.db")
	for _, want := range []string{"shard:          1 of 3 (exp run --shard 1/3)", "slurm:          job 78, array job 77 task 1, node node7"} {
		if show.code != 0 || !strings.Contains(show.stdout, want) {
			t.Errorf("exp show of shard 1's run lacks %q: exit %d\n%s", want, show.code, show.stdout)
		}
	}
	if js := exp(t, dir, nil, "show", "2", "--db", "all.db", "--format", "json"); !strings.Contains(js.stdout, `"array_task_id": 1`) || !strings.Contains(js.stdout, `"count": 3`) {
		t.Errorf("exp show --format json lacks the shard and Slurm objects:\n%s", js.stdout)
	}
}

// TestReproduceShard: exp reproduce of a shard's run runs that shard's
// cells again, as a run of the same shard, not the whole matrix.
func TestReproduceShard(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "s.yaml", smallYAML)
	if r := exp(t, dir, nil, "run", "s.yaml", "--shard", "1/3", "--db", "p.db", "-q"); r.code != 0 {
		t.Fatalf("shard 1/3: exit %d\n%s", r.code, r.stderr)
	}
	if r := exp(t, dir, nil, "reproduce", "1", "--db", "p.db", "-q"); r.code != 0 && r.code != 3 {
		t.Fatalf("reproduce: exit %d\n%s", r.code, r.stderr)
	}
	db := openDB(t, filepath.Join(dir, "p.db"))
	orig := queryInt(t, db, `SELECT count(*) FROM cells WHERE run_id = 1`)
	again := queryInt(t, db, `SELECT count(*) FROM cells WHERE run_id = 2`)
	if orig == 0 || again != orig {
		t.Errorf("the reproduction has %d cells, the shard's run %d", again, orig)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM runs WHERE id = 2 AND shard_index = 1 AND shard_count = 3`); n != 1 {
		t.Errorf("the reproduction does not record shard 1 of 3")
	}
}

// TestShardFlagErrors checks that bad --shard and --shards values are
// usage errors (exit status 2) that say what is allowed.
func TestShardFlagErrors(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "s.yaml", smallYAML)
	for _, tt := range []struct {
		args []string
		env  []string
		want string
	}{
		{[]string{"--shard", "4/4"}, nil, "from 0 to 3"},
		{[]string{"--shard", "-1/4"}, nil, "from 0 to 3"},
		{[]string{"--shard", "1"}, nil, "I/N"},
		{[]string{"--shard", "0/0"}, nil, "from 1 to"},
		{[]string{"--shard", "x/2"}, nil, "from 0 to 1"},
		{[]string{"--shard", "1/2", "--shards", "3"}, nil, "--shards is 3"},
		{[]string{"--shards", "3"}, nil, "needs the shard index"},
		{[]string{"--shards", "0"}, nil, "from 1 to"},
		{nil, []string{"SLURM_ARRAY_TASK_ID=5", "SLURM_ARRAY_TASK_COUNT=4"}, "SLURM_ARRAY_TASK_ID"},
		{[]string{"--shards", "2"}, []string{"JOB_COMPLETION_INDEX=2"}, "JOB_COMPLETION_INDEX"},
		{[]string{"--resume", "1", "--shard", "0/2"}, nil, "--resume takes the shard"},
	} {
		r := exp(t, dir, tt.env, append([]string{"run", "s.yaml", "--dry-run"}, tt.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("exp run %v (env %v): exit %d, stderr %q; want 2 and %q", tt.args, tt.env, r.code, r.stderr, tt.want)
		}
	}
}
