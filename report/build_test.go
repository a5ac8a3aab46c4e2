package report

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/exp-tool/exp/experiment"
	"github.com/exp-tool/exp/host"
)

// fixture is a small run with hand-computable answers: three cells of one
// range and schedule (1, 2 and 4 workers on 2 usable CPUs), 7 measured
// trials each plus one warmup, one failed trial in the 4-worker cell.
func fixture() (experiment.Run, []experiment.Cell, []experiment.Trial) {
	run := experiment.Run{ID: 7, UUID: "01890a5d-ac96-774b-bcce-b302099a8057", Name: "fixture",
		Status: experiment.StatusDone, StartedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Seed: 42, Kernel: "primes", Scaling: experiment.ScalingStrong, CPUBound: true, Repeats: 7, Warmup: 1, Chunk: 8,
		Host: host.Host{Hostname: "box", CPUModel: "Test CPU", NumCPU: 2, GOMAXPROCS: 2, OS: "linux", Arch: "amd64", GoVersion: "go1.26.8"}}
	r := experiment.Range{Start: 10_000_000_000_000, Count: 1000}
	cells := []experiment.Cell{
		{Index: 0, Range: r, Schedule: experiment.Chunked, Workers: 1},
		{Index: 1, Range: r, Schedule: experiment.Chunked, Workers: 2},
		{Index: 2, Range: r, Schedule: experiment.Chunked, Workers: 4},
	}
	times := [][]float64{
		{10, 10.1, 9.9, 10.2, 9.8, 10.0, 10.0},
		{6, 6.1, 5.9, 6.2, 5.8, 6.0, 6.0},
		{6.5, 6.6, 6.4, 6.7, 6.3, 6.5, 6.5},
	}
	var trials []experiment.Trial
	seq := 0
	add := func(cell int, secs float64, warmup, ok bool) {
		hits := uint64(34)
		if !ok {
			hits = 33 // a wrong answer must not become the cell's primes
		}
		trials = append(trials, experiment.Trial{
			Step:   experiment.Step{Seq: seq, Cell: cell, Warmup: warmup},
			WallNS: int64(math.Round(secs * 1e9)), Digest: experiment.Digest{Hits: hits, Checksum: "ab"}, OK: ok,
		})
		seq++
	}
	for c := range cells {
		add(c, 99, true, true) // warmup: must not count
	}
	for c, ts := range times {
		for i, s := range ts {
			add(c, s, false, !(c == 2 && i == 0))
		}
	}
	return run, cells, trials
}

func TestBuild(t *testing.T) {
	run, cells, trials := fixture()
	rep := Build(run, cells, trials, DefaultThresholds)
	if rep.UsableCPUs != 2 || len(rep.Cells) != 3 || len(rep.Fits) != 1 {
		t.Fatalf("UsableCPUs %d, %d cells, %d fits", rep.UsableCPUs, len(rep.Cells), len(rep.Fits))
	}
	c0, c1, c2 := rep.Cells[0], rep.Cells[1], rep.Cells[2]
	for _, c := range rep.Cells {
		if c.N != 7 || c.Warmups != 1 || c.Primes != 34 {
			t.Errorf("cell %d: N %d, Warmups %d, Primes %d; want 7, 1, 34", c.Index, c.N, c.Warmups, c.Primes)
		}
	}
	checkClose(t, "c0.Median", c0.Median, 10, 1e-9)
	checkClose(t, "c0.Speedup", c0.Speedup, 1, 0)
	if !math.IsNaN(c0.KarpFlatt) {
		t.Errorf("c0.KarpFlatt = %g, want NaN for 1 worker", c0.KarpFlatt)
	}
	// 2 workers: S = 10/6, E = S/2, e = (1/S - 1/2)/(1 - 1/2) = (0.6-0.5)/0.5.
	checkClose(t, "c1.Speedup", c1.Speedup, 10.0/6, 1e-9)
	checkClose(t, "c1.Efficiency", c1.Efficiency, 10.0/6/2, 1e-9)
	checkClose(t, "c1.KarpFlatt", c1.KarpFlatt, 0.2, 1e-9)
	// Both cells have MAD 0.1 s, so SE = 1.2533*1.4826*0.1/sqrt(7); the
	// interval is S exp(±t(6) sqrt((SE/10)^2 + (SE/6)^2)).
	se := 1.2533 * 1.4826 * 0.1 / math.Sqrt(7)
	half := 2.4469118511449692 * math.Hypot(se/10, se/6)
	checkClose(t, "c1.SpeedupLow", c1.SpeedupLow, 10.0/6*math.Exp(-half), 1e-9)
	checkClose(t, "c1.SpeedupHigh", c1.SpeedupHigh, 10.0/6*math.Exp(half), 1e-9)
	// 4 workers on 2 CPUs: p = 2, E = S/4, e = (0.65-0.5)/0.5.
	if c2.Processors != 2 {
		t.Errorf("c2.Processors = %d, want 2", c2.Processors)
	}
	checkClose(t, "c2.Efficiency", c2.Efficiency, 10/6.5/4, 1e-9)
	checkClose(t, "c2.KarpFlatt", c2.KarpFlatt, 0.3, 1e-9)
	if c2.Failed != 1 {
		t.Errorf("c2.Failed = %d, want 1", c2.Failed)
	}
	hasWarning := func(ws []error, sub string) bool {
		return strings.Contains(joinWarnings(ws), sub)
	}
	for _, want := range []string{"FAILED", "oversubscribed"} {
		if !hasWarning(c2.Warnings, want) {
			t.Errorf("c2 warnings %q lack %q", c2.Warnings, want)
		}
	}
	if len(c0.Warnings) != 0 {
		t.Errorf("c0 warnings = %v, want none", c0.Warnings)
	}
	for _, want := range []string{"wrong answer", "oversubscribed"} {
		if !hasWarning(rep.Warnings, want) {
			t.Errorf("report warnings %q lack %q", rep.Warnings, want)
		}
	}
	f := rep.Fits[0]
	if f.AmdahlErr != nil || !slices.Equal(f.Processors, []int{1, 2}) {
		t.Fatalf("fit: err %v, processors %v", f.AmdahlErr, f.Processors)
	}
	if f.Amdahl.B <= 0 || f.Amdahl.B >= 1 {
		t.Errorf("B = %g, want in (0, 1)", f.Amdahl.B)
	}
	for _, c := range rep.Cells {
		checkClose(t, "AmdahlSpeedup", c.AmdahlSpeedup, f.Amdahl.Speedup(float64(c.Processors)), 1e-12)
	}
}

