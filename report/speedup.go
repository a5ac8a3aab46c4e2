package report

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/exp-tool/exp/experiment"
	"github.com/exp-tool/exp/scaling"
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
	bonferroni := 1 - (1-rep.Thresholds.Confidence)/2
	for i := range rep.Cells {
		cs := &rep.Cells[i]
		cs.Speedup, cs.SpeedupLow, cs.SpeedupHigh, cs.Efficiency = nan, nan, nan, nan
		cs.KarpFlatt, cs.KarpFlattLow, cs.KarpFlattHigh, cs.AmdahlSpeedup, cs.Residual = nan, nan, nan, nan, nan
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
		// Under weak scaling p workers did p times the work of one.
		scale := 1.0
		if weak(rep.Run) {
			scale = float64(cs.Processors)
		}
		cs.Speedup = scale * b.Median / cs.Median
		if base == i {
			cs.Speedup, cs.SpeedupLow, cs.SpeedupHigh = 1, 1, 1
		} else if bl, bh, ok := ciAt(times[base], bonferroni); !ok {
			cs.notes = append(cs.notes, fmt.Errorf("the 1-worker cell's n=%d is too few for the speedup's CI", b.N))
		} else if cl, ch, ok := ciAt(times[i], bonferroni); !ok {
			cs.notes = append(cs.notes, fmt.Errorf("n=%d is too few for the speedup's CI (each cell needs %d)", cs.N, minN(bonferroni)))
		} else {
			cs.SpeedupLow, cs.SpeedupHigh = scale*bl/ch, scale*bh/cl
		}
		cs.Efficiency = cs.Speedup / float64(cs.Workers)
		if p := float64(cs.Processors); p > 1 && !weak(rep.Run) {
			cs.KarpFlatt = scaling.KarpFlatt(cs.Speedup, p)
			// e falls as S rises: the interval's ends swap.
			cs.KarpFlattLow, cs.KarpFlattHigh = scaling.KarpFlatt(cs.SpeedupHigh, p), scaling.KarpFlatt(cs.SpeedupLow, p)
		}
	}
}

// minN is the fewest samples whose median has an order-statistic interval
// at confidence conf.
func minN(conf float64) int {
	n := 1
	for ; n < 1000; n++ {
		if _, _, ok := MedianCI(n, conf); ok {
			break
		}
	}
	return n
}

// ciAt is the median's order-statistic interval of xs at confidence conf.
func ciAt(xs []float64, conf float64) (lo, hi float64, ok bool) {
	sorted := slices.Sorted(slices.Values(xs))
	i, j, ok := MedianCI(len(sorted), conf)
	if !ok {
		return 0, 0, false
	}
	return sorted[i], sorted[j], true
}
