package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// timeoutYAML sleeps 400 ms of parallel work under a 200 ms timeout: every
// 1-worker trial times out, and every 80-worker trial (5 ms) finishes far
// within it, because sleeping takes wall time, not CPU.
const timeoutYAML = `name: timeouts
seed: 5
repeats: 2
warmup: 1
kernel: synthetic
synthetic: {serial: 0s, parallel: 400ms, mode: sleep}
workers: [1, 80]
timeout: 200ms
`

// csvRows reads a report's CSV into maps keyed by column, one per cell.
func csvRows(t *testing.T, out string) []map[string]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("report csv: %v\n%s", err, out)
	}
	var cells []map[string]string
	for _, row := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			m[h] = row[i]
		}
		cells = append(cells, m)
	}
	return cells
}

// TestTimeoutEndToEnd: a trial past the file's timeout is cancelled and
// stored as timed out, not as a wrong answer; the run goes on and is done,
// and the report flags the cell and leaves those trials out.
func TestTimeoutEndToEnd(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "t.yaml", timeoutYAML)
	r := exp(t, dir, nil, "run", "t.yaml")
	// Every 1-worker trial times out; on a very busy machine an 80-worker
	// one may overrun too, and is then timed out as well, never failed.
	if r.code != 0 || !strings.Contains(r.stderr, "run 1 done: 6 trials in ") || !strings.Contains(r.stderr, " timed out, in no statistic)") {
		t.Fatalf("run: exit %d, want 0 and a done line counting the timed-out trials\n%s", r.code, r.stderr)
	}
	db := openDB(t, filepath.Join(dir, "exp.db"))
	for q, want := range map[string]int{
		`SELECT count(*) FROM runs WHERE status = 'done' AND error IS NULL`: 1,
		`SELECT count(*) FROM trials t JOIN cells c ON c.id = t.cell_id WHERE c.workers = 1 AND t.timed_out = 1 AND t.ok = 0
			AND t.mismatch LIKE 'timed out: % (timeout 200ms)%' AND t.wall_ns >= 200000000`: 3,
		`SELECT count(*) FROM trials t JOIN cells c ON c.id = t.cell_id WHERE c.workers = 80 AND t.ok + t.timed_out = 1`: 3,
		`SELECT count(*) FROM trials WHERE ok = 0 AND timed_out = 0`:                                                     0, // no wrong answers
	} {
		if n := queryInt(t, db, q); n != want {
			t.Errorf("%s = %d, want %d", q, n, want)
		}
	}
	r = exp(t, dir, nil, "report")
	if r.code != 0 || !strings.Contains(r.stdout, "timed out: 3 trials cancelled at the timeout, in no statistic") ||
		!strings.Contains(r.stdout, "warning: timed out: ") || !strings.Contains(r.stdout, "cancelled at the experiment's timeout") ||
		strings.Contains(r.stdout, "FAILED") {
		t.Errorf("report: exit %d, want the cell and the run flagged as timed out, nothing FAILED\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = exp(t, dir, nil, "report", "--format", "csv")
	for _, c := range csvRows(t, r.stdout) {
		switch c["workers"] {
		case "1":
			if c["timed_out"] != "3" || c["n"] != "0" || c["failed"] != "0" {
				t.Errorf("1-worker cell: timed_out %s, n %s, failed %s; want 3, 0, 0", c["timed_out"], c["n"], c["failed"])
			}
		case "80":
			if n, _ := strconv.Atoi(c["n"]); n > 2 || c["failed"] != "0" {
				t.Errorf("80-worker cell: n %s, failed %s; want at most 2 and none failed", c["n"], c["failed"])
			}
		}
	}
	if r := exp(t, dir, nil, "show"); !strings.Contains(r.stdout, "6: 4 measured, 2 warmup; 0 of them failed, ") || !strings.Contains(r.stdout, " timed out") {
		t.Errorf("show does not count the timed-out trials:\n%s", r.stdout)
	}
}

// TestMaxDurationEndToEnd: --max-duration stops a run as an interrupt
// does: exit 130, finished trials kept, the run marked interrupted with a
// message naming the limit; and, during the oracle, nothing is stored.
func TestMaxDurationEndToEnd(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "long.yaml", strings.Replace(smallYAML, "repeats: 2", "repeats: 1000", 1))
	r := exp(t, dir, nil, "run", "long.yaml", "-q", "--max-duration", "3s")
	if r.code != 130 {
		t.Fatalf("exit %d, want 130\n%s", r.code, r.stderr)
	}
	db := openDB(t, filepath.Join(dir, "exp.db"))
	kept := queryInt(t, db, `SELECT count(*) FROM trials`)
	if kept >= 6006 {
		t.Errorf("%d trials kept, want fewer than the 6006 planned", kept)
	}
	msg := "stopped after --max-duration 3s; " + strconv.Itoa(kept) + " of 6006 trials done"
	if n := queryInt(t, db, `SELECT count(*) FROM runs WHERE status = 'interrupted' AND finished_at IS NOT NULL AND error = ?`, msg); n != 1 {
		t.Errorf("the run is not marked interrupted with %q", msg)
	}
	if lines := strings.Split(strings.TrimSpace(r.stderr), "\n"); len(lines) != 1 || !strings.Contains(lines[0], "run 1 "+msg+"; kept "+strconv.Itoa(kept)+" finished trials") {
		t.Errorf("stderr = %q, want one line saying %q", r.stderr, msg)
	}
	if r := exp(t, dir, nil, "report"); r.code != 0 || !strings.Contains(r.stdout, "run status is interrupted") || !strings.Contains(r.stdout, "error: "+msg) {
		t.Errorf("report of a run stopped by --max-duration: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	t.Run("DuringTheOracle", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, dir, "big.yaml", "name: big\nranges: [{start: 1, count: 100000000}]\nworkers: [1]\n")
		r := exp(t, dir, nil, "run", "big.yaml", "--max-duration", "300ms")
		if r.code != 130 || !strings.Contains(r.stderr, "stopped after --max-duration 300ms while the oracle computed the answers, before the first trial: no run was stored") {
			t.Errorf("exit %d, want 130 and a message\n%s", r.code, r.stderr)
		}
		if _, err := os.Stat(filepath.Join(dir, "exp.db")); err == nil {
			t.Error("a run stopped during the oracle created a database")
		}
	})
	t.Run("ErrNotPositive", func(t *testing.T) {
		for arg, want := range map[string]string{"0s": "--max-duration must be a duration > 0 such as 2h or 30m, got 0s",
			"soon": `--max-duration must be a duration such as 2h or 30m, got "soon"`} {
			r := exp(t, dir, nil, "run", "long.yaml", "--max-duration", arg)
			if r.code != 2 || strings.TrimSpace(r.stderr) != "exp: "+want {
				t.Errorf("--max-duration %s: exit %d, stderr %q; want 2 and %q", arg, r.code, r.stderr, want)
			}
		}
	})
}

