package main

import (
	"bytes"
	"database/sql"
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Helpers for end-to-end tests of exp running in the background: start
// it, signal it, wait for trials, and read or change what it stored.

// background is an exp started by startExp, running until it exits.
type background struct {
	cmd    *exec.Cmd
	stderr bytes.Buffer
	exited chan struct{} // closed when the process has exited; then err is set
	err    error
}

// startExp starts the binary in dir with args and extra environment
// variables, without waiting for it. The test kills it at cleanup if it
// is still running.
func startExp(t *testing.T, dir string, env []string, args ...string) *background {
	t.Helper()
	b := &background{cmd: exec.Command(expBin, args...), exited: make(chan struct{})}
	b.cmd.Dir = dir
	b.cmd.Env = append(baseEnv(), env...)
	b.cmd.Stderr = &b.stderr
	if err := b.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		b.err = b.cmd.Wait()
		close(b.exited)
	}()
	t.Cleanup(func() {
		b.cmd.Process.Kill()
		<-b.exited
	})
	return b
}

// running reports whether the process has not exited yet.
func (b *background) running() bool {
	select {
	case <-b.exited:
		return false
	default:
		return true
	}
}

// signal sends sig to the process.
func (b *background) signal(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := b.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("send %v: %v", sig, err)
	}
}

// wait waits up to timeout for the process to exit and returns its exit
// status (-1 if a signal killed it) and stderr.
func (b *background) wait(t *testing.T, timeout time.Duration) (code int, stderr string) {
	t.Helper()
	select {
	case <-b.exited:
	case <-time.After(timeout):
		b.cmd.Process.Kill()
		<-b.exited
		t.Fatalf("exp did not exit within %v\n%s", timeout, b.stderr.String())
	}
	var ee *exec.ExitError
	switch {
	case b.err == nil:
		return 0, b.stderr.String()
	case errors.As(b.err, &ee):
		return ee.ExitCode(), b.stderr.String()
	}
	t.Fatalf("exp: %v", b.err)
	return 0, ""
}

// storedTrials returns how many trials the file at path holds, -1 if it
// cannot be read yet (no file, or no schema).
func storedTrials(path string) int {
	if _, err := os.Stat(path); err != nil {
		return -1
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return -1
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM trials`).Scan(&n); err != nil {
		return -1
	}
	return n
}

// waitForTrials waits until the file at path holds at least n trials.
func waitForTrials(t *testing.T, b *background, path string, n int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for storedTrials(path) < n {
		if !b.running() {
			t.Fatalf("exp exited before %d trials were stored\n%s", n, b.stderr.String())
		}
		if time.Now().After(deadline) {
			t.Fatalf("fewer than %d trials stored within 60s", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// execFK runs statements on path with foreign keys on (deleting a trial
// deletes its worker rows).
func execFK(t *testing.T, path string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// runStatus is the status exp runs --format csv prints for run 1 of db.
func runStatus(t *testing.T, dir string, env []string, db string) string {
	t.Helper()
	r := exp(t, dir, env, "runs", "--db", db, "--format", "csv")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if r.code != 0 || len(lines) < 2 {
		t.Fatalf("exp runs: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	return strings.Split(lines[1], ",")[3]
}
