package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/exp-tool/exp/experiment"
)

// StoredCell is a cell as stored: the plan cell and the oracle answer for its tested range.
type StoredCell struct {
	experiment.Cell
	Expected *experiment.Digest // oracle answer for the range the cell tests; nil if the kernel has none
	// InputFile is kernel command's input as read before the run (Cell.Input
	// with its size and SHA-256); nil without one.
	InputFile *experiment.InputFile
}

// RunCounts is how much of a run the file holds.
type RunCounts struct {
	Cells    int // cells of the run's matrix (range x schedule x workers)
	Measured int // measured trials stored (warmup = 0)
	Warmup   int // warmup trials stored (warmup = 1)
	Failed   int // trials with a wrong answer (ok = 0 and not timed out), warmups included
	TimedOut int // trials cancelled at the experiment's timeout (timed_out = 1), warmups included
}

// Counts returns the cells and stored trials of the run with id runID. It
// returns ErrRunNotFound if the file has no such run.
func (db *DB) Counts(ctx context.Context, runID int64) (RunCounts, error) {
	var c RunCounts
	err := db.sql.QueryRowContext(ctx, db.limitColumns(`
		SELECT (SELECT count(*) FROM cells c WHERE c.run_id = r.id),
			(SELECT count(*) FROM trials t WHERE t.run_id = r.id AND t.warmup = 0),
			(SELECT count(*) FROM trials t WHERE t.run_id = r.id AND t.warmup = 1),
			(SELECT count(*) FROM trials t WHERE t.run_id = r.id AND t.ok = 0 AND t.timed_out = 0),
			(SELECT count(*) FROM trials t WHERE t.run_id = r.id AND t.timed_out = 1)
		FROM runs r WHERE r.id = ?`), runID).Scan(&c.Cells, &c.Measured, &c.Warmup, &c.Failed, &c.TimedOut)
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("counts of run %d: %w: no run has id %d", runID, ErrRunNotFound, runID)
	}
	if err != nil {
		return c, db.fail(fmt.Sprintf("counts of run %d", runID), err)
	}
	return c, nil
}

