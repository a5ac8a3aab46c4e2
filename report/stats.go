// Package report turns stored trials into statistics, speedups and Amdahl
// fits, and renders them as a table, CSV, JSON or Markdown.
//
// It computes from slices and writes to an io.Writer: it never opens a file
// or a database. Statistical caveats (few samples, noisy cells, a fit the
// data cannot support) are carried as warnings on the results, never as
// errors and never by dropping data.
package report

import (
	"math"
	"slices"

	"github.com/montanaflynn/stats"
	"gonum.org/v1/gonum/stat/distuv"
)

// Confidence is the level of every confidence interval exp reports.
var Confidence = 0.95

// Summary describes a sample of trial times, in seconds.
type Summary struct {
	N        int     // number of samples
	Mean     float64 // arithmetic mean
	Median   float64 // median
	Stddev   float64 // sample standard deviation (n-1); NaN for n < 2
	CV       float64 // coefficient of variation, Stddev/Mean, as a fraction; NaN for n < 2 or a zero mean
	Min, Max float64 // extremes
	// CILow and CIHigh bound the median with at least Confidence coverage,
	// by the distribution-free binomial order-statistic interval. They are
	// NaN when N is too small for that coverage (N < 6 at 95%).
	CILow, CIHigh float64
	Outliers      int // samples outside Tukey's fences, 1.5 IQR beyond the quartiles
}

// Summarize computes the Summary of xs. xs is not modified. An empty sample
// gives N = 0 and NaN everywhere.
func Summarize(xs []float64) Summary {
	nan := math.NaN()
	s := Summary{N: len(xs), Mean: nan, Median: nan, Stddev: nan, CV: nan, Min: nan, Max: nan, CILow: nan, CIHigh: nan}
	if len(xs) == 0 {
		return s
	}
	sorted := slices.Sorted(slices.Values(xs))
	data := stats.Float64Data(sorted)
	s.Mean, _ = data.Mean()
	s.Median, _ = data.Median()
	s.Min, s.Max = sorted[0], sorted[len(sorted)-1]
	if len(xs) >= 2 {
		s.Stddev, _ = data.StandardDeviationSample()
		if s.Mean != 0 {
			s.CV = s.Stddev / s.Mean
		}
	}
	if len(xs) >= 4 {
		if o, err := stats.QuartileOutliers(data); err == nil {
			s.Outliers = len(o.Mild) + len(o.Extreme)
		}
	}
	if lo, hi, ok := MedianCI(len(sorted), Confidence); ok {
		s.CILow, s.CIHigh = sorted[lo], sorted[hi]
	}
	return s
}

// MedianCI returns the 0-based order-statistic indexes (lo, hi) of the
// narrowest symmetric interval [x(lo), x(hi)] that covers the median of n
// sorted samples with probability at least conf, whatever the distribution:
// the coverage is 1 - 2 P(Binomial(n, 1/2) <= lo). ok is false when even
// [min, max] falls short, which at 95% means n < 6.
func MedianCI(n int, conf float64) (lo, hi int, ok bool) {
	if n < 1 {
		return 0, 0, false
	}
	b := distuv.Binomial{N: float64(n), P: 0.5}
	// [x(k), x(n-1-k)] (0-based) misses the median only if at most k samples
	// fall on one side of it.
	coverage := func(k int) float64 { return 1 - 2*b.CDF(float64(k)) }
	if coverage(0) < conf {
		return 0, 0, false
	}
	k := 0
	for k+1 <= (n-1)/2 && coverage(k+1) >= conf {
		k++
	}
	return k, n - 1 - k, true
}

// MedianSE estimates the standard error of the median of xs:
// 1.2533 * sigma / sqrt(n), the normal-theory error of a median, with sigma
// estimated robustly by 1.4826 * MAD. When more than half the samples are
// equal (MAD = 0, as with a coarse timer) sigma falls back to the sample
// standard deviation; when all are equal, to one part in a million of the
// median (and at least 1 ns). It is NaN for fewer than 2 samples.
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
