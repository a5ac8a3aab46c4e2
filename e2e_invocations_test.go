package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/exp-tool/exp/experiment"
)

// invocationsYAML is a synthetic sleep run of 6 processes, with the
// process jitter to fill in: cells of 70 ms
// (1 worker) and 40 ms (2 workers), 18 repeats (3 per process) and one
// warmup per cell and process. The prepare hook appends the PID of the
// exp that runs each trial ($PPID of the hook's sh) to pids.txt, in trial
// order.
const invocationsYAML = `name: inv
seed: 3
repeats: 18
warmup: 1
invocations: 6
kernel: synthetic
synthetic: {serial: 10ms, parallel: 60ms, mode: sleep, process_jitter: %s}
workers: [1, 2]
prepare: [sh, -c, 'echo $PPID >> pids.txt']
`

type invocationCell struct {
	Workers     int      `json:"workers"`
	N           int      `json:"n"`
	Median      float64  `json:"median_s"`
	CILow       float64  `json:"ci_low_s"`
	CIHigh      float64  `json:"ci_high_s"`
	Invocations int      `json:"invocations"`
	BetweenSD   *float64 `json:"between_sd_s"`
	WithinSD    *float64 `json:"within_sd_s"`
	CIMethod    string   `json:"ci_method"`
}

