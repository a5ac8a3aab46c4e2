package main

import (
	"bytes"
	"database/sql"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestReproduceEndToEnd: exp reproduce re-runs the stored config with the
// stored seed into the same file, links the new run, and its verdict line
// and exit status agree.
func TestReproduceEndToEnd(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "c.yaml", compareYAML)
	if r := exp(t, dir, nil, "run", "c.yaml", "-q"); r.code != 0 {
		t.Fatalf("run: exit %d\n%s", r.code, r.stderr)
	}
	// The file on disk changes; reproduce must use the stored config.
	writeFile(t, dir, "c.yaml", "name: something else\n")
	path := filepath.Join(dir, "exp.db")

	r := exp(t, dir, nil, "reproduce", "1")
	reproduced := strings.Contains(r.stdout, "\nverdict: reproduced")
	if (r.code == 0) != reproduced || (r.code != 0 && r.code != 3) {
		t.Fatalf("exit %d disagrees with the verdict:\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "reproducing run 1 (") {
		t.Errorf("stderr does not say what it reproduces:\n%s", r.stderr)
	}
	db := openDB(t, path)
	for q, want := range map[string]int{
		`SELECT count(*) FROM runs`: 2,
		`SELECT count(*) FROM runs b JOIN runs a ON b.reproduces = a.uuid WHERE a.id = 1 AND b.id = 2 AND b.status = 'done'
			AND b.config_yaml = a.config_yaml AND b.seed = a.seed`: 1,
		// Same seed, same trial order: trial seq k is the same cell and rep
		// in both runs.
		`SELECT count(*) FROM trials x JOIN trials y ON x.seq = y.seq JOIN cells cx ON cx.id = x.cell_id JOIN cells cy ON cy.id = y.cell_id
			WHERE x.run_id = 1 AND y.run_id = 2 AND cx.idx = cy.idx AND x.rep = y.rep AND x.warmup = y.warmup`: 40,
	} {
		if n := queryInt(t, db, q); n != want {
			t.Errorf("%s = %d, want %d", q, n, want)
		}
	}
	uuid1 := queryString(t, db, `SELECT uuid FROM runs WHERE id = 1`)
	if s := exp(t, dir, nil, "show", "2"); !strings.Contains(s.stdout, uuid1+" (run 1") {
		t.Errorf("show 2 does not say it reproduces run 1 (%s):\n%s", uuid1, s.stdout)
	}

	// Make the original three times slower in the database: reproducing it
	// now cannot match, and says so with exit status 3.
	execSQL(t, path, `UPDATE trials SET wall_ns = wall_ns * 3 WHERE run_id = 1`)
	r = exp(t, dir, nil, "reproduce", "1", "--format", "json", "-q")
	if r.code != 3 {
		t.Fatalf("exit %d, want 3\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	doc := compareDoc(t, r)
	if doc.Verdict.Reproduced || !strings.HasPrefix(doc.Verdict.Line, "not reproduced: 4 of 4 cells differ") {
		t.Errorf("verdict %+v", doc.Verdict)
	}
	if !strings.Contains(r.stderr, "run 3 does not reproduce run 1: not reproduced (4 of 4 cells differ") {
		t.Errorf("stderr %q", r.stderr)
	}

	// A missing run or database is bad input.
	for _, args := range [][]string{{"reproduce", "9"}, {"reproduce", "1", "--db", filepath.Join(dir, "none.db")}} {
		if r := exp(t, dir, nil, args...); r.code != 2 {
			t.Errorf("exp %v: exit %d, want 2\n%s", args, r.code, r.stderr)
		}
	}
}

func queryString(t *testing.T, db *sql.DB, q string) string {
	t.Helper()
	var s string
	if err := db.QueryRow(q).Scan(&s); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return s
}

// TestReproduceInterrupted: Ctrl-C during exp reproduce keeps the partial
// run, linked to the original and marked interrupted, and exits 130
// without a comparison.
func TestReproduceInterrupted(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "s.yaml", strings.Replace(smallYAML, "repeats: 2", "repeats: 200", 1))
	path := filepath.Join(dir, "exp.db")
	// The run to reproduce: long, so stopped after a few trials.
	interruptAfter(t, dir, path, 1, "run", "s.yaml", "-q")
	out, _ := interruptAfter(t, dir, path, 2, "reproduce", "1", "-q")
	if strings.Contains(out, "verdict:") {
		t.Errorf("an interrupted reproduction printed a verdict:\n%s", out)
	}
	db := openDB(t, path)
	if n := queryInt(t, db, `SELECT count(*) FROM runs b JOIN runs a ON b.reproduces = a.uuid
		WHERE a.id = 1 AND b.id = 2 AND b.status = 'interrupted'`); n != 1 {
		t.Errorf("the partial reproduction is not kept, linked and interrupted")
	}
	if n := queryInt(t, db, `SELECT count(*) FROM trials WHERE run_id = 2`); n < 3 {
		t.Errorf("%d trials kept, want the finished ones", n)
	}
}

// interruptAfter runs exp with args in dir, sends SIGINT once run runID has
// 3 trials in the database at path, checks exit status 130, and returns
// stdout and stderr.
func interruptAfter(t *testing.T, dir, path string, runID int, args ...string) (stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(expBin, args...)
	cmd.Dir = dir
	cmd.Env = baseEnv()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("exp %v committed no trial within 60s", args)
		}
		if db, err := sql.Open("sqlite", "file:"+path+"?mode=ro"); err == nil {
			var n int
			err = db.QueryRow(`SELECT count(*) FROM trials WHERE run_id = ?`, runID).Scan(&n)
			db.Close()
			if err == nil && n >= 3 {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Fatalf("exp %v: exit = %v, want 130\n%s", args, err, errb.String())
	}
	return out.String(), errb.String()
}
