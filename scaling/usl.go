package scaling

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// USL is Gunther's Universal Scalability Law for a program whose throughput
// on one processor is Lambda, slowed by contention Sigma and coherency
// Kappa (Gunther 2007, Guerrilla Capacity Planning). With Kappa = 0
// it is Amdahl's law in throughput form, Sigma playing Amdahl's B.
type USL struct {
	Sigma  float64 // contention: the serialised share of the work, >= 0
	Kappa  float64 // coherency: the cost of keeping N processors consistent, per pair, >= 0
	Lambda float64 // throughput of one processor, units per second
}

// Throughput is the predicted throughput on n processors,
// X(N) = λN / (1 + σ(N-1) + κN(N-1)) (Gunther 2007), units per second.
func (m USL) Throughput(n float64) float64 { return m.Lambda * shape(n, m.Sigma, m.Kappa) }

// Speedup is the predicted relative capacity X(N)/X(1) =
// N / (1 + σ(N-1) + κN(N-1)) (Gunther 2007); it does not depend on λ.
func (m USL) Speedup(n float64) float64 { return shape(n, m.Sigma, m.Kappa) }

// Peak is where the throughput is highest: N* = sqrt((1-σ)/κ) processors
// and X(N*) units per second (Gunther 2007). ok is false, with NaNs, when
// κ <= 0 (the throughput then rises forever towards λ/σ) or σ >= 1 (it
// never rises above X(1)).
func (m USL) Peak() (n, x float64, ok bool) {
	if !(m.Kappa > 0) || !(m.Sigma < 1) {
		return math.NaN(), math.NaN(), false
	}
	n = math.Sqrt((1 - m.Sigma) / m.Kappa)
	return n, m.Throughput(n), true
}

// USLFit is the USL fitted to throughput points, with its uncertainty.
type USLFit struct {
	USL                           // the point estimate
	SigmaLow, SigmaHigh   float64 // confidence interval of σ, lower bound clamped at 0
	KappaLow, KappaHigh   float64 // confidence interval of κ, lower bound clamped at 0
	LambdaLow, LambdaHigh float64 // confidence interval of λ, units per second
	Confidence            float64 // level of the intervals, e.g. 0.95
	N                     int     // points fitted
	Processors            int     // distinct processor counts
	DoF                   int     // residual degrees of freedom, N - 3
	// Quantile is the multiplier of each standard error in its interval,
	// and QuantileDoF its degrees of freedom (0 for the normal quantile).
	Quantile    float64
	QuantileDoF int
	// RSS is the residual sum of squares, sum w (Y - X(P))^2, with w = 1/SE^2
	// when the fit is weighted (RSS is then ChiSq, with no unit) and w = 1
	// otherwise ((units per second)^2).
	RSS float64
	// ChiSq is RSS for a weighted fit, NaN otherwise; ChiSqP is its
	// lack-of-fit p-value, computed as FitAmdahl computes it.
	ChiSq, ChiSqP float64
	R2            float64 // (weighted) coefficient of determination, 1 - RSS/TSS
	// PeakN and PeakX are the fitted peak, N* processors and X(N*) units
	// per second; NaN when the fit has none (see USL.Peak).
	PeakN, PeakX float64
	Residuals    []float64 // Y - X(P) per point, in input order, units per second
	Warnings     []error   // caveats; test with errors.Is against the sentinels
}

