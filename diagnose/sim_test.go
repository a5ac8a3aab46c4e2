package diagnose

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// A gen simulates one cell's n wall times in run order.
type gen struct {
	name string
	draw func(rng *rand.Rand, n int) []float64
}

// normal trials of coefficient of variation cv around 1.
func normal(cv float64) gen {
	return gen{fmt.Sprintf("normal cv %g%%", cv*100), func(rng *rand.Rand, n int) []float64 {
		xs := make([]float64, n)
		for i := range xs {
			xs[i] = 1 + cv*rng.NormFloat64()
		}
		return xs
	}}
}

// lognormal trials, exp(sigma Z), skewed to the right like real timings.
func lognormal(sigma float64) gen {
	return gen{fmt.Sprintf("lognormal sigma %g", sigma), func(rng *rand.Rand, n int) []float64 {
		xs := make([]float64, n)
		for i := range xs {
			xs[i] = math.Exp(sigma * rng.NormFloat64())
		}
		return xs
	}}
}

// cleanGens are the iid distributions no diagnostic should fire on more
// than about alpha of the time.
var cleanGens = []gen{normal(0.01), normal(0.05), lognormal(0.02), lognormal(0.2)}

// drifting is base with a linear trend: the last trial total (0.1 = 10%)
// slower than the first.
func drifting(base gen, total float64) gen {
	return gen{fmt.Sprintf("%s, drift +%g%%", base.name, total*100), func(rng *rand.Rand, n int) []float64 {
		xs := base.draw(rng, n)
		for i := range xs {
			xs[i] *= 1 + total*float64(i)/float64(n-1)
		}
		return xs
	}}
}

// warming is base with its first k trials slow (0.2 = 20%) slower.
func warming(base gen, k int, slow float64) gen {
	return gen{fmt.Sprintf("%s, first %d +%g%%", base.name, k, slow*100), func(rng *rand.Rand, n int) []float64 {
		xs := base.draw(rng, n)
		for i := range k {
			xs[i] *= 1 + slow
		}
		return xs
	}}
}

// bimodal is base with each trial, at random, apart (0.1 = 10%) slower.
func bimodal(base gen, apart float64) gen {
	return gen{fmt.Sprintf("%s, two modes %g%% apart", base.name, apart*100), func(rng *rand.Rand, n int) []float64 {
		xs := base.draw(rng, n)
		for i := range xs {
			if rng.IntN(2) == 1 {
				xs[i] *= 1 + apart
			}
		}
		return xs
	}}
}

// ar1 is a stationary AR(1) of coefficient phi and marginal CV cv around 1:
// e_t = phi e_t-1 + sqrt(1-phi^2) Z_t, x_t = 1 + cv e_t.
func ar1(phi, cv float64) gen {
	return gen{fmt.Sprintf("AR(1) phi %g, cv %g%%", phi, cv*100), func(rng *rand.Rand, n int) []float64 {
		xs := make([]float64, n)
		e := rng.NormFloat64()
		for i := range xs {
			xs[i] = 1 + cv*e
			e = phi*e + math.Sqrt(1-phi*phi)*rng.NormFloat64()
		}
		return xs
	}}
}

// rates are the shares of reps cells of n trials from g on which each of
// diagnostics fired, at DefaultAlpha.
func rates(rng *rand.Rand, g gen, n, reps int) []float64 {
	hits := make([]float64, len(diagnostics))
	for range reps {
		c, err := Cell(g.draw(rng, n), DefaultAlpha)
		if err != nil {
			panic(err)
		}
		for i, d := range diagnostics {
			if d.fired(c) {
				hits[i]++
			}
		}
	}
	for i := range hits {
		hits[i] /= float64(reps)
	}
	return hits
}

// diagnostics name each test's firing.
var diagnostics = []struct {
	name  string
	fired func(CellTests) bool
}{
	{"drift", func(c CellTests) bool { return c.Drift.Fired }},
	{"warmup", func(c CellTests) bool { return c.Warmup.Fired }},
	{"dependence", func(c CellTests) bool { return c.Dependence.Fired }},
	{"bimodal", func(c CellTests) bool { return c.Shape.Bimodal }},
	{"skewed", func(c CellTests) bool { return c.Shape.Skewed }},
	{"any", CellTests.Fired},
}
