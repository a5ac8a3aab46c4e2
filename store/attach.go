package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/exp-tool/exp/experiment"
)

// ErrNotAttachable is returned by AttachRun for a run that no exp is
// executing (its status is not running).
var ErrNotAttachable = errors.New("the run is not running")

// AttachRun returns a Recorder that adds trials to the run with id runID
// on behalf of the exp command executing it, from a child process of that
// command: one of the run's process invocations
// (experiment.Config.Invocations). It claims nothing: the trials count in
// the command's row of run_invocations (the newest), the command keeps the
// heartbeat and records how the run ended, and the child calls neither
// StartHeartbeat nor Finish. If another exp resumes the run meanwhile, the
// Recorder's AddTrial returns ErrSuperseded, as the command's would. It
// returns ErrRunNotFound for no such run and ErrNotAttachable for a run
// not stored as running.
func (db *DB) AttachRun(ctx context.Context, runID int64) (*Recorder, error) {
	var status string
	var inv sql.NullInt64
	err := db.sql.QueryRowContext(ctx, `
		SELECT r.status, (SELECT max(id) FROM run_invocations i WHERE i.run_id = r.id)
		FROM runs r WHERE r.id = ?`, runID).Scan(&status, &inv)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: no run has id %d (see exp runs)", ErrRunNotFound, runID)
	}
	if err != nil {
		return nil, db.fail(fmt.Sprintf("attach to run %d", runID), err)
	}
	if experiment.Status(status) != experiment.StatusRunning || !inv.Valid {
		return nil, fmt.Errorf("attach to run %d: %w (it is %s)", runID, ErrNotAttachable, status)
	}
	rec := &Recorder{db: db, RunID: runID, invocation: inv.Int64}
	rows, err := db.sql.QueryContext(ctx, `SELECT id FROM cells WHERE run_id = ? ORDER BY idx`, runID)
	if err != nil {
		return nil, db.fail(fmt.Sprintf("attach to run %d", runID), err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, db.fail(fmt.Sprintf("attach to run %d", runID), err)
		}
		rec.cellIDs = append(rec.cellIDs, id)
	}
	if err := rows.Err(); err != nil {
		return nil, db.fail(fmt.Sprintf("attach to run %d", runID), err)
	}
	return rec, nil
}

// InvocationLabels returns the distinct trials.invocation values stored
// for the run with id runID, ascending: the processes that measured its
// trials (experiment.Plan.ProcessLabel).
func (db *DB) InvocationLabels(ctx context.Context, runID int64) ([]int, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT DISTINCT invocation FROM trials WHERE run_id = ? ORDER BY invocation`, runID)
	if err != nil {
		return nil, db.fail(fmt.Sprintf("read the invocations of run %d", runID), err)
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var l int
		if err := rows.Scan(&l); err != nil {
			return nil, db.fail(fmt.Sprintf("read the invocations of run %d", runID), err)
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, db.fail(fmt.Sprintf("read the invocations of run %d", runID), err)
	}
	return out, nil
}
