package main

import (
	"context"
	"database/sql"
	"math"
	"path/filepath"
	"testing"

	"github.com/exp-tool/exp/report"
	"github.com/exp-tool/exp/store"
)

// viewRuns are five real runs that reach every branch of the views: the
// primes kernel (CPU-bound, 3 workers on a 2-CPU machine are 2 processors)
// with an even number of measured trials; weak scaling (the scaled
// speedup) with an odd number; a run whose 1-worker cell times out
// (no measured trials, so no median and no speedup for any cell); and the
// two designs of issue 13 whose trials exp report reads its own way: cells
// repeated until precise (a different n per cell) and trials split over
// processes (each with its own warmups, the report's interval a
// hierarchical bootstrap's, but its n, median and speedup still the
// cell's trials').
var viewRuns = map[string]string{
	"primes.yaml": `name: views-primes
seed: 3
repeats: 4
warmup: 1
kernel: primes
ranges: [{start: 10000000000000, count: 300}]
workers: [1, 2, 3]
schedules: [static, per-item]
`,
	"weak.yaml": `name: views-weak
seed: 4
repeats: 5
warmup: 1
scaling: weak
kernel: synthetic
synthetic: {mode: sleep, serial: 1ms, parallel: 6ms}
workers: [1, 2, 4]
schedules: [static]
`,
	"adaptive.yaml": `name: views-adaptive
seed: 6
warmup: 1
repeats: {min: 3, max: 9, precision: 2%}
kernel: synthetic
synthetic: {mode: sleep, serial: 1ms, parallel: 8ms}
workers: [1, 2, 4]
schedules: [static]
`,
	"processes.yaml": `name: views-processes
seed: 7
warmup: 1
repeats: 6
invocations: 3
kernel: synthetic
synthetic: {mode: sleep, serial: 1ms, parallel: 8ms}
workers: [1, 2, 4]
schedules: [static]
`,
	"timeout.yaml": `name: views-timeout
seed: 5
repeats: 3
warmup: 1
kernel: synthetic
synthetic: {mode: sleep, serial: 0ms, parallel: 90ms}
timeout: 60ms
workers: [1, 2, 4]
schedules: [static]
`,
}

// viewsDB runs the experiments of viewRuns into one database and returns
// its path.
func viewsDB(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	db := filepath.Join(dir, "views.db")
	for _, name := range []string{"timeout.yaml", "weak.yaml", "adaptive.yaml", "processes.yaml", "primes.yaml"} { // primes last: the latest run
		writeFile(t, dir, name, viewRuns[name])
		if r := exp(t, dir, baseEnv(), "run", name, "--db", db, "--quiet"); r.code != 0 && r.code != 1 {
			t.Fatalf("exp run %s: exit %d\n%s", name, r.code, r.stderr)
		}
	}
	return db
}

// nullable converts NaN, exp report's "none", to SQL's NULL.
func nullable(x float64) sql.NullFloat64 {
	return sql.NullFloat64{Float64: x, Valid: !math.IsNaN(x)}
}

// sameNumber reports whether the view's value equals the report's, to the
// last few bits (SQLite sums in its own order).
func sameNumber(view sql.NullFloat64, rep float64) bool {
	want := nullable(rep)
	if view.Valid != want.Valid {
		return false
	}
	return !view.Valid || math.Abs(view.Float64-want.Float64) <= 1e-12*math.Max(1, math.Abs(want.Float64))
}

