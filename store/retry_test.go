package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/exp-tool/exp/experiment"
)

// holdWriteLock takes the write lock of the database at path from a second
// connection, as another process would, and releases it after d.
func holdWriteLock(t *testing.T, path string, d time.Duration) (released <-chan struct{}) {
	t.Helper()
	other, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	conn, err := other.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(context.Background(), `BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		time.Sleep(d)
		conn.ExecContext(context.Background(), `ROLLBACK`)
		conn.Close()
		close(done)
	}()
	return done
}

// withBusyTimeout sets BusyTimeout for one test (store tests are not
// parallel) and opens a database with it.
func withBusyTimeout(t *testing.T, d time.Duration) (*DB, string) {
	t.Helper()
	old := BusyTimeout
	BusyTimeout = d
	t.Cleanup(func() { BusyTimeout = old })
	return openTestDB(t)
}

// TestAddTrialRetriesWhileLocked holds the write lock for longer than the
// busy timeout: the trial is kept, retried, and stored once the lock is
// free, and each retry is reported.
func TestAddTrialRetriesWhileLocked(t *testing.T) {
	db, path := withBusyTimeout(t, 50*time.Millisecond)
	p := testPlan(t)
	run := testRun(t, p, fullHost(), t0)
	rec := createTestRun(t, db, p, &run, nil)
	rec.Retries = []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond}
	var told []Busy
	rec.OnBusy = func(b Busy) { told = append(told, b) }
	released := holdWriteLock(t, path, 400*time.Millisecond)
	tr := makeTrial(p, p.Steps[0], 0)
	tr.Seq = 12
	if err := rec.AddTrial(context.Background(), tr); err != nil {
		t.Fatalf("AddTrial while locked: %v", err)
	}
	<-released
	if n := queryInt(t, db.SQL(), `SELECT count(*) FROM trials`); n != 1 {
		t.Errorf("%d trials stored, want 1", n)
	}
	if len(told) < 2 || len(told) > 4 {
		t.Fatalf("told of %d retries, want 2 to 4: %v", len(told), told)
	}
	if got, want := told[0].String(), "database is locked; retrying trial 12 in 100ms (attempt 2 of 5)"; got != want {
		t.Errorf("first retry says %q, want %q", got, want)
	}
	if told[1].Attempt != 3 || told[1].Wait != 200*time.Millisecond {
		t.Errorf("second retry = %+v", told[1])
	}
}

// TestAddTrialGivesUp holds the lock through every retry: the error wraps
// ErrLocked and experiment.ErrStopped, names the file, and nothing is
// stored; Ctrl-C during a wait gives up at once with ErrInterrupted.
func TestAddTrialGivesUp(t *testing.T) {
	db, path := withBusyTimeout(t, 20*time.Millisecond)
	p := testPlan(t)
	run := testRun(t, p, fullHost(), t0)
	rec := createTestRun(t, db, p, &run, nil)
	rec.Retries = []time.Duration{10 * time.Millisecond, 10 * time.Millisecond}
	released := holdWriteLock(t, path, 2*time.Second)
	err := rec.AddTrial(context.Background(), makeTrial(p, p.Steps[0], 0))
	if !errors.Is(err, ErrLocked) || !errors.Is(err, experiment.ErrStopped) || errors.Is(err, ErrBadInput) {
		t.Errorf("AddTrial = %v, want ErrLocked and experiment.ErrStopped", err)
	}
	if err == nil || !strings.HasPrefix(err.Error(), path+": trial 0: database is locked: another process held the write lock through 3 attempts") {
		t.Errorf("AddTrial = %v, want the file and the attempts", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	rec.Retries = []time.Duration{time.Minute}
	rec.OnBusy = func(Busy) { cancel() }
	start := time.Now()
	err = rec.AddTrial(ctx, makeTrial(p, p.Steps[1], 1))
	if !errors.Is(err, ErrLocked) || !errors.Is(err, experiment.ErrInterrupted) || time.Since(start) > 10*time.Second {
		t.Errorf("AddTrial cancelled while waiting = %v after %v, want ErrInterrupted at once", err, time.Since(start))
	}
	<-released
	if n := queryInt(t, db.SQL(), `SELECT count(*) FROM trials`); n != 0 {
		t.Errorf("%d trials stored, want 0", n)
	}
}

// TestFinishRetriesWhileLocked: the run's end is recorded once the lock is free.
func TestFinishRetriesWhileLocked(t *testing.T) {
	db, path := withBusyTimeout(t, 50*time.Millisecond)
	p := testPlan(t)
	run := testRun(t, p, fullHost(), t0)
	rec := createTestRun(t, db, p, &run, nil)
	rec.Retries = []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond}
	released := holdWriteLock(t, path, 300*time.Millisecond)
	if err := rec.Finish(experiment.StatusDone, ""); err != nil {
		t.Fatalf("Finish while locked: %v", err)
	}
	<-released
	if n := queryInt(t, db.SQL(), `SELECT count(*) FROM runs WHERE status = 'done'`); n != 1 {
		t.Error("the run's end was not recorded")
	}
}
