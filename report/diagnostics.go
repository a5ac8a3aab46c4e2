package report

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/exp-tool/exp/diagnose"
)

// Diagnostics are the checks of a cell's assumptions (package diagnose):
// drift, warmup, dependence and shape, on its measured trials with right
// answers in run order (warmups, failed, timed-out and excluded contended
// trials left out). A test that fires adds a warning to the cell.
type Diagnostics struct {
	N     int     // trials diagnosed
	Alpha float64 // significance level of each test separately (Thresholds.DiagnoseAlpha)
	// Skipped says why no test ran ("not enough trials: 5, fewer than 8"); empty
	// when they ran. A skipped cell gets no warning for it.
	Skipped string
	// CellTests are the tests; zero when Skipped.
	diagnose.CellTests
}

// RunDrift is the test of a trend of wall time with run order across the
// whole run: each measured trial with a right answer over its cell's
// median, against its position in the run (diagnose.RunDrift).
type RunDrift struct {
	Alpha   float64 // significance level (Thresholds.DiagnoseAlpha)
	Skipped string  // why there is no test; empty when it ran
	diagnose.Trend
}

// diagnoseCellOf fills in cell c's Diagnostics from times and seqs, its
// diagnosed wall times and their trials' positions in the run, pairwise,
// which it puts in run order. It touches no other cell, so cells may be
// diagnosed at once.
func (rep *Report) diagnoseCellOf(c int, times []float64, seqs []int) {
	runOrder(times, seqs)
	rep.Cells[c].Diagnostics = diagnoseCell(times, rep.Thresholds.DiagnoseAlpha)
}

// diagnoseDrift fills in the run's Drift from times[c] and seqs[c], cell
// c's diagnosed wall times and their trials' positions, in run order
// (diagnoseCellOf).
func (rep *Report) diagnoseDrift(times [][]float64, seqs [][]int) {
	alpha := rep.Thresholds.DiagnoseAlpha
	var all int
	for c := range times {
		all += len(times[c])
	}
	rep.Drift = RunDrift{Alpha: alpha}
	switch {
	case alpha == 0:
		rep.Drift.Skipped = "off"
	case rep.Shards != nil && len(rep.Shards.Runs) > 1:
		rep.Drift.Skipped = fmt.Sprintf("the %d shards ran apart, each in its own order", len(rep.Shards.Runs))
	case all < diagnose.MinN:
		rep.Drift.Skipped = fmt.Sprintf("%s: %d, fewer than %d", diagnose.ErrTooFew, all, diagnose.MinN)
	default:
		var err error
		t, q := thin(times, seqs, all)
		if rep.Drift.Trend, err = diagnose.RunDrift(t, q, alpha); err != nil {
			rep.Drift.Skipped = err.Error()
		}
	}
}

// MaxDriftTrials bounds the trials the run's drift test pools: a run of
// more is tested on a systematic sample, every k-th trial of each cell in
// run order, so that a run of millions costs no more memory than one of
// tens of thousands. A trend that a sample of 20,000 cannot show is far
// below the 1% that the test needs to fire (diagnose.MinEffect).
var MaxDriftTrials = 20_000

// thin returns every k-th trial of each cell (times and their seqs, in run
// order), k the least that leaves at most MaxDriftTrials of all; times and
// seqs themselves when they are few enough.
func thin(times [][]float64, seqs [][]int, all int) ([][]float64, [][]int) {
	if all <= MaxDriftTrials {
		return times, seqs
	}
	k := (all + MaxDriftTrials - 1) / MaxDriftTrials
	t, q := make([][]float64, len(times)), make([][]int, len(seqs))
	for c := range times {
		for i := 0; i < len(times[c]); i += k {
			t[c] = append(t[c], times[c][i])
			q[c] = append(q[c], seqs[c][i])
		}
	}
	return t, q
}

// diagnoseCell runs the diagnostics on xs, in run order, at alpha; 0 turns
// them off.
func diagnoseCell(xs []float64, alpha float64) Diagnostics {
	d := Diagnostics{N: len(xs), Alpha: alpha}
	if alpha == 0 {
		d.Skipped = "off"
		return d
	}
	var err error
	d.CellTests, err = diagnose.Cell(xs, alpha)
	switch {
	case errors.Is(err, diagnose.ErrTooFew):
		d.Skipped = fmt.Sprintf("%s: %d, fewer than %d", err, len(xs), diagnose.MinN)
	case err != nil:
		d.Skipped = err.Error()
	}
	if d.Skipped != "" {
		d.CellTests = diagnose.CellTests{}
	}
	return d
}

