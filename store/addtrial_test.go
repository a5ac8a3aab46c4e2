package store

import (
	"context"
	"testing"

	"github.com/exp-tool/exp/experiment"
)

// TestAddTrialManyWorkers checks a trial with more per-worker rows than
// one INSERT takes (maxWorkerRows), and then one with fewer, through the
// same Recorder: every row comes back in order.
func TestAddTrialManyWorkers(t *testing.T) {
	rec, p := newBenchRecorder(t)
	ctx := context.Background()
	for i, n := range []int{2*maxWorkerRows + 7, 3} {
		tr := makeTrial(p, p.Steps[i], i)
		tr.Workers = nil
		for w := range n {
			tr.Workers = append(tr.Workers, experiment.WorkerStat{BusyNS: int64(w), Items: uint64(w + 1), Hits: uint64(w % 3)})
		}
		if err := rec.AddTrial(ctx, tr); err != nil {
			t.Fatal(err)
		}
	}
	got, err := rec.db.Trials(ctx, rec.RunID)
	if err != nil || len(got) != 2 {
		t.Fatalf("Trials = %d, %v; want 2", len(got), err)
	}
	for i, n := range []int{2*maxWorkerRows + 7, 3} {
		ws := got[i].Workers
		if len(ws) != n {
			t.Fatalf("trial %d: %d workers, want %d", i, len(ws), n)
		}
		for w, s := range ws {
			if s.BusyNS != int64(w) || s.Items != uint64(w+1) || s.Hits != uint64(w%3) {
				t.Fatalf("trial %d worker %d = %+v", i, w, s)
			}
		}
	}
}

// TestAddTrialRollsBack checks that a trial the schema refuses (its seq is
// taken) leaves nothing behind, not even its count, and that the next
// trial commits on the same handle.
func TestAddTrialRollsBack(t *testing.T) {
	rec, p := newBenchRecorder(t)
	ctx := context.Background()
	add := func(i, seq int) error {
		st := p.Steps[i]
		st.Seq = seq
		return rec.AddTrial(ctx, makeTrial(p, st, i))
	}
	if err := add(0, 0); err != nil {
		t.Fatal(err)
	}
	if err := add(1, 0); err == nil || isBusy(err) {
		t.Fatalf("AddTrial of a taken seq = %v, want a constraint error", err)
	}
	if err := add(2, 2); err != nil {
		t.Fatalf("AddTrial after a failed one: %v", err)
	}
	var trials, workers, counted int
	err := rec.db.sql.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM trials), (SELECT count(*) FROM trial_workers),
		(SELECT trials FROM run_invocations WHERE id = ?)`, rec.invocation).Scan(&trials, &workers, &counted)
	if err != nil {
		t.Fatal(err)
	}
	want := len(makeTrial(p, p.Steps[0], 0).Workers) + len(makeTrial(p, p.Steps[2], 2).Workers)
	if trials != 2 || workers != want || counted != 2 {
		t.Errorf("stored %d trials, %d worker rows, counted %d; want 2, %d, 2", trials, workers, counted, want)
	}
}

// TestCloseAfterAddTrial checks that Close finalizes AddTrial's
// statements: SQLite then closes the file for good, checkpointing the WAL
// and removing it.
func TestCloseAfterAddTrial(t *testing.T) {
	db, path := openTestDB(t)
	p := testPlan(t)
	run := testRun(t, p, fullHost(), t0)
	rec := createTestRun(t, db, p, &run, nil)
	for i, st := range p.Steps[:3] {
		if err := rec.AddTrial(context.Background(), makeTrial(p, st, i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{path + "-wal", path + "-shm"} {
		if exists(t, f) {
			t.Errorf("%s is left after Close", f)
		}
	}
}
