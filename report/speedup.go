package report

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/exp-tool/exp/experiment"
	"github.com/exp-tool/exp/scaling"
	"gonum.org/v1/gonum/stat/distuv"
)

// group identifies the cells that share a baseline and a fit: one range of
// the experiment file and one schedule. Under strong scaling the range is
// also what the cells test; under weak scaling each cell tests a range
// grown with its worker count, so only the file's range index counts.
type group struct {
	rangeIndex int
	rng        experiment.Range // zero under weak scaling
	schedule   experiment.Schedule
}

func (rep *Report) groupOf(c experiment.Cell) group {
	g := group{rangeIndex: c.RangeIndex, rng: c.Range, schedule: c.Schedule}
	if weak(rep.Run) {
		g.rng = experiment.Range{}
	}
	return g
}

// speedups fills Speedup, Efficiency and the Karp–Flatt fraction against
// the 1-worker cell of the same group, and notes why any of them is missing.
func (rep *Report) speedups(times [][]float64) {
	nan := math.NaN()
	for i := range rep.Cells {
		cs := &rep.Cells[i]
		cs.Speedup, cs.SpeedupLow, cs.SpeedupHigh, cs.Efficiency = nan, nan, nan, nan
		cs.KarpFlatt, cs.KarpFlattLow, cs.KarpFlattHigh, cs.AmdahlSpeedup, cs.GustafsonSpeedup, cs.Residual = nan, nan, nan, nan, nan, nan
		if cs.N == 0 {
			continue
		}
		g := rep.groupOf(cs.Cell)
		base := slices.IndexFunc(rep.Cells, func(b CellStats) bool { return b.Workers == 1 && rep.groupOf(b.Cell) == g })
		switch {
		case base < 0:
			cs.notes = append(cs.notes, errors.New("no 1-worker cell of this range and schedule: no speedup (add 1 to workers)"))
			continue
		case rep.Cells[base].N == 0:
			cs.notes = append(cs.notes, errors.New("the 1-worker cell has no measured trials: no speedup"))
			continue
		case base != i && rep.Cells[base].Failed > 0:
			cs.notes = append(cs.notes, errors.New("speedup is against a 1-worker cell with wrong answers"))
		}
		b := &rep.Cells[base]
		// Under weak scaling w workers did w times the work of one.
		scale := 1.0
		if weak(rep.Run) {
			scale = float64(cs.Workers)
		}
		cs.Speedup = scale * b.Median / cs.Median
		switch {
		case base == i:
			cs.Speedup, cs.SpeedupLow, cs.SpeedupHigh = 1, 1, 1
		case b.N < 2:
			cs.notes = append(cs.notes, fmt.Errorf("the 1-worker cell's n=%d is too few for the speedup's CI (need 2)", b.N))
		case cs.N < 2:
			cs.notes = append(cs.notes, fmt.Errorf("n=%d is too few for the speedup's CI (need 2)", cs.N))
		case fewProcesses(b) || fewProcesses(cs):
			// The medians' intervals are withheld (invocationStats): a
			// speedup's built from the same bootstrap would be as wrong.
			cs.notes = append(cs.notes, fmt.Errorf("%w: the speedup's CI needs %d or more processes in this cell and the 1-worker cell (they have %d and %d)",
				ErrFewInvocations, MinIntervalInvocations, cs.Invocations, b.Invocations))
		default:
			se := math.Hypot(b.relSE, cs.relSE) // logRatioSE(times[base], times[i]), each cell's part computed once
			cs.SpeedupLow, cs.SpeedupHigh = ratioInterval(cs.Speedup, se, speedupDOF(b, cs), rep.Thresholds)
			cs.speedupSE = cs.Speedup * se
		}
		cs.Efficiency = cs.Speedup / float64(cs.Workers)
		if p := float64(cs.Processors); p > 1 && !weak(rep.Run) {
			cs.KarpFlatt = scaling.KarpFlatt(cs.Speedup, p)
			// e falls as S rises: the interval's ends swap.
			cs.KarpFlattLow, cs.KarpFlattHigh = scaling.KarpFlatt(cs.SpeedupHigh, p), scaling.KarpFlatt(cs.SpeedupLow, p)
		}
	}
}

// fewProcesses reports whether c's trials came from 2 or more processes but
// fewer than MinIntervalInvocations: too few for any interval.
func fewProcesses(c *CellStats) bool {
	return c.Invocations >= 2 && c.Invocations < MinIntervalInvocations
}

// speedupDOF is the n of the speedup's t quantile: the smaller cell's
// trial count, or, for cells split over processes, its process count,
// since the processes, not the trials, are then the independent units.
func speedupDOF(b, c *CellStats) int {
	n := min(b.N, c.N)
	if b.Invocations >= 2 && c.Invocations >= 2 {
		n = min(b.Invocations, c.Invocations)
	}
	return n
}

// ratioCI is the interval of a ratio of two medians, s = m(base)/m(cell):
// log s ± q sqrt(se_b^2 + se_c^2), with se the relative standard error of
// each median (Thresholds.medianSE / median) and q Student's t with n-1
// degrees of freedom, n the smaller cell. Measured by simulation
// (TestSpeedupCoverage, 4000 data sets per scenario) it covers 95.1–97.1%
// at 95% on lognormal noise of 2% and 5% with or without outliers, about half as wide as dividing two 97.5% median
// intervals (which covered 99.8–100%).
func ratioCI(s float64, base, cell []float64, th Thresholds) (lo, hi float64) {
	return ratioInterval(s, logRatioSE(base, cell, th), min(len(base), len(cell)), th)
}

// ratioInterval is ratioCI's interval from the standard error se of
// log s and n, the smaller cell's trial count.
func ratioInterval(s, se float64, n int, th Thresholds) (lo, hi float64) {
	q := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}.Quantile(1 - (1-th.Confidence)/2)
	return s * math.Exp(-q*se), s * math.Exp(q*se)
}

// logRatioSE is the standard error of log(m(base)/m(cell)), from the
// relative standard errors of the two medians.
func logRatioSE(base, cell []float64, th Thresholds) float64 {
	return math.Hypot(th.relMedianSE(base), th.relMedianSE(cell))
}

// relMedianSE is the relative standard error of the median of xs,
// Thresholds.medianSE / median.
func (th Thresholds) relMedianSE(xs []float64) float64 { return th.medianSE(xs) / median(xs) }