// invocationRun runs invocationsYAML with the given jitter in a fresh
// directory and returns the directory and the report's cells.
func invocationRun(t *testing.T, jitter string) (string, []invocationCell) {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, dir, "inv.yaml", fmt.Sprintf(invocationsYAML, jitter))
	r := exp(t, dir, nil, "run", "inv.yaml", "--db", "inv.db")
	if r.code != 0 || !strings.Contains(r.stderr, "invocation 5 (6 of 6): process ") {
		t.Fatalf("run: exit %d, want 0 and each invocation announced\n%s", r.code, r.stderr)
	}
	r = exp(t, dir, nil, "report", "--db", "inv.db", "--format", "json")
	var doc struct {
		Cells    []invocationCell `json:"cells"`
		Warnings []string         `json:"warnings"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || r.code != 0 || len(doc.Cells) != 2 {
		t.Fatalf("report: exit %d, %v\n%s%s", r.code, err, r.stdout, r.stderr)
	}
	for _, w := range doc.Warnings {
		if strings.HasPrefix(w, "one process:") {
			t.Errorf("a run of 6 processes has the one-process note: %s", w)
		}
	}
	return dir, doc.Cells
}

func TestInvocationsEndToEnd(t *testing.T) {
	const n, seed, jitter = 6, 3, 0.05
	dir, cells := invocationRun(t, "5%")
	db := openDB(t, filepath.Join(dir, "inv.db"))

	// The plan: invocations 0..5, each with one warmup and 3 repeats of
	// every cell, run in invocation order.
	for q, want := range map[string]int{
		`SELECT count(*) FROM trials`:                                              2 * (n + 18),
		`SELECT count(DISTINCT invocation) FROM trials`:                            n,
		`SELECT min(invocation) FROM trials`:                                       0,
		`SELECT max(invocation) FROM trials`:                                       n - 1,
		`SELECT count(*) FROM (SELECT 1 FROM trials GROUP BY cell_id, invocation)`: 2 * n,
		`SELECT count(*) FROM trials WHERE warmup = 1`:                             2 * n,
		`SELECT count(*) FROM (SELECT 1 FROM trials WHERE warmup = 0 GROUP BY cell_id, invocation HAVING count(*) = 3)`: 2 * n,
		`SELECT count(*) FROM trials a JOIN trials b ON b.seq = a.seq + 1 WHERE b.invocation < a.invocation`:            0,
		`SELECT count(*) FROM trials WHERE ok = 0`:        0,
		`SELECT process_invocations FROM runs`:            n,
		`SELECT count(*) FROM runs WHERE status = 'done'`: 1,
		// One exp command ran the run: the children count in its row.
		`SELECT count(*) FROM run_invocations WHERE kind = 'start' AND trials = 48`: 1,
	} {
		if got := queryInt(t, db, q); got != want {
			t.Errorf("%s = %d, want %d", q, got, want)
		}
	}

	// Different OS processes: the prepare hook's lines are in trial order.
	raw, err := os.ReadFile(filepath.Join(dir, "pids.txt"))
	if err != nil {
		t.Fatal(err)
	}
	pids := strings.Fields(string(raw))
	rows, err := db.Query(`SELECT invocation FROM trials ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	pidOf, invOf := map[int]string{}, map[string]int{}
	i := 0
	for ; rows.Next(); i++ {
		var inv int
		if err := rows.Scan(&inv); err != nil {
			t.Fatal(err)
		}
		if i >= len(pids) {
			continue
		}
		if p, ok := pidOf[inv]; ok && p != pids[i] {
			t.Errorf("invocation %d ran in processes %s and %s", inv, p, pids[i])
		}
		if k, ok := invOf[pids[i]]; ok && k != inv {
			t.Errorf("process %s ran invocations %d and %d", pids[i], k, inv)
		}
		pidOf[inv], invOf[pids[i]] = pids[i], inv
	}
	if len(pids) != i || len(invOf) != n {
		t.Errorf("%d hook lines for %d trials from %d processes, want one per trial from %d processes", len(pids), i, len(invOf), n)
	}

	// The between-process SD is recovered: the true one is the cell's
	// nominal time (serial + parallel/workers) x j x the sample SD of the
	// run's offsets z_K: 2.9 ms (1 worker) and 1.6 ms (2 workers) at
	// j = 5%. With the offsets fixed, only the trials' own noise moves the
	// estimate: sleep trials vary by well under 1 ms, about 0.6 ms under
	// -race on a loaded 2-core machine, with stalls of a few ms. Averaged
	// over 3 trials per process and 6 processes, that moves the SD by about
	// 2 sigma_b sigma_w / sqrt(n0 (k-1)) / (2 sigma_b), some 0.15 ms, or
	// 10% of 1.6 ms (the worst seen: 23%, 0.38 ms). The test allows 40%
	// plus 0.5 ms, for a stall.
	var z []float64
	for k := range n {
		z = append(z, experiment.ProcessOffset(seed, k))
	}
	sdZ := sampleSD(z)
	if sdZ < 0.5 {
		t.Fatalf("seed %d gives offsets of SD %.2f: too little to recover, pick another seed", seed, sdZ)
	}
	_, flat := invocationRun(t, "0%")
	for ci, c := range cells {
		nominal := 0.010 + 0.060/float64(c.Workers)
		want := nominal * jitter * sdZ
		if c.Invocations != n || c.BetweenSD == nil || c.WithinSD == nil || c.CIMethod != "hierarchical-bootstrap" {
			t.Fatalf("cell %+v: want %d invocations, between and within SDs, and the hierarchical bootstrap", c, n)
		}
		t.Logf("%d workers: between SD %.3f ms (true %.3f ms), within %.3f ms; 95%% CI width %.3f ms, %.3f ms without jitter",
			c.Workers, *c.BetweenSD*1e3, want*1e3, *c.WithinSD*1e3, (c.CIHigh-c.CILow)*1e3, (flat[ci].CIHigh-flat[ci].CILow)*1e3)
		if math.Abs(*c.BetweenSD-want) > 0.4*want+0.5e-3 {
			t.Errorf("%d workers: between-process SD %.3f ms, want %.3f ms within 40%% + 0.5 ms", c.Workers, *c.BetweenSD*1e3, want*1e3)
		}
		if w, w0 := c.CIHigh-c.CILow, flat[ci].CIHigh-flat[ci].CILow; !(w > w0) {
			t.Errorf("%d workers: CI width %.3f ms with 5%% process jitter, not wider than %.3f ms without", c.Workers, w*1e3, w0*1e3)
		}
	}
}

// sampleSD is the sample standard deviation (n-1) of xs.
func sampleSD(xs []float64) float64 {
	var m, ss float64
	for _, x := range xs {
		m += x / float64(len(xs))
	}
	for _, x := range xs {
		ss += (x - m) * (x - m)
	}
	return math.Sqrt(ss / float64(len(xs)-1))
}

