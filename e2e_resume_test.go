package main

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// stepRow is one stored trial's place in the plan.
type stepRow struct {
	seq, cell, rep int
	warmup         bool
}

// storedSteps returns the stored trials' (seq, cell index, rep, warmup),
// by seq.
func storedSteps(t *testing.T, db *sql.DB) []stepRow {
	t.Helper()
	rows, err := db.Query(`SELECT t.seq, c.idx, t.rep, t.warmup FROM trials t JOIN cells c ON c.id = t.cell_id ORDER BY t.seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []stepRow
	for rows.Next() {
		var s stepRow
		if err := rows.Scan(&s.seq, &s.cell, &s.rep, &s.warmup); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// interruptedRun runs smallYAML to the end into dir/name, then makes it
// look interrupted after its first 10 trials, as Ctrl-C would have left it.
// It returns the steps of the complete run.
func interruptedRun(t *testing.T, dir, name string) []stepRow {
	t.Helper()
	if r := exp(t, dir, nil, "run", "e.yaml", "--db", name, "-q"); r.code != 0 {
		t.Fatalf("run: exit %d\n%s", r.code, r.stderr)
	}
	path := filepath.Join(dir, name)
	all := storedSteps(t, openDB(t, path))
	execFK(t, path, `DELETE FROM trials WHERE seq >= 10`,
		`UPDATE runs SET status = 'interrupted', error = 'interrupted after 10 of 18 trials'`,
		`UPDATE run_invocations SET trials = 10`)
	return all
}

// TestResume: exp run --resume runs exactly the missing trials, in the
// seed's order, then marks the run done; the file given with it must be
// the stored one; a done run, a live run, an unknown run and another host
// are refused with exit status 2 and nothing written.
func TestResume(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "e.yaml", smallYAML)

	t.Run("RunsTheMissingTrialsInOrder", func(t *testing.T) {
		all := interruptedRun(t, dir, "order.db")
		r := exp(t, dir, nil, "run", "--resume", "1", "--db", "order.db", "e.yaml")
		if r.code != 0 || !strings.Contains(r.stderr, "resuming run 1") || !strings.Contains(r.stderr, "8 of 18 trials to run") ||
			!strings.Contains(r.stderr, "run 1 done: 8 more trials") {
			t.Fatalf("resume: exit %d\n%s", r.code, r.stderr)
		}
		db := openDB(t, filepath.Join(dir, "order.db"))
		if got := storedSteps(t, db); fmt.Sprint(got) != fmt.Sprint(all) {
			t.Errorf("after resume the trials are\n%v\nwant those of the uninterrupted run\n%v", got, all)
		}
		// In the seed's order: each resumed trial started after the one before it.
		if n := queryInt(t, db, `SELECT count(*) FROM trials a JOIN trials b ON b.seq = a.seq + 1
			WHERE a.seq >= 10 AND b.started_at <= a.started_at`); n != 0 {
			t.Errorf("%d resumed trials started before the trial before them in the plan", n)
		}
		for q, want := range map[string]int{
			`SELECT count(*) FROM runs WHERE status = 'done' AND error IS NULL AND finished_at IS NOT NULL`:                    1,
			`SELECT count(*) FROM trials WHERE ok = 1`:                                                                         18,
			`SELECT count(*) FROM run_invocations WHERE kind = 'resume' AND trials = 8 AND finished_at IS NOT NULL`:            1,
			`SELECT count(*) FROM trial_workers w JOIN trials t ON t.id = w.trial_id WHERE t.seq >= 10`:                        queryInt(t, db, `SELECT sum(c.workers) FROM trials t JOIN cells c ON c.id = t.cell_id WHERE t.seq >= 10`),
			`SELECT count(*) FROM (SELECT run_id, seq FROM trials GROUP BY run_id, seq HAVING count(*) > 1)`:                   0,
			`SELECT count(*) FROM trials t JOIN cells c ON c.id = t.cell_id WHERE t.primes != c.expected_primes`:               0,
			`SELECT count(*) FROM trials t JOIN cells c ON c.id = t.cell_id WHERE t.checksum != c.expected_checksum`:           0,
			`SELECT count(*) FROM runs r JOIN run_invocations i ON i.run_id = r.id WHERE i.hostname != r.hostname`:             0,
			`SELECT count(*) FROM (SELECT cell_id, rep FROM trials GROUP BY cell_id, rep HAVING count(*) > 1)`:                 0,
			`SELECT count(*) FROM runs WHERE heartbeat_at IS NOT NULL AND heartbeat_at >= started_at`:                          1,
			`SELECT count(*) FROM run_invocations WHERE kind = 'start' AND trials = 10`:                                        1,
			`SELECT count(*) FROM trials WHERE seq >= 10 AND started_at > (SELECT max(started_at) FROM trials WHERE seq < 10)`: 8,
		} {
			if n := queryInt(t, db, q); n != want {
				t.Errorf("%s = %d, want %d", q, n, want)
			}
		}
		r = exp(t, dir, nil, "report", "--db", "order.db")
		if r.code != 0 || !strings.Contains(r.stdout, "warning: resumed: the trials came from 2 invocations (started, then resumed 1 time)") {
			t.Errorf("report of a resumed run: exit %d, want the resumed warning\n%s%s", r.code, r.stdout, r.stderr)
		}
	})

	t.Run("FailedRunWithTrialsMissing", func(t *testing.T) {
		// As a run stopped by an error (a lock held too long) leaves it.
		interruptedRun(t, dir, "failed.db")
		execFK(t, filepath.Join(dir, "failed.db"), `UPDATE runs SET status = 'failed', error = 'save trial 10: database is locked'`)
		if r := exp(t, dir, nil, "run", "--resume", "1", "--db", "failed.db", "-q"); r.code != 0 {
			t.Fatalf("resume: exit %d\n%s", r.code, r.stderr)
		}
		if got := runStatus(t, dir, nil, "failed.db"); got != "done" {
			t.Errorf("status %s, want done", got)
		}
	})

	t.Run("WrongAnswerBeforeTheResume", func(t *testing.T) {
		// A trial stored before the interrupt found a wrong answer: the
		// resumed run, whose own trials are right, is still failed.
		interruptedRun(t, dir, "wrong.db")
		execFK(t, filepath.Join(dir, "wrong.db"), `UPDATE trials SET ok = 0, mismatch = 'found 4 hits' WHERE seq = 3`)
		r := exp(t, dir, nil, "run", "--resume", "1", "--db", "wrong.db", "-q")
		if want := "exp: run 1 failed: 1 of 18 trials found a wrong answer (see exp report --run 1 --db wrong.db)\n"; r.code != 1 || r.stderr != want {
			t.Errorf("resume: exit %d, stderr %q; want 1 and %q", r.code, r.stderr, want)
		}
		if got := runStatus(t, dir, nil, "wrong.db"); got != "failed" {
			t.Errorf("status %s, want failed", got)
		}
	})

	t.Run("ErrNothingToResume", func(t *testing.T) {
		if r := exp(t, dir, nil, "run", "e.yaml", "--db", "done.db", "-q"); r.code != 0 {
			t.Fatalf("run: exit %d\n%s", r.code, r.stderr)
		}
		before := fileSum(t, filepath.Join(dir, "done.db"))
		r := exp(t, dir, nil, "run", "--resume", "1", "--db", "done.db")
		if want := "exp: run 1 is done, with all 18 trials stored: nothing to resume\n"; r.code != 2 || r.stderr != want {
			t.Errorf("resume of a done run: exit %d, stderr %q; want 2 and %q", r.code, r.stderr, want)
		}
		if fileSum(t, filepath.Join(dir, "done.db")) != before {
			t.Error("a refused resume changed the file")
		}
	})

	refused := []struct {
		name  string
		setup []string // SQL run on the interrupted run's file first
		args  []string
		want  string
	}{
		{"ErrFileDiffers", nil, []string{"other.yaml"}, "other.yaml is not run 1's experiment file (SHA-256 "},
		{"ErrFileInvalid", nil, []string{"bad.yaml"}, "bad.yaml:"},
		{"ErrOtherHost", []string{`UPDATE runs SET hostname = 'elsewhere'`}, nil,
			`run 1 was started on host "elsewhere", this is "` + hostname(t) + `": resuming here would mix two machines in one run's fits (pass --any-host to resume anyway)`},
		{"ErrRunActive", []string{`UPDATE runs SET status = 'running', finished_at = NULL, heartbeat_at = strftime('%Y-%m-%dT%H:%M:%S', 'now') || '.000000Z'`}, nil,
			"run 1: the run may still be running: its heartbeat is "},
		{"ErrRunNotFound", nil, []string{"--resume", "9"}, "run not found: no run has id 9"},
		{"ErrTooManyFiles", nil, []string{"e.yaml", "e.yaml"}, "run --resume takes at most one experiment file"},
	}
	writeFile(t, dir, "other.yaml", smallYAML+"# the same matrix, other bytes\n")
	writeFile(t, dir, "bad.yaml", strings.Replace(smallYAML, "workers: [1, 2]", "workers: [1, 0]", 1))
	for i, c := range refused {
		t.Run(c.name, func(t *testing.T) {
			name := fmt.Sprintf("refused%d.db", i)
			interruptedRun(t, dir, name)
			path := filepath.Join(dir, name)
			execFK(t, path, c.setup...)
			before := fileSum(t, path)
			args := append([]string{"run", "--db", name}, c.args...)
			if !strings.Contains(strings.Join(c.args, " "), "--resume") {
				args = append(args, "--resume", "1")
			}
			// A long heartbeat keeps ErrRunActive's run fresh on a busy machine.
			r := exp(t, dir, []string{"EXP_HEARTBEAT=1m"}, args...)
			lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
			if r.code != 2 || len(lines) != 1 || !strings.Contains(lines[0], c.want) {
				t.Errorf("exit %d, stderr %q; want 2 and one line containing %q", r.code, r.stderr, c.want)
			}
			if fileSum(t, path) != before {
				t.Error("a refused resume changed the file")
			}
		})
	}

	t.Run("AnyHost", func(t *testing.T) {
		interruptedRun(t, dir, "host.db")
		execFK(t, filepath.Join(dir, "host.db"), `UPDATE runs SET hostname = 'elsewhere'`, `UPDATE run_invocations SET hostname = 'elsewhere'`)
		if r := exp(t, dir, nil, "run", "--resume", "1", "--db", "host.db", "--any-host", "-q"); r.code != 0 {
			t.Fatalf("resume --any-host: exit %d\n%s", r.code, r.stderr)
		}
		db := openDB(t, filepath.Join(dir, "host.db"))
		if n := queryInt(t, db, `SELECT count(*) FROM run_invocations WHERE kind = 'resume' AND hostname = ? AND trials = 8`, hostname(t)); n != 1 {
			t.Errorf("the resume on this host was not recorded with its 8 trials")
		}
		if n := queryInt(t, db, `SELECT count(*) FROM runs WHERE status = 'done' AND hostname = 'elsewhere'`); n != 1 {
			t.Errorf("run not done, or its starting host changed")
		}
		r := exp(t, dir, nil, "report", "--db", "host.db")
		if r.code != 0 || !strings.Contains(r.stdout, "warning: resumed: the trials came from 2 invocations") {
			t.Errorf("report: exit %d, want the resumed warning\n%s%s", r.code, r.stdout, r.stderr)
		}
		r = exp(t, dir, nil, "show", "--db", "host.db")
		if r.code != 0 || !strings.Contains(r.stdout, "start  ") || !strings.Contains(r.stdout, "on elsewhere, 10 trials") ||
			!strings.Contains(r.stdout, "on "+hostname(t)+", 8 trials, ended ") {
			t.Errorf("show: exit %d, want both invocations\n%s%s", r.code, r.stdout, r.stderr)
		}
	})

	t.Run("ErrAnyHostWithoutResume", func(t *testing.T) {
		r := exp(t, dir, nil, "run", "e.yaml", "--db", "nope.db", "--any-host")
		if r.code != 2 || !strings.Contains(r.stderr, "--any-host goes with --resume RUN") {
			t.Errorf("exit %d, stderr %q", r.code, r.stderr)
		}
	})
	t.Run("ErrNoDatabase", func(t *testing.T) {
		r := exp(t, dir, nil, "run", "--resume", "1", "--db", "missing.db")
		if r.code != 2 || !strings.Contains(r.stderr, "missing.db: no database") {
			t.Errorf("exit %d, stderr %q", r.code, r.stderr)
		}
		if _, err := os.Stat(filepath.Join(dir, "missing.db")); err == nil {
			t.Error("resume created missing.db")
		}
	})
	t.Run("ErrBadHeartbeat", func(t *testing.T) {
		r := exp(t, dir, []string{"EXP_HEARTBEAT=soon"}, "runs", "--db", "done.db")
		if r.code != 2 || !strings.Contains(r.stderr, `$EXP_HEARTBEAT must be a positive duration such as 2s, got "soon"`) {
			t.Errorf("exit %d, stderr %q", r.code, r.stderr)
		}
	})
}

