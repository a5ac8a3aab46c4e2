package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// hooksYAML is a command kernel whose trials read what setup wrote, with
// prepare and conclude appending a line per trial (prepare fails for the
// cell of 2 workers when FAIL2 exists) and cleanup writing a file.
const hooksYAML = `name: hooks
kernel: command
command: ["cat", "setup.out"]
check: stdout
workers: [1, 2]
repeats: 3
warmup: 1
setup: ["sh", "-c", "echo made >> setup.out; echo setup >> log"]
prepare: ["sh", "-c", "echo prepare {workers} >> log; if [ {workers} = 2 ] && [ -e FAIL2 ]; then echo no cache >&2; exit 3; fi"]
conclude: ["sh", "-c", "echo conclude {workers} >> log"]
cleanup: ["sh", "-c", "echo cleanup >> log; rm -f setup.out"]
`

func countLines(t *testing.T, path, prefix string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, prefix) {
			n++
		}
	}
	return n
}

// TestHooksRun: setup runs once before the first trial (the trials read
// its file), prepare and conclude once per trial, cleanup once at the end;
// all are stored.
func TestHooksRun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir, "h.yaml", hooksYAML)
	if r := exp(t, dir, nil, "run", "-q", "h.yaml"); r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	log := filepath.Join(dir, "log")
	b, _ := os.ReadFile(log)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if lines[0] != "setup" || lines[len(lines)-1] != "cleanup" {
		t.Errorf("log does not start with setup and end with cleanup:\n%s", b)
	}
	for prefix, want := range map[string]int{"setup": 1, "prepare": 8, "conclude": 8, "cleanup": 1} {
		if n := countLines(t, log, prefix); n != want {
			t.Errorf("%s ran %d times, want %d", prefix, n, want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "setup.out")); !os.IsNotExist(err) {
		t.Errorf("cleanup did not remove setup.out: %v", err)
	}
	db := openDB(t, filepath.Join(dir, "exp.db"))
	if n := queryInt(t, db, `SELECT count(*) FROM trials WHERE ok = 1 AND conclude_status = 0 AND checksum = ?`, sha("made\n")); n != 8 {
		t.Errorf("%d trials read setup's file and concluded, want 8", n)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM runs WHERE status = 'done' AND cleanup_status = 0 AND hooks LIKE '{"setup":["sh","-c",%' AND hooks LIKE '%"cleanup":%'`); n != 1 {
		t.Errorf("the run's hooks or cleanup status are not stored")
	}
}

// TestHooksPrepareFails: a failing prepare skips its trial with a record,
// the run goes on, the report says how many were skipped, and the views
// hold the report's numbers (no skipped trial is a trial).
func TestHooksPrepareFails(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir, "h.yaml", hooksYAML)
	writeFile(t, dir, "FAIL2", "")
	r := exp(t, dir, nil, "run", "h.yaml")
	if r.code != 0 || !strings.Contains(r.stderr, "skipped: prepare failed (exit 3): no cache") {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	db := openDB(t, filepath.Join(dir, "exp.db"))
	if n := queryInt(t, db, `SELECT count(*) FROM skipped_trials WHERE prepare_status = 3 AND reason = 'prepare failed (exit 3): no cache'`); n != 4 {
		t.Errorf("%d skipped trials recorded, want 4", n)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM trials`); n != 4 {
		t.Errorf("%d trials stored, want the 1-worker cell's 4", n)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM cell_stats WHERE workers = 2 AND n = 0 AND failed = 0`); n != 1 {
		t.Errorf("cell_stats counts skipped trials")
	}
	rep := exp(t, dir, nil, "report")
	if rep.code != 0 || !strings.Contains(rep.stdout, "4 trials skipped: prepare failed (exit 3)") {
		t.Errorf("report: exit %d\n%s%s", rep.code, rep.stdout, rep.stderr)
	}
	if n := countLines(t, filepath.Join(dir, "log"), "conclude 2"); n != 0 {
		t.Errorf("conclude ran after %d skipped trials", n)
	}
}

// TestHooksSetupFails: a failing setup fails the run before any trial and
// stores nothing.
func TestHooksSetupFails(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir, "h.yaml", strings.Replace(hooksYAML, `setup: ["sh", "-c", "echo made >> setup.out; echo setup >> log"]`,
		`setup: ["sh", "-c", "echo broken >&2; exit 2"]`, 1))
	r := exp(t, dir, nil, "run", "h.yaml")
	if r.code != 1 || !strings.Contains(r.stderr, "setup hook failed (exit 2): broken") || !strings.Contains(r.stderr, "no run was stored") {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "log")); !os.IsNotExist(err) {
		t.Errorf("a hook or trial ran after the failed setup")
	}
	if _, err := os.Stat(filepath.Join(dir, "exp.db")); !os.IsNotExist(err) {
		t.Errorf("a database was made: %v", err)
	}
}

// TestHooksCleanupAfterInterrupt: cleanup runs after an interrupted run.
func TestHooksCleanupAfterInterrupt(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir, "h.yaml", strings.Replace(hooksYAML, "repeats: 3", "repeats: 100000", 1))
	r := exp(t, dir, nil, "run", "-q", "--max-duration", "500ms", "h.yaml")
	if r.code == 0 {
		t.Fatalf("exit 0\n%s", r.stderr)
	}
	if n := countLines(t, filepath.Join(dir, "log"), "cleanup"); n != 1 {
		t.Errorf("cleanup ran %d times after the interrupt, want 1\n%s", n, r.stderr)
	}
	db := openDB(t, filepath.Join(dir, "exp.db"))
	if n := queryInt(t, db, `SELECT count(*) FROM runs WHERE status = 'interrupted' AND cleanup_status = 0`); n != 1 {
		t.Errorf("interrupted run's cleanup not recorded")
	}
}

// TestHooksBadConfig: bad hooks are config errors with line:column.
func TestHooksBadConfig(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ hook, want string }{
		{`setup: ["make", "{workers}"]`, "h.yaml:10:17: setup[1]: uses {workers}, but setup runs once"},
		{`prepare: ["x", "{nope}"]`, "h.yaml:10:16: prepare[1]: unknown placeholder {nope}"},
		{`conclude: []`, "h.yaml:10:11: conclude"},
		{`cleanup: "rm -f x"`, "h.yaml:10:10: cleanup"},
		{`prepare: ["x", "{input}"]`, "h.yaml:10:16: prepare[1]: uses {input} but the file has no inputs"},
	} {
		dir := t.TempDir()
		writeFile(t, dir, "h.yaml", "name: bad\nkernel: command\ncommand: [\"true\"]\ncheck: exit\nworkers: [1]\nrepeats: 1\nwarmup: 0\n\n\n"+tc.hook+"\n")
		r := exp(t, dir, nil, "run", "h.yaml")
		if r.code == 0 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%s: exit %d, stderr %q, want %q", tc.hook, r.code, r.stderr, tc.want)
		}
	}
}

// TestHooksResume: exp run --resume runs setup again (what it made may be
// gone), prepare and conclude around each trial it adds, and cleanup at
// its end; the trials a failing prepare skipped are run again.
func TestHooksResume(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir, "h.yaml", strings.Replace(hooksYAML, "repeats: 3", "repeats: 150", 1))
	writeFile(t, dir, "FAIL2", "")
	if r := exp(t, dir, nil, "run", "-q", "--max-duration", "400ms", "h.yaml"); r.code != 130 {
		t.Fatalf("first part: exit %d, want 130\n%s", r.code, r.stderr)
	}
	db := openDB(t, filepath.Join(dir, "exp.db"))
	before := queryInt(t, db, `SELECT count(*) FROM trials`)
	if skipped := queryInt(t, db, `SELECT count(*) FROM skipped_trials`); skipped == 0 || before+skipped >= 302 {
		t.Fatalf("first part: %d trials and %d skipped of 302; want some skipped and the run unfinished", before, skipped)
	}
	os.Remove(filepath.Join(dir, "FAIL2"))
	if r := exp(t, dir, nil, "run", "-q", "--resume", "1"); r.code != 0 {
		t.Fatalf("resume: exit %d\n%s", r.code, r.stderr)
	}
	log := filepath.Join(dir, "log")
	for prefix, want := range map[string]int{"setup": 2, "cleanup": 2} {
		if n := countLines(t, log, prefix); n != want {
			t.Errorf("%s ran %d times over both parts, want %d", prefix, n, want)
		}
	}
	// The interrupt may cut short the conclude hook of the last trial of
	// the first part: that trial is kept, with no conclude status.
	if n := countLines(t, log, "conclude"); n < 301 || n > 302 {
		t.Errorf("conclude ran %d times over both parts, want 302 (301 if the interrupt cut one short)", n)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM trials WHERE ok = 1 AND (conclude_status = 0 OR conclude_status IS NULL)`); n != 302 {
		t.Errorf("%d trials correct after the resume, want 302 (the skipped ones run again)", n)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM trials WHERE conclude_status IS NULL`); n > 1 {
		t.Errorf("%d trials without a conclude status, want at most the one the interrupt cut short", n)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM skipped_trials`); n != 0 {
		t.Errorf("%d skipped trials still recorded after they ran", n)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM runs WHERE status = 'done' AND cleanup_status = 0`); n != 1 {
		t.Errorf("the resumed run is not done with its cleanup recorded")
	}
}
