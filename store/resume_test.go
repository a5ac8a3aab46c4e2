package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/exp-tool/exp/experiment"
)

// stale is how long after its last heartbeat a running run reads as abandoned.
var stale = HeartbeatMisses * HeartbeatInterval

// TestInvocations: CreateRun records the starting invocation on the run's
// host, AddTrial counts its trials, and Finish ends it with the run.
func TestInvocations(t *testing.T) {
	ctx := context.Background()
	db, _ := openTestDB(t)
	p := testPlan(t)
	run := testRun(t, p, fullHost(), t0)
	rec := createTestRun(t, db, p, &run, nil)
	for i := range 3 {
		if err := rec.AddTrial(ctx, makeTrial(p, p.Steps[i], i)); err != nil {
			t.Fatal(err)
		}
	}
	invs, err := db.Invocations(ctx, run.ID)
	if err != nil || len(invs) != 1 {
		t.Fatalf("Invocations = %+v, %v; want one", invs, err)
	}
	want := experiment.Invocation{Kind: experiment.InvocationStart, StartedAt: us(t0), Hostname: "bench-1", Trials: 3}
	if invs[0] != want {
		t.Errorf("invocation = %+v, want %+v", invs[0], want)
	}
	finished := us(t0).Add(time.Second)
	db.Now = func() time.Time { return finished }
	if err := rec.Finish(experiment.StatusDone, ""); err != nil {
		t.Fatal(err)
	}
	invs, err = db.Invocations(ctx, run.ID)
	if err != nil || len(invs) != 1 || !invs[0].FinishedAt.Equal(finished) {
		t.Errorf("after Finish: Invocations = %+v, %v; want it finished at %v", invs, err, finished)
	}
	if got, err := db.FindRun(ctx, "latest"); err != nil || got.Invocations != 1 || !got.HeartbeatAt.Equal(finished) {
		t.Errorf("run: Invocations %d, HeartbeatAt %v (%v); want 1 and the finish time", got.Invocations, got.HeartbeatAt, err)
	}
}

// TestAbandoned: a run stored as running reads as abandoned once its
// heartbeat (or, without one, its start) is older than HeartbeatMisses
// intervals; a heartbeat makes it running again; reading writes nothing;
// a finished run is never abandoned.
func TestAbandoned(t *testing.T) {
	ctx := context.Background()
	db, _ := openTestDB(t)
	p := testPlan(t)
	run := testRun(t, p, fullHost(), t0)
	rec := createTestRun(t, db, p, &run, nil)
	status := func(now time.Time) experiment.Status {
		t.Helper()
		db.Now = func() time.Time { return now }
		got, err := db.FindRun(ctx, "latest")
		if err != nil {
			t.Fatal(err)
		}
		runs, err := db.ListRuns(ctx)
		if err != nil || len(runs) != 1 || runs[0].Status != got.Status {
			t.Fatalf("ListRuns = %+v, %v; want the status FindRun gives, %s", runs, err, got.Status)
		}
		return got.Status
	}
	check := func(name string, now time.Time, want experiment.Status) {
		t.Helper()
		if got := status(now); got != want {
			t.Errorf("%s: status %s, want %s", name, got, want)
		}
	}
	check("Fresh", us(t0).Add(stale), experiment.StatusRunning) // the store keeps microseconds
	check("Stale", us(t0).Add(stale+time.Microsecond), experiment.StatusAbandoned)
	if n := queryInt(t, db.SQL(), `SELECT count(*) FROM runs WHERE status = 'running'`); n != 1 {
		t.Errorf("reading an abandoned run changed its stored status")
	}

	later := us(t0).Add(time.Hour)
	db.Now = func() time.Time { return later }
	if err := rec.Heartbeat(ctx); err != nil {
		t.Fatal(err)
	}
	check("AfterHeartbeat", later.Add(stale), experiment.StatusRunning)
	check("AfterHeartbeatStale", later.Add(stale+time.Millisecond), experiment.StatusAbandoned)

	execRaw(t, db.Path(), `UPDATE runs SET heartbeat_at = NULL`) // as a run from before heartbeats
	check("NoHeartbeatFresh", us(t0).Add(stale), experiment.StatusRunning)
	check("NoHeartbeatStale", us(t0).Add(stale+time.Millisecond), experiment.StatusAbandoned)

	if err := rec.Finish(experiment.StatusInterrupted, "interrupted after 0 of 24 trials"); err != nil {
		t.Fatal(err)
	}
	check("Finished", later.Add(24*time.Hour), experiment.StatusInterrupted)
}

