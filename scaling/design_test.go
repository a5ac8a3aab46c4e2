package scaling

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// constRel is a noise model whose cells all have relative standard error
// rel over sqrt(n): trials with a constant coefficient of variation.
func constRel(rel float64) func(float64, int) float64 {
	return func(_ float64, n int) float64 { return rel / math.Sqrt(float64(n)) }
}

// TestAmdahlDesignMatchesFit checks that the predicted interval of B for
// the cells a fit was made from is the fit's own interval, when the data
// lie on the law (no lack-of-fit widening).
func TestAmdahlDesignMatchesFit(t *testing.T) {
	t.Parallel()
	m := Amdahl{B: 0.15, T1: 2}
	ps := []float64{1, 2, 3, 8}
	var pts []Point
	for _, p := range ps {
		pts = append(pts, Point{P: p, Y: m.Time(p), SE: 0.01 * m.Time(p) * p / 4, N: 5})
	}
	f, err := FitAmdahl(pts, 0.9)
	if err != nil {
		t.Fatal(err)
	}
	relSE := func(p float64, _ int) float64 { return 0.01 * p / 4 }
	v := AmdahlDesign(f.Amdahl, relSE).Variances(Uniform(ps, 5))
	checkNear(t, "half-width", Quantile(5, 0.9)*math.Sqrt(v[0]), f.BHigh-f.B, 1e-6)
	checkNear(t, "Quantile", Quantile(5, 0.9), f.Quantile, 1e-12)
}

// TestAmdahlMostInformativeIsLargest: one more cell narrows B the most at
// the largest processor count, with constant relative noise and with a
// constant absolute noise (a timing floor).
func TestAmdahlMostInformativeIsLargest(t *testing.T) {
	t.Parallel()
	m := Amdahl{B: 0.2, T1: 0.1}
	for name, rel := range map[string]func(float64, int) float64{
		"ConstantCV":    constRel(0.02),
		"AbsoluteFloor": func(p float64, n int) float64 { return 100e-6 / m.Time(p) },
	} {
		t.Run(name, func(t *testing.T) {
			d := AmdahlDesign(m, rel)
			base := Uniform([]float64{1, 2}, 3)
			first := d.Variances(append(slices.Clone(base), DesignCell{P: 1, N: 3}))[0]
			prev := first
			for p := 2.0; p <= 16; p++ {
				v := d.Variances(append(slices.Clone(base), DesignCell{P: p, N: 3}))[0]
				if v > prev*(1+1e-12) {
					t.Errorf("Var(B) with one more cell at p = %g is %g, above %g at p = %g", p, v, prev, p-1)
				}
				prev = v
			}
			if !(prev < first/2) {
				t.Errorf("Var(B) with one more cell at p = 16 is %g, not well below %g at p = 1", prev, first)
			}
			if got := Greedy([]Design{d}, []float64{1, 2, 3, 4, 5, 6, 7, 8}, []float64{1}, 2, 3); !slices.Equal(got, []float64{1, 8}) {
				t.Errorf("Greedy = %v, want [1 8]", got)
			}
		})
	}
}

// TestVariancesNeverIncrease: adding trials, or a cell, to a design never
// raises the predicted variance of any target.
func TestVariancesNeverIncrease(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	designs := []Design{
		AmdahlDesign(Amdahl{B: 0.05, T1: 3}, constRel(0.03)),
		USLDesign(USL{Sigma: 0.05, Kappa: 1e-3, Lambda: 100}, constRel(0.03)),
		USLDesign(USL{Sigma: 0.2, Kappa: 0, Lambda: 5}, func(p float64, n int) float64 { return MedianRelSE(0.01, n, 1e-4*p) }),
	}
	for _, d := range designs {
		for range 200 {
			var cells []DesignCell
			for range 3 + r.IntN(5) {
				cells = append(cells, DesignCell{P: float64(1 + r.IntN(32)), N: 1 + r.IntN(10)})
			}
			before := d.Variances(cells)
			more := slices.Clone(cells)
			more[r.IntN(len(more))].N += 1 + r.IntN(5)
			added := append(slices.Clone(cells), DesignCell{P: float64(1 + r.IntN(32)), N: 1 + r.IntN(10)})
			for _, after := range [][]float64{d.Variances(more), d.Variances(added)} {
				for i := range before {
					if after[i] > before[i]*(1+1e-9) {
						t.Fatalf("%s %s: %v -> %v for %+v", d.Model, d.Targets[i].Name, before[i], after[i], cells)
					}
				}
			}
		}
	}
}

func TestVariancesUnidentified(t *testing.T) {
	t.Parallel()
	d := USLDesign(USL{Sigma: 0.1, Kappa: 0.01, Lambda: 10}, constRel(0.02))
	for _, v := range d.Variances(Uniform([]float64{1, 4, 4, 1}, 5)) {
		if !math.IsInf(v, 1) {
			t.Errorf("USL on two counts: variance %g, want +Inf", v)
		}
	}
	a := AmdahlDesign(Amdahl{B: 0.1, T1: 1}, constRel(0.02))
	if v := a.Variances([]DesignCell{{P: 1, N: 5}, {P: 2, N: 0}}); !math.IsInf(v[0], 1) {
		t.Errorf("Amdahl with an empty cell: %g, want +Inf", v[0])
	}
}