// TestViewsEqualReport: on real runs, the cell_stats and cell_speedup
// views give exp report's numbers for every cell (n, mean, median, min,
// max, standard deviation, CV, warmups, failed, timed out, processors,
// speedup, efficiency, Karp–Flatt), and run_summary exp runs' status, host
// and counts.
func TestViewsEqualReport(t *testing.T) {
	path := viewsDB(t)
	ctx := context.Background()
	db, err := store.OpenExisting(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	runs, err := db.ListRuns(ctx)
	if err != nil || len(runs) != len(viewRuns) {
		t.Fatalf("ListRuns = %d runs, %v; want %d", len(runs), err, len(viewRuns))
	}
	for _, run := range runs {
		// exp report's own path: the run's trials streamed into a Builder.
		rep, err := loadReport(ctx, db, run.UUID, report.DefaultThresholds)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := db.SQL().QueryContext(ctx, `
			SELECT s.cell_idx, s.workers, s.n, s.mean_s, s.median_s, s.min_s, s.max_s, s.stddev_s, s.cv,
			       s.warmups, s.failed, s.timed_out, p.processors, p.speedup, p.efficiency, p.karp_flatt
			FROM cell_stats s JOIN cell_speedup p ON p.cell_id = s.cell_id
			WHERE s.run_id = ? ORDER BY s.cell_idx`, run.ID)
		if err != nil {
			t.Fatal(err)
		}
		seen := 0
		for rows.Next() {
			var idx, workers, n, warmups, failed, timedOut, processors int
			var mean, median, lo, hi, sd, cv, speedup, eff, kf sql.NullFloat64
			if err := rows.Scan(&idx, &workers, &n, &mean, &median, &lo, &hi, &sd, &cv, &warmups, &failed, &timedOut,
				&processors, &speedup, &eff, &kf); err != nil {
				t.Fatal(err)
			}
			cs := rep.Cells[idx]
			seen++
			if n != cs.N || warmups != cs.Warmups || failed != cs.Failed || timedOut != cs.TimedOut || processors != cs.Processors || workers != cs.Workers {
				t.Errorf("%s cell %d: view n=%d warmups=%d failed=%d timed_out=%d p=%d w=%d; report %d %d %d %d %d %d",
					run.Name, idx, n, warmups, failed, timedOut, processors, workers, cs.N, cs.Warmups, cs.Failed, cs.TimedOut, cs.Processors, cs.Workers)
			}
			for _, c := range []struct {
				name string
				view sql.NullFloat64
				rep  float64
			}{
				{"mean_s", mean, cs.Mean}, {"median_s", median, cs.Median}, {"min_s", lo, cs.Min}, {"max_s", hi, cs.Max},
				{"stddev_s", sd, cs.Stddev}, {"cv", cv, cs.CV},
				{"speedup", speedup, cs.Speedup}, {"efficiency", eff, cs.Efficiency}, {"karp_flatt", kf, cs.KarpFlatt},
			} {
				if !sameNumber(c.view, c.rep) {
					t.Errorf("%s cell %d (%d workers): view %s = %v, exp report's %v", run.Name, idx, cs.Workers, c.name, c.view, c.rep)
				}
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		if seen != len(rep.Cells) {
			t.Errorf("%s: the views have %d cells, the report %d", run.Name, seen, len(rep.Cells))
		}

		counts, err := db.Counts(ctx, run.ID)
		if err != nil {
			t.Fatal(err)
		}
		var status, host string
		var cells, trials, measured, warmups, failed, timedOut, invocations int
		var duration sql.NullFloat64
		if err := db.SQL().QueryRowContext(ctx, `
			SELECT status, hostname, cells, trials, measured, warmups, failed, timed_out, invocations, duration_s
			FROM run_summary WHERE run_id = ?`, run.ID).Scan(&status, &host, &cells, &trials, &measured, &warmups,
			&failed, &timedOut, &invocations, &duration); err != nil {
			t.Fatal(err)
		}
		wantDuration := run.FinishedAt.Sub(run.StartedAt).Seconds()
		if status != string(run.Status) || host != run.Host.Hostname || cells != counts.Cells || trials != run.Trials ||
			measured != counts.Measured || warmups != counts.Warmup || failed != counts.Failed || timedOut != counts.TimedOut ||
			invocations != run.Invocations || !duration.Valid || math.Abs(duration.Float64-wantDuration) > 2e-3 { // julianday keeps milliseconds
			t.Errorf("%s: run_summary = %s %s cells %d trials %d measured %d warmups %d failed %d timed out %d invocations %d, %v s; "+
				"exp runs: %s %s %+v trials %d invocations %d, %v s",
				run.Name, status, host, cells, trials, measured, warmups, failed, timedOut, invocations, duration,
				run.Status, run.Host.Hostname, counts, run.Trials, run.Invocations, wantDuration)
		}
	}

	// The processes run is what it claims: each cell measured in 3
	// processes, each with its own warmup.
	var procs, warmups int
	if err := db.SQL().QueryRowContext(ctx, `
		SELECT (SELECT count(DISTINCT t.invocation) FROM trials t JOIN runs r ON r.id = t.run_id WHERE r.name = 'views-processes'),
		       (SELECT min(s.warmups) FROM cell_stats s JOIN runs r ON r.id = s.run_id WHERE r.name = 'views-processes')`).Scan(&procs, &warmups); err != nil {
		t.Fatal(err)
	}
	if procs != 3 || warmups != 3 {
		t.Errorf("processes run: trials from %d processes, at least %d warmups per cell; want 3 and 3", procs, warmups)
	}

	// The timeout run reaches the branches the others do not: a cell
	// without measured trials, and speedups without a baseline.
	var empty, noSpeedup int
	if err := db.SQL().QueryRowContext(ctx, `
		SELECT count(*) FILTER (WHERE s.n = 0 AND s.median_s IS NULL), count(*) FILTER (WHERE p.speedup IS NULL)
		FROM cell_stats s JOIN cell_speedup p USING (cell_id) JOIN runs r ON r.id = s.run_id
		WHERE r.name = 'views-timeout'`).Scan(&empty, &noSpeedup); err != nil {
		t.Fatal(err)
	}
	if empty < 1 || noSpeedup != 3 {
		t.Errorf("timeout run: %d cells without trials, %d without a speedup; want the 1-worker cell, and all 3", empty, noSpeedup)
	}
}
