package main

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestSyntheticEndToEnd runs the synthetic sleep kernel through the real
// binary: every trial passes its check, the run records that its kernel is
// not CPU-bound, and the report's Amdahl fit should find the true B.
func TestSyntheticEndToEnd(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "s.yaml", syntheticYAML)
	r := exp(t, dir, nil, "run", "s.yaml")
	if r.code != 0 {
		t.Fatalf("run: exit %d\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "kernel synthetic, sleep: serial 10ms once, then parallel 90ms shared by the workers") {
		t.Errorf("stderr does not announce the synthetic work:\n%s", r.stderr)
	}
	db := openDB(t, filepath.Join(dir, "exp.db"))
	const trials = 6 * 11
	emptySum := fmt.Sprintf("%x", sha256.Sum256(nil))
	for q, want := range map[string]int{
		`SELECT count(*) FROM trials WHERE ok = 1 AND mismatch IS NULL AND primes = 0 AND checksum = '` + emptySum + `'`:    trials,
		`SELECT count(*) FROM runs WHERE kernel = 'synthetic' AND scaling = 'strong' AND cpu_bound = 0 AND status = 'done'`: 1,
		// The oracle's answer is the empty set, stored like primes'.
		`SELECT count(*) FROM cells WHERE schedule = 'static' AND range_start = 0 AND range_count = 90000
			AND expected_primes = 0 AND expected_checksum = '` + emptySum + `'`: 6,
		// Each unit done once.
		`SELECT count(*) FROM (SELECT trial_id FROM trial_workers GROUP BY trial_id HAVING sum(items) = 90000 AND count(*) IN (1, 2, 4, 8, 16, 32))`: trials,
		// A trial cannot beat its serial part plus one worker's share.
		`SELECT count(*) FROM trials t JOIN cells c ON c.id = t.cell_id WHERE t.wall_ns >= 10000000 + 90000000 / c.workers`: trials,
	} {
		if n := queryInt(t, db, q); n != want {
			t.Errorf("%s = %d, want %d", q, n, want)
		}
	}

	r = exp(t, dir, nil, "report", "--format", "json")
	if r.code != 0 {
		t.Fatalf("report: exit %d\n%s", r.code, r.stderr)
	}
	var rep struct {
		Cells []struct {
			Workers int `json:"workers"`
			N       int `json:"n"`
			Failed  int `json:"failed"`
		} `json:"cells"`
		Fits []struct {
			B          *float64 `json:"b"`
			BCILow     *float64 `json:"b_ci_low"`
			BCIHigh    *float64 `json:"b_ci_high"`
			Processors []int    `json:"processors"`
			KarpFlatt  struct {
				Verdict string `json:"verdict"`
			} `json:"karp_flatt"`
			Choice struct {
				Model *string `json:"model"`
			} `json:"choice"`
		} `json:"fits"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("report json: %v\n%s", err, r.stdout)
	}
	if len(rep.Cells) != 6 || len(rep.Fits) != 1 {
		t.Fatalf("report has %d cells and %d fits, want 6 and 1", len(rep.Cells), len(rep.Fits))
	}
	for _, c := range rep.Cells {
		if c.N != 10 || c.Failed != 0 {
			t.Errorf("%d-worker cell: n %d, failed %d; want 10 correct trials", c.Workers, c.N, c.Failed)
		}
	}

	// Sleeping workers need no CPU: p = workers, far past the 2 CPUs, and
	// the fit finds the true B = 0.10, with a flat Karp–Flatt trend and
	// Amdahl's law preferred to the USL. (Each Go timer fires 0.15-0.25 ms
	// late; a kernel that slept for its share fitted B = 0.111 [0.106,
	// 0.115]. The synthetic kernel now waits on the trial's timeline, and
	// the report takes no cell's SE below its 100 µs resolution, so the
	// 20-80 µs it costs to start and join the workers is not read as a
	// serial fraction or a coherency term.)
	t.Run("FitFindsTrueB", func(t *testing.T) {
		f := rep.Fits[0]
		if !slices.Equal(f.Processors, []int{1, 2, 4, 8, 16, 32}) {
			t.Errorf("fitted processors %v, want p = workers", f.Processors)
		}
		if f.B == nil || f.BCILow == nil || f.BCIHigh == nil {
			t.Fatalf("fit has no B: %s", r.stdout)
		}
		if !(*f.BCILow <= 0.10 && 0.10 <= *f.BCIHigh) {
			t.Errorf("B's 95%% CI [%.4f, %.4f] does not hold the true B = 0.10", *f.BCILow, *f.BCIHigh)
		}
		if d := *f.B - 0.10; d < -0.02 || d > 0.02 {
			t.Errorf("B = %.4f, want 0.10 within 0.02", *f.B)
		}
		if f.KarpFlatt.Verdict != "flat" || f.Choice.Model == nil || *f.Choice.Model != "amdahl" {
			t.Errorf("Karp–Flatt %q, model %v: want flat and amdahl for a true serial fraction", f.KarpFlatt.Verdict, f.Choice.Model)
		}
	})
}

// TestWeakScalingEndToEnd: under weak scaling each cell tests count x
// workers numbers, checked against the oracle for its own range.
func TestWeakScalingEndToEnd(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "w.yaml", "name: weak\nseed: 5\nrepeats: 2\nwarmup: 0\nscaling: weak\nranges: [{start: 10000000000000, count: 100}]\nworkers: [1, 2, 4]\nschedules: [static]\n")
	if r := exp(t, dir, nil, "run", "w.yaml", "-q"); r.code != 0 {
		t.Fatalf("run: exit %d\n%s", r.code, r.stderr)
	}
	db := openDB(t, filepath.Join(dir, "exp.db"))
	for q, want := range map[string]int{
		`SELECT count(*) FROM runs WHERE scaling = 'weak' AND cpu_bound = 1 AND status = 'done'`:                         1,
		`SELECT count(*) FROM cells WHERE range_idx = 0 AND range_count = 100 * workers AND expected_primes IS NOT NULL`: 3,
		`SELECT count(DISTINCT expected_checksum) FROM cells`:                                                            3,
		`SELECT count(*) FROM trials t JOIN cells c ON c.id = t.cell_id WHERE t.ok = 1 AND t.primes = c.expected_primes`: 6,
		`SELECT count(*) FROM (SELECT t.id FROM trials t JOIN cells c ON c.id = t.cell_id JOIN trial_workers w ON w.trial_id = t.id
			GROUP BY t.id HAVING sum(w.items) = max(c.range_count))`: 6,
	} {
		if n := queryInt(t, db, q); n != want {
			t.Errorf("%s = %d, want %d", q, n, want)
		}
	}
	// The report groups the three cells under the file's range, gives the
	// scaled speedup and fits Gustafson's law, never Amdahl's.
	r := exp(t, dir, nil, "report", "--format", "json")
	if r.code != 0 {
		t.Fatalf("report: exit %d\n%s", r.code, r.stderr)
	}
	var rep struct {
		Cells []struct {
			Workers int      `json:"workers"`
			Speedup *float64 `json:"speedup"`
		} `json:"cells"`
		Fits []struct {
			RangeCount uint64   `json:"range_count"`
			B          *float64 `json:"b"`
			Gustafson  *struct {
				Alpha *float64 `json:"alpha"`
			} `json:"gustafson"`
			USL *struct{} `json:"usl"`
		} `json:"fits"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("report json: %v\n%s", err, r.stdout)
	}
	if len(rep.Fits) != 1 || rep.Fits[0].RangeCount != 100 || rep.Fits[0].Gustafson == nil || rep.Fits[0].Gustafson.Alpha == nil ||
		rep.Fits[0].B != nil || rep.Fits[0].USL != nil {
		t.Errorf("fits: want one Gustafson fit of the 100-number range, no Amdahl or USL:\n%s", r.stdout)
	}
	for _, c := range rep.Cells {
		if c.Speedup == nil || *c.Speedup <= 0 {
			t.Errorf("%d-worker cell has no scaled speedup", c.Workers)
		}
	}
}

// TestFitStdinEndToEnd: exp fit - reads the CSV from standard input, and a
// bad row there is named as stdin's.
func TestFitStdinEndToEnd(t *testing.T) {
	run := func(input string, args ...string) result {
		t.Helper()
		return expStdin(t, t.TempDir(), nil, input, append([]string{"fit", "-"}, args...)...)
	}
	r := run(raytracerCSV, "--x", "processors", "--y", "throughput", "--kind", "throughput", "--format", "csv")
	if r.code != 0 || !strings.Contains(r.stdout, "usl,sigma,0.0577") {
		t.Errorf("exit %d, stdout:\n%s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	r = run("processors,throughput\n1,20\n2,x\n", "--x", "processors", "--y", "throughput")
	if want := `exp: -:3: column "throughput": "x" is not a number (must be a positive number)`; r.code != 2 || strings.TrimSpace(r.stderr) != want {
		t.Errorf("exit %d, stderr %q; want 2 and %q", r.code, r.stderr, want)
	}
}
