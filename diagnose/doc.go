// Package diagnose checks the assumptions behind a cell's statistics: that
// its trials are independent draws from one unimodal distribution that does
// not change while the run goes on. Each check is a hypothesis test with its
// statistic, its p-value (or threshold) and whether it fired at the
// significance level the caller gives. Drift and warmup also need an
// effect of at least MinEffect to fire (practical, not only statistical,
// significance):
//
//   - drift: Spearman's rank correlation of wall time with run order
//     (Drift), within a cell and, normalised by each cell's median, across a
//     whole run (RunDrift);
//   - warmup: whether the first trials of a cell are slower than the rest, by
//     a one-sided t-test on log times of the first k against the rest, with
//     a suggested number of trials to discard (Warmup);
//   - dependence: the lag-1 autocorrelation of the trials in run order
//     (Dependence);
//   - shape: bimodality, by the best split of the sorted trials into two
//     groups, and skewness (Shape).
//
// Each test separately fires on at most about alpha of cells whose trials
// are independent and identically distributed (normal, or lognormal as real
// timings are): at alpha 0.01, 0% to 1.5% of simulated cells of 8 to 50
// trials, the most for drift at 8 to 10 trials, where Student's t only
// approximates the null distribution of Spearman's rho.
// calibration_test.go measures that, and the power against injected
// drift, warmup, bimodality and autocorrelation (TestCalibrationTable
// prints every rate). Cell runs all four on one cell: warmup first, then
// the others on the trials after the suggested warmup, and dependence and
// shape on the trials less their trend when drift fired, so that one fault
// fires one test.
//
// The package takes plain []float64 in run order (and, for RunDrift, each
// trial's position in the run); it knows no database, no experiment and no
// report, imports no other exp package, and does no I/O. Too few values is
// an error (ErrTooFew), never a warning: the caller decides what to say.
package diagnose

import "errors"

// Sentinels returned by the tests of this package.
var (
	// ErrTooFew is returned for fewer values than a test needs (MinN for
	// Cell).
	ErrTooFew = errors.New("not enough trials")
	// ErrBadAlpha is returned for a significance level outside (0, 1).
	ErrBadAlpha = errors.New("significance level outside (0, 1)")
)

// DefaultAlpha is the significance level of each test separately: 0.01, so
// that a run of 20 clean cells shows a false warning of a given kind in
// about one run in five, not in every run, and the four kinds together fire
// on about 4% of clean cells.
var DefaultAlpha = 0.01

// MinEffect is the smallest change that drift and warmup warn about, as a
// fraction of the time (0.01 = 1%): with trials as steady as a timer's
// resolution, a first trial 0.05% slower is significant but changes no
// conclusion, and a warning about it would teach users to ignore warnings.
var MinEffect = 0.01

// MinN is the fewest trials Cell diagnoses: below 8, none of the tests can
// reach significance at DefaultAlpha, whatever the data.
var MinN = 8

func checkAlpha(alpha float64) error {
	if !(alpha > 0 && alpha < 1) {
		return ErrBadAlpha
	}
	return nil
}