// TestVariancesMonteCarlo checks the predicted variances against the
// spread of the fits themselves over simulated data sets with the same
// standard errors.
func TestVariancesMonteCarlo(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(3, 4))
	simulate := func(mean func(float64) float64, rel float64, ps []float64, sims int, fit func([]Point) []float64) [][]float64 {
		var out [][]float64
		for range sims {
			pts := make([]Point, len(ps))
			for i, p := range ps {
				se := rel * mean(p)
				pts[i] = Point{P: p, Y: mean(p) + se*r.NormFloat64(), SE: se}
			}
			out = append(out, fit(pts))
		}
		return out
	}
	variance := func(est [][]float64, i int) float64 {
		var s, s2 float64
		for _, e := range est {
			s += e[i]
			s2 += e[i] * e[i]
		}
		n := float64(len(est))
		return (s2 - s*s/n) / (n - 1)
	}
	t.Run("Amdahl", func(t *testing.T) {
		m := Amdahl{B: 0.1, T1: 1}
		ps := []float64{1, 2, 4, 8}
		want := AmdahlDesign(m, constRel(0.01)).Variances(Uniform(ps, 1))[0]
		est := simulate(m.Time, 0.01, ps, 4000, func(pts []Point) []float64 {
			f, err := FitAmdahl(pts, 0.95)
			if err != nil {
				t.Fatal(err)
			}
			return []float64{f.B}
		})
		// The variance of a variance from 4000 normal samples has a
		// relative standard error of sqrt(2/4000) = 2.2%.
		checkNear(t, "Var(B)", variance(est, 0), want, 0.08)
	})
	t.Run("USL", func(t *testing.T) {
		if testing.Short() {
			t.Skip("1000 USL fits")
		}
		m := USL{Sigma: 0.05, Kappa: 2e-3, Lambda: 100}
		ps := []float64{1, 2, 4, 8, 16, 32}
		want := USLDesign(m, constRel(0.01)).Variances(Uniform(ps, 1))
		est := simulate(m.Throughput, 0.01, ps, 1000, func(pts []Point) []float64 {
			f, err := FitUSL(pts, 0.95)
			if err != nil {
				t.Fatal(err)
			}
			return []float64{f.Sigma, f.Kappa}
		})
		// sqrt(2/1000) = 4.5%, and the USL is not quite linear.
		checkNear(t, "Var(sigma)", variance(est, 0), want[0], 0.15)
		checkNear(t, "Var(kappa)", variance(est, 1), want[1], 0.15)
	})
}

// TestGreedyUSLSpreads: with the USL's targets as well as B, the plan
// keeps the extremes and spreads its other counts, since κ and σ are told
// apart by the curvature between them.
func TestGreedyUSLSpreads(t *testing.T) {
	t.Parallel()
	am := Amdahl{B: 0.05, T1: 1}
	designs := []Design{
		AmdahlDesign(am, constRel(0.02)),
		USLDesign(USL{Sigma: am.B, Lambda: 1 / am.T1}, constRel(0.02)),
	}
	var cands []float64
	for p := 1.0; p <= 16; p++ {
		cands = append(cands, p)
	}
	got := Greedy(designs, cands, []float64{1}, 4, 5)
	if len(got) != 4 || got[0] != 1 || got[3] != 16 || got[1] > 8 {
		t.Errorf("Greedy = %v, want 1, 16 and two counts not all near 16", got)
	}
	if got := Greedy(designs, []float64{1, 2}, []float64{1}, 4, 5); !slices.Equal(got, []float64{1, 2}) {
		t.Errorf("Greedy from two candidates = %v, want [1 2]", got)
	}
}

func TestRepeatsForPrecision(t *testing.T) {
	t.Parallel()
	check := func(relSigma, precision float64, want int) {
		t.Helper()
		if got := RepeatsForPrecision(relSigma, precision, 0.95); got != want {
			t.Errorf("RepeatsForPrecision(%g, %g) = %d, want %d", relSigma, precision, got, want)
		}
	}
	// (1.96 x 1.2533 x 0.05 / 0.02)^2 = 37.7.
	check(0.05, 0.02, 38)
	check(0.01, 0.02, 2)
	check(0, 0.02, 1)
	check(0.05, 0, 0)
	check(math.NaN(), 0.02, 0)
	checkNear(t, "MedianRelSE", MedianRelSE(0.04, 4, 0), 1.2533*0.02, 1e-12)
	checkNear(t, "MedianRelSE floor", MedianRelSE(0.04, 400, 0.01), 0.01, 1e-12)
}

func BenchmarkGreedy(b *testing.B) {
	am := Amdahl{B: 0.05, T1: 1}
	designs := []Design{AmdahlDesign(am, constRel(0.02)), USLDesign(USL{Sigma: am.B, Lambda: 1}, constRel(0.02))}
	var cands []float64
	for p := 1.0; p <= 64; p++ {
		cands = append(cands, p)
	}
	for b.Loop() {
		Greedy(designs, cands, []float64{1}, 6, 10)
	}
}

func ExampleGreedy() {
	// A run measured B = 0.1 on 2 and 1 workers; where should the next
	// run measure, with 5 trials per cell and up to 8 workers?
	m := Amdahl{B: 0.1, T1: 2}
	d := AmdahlDesign(m, func(_ float64, n int) float64 { return MedianRelSE(0.02, n, 0) })
	next := Greedy([]Design{d}, []float64{1, 2, 3, 4, 5, 6, 7, 8}, []float64{1}, 3, 5)
	now := d.Variances(Uniform([]float64{1, 2}, 5))[0]
	then := d.Variances(Uniform(next, 5))[0]
	fmt.Printf("workers %v: B's interval %.1f times narrower\n", next, math.Sqrt(now/then))
	// Output: workers [1 7 8]: B's interval 5.0 times narrower
}
