package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/exp-tool/exp/experiment"
)

// ExportRow is one stored trial with its cell and run, as exp export
// writes it: one row per trial.
type ExportRow struct {
	RunID    int64  // the run's database id (runs.id)
	RunUUID  string // the run's UUIDv7
	RunName  string // the experiment's name
	Hostname string // host that started the run
	Kernel   string // the run's kernel: primes, primes-fast, synthetic or command
	Scaling  string // strong or weak ("strong" in a file from before 0002_scaling)
	// Cell is the trial's cell: Index is cells.idx, Range the range it
	// tests (under weak scaling, count x workers).
	Cell experiment.Cell
	// Trial is the trial, its Workers in worker order (none if the file
	// holds no worker rows for it). Mismatch is empty where the column is
	// NULL; TimedOut is false, and OtherCPUNS and QuietWaitNS unset, in a
	// file from before 0005_limits. ConcludeStatus is set (HasConclude)
	// where the trial ran a conclude hook (trials.conclude_status).
	Trial experiment.Trial
	// Input is the cell's input file under kernel command, as written; ""
	// for other kernels and for commands without inputs.
	Input string
	// ExitStatus and MaxRSSKB are a command trial's exit status and peak
	// RSS in KiB, with Has flags unset for in-process kernels.
	ExitStatus, MaxRSSKB     int64
	HasExitStatus, HasMaxRSS bool
}

// exportTrials reads the trials, ordered by id, with their cell and run.
// ?1 is a run id, or 0 for every run; the "?1 = 0 OR" keeps SQLite from
// using the (run_id, seq) index, so that it walks the table in id order
// with no sort, streaming however many rows there are.
const exportTrials = `
	SELECT r.id, r.uuid, r.name, r.hostname, r.kernel, r.scaling,
		c.idx, c.range_idx, c.range_start, c.range_count, c.schedule, c.workers,
		t.id, t.seq, t.rep, t.warmup, t.started_at, t.wall_ns, t.user_ns, t.sys_ns, t.load1,
		t.primes, t.checksum, t.ok, coalesce(t.mismatch, ''), t.timed_out, t.other_cpu_ns, t.quiet_wait_ns,
		c.input, t.exit_status, t.max_rss_kb, t.invocation, t.conclude_status
	FROM trials t JOIN cells c ON c.id = t.cell_id JOIN runs r ON r.id = t.run_id
	WHERE ?1 = 0 OR t.run_id = ?1
	ORDER BY t.id`

// exportWorkers reads the worker rows of the same trials in the same
// order, walking trial_workers' primary key.
const exportWorkers = `
	SELECT w.trial_id, w.worker, w.busy_ns, w.items, w.primes
	FROM trial_workers w JOIN trials t ON t.id = w.trial_id
	WHERE ?1 = 0 OR t.run_id = ?1
	ORDER BY w.trial_id, w.worker`

// exportMaxWorkers is the largest worker count among the cells that hold
// a trial.
const exportMaxWorkers = `
	SELECT coalesce(max(c.workers), 0) FROM cells c
	WHERE (?1 = 0 OR c.run_id = ?1) AND EXISTS (SELECT 1 FROM trials t WHERE t.cell_id = c.id)`

// ExportTrials streams the trials of the run with id runID (0: of every
// run), ordered by their database id, to fn, each with its cell, its run
// and its worker rows. Its memory does not grow with the number of
// trials: it walks two queries in step, the trials and their worker rows,
// both in trial id order. The row passed to fn, and its Workers, are
// reused: fn must not keep them past its return.
//
// Everything is read in one read transaction, so that it is one snapshot
// of a file that other exps may be writing; header, if not nil, is called
// first, with the largest worker count among the cells of that snapshot
// that hold a trial (0 if none), so that a CSV header can name a column for
// every worker. An error from header or fn stops the export and is
// returned as it is. A trial whose worker rows do not run 0, 1, 2, ... is
// ErrCorrupt; so is a time that is not RFC 3339.
func (db *DB) ExportTrials(ctx context.Context, runID int64, header func(maxWorkers int) error, fn func(*ExportRow) error) error {
	what := "export trials"
	if runID != 0 {
		what = fmt.Sprintf("export trials of run %d", runID)
	}
	tx, err := db.sql.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return db.fail(what, err)
	}
	defer tx.Rollback()
	if header != nil {
		var maxWorkers int
		if err := tx.QueryRowContext(ctx, exportMaxWorkers, runID).Scan(&maxWorkers); err != nil {
			return db.fail(what, err)
		}
		if err := header(maxWorkers); err != nil {
			return err
		}
	}
	query := db.invocationColumn(db.commandColumns(db.limitColumns(exportTrials)))
	if !db.hasColumnsOf(hooksVersion) {
		// A file from before 0009_hooks: no trial ran a conclude hook.
		query = strings.Replace(query, "t.conclude_status", "NULL", 1)
	}
	if !db.hasColumnsOf(scalingVersion) {
		// A file from before 0002_scaling, read as it is: every run was strong scaling.
		query = strings.Replace(query, "r.scaling", "'strong'", 1)
	}
	rows, err := tx.QueryContext(ctx, query, runID)
	if err != nil {
		return db.fail(what, err)
	}
	defer rows.Close()
	workers, err := tx.QueryContext(ctx, exportWorkers, runID)
	if err != nil {
		return db.fail(what, err)
	}
	defer workers.Close()
	w := workerCursor{rows: workers}
	if err := w.next(); err != nil {
		return db.fail(what, err)
	}
	var row ExportRow
	for rows.Next() {
		id, err := scanExportRow(rows, &row)
		if err != nil {
			return db.fail(what, err)
		}
		if row.Trial.Workers, err = w.collect(id, row.Trial.Workers[:0]); err != nil {
			return db.fail(what, err)
		}
		if err := fn(&row); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return db.fail(what, err)
	}
	return nil
}

