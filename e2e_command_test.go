package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// sha is the hex SHA-256 of s, as exp stores a command's stdout.
func sha(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// gone reports whether process pid has ended (or is a zombie waiting for
// init to reap it), waiting up to 10 s for it.
func gone(pid int) bool {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if syscall.Kill(pid, 0) != nil {
			return true
		}
		if b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat")); err == nil {
			if f := strings.Fields(string(b)); len(f) > 2 && f[2] == "Z" {
				return true
			}
		}
	}
	return false
}

// readPID reads the process id a command wrote into dir/name.
func readPID(t *testing.T, dir, name string) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

// TestCommandPlaceholders: {workers} reaches the argv and env values, and
// EXP_WORKERS is set, in the child each cell starts.
func TestCommandPlaceholders(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir, "p.yaml", `name: placeholders
kernel: command
command: ["sh", "-c", "echo $EXP_WORKERS {workers} $FOO"]
env: {FOO: "w{workers}"}
check: exit
workers: [1, 3]
repeats: 1
warmup: 0
`)
	if r := exp(t, dir, nil, "run", "-q", "p.yaml"); r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	db := openDB(t, filepath.Join(dir, "exp.db"))
	for _, w := range []int{1, 3} {
		want := sha(strconv.Itoa(w) + " " + strconv.Itoa(w) + " w" + strconv.Itoa(w) + "\n")
		if n := queryInt(t, db, `SELECT count(*) FROM trials t JOIN cells c ON c.id = t.cell_id
			WHERE c.workers = ? AND t.checksum = ? AND t.ok = 1 AND t.exit_status = 0 AND t.primes = 1`, w, want); n != 1 {
			t.Errorf("%d workers: no trial printed the substituted line", w)
		}
	}
	if n := queryInt(t, db, `SELECT count(*) FROM runs WHERE kernel = 'command' AND command_check = 'exit'
		AND command_argv = '["sh","-c","echo $EXP_WORKERS {workers} $FOO"]' AND command_env = '{"FOO":"w{workers}"}'`); n != 1 {
		t.Errorf("the run's command is not stored as written")
	}
}

// TestCommandArgvNoShell: the argv goes to the program as written: an
// argument with spaces and $HOME arrives intact.
func TestCommandArgvNoShell(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir, "a.yaml", `name: argv
kernel: command
command: ["printf", "%s\n", "a b $HOME"]
workers: [1, 2]
repeats: 2
warmup: 0
`)
	if r := exp(t, dir, nil, "run", "-q", "a.yaml"); r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	db := openDB(t, filepath.Join(dir, "exp.db"))
	if n := queryInt(t, db, `SELECT count(*) FROM trials WHERE checksum = ? AND ok = 1`, sha("a b $HOME\n")); n != 4 {
		t.Errorf("%d of 4 trials printed %q", n, "a b $HOME\n")
	}
	r := exp(t, dir, nil, "report")
	if r.code != 0 || !strings.Contains(r.stdout, `command printf $'%s\n' 'a b $HOME'`) {
		t.Errorf("report does not name the command:\n%s%s", r.stdout, r.stderr)
	}
}

