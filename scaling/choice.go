package scaling

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// Choice is the verdict of Choose between Amdahl's law and the USL on the
// same throughput points.
type Choice struct {
	// Model is "amdahl", "usl", or "" when the data cannot tell them apart.
	Model string
	// Reason is one sentence for the user: the criterion and its numbers.
	Reason string
	// F is the statistic of the nested F-test of κ = 0 against a free κ,
	// on (1, N-3) degrees of freedom, and P its p-value; NaN when untestable.
	F, P float64
	// RSSAmdahl and RSSUSL are the residual sums of squares of the two fits
	// (weighted as in FitUSL); NaN when untestable.
	RSSAmdahl, RSSUSL float64
	// AICAmdahl and AICUSL are Akaike's information criterion of the two
	// fits, as R's AIC computes it for nls: N (log(2π RSS/N) + 1) -
	// Σ log w + 2(k+1), with k = 2 and 3 parameters. Lower is better; a
	// difference above about 2 is worth noting. NaN when untestable.
	AICAmdahl, AICUSL float64
	// Amdahl is the fit with κ = 0 (Amdahl's law in throughput form, σ
	// playing B) and USL the fit with κ free; zero when untestable.
	Amdahl, USL USL
}

// Choose decides between Amdahl's law and the USL for points whose Y is a
// throughput (units per second). Amdahl's law in throughput form is the USL
// with κ = 0, X(N) = λN/(1+σ(N-1)), so the two are nested: Choose fits both
// by the least squares of FitUSL and tests κ = 0 with
// F = (RSSAmdahl - RSSUSL) / s^2 against F(1, N-3), with s^2 = RSSUSL/(N-3)
// unweighted and max(1, RSSUSL/(N-3)) when the points carry standard
// errors (then RSS is chi-squared, and residuals within the errors do not
// make a tiny κ significant). It prefers
// Amdahl's law, the simpler model, unless P < alpha. When the best κ is 0
// (FitUSL keeps it at 0 unless a positive κ lowers the RSS by more than
// rounding), F = 0 and P = 1, so exact Amdahl data chooses Amdahl's law.
// It also gives both AICs, which usually agree.
//
// Choose takes points rather than two fits so that both models are fitted
// the same way to the same data, which the F-test requires. With fewer
// than three distinct processor counts, or fewer than four points, the
// models cannot be told apart: Model is "", the Reason says why and the
// numbers are NaN. It returns ErrBadPoint for a point no fit can use and
// ErrBadConfidence when alpha is not in (0, 1).
func Choose(points []Point, alpha float64) (Choice, error) {
	nan := math.NaN()
	c := Choice{F: nan, P: nan, RSSAmdahl: nan, RSSUSL: nan, AICAmdahl: nan, AICUSL: nan}
	if !(alpha > 0 && alpha < 1) {
		return c, fmt.Errorf("significance level alpha = %g: %w", alpha, ErrBadConfidence)
	}
	d, err := newThroughputData(points)
	if err != nil {
		return c, err
	}
	distinct, dof := distinctP(points), len(points)-3
	if distinct < 3 || dof < 1 {
		c.Reason = fmt.Sprintf("with %d distinct processor counts and %d points, Amdahl's law and the USL cannot be told apart "+
			"(the F-test needs at least 3 distinct counts and 4 points)", distinct, len(points))
		return c, nil
	}
	amdahl, usl := d.solve(false), d.solve(true)
	c.Amdahl, c.USL = amdahl.USL, usl.USL
	c.RSSAmdahl, c.RSSUSL = amdahl.RSS, min(usl.RSS, amdahl.RSS)
	c.AICAmdahl, c.AICUSL = d.aic(c.RSSAmdahl, 2), d.aic(c.RSSUSL, 3)
	drop := c.RSSAmdahl - c.RSSUSL
	switch {
	case c.USL.Kappa == 0 || drop <= 0:
		c.F, c.P = 0, 1
	case c.RSSUSL == 0 && !d.weighted:
		c.F, c.P = math.Inf(1), 0
	default:
		// Weighted by known errors, the drop is measured against those
		// errors unless the USL's residuals scatter more than they allow.
		s2 := c.RSSUSL / float64(dof)
		if d.weighted {
			s2 = max(1, s2)
		}
		c.F = drop / s2
		c.P = 1 - distuv.F{D1: 1, D2: float64(dof)}.CDF(c.F)
	}
	if c.P < alpha {
		c.Model = "usl"
		c.Reason = fmt.Sprintf("the USL fits significantly better than Amdahl's law: κ = %.3g lowers the residual sum of squares "+
			"from %.4g to %.4g, F(1, %d) = %.3g, p = %.2g < α = %g", c.USL.Kappa, c.RSSAmdahl, c.RSSUSL, dof, c.F, c.P, alpha)
		return c, nil
	}
	c.Model = "amdahl"
	c.Reason = fmt.Sprintf("Amdahl's law is enough: a coherency term (κ = %.3g) does not fit significantly better, "+
		"F(1, %d) = %.3g, p = %.2g >= α = %g, so the simpler model is kept", c.USL.Kappa, dof, c.F, c.P, alpha)
	return c, nil
}

// aic is Akaike's information criterion of a least-squares fit with k
// parameters and residual sum of squares rss, as R's AIC computes it for a
// (weighted) nls fit: -2 log L + 2(k+1), the +1 for the noise variance.
func (d throughputData) aic(rss float64, k int) float64 {
	n := float64(len(d.n))
	var sumLogW float64
	for _, w := range d.w {
		sumLogW += math.Log(w)
	}
	logL := -n / 2 * (math.Log(2*math.Pi) + 1 - math.Log(n) - sumLogW/n + math.Log(rss))
	return -2*logL + 2*float64(k+1)
}
