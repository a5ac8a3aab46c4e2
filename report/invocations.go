package report

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/exp-tool/exp/experiment"
	"github.com/exp-tool/exp/internal/order"
)

// Statistics of a cell measured in several processes (the experiment
// file's invocations): a one-way random-effects model, trial j of process
// i taking y_ij = mu + b_i + e_ij, with b_i ~ (0, sigma_b^2) what the
// process adds (its memory layout, its page placement, the frequency its
// CPU ran at) and e_ij ~ (0, sigma_w^2) the trial's own noise. Trials of
// one process then vary by sigma_w only, and a cell's median is uncertain
// by both: more trials in the same processes shrink only the within part
// (Kalibera & Jones 2013, "Rigorous benchmarking in reasonable time").

// ErrTooFewInvocations is returned by VarianceComponentsOf for fewer than
// two groups, or no group of two or more values: the components cannot be
// told apart.
var ErrTooFewInvocations = errors.New("too few invocations")

// VarianceComponents are the between- and within-process variances of a
// cell's trials, estimated by the one-way random-effects ANOVA's method of
// moments (Searle, Casella & McCulloch 1992, ch. 3), for unequal group
// sizes n_i, N = sum n_i, k groups:
//
//	MSB = sum n_i (mean_i - mean)^2 / (k-1)
//	MSW = sum_i sum_j (y_ij - mean_i)^2 / (N-k)
//	n0  = (N - sum n_i^2 / N) / (k-1)
//	sigma_w^2 = MSW,  sigma_b^2 = max(0, (MSB - MSW) / n0)
type VarianceComponents struct {
	Groups  int     // k, the processes (invocations) with at least one value
	N       int     // values in all
	MSB     float64 // mean square between groups, seconds^2
	MSW     float64 // mean square within groups, seconds^2
	N0      float64 // the effective group size n0
	Between float64 // sigma_b^2, seconds^2, >= 0
	Within  float64 // sigma_w^2, seconds^2
}

// BetweenSD is sqrt(Between), seconds.
func (v VarianceComponents) BetweenSD() float64 { return math.Sqrt(v.Between) }

// WithinSD is sqrt(Within), seconds.
func (v VarianceComponents) WithinSD() float64 { return math.Sqrt(v.Within) }

// VarianceComponentsOf estimates the components from groups, one slice of
// values per process; empty groups are skipped. It returns
// ErrTooFewInvocations with fewer than two non-empty groups or N = k.
func VarianceComponentsOf(groups [][]float64) (VarianceComponents, error) {
	var v VarianceComponents
	var sum, sumSq float64
	for _, g := range groups {
		if len(g) == 0 {
			continue
		}
		v.Groups++
		v.N += len(g)
		for _, x := range g {
			sum += x
		}
		sumSq += float64(len(g)) * float64(len(g))
	}
	if v.Groups < 2 || v.N <= v.Groups {
		return v, ErrTooFewInvocations
	}
	mean := sum / float64(v.N)
	var ssb, ssw float64
	for _, g := range groups {
		if len(g) == 0 {
			continue
		}
		m := meanOf(g)
		ssb += float64(len(g)) * (m - mean) * (m - mean)
		for _, x := range g {
			ssw += (x - m) * (x - m)
		}
	}
	k, n := float64(v.Groups), float64(v.N)
	v.MSB, v.MSW = ssb/(k-1), ssw/(n-k)
	v.N0 = (n - sumSq/n) / (k - 1)
	v.Between, v.Within = max(0, (v.MSB-v.MSW)/v.N0), v.MSW
	return v, nil
}