// TestCommandExitStatus: a non-zero exit is stored per trial, with the end
// of stderr, as a failed trial; the run goes on and ends failed.
func TestCommandExitStatus(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir, "e.yaml", `name: exit
kernel: command
command: ["sh", "-c", "echo first >&2; echo oops {workers} >&2; exit 3"]
workers: [1, 2]
repeats: 2
warmup: 1
`)
	r := exp(t, dir, nil, "run", "-q", "e.yaml")
	if r.code != 1 || !strings.Contains(r.stderr, "6 of 6 trials found a wrong answer") {
		t.Fatalf("exit %d, want 1 with 6 failed trials\n%s", r.code, r.stderr)
	}
	db := openDB(t, filepath.Join(dir, "exp.db"))
	if n := queryInt(t, db, `SELECT count(*) FROM trials WHERE exit_status = 3 AND ok = 0 AND timed_out = 0
		AND stderr_tail LIKE 'first' || char(10) || 'oops _' AND mismatch LIKE 'exit status 3: oops _'`); n != 6 {
		t.Errorf("%d of 6 trials stored exit status 3 with stderr's tail", n)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM runs WHERE status = 'failed'`); n != 1 {
		t.Errorf("run not failed")
	}
	if r := exp(t, dir, nil, "report"); !strings.Contains(r.stdout, "FAILED: 3 trials found a wrong answer") {
		t.Errorf("report does not show the failed trials:\n%s", r.stdout)
	}
	// exp export carries each trial's exit status and peak RSS.
	r = exp(t, dir, nil, "export", "--format", "jsonl")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	for _, l := range lines {
		var o map[string]any
		if err := json.Unmarshal([]byte(l), &o); err != nil || o["exit_status"] != 3.0 || o["max_rss_kb"] == nil {
			t.Errorf("export row %s (%v): want exit_status 3 and a max_rss_kb", l, err)
		}
	}
	if r.code != 0 || len(lines) != 6 {
		t.Errorf("export: exit %d, %d rows, want 6", r.code, len(lines))
	}
}

// TestCommandTimeout: at the timeout exp kills the command's whole process
// group, a shell's background child too, stores the trial as timed out,
// and goes on.
func TestCommandTimeout(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir, "t.yaml", `name: timeout
kernel: command
command: ["sh", "-c", "sleep 30 & echo $! > bg{workers}.pid; wait"]
workers: [1]
repeats: 1
warmup: 0
timeout: 300ms
`)
	start := time.Now()
	r := exp(t, dir, nil, "run", "-q", "t.yaml")
	if r.code != 0 {
		t.Fatalf("exit %d (a timed-out trial is no failure)\n%s", r.code, r.stderr)
	}
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("the run took %s: exp waited for the background sleep", took)
	}
	if pid := readPID(t, dir, "bg1.pid"); !gone(pid) {
		syscall.Kill(pid, syscall.SIGKILL)
		t.Errorf("the shell's background child %d outlived the timeout", pid)
	}
	db := openDB(t, filepath.Join(dir, "exp.db"))
	if n := queryInt(t, db, `SELECT count(*) FROM trials WHERE timed_out = 1 AND ok = 0 AND exit_status = 137
		AND wall_ns >= 300000000 AND mismatch LIKE 'timed out: killed after %'`); n != 1 {
		t.Errorf("the trial is not stored as timed out, killed by SIGKILL")
	}
}

// TestCommandStdoutMismatch: with check stdout, a trial whose output
// differs from its input's first trial is a wrong answer, and the run
// ends failed.
func TestCommandStdoutMismatch(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir, "in.txt", "data\n")
	writeFile(t, dir, "m.yaml", `name: mismatch
kernel: command
command: ["sh", "-c", "cat {input}; echo {workers}"]
inputs: [in.txt]
workers: [1, 2]
repeats: 2
warmup: 0
seed: 3
`)
	r := exp(t, dir, nil, "run", "-q", "m.yaml")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s", r.code, r.stderr)
	}
	db := openDB(t, filepath.Join(dir, "exp.db"))
	if n := queryInt(t, db, `SELECT count(*) FROM trials WHERE ok = 0 AND exit_status = 0
		AND mismatch LIKE 'stdout differs from the input''s first trial: 2 lines%'`); n != 2 {
		t.Errorf("%d trials stored the mismatch, want 2 (the other worker count's)", n)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM cells WHERE input = 'in.txt' AND input_size_bytes = 5 AND input_sha256 = ?
		AND range_start = 0 AND range_idx = 0 AND range_count = 1 AND schedule = 'static'`, sha("data\n")); n != 2 {
		t.Errorf("cells do not record the input")
	}
	if n := queryInt(t, db, `SELECT count(*) FROM runs WHERE status = 'failed'`); n != 1 {
		t.Errorf("run not failed")
	}
}

