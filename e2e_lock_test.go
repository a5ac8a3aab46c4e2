package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// waitForLockTrials polls the database at path until it holds n trials.
func waitForLockTrials(t *testing.T, cmd *exec.Cmd, path string, n int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("fewer than %d trials committed within 60s", n)
		}
		if _, err := os.Stat(path); err == nil {
			db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
			if err == nil {
				var got int
				err = db.QueryRow(`SELECT count(*) FROM trials`).Scan(&got)
				db.Close()
				if err == nil && got >= n {
					return
				}
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestLockedDatabaseRetries holds the database's write lock from another
// connection for longer than the busy timeout while exp runs: the trial
// waiting to be committed is kept, retried with backoff (said on stderr),
// and the run still ends done with every trial.
func TestLockedDatabaseRetries(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "long.yaml", strings.Replace(smallYAML, "repeats: 2", "repeats: 40", 1))
	const trials = 3 * 2 * 41
	path := filepath.Join(dir, "exp.db")
	cmd := exec.Command(expBin, "run", "long.yaml", "-q")
	cmd.Dir = dir
	cmd.Env = append(baseEnv(), "EXP_BUSY_TIMEOUT=200ms")
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitForLockTrials(t, cmd, path, 3)

	other, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(context.Background(), `BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3500 * time.Millisecond) // 17 busy timeouts: two retries at least
	if _, err := conn.ExecContext(context.Background(), `ROLLBACK`); err != nil {
		t.Fatal(err)
	}
	conn.Close()

	if err := cmd.Wait(); err != nil {
		t.Fatalf("exp run with the lock held for 3.5s: %v\n%s", err, errb.String())
	}
	if !strings.Contains(errb.String(), "database is locked; retrying trial ") || !strings.Contains(errb.String(), " in 1s (attempt 2 of 8)") ||
		!strings.Contains(errb.String(), " in 2s (attempt 3 of 8)") {
		t.Errorf("stderr does not report the retries:\n%s", errb.String())
	}
	db := openDB(t, path)
	if n := queryInt(t, db, `SELECT count(*) FROM trials`); n != trials {
		t.Errorf("%d trials stored, want all %d", n, trials)
	}
	if n := queryInt(t, db, `SELECT count(DISTINCT seq) FROM trials`); n != trials {
		t.Errorf("%d distinct trials, want %d", n, trials)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM runs WHERE status = 'done'`); n != 1 {
		t.Error("the run is not done")
	}
}

// TestReadingAFIFOIsInterruptible gives exp run a named pipe that no one
// writes to: SIGINT and SIGTERM must still stop it at once, with no
// database created.
func TestReadingAFIFOIsInterruptible(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			fifo := filepath.Join(dir, "stuck.yaml")
			if err := syscall.Mkfifo(fifo, 0o600); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(expBin, "run", "stuck.yaml")
			cmd.Dir = dir
			cmd.Env = baseEnv()
			var errb bytes.Buffer
			cmd.Stderr = &errb
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(300 * time.Millisecond) // blocked opening the pipe
			sent := time.Now()
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			var err error
			select {
			case err = <-done:
			case <-time.After(5 * time.Second):
				cmd.Process.Kill()
				<-done
				t.Fatalf("exp ignored %v for 5s while opening a FIFO", sig)
			}
			var ee *exec.ExitError
			code := 0
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			}
			// 130 for SIGINT; SIGTERM is 130 or, by the shell's convention, 143.
			if code != 130 && !(sig == syscall.SIGTERM && code == 143) {
				t.Errorf("exit %d after %v, want 130\n%s", code, sig, errb.String())
			}
			if took := time.Since(sent); took > 2*time.Second {
				t.Errorf("took %v to stop", took)
			}
			if want := "exp: stuck.yaml: interrupted while reading the experiment file"; !strings.HasPrefix(errb.String(), want) || strings.Count(errb.String(), "\n") != 1 {
				t.Errorf("stderr = %q, want one line starting %q", errb.String(), want)
			}
			if _, err := os.Stat(filepath.Join(dir, "exp.db")); err == nil {
				t.Error("an interrupted read created exp.db")
			}
		})
	}
}
