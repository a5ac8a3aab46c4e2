// Package order finds order statistics, the median above all, by
// selection (Hoare's quickselect) in linear time instead of a sort, for
// the large samples of exp report. Its results are the values a sort
// would give, bit for bit; it reorders its input and allocates nothing.
package order

import (
	"math"
	"slices"
)

// Median returns the median of xs as sorting would: the middle value, or
// (a+b)/2 of the middle two; NaN for an empty xs. It reorders xs. With a
// NaN in xs it sorts xs (slices.Sort puts NaNs first) and takes the
// middle of that, as a sort-based median would.
func Median(xs []float64) float64 {
	n := len(xs)
	switch {
	case n == 0:
		return math.NaN()
	case slices.ContainsFunc(xs, math.IsNaN):
		slices.Sort(xs)
		if n%2 == 1 {
			return xs[n/2]
		}
		return (xs[n/2-1] + xs[n/2]) / 2
	}
	hi := Kth(xs, n/2)
	if n%2 == 1 {
		return hi
	}
	// The value a sort puts just below the middle is the largest of the
	// lower part.
	return (slices.Max(xs[:n/2]) + hi) / 2
}

// Kth reorders xs (no NaN) so that xs[k] is the value a sort would put
// there, those before it no larger and those after it no smaller, and
// returns xs[k]. It sorts a part that does not shrink fast enough, so it
// is never quadratic.
func Kth(xs []float64, k int) float64 {
	lo, hi := 0, len(xs)-1
	for budget := 128; hi > lo; budget-- {
		if budget == 0 || hi-lo < 16 {
			slices.Sort(xs[lo : hi+1])
			break
		}
		// Median of three as the pivot, also a sentinel at each end.
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
		// Now xs[lo..j] <= pivot <= xs[i..hi], and any between equal it.
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
