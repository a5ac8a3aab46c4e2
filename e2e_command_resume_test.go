package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestCommandResumeInputChanged: a command run stopped part way is not
// resumed once its input has changed (exit 2, naming the input and both
// versions, the database untouched), and is resumed once it is put back.
func TestCommandResumeInputChanged(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir, "a.txt", "hello\n")
	writeFile(t, dir, "in.yaml", `name: inp
kernel: command
command: ["sh", "-c", "sleep 0.2; cat {input}"]
inputs: [a.txt]
workers: [1]
repeats: 6
warmup: 0
`)
	if r := exp(t, dir, nil, "run", "-q", "--max-duration", "0.5s", "in.yaml"); r.code != 130 {
		t.Fatalf("a run stopped by --max-duration: exit %d, want 130\n%s", r.code, r.stderr)
	}
	db := filepath.Join(dir, "exp.db")
	before := queryInt(t, openDB(t, db), `SELECT count(*) FROM trials`)
	if before == 0 || before == 6 {
		t.Fatalf("%d trials stored before the resume, want some of 6", before)
	}
	writeFile(t, dir, "a.txt", "changed\n")
	r := exp(t, dir, nil, "run", "--resume", "1")
	if r.code != 2 || !strings.Contains(r.stderr, "input changed: run 1 read a.txt (6 bytes") || !strings.Contains(r.stderr, "now a.txt (8 bytes") {
		t.Fatalf("resume after the input changed: exit %d, want 2 naming both versions\n%s", r.code, r.stderr)
	}
	if n := queryInt(t, openDB(t, db), `SELECT count(*) FROM trials`); n != before {
		t.Errorf("the refused resume changed the trials: %d, was %d", n, before)
	}
	writeFile(t, dir, "a.txt", "hello\n")
	if r := exp(t, dir, nil, "run", "-q", "--resume", "1"); r.code != 0 {
		t.Fatalf("resume with the input put back: exit %d\n%s", r.code, r.stderr)
	}
	if n := queryInt(t, openDB(t, db), `SELECT count(*) FROM trials WHERE ok = 1`); n != 6 {
		t.Errorf("%d right trials after the resume, want 6", n)
	}
}
