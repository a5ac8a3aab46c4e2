package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/exp-tool/exp/experiment"
)

// exported collects what ExportTrials streams: the header's worker count
// (-1 if header was not called) and a copy of every row.
func exported(tb testing.TB, db *DB, runID int64) (int, []ExportRow) {
	tb.Helper()
	maxWorkers := -1
	var rows []ExportRow
	err := db.ExportTrials(context.Background(), runID, func(n int) error {
		maxWorkers = n
		return nil
	}, func(r *ExportRow) error {
		c := *r
		c.Trial.Workers = slices.Clone(r.Trial.Workers)
		if len(c.Trial.Workers) == 0 {
			c.Trial.Workers = nil
		}
		rows = append(rows, c)
		return nil
	})
	if err != nil {
		tb.Fatalf("ExportTrials(%d): %v", runID, err)
	}
	return maxWorkers, rows
}

// TestExportTrials stores two runs whose trials interleave, one trial
// timed out with no worker rows (AddTrial writes a row per entry of
// Trial.Workers, so none for a trial without them), and reads them back
// in trial order, each with its cell, run and workers.
func TestExportTrials(t *testing.T) {
	ctx := context.Background()
	db, _ := openTestDB(t)
	p := testPlan(t)
	runs := make([]experiment.Run, 3)
	recs := make([]*Recorder, 3)
	for i := range runs {
		runs[i] = testRun(t, p, fullHost(), t0)
		runs[i].UUID = fmt.Sprintf("01890a5d-ac96-774b-bcce-b302099a80%02d", i)
		runs[i].Scaling = []string{experiment.ScalingStrong, experiment.ScalingWeak, experiment.ScalingStrong}[i]
		recs[i] = createTestRun(t, db, p, &runs[i], nil)
	}
	// Run 3 has no trials. Runs 1 and 2 take turns, so that neither's
	// trial ids are consecutive.
	type stored struct {
		run   int
		trial experiment.Trial
	}
	var want []stored
	for i, st := range p.Steps[:8] {
		for r := range 2 {
			tr := makeTrial(p, st, 10*i+r)
			if r == 0 && i == 3 {
				tr.Workers, tr.OK, tr.TimedOut = nil, false, true
				tr.Mismatch = "timed out: cancelled after 1s (timeout 1s) with 0 of 100 items done"
				tr.OtherCPUNS, tr.HasOtherCPU = 7_000_000, true
				tr.QuietWaitNS, tr.HasQuietWait = 200_000_000, true
			}
			if err := recs[r].AddTrial(ctx, tr); err != nil {
				t.Fatal(err)
			}
			want = append(want, stored{r, tr})
		}
	}
	if n := queryInt(t, db.SQL(), `SELECT count(*) FROM trial_workers w JOIN trials t ON t.id = w.trial_id WHERE t.timed_out = 1`); n != 0 {
		t.Fatalf("the timed-out trial has %d worker rows, want none", n)
	}

	check := func(t *testing.T, runID int64, want []stored) {
		t.Helper()
		maxWorkers, rows := exported(t, db, runID)
		if maxWorkers != 2 {
			t.Errorf("header got %d workers, want 2", maxWorkers)
		}
		if len(rows) != len(want) {
			t.Fatalf("%d rows, want %d", len(rows), len(want))
		}
		trials := make([]experiment.Trial, len(rows))
		wantTrials := make([]experiment.Trial, len(rows))
		for i, row := range rows {
			w := want[i]
			run := runs[w.run]
			if row.RunID != run.ID || row.RunUUID != run.UUID || row.RunName != run.Name || row.Hostname != run.Host.Hostname ||
				row.Kernel != run.Kernel || row.Scaling != run.Scaling {
				t.Errorf("row %d: run %d %s %q %q %s %s, want run %d %s %q %q %s %s", i, row.RunID, row.RunUUID, row.RunName, row.Hostname,
					row.Kernel, row.Scaling, run.ID, run.UUID, run.Name, run.Host.Hostname, run.Kernel, run.Scaling)
			}
			if row.Cell != p.Cells[w.trial.Cell] {
				t.Errorf("row %d: cell %+v, want %+v", i, row.Cell, p.Cells[w.trial.Cell])
			}
			trials[i], wantTrials[i] = row.Trial, w.trial
		}
		checkTrials(t, trials, wantTrials)
	}
	t.Run("AllRuns", func(t *testing.T) { check(t, 0, want) })
	t.Run("OneRun", func(t *testing.T) {
		check(t, runs[1].ID, slices.DeleteFunc(slices.Clone(want), func(s stored) bool { return s.run != 1 }))
	})
	t.Run("RunWithoutTrials", func(t *testing.T) {
		if maxWorkers, rows := exported(t, db, runs[2].ID); maxWorkers != 0 || len(rows) != 0 {
			t.Errorf("header %d workers, %d rows; want 0 and none", maxWorkers, len(rows))
		}
	})
	t.Run("ErrorStops", func(t *testing.T) {
		stop := errors.New("stop")
		calls := 0
		err := db.ExportTrials(ctx, 0, nil, func(*ExportRow) error { calls++; return stop })
		if err != stop || calls != 1 {
			t.Errorf("ExportTrials = %v after %d calls, want the callback's error after 1", err, calls)
		}
		if err := db.ExportTrials(ctx, 0, func(int) error { return stop }, nil); err != stop {
			t.Errorf("ExportTrials = %v, want the header's error", err)
		}
	})
	t.Run("GapInWorkersIsCorrupt", func(t *testing.T) {
		db, path := openTestDB(t)
		run := testRun(t, p, fullHost(), t0)
		rec := createTestRun(t, db, p, &run, nil)
		if err := rec.AddTrial(ctx, makeTrial(p, p.Steps[0], 0)); err != nil {
			t.Fatal(err)
		}
		execRaw(t, path, `DELETE FROM trial_workers WHERE worker = 0`, `INSERT INTO trial_workers VALUES (1, 5, 1, 1, 0)`)
		err := db.ExportTrials(ctx, 0, nil, func(*ExportRow) error { return nil })
		if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "trial 1 has worker") {
			t.Errorf("ExportTrials = %v, want ErrCorrupt naming trial 1", err)
		}
	})
}

