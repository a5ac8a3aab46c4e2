package experiment

import "gonum.org/v1/gonum/stat/distuv"

// MedianCI returns the 0-based order-statistic indexes (lo, hi) of the
// narrowest symmetric interval [x(lo), x(hi)] that covers the median of n
// sorted samples with probability at least conf, whatever the distribution:
// the coverage is 1 - 2 P(Binomial(n, 1/2) <= lo) (the distribution-free
// binomial interval; Conover, Practical Nonparametric Statistics, 3.2).
// ok is false when even [min, max] falls short, which at 95% means n < 6.
//
// It lives here, in the domain, so that the Runner's adaptive stopping
// (Stopper) and package report's statistics use the one interval; report
// calls it too.
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
	// coverage falls as k grows: find the largest k that still covers,
	// by bisection (a cell of a million trials would take half a million
	// CDFs one k at a time).
	k, top := 0, (n-1)/2 // coverage(k) >= conf; the answer is in [k, top]
	for k < top {
		mid := k + (top-k+1)/2
		if coverage(mid) >= conf {
			k = mid
		} else {
			top = mid - 1
		}
	}
	return k, n - 1 - k, true
}
