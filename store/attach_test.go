package store

import (
	"context"
	"errors"
	"testing"

	"github.com/exp-tool/exp/experiment"
)

// TestAttachRun: a child process's Recorder adds trials, with their
// invocation, to a running run, counted in its starting exp's row; the
// run's planned process count is stored; a finished run cannot be attached
// to, and after a resume the child's Recorder is superseded.
func TestAttachRun(t *testing.T) {
	ctx := context.Background()
	db, _ := openTestDB(t)
	cfg := *testPlan(t).Config
	cfg.Repeats, cfg.Invocations = 4, 2
	p := experiment.NewPlan(&cfg, 9)
	run := testRun(t, p, fullHost(), t0)
	rec := createTestRun(t, db, p, &run, nil)
	child, err := db.AttachRun(ctx, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	steps := experiment.InvocationSteps(p.Steps, 1)
	for i, st := range steps[:3] {
		if err := child.AddTrial(ctx, makeTrial(p, st, i)); err != nil {
			t.Fatal(err)
		}
	}
	trials, err := db.Trials(ctx, run.ID)
	if err != nil || len(trials) != 3 {
		t.Fatalf("Trials = %d, %v", len(trials), err)
	}
	for i, tr := range trials {
		if tr.Step != steps[i] || tr.Invocation != 1 {
			t.Errorf("trial %d: step %+v, want %+v (invocation 1)", i, tr.Step, steps[i])
		}
	}
	var each []int
	if err := db.EachTrial(ctx, run.ID, func(tr *experiment.Trial) error { each = append(each, tr.Invocation); return nil }); err != nil || len(each) != 3 || each[0] != 1 {
		t.Errorf("EachTrial invocations %v, %v; want 1s", each, err)
	}
	invs, err := db.Invocations(ctx, run.ID)
	if err != nil || len(invs) != 1 || invs[0].Trials != 3 {
		t.Errorf("Invocations = %+v, %v; want the start with 3 trials", invs, err)
	}
	if got, err := db.FindRun(ctx, "latest"); err != nil || got.ProcessInvocations != 2 {
		t.Errorf("ProcessInvocations = %d (%v), want 2", got.ProcessInvocations, err)
	}
	if err := rec.Finish(experiment.StatusInterrupted, "stopped"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AttachRun(ctx, run.ID); !errors.Is(err, ErrNotAttachable) {
		t.Errorf("AttachRun of an interrupted run: %v, want ErrNotAttachable", err)
	}
	if _, err := db.ResumeRun(ctx, run.ID, "bench-1"); err != nil {
		t.Fatal(err)
	}
	if err := child.AddTrial(ctx, makeTrial(p, steps[3], 3)); !errors.Is(err, ErrSuperseded) {
		t.Errorf("AddTrial after a resume: %v, want ErrSuperseded", err)
	}
}