// TestCommandCPUTime: the child's rusage is its CPU time: exp kernel
// primes at 1 worker keeps about one CPU busy for its wall time.
func TestCommandCPUTime(t *testing.T) {
	// Not parallel, and 6 trials of which the best counts: other tests on
	// a 2-core machine keep the child off the CPU and lower user/wall.
	dir := t.TempDir()
	writeFile(t, dir, "c.yaml", `name: cpu
kernel: command
command: ["`+expBin+`", "kernel", "primes", "--count", "3000", "--workers", "{workers}"]
workers: [1]
repeats: 6
warmup: 0
`)
	if r := exp(t, dir, nil, "run", "-q", "c.yaml"); r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	db := openDB(t, filepath.Join(dir, "exp.db"))
	rows, err := db.Query(`SELECT wall_ns, user_ns, max_rss_kb FROM trials`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	best := 0.0
	for rows.Next() {
		var wall, user, rss int64
		if err := rows.Scan(&wall, &user, &rss); err != nil {
			t.Fatal(err)
		}
		if rss <= 0 {
			t.Errorf("max_rss_kb = %d", rss)
		}
		// The least disturbed trial: a loaded machine can only lower
		// user/wall, by keeping the child off the CPU.
		best = max(best, float64(user)/float64(wall))
	}
	if best < 0.5 || best > 1.5 {
		t.Errorf("user/wall = %.2f at 1 worker, want 0.5 to 1.5", best)
	}
}

// TestCommandInterrupt: SIGINT during a trial kills the command, stores
// no trial for it and marks the run interrupted (exit status 130).
func TestCommandInterrupt(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir, "i.yaml", `name: interrupt
kernel: command
command: ["sh", "-c", "echo $$ > child.pid; exec sleep 30"]
workers: [1]
repeats: 1
warmup: 0
`)
	cmd := exec.Command(expBin, "run", "-q", "i.yaml")
	cmd.Dir, cmd.Env = dir, baseEnv()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pidFile := filepath.Join(dir, "child.pid")
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if b, err := os.ReadFile(pidFile); err == nil && strings.HasSuffix(string(b), "\n") {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the command did not start within 30 s")
		}
	}
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
		t.Errorf("exp exited with %v, want 130", err)
	}
	if pid := readPID(t, dir, "child.pid"); !gone(pid) {
		syscall.Kill(pid, syscall.SIGKILL)
		t.Errorf("the command %d outlived exp's interrupt", pid)
	}
	db := openDB(t, filepath.Join(dir, "exp.db"))
	if n := queryInt(t, db, `SELECT count(*) FROM trials`); n != 0 {
		t.Errorf("%d trials stored, want none (the interrupted one is not finished)", n)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM runs WHERE status = 'interrupted'`); n != 1 {
		t.Errorf("run not interrupted")
	}
}

// TestKernelSubcommand: exp kernel primes prints the same one-line answer
// whatever the workers and schedule.
func TestKernelSubcommand(t *testing.T) {
	t.Parallel()
	want := ""
	for _, args := range [][]string{{"-w", "1"}, {"-w", "3", "--schedule", "per-item"}, {"-w", "2", "--schedule", "static"}} {
		r := exp(t, t.TempDir(), nil, append([]string{"kernel", "primes", "--count", "500"}, args...)...)
		if r.code != 0 || !strings.HasPrefix(r.stdout, "primes ") || strings.Count(r.stdout, "\n") != 1 {
			t.Fatalf("exp kernel primes %v: exit %d %q %s", args, r.code, r.stdout, r.stderr)
		}
		if want == "" {
			want = r.stdout
		}
		if r.stdout != want {
			t.Errorf("%v printed %q, want %q", args, r.stdout, want)
		}
	}
	if r := exp(t, t.TempDir(), nil, "kernel", "primes", "--workers", "0"); r.code != 2 || !strings.Contains(r.stderr, "--workers must be") {
		t.Errorf("--workers 0: exit %d %s", r.code, r.stderr)
	}
}

// TestCommandStrayProcessHoldsOutput: a command that starts a process in a
// session of its own (setsid), which keeps stdout open after the command
// exits and escapes the process group's kill, does not hold the trial:
// exp stops reading after a grace period and says so on the trial.
func TestCommandStrayProcessHoldsOutput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir, "e.yaml", `name: stray
kernel: command
command: ["sh", "-c", "setsid sleep 8 & sleep 0.3; echo hi"]
check: exit
workers: [1]
repeats: 1
warmup: 0
`)
	if r := exp(t, dir, nil, "run", "-q", "e.yaml"); r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	db := openDB(t, filepath.Join(dir, "exp.db"))
	if n := queryInt(t, db, `SELECT count(*) FROM trials WHERE stderr_tail LIKE '%kept stdout or stderr open%'`); n != 1 {
		t.Errorf("%d trials say a stray process held the output, want 1", n)
	}
}

// TestCommandResumeElsewhere: a run is resumed from another directory;
// the stored experiment file's path is absolute, so its workdir (relative
// to the file) is still found.
func TestCommandResumeElsewhere(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "sub"), "data.txt", "hello\n")
	writeFile(t, filepath.Join(dir, "sub"), "x.yaml", `name: elsewhere
kernel: command
command: ["cat", "data.txt"]
workdir: .
workers: [1]
repeats: 100000
warmup: 0
`)
	db := filepath.Join(dir, "x.db")
	if r := exp(t, dir, nil, "run", "-q", "--max-duration", "300ms", "--db", db, "sub/x.yaml"); r.code != 130 {
		t.Fatalf("first part: exit %d, want 130\n%s", r.code, r.stderr)
	}
	other := t.TempDir()
	r := exp(t, other, nil, "run", "-q", "--resume", "1", "--max-duration", "300ms", "--db", db)
	if r.code != 130 {
		t.Fatalf("resume from another directory: exit %d, want 130 (interrupted again, no failed trial)\n%s", r.code, r.stderr)
	}
	d := openDB(t, db)
	if n := queryInt(t, d, `SELECT count(*) FROM trials WHERE ok = 0`); n != 0 {
		t.Errorf("%d trials failed after the resume from another directory", n)
	}
	if n := queryInt(t, d, `SELECT count(*) FROM run_invocations WHERE kind = 'resume' AND trials > 0`); n != 1 {
		t.Errorf("the resume added no trials")
	}
}
