package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/exp-tool/exp/experiment"
)

// HeartbeatInterval is how often the exp executing a run writes
// runs.heartbeat_at (Recorder.StartHeartbeat). A run still marked running
// whose heartbeat is older than HeartbeatMisses intervals is read as
// experiment.StatusAbandoned, and may be resumed. Every exp using a file
// should use the same interval (exp reads it from $EXP_HEARTBEAT).
var HeartbeatInterval = 2 * time.Second

// HeartbeatMisses is how many heartbeats a running run may miss before it
// is read as abandoned.
const HeartbeatMisses = 3

// abandoned reports whether run r, as stored, is marked running but its exp
// has not written a heartbeat (or, without one, started) for more than
// HeartbeatMisses x HeartbeatInterval before now.
func abandoned(r experiment.Run, now time.Time) bool {
	if r.Status != experiment.StatusRunning {
		return false
	}
	last := r.HeartbeatAt
	if last.IsZero() {
		last = r.StartedAt
	}
	return now.Sub(last) > HeartbeatMisses*HeartbeatInterval
}

// insertInvocation records that this process, on hostname, took run runID
// at now, and returns the invocation's id.
func insertInvocation(ctx context.Context, tx *sql.Tx, runID int64, kind experiment.InvocationKind, now time.Time, hostname string) (int64, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO run_invocations (run_id, kind, started_at, hostname) VALUES (?, ?, ?, ?)`,
		runID, string(kind), formatTime(now), hostname)
	if err != nil {
		return 0, fmt.Errorf("record invocation: %w", err)
	}
	return res.LastInsertId()
}

// ResumeRun takes over the run with id runID for this process, running on
// hostname: in one write transaction it checks that the run can be resumed,
// marks it running again (no finish time or message), writes its heartbeat
// and records a resume invocation. It returns a Recorder for the trials
// still missing; from then on, an exp that was still executing the run can
// add no trial to it (ErrSuperseded). It returns ErrRunNotFound for no such
// run, ErrNothingToResume for a run that is done or that failed with every
// planned trial stored, and ErrRunActive for a run whose heartbeat is
// recent (see HeartbeatInterval). Checking that the run's config, seed and
// host suit the resume is the caller's business.
func (db *DB) ResumeRun(ctx context.Context, runID int64, hostname string) (*Recorder, error) {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("resume run %d: %w", runID, err)
	}
	defer tx.Rollback()
	var r experiment.Run
	var status, started, heartbeat, msg string
	var stored, planned int
	err = tx.QueryRowContext(ctx, `
		SELECT status, started_at, coalesce(heartbeat_at, ''), coalesce(error, ''),
			(SELECT count(*) FROM trials t WHERE t.run_id = r.id),
			(SELECT count(*) FROM cells c WHERE c.run_id = r.id) * (r.repeats + r.process_invocations * r.warmup)
		FROM runs r WHERE r.id = ?`, runID).Scan(&status, &started, &heartbeat, &msg, &stored, &planned)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: no run has id %d (see exp runs)", ErrRunNotFound, runID)
	}
	if err != nil {
		return nil, fmt.Errorf("resume run %d: %w", runID, err)
	}
	r.Status = experiment.Status(status)
	if r.StartedAt, err = parseTime("started_at", started); err != nil {
		return nil, fmt.Errorf("run %d started_at: %w", runID, err)
	}
	if heartbeat != "" {
		if r.HeartbeatAt, err = parseTime("heartbeat_at", heartbeat); err != nil {
			return nil, fmt.Errorf("run %d heartbeat_at: %w", runID, err)
		}
	}
	now := db.Now()
	switch {
	case r.Status == experiment.StatusDone:
		return nil, fmt.Errorf("run %d is done, with all %d trials stored: %w", runID, stored, ErrNothingToResume)
	case r.Status == experiment.StatusFailed && stored >= planned:
		return nil, fmt.Errorf("run %d failed with all %d trials stored (%s): %w", runID, stored, msg, ErrNothingToResume)
	case r.Status == experiment.StatusRunning && !abandoned(r, now):
		last := r.HeartbeatAt
		if last.IsZero() {
			last = r.StartedAt
		}
		return nil, fmt.Errorf("run %d: %w: its heartbeat is %s old (stop that exp, or wait until `exp runs` shows the run abandoned, %s without a heartbeat)",
			runID, ErrRunActive, now.Sub(last).Round(time.Millisecond), HeartbeatMisses*HeartbeatInterval)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE runs SET status = ?, finished_at = NULL, error = NULL, heartbeat_at = ? WHERE id = ?`,
		string(experiment.StatusRunning), formatTime(now), runID); err != nil {
		return nil, fmt.Errorf("resume run %d: %w", runID, err)
	}
	rec := &Recorder{db: db, RunID: runID}
	if rec.invocation, err = insertInvocation(ctx, tx, runID, experiment.InvocationResume, now, hostname); err != nil {
		return nil, fmt.Errorf("resume run %d: %w", runID, err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT id FROM cells WHERE run_id = ? ORDER BY idx`, runID)
	if err != nil {
		return nil, fmt.Errorf("resume run %d: %w", runID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("resume run %d: %w", runID, err)
		}
		rec.cellIDs = append(rec.cellIDs, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("resume run %d: %w", runID, err)
	}
	rows.Close()
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("resume run %d: %w", runID, err)
	}
	return rec, nil
}

// Heartbeat writes the run's heartbeat: this process is alive and
// executing it. It returns ErrSuperseded, writing nothing, if another exp
// has resumed the run since.
func (r *Recorder) Heartbeat(ctx context.Context) error {
	res, err := r.db.sql.ExecContext(ctx, `
		UPDATE runs SET heartbeat_at = ?
		WHERE id = ? AND ? = (SELECT max(id) FROM run_invocations WHERE run_id = ?)`,
		formatTime(r.db.Now()), r.RunID, r.invocation, r.RunID)
	if err != nil {
		return fmt.Errorf("heartbeat of run %d: %w", r.RunID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("heartbeat of run %d: %w", r.RunID, cmp.Or(err, ErrSuperseded))
	}
	return nil
}

// StartHeartbeat writes the run's heartbeat every interval from a goroutine
// of its own, until stop is called; stop waits for that goroutine, so that
// no heartbeat follows. Call stop before Finish. A heartbeat that cannot be
// written (the file is locked for longer than BusyTimeout) is skipped and
// the next one tried; if the run is read as abandoned meanwhile and
// resumed, the Recorder's writes fail with ErrSuperseded rather than mix
// two processes' trials.
func (r *Recorder) StartHeartbeat(interval time.Duration) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				_ = r.Heartbeat(ctx) // skipped on error: see above
			}
		}
	})
	return func() {
		cancel()
		wg.Wait()
	}
}

// Invocations returns the exp processes that executed the run with id
// runID, oldest first. A write-protected file from before 0004_invocations
// holds none.
func (db *DB) Invocations(ctx context.Context, runID int64) ([]experiment.Invocation, error) {
	if !db.hasColumnsOf(4) {
		return nil, nil
	}
	rows, err := db.sql.QueryContext(ctx, `
		SELECT kind, started_at, coalesce(finished_at, ''), hostname, trials
		FROM run_invocations WHERE run_id = ? ORDER BY id`, runID)
	if err != nil {
		return nil, fmt.Errorf("invocations of run %d: %w", runID, err)
	}
	defer rows.Close()
	var out []experiment.Invocation
	for rows.Next() {
		var inv experiment.Invocation
		var kind, started, finished string
		if err := rows.Scan(&kind, &started, &finished, &inv.Hostname, &inv.Trials); err != nil {
			return nil, fmt.Errorf("invocations of run %d: %w", runID, err)
		}
		inv.Kind = experiment.InvocationKind(kind)
		if inv.StartedAt, err = parseTime("started_at", started); err != nil {
			return nil, fmt.Errorf("invocation of run %d started_at: %w", runID, err)
		}
		if finished != "" {
			if inv.FinishedAt, err = parseTime("finished_at", finished); err != nil {
				return nil, fmt.Errorf("invocation of run %d finished_at: %w", runID, err)
			}
		}
		out = append(out, inv)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("invocations of run %d: %w", runID, err)
	}
	return out, nil
}
