package diagnose

import (
	"cmp"
	"math"
	"slices"
)

// ranks returns the ranks of xs, 1 for the smallest, with tied values
// sharing the mean of their ranks (midranks), and whether any were tied.
// Strictly increasing xs (positions) rank as 1, 2, ...; others are sorted
// with their positions. Midranks depend only on which values are equal,
// not on the order ties sort in, so any sort gives the same ranks.
func ranks(xs []float64) (r []float64, tied bool) {
	r, tied, _ = ranksSorted(xs)
	return r, tied
}

// ranksSorted is ranks, and xs sorted ascending as a by-product (xs
// itself when already increasing); sorted is nil when xs holds a NaN.
func ranksSorted(xs []float64) (r []float64, tied bool, sorted []float64) {
	r = make([]float64, len(xs))
	if increasing(xs) {
		for i := range r {
			r[i] = float64(i + 1)
		}
		return r, false, xs
	}
	if slices.ContainsFunc(xs, math.IsNaN) {
		r, tied = ranksStable(xs) // NaN is neither below nor above a value: cmpFloat's order
		return r, tied, nil
	}
	type ranked struct {
		x float64
		i int
	}
	s := make([]ranked, len(xs))
	for i, x := range xs {
		s[i] = ranked{x, i}
	}
	slices.SortFunc(s, func(a, b ranked) int { return cmp.Compare(a.x, b.x) })
	for i := 0; i < len(s); {
		j := i + 1
		for j < len(s) && s[j].x == s[i].x {
			j++
		}
		mid := float64(i+j+1) / 2 // mean of the ranks i+1 .. j
		for _, v := range s[i:j] {
			r[v.i] = mid
		}
		tied = tied || j-i > 1
		i = j
	}
	sorted = make([]float64, len(s))
	for i, v := range s {
		sorted[i] = v.x
	}
	return r, tied, sorted
}

// increasing reports whether xs is strictly increasing.
func increasing(xs []float64) bool {
	for i := 1; i < len(xs); i++ {
		if !(xs[i-1] < xs[i]) {
			return false
		}
	}
	return true
}

// ranksStable is ranks by a stable sort of the positions with cmpFloat,
// for xs with NaNs.
func ranksStable(xs []float64) (r []float64, tied bool) {
	idx := make([]int, len(xs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmpFloat(xs[a], xs[b]) })
	r = make([]float64, len(xs))
	for i := 0; i < len(idx); {
		j := i + 1
		for j < len(idx) && xs[idx[j]] == xs[idx[i]] {
			j++
		}
		mid := float64(i+j+1) / 2 // mean of the ranks i+1 .. j
		for _, k := range idx[i:j] {
			r[k] = mid
		}
		tied = tied || j-i > 1
		i = j
	}
	return r, tied
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// pearson is the Pearson correlation of xs and ys (equal lengths); NaN when
// either is constant.
func pearson(xs, ys []float64) float64 {
	n := float64(len(xs))
	var mx, my float64
	for i := range xs {
		mx += xs[i]
		my += ys[i]
	}
	mx, my = mx/n, my/n
	var sxy, sxx, syy float64
	for i := range xs {
		dx, dy := xs[i]-mx, ys[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	if sxx == 0 || syy == 0 {
		return math.NaN()
	}
	return sxy / math.Sqrt(sxx*syy)
}

// flat reports whether xs (not empty) are all equal, up to the rounding of
// their sum: the spread is below 1e-12 of their size, far below a timer's
// nanosecond on any trial of a microsecond or more. Moments of flat data
// are rounding noise, never a signal.
func flat(xs []float64) bool {
	lo, hi := slices.Min(xs), slices.Max(xs)
	return hi-lo <= 1e-12*max(math.Abs(lo), math.Abs(hi))
}
