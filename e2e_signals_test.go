package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestStopSignals: SIGINT, SIGTERM and SIGHUP each stop a run in order:
// finished trials kept, the run marked interrupted, exit 128 + the signal,
// and the printed command (its --db quoted for the shell) resumes the run
// to the end.
func TestStopSignals(t *testing.T) {
	for _, tc := range []struct {
		sig  syscall.Signal
		name string
		code int
	}{
		{syscall.SIGINT, "SIGINT", 130},
		{syscall.SIGTERM, "SIGTERM", 143},
		{syscall.SIGHUP, "SIGHUP", 129},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if signal.Ignored(tc.sig) {
				t.Skipf("%s is ignored here (nohup, or a background job), and so in exp", tc.name)
			}
			dir := t.TempDir()
			writeFile(t, dir, "long.yaml", strings.Replace(smallYAML, "repeats: 2", "repeats: 10", 1))
			const db = "my results.db"
			path := filepath.Join(dir, db)
			b := startExp(t, dir, nil, "run", "long.yaml", "--db", db, "-q")
			waitForTrials(t, b, path, 3)
			b.signal(t, tc.sig)
			code, stderr := b.wait(t, 30*time.Second)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\n%s", code, tc.code, stderr)
			}
			kept := storedTrials(path)
			if kept < 3 || kept >= 66 {
				t.Fatalf("%d trials kept, want some but not all 66", kept)
			}
			const resume = "exp run --resume 1 --db 'my results.db'"
			want := fmt.Sprintf("exp: run 1 interrupted after %d of 66 trials (%s); kept %d finished trials (see exp report --run 1 --db 'my results.db'). Resume it with: %s\n",
				kept, tc.name, kept, resume)
			if stderr != want {
				t.Errorf("stderr = %q\nwant     %q", stderr, want)
			}
			sdb := openDB(t, path)
			if n := queryInt(t, sdb, `SELECT count(*) FROM runs WHERE status = 'interrupted' AND finished_at IS NOT NULL AND error = ?`,
				fmt.Sprintf("interrupted after %d of 66 trials", kept)); n != 1 {
				t.Error("run not marked interrupted")
			}
			// The printed command, pasted into a shell, finishes the run.
			sh := exec.Command("sh", "-c", resume+" -q")
			sh.Dir = dir
			sh.Env = append(baseEnv(), "PATH="+filepath.Dir(expBin)+string(os.PathListSeparator)+os.Getenv("PATH"))
			if out, err := sh.CombinedOutput(); err != nil {
				t.Fatalf("%s: %v\n%s", resume, err, out)
			}
			for q, want := range map[string]int{
				`SELECT count(*) FROM runs WHERE status = 'done' AND error IS NULL`:                 1,
				`SELECT count(DISTINCT seq) FROM trials WHERE ok = 1`:                               66,
				`SELECT count(*) FROM trials`:                                                       66,
				`SELECT count(*) FROM run_invocations WHERE finished_at IS NOT NULL AND trials > 0`: 2,
			} {
				if n := queryInt(t, sdb, q); n != want {
					t.Errorf("%s = %d, want %d", q, n, want)
				}
			}
		})
	}
}

// TestSecondInterrupt: while exp stops after a first SIGINT (here it
// cannot, since the test holds the file's write lock), a second SIGINT
// exits at once with status 130. Every trial committed before stays, the
// file passes PRAGMA integrity_check, and the run, never marked, is
// resumed to the end once it reads as abandoned.
func TestSecondInterrupt(t *testing.T) {
	if signal.Ignored(syscall.SIGINT) {
		t.Skip("SIGINT is ignored here (a background job), and so in exp")
	}
	dir := t.TempDir()
	writeFile(t, dir, "long.yaml", strings.Replace(smallYAML, "repeats: 2", "repeats: 10", 1))
	path := filepath.Join(dir, "x.db")
	b := startExp(t, dir, nil, "run", "long.yaml", "--db", "x.db", "-q")
	waitForTrials(t, b, path, 2)

	// Take the write lock, so that exp can neither commit its next trial
	// nor mark the run: the first SIGINT cannot finish stopping.
	lockDB, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer lockDB.Close()
	ctx := context.Background()
	conn, err := lockDB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	var committed int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM trials`).Scan(&committed); err != nil {
		t.Fatal(err)
	}
	b.signal(t, syscall.SIGINT)
	time.Sleep(500 * time.Millisecond)
	if !b.running() {
		code, stderr := b.wait(t, time.Second)
		t.Fatalf("exp exited (%d) while the file was locked: it cannot have marked the run\n%s", code, stderr)
	}
	start := time.Now()
	b.signal(t, syscall.SIGINT)
	code, stderr := b.wait(t, 5*time.Second)
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("exp took %v to exit after the second SIGINT", took)
	}
	if code != 130 || !strings.Contains(stderr, "exp: SIGINT again: exiting at once") {
		t.Errorf("exit %d, want 130\n%s", code, stderr)
	}
	if _, err := conn.ExecContext(ctx, `ROLLBACK`); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	lockDB.Close()

	db := openDB(t, path)
	var check string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity_check = %q, %v", check, err)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM trials`); n != committed {
		t.Errorf("%d trials after the exit, want the %d committed before", n, committed)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM runs WHERE status = 'running'`); n != 1 {
		t.Error("the run was marked although exp exited at once")
	}
	env := []string{"EXP_HEARTBEAT=10ms"} // its heartbeat is already older than 3 x 10ms
	if got := runStatus(t, dir, env, "x.db"); got != "abandoned" {
		t.Errorf("status %s, want abandoned", got)
	}
	if r := exp(t, dir, env, "run", "--resume", "1", "--db", "x.db", "-q"); r.code != 0 {
		t.Fatalf("resume: exit %d\n%s", r.code, r.stderr)
	}
	if n := queryInt(t, db, `SELECT count(DISTINCT seq) FROM trials`); n != 66 || runStatus(t, dir, nil, "x.db") != "done" {
		t.Errorf("after resume: %d trials, want 66 and done", n)
	}
}
