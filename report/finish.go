package report

import (
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/exp-tool/exp/internal/order"
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
	c.CPUUse = order.Median(b.cpu[i]) // median(b.cpu[i]), which b needs no more
	c.OtherCPU = order.Median(b.other[i])
	b.cpu[i], b.other[i] = nil, nil // for the garbage collector, while other cells finish
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
