package report

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/exp-tool/exp/diagnose"
	"github.com/exp-tool/exp/experiment"
	"github.com/exp-tool/exp/host"
	"github.com/exp-tool/exp/scaling"
)

// Thresholds are the settings of an analysis: the confidence level of every
// interval and when a cell gets a warning.
type Thresholds struct {
	Confidence   float64 // level of every confidence interval, in (0, 1)
	MaxCV        float64 // coefficient of variation above which a cell is noisy, as a fraction (0.05 = 5%)
	MinN         int     // measured trials below which a cell is thin
	OutlierFence float64 // a trial is an outlier beyond OutlierFence x IQR outside the quartiles
	// MinCPUShare is the share of min(workers, usable CPUs) that a
	// CPU-bound cell's trials must keep busy, (user+sys)/wall; below it the
	// cell was starved of CPU by the machine.
	MinCPUShare float64
	// Resolution is the smallest difference in a trial's wall time, in
	// seconds, that exp claims to resolve: starting and joining the workers
	// and waking a sleeping goroutine cost 10–40 µs that no kernel controls.
	// No cell's standard error is taken as smaller, so that a fit of nearly
	// noiseless cells (the synthetic sleep kernel) does not mistake those
	// microseconds for the program's serial fraction with false precision.
	Resolution float64
	// MaxOtherCPU is how many CPUs other processes may keep busy during a
	// trial, on average, other_cpu_ns / wall_ns (0.2 = 20% of one CPU);
	// beyond it, and beyond OtherCPUResolution, the trial is contended (see
	// Contended). exp run --quiet-machine waits for the same level.
	MaxOtherCPU float64
	// OtherCPUResolution is the error of a trial's other_cpu_ns, seconds:
	// /proc/stat counts CPU time in 10 ms ticks (host.ProcStatTick), and two
	// readings differ by up to about two ticks more or less than the truth.
	// Without it, rounding alone would flag a good share of 50 ms trials.
	OtherCPUResolution float64
	// ExcludeContended leaves contended trials out of every statistic
	// (exp report --exclude-contended); they are still counted and flagged.
	ExcludeContended bool
	// DiagnoseAlpha is the significance level of each of a cell's
	// diagnostics (package diagnose) separately, and of the run's drift;
	// 0 turns them off.
	DiagnoseAlpha float64
}

// DefaultThresholds: 95% intervals; cells noisy above a CV of 5%, thin below
// 6 trials (the fewest for which the median has a distribution-free 95%
// interval); outliers beyond 3 IQR (Tukey's "far out": it flags 3% of clean
// 10-trial cells with 5% lognormal noise, where 1.5 IQR flagged 20%);
// starved below 80% of their CPUs; 100 µs of timing resolution; trials
// contended when other processes kept more than 0.2 CPUs busy beyond two
// /proc/stat ticks (20 ms), and kept in the statistics; diagnostics at
// diagnose.DefaultAlpha (1%) each.
var DefaultThresholds = Thresholds{Confidence: 0.95, MaxCV: 0.05, MinN: 6, OutlierFence: 3, MinCPUShare: 0.8, Resolution: 100e-6,
	MaxOtherCPU: 0.2, OtherCPUResolution: 2 * host.ProcStatTick.Seconds(), DiagnoseAlpha: diagnose.DefaultAlpha}