// runOrder sorts xs and seqs together by seq, in place.
func runOrder(xs []float64, seqs []int) {
	if slices.IsSorted(seqs) {
		return // as the store reads them
	}
	idx := make([]int, len(xs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(seqs[a], seqs[b]) })
	x2, s2 := slices.Clone(xs), slices.Clone(seqs)
	for i, j := range idx {
		xs[i], seqs[i] = x2[j], s2[j]
	}
}

// diagnosticWarnings are the warnings of a cell's diagnostics that fired;
// warmup is the run's warmup trials per cell, outliers the cell's flagged
// outliers: a skewed cell with outliers gets no skew warning, as the
// outlier warning already names its tail.
func diagnosticWarnings(d Diagnostics, warmup, outliers int) []error {
	if d.Skipped != "" {
		return nil
	}
	var w []error
	a := strconv.FormatFloat(d.Alpha, 'g', -1, 64)
	if t := d.Drift; t.Fired {
		w = append(w, fmt.Errorf("%w: wall time %s with run order, %+.1f%% from the first third of the trials to the last, Spearman rho %+.2f (p %.2g < %s)", ErrDrift, trendWord(t.Rho), 100*t.Change, t.Rho, t.P, a))
	}
	if t := d.Warmup; t.Fired {
		first, them := "the first measured trial is", "it"
		if t.Suggested > 1 {
			first, them = fmt.Sprintf("the first %d measured trials are", t.Suggested), "them"
		}
		w = append(w, fmt.Errorf("%w: %s %.0f%% slower than the rest (p %.2g < %s): discard %s (warmup: %d)",
			ErrWarmup, first, t.Slowdown*100, t.P, a, them, warmup+t.Suggested))
	}
	if t := d.Dependence; t.Fired {
		w = append(w, fmt.Errorf("%w: lag-1 autocorrelation %+.2f (p %.2g < %s): neighbouring trials resemble each other, so the intervals are too narrow",
			ErrDependent, t.R1, t.P, a))
	}
	if s := d.Shape; s.Bimodal {
		w = append(w, fmt.Errorf("%w: a split into %d fast and %d slow trials explains %.0f%% of the variance (> %.0f%%): the median may jump between the modes",
			ErrBimodal, s.LowGroup, s.N-s.LowGroup, s.Bimodality*100, s.BimodalityLimit*100))
	}
	if s := d.Shape; s.Skewed && outliers == 0 {
		w = append(w, fmt.Errorf("%w: skewness %+.2f (se %.2f), beyond %g", ErrSkewed, s.Skewness, s.SkewnessSE, diagnose.SkewLimit))
	}
	return w
}

// runDriftWarning is the run's drift warning, nil when it did not fire.
func runDriftWarning(d RunDrift) error {
	if d.Skipped != "" || !d.Fired {
		return nil
	}
	return fmt.Errorf("%w: across the run, wall time over its cell's median %s with run order, %+.1f%% from the first third of the run to the last, Spearman rho %+.2f over %s (p %.2g < %s): the machine changed during the run",
		ErrDrift, trendWord(d.Rho), 100*d.Change, d.Rho, plural(d.N, "trial"), d.P, strconv.FormatFloat(d.Alpha, 'g', -1, 64))
}

func trendWord(rho float64) string {
	if rho < 0 {
		return "falls"
	}
	return "rises"
}

// withinProcesses returns a copy of xs, one cell's times, with each
// process's times scaled so that its median is the cell's: inv[i] is the
// process of xs[i]. The diagnostics then test the trials within processes:
// a process a few percent slower throughout is variation between
// processes, which the report measures (BetweenSD), not drift, dependence,
// two modes or a warmup. With one process xs is copied unchanged.
func withinProcesses(xs []float64, inv []int) []float64 {
	out := slices.Clone(xs)
	if len(inv) == 0 {
		return out // one process
	}
	groups := map[int][]float64{}
	for i, x := range xs {
		groups[inv[i]] = append(groups[inv[i]], x)
	}
	if len(groups) < 2 {
		return out
	}
	m := median(xs)
	scale := map[int]float64{}
	for k, g := range groups {
		if gm := median(g); gm > 0 {
			scale[k] = m / gm
		}
	}
	for i := range out {
		if f, ok := scale[inv[i]]; ok {
			out[i] *= f
		}
	}
	return out
}
