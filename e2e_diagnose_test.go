package main

import (
	"database/sql"
	"encoding/json"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
)

// diagnoseYAML is a quick synthetic run of three cells of 30 measured
// trials after one warmup, whose wall times TestReportDiagnostics then
// replaces.
const diagnoseYAML = `name: diag
seed: 5
repeats: 30
warmup: 1
kernel: synthetic
synthetic: {serial: 1ms, parallel: 2ms, mode: sleep}
workers: [1, 2, 4]
`

// TestReportDiagnostics runs a real experiment, rewrites its measured wall
// times in the database with 2% of seeded lognormal noise around 100 ms
// (clean, 1 worker), the same noise plus a 20% linear drift over the cell
// (2 workers), and the same noise with the first 3 measured trials 40%
// slower (4 workers), then checks that exp report's JSON diagnostics and
// its table's warnings fire on the faulty cells and not on the clean one.
func TestReportDiagnostics(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "e.yaml", diagnoseYAML)
	if r := exp(t, dir, nil, "run", "e.yaml"); r.code != 0 {
		t.Fatalf("run: exit %d\n%s", r.code, r.stderr)
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "exp.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT t.id, c.workers, t.rep FROM trials t JOIN cells c ON c.id = t.cell_id
		WHERE t.warmup = 0 ORDER BY t.seq`)
	if err != nil {
		t.Fatal(err)
	}
	type trial struct{ id, workers, rep int64 }
	var trials []trial
	for rows.Next() {
		var tr trial
		if err := rows.Scan(&tr.id, &tr.workers, &tr.rep); err != nil {
			t.Fatal(err)
		}
		trials = append(trials, tr)
	}
	if err := rows.Err(); err != nil || len(trials) != 90 {
		t.Fatalf("%d measured trials (%v), want 90", len(trials), err)
	}
	rng := rand.New(rand.NewPCG(21, 4))
	for _, tr := range trials {
		i := float64(tr.rep - 1) // reps count the warmup first
		x := 0.1 * math.Exp(0.02*rng.NormFloat64())
		switch {
		case tr.workers == 2:
			x *= 1 + 0.2*i/29
		case tr.workers == 4 && i < 3:
			x *= 1.4
		}
		if _, err := db.Exec(`UPDATE trials SET wall_ns = ? WHERE id = ?`, int64(x*1e9), tr.id); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	r := exp(t, dir, nil, "report", "--format", "json")
	if r.code != 0 {
		t.Fatalf("report: exit %d\n%s", r.code, r.stderr)
	}
	type fired struct {
		Fired     bool `json:"fired"`
		Suggested int  `json:"suggested"`
	}
	var rep struct {
		Cells []struct {
			Workers     int      `json:"workers"`
			Warnings    []string `json:"warnings"`
			Diagnostics struct {
				N          int     `json:"n"`
				Skipped    *string `json:"skipped"`
				Drift      *fired  `json:"drift"`
				Warmup     *fired  `json:"warmup"`
				Dependence *fired  `json:"dependence"`
				Shape      *struct {
					Bimodal bool `json:"bimodal"`
					Skewed  bool `json:"skewed"`
				} `json:"shape"`
			} `json:"diagnostics"`
		} `json:"cells"`
		Drift struct {
			N int      `json:"n"`
			P *float64 `json:"p"`
		} `json:"drift"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || len(rep.Cells) != 3 {
		t.Fatalf("report json: %v, %d cells\n%s", err, len(rep.Cells), r.stdout)
	}
	for _, c := range rep.Cells {
		d := c.Diagnostics
		if d.Skipped != nil || d.N != 30 || d.Drift == nil || d.Warmup == nil || d.Dependence == nil || d.Shape == nil {
			t.Fatalf("%d workers: diagnostics %+v, want all four tests of 30 trials", c.Workers, d)
		}
		got := map[string]bool{"drift": d.Drift.Fired, "warmup": d.Warmup.Fired, "dependent": d.Dependence.Fired,
			"bimodal": d.Shape.Bimodal, "skewed": d.Shape.Skewed}
		want := map[int]string{1: "", 2: "drift", 4: "warmup"}[c.Workers]
		for name, f := range got {
			if f != (name == want) {
				t.Errorf("%d workers: %s fired %v, want %v; warnings %q", c.Workers, name, f, name == want, c.Warnings)
			}
			warned := strings.Contains(strings.Join(c.Warnings, "\n"), name+": ")
			if warned != (name == want) {
				t.Errorf("%d workers: %s warning %v, want %v; warnings %q", c.Workers, name, warned, name == want, c.Warnings)
			}
		}
		if c.Workers == 4 && d.Warmup.Suggested != 3 {
			t.Errorf("warmup cell: suggested %d, want 3", d.Warmup.Suggested)
		}
	}
	if rep.Drift.N != 90 || rep.Drift.P == nil {
		t.Errorf("run drift %+v, want a test over 90 trials", rep.Drift)
	}
	table := exp(t, dir, nil, "report")
	if table.code != 0 || !strings.Contains(table.stdout, "drift: wall time rises with run order") ||
		!strings.Contains(table.stdout, "warmup: the first 3 measured trials are") || !strings.Contains(table.stdout, "(warmup: 4)") {
		t.Errorf("report table lacks the drift and warmup warnings (exit %d):\n%s", table.code, table.stdout)
	}
}
