package main

import (
	"path/filepath"
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