// hog keeps every CPU of the machine busy with a shell loop until the test
// ends.
func hog(t *testing.T) {
	t.Helper()
	for range runtime.NumCPU() {
		cmd := exec.Command("sh", "-c", "while :; do :; done")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			cmd.Process.Kill()
			cmd.Wait()
		})
	}
	time.Sleep(100 * time.Millisecond) // let them start
}

func needProcStat(t *testing.T) {
	t.Helper()
	if _, err := os.Stat("/proc/stat"); err != nil {
		t.Skip("no /proc/stat: other processes' CPU is not measured here")
	}
}

// TestContendedEndToEnd: every trial records the CPU other processes used;
// a trial made contended with SQL is flagged in the report and left out
// with --exclude-contended, which says how many; and a real CPU hog beside
// a run is noticed.
func TestContendedEndToEnd(t *testing.T) {
	needProcStat(t)
	dir := t.TempDir()
	writeFile(t, dir, "e.yaml", smallYAML)
	if r := exp(t, dir, nil, "run", "e.yaml", "-q"); r.code != 0 {
		t.Fatalf("run: exit %d\n%s", r.code, r.stderr)
	}
	path := filepath.Join(dir, "exp.db")
	if n := queryInt(t, openDB(t, path), `SELECT count(*) FROM trials WHERE other_cpu_ns IS NOT NULL AND other_cpu_ns >= 0`); n != 18 {
		t.Fatalf("%d of 18 trials recorded other_cpu_ns, want all on Linux", n)
	}
	// The machine running the tests is busy: make every trial quiet, then
	// the chunked 2-worker cell's contended (twice its wall time of others'
	// CPU, and 50 ms more, far beyond the threshold).
	execSQL(t, path, `UPDATE trials SET other_cpu_ns = 0`)
	execSQL(t, path, `UPDATE trials SET other_cpu_ns = 2 * wall_ns + 50000000
		WHERE cell_id = (SELECT id FROM cells WHERE schedule = 'chunked' AND workers = 2)`)
	r := exp(t, dir, nil, "report")
	if r.code != 0 || !strings.Contains(r.stdout, "CONTENDED") ||
		!strings.Contains(r.stdout, "contended: 2 of 2 trials ran while other processes kept more than 0.2 CPUs busy") ||
		!strings.Contains(r.stdout, "warning: contended: 2 of 12 measured trials, in 1 cell, ran while other processes kept more than 0.2 CPUs busy: they are kept; exp report --exclude-contended leaves them out") {
		t.Errorf("report does not flag the contended cell:\n%s%s", r.stdout, r.stderr)
	}
	r = exp(t, dir, nil, "report", "--exclude-contended")
	if r.code != 0 || !strings.Contains(r.stdout, "2 out") ||
		!strings.Contains(r.stdout, "contended: 2 of 2 trials ran while other processes kept more than 0.2 CPUs busy (the cell's median: ") ||
		!strings.Contains(r.stdout, "warning: contended: left out 2 contended of 12 measured trials, in 1 cell") {
		t.Errorf("report --exclude-contended does not say what it left out:\n%s%s", r.stdout, r.stderr)
	}
	r = exp(t, dir, nil, "report", "--exclude-contended", "--format", "csv")
	for _, c := range csvRows(t, r.stdout) {
		hit := c["schedule"] == "chunked" && c["workers"] == "2"
		if want := map[bool][3]string{true: {"0", "2", "2"}, false: {"2", "0", "0"}}[hit]; c["n"] != want[0] || c["contended"] != want[1] || c["contended_excluded"] != want[2] {
			t.Errorf("%s %s-worker cell: n %s, contended %s, excluded %s; want %v", c["schedule"], c["workers"], c["n"], c["contended"], c["contended_excluded"], want)
		}
	}

	t.Run("RealHog", func(t *testing.T) {
		// A loose check: with a busy loop on every CPU beside the run, some
		// trial must see other processes' CPU beyond the threshold.
		dir := t.TempDir()
		writeFile(t, dir, "h.yaml", "name: hog\nseed: 1\nrepeats: 3\nwarmup: 0\nranges: [{start: 10000000000000, count: 1000}]\nworkers: [1]\nschedules: [static]\n")
		hog(t)
		if r := exp(t, dir, nil, "run", "h.yaml", "-q"); r.code != 0 {
			t.Fatalf("run: exit %d\n%s", r.code, r.stderr)
		}
		db := openDB(t, filepath.Join(dir, "exp.db"))
		if n := queryInt(t, db, `SELECT count(*) FROM trials WHERE other_cpu_ns > 0.2 * wall_ns + 20000000`); n == 0 {
			t.Errorf("no trial saw the CPU hog")
		}
		if r := exp(t, dir, nil, "report"); !strings.Contains(r.stdout, "contended: ") {
			t.Errorf("report does not flag the hogged trials:\n%s", r.stdout)
		}
	})
}