// TestExportStreams: SQLite answers both export queries by walking tables
// and indexes in order, never by sorting into a temporary B-tree, which
// would hold every row before the first came out.
func TestExportStreams(t *testing.T) {
	db, _ := openTestDB(t)
	for name, q := range map[string]string{"exportTrials": exportTrials, "exportWorkers": exportWorkers, "exportMaxWorkers": exportMaxWorkers} {
		for _, runID := range []int64{0, 1} {
			rows, err := db.SQL().Query(`EXPLAIN QUERY PLAN `+q, runID)
			if err != nil {
				t.Fatal(err)
			}
			var plan []string
			for rows.Next() {
				var id, parent, unused int
				var detail string
				if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, detail)
			}
			rows.Close()
			if s := strings.Join(plan, "; "); strings.Contains(s, "TEMP B-TREE") || len(plan) == 0 {
				t.Errorf("query plan of %s (run %d): %s", name, runID, s)
			}
		}
	}
}

// TestExportOldFile: a file from an exp that knew only 0001_init is
// exported as it is, unchanged, with the defaults of the columns it lacks:
// strong scaling, no trial timed out, and no CPU of others or wait
// measured.
func TestExportOldFile(t *testing.T) {
	path := oldDatabase(t, "0001_init.sql")
	execRaw(t, path,
		`INSERT INTO cells (run_id, idx, range_idx, range_start, range_count, schedule, workers) VALUES (1, 0, 0, 1, 10, 'static', 2)`,
		`INSERT INTO trials (run_id, cell_id, seq, rep, warmup, started_at, wall_ns, user_ns, sys_ns, load1, primes, checksum, ok, mismatch)
			VALUES (1, 1, 0, 0, 1, '2024-01-01T00:00:01.000000Z', 5, 4, 1, 0.5, 4, 'x', 1, NULL),
			       (1, 1, 1, 1, 0, '2024-01-01T00:00:02.000000Z', 6, 5, 0, NULL, 3, 'y', 0, 'wrong')`,
		`INSERT INTO trial_workers (trial_id, worker, busy_ns, items, primes) VALUES (1, 0, 3, 5, 2), (1, 1, 2, 5, 2), (2, 0, 4, 10, 3)`)
	before := fileSum(t, path)
	db, err := OpenExisting(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	maxWorkers, rows := exported(t, db, 0)
	db.Close()
	if fileSum(t, path) != before {
		t.Error("exporting an old file changed it")
	}
	if maxWorkers != 2 || len(rows) != 2 {
		t.Fatalf("header %d workers, %d rows; want 2 and 2", maxWorkers, len(rows))
	}
	for i, r := range rows {
		tr := r.Trial
		if r.Scaling != experiment.ScalingStrong || r.Hostname != "h" || r.Kernel != "primes" || r.RunName != "old" {
			t.Errorf("row %d: run %q %q %q scaling %q, want old, h, primes, strong", i, r.RunName, r.Hostname, r.Kernel, r.Scaling)
		}
		if tr.TimedOut || tr.HasOtherCPU || tr.HasQuietWait || tr.Seq != i {
			t.Errorf("row %d: seq %d timed_out %v, other CPU %v, quiet wait %v; want %d, false, unset, unset", i, tr.Seq, tr.TimedOut, tr.HasOtherCPU, tr.HasQuietWait, i)
		}
	}
	if w := rows[0].Trial.Workers; len(w) != 2 || w[1] != (experiment.WorkerStat{BusyNS: 2, Items: 5, Hits: 2}) {
		t.Errorf("trial 1 workers = %+v, want 2 with worker 1 busy 2 ns", w)
	}
	if tr := rows[1].Trial; len(tr.Workers) != 1 || tr.HasLoad || tr.OK || tr.Mismatch != "wrong" || tr.Hits != 3 {
		t.Errorf("trial 2 = %+v, want 1 worker, no load, a mismatch", tr)
	}
}
