package report

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/exp-tool/exp/experiment"
	"github.com/exp-tool/exp/host"
)

// adaptiveSim is a run of cells ranges with repeats {min: 5, max: 50,
// precision: target} and 1 warmup, as exp run would store it, and its plan.
func adaptiveSim(tb testing.TB, cells int, target string) (experiment.Run, *experiment.Plan) {
	tb.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "name: sim\nseed: 1\nwarmup: 1\nrepeats: {min: 5, max: 50, precision: %s}\nworkers: [1]\nranges:\n", target)
	for i := range cells {
		fmt.Fprintf(&b, "  - {start: %d, count: 1000}\n", 1000*i+1)
	}
	cfg, err := experiment.Parse("sim.yaml", []byte(b.String()))
	if err != nil {
		tb.Fatal(err)
	}
	run := experiment.Run{ID: 1, Name: "sim", Status: experiment.StatusDone, StartedAt: time.Unix(0, 0).UTC(), ConfigPath: "sim.yaml",
		ConfigYAML: b.String(), Kernel: "primes", Scaling: experiment.ScalingStrong, CPUBound: true, Repeats: cfg.Repeats, Warmup: cfg.Warmup,
		Host: host.Host{NumCPU: 2, GOMAXPROCS: 2}}
	return run, experiment.NewPlan(cfg, 1)
}

// simulateAdaptive runs plan p as the Runner would, with the same Stopper:
// each trial of a cell takes truth x exp(cv N(0, 1)) seconds (lognormal,
// whose median is truth), and the steps of stopped cells are skipped.
func simulateAdaptive(rng *rand.Rand, p *experiment.Plan, truth, cv float64) []experiment.Trial {
	stop := experiment.NewStopper(p)
	var out []experiment.Trial
	for _, st := range p.Steps {
		if stop.Skip(st) {
			continue
		}
		wall := int64(truth * math.Exp(cv*rng.NormFloat64()) * 1e9)
		t := experiment.Trial{Step: st, WallNS: wall, UserNS: wall, OK: true}
		stop.Add(&t)
		out = append(out, t)
	}
	return out
}

// TestAdaptiveCoverage simulates runs with adaptive repeats {min: 5,
// max: 50} at precisions 2% and 5% and lognormal timing noise of CV 1–10%,
// stopped by the Runner's own Stopper, and checks that the reported 95%
// interval of each cell's median covers the true median 93–97.5% of the
// time; it measured 0.950–0.972. (Stopping on the first precise check,
// without the second check after a miss, measured 0.922 at precision 5%
// and CV 10%, and 0.934 at 2% and 5%.) It also checks
// that the report agrees with the Stopper: a cell that stopped early has
// its precision, and one that ran to max without it is warned about.
func TestAdaptiveCoverage(t *testing.T) {
	const cells, truth = 40, 0.1
	runs := 150 // 6000 cells per case: the coverage's binomial error is about 0.003
	if testing.Short() {
		runs = 25
	}
	for _, target := range []float64{0.02, 0.05} {
		for _, cv := range []float64{0.01, 0.02, 0.05, 0.10} {
			t.Run(fmt.Sprintf("precision=%g/cv=%g", target, cv), func(t *testing.T) {
				t.Parallel()
				run, p := adaptiveSim(t, cells, experiment.Percent(target))
				rng := rand.New(rand.NewPCG(uint64(target*1000), uint64(cv*1000)))
				covered, total, trials, atMax := 0, 0, 0, 0
				for i := range runs {
					sim := simulateAdaptive(rng, p, truth, cv)
					if i < 3 {
						checkAgainstStopper(t, Build(run, p.Cells, sim, DefaultThresholds), target)
					}
					// The report's interval of the median is Summarize's (Build
					// calls it on the same times): computed directly, the
					// simulation is fast enough for -race.
					times := make([][]float64, len(p.Cells))
					for _, tr := range sim {
						if !tr.Warmup {
							times[tr.Cell] = append(times[tr.Cell], float64(tr.WallNS)/1e9)
						}
					}
					for _, xs := range times {
						s := Summarize(xs, DefaultThresholds)
						total++
						trials += s.N
						if s.CILow <= truth && truth <= s.CIHigh {
							covered++
						}
						if s.N == 50 {
							atMax++
						}
					}
				}
				cov := float64(covered) / float64(total)
				t.Logf("coverage %.3f, %.1f trials per cell, %.0f%% of cells at max", cov, float64(trials)/float64(total), 100*float64(atMax)/float64(total))
				if !testing.Short() && (cov < 0.93 || cov > 0.975) {
					t.Errorf("coverage %.3f, want 0.93..0.975", cov)
				}
			})
		}
	}
}