// hostname is what exp records as this machine's name.
func hostname(t *testing.T) string {
	t.Helper()
	h, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestAbandoned: after SIGKILL the run stays running while its heartbeat
// is fresh, reads as abandoned in runs, show and report once it is stale
// (without any of them writing to it), and exp run --resume finishes it.
func TestAbandoned(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "long.yaml", strings.Replace(smallYAML, "repeats: 2", "repeats: 10", 1))
	path := filepath.Join(dir, "a.db")
	slow := []string{"EXP_HEARTBEAT=10s"} // fresh for 30s after the kill, however busy the machine
	b := startExp(t, dir, slow, "run", "long.yaml", "--db", "a.db", "-q")
	waitForTrials(t, b, path, 3)
	b.signal(t, syscall.SIGKILL)
	b.wait(t, 10*time.Second)
	kept := storedTrials(path)
	if got := runStatus(t, dir, slow, "a.db"); got != "running" {
		t.Errorf("right after the kill: status %s, want running (its heartbeat is fresh)", got)
	}
	// Three intervals of 2s would pass; an old heartbeat says the same.
	execFK(t, path, `UPDATE runs SET heartbeat_at = '2020-01-01T00:00:00.000000Z'`)
	if got := runStatus(t, dir, nil, "a.db"); got != "abandoned" {
		t.Errorf("with a stale heartbeat: status %s, want abandoned", got)
	}
	if r := exp(t, dir, nil, "show", "--db", "a.db"); r.code != 0 || !strings.Contains(r.stdout, "status:         abandoned") ||
		!strings.Contains(r.stdout, "abandoned: no heartbeat since 2020-01-01T00:00:00Z; exp run --resume 1 finishes it") {
		t.Errorf("show: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := exp(t, dir, nil, "report", "--db", "a.db"); r.code != 0 || !strings.Contains(r.stdout, fmt.Sprintf("run status is abandoned: %d of 66 planned trials stored", kept)) {
		t.Errorf("report: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	db := openDB(t, path)
	if n := queryInt(t, db, `SELECT count(*) FROM runs WHERE status = 'running'`); n != 1 {
		t.Error("a read-only command wrote the derived status")
	}
	if n := queryInt(t, db, `SELECT count(*) FROM run_invocations WHERE finished_at IS NULL AND trials = ?`, kept); n != 1 {
		t.Errorf("the killed invocation is not recorded as unfinished with its %d trials", kept)
	}
	if r := exp(t, dir, nil, "run", "--resume", "1", "--db", "a.db", "-q"); r.code != 0 {
		t.Fatalf("resume: exit %d\n%s", r.code, r.stderr)
	}
	if got := runStatus(t, dir, nil, "a.db"); got != "done" {
		t.Errorf("after resume: status %s, want done", got)
	}
	if n := queryInt(t, db, `SELECT count(DISTINCT seq) FROM trials WHERE seq BETWEEN 0 AND 65`); n != 66 {
		t.Errorf("%d distinct trials, want 66", n)
	}

	t.Run("HeartbeatFromEnvironment", func(t *testing.T) {
		// With EXP_HEARTBEAT=1s the heartbeat keeps a live run running
		// past 3 intervals, and a killed run is abandoned some 3s after.
		// (TestAbandoned in package store checks the 3 intervals exactly;
		// here the interval leaves room for a machine so busy that exp
		// waits a second for a CPU.)
		writeFile(t, dir, "longer.yaml", strings.Replace(smallYAML, "repeats: 2", "repeats: 200", 1))
		env := []string{"EXP_HEARTBEAT=1s"}
		b := startExp(t, dir, env, "run", "longer.yaml", "--db", "b.db", "-q")
		waitForTrials(t, b, filepath.Join(dir, "b.db"), 1)
		time.Sleep(4 * time.Second)
		if got := runStatus(t, dir, env, "b.db"); got != "running" || !b.running() {
			t.Errorf("4s into the run: status %s (exp still running: %v), want running", got, b.running())
		}
		b.signal(t, syscall.SIGKILL)
		b.wait(t, 10*time.Second)
		killed := time.Now()
		for runStatus(t, dir, env, "b.db") != "abandoned" {
			if time.Since(killed) > 10*time.Second {
				t.Fatal("the killed run was not abandoned within 10s")
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}

// TestResumeTimedOutIsNotWrong: trials that timed out before an interrupt
// have no answer, not a wrong one: the resumed run ends done, as the same
// run uninterrupted does.
func TestResumeTimedOutIsNotWrong(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir, "t.yaml", `name: timeouts
seed: 3
kernel: synthetic
synthetic: {serial: 0ms, parallel: 60ms, mode: sleep}
workers: [1, 2]
repeats: 30
warmup: 0
timeout: 45ms
`)
	if r := exp(t, dir, nil, "run", "-q", "--max-duration", "600ms", "t.yaml"); r.code != 130 {
		t.Fatalf("first part: exit %d, want 130\n%s", r.code, r.stderr)
	}
	d := openDB(t, filepath.Join(dir, "exp.db"))
	if n := queryInt(t, d, `SELECT count(*) FROM trials WHERE timed_out = 1`); n == 0 {
		t.Fatalf("no trial timed out before the interrupt")
	}
	if r := exp(t, dir, nil, "run", "-q", "--resume", "1"); r.code != 0 {
		t.Fatalf("resume: exit %d, want 0 (timed-out trials are not wrong answers)\n%s", r.code, r.stderr)
	}
	if n := queryInt(t, d, `SELECT count(*) FROM runs WHERE status = 'done'`); n != 1 {
		t.Errorf("the resumed run is not done")
	}
}