// TestResumeRun: which runs can be resumed, and what a resume records.
func TestResumeRun(t *testing.T) {
	ctx := context.Background()
	p := testPlan(t)
	// setup creates a run with n trials stored, finished with status
	// unless it is running, and leaves the clock at now.
	setup := func(t *testing.T, status experiment.Status, n int, now time.Time) (*DB, experiment.Run) {
		t.Helper()
		db, _ := openTestDB(t)
		run := testRun(t, p, fullHost(), t0)
		rec := createTestRun(t, db, p, &run, nil)
		for i := range n {
			if err := rec.AddTrial(ctx, makeTrial(p, p.Steps[i], i)); err != nil {
				t.Fatal(err)
			}
		}
		if status != experiment.StatusRunning {
			if err := rec.Finish(status, "why"); err != nil {
				t.Fatal(err)
			}
		}
		db.Now = func() time.Time { return now }
		return db, run
	}
	all := len(p.Steps)
	for _, tc := range []struct {
		name    string
		status  experiment.Status
		trials  int
		now     time.Time
		wantErr error
	}{
		{"Interrupted", experiment.StatusInterrupted, 3, t0, nil},
		{"InterruptedWithEveryTrial", experiment.StatusInterrupted, all, t0, nil},
		{"Abandoned", experiment.StatusRunning, 3, t0.Add(stale + time.Second), nil},
		{"FailedWithTrialsMissing", experiment.StatusFailed, 3, t0, nil},
		{"ErrRunActive", experiment.StatusRunning, 3, t0.Add(time.Second), ErrRunActive},
		{"ErrNothingToResumeDone", experiment.StatusDone, all, t0, ErrNothingToResume},
		{"ErrNothingToResumeFailed", experiment.StatusFailed, all, t0, ErrNothingToResume},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, run := setup(t, tc.status, tc.trials, tc.now)
			rec, err := db.ResumeRun(ctx, run.ID, "other-host")
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || !errors.Is(err, ErrBadInput) {
					t.Fatalf("ResumeRun = %v, want %v (bad input)", err, tc.wantErr)
				}
				if n := queryInt(t, db.SQL(), `SELECT count(*) FROM run_invocations`); n != 1 {
					t.Errorf("a refused resume left %d invocations, want 1", n)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := db.FindRun(ctx, "latest")
			if err != nil || got.Status != experiment.StatusRunning || !got.FinishedAt.IsZero() || got.Error != "" ||
				!got.HeartbeatAt.Equal(us(tc.now)) || got.Invocations != 2 {
				t.Errorf("resumed run = %+v (%v); want running, not finished, no message, heartbeat now, 2 invocations", got, err)
			}
			if err := rec.AddTrial(ctx, makeTrial(p, p.Steps[all-1], all-1)); tc.trials < all && err != nil {
				t.Fatal(err)
			}
			invs, err := db.Invocations(ctx, run.ID)
			want := experiment.Invocation{Kind: experiment.InvocationResume, StartedAt: us(tc.now), Hostname: "other-host", Trials: 1}
			if tc.trials == all {
				want.Trials = 0 // the trial is stored already: refused, not counted
			}
			if err != nil || len(invs) != 2 || invs[1] != want {
				t.Errorf("Invocations = %+v, %v; want the start and %+v", invs, err, want)
			}
		})
	}
	t.Run("ErrRunNotFound", func(t *testing.T) {
		db, _ := openTestDB(t)
		if _, err := db.ResumeRun(ctx, 42, "h"); !errors.Is(err, ErrRunNotFound) {
			t.Errorf("ResumeRun(42) = %v, want ErrRunNotFound", err)
		}
	})
}