// TestInvocationsInterruptResume interrupts a run of 4 processes while its
// second or a later process runs, then resumes it: every finished trial is
// kept, the run ends interrupted, and the resume runs the missing steps,
// still each in its invocation's own process.
func TestInvocationsInterruptResume(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "inv.yaml", `name: inv
seed: 4
repeats: 8
warmup: 1
invocations: 4
kernel: synthetic
synthetic: {serial: 5ms, parallel: 25ms, mode: sleep, process_jitter: 5%}
workers: [1, 2]
`)
	path := filepath.Join(dir, "inv.db")
	b := startExp(t, dir, nil, "run", "inv.yaml", "--db", "inv.db")
	waitForTrials(t, b, path, 8) // invocation 0 has 2 x (1 + 2) = 6 steps
	b.signal(t, syscall.SIGINT)
	code, stderr := b.wait(t, 60*time.Second)
	if code != 130 || !strings.Contains(stderr, "Resume it with: exp run --resume 1") {
		t.Fatalf("interrupted run: exit %d, want 130 and the resume command\n%s", code, stderr)
	}
	if strings.Contains(stderr, "of run 1 interrupted after") {
		t.Errorf("the child said it was interrupted beside the parent:\n%s", stderr)
	}
	db := openDB(t, path)
	kept := queryInt(t, db, `SELECT count(*) FROM trials`)
	if kept < 8 || kept >= 24 || queryInt(t, db, `SELECT count(*) FROM runs WHERE status = 'interrupted'`) != 1 {
		t.Fatalf("after the interrupt %d of 24 trials stored, status %d interrupted runs", kept, queryInt(t, db, `SELECT count(*) FROM runs WHERE status = 'interrupted'`))
	}
	r := exp(t, dir, nil, "run", "--resume", "1", "--db", "inv.db")
	if r.code != 0 || !strings.Contains(r.stderr, fmt.Sprintf("%d of 24 trials to run", 24-kept)) || !strings.Contains(r.stderr, "run 1 done") {
		t.Fatalf("resume: exit %d\n%s", r.code, r.stderr)
	}
	for q, want := range map[string]int{
		`SELECT count(*) FROM trials`:                                                                                       24,
		`SELECT count(*) FROM runs WHERE status = 'done'`:                                                                   1,
		`SELECT count(*) FROM (SELECT 1 FROM trials GROUP BY cell_id, invocation % 4)`:                                      8,
		`SELECT count(*) FROM (SELECT 1 FROM trials WHERE warmup = 1 GROUP BY cell_id, invocation % 4 HAVING count(*) = 1)`: 8,
		`SELECT count(*) FROM (SELECT seq FROM trials GROUP BY seq HAVING count(*) > 1)`:                                    0,
		`SELECT count(*) FROM run_invocations`:                                                                              2,
		`SELECT sum(trials) FROM run_invocations`:                                                                           24,
	} {
		if got := queryInt(t, db, q); got != want {
			t.Errorf("%s = %d, want %d", q, got, want)
		}
	}
	// The process that continued the interrupted invocation has a label of
	// its own (K + 4), so that no cell's analysis between processes mixes
	// it with the one that began the invocation.
	continued := 0
	if kept%6 != 0 {
		continued = 1
	}
	if got := queryInt(t, db, `SELECT count(DISTINCT invocation) FROM trials`); got != 4+continued {
		t.Errorf("%d process labels after interrupting after %d trials, want %d", got, kept, 4+continued)
	}
	if got := queryInt(t, db, `SELECT count(*) FROM trials WHERE invocation >= 4`); (got > 0) != (continued == 1) {
		t.Errorf("%d trials of a continuing process, after interrupting after %d trials", got, kept)
	}
}

// TestInvocationsMaxDurationInBackground: a background job (sh's "&", an
// sbatch script) starts with SIGINT ignored, and its children inherit
// that; --max-duration must still stop the running child.
func TestInvocationsMaxDurationInBackground(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir, "bg.yaml", `name: background
seed: 1
kernel: synthetic
synthetic: {serial: 0ms, parallel: 10ms, mode: sleep}
workers: [1]
repeats: 800
warmup: 0
invocations: 2
`)
	cmd := exec.Command("sh", "-c", `trap '' INT; exec "$0" run -q --max-duration 500ms bg.yaml`, expBin)
	cmd.Dir, cmd.Env = dir, baseEnv()
	out, _ := cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Fatalf("exit %d, want 130\n%s", code, out)
	}
	d := openDB(t, filepath.Join(dir, "exp.db"))
	// Each process has 400 trials of 10 ms: a child that ignored the stop
	// would have run all of its own.
	if n := queryInt(t, d, `SELECT count(*) FROM trials`); n >= 400 {
		t.Errorf("%d trials stored: the child did not stop at --max-duration", n)
	}
}