// checkAgainstStopper checks that rep agrees with the Stopper that made
// its run: a cell that stopped before max has the target precision, and
// one that ran to max without it is warned about.
func checkAgainstStopper(t *testing.T, rep *Report, target float64) {
	t.Helper()
	for _, c := range rep.Cells {
		warned := hasWarning(c.Warnings, ErrNotPrecise)
		switch {
		case c.N < 50 && !(c.Precision <= target):
			t.Fatalf("a cell stopped after %d trials at precision %g, target %g", c.N, c.Precision, target)
		case c.N == 50 && warned != (c.Precision > target):
			t.Fatalf("a cell at max with precision %g (target %g): warned %v", c.Precision, target, warned)
		case c.N > 50:
			t.Fatalf("a cell ran %d trials, max 50", c.N)
		}
	}
}

// TestAdaptiveReport checks what a report says of an adaptive run: the
// PRECISION column and the repeats mapping in the table, and the
// warning of a cell that ran to max without its precision; and that a
// run with fixed repeats shows no such column.
func TestAdaptiveReport(t *testing.T) {
	t.Parallel()
	run, p := adaptiveSim(t, 2, "2%")
	rng := rand.New(rand.NewPCG(1, 2))
	// Cell 0 is quiet and stops early; cell 1 (CV 20%) runs to max.
	stop := experiment.NewStopper(p)
	var trials []experiment.Trial
	for _, st := range p.Steps {
		if stop.Skip(st) {
			continue
		}
		cv := []float64{0.002, 0.2}[st.Cell]
		wall := int64(0.1 * math.Exp(cv*rng.NormFloat64()) * 1e9)
		tr := experiment.Trial{Step: st, WallNS: wall, UserNS: wall, OK: true}
		stop.Add(&tr)
		trials = append(trials, tr)
	}
	rep := Build(run, p.Cells, trials, DefaultThresholds)
	quiet, noisy := rep.Cells[0], rep.Cells[1]
	if rep.Adaptive == nil || quiet.N != 6 || noisy.N != 50 || !(quiet.Precision < 0.02) || !(noisy.Precision > 0.02) {
		t.Fatalf("adaptive %v; quiet cell n=%d precision %g, noisy n=%d precision %g", rep.Adaptive, quiet.N, quiet.Precision, noisy.N, noisy.Precision)
	}
	if hasWarning(quiet.Warnings, ErrNotPrecise) {
		t.Errorf("the precise cell is warned: %v", quiet.Warnings)
	}
	var want string
	for _, w := range noisy.Warnings {
		if errors.Is(w, ErrNotPrecise) {
			want = w.Error()
		}
	}
	if !strings.HasPrefix(want, "not precise enough: ±") || !strings.HasSuffix(want, "% after 50 trials, target ±2%") {
		t.Errorf("noisy cell warning %q", want)
	}
	var b strings.Builder
	if err := WriteTable(&b, rep); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"repeats {min: 5, max: 50, precision: 2%} (in rounds, until the median is within ±2%) + 1 warmup per cell",
		"95% CI              PRECISION", want} {
		if !strings.Contains(b.String(), s) {
			t.Errorf("table lacks %q:\n%s", s, b.String())
		}
	}
	run.ConfigYAML = strings.Replace(run.ConfigYAML, "repeats: {min: 5, max: 50, precision: 2%}", "repeats: 50", 1)
	b.Reset()
	fixed := Build(run, p.Cells, trials, DefaultThresholds)
	if err := WriteTable(&b, fixed); err != nil {
		t.Fatal(err)
	}
	if fixed.Adaptive != nil || strings.Contains(b.String(), "PRECISION") || hasWarning(fixed.Cells[1].Warnings, ErrNotPrecise) {
		t.Errorf("a run with fixed repeats shows adaptive output:\n%s", b.String())
	}
	if !(fixed.Cells[1].Precision > 0.02) {
		t.Errorf("fixed repeats: precision %g, want it computed all the same", fixed.Cells[1].Precision)
	}
}
