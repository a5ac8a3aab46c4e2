package diagnose

import (
	"math"
	"slices"
)

// ranks returns the ranks of xs, 1 for the smallest, with tied values
// sharing the mean of their ranks (midranks), and whether any were tied.
func ranks(xs []float64) (r []float64, tied bool) {
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
