package chart

import (
	"math"
	"testing"
	"time"

	"github.com/exp-tool/exp/experiment"
	"github.com/exp-tool/exp/host"
	"github.com/exp-tool/exp/report"
)

// fixtureGroup is one range and schedule of a fixture run, with the true
// serial fraction its trials follow.
type fixtureGroup struct {
	rng      experiment.Range
	rangeIdx int
	schedule experiment.Schedule
	b        float64
	// thin is the worker count of a cell with a single trial (no CI, not
	// in the fit); 0 for none.
	thin int
}

// fixtureRun is a CPU-bound strong-scaling run on 4 usable CPUs, with
// workers 1, 2, 3, 4 and 8 (oversubscribed) for each group, 7 trials per
// cell following Amdahl's law with ±1% of deterministic noise.
func fixtureRun(scaling string, groups []fixtureGroup, workers []int) (experiment.Run, []experiment.Cell, []experiment.Trial) {
	run := experiment.Run{ID: 3, UUID: "01890a5d-ac96-774b-bcce-b302099a8057", Name: "fixture", Status: experiment.StatusDone,
		StartedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Kernel: "primes", Scaling: scaling, CPUBound: true, Repeats: 7,
		Host: host.Host{Hostname: "box", CPUModel: "Test CPU", NumCPU: 4, GOMAXPROCS: 4}}
	var cells []experiment.Cell
	var trials []experiment.Trial
	noise := []float64{0, 0.01, -0.01, 0.005, -0.005, 0.002, -0.002}
	for _, g := range groups {
		for _, w := range workers {
			ci := len(cells)
			cells = append(cells, experiment.Cell{Index: ci, RangeIndex: g.rangeIdx, Range: g.rng, Schedule: g.schedule, Workers: w})
			p := float64(min(w, 4))
			t := g.b + (1-g.b)/p
			if scaling == experiment.ScalingWeak {
				t = 1 + g.b*(p-1)/p // Gustafson: w times the work takes a little longer
			}
			n := len(noise)
			if w == g.thin {
				n = 1
			}
			for i := range n {
				trials = append(trials, experiment.Trial{Step: experiment.Step{Seq: len(trials), Cell: ci},
					WallNS: int64(math.Round(t * (1 + noise[i]) * 1e9)), Digest: experiment.Digest{Hits: 1, Checksum: "ab"}, OK: true})
			}
		}
	}
	return run, cells, trials
}

var (
	rangeA = experiment.Range{Start: 10_000_000_000_000, Count: 1000}
	rangeB = experiment.Range{Start: 123, Count: 2000}
)

// threeGroups are two schedules of one range and one of another; the
// static schedule's 3-worker cell has a single trial.
var threeGroups = []fixtureGroup{
	{rng: rangeA, schedule: experiment.Chunked, b: 0.05},
	{rng: rangeA, schedule: experiment.Static, b: 0.15, thin: 3},
	{rng: rangeB, rangeIdx: 1, schedule: experiment.Chunked, b: 0.01},
}

func fixtureReport(t testing.TB) *report.Report {
	t.Helper()
	run, cells, trials := fixtureRun(experiment.ScalingStrong, threeGroups, []int{1, 2, 3, 4, 8})
	return report.Build(run, cells, trials, report.DefaultThresholds)
}
