package store

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/exp-tool/exp/experiment"
)

// limitTrials are the first trials of p, one of each kind 0005_limits
// records: timed out (not OK, with no wrong answer), with and without
// other processes' CPU, with and without a quiet-machine wait, and one
// wrong answer.
func limitTrials(p *experiment.Plan) []experiment.Trial {
	var out []experiment.Trial
	for i, st := range p.Steps[:5] {
		tr := makeTrial(p, st, i)
		switch i {
		case 0:
			tr.TimedOut, tr.OK, tr.Mismatch = true, false, "timed out: cancelled after 30s (timeout 30s) with 12 of 100 items done"
		case 1:
			tr.OtherCPUNS, tr.HasOtherCPU = 0, true // measured: nothing else ran
		case 2:
			tr.OtherCPUNS, tr.HasOtherCPU = 456_789_012, true
			tr.QuietWaitNS, tr.HasQuietWait = 200_123_456, true
		case 3:
			tr.QuietWaitNS, tr.HasQuietWait = 0, true
		case 4:
			tr.OK, tr.Mismatch = false, "found 4 hits but the oracle reference has 5"
		}
		out = append(out, tr)
	}
	return out
}

// TestTrialLimitsRoundTrip: timed_out, other_cpu_ns and quiet_wait_ns are
// stored and read back, NULL for a value not measured, and a timed-out
// trial counts as timed out, not as failed.
func TestTrialLimitsRoundTrip(t *testing.T) {
	ctx := context.Background()
	db, path := openTestDB(t)
	p := testPlan(t)
	run := testRun(t, p, fullHost(), t0)
	rec := createTestRun(t, db, p, &run, nil)
	want := limitTrials(p)
	for _, tr := range want {
		if err := rec.AddTrial(ctx, tr); err != nil {
			t.Fatalf("AddTrial %d: %v", tr.Seq, err)
		}
	}
	got, err := db.Trials(ctx, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		want[i].StartedAt = want[i].StartedAt.Truncate(time.Microsecond) // the store keeps microseconds
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("trial %d read back as\n%+v\nwant\n%+v", i, got[i], want[i])
		}
	}
	c, err := db.Counts(ctx, run.ID)
	if err != nil || c.Failed != 1 || c.TimedOut != 1 {
		t.Errorf("Counts = %+v, %v; want 1 failed (the wrong answer) and 1 timed out", c, err)
	}
	sdb := rawDB(t, path)
	for q, n := range map[string]int64{
		`SELECT count(*) FROM trials WHERE other_cpu_ns IS NULL`:                                     3,
		`SELECT count(*) FROM trials WHERE quiet_wait_ns IS NULL`:                                    3,
		`SELECT count(*) FROM trials WHERE timed_out = 1 AND ok = 0 AND mismatch LIKE 'timed out:%'`: 1,
		`SELECT count(*) FROM trials WHERE ok = 0 AND timed_out = 0`:                                 1,
	} {
		if got := queryInt(t, sdb, q); got != n {
			t.Errorf("%s = %d, want %d", q, got, n)
		}
	}

	t.Run("ErrTimedOutAndOK", func(t *testing.T) {
		tr := makeTrial(p, p.Steps[6], 6)
		tr.TimedOut = true // with OK still true: a timed-out trial has no answer to be right
		if err := rec.AddTrial(ctx, tr); err == nil || !strings.Contains(err.Error(), "CHECK constraint failed") {
			t.Errorf("AddTrial(timed out and OK) = %v, want a CHECK failure", err)
		}
		tr.OtherCPUNS, tr.HasOtherCPU, tr.TimedOut = -1, true, false
		if err := rec.AddTrial(ctx, tr); err == nil || !strings.Contains(err.Error(), "CHECK constraint failed") {
			t.Errorf("AddTrial(other_cpu_ns < 0) = %v, want a CHECK failure", err)
		}
	})
}

// insertOldTrial adds a cell and one trial to insertOldRun's run, with
// 0001_init's columns only.
const insertOldTrial = `INSERT INTO cells (run_id, idx, range_idx, range_start, range_count, schedule, workers) VALUES (1, 0, 0, 1, 100, 'chunked', 1);
INSERT INTO trials (run_id, cell_id, seq, rep, warmup, started_at, wall_ns, user_ns, sys_ns, load1, primes, checksum, ok, mismatch)
	VALUES (1, 1, 0, 0, 0, '2024-01-01T00:00:01.000000Z', 1000, 900, 100, 0.5, 25, 'abc', 0, 'found 24 hits')`

// TestUpgradeLimitsFrom0003: a trial written before 0005_limits reads back as not
// timed out, with no other-CPU measure and no wait, whether the file is
// upgraded or, write-protected, read as it is; its wrong answer is still
// counted as failed.
func TestUpgradeLimitsFrom0003(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		open func(path string) (*DB, error)
	}{
		{"Open", func(path string) (*DB, error) { return Open(ctx, path) }},
		{"Reader", func(path string) (*DB, error) { return OpenExisting(ctx, path) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := oldDatabase(t, "0001_init.sql", "0002_scaling.sql", "0003_reproduces.sql")
			if _, err := rawDB(t, path).Exec(insertOldTrial); err != nil {
				t.Fatal(err)
			}
			db, err := tc.open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			trials, err := db.Trials(ctx, 1)
			if err != nil || len(trials) != 1 {
				t.Fatalf("Trials = %+v, %v; want the old trial", trials, err)
			}
			if tr := trials[0]; tr.TimedOut || tr.HasOtherCPU || tr.HasQuietWait || tr.OK || tr.Mismatch != "found 24 hits" {
				t.Errorf("old trial = %+v; want a wrong answer, not timed out, with no other-CPU measure or wait", tr)
			}
			if c, err := db.Counts(ctx, 1); err != nil || c != (RunCounts{Cells: 1, Measured: 1, Failed: 1}) {
				t.Errorf("Counts = %+v, %v; want 1 cell, 1 measured trial, 1 failed", c, err)
			}
		})
	}
}
