package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestShardWithInvocations: a shard of a run split over processes runs
// its own cells only, in every process: each of the shard's cells gets
// each process's warmup and its share of the repeats, and no process runs
// a cell of another shard.
func TestShardWithInvocations(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir, "s.yaml", `name: shard-processes
seed: 8
kernel: synthetic
synthetic: {mode: sleep, serial: 1ms, parallel: 6ms}
workers: [1, 2, 3, 4]
warmup: 1
repeats: 4
invocations: 2
`)
	dbs := map[string]string{}
	for _, shard := range []string{"0/2", "1/2"} {
		db := filepath.Join(dir, "shard-"+shard[:1]+".db")
		dbs[shard] = db
		if r := exp(t, dir, nil, "run", "-q", "s.yaml", "--shard", shard, "--db", db); r.code != 0 {
			t.Fatalf("exp run --shard %s: exit %d\n%s", shard, r.code, r.stderr)
		}
	}
	cells := 0
	for shard, path := range dbs {
		db := openDB(t, path)
		n := queryInt(t, db, `SELECT count(*) FROM cells`)
		cells += n
		// 2 processes x 1 warmup + 4 repeats, from 2 processes, in every cell.
		if bad := queryInt(t, db, `SELECT count(*) FROM (SELECT c.id FROM cells c LEFT JOIN trials t ON t.cell_id = c.id
			GROUP BY c.id HAVING count(t.id) != 6 OR sum(t.warmup) != 2 OR count(DISTINCT t.invocation) != 2)`); n == 0 || bad != 0 {
			t.Errorf("shard %s: %d cells, %d of them without 2 warmups and 4 repeats from 2 processes", shard, n, bad)
		}
		if n := queryInt(t, db, `SELECT count(*) FROM runs WHERE status = 'done' AND shard_count = 2 AND process_invocations = 2`); n != 1 {
			t.Errorf("shard %s: no done run of 2 shards and 2 processes", shard)
		}
	}
	if cells != 4 {
		t.Errorf("the shards hold %d cells, want the matrix's 4", cells)
	}
}

// TestShardDryRun: exp run FILE --shard I/N --dry-run (README: Running on
// a cluster) lists the shard's cells with their places in the whole
// matrix, every cell in exactly one shard, and its matrix line counts the
// whole matrix's cells, then the shard's.
func TestShardDryRun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir, "s.yaml", `name: shard-dry-run
seed: 8
kernel: synthetic
synthetic: {mode: sleep, serial: 1ms, parallel: 6ms}
workers: [1, 2, 3, 4, 5, 6]
repeats: 2
warmup: 1
`)
	seen := map[string]int{}
	for _, shard := range []string{"0/3", "1/3", "2/3"} {
		r := exp(t, dir, nil, "run", "s.yaml", "--shard", shard, "--dry-run")
		if r.code != 0 {
			t.Fatalf("--shard %s --dry-run: exit %d\n%s", shard, r.code, r.stderr)
		}
		lines := strings.Split(r.stdout, "\n")
		in, cells := false, 0
		for _, line := range lines {
			f := strings.Fields(line)
			switch {
			case len(f) > 1 && f[0] == "CELL" && f[1] == "MATRIX":
				in = true
			case in && len(f) == 0:
				in = false
			case in:
				seen[f[1]]++
				cells++
			}
		}
		want := fmt.Sprintf("= 6 cells, %d in shard %s;", cells, shard)
		if cells == 0 || !strings.Contains(r.stdout, want) {
			t.Errorf("--shard %s --dry-run: %d cells listed, no matrix line with %q\n%s", shard, cells, want, r.stdout)
		}
	}
	if len(seen) != 6 {
		t.Errorf("the shards list matrix cells %v, want each of 0 to 5 once", seen)
	}
	for cell, n := range seen {
		if n != 1 {
			t.Errorf("matrix cell %s is in %d shards, want 1", cell, n)
		}
	}
}
