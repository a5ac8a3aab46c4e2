package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/exp-tool/exp/experiment"
)

// hooksVersion is the migration that added the hooks' columns and the
// skipped_trials table (0009_hooks).
const hooksVersion = 9

// hooksColumn is the value of runs.hooks for h: a JSON object of the hooks
// the file set, in documentation order; NULL without any.
func hooksColumn(h *experiment.Hooks) (sql.NullString, error) {
	if !h.Any() {
		return sql.NullString{}, nil
	}
	var parts []string
	for _, hk := range []struct {
		name string
		argv []string
	}{{"setup", h.Setup}, {"prepare", h.Prepare}, {"conclude", h.Conclude}, {"cleanup", h.Cleanup}} {
		if len(hk.argv) == 0 {
			continue
		}
		a, err := jsonText(hk.argv)
		if err != nil {
			return sql.NullString{}, fmt.Errorf("hook %s: %w", hk.name, err)
		}
		parts = append(parts, `"`+hk.name+`":`+a)
	}
	return sql.NullString{String: "{" + strings.Join(parts, ",") + "}", Valid: true}, nil
}

// AddSkipped records a trial skipped because its prepare hook failed, in
// skipped_trials (replacing an earlier record of the same trial). The
// write goes on even when ctx is cancelled, and waits for another
// process's lock as AddTrial's does.
func (r *Recorder) AddSkipped(ctx context.Context, sk experiment.SkippedTrial) error {
	if sk.Cell < 0 || sk.Cell >= len(r.cellIDs) {
		return fmt.Errorf("skipped trial %d: cell %d not in run", sk.Seq, sk.Cell)
	}
	err := retryBusy(ctx, fmt.Sprintf("skipped trial %d", sk.Seq), r.retries(), r.OnBusy, func() error {
		_, err := r.db.sql.ExecContext(context.WithoutCancel(ctx), `
			INSERT OR REPLACE INTO skipped_trials (run_id, cell_id, seq, rep, warmup, prepare_status, reason)
			VALUES (?, ?, ?, ?, ?, ?, ?)`,
			r.RunID, r.cellIDs[sk.Cell], sk.Seq, sk.Rep, sk.Warmup, sk.PrepareStatus, sk.Reason)
		return err
	})
	if err != nil {
		return fmt.Errorf("%s: %w", r.db.path, classify(err))
	}
	return nil
}

// ClearSkipped forgets the run's skipped trials: exp run --resume runs
// them again, as it runs every planned trial not stored.
func (r *Recorder) ClearSkipped(ctx context.Context) error {
	err := retryBusy(ctx, "skipped trials", r.retries(), r.OnBusy, func() error {
		_, err := r.db.sql.ExecContext(context.WithoutCancel(ctx), `DELETE FROM skipped_trials WHERE run_id = ?`, r.RunID)
		return err
	})
	if err != nil {
		return fmt.Errorf("%s: %w", r.db.path, classify(err))
	}
	return nil
}

// SetCleanupStatus records the exit status of the cleanup hook on the run
// (runs.cleanup_status). It goes on even when ctx is cancelled.
func (r *Recorder) SetCleanupStatus(ctx context.Context, status int) error {
	err := retryBusy(ctx, "cleanup status", r.retries(), r.OnBusy, func() error {
		_, err := r.db.sql.ExecContext(context.WithoutCancel(ctx), `UPDATE runs SET cleanup_status = ? WHERE id = ?`, status, r.RunID)
		return err
	})
	if err != nil {
		return fmt.Errorf("%s: %w", r.db.path, classify(err))
	}
	return nil
}

// Skipped returns the skipped trials of run runID in run order (Seq);
// Cell is the cell's plan index. A file from before 0009_hooks has none.
func (db *DB) Skipped(ctx context.Context, runID int64) ([]experiment.SkippedTrial, error) {
	if !db.hasColumnsOf(hooksVersion) {
		return nil, nil
	}
	rows, err := db.sql.QueryContext(ctx, `
		SELECT c.idx, s.seq, s.rep, s.warmup, s.prepare_status, s.reason
		FROM skipped_trials s JOIN cells c ON c.id = s.cell_id
		WHERE s.run_id = ? ORDER BY s.seq`, runID)
	if err != nil {
		return nil, db.fail(fmt.Sprintf("skipped trials of run %d", runID), err)
	}
	defer rows.Close()
	var out []experiment.SkippedTrial
	for rows.Next() {
		var sk experiment.SkippedTrial
		if err := rows.Scan(&sk.Cell, &sk.Seq, &sk.Rep, &sk.Warmup, &sk.PrepareStatus, &sk.Reason); err != nil {
			return nil, db.fail(fmt.Sprintf("skipped trials of run %d", runID), err)
		}
		out = append(out, sk)
	}
	return out, rows.Err()
}

// StatusCount is how many trials (Trials) a hook ended with exit status
// Status.
type StatusCount struct {
	Status int // the hook's exit status, 1 to 255
	Trials int // how many trials it ended so
}

// HookFailures is what a run's conclude and cleanup hooks left recorded
// when they failed, for the report after the run.
type HookFailures struct {
	Conclude []StatusCount // trials whose conclude hook failed, by exit status, ascending
	Cleanup  int           // the cleanup hook's exit status; 0 when it passed or did not run
}

// HookFailures reads the failed conclude hooks (trials.conclude_status) and
// the cleanup hook's status (runs.cleanup_status) of run runID. Only a run
// that set a conclude hook has its trials read. A file from before
// 0009_hooks has none.
func (db *DB) HookFailures(ctx context.Context, runID int64) (HookFailures, error) {
	var hf HookFailures
	if !db.hasColumnsOf(hooksVersion) {
		return hf, nil
	}
	var hooks sql.NullString
	var cleanup sql.NullInt64
	err := db.sql.QueryRowContext(ctx, `SELECT hooks, cleanup_status FROM runs WHERE id = ?`, runID).Scan(&hooks, &cleanup)
	if err != nil {
		return hf, db.fail(fmt.Sprintf("hooks of run %d", runID), err)
	}
	hf.Cleanup = int(cleanup.Int64)
	if !strings.Contains(hooks.String, `"conclude":`) {
		return hf, nil
	}
	rows, err := db.sql.QueryContext(ctx, `
		SELECT conclude_status, count(*) FROM trials
		WHERE run_id = ? AND conclude_status > 0
		GROUP BY conclude_status ORDER BY conclude_status`, runID)
	if err != nil {
		return hf, db.fail(fmt.Sprintf("conclude hooks of run %d", runID), err)
	}
	defer rows.Close()
	for rows.Next() {
		var sc StatusCount
		if err := rows.Scan(&sc.Status, &sc.Trials); err != nil {
			return hf, db.fail(fmt.Sprintf("conclude hooks of run %d", runID), err)
		}
		hf.Conclude = append(hf.Conclude, sc)
	}
	return hf, rows.Err()
}
