package report

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/exp-tool/exp/experiment"
)

// Sentinels wrapped by the warnings of cells, fits and reports, so that
// callers can test them with errors.Is.
var (
	// ErrFailed marks a cell or run with trials that found a wrong answer.
	ErrFailed = errors.New("FAILED")
	// ErrUnchecked marks a run of kernel command with check none, whose
	// answers were not checked.
	ErrUnchecked = errors.New("unchecked")
	// ErrFewTrials marks a cell with fewer than Thresholds.MinN trials.
	ErrFewTrials = errors.New("few trials")
	// ErrNoisy marks a cell whose CV exceeds Thresholds.MaxCV.
	ErrNoisy = errors.New("noisy")
	// ErrOutliers marks a cell with trials beyond the outlier fences; they
	// are kept in every statistic.
	ErrOutliers = errors.New("outliers")
	// ErrOversubscribed marks a CPU-bound cell with more workers than usable
	// CPUs; it is left out of the fits.
	ErrOversubscribed = errors.New("oversubscribed")
	// ErrStarved marks a CPU-bound cell whose trials kept fewer CPUs busy
	// than Thresholds.MinCPUShare of the CPUs they could use: the machine
	// was the bottleneck.
	ErrStarved = errors.New("starved")
	// ErrOutOfRange marks a cell whose Karp–Flatt serial fraction lies
	// outside [0, 1]: superlinear speedup (below 0) or a slowdown (above 1).
	ErrOutOfRange = errors.New("serial fraction outside [0, 1]")
	// ErrTimedOut marks a cell or run with trials cancelled at the
	// experiment's timeout; they are left out of every statistic.
	ErrTimedOut = errors.New("timed out")
	// ErrContended marks a cell or run with trials during which other
	// processes kept more CPUs busy than Thresholds.MaxOtherCPU.
	ErrContended = errors.New("contended")
	// ErrNotPrecise marks a cell of a run with adaptive repeats that ran
	// all max of its measured trials without its median reaching the
	// target precision.
	ErrNotPrecise = errors.New("not precise enough")
	// ErrResumed marks a run whose trials came from more than one exp
	// invocation (exp run --resume): the machine's state, or with
	// --any-host the machine, may differ between them.
	ErrResumed = errors.New("resumed")
	// ErrDrift marks a cell, or a run, whose wall times trend with run
	// order (Diagnostics.Drift, Report.Drift).
	ErrDrift = errors.New("drift")
	// ErrWarmup marks a cell whose first measured trials are slower than
	// the rest (Diagnostics.Warmup): it needs more warmup trials.
	ErrWarmup = errors.New("warmup")
	// ErrDependent marks a cell whose trials are positively correlated
	// with their neighbours in run order (Diagnostics.Dependence).
	ErrDependent = errors.New("dependent")
	// ErrBimodal marks a cell whose trials fall into two groups
	// (Diagnostics.Shape.Bimodal).
	ErrBimodal = errors.New("bimodal")
	// ErrSkewed marks a cell whose trials are confidently more skewed than
	// diagnose.SkewLimit (Diagnostics.Shape.Skewed).
	ErrSkewed = errors.New("skewed")
	// ErrWeakScaling is the AmdahlErr of every fit of a weak-scaling run:
	// Amdahl's law describes a fixed problem, so the run gets Gustafson's.
	ErrWeakScaling = errors.New("weak scaling: Amdahl's law describes a fixed problem size; see Gustafson's law")
)

// cellWarnings are the caveats of one cell.
func cellWarnings(cs *CellStats, cpus int, th Thresholds, cpuBound bool) []error {
	var w []error
	if cs.Failed > 0 {
		w = append(w, fmt.Errorf("%w: %s found a wrong answer", ErrFailed, plural(cs.Failed, "trial")))
	}
	w = append(w, limitCellWarnings(cs, th)...)
	switch {
	case cs.N < th.MinN && math.IsNaN(cs.CILow):
		w = append(w, fmt.Errorf("%w: n=%d < %d, no %g%% CI of the median", ErrFewTrials, cs.N, th.MinN, th.Confidence*100))
	case cs.N < th.MinN:
		w = append(w, fmt.Errorf("%w: n=%d < %d", ErrFewTrials, cs.N, th.MinN))
	}
	if cs.CV > th.MaxCV {
		w = append(w, fmt.Errorf("%w: cv %s > %s", ErrNoisy, above(cs.CV*100, th.MaxCV*100), strconv.FormatFloat(th.MaxCV*100, 'f', -1, 64)+"%"))
	}
	if cpuBound && cs.Workers > cpus {
		w = append(w, fmt.Errorf("%w: %d workers > %d usable CPUs, left out of the fits", ErrOversubscribed, cs.Workers, cpus))
	}
	if want := float64(cs.Processors); cpuBound && cs.CPUUse < th.MinCPUShare*want {
		w = append(w, fmt.Errorf("%w: the trials kept %.2f CPUs busy of the %d they could use ((user+sys)/wall)", ErrStarved, cs.CPUUse, cs.Processors))
	}
	if e := cs.KarpFlatt; !math.IsNaN(e) && (e < 0 || e > 1) {
		w = append(w, fmt.Errorf("%w: Karp–Flatt e = %.3g", ErrOutOfRange, e))
	}
	if cs.Outliers > 0 {
		w = append(w, fmt.Errorf("%w: %d beyond %g IQR, kept", ErrOutliers, cs.Outliers, th.OutlierFence))
	}
	return w
}

// above renders v as a percentage with the fewest decimals (at least one)
// that keep it visibly above limit: 5.04% rather than a false "5.0% > 5%".
func above(v, limit float64) string {
	for prec := 1; prec < 6; prec++ {
		s := strconv.FormatFloat(v, 'f', prec, 64)
		if r, _ := strconv.ParseFloat(s, 64); r > limit {
			return s + "%"
		}
	}
	return strconv.FormatFloat(v, 'g', -1, 64) + "%"
}

// preciseWarnings is the caveat of a cell of a run with adaptive repeats a
// that ran all a.Max of its measured trials with its median still less
// precise than a.Precision; none for a fixed count, or a cell that stopped
// early or is still running.
func preciseWarnings(cs *CellStats, a *experiment.Adaptive) []error {
	if a == nil || cs.measured < a.Max || cs.Precision <= a.Precision {
		return nil
	}
	got := "no interval"
	if !math.IsNaN(cs.Precision) {
		got = "±" + experiment.Percent(roundSig(cs.Precision, 2))
	}
	return []error{fmt.Errorf("%w: %s after %s, target ±%s", ErrNotPrecise, got, plural(cs.measured, "trial"), experiment.Percent(a.Precision))}
}

// roundSig rounds x to n significant digits: 0.031234 to 0.031 at n = 2.
func roundSig(x float64, n int) float64 {
	if x == 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	scale := math.Pow(10, float64(n-1)-math.Floor(math.Log10(math.Abs(x))))
	return math.Round(x*scale) / scale
}
