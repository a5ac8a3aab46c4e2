package store

import (
	"context"
	"fmt"

	"github.com/exp-tool/exp/experiment"
)

// EachTrial calls fn with each trial of the run with id runID in run order
// (Seq), warmups included, one row at a time: a run of a million trials
// is never held in memory. It reads only what an analysis of the run
// needs (package report's Builder): Cell, Seq, Warmup, Invocation, WallNS,
// UserNS, SysNS, Hits, OK, TimedOut, OtherCPUNS and HasOtherCPU, and for a trial of
// kernel command a Process holding only its ExitStatus. The rest (Rep,
// StartedAt, Load1, Checksum, Mismatch, QuietWaitNS, Workers and the other
// fields of Process) is left zero; Trials reads everything. fn gets the
// same *experiment.Trial each time, overwritten for every row (its Process
// too), so it must copy what it keeps. An error from fn stops the reading
// and is returned as it is.
func (db *DB) EachTrial(ctx context.Context, runID int64, fn func(*experiment.Trial) error) error {
	cells, err := db.cellIndexes(ctx, runID)
	if err != nil {
		return err
	}
	// Each column costs the driver two lock round trips per row, so the
	// flags and the nullable columns travel packed: bit 0 warmup, bit 1 ok,
	// bit 2 timed_out, bit 3 exit_status is set, then exit_status (0-255)
	// << 4, then invocation << 12; other_cpu_ns is -1 for NULL (the column
	// is >= 0).
	rows, err := db.sql.QueryContext(ctx, db.invocationColumn(db.commandColumns(db.limitColumns(`
		SELECT t.cell_id, t.seq, t.wall_ns, t.user_ns, t.sys_ns, t.primes,
			t.warmup + 2 * t.ok + 4 * t.timed_out + 8 * (t.exit_status IS NOT NULL) + 16 * coalesce(t.exit_status, 0) + 4096 * t.invocation,
			coalesce(t.other_cpu_ns, -1)
		FROM trials t WHERE t.run_id = ? ORDER BY t.seq`))), runID)
	if err != nil {
		return db.fail(fmt.Sprintf("trials of run %d", runID), err)
	}
	defer rows.Close()
	var (
		t                               experiment.Trial
		proc                            experiment.ProcessResult
		cellID, seq, hits, flags, other int64
	)
	for rows.Next() {
		t = experiment.Trial{}
		if err := rows.Scan(&cellID, &seq, &t.WallNS, &t.UserNS, &t.SysNS, &hits, &flags, &other); err != nil {
			return db.fail(fmt.Sprintf("trials of run %d", runID), err)
		}
		idx, ok := cells[cellID]
		if !ok {
			return db.fail(fmt.Sprintf("trial %d of run %d", seq, runID), fmt.Errorf("%w: cell %d is not a cell of the run", ErrCorrupt, cellID))
		}
		t.Cell, t.Seq, t.Hits = idx, int(seq), uint64(hits)
		t.Warmup, t.OK, t.TimedOut = flags&1 != 0, flags&2 != 0, flags&4 != 0
		if flags&8 != 0 {
			proc = experiment.ProcessResult{ExitStatus: int(flags>>4) & 0xff}
			t.Process = &proc
		}
		t.Invocation = int(flags >> 12)
		t.OtherCPUNS, t.HasOtherCPU = max(other, 0), other >= 0
		if err := fn(&t); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return db.fail(fmt.Sprintf("trials of run %d", runID), err)
	}
	return nil
}

// cellIndexes maps the ids of run runID's cells to their plan indexes.
func (db *DB) cellIndexes(ctx context.Context, runID int64) (map[int64]int, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT id, idx FROM cells WHERE run_id = ?`, runID)
	if err != nil {
		return nil, db.fail(fmt.Sprintf("cells of run %d", runID), err)
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var id int64
		var idx int
		if err := rows.Scan(&id, &idx); err != nil {
			return nil, db.fail(fmt.Sprintf("cells of run %d", runID), err)
		}
		out[id] = idx
	}
	if err := rows.Err(); err != nil {
		return nil, db.fail(fmt.Sprintf("cells of run %d", runID), err)
	}
	return out, nil
}
