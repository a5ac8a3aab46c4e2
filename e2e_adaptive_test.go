package main

import (
	"database/sql"
	"encoding/json"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/exp-tool/exp/experiment"
)

// adaptiveYAML is a synthetic sleep run with repeats until precise: 10 ms
// serial and 80 ms parallel, so trials of 30-90 ms, whose sleeps vary by
// well under the 10% target even under -race on a loaded machine (a 4-worker
// cell of 30 ms once reached only ±5.8% in 20 trials there).
const adaptiveYAML = `name: adaptive
seed: 11
warmup: 1
repeats: {min: 3, max: 20, precision: 10%}
kernel: synthetic
synthetic: {serial: 10ms, parallel: 80ms, mode: sleep}
workers: [1, 2, 4]
`

// measuredPerCell returns the measured trials stored per cell index.
func measuredPerCell(t *testing.T, db *sql.DB) map[int]int {
	t.Helper()
	rows, err := db.Query(`SELECT c.idx, count(*) FROM trials t JOIN cells c ON c.id = t.cell_id WHERE t.warmup = 0 GROUP BY c.idx`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int]int{}
	for rows.Next() {
		var idx, n int
		if err := rows.Scan(&idx, &n); err != nil {
			t.Fatal(err)
		}
		out[idx] = n
	}
	return out
}

