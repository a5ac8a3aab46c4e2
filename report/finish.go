package report

import (
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/exp-tool/exp/scaling"
)

// finishCell computes cell i's statistics and diagnostics from what Add
// kept, sorting its wall times once for all of them, and returns the
// times it diagnosed (within processes, in run order) for the run's drift
// test. It writes only cell i's CellStats and its b.seq[i], so that cells
// may be finished at once.
func (b *Builder) finishCell(i int) []float64 {
	th := b.th
	c := &b.rep.Cells[i]
	xs := b.times[i]
	sorted := slices.Sorted(slices.Values(xs))
	c.Summary = summarizeSorted(sorted, th)
	c.CPUUse = medianSelect(b.cpu[i])
	c.OtherCPU = medianSelect(b.other[i])
	raw := scaling.MedianSESorted(xs, sorted)
	m := medianSorted(sorted)
	c.medianSE = max(raw, th.Resolution) // th.medianSE(xs)
	c.spread = raw * math.Sqrt(float64(len(xs))) / 1.2533 / m
	c.relSE = c.medianSE / m // th.relMedianSE(xs)
	c.invocationStats(xs, b.inv[i], th, b.rep.Run.Seed)
	// Diagnosed within processes: a process's offset is no drift.
	c.passedInv = b.pinv[i]
	passed := withinProcesses(c.passed, b.pinv[i])
	b.rep.diagnoseCellOf(i, passed, b.seq[i])
	return passed
}

// eachCell calls f(i) for each i in [0, n) on up to GOMAXPROCS goroutines
// and returns when every call has.
func eachCell(n int, f func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), n) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				f(i)
			}
		})
	}
	wg.Wait()
}

// medianSorted is median of sorted, a sample sorted ascending.
func medianSorted(s []float64) float64 {
	n := len(s)
	switch {
	case n == 0:
		return math.NaN()
	case n%2 == 1:
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// medianSelect is median(xs), found by selection instead of a sort: it
// reorders xs.
func medianSelect(xs []float64) float64 {
	n := len(xs)
	if n == 0 || slices.ContainsFunc(xs, math.IsNaN) {
		return median(xs) // NaN has no rank; median sorts it first
	}
	hi := selectKth(xs, n/2)
	if n%2 == 1 {
		return hi
	}
	// The order statistic below the middle is the largest of the lower part.
	return (slices.Max(xs[:n/2]) + hi) / 2
}

// selectKth reorders xs (no NaN) so that xs[k] is the value a sort would
// put there, those before it no larger and those after it no smaller
// (Hoare's quickselect with a median-of-three pivot), and returns xs[k].
// It falls back to sorting a part that does not shrink fast enough, so it
// is never quadratic.
func selectKth(xs []float64, k int) float64 {
	lo, hi := 0, len(xs)-1
	for budget := 2 * 64; hi > lo; budget-- {
		if budget == 0 || hi-lo < 16 {
			slices.Sort(xs[lo : hi+1])
			break
		}
		mid := lo + (hi-lo)/2
		if xs[mid] < xs[lo] {
			xs[mid], xs[lo] = xs[lo], xs[mid]
		}
		if xs[hi] < xs[lo] {
			xs[hi], xs[lo] = xs[lo], xs[hi]
		}
		if xs[hi] < xs[mid] {
			xs[hi], xs[mid] = xs[mid], xs[hi]
		}
		pivot := xs[mid]
		i, j := lo, hi
		for i <= j {
			for xs[i] < pivot {
				i++
			}
			for xs[j] > pivot {
				j--
			}
			if i <= j {
				xs[i], xs[j] = xs[j], xs[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return xs[k]
		}
	}
	return xs[k]
}
