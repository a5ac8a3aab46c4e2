package diagnose

// CellTests are the four diagnostics of one cell.
type CellTests struct {
	Warmup WarmupTest // on every trial
	// Drift is on the trials after Warmup.Suggested, so that slow first
	// trials do not pass for a trend.
	Drift Trend
	// Dependence and Shape are on the trials after Warmup.Suggested, less
	// their least-squares line on run order when Drift fired (Detrended),
	// so that a trend, which makes neighbours alike and spreads the trials
	// evenly, does not pass for dependence or two modes.
	Dependence DependenceTest
	Shape      ShapeTest
	Detrended  bool // whether Dependence and Shape saw the trials less their trend
}

// Cell runs every test on xs, one cell's wall times in run order (measured
// trials only: warmups, failed and timed-out trials left out), each at
// significance level alpha: first Warmup, then the others on the trials
// after the suggested warmup (see CellTests). It returns ErrTooFew for
// fewer than MinN values, with no test run, and ErrBadAlpha for alpha
// outside (0, 1).
func Cell(xs []float64, alpha float64) (CellTests, error) {
	var c CellTests
	if err := checkAlpha(alpha); err != nil {
		return c, err
	}
	if len(xs) < MinN {
		return c, ErrTooFew
	}
	// With MinN >= 8, a valid alpha and at most half the trials
	// discarded, no test below can fail.
	c.Warmup, _ = Warmup(xs, alpha)
	rest := xs[c.Warmup.Suggested:]
	var sorted []float64 // rest sorted, which Drift's ranks sort anyway
	c.Drift, sorted, _ = drift(rest, alpha)
	if c.Drift.Fired {
		rest, c.Detrended, sorted = detrend(rest), true, nil
	}
	c.Dependence, _ = Dependence(rest, alpha)
	c.Shape, _ = shape(rest, sorted, alpha)
	return c, nil
}

// detrend returns xs less its least-squares line on position, plus its
// mean, so that the values keep their level: x_i - (a + b i) + mean(x).
func detrend(xs []float64) []float64 {
	n := float64(len(xs))
	mi := (n - 1) / 2
	var mx float64
	for _, x := range xs {
		mx += x
	}
	mx /= n
	var sxy, sxx float64
	for i, x := range xs {
		d := float64(i) - mi
		sxy += d * (x - mx)
		sxx += d * d
	}
	b := sxy / sxx
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = x - b*(float64(i)-mi)
	}
	return out
}