// Cells returns the cells of a run in plan order.
func (db *DB) Cells(ctx context.Context, runID int64) ([]StoredCell, error) {
	rows, err := db.sql.QueryContext(ctx, db.commandColumns(`
		SELECT idx, range_idx, range_start, range_count, schedule, workers, expected_primes, expected_checksum,
			c.input, c.input_size_bytes, c.input_sha256
		FROM cells c WHERE run_id = ? ORDER BY idx`), runID)
	if err != nil {
		return nil, db.fail(fmt.Sprintf("cells of run %d", runID), err)
	}
	defer rows.Close()
	var out []StoredCell
	for rows.Next() {
		var c StoredCell
		var start, count int64
		var schedule string
		var primes sql.NullInt64
		var sum, input, inputSum sql.NullString
		var size sql.NullInt64
		if err := rows.Scan(&c.Index, &c.RangeIndex, &start, &count, &schedule, &c.Workers, &primes, &sum,
			&input, &size, &inputSum); err != nil {
			return nil, db.fail(fmt.Sprintf("cells of run %d", runID), err)
		}
		if input.Valid {
			c.Input = input.String
			c.InputFile = &experiment.InputFile{Path: input.String, Size: size.Int64, SHA256: inputSum.String}
		}
		c.Range = experiment.Range{Start: uint64(start), Count: uint64(count)}
		c.Schedule = experiment.Schedule(schedule)
		if primes.Valid {
			c.Expected = &experiment.Digest{Hits: uint64(primes.Int64), Checksum: sum.String}
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Trials returns the trials of a run in run order (Seq), warmups included,
// each with its per-worker rows. Trial.Cell is the cell's plan index.
func (db *DB) Trials(ctx context.Context, runID int64) ([]experiment.Trial, error) {
	rows, err := db.sql.QueryContext(ctx, db.invocationColumn(db.commandColumns(db.limitColumns(`
		SELECT t.id, c.idx, t.seq, t.rep, t.warmup, t.started_at, t.wall_ns, t.user_ns, t.sys_ns, t.load1,
			t.primes, t.checksum, t.ok, coalesce(t.mismatch, ''), t.timed_out, t.other_cpu_ns, t.quiet_wait_ns,
			t.exit_status, t.max_rss_kb, t.stderr_tail, t.invocation
		FROM trials t JOIN cells c ON c.id = t.cell_id
		WHERE t.run_id = ? ORDER BY t.seq`))), runID)
	if err != nil {
		return nil, db.fail(fmt.Sprintf("trials of run %d", runID), err)
	}
	defer rows.Close()
	var out []experiment.Trial
	index := map[int64]int{}
	for rows.Next() {
		var t experiment.Trial
		var id, hits int64
		var started string
		var load sql.NullFloat64
		var other, wait, exit, rss sql.NullInt64
		var tail sql.NullString
		if err := rows.Scan(&id, &t.Cell, &t.Seq, &t.Rep, &t.Warmup, &started, &t.WallNS, &t.UserNS, &t.SysNS, &load,
			&hits, &t.Checksum, &t.OK, &t.Mismatch, &t.TimedOut, &other, &wait, &exit, &rss, &tail, &t.Invocation); err != nil {
			return nil, db.fail(fmt.Sprintf("trials of run %d", runID), err)
		}
		if exit.Valid {
			t.Process = &experiment.ProcessResult{WallNS: t.WallNS, UserNS: t.UserNS, SysNS: t.SysNS, MaxRSSKB: rss.Int64,
				ExitStatus: int(exit.Int64), TimedOut: t.TimedOut, StdoutSHA: t.Checksum, StdoutLines: uint64(hits), StderrTail: tail.String}
		}
		if t.StartedAt, err = parseTime("started_at", started); err != nil {
			return nil, db.fail(fmt.Sprintf("trial %d", id), err)
		}
		t.Hits = uint64(hits)
		t.Load1, t.HasLoad = load.Float64, load.Valid
		t.OtherCPUNS, t.HasOtherCPU = other.Int64, other.Valid
		t.QuietWaitNS, t.HasQuietWait = wait.Int64, wait.Valid
		index[id] = len(out)
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, db.fail(fmt.Sprintf("trials of run %d", runID), err)
	}
	rows.Close()
	wrows, err := db.sql.QueryContext(ctx, `
		SELECT w.trial_id, w.worker, w.busy_ns, w.items, w.primes
		FROM trial_workers w JOIN trials t ON t.id = w.trial_id
		WHERE t.run_id = ? ORDER BY w.trial_id, w.worker`, runID)
	if err != nil {
		return nil, db.fail(fmt.Sprintf("workers of run %d", runID), err)
	}
	defer wrows.Close()
	for wrows.Next() {
		var id int64
		var w int
		var ws experiment.WorkerStat
		var items, hits int64
		if err := wrows.Scan(&id, &w, &ws.BusyNS, &items, &hits); err != nil {
			return nil, db.fail(fmt.Sprintf("workers of run %d", runID), err)
		}
		ws.Items, ws.Hits = uint64(items), uint64(hits)
		if i, ok := index[id]; ok {
			out[i].Workers = append(out[i].Workers, ws)
		}
	}
	return out, wrows.Err()
}

// limitsVersion is the migration that added the trials' timed_out,
// other_cpu_ns and quiet_wait_ns (0005_limits).
const limitsVersion = 5

// limitColumns adapts query, which reads the columns of 0005_limits as
// t.timed_out, t.other_cpu_ns and t.quiet_wait_ns, to a write-protected
// file from before it, read as it is: no trial timed out, and none
// recorded other processes' CPU or a wait.
func (db *DB) limitColumns(query string) string {
	if db.hasColumnsOf(limitsVersion) {
		return query
	}
	return strings.NewReplacer("t.timed_out", "0", "t.other_cpu_ns", "NULL", "t.quiet_wait_ns", "NULL").Replace(query)
}

// commandColumns adapts query, which reads the columns of 0007_command as
// c.input, c.input_size_bytes, c.input_sha256, t.exit_status,
// t.max_rss_kb and t.stderr_tail, to a write-protected file from before
// it, read as it is: every cell and trial was of an in-process kernel.
func (db *DB) commandColumns(query string) string {
	if db.hasColumnsOf(commandVersion) {
		return query
	}
	return strings.NewReplacer("c.input_size_bytes", "NULL", "c.input_sha256", "NULL", "c.input", "NULL",
		"t.exit_status", "NULL", "t.max_rss_kb", "NULL", "t.stderr_tail", "NULL").Replace(query)
}

// invocationColumn adapts query, which reads t.invocation
// (0010_process_invocations), to a write-protected file from before it,
// read as it is: every trial ran in the run's one process, 0.
func (db *DB) invocationColumn(query string) string {
	if db.hasColumnsOf(processInvocationsVersion) {
		return query
	}
	return strings.ReplaceAll(query, "t.invocation", "0")
}
