// Package report turns stored trials into statistics, speedups and scaling
// fits (by package scaling), and renders them as a table, CSV, JSON or
// Markdown.
//
// It computes from slices and writes to an io.Writer: it never opens a file
// or a database. Statistical caveats (few samples, noisy or starved cells, a
// fit the data cannot support) are carried as Warnings []error on the
// results, never as returned errors and never by dropping data.
package report

import (
	"math"
	"slices"

	"github.com/exp-tool/exp/experiment"
	"github.com/montanaflynn/stats"
)

// Summary describes a sample of trial times, in seconds.
type Summary struct {
	N        int     // number of samples
	Mean     float64 // arithmetic mean
	Median   float64 // median
	Stddev   float64 // sample standard deviation (n-1); NaN for n < 2
	CV       float64 // coefficient of variation, Stddev/Mean, as a fraction; NaN for n < 2 or a zero mean
	Min, Max float64 // extremes
	// CILow and CIHigh bound the median with at least the requested
	// coverage, by the distribution-free binomial order-statistic interval.
	// They are NaN when N is too small for that coverage (N < 6 at 95%).
	CILow, CIHigh float64
	// Outliers counts samples beyond the fences, OutlierFence x IQR (but at
	// least the timing Resolution) outside the quartiles; 0 when the IQR is
	// 0 (more than half the samples equal), where no scale is left to judge
	// by.
	Outliers int
	// Precision is how precisely the median is known: the larger distance
	// from the median to either end of its interval [CILow, CIHigh], over
	// the median, as a fraction (0.031: the interval lies within ±3.1% of
	// the median; experiment.RelativeHalfWidth). NaN without an interval.
	Precision float64
}

// Summarize computes the Summary of xs with the median's interval at level
// th.Confidence and outlier fences th.OutlierFence x IQR (at least
// th.Resolution) beyond the quartiles. xs is not modified. An empty sample
// gives N = 0 and NaN everywhere.
func Summarize(xs []float64, th Thresholds) Summary {
	return summarizeSorted(slices.Sorted(slices.Values(xs)), th)
}

// summarizeSorted is Summarize of sorted, a sample sorted ascending.
func summarizeSorted(sorted []float64, th Thresholds) Summary {
	nan := math.NaN()
	s := Summary{N: len(sorted), Mean: nan, Median: nan, Stddev: nan, CV: nan, Min: nan, Max: nan, CILow: nan, CIHigh: nan, Precision: nan}
	if len(sorted) == 0 {
		return s
	}
	data := stats.Float64Data(sorted)
	s.Mean, _ = data.Mean()
	s.Median, _ = data.Median()
	s.Min, s.Max = sorted[0], sorted[len(sorted)-1]
	if len(sorted) >= 2 {
		s.Stddev, _ = data.StandardDeviationSample()
		if s.Mean != 0 {
			s.CV = s.Stddev / s.Mean
		}
	}
	s.Outliers = countOutliers(data, th.OutlierFence, th.Resolution)
	if lo, hi, ok := MedianCI(len(sorted), th.Confidence); ok {
		s.CILow, s.CIHigh = sorted[lo], sorted[hi]
		if p := experiment.RelativeHalfWidth(s.Median, s.CILow, s.CIHigh); !math.IsInf(p, 1) {
			s.Precision = p
		}
	}
	return s
}

// countOutliers counts the samples of sorted data beyond fence x IQR (but
// at least minWidth) outside the quartiles (Tukey's "far out" values at
// fence = 3). With fewer than 4 samples or an IQR of 0 it counts none.
func countOutliers(data stats.Float64Data, fence, minWidth float64) int {
	if len(data) < 4 {
		return 0
	}
	q, err := stats.Quartile(data)
	if err != nil {
		return 0
	}
	iqr := q.Q3 - q.Q1
	if iqr <= 0 {
		return 0
	}
	width := max(fence*iqr, minWidth)
	n := 0
	for _, x := range data {
		if x < q.Q1-width || x > q.Q3+width {
			n++
		}
	}
	return n
}

// MedianCI returns the 0-based order-statistic indexes (lo, hi) of the
// narrowest symmetric interval [x(lo), x(hi)] that covers the median of n
// sorted samples with probability at least conf, whatever the distribution.
// It is experiment.MedianCI, the one interval that the Runner's adaptive
// stopping and these statistics share; ok is false when even [min, max]
// falls short, which at 95% means n < 6.
func MedianCI(n int, conf float64) (lo, hi int, ok bool) { return experiment.MedianCI(n, conf) }
