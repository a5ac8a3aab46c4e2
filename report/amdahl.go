package report

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Sentinel errors of the fits.
var (
	// ErrTooFewPoints means the data has fewer than two distinct processor
	// counts, so no line T(p) = a + b/p can be fitted.
	ErrTooFewPoints = errors.New("too few distinct processor counts to fit (need at least 2)")
	// ErrDegenerateFit means the fitted T1 = a + b is not positive, so B is
	// undefined.
	ErrDegenerateFit = errors.New("fitted single-processor time is not positive")
	// ErrBadPoint means a point has a non-positive or non-finite P or SE,
	// or a non-finite T.
	ErrBadPoint = errors.New("bad point: P and SE must be positive and finite, T finite")
	// ErrPoorFit is wrapped by the warning FitAmdahl gives when the cells
	// disagree with the model by far more than their noise.
	ErrPoorFit = errors.New("poor fit")
)

// Point is one cell's measurement for a fit.
type Point struct {
	P  float64 // effective processors, min(workers, usable CPUs)
	T  float64 // the cell's median wall time, seconds
	SE float64 // standard error of T, seconds; > 0
}

// Amdahl is a fitted Amdahl's-law model, S(p) = 1 / (B + (1-B)/p)
// (Amdahl 1967), equivalently T(p) = T1 (B + (1-B)/p).
type Amdahl struct {
	B     float64 // sequential fraction, a/(a+b)
	BLow  float64 // lower bound of B's confidence interval
	BHigh float64 // upper bound of B's confidence interval
	T1    float64 // fitted single-processor time a+b, seconds
	A     float64 // fitted serial time a, seconds
	Bp    float64 // fitted parallelisable time b, seconds
	N     int     // points (cells) fitted
	DoF   int     // residual degrees of freedom, N-2
	// ChiSq is the weighted residual sum of squares, sum ((T - a - b/p)/SE)^2.
	// Well above DoF, the cells disagree with the model by more than their
	// noise, and the interval of B is widened by sqrt(ChiSq/DoF).
	ChiSq float64
	// Warnings are caveats about the fit: few processor counts, B outside
	// [0, 1], a poor fit.
	Warnings []error
}

// Speedup is Amdahl's law, S(p) = 1 / (B + (1-B)/p).
func (m Amdahl) Speedup(p float64) float64 { return 1 / (m.B + (1-m.B)/p) }

// Time is the predicted wall time on p processors, T1 (B + (1-B)/p).
func (m Amdahl) Time(p float64) float64 { return m.T1 * (m.B + (1-m.B)/p) }

// MaxSpeedup is the ceiling 1/B as p grows without bound: +Inf when B = 0,
// and NaN when B is outside [0, 1], where the model has no ceiling to speak
// of (B < 0 diverges at p = 1 - 1/B; B > 1 is a slowdown).
func (m Amdahl) MaxSpeedup() float64 {
	switch {
	case m.B == 0:
		return math.Inf(1)
	case m.B < 0 || m.B > 1 || math.IsNaN(m.B):
		return math.NaN()
	}
	return 1 / m.B
}

// FitAmdahl fits T(p) = a + b/p to the points by weighted least squares,
// with weights 1/SE^2, and returns B = a/(a+b) and T1 = a+b.
//
// B's confidence interval propagates the covariance of (a, b) through the
// delta method (dB/da = b/(a+b)^2, dB/db = -a/(a+b)^2). The covariance is
// (X'WX)^-1 from the points' own errors, scaled by ChiSq/DoF when that
// exceeds 1 (the cells scatter more than their errors say), in which case
// the quantile is Student's t on DoF degrees of freedom; otherwise it is the
// normal quantile.
//
// It returns ErrBadPoint for a point it cannot weigh, ErrTooFewPoints with
// fewer than two distinct processor counts and ErrDegenerateFit if a+b <= 0.
func FitAmdahl(points []Point) (Amdahl, error) {
	x := make([]float64, len(points))
	y := make([]float64, len(points))
	w := make([]float64, len(points))
	distinct := map[float64]bool{}
	for i, pt := range points {
		if !(pt.P > 0 && pt.SE > 0) || math.IsInf(pt.P, 0) || math.IsInf(pt.SE, 0) || math.IsNaN(pt.T) || math.IsInf(pt.T, 0) {
			return Amdahl{}, fmt.Errorf("%w: point %d is %+v", ErrBadPoint, i, pt)
		}
		x[i], y[i], w[i] = 1/pt.P, pt.T, 1/(pt.SE*pt.SE)
		distinct[pt.P] = true
	}
	if len(distinct) < 2 {
		return Amdahl{}, ErrTooFewPoints
	}
	a, b := stat.LinearRegression(x, y, w, false)
	m := Amdahl{A: a, Bp: b, T1: a + b, N: len(points), DoF: len(points) - 2, BLow: math.NaN(), BHigh: math.NaN()}
	if !(m.T1 > 0) {
		return m, ErrDegenerateFit
	}
	m.B = a / m.T1
	var s0, s1, s2 float64
	for i := range x {
		s0 += w[i]
		s1 += w[i] * x[i]
		s2 += w[i] * x[i] * x[i]
		r := y[i] - a - b*x[i]
		m.ChiSq += w[i] * r * r
	}
	det := s0*s2 - s1*s1
	scale := 1.0
	q := distuv.UnitNormal.Quantile(1 - (1-Confidence)/2)
	if m.DoF > 0 && m.ChiSq/float64(m.DoF) > 1 {
		scale = m.ChiSq / float64(m.DoF)
		q = distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(m.DoF)}.Quantile(1 - (1-Confidence)/2)
	}
	varA, varB, cov := scale*s2/det, scale*s0/det, -scale*s1/det
	ga, gb := b/(m.T1*m.T1), -a/(m.T1*m.T1)
	se := math.Sqrt(ga*ga*varA + gb*gb*varB + 2*ga*gb*cov)
	m.BLow, m.BHigh = m.B-q*se, m.B+q*se
	if len(distinct) == 2 {
		m.Warnings = append(m.Warnings, errors.New("only 2 processor counts: the fit cannot test whether Amdahl's law holds, only extrapolate it"))
	}
	if m.B < 0 || m.B > 1 {
		m.Warnings = append(m.Warnings, fmt.Errorf("B = %.3g is outside [0, 1]: the data does not follow Amdahl's law (superlinear speedup or slowdown)", m.B))
	}
	if m.DoF > 0 {
		// P(chi2(DoF) > ChiSq) below 1%: the model does not describe the cells.
		if p := 1 - (distuv.ChiSquared{K: float64(m.DoF)}).CDF(m.ChiSq); p < 0.01 {
			m.Warnings = append(m.Warnings, fmt.Errorf("%w: chi2 = %.3g on %d dof (p = %.2g); B's interval is widened accordingly", ErrPoorFit, m.ChiSq, m.DoF, p))
		}
	}
	return m, nil
}
