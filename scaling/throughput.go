package scaling

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/optimize"
)

// throughputData is a set of throughput points prepared for least squares
// on the family X(N) = λN/(1+σ(N-1)+κN(N-1)), which is the USL and, with
// κ fixed at 0, Amdahl's law in throughput form. FitUSL and Choose share it,
// so the κ = 0 fit is exactly nested in the free one.
type throughputData struct {
	n, y, w  []float64 // processors, throughput (units/s), weight of each point
	weighted bool      // w = 1/SE^2; otherwise every w is 1
	nmin     int       // fewest samples behind any point; 0 when unknown
	nmax     float64   // the largest processor count, to scale κ
	sumWY2   float64   // Σ w y^2: the objective is divided by it, so it has no unit
}

// newThroughputData checks points and weighs them by 1/SE^2 when every SE
// is positive, equally otherwise.
func newThroughputData(points []Point) (throughputData, error) {
	d := throughputData{weighted: len(points) > 0}
	for i, pt := range points {
		if err := pt.check(i); err != nil {
			return d, err
		}
		d.weighted = d.weighted && pt.SE > 0
		if pt.N > 0 && (d.nmin == 0 || pt.N < d.nmin) {
			d.nmin = pt.N
		}
	}
	d.n, d.y, d.w = make([]float64, len(points)), make([]float64, len(points)), make([]float64, len(points))
	for i, pt := range points {
		d.n[i], d.y[i], d.w[i] = pt.P, pt.Y, 1
		if d.weighted {
			d.w[i] = 1 / (pt.SE * pt.SE)
		}
		d.nmax = max(d.nmax, pt.P)
		d.sumWY2 += d.w[i] * pt.Y * pt.Y
	}
	return d, nil
}

// shape is X(N)/λ, the throughput of the model per unit of λ.
func shape(n, sigma, kappa float64) float64 {
	return n / (1 + sigma*(n-1) + kappa*n*(n-1))
}

// profile returns, for fixed σ and κ, the λ that minimises the weighted
// residual sum of squares (the model is linear in λ) and that sum.
func (d throughputData) profile(sigma, kappa float64) (lambda, rss float64) {
	var gy, gg float64
	for i := range d.n {
		g := shape(d.n[i], sigma, kappa)
		gy += d.w[i] * g * d.y[i]
		gg += d.w[i] * g * g
	}
	lambda = gy / gg
	for i := range d.n {
		r := d.y[i] - lambda*shape(d.n[i], sigma, kappa)
		rss += d.w[i] * r * r
	}
	return lambda, rss
}

// uslSolution is the least-squares optimum found by solve.
type uslSolution struct {
	USL
	RSS       float64 // weighted residual sum of squares at the optimum
	Converged bool    // the optimiser run that found the optimum converged
}

