package store

import (
	"cmp"
	"context"
	"database/sql/driver"
	"fmt"

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

// maxWorkerRows is the most per-worker rows one INSERT takes, well within
// SQLite's limit on parameters (32766): a trial of more workers takes
// several.
const maxWorkerRows = 200

// addTrial commits t in one transaction, with the statements of
// trialStmts. On any failure it rolls the transaction back; if even that
// fails, the connection is discarded, so that no later write finds a
// transaction left open.
func (r *Recorder) addTrial(ctx context.Context, t experiment.Trial) error {
	return r.db.withTrialStmts(ctx, func(st *trialStmts) error {
		if _, err := runStmt(ctx, st.begin); err != nil {
			return err
		}
		if err := r.insertTrial(ctx, st, t); err != nil {
			if _, rerr := runStmt(ctx, st.rollback); rerr != nil {
				return fmt.Errorf("%w (rollback: %w; %w)", err, rerr, driver.ErrBadConn)
			}
			return err
		}
		return nil
	})
}

// insertTrial counts t for r's invocation, inserts it with its worker rows
// and commits, inside the transaction addTrial began.
func (r *Recorder) insertTrial(ctx context.Context, st *trialStmts, t experiment.Trial) error {
	res, err := runStmt(ctx, st.count, r.invocation, r.RunID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("trial %d of run %d: %w", t.Seq, r.RunID, cmp.Or(err, ErrSuperseded))
	}
	var load, other, wait, conclude, mismatch driver.Value // NULL unless set
	if t.HasLoad {
		load = t.Load1
	}
	if t.HasOtherCPU {
		other = t.OtherCPUNS
	}
	if t.HasQuietWait {
		wait = t.QuietWaitNS
	}
	if t.HasConclude {
		conclude = int64(t.ConcludeStatus)
	}
	if t.Mismatch != "" {
		mismatch = t.Mismatch
	}
	exit, rss, tail := processValues(t.Process)
	res, err = runStmt(ctx, st.trial, r.RunID, r.cellIDs[t.Cell], int64(t.Seq), int64(t.Rep), t.Warmup, formatTime(t.StartedAt),
		t.WallNS, t.UserNS, t.SysNS, load, int64(t.Hits), t.Checksum, t.OK, mismatch, t.TimedOut, other, wait, exit, rss, tail,
		conclude, int64(t.Invocation))
	if err != nil {
		return err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return err
	}
	for start := 0; start < len(t.Workers); start += maxWorkerRows {
		rows := t.Workers[start:min(start+maxWorkerRows, len(t.Workers))]
		ins, err := st.workersStmt(ctx, len(rows))
		if err != nil {
			return err
		}
		args := make([]driver.Value, 0, 5*len(rows))
		for w, ws := range rows {
			args = append(args, id, int64(start+w), ws.BusyNS, int64(ws.Items), int64(ws.Hits))
		}
		if _, err := runStmt(ctx, ins, args...); err != nil {
			return err
		}
	}
	_, err = runStmt(ctx, st.commit)
	return err
}

// processValues are processColumns as driver values: NULL for a trial
// that ran no command.
func processValues(p *experiment.ProcessResult) (exit, rss, tail driver.Value) {
	e, m, s := processColumns(p)
	exit, _ = e.Value()
	rss, _ = m.Value()
	tail, _ = s.Value()
	return exit, rss, tail
}