func TestBuildWarnings(t *testing.T) {
	run, cells, trials := fixture()
	t.Run("NoisyAndThin", func(t *testing.T) {
		var tr []experiment.Trial
		for i, s := range []float64{1, 1.5, 0.7} { // cv well above 5%, n = 3
			tr = append(tr, experiment.Trial{Step: experiment.Step{Seq: i, Cell: 0}, WallNS: int64(s * 1e9), OK: true})
		}
		rep := Build(run, cells[:1], tr, DefaultThresholds)
		ws := joinWarnings(rep.Cells[0].Warnings)
		if !strings.Contains(ws, "noisy") || !strings.Contains(ws, "n=3 < 6") {
			t.Errorf("warnings %q, want noisy and n=3 < 6", ws)
		}
		if rep.Fits[0].AmdahlErr == nil {
			t.Errorf("a single processor count must not fit")
		}
	})
	t.Run("Resumed", func(t *testing.T) {
		for n, want := range map[int]string{
			0: "", 1: "",
			2: "resumed: the trials came from 2 invocations (started, then resumed 1 time)",
			4: "resumed: the trials came from 4 invocations (started, then resumed 3 times)",
		} {
			r := run
			r.Invocations = n
			rep := Build(r, cells, trials, DefaultThresholds)
			if got := hasWarning(rep.Warnings, ErrResumed); got != (want != "") || !strings.Contains(joinWarnings(rep.Warnings), want) {
				t.Errorf("%d invocations: warnings %q, want one containing %q: %v", n, rep.Warnings, want, got)
			}
		}
	})
	t.Run("CellWithoutTrials", func(t *testing.T) {
		var b strings.Builder
		if err := WriteCSV(&b, Build(run, cells, nil, DefaultThresholds)); err != nil {
			t.Fatal(err)
		}
		row := strings.Split(strings.Split(b.String(), "\r\n")[1], ",")
		if p := row[slices.Index(CSVHeader(), "primes")]; p != "" {
			t.Errorf("primes of a cell with no trials = %q, want empty", p)
		}
	})
	t.Run("BaselineWithoutTrials", func(t *testing.T) {
		var tr []experiment.Trial
		for _, x := range trials {
			if x.Cell != 0 {
				tr = append(tr, x)
			}
		}
		rep := Build(run, cells, tr, DefaultThresholds)
		if ws := joinWarnings(rep.Cells[1].Warnings); !strings.Contains(ws, "the 1-worker cell has no measured trials") {
			t.Errorf("warnings %q do not say the baseline is empty", ws)
		}
	})
	t.Run("FailedBaseline", func(t *testing.T) {
		tr := slices.Clone(trials)
		for i := range tr {
			if tr[i].Cell == 0 && !tr[i].Warmup {
				tr[i].OK = false
				break
			}
		}
		rep := Build(run, cells, tr, DefaultThresholds)
		if ws := joinWarnings(rep.Cells[1].Warnings); !strings.Contains(ws, "against a 1-worker cell with wrong answers") {
			t.Errorf("warnings %q do not flag the failed baseline", ws)
		}
		if f := rep.Fits[0]; f.AmdahlErr == nil {
			t.Errorf("fit without its 1-worker and 4-worker cells should fail for lack of processor counts, got %+v", f.Amdahl)
		}
	})
	t.Run("SpeedupCINeedsTwo", func(t *testing.T) {
		var tr []experiment.Trial
		kept := false
		for _, x := range trials {
			if x.Cell == 1 && !x.Warmup {
				if kept {
					continue
				}
				kept = true
			}
			tr = append(tr, x)
		}
		rep := Build(run, cells, tr, DefaultThresholds)
		c := rep.Cells[1]
		if c.N != 1 || !math.IsNaN(c.SpeedupLow) || !strings.Contains(joinWarnings(c.Warnings), "n=1 is too few for the speedup's CI (need 2)") {
			t.Errorf("n=%d, speedup CI [%g, %g], warnings %v", c.N, c.SpeedupLow, c.SpeedupHigh, c.Warnings)
		}
	})
	t.Run("Interrupted", func(t *testing.T) {
		run := run
		run.Status = experiment.StatusInterrupted
		rep := Build(run, cells, trials[:10], DefaultThresholds)
		if !strings.Contains(joinWarnings(rep.Warnings), "interrupted: 10 of 24 planned trials") {
			t.Errorf("warnings %q", rep.Warnings)
		}
	})
	t.Run("ErrStarved", func(t *testing.T) {
		// The 2-worker cell kept 1.3 CPUs busy of 2: starved, and the fit
		// says the machine was the bottleneck. The 1-worker cell used its
		// CPU fully.
		tr := slices.Clone(trials)
		for i := range tr {
			share := 1.0
			if tr[i].Cell == 1 {
				share = 1.3
			}
			tr[i].UserNS = int64(share * float64(tr[i].WallNS))
		}
		rep := Build(run, cells, tr, DefaultThresholds)
		if !hasWarning(rep.Cells[1].Warnings, ErrStarved) || hasWarning(rep.Cells[0].Warnings, ErrStarved) {
			t.Errorf("cell warnings %v / %v: want only the 2-worker cell starved", rep.Cells[0].Warnings, rep.Cells[1].Warnings)
		}
		checkClose(t, "CPUUse", rep.Cells[1].CPUUse, 1.3, 1e-9)
		if f := rep.Fits[0]; !hasWarning(f.Warnings, ErrStarved) || !strings.Contains(joinWarnings(f.Warnings), "the machine, not the program") {
			t.Errorf("fit warnings %v lack the starvation warning", f.Warnings)
		}
		if !hasWarning(rep.Warnings, ErrStarved) {
			t.Errorf("report warnings %v lack the starvation warning", rep.Warnings)
		}
	})
	t.Run("OversubscribedLeftOut", func(t *testing.T) {
		// Without the failed trial, the 4-worker cell (p = 2 on 2 CPUs)
		// would otherwise enter the fit; it must stay out.
		tr := slices.Clone(trials)
		for i := range tr {
			tr[i].OK, tr[i].Hits = true, 34
		}
		rep := Build(run, cells, tr, DefaultThresholds)
		if rep.Cells[2].InFit || !rep.Cells[1].InFit || rep.Fits[0].Amdahl.N != 2 {
			t.Errorf("in fit: %v %v %v, %d points; want the 4-worker cell out", rep.Cells[0].InFit, rep.Cells[1].InFit, rep.Cells[2].InFit, rep.Fits[0].Amdahl.N)
		}
		if !math.IsNaN(rep.Cells[2].Residual) || math.IsNaN(rep.Cells[2].AmdahlSpeedup) {
			t.Errorf("4-worker cell: residual %g (want NaN), prediction %g (want one)", rep.Cells[2].Residual, rep.Cells[2].AmdahlSpeedup)
		}
	})
	t.Run("NoBaseline", func(t *testing.T) {
		var tr []experiment.Trial
		for _, x := range trials {
			if x.Cell > 0 {
				x.Cell--
				tr = append(tr, x)
			}
		}
		rep := Build(run, cells[1:], tr, DefaultThresholds)
		for _, c := range rep.Cells {
			if !math.IsNaN(c.Speedup) || !math.IsNaN(c.Efficiency) || !math.IsNaN(c.KarpFlatt) {
				t.Errorf("%d workers: speedup %g, efficiency %g, karp-flatt %g; want NaN without a 1-worker cell",
					c.Workers, c.Speedup, c.Efficiency, c.KarpFlatt)
			}
			if !strings.Contains(joinWarnings(c.Warnings), "no 1-worker cell") {
				t.Errorf("%d workers: warnings %q do not say why speedup is missing", c.Workers, c.Warnings)
			}
		}
	})
}
