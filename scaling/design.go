package scaling

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distuv"
)

// This file plans where to measure next: it predicts, before any trial
// runs, how wide the intervals of a fit would be for a given set of
// processor counts and trials, from the fit already made (Atkinson, Donev
// & Tobias 2007, Optimum Experimental Designs, with SAS, ch. 10 and 17).
//
// A fitted model y(p; θ) is linearised at its estimates: near them the
// least-squares estimate of θ from cells i (a processor count P_i whose
// median has standard error se_i) has covariance
//
//	cov(θ) = M^-1,  M = Σ_i g(P_i) g(P_i)' / se_i^2,  g(p) = ∂y(p)/∂θ,
//
// the information matrix M being what FitAmdahl and FitUSL invert. A
// quantity q(θ) (Amdahl's B, the USL's σ) then has variance c' M^-1 c,
// c = ∂q/∂θ (the delta method). The standard errors of cells not yet
// measured come from a noise model (Design.RelSE), typically the relative
// spread of the trials already measured.

// DesignCell is a cell of a planned (or measured) experiment: a processor
// count and how many trials its median will be taken over.
type DesignCell struct {
	P float64 // processors, > 0
	N int     // trials behind the cell's median, >= 1
}

// Target is a quantity whose interval a design should narrow: its name and
// its gradient in the model's parameters, ∂q/∂θ.
type Target struct {
	Name string    // "B", "sigma", "kappa"
	Grad []float64 // ∂q/∂θ, one entry per parameter of the Design
}

// Design is a fitted model linearised at its estimates, with a noise model:
// enough to predict the covariance of its parameters from cells not yet
// measured. AmdahlDesign and USLDesign build one.
type Design struct {
	Model string // "amdahl" or "usl", for people
	// Mean is the model's prediction at p processors: a time in seconds
	// (Amdahl) or a throughput in units per second (USL).
	Mean func(p float64) float64
	// Grad is ∂Mean(p)/∂θ, one entry per parameter.
	Grad func(p float64) []float64
	// Targets are the quantities to narrow, with their gradients in θ.
	Targets []Target
	// RelSE is the standard error of a cell's median over the median when
	// the cell has n trials at p processors (a fraction); the standard
	// error of the cell is RelSE(p, n) |Mean(p)|. A median and the
	// throughput derived from it have the same relative error.
	RelSE func(p float64, n int) float64
}

// AmdahlDesign linearises Amdahl's law as FitAmdahl fits it, T(p) = a + b/p
// with θ = (a, b) = (B T1, (1-B) T1), so g(p) = (1, 1/p), and targets
// B = a/(a+b), whose gradient is (b, -a)/T1^2 (as in FitAmdahl's delta
// method).
func AmdahlDesign(m Amdahl, relSE func(p float64, n int) float64) Design {
	a, b := m.B*m.T1, (1-m.B)*m.T1
	t2 := m.T1 * m.T1
	return Design{
		Model:   "amdahl",
		Mean:    m.Time,
		Grad:    func(p float64) []float64 { return []float64{1, 1 / p} },
		Targets: []Target{{Name: "B", Grad: []float64{b / t2, -a / t2}}},
		RelSE:   relSE,
	}
}

// USLDesign linearises the USL as FitUSL fits it, with θ = (σ, κ, λ) and
// g(N) the Jacobian of X(N) = λN/(1 + σ(N-1) + κN(N-1)) (Gunther 2007), and
// targets σ and κ. At κ = 0 (Amdahl's law in throughput form, σ = B) it
// still says which counts would reveal a κ above 0.
func USLDesign(m USL, relSE func(p float64, n int) float64) Design {
	return Design{
		Model: "usl",
		Mean:  m.Throughput,
		Grad: func(n float64) []float64 {
			den := 1 + m.Sigma*(n-1) + m.Kappa*n*(n-1)
			return []float64{-m.Lambda * n * (n - 1) / (den * den), -m.Lambda * n * n * (n - 1) / (den * den), n / den}
		},
		Targets: []Target{{Name: "sigma", Grad: []float64{1, 0, 0}}, {Name: "kappa", Grad: []float64{0, 1, 0}}},
		RelSE:   relSE,
	}
}

// maxCond is the largest condition number of the scaled information matrix
// that Variances inverts; beyond it the cells do not identify the model.
const maxCond = 1e12

// Variances predicts the variance of each of d's targets, c' M^-1 c, were
// the model fitted to cells, with each cell's standard error from d.RelSE
// and no lack of fit. Every variance is +Inf when the cells cannot
// identify the model: fewer distinct processor counts than parameters, or
// an information matrix too ill-conditioned to invert. Cells with N < 1
// are ignored.
func (d Design) Variances(cells []DesignCell) []float64 {
	out := make([]float64, len(d.Targets))
	for i := range out {
		out[i] = math.Inf(1)
	}
	k := len(d.Grad(1))
	var ps []float64
	m := mat.NewSymDense(k, nil)
	for _, c := range cells {
		if c.N < 1 {
			continue
		}
		ps = append(ps, c.P)
		se := d.RelSE(c.P, c.N) * math.Abs(d.Mean(c.P))
		if !(se > 0) || math.IsInf(se, 0) {
			return out
		}
		g := d.Grad(c.P)
		for a := range k {
			for b := a; b < k; b++ {
				m.SetSym(a, b, m.At(a, b)+g[a]*g[b]/(se*se))
			}
		}
	}
	slices.Sort(ps)
	if len(slices.Compact(ps)) < k {
		return out
	}
	// Scale to unit diagonal before inverting: κ's column is orders of
	// magnitude larger than σ's (as in uslStdErrs).
	diag := make([]float64, k)
	for a := range k {
		if diag[a] = math.Sqrt(m.At(a, a)); !(diag[a] > 0) || math.IsInf(diag[a], 0) {
			return out
		}
	}
	for a := range k {
		for b := a; b < k; b++ {
			m.SetSym(a, b, m.At(a, b)/(diag[a]*diag[b]))
		}
	}
	var chol mat.Cholesky
	if !chol.Factorize(m) || chol.Cond() > maxCond {
		return out
	}
	var inv mat.SymDense
	if err := chol.InverseTo(&inv); err != nil {
		return out
	}
	for t, target := range d.Targets {
		v := 0.0
		for a := range k {
			for b := range k {
				v += target.Grad[a] / diag[a] * inv.At(a, b) * target.Grad[b] / diag[b]
			}
		}
		out[t] = max(v, 0)
	}
	return out
}