// TestQuietMachineEndToEnd: --quiet-machine=DURATION waits before each
// trial, at least one 200 ms look at the machine and at most the bound
// (here, with a busy loop on every CPU, the bound), records each wait, and
// says on stderr that it is waiting. Without it no wait is recorded.
func TestQuietMachineEndToEnd(t *testing.T) {
	needProcStat(t)
	dir := t.TempDir()
	writeFile(t, dir, "q.yaml", "name: quiet\nseed: 1\nrepeats: 2\nwarmup: 0\nkernel: synthetic\n"+
		"synthetic: {serial: 0s, parallel: 10ms, mode: sleep}\nworkers: [1]\n")
	if r := exp(t, dir, nil, "run", "q.yaml", "-q", "--db", "plain.db"); r.code != 0 {
		t.Fatalf("run: exit %d\n%s", r.code, r.stderr)
	}
	if n := queryInt(t, openDB(t, filepath.Join(dir, "plain.db")), `SELECT count(*) FROM trials WHERE quiet_wait_ns IS NULL`); n != 2 {
		t.Errorf("%d of 2 trials without --quiet-machine have no wait recorded, want 2", n)
	}
	hog(t)
	r := exp(t, dir, nil, "run", "--quiet-machine=600ms", "q.yaml") // the flag before the file: the file is not its value
	if r.code != 0 {
		t.Fatalf("run: exit %d\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "progress: before trial 1 of 2, waiting for a quiet machine: other processes keep ") ||
		!strings.Contains(r.stderr, "waited") || !strings.Contains(r.stderr, "in all for a quiet machine)") {
		t.Errorf("stderr does not say that the run waited:\n%s", r.stderr)
	}
	db := openDB(t, filepath.Join(dir, "exp.db"))
	if n := queryInt(t, db, `SELECT count(*) FROM trials WHERE quiet_wait_ns >= 200000000 AND quiet_wait_ns < 60000000000`); n != 2 {
		t.Errorf("%d of 2 trials recorded a wait of at least one 200ms look, want 2", n)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM trials WHERE quiet_wait_ns >= 600000000`); n == 0 {
		t.Errorf("no trial waited the 600ms bound beside a busy loop on every CPU")
	}
	if r := exp(t, dir, nil, "run", "q.yaml", "--quiet-machine=soon"); r.code != 2 ||
		strings.TrimSpace(r.stderr) != `exp: --quiet-machine must be a duration > 0 such as 30s or 5m, got "soon"` {
		t.Errorf("--quiet-machine=soon: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestDryRunEndToEnd: --dry-run prints the matrix, the first trials of the
// seeded order (the order a real run then follows) and an estimate, and
// creates no database, wherever --db points.
func TestDryRunEndToEnd(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "e.yaml", smallYAML)
	r := exp(t, dir, []string{"EXP_DB=env.db"}, "run", "e.yaml", "--dry-run", "--db", "x.db", "--max-duration", "1h")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("dry run: exit %d\n%s", r.code, r.stderr)
	}
	for _, want := range []string{
		"dry run of e.yaml: nothing runs and no database is opened (a run would write to x.db)",
		`"small": kernel primes, strong scaling, seed 7`,
		"matrix: 1 range x 3 schedules x 2 worker counts = 6 cells; 2 repeats + 1 warmup = 3 trials each; 18 trials",
		"CELL  RANGE", "the first 12 of 18 trials, in the order of seed 7:", "estimate: about ",
		"--max-duration 1h: the run should end within it",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("dry run lacks %q:\n%s", want, r.stdout)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 {
		t.Errorf("dry run left %d files in its directory, want only e.yaml: %v", len(entries), entries)
	}
	// The order shown is the one a run follows.
	if r := exp(t, dir, nil, "run", "e.yaml", "-q"); r.code != 0 {
		t.Fatalf("run: exit %d\n%s", r.code, r.stderr)
	}
	db := openDB(t, filepath.Join(dir, "exp.db"))
	_, order, _ := strings.Cut(r.stdout, "REP")
	lines := strings.Split(strings.TrimSpace(order), "\n")
	for _, line := range lines[:12] {
		f := strings.Fields(line)
		var schedule string
		var workers int
		if err := db.QueryRow(`SELECT c.schedule, c.workers FROM trials t JOIN cells c ON c.id = t.cell_id WHERE t.seq = ?`, f[0]).Scan(&schedule, &workers); err != nil {
			t.Fatal(err)
		}
		if schedule != f[4] || strconv.Itoa(workers) != f[5] {
			t.Errorf("dry run's trial %s is %s/%s, the run's %s/%d", f[0], f[4], f[5], schedule, workers)
		}
	}
	if r := exp(t, dir, nil, "run", "--dry-run", "missing.yaml"); r.code != 2 || !strings.Contains(r.stderr, "missing.yaml: cannot read experiment file") {
		t.Errorf("dry run of a missing file: exit %d\n%s", r.code, r.stderr)
	}
}

// TestOracleProgress: the oracle's phase before the first trial reports
// progress like the trials: plain lines off a terminal (here every 10 ms),
// and nothing for an oracle too quick to watch.
func TestOracleProgress(t *testing.T) {
	defer func(old time.Duration) { ProgressEvery = old }(ProgressEvery)
	ProgressEvery = 10 * time.Millisecond
	dir := t.TempDir()
	cfg := writeFile(t, dir, "o.yaml", "name: oracle\nseed: 1\nrepeats: 1\nwarmup: 0\nranges: [{start: 1, count: 100000}]\nworkers: [2]\nschedules: [static]\n")
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"exp", "run", cfg, "--db", filepath.Join(dir, "o.db")}, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "oracle: ") || !strings.Contains(stderr.String(), "oracle: 100000/100000 numbers (100%)") {
		t.Errorf("stderr lacks the oracle's progress:\n%s", stderr.String())
	}
	if i, j := strings.Index(stderr.String(), "oracle: "), strings.Index(stderr.String(), "run 1 ("); i < 0 || j < i {
		t.Errorf("the oracle's progress should come before the run starts:\n%s", stderr.String())
	}

	t.Run("QuickOracleIsSilent", func(t *testing.T) {
		cfg := writeFile(t, dir, "s.yaml", smallYAML)
		stderr.Reset()
		ProgressEvery = time.Hour
		if err := run(context.Background(), []string{"exp", "run", cfg, "--db", filepath.Join(dir, "s.db")}, &stdout, &stderr); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(stderr.String(), "oracle: ") {
			t.Errorf("a quick oracle printed progress:\n%s", stderr.String())
		}
	})
}

// TestOracleProgressOnTerminal: under a pseudo-terminal (script(1)) the
// oracle draws a bar once it has run for a second.
func TestOracleProgressOnTerminal(t *testing.T) {
	if _, err := exec.LookPath("script"); err != nil {
		t.Skip("script(1) from util-linux is not installed")
	}
	dir := t.TempDir()
	writeFile(t, dir, "o.yaml", "name: oracle\nranges: [{start: 1, count: 100000000}]\nworkers: [1]\n")
	// --max-duration ends it while the oracle still runs (it would take minutes).
	cmd := exec.Command("script", "-qec", expBin+" run o.yaml --max-duration 2500ms", "/dev/null")
	cmd.Dir = dir
	out, _ := cmd.CombinedOutput()
	if s := string(out); !strings.Contains(s, "\r\033[Koracle [") || !strings.Contains(s, "/100000000 numbers") || !strings.Contains(s, "ETA") {
		t.Errorf("terminal output lacks the oracle's bar:\n%q", s)
	}
}