// TestSuperseded: once a run is resumed, the exp that was executing it
// (whose heartbeat had stopped) can add no trial, write no heartbeat and
// record no outcome; the resuming one can.
func TestSuperseded(t *testing.T) {
	ctx := context.Background()
	db, _ := openTestDB(t)
	p := testPlan(t)
	run := testRun(t, p, fullHost(), t0)
	old := createTestRun(t, db, p, &run, nil)
	if err := old.AddTrial(ctx, makeTrial(p, p.Steps[0], 0)); err != nil {
		t.Fatal(err)
	}
	db.Now = func() time.Time { return t0.Add(stale + time.Second) }
	rec, err := db.ResumeRun(ctx, run.ID, "bench-1")
	if err != nil {
		t.Fatal(err)
	}
	if err := old.AddTrial(ctx, makeTrial(p, p.Steps[1], 1)); !errors.Is(err, ErrSuperseded) {
		t.Errorf("old AddTrial = %v, want ErrSuperseded", err)
	}
	if err := old.Heartbeat(ctx); !errors.Is(err, ErrSuperseded) {
		t.Errorf("old Heartbeat = %v, want ErrSuperseded", err)
	}
	if err := old.Finish(experiment.StatusInterrupted, "late"); !errors.Is(err, ErrSuperseded) {
		t.Errorf("old Finish = %v, want ErrSuperseded", err)
	}
	if err := rec.AddTrial(ctx, makeTrial(p, p.Steps[1], 1)); err != nil {
		t.Fatal(err)
	}
	if err := rec.Finish(experiment.StatusInterrupted, "stopped"); err != nil {
		t.Fatal(err)
	}
	got, err := db.FindRun(ctx, "latest")
	if err != nil || got.Trials != 2 || got.Status != experiment.StatusInterrupted || got.Error != "stopped" {
		t.Errorf("run = %d trials, %s %q (%v); want 2 trials, interrupted by the resuming exp", got.Trials, got.Status, got.Error, err)
	}
	invs, err := db.Invocations(ctx, run.ID)
	if err != nil || len(invs) != 2 || invs[0].Trials != 1 || invs[1].Trials != 1 || invs[0].FinishedAt.IsZero() {
		t.Errorf("Invocations = %+v, %v; want one trial each, the old one finished", invs, err)
	}
}

// TestStartHeartbeat: the goroutine writes the heartbeat every interval,
// and nothing after stop returns.
func TestStartHeartbeat(t *testing.T) {
	ctx := context.Background()
	db, _ := openTestDB(t)
	p := testPlan(t)
	run := testRun(t, p, fullHost(), t0)
	rec := createTestRun(t, db, p, &run, nil)
	db.Now = time.Now
	heartbeat := func() time.Time {
		t.Helper()
		got, err := db.FindRun(ctx, "latest")
		if err != nil {
			t.Fatal(err)
		}
		return got.HeartbeatAt
	}
	stop := rec.StartHeartbeat(time.Millisecond)
	deadline := time.Now().Add(10 * time.Second)
	for heartbeat().Equal(us(t0)) {
		if time.Now().After(deadline) {
			t.Fatal("no heartbeat written within 10s")
		}
		time.Sleep(time.Millisecond)
	}
	stop()
	last := heartbeat()
	time.Sleep(20 * time.Millisecond)
	if got := heartbeat(); !got.Equal(last) {
		t.Errorf("heartbeat written after stop: %v, then %v", last, got)
	}
}