// Uniform is the cells of a run with n trials at each of the processor
// counts ps.
func Uniform(ps []float64, n int) []DesignCell {
	out := make([]DesignCell, len(ps))
	for i, p := range ps {
		out[i] = DesignCell{P: p, N: n}
	}
	return out
}

// Greedy chooses k distinct processor counts among candidates for a run
// with n trials at each, for the models of designs together: it starts
// from start (counts that must be measured, such as the 1-processor cell
// that speedups are taken against) and adds, one at a time, the candidate
// that most lowers the criterion
//
//	Φ(cells) = Σ_designs Σ_targets Var_t(cells) / Var_t(every candidate),
//
// the variance of each target relative to the least that the candidates
// allow (every one measured with n trials): an A-optimal criterion on the
// targets put on a common scale, so that B, σ and κ weigh alike whatever
// their units. A target that every candidate together cannot identify
// (the USL with fewer than 3 candidates) is left out of Φ; a set of
// cells that leaves more of the others unidentified loses to one that
// leaves fewer, whatever Φ. Ties go to the smaller count. Greedy returns
// the counts in ascending order, fewer than k when the candidates run out.
//
// For Amdahl's law alone the best two counts are the extremes, 1 and the
// largest candidate (the c-optimal design puts its weight where 1/p is
// smallest and largest); the USL's targets make later counts spread out.
func Greedy(designs []Design, candidates, start []float64, k, n int) []float64 {
	var refs [][]float64
	for _, d := range designs {
		refs = append(refs, d.Variances(Uniform(candidates, n)))
	}
	score := func(ps []float64) (missing int, phi float64) {
		cells := Uniform(ps, n)
		for i, d := range designs {
			for t, v := range d.Variances(cells) {
				ref := refs[i][t]
				switch {
				case !(ref > 0) || math.IsInf(ref, 0):
				case math.IsInf(v, 0) || math.IsNaN(v):
					missing++
				default:
					phi += v / ref
				}
			}
		}
		return missing, phi
	}
	chosen := slices.Clone(start)
	slices.Sort(chosen)
	chosen = slices.Compact(chosen)
	for len(chosen) < k {
		best, bestMissing, bestPhi := math.NaN(), 0, 0.0
		for _, c := range candidates {
			if slices.Contains(chosen, c) {
				continue
			}
			missing, phi := score(append(slices.Clone(chosen), c))
			if math.IsNaN(best) || missing < bestMissing || missing == bestMissing && phi < bestPhi*(1-1e-12) {
				best, bestMissing, bestPhi = c, missing, phi
			}
		}
		if math.IsNaN(best) {
			break
		}
		chosen = append(chosen, best)
	}
	slices.Sort(chosen)
	return chosen
}

// Quantile is the multiplier of a standard error in the intervals of
// FitAmdahl and FitUSL for weighted points whose fewest samples are n:
// Student's t with n-1 degrees of freedom at 1-(1-conf)/2, or the normal
// quantile when n < 2 (unknown).
func Quantile(n int, conf float64) float64 {
	upper := 1 - (1-conf)/2
	if n < 2 {
		return distuv.UnitNormal.Quantile(upper)
	}
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}.Quantile(upper)
}

// MedianRelSE is the relative standard error of the median of n trials
// whose relative standard deviation is relSigma, 1.2533 relSigma / sqrt(n)
// (the large-sample rule of MedianSE), but no smaller than floor (a
// timing resolution over the median, say). It is +Inf for n < 1.
func MedianRelSE(relSigma float64, n int, floor float64) float64 {
	if n < 1 {
		return math.Inf(1)
	}
	return max(1.2533*relSigma/math.Sqrt(float64(n)), floor)
}

// RepeatsForPrecision is how many trials a cell needs for the interval of
// its median at level conf to reach within ±precision of the median (both
// fractions), when its trials' relative standard deviation is relSigma:
// the least n with z 1.2533 relSigma / sqrt(n) <= precision, that is
// n = ceil((z 1.2533 relSigma / precision)^2), z the normal quantile at
// 1-(1-conf)/2; at least 1. It is 0 when no n reaches it (relSigma or
// precision not positive and finite).
func RepeatsForPrecision(relSigma, precision, conf float64) int {
	if !(precision > 0) || math.IsInf(precision, 0) || !(relSigma >= 0) || math.IsInf(relSigma, 0) {
		return 0
	}
	z := distuv.UnitNormal.Quantile(1 - (1-conf)/2)
	n := math.Ceil(math.Pow(z*1.2533*relSigma/precision, 2) - 1e-9)
	if n > math.MaxInt32 {
		return 0
	}
	return max(1, int(n))
}