// scalingVersion is the migration that added runs.scaling (0002_scaling).
const scalingVersion = 2

// scanExportRow reads the current row of exportTrials into row, and
// returns the trial's id.
func scanExportRow(rows *sql.Rows, row *ExportRow) (int64, error) {
	var id, start, count, hits int64
	var schedule, started string
	var load sql.NullFloat64
	var other, wait, exit, rss, conclude sql.NullInt64
	var input sql.NullString
	c, t := &row.Cell, &row.Trial
	err := rows.Scan(&row.RunID, &row.RunUUID, &row.RunName, &row.Hostname, &row.Kernel, &row.Scaling,
		&c.Index, &c.RangeIndex, &start, &count, &schedule, &c.Workers,
		&id, &t.Seq, &t.Rep, &t.Warmup, &started, &t.WallNS, &t.UserNS, &t.SysNS, &load,
		&hits, &t.Checksum, &t.OK, &t.Mismatch, &t.TimedOut, &other, &wait, &input, &exit, &rss, &t.Invocation, &conclude)
	if err != nil {
		return 0, err
	}
	row.Input = input.String
	row.ExitStatus, row.HasExitStatus = exit.Int64, exit.Valid
	row.MaxRSSKB, row.HasMaxRSS = rss.Int64, rss.Valid
	c.Range = experiment.Range{Start: uint64(start), Count: uint64(count)}
	c.Schedule = experiment.Schedule(schedule)
	t.Cell = c.Index
	if t.StartedAt, err = parseTime("started_at", started); err != nil {
		return 0, fmt.Errorf("trial %d: %w", id, err)
	}
	t.Hits = uint64(hits)
	t.Load1, t.HasLoad = load.Float64, load.Valid
	t.OtherCPUNS, t.HasOtherCPU = other.Int64, other.Valid
	t.QuietWaitNS, t.HasQuietWait = wait.Int64, wait.Valid
	t.ConcludeStatus, t.HasConclude = int(conclude.Int64), conclude.Valid
	return id, nil
}

// workerCursor walks exportWorkers one row ahead of its reader.
type workerCursor struct {
	rows *sql.Rows
	ok   bool // whether the fields below hold a row not yet collected
	id   int64
	w    int
	stat experiment.WorkerStat
}

// next reads the following worker row, if any.
func (c *workerCursor) next() error {
	if c.ok = c.rows.Next(); !c.ok {
		return c.rows.Err()
	}
	var items, hits int64
	if err := c.rows.Scan(&c.id, &c.w, &c.stat.BusyNS, &items, &hits); err != nil {
		return err
	}
	c.stat.Items, c.stat.Hits = uint64(items), uint64(hits)
	return nil
}

// collect appends to out the worker rows of trial id, passing over any of
// earlier trials (rows of a trial the other query did not return, such as
// one whose cell is missing).
func (c *workerCursor) collect(id int64, out []experiment.WorkerStat) ([]experiment.WorkerStat, error) {
	for c.ok && c.id < id {
		if err := c.next(); err != nil {
			return out, err
		}
	}
	for c.ok && c.id == id {
		if c.w != len(out) {
			return out, fmt.Errorf("%w: trial %d has worker %d where worker %d should be", ErrCorrupt, id, c.w, len(out))
		}
		out = append(out, c.stat)
		if err := c.next(); err != nil {
			return out, err
		}
	}
	return out, nil
}