// meanOf is the arithmetic mean of a non-empty xs.
func meanOf(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

// DefaultBootstrapResamples is how many resamples HierarchicalMedianCI
// draws: enough for the 2.5% and 97.5% percentiles to move by well under
// a percent of the interval's width between seeds.
var DefaultBootstrapResamples = 2000

// HierarchicalMedianCI is the percentile interval, at level, of the median
// of all values pooled, by a two-stage (hierarchical) bootstrap (Davison &
// Hinkley 1997, sec. 3.8; Ren et al. 2010): each of resamples draws k
// groups from the k non-empty groups with replacement, then, within each
// drawn group, as many values as it holds with replacement, and takes the
// median of them all. Resampling the groups carries the between-process
// variation into the interval, which a bootstrap of the pooled trials
// leaves out; resampling within them too makes the interval slightly
// conservative. se is the standard deviation of the resampled medians. A
// PCG generator seeded with seed draws them, so the same data and seed
// give the same interval. With fewer than two non-empty groups it returns
// NaNs.
func HierarchicalMedianCI(groups [][]float64, level float64, resamples int, seed uint64) (lo, hi, se float64) {
	var gs [][]float64
	n := 0
	for _, g := range groups {
		if len(g) > 0 {
			gs = append(gs, g)
			n += len(g)
		}
	}
	if len(gs) < 2 || resamples < 2 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	rng := rand.New(rand.NewPCG(seed, 0x6865722d626f6f74)) // "her-boot"
	meds := make([]float64, resamples)
	buf := make([]float64, 0, n*2)
	for b := range meds {
		buf = buf[:0]
		for range gs {
			g := gs[rng.IntN(len(gs))]
			for range g {
				buf = append(buf, g[rng.IntN(len(g))])
			}
		}
		meds[b] = medianInPlace(buf)
	}
	return percentileInterval(meds, level)
}

// percentileInterval sorts xs and returns its (1-level)/2 and (1+level)/2
// quantiles (nearest rank) and its standard deviation.
func percentileInterval(xs []float64, level float64) (lo, hi, sd float64) {
	slices.Sort(xs)
	at := func(q float64) float64 {
		i := int(math.Ceil(q*float64(len(xs)))) - 1
		return xs[min(max(i, 0), len(xs)-1)]
	}
	m := meanOf(xs)
	var ss float64
	for _, x := range xs {
		ss += (x - m) * (x - m)
	}
	return at((1 - level) / 2), at((1 + level) / 2), math.Sqrt(ss / float64(len(xs)-1))
}

// medianInPlace is the median of a non-empty xs, which it reorders: by
// selection, the value a sort would give, in linear time (each bootstrap
// resample's median was a sort of every trial of the cell).
func medianInPlace(xs []float64) float64 { return order.Median(xs) }

// How a cell's median interval was computed (CellStats.CIMethod).
const (
	// CIOrderStatistic is the distribution-free binomial interval of the
	// median (MedianCI): right for trials of one process.
	CIOrderStatistic = "order-statistic"
	// CIHierarchicalBootstrap is HierarchicalMedianCI over the cell's
	// processes: for trials of several (the file's invocations).
	CIHierarchicalBootstrap = "hierarchical-bootstrap"
)

// MinInvocations is the fewest processes for which a cell's hierarchical
// interval holds about its nominal coverage: in simulation (as much noise
// between processes as within, 8 trials each, 400 cells) the 95% interval
// held the true median 94% of the time with 8 processes, 90% with 6 and
// 88% with 4. A cell of fewer gets ErrFewInvocations.
var MinInvocations = 8

// MinIntervalInvocations is the fewest processes for which a cell gets an
// interval at all: with 2 or 3, the bootstrap's 95% interval held the true
// median only 45% to 85% of the time in simulation.
var MinIntervalInvocations = 4

// ErrFewInvocations marks a cell measured in fewer than MinInvocations
// processes: its interval is somewhat too narrow.
var ErrFewInvocations = errors.New("few invocations")

// ErrOneProcess is the run-level note that every measured trial came from
// one process, so no interval covers what changes between processes.
var ErrOneProcess = errors.New("one process")

// invocationStats fills in the cell's Invocations, BetweenSD, WithinSD
// and CIMethod from its measured times xs and their invocations inv (empty
// for a run of one process). With
// two or more invocations the median's interval becomes the hierarchical
// bootstrap's (seeded by the run's seed and the cell's index), and the
// median's standard error, which the speedups and fits use, at least the
// bootstrap's.
func (c *CellStats) invocationStats(xs []float64, inv []int, th Thresholds, seed int64) {
	c.BetweenSD, c.WithinSD, c.CIMethod = math.NaN(), math.NaN(), CIOrderStatistic
	if len(inv) == 0 { // one process (Builder.multi)
		c.Invocations = min(1, len(xs))
		return
	}
	var groups [][]float64
	at := map[int]int{}
	for i, x := range xs {
		g, ok := at[inv[i]]
		if !ok {
			g = len(groups)
			at[inv[i]] = g
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], x)
	}
	c.Invocations = len(groups)
	if len(groups) < 2 {
		return
	}
	if v, err := VarianceComponentsOf(groups); err == nil {
		c.BetweenSD, c.WithinSD = v.BetweenSD(), v.WithinSD()
	}
	lo, hi, se := HierarchicalMedianCI(groups, th.Confidence, DefaultBootstrapResamples, uint64(seed)^uint64(c.Index)*0x9e3779b97f4a7c15)
	c.CILow, c.CIHigh, c.CIMethod = lo, hi, CIHierarchicalBootstrap
	switch k := len(groups); {
	case k < MinIntervalInvocations:
		// The bootstrap over 2 or 3 processes held the true median only 45%
		// to 85% of the time: no interval is better than a wrong one.
		c.CILow, c.CIHigh = math.NaN(), math.NaN()
		c.notes = append(c.notes, fmt.Errorf("%w: %d processes < %d: too few for an interval that covers the variation between processes, so none is given (set invocations: 8 or more)",
			ErrFewInvocations, k, MinIntervalInvocations))
	case k < MinInvocations:
		c.notes = append(c.notes, fmt.Errorf("%w: %d processes < %d: the interval over processes is somewhat too narrow (in simulation a 95%% one held the true median 88%% of the time with 4, 90%% with 6)",
			ErrFewInvocations, k, MinInvocations))
	}
	// The precision is the reported interval's (NaN without one).
	c.Precision = math.NaN()
	if p := experiment.RelativeHalfWidth(c.Median, c.CILow, c.CIHigh); !math.IsInf(p, 1) {
		c.Precision = p
	}
	if se > c.medianSE {
		c.medianSE = se
		c.relSE = se / c.Median
	}
}

// processesText is " (the warmup in each of N processes)" for a run of N > 1
// processes (the header line of the table), else "".
func processesText(run experiment.Run) string {
	if run.ProcessInvocations <= 1 {
		return ""
	}
	return fmt.Sprintf(" (the warmup in each of %d processes)", run.ProcessInvocations)
}

// processWarning is the run-level note for a run whose measured trials all
// came from one process (and that has any): its intervals cover the
// variation between trials, not between processes.
func processWarning(rep *Report) error {
	one, any := true, false
	for _, c := range rep.Cells {
		any = any || c.Invocations > 0
		one = one && c.Invocations <= 1
	}
	if !any || !one {
		return nil
	}
	return fmt.Errorf("%w: the trials were not split over processes (invocations: 1), so no interval covers the variation between processes (set invocations: N, N >= 2, to measure it)", ErrOneProcess)
}