// CellStats is the analysis of one cell's measured trials.
type CellStats struct {
	experiment.Cell
	// Processors is the effective processor count p: min(Workers, usable
	// CPUs) for a CPU-bound kernel, Workers for one that waits (sleep).
	Processors int
	Summary        // wall-time statistics of measured trials, seconds
	Warmups    int // warmup trials stored (not in Summary)
	Failed     int // trials, warmups included, whose answer was wrong
	// TimedOut counts trials, warmups included, cancelled at the
	// experiment's timeout: they have no answer and no full time, so they
	// are in no statistic, and a cell where a measured trial timed out is
	// left out of the fits (its median would leave out its slowest trials).
	TimedOut int
	Primes   uint64 // hits found by the cell's first correct trial (warmups count)
	// OtherCPU is the median over measured trials of the CPUs other
	// processes kept busy during the trial, other_cpu_ns / wall_ns; NaN
	// when no trial measured it.
	OtherCPU float64
	// Contended counts the measured trials during which other processes
	// used more CPU than Thresholds.MaxOtherCPU allows (Thresholds.Contended).
	Contended int
	// ExcludedContended counts the contended trials left out of every
	// statistic (Thresholds.ExcludeContended): all of them, or none.
	ExcludedContended int
	// CPUUse is the median over measured trials of (user+sys)/wall: how many
	// CPUs the process kept busy; NaN when the trials carry no CPU times.
	CPUUse float64
	// Speedup is T~(1 worker) / T~(this cell), medians of the same range and
	// schedule (for weak scaling, the scaled speedup w T~(1)/T~(w), w
	// workers having done w times the work); NaN
	// without a 1-worker cell. SpeedupLow and SpeedupHigh are its interval
	// at Confidence, from the two medians' standard errors on the log scale
	// (see ratioCI); NaN when a cell has fewer than 2 trials.
	Speedup, SpeedupLow, SpeedupHigh float64
	Efficiency                       float64 // Speedup / Workers
	// KarpFlatt is the experimentally determined serial fraction
	// e = (1/S - 1/p) / (1 - 1/p) (Karp & Flatt 1990) with p = Processors,
	// and KarpFlattLow and KarpFlattHigh its interval mapped from the
	// speedup's; NaN when p = 1 or for weak scaling.
	KarpFlatt, KarpFlattLow, KarpFlattHigh float64
	// AmdahlSpeedup is the speedup the group's Amdahl fit predicts at
	// Processors; NaN without a fit (and under weak scaling).
	AmdahlSpeedup float64
	// GustafsonSpeedup is the scaled speedup the group's Gustafson fit
	// predicts at Processors; NaN without a fit (and under strong scaling).
	GustafsonSpeedup float64
	// Residual is the cell's standardised residual in the Amdahl fit,
	// (median - T(p)) / SE; NaN when the cell is not in the fit.
	Residual float64
	// InFit reports whether the cell is one of the points of its group's
	// fit; cells left out say why in Warnings.
	InFit bool
	// Diagnostics are the checks of the cell's assumptions: drift, warmup,
	// dependence, shape.
	Diagnostics Diagnostics
	Warnings    []error // caveats: failures, few trials, noise, starvation, oversubscription, outliers, diagnostics
	notes       []error // why a speedup or its CI is missing, appended to Warnings
	speedupSE   float64 // standard error of Speedup (delta method on the log scale); 0 when unknown
	// medianSE and relSE are the standard error of Median, seconds
	// (Thresholds.medianSE), and that over the median: computed once, as
	// each sorts the cell's times.
	medianSE, relSE float64
	// spread is the trials' robust relative spread, 1.4826 MAD / median
	// as scaling.MedianSE estimates it (before the Resolution floor): the
	// noise exp suggest plans with; NaN for fewer than 2 trials.
	spread float64
	// measuredTimedOut counts the measured trials (not warmups) among TimedOut.
	measuredTimedOut int
	// Invocations counts the processes (the file's invocations) the
	// measured trials in the statistics came from; 1 for a run of one
	// process.
	Invocations int
	// BetweenSD and WithinSD are the cell's between- and within-process
	// standard deviations, seconds, from a one-way random-effects ANOVA
	// (VarianceComponentsOf); NaN with fewer than two invocations.
	BetweenSD, WithinSD float64
	// CIMethod names how CILow and CIHigh were computed: CIOrderStatistic
	// for trials of one process, CIHierarchicalBootstrap for several.
	CIMethod string
	// measured counts the cell's measured trials stored, whatever their
	// outcome: with adaptive repeats, Max of them means the cell ran to
	// the end.
	measured int
	// passed are the wall times of the measured trials with right answers,
	// seconds, in the order of Build's trials: WriteBenchfmt's values.
	passed []float64
	// passedInv is the process (trials.invocation) of each of passed.
	passedInv []int
}