// FitUSL fits the USL to points whose Y is a throughput (units per second)
// by least squares under the constraints σ >= 0, κ >= 0, λ > 0, weighted by
// 1/SE^2 when every SE is positive and equally otherwise. λ is solved
// exactly for each (σ, κ); σ and κ are found by Nelder–Mead from several
// starts, κ = 0 among them; κ is reported as exactly 0 unless a positive κ
// lowers the residual sum of squares by more than rounding.
//
// The intervals are Wald intervals from the Jacobian J of X(N) in (σ, κ, λ)
// at the optimum: cov = s^2 (J'WJ)^-1, with s^2 = RSS/DoF unweighted and
// max(1, ChiSq/DoF) weighted. The quantile is Student's t with DoF = N-3
// unweighted; weighted, it follows FitAmdahl's rule (t with n-1 degrees of
// freedom, n the fewest samples behind any point, or the normal quantile
// when that is unknown). The lower bounds of σ and κ are clamped at 0, the
// constraint of the fit; at the boundary (κ = 0, say) the interval is the
// one-sided remainder of a symmetric one, so it covers somewhat more than
// conf. Without SEs and with N = 3 there are no intervals (NaN).
//
// Measured by simulation (TestFitUSLCoverage, and runs of 2000 data sets;
// 10 loads from 1 to 64, σ = 0.05, κ = 5e-4), the 95% intervals cover the
// truth 95–97% of the time both without SEs when the noise is the same at
// every load, and with SEs known exactly. Without SEs, when the noise grows
// with the throughput (as it usually does), κ's interval covers only about
// 88%: give SEs when you have them. With SEs from the medians of very few
// trials (3 to 5 per load), λ's interval covers only 82–87%, because a
// point whose MAD happens to be small pins the fit.
//
// It returns ErrBadPoint for a point it cannot use, ErrTooFewPoints with
// fewer than three distinct processor counts, ErrBadConfidence, and
// ErrDegenerateFit when λ is not positive (every throughput is 0). It
// warns ErrNoConvergence, ErrLackOfFit, ErrSlowdown (σ > 1) and
// ErrUntestable (only 3 processor counts, or no intervals).
func FitUSL(points []Point, conf float64) (USLFit, error) {
	if !(conf > 0 && conf < 1) {
		return USLFit{}, fmt.Errorf("%w, got %g", ErrBadConfidence, conf)
	}
	d, err := newThroughputData(points)
	if err != nil {
		return USLFit{}, err
	}
	distinct := distinctP(points)
	if distinct < 3 {
		return USLFit{}, fmt.Errorf("%w for the USL: %d (need 3)", ErrTooFewPoints, distinct)
	}
	sol := d.solve(true)
	nan := math.NaN()
	f := USLFit{USL: sol.USL, Confidence: conf, N: len(points), Processors: distinct, DoF: len(points) - 3,
		SigmaLow: nan, SigmaHigh: nan, KappaLow: nan, KappaHigh: nan, LambdaLow: nan, LambdaHigh: nan,
		Quantile: nan, RSS: sol.RSS, ChiSq: nan, ChiSqP: nan}
	if !(f.Lambda > 0) {
		return f, fmt.Errorf("%w: fitted single-processor throughput %g is not positive", ErrDegenerateFit, f.Lambda)
	}
	f.PeakN, f.PeakX, _ = f.Peak()
	pred := make([]float64, len(points))
	f.Residuals = make([]float64, len(points))
	for i := range d.n {
		pred[i] = f.Throughput(d.n[i])
		f.Residuals[i] = d.y[i] - pred[i]
	}
	f.R2 = stat.RSquaredFrom(pred, d.y, d.w)

	scale := 1.0
	upper := 1 - (1-conf)/2
	switch {
	case d.weighted:
		f.ChiSq = f.RSS
		if f.DoF > 0 {
			scale = max(1, f.RSS/float64(f.DoF))
			f.ChiSqP = lackOfFitP(f.RSS, f.DoF, d.nmin)
		}
		if d.nmin >= 2 {
			f.QuantileDoF = d.nmin - 1
			f.Quantile = distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(f.QuantileDoF)}.Quantile(upper)
		} else {
			f.Quantile = distuv.UnitNormal.Quantile(upper)
		}
	case f.DoF > 0:
		scale = f.RSS / float64(f.DoF)
		f.QuantileDoF = f.DoF
		f.Quantile = distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(f.DoF)}.Quantile(upper)
	}
	if se, ok := uslStdErrs(d, f.USL, scale); ok && !math.IsNaN(f.Quantile) {
		q := f.Quantile
		f.SigmaLow, f.SigmaHigh = max(0, f.Sigma-q*se[0]), f.Sigma+q*se[0]
		f.KappaLow, f.KappaHigh = max(0, f.Kappa-q*se[1]), f.Kappa+q*se[1]
		f.LambdaLow, f.LambdaHigh = f.Lambda-q*se[2], f.Lambda+q*se[2]
	}
	f.Warnings = uslWarnings(f, sol.Converged)
	return f, nil
}

// uslStdErrs returns the standard errors of (σ, κ, λ) from
// cov = scale (J'WJ)^-1. The matrix is scaled to unit diagonal before it is
// inverted, since κ's column is orders of magnitude larger than σ's. ok is
// false when the matrix is singular.
func uslStdErrs(d throughputData, m USL, scale float64) (se [3]float64, ok bool) {
	jtj := mat.NewSymDense(3, nil)
	for i, n := range d.n {
		den := 1 + m.Sigma*(n-1) + m.Kappa*n*(n-1)
		j := [3]float64{-m.Lambda * n * (n - 1) / (den * den), -m.Lambda * n * n * (n - 1) / (den * den), n / den}
		for a := range 3 {
			for b := a; b < 3; b++ {
				jtj.SetSym(a, b, jtj.At(a, b)+d.w[i]*j[a]*j[b])
			}
		}
	}
	var diag [3]float64
	for a := range 3 {
		diag[a] = math.Sqrt(jtj.At(a, a))
		if !(diag[a] > 0) {
			return se, false
		}
	}
	for a := range 3 {
		for b := a; b < 3; b++ {
			jtj.SetSym(a, b, jtj.At(a, b)/(diag[a]*diag[b]))
		}
	}
	var chol mat.Cholesky
	if !chol.Factorize(jtj) {
		return se, false
	}
	var inv mat.SymDense
	if err := chol.InverseTo(&inv); err != nil {
		return se, false
	}
	for a := range 3 {
		se[a] = math.Sqrt(scale*inv.At(a, a)) / diag[a]
	}
	return se, true
}

func uslWarnings(f USLFit, converged bool) []error {
	var ws []error
	if !converged {
		ws = append(ws, fmt.Errorf("%w: Nelder–Mead hit its evaluation limit; σ = %.3g, κ = %.3g are the best point found", ErrNoConvergence, f.Sigma, f.Kappa))
	}
	if f.Processors == 3 {
		ws = append(ws, fmt.Errorf("%w: the USL has 3 parameters and the data 3 processor counts", ErrUntestable))
	}
	if f.Sigma > 1 {
		ws = append(ws, fmt.Errorf("%w: σ = %.3g, so X(2) < X(1)", ErrSlowdown, f.Sigma))
	}
	if f.ChiSqP < LackOfFitAlpha {
		ws = append(ws, fmt.Errorf("%w (heuristic): chi2 = %.3g on %d dof, p = %.2g; the intervals are widened by sqrt(chi2/dof)",
			ErrLackOfFit, f.ChiSq, f.DoF, f.ChiSqP))
	}
	if math.IsNaN(f.SigmaLow) {
		ws = append(ws, fmt.Errorf("%w: no intervals for σ, κ and λ with %d points and %d degrees of freedom", ErrUntestable, f.N, f.DoF))
	}
	return ws
}
