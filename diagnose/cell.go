package diagnose

// CellTests are the four diagnostics of one cell.
type CellTests struct {
	Drift      Trend
	Warmup     WarmupTest
	Dependence DependenceTest
	Shape      ShapeTest
}

// Cell runs every test on xs, one cell's wall times in run order (measured
// trials only: warmups, failed and timed-out trials left out), each at
// significance level alpha. It returns ErrTooFew for fewer than MinN
// values, with no test run, and ErrBadAlpha for alpha outside (0, 1).
func Cell(xs []float64, alpha float64) (CellTests, error) {
	var c CellTests
	if err := checkAlpha(alpha); err != nil {
		return c, err
	}
	if len(xs) < MinN {
		return c, ErrTooFew
	}
	// With MinN >= 4 and a valid alpha, no test below can fail.
	c.Drift, _ = Drift(xs, alpha)
	c.Warmup, _ = Warmup(xs, alpha)
	c.Dependence, _ = Dependence(xs, alpha)
	c.Shape, _ = Shape(xs, alpha)
	return c, nil
}

// Fired reports whether any test fired.
func (c CellTests) Fired() bool {
	return c.Drift.Fired || c.Warmup.Fired || c.Dependence.Fired || c.Shape.Bimodal || c.Shape.Skewed
}
