package diagnose

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// DependenceTest is a test of positive serial correlation: trials that
// resemble their neighbours in run order (a slow machine state that lasts
// a few trials) make the cell's standard errors, and so every interval,
// too narrow.
type DependenceTest struct {
	N int // values tested
	// R1 is the lag-1 autocorrelation of the values in run order,
	// r1 = sum (x_t - m)(x_t+1 - m) / sum (x_t - m)^2, m their mean
	// (Box & Jenkins 1976); NaN when every value is equal.
	R1 float64
	// P is the one-sided p-value of r1 <= 0 from the normal approximation
	// of r1 for independent values: mean -1/n, variance
	// (n-2)^2 / (n^2 (n-1)) (Moran 1948); 1 when R1 is NaN.
	P     float64
	Fired bool // P < alpha
}

// Dependence tests xs, one cell's wall times in run order, for positive
// lag-1 autocorrelation. It returns ErrTooFew for fewer than 4 values and
// ErrBadAlpha for alpha outside (0, 1).
func Dependence(xs []float64, alpha float64) (DependenceTest, error) {
	n := len(xs)
	d := DependenceTest{N: n, R1: math.NaN(), P: 1}
	if err := checkAlpha(alpha); err != nil {
		return d, err
	}
	if n < 4 {
		return d, ErrTooFew
	}
	var m float64
	for _, x := range xs {
		m += x
	}
	m /= float64(n)
	var num, den float64
	for i, x := range xs {
		den += (x - m) * (x - m)
		if i > 0 {
			num += (xs[i-1] - m) * (x - m)
		}
	}
	if den == 0 {
		return d, nil
	}
	d.R1 = num / den
	fn := float64(n)
	mean, sd := -1/fn, (fn-2)/(fn*math.Sqrt(fn-1))
	d.P = distuv.UnitNormal.Survival((d.R1 - mean) / sd)
	d.Fired = d.P < alpha
	return d, nil
}