// replayStops feeds the stored trials of run 1, in run order, to a new
// Stopper of the plan of yaml (as exp run --resume does) and fails if a
// trial was stored for a cell after the Stopper had stopped it, or if a
// cell never stopped: the run's decisions must be the rule's.
func replayStops(t *testing.T, db *sql.DB, yaml string) {
	t.Helper()
	cfg, err := experiment.Parse("a.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	plan := experiment.NewPlan(cfg, cfg.Seed)
	stop := experiment.NewStopper(plan)
	rows, err := db.Query(`SELECT c.idx, t.seq, t.rep, t.warmup, t.wall_ns, t.ok, t.timed_out
		FROM trials t JOIN cells c ON c.id = t.cell_id WHERE t.run_id = 1 ORDER BY t.seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var tr experiment.Trial
		if err := rows.Scan(&tr.Cell, &tr.Seq, &tr.Rep, &tr.Warmup, &tr.WallNS, &tr.OK, &tr.TimedOut); err != nil {
			t.Fatal(err)
		}
		if stop.Skip(tr.Step) {
			t.Errorf("trial %d (cell %d, round %d) was run after its cell had stopped", tr.Seq, tr.Cell, tr.Rep)
		}
		stop.Add(&tr)
	}
	for i := range plan.Cells {
		// A stopped cell skips every later round.
		if !stop.Skip(experiment.Step{Cell: i, Rep: math.MaxInt}) {
			t.Errorf("cell %d did not stop", i)
		}
	}
}

func TestAdaptiveStopsEarly(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a.yaml", adaptiveYAML)
	r := exp(t, dir, nil, "run", "a.yaml")
	if r.code != 0 || !strings.Contains(r.stderr, "3 cells, up to 63 trials (repeats {min: 3, max: 20, precision: 10%}") ||
		!strings.Contains(r.stderr, "planned trials not needed: their cells were precise") {
		t.Fatalf("run: exit %d\n%s", r.code, r.stderr)
	}
	db := openDB(t, filepath.Join(dir, "exp.db"))
	if got := runStatus(t, dir, nil, "exp.db"); got != "done" {
		t.Errorf("status %s, want done", got)
	}
	per := measuredPerCell(t, db)
	for cell := range 3 {
		if n := per[cell]; n < 6 || n >= 20 {
			t.Errorf("cell %d has %d measured trials, want it stopped early (6 to 19): %v", cell, n, per)
		}
	}
	replayStops(t, db, adaptiveYAML)
	// The views count what is stored; nothing calls the run partial.
	if n := queryInt(t, db, `SELECT measured FROM run_summary WHERE status = 'done'`); n != per[0]+per[1]+per[2] {
		t.Errorf("run_summary.measured = %d, want %d", n, per[0]+per[1]+per[2])
	}

	r = exp(t, dir, nil, "report")
	if r.code != 0 || !strings.Contains(r.stdout, "repeats {min: 3, max: 20, precision: 10%} (in rounds, until the median is within ±10%) + 1 warmup per cell") ||
		!strings.Contains(r.stdout, "PRECISION") || strings.Contains(r.stdout, "not precise enough") || strings.Contains(r.stdout, "run status") {
		t.Errorf("report: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = exp(t, dir, nil, "report", "--format", "json")
	var doc struct {
		Cells []struct {
			N         int      `json:"n"`
			Precision *float64 `json:"precision"`
		} `json:"cells"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || len(doc.Cells) != 3 {
		t.Fatalf("report json: %v\n%s", err, r.stdout)
	}
	for i, c := range doc.Cells {
		// A cell that stopped early reached the 10% target.
		if c.Precision == nil || *c.Precision > 0.10 || c.N != per[i] {
			t.Errorf("cell %d: n %d, precision %v; want n %d and precision <= 0.10", i, c.N, fmtPtr(c.Precision), per[i])
		}
	}

	// Failed with every cell stopped (as a lock held too long at the end
	// leaves it): fewer trials than max are stored, yet none is missing.
	execFK(t, filepath.Join(dir, "exp.db"), `UPDATE runs SET status = 'failed', error = 'boom'`)
	r = exp(t, dir, nil, "run", "--resume", "1")
	if r.code != 2 || !strings.Contains(r.stderr, "run 1 failed with every trial its cells needed stored (boom): nothing to resume") {
		t.Errorf("resume of a failed run with nothing missing: exit %d\n%s", r.code, r.stderr)
	}
}

func TestAdaptiveNotPreciseEnough(t *testing.T) {
	dir := t.TempDir()
	// No trial is repeatable to 0.0001% (under 100 ns in 30-90 ms; the
	// sleeps vary by microseconds, and 0.01% was reached): every cell runs
	// to max.
	yaml := strings.Replace(adaptiveYAML, "{min: 3, max: 20, precision: 10%}", "{min: 3, max: 6, precision: 0.0001%}", 1)
	writeFile(t, dir, "a.yaml", yaml)
	if r := exp(t, dir, nil, "run", "a.yaml", "-q"); r.code != 0 {
		t.Fatalf("run: exit %d\n%s", r.code, r.stderr)
	}
	if got := runStatus(t, dir, nil, "exp.db"); got != "done" {
		t.Errorf("status %s, want done", got)
	}
	if per := measuredPerCell(t, openDB(t, filepath.Join(dir, "exp.db"))); per[0] != 6 || per[1] != 6 || per[2] != 6 {
		t.Errorf("measured trials per cell %v, want 6 (max) each", per)
	}
	r := exp(t, dir, nil, "report")
	if n := strings.Count(r.stdout, "after 6 trials, target ±0.0001%"); r.code != 0 || n != 3 || !strings.Contains(r.stdout, "not precise enough: ±") {
		t.Errorf("report: exit %d, %d cells flagged, want 3\n%s%s", r.code, n, r.stdout, r.stderr)
	}
}

// TestAdaptiveResume interrupts an adaptive run after its second measured
// round and resumes it: the resumed exp must go on from the decisions the
// stored trials imply (a fresh Stopper would give each cell at least 6
// more trials), and the run ends done.
func TestAdaptiveResume(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a.yaml", adaptiveYAML)
	path := filepath.Join(dir, "exp.db")
	b := startExp(t, dir, nil, "run", "a.yaml", "-q")
	waitForTrials(t, b, path, 3*3) // the warmups and two measured rounds
	b.signal(t, syscall.SIGINT)
	if code, stderr := b.wait(t, 30*time.Second); code != 130 {
		t.Fatalf("interrupted run: exit %d, want 130\n%s", code, stderr)
	}
	before := storedTrials(path)
	r := exp(t, dir, nil, "run", "--resume", "1")
	if r.code != 0 || !strings.Contains(r.stderr, "resuming run 1") || !strings.Contains(r.stderr, "run 1 done: ") {
		t.Fatalf("resume: exit %d\n%s", r.code, r.stderr)
	}
	db := openDB(t, path)
	if got := runStatus(t, dir, nil, "exp.db"); got != "done" {
		t.Errorf("status %s, want done", got)
	}
	if after := storedTrials(path); after <= before {
		t.Errorf("%d trials before the resume, %d after: the resume ran none", before, after)
	}
	replayStops(t, db, adaptiveYAML)
	if n := queryInt(t, db, `SELECT count(*) FROM run_invocations WHERE kind = 'resume' AND finished_at IS NOT NULL`); n != 1 {
		t.Errorf("%d finished resume invocations, want 1", n)
	}
}

// fmtPtr renders a JSON number that may be null.
func fmtPtr(p *float64) string {
	if p == nil {
		return "null"
	}
	return strconv.FormatFloat(*p, 'g', 4, 64)
}
