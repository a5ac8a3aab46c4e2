package scaling

import (
	"fmt"
	"math"
	"slices"

	"github.com/montanaflynn/stats"
)

// Point is one measurement at one processor count: typically the median of
// a cell's trials.
type Point struct {
	P float64 // processors (or load), > 0
	Y float64 // the measurement: a time in seconds, or a throughput in units per second; >= 0
	// SE is the standard error of Y, in Y's unit. 0 means unknown: a fit
	// then weighs all points equally and estimates the noise from the
	// residuals alone.
	SE float64
	N  int // samples behind Y (trials in the cell); 0 when unknown
}

// SpeedupPoint is a measured speedup at one processor count, with its
// confidence interval (NaN bounds when unknown).
type SpeedupPoint struct {
	P          float64 // processors, >= 1
	S          float64 // measured speedup, T(1)/T(p) (strong) or p T(1)/T(p) (weak)
	Low, High  float64 // confidence interval of S; NaN when unknown
	Confidence float64 // level of [Low, High], e.g. 0.95
	// SE is the standard error of S; 0 when unknown, and then the fits take
	// it from [Low, High] as if that were a normal interval.
	SE float64
}

// check returns ErrBadPoint, wrapped with the index, for a point no fit can
// use.
func (pt Point) check(i int) error {
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	if !(pt.P > 0) || !finite(pt.P) || !(pt.Y >= 0) || !finite(pt.Y) || !(pt.SE >= 0) || !finite(pt.SE) || pt.N < 0 {
		return fmt.Errorf("%w: point %d is {P: %g, Y: %g, SE: %g, N: %d}", ErrBadPoint, i, pt.P, pt.Y, pt.SE, pt.N)
	}
	return nil
}

// distinctP counts the distinct processor counts of points.
func distinctP(points []Point) int {
	ps := make([]float64, len(points))
	for i, pt := range points {
		ps[i] = pt.P
	}
	slices.Sort(ps)
	return len(slices.Compact(ps))
}

// Aggregate groups raw observations (x[i], y[i]) by x into Points, in
// ascending x: Y is the group's median, SE its MedianSE (0 for a group of
// one) and N its size. x and y must have the same length.
func Aggregate(x, y []float64) []Point {
	groups := map[float64][]float64{}
	for i := range x {
		groups[x[i]] = append(groups[x[i]], y[i])
	}
	keys := make([]float64, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]Point, len(keys))
	for i, k := range keys {
		ys := groups[k]
		med, _ := stats.Median(ys)
		se := 0.0
		if len(ys) > 1 {
			se = MedianSE(ys)
		}
		out[i] = Point{P: k, Y: med, SE: se, N: len(ys)}
	}
	return out
}

// MedianSE estimates the standard error of the median of xs:
// 1.2533 sigma / sqrt(n), the large-sample error of the median of a normal
// sample, with sigma estimated robustly as 1.4826 MAD. When more than half
// the samples are equal (MAD = 0, as with a coarse timer) sigma falls back
// to the sample standard deviation; when all are equal, to one part in a
// million of the median (and at least 1e-9). It is NaN for fewer than 2
// samples.
//
// The MAD is itself noisy with few samples; the fits account for that by
// taking their quantile from Student's t with n-1 degrees of freedom.
func MedianSE(xs []float64) float64 {
	if len(xs) < 2 {
		return math.NaN()
	}
	data := stats.Float64Data(xs)
	mad, _ := data.MedianAbsoluteDeviation()
	med, _ := data.Median()
	sigma := 1.4826 * mad
	if sigma == 0 {
		sigma, _ = data.StandardDeviationSample()
	}
	se := 1.2533 * sigma / math.Sqrt(float64(len(xs)))
	return max(se, 1e-6*math.Abs(med), 1e-9)
}

// speedupSE is sp's standard error: SE when given, else the one implied
// by its interval (intervalSE); NaN when neither is known.
func (sp SpeedupPoint) speedupSE() float64 {
	if sp.SE > 0 && !math.IsInf(sp.SE, 0) {
		return sp.SE
	}
	return intervalSE(sp.Low, sp.High, sp.Confidence)
}

// MedianSESorted is MedianSE(xs) for a caller that already holds sorted,
// xs sorted ascending: the same value, bit for bit, without MedianSE's
// three sorts. The MAD comes from sorted in one pass: the absolute
// deviations below the median fall and those above it rise, so their
// median is where the two runs merge. xs is read only for the standard
// deviation fallback, which sums in xs's order.
func MedianSESorted(xs, sorted []float64) float64 {
	n := len(sorted)
	if n < 2 || n != len(xs) || math.IsNaN(sorted[0]) || math.IsInf(sorted[0], 0) || math.IsInf(sorted[n-1], 0) {
		return MedianSE(xs) // NaN sorts first; infinities make NaN deviations
	}
	med := medianOfSorted(sorted)
	// The deviations' order statistics k-1 and k (k = n/2), merging the
	// run below the median (walking down from p-1) with the run above it
	// (walking up from p).
	p, _ := slices.BinarySearch(sorted, med)
	lo, hi := p-1, p
	var prev, cur float64
	for range n/2 + 1 {
		prev = cur
		if hi >= n || lo >= 0 && math.Abs(sorted[lo]-med) <= math.Abs(sorted[hi]-med) {
			cur = math.Abs(sorted[lo] - med)
			lo--
		} else {
			cur = math.Abs(sorted[hi] - med)
			hi++
		}
	}
	mad := cur
	if n%2 == 0 {
		mad, _ = stats.Mean(stats.Float64Data{prev, cur})
	}
	sigma := 1.4826 * mad
	if sigma == 0 {
		sigma, _ = stats.Float64Data(xs).StandardDeviationSample()
	}
	se := 1.2533 * sigma / math.Sqrt(float64(n))
	return max(se, 1e-6*math.Abs(med), 1e-9)
}

// medianOfSorted is stats.Median of sorted (ascending, no NaN), without
// its copy and sort: the middle value, or the Mean of the middle two.
func medianOfSorted(sorted []float64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	m, _ := stats.Mean(sorted[n/2-1 : n/2+1])
	return m
}
