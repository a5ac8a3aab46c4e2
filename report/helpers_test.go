package report

import (
	"math"
	"testing"
)

// close reports whether got is within a relative tolerance tol of want
// (absolute near zero), treating two NaNs as equal.
func close(got, want, tol float64) bool {
	if math.IsNaN(want) {
		return math.IsNaN(got)
	}
	if math.IsInf(want, 0) {
		return got == want
	}
	diff := math.Abs(got - want)
	return diff <= tol*math.Max(math.Abs(want), 1e-12) || diff <= 1e-15
}

func checkClose(tb testing.TB, name string, got, want, tol float64) {
	tb.Helper()
	if !close(got, want, tol) {
		tb.Errorf("%s = %.17g, want %.17g (rel tol %g)", name, got, want, tol)
	}
}
