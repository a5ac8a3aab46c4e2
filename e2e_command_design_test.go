package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestCommandInvocationsShareReference: with invocations: 2, every
// process checks its trials against the same stdout reference, the first
// trial of the input in the whole run, not a reference of its own. A
// command that prints its parent's pid (the exp process that ran it)
// prints one thing per process, so the second process's trials are wrong
// answers and the run fails; a command that prints the same thing in
// every process passes.
func TestCommandInvocationsShareReference(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, shell string
		code, wrong int
	}{
		{"PerProcessOutput", "echo $PPID", 1, 4},
		{"SameOutput", "echo same", 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			writeFile(t, dir, "i.yaml", `name: invocations-reference
seed: 1
kernel: command
command: ["sh", "-c", "`+tc.shell+`"]
workers: [1, 2]
repeats: 4
warmup: 0
invocations: 2
`)
			r := exp(t, dir, nil, "run", "-q", "i.yaml")
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d\n%s", r.code, tc.code, r.stderr)
			}
			db := openDB(t, filepath.Join(dir, "exp.db"))
			if n := queryInt(t, db, `SELECT count(DISTINCT invocation) FROM trials`); n != 2 {
				t.Fatalf("trials from %d processes, want 2", n)
			}
			// The first process made the reference: its trials are right.
			if n := queryInt(t, db, `SELECT count(*) FROM trials WHERE invocation = 0 AND ok = 1`); n != 4 {
				t.Errorf("%d right trials in the first process, want 4", n)
			}
			if n := queryInt(t, db, `SELECT count(*) FROM trials WHERE invocation = 1 AND ok = 0 AND exit_status = 0
				AND mismatch LIKE 'stdout differs from the input''s first trial:%'`); n != tc.wrong {
				t.Errorf("%d wrong answers in the second process, want %d", n, tc.wrong)
			}
		})
	}
}

// TestCommandInputChanged: an input's size and SHA-256 are stored with
// the run, so that exp reproduce (against the file as it is now) and exp
// compare (against the other run's stored input) say that the data
// changed, naming both versions.
func TestCommandInputChanged(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir, "in.txt", "b\na\n")
	writeFile(t, dir, "s.yaml", `name: input-changed
seed: 2
kernel: command
command: ["sort", "{input}"]
inputs: [in.txt]
workers: [1, 2]
repeats: 2
warmup: 0
`)
	if r := exp(t, dir, nil, "run", "-q", "s.yaml"); r.code != 0 {
		t.Fatalf("exp run: exit %d\n%s", r.code, r.stderr)
	}
	old := "run 1 read in.txt (4 bytes, sha256 " + sha("b\na\n")[:12] + ")"
	if r := exp(t, dir, nil, "reproduce", "1"); r.code != 0 && r.code != 3 ||
		strings.Contains(r.stderr, "input changed") {
		t.Fatalf("exp reproduce of an unchanged input: exit %d, want 0 or 3 and no warning\n%s", r.code, r.stderr)
	}
	writeFile(t, dir, "in.txt", "b\na\nc\n")
	r := exp(t, dir, nil, "reproduce", "1")
	if r.code != 0 && r.code != 3 {
		t.Fatalf("exp reproduce: exit %d, want 0 or 3\n%s", r.code, r.stderr)
	}
	now := "in.txt (6 bytes, sha256 " + sha("b\na\nc\n")[:12] + ")"
	if want := "warning: input changed: " + old + "; this reproduction reads " + now; !strings.Contains(r.stderr, want) {
		t.Errorf("exp reproduce did not say the input changed: want %q in\n%s", want, r.stderr)
	}
	r = exp(t, dir, nil, "compare", "1", "3")
	if r.code != 0 {
		t.Fatalf("exp compare: exit %d\n%s", r.code, r.stderr)
	}
	if want := "warning: input changed: " + old + "; run 3 read " + now; !strings.Contains(r.stderr, want) {
		t.Errorf("exp compare did not say the input changed: want %q in\n%s", want, r.stderr)
	}
	if r := exp(t, dir, nil, "compare", "1", "2"); r.code != 0 || strings.Contains(r.stderr, "input changed") {
		t.Errorf("exp compare of two runs of one input: exit %d, want 0 and no warning\n%s", r.code, r.stderr)
	}
}
