package scaling

import (
	"cmp"
	"math"
	"slices"
)

// nelderMead minimises f from x0 by the Nelder–Mead simplex method with the
// standard coefficients (reflection 1, expansion 2, contraction 1/2, shrink
// 1/2; Nelder & Mead 1965, Lagarias et al. 1998). The first simplex is x0
// and x0 + size along each axis. It stops when the simplex is smaller than
// xtol in every coordinate and its values differ by less than ftol, and
// reports ok = false when it stops at maxEval evaluations instead.
//
// It is written here, not taken from gonum/optimize, because that package
// imports gonum/stat/distmv and with it golang.org/x/tools, a module exp
// does not require.
func nelderMead(f func([]float64) float64, x0 []float64, size, xtol, ftol float64, maxEval int) (x []float64, fx float64, ok bool) {
	dim := len(x0)
	simplex := make([][]float64, dim+1)
	values := make([]float64, dim+1)
	evals := 0
	eval := func(p []float64) float64 {
		evals++
		v := f(p)
		if math.IsNaN(v) {
			return math.Inf(1)
		}
		return v
	}
	for i := range simplex {
		simplex[i] = slices.Clone(x0)
		if i > 0 {
			simplex[i][i-1] += size
		}
		values[i] = eval(simplex[i])
	}
	order := make([]int, dim+1)
	centroid, trial, trial2 := make([]float64, dim), make([]float64, dim), make([]float64, dim)
	// along sets out = centroid + t (centroid - worst).
	along := func(out []float64, worst []float64, t float64) {
		for j := range out {
			out[j] = centroid[j] + t*(centroid[j]-worst[j])
		}
	}
	for {
		for i := range order {
			order[i] = i
		}
		slices.SortFunc(order, func(a, b int) int { return cmp.Compare(values[a], values[b]) })
		best, worst, second := order[0], order[dim], order[max(dim-1, 0)]
		if small(simplex, values, best, xtol, ftol) {
			return simplex[best], values[best], true
		}
		if evals >= maxEval {
			return simplex[best], values[best], false
		}
		clear(centroid)
		for _, i := range order[:dim] {
			for j := range centroid {
				centroid[j] += simplex[i][j] / float64(dim)
			}
		}
		along(trial, simplex[worst], 1)
		fr := eval(trial)
		switch {
		case fr < values[best]:
			along(trial2, simplex[worst], 2)
			if fe := eval(trial2); fe < fr {
				copy(simplex[worst], trial2)
				values[worst] = fe
			} else {
				copy(simplex[worst], trial)
				values[worst] = fr
			}
			continue
		case fr < values[second]:
			copy(simplex[worst], trial)
			values[worst] = fr
			continue
		}
		t := -0.5 // inside contraction
		if fr < values[worst] {
			t = 0.5 // outside contraction
		}
		along(trial2, simplex[worst], t)
		if fc := eval(trial2); fc < min(fr, values[worst]) {
			copy(simplex[worst], trial2)
			values[worst] = fc
			continue
		}
		for _, i := range order[1:] {
			for j := range simplex[i] {
				simplex[i][j] = simplex[best][j] + 0.5*(simplex[i][j]-simplex[best][j])
			}
			values[i] = eval(simplex[i])
		}
	}
}

// small reports whether every vertex lies within xtol of the best in each
// coordinate and within ftol of its value.
func small(simplex [][]float64, values []float64, best int, xtol, ftol float64) bool {
	for i := range simplex {
		if math.Abs(values[i]-values[best]) > ftol {
			return false
		}
		for j := range simplex[i] {
			if math.Abs(simplex[i][j]-simplex[best][j]) > xtol {
				return false
			}
		}
	}
	return true
}
