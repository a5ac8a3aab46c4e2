package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/exp-tool/exp/experiment"
)

// AddTrial commits one finished trial and its per-worker rows, and counts
// it for this process's invocation, in one transaction: a process killed
// during it leaves nothing of the trial. The commit goes on even when ctx
// is cancelled, so that a finished trial is kept. When another process
// holds the write lock for longer than BusyTimeout, the trial stays in
// memory and the commit is retried after each of r.Retries, telling
// r.OnBusy; ctx cuts those waits short. If the lock is never free, the
// error wraps ErrLocked and experiment.ErrStopped (or, when ctx ended the
// wait, experiment.ErrInterrupted). It returns ErrSuperseded, storing
// nothing, if another exp has resumed the run since.
func (r *Recorder) AddTrial(ctx context.Context, t experiment.Trial) error {
	if t.Cell < 0 || t.Cell >= len(r.cellIDs) {
		return fmt.Errorf("trial %d: cell %d not in run", t.Seq, t.Cell)
	}
	err := retryBusy(ctx, fmt.Sprintf("trial %d", t.Seq), r.retries(), r.OnBusy, func() error {
		return r.addTrial(context.WithoutCancel(ctx), t)
	})
	if err != nil {
		return fmt.Errorf("%s: %w", r.db.path, classify(err))
	}
	return nil
}

// trialStmts are the statements of AddTrial, prepared once per Recorder
// (parsing them was about 40% of a commit's CPU time): the invocation's
// count, the trial, and the trial's per-worker rows, one statement per
// worker count.
type trialStmts struct {
	count, trial *sql.Stmt
	workers      map[int]*sql.Stmt // by number of workers: one INSERT of that many rows
}

// prepare returns *stmt, preparing query into it the first time.
func (r *Recorder) prepare(ctx context.Context, stmt **sql.Stmt, query string) (*sql.Stmt, error) {
	if *stmt == nil {
		var err error
		if *stmt, err = r.db.sql.PrepareContext(ctx, query); err != nil {
			return nil, err
		}
	}
	return *stmt, nil
}

// workersStmt returns the statement that inserts n per-worker rows, at
// most maxWorkerRows, preparing it the first time. Like every prepare, it
// must run outside a transaction: the handle has one connection.
func (r *Recorder) workersStmt(ctx context.Context, n int) (*sql.Stmt, error) {
	if r.stmts.workers == nil {
		r.stmts.workers = map[int]*sql.Stmt{}
	}
	if st := r.stmts.workers[n]; st != nil {
		return st, nil
	}
	st, err := r.db.sql.PrepareContext(ctx, `INSERT INTO trial_workers (trial_id, worker, busy_ns, items, primes) VALUES `+
		strings.Repeat("(?, ?, ?, ?, ?), ", n-1)+`(?, ?, ?, ?, ?)`)
	if err != nil {
		return nil, err
	}
	r.stmts.workers[n] = st
	return st, nil
}

// maxWorkerRows is the most per-worker rows one INSERT takes, well within
// SQLite's limit on parameters (32766): a trial of more workers takes
// several.
const maxWorkerRows = 200

// addTrial commits t in one transaction.
func (r *Recorder) addTrial(ctx context.Context, t experiment.Trial) error {
	count, err := r.prepare(ctx, &r.stmts.count, `
		UPDATE run_invocations SET trials = trials + 1
		WHERE id = ? AND id = (SELECT max(id) FROM run_invocations WHERE run_id = ?)`)
	if err != nil {
		return err
	}
	insert, err := r.prepare(ctx, &r.stmts.trial, `
		INSERT INTO trials (run_id, cell_id, seq, rep, warmup, started_at, wall_ns, user_ns, sys_ns, load1, primes, checksum, ok, mismatch,
			timed_out, other_cpu_ns, quiet_wait_ns, exit_status, max_rss_kb, stderr_tail, conclude_status, invocation)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	// Every statement is prepared before the transaction takes the
	// handle's one connection.
	workers := map[int]*sql.Stmt{}
	for start := 0; start < len(t.Workers); start += maxWorkerRows {
		n := min(maxWorkerRows, len(t.Workers)-start)
		if workers[n], err = r.workersStmt(ctx, n); err != nil {
			return err
		}
	}
	tx, err := r.db.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.StmtContext(ctx, count).ExecContext(ctx, r.invocation, r.RunID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("trial %d of run %d: %w", t.Seq, r.RunID, cmp.Or(err, ErrSuperseded))
	}
	var load sql.NullFloat64
	if t.HasLoad {
		load = sql.NullFloat64{Float64: t.Load1, Valid: true}
	}
	other := sql.NullInt64{Int64: t.OtherCPUNS, Valid: t.HasOtherCPU}
	wait := sql.NullInt64{Int64: t.QuietWaitNS, Valid: t.HasQuietWait}
	exit, rss, tail := processColumns(t.Process)
	res, err = tx.StmtContext(ctx, insert).ExecContext(ctx, r.RunID, r.cellIDs[t.Cell], t.Seq, t.Rep, t.Warmup, formatTime(t.StartedAt), t.WallNS, t.UserNS, t.SysNS,
		load, int64(t.Hits), t.Checksum, t.OK, nullString(t.Mismatch), t.TimedOut, other, wait, exit, rss, tail,
		sql.NullInt64{Int64: int64(t.ConcludeStatus), Valid: t.HasConclude}, t.Invocation)
	if err != nil {
		return err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return err
	}
	for start := 0; start < len(t.Workers); start += maxWorkerRows {
		rows := t.Workers[start:min(start+maxWorkerRows, len(t.Workers))]
		args := make([]any, 0, 5*len(rows))
		for w, ws := range rows {
			args = append(args, id, start+w, ws.BusyNS, int64(ws.Items), int64(ws.Hits))
		}
		if _, err := tx.StmtContext(ctx, workers[len(rows)]).ExecContext(ctx, args...); err != nil {
			return err
		}
	}
	return tx.Commit()
}