// solve minimises the residual sum of squares over σ >= 0 and κ >= 0 (κ
// fixed at 0 when freeKappa is false), with λ profiled out. The
// constraints are kept by the parameterisation σ = u^2, κ = (v/nmax)^2,
// which also puts both unknowns on a scale near 1 for Nelder–Mead. The
// free fit starts from the κ = 0 optimum, from Gunther's linearisation and
// from a few fixed points, and keeps the best; the κ = 0 optimum is itself
// a candidate, so the free fit is never worse than the nested one.
func (d throughputData) solve(freeKappa bool) uslSolution {
	sigma0, kappa0 := d.linearStart()
	obj := func(sigma, kappa float64) float64 {
		_, rss := d.profile(sigma, kappa)
		if d.sumWY2 > 0 {
			rss /= d.sumWY2
		}
		if math.IsNaN(rss) {
			return math.Inf(1)
		}
		return rss
	}
	var best []float64
	bestF, converged := math.Inf(1), false
	try := func(f func([]float64) float64, x0 []float64, toParams func([]float64) []float64) {
		x, fx, ok := minimize(f, x0)
		if fx < bestF {
			best, bestF, converged = toParams(x), fx, ok
		}
	}
	// κ = 0: one unknown, u.
	amdahl := func(x []float64) float64 { return obj(x[0]*x[0], 0) }
	fromU := func(x []float64) []float64 { return []float64{x[0] * x[0], 0} }
	for _, s := range []float64{sigma0, 0.01, 0.3} {
		try(amdahl, []float64{math.Sqrt(s)}, fromU)
	}
	if freeKappa {
		bound, boundF, boundOK := best, bestF, converged
		scale := d.nmax
		usl := func(x []float64) float64 { return obj(x[0]*x[0], (x[1]*x[1])/(scale*scale)) }
		fromUV := func(x []float64) []float64 { return []float64{x[0] * x[0], x[1] * x[1] / (scale * scale)} }
		starts := [][]float64{
			{math.Sqrt(best[0]), 0}, // from the κ = 0 optimum
			{math.Sqrt(sigma0), math.Sqrt(kappa0) * scale},
			{math.Sqrt(0.05), 0.5}, // peak near 2 nmax
			{math.Sqrt(0.05), 1},   // peak near nmax
			{math.Sqrt(0.2), 2},    // peak near nmax/2
		}
		for _, x0 := range starts {
			try(usl, x0, fromUV)
		}
		// Keep κ = 0 exactly unless a free κ lowers the sum of squares by
		// more than rounding.
		if bestF > boundF-(1e-10*boundF+1e-14) {
			best, converged = bound, boundOK
		}
	}
	lambda, rss := d.profile(best[0], best[1])
	return uslSolution{USL: USL{Sigma: best[0], Kappa: best[1], Lambda: lambda}, RSS: rss, Converged: converged}
}

// linearStart estimates σ and κ from Gunther's linearisation: with
// C(N) = X(N)/λ0 and λ0 = X/N at the smallest N, N/C(N) - 1 =
// σ(N-1) + κN(N-1), a regression through the origin on two terms. The
// estimates are clamped to [0, 1] and [0, ∞).
func (d throughputData) linearStart() (sigma, kappa float64) {
	sigma, kappa = 0.1, 0
	nmin := slices.Min(d.n)
	var sum, cnt float64
	for i := range d.n {
		if d.n[i] == nmin {
			sum += d.y[i] / d.n[i]
			cnt++
		}
	}
	lambda0 := sum / cnt
	var s11, s12, s22, s1z, s2z float64
	for i := range d.n {
		if d.y[i] <= 0 || !(lambda0 > 0) {
			continue
		}
		x1, x2 := d.n[i]-1, d.n[i]*(d.n[i]-1)
		z := d.n[i]*lambda0/d.y[i] - 1
		s11 += x1 * x1
		s12 += x1 * x2
		s22 += x2 * x2
		s1z += x1 * z
		s2z += x2 * z
	}
	det := s11*s22 - s12*s12
	if det > 0 && !math.IsInf(det, 0) {
		sigma = (s22*s1z - s12*s2z) / det
		kappa = (s11*s2z - s12*s1z) / det
	}
	if !(sigma >= 0) {
		sigma = 0
	}
	if !(kappa >= 0) {
		kappa = 0
	}
	return min(sigma, 1), kappa
}

// minimize runs gonum's Nelder–Mead from x0, then once more from the
// optimum found (a restart guards against a simplex that collapsed early).
// ok reports whether both runs converged rather than stopping at the
// evaluation limit.
func minimize(f func([]float64) float64, x0 []float64) (x []float64, fx float64, ok bool) {
	run := func(x0 []float64, size float64) (*optimize.Result, bool) {
		p := optimize.Problem{Func: func(x []float64) float64 {
			if v := f(x); !math.IsNaN(v) {
				return v
			}
			return math.Inf(1)
		}}
		settings := &optimize.Settings{FuncEvaluations: 4000, Converger: &optimize.FunctionConverge{Absolute: 1e-14, Relative: 1e-12, Iterations: 10}}
		res, err := optimize.Minimize(p, x0, settings, &optimize.NelderMead{SimplexSize: size})
		return res, err == nil && res.Status != optimize.FunctionEvaluationLimit
	}
	first, ok1 := run(x0, 0.1)
	if first == nil {
		return x0, f(x0), false
	}
	second, ok2 := run(first.X, 0.01)
	if second == nil || second.F > first.F {
		return first.X, first.F, ok1 && ok2
	}
	return second.X, second.F, ok1 && ok2
}
