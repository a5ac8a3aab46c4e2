package main

import (
	"path/filepath"
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
