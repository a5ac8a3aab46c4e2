package scaling

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Gustafson is Gustafson's law of scaled speedup (weak scaling), for a
// program whose problem grows with the processor count and whose run on p
// processors spends the fraction Alpha of its time in serial code
// (Gustafson 1988).
type Gustafson struct {
	Alpha float64 // serial fraction of the scaled run, no unit
}

// ScaledSpeedup is Gustafson's law, S(p) = p - α(p - 1) (Gustafson 1988):
// the speedup of the scaled problem on p processors over its time on one.
func (m Gustafson) ScaledSpeedup(p float64) float64 { return p - m.Alpha*(p-1) }

// GustafsonFit is Gustafson's law fitted to scaled speedups, with its
// uncertainty.
type GustafsonFit struct {
	Gustafson                   // the point estimate
	AlphaLow, AlphaHigh float64 // confidence interval of α, at Confidence; NaN when there is none
	Confidence          float64 // level of the interval, e.g. 0.95
	N                   int     // speedups fitted: those with P > 1
	DoF                 int     // residual degrees of freedom, N - 1
	// R2 is the (weighted) coefficient of determination of the fitted
	// speedups over the measured ones; NaN for a single point.
	R2       float64
	Warnings []error // caveats; test with errors.Is against the sentinels
}

// FitGustafson fits Gustafson's law to weak-scaling speedups (S = p T(1)/T(p)
// for a problem that grows with p) by least squares through the origin of
// p - S on p - 1 over the speedups with P > 1: α = Σ w (p-1)(p-S) /
// Σ w (p-1)^2. The weights are 1/se^2, with se = (High-Low)/(2z) from each
// speedup's interval (z the normal quantile at its Confidence), when every
// speedup with P > 1 has one; equal otherwise. α's interval at level conf
// is α ± t se(α), with t on N-1 degrees of freedom and se(α) from the
// residual variance. With one speedup above p = 1 the law passes through
// it exactly: the interval is then the speedup's own, mapped to α
// ((p-High)/(p-1) to (p-Low)/(p-1)) and rescaled from its level to conf by
// the normal quantiles, or NaN when it has none; either way the fit warns
// ErrUntestable.
//
// It returns ErrBadConfidence, ErrBadPoint for a speedup with P < 1 or S
// not positive and finite, and ErrTooFewPoints when no speedup has P > 1.
// It warns ErrSuperlinear for α < 0 and ErrSlowdown for α > 1.
func FitGustafson(speedups []SpeedupPoint, conf float64) (GustafsonFit, error) {
	if !(conf > 0 && conf < 1) {
		return GustafsonFit{}, fmt.Errorf("%w, got %g", ErrBadConfidence, conf)
	}
	var use []SpeedupPoint
	weighted := true
	for i, sp := range speedups {
		if !(sp.P >= 1) || math.IsInf(sp.P, 0) || !(sp.S > 0) || math.IsInf(sp.S, 0) {
			return GustafsonFit{}, fmt.Errorf("%w: speedup %d is {P: %g, S: %g}", ErrBadPoint, i, sp.P, sp.S)
		}
		if sp.P > 1 {
			use = append(use, sp)
			weighted = weighted && !math.IsNaN(sp.speedupSE())
		}
	}
	if len(use) == 0 {
		return GustafsonFit{}, fmt.Errorf("%w for Gustafson's law: no speedup above p = 1 (need 1)", ErrTooFewPoints)
	}
	k := len(use)
	x, y, w, s := make([]float64, k), make([]float64, k), make([]float64, k), make([]float64, k)
	var sxy, sxx float64
	for i, sp := range use {
		x[i], y[i], w[i], s[i] = sp.P-1, sp.P-sp.S, 1, sp.S
		if weighted {
			se := sp.speedupSE()
			w[i] = 1 / (se * se)
		}
		sxy += w[i] * x[i] * y[i]
		sxx += w[i] * x[i] * x[i]
	}
	f := GustafsonFit{Gustafson: Gustafson{Alpha: sxy / sxx}, Confidence: conf, N: k, DoF: k - 1,
		AlphaLow: math.NaN(), AlphaHigh: math.NaN()}
	pred := make([]float64, k)
	var rss float64
	for i, sp := range use {
		pred[i] = f.ScaledSpeedup(sp.P)
		rss += w[i] * (s[i] - pred[i]) * (s[i] - pred[i])
	}
	f.R2 = math.NaN()
	if k > 1 {
		f.R2 = stat.RSquaredFrom(pred, s, w)
	}
	upper := 1 - (1-conf)/2
	switch sp := use[0]; {
	case k > 1:
		half := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(f.DoF)}.Quantile(upper) * math.Sqrt(rss/float64(f.DoF)/sxx)
		f.AlphaLow, f.AlphaHigh = f.Alpha-half, f.Alpha+half
	case weighted:
		// α decreases in S: its low end comes from the speedup's high end.
		r := distuv.UnitNormal.Quantile(upper) / distuv.UnitNormal.Quantile(1-(1-sp.Confidence)/2)
		lo, hi := (sp.P-sp.High)/(sp.P-1), (sp.P-sp.Low)/(sp.P-1)
		f.AlphaLow, f.AlphaHigh = f.Alpha-r*(f.Alpha-lo), f.Alpha+r*(hi-f.Alpha)
	}
	f.Warnings = gustafsonWarnings(f)
	return f, nil
}

func gustafsonWarnings(f GustafsonFit) []error {
	var ws []error
	if f.N == 1 {
		ws = append(ws, fmt.Errorf("%w: one speedup above p = 1 fixes α exactly", ErrUntestable))
	}
	if f.Alpha < 0 {
		ws = append(ws, fmt.Errorf("%w: α = %.3g, the scaled speedup exceeds p", ErrSuperlinear, f.Alpha))
	}
	if f.Alpha > 1 {
		ws = append(ws, fmt.Errorf("%w: α = %.3g, the scaled speedup is below 1", ErrSlowdown, f.Alpha))
	}
	return ws
}
