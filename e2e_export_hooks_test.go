package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// TestExportConcludeStatus: exp export carries each trial's conclude hook
// status (trials.conclude_status): the failing hook's status on the
// trials it followed, 0 on the others, and missing in a run without one.
func TestExportConcludeStatus(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir, "c.yaml", `name: conclude
seed: 1
kernel: command
command: ["true"]
check: exit
workers: [1, 2]
repeats: 2
warmup: 0
conclude: ["sh", "-c", "test {workers} -ne 2 || exit 4"]
`)
	writeFile(t, dir, "n.yaml", "name: no-hooks\nseed: 1\nkernel: command\ncommand: [\"true\"]\ncheck: exit\nworkers: [1]\nrepeats: 1\nwarmup: 0\n")
	for _, f := range []string{"c.yaml", "n.yaml"} {
		if r := exp(t, dir, nil, "run", "-q", f); r.code != 0 {
			t.Fatalf("exp run %s: exit %d\n%s", f, r.code, r.stderr)
		}
	}
	r := exp(t, dir, nil, "export", "--format", "jsonl")
	if r.code != 0 {
		t.Fatalf("exp export: exit %d\n%s", r.code, r.stderr)
	}
	got := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var row struct {
			Run     string `json:"run_name"`
			Workers int    `json:"workers"`
			Status  *int   `json:"conclude_status"`
		}
		if err := json.Unmarshal([]byte(line), &row); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		status := "missing"
		if row.Status != nil {
			status = fmt.Sprint(*row.Status)
		}
		got[fmt.Sprintf("%s w%d %s", row.Run, row.Workers, status)]++
	}
	want := map[string]int{"conclude w1 0": 2, "conclude w2 4": 2, "no-hooks w1 missing": 1}
	if len(got) != len(want) {
		t.Fatalf("exported (run, workers, conclude_status) = %v, want %v", got, want)
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("exported (run, workers, conclude_status) = %v, want %v", got, want)
			break
		}
	}
}
