package main

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// faultYAML is 2 ranges x 3 schedules x 2 worker counts = 12 cells of
// 1 warmup + 80 repeats: 972 trials of 12 to 20 ms, some 15 s in all on 2
// idle cores. A start of exp, killed 50 to 600 ms in, runs some 25 of
// them on this machine: about 40 kills' worth, so that a machine twice as
// fast still gets minKills, and a slow or busy one stops at maxKills.
const faultYAML = `name: fault-injection
seed: 2024
repeats: 80
warmup: 1
ranges:
  - {start: 10000000000000, count: 120}
  - {start: 1000000000000, count: 240}
workers: [1, 2]
schedules: [per-item, chunked, static]
chunk: 8
`

// Fault injection: how many SIGKILLs at least and at most (then the last
// resume runs to the end, which bounds the test's time on a busy machine),
// the span their delays are drawn from, the trials planned, and the
// heartbeat interval (a killed run is abandoned 3 intervals later).
const (
	minKills       = 20
	maxKills       = 40
	minKillDelay   = 50 * time.Millisecond
	maxKillDelay   = 600 * time.Millisecond
	faultPlanned   = 12 * 81
	faultHeartbeat = 50 * time.Millisecond
)

// TestFaultInjection kills exp run with SIGKILL at seeded random moments
// (50 to 600 ms after each start: while it opens the file, resumes the
// run, runs a trial or commits one) and resumes the run each time with
// exp run --resume, until it is done. After every kill the file passes
// PRAGMA integrity_check and still holds every trial seen committed
// before. At the end no (cell, rep) is duplicated or missing, every trial
// is counted by the invocation that committed it, the run is done, and each
// cell's prime counts and checksums equal those of an uninterrupted run of
// the same file, made meanwhile into another file.
func TestFaultInjection(t *testing.T) {
	if testing.Short() {
		t.Skip("kills and resumes a 15-second run 20 to 40 times")
	}
	began := time.Now()
	dir := t.TempDir()
	writeFile(t, dir, "f.yaml", faultYAML)
	ref := startExp(t, dir, nil, "run", "f.yaml", "--db", "ref.db", "-q")

	env := []string{"EXP_HEARTBEAT=" + faultHeartbeat.String()}
	path := filepath.Join(dir, "f.db")
	rng := rand.New(rand.NewPCG(20240607, 7))
	kills, starts, done := 0, 0, false
	var seen map[int]bool // seqs stored after the previous kill
	// start runs exp on f.db: a new run if it holds none yet (the first
	// time, or when a kill came before the run was created), else a resume.
	start := func() (*background, []string) {
		args := []string{"run", "--resume", "1", "--db", "f.db", "-q"}
		if !hasRun(t, path) {
			args = []string{"run", "f.yaml", "--db", "f.db", "-q"}
		}
		starts++
		return startExp(t, dir, env, args...), args
	}
	for !done && kills < maxKills {
		b, args := start()
		delay := minKillDelay + time.Duration(rng.Int64N(int64(maxKillDelay-minKillDelay)+1))
		select {
		case <-b.exited:
		case <-time.After(delay):
		}
		if !b.running() {
			if code, stderr := b.wait(t, time.Second); code != 0 {
				t.Fatalf("after %d kills, exp %s: exit %d\n%s", kills, strings.Join(args, " "), code, stderr)
			}
			done = true
			break
		}
		b.signal(t, syscall.SIGKILL)
		if code, _ := b.wait(t, 10*time.Second); code != -1 {
			t.Fatalf("exp exited %d, not by the kill", code)
		}
		kills++
		seen = checkAfterKill(t, path, seen, kills)
		done = storedStatus(t, path) == "done" // killed after it marked the run done
		if !done {
			waitAbandoned(t, dir, env, path)
		}
	}
	beforeLast := storedTrials(path)
	if !done { // enough kills: let the last resume finish
		b, args := start()
		if code, stderr := b.wait(t, 2*time.Minute); code != 0 {
			t.Fatalf("after %d kills, exp %s: exit %d\n%s", kills, strings.Join(args, " "), code, stderr)
		}
	}
	code, stderr := ref.wait(t, 2*time.Minute)
	if code != 0 {
		t.Fatalf("uninterrupted run: exit %d\n%s", code, stderr)
	}
	t.Logf("%d kills, %d starts of exp, %d of %d trials stored before the last start, %v",
		kills, starts, beforeLast, faultPlanned, time.Since(began).Round(time.Millisecond))
	if kills < minKills {
		t.Errorf("the run was done after %d kills, want at least %d: make faultYAML longer", kills, minKills)
	}

	db := openDB(t, path)
	var check string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity_check = %q, %v", check, err)
	}
	if got := runStatus(t, dir, env, "f.db"); got != "done" {
		t.Errorf("exp runs: status %s, want done", got)
	}
	for q, want := range map[string]int{
		`SELECT count(*) FROM runs`: 1,
		`SELECT count(*) FROM runs WHERE status = 'done' AND error IS NULL AND finished_at IS NOT NULL`: 1,
		`SELECT count(*) FROM trials`:                                     faultPlanned,
		`SELECT count(*) FROM trials WHERE ok = 1`:                        faultPlanned,
		`SELECT count(DISTINCT seq) FROM trials`:                          faultPlanned,
		`SELECT count(*) FROM (SELECT DISTINCT cell_id, rep FROM trials)`: faultPlanned,
		`SELECT count(*) FROM (SELECT cell_id FROM trials GROUP BY cell_id HAVING min(rep) = 0 AND max(rep) = 80 AND count(*) = 81)`: 12,
		`SELECT count(*) FROM (SELECT trial_id FROM trial_workers GROUP BY trial_id)`:                                                faultPlanned,
		`SELECT sum(trials) FROM run_invocations`:                                                                                    faultPlanned,
		`SELECT count(*) FROM run_invocations WHERE kind = 'start'`:                                                                  1,
	} {
		if n := queryInt(t, db, q); n != want {
			t.Errorf("%s = %d, want %d", q, n, want)
		}
	}
	if got, want := cellAnswers(t, db), cellAnswers(t, openDB(t, filepath.Join(dir, "ref.db"))); got != want {
		t.Errorf("per-cell answers after %d kills:\n%s\nwant those of the uninterrupted run:\n%s", kills, got, want)
	}
	if r := exp(t, dir, env, "report", "--db", "f.db"); r.code != 0 || !strings.Contains(r.stdout, "warning: resumed: the trials came from") {
		t.Errorf("report: exit %d, want the resumed warning\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// hasRun reports whether the file at path holds a run.
func hasRun(t *testing.T, path string) bool {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM runs`).Scan(&n); err != nil {
		return false // no file yet, or killed before the schema was committed
	}
	return n > 0
}

// storedStatus is the status stored for run 1 of path ("" if none).
func storedStatus(t *testing.T, path string) string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var s string
	if err := db.QueryRow(`SELECT status FROM runs WHERE id = 1`).Scan(&s); err != nil {
		return ""
	}
	return s
}

// checkAfterKill checks the file right after a kill: integrity_check is
// ok, and every trial stored after the previous kill (prev) still is. It
// returns the trials stored now.
func checkAfterKill(t *testing.T, path string, prev map[int]bool, kill int) map[int]bool {
	t.Helper()
	if !hasRun(t, path) {
		return prev
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var check string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("after kill %d: integrity_check = %q, %v", kill, check, err)
	}
	rows, err := db.Query(`SELECT seq FROM trials`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	now := map[int]bool{}
	for rows.Next() {
		var seq int
		if err := rows.Scan(&seq); err != nil {
			t.Fatal(err)
		}
		now[seq] = true
	}
	for seq := range prev {
		if !now[seq] {
			t.Fatalf("after kill %d: trial %d, stored before, is gone", kill, seq)
		}
	}
	return now
}

// waitAbandoned waits until exp runs shows run 1 of path abandoned, so
// that it may be resumed.
func waitAbandoned(t *testing.T, dir string, env []string, path string) {
	t.Helper()
	if !hasRun(t, path) {
		return
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := runStatus(t, dir, env, filepath.Base(path))
		if got == "abandoned" {
			return
		}
		if got != "running" || time.Now().After(deadline) {
			t.Fatalf("after a kill: status %s, want running, then abandoned within 10s", got)
		}
		time.Sleep(faultHeartbeat)
	}
}

// cellAnswers lists, per cell, the distinct prime counts and checksums
// its trials found.
func cellAnswers(t *testing.T, db *sql.DB) string {
	t.Helper()
	rows, err := db.Query(`SELECT c.range_start, c.range_count, c.schedule, c.workers, group_concat(DISTINCT t.primes || ' ' || t.checksum)
		FROM trials t JOIN cells c ON c.id = t.cell_id GROUP BY c.idx ORDER BY c.idx`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var start, count, workers int64
		var schedule, answers string
		if err := rows.Scan(&start, &count, &schedule, &workers, &answers); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%d+%d %s %d: %s\n", start, count, schedule, workers, answers)
	}
	return b.String()
}