// Report is the analysis of one run.
type Report struct {
	Run        experiment.Run
	Thresholds Thresholds  // the settings the report was built with
	UsableCPUs int         // CPUs the run could use at once (host.Host.UsableCPUs)
	Cells      []CellStats // one per cell, in plan order
	Fits       []Fit       // one per (range, schedule), in plan order
	Drift      RunDrift    // trend of wall time with run order across the run
	Warnings   []error     // run-level caveats
	// Adaptive is the run's repeats {min, max, precision}, read from its
	// stored config (experiment.Run.Adaptive); nil for a fixed count.
	Adaptive *experiment.Adaptive
	// Shards is which shard's run ran each cell, for a report of every
	// shard of a job together (AddShards); nil for a report of one run.
	Shards *Shards
	// inputs are kernel command's inputs by input index (the cells'
	// Range.Start), for labels.
	inputs map[uint64]string
}

// Build analyses the trials of run. cells are the run's cells in plan order,
// and each trial's Cell indexes them. Warmup trials are counted but left out
// of every statistic; failed trials stay in and are flagged; timed-out
// trials are counted and flagged, and left out of every statistic;
// contended trials are counted and flagged, and left out of every
// statistic if th.ExcludeContended. Build also keeps each cell's measured
// wall times with right answers for WriteBenchfmt. It is NewBuilder, Add
// for each trial in order, then Report.
func Build(run experiment.Run, cells []experiment.Cell, trials []experiment.Trial, th Thresholds) *Report {
	b := NewBuilder(run, cells, th)
	for i := range trials {
		b.Add(&trials[i])
	}
	return b.Report()
}

// cpuBound reports whether run's kernel keeps a CPU busy per worker, so that
// p = min(workers, usable CPUs) and a starved cell is a problem.
func cpuBound(run experiment.Run) bool { return run.CPUBound }

// weak reports whether run scaled its ranges with the worker count.
func weak(run experiment.Run) bool { return run.Scaling == experiment.ScalingWeak }

// runWarnings are the run-level caveats.
func runWarnings(rep *Report, stored, failed int) []error {
	var ws []error
	run := rep.Run
	if run.Status != experiment.StatusDone {
		upTo := ""
		if rep.Adaptive != nil {
			upTo = "up to "
		}
		ws = append(ws, fmt.Errorf("run status is %s: %d of %s%d planned trials stored",
			run.Status, stored, upTo, len(rep.Cells)*(run.Repeats+max(run.ProcessInvocations, 1)*run.Warmup)))
	}
	if failed > 0 {
		ws = append(ws, fmt.Errorf("%w: %s found a wrong answer: the kernel or a schedule is broken", ErrFailed, plural(failed, "trial")))
	}
	if run.Invocations > 1 {
		ws = append(ws, fmt.Errorf("%w: the trials came from %d invocations (started, then resumed %s): the machine's load, or with --any-host the machine, may differ between them (exp show %d lists them)",
			ErrResumed, run.Invocations, plural(run.Invocations-1, "time"), run.ID))
	}
	if cpuBound(run) && slices.ContainsFunc(rep.Cells, func(c CellStats) bool { return c.Workers > rep.UsableCPUs }) {
		ws = append(ws, fmt.Errorf("%w: cells with more workers than the %d usable CPUs run at p = %d and are left out of the fits",
			ErrOversubscribed, rep.UsableCPUs, rep.UsableCPUs))
	}
	if n := countIf(rep.Cells, func(c CellStats) bool { return hasWarning(c.Warnings, ErrStarved) }); n > 0 {
		ws = append(ws, fmt.Errorf("%w: %s got less than %.0f%% of their CPUs: the machine, not the program, limited their speedup (is something else running?)",
			ErrStarved, plural(n, "cell"), rep.Thresholds.MinCPUShare*100))
	}
	if w := runDriftWarning(rep.Drift); w != nil {
		ws = append(ws, w)
	}
	return append(ws, limitWarnings(rep)...)
}

// median is the median of xs, NaN for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Sorted(slices.Values(xs))
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// medianSE is the standard error of the median of xs (scaling.MedianSE),
// at least th.Resolution.
func (th Thresholds) medianSE(xs []float64) float64 {
	return max(scaling.MedianSE(xs), th.Resolution)
}

func countIf[T any](xs []T, f func(T) bool) int {
	n := 0
	for _, x := range xs {
		if f(x) {
			n++
		}
	}
	return n
}

func hasWarning(ws []error, target error) bool {
	return slices.ContainsFunc(ws, func(w error) bool { return errors.Is(w, target) })
}

// plural renders "1 trial" or "2 trials".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
